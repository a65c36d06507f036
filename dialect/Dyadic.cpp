//===- Dyadic.cpp - Exact dyadic rescale arithmetic -------------*- C++ -*-===//
//
// Every function here is exact integer arithmetic on bounded inputs; the
// comments derive why no intermediate value overflows. The contract is in
// Dyadic.h.
//
//===----------------------------------------------------------------------===//

#include "dialect/Dyadic.h"

#include "llvm/ADT/bit.h"
#include "llvm/Support/ErrorHandling.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir::qlp;

/// Bound on |x| (exclusive) that keeps x * multiplier below 2^63.
[[maybe_unused]] static constexpr int64_t kInputBound = int64_t(1) << 32;

double DyadicScale::toDouble() const {
  return std::ldexp(static_cast<double>(multiplier), -shift);
}

llvm::Expected<DyadicScale> mlir::qlp::computeDyadicScale(double scale) {
  if (std::isnan(scale))
    return llvm::createStringError("dyadic scale is NaN (%g)", scale);
  if (std::isinf(scale))
    return llvm::createStringError("dyadic scale is infinite (%g)", scale);
  // `<=` also rejects -0.0.
  if (scale <= 0.0)
    return llvm::createStringError("dyadic scale must be positive, got %.17g",
                                   scale);
  // A multiplier below 2^31 reaches 2^31 and beyond only with a negative
  // shift, which the rescale kernel does not support.
  if (scale >= 0x1p31)
    return llvm::createStringError(
        "dyadic scale %.17g is too large: it must be below 2^31, since a "
        "larger scale would need a negative shift",
        scale);

  // scale = fraction * 2^exponent with fraction in [0.5, 1), so
  // fraction * 2^31 in [2^30, 2^31) is the normalized multiplier and
  // scale = (fraction * 2^31) * 2^-(31 - exponent). scale < 2^31 gives
  // exponent <= 31, hence shift >= 0.
  int exponent = 0;
  double fraction = std::frexp(scale, &exponent);
  int32_t shift = 31 - exponent;
  if (shift <= kMaxDyadicShift) {
    // fraction * 2^31 is exact (a power-of-two scaling); std::round rounds
    // ties away from zero. The rounded value is in [2^30, 2^31].
    auto multiplier =
        static_cast<int64_t>(std::round(std::ldexp(fraction, 31)));
    if (multiplier == (int64_t(1) << 31)) {
      // 2^31 * 2^-shift == 2^30 * 2^-(shift-1): same value, one shift less.
      // At shift 0 there is no smaller shift; the closest multiplier that
      // fits int32 is 2^31 - 1. It is off by less than 1, and since the
      // scale is at most 2^31 - 2^-22 the relative error stays below 2^-31.
      if (shift == 0) {
        multiplier = (int64_t(1) << 31) - 1;
      } else {
        multiplier = int64_t(1) << 30;
        --shift;
      }
    }
    return DyadicScale{static_cast<int32_t>(multiplier), shift};
  }

  // The normalized shift exceeds 62 (scale < 2^-32): keep shift 62 and give
  // up significant bits. scale * 2^62 < 2^30 is exact, and rounds to a
  // nonzero multiplier only when it is at least 1/2, i.e. scale >= 2^-63.
  double multiplier = std::round(std::ldexp(scale, kMaxDyadicShift));
  if (multiplier < 1.0)
    return llvm::createStringError(
        "dyadic scale %.17g is too small: it needs a shift above 62 even "
        "with multiplier 1 (scales below 2^-63 round to multiplier 0)",
        scale);
  return DyadicScale{static_cast<int32_t>(multiplier), kMaxDyadicShift};
}

/// floor((p + 2^(s-1)) / 2^s), or p when s == 0, without forming p + 2^(s-1),
/// which overflows int64 when s = 62 and p is close to 2^63.
///
/// Write p = q * 2^s + rem with q = floor(p / 2^s) = p >> s (an arithmetic
/// shift; GCC and Clang define it so for negative values, as C++20 does) and
/// rem in [0, 2^s). Then (p + 2^(s-1)) / 2^s = q + (rem + 2^(s-1)) / 2^s, and
/// (rem + 2^(s-1)) / 2^s lies in [1/2, 3/2), so its floor is 1 exactly when
/// rem >= 2^(s-1). In two's complement, rem is the low s bits of p, and
/// rem >= 2^(s-1) exactly when bit s-1 of p is set: (p >> (s-1)) & 1.
static int64_t roundHalfUpShift(int64_t p, int32_t s) {
  if (s == 0)
    return p;
  return (p >> s) + ((p >> (s - 1)) & 1);
}

/// TOSA DOUBLE_ROUND: floor((p + 2^(s-1) + c) / 2^s) with c = +-2^30 by the
/// sign of x, for s > 31 (single rounding otherwise).
static int64_t doubleRoundShift(int64_t x, int64_t p, int32_t s) {
  if (s <= 31)
    return roundHalfUpShift(p, s);
  // As in roundHalfUpShift, p = q * 2^s + rem with rem in [0, 2^s), and the
  // floor of (rem + 2^(s-1) + c) / 2^s is 0 or 1: with s >= 32,
  // rem + 2^(s-1) + c >= 2^31 - 2^30 > 0 and
  // rem + 2^(s-1) + c < 2^62 + 2^61 + 2^30 < 2^63 (and < 2^(s+1)), so the sum
  // fits int64 and is in [0, 2^(s+1)).
  int64_t pow2 = int64_t(1) << s;
  int64_t rem = p & (pow2 - 1);
  int64_t c = x >= 0 ? (int64_t(1) << 30) : -(int64_t(1) << 30);
  int64_t q = p >> s;
  return q + (rem + (pow2 >> 1) + c >= pow2 ? 1 : 0);
}

/// gemmlowp's SaturatingRoundingDoublingHighMul(a, b) for a wider than
/// int32: the high half of the doubled product, a * b / 2^31, rounded to
/// nearest. gemmlowp saturates only for a == b == INT32_MIN, which cannot
/// happen here because b >= 1.
///
/// The caller passes a = x * 2^l with |x| < 2^32 and l <= 31, so
/// |a * b| < 2^63 * 2^31 fits __int128, and the quotient, at most
/// |x * b| + 1/2 in magnitude, stays below 2^63.
static int64_t saturatingRoundingDoublingHighMul(int64_t a, int32_t b) {
  __int128 ab = static_cast<__int128>(a) * b;
  // gemmlowp's nudge: +2^30 for a non-negative product, 1 - 2^30 for a
  // negative one. Division truncates toward zero, so for ab < 0 the quotient
  // is ceil((ab + 1 - 2^30) / 2^31) = floor((ab + 2^30) / 2^31); either way
  // the result is floor((ab + 2^30) / 2^31), ties toward plus infinity.
  __int128 nudge = ab >= 0 ? (int64_t(1) << 30) : (1 - (int64_t(1) << 30));
  return static_cast<int64_t>((ab + nudge) / (static_cast<__int128>(1) << 31));
}

/// gemmlowp's RoundingDivideByPOT(v, exponent) = round(v / 2^exponent), ties
/// away from zero, for int64 v and 0 <= exponent <= 31.
static int64_t roundingDivideByPOT(int64_t v, int32_t exponent) {
  int64_t mask = (int64_t(1) << exponent) - 1;
  int64_t remainder = v & mask;
  // A negative v rounds up only strictly above the half, so that ties go
  // toward minus infinity, i.e. away from zero.
  int64_t threshold = (mask >> 1) + (v < 0 ? 1 : 0);
  return (v >> exponent) + (remainder > threshold ? 1 : 0);
}

/// TFLite's MultiplyByQuantizedMultiplier(x, m, exponent) with
/// exponent = 31 - s in [-31, 31]: a positive exponent shifts x left before
/// the high multiply, a negative one divides the product afterwards. x * 2^e
/// is formed in int64 (|x| < 2^32, e <= 31), where TFLite's int32 would wrap.
///
/// Why this equals DoubleRound: for e >= 0 (s <= 31) the result is
/// floor((p * 2^e + 2^30) / 2^31) = floor((p + 2^(s-1)) / 2^s), single
/// rounding. For e < 0 it is h = floor((p + 2^30) / 2^31) rounded by 2^(s-31)
/// half away from zero, i.e. floor((h + 2^(s-32) - [x < 0]) / 2^(s-31));
/// since floor((floor(a / b) + k) / d) = floor((a + k * b) / (b * d)) for
/// integer k, that is floor((p + 2^(s-1) +- 2^30) / 2^s), DoubleRound's
/// formula. The tests check the equality on random and edge inputs.
static int64_t multiplyByQuantizedMultiplier(int64_t x, int32_t multiplier,
                                             int32_t exponent) {
  int32_t leftShift = exponent > 0 ? exponent : 0;
  int32_t rightShift = exponent > 0 ? 0 : -exponent;
  // Multiply rather than shift left: shifting a negative value left is
  // undefined behavior before C++20.
  int64_t shifted = x * (int64_t(1) << leftShift);
  return roundingDivideByPOT(
      saturatingRoundingDoublingHighMul(shifted, multiplier), rightShift);
}

int64_t mlir::qlp::applyDyadic(int64_t x, int32_t multiplier, int32_t shift,
                               DyadicRounding mode) {
  assert(x > -kInputBound && x < kInputBound && "|x| must be below 2^32");
  assert(multiplier >= 1 && "multiplier must be in [1, 2^31 - 1]");
  assert(shift >= 0 && shift <= kMaxDyadicShift && "shift must be in [0, 62]");
  // |x| <= 2^32 - 1 and multiplier <= 2^31 - 1, so |p| < 2^63.
  int64_t p = x * multiplier;
  switch (mode) {
  case DyadicRounding::SingleRound:
    return roundHalfUpShift(p, shift);
  case DyadicRounding::DoubleRound:
    return doubleRoundShift(x, p, shift);
  case DyadicRounding::TFLite:
    return multiplyByQuantizedMultiplier(x, multiplier, 31 - shift);
  }
  llvm_unreachable("unknown DyadicRounding");
}

int64_t mlir::qlp::rescale(int64_t x, int64_t inputZp, DyadicScale scale,
                           int64_t outputZp, int64_t qmin, int64_t qmax,
                           DyadicRounding mode) {
  assert(qmin <= qmax && "empty clamp range");
  // Subtract in 128 bits so that an out-of-contract zero point trips the
  // assertion instead of wrapping into range.
  __int128 centered = static_cast<__int128>(x) - inputZp;
  assert(centered > -kInputBound && centered < kInputBound &&
         "|x - inputZp| must be below 2^32");
  int64_t r = applyDyadic(static_cast<int64_t>(centered), scale.multiplier,
                          scale.shift, mode);
  // With shift 0, |r| approaches 2^63, so r + outputZp can leave int64; add
  // in 128 bits and clamp the exact sum, which saturates to the correct end.
  __int128 y = static_cast<__int128>(r) + outputZp;
  return static_cast<int64_t>(std::clamp<__int128>(y, qmin, qmax));
}

DyadicScale mlir::qlp::reciprocalScale(uint32_t count) {
  assert(count >= 1 && count <= (uint32_t(1) << 30) &&
         "count must be in [1, 2^30]");
  // k is the smallest power with count <= 2^k, so 2^(k-1) < count <= 2^k
  // (countl_zero(0) is 32, giving k = 0 for count 1). Then the multiplier
  // (2^30 + 1) * 2^k / count lies in [2^30, 2^31), and the scale is never
  // below 1 / count: the extra 2^k in the numerator outweighs the
  // truncation, which loses less than count <= 2^k. The bound 2^30 on count
  // keeps the multiplier below 2^31: count = 2^30 + 1 would give exactly 2^31.
  int32_t k = 32 - llvm::countl_zero(count - 1);
  int64_t numerator = ((int64_t(1) << 30) + 1) << k;
  return DyadicScale{static_cast<int32_t>(numerator / count), 30 + k};
}
