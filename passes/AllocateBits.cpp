// PLACEHOLDER: replaced by its owner before the next commit.
#include "passes/Passes.h"
namespace mlir::qlp {
#define GEN_PASS_DEF_QLPALLOCATEBITS
#include "passes/Passes.h.inc"
namespace {
struct QLPAllocateBitsPass : impl::QLPAllocateBitsBase<QLPAllocateBitsPass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("QLPAllocateBits is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
