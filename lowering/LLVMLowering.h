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
/// `_mlir_ciface_<name>` wrapper taking memref descriptors.
void addLowerToLLVMPasses(OpPassManager &pm);

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_LLVMLOWERING_H
