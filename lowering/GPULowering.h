//===- GPULowering.h - qlp layers to tensor-core GPU kernels ------*- C++ -*-===//
//
// Support for the launches qlp-lower-to-gpu creates (the pass itself is
// declared in lowering/Passes.h).
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_GPULOWERING_H
#define QLP_LOWERING_GPULOWERING_H

namespace mlir {
class DialectRegistry;
namespace qlp {

/// Gives gpu.launch_func the memory effects of a synchronous launch: it
/// reads and writes each memref kernel argument, and writes the default
/// resource so that no launch is ever erased as dead. qlp-lower-to-gpu launches kernels
/// on tensors' buffers before bufferization, and ownership-based buffer
/// deallocation rejects ops with unknown effects on buffers; with these
/// effects it frees the staging buffers after their last launch. (An
/// asynchronous launch, which quant-lp never emits before its own
/// bufferization, would need its token to be waited on first.)
void registerGPULaunchMemoryEffects(DialectRegistry &registry);

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_GPULOWERING_H
