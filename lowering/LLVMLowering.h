//===- LLVMLowering.h - From tensors to the LLVM dialect ---------*- C++ -*-===//
//
// The upstream passes that take a program of linalg, arith, tensor (and any
// remaining TOSA) ops on tensors to the LLVM dialect, ready for the
// ExecutionEngine or `quant-translate --mlir-to-llvmir`. Shared by
// `--qlp-cpu-pipeline` and quant-run's float mode.
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

/// Registers the external interface models these passes rely on: the
/// bufferization, deallocation and subset interfaces of arith, cf, func,
/// linalg, memref, scf and tensor ops. The pipeline of addLowerToLLVMPasses
/// declares them itself (as dependencies of its passes), so a client only
/// needs this to run those upstream passes one by one.
void registerLLVMLoweringInterfaces(DialectRegistry &registry);

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_LLVMLOWERING_H
