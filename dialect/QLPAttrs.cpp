//===- QLPAttrs.cpp - quant-lp attribute definitions ------------*- C++ -*-===//
//
// Definitions and verifiers of the qlp dialect's attributes.
//
//===----------------------------------------------------------------------===//

#include "dialect/QLPAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qlp;

#include "dialect/QLPEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/QLPAttrs.cpp.inc"

void QLPDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/QLPAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// DyadicAttr
//===----------------------------------------------------------------------===//

LogicalResult DyadicAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int32_t> multipliers,
                                 ArrayRef<int32_t> shifts,
                                 std::optional<int64_t> axis) {
  if (multipliers.empty())
    return emitError() << "expects at least one multiplier";
  if (multipliers.size() != shifts.size())
    return emitError() << "expects as many shifts as multipliers, got "
                       << shifts.size() << " shifts for " << multipliers.size()
                       << " multipliers";
  if (!axis && multipliers.size() != 1)
    return emitError() << "expects one multiplier and shift without an axis, "
                          "got "
                       << multipliers.size();
  if (axis && *axis < 0)
    return emitError() << "expects a non-negative axis, got " << *axis;
  for (auto [i, m] : llvm::enumerate(multipliers)) {
    // A zero or negative multiplier is a zero or negative scale: the
    // quantizer never produces one, and TOSA RESCALE forbids it.
    if (m < 1)
      return emitError() << "expects multipliers in [1, 2147483647], got " << m
                         << " at index " << i;
  }
  for (auto [i, s] : llvm::enumerate(shifts)) {
    // The lowering shifts an i64 product; a shift of 63 would drop the sign.
    if (s < 0 || s > kMaxDyadicShift)
      return emitError() << "expects shifts in [0, " << kMaxDyadicShift
                         << "], got " << s << " at index " << i;
  }
  return success();
}

DyadicScale DyadicAttr::getScale(int64_t channel) const {
  size_t index = isPerChannel() ? static_cast<size_t>(channel) : 0;
  return DyadicScale{getMultipliers()[index], getShifts()[index]};
}

LogicalResult
DyadicAttr::verifyFor(ShapedType type, StringRef what,
                      function_ref<InFlightDiagnostic()> emitError) const {
  if (!isPerChannel())
    return success();
  int64_t axis = *getAxis();
  if (axis >= type.getRank())
    return emitError() << "expects " << what << " axis " << axis
                       << " to be a dimension of the rank-" << type.getRank()
                       << " operand";
  int64_t dim = type.getDimSize(axis);
  // A dynamic channel count could only be checked at run time; requiring it
  // static keeps a scale/channel mismatch from ever reaching a kernel.
  if (ShapedType::isDynamic(dim))
    return emitError() << "expects a static dimension along " << what
                       << " axis " << axis;
  if (dim != getNumScales())
    return emitError() << "expects " << what << " to hold one scale per index "
                       << "along axis " << axis << " (" << dim << "), got "
                       << getNumScales();
  return success();
}
