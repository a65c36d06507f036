//===- Pipelines.cpp - The quant-lp compilation pipelines -----------------===//
//
// Chains the passes of every layer into `--qlp-cpu-pipeline` and
// `--qlp-gpu-pipeline`. Each importer only touches the ops of its own input
// form, so the same pipelines accept a float TOSA or linalg model, an int8
// TOSA model or qlp IR.
//
//===----------------------------------------------------------------------===//

#include "lowering/Pipelines.h"

#include "lowering/GPUHostLowering.h"
#include "lowering/LLVMLowering.h"
#include "lowering/Passes.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::qlp;

template <typename Derived>
static void addIntegerProgramPasses(OpPassManager &pm,
                                    const IntegerProgramOptions<Derived> &options) {
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

void mlir::qlp::buildIntegerProgramPipeline(OpPassManager &pm,
                                            const CPUPipelineOptions &options) {
  addIntegerProgramPasses(pm, options);
}

void mlir::qlp::buildIntegerProgramPipeline(OpPassManager &pm,
                                            const GPUPipelineOptions &options) {
  addIntegerProgramPasses(pm, options);
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

StringRef mlir::qlp::stringifyGPUChip(GPUChip chip) {
  switch (chip) {
  case GPUChip::SM75:
    return "sm_75";
  case GPUChip::SM80:
    return "sm_80";
  case GPUChip::SM86:
    return "sm_86";
  case GPUChip::SM89:
    return "sm_89";
  case GPUChip::SM90:
    return "sm_90";
  }
  llvm_unreachable("unknown GPUChip");
}

/// The name gpu-module-to-binary gives `format` (its `format` option).
static StringRef stringifyGPUBinaryFormat(GPUBinaryFormat format) {
  switch (format) {
  case GPUBinaryFormat::PTX:
    return "isa";
  case GPUBinaryFormat::Cubin:
    return "bin";
  case GPUBinaryFormat::Fatbin:
    return "fatbin";
  }
  llvm_unreachable("unknown GPUBinaryFormat");
}

void mlir::qlp::buildGPUPipeline(OpPassManager &pm,
                                 const GPUPipelineOptions &options) {
  // 1. The integer program, exactly as for the CPU.
  buildIntegerProgramPipeline(pm, options);

  // 2. quant-lp's tensor-core kernels for the layers with constant weights.
  if (options.kernels) {
    QLPLowerToGPUOptions gpu;
    gpu.chip = stringifyGPUChip(options.chip).str();
    pm.addPass(createQLPLowerToGPU(gpu));
  }

  // 3. Everything else to linalg.
  pm.addPass(createQLPLowerToReference());
  pm.addPass(createCanonicalizerPass());

  // 4. The CPU lowering's TOSA, C interface and bufferization stages; the
  // argument count is recorded before the out-params are appended, so that
  // the placement knows which arguments to copy back to the host.
  addTosaToLinalgStagePasses(pm);
  addBufferizeStagePasses(pm);
  pm.addPass(createQLPGPURecordInputs());
  addOutParamsStagePasses(pm);

  // 5. Kernels for the remaining loops, device buffers.
  addGPUDevicePlacementPasses(pm);
  if (!options.lowerToLLVM)
    return;

  // 6. NVVM, the host LLVM lowering and the embedded binaries.
  addGPUToLLVMPasses(pm, stringifyGPUChip(options.chip),
                     stringifyGPUBinaryFormat(options.format));
}

void mlir::qlp::registerQLPPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "qlp-cpu-pipeline",
      "Compile a float, int8 TOSA or qlp model into an integer-only program "
      "for the CPU (LLVM dialect)",
      buildCPUPipeline);
  PassPipelineRegistration<GPUPipelineOptions>(
      "qlp-gpu-pipeline",
      "Compile a float, int8 TOSA or qlp model into an integer-only program "
      "for NVIDIA GPUs (host code in the LLVM dialect with embedded PTX, "
      "cubin or fatbin)",
      buildGPUPipeline);
}
