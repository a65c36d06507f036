//===- GemmU4AVX512.cpp - 4-bit-weight VNNI GEMM for AVX-512 ----*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// The U4-format GEMM: 4- or 2-bit weights stored as biased nibbles u = B + 8
// (KernelPlan.h), with 8-, 4- or 2-bit activations (W4A8, int4 x int4, ...).
// The weights stay packed in memory, half the bytes of the S8 format, and are
// unpacked in registers: for one 64-byte row x of a pair block, x & 0xF and
// (x >> 4) & 0xF are the unsigned vpdpbusd operands of two quad rows, which
// multiply the sign-extended activation bytes (the signed operand):
//
//   acc = raw + col_offset[n] + row_coeff * rowsum(A[m]).
//
// The loop nest is the S8 kernel's (see GemmS8AVX512.cpp): row blocks of
// packed activations, 64-column panels outermost in a block, register tiles
// of kRows rows x 64 columns that accumulate over all of K and run the
// epilogue (EpilogueAVX512::finish16) from registers. Per pair block (8 k)
// a tile unpacks the 4 weight vectors once (12 logic ops) and reuses them for
// all its rows (8 * kRows vpdpbusd). The low nibbles are consumed before the
// high ones are unpacked, so 24 accumulators + 4 weight vectors + the nibble
// mask + one broadcast fit the 32 registers.
//
// M = 1 (GEMV) streams the packed weights once with 8 accumulators (low and
// high nibble quads separately) and prefetch: it is memory bound, and reads
// half the bytes of the int8 GEMV.
//
//===----------------------------------------------------------------------===//

#include "runtime/GemmVnniAVX512.h"

#include <immintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace qlp::rt {
namespace {

using vnni::dpbusd;
using vnni::laneMask;
using vnni::loadDword;
using vnni::OutputView;

/// Rows of the register tile.
constexpr int kRows = 6;
/// Bytes of one pair block of a weight panel (8 k values x 64 columns).
constexpr int64_t kPairBytes = 256;
/// How far ahead of the weight stream a tile prefetches, in pair blocks.
constexpr int64_t kTilePrefetchBlocks = 8;
/// How far ahead of the weight stream the GEMV prefetches, in bytes.
constexpr int64_t kGemvPrefetch = 2048;

/// Low and high nibbles of each byte of x, as two vectors of bytes in [0, 15].
QLP_AVX512_INLINE __m512i lowNibbles(__m512i x) {
  return _mm512_and_si512(x, _mm512_set1_epi8(0x0F));
}
QLP_AVX512_INLINE __m512i highNibbles(__m512i x) {
  return _mm512_and_si512(_mm512_srli_epi16(x, 4), _mm512_set1_epi8(0x0F));
}

/// One register tile: rows [0, R) of the packed block `a` (row stride
/// `stride`) times V vectors of 16 columns of the panel `b` (which starts at
/// column n0), over nt pair blocks; then the epilogue of each accumulator.
/// `c` points at row 0, column 0 of the tile's output rows.
template <int R, int V>
QLP_AVX512_TARGET void tile(const uint8_t *a, int64_t stride,
                            const uint8_t *b, int64_t nt,
                            const EpilogueAVX512 &ep, const int32_t *rowTerm,
                            const OutputView &out, char *c, int64_t n0,
                            vnni::PanelPrefetch prefetch) {
  __m512i acc[R][V];
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j)
      acc[r][j] = _mm512_setzero_si512();
  for (int64_t t = 0; t < nt; ++t) {
    const uint8_t *block = b + t * kPairBytes;
    prefetch.step();
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j)
      _mm_prefetch(reinterpret_cast<const char *>(block) +
                       kTilePrefetchBlocks * kPairBytes + 64 * j,
                   _MM_HINT_T0);
    __m512i w[V];
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j)
      w[j] = lowNibbles(_mm512_load_si512(block + 64 * j));
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
      __m512i x = _mm512_set1_epi32(loadDword(a + r * stride + 8 * t));
#pragma GCC unroll 4
      for (int j = 0; j < V; ++j)
        dpbusd(acc[r][j], w[j], x);
    }
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j)
      w[j] = highNibbles(_mm512_load_si512(block + 64 * j));
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
      __m512i x = _mm512_set1_epi32(loadDword(a + r * stride + 8 * t + 4));
#pragma GCC unroll 4
      for (int j = 0; j < V; ++j)
        dpbusd(acc[r][j], w[j], x);
    }
  }
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j) {
      int64_t col = n0 + 16 * j;
      ep.finish16(acc[r][j], rowTerm[r], col, laneMask(out.n - col),
                  c + r * out.ldcBytes + col * out.outBytes);
    }
}

using TileFn = void (*)(const uint8_t *, int64_t, const uint8_t *, int64_t,
                        const EpilogueAVX512 &, const int32_t *,
                        const OutputView &, char *, int64_t,
                        vnni::PanelPrefetch);

/// tile<rows, V> for rows in [1, kRows], indexed by rows - 1.
template <int V, std::size_t... I>
constexpr std::array<TileFn, sizeof...(I)>
tilesForRows(std::index_sequence<I...>) {
  return {{tile<int(I) + 1, V>...}};
}

/// tile<rows, vectors> for rows in [1, kRows] and vectors in [1, 4] (the
/// last panel may have fewer than 64 columns), indexed [vectors - 1][rows - 1].
template <std::size_t... V>
constexpr std::array<std::array<TileFn, kRows>, 4>
tileTable(std::index_sequence<V...>) {
  return {{tilesForRows<int(V) + 1>(std::make_index_sequence<kRows>())...}};
}

constexpr std::array<std::array<TileFn, kRows>, 4> kTiles =
    tileTable(std::make_index_sequence<4>());

/// M = 1: streams every panel once, in memory order. The low- and
/// high-nibble quads accumulate separately, 8 independent vpdpbusd chains.
QLP_AVX512_TARGET void gemv(const PlanHeader *plan, const uint8_t *a,
                            const EpilogueAVX512 &ep, int32_t rowTerm,
                            char *c) {
  const uint8_t *b = planArray<uint8_t>(plan, plan->b_off);
  const int64_t nt = plan->kp / 8;
  const int64_t panelBytes = nt * kPairBytes;
  const int32_t outBytes = plan->out_bytes;
  for (int64_t n0 = 0; n0 < plan->n; n0 += kNRU4) {
    const uint8_t *panel = b + (n0 / kNRU4) * panelBytes;
    __m512i low[4], high[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j)
      low[j] = high[j] = _mm512_setzero_si512();
    for (int64_t t = 0; t < nt; ++t) {
      const uint8_t *block = panel + t * kPairBytes;
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j)
        _mm_prefetch(reinterpret_cast<const char *>(block) + kGemvPrefetch +
                         64 * j,
                     _MM_HINT_T0);
      __m512i x0 = _mm512_set1_epi32(loadDword(a + 8 * t));
      __m512i x1 = _mm512_set1_epi32(loadDword(a + 8 * t + 4));
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        __m512i w = _mm512_load_si512(block + 64 * j);
        dpbusd(low[j], lowNibbles(w), x0);
        dpbusd(high[j], highNibbles(w), x1);
      }
    }
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      int64_t col = n0 + 16 * j;
      if (col >= plan->n)
        break;
      ep.finish16(_mm512_add_epi32(low[j], high[j]), rowTerm, col,
                  laneMask(plan->n - col), c + col * outBytes);
    }
  }
}

} // namespace

QLP_AVX512_TARGET void gemmU4AVX512(const PlanHeader *plan, const uint8_t *a,
                                    int64_t m, int64_t lda, void *c,
                                    int64_t ldc) {
  // The activations are vpdpbusd's signed operand here: no offset.
  vnni::runBlocked<uint8_t>(plan, a, m, lda, c, ldc, /*aOffset=*/0, kNRU4,
                          plan->kp / 8, kPairBytes, kRows, kTiles, gemv);
}

} // namespace qlp::rt
