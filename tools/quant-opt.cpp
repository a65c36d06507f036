//===- quant-opt.cpp - quant-lp optimizer driver ----------------*- C++ -*-===//
//
// An mlir-opt compatible driver with the qlp dialect and the upstream
// dialects and passes the quant-lp pipeline uses.
//
//===----------------------------------------------------------------------===//

#include "tools/RegisterDialects.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::qlp::registerQuantLPToolDialects(registry);
  // Generic transformations (canonicalize, cse, inline, ...), which exercise
  // the qlp folders.
  mlir::registerTransformsPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "quant-lp optimizer driver\n", registry));
}
