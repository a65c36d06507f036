//===- quant-lsp-server.cpp - MLIR language server for qlp ------*- C++ -*-===//
//
// MLIR's language server with the qlp dialect registered, so editors parse,
// verify and navigate .mlir files that use qlp.
//
//===----------------------------------------------------------------------===//

#include "tools/RegisterDialects.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"

#include <cstdlib>

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::qlp::registerQuantLPToolDialects(registry);
  return mlir::succeeded(mlir::MlirLspServerMain(argc, argv, registry))
             ? EXIT_SUCCESS
             : EXIT_FAILURE;
}
