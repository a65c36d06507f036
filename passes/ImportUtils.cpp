//===- ImportUtils.cpp - Helpers shared by the model importers ------------===//
//
// See ImportUtils.h.
//
//===----------------------------------------------------------------------===//

#include "passes/ImportUtils.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;

void qlp::copyQLPAttributes(Operation *from, Operation *to) {
  for (NamedAttribute attr : from->getDiscardableAttrs())
    if (attr.getName().getValue().starts_with("qlp.") &&
        !to->hasAttr(attr.getName()))
      to->setAttr(attr.getName(), attr.getValue());
}

FailureOr<DenseElementsAttr> qlp::getConstantElements(Value value) {
  DenseElementsAttr elements;
  if (!value || !matchPattern(value, m_Constant(&elements)))
    return failure();
  return elements;
}

FailureOr<SmallVector<int64_t>> qlp::getConstantIntegers(Value value) {
  FailureOr<DenseElementsAttr> elements = getConstantElements(value);
  if (failed(elements) || !isa<IntegerType>(elements->getElementType()))
    return failure();
  SmallVector<int64_t> result;
  result.reserve(elements->getNumElements());
  for (const APInt &element : elements->getValues<APInt>())
    result.push_back(element.getSExtValue());
  return result;
}

Type qlp::getStorageType(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  Type element = shaped ? shaped.getElementType() : type;
  auto quantized = dyn_cast<quant::QuantizedType>(element);
  if (!quantized)
    return type;
  return shaped ? shaped.clone(quantized.getStorageType())
                : quantized.getStorageType();
}

Value qlp::castToStorage(OpBuilder &builder, Location loc, Value value) {
  Type storage = getStorageType(value.getType());
  if (storage == value.getType())
    return value;
  return quant::StorageCastOp::create(builder, loc, storage, value);
}

Value qlp::castFromStorage(OpBuilder &builder, Location loc, Value value,
                           Type type) {
  if (value.getType() == type)
    return value;
  return quant::StorageCastOp::create(builder, loc, type, value);
}

Value qlp::createTosaReshape(OpBuilder &builder, Location loc, Value value,
                             ArrayRef<int64_t> shape) {
  ImplicitLocOpBuilder b(loc, builder);
  auto type = RankedTensorType::get(
      shape, cast<ShapedType>(value.getType()).getElementType());
  return tosa::ReshapeOp::create(b, type, value,
                                 tosa::getTosaConstShape(b, shape));
}

void qlp::eraseDeadTrees(RewriterBase &rewriter, ArrayRef<Operation *> roots) {
  SmallVector<Operation *> worklist(roots);
  // An op can be queued twice (an operand used twice); remember the erased
  // ones so that a stale pointer is never dereferenced.
  llvm::SmallPtrSet<Operation *, 16> erased;
  while (!worklist.empty()) {
    Operation *next = worklist.pop_back_val();
    if (erased.contains(next) || !isOpTriviallyDead(next))
      continue;
    // Operands of the op and of the ops in its regions (a tensor.pad's
    // yielded padding value is defined outside the pad).
    next->walk([&](Operation *nested) {
      for (Value operand : nested->getOperands())
        if (Operation *producer = operand.getDefiningOp())
          if (!next->isProperAncestor(producer) && producer != next)
            worklist.push_back(producer);
    });
    erased.insert(next);
    rewriter.eraseOp(next);
  }
}
