//===- QLPOps.h - quant-lp op declarations ------------------------*- C++ -*-===//
//
// Declares the qlp dialect's ops. Including this header gives the whole
// dialect: ops, types, attributes and enums.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_QLPOPS_H
#define QLP_DIALECT_QLPOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/QLPAttrs.h"
#include "dialect/QLPDialect.h"
#include "dialect/QLPTypes.h"

#define GET_OP_CLASSES
#include "dialect/QLPOps.h.inc"

namespace mlir::qlp {
/// Number of bits one element of `elementType` occupies when packed: the
/// integer width, or 1 for `!qlp.binary`. Returns 0 for other types.
unsigned getPackedBitWidth(Type elementType);
} // namespace mlir::qlp

#endif // QLP_DIALECT_QLPOPS_H
