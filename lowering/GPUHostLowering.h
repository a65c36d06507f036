//===- GPUHostLowering.h - Kernels and device buffers -----------*- C++ -*-===//
//
// The stages of `--qlp-gpu-pipeline` after bufferization: every linalg op
// left on the host becomes a GPU kernel, every buffer a kernel touches lives
// in device memory with explicit copies at the host/device boundary, and the
// GPU modules are lowered to NVVM and embedded as binaries. The passes
// (qlp-gpu-record-inputs, qlp-gpu-map-loops, qlp-gpu-place-buffers) are
// declared and documented in lowering/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_GPUHOSTLOWERING_H
#define QLP_LOWERING_GPUHOSTLOWERING_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>
#include <string>

namespace mlir {
namespace qlp {

/// The attribute `qlp-gpu-record-inputs` puts on public functions: how many
/// arguments the function had before buffer-results-to-out-params appended
/// its out-params (`qlp.num_inputs = N : i64`).
inline constexpr llvm::StringLiteral kNumInputsAttrName = "qlp.num_inputs";

/// Adds step 5 of the GPU pipeline, on memrefs after deallocation: linalg to
/// mapped parallel loops, gpu.launch, kernel outlining into gpu.module ops,
/// and device placement of the buffers.
void addGPUDevicePlacementPasses(OpPassManager &pm, unsigned blockSize = 256);

/// Adds step 6: the GPU modules to NVVM (index bitwidth 64) with an
/// #nvvm.target for `chip` (PTX ISA 8.0), the host to the LLVM dialect with
/// gpu runtime calls, and gpu-module-to-binary with `format` ("isa", "bin"
/// or "fatbin").
void addGPUToLLVMPasses(OpPassManager &pm, llvm::StringRef chip,
                        llvm::StringRef format);

/// Registers what the GPU lowering needs besides its passes' dialects: the
/// ConvertToLLVMPatternInterface of every dialect that convert-gpu-to-nvvm
/// and gpu-to-llvm meet, the #nvvm.target serialization and the LLVM IR
/// translations gpu-module-to-binary uses. qlp-gpu-place-buffers declares
/// them, so `--qlp-gpu-pipeline` works in any context; a client running the
/// upstream passes one by one calls this.
void registerGPULoweringInterfaces(DialectRegistry &registry);

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_GPUHOSTLOWERING_H
