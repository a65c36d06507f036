//===- GemmS8AVX512.cpp - int8 VNNI GEMM kernel for AVX-512 -----*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// The S8-format GEMM (8-bit weights; 8-, 4- or 2-bit activations) with
// vpdpbusd. vpdpbusd multiplies unsigned by signed bytes, so the kernel feeds
// A + 128 (unsigned) against the packed signed weights and the plan's
// col_offset / row_coeff terms remove the offset (see KernelPlan.h):
//
//   acc = raw + col_offset[n] + row_coeff * rowsum(A[m]).
//
// Structure (single thread):
//
//   for each block of rows of A (<= 256 KB packed: stays in L2)
//     pack the rows: A + 128 as u8, rows padded to a multiple of 64 bytes,
//       and row_coeff * rowsum(A[m]) per row
//     for each 64-column weight panel p             (Kp * 64 bytes, in L2)
//       for each tile of kRows rows in the block
//         register tile kRows x 64: kRows * 4 zmm accumulators over all of K,
//           prefetching its share of panel p + 1 into L2
//         epilogue (EpilogueAVX512::finish16) straight from the registers
//
// The register tile is 6 rows x 64 columns: 24 accumulators (vpdpbusd has
// latency ~5 and issues 2 per cycle, so >= 10 must be in flight), the 4
// weight vectors of one quad row and one broadcast A dword fit the 32 zmm
// registers without spills. Per quad row the tile issues 24 vpdpbusd against
// 4 vector loads and 6 dword broadcasts, well inside the two load ports, and
// it reads 256 weight bytes per 24 vpdpbusd (~21 bytes per cycle at peak),
// which the L2 sustains (with software prefetch into L1 ahead of the
// stream); the accumulation over the whole K stays in registers, so no partial
// sums are ever stored. Panel-outer order reuses every panel, loaded once from
// memory per row block, for all the block's rows. (Blocking K with the
// accumulators of a few tiles parked in L1 between K blocks measured no
// faster here, so the simpler full-K loop stays.) Tiles with fewer rows (the
// M tail) or vectors (the N tail, masked in the epilogue) are separate
// instantiations; the K tail is the plan's zero padding up to Kp.
//
// M = 1 (GEMV) is memory bound: its own loop streams the weights once, in
// order, with 8 accumulators in flight (even and odd quad rows summed
// separately) and software prefetch ahead of the stream.
//
// The packed A needs a workspace: a stack buffer for small problems, else
// malloc. If malloc fails the call computes the same result with the portable
// gemmGeneric (the kernel interface has no status to return).
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

/// Rows of the register tile (its columns are a whole 64-column panel).
constexpr int kRows = 6;
/// Bytes of one quad block of a weight panel (4 k values x 64 columns).
constexpr int64_t kQuadBytes = 4 * kNRS8;
/// How far ahead of the weight stream a tile prefetches, in quad blocks.
constexpr int64_t kTilePrefetchQuads = 8;
/// How far ahead of the weight stream the GEMV prefetches, in bytes.
constexpr int64_t kGemvPrefetch = 2048;

/// One register tile: rows [0, R) of the packed block `a` (row stride
/// `stride`) times V vectors of 16 columns of the panel `b` (which starts at
/// column n0), over nq quad rows; then the epilogue of each accumulator.
/// `c` points at row 0, column 0 of the tile's output rows.
template <int R, int V>
QLP_AVX512_TARGET void tile(const uint8_t *a, int64_t stride,
                            const int8_t *b, int64_t nq,
                            const EpilogueAVX512 &ep, const int32_t *rowTerm,
                            const OutputView &out, char *c, int64_t n0,
                            vnni::PanelPrefetch prefetch) {
  __m512i acc[R][V];
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j)
      acc[r][j] = _mm512_setzero_si512();
  for (int64_t q = 0; q < nq; ++q) {
    __m512i w[V];
    prefetch.step();
    // The panel streams from L2; prefetching it into L1 a few quad rows
    // ahead hides L2 latency the hardware prefetcher leaves exposed.
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j)
      _mm_prefetch(reinterpret_cast<const char *>(b) +
                       (q + kTilePrefetchQuads) * kQuadBytes + 64 * j,
                   _MM_HINT_T0);
#pragma GCC unroll 4
    for (int j = 0; j < V; ++j)
      w[j] = _mm512_load_si512(b + q * kQuadBytes + 64 * j);
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
      __m512i x = _mm512_set1_epi32(loadDword(a + r * stride + 4 * q));
#pragma GCC unroll 4
      for (int j = 0; j < V; ++j)
        dpbusd(acc[r][j], x, w[j]);
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

using TileFn = void (*)(const uint8_t *, int64_t, const int8_t *, int64_t,
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

/// M = 1: streams every panel once; two sets of 4 accumulators take the even
/// and odd quad rows so 8 vpdpbusd are independent.
QLP_AVX512_TARGET void gemv(const PlanHeader *plan, const uint8_t *a,
                            const EpilogueAVX512 &ep, int32_t rowTerm,
                            char *c) {
  const int8_t *b = planArray<int8_t>(plan, plan->b_off);
  const int64_t nq = plan->kp / 4;
  const int64_t panelBytes = nq * kQuadBytes;
  const int32_t outBytes = plan->out_bytes;
  for (int64_t n0 = 0; n0 < plan->n; n0 += kNRS8) {
    const int8_t *panel = b + (n0 / kNRS8) * panelBytes;
    __m512i even[4], odd[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j)
      even[j] = odd[j] = _mm512_setzero_si512();
    int64_t q = 0;
    for (; q + 2 <= nq; q += 2) {
      const int8_t *w = panel + q * kQuadBytes;
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j)
        _mm_prefetch(reinterpret_cast<const char *>(w) + kGemvPrefetch +
                         64 * j,
                     _MM_HINT_T0);
      __m512i x0 = _mm512_set1_epi32(loadDword(a + 4 * q));
      __m512i x1 = _mm512_set1_epi32(loadDword(a + 4 * q + 4));
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        dpbusd(even[j], x0,
                                      _mm512_load_si512(w + 64 * j));
        dpbusd(odd[j], x1,
                                     _mm512_load_si512(w + kQuadBytes +
                                                       64 * j));
      }
    }
    if (q < nq) {
      const int8_t *w = panel + q * kQuadBytes;
      __m512i x0 = _mm512_set1_epi32(loadDword(a + 4 * q));
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j)
        dpbusd(even[j], x0,
                                      _mm512_load_si512(w + 64 * j));
    }
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      int64_t col = n0 + 16 * j;
      if (col >= plan->n)
        break;
      ep.finish16(_mm512_add_epi32(even[j], odd[j]), rowTerm, col,
                  laneMask(plan->n - col), c + col * outBytes);
    }
  }
}

} // namespace

QLP_AVX512_TARGET void gemmS8AVX512(const PlanHeader *plan, const uint8_t *a,
                                    int64_t m, int64_t lda, void *c,
                                    int64_t ldc) {
  // The activations are vpdpbusd's unsigned operand: A + 128.
  vnni::runBlocked<int8_t>(plan, a, m, lda, c, ldc, /*aOffset=*/128, kNRS8,
                          plan->kp / 4, kQuadBytes, kRows, kTiles, gemv);
}

} // namespace qlp::rt
