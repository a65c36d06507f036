//===- ImportUtils.h - Helpers shared by the model importers ----*- C++ -*-===//
//
// Small helpers of qlp-import-linalg, qlp-import-tosa and qlp-fold-batchnorm:
// reading constant operands, carrying the user's `qlp.*` annotations from a
// replaced op to its replacement, and moving between `!quant.uniform`
// tensors and their integer storage.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_PASSES_IMPORTUTILS_H
#define QLP_PASSES_IMPORTUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"

#include "llvm/ADT/SmallVector.h"

namespace mlir::qlp {

/// Copies every discardable attribute whose name starts with `qlp.`
/// (`qlp.name`, `qlp.range`, `qlp.bits`, ...) from `from` to `to`, keeping
/// any value `to` already has. Importers call it on the op that produces the
/// value `from` produced, so calibration ranges and bit widths keyed to the
/// original op still apply.
void copyQLPAttributes(Operation *from, Operation *to);

/// The elements of `value` when it is produced by a constant-like op
/// (`tosa.const`, `arith.constant`, ...) holding dense elements.
FailureOr<DenseElementsAttr> getConstantElements(Value value);

/// The integer elements of a constant `value`, sign-extended to int64.
FailureOr<SmallVector<int64_t>> getConstantIntegers(Value value);

/// The integer storage type of `type`: a tensor of `!quant.uniform<i8:...>`
/// becomes a tensor of `i8`; other types are returned unchanged.
Type getStorageType(Type type);

/// `value` as its integer storage: a `quant.scast` when its element type is
/// quantized, `value` itself otherwise.
Value castToStorage(OpBuilder &builder, Location loc, Value value);

/// `value` (integer storage) as `type`: a `quant.scast` when `type` has a
/// quantized element type, `value` itself otherwise.
Value castFromStorage(OpBuilder &builder, Location loc, Value value, Type type);

/// A `tosa.reshape` of `value` to `shape` (same element type), with the
/// `tosa.const_shape` operand TOSA 1.0 requires.
Value createTosaReshape(OpBuilder &builder, Location loc, Value value,
                        ArrayRef<int64_t> shape);

/// Erases the ops of `roots` that are dead and free of side effects, then
/// the producers (constants, constant expressions, pads, fills) that become
/// dead in turn. Importers call it on the ops they replaced.
void eraseDeadTrees(RewriterBase &rewriter, ArrayRef<Operation *> roots);

} // namespace mlir::qlp

#endif // QLP_PASSES_IMPORTUTILS_H
