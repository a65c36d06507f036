// PLACEHOLDER: replaced by its owner before the next commit.
#include "passes/Passes.h"
namespace mlir::qlp {
#define GEN_PASS_DEF_QLPQUANTIZE
#include "passes/Passes.h.inc"
namespace {
struct QLPQuantizePass : impl::QLPQuantizeBase<QLPQuantizePass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("QLPQuantize is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
