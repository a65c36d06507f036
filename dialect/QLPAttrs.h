//===- QLPAttrs.h - quant-lp attribute declarations ---------------*- C++ -*-===//
//
// Declares the qlp dialect's attributes: the dyadic scale and the enum
// attributes.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_QLPATTRS_H
#define QLP_DIALECT_QLPATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include "dialect/Dyadic.h"
#include "dialect/QLPDialect.h"

#define GET_ATTRDEF_CLASSES
#include "dialect/QLPAttrs.h.inc"

#endif // QLP_DIALECT_QLPATTRS_H
