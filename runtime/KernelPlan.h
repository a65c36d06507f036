//===- KernelPlan.h - Layout of quant-lp kernel plans ------------*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Internal to qlp_runtime: the byte layout of the plans that qlp_kernels.h
// builds and runs, and the entry points of the per-ISA kernels. A plan starts
// with a PlanHeader; every array it holds starts at a multiple of 64 bytes
// from the plan's start and is addressed by a byte offset, so a plan can be
// copied or embedded anywhere (QLP_RT_PLAN_ALIGNMENT-aligned).
//
// Weight formats (the "packed B" array), all zero-padded to Kp x Np with
// Np = ceil(N / NR) * NR, so tails need no special case in the main loops:
//
//   S8 (b_bits = 8; any integer a_bits). NR = 64, Kp = ceil(K / 4) * 4.
//     Panel p (columns 64p..64p+63) is Kp/4 quad blocks of 256 bytes; in quad
//     block q, bytes [4j, 4j+4) are B[4q+i][64p+j], i = 0..3. One 64-byte row
//     of a block is a vpdpbusd operand for 16 columns. The kernels feed
//     A + 128 as the unsigned operand, so
//       acc = raw + col_offset[n] + row_coeff * rowsum(A[m])
//     with raw = sum_k (A[m][k] + 128) * B[k][n], rowsum(A[m]) = sum_k A[m][k]
//     (as stored values, zero points not subtracted), and
//       col_offset[n] = bias[n] - (128 + a_zp) * colsum(B[:, n]) + K*a_zp*b_zp
//       row_coeff     = -b_zp.
//
//   U4 (b_bits = 4 or 2; a_bits 8, 4 or 2). NR = 64, Kp = ceil(K / 8) * 8.
//     The weights are stored biased, u = B + 8 in [0, 15]. Panel p is Kp/8
//     pair blocks of 256 bytes; pair block t covers quads q = 2t (low
//     nibbles) and 2t + 1 (high nibbles): byte [4j + i] of the block has
//     low nibble u[8t + i][64p + j] and high nibble u[8t + 4 + i][64p + j].
//     So `x & 0xF` and `(x >> 4) & 0xF` of a 64-byte row are two vpdpbusd
//     operands (unsigned) for 16 columns, fed with the signed activations:
//       raw           = sum_k u[k][n] * A[m][k]
//       col_offset[n] = bias[n] - a_zp * colsum(u[:, n]) + K * a_zp * (8 + b_zp)
//       row_coeff     = -(8 + b_zp).
//
//   BIN (a_bits = b_bits = 1). NR = 32, Kp = ceil(K / 64) * 64, W = Kp / 64.
//     Panel p is W word rows of 32 uint64 words; word w, column j holds bits
//     k = 64w .. 64w+63 of column 32p+j, bit (k - 64w) = 1 iff B[k][n] = -1.
//     Padding bits are 0 in B and in the packed A rows, so they never count:
//       raw           = popcount over k of (A_bits XOR B_bits)
//       acc           = col_offset[n] + K - 2 * raw
//       col_offset[n] = bias[n] (0 without a bias), row_coeff = 0.
//     The plan builder requires |bias[n]| + K <= 2^31 - 1, so acc is exact
//     in int32 whatever the activations.
//
// In every format the accumulator arithmetic is modular (int32, wrapping):
// the exact acc fits int32 by the qlp verifier's bound, so the wrapped sum of
// the terms above is exact.
//
// Epilogue arrays: col_offset, multiplier and shift are int32[Np] (per-tensor
// scales are expanded to every column; padding columns hold multiplier 1,
// shift 0). For round bit extraction the kernels also read `shift_m1`, equal
// to shift - 1, or 64 when shift is 0, and `round_c`, equal to 2^30 for
// double_round/tflite columns with shift > 31 and 0 otherwise (see
// dialect/Dyadic.h: tflite computes the same function as double_round).
//
//===----------------------------------------------------------------------===//

#ifndef QLP_RUNTIME_KERNELPLAN_H
#define QLP_RUNTIME_KERNELPLAN_H

#include "runtime/qlp_kernels.h"

#include <cstddef>
#include <cstdint>

namespace qlp::rt {

constexpr uint32_t kPlanMagic = 0x4b504c51; // "QLPK" little-endian
constexpr uint32_t kPlanVersion = 1;

enum class PlanKind : uint32_t { Gemm = 0, Conv2D = 1 };
enum class WeightFormat : uint32_t { S8 = 0, U4 = 1, Bin = 2 };

constexpr int64_t kNRS8 = 64;
constexpr int64_t kNRU4 = 64;
constexpr int64_t kNRBin = 32;

struct PlanHeader {
  uint32_t magic;
  uint32_t version;
  PlanKind kind;
  WeightFormat format;
  /// Total plan size in bytes (for the integrity check).
  int64_t size;

  // GEMM view.
  int64_t k, n;
  int64_t kp, np; ///< Padded K and N of the packed weights.
  int32_t a_bits, b_bits;
  int32_t a_zp, b_zp;
  int32_t row_coeff;

  // Epilogue.
  int32_t has_rescale;
  int32_t rounding;
  int32_t rescale_input_zp;
  int32_t output_zp;
  int32_t clamp_min, clamp_max;
  int32_t out_bytes;

  // Byte offsets from the plan's start; each a multiple of 64.
  int64_t col_offset_off; ///< int32[np]
  int64_t multiplier_off; ///< int32[np]
  int64_t shift_off;      ///< int32[np]
  int64_t shift_m1_off;   ///< int32[np]
  int64_t round_c_off;    ///< int32[np]
  int64_t b_off;          ///< packed weights
  int64_t b_bytes;

  // Convolution geometry (kind == Conv2D; zero otherwise).
  int64_t in_h, in_w, in_c;
  int64_t kh, kw;
  int64_t stride_h, stride_w, dil_h, dil_w;
  int64_t pad_top, pad_bottom, pad_left, pad_right;
  int64_t out_h, out_w;
  int32_t pad_value;
  /// Mask applied to each stored output element: (1 << out_bits) - 1 for
  /// 1-byte outputs (0xFF, 0xF, 0x3), -1 (every bit) otherwise.
  int32_t out_mask;
};

template <typename T>
inline const T *planArray(const PlanHeader *plan, int64_t offset) {
  return reinterpret_cast<const T *>(reinterpret_cast<const char *>(plan) +
                                     offset);
}

/// Sign-extends the low `bits` bits of a stored activation byte (bits = 8, 4,
/// 2); the value MLIR stored for an i8, i4 or i2 element.
inline int32_t activationValue(uint8_t byte, int32_t bits) {
  int32_t shift = 32 - bits;
  return static_cast<int32_t>(static_cast<uint32_t>(byte) << shift) >> shift;
}

/// Kernel entry points, one per ISA and format: C = epilogue(A * B) for rows
/// [0, m) of `a` (row stride lda bytes) into `c` (row stride ldc elements of
/// out_bytes). The plan has been validated; m >= 1.
using GemmKernel = void (*)(const PlanHeader *plan, const uint8_t *a,
                            int64_t m, int64_t lda, void *c, int64_t ldc);

void gemmGeneric(const PlanHeader *plan, const uint8_t *a, int64_t m,
                 int64_t lda, void *c, int64_t ldc);
void gemmS8AVX512(const PlanHeader *plan, const uint8_t *a, int64_t m,
                  int64_t lda, void *c, int64_t ldc);
void gemmU4AVX512(const PlanHeader *plan, const uint8_t *a, int64_t m,
                  int64_t lda, void *c, int64_t ldc);
void gemmBinAVX512(const PlanHeader *plan, const uint8_t *a, int64_t m,
                   int64_t lda, void *c, int64_t ldc);
void gemmS8AMX(const PlanHeader *plan, const uint8_t *a, int64_t m,
               int64_t lda, void *c, int64_t ldc);
/// Bin format with AMX tdpbssd on +-1 bytes; needs AVX512-VBMI besides AMX.
/// Calls with fewer than kBinAMXMinRows rows go to gemmBinAVX512.
void gemmBinAMX(const PlanHeader *plan, const uint8_t *a, int64_t m,
                int64_t lda, void *c, int64_t ldc);
constexpr int64_t kBinAMXMinRows = 256;

/// The scalar epilogue, the definition every kernel matches: maps the exact
/// accumulator of column n to the stored output value (returned as int64;
/// the caller narrows it to out_bytes).
int64_t epilogueScalar(const PlanHeader *plan, int32_t acc, int64_t n);

} // namespace qlp::rt

#endif // QLP_RUNTIME_KERNELPLAN_H
