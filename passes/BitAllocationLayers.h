//===- BitAllocationLayers.h - Quantizable layers of a module ----*- C++
//-*-===//
//
// Finds the layers whose weights qlp-allocate-bits chooses widths for: ops
// with a constant weight operand, in qlp, TOSA or linalg form, with their
// parameter count, multiply-accumulate count and the output-channel axes the
// per-channel weight quantizer uses for that form.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_PASSES_BITALLOCATIONLAYERS_H
#define QLP_PASSES_BITALLOCATIONLAYERS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir {
namespace qlp {

/// One layer with a constant weight.
struct QuantizableLayer {
  /// The layer op (qlp.matmul, tosa.conv2d, linalg.matmul, ...).
  Operation *op = nullptr;
  /// The weight operand.
  Value weight;
  /// The weight's constant value as the op sees it: for a qlp.unpack of a
  /// constant, the unpacked values (or none when they cannot be folded).
  ElementsAttr values;
  /// Whether the weight has a float element type: only then can its
  /// quantization error be measured.
  bool isFloat = false;
  /// Static weight shape.
  SmallVector<int64_t> shape;
  /// The weight dimensions that index output channels, outermost first;
  /// per-channel scales run over their combined index.
  SmallVector<int64_t> channelDims;
  /// Number of weights.
  int64_t params = 0;
  /// Multiply-accumulates of one execution, when the shapes are static.
  std::optional<int64_t> macs;

  /// Number of output channels (product of the channel dimensions' sizes).
  int64_t getNumChannels() const;
  /// The output channel of the weight at row-major flat index `i`.
  int64_t getChannel(int64_t i) const;
};

/// Collects the quantizable layers of `root` in program order. A layer with
/// a constant weight whose shape is not static is an error at that op (the
/// parameter count would be unknown). Ops without a constant weight (a
/// matmul of two activations) are not layers and are skipped.
FailureOr<SmallVector<QuantizableLayer>>
collectQuantizableLayers(Operation *root);

/// Reads a float weight as doubles. Fails, with an error at the layer, when
/// a value is not finite; returns std::nullopt when the attribute's storage
/// cannot be iterated (for example a dense_resource blob).
FailureOr<std::optional<SmallVector<double>>>
readFloatWeights(const QuantizableLayer &layer);

} // namespace qlp
} // namespace mlir

#endif // QLP_PASSES_BITALLOCATIONLAYERS_H
