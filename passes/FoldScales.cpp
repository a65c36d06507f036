//===- FoldScales.cpp - Fold float scale chains into dyadic rescales ------===//
//
// qlp-quantize leaves every requantization as a chain on !quant.uniform
// types:
//
//   x:  tensor<...xiN>  --quant.scast-->  tensor<...x!quant.uniform<iN:f32, S_in>>
//       --quant.dcast--> f32 [--tosa.add with a second such input--]
//       [--tosa.clamp--] --quant.qcast--> !quant.uniform<iM:f32, S_out>
//       --quant.scast--> tensor<...xiM>
//
// Its real-valued meaning is q_out = clamp(round(S_in * (x - zp_in) / S_out)
// + zp_out): a multiplication by S_in / S_out, which this pass replaces with
// the nearest dyadic number m * 2^-s (qlp.rescale), or two of them for a
// residual add (qlp.add). A float clamp in the chain becomes the integer
// clamp bounds: rounding is monotone, so clamping the real value to
// [lo, hi] before quantization equals clamping the integer to
// [round(lo / S_out) + zp_out, round(hi / S_out) + zp_out] after it.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/Dyadic.h"
#include "dialect/QLPAttrs.h"
#include "dialect/QLPOps.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir {
namespace qlp {
#define GEN_PASS_DEF_QLPFOLDSCALES
#include "passes/Passes.h.inc"
} // namespace qlp
} // namespace mlir

using namespace mlir;
using namespace mlir::qlp;

namespace {

/// One dequantized input of a chain: the integers and their real scales.
struct ChainInput {
  Value integers;
  SmallVector<double> scales;  // one, or one per index along `axis`
  std::optional<int64_t> axis; // set for per-channel scales
  int64_t zp = 0;
};

/// Reads `scast(x) -> dcast` back to `x` and its quantized type.
static FailureOr<ChainInput> matchInput(Value real) {
  auto dcast = real.getDefiningOp<quant::DequantizeCastOp>();
  if (!dcast)
    return failure();
  auto scast = dcast.getInput().getDefiningOp<quant::StorageCastOp>();
  if (!scast)
    return failure();
  Type element = getElementTypeOrSelf(scast.getResult().getType());
  ChainInput input;
  input.integers = scast.getInput();
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(element)) {
    input.scales = {uniform.getScale()};
    input.zp = uniform.getZeroPoint();
    return input;
  }
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element);
  if (!perAxis)
    return failure();
  ArrayRef<int64_t> zps = perAxis.getZeroPoints();
  // qlp.rescale has one input zero point (accumulators have zero point 0).
  if (!llvm::all_equal(zps))
    return failure();
  input.scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
  input.axis = perAxis.getQuantizedDimension();
  input.zp = zps.empty() ? 0 : zps.front();
  return input;
}

/// The dyadic scale nearest to `ratio`. A power of two becomes a pure shift
/// (multiplier 1) or, above 1, a multiplier with shift 0, so that the
/// lowering needs no general multiplication for it.
static FailureOr<DyadicScale> getDyadic(Operation *op, double ratio) {
  int exponent = 0;
  if (std::isfinite(ratio) && ratio > 0.0 &&
      std::frexp(ratio, &exponent) == 0.5) {
    // ratio = 2^(exponent - 1).
    int32_t power = exponent - 1;
    if (power <= 0 && -power <= kMaxDyadicShift)
      return DyadicScale{1, -power};
    if (power > 0 && power < 31)
      return DyadicScale{int32_t(1) << power, 0};
  }
  llvm::Expected<DyadicScale> scale = computeDyadicScale(ratio);
  if (!scale)
    return op->emitOpError() << "cannot fold the scale ratio into a dyadic "
                                "rescale: "
                             << llvm::toString(scale.takeError());
  return *scale;
}

/// The dyadic attribute for the per-channel ratios `inScales[c] / outScale`.
static FailureOr<DyadicAttr> getDyadicAttr(Operation *op,
                                           const ChainInput &input,
                                           double outScale) {
  SmallVector<int32_t> multipliers, shifts;
  for (double s : input.scales) {
    FailureOr<DyadicScale> scale = getDyadic(op, s / outScale);
    if (failed(scale))
      return failure();
    multipliers.push_back(scale->multiplier);
    shifts.push_back(scale->shift);
  }
  bool uniform = llvm::all_equal(multipliers) && llvm::all_equal(shifts);
  if (uniform || !input.axis)
    return DyadicAttr::get(op->getContext(), multipliers.front(),
                           shifts.front());
  return DyadicAttr::get(op->getContext(), multipliers, shifts, input.axis);
}

/// Folds one chain, ending in `qcast`, into integer ops.
static LogicalResult foldChain(quant::QuantizeCastOp qcast,
                               RoundingMode rounding) {
  auto outType = dyn_cast<quant::UniformQuantizedType>(
      getElementTypeOrSelf(qcast.getResult().getType()));
  if (!outType)
    return qcast.emitOpError()
           << "qlp-fold-scales folds requantizations to per-tensor "
              "!quant.uniform types only";
  double outScale = outType.getScale();
  int64_t outZp = outType.getZeroPoint();
  int64_t qmin = outType.getStorageTypeMin(), qmax = outType.getStorageTypeMax();

  Value real = qcast.getInput();
  std::optional<int64_t> clampLo, clampHi;
  if (auto clamp = real.getDefiningOp<tosa::ClampOp>()) {
    auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
    auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
    if (!lo || !hi)
      return clamp.emitOpError() << "needs float bounds in a scale chain";
    auto bound = [&](double v) {
      double q = std::round(v / outScale) + double(outZp);
      return int64_t(std::clamp(q, double(qmin), double(qmax)));
    };
    clampLo = bound(lo.getValueAsDouble());
    clampHi = bound(hi.getValueAsDouble());
    // A clamp wider than the output type (ReLU6 at a fine scale) is the
    // rescale's own saturation; leave it implicit.
    if (*clampLo == qmin && *clampHi == qmax)
      clampLo = clampHi = std::nullopt;
    real = clamp.getInput();
  }

  // Every user of the qcast takes the integers back out.
  SmallVector<quant::StorageCastOp> outputs;
  for (Operation *user : qcast->getUsers()) {
    auto scast = dyn_cast<quant::StorageCastOp>(user);
    if (!scast)
      return user->emitOpError()
             << "uses a requantized value as !quant.uniform; qlp-fold-scales "
                "expects quant.scast to its storage type";
    outputs.push_back(scast);
  }
  if (outputs.empty())
    return success();
  auto resultType = cast<RankedTensorType>(outputs.front().getType());

  OpBuilder builder(qcast);
  Location loc = qcast.getLoc();
  auto roundingAttr = RoundingModeAttr::get(builder.getContext(), rounding);
  IntegerAttr lo = clampLo ? builder.getI64IntegerAttr(*clampLo) : IntegerAttr();
  IntegerAttr hi = clampHi ? builder.getI64IntegerAttr(*clampHi) : IntegerAttr();
  Value result;
  if (auto add = real.getDefiningOp<tosa::AddOp>()) {
    FailureOr<ChainInput> a = matchInput(add.getInput1());
    FailureOr<ChainInput> b = matchInput(add.getInput2());
    if (failed(a) || failed(b))
      return add.emitOpError() << "in a scale chain must add two dequantized "
                                  "values (quant.dcast)";
    FailureOr<DyadicAttr> aScale = getDyadicAttr(add, *a, outScale);
    FailureOr<DyadicAttr> bScale = getDyadicAttr(add, *b, outScale);
    if (failed(aScale) || failed(bScale))
      return failure();
    result = AddOp::create(builder, loc, resultType, a->integers,
                           builder.getI64IntegerAttr(a->zp), *aScale,
                           b->integers, builder.getI64IntegerAttr(b->zp),
                           *bScale, builder.getI64IntegerAttr(outZp), lo, hi,
                           roundingAttr);
  } else {
    FailureOr<ChainInput> in = matchInput(real);
    if (failed(in))
      return qcast.emitOpError()
             << "ends a scale chain that qlp-fold-scales does not recognize: "
                "expected quant.scast, quant.dcast, an optional tosa.add of "
                "two such inputs and an optional tosa.clamp";
    FailureOr<DyadicAttr> scale = getDyadicAttr(qcast, *in, outScale);
    if (failed(scale))
      return failure();
    result = RescaleOp::create(builder, loc, resultType, in->integers,
                               builder.getI64IntegerAttr(in->zp), *scale,
                               builder.getI64IntegerAttr(outZp), lo, hi,
                               roundingAttr);
  }
  if (failed(mlir::verify(result.getDefiningOp())))
    return failure();
  for (quant::StorageCastOp scast : outputs) {
    if (scast.getType() != resultType)
      return scast.emitOpError() << "storage types of one chain differ";
    scast.replaceAllUsesWith(result);
    scast.erase();
  }
  return success();
}

/// Erases the float ops of folded chains (now dead), users first.
static void eraseDeadChains(ModuleOp module) {
  SmallVector<Operation *> candidates;
  module.walk([&](Operation *op) {
    if (isa<quant::QuantizeCastOp, quant::DequantizeCastOp,
            quant::StorageCastOp, tosa::AddOp, tosa::ClampOp>(op))
      candidates.push_back(op);
  });
  bool changed = true;
  while (changed) {
    changed = false;
    for (Operation *&op : candidates) {
      if (op && op->use_empty()) {
        op->erase();
        op = nullptr;
        changed = true;
      }
    }
  }
}

struct QLPFoldScalesPass
    : qlp::impl::QLPFoldScalesBase<QLPFoldScalesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<quant::QuantizeCastOp> chains;
    module.walk([&](quant::QuantizeCastOp op) { chains.push_back(op); });
    for (quant::QuantizeCastOp qcast : chains)
      if (failed(foldChain(qcast, rounding)))
        return signalPassFailure();
    eraseDeadChains(module);

    // A dequantization left over has no integer meaning: report it.
    WalkResult leftover = module.walk([&](quant::DequantizeCastOp op) {
      op.emitOpError() << "is not part of a scale chain that ends in a "
                          "quant.qcast; qlp-fold-scales cannot make it "
                          "integer-only";
      return WalkResult::interrupt();
    });
    if (leftover.wasInterrupted())
      return signalPassFailure();

    // Merge consecutive rescales where that is exact.
    RewritePatternSet patterns(&getContext());
    RescaleOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
