//===- QLPDialect.h - quant-lp dialect declaration ----------------*- C++ -*-===//
//
// Declares the qlp dialect class and the dialect's enums.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_QLPDIALECT_H
#define QLP_DIALECT_QLPDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Dialect.h"

#include "dialect/QLPOpsDialect.h.inc"

#include "dialect/QLPEnums.h.inc"

#endif // QLP_DIALECT_QLPDIALECT_H
