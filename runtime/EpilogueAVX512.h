//===- EpilogueAVX512.h - Fused integer epilogue in AVX-512 ------*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Internal to qlp_runtime: the epilogue of every AVX-512 kernel, applied to
// accumulators still in registers. It computes exactly epilogueScalar (and so
// qlp.rescale): zero-point and bias corrections in wrapping int32 arithmetic,
// then the dyadic rescale in int64 lanes, where every step is exact:
//
//   x = acc - rescale_input_zp          |x| < 2^32
//   p = x * multiplier                  |p| < 2^63 - 2^32 (vpmullq)
//   q = p + (x < 0 ? -c : c)            c = round_c: 2^30 for double_round
//                                       and tflite with shift > 31, else 0
//   r = (q >>a shift) + bit (shift - 1) of q     (0 when shift = 0)
//   y = clamp(r, clamp_min - output_zp, clamp_max - output_zp) + output_zp
//
// r + bit(shift - 1) is floor((q + 2^(shift-1)) / 2^shift), computed without
// the addition that would overflow at shift 62. Clamping before adding the
// zero point keeps the sum in range even when r is near 2^63 (shift 0).
// vpsrlvq yields 0 for the count 64 that shift_m1 holds when shift is 0.
//
// Every function here is force-inlined into kernels compiled for the same
// target, so the epilogue runs inside the accumulation loop nest.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_RUNTIME_EPILOGUEAVX512_H
#define QLP_RUNTIME_EPILOGUEAVX512_H

#include "runtime/KernelPlan.h"

#include <immintrin.h>

/// Target attribute of every AVX-512 kernel function.
#define QLP_AVX512_TARGET                                                      \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512cd,"        \
                        "avx512vnni,avx512vpopcntdq,bmi2,popcnt")))
#define QLP_AVX512_INLINE QLP_AVX512_TARGET inline __attribute__((always_inline))

namespace qlp::rt {

/// Sign-extends 8 int32 values at a 32-byte aligned address to int64 lanes.
QLP_AVX512_INLINE __m512i widen8(const int32_t *values) {
  return _mm512_cvtepi32_epi64(
      _mm256_load_si256(reinterpret_cast<const __m256i *>(values)));
}

/// The plan's epilogue constants, loaded once per kernel call.
struct EpilogueAVX512 {
  const int32_t *colOffset, *multiplier, *shift, *shiftM1, *roundC;
  __m512i inputZp, lo, hi, outputZp, outMask;
  int32_t hasRescale, outBytes;

  QLP_AVX512_INLINE explicit EpilogueAVX512(const PlanHeader *plan) {
    colOffset = planArray<int32_t>(plan, plan->col_offset_off);
    multiplier = planArray<int32_t>(plan, plan->multiplier_off);
    shift = planArray<int32_t>(plan, plan->shift_off);
    shiftM1 = planArray<int32_t>(plan, plan->shift_m1_off);
    roundC = planArray<int32_t>(plan, plan->round_c_off);
    inputZp = _mm512_set1_epi64(plan->rescale_input_zp);
    lo = _mm512_set1_epi64(int64_t(plan->clamp_min) - plan->output_zp);
    hi = _mm512_set1_epi64(int64_t(plan->clamp_max) - plan->output_zp);
    outputZp = _mm512_set1_epi64(plan->output_zp);
    outMask = _mm512_set1_epi64(plan->out_mask);
    hasRescale = plan->has_rescale;
    outBytes = plan->out_bytes;
  }

  /// Rescales 8 exact accumulators (int64 lanes, values in int32) of columns
  /// [n0, n0 + 8) and stores the lanes selected by `mask` to `out`, which
  /// points at column n0 of the output row.
  QLP_AVX512_INLINE void rescaleStore8(__m512i acc, int64_t n0, __mmask8 mask,
                                       void *out) const {
    __m512i x = _mm512_sub_epi64(acc, inputZp);
    auto load8 = [n0](const int32_t *array) QLP_AVX512_TARGET {
      return widen8(array + n0);
    };
    __m512i p = _mm512_mullo_epi64(x, load8(multiplier));
    __m512i c = load8(roundC);
    __mmask8 negative = _mm512_cmplt_epi64_mask(x, _mm512_setzero_si512());
    c = _mm512_mask_sub_epi64(c, negative, _mm512_setzero_si512(), c);
    __m512i q = _mm512_add_epi64(p, c);
    __m512i r = _mm512_srav_epi64(q, load8(shift));
    __m512i bit = _mm512_and_si512(_mm512_srlv_epi64(q, load8(shiftM1)),
                                   _mm512_set1_epi64(1));
    r = _mm512_add_epi64(r, bit);
    r = _mm512_max_epi64(_mm512_min_epi64(r, hi), lo);
    r = _mm512_add_epi64(r, outputZp);
    switch (outBytes) {
    case 1:
      // i2 / i4 results keep their low bits, zero-extended (qlp_kernels.h).
      _mm512_mask_cvtepi64_storeu_epi8(out, mask,
                                       _mm512_and_si512(r, outMask));
      break;
    case 2:
      _mm512_mask_cvtepi64_storeu_epi16(out, mask, r);
      break;
    default:
      _mm512_mask_cvtepi64_storeu_epi32(out, mask, r);
      break;
    }
  }

  /// Finishes 16 raw int32 accumulators of columns [n0, n0 + 16) of one row:
  /// adds col_offset[n] and `rowTerm` (row_coeff * rowsum(A[m]), wrapping),
  /// then stores them (no rescale) or rescales and stores them. `out` points
  /// at column n0 of the output row; only lanes in `mask` are written. n0 is
  /// a multiple of 16, so the epilogue arrays are read aligned.
  QLP_AVX512_INLINE void finish16(__m512i raw, int32_t rowTerm, int64_t n0,
                                  __mmask16 mask, void *out) const {
    __m512i acc = _mm512_add_epi32(raw, _mm512_load_si512(colOffset + n0));
    acc = _mm512_add_epi32(acc, _mm512_set1_epi32(rowTerm));
    if (!hasRescale) {
      _mm512_mask_storeu_epi32(out, mask, acc);
      return;
    }
    char *bytes = static_cast<char *>(out);
    rescaleStore8(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(acc)), n0,
                  static_cast<__mmask8>(mask), bytes);
    rescaleStore8(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(acc, 1)),
                  n0 + 8, static_cast<__mmask8>(mask >> 8),
                  bytes + 8 * outBytes);
  }

  /// Finishes 8 exact accumulators in int64 lanes (the binary kernels'
  /// K - 2 * popcount) of columns [n0, n0 + 8): adds col_offset[n] (the Bin
  /// format's bias, KernelPlan.h), then stores them (no rescale) or rescales
  /// and stores them. n0 is a multiple of 8, so the 32-byte load of
  /// col_offset is aligned. The sum is exact in int64 and fits int32 because
  /// the plan builder bounds |bias| + K by 2^31 - 1.
  QLP_AVX512_INLINE void finish8x64(__m512i acc, int64_t n0, __mmask8 mask,
                                    void *out) const {
    acc = _mm512_add_epi64(acc, widen8(colOffset + n0));
    if (!hasRescale) {
      _mm512_mask_cvtepi64_storeu_epi32(out, mask, acc);
      return;
    }
    rescaleStore8(acc, n0, mask, out);
  }
};

} // namespace qlp::rt

#endif // QLP_RUNTIME_EPILOGUEAVX512_H
