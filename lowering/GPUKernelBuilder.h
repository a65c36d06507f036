//===- GPUKernelBuilder.h - Tensor-core kernels for qlp layers ---*- C++ -*-===//
//
// Generates the GPU kernels of qlp-lower-to-gpu as gpu.func ops built from
// arith, memref, scf, gpu, nvgpu and nvvm operations. One layer becomes two
// kernels:
//
//  - a staging kernel that reads the activations as the layer sees them
//    (rows of a matmul operand, or the im2col rows of a convolution, with
//    the input zero point as padding), writes them into the operand layout
//    of the GEMM kernel (int8 bytes, int4 nibbles, or 32 binary values per
//    word), padded with zeros to whole tiles, and sums each row (needed when
//    the weight zero point is not 0);
//  - a GEMM kernel: warp-level mma.sync on tensor cores (integer layers) or
//    xor + popc (binary layers), with the epilogue (bias, zero-point
//    corrections, dyadic rescale, clamp, narrow store) applied to the
//    accumulator registers, so the i32 result never reaches global memory.
//
// Weights are packed at compile time (packGPUWeights) into the [N][K] word
// layout the GEMM kernel streams.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_GPUKERNELBUILDER_H
#define QLP_LOWERING_GPUKERNELBUILDER_H

#include "dialect/QLPDialect.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace mlir {
namespace qlp {

/// How the tensor cores see one layer's operands.
enum class GPUOperands {
  /// int8 activations x int8 weights: mma.sync s8 x s8.
  S8S8,
  /// int8 activations x int4 weights unpacked to int8 in registers (W4A8):
  /// mma.sync s8 x s8 on packed weights. Also the path of every layer with
  /// 4-bit weights on sm_90, which has no int4 tensor cores.
  S8W4,
  /// int4 activations x int4 weights: mma.sync s4 x s4 (sm_75 .. sm_89).
  S4S4,
  /// Binary activations x binary weights: xor + popc on 32-bit words.
  Binary,
};

/// One GEMM kernel: C[M][N] = epilogue(sum_k A[M][K] * B[K][N]).
struct GPUGemmSpec {
  std::string name;
  GPUOperands operands = GPUOperands::S8S8;
  /// sm_80 and later: m16n8 mma shapes and cp.async; sm_75: m8n8, plain
  /// loads.
  bool ampere = true;
  int64_t k = 0, n = 0;
  /// Tile of one thread block, in rows and columns, and its warps.
  int64_t blockM = 128, blockN = 128, warpsM = 2, warpsN = 4;
  /// Shared-memory pipeline depth (cp.async stages; 1 without cp.async).
  int64_t stages = 2;

  // The epilogue, as in qlp.rescale (dialect/QLPOps.td).
  /// Adds `rowCoefficient * rowsum(A[m])` (the weight zero point's term).
  bool useRowSums = false;
  int32_t rowCoefficient = 0;
  bool hasRescale = false;
  bool perChannel = false;
  RoundingMode rounding = RoundingMode::SingleRound;
  int64_t inputZp = 0, outputZp = 0, clampMin = 0, clampMax = 0;
  int32_t multiplier = 0, shift = 0;
  /// The result element type (i32 without a rescale).
  Type outType;

  /// Reduction elements per shared-memory stage.
  int64_t stageK() const;
  /// K rounded up to whole stages, and N to whole blocks.
  int64_t paddedK() const;
  int64_t paddedN() const;
  /// 32-bit words per row of the staged A and of the packed B.
  int64_t aWordsPerRow() const;
  int64_t bWordsPerRow() const;
  int64_t threads() const { return warpsM * warpsN * 32; }
};

/// One staging kernel: rows of the GEMM's A operand from the activations.
struct GPUStageSpec {
  std::string name;
  GPUOperands operands = GPUOperands::S8S8;
  int64_t k = 0, wordsPerRow = 0;
  /// The value of padding positions of a convolution window (the input
  /// zero point, or the binary pad value's bit).
  int64_t padValue = 0;
  bool rowSums = false;
  /// A convolution: the im2col rows of an NHWC input. Otherwise the input
  /// is [M][K] (or [1][M][K]).
  bool conv = false;
  int64_t inH = 0, inW = 0, inC = 0, kh = 0, kw = 0, outH = 0, outW = 0;
  int64_t strideH = 1, strideW = 1, dilH = 1, dilW = 1, padTop = 0,
          padLeft = 0;
  /// Rows staged by one thread block (one warp each).
  static constexpr int64_t kRowsPerBlock = 8;
};

/// Packs the [K][N] weights (one value per int8_t, binary as -1 / +1) into
/// the [paddedN][bWordsPerRow] i32 words the GEMM kernel reads.
SmallVector<int32_t> packGPUWeights(const GPUGemmSpec &spec,
                                    ArrayRef<int8_t> weights);

/// Adds the staging kernel to `module`. Its arguments: the activations
/// memref (`inputType`), the staged words memref<?x W x i32> and, with row
/// sums, the row sums memref<?xi32>.
gpu::GPUFuncOp buildGPUStageKernel(OpBuilder &builder, gpu::GPUModuleOp module,
                                   const GPUStageSpec &spec,
                                   MemRefType inputType);

/// Adds the GEMM kernel to `module`. Its arguments: the staged A
/// memref<?xAWxi32>, the packed B memref<NpxBWxi32>, the per-column
/// constants memref<Npxi32>, [the row sums memref<?xi32>], [the
/// multipliers and shifts memref<Nxi32> of a per-channel rescale], and the
/// result memref<?xNxT>. (qlp-lower-to-gpu then binds the constant tables,
/// B, the column constants and the scales, to globals of `module`.)
gpu::GPUFuncOp buildGPUGemmKernel(OpBuilder &builder, gpu::GPUModuleOp module,
                                  const GPUGemmSpec &spec);

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_GPUKERNELBUILDER_H
