//===- LLVMLowering.cpp - From tensors to the LLVM dialect ----------------===//
//
// The upstream passes that take a program on tensors (linalg, arith, tensor,
// math and whatever TOSA the qlp importers left, e.g. in a float model run
// as is) to the LLVM dialect. The stages, in order:
//
//  1. TOSA to linalg/arith/tensor, as upstream's TOSA pipeline does
//     (`tosa::addTosaToLinalgPasses`, then tosa-to-arith and tosa-to-tensor).
//     `tosa.apply_scale`, which tosa-to-linalg emits for `tosa.rescale`, is
//     lowered with 64-bit intermediates so that it is exact.
//  2. Elementwise arith/math on tensors to linalg.generic: one-shot
//     bufferization only knows ops with a bufferization interface.
//  3. The C interface: every public function gets `llvm.emit_c_interface`,
//     and its tensor arguments are marked `bufferization.writable = false`,
//     because they are the caller's buffers (quant-run's .npy inputs, read
//     again by every `--repeat` run) and must never be updated in place.
//  4. One-shot bufferization across function boundaries with identity
//     layouts, so the C interface takes plain row-major memrefs; memref
//     results become trailing out-params (allocated by the caller and
//     written in place when their allocation can be hoisted); ownership-based
//     deallocation frees every temporary.
//  5. memref.copy between non-contiguous memrefs (slices, concatenations,
//     pads) becomes linalg.copy: the LLVM lowering would otherwise call
//     `memrefCopy` from libmlir_c_runner_utils, and the generated code should
//     not depend on a runtime library. Then linalg to loops, and the
//     conversions of every remaining dialect to the LLVM dialect.
//
// Each stage is its own function (LLVMLowering.h) so that the GPU pipeline
// can run stages 1-4, map the loops to GPU kernels, and finish with the
// host part of stage 5; addLowerToLLVMPasses chains them unchanged.
//
//===----------------------------------------------------------------------===//

#include "lowering/LLVMLowering.h"

#include "lowering/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Arith/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPPREPARECINTERFACE
#define GEN_PASS_DEF_QLPSTRIDEDCOPYTOLINALG
#include "lowering/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;

namespace {

/// Stage 3: prepares public functions for being called through their C
/// interface (see the file comment and Passes.td).
struct PrepareCInterfacePass
    : public qlp::impl::QLPPrepareCInterfaceBase<PrepareCInterfacePass> {
  // The interface models of the bufferization passes that follow: declaring
  // them here makes the pipeline work in any context, not only in tools that
  // registered every upstream extension.
  void getDependentDialects(DialectRegistry &registry) const override {
    QLPPrepareCInterfaceBase::getDependentDialects(registry);
    qlp::registerLLVMLoweringInterfaces(registry);
  }

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    auto readOnly = BoolAttr::get(ctx, false);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      // qlp.* argument and result attributes (qlp.name, qlp.range) are
      // compile-time metadata; the LLVM dialect has no use for them and
      // would warn about each one.
      auto isQLP = [](NamedAttribute attr) {
        return attr.getName().strref().starts_with("qlp.");
      };
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        if (DictionaryAttr dict = func.getArgAttrDict(i))
          for (NamedAttribute attr : llvm::to_vector(dict))
            if (isQLP(attr))
              func.removeArgAttr(i, attr.getName());
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        if (DictionaryAttr dict = func.getResultAttrDict(i))
          for (NamedAttribute attr : llvm::to_vector(dict))
            if (isQLP(attr))
              func.removeResultAttr(i, attr.getName());
      if (func.isExternal() || !func.isPublic())
        continue;
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(ctx));
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        if (!isa<TensorType>(func.getArgument(i).getType()))
          continue;
        // An explicit annotation by the producer of the IR wins.
        if (func.getArgAttr(i, bufferization::BufferizationDialect::
                                   kWritableAttrName))
          continue;
        func.setArgAttr(
            i, bufferization::BufferizationDialect::kWritableAttrName,
            readOnly);
      }
    }
  }
};

/// Rewrites a memref.copy whose source or target is not contiguous into
/// linalg.copy, which becomes loops (stage 5 of the file comment).
struct StridedCopyToLinalgPass
    : public qlp::impl::QLPStridedCopyToLinalgBase<StridedCopyToLinalgPass> {

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) {
      auto source = dyn_cast<MemRefType>(copy.getSource().getType());
      auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
      // Unranked copies keep the library call; the flows of this file never
      // produce them.
      if (!source || !target)
        return;
      if (!source.getLayout().isIdentity() || !target.getLayout().isIdentity())
        copies.push_back(copy);
    });
    for (memref::CopyOp copy : copies) {
      OpBuilder builder(copy);
      linalg::CopyOp::create(builder, copy.getLoc(),
                             ValueRange{copy.getSource()},
                             ValueRange{copy.getTarget()});
      copy.erase();
    }
  }
};

} // namespace

void mlir::qlp::registerLLVMLoweringInterfaces(DialectRegistry &registry) {
  registry.insert<bufferization::BufferizationDialect, func::FuncDialect,
                  linalg::LinalgDialect, memref::MemRefDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferDeallocationOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  cf::registerBufferizableOpInterfaceExternalModels(registry);
  cf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerSubsetOpInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerSubsetOpInterfaceExternalModels(registry);
}

void mlir::qlp::addTosaToLinalgStagePasses(OpPassManager &pm) {
  // 1. TOSA. No validation pass: the importers already accepted the input,
  // and a float model run as is should not be held to a TOSA profile.
  tosa::addTosaToLinalgPasses(pm, TosaToLinalgOptions(),
                              TosaToLinalgNamedOptions(),
                              /*validationOptions=*/std::nullopt);
  TosaToArithPassOptions tosaToArith;
  tosaToArith.includeApplyRescale = true;
  tosaToArith.use32Bit = false;
  pm.addNestedPass<func::FuncOp>(createTosaToArithPass(tosaToArith));
  pm.addNestedPass<func::FuncOp>(createTosaToTensorPass());

  // 2. Elementwise ops on tensors.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::qlp::addBufferizeStagePasses(OpPassManager &pm) {
  // 3-4. C interface and bufferization.
  pm.addPass(createQLPPrepareCInterface());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  pm.addPass(bufferization::createEmptyTensorToAllocTensorPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
}

void mlir::qlp::addOutParamsStagePasses(OpPassManager &pm) {
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createCanonicalizerPass());
}

void mlir::qlp::addHostToLLVMStagePasses(OpPassManager &pm) {
  // expand-strided-metadata computes the offsets and strides of views with
  // dynamic sizes as affine.apply, so affine is lowered after it.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  // Whatever math has no LLVM intrinsic (erf, ...) becomes a libm call.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
}

void mlir::qlp::addLowerToLLVMPasses(OpPassManager &pm) {
  addTosaToLinalgStagePasses(pm);
  addBufferizeStagePasses(pm);
  addOutParamsStagePasses(pm);
  // 5. Loops, then the LLVM dialect.
  pm.addPass(createQLPStridedCopyToLinalg());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  addHostToLLVMStagePasses(pm);
  pm.addPass(createReconcileUnrealizedCastsPass());
}
