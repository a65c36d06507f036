//===- GemmBinAVX512.cpp - Binary xor/popcount GEMM for AVX-512 --*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// The Bin-format GEMM (qlp.binary_matmul): activations and weights in
// {-1, +1}, stored as bits (1 for -1), so with raw = popcount(A XOR B) over
// the K bits of a row and a column,
//
//   acc = K - 2 * raw
//
// (KernelPlan.h: padding bits are 0 on both sides, so they never count).
// raw <= K, and the accumulation runs in 64-bit lanes, so it is exact; the
// epilogue takes the int64 lanes directly (EpilogueAVX512::finish8x64, which
// adds the layer's bias, the plan's col_offset, before rescaling).
//
// Structure (single thread):
//
//   for each block of up to MB rows of A            (packed A block in L1)
//     pack the rows: bit 0 of 64 activation bytes -> one word
//       (vptestmb), words beyond K zero, in the "triple" layout below
//     for each 32-column weight panel p              (W * 256 bytes)
//       for each half (16 columns, 2 zmm of 8 column words)
//         for each tile of kRows rows in the block
//           register tile kRows x 16: 2 * kRows int64 accumulators over K
//           epilogue straight from the registers
//
// The half panel (W * 128 bytes, 8 KB at K = 4096) and the packed block
// (kBlockBytes) stay in L1 while every tile of the block streams over them.
//
// The inner loop: why not plain xor + popcount + add
// --------------------------------------------------
// vpopcntq runs only on port 5; a 512-bit vpxorq / vpaddq / vpternlogq runs
// on port 0 or 5. One word of K for 8 columns costs xor + popcnt + add, 3
// uops on 2 ports: at best 1.5 cycles per 512 bit-products, not the 1 cycle
// vpopcntq alone would allow (measured here: 0.69 triples per cycle). So the
// kernel cuts the uops per word with a carry-save step over 3 words of K at
// once. With x_i = a_i XOR b_i (i = 1, 2, 3; a_i the broadcast A word, b_i
// the 8 column words) the per-bit count x_1 + x_2 + x_3 equals s + 2c with
//
//   y = x_1 ^ x_2 = (b_1 ^ b_2) ^ (a_1 ^ a_2)
//   s = x_1 ^ x_2 ^ x_3 = y ^ b_3 ^ a_3                  (one vpternlogq)
//   c = majority(x_1, x_2, x_3) = y ? ~s : x_1           (one vpternlogq)
//
// (if x_1 != x_2 exactly one of them is set and the majority is x_3 =
// s ^ y = ~s; otherwise it is x_1). b_1 ^ b_2 depends on the weights only
// and is shared by all rows of the tile; a_1 ^ a_2 is precomputed when A is
// packed, which is why a packed row stores, per 3 words, (a_1, a_1 ^ a_2,
// a_3). Per row and 8 columns, 3 words then cost x_1, y, s, c (4 logic
// uops), 2 vpopcntq and 2 accumulations: 8 uops instead of 9, with only 2
// on port 5. A brute-force search (every pair of vpternlogq over s, two
// A-derived and two B-derived operands) found no 2-uop majority, so 4 logic
// uops is the least this scheme needs. The weight-2 accumulation of
// popcount(c) is one vpdpbusd against bytes (2, 2, 2, 2): popcount(c) <= 64
// sits in the low byte of its qword, so the low dword gains 2 * popcount(c)
// and the high dword 0; the lane's total never exceeds K < 2^31, so the low
// dword never carries and the qword lane stays exact.
//
// Per iteration of the 8-row tile (3 words, 16 columns) that is 130 port
// 0/5 uops (32 vpopcntq) and 38 loads: 1.35 cycles per 512 bit-products at
// best, against 1.5 for xor + popcnt + add. The full tile runs an asm loop
// (triples8) so that no register copy or spill adds uops; the tail tiles of
// fewer rows use the same arithmetic in intrinsics.
//
// M = 1 (GEMV) is memory bound (every weight word is used once); its loop
// streams two panels at once with 8 accumulators (plain xor + popcount +
// add: the shared b_1 ^ b_2 would not be shared there) and prefetches ahead.
//
// The packed A needs a workspace: a stack buffer for small problems, else
// malloc. If malloc fails the call computes the same result with the portable
// gemmGeneric (the kernel interface has no status to return).
//
//===----------------------------------------------------------------------===//

#include "runtime/EpilogueAVX512.h"
#include "runtime/KernelPlan.h"

#include <immintrin.h>

#include <cstdint>
#include <cstdlib>

namespace qlp::rt {
namespace {

/// Rows of the register tile: 2 * kRows accumulators, plus b_1, b_3 and
/// b_1 ^ b_2 of 2 column groups and a few temporaries, fit the 32 zmm
/// registers without spills.
constexpr int kRows = 8;
/// Words of K per weight row of a panel.
constexpr int64_t kPanelWords = kNRBin;
/// Budget for one packed block of A rows: it shares L1 (48 KB) with half a
/// weight panel.
constexpr int64_t kBlockBytes = 24 * 1024;
/// Workspaces up to this size live on the stack.
constexpr int64_t kStackBytes = 16 * 1024;
/// vpternlogq truth tables (operand order a, b, c; bit index 4a + 2b + c).
constexpr int kXor3 = 0x96;     // a ^ b ^ c
constexpr int kMajority = 0x3A; // a ? ~b : c

/// The lanes of columns [n0, n0 + 8) that lie below n.
inline __mmask8 columnMask(int64_t n0, int64_t n) {
  int64_t valid = n - n0;
  return valid >= 8 ? __mmask8(0xFF) : __mmask8((1u << valid) - 1);
}

/// Word w of a packed activation row: bit j is bit 0 of byte 64w + j, 0 for
/// 64w + j >= K. Reads no byte at or past K.
QLP_AVX512_INLINE uint64_t packWord(const uint8_t *row, int64_t k, int64_t w) {
  const uint8_t *bytes = row + 64 * w;
  const int64_t valid = k - 64 * w;
  const __m512i v =
      valid >= 64
          ? _mm512_loadu_si512(bytes)
          : _mm512_maskz_loadu_epi8(_bzhi_u64(~uint64_t(0), unsigned(valid)),
                                    bytes);
  return _mm512_test_epi8_mask(v, _mm512_set1_epi8(1));
}

/// Packs a row of K activation bytes into W words (packWord), word w at
/// out[w * step]. With `triples`, every 3 consecutive words (a1, a2, a3) of
/// the first 3 * floor(W / 3) are stored as (a1, a1 ^ a2, a3), the operands
/// of the carry-save inner loop.
QLP_AVX512_INLINE void packRow(const uint8_t *row, int64_t k, int64_t words,
                               bool triples, uint64_t *out, int64_t step) {
  int64_t w = 0;
  if (triples) {
    for (; w + 3 <= words; w += 3) {
      uint64_t a1 = packWord(row, k, w);
      out[w * step] = a1;
      out[(w + 1) * step] = a1 ^ packWord(row, k, w + 1);
      out[(w + 2) * step] = packWord(row, k, w + 2);
    }
  }
  for (; w < words; ++w)
    out[w * step] = packWord(row, k, w);
}

/// The workspace of one call: packed rows of `stride` words.
struct Workspace {
  uint64_t *rows = nullptr;
  void *heap = nullptr;

  bool init(uint64_t *stack, int64_t words) {
    if (words * 8 <= kStackBytes) {
      rows = stack;
      return true;
    }
    heap = std::malloc(size_t(words) * 8 + 63);
    if (!heap)
      return false;
    uintptr_t base = reinterpret_cast<uintptr_t>(heap);
    rows = reinterpret_cast<uint64_t *>((base + 63) & ~uintptr_t(63));
    return true;
  }
  ~Workspace() { std::free(heap); }
};

// The carry-save step of one row and one column group, split in two for the
// asm loop below. A1/A12 (zmm26/27) hold the row's broadcast a_1 and
// a_1 ^ a_2 (QLP_BIN_ROWLOAD); OFF3 is the byte offset of its a_3; B1, D12,
// B3 the group's b_1, b_1 ^ b_2, b_3. The logic half computes
//   S = a_3 ^ (A12 ^ D12) ^ B3        Y = A12 ^ D12 (zmm30),  X = A1 ^ B1
//   X = Y ? ~S : X                    (0x74: operand order X, Y, S)
// and the tail half ACC += popcount(S) + 2 * popcount(X).
#define QLP_BIN_ROWLOAD(OFF1, OFF2)                                            \
  "vpbroadcastq " OFF1 "(%[pa]), %%zmm26\n\t"                                  \
  "vpbroadcastq " OFF2 "(%[pa]), %%zmm27\n\t"
#define QLP_BIN_L1(OFF3, S) "vpbroadcastq " OFF3 "(%[pa]), %%zmm" S "\n\t"
#define QLP_BIN_L2(D12) "vpxorq %%zmm27, %%zmm" D12 ", %%zmm30\n\t"
#define QLP_BIN_L3(B1, X) "vpxorq %%zmm26, %%zmm" B1 ", %%zmm" X "\n\t"
#define QLP_BIN_L4(B3, S) "vpternlogq $0x96, %%zmm" B3 ", %%zmm30, %%zmm" S "\n\t"
#define QLP_BIN_L5(S, X) "vpternlogq $0x74, %%zmm" S ", %%zmm30, %%zmm" X "\n\t"
#define QLP_BIN_T1(S) "vpopcntq %%zmm" S ", %%zmm" S "\n\t"
#define QLP_BIN_T2(S, ACC) "vpaddq %%zmm" S ", %%zmm" ACC ", %%zmm" ACC "\n\t"
#define QLP_BIN_T3(X) "vpopcntq %%zmm" X ", %%zmm" X "\n\t"
#define QLP_BIN_T4(X, ACC) "vpdpbusd %%zmm16, %%zmm" X ", %%zmm" ACC "\n\t"
#define QLP_BIN_LOGIC(OFF3, B1, D12, B3, S, X)                                 \
  QLP_BIN_L1(OFF3, S) QLP_BIN_L2(D12) QLP_BIN_L3(B1, X) QLP_BIN_L4(B3, S)      \
  QLP_BIN_L5(S, X)
#define QLP_BIN_TAIL(S, X, ACC)                                                \
  QLP_BIN_T1(S) QLP_BIN_T2(S, ACC) QLP_BIN_T3(X) QLP_BIN_T4(X, ACC)
// The logic of one group (into S, X) interleaved with the tail of the group
// before it (PS, PX into PACC): software pipelining (see triples8).
#define QLP_BIN_STEP(OFF3, B1, D12, B3, S, X, PS, PX, PACC)                    \
  QLP_BIN_L1(OFF3, S) QLP_BIN_T1(PS) QLP_BIN_L2(D12) QLP_BIN_T2(PS, PACC)      \
  QLP_BIN_L3(B1, X) QLP_BIN_T3(PX) QLP_BIN_L4(B3, S) QLP_BIN_T4(PX, PACC)      \
  QLP_BIN_L5(S, X)
// Row r of the 8-row tile (its words at byte offsets 64 j + 8 r): both
// column groups, the first one's logic paired with the previous row's
// second tail. Even groups use S, X = zmm29, zmm31, odd ones zmm17, zmm18.
#define QLP_BIN_ROW(OFF1, OFF2, OFF3, PACC, ACC0)                              \
  QLP_BIN_ROWLOAD(OFF1, OFF2)                                                  \
  QLP_BIN_STEP(OFF3, "20", "22", "24", "29", "31", "17", "18", PACC)           \
  QLP_BIN_STEP(OFF3, "21", "23", "25", "17", "18", "29", "31", ACC0)

/// The carry-save loop of a full 8-row tile over `triples` (>= 1) triples of
/// words: `a` is the tile's packed A (word j of row r at a[8 j + r]), `b` 16
/// columns of a panel, `acc` the 16 accumulators (row r, group g at 2r + g),
/// kept in zmm0-15 for the whole loop. Written in asm because GCC 12 turns
/// the intrinsics version into register copies (vpternlogq overwrites an
/// operand) and accumulator spills, which cost port 0/5 slots the loop has
/// none to spare of: here every ternary op overwrites a value that dies (a
/// fresh broadcast of a_3, or X), so an iteration is exactly the scheme's
/// 130 port-0/5 uops (32 of them vpopcntq) and 38 loads. The logic of each
/// group is interleaved with the popcounts and accumulations of the group
/// before it (two sets of S, X registers): in a register-only copy of the
/// loop this ordering ran up to ~20% faster than group after group; in the
/// kernel, where the loads and epilogues also count, it measured within
/// noise of the plain order (best times +0..2%, medians -3..+5%).
QLP_AVX512_TARGET void triples8(const uint64_t *a, const uint64_t *b,
                                int64_t triples, __m512i *acc) {
  asm volatile(
      "vmovdqu64 0(%[acc]), %%zmm0\n\t"
      "vmovdqu64 64(%[acc]), %%zmm1\n\t"
      "vmovdqu64 128(%[acc]), %%zmm2\n\t"
      "vmovdqu64 192(%[acc]), %%zmm3\n\t"
      "vmovdqu64 256(%[acc]), %%zmm4\n\t"
      "vmovdqu64 320(%[acc]), %%zmm5\n\t"
      "vmovdqu64 384(%[acc]), %%zmm6\n\t"
      "vmovdqu64 448(%[acc]), %%zmm7\n\t"
      "vmovdqu64 512(%[acc]), %%zmm8\n\t"
      "vmovdqu64 576(%[acc]), %%zmm9\n\t"
      "vmovdqu64 640(%[acc]), %%zmm10\n\t"
      "vmovdqu64 704(%[acc]), %%zmm11\n\t"
      "vmovdqu64 768(%[acc]), %%zmm12\n\t"
      "vmovdqu64 832(%[acc]), %%zmm13\n\t"
      "vmovdqu64 896(%[acc]), %%zmm14\n\t"
      "vmovdqu64 960(%[acc]), %%zmm15\n\t"
      "vpbroadcastd %k[two], %%zmm16\n\t"
      ".p2align 5\n\t"
      "1:\n\t"
      "vmovdqa64 (%[pb]), %%zmm20\n\t"
      "vmovdqa64 64(%[pb]), %%zmm21\n\t"
      "vpxorq 256(%[pb]), %%zmm20, %%zmm22\n\t"
      "vpxorq 320(%[pb]), %%zmm21, %%zmm23\n\t"
      "vmovdqa64 512(%[pb]), %%zmm24\n\t"
      "vmovdqa64 576(%[pb]), %%zmm25\n\t"
      QLP_BIN_ROWLOAD("0", "64")
      QLP_BIN_LOGIC("128", "20", "22", "24", "29", "31")
      QLP_BIN_STEP("128", "21", "23", "25", "17", "18", "29", "31", "0")
      QLP_BIN_ROW("8", "72", "136", "1", "2")
      QLP_BIN_ROW("16", "80", "144", "3", "4")
      QLP_BIN_ROW("24", "88", "152", "5", "6")
      QLP_BIN_ROW("32", "96", "160", "7", "8")
      QLP_BIN_ROW("40", "104", "168", "9", "10")
      QLP_BIN_ROW("48", "112", "176", "11", "12")
      QLP_BIN_ROW("56", "120", "184", "13", "14")
      QLP_BIN_TAIL("17", "18", "15")
      "add $768, %[pb]\n\t"
      "add $192, %[pa]\n\t"
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      "vmovdqu64 %%zmm0, 0(%[acc])\n\t"
      "vmovdqu64 %%zmm1, 64(%[acc])\n\t"
      "vmovdqu64 %%zmm2, 128(%[acc])\n\t"
      "vmovdqu64 %%zmm3, 192(%[acc])\n\t"
      "vmovdqu64 %%zmm4, 256(%[acc])\n\t"
      "vmovdqu64 %%zmm5, 320(%[acc])\n\t"
      "vmovdqu64 %%zmm6, 384(%[acc])\n\t"
      "vmovdqu64 %%zmm7, 448(%[acc])\n\t"
      "vmovdqu64 %%zmm8, 512(%[acc])\n\t"
      "vmovdqu64 %%zmm9, 576(%[acc])\n\t"
      "vmovdqu64 %%zmm10, 640(%[acc])\n\t"
      "vmovdqu64 %%zmm11, 704(%[acc])\n\t"
      "vmovdqu64 %%zmm12, 768(%[acc])\n\t"
      "vmovdqu64 %%zmm13, 832(%[acc])\n\t"
      "vmovdqu64 %%zmm14, 896(%[acc])\n\t"
      "vmovdqu64 %%zmm15, 960(%[acc])\n\t"
      : [pa] "+r"(a), [pb] "+r"(b), [n] "+r"(triples)
      : [acc] "r"(acc), [two] "r"(0x02020202)
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
        "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
        "xmm16", "xmm17", "xmm18", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25",
        "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "cc", "memory");
}
#undef QLP_BIN_ROW
#undef QLP_BIN_STEP
#undef QLP_BIN_TAIL
#undef QLP_BIN_LOGIC
#undef QLP_BIN_T4
#undef QLP_BIN_T3
#undef QLP_BIN_T2
#undef QLP_BIN_T1
#undef QLP_BIN_L5
#undef QLP_BIN_L4
#undef QLP_BIN_L3
#undef QLP_BIN_L2
#undef QLP_BIN_L1
#undef QLP_BIN_ROWLOAD

/// Sums popcount(A XOR B) of a tile of Rows packed A rows (word j of row r
/// at a[Rows * j + r], triple layout) against 16 columns `b` of a panel (2
/// zmm per word row) over all W words, then finishes the Rows x 16 outputs.
template <int Rows>
QLP_AVX512_TARGET void tile(const EpilogueAVX512 &epi, const uint64_t *a,
                            const uint64_t *b, int64_t words, int64_t k,
                            int64_t n, int64_t n0, char *c, int64_t ldcBytes) {
  __m512i acc[Rows][2];
  for (int r = 0; r < Rows; ++r)
    acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  const int64_t tripleEnd = words - words % 3;

  if constexpr (Rows == 8) {
    if (tripleEnd > 0)
      triples8(a, b, tripleEnd / 3, &acc[0][0]);
  } else {
    const __m512i twos = _mm512_set1_epi8(2);
    for (int64_t w = 0; w < tripleEnd; w += 3) {
      const uint64_t *bw = b + w * kPanelWords;
      __m512i b1[2], b3[2], d12[2];
      for (int g = 0; g < 2; ++g) {
        b1[g] = _mm512_load_si512(bw + 8 * g);
        d12[g] = _mm512_xor_si512(
            b1[g], _mm512_load_si512(bw + kPanelWords + 8 * g));
        b3[g] = _mm512_load_si512(bw + 2 * kPanelWords + 8 * g);
      }
      for (int r = 0; r < Rows; ++r) {
        const uint64_t *aw = a + Rows * w + r;
        // Broadcasts from memory: load-port uops, nothing on port 5.
        const __m512i a1 = _mm512_set1_epi64(int64_t(aw[0]));
        const __m512i a12 = _mm512_set1_epi64(int64_t(aw[Rows]));
        const __m512i a3 = _mm512_set1_epi64(int64_t(aw[2 * Rows]));
        for (int g = 0; g < 2; ++g) {
          __m512i x1 = _mm512_xor_si512(b1[g], a1);
          __m512i y = _mm512_xor_si512(d12[g], a12);
          __m512i s = _mm512_ternarylogic_epi64(y, b3[g], a3, kXor3);
          __m512i maj = _mm512_ternarylogic_epi64(y, s, x1, kMajority);
          acc[r][g] = _mm512_add_epi64(acc[r][g], _mm512_popcnt_epi64(s));
          acc[r][g] =
              _mm512_dpbusd_epi32(acc[r][g], _mm512_popcnt_epi64(maj), twos);
        }
      }
    }
  }
  for (int64_t w = tripleEnd; w < words; ++w) {
    const uint64_t *bw = b + w * kPanelWords;
    const __m512i b0 = _mm512_load_si512(bw), b1 = _mm512_load_si512(bw + 8);
    for (int r = 0; r < Rows; ++r) {
      const __m512i aw = _mm512_set1_epi64(int64_t(a[Rows * w + r]));
      acc[r][0] = _mm512_add_epi64(
          acc[r][0], _mm512_popcnt_epi64(_mm512_xor_si512(b0, aw)));
      acc[r][1] = _mm512_add_epi64(
          acc[r][1], _mm512_popcnt_epi64(_mm512_xor_si512(b1, aw)));
    }
  }

  const __m512i kv = _mm512_set1_epi64(k);
  for (int g = 0; g < 2; ++g) {
    const int64_t col = n0 + 8 * g;
    if (col >= n)
      break;
    const __mmask8 mask = columnMask(col, n);
    for (int r = 0; r < Rows; ++r) {
      __m512i v = _mm512_sub_epi64(kv, _mm512_add_epi64(acc[r][g], acc[r][g]));
      epi.finish8x64(v, col, mask, c + r * ldcBytes + col * epi.outBytes);
    }
  }
}

/// Runs tile<R> for R = rows (1 <= rows <= kRows).
template <int R>
QLP_AVX512_INLINE void tileRows(int rows, const EpilogueAVX512 &epi,
                                const uint64_t *a, const uint64_t *b,
                                int64_t words, int64_t k, int64_t n,
                                int64_t n0, char *c, int64_t ldcBytes) {
  if constexpr (R > 1) {
    if (rows < R) {
      tileRows<R - 1>(rows, epi, a, b, words, k, n, n0, c, ldcBytes);
      return;
    }
  }
  tile<R>(epi, a, b, words, k, n, n0, c, ldcBytes);
}

/// M = 1: `panels` (1 or 2) consecutive panels, 4 column groups each, one
/// xor + popcount + add per word and column group.
template <int Panels>
QLP_AVX512_TARGET void gemvPanels(const EpilogueAVX512 &epi,
                                  const uint64_t *a, const uint64_t *b,
                                  int64_t words, int64_t k, int64_t n,
                                  int64_t n0, char *c) {
  constexpr int kGroups = 4 * Panels;
  const int64_t panelStride = words * kPanelWords;
  __m512i acc[kGroups];
  for (int g = 0; g < kGroups; ++g)
    acc[g] = _mm512_setzero_si512();
  for (int64_t w = 0; w < words; ++w) {
    const __m512i aw = _mm512_set1_epi64(int64_t(a[w]));
    for (int p = 0; p < Panels; ++p) {
      const uint64_t *bw = b + p * panelStride + w * kPanelWords;
      // 8 word rows (2 KB per panel) ahead: covers the memory latency at
      // the ~1 word row per 6 cycles this loop consumes.
      _mm_prefetch(reinterpret_cast<const char *>(bw + 8 * kPanelWords),
                   _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char *>(bw + 8 * kPanelWords + 16),
                   _MM_HINT_T0);
      for (int g = 0; g < 4; ++g)
        acc[4 * p + g] = _mm512_add_epi64(
            acc[4 * p + g],
            _mm512_popcnt_epi64(
                _mm512_xor_si512(_mm512_load_si512(bw + 8 * g), aw)));
    }
  }
  const __m512i kv = _mm512_set1_epi64(k);
  for (int g = 0; g < kGroups; ++g) {
    const int64_t col = n0 + 8 * g;
    if (col >= n)
      break;
    __m512i v = _mm512_sub_epi64(kv, _mm512_add_epi64(acc[g], acc[g]));
    epi.finish8x64(v, col, columnMask(col, n), c + col * epi.outBytes);
  }
}

} // namespace

QLP_AVX512_TARGET void gemmBinAVX512(const PlanHeader *plan, const uint8_t *a,
                                     int64_t m, int64_t lda, void *c,
                                     int64_t ldc) {
  const EpilogueAVX512 epi(plan);
  const uint64_t *packed = planArray<uint64_t>(plan, plan->b_off);
  const int64_t k = plan->k, n = plan->n;
  const int64_t words = plan->kp / 64;
  const int64_t panelStride = words * kPanelWords;
  const int64_t panels = plan->np / kNRBin;
  const int64_t ldcBytes = ldc * plan->out_bytes;
  char *out = static_cast<char *>(c);

  // Rows per packed block: a multiple of kRows within kBlockBytes (at least
  // one tile), and no more than M.
  int64_t blockRows = kBlockBytes / (words * 8) / kRows * kRows;
  if (blockRows < kRows)
    blockRows = kRows;
  if (blockRows > m)
    blockRows = m;

  alignas(64) uint64_t stack[kStackBytes / 8];
  Workspace ws;
  if (!ws.init(stack, blockRows * words)) {
    gemmGeneric(plan, a, m, lda, c, ldc);
    return;
  }

  if (m == 1) {
    packRow(a, k, words, /*triples=*/false, ws.rows, 1);
    int64_t p = 0;
    for (; p + 2 <= panels; p += 2)
      gemvPanels<2>(epi, ws.rows, packed + p * panelStride, words, k, n,
                    p * kNRBin, out);
    if (p < panels)
      gemvPanels<1>(epi, ws.rows, packed + p * panelStride, words, k, n,
                    p * kNRBin, out);
    return;
  }

  for (int64_t m0 = 0; m0 < m; m0 += blockRows) {
    const int64_t rows = m - m0 < blockRows ? m - m0 : blockRows;
    // Tile t of the block (rows 8t .. 8t + R - 1) starts at word 8 t W and
    // interleaves its rows word by word: word j of row r at [R j + r].
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t r0 = r / kRows * kRows;
      const int64_t tileRowCount = rows - r0 < kRows ? rows - r0 : kRows;
      packRow(a + (m0 + r) * lda, k, words, /*triples=*/true,
              ws.rows + r0 * words + (r - r0), tileRowCount);
    }
    for (int64_t p = 0; p < panels; ++p) {
      for (int64_t half = 0; half < 2; ++half) {
        const int64_t n0 = p * kNRBin + 16 * half;
        if (n0 >= n)
          break;
        const uint64_t *b = packed + p * panelStride + 16 * half;
        for (int64_t r0 = 0; r0 < rows; r0 += kRows) {
          const int tileRowCount = int(rows - r0 < kRows ? rows - r0 : kRows);
          tileRows<kRows>(tileRowCount, epi, ws.rows + r0 * words, b, words, k,
                          n, n0, out + (m0 + r0) * ldcBytes, ldcBytes);
        }
      }
    }
  }
}

} // namespace qlp::rt
