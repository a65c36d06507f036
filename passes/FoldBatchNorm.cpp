// PLACEHOLDER: replaced by its owner before the next commit.
#include "passes/Passes.h"
namespace mlir::qlp {
#define GEN_PASS_DEF_QLPFOLDBATCHNORM
#include "passes/Passes.h.inc"
namespace {
struct QLPFoldBatchNormPass : impl::QLPFoldBatchNormBase<QLPFoldBatchNormPass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("QLPFoldBatchNorm is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
