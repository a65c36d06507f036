//===- quant-opt.cpp - quant-lp optimizer driver ----------------*- C++ -*-===//
//
// An mlir-opt compatible driver with the qlp dialect, the quant-lp passes and
// pipelines, and the upstream dialects and passes the pipeline uses (so that
// tests can run upstream lowerings, e.g. of tosa.rescale, as oracles).
//
//===----------------------------------------------------------------------===//

#include "lowering/Passes.h"
#include "lowering/Pipelines.h"
#include "passes/Passes.h"
#include "tools/RegisterDialects.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::qlp::registerQuantLPToolDialects(registry);
  mlir::registerAllPasses();
  mlir::qlp::registerQLPPasses();
  mlir::qlp::registerQLPLoweringPasses();
  mlir::qlp::registerQLPPipelines();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "quant-lp optimizer driver\n", registry));
}
