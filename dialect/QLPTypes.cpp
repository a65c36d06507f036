//===- QLPTypes.cpp - quant-lp type definitions -----------------*- C++ -*-===//
//
// Definitions of the qlp dialect's types.
//
//===----------------------------------------------------------------------===//

#include "dialect/QLPTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qlp;

#define GET_TYPEDEF_CLASSES
#include "dialect/QLPOpsTypes.cpp.inc"

void QLPDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialect/QLPOpsTypes.cpp.inc"
      >();
}
