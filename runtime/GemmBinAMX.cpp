//===- GemmBinAMX.cpp - Binary GEMM with AMX int8 tiles -----------*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// The Bin-format GEMM (qlp.binary_matmul) with the AMX-INT8 instruction
// tdpbssd. A dot product of two vectors over {-1, +1} is an int8 dot product
// of +-1 bytes, and tdpbssd does 16 x 16 x 64 signed byte products per
// instruction (about 1024 per cycle at one per 16 cycles), twice what the
// xor + popcount kernel (GemmBinAVX512.cpp, at most one vpopcntq of 512 bits
// per cycle) can reach. With the values expanded to bytes,
//
//   acc = col_offset[n] + sum_{k < K} a[k] * b[k][n]
//
// which is the Bin definition (KernelPlan.h: col_offset + K - 2 * popcount
// of A XOR B), because a * b = 1 - 2 * (bit_a XOR bit_b).
//
// Operands.
//   A: activation byte bit 0 = 1 means -1. Rows are packed once per call into
//      tile order (as in GemmS8AMX.cpp: each group of 16 rows is a sequence
//      of 1 KB tiles of 16 rows x 64 k) as s8 values 1 - 2 * (byte & 1) for
//      k < K and 0 from K up to Kp = 64 * W; rows are padded to a multiple of
//      16 with zero rows. The zero padding makes every k >= K contribute 0,
//      whatever B holds there.
//   B: the plan's Bin panels (W word rows of 32 uint64 column words) are
//      expanded to s8 +-1 bytes in the B-tile layout: per panel and K step w
//      (word row w = k 64w .. 64w+63, so a panel has no partial step), two
//      consecutive 1 KB B tiles, one per 16-column half h; row q of a tile
//      (a "quad", k = 64w + 4q .. +3) holds at bytes [4j, 4j + 4) the
//      values B[64w + 4q + i][32p + 16h + j], i = 0..3. Each tile is loaded
//      with stride 64 from expanded + 2048 * w + 1024 * h: 1 KB of
//      consecutive bytes, like the packed A tiles. Bits beyond K are 0 (+1
//      here) but meet A's zero padding.
//
// Expansion of one word row and half (16 column words -> 16 rows of 64
// bytes). Row q needs, as a 64-bit byte mask, bit 4q + i of column word j at
// bit 4j + i: nibble q of word j goes to nibble j of mask q, a 16 x 16
// nibble transpose. Two vpermt2b gather byte b of the even words and of the
// odd words (byte 8b + t of the results = byte b of word 2t, resp. 2t + 1);
// two shifts and two vpternlogq bit-selects then merge the low nibbles
// (mask 2b, qword b of L) and the high nibbles (mask 2b + 1, qword b of H).
// Each mask then selects -1 or +1 per byte (vpblendmb) for one 64-byte row.
// About 60 uops per 1 KB of expanded weights; a panel is expanded once per
// call and used by every row of A.
//
// Blocking (single thread):
//
//   for each chunk of panels (expanded: <= kBChunkBytes, L2)
//     expand the chunk's panels
//     for each 32-row group of A
//       (first chunk only) pack the group into the M x Kp byte buffer
//       for each panel of the chunk (both 16-column halves):
//         2 x 2 tiles (tmm0-3 accumulators, tmm4-5 A, tmm6-7 B) over all of
//         K, tile stores to a 4 KB stack buffer, fused epilogue
//
// The expansion is amortized over all M rows, which is why the kernel keeps
// the whole of A packed rather than an L2-sized block of it (a block would
// re-expand every chunk per block); A is streamed from L3 once per chunk.
// Packing each row group just before its first use keeps it in L2 for the
// first chunk.
//
// The tile machinery (configuration, tile macros with "memory" clobbers, the
// 2 x 2 register blocking and its spill + epilogue) follows GemmS8AMX.cpp;
// see there for the measurements behind it.
//
// Below kMinRows (KernelPlan.h's kBinAMXMinRows, 256) rows the call goes to
// gemmBinAVX512, which computes the same values: both the per-call
// expansion of all of B and the packing of A into bytes (8x the bits the
// AVX-512 kernel packs) are amortized only over many rows. Measured on the
// Sapphire Rapids VM (rdtsc, best and median of 21 interleaved runs, N =
// 1024, K = 4096), GOP/s AVX-512 / AMX: M = 128 2398 / 2200 (median
// 2039 / 1998), M = 256 1741 / 2344 (1665 / 2221), M = 512 2418 / 2400
// (2258 / 2205), M = 1024 1275 / 2031 (1259 / 1910). The timings of this VM
// vary by up to 1.5x from run to run (the AVX-512 kernel most), so the
// threshold is where AMX stops losing, not a sharp crossover.
//
// Where the time goes at M = N = 1024, K = 4096 (rdtsc sections): packing A
// ~9% (it reads 4 MB of activation bytes; row by row, with stores 1 KB
// apart, it was ~15%), the expansion of B ~3%, the tile loops the rest. The
// tile loop itself reaches ~1050 ops per TSC cycle with its operands in L2
// and ~1300 in L1 (about 40% and 50% of the tdpbssd peak): the 8 tiles
// allow no double buffering, so each K step waits on its tile loads.
// Chunks of 1 MB of expanded panels (8 at K = 4096) amortize the first,
// L3-bound pass over each row group's packed A (micro-benchmark: 1 panel
// per pass 606, 4 panels ~900, 8 panels ~1050 ops per cycle).
//
// The packed A and the expanded chunk live in one malloc'd buffer per call
// (M x Kp + 1 MB bytes); if malloc fails the call goes to gemmBinAVX512.
//
// The tile configuration is thread state: every call loads it and releases
// it before returning. The dispatcher has obtained the OS's permission for
// the tile data state.
//
//===----------------------------------------------------------------------===//

// KernelPlan.h before EpilogueAVX512.h, so that gemmBinAMX's declaration is
// not under the AVX-512 target pragma (see GemmS8AMX.cpp).
#include "runtime/KernelPlan.h"

#include "runtime/AMXTiles.h"
#include "runtime/EpilogueAVX512.h"

#include <immintrin.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

/// The AVX-512 target plus VBMI (vpermt2b) and the AMX tile and int8
/// extensions.
#define QLP_BIN_AMX_TARGET                                                     \
  __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl,"         \
                        "avx512dq,avx512cd,avx512vnni,avx512vpopcntdq,"        \
                        "avx512vbmi,bmi2,popcnt,prfchw")))
#define QLP_BIN_AMX_INLINE QLP_BIN_AMX_TARGET inline __attribute__((always_inline))

namespace qlp::rt {
namespace {

using amx::kATileBytes;
using amx::kTileBytes;
using amx::kTileRows;
/// Bytes of one expanded B tile (16 quads x 16 columns) and of one K step of
/// an expanded panel (its two B tiles).
constexpr int64_t kBTileBytes = kTileRows * kTileBytes;
constexpr int64_t kBStepBytes = 2 * kBTileBytes;
/// Below this many rows the call goes to gemmBinAVX512 (measured: see the
/// file comment).
constexpr int64_t kMinRows = kBinAMXMinRows;
/// Budget of the expanded panels one chunk covers (L2-resident while every
/// row group of A passes over them).
constexpr int64_t kBChunkBytes = 1024 << 10;


/// vpermt2b indices over words 0-7 (first operand) and 8-15 (second) of a
/// 16-word half panel row: byte 8b + t <- byte b of word 2t (kEvenIdx) or
/// word 2t + 1 (kOddIdx).
struct ByteIndex {
  alignas(64) uint8_t even[64];
  alignas(64) uint8_t odd[64];
};
constexpr ByteIndex makeByteIndex() {
  ByteIndex idx{};
  for (int b = 0; b < 8; ++b)
    for (int t = 0; t < 8; ++t) {
      idx.even[8 * b + t] = uint8_t(8 * (2 * t) + b);
      idx.odd[8 * b + t] = uint8_t(8 * (2 * t + 1) + b);
    }
  return idx;
}
constexpr ByteIndex kByteIndex = makeByteIndex();

/// Expands panel `panel` (W word rows of 32 words) into `dst` (W * 2048
/// bytes, the layout of the file comment).
QLP_BIN_AMX_TARGET __attribute__((noinline)) void
expandPanel(const uint64_t *panel, int64_t words, int8_t *dst) {
  const __m512i evenIdx = _mm512_load_si512(kByteIndex.even);
  const __m512i oddIdx = _mm512_load_si512(kByteIndex.odd);
  const __m512i lowNibbles = _mm512_set1_epi8(0x0F);
  const __m512i plus = _mm512_set1_epi8(1);
  const __m512i minus = _mm512_set1_epi8(-1);
  alignas(64) uint64_t masks[16];
  for (int64_t w = 0; w < words; ++w) {
    for (int64_t half = 0; half < 2; ++half) {
      const uint64_t *src = panel + w * kNRBin + 16 * half;
      const __m512i lo = _mm512_loadu_si512(src);
      const __m512i hi = _mm512_loadu_si512(src + 8);
      const __m512i even = _mm512_permutex2var_epi8(lo, evenIdx, hi);
      const __m512i odd = _mm512_permutex2var_epi8(lo, oddIdx, hi);
      // 0xCA: bit-select, first operand ? second : third. The shifts move
      // bits across byte boundaries only into the nibble the select drops.
      const __m512i low = _mm512_ternarylogic_epi64(
          lowNibbles, even, _mm512_slli_epi64(odd, 4), 0xCA);
      const __m512i high = _mm512_ternarylogic_epi64(
          lowNibbles, _mm512_srli_epi64(even, 4), odd, 0xCA);
      _mm512_store_si512(masks, low);
      _mm512_store_si512(masks + 8, high);
      int8_t *out = dst + w * kBStepBytes + kBTileBytes * half;
      for (int q = 0; q < 16; ++q) {
        const __mmask64 neg = _cvtu64_mask64(masks[(q & 1) * 8 + q / 2]);
        _mm512_store_si512(out + q * kTileBytes,
                           _mm512_mask_blend_epi8(neg, plus, minus));
      }
    }
  }
}

/// Packs `rows` (<= 32) activation rows (row stride lda) into tile order at
/// `dst`: row r, K chunk t goes to dst + (r / 16) * groupBytes + t * 1024 +
/// (r % 16) * 64 as s8 1 - 2 * (byte & 1) for k < K, 0 past K; rows up to
/// the next multiple of 16 are zero. The loops run tile by tile so that the
/// stores are sequential (row by row, they would touch a new line 1 KB apart
/// at every store: measured about 1.6x as slow).
QLP_BIN_AMX_INLINE void packRows(const uint8_t *a, int64_t rows, int64_t lda,
                                 int64_t k, int64_t ktiles, uint8_t *dst) {
  const int64_t groupBytes = ktiles * kATileBytes;
  const __m512i one = _mm512_set1_epi8(1);
  const __m512i minus = _mm512_set1_epi8(-1);
  const int64_t padded = (rows + kTileRows - 1) / kTileRows * kTileRows;
  for (int64_t r0 = 0; r0 < padded; r0 += kTileRows) {
    const int64_t valid = rows - r0 < kTileRows ? rows - r0 : kTileRows;
    uint8_t *out = dst + (r0 / kTileRows) * groupBytes;
    for (int64_t t = 0; t < ktiles; ++t) {
      const int64_t left = k - 64 * t;
      const __mmask64 inK =
          left >= 64 ? ~__mmask64(0) : (__mmask64(1) << left) - 1;
      const __m512i ones = _mm512_maskz_mov_epi8(inK, one);
      uint8_t *tile = out + t * kATileBytes;
      int64_t r = 0;
      for (; r < valid; ++r) {
        // The masked load reads no byte past the row's K (lda may equal K).
        const __m512i x =
            _mm512_maskz_loadu_epi8(inK, a + (r0 + r) * lda + 64 * t);
        const __mmask64 neg = _mm512_test_epi8_mask(x, one);
        _mm512_store_si512(tile + r * 64,
                           _mm512_mask_blend_epi8(neg, ones, minus));
      }
      for (; r < kTileRows; ++r)
        _mm512_store_si512(tile + r * 64, _mm512_setzero_si512());
    }
  }
}

struct OutputView {
  char *c;
  int64_t ldcBytes;
  int64_t n;
  int64_t outBytes;
};

/// The epilogue of one 16 x 16 accumulator tile spilled at `acc`: `rows`
/// valid rows from output row pointer `c`, columns [col, col + 16).
QLP_BIN_AMX_INLINE void finishTile(const int32_t *acc, int64_t rows,
                                   const EpilogueAVX512 &ep,
                                   const OutputView &out, char *c,
                                   int64_t col) {
  if (col >= out.n)
    return;
  char *dst = c + col * out.outBytes;
  if (!ep.hasRescale && out.n - col >= 16) {
    // int32 output, 16 full columns: finish16 without its rescale branch
    // and mask, with col_offset loaded once per tile.
    const __m512i colTerm = _mm512_load_si512(ep.colOffset + col);
    for (int64_t r = 0; r < rows; ++r)
      _mm512_storeu_si512(dst + r * out.ldcBytes,
                          _mm512_add_epi32(_mm512_load_si512(acc + 16 * r),
                                           colTerm));
    return;
  }
  const int64_t left = out.n - col;
  const __mmask16 mask =
      left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
  for (int64_t r = 0; r < rows; ++r)
    ep.finish16(_mm512_load_si512(acc + 16 * r), 0, col, mask,
                dst + r * out.ldcBytes);
}

/// RA row tiles x CB column tiles of C over all K steps, then the epilogue.
/// tmm0-3 accumulate (row tile i, column tile j in tmm 2i + j), tmm4-5 hold
/// A tiles, tmm6-7 B tiles.
template <int RA, int CB>
QLP_BIN_AMX_TARGET __attribute__((noinline)) void
tileBlock(const uint8_t *a, int64_t groupBytes, const int8_t *b,
          int64_t steps, int64_t rows, char *c, int64_t col0, int32_t *spill,
          const EpilogueAVX512 &ep, const OutputView &out) {
  QLP_TILE_ZERO(0);
  if (CB > 1)
    QLP_TILE_ZERO(1);
  if (RA > 1) {
    QLP_TILE_ZERO(2);
    if (CB > 1)
      QLP_TILE_ZERO(3);
  }
  const uint8_t *a0 = a;
  const uint8_t *a1 = a + groupBytes;
  for (int64_t t = 0; t < steps; ++t) {
    const uint8_t *x0 = a0 + t * kATileBytes;
    const int8_t *w = b + t * kBStepBytes;
    QLP_TILE_LOAD(4, x0, kTileBytes);
    QLP_TILE_LOAD(6, w, kTileBytes);
    QLP_TILE_DPBSSD(0, 4, 6);
    if (CB > 1) {
      QLP_TILE_LOAD(7, w + kBTileBytes, kTileBytes);
      QLP_TILE_DPBSSD(1, 4, 7);
    }
    if (RA > 1) {
      QLP_TILE_LOAD(5, a1 + t * kATileBytes, kTileBytes);
      QLP_TILE_DPBSSD(2, 5, 6);
      if (CB > 1)
        QLP_TILE_DPBSSD(3, 5, 7);
    }
  }
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
  finishTile(spill, rows0, ep, out, c, col0);
  if (CB > 1)
    finishTile(spill1, rows0, ep, out, c, col0 + 16);
  if (RA > 1) {
    char *c1 = c + kTileRows * out.ldcBytes;
    finishTile(spill2, rows - kTileRows, ep, out, c1, col0);
    if (CB > 1)
      finishTile(spill3, rows - kTileRows, ep, out, c1, col0 + 16);
  }
}

} // namespace

QLP_BIN_AMX_TARGET void gemmBinAMX(const PlanHeader *plan, const uint8_t *a,
                                   int64_t m, int64_t lda, void *c,
                                   int64_t ldc) {
  if (m < kMinRows) {
    gemmBinAVX512(plan, a, m, lda, c, ldc);
    return;
  }
  const int64_t k = plan->k, n = plan->n;
  const int64_t words = plan->kp / 64; // K steps of 64
  const int64_t groupBytes = words * kATileBytes;
  const int64_t panels = (n + kNRBin - 1) / kNRBin;
  const int64_t expandedBytes = words * kBStepBytes; // one panel
  int64_t chunkPanels = kBChunkBytes / expandedBytes;
  if (chunkPanels < 1)
    chunkPanels = 1;
  if (chunkPanels > panels)
    chunkPanels = panels;
  const int64_t mPadded = (m + kTileRows - 1) / kTileRows * kTileRows;
  const int64_t aBytes = mPadded * words * 64;
  void *heap = std::malloc(size_t(aBytes + chunkPanels * expandedBytes) + 63);
  if (!heap) {
    gemmBinAVX512(plan, a, m, lda, c, ldc);
    return;
  }
  uint8_t *packed = reinterpret_cast<uint8_t *>(
      (reinterpret_cast<uintptr_t>(heap) + 63) & ~uintptr_t(63));
  int8_t *expanded = reinterpret_cast<int8_t *>(packed + aBytes);

  const EpilogueAVX512 ep(plan);
  const OutputView out{static_cast<char *>(c), ldc * plan->out_bytes, n,
                       plan->out_bytes};
  const uint64_t *bits = planArray<uint64_t>(plan, plan->b_off);
  const int64_t panelWords = words * kNRBin;
  alignas(64) int32_t spill[4 * kTileRows * 16];

  amx::loadFullTileConfig();

  for (int64_t p0 = 0; p0 < panels; p0 += chunkPanels) {
    const int64_t p1 = panels - p0 < chunkPanels ? panels : p0 + chunkPanels;
    for (int64_t p = p0; p < p1; ++p)
      expandPanel(bits + p * panelWords, words,
                  expanded + (p - p0) * expandedBytes);
    for (int64_t r0 = 0; r0 < m; r0 += 2 * kTileRows) {
      const int64_t rows = m - r0 < 2 * kTileRows ? m - r0 : 2 * kTileRows;
      uint8_t *group = packed + (r0 / kTileRows) * groupBytes;
      char *cRows = out.c + r0 * out.ldcBytes;
      if (p0 == 0)
        packRows(a + r0 * lda, rows, lda, k, words, group);
      for (int64_t p = p0; p < p1; ++p) {
        const int8_t *panel = expanded + (p - p0) * expandedBytes;
        const int64_t col0 = p * kNRBin;
        // Both 16-column halves in one block, or only the first where the
        // last panel has no valid column in its second half.
        if (n - col0 > 16) {
          if (rows > kTileRows)
            tileBlock<2, 2>(group, groupBytes, panel, words, rows, cRows, col0,
                            spill, ep, out);
          else
            tileBlock<1, 2>(group, groupBytes, panel, words, rows, cRows, col0,
                            spill, ep, out);
        } else if (rows > kTileRows) {
          tileBlock<2, 1>(group, groupBytes, panel, words, rows, cRows, col0,
                          spill, ep, out);
        } else {
          tileBlock<1, 1>(group, groupBytes, panel, words, rows, cRows, col0,
                          spill, ep, out);
        }
      }
    }
  }
  _tile_release();
  std::free(heap);
}

} // namespace qlp::rt
