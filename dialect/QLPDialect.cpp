//===- QLPDialect.cpp - quant-lp dialect registration -----------*- C++ -*-===//
//
// Registers the qlp dialect's ops, types and attributes, and materializes
// the constants its folders produce.
//
//===----------------------------------------------------------------------===//

#include "dialect/QLPDialect.h"
#include "dialect/QLPAttrs.h"
#include "dialect/QLPOps.h"
#include "dialect/QLPTypes.h"

using namespace mlir;
using namespace mlir::qlp;

#include "dialect/QLPOpsDialect.cpp.inc"

void QLPDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/QLPOps.cpp.inc"
      >();
  registerTypes();
  registerAttributes();
}

Operation *QLPDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  if (!arith::ConstantOp::isBuildableWith(value, type))
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, cast<TypedAttr>(value));
}
