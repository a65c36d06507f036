// PLACEHOLDER: replaced by its owner before the next commit.
#include "passes/Passes.h"
namespace mlir::qlp {
#define GEN_PASS_DEF_QLPIMPORTLINALG
#include "passes/Passes.h.inc"
namespace {
struct QLPImportLinalgPass : impl::QLPImportLinalgBase<QLPImportLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("QLPImportLinalg is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
