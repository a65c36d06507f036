// PLACEHOLDER: replaced by its owner before the next commit.
#include "passes/Passes.h"
namespace mlir::qlp {
#define GEN_PASS_DEF_QLPVERIFYINTEGERONLY
#include "passes/Passes.h.inc"
namespace {
struct QLPVerifyIntegerOnlyPass : impl::QLPVerifyIntegerOnlyBase<QLPVerifyIntegerOnlyPass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("QLPVerifyIntegerOnly is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
