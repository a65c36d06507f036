// PLACEHOLDER: replaced by its owner before the next commit.
#include "passes/Passes.h"
namespace mlir::qlp {
#define GEN_PASS_DEF_QLPFOLDSCALES
#include "passes/Passes.h.inc"
namespace {
struct QLPFoldScalesPass : impl::QLPFoldScalesBase<QLPFoldScalesPass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("QLPFoldScales is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
