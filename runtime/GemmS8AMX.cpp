//===- GemmS8AMX.cpp - int8 GEMM kernel with AMX tiles -----------*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// The S8-format GEMM (8-bit weights; 8-, 4- or 2-bit activations) with the
// AMX-INT8 tile instruction tdpbusd, which, like vpdpbusd, multiplies unsigned
// by signed bytes: the kernel feeds A + 128 against the packed signed weights
// and the plan's col_offset / row_coeff terms remove the offset (see
// KernelPlan.h):
//
//   acc = raw + col_offset[n] + row_coeff * rowsum(A[m]).
//
// Operands. tdpbusd C, A, B computes, for a 16 x 64-byte A tile and a
// 16 x 64-byte B tile, C[m][n] += sum_{q < 16, i < 4} A[m][4q + i] *
// B[q][4n + i]: B's row q holds the quad (k = 4q..4q+3) of 16 columns. That is
// exactly a 64-byte row of a quad block of the S8 panels, so the B tile of
// quads q0..q0+15 and columns j0..j0+15 of a panel is loaded straight from the
// plan with tileloadd (base panel + 256 * q0 + 4 * j0, stride 256 bytes); the
// weights are never repacked. The activations are packed per call, as in the
// AVX-512 kernel (A + 128 as u8, the a_bits sign extension, the row sums), but
// into tile order: each group of 16 rows is a sequence of 1 KB tiles (16 rows
// x 64 bytes of K), K zero-padded to a multiple of 64 and the rows to a
// multiple of 16 (zero rows). A tile is then 1 KB of consecutive bytes, which
// the hardware prefetcher follows, instead of 16 lines a power-of-two stride
// apart.
//
// K tail. Kp is a multiple of 4, not of 64, so the last B tile of a panel
// covers up to 15 quad blocks past the panel. Reconfiguring the tiles for
// fewer rows is not an option (ldtilecfg zeroes every tile, accumulators
// included). The packed A is zero from K up to its 64-byte padding, so the B
// rows beyond the panel meet zero activations and contribute nothing,
// whatever they hold: for every panel but the last the tile simply reads on
// into the next panel (memory inside the plan); for the last panel, whose
// tail would leave the plan, the tail quads are copied once per call into a
// zero-padded 16-quad buffer (4 KB) and the last B tile is loaded from there.
//
// Register blocking. Eight tiles: tmm0-3 accumulate a 32 x 32 block of C
// (2 row tiles x 2 column tiles), tmm4-5 hold the two A tiles and tmm6-7 the
// two B tiles of one 64-deep K step, so each loaded tile feeds two tdpbusd.
// The K loop runs to the end inside the tiles, so they hold the exact raw
// sums; the accumulator tiles are then stored to a 4 KB buffer on the stack
// (L1: the register tile's spill, never an M x N int32 tensor) and the fused
// epilogue (EpilogueAVX512::finish16) reads it back one row of 16 columns at
// a time and writes only the valid rows and columns. Row and column
// remainders use 1 x 2, 2 x 1 and 1 x 1 variants of the same loop. (Full
// blocks of int32 output without a row term skip the spill: see "Direct
// int32 output" below.)
//
// Cache blocking (single thread), GotoBLAS-like:
//
//   for each block of rows of A (<= 512 KB packed, L2)
//     for each chunk of weight panels (<= 512 KB, L2)
//       for each 32-row group of the block (32 x K bytes, L1 / L2)
//         for each 64-column panel of the chunk, each 32-column half:
//           the 2 x 2 tile loop over K, then the block's epilogue
//
// A row group sweeps the chunk's panels left to right, so its output rows
// are written as 32 sequential streams and its A tiles stay in L1 (K <= 1024)
// or L2 while the panels stream from L2. Measured on a Sapphire Rapids core
// this order beat the panel-outer one of the AVX-512 kernel by about 15% at
// M = N = K = 512 and 1024. Interleaving the previous block's epilogue with
// the next block's tile loop (to hide it behind tdpbusd) did not help: vector
// loads and stores issued among tile loads slow the tile loop about as much
// as they cost on their own. Nor did prefetching the next block's output
// lines during the K loop (prefetchw / t0 / t1: slower up to 1024, +3% at
// most at 2048), or non-temporal output stores.
//
// Direct int32 output. Most of the time the epilogue costs at 1024^3 is the
// output lines' misses (4 MB written per call), not its arithmetic. Where the
// output is int32 and there is no row term (row_coeff = 0: symmetric
// weights), a full 32 x 32 block needs no epilogue at all: its accumulator
// tiles start from col_offset, each loaded with stride 0 (every row of the
// tile reads the same 16 values of the plan), and tilestored writes them
// straight into C. Measured against the spill + epilogue path, in a
// micro-benchmark of the tile loops at 1024^3: 2.91-2.99 against 2.62-2.80
// TOP/s; in qlp-bench-cpu-kernels, 1.06-1.10x oneDNN's AMX kernel at 1024^3
// where the spill path measured 0.88-0.97x. Initializing the tiles from a
// block of terms written with vector stores just before (as a row term would
// need) is slower than the spill path, about 0.8x: the tile load waits for
// those stores, which queue behind the previous block's output stores.
//
// For M < kMinRows the tiles would mostly multiply padding (a tile has 16
// rows) and the call goes to the AVX-512 VNNI kernel, which computes the
// same values. Measured at N = K = 1024 (weights in L2) AMX wins from M = 4,
// at N = K = 4096 (weights streamed from memory) from M = 8, so the
// threshold is 8.
//
// The tile configuration is thread state: every call loads it (ldtilecfg)
// and releases it (tilerelease) before returning. The caller (the dispatcher)
// has obtained the OS's permission for the tile data state.
//
//===----------------------------------------------------------------------===//

// KernelPlan.h first: GemmVnniAVX512.h includes it under its AVX-512 target
// pragma, which would give the declaration of gemmS8AMX a target different
// from its definition's, and GCC would take the definition for a second
// function version (a "[clone .amx_int8...]" symbol) instead of defining it.
#include "runtime/KernelPlan.h"

#include "runtime/AMXTiles.h"
#include "runtime/GemmVnniAVX512.h"

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace qlp::rt {
namespace {

using vnni::laneMask;
using vnni::OutputView;

using amx::kATileBytes;
using amx::kTileBytes;
using amx::kTileRows;
/// Bytes of one quad block of a weight panel (4 k values x 64 columns).
constexpr int64_t kQuadBytes = 4 * kNRS8;
/// Bytes of the B tiles of one 64-deep K step of a panel (16 quad blocks).
constexpr int64_t kBStepBytes = kTileRows * kQuadBytes;
/// Below this many rows the call goes to the AVX-512 kernel (measured: see
/// the file comment).
constexpr int64_t kMinRows = 8;
/// Budget of one packed block of activation rows (kept in L2 beside the
/// weight panel it is multiplied with).
constexpr int64_t kABlockBytes = 512 << 10;
/// Budget of the weight panels one sweep of a row group covers (kept in L2
/// while every row group of the block passes over them, beside the A block
/// and the output lines streaming through). Measured at M = N = K = 2048:
/// 256 or 512 KB about 15% faster than 1 MB, 2 MB slower still; no
/// difference at 512 and 1024.
constexpr int64_t kBChunkBytes = 512 << 10;

static_assert(kTileRows == 16, "the epilogue's unit arithmetic uses shifts");

/// Packs `rows` rows of activations (row stride lda) into tile order at
/// `dst`: row r, K chunk t (bytes 64t..64t+63) goes to
/// dst + (r / 16) * groupBytes + t * 1024 + (r % 16) * 64, with groupBytes =
/// ktiles * 1024. Byte k of a row is v + 128 (wrapping), v the a_bits value of
/// A[r][k] (KernelPlan.h's activationValue), for k < K and 0 past K; rows
/// from `rows` up to the next multiple of 16 are zero. rowTerm[r] receives
/// row_coeff * rowsum(A[r]) in wrapping int32 arithmetic. The arithmetic is
/// vnni::packActivations's; only the destination order differs.
QLP_AMX_INLINE void packTileRows(const uint8_t *a, int64_t rows, int64_t lda,
                                 int64_t k, int32_t bits, int32_t rowCoeff,
                                 int64_t ktiles, uint8_t *dst,
                                 int32_t *rowTerm) {
  // With s = 2^(bits-1) and t = (byte & (2s - 1)) ^ s in [0, 2s), v = t - s;
  // vpsadbw sums the unsigned t exactly and the row sum is sum(t) - s * K.
  const int32_t s = 1 << (bits - 1);
  const __m512i valueMask = _mm512_set1_epi8(char((2 * s - 1) & 0xFF));
  const __m512i signBit = _mm512_set1_epi8(char(s & 0xFF));
  const __m512i add = _mm512_set1_epi8(char((128 - s) & 0xFF));
  const int64_t groupBytes = ktiles * kATileBytes;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t *src = a + r * lda;
    uint8_t *out = dst + (r / kTileRows) * groupBytes + (r % kTileRows) * 64;
    __m512i sums = _mm512_setzero_si512();
    for (int64_t t = 0; t < ktiles; ++t) {
      const int64_t k0 = 64 * t;
      const int64_t left = k - k0;
      const __mmask64 valid =
          left >= 64 ? ~__mmask64(0) : (__mmask64(1) << left) - 1;
      // The masked load reads no byte past the row's K (lda may equal K).
      __m512i x = _mm512_maskz_loadu_epi8(valid, src + k0);
      __m512i v = _mm512_maskz_mov_epi8(
          valid, _mm512_xor_si512(_mm512_and_si512(x, valueMask), signBit));
      sums = _mm512_add_epi64(sums, _mm512_sad_epu8(v, _mm512_setzero_si512()));
      _mm512_store_si512(out + t * kATileBytes,
                         _mm512_maskz_add_epi8(valid, v, add));
    }
    const int64_t rowSum = _mm512_reduce_add_epi64(sums) - int64_t(s) * k;
    rowTerm[r] = int32_t(uint32_t(rowCoeff) * uint32_t(rowSum));
  }
  const int64_t padded = (rows + kTileRows - 1) / kTileRows * kTileRows;
  for (int64_t r = rows; r < padded; ++r) {
    uint8_t *out = dst + (r / kTileRows) * groupBytes + (r % kTileRows) * 64;
    for (int64_t t = 0; t < ktiles; ++t)
      _mm512_store_si512(out + t * kATileBytes, _mm512_setzero_si512());
  }
}

/// Where the tile loops read one 32-column half of a panel: the full K steps
/// from the plan, the last (partial) one from `tail` (see the file comment).
struct PanelView {
  const int8_t *full; ///< Column 0 of the half, quad block 0.
  const int8_t *tail; ///< Column 0 of the half in the last K step.
  int64_t fullSteps;  ///< K steps read from `full`.
  bool hasTail;       ///< Whether a last, partial K step follows.
};

/// Writes the epilogue of the 16 x 16 accumulator tile in `acc` (int32, row
/// stride 64 bytes): `rows` valid rows starting at output row pointer `c`,
/// columns [col, col + 16).
QLP_AMX_INLINE void finishTile(const int32_t *acc, int64_t rows,
                               const EpilogueAVX512 &ep,
                               const int32_t *rowTerm, const OutputView &out,
                               char *c, int64_t col) {
  if (col >= out.n)
    return;
  char *dst = c + col * out.outBytes;
  if (!ep.hasRescale && out.n - col >= 16) {
    // int32 output, 16 full columns: finish16's arithmetic without its
    // rescale branch and mask, with col_offset loaded once per tile and
    // col_offset + rowTerm formed off the critical path. The adds wrap, so
    // their order does not matter. Measured against calling finish16 per
    // row (two same-process A/B passes): +13% at M = N = K = 256, +1-2% at
    // 512, +3-8% at 1024, +1-2% at 2048 (the output stores dominate).
    const __m512i colTerm = _mm512_load_si512(ep.colOffset + col);
    for (int64_t r = 0; r < rows; ++r) {
      const __m512i terms =
          _mm512_add_epi32(colTerm, _mm512_set1_epi32(rowTerm[r]));
      _mm512_storeu_si512(dst + r * out.ldcBytes,
                          _mm512_add_epi32(_mm512_load_si512(acc + 16 * r),
                                           terms));
    }
    return;
  }
  const __mmask16 mask = laneMask(out.n - col);
  for (int64_t r = 0; r < rows; ++r)
    ep.finish16(_mm512_load_si512(acc + 16 * r), rowTerm[r], col, mask,
                dst + r * out.ldcBytes);
}

/// One block of C: RA row tiles (16 rows each, `rows` of them valid, row
/// group base `a`) times CB column tiles (16 columns each, starting at
/// column col0 of the output) over all of K, then its epilogue. tmm0-3 are
/// the accumulators (row tile i, column tile j in tmm 2i + j), tmm4-5 the A
/// tiles, tmm6-7 the B tiles.
template <int RA, int CB>
QLP_AMX_TARGET __attribute__((noinline)) void
tileBlock(const uint8_t *a, int64_t groupBytes, const PanelView &panel,
          int64_t rows, const int32_t *rowTerm, char *c, int64_t col0,
          int32_t *spill, const EpilogueAVX512 &ep, const OutputView &out,
          bool direct) {
  if (RA == 2 && CB == 2 && direct) {
    // Every row of an accumulator starts as its 16 col_offset values (a
    // tile load with stride 0 repeats one 64-byte row).
    QLP_TILE_LOAD(0, ep.colOffset + col0, 0);
    QLP_TILE_LOAD(1, ep.colOffset + col0 + 16, 0);
    QLP_TILE_LOAD(2, ep.colOffset + col0, 0);
    QLP_TILE_LOAD(3, ep.colOffset + col0 + 16, 0);
  } else {
    QLP_TILE_ZERO(0);
    if (CB > 1)
      QLP_TILE_ZERO(1);
    if (RA > 1) {
      QLP_TILE_ZERO(2);
      if (CB > 1)
        QLP_TILE_ZERO(3);
    }
  }
  const uint8_t *a0 = a;
  const uint8_t *a1 = a + groupBytes;
  // One K step: A0 x {B0, B1}, A1 x {B0, B1}; the loads of the next
  // operand overlap the tdpbusd that needs only the previous ones.
  auto step = [&](const uint8_t *x0, const uint8_t *x1,
                  const int8_t *w) QLP_AMX_TARGET {
    QLP_TILE_LOAD(4, x0, kTileBytes);
    QLP_TILE_LOAD(6, w, kQuadBytes);
    QLP_TILE_DPBUSD(0, 4, 6);
    if (CB > 1) {
      QLP_TILE_LOAD(7, w + 64, kQuadBytes);
      QLP_TILE_DPBUSD(1, 4, 7);
    }
    if (RA > 1) {
      QLP_TILE_LOAD(5, x1, kTileBytes);
      QLP_TILE_DPBUSD(2, 5, 6);
      if (CB > 1)
        QLP_TILE_DPBUSD(3, 5, 7);
    }
  };
  int64_t t = 0;
  for (; t < panel.fullSteps; ++t) {
    step(a0 + t * kATileBytes, a1 + t * kATileBytes,
         panel.full + t * kBStepBytes);
  }
  if (panel.hasTail)
    step(a0 + t * kATileBytes, a1 + t * kATileBytes, panel.tail);

  if (RA == 2 && CB == 2 && direct) {
    // The tiles hold the finished int32 results: store them in place.
    char *c0 = c + col0 * 4;
    char *c1 = c0 + kTileRows * out.ldcBytes;
    QLP_TILE_STORE(0, c0, out.ldcBytes);
    QLP_TILE_STORE(1, c0 + 64, out.ldcBytes);
    QLP_TILE_STORE(2, c1, out.ldcBytes);
    QLP_TILE_STORE(3, c1 + 64, out.ldcBytes);
    return;
  }

  // Spill the accumulator tiles to the L1 buffer (all four before reading
  // any: a vector load waits for the tile store to complete, and the stores
  // then overlap), then finish them from there.
  const int64_t rows0 = rows < kTileRows ? rows : kTileRows;
  int32_t *spill1 = spill + kTileRows * 16;
  int32_t *spill2 = spill + 2 * kTileRows * 16;
  int32_t *spill3 = spill + 3 * kTileRows * 16;
  QLP_TILE_STORE(0, spill, 64);
  if (CB > 1)
    QLP_TILE_STORE(1, spill1, 64);
  if (RA > 1) {
    QLP_TILE_STORE(2, spill2, 64);
    if (CB > 1)
      QLP_TILE_STORE(3, spill3, 64);
  }
  finishTile(spill, rows0, ep, rowTerm, out, c, col0);
  if (CB > 1)
    finishTile(spill1, rows0, ep, rowTerm, out, c, col0 + 16);
  if (RA > 1) {
    char *c1 = c + kTileRows * out.ldcBytes;
    finishTile(spill2, rows - kTileRows, ep, rowTerm + kTileRows, out, c1,
               col0);
    if (CB > 1)
      finishTile(spill3, rows - kTileRows, ep, rowTerm + kTileRows, out, c1,
                 col0 + 16);
  }
}

/// The blocks of one 32-column half of a panel for a group of up to 32
/// rows, picking the tile shape that covers the valid rows and columns.
QLP_AMX_INLINE void groupBlock(const uint8_t *group, int64_t groupBytes,
                               const PanelView &view, int64_t rows,
                               const int32_t *rowTerm, char *c, int64_t col0,
                               int32_t *spill, const EpilogueAVX512 &ep,
                               const OutputView &out, bool directInt32) {
  const bool twoCols = out.n - col0 > 16;
  if (rows > kTileRows) {
    if (twoCols)
      tileBlock<2, 2>(group, groupBytes, view, rows, rowTerm, c, col0, spill,
                      ep, out,
                      directInt32 && rows == 2 * kTileRows &&
                          out.n - col0 >= 32);
    else
      tileBlock<2, 1>(group, groupBytes, view, rows, rowTerm, c, col0, spill,
                      ep, out, false);
  } else if (twoCols) {
    tileBlock<1, 2>(group, groupBytes, view, rows, rowTerm, c, col0, spill,
                    ep, out, false);
  } else {
    tileBlock<1, 1>(group, groupBytes, view, rows, rowTerm, c, col0, spill,
                    ep, out, false);
  }
}

} // namespace

QLP_AMX_TARGET void gemmS8AMX(const PlanHeader *plan, const uint8_t *a,
                              int64_t m, int64_t lda, void *c, int64_t ldc) {
  if (m < kMinRows) {
    gemmS8AVX512(plan, a, m, lda, c, ldc);
    return;
  }
  const int64_t k = plan->k, n = plan->n;
  const int64_t nq = plan->kp / 4;
  const int64_t ktiles = (k + 63) / 64;
  const int64_t stride = ktiles * kTileBytes; // packed bytes per row
  const int64_t groupBytes = ktiles * kATileBytes;
  const int64_t panelBytes = nq * kQuadBytes;
  const int64_t panels = (n + kNRS8 - 1) / kNRS8;
  // Rows per packed block: whole 32-row groups within the budget, at least
  // one group, and no more than M rounded up to a tile.
  int64_t blockRows = kABlockBytes / stride / 32 * 32;
  if (blockRows < 32)
    blockRows = 32;
  const int64_t mPadded = (m + kTileRows - 1) / kTileRows * kTileRows;
  if (blockRows > mPadded)
    blockRows = mPadded;
  // Panels per column chunk: as many as kBChunkBytes holds, at least one.
  int64_t chunkPanels = kBChunkBytes / panelBytes;
  if (chunkPanels < 1)
    chunkPanels = 1;

  alignas(64) uint8_t stack[vnni::kStackBytes];
  vnni::Workspace ws;
  if (!ws.init(stack, blockRows, stride)) {
    gemmS8AVX512(plan, a, m, lda, c, ldc);
    return;
  }

  const EpilogueAVX512 ep(plan);
  const OutputView out{static_cast<char *>(c), ldc * plan->out_bytes, n,
                       plan->out_bytes};
  const int8_t *b = planArray<int8_t>(plan, plan->b_off);
  // K steps read from the panel, and quads of the partial last step. The
  // partial step of a panel reads on into the next panel (whose bytes meet
  // the zero K padding of the packed A); the last panel's would leave the
  // plan, so it is read from a zero-padded copy.
  const int64_t fullSteps = nq / kTileRows;
  const int64_t tailQuads = nq - fullSteps * kTileRows;
  alignas(64) int8_t lastTail[kBStepBytes];
  if (tailQuads) {
    std::memcpy(lastTail, b + (panels - 1) * panelBytes + fullSteps * kBStepBytes,
                size_t(tailQuads * kQuadBytes));
    std::memset(lastTail + tailQuads * kQuadBytes, 0,
                size_t((kTileRows - tailQuads) * kQuadBytes));
  }
  alignas(64) int32_t spill[4 * kTileRows * 16];
  // int32 output with no row term (symmetric weights): full 32 x 32 blocks
  // start from col_offset and are stored straight from the tiles.
  const bool directInt32 = !ep.hasRescale && plan->row_coeff == 0;

  amx::loadFullTileConfig();

  for (int64_t m0 = 0; m0 < m; m0 += blockRows) {
    const int64_t rows = m - m0 < blockRows ? m - m0 : blockRows;
    packTileRows(a + m0 * lda, rows, lda, k, plan->a_bits, plan->row_coeff,
                 ktiles, ws.packed, ws.rowTerm);
    char *cBlock = out.c + m0 * out.ldcBytes;
    for (int64_t p0 = 0; p0 < panels; p0 += chunkPanels) {
      const int64_t p1 =
          panels - p0 < chunkPanels ? panels : p0 + chunkPanels;
      for (int64_t r0 = 0; r0 < rows; r0 += 2 * kTileRows) {
        const int64_t left =
            rows - r0 < 2 * kTileRows ? rows - r0 : 2 * kTileRows;
        const uint8_t *group = ws.packed + (r0 / kTileRows) * groupBytes;
        char *cRows = cBlock + r0 * out.ldcBytes;
        for (int64_t p = p0; p < p1; ++p) {
          const int8_t *panel = b + p * panelBytes;
          const int8_t *tail = p + 1 < panels
                                   ? panel + fullSteps * kBStepBytes
                                   : lastTail;
          for (int64_t half = 0; half < 2; ++half) {
            const int64_t col0 = p * kNRS8 + 32 * half;
            if (col0 >= n)
              break;
            const PanelView view{panel + 128 * half, tail + 128 * half,
                                 fullSteps, tailQuads != 0};
            groupBlock(group, groupBytes, view, left, ws.rowTerm + r0, cRows,
                       col0, spill, ep, out, directInt32);
          }
        }
      }
    }
  }
  _tile_release();
}

} // namespace qlp::rt
