//===- Dispatch.h - Run-time kernel selection --------------------*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Internal to qlp_runtime: the kernel that qlp_rt_gemm and qlp_rt_conv2d call
// for a validated plan, chosen from the selected ISA (qlp_rt_selected_isa)
// and the plan's weight format.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_RUNTIME_DISPATCH_H
#define QLP_RUNTIME_DISPATCH_H

#include "runtime/KernelPlan.h"

namespace qlp::rt {

/// The kernel for `plan` on the selected ISA; never null (formats without a
/// fast kernel on the host use gemmGeneric).
GemmKernel selectGemmKernel(const PlanHeader *plan);

} // namespace qlp::rt

#endif // QLP_RUNTIME_DISPATCH_H
