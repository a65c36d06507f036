//===- ImportLinalg.cpp - Raise float linalg ops to TOSA --------*- C++ -*-===//
//
// Implements --qlp-import-linalg. qlp-quantize reads one float form, TOSA on
// tensors; this pass rewrites the float linalg named ops that frontends emit
// into the TOSA 1.0 ops computing the same values:
//
//   linalg.matmul, batch_matmul          -> tosa.matmul (+ reshapes)
//   linalg.conv_2d_nhwc_hwcf             -> tosa.conv2d (OHWI weight)
//   linalg.depthwise_conv_2d_nhwc_hwc(m) -> tosa.depthwise_conv2d
//   linalg.add / sub / mul / max / min   -> tosa.add / sub / mul / maximum /
//                                           minimum
//
// Weights must be constants (they are re-laid-out at compile time); integer
// ops, ops with runtime weights, and anything else are left as they are.
// Linalg contractions accumulate into their `outs` operand; an init that is
// not zero becomes a tosa.add after the TOSA op.
//
//===----------------------------------------------------------------------===//

#include "passes/ImportUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "qlp-import-linalg"

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPIMPORTLINALG
#include "passes/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;
using namespace mlir::qlp;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// True if every operand and result of `op` is a static float tensor of
/// one element type: the only linalg ops this pass raises.
static bool isUniformFloatOp(Operation *op) {
  Type element;
  for (Type type :
       llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape() ||
        !isa<FloatType>(tensor.getElementType()))
      return false;
    if (element && element != tensor.getElementType())
      return false;
    element = tensor.getElementType();
  }
  return true;
}

/// True if the accumulator init of a contraction reads as zero: a
/// linalg.fill or splat constant of +-0.0 (x + -0.0 == x, and +0.0 only
/// changes the sign of a zero sum), or a tensor.empty, whose contents are
/// undefined, so that any value, zero included, is a valid choice.
static bool isZeroInit(Value init) {
  if (init.getDefiningOp<tensor::EmptyOp>())
    return true;
  Value fillValue = init;
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    fillValue = fill.getInputs()[0];
  return matchPattern(fillValue, m_AnyZeroFloat());
}

/// `result`, plus the init when the init is not zero.
static Value addInit(OpBuilder &builder, Location loc, Value result,
                     Value init) {
  if (isZeroInit(init))
    return result;
  return tosa::AddOp::create(builder, loc, init.getType(), result, init);
}

/// A rank-1 float zero of `element`: the zero point operand TOSA 1.0
/// requires on float convolutions and matmuls.
static Value createFloatZeroPoint(OpBuilder &builder, Location loc,
                                  Type element) {
  auto type = RankedTensorType::get({1}, element);
  return tosa::ConstOp::create(
      builder, loc, type,
      DenseElementsAttr::get(type, builder.getFloatAttr(element, 0.0)));
}

/// A `tosa.const` holding `elements` (already in the wanted shape).
static Value createConst(OpBuilder &builder, Location loc,
                         DenseElementsAttr elements) {
  return tosa::ConstOp::create(builder, loc, elements.getType(), elements);
}

/// Permutes constant `elements` of shape `shape` by `perm` (result dimension
/// i is source dimension perm[i]), at compile time.
static DenseElementsAttr transposeConstant(DenseElementsAttr elements,
                                           ArrayRef<int64_t> perm) {
  auto type = cast<ShapedType>(elements.getType());
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> resultShape;
  for (int64_t p : perm)
    resultShape.push_back(shape[p]);
  SmallVector<Attribute> source(elements.getValues<Attribute>());
  SmallVector<Attribute> result(source.size());
  size_t rank = shape.size();
  // Source strides, then walk the result in row-major order.
  SmallVector<int64_t> strides(rank, 1);
  for (size_t d = rank - 1; d > 0; --d)
    strides[d - 1] = strides[d] * shape[d];
  SmallVector<int64_t> index(rank, 0);
  for (size_t flat = 0; flat < result.size(); ++flat) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d)
      offset += index[d] * strides[perm[d]];
    result[flat] = source[offset];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < resultShape[d])
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(type.clone(resultShape), result);
}

/// The two spatial values of a linalg `strides` / `dilations` attribute.
static SmallVector<int64_t> getPair(DenseIntElementsAttr attr) {
  if (!attr)
    return {1, 1};
  return llvm::to_vector(
      llvm::map_range(attr.getValues<APInt>(),
                      [](const APInt &v) { return v.getSExtValue(); }));
}

/// The input of a convolution with a zero `tensor.pad` folded into TOSA's
/// `pad` ([top, bottom, left, right]), then cropped or re-padded at the
/// bottom and right so that TOSA's output-size rule, which requires the
/// padded extent minus the window to divide by the stride, gives exactly
/// the linalg op's output size. Rows and columns that linalg never reads
/// are sliced off. Fails when the window layout is not representable.
static FailureOr<std::pair<Value, SmallVector<int64_t>>>
prepareConvInput(OpBuilder &builder, Location loc, Value input,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dilations, ArrayRef<int64_t> outSize) {
  SmallVector<int64_t> pad = {0, 0, 0, 0};
  if (auto padOp = input.getDefiningOp<tensor::PadOp>()) {
    Value padValue = padOp.getConstantPaddingValue();
    ArrayRef<int64_t> low = padOp.getStaticLow(), high = padOp.getStaticHigh();
    if (padValue && matchPattern(padValue, m_AnyZeroFloat()) &&
        low.size() == 4 && !ShapedType::isDynamicShape(low) &&
        !ShapedType::isDynamicShape(high) && low[0] == 0 && low[3] == 0 &&
        high[0] == 0 && high[3] == 0 &&
        cast<RankedTensorType>(padOp.getSource().getType()).hasStaticShape()) {
      pad = {low[1], high[1], low[2], high[2]};
      input = padOp.getSource();
    }
  }
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> size = llvm::to_vector(type.getShape());
  bool crop = false;
  for (int axis = 0; axis < 2; ++axis) {
    int64_t extent = (outSize[axis] - 1) * strides[axis] +
                     (kernel[axis] - 1) * dilations[axis] + 1;
    int64_t &before = pad[2 * axis], &after = pad[2 * axis + 1];
    int64_t &length = size[1 + axis];
    after = extent - length - before;
    if (after < 0) {
      // Linalg reads fewer rows than there are; drop the unread ones.
      length += after;
      after = 0;
      crop = true;
      if (length < 1)
        return failure();
    }
  }
  if (crop) {
    SmallVector<int64_t> start(4, 0);
    auto sliceType = type.clone(size);
    ImplicitLocOpBuilder b(loc, builder);
    input = tosa::SliceOp::create(b, sliceType, input,
                                  tosa::getTosaConstShape(b, start),
                                  tosa::getTosaConstShape(b, size));
  }
  return std::make_pair(input, pad);
}

/// The accumulator type of the float convolutions created here: f32, which
/// TOSA allows for f32, f16 and bf16 inputs.
static TypeAttr getAccType(OpBuilder &builder) {
  return TypeAttr::get(builder.getF32Type());
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

/// linalg.matmul [M, K] x [K, N] and linalg.batch_matmul [B, M, K] x
/// [B, K, N] -> tosa.matmul, with the rank-2 case reshaped to rank 3 (the
/// constant weight at compile time, the activation by tosa.reshape).
static FailureOr<Value> importMatmul(OpBuilder &builder, linalg::LinalgOp op,
                                     bool batched) {
  if (!isUniformFloatOp(op))
    return failure();
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation()))
    if (matmul.hasUserDefinedMaps())
      return failure();
  if (auto matmul = dyn_cast<linalg::BatchMatmulOp>(op.getOperation()))
    if (matmul.hasUserDefinedMaps())
      return failure();
  Value lhs = op.getDpsInputOperand(0)->get();
  FailureOr<DenseElementsAttr> weight =
      getConstantElements(op.getDpsInputOperand(1)->get());
  if (failed(weight))
    return failure();
  Value init = op.getDpsInitOperand(0)->get();
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto initType = cast<RankedTensorType>(init.getType());
  auto weightType = cast<ShapedType>(weight->getType());
  Type element = lhsType.getElementType();
  Location loc = op.getLoc();

  Value a = lhs, b;
  RankedTensorType resultType = initType;
  if (batched) {
    b = createConst(builder, loc, *weight);
  } else {
    a = createTosaReshape(builder, loc, lhs,
                          {1, lhsType.getDimSize(0), lhsType.getDimSize(1)});
    b = createConst(
        builder, loc,
        weight->reshape(weightType.clone(
            {1, weightType.getDimSize(0), weightType.getDimSize(1)})));
    resultType =
        initType.clone({1, initType.getDimSize(0), initType.getDimSize(1)});
  }
  auto matmul =
      tosa::MatMulOp::create(builder, loc, resultType, a, b,
                             createFloatZeroPoint(builder, loc, element),
                             createFloatZeroPoint(builder, loc, element));
  copyQLPAttributes(op, matmul);
  Value result = matmul;
  if (!batched)
    result = createTosaReshape(builder, loc, result, initType.getShape());
  return addInit(builder, loc, result, init);
}

/// The zero float bias of `channels` output channels that TOSA convolutions
/// take (linalg convolutions have none).
static Value createZeroBias(OpBuilder &builder, Location loc, Type element,
                            int64_t channels) {
  auto type = RankedTensorType::get({channels}, element);
  return createConst(
      builder, loc,
      DenseElementsAttr::get(type, builder.getFloatAttr(element, 0.0)));
}

/// linalg.conv_2d_nhwc_hwcf -> tosa.conv2d. The constant HWCF weight is
/// transposed to TOSA's OHWI (FHWC) at compile time; the bias is zero.
static FailureOr<Value> importConv2D(OpBuilder &builder,
                                     linalg::Conv2DNhwcHwcfOp op) {
  if (!isUniformFloatOp(op))
    return failure();
  FailureOr<DenseElementsAttr> weight = getConstantElements(op.getInputs()[1]);
  if (failed(weight))
    return failure();
  Value init = op.getOutputs()[0];
  auto initType = cast<RankedTensorType>(init.getType());
  ArrayRef<int64_t> weightShape =
      cast<ShapedType>(weight->getType()).getShape();
  SmallVector<int64_t> strides = getPair(op.getStrides());
  SmallVector<int64_t> dilations = getPair(op.getDilations());
  Location loc = op.getLoc();
  FailureOr<std::pair<Value, SmallVector<int64_t>>> prepared = prepareConvInput(
      builder, loc, op.getInputs()[0], {weightShape[0], weightShape[1]},
      strides, dilations, {initType.getDimSize(1), initType.getDimSize(2)});
  if (failed(prepared))
    return failure();
  Type element = initType.getElementType();
  int64_t filters = weightShape[3];
  Value bias = createZeroBias(builder, loc, element, filters);
  // HWCF -> FHWC: result dimension i is source dimension perm[i].
  Value ohwi =
      createConst(builder, loc, transposeConstant(*weight, {3, 0, 1, 2}));
  auto conv = tosa::Conv2DOp::create(
      builder, loc, initType, prepared->first, ohwi, bias,
      createFloatZeroPoint(builder, loc, element),
      createFloatZeroPoint(builder, loc, element),
      builder.getDenseI64ArrayAttr(prepared->second),
      builder.getDenseI64ArrayAttr(strides),
      builder.getDenseI64ArrayAttr(dilations), getAccType(builder));
  copyQLPAttributes(op, conv);
  return addInit(builder, loc, conv, init);
}

/// linalg.depthwise_conv_2d_nhwc_hwc ([KH, KW, C] weight) and _hwcm
/// ([KH, KW, C, M] weight, [N, OH, OW, C, M] result) ->
/// tosa.depthwise_conv2d, whose [N, OH, OW, C * M] result orders channels
/// as c * M + m, the row-major flattening of linalg's (C, M).
static FailureOr<Value> importDepthwise(OpBuilder &builder, linalg::LinalgOp op,
                                        DenseIntElementsAttr stridesAttr,
                                        DenseIntElementsAttr dilationsAttr) {
  if (!isUniformFloatOp(op))
    return failure();
  FailureOr<DenseElementsAttr> weight =
      getConstantElements(op.getDpsInputOperand(1)->get());
  if (failed(weight))
    return failure();
  Value init = op.getDpsInitOperand(0)->get();
  auto initType = cast<RankedTensorType>(init.getType());
  auto weightType = cast<ShapedType>(weight->getType());
  ArrayRef<int64_t> ws = weightType.getShape();
  int64_t multiplier = ws.size() == 4 ? ws[3] : 1;
  int64_t channels = ws[2];
  SmallVector<int64_t> strides = getPair(stridesAttr);
  SmallVector<int64_t> dilations = getPair(dilationsAttr);
  Location loc = op.getLoc();
  FailureOr<std::pair<Value, SmallVector<int64_t>>> prepared = prepareConvInput(
      builder, loc, op.getDpsInputOperand(0)->get(), {ws[0], ws[1]}, strides,
      dilations, {initType.getDimSize(1), initType.getDimSize(2)});
  if (failed(prepared))
    return failure();
  Type element = initType.getElementType();
  Value bias = createZeroBias(builder, loc, element, channels * multiplier);
  Value tosaWeight = createConst(
      builder, loc,
      weight->reshape(weightType.clone({ws[0], ws[1], channels, multiplier})));
  auto resultType =
      initType.clone({initType.getDimSize(0), initType.getDimSize(1),
                      initType.getDimSize(2), channels * multiplier});
  auto conv = tosa::DepthwiseConv2DOp::create(
      builder, loc, resultType, prepared->first, tosaWeight, bias,
      createFloatZeroPoint(builder, loc, element),
      createFloatZeroPoint(builder, loc, element),
      builder.getDenseI64ArrayAttr(prepared->second),
      builder.getDenseI64ArrayAttr(strides),
      builder.getDenseI64ArrayAttr(dilations), getAccType(builder));
  copyQLPAttributes(op, conv);
  Value result = conv;
  if (resultType != initType)
    result = createTosaReshape(builder, loc, result, initType.getShape());
  return addInit(builder, loc, result, init);
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

/// An elementwise operand: a `linalg.broadcast` of a constant becomes the
/// constant with size-1 dimensions where it was broadcast, which TOSA's
/// elementwise ops broadcast implicitly (the form qlp-fold-batchnorm and
/// qlp-quantize recognize as per-channel constants).
static Value getElementwiseOperand(OpBuilder &builder, Location loc,
                                   Value operand) {
  auto broadcast = operand.getDefiningOp<linalg::BroadcastOp>();
  if (!broadcast)
    return operand;
  FailureOr<DenseElementsAttr> source =
      getConstantElements(broadcast.getInput());
  if (failed(source))
    return operand;
  auto resultType = cast<RankedTensorType>(operand.getType());
  SmallVector<int64_t> shape = llvm::to_vector(resultType.getShape());
  for (int64_t d : broadcast.getDimensions())
    shape[d] = 1;
  // Dropping the broadcast dimensions keeps the source's row-major order.
  return createConst(
      builder, loc,
      source->reshape(cast<ShapedType>(source->getType()).clone(shape)));
}

template <typename TosaOp>
static Value createBinary(OpBuilder &builder, Location loc, Type type,
                          Value lhs, Value rhs) {
  return TosaOp::create(builder, loc, type, lhs, rhs);
}

static FailureOr<Value> importElementwise(OpBuilder &builder,
                                          linalg::LinalgOp op) {
  if (!isUniformFloatOp(op) || op.getNumDpsInputs() != 2 ||
      op->getNumResults() != 1)
    return failure();
  Location loc = op.getLoc();
  Type type = op->getResult(0).getType();
  Value lhs =
      getElementwiseOperand(builder, loc, op.getDpsInputOperand(0)->get());
  Value rhs =
      getElementwiseOperand(builder, loc, op.getDpsInputOperand(1)->get());
  Operation *created =
      TypeSwitch<Operation *, Operation *>(op)
          .Case([&](linalg::AddOp) {
            return tosa::AddOp::create(builder, loc, type, lhs, rhs);
          })
          .Case([&](linalg::SubOp) {
            return tosa::SubOp::create(builder, loc, type, lhs, rhs);
          })
          .Case([&](linalg::MulOp) {
            // The shift operand applies to i32 multiplies only; it is 0 for
            // float.
            auto shiftType = RankedTensorType::get({1}, builder.getI8Type());
            Value shift = tosa::ConstOp::create(
                builder, loc, shiftType,
                DenseElementsAttr::get(shiftType, builder.getI8IntegerAttr(0)));
            return tosa::MulOp::create(builder, loc, type, lhs, rhs, shift);
          })
          // linalg.max / min on floats are arith.maximumf / minimumf, which
          // propagate NaN, as TOSA's default nan_mode.
          .Case([&](linalg::MaxOp) {
            return tosa::MaximumOp::create(builder, loc, type, lhs, rhs);
          })
          .Case([&](linalg::MinOp) {
            return tosa::MinimumOp::create(builder, loc, type, lhs, rhs);
          })
          .Default([](Operation *) { return nullptr; });
  if (!created)
    return failure();
  copyQLPAttributes(op, created);
  return created->getResult(0);
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace mlir::qlp {
namespace {
struct QLPImportLinalgPass : impl::QLPImportLinalgBase<QLPImportLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> candidates;
    // In program order, so that a producer is replaced before its users;
    // only the kinds imported here, since cleaning up after an import may
    // erase other linalg ops (a fill or broadcast that became dead).
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() &&
          isa<linalg::MatmulOp, linalg::BatchMatmulOp, linalg::Conv2DNhwcHwcfOp,
              linalg::DepthwiseConv2DNhwcHwcOp,
              linalg::DepthwiseConv2DNhwcHwcmOp, linalg::AddOp, linalg::SubOp,
              linalg::MulOp, linalg::MaxOp, linalg::MinOp>(op))
        candidates.push_back(op);
    });

    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      rewriter.setInsertionPoint(op);
      // Each import checks all its conditions before it creates an op, so
      // a failure leaves the IR untouched.
      FailureOr<Value> replacement =
          TypeSwitch<Operation *, FailureOr<Value>>(op)
              .Case([&](linalg::MatmulOp matmul) {
                return importMatmul(rewriter, matmul, /*batched=*/false);
              })
              .Case([&](linalg::BatchMatmulOp matmul) {
                return importMatmul(rewriter, matmul, /*batched=*/true);
              })
              .Case([&](linalg::Conv2DNhwcHwcfOp conv) {
                return importConv2D(rewriter, conv);
              })
              .Case([&](linalg::DepthwiseConv2DNhwcHwcOp conv) {
                return importDepthwise(rewriter, conv, conv.getStrides(),
                                       conv.getDilations());
              })
              .Case([&](linalg::DepthwiseConv2DNhwcHwcmOp conv) {
                return importDepthwise(rewriter, conv, conv.getStrides(),
                                       conv.getDilations());
              })
              .Case<linalg::AddOp, linalg::SubOp, linalg::MulOp, linalg::MaxOp,
                    linalg::MinOp>([&](auto elementwise) {
                return importElementwise(rewriter, elementwise);
              })
              .Default([](Operation *) { return failure(); });
      if (failed(replacement))
        continue;
      SmallVector<Operation *> producers;
      for (Value operand : op->getOperands())
        if (Operation *producer = operand.getDefiningOp())
          producers.push_back(producer);
      rewriter.replaceOp(op, *replacement);
      // The pads, fills, broadcasts and constants only the linalg op used.
      eraseDeadTrees(rewriter, producers);
    }
  }
};
} // namespace
} // namespace mlir::qlp
