//===- KernelLowering.h - qlp layers to runtime kernel calls -----*- C++ -*-===//
//
// The rewrite behind `qlp-lower-to-kernels`, for compilers that run it
// inside their own passes.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_KERNELLOWERING_H
#define QLP_LOWERING_KERNELLOWERING_H

#include "mlir/IR/BuiltinOps.h"

namespace mlir::qlp {

/// Replaces every qlp layer of `module` that a runtime kernel takes (see
/// the pass description) and its fused epilogue with a kernel call, and adds
/// the plans as constant globals and the runtime's declarations. Layers no
/// kernel takes are left unchanged, with a remark when the runtime rejected
/// them.
void lowerToKernels(ModuleOp module);

} // namespace mlir::qlp

#endif // QLP_LOWERING_KERNELLOWERING_H
