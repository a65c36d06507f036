//===- GemmGeneric.cpp - Portable GEMM kernels over packed plans --*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// The portable path: plain C++ for any CPU, and the definition the AVX-512
// kernels are tested against. It reads the same packed weights and folded
// constants as the fast kernels (S8 quads, U4 nibble pairs, Bin words; see
// KernelPlan.h) and applies the same formulas,
//
//   S8   acc = raw + col_offset[n] + row_coeff * rowsum(A[m]),
//        raw = sum_k (A[m][k] + 128) * B[k][n]
//   U4   acc = raw + col_offset[n] + row_coeff * rowsum(A[m]),
//        raw = sum_k u[k][n] * A[m][k]
//   Bin  acc = col_offset[n] + K - 2 * popcount(A_bits XOR B_bits)
//
// in wrapping 32-bit arithmetic, so a packing or folding mistake shows up on
// this path too rather than only on the fast one.
//
// Loop structure: MR rows of A at a time; for each 64- (or 32-) column panel
// the MR x NR accumulators stay in a small local array while K is walked in
// chunks of KC. Each chunk of the MR activation rows is first converted into
// a small buffer of int16 values (the `A + 128` of S8, the sign-extended
// values of U4; packed 64-bit words for Bin) with zeros beyond K, so the
// inner loops have fixed trip counts and no tails, and the compiler
// vectorizes them across the panel's columns with 16-bit multiplies (every
// single product fits int16; SSE2 has no 32-bit multiply). The epilogue (epilogueScalar)
// runs once per output element, right after its panel's accumulation.
//
//===----------------------------------------------------------------------===//

#include "runtime/KernelPlan.h"

#include <cstring>

using namespace qlp::rt;

namespace {

/// Rows of A per block; the accumulator tile is kMR x 64 int32 (1 KB).
constexpr int64_t kMR = 4;
/// K values per chunk: a multiple of 64 (so of 4 and 8 too). The converted
/// activations take kMR * kKC * 2 bytes (4 KB).
constexpr int64_t kKC = 512;

// ---------------------------------------------------------------------------
// Epilogue: the exact arithmetic of qlp.rescale (dialect/Dyadic.cpp),
// re-implemented here because the runtime links no MLIR. Contract: |x| <
// 2^32, multiplier in [1, 2^31 - 1], shift in [0, 62].
// ---------------------------------------------------------------------------

/// floor((p + 2^(s-1)) / 2^s), or p when s = 0, without forming the sum
/// (which overflows at s = 62): with p = q * 2^s + rem, the rounding adds 1
/// exactly when rem >= 2^(s-1), i.e. when bit s - 1 of p is set.
int64_t roundHalfUpShift(int64_t p, int32_t s) {
  if (s == 0)
    return p;
  return (p >> s) + ((p >> (s - 1)) & 1);
}

/// TOSA DOUBLE_ROUND: as single rounding for s <= 31, else
/// floor((p + 2^(s-1) + c) / 2^s) with c = +-2^30 by the sign of x. The
/// floor of (rem + 2^(s-1) + c) / 2^s is 0 or 1 and the sum fits int64.
int64_t doubleRoundShift(int64_t x, int64_t p, int32_t s) {
  if (s <= 31)
    return roundHalfUpShift(p, s);
  int64_t pow2 = int64_t(1) << s;
  int64_t rem = p & (pow2 - 1);
  int64_t c = x >= 0 ? (int64_t(1) << 30) : -(int64_t(1) << 30);
  return (p >> s) + (rem + (pow2 >> 1) + c >= pow2 ? 1 : 0);
}

/// gemmlowp's SaturatingRoundingDoublingHighMul for a 64-bit first operand:
/// floor((a * b + 2^30) / 2^31) (its nudge and truncating division combine
/// to this for both signs). |a * b| < 2^94 fits __int128.
int64_t roundingDoublingHighMul(int64_t a, int32_t b) {
  __int128 ab = static_cast<__int128>(a) * b;
  __int128 nudge = ab >= 0 ? (int64_t(1) << 30) : (1 - (int64_t(1) << 30));
  return static_cast<int64_t>((ab + nudge) / (static_cast<__int128>(1) << 31));
}

/// gemmlowp's RoundingDivideByPOT: v / 2^e rounded to nearest, ties away
/// from zero, for 0 <= e <= 31.
int64_t roundingDivideByPOT(int64_t v, int32_t e) {
  int64_t mask = (int64_t(1) << e) - 1;
  int64_t remainder = v & mask;
  int64_t threshold = (mask >> 1) + (v < 0 ? 1 : 0);
  return (v >> e) + (remainder > threshold ? 1 : 0);
}

/// TFLite's MultiplyByQuantizedMultiplier(x, m, 31 - s), evaluated in 64 and
/// 128 bits so nothing wraps (the same function as DoubleRound; computed the
/// TFLite way so that this path is an independent check of that identity).
int64_t tfliteMultiply(int64_t x, int32_t m, int32_t s) {
  int32_t exponent = 31 - s;
  int32_t left = exponent > 0 ? exponent : 0;
  int32_t right = exponent > 0 ? 0 : -exponent;
  int64_t shifted = x * (int64_t(1) << left);
  return roundingDivideByPOT(roundingDoublingHighMul(shifted, m), right);
}

/// Stores `value` (already in range) as element `index` of a row of
/// `outBytes`-byte signed integers.
inline void storeElement(void *row, int64_t index, int32_t outBytes,
                         int32_t outMask, int64_t value) {
  switch (outBytes) {
  case 1:
    // i2 / i4 keep only their low bits, zero-extended (see qlp_kernels.h).
    static_cast<uint8_t *>(row)[index] = static_cast<uint8_t>(value & outMask);
    break;
  case 2:
    static_cast<int16_t *>(row)[index] = static_cast<int16_t>(value);
    break;
  default:
    static_cast<int32_t *>(row)[index] = static_cast<int32_t>(value);
    break;
  }
}

/// Population count of a 64-bit word in SWAR arithmetic, which the baseline
/// x86-64 ISA (no POPCNT) runs fast and the vectorizer handles.
inline uint32_t popcount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<uint32_t>((x * 0x0101010101010101ull) >> 56);
}

/// Runs the epilogue on an accumulator tile: rows [0, rows) of `acc`
/// (exact accumulators, row stride kTileN) for columns [n0, n0 + cols), into
/// rows of `c` starting at row m0.
template <int64_t kTileN>
void finishTile(const PlanHeader *plan, const int32_t (*acc)[kTileN],
                int64_t rows, int64_t n0, int64_t cols, int64_t m0, void *c,
                int64_t ldc) {
  const int32_t outBytes = plan->out_bytes;
  for (int64_t r = 0; r < rows; ++r) {
    char *row = static_cast<char *>(c) + (m0 + r) * ldc * outBytes;
    if (!plan->has_rescale) {
      std::memcpy(row + n0 * 4, acc[r], static_cast<size_t>(cols) * 4);
      continue;
    }
    for (int64_t j = 0; j < cols; ++j)
      storeElement(row, n0 + j, outBytes, plan->out_mask,
                   epilogueScalar(plan, acc[r][j], n0 + j));
  }
}

/// Row sums of the stored activation values of rows [m0, m0 + rows),
/// multiplied by row_coeff; wrapping (only the value mod 2^32 matters).
void rowTerms(const PlanHeader *plan, const uint8_t *a, int64_t m0,
              int64_t rows, int64_t lda, uint32_t *terms) {
  const int32_t bits = plan->a_bits;
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t *row = a + (m0 + r) * lda;
    uint32_t sum = 0;
    for (int64_t k = 0; k < plan->k; ++k)
      sum += static_cast<uint32_t>(activationValue(row[k], bits));
    terms[r] = sum * static_cast<uint32_t>(plan->row_coeff);
  }
}

/// Converts activations [k0, k0 + kKC) of rows [m0, m0 + rows) to int16
/// (sign-extended, plus `offset` <= 128), zero beyond K and for rows >=
/// `rows`.
void convertChunk(const PlanHeader *plan, const uint8_t *a, int64_t m0,
                  int64_t rows, int64_t lda, int64_t k0, int32_t offset,
                  int16_t (*out)[kKC]) {
  const int32_t bits = plan->a_bits;
  const int64_t valid = plan->k - k0 < kKC ? plan->k - k0 : kKC;
  for (int64_t r = 0; r < kMR; ++r) {
    int64_t k = 0;
    if (r < rows) {
      const uint8_t *row = a + (m0 + r) * lda + k0;
      for (; k < valid; ++k)
        out[r][k] = static_cast<int16_t>(activationValue(row[k], bits) + offset);
    }
    for (; k < kKC; ++k)
      out[r][k] = 0;
  }
}

/// S8: quad block q of a panel holds B[4q + i][j] at byte 4j + i.
void gemmS8(const PlanHeader *plan, const uint8_t *a, int64_t m, int64_t lda,
            void *c, int64_t ldc) {
  const int8_t *packed = planArray<int8_t>(plan, plan->b_off);
  const int32_t *colOffset = planArray<int32_t>(plan, plan->col_offset_off);
  const int64_t panelBytes = plan->kp * kNRS8;
  alignas(64) int16_t act[kMR][kKC];
  alignas(64) uint32_t raw[kMR][kNRS8];
  alignas(64) int32_t acc[kMR][kNRS8];
  uint32_t terms[kMR];

  for (int64_t m0 = 0; m0 < m; m0 += kMR) {
    const int64_t rows = m - m0 < kMR ? m - m0 : kMR;
    rowTerms(plan, a, m0, rows, lda, terms);
    for (int64_t n0 = 0; n0 < plan->n; n0 += kNRS8) {
      const int8_t *panel = packed + (n0 / kNRS8) * panelBytes;
      std::memset(raw, 0, sizeof(raw));
      for (int64_t k0 = 0; k0 < plan->kp; k0 += kKC) {
        // The padded K rows of the panel are zero, so the zero activations
        // convertChunk writes past K contribute nothing either way.
        convertChunk(plan, a, m0, rows, lda, k0, 128, act);
        const int64_t kc = plan->kp - k0 < kKC ? plan->kp - k0 : kKC;
        for (int64_t q = 0; q < kc / 4; ++q) {
          const int8_t *block = panel + (k0 / 4 + q) * 256;
          for (int64_t r = 0; r < rows; ++r) {
            const int16_t a0 = act[r][4 * q], a1 = act[r][4 * q + 1],
                          a2 = act[r][4 * q + 2], a3 = act[r][4 * q + 3];
            // Each product (A + 128 in [0, 255] times an int8) fits int16,
            // which lets the vectorizer use 16-bit multiplies; the quad sum,
            // at most 4 * 255 * 128, fits int32, and the running sum wraps in
            // uint32 as the format allows.
            for (int64_t j = 0; j < kNRS8; ++j)
              raw[r][j] += static_cast<uint32_t>(
                  int32_t(int16_t(a0 * block[4 * j])) +
                  int32_t(int16_t(a1 * block[4 * j + 1])) +
                  int32_t(int16_t(a2 * block[4 * j + 2])) +
                  int32_t(int16_t(a3 * block[4 * j + 3])));
          }
        }
      }
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < kNRS8; ++j)
          acc[r][j] = static_cast<int32_t>(
              raw[r][j] + static_cast<uint32_t>(colOffset[n0 + j]) + terms[r]);
      const int64_t cols = plan->n - n0 < kNRS8 ? plan->n - n0 : kNRS8;
      finishTile<kNRS8>(plan, acc, rows, n0, cols, m0, c, ldc);
    }
  }
}

/// U4: pair block t of a panel holds u[8t + i][j] in the low nibble and
/// u[8t + 4 + i][j] in the high nibble of byte 4j + i.
void gemmU4(const PlanHeader *plan, const uint8_t *a, int64_t m, int64_t lda,
            void *c, int64_t ldc) {
  const uint8_t *packed = planArray<uint8_t>(plan, plan->b_off);
  const int32_t *colOffset = planArray<int32_t>(plan, plan->col_offset_off);
  const int64_t panelBytes = plan->kp * kNRU4 / 2;
  alignas(64) int16_t act[kMR][kKC];
  alignas(64) uint32_t raw[kMR][kNRU4];
  alignas(64) int32_t acc[kMR][kNRU4];
  uint32_t terms[kMR];

  for (int64_t m0 = 0; m0 < m; m0 += kMR) {
    const int64_t rows = m - m0 < kMR ? m - m0 : kMR;
    rowTerms(plan, a, m0, rows, lda, terms);
    for (int64_t n0 = 0; n0 < plan->n; n0 += kNRU4) {
      const uint8_t *panel = packed + (n0 / kNRU4) * panelBytes;
      std::memset(raw, 0, sizeof(raw));
      for (int64_t k0 = 0; k0 < plan->kp; k0 += kKC) {
        convertChunk(plan, a, m0, rows, lda, k0, 0, act);
        const int64_t kc = plan->kp - k0 < kKC ? plan->kp - k0 : kKC;
        for (int64_t t = 0; t < kc / 8; ++t) {
          const uint8_t *block = panel + (k0 / 8 + t) * 256;
          for (int64_t r = 0; r < rows; ++r) {
            const int16_t *x = &act[r][8 * t];
            // Every product (a nibble in [0, 15] times an activation in
            // [-128, 127]) and their sum over the 8 values of a pair block,
            // at most 8 * 15 * 128 in magnitude, fit int16.
            for (int64_t j = 0; j < kNRU4; ++j) {
              const uint8_t *bytes = block + 4 * j;
              int16_t sum = 0;
              for (int i = 0; i < 4; ++i)
                sum = int16_t(sum + (bytes[i] & 0xF) * x[i] +
                              (bytes[i] >> 4) * x[4 + i]);
              raw[r][j] += static_cast<uint32_t>(int32_t(sum));
            }
          }
        }
      }
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < kNRU4; ++j)
          acc[r][j] = static_cast<int32_t>(
              raw[r][j] + static_cast<uint32_t>(colOffset[n0 + j]) + terms[r]);
      const int64_t cols = plan->n - n0 < kNRU4 ? plan->n - n0 : kNRU4;
      finishTile<kNRU4>(plan, acc, rows, n0, cols, m0, c, ldc);
    }
  }
}

/// Bin: word w, column j of a panel holds bits 64w .. 64w + 63 of column j.
void gemmBin(const PlanHeader *plan, const uint8_t *a, int64_t m, int64_t lda,
             void *c, int64_t ldc) {
  constexpr int64_t kWC = kKC / 64; // words per chunk
  const uint64_t *packed = planArray<uint64_t>(plan, plan->b_off);
  const int32_t *colOffset = planArray<int32_t>(plan, plan->col_offset_off);
  const int64_t words = plan->kp / 64;
  const int64_t panelWords = words * kNRBin;
  const int64_t k = plan->k;
  alignas(64) uint64_t bits[kMR][kWC];
  alignas(64) uint32_t raw[kMR][kNRBin];
  alignas(64) int32_t acc[kMR][kNRBin];

  for (int64_t m0 = 0; m0 < m; m0 += kMR) {
    const int64_t rows = m - m0 < kMR ? m - m0 : kMR;
    for (int64_t n0 = 0; n0 < plan->n; n0 += kNRBin) {
      const uint64_t *panel = packed + (n0 / kNRBin) * panelWords;
      std::memset(raw, 0, sizeof(raw));
      for (int64_t w0 = 0; w0 < words; w0 += kWC) {
        const int64_t wc = words - w0 < kWC ? words - w0 : kWC;
        // Pack bit 0 of each activation byte; bits past K stay 0 so that,
        // with the zero padding of B, they never count.
        for (int64_t r = 0; r < rows; ++r) {
          const uint8_t *row = a + (m0 + r) * lda;
          for (int64_t w = 0; w < wc; ++w) {
            const int64_t kBase = (w0 + w) * 64;
            const int64_t count = k - kBase < 64 ? k - kBase : 64;
            uint64_t word = 0;
            for (int64_t b = 0; b < count; ++b)
              word |= static_cast<uint64_t>(row[kBase + b] & 1) << b;
            bits[r][w] = word;
          }
        }
        for (int64_t w = 0; w < wc; ++w) {
          const uint64_t *wordRow = panel + (w0 + w) * kNRBin;
          for (int64_t r = 0; r < rows; ++r) {
            const uint64_t x = bits[r][w];
            for (int64_t j = 0; j < kNRBin; ++j)
              raw[r][j] += popcount64(x ^ wordRow[j]);
          }
        }
      }
      // raw <= K < 2^31, so col_offset + K - 2 * raw is exact in int64, and
      // it fits int32 because the plan builder bounds |bias| + K by
      // 2^31 - 1 (col_offset is the bias; padding columns hold 0).
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < kNRBin; ++j)
          acc[r][j] = static_cast<int32_t>(int64_t(colOffset[n0 + j]) + k -
                                           2 * int64_t(raw[r][j]));
      const int64_t cols = plan->n - n0 < kNRBin ? plan->n - n0 : kNRBin;
      finishTile<kNRBin>(plan, acc, rows, n0, cols, m0, c, ldc);
    }
  }
}

} // namespace

int64_t qlp::rt::epilogueScalar(const PlanHeader *plan, int32_t acc,
                                int64_t n) {
  if (!plan->has_rescale)
    return acc;
  const int32_t multiplier = planArray<int32_t>(plan, plan->multiplier_off)[n];
  const int32_t shift = planArray<int32_t>(plan, plan->shift_off)[n];
  // Both are int32, so |x| < 2^32 and |x * multiplier| < 2^63.
  const int64_t x = int64_t(acc) - plan->rescale_input_zp;
  const int64_t p = x * multiplier;
  int64_t r;
  switch (plan->rounding) {
  case 0:
    r = roundHalfUpShift(p, shift);
    break;
  case 1:
    r = doubleRoundShift(x, p, shift);
    break;
  default:
    r = tfliteMultiply(x, multiplier, shift);
    break;
  }
  // Clamp before adding the output zero point: with shift 0, |r| nears 2^63
  // and r + output_zp could leave int64. clamp(r, lo - zp, hi - zp) + zp is
  // clamp(r + zp, lo, hi) computed without that sum.
  const int64_t lo = int64_t(plan->clamp_min) - plan->output_zp;
  const int64_t hi = int64_t(plan->clamp_max) - plan->output_zp;
  r = r < lo ? lo : (r > hi ? hi : r);
  return r + plan->output_zp;
}

void qlp::rt::gemmGeneric(const PlanHeader *plan, const uint8_t *a, int64_t m,
                          int64_t lda, void *c, int64_t ldc) {
  switch (plan->format) {
  case WeightFormat::S8:
    gemmS8(plan, a, m, lda, c, ldc);
    break;
  case WeightFormat::U4:
    gemmU4(plan, a, m, lda, c, ldc);
    break;
  case WeightFormat::Bin:
    gemmBin(plan, a, m, lda, c, ldc);
    break;
  }
}
