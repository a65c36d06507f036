//===- Passes.td - quant-lp lowering passes ----------------*- tablegen -*-===//
//
// Lowerings of qlp programs towards executable code.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_PASSES_TD
#define QLP_LOWERING_PASSES_TD

include "mlir/Pass/PassBase.td"

def QLPLowerToReference : Pass<"qlp-lower-to-reference", "ModuleOp"> {
  let summary = "Lower qlp ops to plain linalg, arith and tensor ops";
  let description = [{
    Described in lowering/ReferenceLowering.cpp.
  }];
  let dependentDialects = ["arith::ArithDialect", "linalg::LinalgDialect",
                           "tensor::TensorDialect"];
}

#endif // QLP_LOWERING_PASSES_TD
