//===- QLPFolds.cpp - Folders of the qlp ops --------------------*- C++ -*-===//
//
// Op-intrinsic simplifications: identity rescales and clamps, pack/unpack
// round trips, and compile-time packing of constants.
//
//===----------------------------------------------------------------------===//

#include "dialect/QLPOps.h"
#include "runtime/qlp_runtime.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::qlp;

static unsigned getElementWidth(Type shapedType) {
  return getElementTypeOrSelf(shapedType).getIntOrFloatBitWidth();
}

/// True when [lo, hi] is the whole range of the signed `width`-bit type.
static bool isFullRange(int64_t lo, int64_t hi, unsigned width) {
  return lo == -(int64_t(1) << (width - 1)) &&
         hi == (int64_t(1) << (width - 1)) - 1;
}

//===----------------------------------------------------------------------===//
// RescaleOp
//===----------------------------------------------------------------------===//

OpFoldResult RescaleOp::fold(FoldAdaptor) {
  // y = clamp((x - zp) * 2^s / 2^s + zp) is x when the scale is exactly one
  // (no rounding happens), both zero points agree, and the clamp cannot cut
  // any value of the (unchanged) element type.
  if (getInput().getType() != getOutput().getType())
    return {};
  DyadicAttr scale = getScale();
  for (auto [m, s] : llvm::zip(scale.getMultipliers(), scale.getShifts()))
    if (s > 30 || m != (int64_t(1) << s))
      return {};
  if (getInputZp() != getOutputZp())
    return {};
  unsigned width = getElementWidth(getOutput().getType());
  if (getClampMin() && !isFullRange(*getClampMin(), *getClampMax(), width))
    return {};
  return getInput();
}

namespace {
/// rescale(rescale(x)) -> rescale(x) when the merged rescale computes the
/// same integers for every x of its type. That holds when the inner rescale
/// is an exact integer multiplication: a per-tensor multiplier m1 with at
/// least s1 trailing zero bits, so y = (x - z1) * M1 + z1' with
/// M1 = m1 >> s1 and no rounding, and its clamp cannot cut any such y. Then
/// the outer rescale sees y - z2 = (x - z) * M1 with z = z1 - (z1' - z2) / M1
/// (when M1 divides z1' - z2 and z fits x's type), whose sign is that of
/// x - z, so every rounding mode, including double_round's sign-dependent
/// correction, gives round((x - z) * (M1 * m2) / 2^s2) for the merged
/// multiplier M1 * m2 < 2^31.
struct MergeExactRescales : public OpRewritePattern<RescaleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RescaleOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<RescaleOp>();
    if (!inner || inner.getScale().getNumScales() != 1)
      return failure();
    DyadicScale first = inner.getScale().getScale(0);
    if (unsigned(llvm::countr_zero(uint32_t(first.multiplier))) <
        unsigned(first.shift))
      return failure();
    int64_t m1 = int64_t(first.multiplier) >> first.shift;

    unsigned xWidth = getElementWidth(inner.getInput().getType());
    unsigned yWidth = getElementWidth(inner.getOutput().getType());
    int64_t xMin = -(int64_t(1) << (xWidth - 1));
    int64_t xMax = (int64_t(1) << (xWidth - 1)) - 1;
    int64_t yMin = inner.getClampMin().value_or(-(int64_t(1) << (yWidth - 1)));
    int64_t yMax = inner.getClampMax().value_or((int64_t(1) << (yWidth - 1)) - 1);
    int64_t z1 = inner.getInputZp(), z1Out = inner.getOutputZp();
    __int128 lowest = __int128(xMin - z1) * m1 + z1Out;
    __int128 highest = __int128(xMax - z1) * m1 + z1Out;
    if (lowest < yMin || highest > yMax)
      return failure();

    int64_t delta = z1Out - outer.getInputZp();
    if (delta % m1 != 0)
      return failure();
    int64_t zp = z1 - delta / m1;
    if (zp < xMin || zp > xMax)
      return failure();

    DyadicAttr second = outer.getScale();
    SmallVector<int32_t> multipliers;
    for (int32_t m2 : second.getMultipliers()) {
      int64_t merged = m1 * int64_t(m2);
      if (merged > std::numeric_limits<int32_t>::max())
        return failure();
      multipliers.push_back(int32_t(merged));
    }
    auto scale = DyadicAttr::get(getContext(), multipliers,
                                 second.getShifts(), second.getAxis());
    rewriter.replaceOpWithNewOp<RescaleOp>(
        outer, outer.getType(), inner.getInput(),
        rewriter.getI64IntegerAttr(zp), scale, outer.getOutputZpAttr(),
        outer.getClampMinAttr(), outer.getClampMaxAttr(),
        outer.getRoundingAttr());
    return success();
  }
};

/// clamp(rescale(x)) -> rescale(x) with the intersected clamp bounds: the
/// rescale's last step is already a clamp (a quantized ReLU after a layer).
struct FoldClampIntoRescale : public OpRewritePattern<ClampOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ClampOp clamp,
                                PatternRewriter &rewriter) const override {
    auto rescale = clamp.getInput().getDefiningOp<RescaleOp>();
    if (!rescale || !rescale->hasOneUse())
      return failure();
    unsigned width = getElementWidth(rescale.getOutput().getType());
    int64_t lo = rescale.getClampMin().value_or(-(int64_t(1) << (width - 1)));
    int64_t hi = rescale.getClampMax().value_or((int64_t(1) << (width - 1)) - 1);
    lo = std::max(lo, clamp.getMin());
    hi = std::min(hi, clamp.getMax());
    // Disjoint ranges: every value ends at one bound; keep the ops as they
    // are rather than build an empty clamp.
    if (lo > hi)
      return failure();
    rewriter.replaceOpWithNewOp<RescaleOp>(
        clamp, clamp.getType(), rescale.getInput(), rescale.getInputZpAttr(),
        rescale.getScale(), rescale.getOutputZpAttr(),
        rewriter.getI64IntegerAttr(lo), rewriter.getI64IntegerAttr(hi),
        rescale.getRoundingAttr());
    return success();
  }
};
} // namespace

void RescaleOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<MergeExactRescales>(context);
}

void ClampOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<FoldClampIntoRescale>(context);
}

//===----------------------------------------------------------------------===//
// ClampOp
//===----------------------------------------------------------------------===//

OpFoldResult ClampOp::fold(FoldAdaptor) {
  if (isFullRange(getMin(), getMax(), getElementWidth(getInput().getType())))
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp
//===----------------------------------------------------------------------===//

namespace {
/// A tensor viewed as [outer, length, inner] around the packed axis, which
/// is how the runtime's packing functions address it.
struct PackGeometry {
  int64_t outer = 1, length, inner = 1;
  int32_t bits, wordBits;
};
} // namespace

/// The geometry of a static `values` tensor packed into `words`, or failure
/// when its sizes do not fit in 64 bits (the verifier accepts any static
/// size, so `outer` and `inner` are products the user controls).
static FailureOr<PackGeometry>
getGeometry(RankedTensorType values, RankedTensorType words, int64_t axis) {
  PackGeometry g;
  ArrayRef<int64_t> shape = values.getShape();
  std::optional<int64_t> outer = 1, inner = 1;
  for (int64_t d = 0; d < axis && outer; ++d)
    outer = llvm::checkedMul(*outer, shape[d]);
  for (int64_t d = axis + 1, e = values.getRank(); d < e && inner; ++d)
    inner = llvm::checkedMul(*inner, shape[d]);
  if (!outer || !inner)
    return failure();
  g.outer = *outer;
  g.length = shape[axis];
  g.inner = *inner;
  g.bits = getPackedBitWidth(values.getElementType());
  g.wordBits = getElementWidth(words);
  return g;
}

/// Reads the values to pack as one int8 per element: the integers of a
/// constant, or the +-1 of a binarized constant. A splat constant yields its
/// one value and sets `isSplat`: its shape may describe more elements than
/// memory holds. Fails on anything else.
static FailureOr<SmallVector<int8_t>> getConstantValues(Value input,
                                                        bool &isSplat) {
  DenseIntElementsAttr dense;
  BinarizeOp binarize;
  if (!matchPattern(input, m_Constant(&dense))) {
    binarize = input.getDefiningOp<BinarizeOp>();
    if (!binarize || !matchPattern(binarize.getInput(), m_Constant(&dense)))
      return failure();
  }
  auto toValue = [&](const APInt &v) -> int8_t {
    if (!binarize)
      return static_cast<int8_t>(v.getSExtValue());
    return v.getSExtValue() >= binarize.getThreshold() ? 1 : -1;
  };
  SmallVector<int8_t> values;
  isSplat = dense.isSplat();
  if (isSplat) {
    values.push_back(toValue(dense.getSplatValue<APInt>()));
    return values;
  }
  for (const APInt &v : dense.getValues<APInt>())
    values.push_back(toValue(v));
  return values;
}

/// The most elements a splat constant with tail bits is expanded to before
/// packing (16 MiB of int8 values). Without tail bits a splat packs to a
/// splat at no cost; with them the last word of each row differs, so the
/// packed constant is materialized in full, and a one-line splat of 2^31
/// elements must not exhaust memory.
static constexpr int64_t kMaxExpandedSplat = int64_t(1) << 24;

OpFoldResult PackOp::fold(FoldAdaptor) {
  RankedTensorType valuesType = getInput().getType();
  RankedTensorType wordsType = getOutput().getType();

  // pack(unpack(p)) is p only when p has no tail bits, which unpack drops:
  // when the n values (static, by the verifier) fill whole words, i.e. n is a
  // multiple of the wordBits / bits fields per word.
  if (auto unpack = getInput().getDefiningOp<UnpackOp>()) {
    int64_t fieldsPerWord = getElementWidth(wordsType) /
                            getPackedBitWidth(valuesType.getElementType());
    if (unpack.getAxis() == getAxis() &&
        unpack.getInput().getType() == wordsType &&
        valuesType.getDimSize(getAxis()) % fieldsPerWord == 0)
      return unpack.getInput();
  }

  // A constant needs a static type: the verifier lets the result keep a
  // dynamic size where the input's is known (shapes need only be
  // compatible), and a dense attribute of tensor<?x...> is not valid IR.
  if (!valuesType.hasStaticShape() || !wordsType.hasStaticShape())
    return {};
  FailureOr<PackGeometry> g = getGeometry(valuesType, wordsType, getAxis());
  if (failed(g))
    return {};
  std::optional<int64_t> numElements = llvm::checkedMul(g->outer, g->length);
  if (numElements)
    numElements = llvm::checkedMul(*numElements, g->inner);
  if (!numElements)
    return {};
  bool isSplat = false;
  FailureOr<SmallVector<int8_t>> values =
      getConstantValues(getInput(), isSplat);
  if (failed(values))
    return {};
  int64_t fieldsPerWord = g->wordBits / g->bits;
  int64_t wordBytes = g->wordBits / 8;
  if (isSplat) {
    // Every word holds fieldsPerWord copies of the value: pack one word, and
    // a raw buffer of one element is read as a splat.
    if (*numElements > 0 && g->length % fieldsPerWord == 0) {
      SmallVector<int8_t> word(fieldsPerWord, values->front());
      SmallVector<char> raw(wordBytes);
      if (qlp_rt_pack_s8(word.data(), 1, fieldsPerWord, 1, g->bits, g->wordBits,
                         raw.data()) != QLP_RT_OK)
        return {};
      return DenseElementsAttr::getFromRawBuffer(wordsType, raw);
    }
    if (*numElements > kMaxExpandedSplat)
      return {};
    values->assign(*numElements, values->front());
  }
  // The constant's values are in memory, and the packed words take no more
  // room than they do (at most one int8 per value, plus one word per row).
  int64_t packedLength = qlp_rt_packed_length(g->length, g->bits, g->wordBits);
  SmallVector<char> raw(g->outer * packedLength * g->inner * wordBytes);
  if (qlp_rt_pack_s8(values->data(), g->outer, g->length, g->inner, g->bits,
                     g->wordBits, raw.data()) != QLP_RT_OK)
    return {};
  // i8/i32/i64 dense storage is the native array of words, which is exactly
  // what the runtime wrote.
  return DenseElementsAttr::getFromRawBuffer(wordsType, raw);
}

OpFoldResult UnpackOp::fold(FoldAdaptor) {
  if (auto pack = getInput().getDefiningOp<PackOp>()) {
    if (pack.getAxis() == getAxis() &&
        pack.getInput().getType() == getOutput().getType())
      return pack.getInput();
  }
  return {};
}
