//===- QLPTypes.h - quant-lp type declarations --------------------*- C++ -*-===//
//
// Declares the qlp dialect's types (the binary element type).
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_QLPTYPES_H
#define QLP_DIALECT_QLPTYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Types.h"

#include "dialect/QLPDialect.h"

#define GET_TYPEDEF_CLASSES
#include "dialect/QLPOpsTypes.h.inc"

#endif // QLP_DIALECT_QLPTYPES_H
