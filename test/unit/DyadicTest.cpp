//===- DyadicTest.cpp - Dyadic arithmetic vs. spec references ---*- C++ -*-===//
//
// Checks dialect/Dyadic.{h,cpp} against references written independently in
// this file, literally from the specifications:
//   * exact rational arithmetic (floor division in __int128) of the formulas
//     in Dyadic.h, including the output zero point and the clamp;
//   * TOSA's apply_scale_32 pseudo-code, once widened to __int128 (defined for
//     the whole input domain) and once in int32/int64 exactly as the spec
//     writes it (valid only inside the spec's REQUIRE ranges);
//   * gemmlowp's SaturatingRoundingDoublingHighMul and RoundingDivideByPOT
//     and TFLite's MultiplyByQuantizedMultiplier in their own int32
//     arithmetic (valid where that arithmetic does not overflow);
//   * TOSA's reciprocal_scale.
//
// The random tests use std::mt19937_64 with a fixed seed, which every failure
// message and the test's XML properties report. QLP_DYADIC_SEED=<n> in the
// environment replays or varies it.
//
//===----------------------------------------------------------------------===//

#include "dialect/Dyadic.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <sstream>
#include <string>

using namespace mlir::qlp;

namespace mlir::qlp {
/// Lets gtest print a DyadicRounding parameter by name (found through ADL).
static void PrintTo(DyadicRounding mode, std::ostream *os);
} // namespace mlir::qlp

namespace {

using Int128 = __int128;

constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
/// Largest |x| the kernel accepts: 2^32 - 1.
constexpr int64_t kMaxAbsInput = (int64_t(1) << 32) - 1;
constexpr int32_t kMaxMultiplier = std::numeric_limits<int32_t>::max();

constexpr DyadicRounding kAllModes[] = {DyadicRounding::SingleRound,
                                        DyadicRounding::DoubleRound,
                                        DyadicRounding::TFLite};

const char *modeName(DyadicRounding mode) {
  switch (mode) {
  case DyadicRounding::SingleRound:
    return "single_round";
  case DyadicRounding::DoubleRound:
    return "double_round";
  case DyadicRounding::TFLite:
    return "tflite";
  }
  return "?";
}

} // namespace

void mlir::qlp::PrintTo(DyadicRounding mode, std::ostream *os) {
  *os << modeName(mode);
}

namespace {

Int128 pow2(int e) { return static_cast<Int128>(1) << e; }

/// A clamp range: the value range of an output type.
struct IntRange {
  const char *name;
  int64_t min;
  int64_t max;
};

constexpr IntRange kOutputTypes[] = {{"i2", -2, 1},
                                     {"i4", -8, 7},
                                     {"i8", -128, 127},
                                     {"i16", -32768, 32767},
                                     {"i32", kInt32Min, kInt32Max},
                                     {"u8", 0, 255},
                                     {"u16", 0, 65535}};

//===----------------------------------------------------------------------===//
// Reference 1: exact rational arithmetic.
//===----------------------------------------------------------------------===//

/// floor(a / b) for b > 0, from C++'s truncating division.
Int128 floorDiv(Int128 a, Int128 b) {
  Int128 q = a / b;
  if (a % b != 0 && a < 0)
    --q;
  return q;
}

/// The rounding formulas of Dyadic.h, in exact arithmetic. TFLite mode is
/// specified to equal DoubleRound; exactTFLite below checks that separately.
Int128 exactRound(int64_t x, int64_t m, int s, DyadicRounding mode) {
  Int128 p = static_cast<Int128>(x) * m;
  if (s == 0)
    return p;
  Int128 bias = pow2(s - 1);
  if (mode != DyadicRounding::SingleRound && s > 31)
    bias += x >= 0 ? pow2(30) : -pow2(30);
  return floorDiv(p + bias, pow2(s));
}

/// TFLite's definition as rational arithmetic: the doubling high multiply is
/// round-half-up(x * 2^l * m / 2^31) and the division by 2^r rounds half away
/// from zero, where l = max(e, 0), r = max(-e, 0), e = 31 - s.
Int128 exactTFLite(int64_t x, int64_t m, int s) {
  int e = 31 - s;
  int l = std::max(e, 0), r = std::max(-e, 0);
  Int128 high =
      floorDiv(static_cast<Int128>(x) * pow2(l) * m + pow2(30), pow2(31));
  if (r == 0)
    return high;
  Int128 magnitude = floorDiv((high < 0 ? -high : high) + pow2(r - 1), pow2(r));
  return high < 0 ? -magnitude : magnitude;
}

Int128 clamp128(Int128 v, int64_t lo, int64_t hi) {
  return std::min<Int128>(std::max<Int128>(v, lo), hi);
}

/// clamp(round(x' * m / 2^s) + outputZp, qmin, qmax) with x' = x - inputZp,
/// in exact arithmetic.
int64_t exactRescale(int64_t x, int64_t inputZp, int64_t m, int s,
                     int64_t outputZp, int64_t qmin, int64_t qmax,
                     DyadicRounding mode) {
  Int128 centered = static_cast<Int128>(x) - inputZp;
  Int128 r = exactRound(static_cast<int64_t>(centered), m, s, mode);
  return static_cast<int64_t>(clamp128(r + outputZp, qmin, qmax));
}

//===----------------------------------------------------------------------===//
// Reference 2: TOSA apply_scale_32.
//===----------------------------------------------------------------------===//

/// TOSA's apply_scale_32 pseudo-code with every intermediate widened to
/// __int128, so it is defined on the kernel's whole domain. The spec requires
/// shift >= 2; quant-lp defines shift 0 as "no rounding" (round = 0).
Int128 tosaApplyScaleWide(int64_t value, int32_t multiplier, int shift,
                          bool doubleRound) {
  Int128 round = shift > 0 ? static_cast<Int128>(1) << (shift - 1) : 0;
  if (doubleRound && shift > 31)
    round += value >= 0 ? static_cast<Int128>(1) << 30
                        : -(static_cast<Int128>(1) << 30);
  Int128 result = static_cast<Int128>(value) * multiplier + round;
  return result >> shift;
}

/// TOSA's apply_scale_32 exactly as the spec writes it. Valid only under its
/// REQUIREs: multiplier >= 0, 2 <= shift <= 62,
/// -2^(shift-1) <= value < 2^(shift-1).
int32_t tosaApplyScale32(int32_t value, int32_t multiplier, int8_t shift,
                         bool doubleRound) {
  // The spec's `1 << (shift - 1)` is a shift of int64_t; in C++ the literal
  // 1 has to be made 64-bit explicitly.
  int64_t round = int64_t(1) << (shift - 1);
  if (doubleRound) {
    if (shift > 31 && value >= 0)
      round += 1 << 30;
    if (shift > 31 && value < 0)
      round -= 1 << 30;
  }
  int64_t result = static_cast<int64_t>(value) * multiplier + round;
  result = result >> shift;
  // The result fits 32 bits due to the REQUIRE on value.
  return static_cast<int32_t>(result);
}

/// TOSA RESCALE (scale32, signed input and output) for one element:
/// int48 value - input_zp, apply_scale_32, add output_zp in int32 (the spec's
/// apply_add_s REQUIREs no overflow), clip to the output type.
int32_t tosaRescale(int32_t value, int32_t inputZp, int32_t multiplier,
                    int8_t shift, int32_t outputZp, bool doubleRound,
                    int32_t qmin, int32_t qmax) {
  int64_t valueExtended = static_cast<int64_t>(value) - inputZp; // int48_t
  int32_t result = tosaApplyScale32(static_cast<int32_t>(valueExtended),
                                    multiplier, shift, doubleRound);
  result = result + outputZp;
  return std::min(std::max(result, qmin), qmax);
}

//===----------------------------------------------------------------------===//
// Reference 3: gemmlowp / TFLite in their own int32 arithmetic.
//===----------------------------------------------------------------------===//

// Transcribed from gemmlowp's fixedpoint.h and TFLite's common.h; variable
// names follow the originals so the two can be compared line by line.

int32_t gemmlowpSaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  bool overflow = a == b && a == std::numeric_limits<int32_t>::min();
  int64_t a_64(a);
  int64_t b_64(b);
  int64_t ab_64 = a_64 * b_64;
  int32_t nudge = ab_64 >= 0 ? (1 << 30) : (1 - (1 << 30));
  int32_t ab_x2_high32 = static_cast<int32_t>((ab_64 + nudge) / (1ll << 31));
  return overflow ? std::numeric_limits<int32_t>::max() : ab_x2_high32;
}

int32_t gemmlowpRoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1ll << exponent) - 1);
  const int32_t zero = 0;
  const int32_t one = 1;
  const int32_t remainder = x & mask;
  // MaskIfLessThan / MaskIfGreaterThan yield all-ones or zero.
  const int32_t threshold = (mask >> 1) + ((x < zero ? ~0 : 0) & one);
  return (x >> exponent) + ((remainder > threshold ? ~0 : 0) & one);
}

/// Valid where x * 2^max(shift, 0) fits int32 and 0 <= -min(shift, 0) <= 31.
int32_t tfliteMultiplyByQuantizedMultiplier(int32_t x,
                                            int32_t quantized_multiplier,
                                            int shift) {
  int left_shift = shift > 0 ? shift : 0;
  int right_shift = shift > 0 ? 0 : -shift;
  return gemmlowpRoundingDivideByPOT(
      gemmlowpSaturatingRoundingDoublingHighMul(x * (1 << left_shift),
                                                quantized_multiplier),
      right_shift);
}

//===----------------------------------------------------------------------===//
// Random inputs.
//===----------------------------------------------------------------------===//

/// The base seed: fixed, unless QLP_DYADIC_SEED overrides it.
uint64_t baseSeed() {
  if (const char *env = std::getenv("QLP_DYADIC_SEED"))
    return std::strtoull(env, nullptr, 0);
  return 0x9e3779b97f4a7c15ULL;
}

/// The seed of one random test: the base seed plus a per-test offset, so the
/// tests draw different streams.
uint64_t testSeed(uint64_t offset) { return baseSeed() + offset; }

/// Text for SCOPED_TRACE, naming the environment setting that replays a run.
std::string seedTrace(uint64_t seed) {
  return "seed " + std::to_string(seed) +
         " (QLP_DYADIC_SEED=" + std::to_string(baseSeed()) + ")";
}

class Rng {
public:
  explicit Rng(uint64_t seed) : engine(seed) {}

  int64_t uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  bool oneIn(int64_t n) { return uniform(0, n - 1) == 0; }
  template <typename T, size_t N> const T &pick(const T (&items)[N]) {
    return items[uniform(0, N - 1)];
  }

  /// A value with a uniformly chosen bit length in [0, maxBits], so that
  /// small and large magnitudes are equally likely.
  int64_t magnitude(int maxBits) {
    int bits = static_cast<int>(uniform(0, maxBits));
    if (bits == 0)
      return 0;
    return uniform(int64_t(1) << (bits - 1), (int64_t(1) << bits) - 1);
  }
  int64_t withSign(int64_t v) { return oneIn(2) ? -v : v; }

  /// An x' = x - zp in the kernel's domain, |x'| < 2^32.
  int64_t input() {
    static constexpr int64_t kEdges[] = {0,
                                         1,
                                         -1,
                                         kInt32Min,
                                         kInt32Max,
                                         kMaxAbsInput,
                                         -kMaxAbsInput,
                                         kInt32Min - 1,
                                         kInt32Max + 1,
                                         int64_t(1) << 31,
                                         -(int64_t(1) << 30)};
    if (oneIn(8))
      return pick(kEdges);
    return withSign(magnitude(32));
  }

  int32_t multiplier() {
    static constexpr int32_t kEdges[] = {
        1, 2, 1 << 30, (1 << 30) - 1, (1 << 30) + 1, kMaxMultiplier};
    if (oneIn(8))
      return pick(kEdges);
    int bits = static_cast<int>(uniform(1, 31));
    return static_cast<int32_t>(
        uniform(int64_t(1) << (bits - 1), (int64_t(1) << bits) - 1));
  }

  std::mt19937_64 engine;
};

int bitLength(Int128 v) {
  if (v < 0)
    v = -v;
  int n = 0;
  for (; v != 0; v >>= 1)
    ++n;
  return n;
}

/// A shift for x' * m: half the time uniform over [0, 62], otherwise chosen
/// so that the rounded result lands within a few bits of the output type's
/// edge, where saturation and the last bits of rounding matter.
int32_t pickShift(Rng &rng, int64_t x, int32_t m, const IntRange &type) {
  if (rng.oneIn(2))
    return static_cast<int32_t>(rng.uniform(0, kMaxDyadicShift));
  int outBits = bitLength(std::max<Int128>(-Int128(type.min), type.max));
  int64_t s =
      bitLength(static_cast<Int128>(x) * m) - outBits + rng.uniform(-3, 3);
  return static_cast<int32_t>(std::clamp<int64_t>(s, 0, kMaxDyadicShift));
}

/// Rewrites (x, m) so that x * m is an exact tie, an odd multiple of
/// 2^(s-1), for a random s in [1, 62].
void makeTie(Rng &rng, int64_t &x, int32_t &m, int32_t &s) {
  s = static_cast<int32_t>(rng.uniform(1, kMaxDyadicShift));
  // Split 2^(s-1) as 2^a * 2^b with m = odd * 2^a, x = odd * 2^b.
  int a = static_cast<int>(
      rng.uniform(std::max(0, s - 1 - 31), std::min(30, s - 1)));
  int b = s - 1 - a;
  int64_t mOddMax = (kMaxMultiplier >> a) - 1;
  int64_t xOddMax = (kMaxAbsInput >> b) - 1;
  int64_t mOdd = 2 * rng.uniform(0, std::max<int64_t>(mOddMax / 2, 0)) + 1;
  int64_t xOdd = 2 * rng.uniform(0, std::max<int64_t>(xOddMax / 2, 0)) + 1;
  m = static_cast<int32_t>(mOdd << a);
  x = rng.withSign(xOdd << b);
}

std::string describe(int64_t x, int64_t m, int s, DyadicRounding mode) {
  std::ostringstream os;
  os << "x'=" << x << " m=" << m << " s=" << s << " mode=" << modeName(mode);
  return os.str();
}

//===----------------------------------------------------------------------===//
// Random comparisons over the whole domain, one test per mode.
//===----------------------------------------------------------------------===//

class DyadicRandomTest : public ::testing::TestWithParam<DyadicRounding> {};

TEST_P(DyadicRandomTest, MatchesExactReferenceOverFullDomain) {
  const DyadicRounding mode = GetParam();
  const uint64_t seed = testSeed(static_cast<uint64_t>(mode));
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE(seedTrace(seed));
  Rng rng(seed);
  constexpr int kSamples = 1000000;
  constexpr IntRange kInputZpTypes[] = {{"i8", -128, 127},
                                        {"u8", 0, 255},
                                        {"i16", -32768, 32767},
                                        {"i32", kInt32Min, kInt32Max}};
  const bool doubleRound = mode != DyadicRounding::SingleRound;
  int failures = 0;
  for (int i = 0; i < kSamples && failures < 10; ++i) {
    const IntRange &outType = rng.pick(kOutputTypes);
    int64_t x = rng.input();
    int32_t m = rng.multiplier();
    int32_t s = pickShift(rng, x, m, outType);
    if (rng.oneIn(16))
      makeTie(rng, x, m, s);

    int64_t got = applyDyadic(x, m, s, mode);
    Int128 want = exactRound(x, m, s, mode);
    Int128 tosa = tosaApplyScaleWide(x, m, s, doubleRound);
    bool ok = got == want && got == tosa;
    if (mode == DyadicRounding::TFLite)
      ok = ok && got == exactTFLite(x, m, s);
    if (!ok) {
      ++failures;
      ADD_FAILURE() << "applyDyadic " << describe(x, m, s, mode) << ": got "
                    << got << ", exact " << static_cast<int64_t>(want)
                    << ", TOSA " << static_cast<int64_t>(tosa);
      continue;
    }

    // The same sample through rescale with random zero points. Occasionally
    // clamp to a sub-range, as a fused activation does.
    const IntRange &inZpType = rng.pick(kInputZpTypes);
    int64_t inputZp = rng.uniform(inZpType.min, inZpType.max);
    int64_t outputZp = rng.uniform(outType.min, outType.max);
    int64_t qmin = outType.min, qmax = outType.max;
    if (rng.oneIn(8))
      qmin = outputZp;
    int64_t gotY =
        rescale(x + inputZp, inputZp, {m, s}, outputZp, qmin, qmax, mode);
    int64_t wantY =
        exactRescale(x + inputZp, inputZp, m, s, outputZp, qmin, qmax, mode);
    if (gotY != wantY) {
      ++failures;
      ADD_FAILURE() << "rescale " << describe(x, m, s, mode)
                    << " inputZp=" << inputZp << " outputZp=" << outputZp
                    << " out=" << outType.name << " clamp=[" << qmin << ", "
                    << qmax << "]: got " << gotY << ", want " << wantY;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllModes, DyadicRandomTest,
                         ::testing::ValuesIn(kAllModes), [](const auto &info) {
                           return std::string(modeName(info.param));
                         });

//===----------------------------------------------------------------------===//
// Bit-exactness with the specifications inside their valid ranges.
//===----------------------------------------------------------------------===//

TEST(DyadicSpecTest, MatchesLiteralTosaApplyScale32InRange) {
  const uint64_t seed = testSeed(10);
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE(seedTrace(seed));
  Rng rng(seed);
  int failures = 0;
  for (int i = 0; i < 1000000 && failures < 10; ++i) {
    // TOSA REQUIREs 2 <= shift <= 62 and -2^(shift-1) <= value <
    // 2^(shift-1); value is an int32. Draw the value first, then a shift
    // that admits it, biased toward the smallest such shift, where the result
    // is largest.
    int64_t value = rng.oneIn(16) ? rng.pick({kInt32Min, kInt32Max, int64_t(0),
                                              int64_t(1), int64_t(-1)})
                                  : rng.withSign(rng.magnitude(31));
    value = std::clamp(value, kInt32Min, kInt32Max);
    int minShift = 2;
    while (value < -(int64_t(1) << (minShift - 1)) ||
           value >= (int64_t(1) << (minShift - 1)))
      ++minShift;
    int32_t s = static_cast<int32_t>(
        rng.oneIn(2)
            ? rng.uniform(minShift, kMaxDyadicShift)
            : std::min<int64_t>(minShift + rng.uniform(0, 3), kMaxDyadicShift));
    int32_t m = rng.multiplier();
    if (rng.oneIn(16)) {
      // An exact tie inside the valid range: value * m = odd * 2^(s-1) with
      // value = odd * 2^b, m = odd * 2^a, a + b = s - 1, and |value| <
      // 2^(s-1) (value's odd part below 2^a) and < 2^31 (b <= 30).
      s = static_cast<int32_t>(rng.uniform(2, kMaxDyadicShift - 1));
      int a = static_cast<int>(
          rng.uniform(std::max(1, s - 31), std::min(30, s - 1)));
      int b = s - 1 - a;
      int64_t xOddMax =
          std::min((int64_t(1) << a) - 1, (int64_t(1) << (31 - b)) - 1);
      int64_t xOdd = 2 * rng.uniform(0, (xOddMax - 1) / 2) + 1;
      int64_t mOdd = 2 * rng.uniform(0, ((int64_t(1) << (31 - a)) - 2) / 2) + 1;
      value = rng.withSign(xOdd << b);
      m = static_cast<int32_t>(mOdd << a);
    }
    for (DyadicRounding mode :
         {DyadicRounding::SingleRound, DyadicRounding::DoubleRound}) {
      bool doubleRound = mode == DyadicRounding::DoubleRound;
      int32_t want = tosaApplyScale32(static_cast<int32_t>(value), m,
                                      static_cast<int8_t>(s), doubleRound);
      int64_t got = applyDyadic(value, m, s, mode);
      if (got != want) {
        ++failures;
        ADD_FAILURE() << describe(value, m, s, mode) << ": got " << got
                      << ", TOSA " << want;
      }
    }
  }
}

TEST(DyadicSpecTest, RescaleMatchesLiteralTosaRescaleInRange) {
  const uint64_t seed = testSeed(11);
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE(seedTrace(seed));
  Rng rng(seed);
  // TOSA RESCALE allows a nonzero zero point only on 8-bit types (and
  // uint16); i16 and i32 have zero point 0.
  struct TosaType {
    IntRange range;
    bool hasZp;
  };
  constexpr TosaType kInputs[] = {{{"i8", -128, 127}, true},
                                  {{"i16", -32768, 32767}, false},
                                  {{"i32", kInt32Min, kInt32Max}, false}};
  constexpr TosaType kOutputs[] = {{{"i8", -128, 127}, true},
                                   {{"i16", -32768, 32767}, false},
                                   {{"i32", kInt32Min, kInt32Max}, false}};
  int failures = 0;
  for (int i = 0; i < 200000 && failures < 10; ++i) {
    const TosaType &in = rng.pick(kInputs);
    const TosaType &out = rng.pick(kOutputs);
    int32_t value =
        static_cast<int32_t>(rng.uniform(in.range.min, in.range.max));
    int32_t inputZp =
        in.hasZp ? static_cast<int32_t>(rng.uniform(in.range.min, in.range.max))
                 : 0;
    int32_t outputZp =
        out.hasZp
            ? static_cast<int32_t>(rng.uniform(out.range.min, out.range.max))
            : 0;
    int64_t centered = int64_t(value) - inputZp;
    if (centered < kInt32Min || centered > kInt32Max)
      continue; // apply_scale_32 takes an int32 value.
    int minShift = 2;
    while (centered < -(int64_t(1) << (minShift - 1)) ||
           centered >= (int64_t(1) << (minShift - 1)))
      ++minShift;
    int32_t s = static_cast<int32_t>(
        std::min<int64_t>(minShift + rng.uniform(0, 8), kMaxDyadicShift));
    int32_t m = rng.multiplier();
    for (DyadicRounding mode :
         {DyadicRounding::SingleRound, DyadicRounding::DoubleRound}) {
      int32_t want = tosaRescale(value, inputZp, m, static_cast<int8_t>(s),
                                 outputZp, mode == DyadicRounding::DoubleRound,
                                 static_cast<int32_t>(out.range.min),
                                 static_cast<int32_t>(out.range.max));
      int64_t got = rescale(value, inputZp, {m, s}, outputZp, out.range.min,
                            out.range.max, mode);
      if (got != want) {
        ++failures;
        ADD_FAILURE() << describe(centered, m, s, mode)
                      << " in=" << in.range.name << " out=" << out.range.name
                      << " inputZp=" << inputZp << " outputZp=" << outputZp
                      << ": got " << got << ", TOSA " << want;
      }
    }
  }
}

TEST(DyadicSpecTest, TFLiteEqualsGemmlowpAndDoubleRoundInRange) {
  const uint64_t seed = testSeed(12);
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE(seedTrace(seed));
  Rng rng(seed);
  int failures = 0;
  for (int i = 0; i < 1000000 && failures < 10; ++i) {
    // TFLite exponent e = 31 - s. gemmlowp's int32 arithmetic is defined for
    // e <= 30 (1 << e) and e >= -31 (RoundingDivideByPOT's exponent), and
    // needs x * 2^max(e, 0) to fit int32.
    int exponent = static_cast<int>(rng.uniform(-31, 30));
    int leftShift = std::max(exponent, 0);
    int64_t x = rng.withSign(rng.magnitude(31 - leftShift));
    if (leftShift == 0 && rng.oneIn(64))
      x = kInt32Min;
    int32_t m = rng.oneIn(2) ? static_cast<int32_t>(rng.uniform(
                                   int64_t(1) << 30, kMaxMultiplier))
                             : rng.multiplier();
    int32_t s = 31 - exponent;
    int32_t want = tfliteMultiplyByQuantizedMultiplier(static_cast<int32_t>(x),
                                                       m, exponent);
    int64_t gotTFLite = applyDyadic(x, m, s, DyadicRounding::TFLite);
    int64_t gotDouble = applyDyadic(x, m, s, DyadicRounding::DoubleRound);
    if (gotTFLite != want || gotDouble != want) {
      ++failures;
      ADD_FAILURE() << describe(x, m, s, DyadicRounding::TFLite)
                    << " e=" << exponent << ": tflite " << gotTFLite
                    << ", double_round " << gotDouble << ", gemmlowp " << want;
    }
  }
}

//===----------------------------------------------------------------------===//
// Edge cases.
//===----------------------------------------------------------------------===//

TEST(DyadicEdgeTest, ExtremeInputsMultipliersAndShifts) {
  const int64_t xs[] = {kInt32Min,
                        kInt32Max,
                        0,
                        1,
                        -1,
                        2,
                        -2,
                        kMaxAbsInput,
                        -kMaxAbsInput,
                        kMaxAbsInput - 1,
                        -(kMaxAbsInput - 1),
                        kInt32Min - 1,
                        kInt32Max + 1,
                        int64_t(1) << 30,
                        -(int64_t(1) << 30),
                        (int64_t(1) << 30) - 1,
                        -(int64_t(1) << 30) - 1};
  const int32_t ms[] = {1,
                        2,
                        3,
                        (1 << 30) - 1,
                        1 << 30,
                        (1 << 30) + 1,
                        kMaxMultiplier - 1,
                        kMaxMultiplier};
  const int32_t shifts[] = {0, 1, 2, 29, 30, 31, 32, 33, 60, 61, 62};
  for (DyadicRounding mode : kAllModes) {
    bool doubleRound = mode != DyadicRounding::SingleRound;
    for (int64_t x : xs) {
      for (int32_t m : ms) {
        for (int32_t s : shifts) {
          int64_t got = applyDyadic(x, m, s, mode);
          EXPECT_EQ(Int128(got), exactRound(x, m, s, mode))
              << describe(x, m, s, mode);
          EXPECT_EQ(Int128(got), tosaApplyScaleWide(x, m, s, doubleRound))
              << describe(x, m, s, mode);
          if (mode == DyadicRounding::TFLite) {
            EXPECT_EQ(Int128(got), exactTFLite(x, m, s))
                << describe(x, m, s, mode);
          }
          for (const IntRange &type : kOutputTypes) {
            for (int64_t outputZp : {type.min, int64_t(0), type.max}) {
              for (int64_t inputZp : {kInt32Min, int64_t(0), kInt32Max}) {
                if (std::abs(x) > kInt32Max)
                  inputZp = 0; // keeps |x - inputZp| < 2^32
                EXPECT_EQ(rescale(x + inputZp, inputZp, {m, s}, outputZp,
                                  type.min, type.max, mode),
                          exactRescale(x + inputZp, inputZp, m, s, outputZp,
                                       type.min, type.max, mode))
                    << describe(x, m, s, mode) << " out=" << type.name
                    << " inputZp=" << inputZp << " outputZp=" << outputZp;
              }
            }
          }
        }
      }
    }
  }
}

TEST(DyadicEdgeTest, ZeroIsAFixedPoint) {
  for (DyadicRounding mode : kAllModes)
    for (int32_t m : {1, 1 << 30, kMaxMultiplier})
      for (int32_t s = 0; s <= kMaxDyadicShift; ++s)
        EXPECT_EQ(applyDyadic(0, m, s, mode), 0) << describe(0, m, s, mode);
}

TEST(DyadicEdgeTest, ShiftZeroIsExactProduct) {
  // p = (2^32 - 1) * (2^31 - 1) is within 2^32 + 2^31 of 2^63; TFLite mode
  // shifts x left by 31 before its high multiply.
  const int64_t p = kMaxAbsInput * kMaxMultiplier;
  for (DyadicRounding mode : kAllModes) {
    EXPECT_EQ(applyDyadic(kMaxAbsInput, kMaxMultiplier, 0, mode), p)
        << modeName(mode);
    EXPECT_EQ(applyDyadic(-kMaxAbsInput, kMaxMultiplier, 0, mode), -p)
        << modeName(mode);
    EXPECT_EQ(applyDyadic(kInt32Min, 1, 0, mode), kInt32Min) << modeName(mode);
  }
}

/// Expected results of one (x, m, s) per mode.
struct TieCase {
  int64_t x;
  int32_t m;
  int32_t s;
  int64_t single, doubleRound, tflite;
};

TEST(DyadicEdgeTest, HandComputedTiesAndDoubleRounding) {
  const int64_t two30 = int64_t(1) << 30, two31 = int64_t(1) << 31;
  const TieCase cases[] = {
      // s <= 31: every mode rounds half toward plus infinity.
      {1, 1, 1, 1, 1, 1},            // 0.5 -> 1
      {-1, 1, 1, 0, 0, 0},           // -0.5 -> 0
      {3, 1, 1, 2, 2, 2},            // 1.5 -> 2
      {-3, 1, 1, -1, -1, -1},        // -1.5 -> -1
      {5, 1, 2, 1, 1, 1},            // 1.25 -> 1
      {-5, 1, 2, -1, -1, -1},        // -1.25 -> -1
      {6, 1, 2, 2, 2, 2},            // 1.5 -> 2
      {-6, 1, 2, -1, -1, -1},        // -1.5 -> -1
      {1, 1 << 30, 31, 1, 1, 1},     // 2^30 / 2^31 = 0.5
      {-1, 1 << 30, 31, 0, 0, 0},    // -0.5
      {3, 1 << 30, 31, 2, 2, 2},     // 1.5
      {-3, 1 << 30, 31, -1, -1, -1}, // -1.5
      // s > 31: double_round and tflite round ties away from zero.
      {two31, 1, 32, 1, 1, 1},         // 0.5
      {-two31, 1, 32, 0, -1, -1},      // -0.5
      {3 * two30, 2, 32, 2, 2, 2},     // 1.5
      {-3 * two30, 2, 32, -1, -2, -2}, // -1.5
      {two31, 1 << 30, 62, 1, 1, 1},   // 2^61 / 2^62 = 0.5
      {-two31, 1 << 30, 62, 0, -1, -1},
      {3 * two30, 1 << 30, 61, 2, 2, 2}, // 3 * 2^60 / 2^61 = 1.5
      {-3 * two30, 1 << 30, 61, -1, -2, -2},
      // s > 31: double rounding first rounds at bit 31, so 0.25 becomes 0.5
      // and then 1; single rounding gives 0.
      {two30, 1, 32, 0, 1, 1},         // 0.25
      {two30 - 1, 1, 32, 0, 0, 0},     // just below 0.25
      {-two30, 1, 32, 0, 0, 0},        // -0.25
      {-two30 - 1, 1, 32, 0, -1, -1},  // just below -0.25
      {3 * two30, 1, 32, 1, 1, 1},     // 0.75
      {-3 * two30, 1, 32, -1, -1, -1}, // -0.75
      // Largest |p| at the largest shift: p / 2^62 = 2 - (3 * 2^31 - 1) / 2^62.
      {kMaxAbsInput, kMaxMultiplier, 62, 2, 2, 2},
      {-kMaxAbsInput, kMaxMultiplier, 62, -2, -2, -2},
      // Smallest nonzero |p| at the largest shift rounds to 0.
      {1, 1, 62, 0, 0, 0},
      {-1, 1, 62, 0, 0, 0},
  };
  for (const TieCase &c : cases) {
    EXPECT_EQ(applyDyadic(c.x, c.m, c.s, DyadicRounding::SingleRound), c.single)
        << describe(c.x, c.m, c.s, DyadicRounding::SingleRound);
    EXPECT_EQ(applyDyadic(c.x, c.m, c.s, DyadicRounding::DoubleRound),
              c.doubleRound)
        << describe(c.x, c.m, c.s, DyadicRounding::DoubleRound);
    EXPECT_EQ(applyDyadic(c.x, c.m, c.s, DyadicRounding::TFLite), c.tflite)
        << describe(c.x, c.m, c.s, DyadicRounding::TFLite);
  }
}

TEST(DyadicEdgeTest, DoubleRoundBoundariesAtEveryLargeShift) {
  // For s > 31, double_round steps from q to q + 1 where
  // p = q * 2^s + 2^(s-1) - c, c = +-2^30. Build p = x * 2^30 on both sides
  // of that boundary for every shift, sign and a few q.
  const int64_t two30 = int64_t(1) << 30;
  for (int32_t s = 32; s <= kMaxDyadicShift; ++s) {
    for (int64_t q : {int64_t(-1), int64_t(0), int64_t(1)}) {
      for (int64_t c : {two30, -two30}) {
        // x * 2^30 = q * 2^s + 2^(s-1) - c  =>  x = q * 2^(s-30) + 2^(s-31) -+
        // 1
        int64_t boundary =
            q * (int64_t(1) << (s - 30)) + (int64_t(1) << (s - 31)) - c / two30;
        for (int64_t delta : {int64_t(-1), int64_t(0), int64_t(1)}) {
          int64_t x = boundary + delta;
          if (std::abs(x) > kMaxAbsInput)
            continue;
          for (DyadicRounding mode : kAllModes) {
            EXPECT_EQ(Int128(applyDyadic(x, 1 << 30, s, mode)),
                      exactRound(x, 1 << 30, s, mode))
                << describe(x, 1 << 30, s, mode);
          }
        }
      }
    }
  }
}

TEST(DyadicEdgeTest, SaturatesToTheCorrectEnd) {
  constexpr DyadicScale kOne{1 << 30, 30}; // exactly 1.0
  for (DyadicRounding mode : kAllModes) {
    // x' = INT32_MAX - (-11) = 2^31 + 10. Truncating that to i32 wraps to
    // -2^31 + 10, which a clamp to i8 would turn into -128; the exact result
    // is above 127.
    int64_t r = applyDyadic(kInt32Max + 11, kOne.multiplier, kOne.shift, mode);
    ASSERT_EQ(r, (int64_t(1) << 31) + 10);
    ASSERT_EQ(std::clamp<int64_t>(static_cast<int32_t>(r), -128, 127), -128)
        << "the truncating lowering this test guards against";
    EXPECT_EQ(rescale(kInt32Max, -11, kOne, 0, -128, 127, mode), 127)
        << modeName(mode);
    // The mirror image: x' = INT32_MIN - 10 wraps to 2^31 - 10.
    EXPECT_EQ(rescale(kInt32Min, 10, kOne, 0, -128, 127, mode), -128)
        << modeName(mode);
    // x' = 2^31 + 2 doubled is 2^32 + 4, which truncates to 4, inside the i8
    // range; the exact answer is 127.
    EXPECT_EQ(rescale(kInt32Max, -3, {1 << 30, 29}, 0, -128, 127, mode), 127)
        << modeName(mode);
    // Plain out-of-range results: an i8 result of 300 is 127, -300 is -128.
    EXPECT_EQ(rescale(600, 0, {1 << 30, 31}, 0, -128, 127, mode), 127);
    EXPECT_EQ(rescale(-600, 0, {1 << 30, 31}, 0, -128, 127, mode), -128);
    EXPECT_EQ(rescale(600, 0, {1 << 30, 31}, 3, -8, 7, mode), 7);    // i4
    EXPECT_EQ(rescale(-600, 0, {1 << 30, 31}, -3, -2, 1, mode), -2); // i2
    EXPECT_EQ(rescale(1, 0, {1 << 30, 30}, 255, 0, 255, mode), 255); // u8
    EXPECT_EQ(rescale(-1, 0, {1 << 30, 30}, 0, 0, 255, mode), 0);    // u8
    // Zero points push an in-range value over the edge.
    EXPECT_EQ(rescale(100, 0, kOne, 100, -128, 127, mode), 127);
    EXPECT_EQ(rescale(-100, 0, kOne, -100, -128, 127, mode), -128);
    EXPECT_EQ(rescale(0, 100, kOne, -100, -128, 127, mode), -128);
    // i32 output: the largest product saturates at INT32_MAX / INT32_MIN.
    EXPECT_EQ(rescale(kMaxAbsInput, 0, {kMaxMultiplier, 0}, 0, kInt32Min,
                      kInt32Max, mode),
              kInt32Max);
    EXPECT_EQ(rescale(-kMaxAbsInput, 0, {kMaxMultiplier, 0}, 0, kInt32Min,
                      kInt32Max, mode),
              kInt32Min);
    // r + outputZp beyond int64 (r close to 2^63 at shift 0) still saturates
    // instead of wrapping.
    EXPECT_EQ(rescale(kMaxAbsInput, 0, {kMaxMultiplier, 0}, kInt64Max,
                      kInt64Min, kInt64Max, mode),
              kInt64Max);
    EXPECT_EQ(rescale(-kMaxAbsInput, 0, {kMaxMultiplier, 0}, kInt64Min,
                      kInt64Min, kInt64Max, mode),
              kInt64Min);
  }
}

//===----------------------------------------------------------------------===//
// computeDyadicScale.
//===----------------------------------------------------------------------===//

/// The scale's value, or a test failure naming the error.
DyadicScale expectScale(double scale) {
  llvm::Expected<DyadicScale> result = computeDyadicScale(scale);
  if (!result) {
    ADD_FAILURE() << "computeDyadicScale(" << scale
                  << ") failed: " << llvm::toString(result.takeError());
    return {0, 0};
  }
  return *result;
}

/// The error message of a failing computeDyadicScale.
std::string expectError(double scale) {
  llvm::Expected<DyadicScale> result = computeDyadicScale(scale);
  if (result) {
    ADD_FAILURE() << "computeDyadicScale(" << scale << ") returned ("
                  << result->multiplier << ", " << result->shift << ")";
    return "";
  }
  return llvm::toString(result.takeError());
}

void expectScaleEq(double scale, int64_t multiplier, int32_t shift) {
  DyadicScale d = expectScale(scale);
  EXPECT_EQ(d.multiplier, multiplier) << "scale " << scale;
  EXPECT_EQ(d.shift, shift) << "scale " << scale;
}

TEST(ComputeDyadicScaleTest, SpecificValues) {
  const int64_t two30 = int64_t(1) << 30;
  expectScaleEq(1.0, two30, 30);
  expectScaleEq(0.5, two30, 31);
  expectScaleEq(0.25, two30, 32);
  expectScaleEq(3.0, 3 * (int64_t(1) << 29), 29);
  expectScaleEq(0.75, 3 * (int64_t(1) << 29), 31);
  // 2^-32 is the smallest power of two with 31 significant bits at shift 62.
  expectScaleEq(0x1p-32, two30, 62);
  // Below it the shift stays at 62 and the multiplier loses bits.
  expectScaleEq(0x1p-33, two30 / 2, 62);
  expectScaleEq(0x1p-40, int64_t(1) << 22, 62);
  expectScaleEq(0x1p-62, 1, 62);
  expectScaleEq(3 * 0x1p-62, 3, 62);
  expectScaleEq(0x1p-63, 1, 62); // 1/2 rounds away from zero
  expectScaleEq(0x1.8p-63, 1, 62);
  expectScaleEq(0x1.8p-62, 2, 62); // 1.5 rounds to 2
  // Largest scales: shift 0.
  expectScaleEq(0x1p30, two30, 0);
  expectScaleEq(2147483647.0, kMaxMultiplier, 0);
  expectScaleEq(2147483646.5, kMaxMultiplier, 0); // tie, away from zero
  // Just below 2^31, the multiplier would round to 2^31 at shift 0, which
  // cannot be renormalized; the closest representable dyadic is 2^31 - 1.
  expectScaleEq(std::nextafter(0x1p31, 0.0), kMaxMultiplier, 0);
  // A multiplier that rounds up to 2^31 renormalizes to 2^30, one shift less:
  // 1 - 2^-32 = (2^31 - 1/2) * 2^-31.
  expectScaleEq(1.0 - 0x1p-32, two30, 30);
  expectScaleEq(0.5 - 0x1p-33, two30, 31);
  // Not a power of two: 0.1 * 2^34 = 1717986918.4 (0x66666666.66...).
  expectScaleEq(0.1, 1717986918, 34);
  // Denormal inputs are below 2^-63 and fail (see the error test).
}

TEST(ComputeDyadicScaleTest, RandomScalesAreClosestAndNormalized) {
  const uint64_t seed = testSeed(20);
  RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE(seedTrace(seed));
  Rng rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 200000; ++i) {
    // Log-uniform over [2^-63, 2^31).
    double scale = std::exp2(-63.0 + 94.0 * unit(rng.engine));
    if (scale >= 0x1p31)
      continue;
    DyadicScale d = expectScale(scale);
    ASSERT_GE(d.shift, 0) << scale;
    ASSERT_LE(d.shift, kMaxDyadicShift) << scale;
    ASSERT_GE(d.multiplier, 1) << scale;
    // scale * 2^shift is exact in double; the multiplier is its rounding
    // (except in [2^31 - 1/2, 2^31), where 2^31 does not fit int32).
    double exactMultiplier = std::ldexp(scale, d.shift);
    if (scale < 0x1p31 - 0.5) {
      EXPECT_LE(std::fabs(d.multiplier - exactMultiplier), 0.5) << scale;
    }
    if (scale >= 0x1p-32) {
      // Normalized: 31 significant bits, relative error <= 2^-31.
      EXPECT_GE(d.multiplier, int32_t(1) << 30) << scale;
      EXPECT_LE(std::fabs(d.toDouble() - scale), scale * 0x1p-31) << scale;
    } else {
      EXPECT_EQ(d.shift, kMaxDyadicShift) << scale;
    }
  }
}

TEST(ComputeDyadicScaleTest, ToDouble) {
  EXPECT_EQ((DyadicScale{1 << 30, 30}).toDouble(), 1.0);
  EXPECT_EQ((DyadicScale{3, 62}).toDouble(), 3 * 0x1p-62);
  EXPECT_EQ((DyadicScale{kMaxMultiplier, 0}).toDouble(), 2147483647.0);
  EXPECT_EQ(expectScale(0.75).toDouble(), 0.75);
}

TEST(ComputeDyadicScaleTest, ErrorsNameTheProblem) {
  std::string msg = expectError(0.0);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "must be positive", msg);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "got 0", msg);
  msg = expectError(-0.0);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "must be positive", msg);
  msg = expectError(-1.0);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "must be positive", msg);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "-1", msg);
  msg = expectError(std::numeric_limits<double>::quiet_NaN());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "NaN", msg);
  msg = expectError(std::numeric_limits<double>::infinity());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "infinite", msg);
  msg = expectError(-std::numeric_limits<double>::infinity());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "infinite", msg);
  msg = expectError(1e-30);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "too small", msg);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "shift above 62", msg);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "e-30", msg);
  msg = expectError(std::nextafter(0x1p-63, 0.0));
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "too small", msg);
  msg = expectError(std::numeric_limits<double>::denorm_min());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "too small", msg);
  msg = expectError(1e12);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "too large", msg);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "1000000000000", msg);
  msg = expectError(0x1p31);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "too large", msg);
  msg = expectError(std::numeric_limits<double>::max());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "too large", msg);
}

//===----------------------------------------------------------------------===//
// reciprocalScale.
//===----------------------------------------------------------------------===//

/// TOSA's count_leading_zeros on a 32-bit value; 32 for 0.
int32_t countLeadingZeros(uint32_t a) {
  int32_t n = 0;
  for (uint32_t bit = 1u << 31; bit != 0 && (a & bit) == 0; bit >>= 1)
    ++n;
  return n;
}

/// TOSA's reciprocal_scale as the spec writes it (REQUIRE value > 0).
void tosaReciprocalScale(uint32_t value, int32_t &multiplier, int32_t &shift) {
  int32_t k = 32 - countLeadingZeros(value - 1); // (1<<k)/2 < value <= (1<<k)
  // The spec's `((1 << 30) + 1) << k` is int64_t arithmetic.
  int64_t numerator = ((int64_t(1) << 30) + 1) << k;
  multiplier = static_cast<int32_t>(numerator / value);
  shift = 30 + k;
}

void checkReciprocal(uint32_t count) {
  int32_t multiplier, shift;
  tosaReciprocalScale(count, multiplier, shift);
  DyadicScale d = reciprocalScale(count);
  EXPECT_EQ(d.multiplier, multiplier) << "count " << count;
  EXPECT_EQ(d.shift, shift) << "count " << count;
  EXPECT_GE(d.multiplier, int32_t(1) << 30) << "count " << count;
  EXPECT_LE(d.shift, kMaxDyadicShift) << "count " << count;
  // Never below 1 / count: multiplier * count >= 2^shift.
  EXPECT_GE(Int128(d.multiplier) * count, pow2(d.shift)) << "count " << count;
}

TEST(ReciprocalScaleTest, MatchesTosaUpTo65536) {
  for (uint32_t count = 1; count <= 65536; ++count)
    checkReciprocal(count);
  // The multiplier type guarantees < 2^31; spot-check the extremes.
  EXPECT_EQ(reciprocalScale(1).multiplier, (1 << 30) + 1);
  EXPECT_EQ(reciprocalScale(1).shift, 30);
  EXPECT_EQ(reciprocalScale(3).multiplier, 1431655766); // (2^30+1)*4/3
  EXPECT_EQ(reciprocalScale(3).shift, 32);
}

TEST(ReciprocalScaleTest, LargeCountsUpTo2To30) {
  // 2^29 + 1 has the largest multiplier; counts above 2^30 are out of
  // contract (2^30 + 1 would need a multiplier of exactly 2^31).
  for (uint32_t k = 16; k <= 30; ++k)
    for (int64_t delta : {-1, 0, 1})
      if (k < 30 || delta <= 0)
        checkReciprocal(static_cast<uint32_t>((int64_t(1) << k) + delta));
}

TEST(ReciprocalScaleTest, AveragesSmallWindowsToNearest) {
  // The reciprocal is strictly above 1 / count, by less than
  // 1 / (count * 2^30), so for every sum an int8 window of up to 64 values can
  // produce, single rounding of sum * reciprocal is sum / count rounded to
  // nearest with ties away from zero: an exact half lands just beyond itself,
  // and anything else is at least 1 / (2 * count) from a half.
  for (uint32_t count = 1; count <= 64; ++count) {
    DyadicScale d = reciprocalScale(count);
    for (int64_t sum = -128 * int64_t(count); sum <= 127 * int64_t(count);
         ++sum) {
      Int128 magnitude =
          floorDiv(2 * Int128(std::abs(sum)) + count, 2 * Int128(count));
      Int128 want = sum < 0 ? -magnitude : magnitude;
      ASSERT_EQ(Int128(applyDyadic(sum, d.multiplier, d.shift,
                                   DyadicRounding::SingleRound)),
                want)
          << "count " << count << " sum " << sum;
    }
  }
}

} // namespace
