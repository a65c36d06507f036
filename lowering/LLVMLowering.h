//===- LLVMLowering.h - From tensors to the LLVM dialect ---------*- C++ -*-===//
//
// The upstream passes that take a program of linalg, arith, tensor (and any
// remaining TOSA) ops on tensors to the LLVM dialect, ready for the
// ExecutionEngine or `quant-translate --mlir-to-llvmir`. Shared by
// `--qlp-cpu-pipeline` and quant-run's float mode; `--qlp-gpu-pipeline`
// reuses its stages around the GPU kernel mapping (GPUHostLowering.h).
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_LLVMLOWERING_H
#define QLP_LOWERING_LLVMLOWERING_H

#include "mlir/Pass/PassManager.h"

namespace mlir {
namespace qlp {

/// Adds TOSA-to-linalg, bufferization (function results become out-params
/// with identity layouts), loops and the conversions to the LLVM dialect.
/// Public functions get `llvm.emit_c_interface`, so each has a
/// `_mlir_ciface_<name>` wrapper taking a pointer to a memref descriptor
/// (StridedMemRefType<T, rank>) per argument, then one per result, which the
/// caller allocates (row-major, static shape) and the function fills. The
/// arguments are read-only: the generated code never writes into them, so
/// a caller may pass the same inputs to many calls. The generated code needs
/// only the C library (malloc, free, memcpy) and libm for transcendental
/// float math; no MLIR runtime library.
void addLowerToLLVMPasses(OpPassManager &pm);

// The stages of addLowerToLLVMPasses, in order, for pipelines that insert
// their own passes between them (`--qlp-gpu-pipeline` maps the loops to GPU
// kernels between the deallocation and the host lowering). Together with
// qlp-strided-copy-to-linalg (createQLPStridedCopyToLinalg in Passes.h),
// linalg-to-loops and
// reconcile-unrealized-casts they are exactly addLowerToLLVMPasses.

/// Stages 1-2: TOSA to linalg/arith/tensor (tosa.apply_scale with 64-bit
/// intermediates), then elementwise ops on tensors to linalg.generic.
void addTosaToLinalgStagePasses(OpPassManager &pm);

/// Stages 3-4a: the C interface of public functions (llvm.emit_c_interface,
/// read-only tensor arguments) and one-shot bufferization across function
/// boundaries with identity layouts. Functions still return their memrefs.
void addBufferizeStagePasses(OpPassManager &pm);

/// Stage 4b: memref results become trailing out-params (static allocations
/// hoisted into the caller), then ownership-based deallocation.
void addOutParamsStagePasses(OpPassManager &pm);

/// Stage 5 without the loops: affine, scf, strided metadata and
/// bufferization leftovers, then the conversions of every host dialect to
/// the LLVM dialect. Leaves unrealized casts for the caller to reconcile
/// (after any further conversion, such as gpu-to-llvm).
void addHostToLLVMStagePasses(OpPassManager &pm);

/// Registers the external interface models these passes rely on: the
/// bufferization, deallocation and subset interfaces of arith, cf, func,
/// linalg, memref, scf and tensor ops. The pipeline of addLowerToLLVMPasses
/// declares them itself (as dependencies of its passes), so a client only
/// needs this to run those upstream passes one by one.
void registerLLVMLoweringInterfaces(DialectRegistry &registry);

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_LLVMLOWERING_H
