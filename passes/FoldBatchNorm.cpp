//===- FoldBatchNorm.cpp - Fold affine chains into layers -------*- C++ -*-===//
//
// Implements --qlp-fold-batchnorm. HAWQ-V3 folds batch normalization into
// the preceding layer before quantization, so that the quantized layer's
// weights and bias already include it and no float per-channel affine map is
// left between integer layers.
//
// A layer is a float tosa.conv2d, tosa.depthwise_conv2d or tosa.matmul with
// a constant weight (and, for convolutions, a constant bias). The chain is
// the longest run of tosa.mul / tosa.add / tosa.sub ops after it, each
// taking the previous value and a per-channel constant, where every value
// but the last has exactly one use. Along the chain the pass keeps the affine
// map y = v * g + h per output channel:
//
//   mul by c:      g <- g * c,   h <- h * c
//   add c:         h <- h + c
//   sub c (v - c): h <- h - c
//   sub (c - v):   g <- -g,      h <- c - h
//
// and then rewrites the layer: W'[f, ...] = W[f, ...] * g[f] and
// b'[f] = b[f] * g[f] + h[f]. A matmul has no bias operand, so its h stays
// as one tosa.add of a constant, which qlp-quantize absorbs as a bias.
//
// The constants (including rsqrt / reciprocal of constant expressions, as in
// `(x - mean) * rsqrt(var + eps) * gamma + beta`) are evaluated in double
// precision and each folded weight and bias is rounded once to the layer's
// element type; the result differs from evaluating the chain op by op in
// f32 only by that rounding.
//
//===----------------------------------------------------------------------===//

#include "passes/ImportUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"

#include <cmath>

#define DEBUG_TYPE "qlp-fold-batchnorm"

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPFOLDBATCHNORM
#include "passes/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;
using namespace mlir::qlp;

namespace {
/// A constant float tensor evaluated at compile time.
struct ConstTensor {
  SmallVector<int64_t> shape;
  SmallVector<double> values;
};

/// The per-channel affine map y = v * scale + shift.
struct ChannelAffine {
  SmallVector<double> scale, shift;
};
} // namespace

/// Constant expressions larger than this are not evaluated (a per-channel
/// operand has as many elements as channels; this only bounds the work).
static constexpr int64_t kMaxEvaluatedElements = 1 << 20;

static int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Evaluates `lhs op rhs` elementwise with TOSA's broadcasting (equal ranks,
/// each dimension equal or 1).
static FailureOr<ConstTensor>
broadcastBinary(const ConstTensor &lhs, const ConstTensor &rhs,
                function_ref<double(double, double)> fn) {
  if (lhs.shape.size() != rhs.shape.size())
    return failure();
  ConstTensor result;
  for (auto [a, b] : llvm::zip_equal(lhs.shape, rhs.shape)) {
    if (a != b && a != 1 && b != 1)
      return failure();
    result.shape.push_back(std::max(a, b));
  }
  int64_t count = product(result.shape);
  if (count > kMaxEvaluatedElements)
    return failure();
  size_t rank = result.shape.size();
  result.values.resize(count);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t li = 0, ri = 0;
    for (size_t d = 0; d < rank; ++d) {
      li = li * lhs.shape[d] + (lhs.shape[d] == 1 ? 0 : index[d]);
      ri = ri * rhs.shape[d] + (rhs.shape[d] == 1 ? 0 : index[d]);
    }
    result.values[flat] = fn(lhs.values[li], rhs.values[ri]);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < result.shape[d])
        break;
      index[d] = 0;
    }
  }
  return result;
}

/// Evaluates a float constant expression: constants, and tosa add / sub /
/// mul / rsqrt / reciprocal / reshape of constant expressions.
static FailureOr<ConstTensor> evaluate(Value value, unsigned depth = 0) {
  if (depth > 16)
    return failure();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !isa<FloatType>(type.getElementType()) ||
      !type.hasStaticShape() || type.getNumElements() > kMaxEvaluatedElements)
    return failure();

  DenseElementsAttr elements;
  if (matchPattern(value, m_Constant(&elements))) {
    ConstTensor result;
    result.shape = llvm::to_vector(type.getShape());
    for (const APFloat &v : elements.getValues<APFloat>())
      result.values.push_back(v.convertToDouble());
    // A splat attribute yields one value per element through getValues.
    return result;
  }

  Operation *op = value.getDefiningOp();
  if (!op)
    return failure();
  auto unary = [&](Value input,
                   function_ref<double(double)> fn) -> FailureOr<ConstTensor> {
    FailureOr<ConstTensor> in = evaluate(input, depth + 1);
    if (failed(in))
      return failure();
    for (double &v : in->values)
      v = fn(v);
    return in;
  };
  auto binary =
      [&](Value a, Value b,
          function_ref<double(double, double)> fn) -> FailureOr<ConstTensor> {
    FailureOr<ConstTensor> lhs = evaluate(a, depth + 1);
    FailureOr<ConstTensor> rhs = evaluate(b, depth + 1);
    if (failed(lhs) || failed(rhs))
      return failure();
    return broadcastBinary(*lhs, *rhs, fn);
  };
  return TypeSwitch<Operation *, FailureOr<ConstTensor>>(op)
      .Case([&](tosa::AddOp add) {
        return binary(add.getInput1(), add.getInput2(),
                      [](double a, double b) { return a + b; });
      })
      .Case([&](tosa::SubOp sub) {
        return binary(sub.getInput1(), sub.getInput2(),
                      [](double a, double b) { return a - b; });
      })
      .Case([&](tosa::MulOp mul) {
        return binary(mul.getInput1(), mul.getInput2(),
                      [](double a, double b) { return a * b; });
      })
      .Case([&](tosa::RsqrtOp rsqrt) {
        return unary(rsqrt.getInput1(),
                     [](double v) { return 1.0 / std::sqrt(v); });
      })
      .Case([&](tosa::ReciprocalOp reciprocal) {
        return unary(reciprocal.getInput1(), [](double v) { return 1.0 / v; });
      })
      .Case([&](tosa::ReshapeOp reshape) -> FailureOr<ConstTensor> {
        FailureOr<ConstTensor> in = evaluate(reshape.getInput1(), depth + 1);
        if (failed(in))
          return failure();
        in->shape = llvm::to_vector(type.getShape());
        return in;
      })
      .Default([](Operation *) { return failure(); });
}

/// Evaluates `value` as a per-channel operand of a tensor of rank `rank`
/// with `channels` in its last dimension: every dimension but the last must
/// be 1, and the last 1 (broadcast) or `channels`.
static FailureOr<SmallVector<double>>
evaluatePerChannel(Value value, int64_t rank, int64_t channels) {
  FailureOr<ConstTensor> constant = evaluate(value);
  if (failed(constant) || static_cast<int64_t>(constant->shape.size()) > rank)
    return failure();
  ArrayRef<int64_t> shape = constant->shape;
  if (!shape.empty() &&
      llvm::any_of(shape.drop_back(), [](int64_t d) { return d != 1; }))
    return failure();
  int64_t last = shape.empty() ? 1 : shape.back();
  if (last != 1 && last != channels)
    return failure();
  SmallVector<double> result(channels);
  for (int64_t c = 0; c < channels; ++c)
    result[c] = constant->values[last == 1 ? 0 : c];
  return result;
}

/// Extends the chain by `op` if it is a mul / add / sub of `current` and a
/// per-channel constant, updating `affine`.
static LogicalResult extendChain(Operation *op, Value current,
                                 ChannelAffine &affine) {
  if (!isa<tosa::MulOp, tosa::AddOp, tosa::SubOp>(op))
    return failure();
  // The chain value must not itself be broadcast to a larger shape.
  if (op->getResult(0).getType() != current.getType())
    return failure();
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if ((lhs == current) == (rhs == current))
    return failure();
  bool currentIsLhs = lhs == current;
  Value other = currentIsLhs ? rhs : lhs;
  auto type = cast<RankedTensorType>(current.getType());
  int64_t channels = affine.scale.size();
  FailureOr<SmallVector<double>> c =
      evaluatePerChannel(other, type.getRank(), channels);
  if (failed(c))
    return failure();
  for (int64_t f = 0; f < channels; ++f) {
    double k = (*c)[f];
    if (isa<tosa::MulOp>(op)) {
      affine.scale[f] *= k;
      affine.shift[f] *= k;
    } else if (isa<tosa::AddOp>(op)) {
      affine.shift[f] += k;
    } else if (currentIsLhs) {
      affine.shift[f] -= k;
    } else {
      affine.scale[f] = -affine.scale[f];
      affine.shift[f] = k - affine.shift[f];
    }
  }
  return success();
}

/// A dense constant of `type` (a float tensor) holding `values`, each
/// rounded once to the element type.
static DenseElementsAttr makeFloatAttr(ShapedType type,
                                       ArrayRef<double> values) {
  const llvm::fltSemantics &semantics =
      cast<FloatType>(type.getElementType()).getFloatSemantics();
  SmallVector<APFloat> converted;
  converted.reserve(values.size());
  for (double v : values) {
    APFloat value(v);
    bool losesInfo;
    value.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
    converted.push_back(value);
  }
  return DenseElementsAttr::get(type, converted);
}

/// The constant float values of `value`, expanded from a splat.
static FailureOr<SmallVector<double>> getFloatValues(Value value) {
  FailureOr<DenseElementsAttr> elements = getConstantElements(value);
  if (failed(elements) || !isa<FloatType>(elements->getElementType()))
    return failure();
  SmallVector<double> result;
  for (const APFloat &v : elements->getValues<APFloat>())
    result.push_back(v.convertToDouble());
  return result;
}

/// Moves the chain's `qlp.*` attributes to `layer`, which now produces the
/// chain's value. The layer's own `qlp.range` described its unfolded output
/// and is dropped; its other attributes (`qlp.bits`, ...) stay unless the
/// chain's last op sets them too.
static void carryAttributes(Operation *chainLast, Operation *layer) {
  layer->removeAttr("qlp.range");
  for (NamedAttribute attr : chainLast->getDiscardableAttrs())
    if (attr.getName().getValue().starts_with("qlp."))
      layer->setAttr(attr.getName(), attr.getValue());
}

/// Tries to fold the chain after `layer`. Returns true if it folded.
static bool foldAfter(RewriterBase &rewriter, Operation *layer) {
  Value result = layer->getResult(0);
  auto resultType = dyn_cast<RankedTensorType>(result.getType());
  if (!resultType || !isa<FloatType>(resultType.getElementType()) ||
      !resultType.hasStaticShape() || resultType.getRank() == 0)
    return false;

  // Operand positions: conv2d / depthwise_conv2d (input, weight, bias, ...),
  // matmul (a, b, a_zp, b_zp).
  bool isMatmul = isa<tosa::MatMulOp>(layer);
  Value weight = layer->getOperand(1);
  auto weightType = dyn_cast<RankedTensorType>(weight.getType());
  FailureOr<SmallVector<double>> weights = getFloatValues(weight);
  if (!weightType || failed(weights))
    return false;
  FailureOr<SmallVector<double>> bias;
  if (!isMatmul) {
    bias = getFloatValues(layer->getOperand(2));
    if (failed(bias))
      return false;
  }

  int64_t channels = resultType.getShape().back();
  ChannelAffine affine{SmallVector<double>(channels, 1.0),
                       SmallVector<double>(channels, 0.0)};
  SmallVector<Operation *> chain;
  Value current = result;
  while (current.hasOneUse()) {
    Operation *user = *current.getUsers().begin();
    if (failed(extendChain(user, current, affine)))
      break;
    chain.push_back(user);
    current = user->getResult(0);
  }
  if (chain.empty())
    return false;
  LLVM_DEBUG(llvm::dbgs() << "folding " << chain.size() << " ops into "
                          << layer->getName() << "\n");

  // The output channel of each weight element: dimension 0 of conv2d's
  // OHWI; the flattened (C, M) of depthwise [KH, KW, C, M]; the last
  // dimension of matmul's [N, C, W].
  int64_t count = weightType.getNumElements();
  SmallVector<double> folded(count);
  int64_t perChannel = count / channels;
  for (int64_t i = 0; i < count; ++i) {
    int64_t f = isa<tosa::Conv2DOp>(layer) ? i / perChannel : i % channels;
    folded[i] = (*weights)[i] * affine.scale[f];
  }

  rewriter.setInsertionPoint(layer);
  Location loc = layer->getLoc();
  auto newWeight = tosa::ConstOp::create(rewriter, loc, weightType,
                                         makeFloatAttr(weightType, folded));
  Value oldWeight = weight, oldBias;
  rewriter.modifyOpInPlace(layer, [&] { layer->setOperand(1, newWeight); });

  Operation *last = chain.back();
  Operation *producer = layer;
  if (!isMatmul) {
    oldBias = layer->getOperand(2);
    SmallVector<double> newBias(channels);
    for (int64_t f = 0; f < channels; ++f)
      newBias[f] = (*bias)[bias->size() == 1 ? 0 : f] * affine.scale[f] +
                   affine.shift[f];
    auto biasType =
        RankedTensorType::get({channels}, resultType.getElementType());
    auto biasOp = tosa::ConstOp::create(rewriter, loc, biasType,
                                        makeFloatAttr(biasType, newBias));
    rewriter.modifyOpInPlace(layer, [&] { layer->setOperand(2, biasOp); });
  } else if (llvm::any_of(affine.shift, [](double v) { return v != 0.0; })) {
    // [1, ..., 1, W] so that it broadcasts over the matmul result.
    SmallVector<int64_t> shape(resultType.getRank(), 1);
    shape.back() = channels;
    auto shiftType = RankedTensorType::get(shape, resultType.getElementType());
    rewriter.setInsertionPointAfter(layer);
    auto shiftOp = tosa::ConstOp::create(
        rewriter, loc, shiftType, makeFloatAttr(shiftType, affine.shift));
    producer = tosa::AddOp::create(rewriter, last->getLoc(), resultType, result,
                                   shiftOp);
  }

  if (producer == layer) {
    carryAttributes(last, layer);
  } else {
    // The add produces the chain's value; the matmul keeps its own
    // attributes, less the range of its no longer meaningful output.
    layer->removeAttr("qlp.range");
    copyQLPAttributes(last, producer);
  }
  rewriter.replaceAllUsesWith(last->getResult(0), producer->getResult(0));
  // The chain, and the constants and constant expressions only it and the
  // old weight and bias used.
  SmallVector<Operation *> roots = {last};
  for (Value old : {oldWeight, oldBias})
    if (Operation *op = old ? old.getDefiningOp() : nullptr)
      roots.push_back(op);
  eraseDeadTrees(rewriter, roots);
  return true;
}

namespace mlir::qlp {
namespace {
struct QLPFoldBatchNormPass : impl::QLPFoldBatchNormBase<QLPFoldBatchNormPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> layers;
    getOperation().walk([&](Operation *op) {
      if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
        layers.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *layer : layers)
      if (foldAfter(rewriter, layer))
        ++numFolded;
  }
};
} // namespace
} // namespace mlir::qlp
