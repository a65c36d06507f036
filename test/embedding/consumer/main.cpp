//===- main.cpp - A tiny compiler embedding the qlp dialect -----*- C++ -*-===//
//
// Registers qlp in its own MLIRContext, parses a module, verifies it, and
// reports what it found. Used by test/embedding/install.test to check the
// installed CMake package.
//
//===----------------------------------------------------------------------===//

#include "dialect/QLPOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: qlp-consumer FILE.mlir\n";
    return EXIT_FAILURE;
  }
  mlir::DialectRegistry registry;
  registry.insert<mlir::qlp::QLPDialect, mlir::func::FuncDialect>();
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module || mlir::failed(mlir::verify(*module)))
    return EXIT_FAILURE;

  unsigned qlpOps = 0;
  module->walk([&](mlir::Operation *op) {
    if (llvm::isa<mlir::qlp::QLPDialect>(op->getDialect()))
      ++qlpOps;
  });
  llvm::outs() << "verified " << qlpOps << " qlp ops\n";
  module->walk([](mlir::qlp::RescaleOp op) {
    mlir::qlp::DyadicScale scale = op.getScale().getScale(0);
    llvm::outs() << "rescale by " << scale.multiplier << " * 2^-"
                 << scale.shift << " (" << scale.toDouble() << ")\n";
  });
  return EXIT_SUCCESS;
}
