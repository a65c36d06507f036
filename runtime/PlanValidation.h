//===- PlanValidation.h - Building and checking kernel plans -----*- C++ -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Internal to qlp_runtime: the pieces of KernelPlan.cpp that the convolution
// plans (Conv2D.cpp) and the entry points (Dispatch.cpp) share.
//
// A plan has exactly one valid layout for its (format, k, n): computePlanLayout
// derives every offset and the total size from those three values, the
// builder writes that layout, and validatePlan recomputes it and requires the
// header to match it field for field. So a run never trusts an offset it has
// not re-derived, and a truncated, shifted or foreign blob is rejected before
// any kernel reads it.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_RUNTIME_PLANVALIDATION_H
#define QLP_RUNTIME_PLANVALIDATION_H

#include "runtime/KernelPlan.h"

namespace qlp::rt {

/// Offsets and sizes of a plan's arrays (see KernelPlan.h).
struct PlanLayout {
  WeightFormat format;
  int64_t kp, np;
  int64_t colOffsetOff, multiplierOff, shiftOff, shiftM1Off, roundCOff;
  int64_t bOff, bBytes;
  int64_t size;
};

/// Computes the layout of a plan of `format` for a k x n GEMM view. Returns
/// false if k or n is out of range (k in [1, 2^31 - 1], n >= 1) or a size
/// does not fit int64_t.
bool computePlanLayout(WeightFormat format, int64_t k, int64_t n,
                       PlanLayout *layout);

/// Checks every rule of qlp_kernels.h on a GEMM description and computes its
/// plan layout. Returns QLP_RT_OK or QLP_RT_INVALID_ARGUMENT. Weight values
/// are not read (plan building checks them).
qlp_rt_status validateGemmDesc(const qlp_rt_gemm_desc *desc,
                               PlanLayout *layout);

/// Builds the plan of a validated `desc` with `layout` into `plan` (`size`
/// bytes, QLP_RT_PLAN_ALIGNMENT-aligned), with header kind `kind` and zero
/// convolution fields. Returns QLP_RT_INVALID_ARGUMENT for a short or
/// misaligned buffer and QLP_RT_INVALID_VALUE for a weight outside the b_bits
/// range.
qlp_rt_status buildGemmPlan(const qlp_rt_gemm_desc *desc,
                            const PlanLayout &layout, PlanKind kind,
                            void *plan, int64_t size);

/// The integrity check every entry point runs before reading a plan: returns
/// the plan's header if `plan` is non-null, QLP_RT_PLAN_ALIGNMENT-aligned,
/// carries the magic number, version and `kind`, has consistent widths, zero
/// points and epilogue fields, and its offsets and size equal the layout that
/// computePlanLayout derives (so every array lies inside the plan and is
/// 64-byte aligned); for a convolution plan the geometry must be valid and
/// its output size must match. Returns null otherwise. The array contents
/// (packed weights, epilogue constants) are trusted.
const PlanHeader *validatePlan(const void *plan, PlanKind kind);

/// Output extent of one spatial convolution axis:
/// floor((in + padBefore + padAfter - dil * (k - 1) - 1) / stride) + 1, or -1
/// if an operand is out of range, an intermediate overflows, or the extent is
/// below 1.
int64_t convOutputExtent(int64_t in, int64_t padBefore, int64_t padAfter,
                         int64_t kernel, int64_t stride, int64_t dilation);

} // namespace qlp::rt

#endif // QLP_RUNTIME_PLANVALIDATION_H
