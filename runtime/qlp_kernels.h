//===- qlp_kernels.h - C ABI of quant-lp's CPU kernels ------------*- C -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// The fast CPU kernels that `--qlp-cpu-pipeline` calls for qlp.matmul,
// qlp.conv2d, qlp.binary_matmul and qlp.binary_conv2d, together with the
// qlp.rescale / qlp.clamp that follow them (the "epilogue"). The generated
// code calls them the way IREE calls its microkernels: the compiler keeps the
// loop structure of the model, the runtime keeps the register tiles.
//
// Two phases
// ----------
// 1. At compile time the compiler (which links qlp_runtime) describes a layer
//    with a qlp_rt_gemm_desc or qlp_rt_conv2d_desc and calls *_plan_init to
//    build a "plan": one position-independent byte blob holding the layer's
//    geometry, its epilogue constants (bias and zero-point corrections folded
//    into one i32 per output column, per-column multipliers and shifts) and
//    its weights pre-packed into the layout the kernels read (int8 in VNNI
//    quads, int4 as packed nibbles, binary as 64-bit words). The blob contains
//    no pointers and does not depend on the compiling host's CPU, so it is
//    embedded in the program as a constant.
// 2. At run time the program calls qlp_rt_gemm / qlp_rt_conv2d with the plan,
//    the activations and the output buffer. The runtime picks the kernel for
//    the host CPU (see "Dispatch") and computes the whole layer, epilogue
//    included, without writing the i32 accumulators to memory.
//
// Semantics
// ---------
// A GEMM plan computes, for every row m < M and column n < N,
//
//   acc[m][n] = bias[n] + sum_k (A[m][k] - a_zp) * (B[k][n] - b_zp)      (ints)
//   binary:     acc[m][n] = bias[n] + sum_k A[m][k] * B[k][n], A and B values
//               in {-1, +1}
//
// exactly as qlp.matmul / qlp.binary_matmul define it (the caller guarantees,
// as the qlp verifier does, that the exact acc fits in int32). Then:
//   - without a rescale (has_rescale = 0) C[m][n] = acc[m][n] as int32;
//   - with one, C[m][n] = clamp(round((acc[m][n] - rescale_input_zp) *
//     multiplier[n] / 2^shift[n]) + output_zp, clamp_min, clamp_max), with
//     the rounding of qlp.rescale (`rounding`: 0 single_round, 1
//     double_round, 2 tflite; see dialect/Dyadic.h for the exact formulas),
//     stored as a signed integer of out_bytes bytes.
// Every path (fast and generic) computes exactly these values.
//
// Element storage
// ---------------
// Activations are one value per byte, as MLIR stores i8, i4, i2 and i1
// memrefs: for a_bits = 8 the byte is the int8 value; for a_bits = 4 or 2 the
// value is the sign extension of the byte's low a_bits bits (upper bits are
// ignored); for a_bits = 1 (binary) bit 0 of the byte is the qlp.binary
// encoding (1 for -1, 0 for +1) and the other bits are ignored. Weights are
// given to *_plan_init as int8 values, row-major [K][N] (binary: -1 or +1).
// Outputs of 2 or 4 bits are stored one per byte, the value's low bits
// zero-extended (LLVM's in-memory form of i2 and i4, which loads of those
// types rely on); wider outputs as int8_t, int16_t or int32_t.
//
// Dispatch
// --------
// The first kernel call reads the host's CPU features (cpuid, and xgetbv for
// the OS's saving of the zmm and tile state) and selects the fastest family
// the CPU supports:
//   - QLP_RT_ISA_AMX: QLP_RT_ISA_AVX512 plus AMX-TILE and AMX-INT8, and
//     Linux granting the tile data state (arch_prctl ARCH_REQ_XCOMP_PERM,
//     requested once). 8-bit-weight GEMMs with at least 8 rows run on AMX
//     tiles (tdpbusd), and binary GEMMs with at least 256 rows as +-1 bytes
//     (tdpbssd, on CPUs that also have AVX512-VBMI); everything else runs
//     as under QLP_RT_ISA_AVX512.
//   - QLP_RT_ISA_AVX512: AVX-512 F/BW/VL/DQ with VNNI and VPOPCNTDQ (Ice Lake
//     and later; a CPU with VNNI but no VPOPCNTDQ, such as Cascade Lake, runs
//     the portable path).
//   - QLP_RT_ISA_GENERIC: portable C++, any CPU.
// The environment variable QLP_RT_ISA, read at that first call, can lower
// the choice but never raise it past the hardware: "generic" forces the
// portable path, "avx512" caps the choice at AVX-512 (no tile permission is
// requested), other values are ignored. qlp_rt_set_isa changes the choice at
// any time. This selection is the runtime's only state.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_RUNTIME_QLP_KERNELS_H
#define QLP_RUNTIME_QLP_KERNELS_H

#include "runtime/qlp_runtime.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Alignment, in bytes, that a plan blob must have in memory.
#define QLP_RT_PLAN_ALIGNMENT 64

/// Kernel families a CPU can run. Values are part of the ABI.
typedef enum qlp_rt_isa {
  /// Portable C++; every CPU.
  QLP_RT_ISA_GENERIC = 0,
  /// x86-64 AVX-512 (F, BW, VL) with VNNI (vpdpbusd) and VPOPCNTDQ.
  QLP_RT_ISA_AVX512 = 1,
  /// QLP_RT_ISA_AVX512 plus AMX-INT8 tiles (tdpbusd) for the int8 GEMMs,
  /// where the OS grants the tile state (Sapphire Rapids and later).
  QLP_RT_ISA_AMX = 2
} qlp_rt_isa;

/// Describes one GEMM layer for qlp_rt_gemm_plan_init. All pointers are only
/// read during qlp_rt_gemm_plan_init and may be freed afterwards.
typedef struct qlp_rt_gemm_desc {
  /// Reduction length K in [1, 2^31 - 1] and number of output columns
  /// N >= 1.
  int64_t k, n;
  /// Width of the activations (8, 4, 2, or 1 for binary) and of the weights
  /// (8, 4, 2, or 1). Binary activations require binary weights and the
  /// converse.
  int32_t a_bits, b_bits;
  /// Zero points; they must lie in their operand's range. Must be 0 for
  /// binary operands.
  int32_t a_zp, b_zp;
  /// Row-major [K][N] weights, one int8 value each, in the b_bits range
  /// (binary: -1 or +1).
  const int8_t *b;
  /// N per-column int32 biases, or null for none (bias[n] = 0). For binary
  /// operands every |bias[n]| + K must be at most 2^31 - 1, so that the
  /// binary accumulator is exact in int32 for every input.
  const int32_t *bias;

  /// Epilogue: 0 stores the int32 accumulators; 1 applies the rescale below.
  /// Without a rescale the remaining fields but out_bytes (which must be 4)
  /// are ignored.
  int32_t has_rescale;
  /// Rounding of the rescale: 0 single_round, 1 double_round, 2 tflite.
  int32_t rounding;
  /// Zero point subtracted from the accumulator before scaling, as
  /// qlp.rescale's input_zp. |acc - rescale_input_zp| must stay below 2^32.
  int32_t rescale_input_zp;
  int32_t output_zp;
  /// Inclusive clamp bounds; they must lie in the range of the output type.
  int32_t clamp_min, clamp_max;
  /// Size of one output element: 1, 2 or 4 bytes with a rescale, 4 without.
  int32_t out_bytes;
  /// 1 for a per-tensor scale (index 0 of the arrays), N for per-column.
  int64_t num_scales;
  /// Multipliers in [1, 2^31 - 1] and shifts in [0, 62], num_scales each.
  const int32_t *multipliers;
  const int32_t *shifts;
  /// Width of the output type: 2, 4 or 8 with out_bytes 1, 16 with 2, 32
  /// with 4; 0 means 8 * out_bytes. The clamp bounds must lie in its range.
  /// An i2 or i4 result is stored one per byte as MLIR stores sub-byte
  /// integers: the low out_bits bits of the value, zero-extended.
  int32_t out_bits;
} qlp_rt_gemm_desc;

/// Describes one 2-D convolution layer (NHWC input and output, groups = 1)
/// for qlp_rt_conv2d_plan_init. The GEMM view is K = kh * kw * c and N = the
/// number of filters; `gemm.b` is the weight in row-major [KH][KW][C][F]
/// order (qlp's `hwcf` layout), which is the [K][N] matrix of that view.
typedef struct qlp_rt_conv2d_desc {
  qlp_rt_gemm_desc gemm;
  /// Input height, width and channels.
  int64_t in_h, in_w, in_c;
  /// Kernel height and width.
  int64_t kh, kw;
  int64_t stride_h, stride_w;
  int64_t dil_h, dil_w;
  /// Padding [top, bottom, left, right].
  int64_t pad[4];
  /// Value read outside the input: must equal gemm.a_zp for integer
  /// activations (padding contributes zero) and be +1 or -1 for binary ones.
  int32_t pad_value;
} qlp_rt_conv2d_desc;

/// Writes to *size the number of bytes the plan of `desc` occupies.
/// Returns QLP_RT_INVALID_ARGUMENT (and leaves *size alone) if `desc` is
/// malformed: a size out of range, an unsupported width combination, a zero
/// point or clamp bound outside its type's range, a multiplier or shift out of
/// range, a missing pointer, or a plan larger than int64_t can count.
qlp_rt_status qlp_rt_gemm_plan_size(const qlp_rt_gemm_desc *desc,
                                    int64_t *size);

/// Builds the plan of `desc` into `plan`, which has `size` bytes (at least
/// what qlp_rt_gemm_plan_size reported) and QLP_RT_PLAN_ALIGNMENT alignment.
/// Returns QLP_RT_INVALID_ARGUMENT for a malformed `desc`, a short buffer or a
/// misaligned one, and QLP_RT_INVALID_VALUE for a weight outside the b_bits
/// range; the buffer content is then unspecified.
qlp_rt_status qlp_rt_gemm_plan_init(const qlp_rt_gemm_desc *desc, void *plan,
                                    int64_t size);

/// Computes C = epilogue(A * B) for the plan's layer (see "Semantics").
/// `a` holds M rows of K activation bytes with `lda` bytes between rows
/// (lda >= K); `c` receives M rows of N output elements with `ldc` elements
/// between rows (ldc >= N). M may be 0. A and C must not overlap. Returns
/// QLP_RT_INVALID_ARGUMENT (writing nothing) for a plan that fails its
/// integrity check, a null pointer with M > 0, or strides below K / N.
qlp_rt_status qlp_rt_gemm(const void *plan, const void *a, int64_t m,
                          int64_t lda, void *c, int64_t ldc);

/// As qlp_rt_gemm_plan_size, for a convolution plan.
qlp_rt_status qlp_rt_conv2d_plan_size(const qlp_rt_conv2d_desc *desc,
                                      int64_t *size);

/// As qlp_rt_gemm_plan_init, for a convolution plan.
qlp_rt_status qlp_rt_conv2d_plan_init(const qlp_rt_conv2d_desc *desc,
                                      void *plan, int64_t size);

/// Runs the convolution of the plan on `batch` contiguous NHWC images
/// `input` [batch][in_h][in_w][in_c] (one byte per element) and writes the
/// contiguous NHWC result [batch][out_h][out_w][F] to `output`, whose
/// element size is the plan's out_bytes. Rows of the implicit im2col matrix
/// are gathered in blocks of about 64 KB (on the stack when small, else in
/// one malloc'd block per call). Returns QLP_RT_INVALID_ARGUMENT (writing
/// nothing) for a bad plan, null pointers with batch > 0, or when that
/// block cannot be allocated.
qlp_rt_status qlp_rt_conv2d(const void *plan, const void *input, int64_t batch,
                            void *output);

/// Output height and width of a convolution plan's layer, or -1 for a plan
/// that fails its integrity check.
int64_t qlp_rt_conv2d_out_h(const void *plan);
int64_t qlp_rt_conv2d_out_w(const void *plan);

/// The kernel family used by the next kernel call (runs the detection of
/// "Dispatch" if it has not run yet).
qlp_rt_isa qlp_rt_selected_isa(void);

/// Whether the host CPU can run `isa`.
int qlp_rt_isa_supported(qlp_rt_isa isa);

/// Selects `isa` for the following kernel calls. Returns
/// QLP_RT_INVALID_ARGUMENT, changing nothing, if the host cannot run it.
qlp_rt_status qlp_rt_set_isa(qlp_rt_isa isa);

/// "generic", "avx512" or "amx"; "unknown" for a value outside the enum.
const char *qlp_rt_isa_name(qlp_rt_isa isa);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // QLP_RUNTIME_QLP_KERNELS_H
