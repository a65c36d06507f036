//===- GemmVnniAVX512.h - Shared parts of the VNNI GEMM kernels --*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Internal to qlp_runtime: what the S8 and U4 AVX-512 kernels
// (GemmS8AVX512.cpp, GemmU4AVX512.cpp) share: packing the activations into
// the byte rows their vpdpbusd loops broadcast from, the workspace that holds
// them, and small helpers. Include it only from files that define kernels.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_RUNTIME_GEMMVNNIAVX512_H
#define QLP_RUNTIME_GEMMVNNIAVX512_H

#include "runtime/EpilogueAVX512.h"
#include "runtime/KernelPlan.h"

#include <immintrin.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace qlp::rt::vnni {

/// Workspaces up to this size live on the caller's stack.
constexpr int64_t kStackBytes = 16 * 1024;
/// Budget for one packed block of activation rows. The block stays in L2
/// next to the weight panel being multiplied (each panel is then read from
/// memory once per block). 128 KB to 1 MB measured alike at K = 2048 (within
/// the noise of the shared test machine); a smaller block leaves more of L2
/// to the panels and to the other core's work.
constexpr int64_t kABlockBytes = 256 << 10;

/// Unaligned 4-byte load (the dword vpdpbusd broadcasts).
QLP_AVX512_INLINE int32_t loadDword(const uint8_t *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

/// acc += u * s over byte quads (vpdpbusd: u unsigned, s signed bytes).
///
/// Written as inline assembly because GCC 12's register allocator handles the
/// _mm512_dpbusd_epi32 builtin, whose accumulator is both read and written,
/// poorly when 24 of them are live: it copies every accumulator to a scratch
/// register and back (and partly to the stack) on each use, which halves the
/// tile's speed. The constraint "+v" keeps each accumulator in place.
QLP_AVX512_INLINE void dpbusd(__m512i &acc, __m512i u, __m512i s) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s));
}

/// Mask of the first `count` of 16 lanes (count >= 1 may exceed 16).
QLP_AVX512_INLINE __mmask16 laneMask(int64_t count) {
  return count >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1);
}

/// Row stride of packed activation rows: K rounded up to whole vectors, so
/// packing has no scalar tail and every row starts 64-byte aligned. It is at
/// least Kp in both formats (Kp rounds K up to 4 or 8).
inline int64_t packedStride(int64_t k) { return (k + 63) / 64 * 64; }

/// Packs `rows` rows of activations (row stride lda) into `dst` (row stride
/// `stride`): byte k of a packed row is v + `offset` (wrapping), where v is
/// the a_bits value of A[r][k] (KernelPlan.h's activationValue), for k < K,
/// and 0 for K <= k < stride. The weights' padded K rows are zero, so the
/// padding contributes nothing. rowTerm[r] receives row_coeff * rowsum(A[r])
/// in wrapping int32 arithmetic.
///
/// offset is 128 for the S8 format (A + 128 is vpdpbusd's unsigned operand)
/// and 0 for U4 (the activations are its signed operand).
QLP_AVX512_INLINE void packActivations(const uint8_t *a, int64_t rows,
                                       int64_t lda, int64_t k, int32_t bits,
                                       int32_t offset, int32_t rowCoeff,
                                       uint8_t *dst, int64_t stride,
                                       int32_t *rowTerm) {
  // With s = 2^(bits-1) and t = (byte & (2s - 1)) ^ s in [0, 2s), v = t - s:
  // the sign extension without byte shifts, which AVX-512 lacks. The row sum
  // is sum(t) - s * K, and vpsadbw sums the unsigned t exactly.
  const int32_t s = 1 << (bits - 1);
  const __m512i valueMask = _mm512_set1_epi8(char((2 * s - 1) & 0xFF));
  const __m512i signBit = _mm512_set1_epi8(char(s & 0xFF));
  const __m512i add = _mm512_set1_epi8(char((offset - s) & 0xFF));
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t *src = a + r * lda;
    uint8_t *out = dst + r * stride;
    __m512i sums = _mm512_setzero_si512();
    for (int64_t k0 = 0; k0 < stride; k0 += 64) {
      const int64_t left = k - k0;
      const __mmask64 valid =
          left >= 64 ? ~__mmask64(0) : (__mmask64(1) << left) - 1;
      // The masked load reads no byte past the row's K (lda may equal K).
      __m512i x = _mm512_maskz_loadu_epi8(valid, src + k0);
      __m512i t = _mm512_maskz_mov_epi8(
          valid, _mm512_xor_si512(_mm512_and_si512(x, valueMask), signBit));
      sums = _mm512_add_epi64(sums, _mm512_sad_epu8(t, _mm512_setzero_si512()));
      _mm512_store_si512(out + k0, _mm512_maskz_add_epi8(valid, t, add));
    }
    const int64_t rowSum = _mm512_reduce_add_epi64(sums) - int64_t(s) * k;
    rowTerm[r] = int32_t(uint32_t(rowCoeff) * uint32_t(rowSum));
  }
}

/// The packed-activation workspace of one kernel call: `rows` rows of
/// `stride` bytes followed by one int32 row term per row, 64-byte aligned.
/// It uses the caller's stack buffer when it fits and malloc otherwise.
struct Workspace {
  uint8_t *packed = nullptr;
  int32_t *rowTerm = nullptr;
  void *heap = nullptr;

  /// Returns false if the heap allocation failed.
  bool init(uint8_t *stack, int64_t rows, int64_t stride) {
    const int64_t termBytes = (rows * 4 + 63) / 64 * 64;
    const int64_t bytes = rows * stride + termBytes;
    uint8_t *base = stack;
    if (bytes > kStackBytes) {
      heap = std::malloc(size_t(bytes) + 63);
      if (!heap)
        return false;
      base = reinterpret_cast<uint8_t *>(
          (reinterpret_cast<uintptr_t>(heap) + 63) & ~uintptr_t(63));
    }
    packed = base;
    rowTerm = reinterpret_cast<int32_t *>(base + rows * stride);
    return true;
  }
  ~Workspace() { std::free(heap); }
};

/// Rows per packed block for an M-row call with register tiles of
/// `tileRows` rows: as many whole tiles as kABlockBytes holds (at least one),
/// never more than M.
inline int64_t blockRowsFor(int64_t m, int64_t stride, int64_t tileRows) {
  int64_t rows = kABlockBytes / stride / tileRows * tileRows;
  if (rows < tileRows)
    rows = tileRows;
  return rows < m ? rows : m;
}

/// The share of the next weight panel that one register tile pulls into L2
/// while it computes: `linesPerStep` cache lines per K step from `next` until
/// `end`. Spread over the tiles of the current panel, it makes the next
/// panel's first tile read L2 instead of waiting on memory (without it, that
/// tile runs at memory speed: every tile when M is small, and 1 of each
/// block's tiles otherwise).
struct PanelPrefetch {
  const char *next = nullptr;
  const char *end = nullptr;
  int64_t linesPerStep = 0;

  QLP_AVX512_INLINE void step() {
    if (next < end) {
      for (int64_t i = 0; i < linesPerStep; ++i)
        _mm_prefetch(next + 64 * i, _MM_HINT_T1);
      next += 64 * linesPerStep;
    }
  }
};

/// Splits the prefetch of the panel at `panel` (`bytes` long, or none if
/// null) over `tiles` tiles of `steps` K steps each; returns tile `index`'s
/// share.
inline PanelPrefetch panelShare(const void *panel, int64_t bytes,
                                int64_t tiles, int64_t index, int64_t steps) {
  PanelPrefetch share;
  if (!panel)
    return share;
  const int64_t lines = (bytes + 63) / 64;
  const int64_t linesPerTile = (lines + tiles - 1) / tiles;
  const int64_t first = index * linesPerTile;
  const int64_t last = first + linesPerTile < lines ? first + linesPerTile
                                                    : lines;
  if (first >= last)
    return share;
  share.next = static_cast<const char *>(panel) + 64 * first;
  share.end = static_cast<const char *>(panel) + 64 * last;
  share.linesPerStep = (linesPerTile + steps - 1) / steps;
  return share;
}

/// Output geometry shared by the tiles of one call.
struct OutputView {
  char *c;
  int64_t ldcBytes;
  int64_t n;
  int32_t outBytes;
};

/// The blocked loop nest shared by the S8 and U4 kernels. The activations
/// are packed in blocks of rows (adding `aOffset`: 128 when they are
/// vpdpbusd's unsigned operand, 0 when they are its signed one), then every
/// weight panel (of `nr` columns, `steps` K steps of `stepBytes` bytes) runs
/// against all of the block's register tiles, so a panel is read from L2
/// once per block. `tiles[vectors - 1][rows - 1]` is the register tile for a
/// panel of `vectors` 16-column vectors and `rows` rows; `gemv` serves a
/// block of one row. Falls back to gemmGeneric if the workspace cannot be
/// allocated (the kernel interface has no status to return).
template <typename Weight, typename TileTable, typename Gemv>
QLP_AVX512_INLINE void runBlocked(const PlanHeader *plan, const uint8_t *a,
                                  int64_t m, int64_t lda, void *c,
                                  int64_t ldc, int32_t aOffset, int64_t nr,
                                  int64_t steps, int64_t stepBytes,
                                  int64_t tileRows, const TileTable &tiles,
                                  Gemv gemv) {
  const int64_t k = plan->k, n = plan->n;
  const int64_t stride = packedStride(k);
  const int64_t blockRows = blockRowsFor(m, stride, tileRows);
  alignas(64) uint8_t stack[kStackBytes];
  Workspace ws;
  if (!ws.init(stack, blockRows, stride)) {
    gemmGeneric(plan, a, m, lda, c, ldc);
    return;
  }

  const EpilogueAVX512 ep(plan);
  const OutputView out{static_cast<char *>(c), ldc * plan->out_bytes, n,
                       plan->out_bytes};
  const Weight *b = planArray<Weight>(plan, plan->b_off);
  const int64_t panelBytes = steps * stepBytes;
  const int64_t panels = (n + nr - 1) / nr;

  for (int64_t m0 = 0; m0 < m; m0 += blockRows) {
    const int64_t rows = m - m0 < blockRows ? m - m0 : blockRows;
    packActivations(a + m0 * lda, rows, lda, k, plan->a_bits, aOffset,
                    plan->row_coeff, ws.packed, stride, ws.rowTerm);
    char *cBlock = out.c + m0 * out.ldcBytes;
    if (rows == 1) {
      gemv(plan, ws.packed, ep, ws.rowTerm[0], cBlock);
      continue;
    }
    const int64_t rowTiles = (rows + tileRows - 1) / tileRows;
    for (int64_t p = 0; p < panels; ++p) {
      const Weight *panel = b + p * panelBytes;
      // The panel after this one (the next block starts again at panel 0).
      const Weight *nextPanel = p + 1 < panels           ? panel + panelBytes
                                : m0 + rows < m && p > 0 ? b
                                                         : nullptr;
      const int64_t n0 = p * nr;
      const int64_t vectors = (n - n0 + 15) / 16;
      const auto &row = tiles[vectors < 4 ? vectors - 1 : 3];
      for (int64_t t = 0; t < rowTiles; ++t) {
        const int64_t r0 = t * tileRows;
        const int64_t rowsHere = rows - r0 < tileRows ? rows - r0 : tileRows;
        row[rowsHere - 1](ws.packed + r0 * stride, stride, panel, steps, ep,
                          ws.rowTerm + r0, out, cBlock + r0 * out.ldcBytes, n0,
                          panelShare(nextPanel, panelBytes, rowTiles, t,
                                     steps));
      }
    }
  }
}

} // namespace qlp::rt::vnni

#endif // QLP_RUNTIME_GEMMVNNIAVX512_H
