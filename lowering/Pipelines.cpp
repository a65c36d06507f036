//===- Pipelines.cpp - The quant-lp compilation pipelines -----------------===//
//
// Chains the passes of every layer into `--qlp-cpu-pipeline`. Each importer
// only touches the ops of its own input form, so the same pipeline accepts a
// float TOSA or linalg model, an int8 TOSA model or qlp IR.
//
//===----------------------------------------------------------------------===//

#include "lowering/Pipelines.h"

#include "lowering/LLVMLowering.h"
#include "lowering/Passes.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::qlp;

void mlir::qlp::buildIntegerProgramPipeline(OpPassManager &pm,
                                            const CPUPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createQLPImportLinalg());
  pm.addNestedPass<func::FuncOp>(createQLPImportTOSA());
  pm.addNestedPass<func::FuncOp>(createQLPFoldBatchNorm());

  QLPQuantizeOptions quantize;
  quantize.calibration = options.calibration;
  quantize.weightBits = options.weightBits;
  quantize.actBits = options.actBits;
  pm.addPass(createQLPQuantize(quantize));

  QLPFoldScalesOptions foldScales;
  foldScales.rounding = options.rounding;
  pm.addPass(createQLPFoldScales(foldScales));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createQLPVerifyIntegerOnly());
}

void mlir::qlp::buildCPUPipeline(OpPassManager &pm,
                                 const CPUPipelineOptions &options) {
  buildIntegerProgramPipeline(pm, options);
  if (options.kernels)
    pm.addPass(createQLPLowerToKernels());
  pm.addPass(createQLPLowerToReference());
  pm.addPass(createCanonicalizerPass());
  if (options.lowerToLLVM)
    addLowerToLLVMPasses(pm);
}

void mlir::qlp::registerQLPPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "qlp-cpu-pipeline",
      "Compile a float, int8 TOSA or qlp model into an integer-only program "
      "for the CPU (LLVM dialect)",
      buildCPUPipeline);
}
