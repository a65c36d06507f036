//===- DyadicEmitter.h - Exact dyadic rescale arithmetic in IR ---*- C++ -*-===//
//
// The arith ops of qlp.rescale's integer formula, shared by every lowering
// that spells the rescale out in IR.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_DYADICEMITTER_H
#define QLP_LOWERING_DYADICEMITTER_H

#include "dialect/QLPDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace qlp {

/// An integer constant of `type`. The APInt is built explicitly: the int64_t
/// builder zero-extends to widths above 64, which would turn a negative i128
/// constant positive.
Value intConst(OpBuilder &b, Location loc, Type type, int64_t value);
/// An i64 constant.
Value i64Const(OpBuilder &b, Location loc, int64_t value);

/// Builds the i64 arithmetic of one dyadic rescale (qlp.rescale's
/// definition) at the builder's insertion point: inside a linalg body for the
/// reference lowering, inside a GPU kernel's epilogue for qlp-lower-to-gpu.
/// Both use this one emitter, so they agree bit for bit by construction.
/// `x` is x' = x - zp (|x'| < 2^32), `m` the multiplier and `s` the shift,
/// all i64 values (per-channel scales arrive as body arguments).
struct DyadicEmitter {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return i64Const(b, loc, v); }
  Value add(Value l, Value r) { return arith::AddIOp::create(b, loc, l, r); }
  Value sub(Value l, Value r) { return arith::SubIOp::create(b, loc, l, r); }
  Value shl(Value l, Value r) { return arith::ShLIOp::create(b, loc, l, r); }
  Value ashr(Value l, Value r) { return arith::ShRSIOp::create(b, loc, l, r); }
  Value band(Value l, Value r) { return arith::AndIOp::create(b, loc, l, r); }
  Value cmp(arith::CmpIPredicate p, Value l, Value r) {
    return arith::CmpIOp::create(b, loc, p, l, r);
  }
  Value select(Value cond, Value t, Value f) {
    return arith::SelectOp::create(b, loc, cond, t, f);
  }
  /// 1 when `cond` holds, else 0, in the type of `one`.
  Value bit(Value cond, Value one, Value zero) {
    return select(cond, one, zero);
  }

  /// single_round: floor((p + 2^(s-1)) / 2^s), and p when s = 0. Forming
  /// p + 2^(s-1) could leave i64 (s = 62, p near 2^63), so it is written as
  /// floor(p / 2^s) + [bit s-1 of p]: with p = q * 2^s + rem, rem in
  /// [0, 2^s), the sum's floor is q + 1 exactly when rem >= 2^(s-1), which
  /// is bit s-1 of p in two's complement.
  Value singleRound(Value p, Value s) {
    Value q = ashr(p, s);
    // s - 1 is only a valid shift amount for s >= 1; the s = 0 case is
    // selected away below, and max keeps the shift in range (no poison).
    Value sMinus1 = arith::MaxSIOp::create(b, loc, sub(s, c(1)), c(0));
    Value half = band(ashr(p, sMinus1), c(1));
    Value sIsZero = cmp(arith::CmpIPredicate::eq, s, c(0));
    return add(q, select(sIsZero, c(0), half));
  }

  /// double_round: single_round for s <= 31, else
  /// floor((p + 2^(s-1) + cx) / 2^s) with cx = 2^30 for x' >= 0 and -2^30
  /// otherwise. As above, with p = q * 2^s + rem the result is q plus 1 when
  /// rem + 2^(s-1) + cx >= 2^s; for s >= 32 that sum lies in (0, 2^63).
  Value doubleRound(Value x, Value p, Value s) {
    Value single = singleRound(p, s);
    // For s <= 31 the values below are unused; every shift is still in
    // [0, 62], so nothing is poison.
    Value sMinus1 = arith::MaxSIOp::create(b, loc, sub(s, c(1)), c(0));
    Value pow2 = shl(c(1), s);
    Value rem = band(p, sub(pow2, c(1)));
    Value xNonNegative = cmp(arith::CmpIPredicate::sge, x, c(0));
    Value correction =
        select(xNonNegative, c(int64_t(1) << 30), c(-(int64_t(1) << 30)));
    Value sum = add(add(rem, shl(c(1), sMinus1)), correction);
    Value roundUp = cmp(arith::CmpIPredicate::sge, sum, pow2);
    Value twice = add(ashr(p, s), bit(roundUp, c(1), c(0)));
    Value isDouble = cmp(arith::CmpIPredicate::sgt, s, c(31));
    return select(isDouble, twice, single);
  }

  /// tflite: TFLite's MultiplyByQuantizedMultiplier(x', m, 31 - s), written
  /// as gemmlowp does, with x' * 2^(31-s) formed in i64 and the doubling
  /// high multiply in i128 instead of TFLite's wrapping int32:
  ///   left  = max(31 - s, 0), right = max(s - 31, 0)
  ///   a     = x' * 2^left                          |a| < 2^63
  ///   h     = (a * m + nudge) / 2^31, truncating,  nudge = 2^30 if a*m >= 0
  ///                                                else 1 - 2^30
  ///   r     = RoundingDivideByPOT(h, right): h / 2^right rounded to
  ///           nearest, ties away from zero.
  /// It is deliberately not rewritten into double_round's form (which it
  /// equals), so that the two modes check each other.
  Value tflite(Value x, Value m, Value s) {
    Type i128 = b.getIntegerType(128);
    auto c128 = [&](int64_t v) { return intConst(b, loc, i128, v); };
    Value sLe31 = cmp(arith::CmpIPredicate::sle, s, c(31));
    Value left = select(sLe31, sub(c(31), s), c(0));
    Value right = select(sLe31, c(0), sub(s, c(31)));
    Value a = arith::MulIOp::create(b, loc, x, shl(c(1), left));
    Value a128 = arith::ExtSIOp::create(b, loc, i128, a);
    Value m128 = arith::ExtSIOp::create(b, loc, i128, m);
    Value ab = arith::MulIOp::create(b, loc, a128, m128);
    Value nudge = select(cmp(arith::CmpIPredicate::sge, ab, c128(0)),
                         c128(int64_t(1) << 30), c128(1 - (int64_t(1) << 30)));
    Value numerator = arith::AddIOp::create(b, loc, ab, nudge);
    // C's truncating division by 2^31: an arithmetic shift floors, so a
    // negative numerator is first raised by 2^31 - 1.
    Value negative = cmp(arith::CmpIPredicate::slt, numerator, c128(0));
    Value biased = arith::AddIOp::create(
        b, loc, numerator,
        select(negative, c128((int64_t(1) << 31) - 1), c128(0)));
    Value high128 = arith::ShRSIOp::create(b, loc, biased, c128(31));
    // |h| <= |x' * m| + 1/2 < 2^63.
    Value h = arith::TruncIOp::create(b, loc, b.getI64Type(), high128);
    // gemmlowp's RoundingDivideByPOT(h, right).
    Value mask = sub(shl(c(1), right), c(1));
    Value remainder = band(h, mask);
    Value threshold =
        add(ashr(mask, c(1)),
            bit(cmp(arith::CmpIPredicate::slt, h, c(0)), c(1), c(0)));
    Value roundUp = cmp(arith::CmpIPredicate::sgt, remainder, threshold);
    return add(ashr(h, right), bit(roundUp, c(1), c(0)));
  }

  /// round(x' * m / 2^s) by `mode`.
  Value round(Value x, Value m, Value s, RoundingMode mode) {
    switch (mode) {
    case RoundingMode::SingleRound:
      return singleRound(arith::MulIOp::create(b, loc, x, m), s);
    case RoundingMode::DoubleRound:
      return doubleRound(x, arith::MulIOp::create(b, loc, x, m), s);
    case RoundingMode::TFLite:
      return tflite(x, m, s);
    }
    llvm_unreachable("covered switch over RoundingMode");
  }

  /// clamp(r + zp, lo, hi) truncated to `type`. r + zp cannot wrap:
  /// |r| <= |x' * m| + 1 <= (2^32 - 1) * (2^31 - 1) + 1 and |zp| <= 2^31
  /// (the result type has at most 32 bits) keep it below 2^63.
  Value requantize(Value r, int64_t zp, int64_t lo, int64_t hi, Type type) {
    Value y = add(r, c(zp));
    y = arith::MaxSIOp::create(b, loc, y, c(lo));
    y = arith::MinSIOp::create(b, loc, y, c(hi));
    return arith::TruncIOp::create(b, loc, type, y);
  }
};

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_DYADICEMITTER_H
