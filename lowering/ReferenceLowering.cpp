// PLACEHOLDER: replaced by its owner before the next commit.
#include "lowering/Passes.h"
namespace mlir::qlp {
#define GEN_PASS_DEF_QLPLOWERTOREFERENCE
#include "lowering/Passes.h.inc"
namespace {
struct QLPLowerToReferencePass : impl::QLPLowerToReferenceBase<QLPLowerToReferencePass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("QLPLowerToReference is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
