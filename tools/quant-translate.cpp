//===- quant-translate.cpp - quant-lp's translation driver ----------------===//
//
// mlir-translate with quant-lp's dialects registered: `--mlir-to-llvmir`
// turns the LLVM-dialect output of `quant-opt --qlp-cpu-pipeline` into LLVM
// IR, which clang, llc or opt take from there.
//
//===----------------------------------------------------------------------===//

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

using namespace mlir;

int main(int argc, char **argv) {
  registerToLLVMIRTranslation();
  return failed(mlirTranslateMain(argc, argv, "quant-lp translation driver"));
}
