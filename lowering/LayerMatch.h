//===- LayerMatch.h - Layers and epilogues a kernel can take ------*- C++ -*-===//
//
// What the CPU kernel lowering (qlp-lower-to-kernels) and the GPU lowering
// (qlp-lower-to-gpu) both read off a layer: its constant weights, and the
// epilogue (bias add of a binary layer, rescale, clamp) fused into it.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_LAYERMATCH_H
#define QLP_LOWERING_LAYERMATCH_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir {
namespace qlp {

/// The epilogue fused into one kernel call: the ops it replaces and the
/// constants of qlp_rt_gemm_desc.
struct Epilogue {
  /// The op whose result the call produces (the layer, its rescale or the
  /// clamp after it) and the ops to erase, last first.
  Operation *last;
  SmallVector<Operation *> fused;
  bool hasRescale = false;
  int32_t rounding = 0, inputZp = 0, outputZp = 0;
  int32_t clampMin = 0, clampMax = 0, outBytes = 4, outBits = 32;
  SmallVector<int32_t> multipliers, shifts;
  /// A binary layer's per-channel bias, taken from a fused tosa.add (one
  /// value per output column), or empty.
  SmallVector<int32_t> bias;
  /// The op that defined that bias constant, erased with the fused ops if
  /// nothing else uses it.
  Operation *biasConstant = nullptr;
};

/// Storage width of an element type as the kernels see it: 1 for
/// !qlp.binary, else the integer width.
unsigned elementBits(Type type);

/// The values of a constant weight tensor, row-major, one int8_t each (binary
/// weights as -1 / +1): an `arith.constant` of i8/i4/i2 values, or a
/// `qlp.unpack` of a constant word tensor (how packed int4 and binary
/// weights appear in qlp programs). Returns nullopt for anything else.
std::optional<SmallVector<int8_t>> constantWeights(Value value);

/// Transposes an `fhwc` weight [F][KH][KW][C] into `hwcf` [KH][KW][C][F], the
/// [K][N] matrix of the GEMM view.
SmallVector<int8_t> fhwcToHwcf(ArrayRef<int8_t> w, int64_t f,
                                      int64_t khwc);

int64_t signedMin(unsigned bits);

int64_t signedMax(unsigned bits);

/// Matches the per-channel bias of a binary layer (whose ops have no bias
/// attribute): qlp-quantize applies it to the accumulator `acc` as an i32
/// `tosa.add` of a constant before the requantization. The add must be
/// acc's only user, take acc and a constant in either order, and produce
/// acc's type; the constant must be an i32 tensor with one value per output
/// channel (shape [1, ..., 1, N] or [N]) or a single value for all of them
/// (every dimension 1). On a match, records the bias and the add in
/// `epilogue` and returns the add's result; otherwise returns null.
///
/// The kernels add the bias to the exact binary accumulator K - 2 * popcount
/// in [-K, K], and the plan builder requires |bias| + K <= 2^31 - 1 so that
/// the sum is exact in int32 (runtime/qlp_kernels.h). A larger bias is left
/// to the reference lowering here instead of letting the plan builder reject
/// the whole layer: the layer still runs on the kernel, int32 out.
Value matchBinaryBias(Value acc, int64_t k, Epilogue &epilogue);

/// Matches `layer -> [tosa.add bias] -> [qlp.rescale -> [qlp.clamp]]`, each
/// the only user of the previous value. The bias add is matched only for a
/// binary layer, given as its reduction length `binaryK` (see
/// matchBinaryBias); the integer layers carry their bias as an attribute. A
/// rescale fuses when its scale is per tensor or per output channel (the
/// last dimension); a clamp fuses when its range meets the rescale's.
Epilogue matchEpilogue(Operation *layer,
                              std::optional<int64_t> binaryK = std::nullopt);

SmallVector<int32_t> biasValues(std::optional<DenseIntElementsAttr> bias);

/// Erases the op that produced a layer's weights once the plan holds them:
/// a qlp.unpack would otherwise reach the reference lowering with no user.
void eraseIfDead(Operation *op);

/// Whether every dimension of `type` but the first (a batch) is static.
bool isStaticOrBatch(RankedTensorType type);

/// Whether a kernel call can allocate the result of `epilogue` (its last
/// op's type) with the dynamic sizes of the layer's input: only the first
/// `shared` dimensions, which the output has in common with the input (the
/// rows and batch of a matmul, the batch of a convolution), may be dynamic.
/// A verifier accepts a dynamic size anywhere a static one is implied (the
/// shapes need only be compatible); such layers stay with the reference
/// lowering, which computes every size.
bool hasKernelOutputShape(const Epilogue &epilogue, int64_t shared);

/// A layer's activations for a kernel: `input` as the kernel reads it and a
/// read-only buffer of that (bufferization.to_buffer at `b`). A binary
/// tensor is read through its storage type, i1 (one byte per element in
/// memory, bit 0 the value's encoding): an unrealized cast marked
/// kStorageViewAttrName, which folds away once the reference lowering has
/// turned the producer into i1.
std::pair<Value, Value> activationBuffer(OpBuilder &b, Location loc,
                                         Value input);

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_LAYERMATCH_H
