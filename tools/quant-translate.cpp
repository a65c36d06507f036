//===- quant-translate.cpp - quant-lp's translation driver ----------------===//
//
// mlir-translate with quant-lp's translations:
//
//  - `--mlir-to-llvmir` turns the LLVM-dialect output of `quant-opt
//    --qlp-cpu-pipeline` (or the host part of `--qlp-gpu-pipeline`) into
//    LLVM IR, which clang, llc or opt take from there;
//  - `--qlp-emit-ptx` prints the PTX of every GPU module in the output of
//    `quant-opt --qlp-gpu-pipeline` (format=isa, the default), one after the
//    other, each preceded by a comment line naming its gpu.binary and chip,
//    so that the PTX can be read, or assembled with ptxas.
//
//===----------------------------------------------------------------------===//

#include "tools/RegisterDialects.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"

using namespace mlir;

/// Prints the PTX objects of every gpu.binary in `module`. Fails with a
/// diagnostic on a module that holds GPU modules not yet compiled (the GPU
/// pipeline was stopped early), on objects that are not PTX (a cubin or
/// fatbin), and on a module without GPU code at all.
static LogicalResult emitPTX(Operation *module, raw_ostream &os) {
  bool any = false;
  WalkResult result = module->walk([&](Operation *op) -> WalkResult {
    if (auto gpuModule = dyn_cast<gpu::GPUModuleOp>(op)) {
      gpuModule.emitError()
          << "gpu.module @" << gpuModule.getName()
          << " is not compiled yet: run quant-opt --qlp-gpu-pipeline (with "
             "to-llvm=true) first";
      return WalkResult::interrupt();
    }
    auto binary = dyn_cast<gpu::BinaryOp>(op);
    if (!binary)
      return WalkResult::advance();
    for (Attribute attr : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      if (object.getFormat() != gpu::CompilationTarget::Assembly) {
        binary.emitError()
            << "gpu.binary @" << binary.getName() << " holds a "
            << gpu::stringifyCompilationTarget(object.getFormat())
            << " object, not PTX: compile with --qlp-gpu-pipeline=\"... "
               "format=isa\"";
        return WalkResult::interrupt();
      }
      std::string chip = "unknown";
      if (auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget()))
        chip = target.getChip().str();
      os << "// gpu.binary @" << binary.getName() << ", " << chip << "\n";
      os << object.getObject().getValue();
      if (!object.getObject().getValue().ends_with("\n"))
        os << "\n";
      any = true;
    }
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return failure();
  if (!any)
    return module->emitError()
           << "no gpu.binary in the input: --qlp-emit-ptx reads the output "
              "of quant-opt --qlp-gpu-pipeline";
  return success();
}

int main(int argc, char **argv) {
  registerToLLVMIRTranslation();
  TranslateFromMLIRRegistration emitPTXRegistration(
      "qlp-emit-ptx",
      "print the PTX of every GPU module compiled by --qlp-gpu-pipeline",
      emitPTX, [](DialectRegistry &registry) {
        // Every dialect quant-opt reads and writes, so that any stage of the
        // pipeline parses and gets the diagnostic below rather than an
        // unknown-dialect error.
        qlp::registerQuantLPToolDialects(registry);
      });
  return failed(mlirTranslateMain(argc, argv, "quant-lp translation driver"));
}
