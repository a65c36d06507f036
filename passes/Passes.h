//===- Passes.h - quant-lp transformation passes -----------------*- C++ -*-===//
//
// Declares the passes of passes/Passes.td: the importers, batch-norm folding,
// quantization, scale folding, the integer-only check and bit allocation.
// `registerQLPPasses()` makes them available to quant-opt-like drivers.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_PASSES_PASSES_H
#define QLP_PASSES_PASSES_H

#include "dialect/QLPDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace qlp {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace qlp
} // namespace mlir

#endif // QLP_PASSES_PASSES_H
