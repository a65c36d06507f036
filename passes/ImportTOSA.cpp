// PLACEHOLDER: replaced by its owner before the next commit.
#include "passes/Passes.h"
namespace mlir::qlp {
#define GEN_PASS_DEF_QLPIMPORTTOSA
#include "passes/Passes.h.inc"
namespace {
struct QLPImportTOSAPass : impl::QLPImportTOSABase<QLPImportTOSAPass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation()->emitError("QLPImportTOSA is not implemented yet");
    signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
