//===- KernelPlan.cpp - Building and checking GEMM plans ----------*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// qlp_rt_gemm_plan_size / qlp_rt_gemm_plan_init and the plan integrity check.
// The layout and the formulas of the folded constants are documented in
// KernelPlan.h; this file is their only writer.
//
// Plan layout (every offset a multiple of 64 from the plan's start):
//
//   [0, H)                 PlanHeader, H = sizeof(PlanHeader) rounded up to 64
//   col_offset             int32[np]
//   multiplier             int32[np]
//   shift                  int32[np]
//   shift_m1               int32[np]
//   round_c                int32[np]
//   packed B               b_bytes (S8: kp * np, U4: kp * np / 2,
//                          Bin: kp * np / 8), a multiple of 256
//
// np is a multiple of 32, so every int32[np] array is a multiple of 128 bytes
// and each array starts 64-byte aligned with no gap.
//
// Like the rest of qlp_runtime this file uses no C++ runtime: no exceptions,
// no allocation, no guarded statics.
//
//===----------------------------------------------------------------------===//

#include "runtime/PlanValidation.h"

#include <cstring>

using namespace qlp::rt;

namespace {

constexpr int64_t kAlign = QLP_RT_PLAN_ALIGNMENT;
constexpr int64_t kMaxK = 0x7fffffff;

/// Rounds `value` (>= 0) up to a multiple of `multiple`; false on overflow.
bool roundUp(int64_t value, int64_t multiple, int64_t *result) {
  int64_t sum;
  if (__builtin_add_overflow(value, multiple - 1, &sum))
    return false;
  *result = sum / multiple * multiple;
  return true;
}

/// Inclusive range of a signed `bits`-bit integer, bits in [1, 32]. For
/// binary operands (bits = 1) the only valid zero point is 0, which the
/// callers check separately.
int64_t minOfBits(int32_t bits) { return -(int64_t(1) << (bits - 1)); }
int64_t maxOfBits(int32_t bits) { return (int64_t(1) << (bits - 1)) - 1; }

bool inBitsRange(int64_t value, int32_t bits) {
  return value >= minOfBits(bits) && value <= maxOfBits(bits);
}

bool isIntegerWidth(int32_t bits) { return bits == 8 || bits == 4 || bits == 2; }

/// The weight format of a width pair, or false for an unsupported pair.
bool formatOf(int32_t aBits, int32_t bBits, WeightFormat *format) {
  if (aBits == 1 || bBits == 1) {
    // Binary activations need binary weights and the converse.
    if (aBits != 1 || bBits != 1)
      return false;
    *format = WeightFormat::Bin;
    return true;
  }
  if (!isIntegerWidth(aBits))
    return false;
  if (bBits == 8) {
    *format = WeightFormat::S8;
    return true;
  }
  if (bBits == 4 || bBits == 2) {
    *format = WeightFormat::U4;
    return true;
  }
  return false;
}

bool formatMatchesBits(WeightFormat format, int32_t aBits, int32_t bBits) {
  WeightFormat expected;
  return formatOf(aBits, bBits, &expected) && expected == format;
}

/// row_coeff of KernelPlan.h for a format and weight zero point.
int32_t rowCoeffOf(WeightFormat format, int32_t bZp) {
  switch (format) {
  case WeightFormat::S8:
    return -bZp;
  case WeightFormat::U4:
    return -(8 + bZp);
  case WeightFormat::Bin:
    return 0;
  }
  return 0;
}

/// The epilogue fields a plan stores, after the normalization of
/// normalizeEpilogue; shared by the builder and the integrity check.
bool epilogueFieldsValid(int32_t hasRescale, int32_t rounding, int32_t outBytes,
                         int32_t clampMin, int32_t clampMax, int32_t outBits) {
  if (hasRescale != 0 && hasRescale != 1)
    return false;
  if (outBits == 0)
    outBits = outBytes * 8;
  if (!hasRescale)
    return outBytes == 4 && outBits == 32;
  if (rounding < 0 || rounding > 2)
    return false;
  if (outBytes != 1 && outBytes != 2 && outBytes != 4)
    return false;
  bool widthOk = outBytes == 1 ? (outBits == 2 || outBits == 4 || outBits == 8)
                               : outBits == outBytes * 8;
  return widthOk && clampMin <= clampMax && inBitsRange(clampMin, outBits) &&
         inBitsRange(clampMax, outBits);
}

/// The out_mask a plan stores for an output of `outBytes` bytes and
/// `outBits` bits (0: 8 * outBytes).
int32_t outMaskOf(int32_t outBytes, int32_t outBits) {
  if (outBytes != 1)
    return -1;
  return (1 << (outBits == 0 ? 8 : outBits)) - 1;
}

int32_t shiftM1Of(int32_t shift) { return shift == 0 ? 64 : shift - 1; }

int32_t roundCOf(int32_t rounding, int32_t shift) {
  // double_round and tflite (the same function, see dialect/Dyadic.h) add
  // +-2^30 before the final shift when it exceeds 31.
  return (rounding == 1 || rounding == 2) && shift > 31 ? (int32_t(1) << 30)
                                                        : 0;
}

/// Packs B into the S8 panels: byte 4j + i of quad block q of panel p is
/// B[4q + i][64p + j].
void packS8(const int8_t *b, int64_t k, int64_t n, int64_t kp, uint8_t *dst) {
  const int64_t panelBytes = kp * kNRS8;
  for (int64_t row = 0; row < k; ++row) {
    const int8_t *src = b + row * n;
    uint8_t *block = dst + (row / 4) * 256 + (row % 4);
    for (int64_t col = 0; col < n; ++col)
      block[(col / kNRS8) * panelBytes + 4 * (col % kNRS8)] =
          static_cast<uint8_t>(src[col]);
  }
}

/// Packs B + 8 into the U4 panels: byte 4j + i of pair block t of panel p
/// holds u[8t + i][64p + j] in its low nibble and u[8t + 4 + i][64p + j] in
/// its high nibble.
void packU4(const int8_t *b, int64_t k, int64_t n, int64_t kp, uint8_t *dst) {
  const int64_t panelBytes = kp * kNRU4 / 2;
  for (int64_t row = 0; row < k; ++row) {
    const int8_t *src = b + row * n;
    int64_t within = row % 8;
    int nibbleShift = within >= 4 ? 4 : 0;
    uint8_t *block = dst + (row / 8) * 256 + (within % 4);
    for (int64_t col = 0; col < n; ++col) {
      auto u = static_cast<uint8_t>(src[col] + 8);
      block[(col / kNRU4) * panelBytes + 4 * (col % kNRU4)] |=
          static_cast<uint8_t>(u << nibbleShift);
    }
  }
}

/// Packs the binary B into the Bin panels: word w, column j of panel p has
/// bit (k - 64w) set iff B[k][32p + j] = -1.
void packBin(const int8_t *b, int64_t k, int64_t n, int64_t kp,
             uint64_t *dst) {
  const int64_t words = kp / 64;
  const int64_t panelWords = words * kNRBin;
  for (int64_t row = 0; row < k; ++row) {
    const int8_t *src = b + row * n;
    uint64_t *wordRow = dst + (row / 64) * kNRBin;
    uint64_t bit = uint64_t(1) << (row % 64);
    for (int64_t col = 0; col < n; ++col)
      if (src[col] == -1)
        wordRow[(col / kNRBin) * panelWords + (col % kNRBin)] |= bit;
  }
}

/// True if every weight lies in the range of its format's width.
bool weightsInRange(const int8_t *b, int64_t count, int32_t bBits) {
  if (bBits == 8)
    return true;
  if (bBits == 1) {
    for (int64_t i = 0; i < count; ++i)
      if (b[i] != 1 && b[i] != -1)
        return false;
    return true;
  }
  const int lo = static_cast<int>(minOfBits(bBits));
  const int hi = static_cast<int>(maxOfBits(bBits));
  bool ok = true;
  // No early exit, so the loop vectorizes; the check runs once per plan.
  for (int64_t i = 0; i < count; ++i)
    ok &= b[i] >= lo && b[i] <= hi;
  return ok;
}

} // namespace

bool qlp::rt::computePlanLayout(WeightFormat format, int64_t k, int64_t n,
                                PlanLayout *layout) {
  if (k < 1 || k > kMaxK || n < 1)
    return false;
  int64_t nr, kMultiple, bitsPerWeight;
  switch (format) {
  case WeightFormat::S8:
    nr = kNRS8, kMultiple = 4, bitsPerWeight = 8;
    break;
  case WeightFormat::U4:
    nr = kNRU4, kMultiple = 8, bitsPerWeight = 4;
    break;
  case WeightFormat::Bin:
    nr = kNRBin, kMultiple = 64, bitsPerWeight = 1;
    break;
  default:
    return false;
  }
  PlanLayout l;
  l.format = format;
  // k <= 2^31 - 1, so kp cannot overflow.
  roundUp(k, kMultiple, &l.kp);
  if (!roundUp(n, nr, &l.np))
    return false;
  int64_t header, arrayBytes, weights, bBits;
  roundUp(static_cast<int64_t>(sizeof(PlanHeader)), kAlign, &header);
  if (__builtin_mul_overflow(l.np, int64_t(4), &arrayBytes) ||
      !roundUp(arrayBytes, kAlign, &arrayBytes))
    return false;
  // kp * np * bits / 8; kp is a multiple of 8 / bits (4, 8 or 64).
  if (__builtin_mul_overflow(l.kp, l.np, &weights) ||
      __builtin_mul_overflow(weights / 8, bitsPerWeight, &bBits))
    return false;
  l.bBytes = bBits;
  if (!roundUp(l.bBytes, kAlign, &l.bBytes))
    return false;
  int64_t arrays;
  if (__builtin_mul_overflow(arrayBytes, int64_t(5), &arrays) ||
      __builtin_add_overflow(header, arrays, &l.bOff) ||
      __builtin_add_overflow(l.bOff, l.bBytes, &l.size))
    return false;
  l.colOffsetOff = header;
  l.multiplierOff = l.colOffsetOff + arrayBytes;
  l.shiftOff = l.multiplierOff + arrayBytes;
  l.shiftM1Off = l.shiftOff + arrayBytes;
  l.roundCOff = l.shiftM1Off + arrayBytes;
  *layout = l;
  return true;
}

qlp_rt_status qlp::rt::validateGemmDesc(const qlp_rt_gemm_desc *desc,
                                        PlanLayout *layout) {
  if (!desc || !desc->b)
    return QLP_RT_INVALID_ARGUMENT;
  WeightFormat format;
  if (!formatOf(desc->a_bits, desc->b_bits, &format))
    return QLP_RT_INVALID_ARGUMENT;
  if (format == WeightFormat::Bin) {
    if (desc->a_zp != 0 || desc->b_zp != 0)
      return QLP_RT_INVALID_ARGUMENT;
  } else if (!inBitsRange(desc->a_zp, desc->a_bits) ||
             !inBitsRange(desc->b_zp, desc->b_bits)) {
    return QLP_RT_INVALID_ARGUMENT;
  }
  if (!epilogueFieldsValid(desc->has_rescale, desc->rounding, desc->out_bytes,
                           desc->clamp_min, desc->clamp_max, desc->out_bits))
    return QLP_RT_INVALID_ARGUMENT;
  if (desc->has_rescale) {
    // rescale_input_zp and output_zp may be any int32: |acc - input_zp| <
    // 2^32 holds for every int32 pair, and the epilogue adds the output zero
    // point after clamping in 64 bits.
    if (desc->num_scales != 1 && desc->num_scales != desc->n)
      return QLP_RT_INVALID_ARGUMENT;
    if (!desc->multipliers || !desc->shifts)
      return QLP_RT_INVALID_ARGUMENT;
  }
  PlanLayout l;
  if (!computePlanLayout(format, desc->k, desc->n, &l))
    return QLP_RT_INVALID_ARGUMENT;
  if (format == WeightFormat::Bin && desc->bias) {
    // The binary kernels add the bias to K - 2 * popcount, which lies in
    // [-K, K], and rely on the sum being exact in int32 (the AVX-512 path
    // narrows its int64 lanes without saturation). Unlike the integer
    // formats, whose bound the qlp verifier guarantees, nothing upstream
    // bounds a binary layer's bias, so check |bias| + K <= 2^31 - 1 here.
    // k <= 2^31 - 1 (computePlanLayout), so the sum fits int64.
    for (int64_t col = 0; col < desc->n; ++col) {
      int64_t magnitude = desc->bias[col] < 0 ? -int64_t(desc->bias[col])
                                              : int64_t(desc->bias[col]);
      if (magnitude + desc->k > INT32_MAX)
        return QLP_RT_INVALID_ARGUMENT;
    }
  }
  // The weight matrix itself must be addressable.
  int64_t weightCount;
  if (__builtin_mul_overflow(desc->k, desc->n, &weightCount))
    return QLP_RT_INVALID_ARGUMENT;
  if (desc->has_rescale) {
    for (int64_t i = 0; i < desc->num_scales; ++i) {
      if (desc->multipliers[i] < 1 || desc->shifts[i] < 0 ||
          desc->shifts[i] > 62)
        return QLP_RT_INVALID_ARGUMENT;
    }
  }
  *layout = l;
  return QLP_RT_OK;
}

qlp_rt_status qlp::rt::buildGemmPlan(const qlp_rt_gemm_desc *desc,
                                     const PlanLayout &layout, PlanKind kind,
                                     void *plan, int64_t size) {
  if (!plan || size < layout.size ||
      reinterpret_cast<uintptr_t>(plan) % kAlign != 0)
    return QLP_RT_INVALID_ARGUMENT;
  const int64_t k = desc->k, n = desc->n;
  if (!weightsInRange(desc->b, k * n, desc->b_bits))
    return QLP_RT_INVALID_VALUE;

  auto *bytes = static_cast<uint8_t *>(plan);
  // Zero everything first: the padding of every array, the unused tail of
  // the buffer and the header's convolution fields.
  std::memset(bytes, 0, static_cast<size_t>(layout.size));

  PlanHeader h;
  std::memset(&h, 0, sizeof(h));
  h.magic = kPlanMagic;
  h.version = kPlanVersion;
  h.kind = kind;
  h.format = layout.format;
  h.size = layout.size;
  h.k = k;
  h.n = n;
  h.kp = layout.kp;
  h.np = layout.np;
  h.a_bits = desc->a_bits;
  h.b_bits = desc->b_bits;
  h.a_zp = desc->a_zp;
  h.b_zp = desc->b_zp;
  h.row_coeff = rowCoeffOf(layout.format, desc->b_zp);
  h.has_rescale = desc->has_rescale;
  // Without a rescale the epilogue fields are ignored; store neutral values
  // so that the plan does not depend on whatever the caller left in them.
  if (desc->has_rescale) {
    h.rounding = desc->rounding;
    h.rescale_input_zp = desc->rescale_input_zp;
    h.output_zp = desc->output_zp;
    h.clamp_min = desc->clamp_min;
    h.clamp_max = desc->clamp_max;
  } else {
    h.rounding = 0;
    h.clamp_min = INT32_MIN;
    h.clamp_max = INT32_MAX;
  }
  h.out_bytes = desc->out_bytes;
  h.out_mask = outMaskOf(desc->out_bytes, desc->out_bits);
  h.col_offset_off = layout.colOffsetOff;
  h.multiplier_off = layout.multiplierOff;
  h.shift_off = layout.shiftOff;
  h.shift_m1_off = layout.shiftM1Off;
  h.round_c_off = layout.roundCOff;
  h.b_off = layout.bOff;
  h.b_bytes = layout.bBytes;
  std::memcpy(bytes, &h, sizeof(h));

  auto *colOffset = reinterpret_cast<int32_t *>(bytes + layout.colOffsetOff);
  auto *multiplier = reinterpret_cast<int32_t *>(bytes + layout.multiplierOff);
  auto *shift = reinterpret_cast<int32_t *>(bytes + layout.shiftOff);
  auto *shiftM1 = reinterpret_cast<int32_t *>(bytes + layout.shiftM1Off);
  auto *roundC = reinterpret_cast<int32_t *>(bytes + layout.roundCOff);

  // Epilogue scales, expanded to every column; padding columns (and every
  // column without a rescale) get the identity multiplier 1, shift 0.
  for (int64_t col = 0; col < layout.np; ++col) {
    int32_t m = 1, s = 0;
    if (desc->has_rescale && col < n) {
      int64_t index = desc->num_scales == 1 ? 0 : col;
      m = desc->multipliers[index];
      s = desc->shifts[index];
    }
    multiplier[col] = m;
    shift[col] = s;
    shiftM1[col] = shiftM1Of(s);
    roundC[col] = roundCOf(h.rounding, s);
  }

  // col_offset, in wrapping 32-bit arithmetic (KernelPlan.h): every term is
  // reduced mod 2^32, which is exact because the true accumulator fits int32.
  // Padding columns keep 0; their results are never stored.
  if (layout.format == WeightFormat::Bin) {
    // Bin: col_offset = bias (0 without one); the binary accumulator needs
    // no zero-point correction.
    if (desc->bias)
      std::memcpy(colOffset, desc->bias, static_cast<size_t>(n) * 4);
  } else {
    // Column sums (in the still zeroed col_offset array), accumulated row by
    // row so B is read sequentially; only their value mod 2^32 is needed.
    auto *colSum = reinterpret_cast<uint32_t *>(colOffset);
    const int32_t bias8 = layout.format == WeightFormat::U4 ? 8 : 0;
    for (int64_t row = 0; row < k; ++row) {
      const int8_t *src = desc->b + row * n;
      for (int64_t col = 0; col < n; ++col)
        colSum[col] += static_cast<uint32_t>(src[col] + bias8);
    }
    // S8: col_offset = bias - (128 + a_zp) * colsum(B) + K * a_zp * b_zp.
    // U4: col_offset = bias - a_zp * colsum(B + 8) + K * a_zp * (8 + b_zp).
    const uint32_t colCoeff =
        layout.format == WeightFormat::S8
            ? static_cast<uint32_t>(128 + desc->a_zp)
            : static_cast<uint32_t>(desc->a_zp);
    const uint32_t constant =
        static_cast<uint32_t>(k) * static_cast<uint32_t>(desc->a_zp) *
        static_cast<uint32_t>(desc->b_zp + bias8);
    for (int64_t col = 0; col < n; ++col) {
      uint32_t bias = desc->bias ? static_cast<uint32_t>(desc->bias[col]) : 0;
      colSum[col] = bias - colCoeff * colSum[col] + constant;
    }
  }

  uint8_t *packed = bytes + layout.bOff;
  switch (layout.format) {
  case WeightFormat::S8:
    packS8(desc->b, k, n, layout.kp, packed);
    break;
  case WeightFormat::U4:
    packU4(desc->b, k, n, layout.kp, packed);
    break;
  case WeightFormat::Bin:
    packBin(desc->b, k, n, layout.kp, reinterpret_cast<uint64_t *>(packed));
    break;
  }
  return QLP_RT_OK;
}

const PlanHeader *qlp::rt::validatePlan(const void *plan, PlanKind kind) {
  if (!plan || reinterpret_cast<uintptr_t>(plan) % kAlign != 0)
    return nullptr;
  const auto *h = static_cast<const PlanHeader *>(plan);
  if (h->magic != kPlanMagic || h->version != kPlanVersion || h->kind != kind)
    return nullptr;
  // The format is compared as an integer first: a corrupted blob may hold a
  // value outside the enum.
  if (static_cast<uint32_t>(h->format) > 2 ||
      !formatMatchesBits(h->format, h->a_bits, h->b_bits))
    return nullptr;
  if (h->format == WeightFormat::Bin) {
    if (h->a_zp != 0 || h->b_zp != 0)
      return nullptr;
  } else if (!inBitsRange(h->a_zp, h->a_bits) ||
             !inBitsRange(h->b_zp, h->b_bits)) {
    return nullptr;
  }
  if (h->row_coeff != rowCoeffOf(h->format, h->b_zp))
    return nullptr;
  // Any mask of 2, 4 or 8 low bits for 1-byte outputs; all bits otherwise.
  if (h->out_bytes == 1 ? (h->out_mask != 0x3 && h->out_mask != 0xF &&
                           h->out_mask != 0xFF)
                        : h->out_mask != -1)
    return nullptr;
  int32_t outBits = h->out_bytes == 1 ? __builtin_popcount(h->out_mask)
                                      : h->out_bytes * 8;
  if (!epilogueFieldsValid(h->has_rescale, h->rounding, h->out_bytes,
                           h->clamp_min, h->clamp_max, outBits))
    return nullptr;
  PlanLayout l;
  if (!computePlanLayout(h->format, h->k, h->n, &l))
    return nullptr;
  if (h->size != l.size || h->kp != l.kp || h->np != l.np ||
      h->col_offset_off != l.colOffsetOff ||
      h->multiplier_off != l.multiplierOff || h->shift_off != l.shiftOff ||
      h->shift_m1_off != l.shiftM1Off || h->round_c_off != l.roundCOff ||
      h->b_off != l.bOff || h->b_bytes != l.bBytes)
    return nullptr;

  if (kind == PlanKind::Gemm) {
    // A GEMM plan has no geometry.
    const int64_t geometry[] = {h->in_h,     h->in_w,       h->in_c,
                                h->kh,       h->kw,         h->stride_h,
                                h->stride_w, h->dil_h,      h->dil_w,
                                h->pad_top,  h->pad_bottom, h->pad_left,
                                h->pad_right, h->out_h,     h->out_w};
    for (int64_t value : geometry)
      if (value != 0)
        return nullptr;
    return h->pad_value == 0 ? h : nullptr;
  }

  // Convolution: K = kh * kw * c, and the stored output extents are the ones
  // the geometry gives (which also bounds every field).
  if (h->in_c < 1 || h->kh < 1 || h->kw < 1)
    return nullptr;
  int64_t k;
  if (__builtin_mul_overflow(h->kh, h->kw, &k) ||
      __builtin_mul_overflow(k, h->in_c, &k) || k != h->k)
    return nullptr;
  int64_t outH = convOutputExtent(h->in_h, h->pad_top, h->pad_bottom, h->kh,
                                  h->stride_h, h->dil_h);
  int64_t outW = convOutputExtent(h->in_w, h->pad_left, h->pad_right, h->kw,
                                  h->stride_w, h->dil_w);
  if (outH < 1 || outW < 1 || outH != h->out_h || outW != h->out_w)
    return nullptr;
  if (h->format == WeightFormat::Bin ? (h->pad_value != 1 && h->pad_value != -1)
                                     : h->pad_value != h->a_zp)
    return nullptr;
  return h;
}

extern "C" qlp_rt_status qlp_rt_gemm_plan_size(const qlp_rt_gemm_desc *desc,
                                               int64_t *size) {
  if (!size)
    return QLP_RT_INVALID_ARGUMENT;
  PlanLayout layout;
  qlp_rt_status status = validateGemmDesc(desc, &layout);
  if (status != QLP_RT_OK)
    return status;
  *size = layout.size;
  return QLP_RT_OK;
}

extern "C" qlp_rt_status qlp_rt_gemm_plan_init(const qlp_rt_gemm_desc *desc,
                                               void *plan, int64_t size) {
  PlanLayout layout;
  qlp_rt_status status = validateGemmDesc(desc, &layout);
  if (status != QLP_RT_OK)
    return status;
  return buildGemmPlan(desc, layout, PlanKind::Gemm, plan, size);
}
