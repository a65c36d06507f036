//===- Dyadic.h - Exact dyadic rescale arithmetic ---------------*- C++ -*-===//
//
// The integer arithmetic behind every qlp requantization: choosing a dyadic
// scale m * 2^-s for a real scale, and applying it to an integer with one of
// the three rounding rules of `qlp.rescale`. The dialect's folders, the
// lowering passes and the unit tests all call these functions, so the op
// definitions have exactly one implementation.
//
// Contract. For an integer x with |x| < 2^32 (an int64 carrying x - zero_point
// of an int32 value), a multiplier m in [1, 2^31 - 1] and a shift s in
// [0, 62], let p = x * m. It is exact in int64, since |p| < 2^32 * 2^31 = 2^63.
// With floor rounding toward minus infinity:
//
//   SingleRound  r = floor((p + 2^(s-1)) / 2^s), and r = p when s = 0.
//                TOSA RESCALE with SINGLE_ROUND (scale32): ties toward +inf.
//   DoubleRound  r as SingleRound when s <= 31; when s > 31,
//                r = floor((p + 2^(s-1) + c) / 2^s), c = 2^30 if x >= 0 and
//                c = -2^30 otherwise. TOSA RESCALE with DOUBLE_ROUND.
//   TFLite       TFLite's MultiplyByQuantizedMultiplier(x, m, 31 - s): a
//                saturating rounding doubling high multiply followed by a
//                rounding divide by 2^(s-31), as gemmlowp writes them, but
//                evaluated without intermediate overflow. It computes the same
//                function as DoubleRound (the unit tests check this).
//
// TOSA defines these only inside its REQUIRE ranges (for instance x in
// [-2^(s-1), 2^(s-1)) and a result that fits int32); there the results are
// bit-exact with TOSA and TFLite. Outside them quant-lp keeps the exact
// formulas above, and `rescale` adds the output zero point and clamps without
// truncating to 32 bits first, so an out-of-range result saturates to the
// correct end of the output range.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_DYADIC_H
#define QLP_DIALECT_DYADIC_H

#include "llvm/Support/Error.h"

#include <cstdint>

namespace mlir::qlp {

/// Tie-breaking rule of a dyadic rescale (mirrors the dialect's RoundingMode
/// enum, values 0, 1, 2). See the file comment for the exact formulas.
enum class DyadicRounding { SingleRound = 0, DoubleRound = 1, TFLite = 2 };

/// A dyadic number multiplier * 2^-shift.
struct DyadicScale {
  int32_t multiplier;
  int32_t shift;

  /// The value multiplier * 2^-shift; exact, since the multiplier has at most
  /// 31 significant bits and the exponent is small.
  double toDouble() const;
};

/// Largest shift a dyadic scale may use: with |x| < 2^32 and m < 2^31 the
/// product stays below 2^63, and shifting it by up to 62 keeps the rounding
/// constant 2^(s-1) representable in int64.
constexpr int32_t kMaxDyadicShift = 62;

/// Returns the dyadic scale closest to the positive finite \p scale, with a
/// multiplier normalized into [2^30, 2^31) (31 significant bits, relative
/// error <= 2^-31) whenever the shift range allows it.
///
/// The multiplier is rounded to nearest, ties away from zero; a multiplier
/// that rounds up to 2^31 is renormalized to (2^30, shift - 1). When the
/// normalized shift would exceed kMaxDyadicShift, the shift is
/// kMaxDyadicShift and the multiplier is round(scale * 2^62), which has fewer
/// significant bits. A scale in [2^31 - 1/2, 2^31) rounds to 2^31 at shift 0,
/// where renormalizing is impossible; it gets the closest representable
/// multiplier, 2^31 - 1 (still within the 2^-31 relative error bound).
///
/// Fails, with a message that names the problem and the value, for a zero,
/// negative, NaN or infinite scale, for a scale >= 2^31 (it would need a
/// negative shift) and for a scale that rounds to a zero multiplier even at
/// shift 62 (below 2^-63).
llvm::Expected<DyadicScale> computeDyadicScale(double scale);

/// The rescale kernel: returns round(x * multiplier / 2^shift) rounded by
/// \p mode, exactly, as int64. Requires |x| < 2^32, multiplier in
/// [1, 2^31 - 1] and shift in [0, 62]; within these bounds no intermediate
/// value overflows int64 (or __int128 for TFLite).
int64_t applyDyadic(int64_t x, int32_t multiplier, int32_t shift,
                    DyadicRounding mode);

/// Full requantization:
///   clamp(applyDyadic(x - inputZp, m, s, mode) + outputZp, qmin, qmax).
/// The sum with the output zero point is exact (it never wraps), so a result
/// beyond [qmin, qmax] saturates to the nearer end. Requires
/// |x - inputZp| < 2^32 and qmin <= qmax.
int64_t rescale(int64_t x, int64_t inputZp, DyadicScale scale, int64_t outputZp,
                int64_t qmin, int64_t qmax, DyadicRounding mode);

/// TOSA's reciprocal_scale(count), used by integer average pooling:
/// k = 32 - clz(count - 1), multiplier = (((1 << 30) + 1) << k) / count,
/// shift = 30 + k. Requires 1 <= count <= 2^30; in that range the multiplier
/// lies in [2^30, 2^31) (for larger counts it would reach 2^31).
DyadicScale reciprocalScale(uint32_t count);

} // namespace mlir::qlp

#endif // QLP_DIALECT_DYADIC_H
