//===- BitAllocationLayers.cpp - Quantizable layers of a module -----------===//
//
// The layer forms qlp-allocate-bits recognizes, with the output-channel axes
// that per-channel weight quantization uses for each (the weight dimension
// that indexes the layer's output features):
//
//   op                              weight                  channel dims
//   qlp.matmul (rhs)                [K, N] / [B, K, N]      N
//   qlp.conv2d layout hwcf          [KH, KW, C/g, F]        F
//   qlp.conv2d layout fhwc          [F, KH, KW, C/g]        F
//   tosa.conv2d                     [F, KH, KW, C]          F
//   tosa.depthwise_conv2d           [KH, KW, C, M]          C, M (C*M outputs)
//   tosa.matmul (b)                 [N, C, W]               W
//   linalg.matmul / batch_matmul    [K, N] / [B, K, N]      N (via the maps)
//   linalg.conv_2d_nhwc_hwcf        [KH, KW, C, F]          F
//   linalg.conv_2d_nhwc_fhwc        [F, KH, KW, C]          F
//   linalg.depthwise_conv_2d_nhwc_hwc  [KH, KW, C]          C
//   linalg.depthwise_conv_2d_nhwc_hwcm [KH, KW, C, M]       C, M
//
// The weight is constant when it is produced by a ConstantLike op
// (arith.constant, tosa.const) or by a qlp.unpack of one (a packed sub-byte
// weight). A batched matmul's weight shares its per-channel scales across
// the batch, as qlp.matmul's per-column dequantization does.
//
//===----------------------------------------------------------------------===//

#include "passes/BitAllocationLayers.h"

#include "dialect/QLPOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qlp;

int64_t QuantizableLayer::getNumChannels() const {
  int64_t n = 1;
  for (int64_t d : channelDims)
    n *= shape[d];
  return n;
}

int64_t QuantizableLayer::getChannel(int64_t i) const {
  // Row-major strides of the channel dimensions, combined outermost first.
  int64_t channel = 0;
  for (int64_t d : channelDims) {
    int64_t stride = 1;
    for (int64_t e = d + 1, r = shape.size(); e < r; ++e)
      stride *= shape[e];
    channel = channel * shape[d] + (i / stride) % shape[d];
  }
  return channel;
}

/// Product of `dims`, or none when one is dynamic or the product overflows.
static std::optional<int64_t> product(ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    if (ShapedType::isDynamic(d) || d < 0 || __builtin_mul_overflow(n, d, &n))
      return std::nullopt;
  return n;
}

static std::optional<int64_t> numElements(Value v) {
  auto type = dyn_cast<ShapedType>(v.getType());
  if (!type || !type.hasRank())
    return std::nullopt;
  return product(type.getShape());
}

static std::optional<int64_t> mul(std::optional<int64_t> a, int64_t b) {
  int64_t r;
  if (!a || __builtin_mul_overflow(*a, b, &r))
    return std::nullopt;
  return r;
}

namespace {
/// What a layer form contributes: its weight operand, the output-channel
/// dimensions of the weight, and the MACs (given the weight's shape).
struct LayerForm {
  Value weight;
  SmallVector<int64_t> channelDims;
  std::function<std::optional<int64_t>(ArrayRef<int64_t>)> macs;
};
} // namespace

/// The weight dimension that indexes the output's last dimension in a linalg
/// op's indexing maps (N of a matmul, F of a convolution).
static std::optional<int64_t> linalgChannelDim(linalg::LinalgOp op,
                                               OpOperand *weight) {
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  AffineMap weightMap = op.getMatchingIndexingMap(weight);
  if (outMap.getNumResults() == 0)
    return std::nullopt;
  AffineExpr last = outMap.getResults().back();
  for (auto [i, expr] : llvm::enumerate(weightMap.getResults()))
    if (expr == last)
      return i;
  return std::nullopt;
}

static std::optional<LayerForm> matchLayerForm(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<LayerForm>>(op)
      .Case([](MatmulOp mm) -> std::optional<LayerForm> {
        Value result = mm.getResult();
        int64_t rank = cast<ShapedType>(mm.getRhs().getType()).getRank();
        return LayerForm{
            mm.getRhs(), {rank - 1}, [result](ArrayRef<int64_t> s) {
              return mul(numElements(result), s[s.size() - 2]);
            }};
      })
      .Case([](Conv2DOp conv) -> std::optional<LayerForm> {
        int64_t f = conv.getLayout() == WeightLayout::HWCF ? 3 : 0;
        Value result = conv.getResult();
        return LayerForm{
            conv.getWeight(), {f}, [result, f](ArrayRef<int64_t> s) {
              // KH * KW * C/groups products per output.
              return mul(numElements(result),
                         *product(s) / std::max<int64_t>(s[f], 1));
            }};
      })
      .Case([](tosa::Conv2DOp conv) -> std::optional<LayerForm> {
        Value result = conv.getOutput();
        return LayerForm{conv.getWeight(), {0}, [result](ArrayRef<int64_t> s) {
                           return mul(numElements(result), s[1] * s[2] * s[3]);
                         }};
      })
      .Case([](tosa::DepthwiseConv2DOp conv) -> std::optional<LayerForm> {
        Value result = conv.getOutput();
        return LayerForm{
            conv.getWeight(), {2, 3}, [result](ArrayRef<int64_t> s) {
              return mul(numElements(result), s[0] * s[1]);
            }};
      })
      .Case([](tosa::MatMulOp mm) -> std::optional<LayerForm> {
        Value result = mm.getOutput();
        return LayerForm{mm.getB(), {2}, [result](ArrayRef<int64_t> s) {
                           return mul(numElements(result), s[1]);
                         }};
      })
      .Case<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNhwcHwcfOp,
            linalg::Conv2DNhwcFhwcOp, linalg::DepthwiseConv2DNhwcHwcOp,
            linalg::DepthwiseConv2DNhwcHwcmOp>(
          [](auto named) -> std::optional<LayerForm> {
            auto op = cast<linalg::LinalgOp>(named.getOperation());
            if (op.getNumDpsInputs() < 2 || op.getNumDpsInits() != 1)
              return std::nullopt;
            OpOperand *weight = op.getDpsInputOperand(1);
            SmallVector<int64_t> channelDims;
            if (isa<linalg::DepthwiseConv2DNhwcHwcmOp>(op.getOperation())) {
              channelDims = {2, 3};
            } else if (auto dim = linalgChannelDim(op, weight)) {
              channelDims = {*dim};
            } else {
              return std::nullopt;
            }
            // Every point of a contraction's iteration space is one MAC.
            std::optional<int64_t> macs = product(op.getStaticLoopRanges());
            return LayerForm{weight->get(), channelDims,
                             [macs](ArrayRef<int64_t>) { return macs; }};
          })
      .Default([](Operation *) { return std::nullopt; });
}

FailureOr<SmallVector<QuantizableLayer>>
mlir::qlp::collectQuantizableLayers(Operation *root) {
  SmallVector<QuantizableLayer> layers;
  WalkResult walk = root->walk([&](Operation *op) {
    std::optional<LayerForm> form = matchLayerForm(op);
    if (!form)
      return WalkResult::advance();
    QuantizableLayer layer;
    layer.op = op;
    layer.weight = form->weight;
    Attribute constant;
    if (matchPattern(form->weight, m_Constant(&constant))) {
      layer.values = dyn_cast<ElementsAttr>(constant);
      if (!layer.values)
        return WalkResult::advance();
    } else if (auto unpack = form->weight.getDefiningOp<UnpackOp>();
               !unpack || !matchPattern(unpack.getInput(), m_Constant())) {
      // Not a constant weight: a product of two activations.
      return WalkResult::advance();
    }
    auto type = cast<ShapedType>(form->weight.getType());
    if (!type.hasStaticShape()) {
      op->emitOpError("has a constant weight of non-static shape ")
          << type << "; qlp-allocate-bits needs its parameter count";
      return WalkResult::interrupt();
    }
    layer.isFloat = isa<FloatType>(type.getElementType());
    layer.shape = llvm::to_vector(type.getShape());
    layer.channelDims = form->channelDims;
    layer.params = type.getNumElements();
    layer.macs = form->macs(layer.shape);
    layers.push_back(std::move(layer));
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return layers;
}

FailureOr<std::optional<SmallVector<double>>>
mlir::qlp::readFloatWeights(const QuantizableLayer &layer) {
  if (!layer.isFloat || !layer.values)
    return std::optional<SmallVector<double>>();
  auto range = layer.values.tryGetValues<APFloat>();
  if (!range)
    return std::optional<SmallVector<double>>();
  SmallVector<double> weights;
  weights.reserve(layer.params);
  for (APFloat value : *range) {
    bool losesInfo = false;
    value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    double w = value.convertToDouble();
    if (!std::isfinite(w)) {
      layer.op->emitOpError("has a non-finite weight value (")
          << w << ") at flat index " << weights.size();
      return failure();
    }
    weights.push_back(w);
  }
  return std::optional<SmallVector<double>>(std::move(weights));
}
