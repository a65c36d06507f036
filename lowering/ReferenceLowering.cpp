//===- ReferenceLowering.cpp - qlp to plain linalg/arith/tensor -*- C++ -*-===//
//
// The `qlp-lower-to-reference` pass: every qlp op becomes a few
// linalg.generic ops (plus tensor.pad for padded windows) whose bodies spell
// out the op's integer formula from dialect/QLPOps.td, step by step, in
// integer types wide enough that no step wraps. Speed is no goal: this
// lowering is the oracle that the fast CPU and GPU lowerings are checked
// against, so every choice below favors the obviously correct form.
//
// Widths used in the bodies:
//   - rescale / add: i64, since |x - zp| < 2^32 and m < 2^31 give |p| < 2^63
//     (the TFLite mode takes its high multiply in i128, as its definition
//     multiplies x * 2^(31 - s) by m before dividing by 2^31);
//   - matmul / conv2d / binary ops / pooling sums: i32, the accumulator type
//     of the ops, which their verifiers prove cannot overflow;
//   - avg_pool2d's reciprocal multiply: i64.
//
//===----------------------------------------------------------------------===//

#include "lowering/ReferenceLowering.h"

#include "dialect/QLPOps.h"
#include "lowering/DyadicEmitter.h"
#include "lowering/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <tuple>

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPLOWERTOREFERENCE
#include "lowering/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;
using namespace mlir::qlp;

//===----------------------------------------------------------------------===//
// Type conversion
//===----------------------------------------------------------------------===//

ReferenceTypeConverter::ReferenceTypeConverter() {
  // Conversions are tried last-added first; this one keeps every other type.
  addConversion([](Type type) { return type; });
  addConversion([](RankedTensorType type) -> Type {
    Type element = type.getElementType();
    // The binary type's documented bit encoding, one value per i1: true (1)
    // is -1 and false (0) is +1.
    if (isa<BinaryType>(element))
      return type.clone(IntegerType::get(type.getContext(), 1));
    // A quantized value at a function boundary is its storage integer.
    if (auto quantized = dyn_cast<quant::QuantizedType>(element))
      return type.clone(quantized.getStorageType());
    return type;
  });
}

//===----------------------------------------------------------------------===//
// IR construction helpers
//===----------------------------------------------------------------------===//

static int64_t signedMin(unsigned width) {
  return -(int64_t(1) << (width - 1));
}
static int64_t signedMax(unsigned width) {
  return (int64_t(1) << (width - 1)) - 1;
}

static Value indexConst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// The size of dimension `dim` of `tensor` as an index value.
static Value dimSize(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (!type.isDynamicDim(dim))
    return indexConst(b, loc, type.getDimSize(dim));
  return tensor::DimOp::create(b, loc, tensor, dim);
}

/// A tensor.empty of `type`; `dynamicSize(d)` gives the size of each
/// dynamic dimension d.
static Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                         function_ref<Value(int64_t)> dynamicSize) {
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(dynamicSize(d));
  return tensor::EmptyOp::create(b, loc, type, sizes);
}

/// A tensor.empty of `type` with the dynamic sizes of `like`, a tensor of
/// the same shape.
static Value createEmptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                             Value like) {
  return createEmpty(b, loc, type,
                     [&](int64_t d) { return dimSize(b, loc, like, d); });
}

static SmallVector<utils::IteratorType> iterators(unsigned parallel,
                                                  unsigned reduction = 0) {
  SmallVector<utils::IteratorType> types(parallel,
                                         utils::IteratorType::parallel);
  types.append(reduction, utils::IteratorType::reduction);
  return types;
}

/// A 1-D i64 constant tensor.
static Value i64Vector(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                    b.getI64Type());
  return arith::ConstantOp::create(b, loc,
                                   DenseIntElementsAttr::get(type, values));
}

/// `tensor` padded by `low` / `high` elements per dimension with the
/// element-type constant `value`.
static Value padWith(OpBuilder &b, Location loc, Value tensor,
                     ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                     int64_t value) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return tensor;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    shape.push_back(type.isDynamicDim(d)
                        ? ShapedType::kDynamic
                        : type.getDimSize(d) + low[d] + high[d]);
  SmallVector<OpFoldResult> lowSizes, highSizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    lowSizes.push_back(b.getIndexAttr(low[d]));
    highSizes.push_back(b.getIndexAttr(high[d]));
  }
  Value padValue = intConst(b, loc, type.getElementType(), value);
  return tensor::PadOp::create(b, loc, type.clone(shape), tensor, lowSizes,
                               highSizes, padValue);
}

/// Output size of a window along one spatial axis:
/// floor((in + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride)
/// + 1. Static when the input size is; the verifier checked that case.
static Value windowOutputSize(OpBuilder &b, Location loc, Value inSize,
                              int64_t padTotal, int64_t kernel, int64_t stride,
                              int64_t dilation) {
  int64_t effective = dilation * (kernel - 1) + 1;
  Value padded = arith::AddIOp::create(
      b, loc, inSize, indexConst(b, loc, padTotal - effective));
  Value steps =
      arith::DivSIOp::create(b, loc, padded, indexConst(b, loc, stride));
  return arith::AddIOp::create(b, loc, steps, indexConst(b, loc, 1));
}

//===----------------------------------------------------------------------===//
// Dyadic rescale arithmetic
//===----------------------------------------------------------------------===//

namespace {
/// The operands through which a linalg body reads one DyadicAttr: for a
/// per-channel scale, two i64 constant tensors indexed by the loop of the
/// scale's axis; for a per-tensor scale, nothing (the body materializes the
/// two constants).
struct ScaleOperands {
  DyadicAttr scale;
  /// Position of the multiplier among the generic's inputs (per channel).
  unsigned firstInput = 0;

  void add(OpBuilder &b, Location loc, MLIRContext *ctx, unsigned numLoops,
           SmallVectorImpl<Value> &inputs, SmallVectorImpl<AffineMap> &maps) {
    if (!scale.isPerChannel())
      return;
    firstInput = inputs.size();
    SmallVector<int64_t> multipliers(scale.getMultipliers().begin(),
                                     scale.getMultipliers().end());
    SmallVector<int64_t> shifts(scale.getShifts().begin(),
                                scale.getShifts().end());
    inputs.push_back(i64Vector(b, loc, multipliers));
    inputs.push_back(i64Vector(b, loc, shifts));
    AffineMap channel = AffineMap::get(
        numLoops, 0, getAffineDimExpr(*scale.getAxis(), ctx), ctx);
    maps.append({channel, channel});
  }

  /// The multiplier and shift of the current element, as i64 values.
  std::pair<Value, Value> get(OpBuilder &b, Location loc, ValueRange args) {
    if (scale.isPerChannel())
      return {args[firstInput], args[firstInput + 1]};
    DyadicScale only = scale.getScale(0);
    return {i64Const(b, loc, only.multiplier), i64Const(b, loc, only.shift)};
  }
};
} // namespace

/// Clamp bounds of a requantizing op: the attributes, or the range of the
/// result's element type.
static std::pair<int64_t, int64_t> clampBounds(std::optional<int64_t> lo,
                                               std::optional<int64_t> hi,
                                               unsigned width) {
  return {lo.value_or(signedMin(width)), hi.value_or(signedMax(width))};
}

//===----------------------------------------------------------------------===//
// qlp.rescale, qlp.add, qlp.clamp
//===----------------------------------------------------------------------===//

namespace {
struct RescaleOpLowering : OpConversionPattern<RescaleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RescaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    unsigned rank = resultType.getRank();
    Type outElement = resultType.getElementType();
    // Plain variables: the body lambda captures them, which C++17 does not
    // allow for structured bindings.
    int64_t lo, hi;
    std::tie(lo, hi) = clampBounds(op.getClampMin(), op.getClampMax(),
                                   outElement.getIntOrFloatBitWidth());

    SmallVector<Value> inputs = {adaptor.getInput()};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    ScaleOperands scale{op.getScale()};
    scale.add(rewriter, loc, ctx, rank, inputs, maps);
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value init = createEmptyLike(rewriter, loc, resultType, adaptor.getInput());

    int64_t inputZp = op.getInputZp(), outputZp = op.getOutputZp();
    RoundingMode mode = op.getRounding();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, inputs, init, maps, iterators(rank),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          DyadicEmitter e{b, nested};
          // x' = x - input_zp, exact in i64.
          Value x = arith::ExtSIOp::create(b, nested, b.getI64Type(), args[0]);
          Value centered = e.sub(x, e.c(inputZp));
          auto [m, s] = scale.get(b, nested, args);
          Value r = e.round(centered, m, s, mode);
          linalg::YieldOp::create(
              b, nested, e.requantize(r, outputZp, lo, hi, outElement));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct AddOpLowering : OpConversionPattern<AddOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    unsigned rank = resultType.getRank();
    Type outElement = resultType.getElementType();
    // Plain variables: the body lambda captures them, which C++17 does not
    // allow for structured bindings.
    int64_t lo, hi;
    std::tie(lo, hi) = clampBounds(op.getClampMin(), op.getClampMax(),
                                   outElement.getIntOrFloatBitWidth());

    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    SmallVector<Value> inputs = {adaptor.getLhs(), adaptor.getRhs()};
    SmallVector<AffineMap> maps = {identity, identity};
    ScaleOperands lhsScale{op.getLhsScale()}, rhsScale{op.getRhsScale()};
    lhsScale.add(rewriter, loc, ctx, rank, inputs, maps);
    rhsScale.add(rewriter, loc, ctx, rank, inputs, maps);
    maps.push_back(identity);
    Value init = createEmptyLike(rewriter, loc, resultType, adaptor.getLhs());

    int64_t lhsZp = op.getLhsZp(), rhsZp = op.getRhsZp();
    int64_t outputZp = op.getOutputZp();
    RoundingMode mode = op.getRounding();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, inputs, init, maps, iterators(rank),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          DyadicEmitter e{b, nested};
          // Each term: R(v - zp, scale), |v - zp| < 2^17, so |term| < 2^48
          // and the sum of both terms and output_zp is exact in i64.
          auto term = [&](Value v, int64_t zp, ScaleOperands &scale) {
            Value x = arith::ExtSIOp::create(b, nested, b.getI64Type(), v);
            auto [m, s] = scale.get(b, nested, args);
            return e.round(e.sub(x, e.c(zp)), m, s, mode);
          };
          Value lhsTerm = term(args[0], lhsZp, lhsScale);
          Value rhsTerm = term(args[1], rhsZp, rhsScale);
          Value sum = e.add(lhsTerm, rhsTerm);
          linalg::YieldOp::create(
              b, nested, e.requantize(sum, outputZp, lo, hi, outElement));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct ClampOpLowering : OpConversionPattern<ClampOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ClampOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    unsigned rank = resultType.getRank();
    Type element = resultType.getElementType();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Value init = createEmptyLike(rewriter, loc, resultType, adaptor.getInput());
    int64_t lo = op.getMin(), hi = op.getMax();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, adaptor.getInput(), init,
        ArrayRef<AffineMap>{identity, identity}, iterators(rank),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          // min and max fit the element type (verified), so the comparison
          // happens in that type.
          Value y = arith::MaxSIOp::create(b, nested, args[0],
                                           intConst(b, nested, element, lo));
          y = arith::MinSIOp::create(b, nested, y,
                                     intConst(b, nested, element, hi));
          linalg::YieldOp::create(b, nested, y);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Accumulator initialization (bias)
//===----------------------------------------------------------------------===//

/// The initial value of an i32 accumulator of `type` whose last dimension is
/// the output channel: `bias[channel]` broadcast, or zero without a bias.
static Value createAccumulatorInit(OpBuilder &b, Location loc,
                                   RankedTensorType type,
                                   std::optional<DenseIntElementsAttr> bias,
                                   function_ref<Value(int64_t)> dynamicSize) {
  Value empty = createEmpty(b, loc, type, dynamicSize);
  if (!bias) {
    Value zero = intConst(b, loc, b.getI32Type(), 0);
    return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  }
  unsigned rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  Value biasValues = arith::ConstantOp::create(b, loc, *bias);
  AffineMap channel =
      AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx);
  return linalg::GenericOp::create(
             b, loc, type, biasValues, empty,
             ArrayRef<AffineMap>{channel, b.getMultiDimIdentityMap(rank)},
             iterators(rank),
             [](OpBuilder &nb, Location nested, ValueRange args) {
               linalg::YieldOp::create(nb, nested, args[0]);
             })
      .getResult(0);
}

//===----------------------------------------------------------------------===//
// qlp.matmul, qlp.binary_matmul
//===----------------------------------------------------------------------===//

/// Decodes a binary value stored as i1 (true encodes -1) to i32 -1 / +1.
static Value decodeBinary(OpBuilder &b, Location loc, Value bit) {
  Type i32 = b.getI32Type();
  return arith::SelectOp::create(b, loc, bit, intConst(b, loc, i32, -1),
                                 intConst(b, loc, i32, 1));
}

/// Emits sum_k f(lhs[b, m, k], rhs[b, k, n]) into `init`, where
/// `product(builder, loc, lhsElement, rhsElement)` gives the i32 term.
static Value
emitMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
           function_ref<Value(OpBuilder &, Location, Value, Value)> product) {
  auto resultType = cast<RankedTensorType>(init.getType());
  unsigned rank = resultType.getRank();
  MLIRContext *ctx = b.getContext();
  // Loops (b,) m, n, k.
  unsigned numLoops = rank + 1;
  SmallVector<AffineExpr> dims;
  for (unsigned i = 0; i < numLoops; ++i)
    dims.push_back(getAffineDimExpr(i, ctx));
  unsigned batch = rank - 2;
  AffineExpr m = dims[batch], n = dims[batch + 1], k = dims[batch + 2];
  SmallVector<AffineExpr> lhsExprs(dims.begin(), dims.begin() + batch);
  SmallVector<AffineExpr> rhsExprs = lhsExprs, outExprs = lhsExprs;
  lhsExprs.append({m, k});
  rhsExprs.append({k, n});
  outExprs.append({m, n});
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, lhsExprs, ctx),
                                 AffineMap::get(numLoops, 0, rhsExprs, ctx),
                                 AffineMap::get(numLoops, 0, outExprs, ctx)};
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{lhs, rhs}, init, maps,
             iterators(rank, 1),
             [&](OpBuilder &nb, Location nested, ValueRange args) {
               Value term = product(nb, nested, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, nested,
                   arith::AddIOp::create(nb, nested, args[2], term)
                       .getResult());
             })
      .getResult(0);
}

/// Dynamic result sizes of a matmul: batch and M from lhs, N from rhs.
static Value matmulResultSize(OpBuilder &b, Location loc, Value lhs, Value rhs,
                              int64_t rank, int64_t d) {
  if (d == rank - 1)
    return dimSize(b, loc, rhs, rank - 1);
  return dimSize(b, loc, lhs, d);
}

/// (v - zp) in i32: v has at most 8 bits and zp fits its type, so exact.
static Value centeredI32(OpBuilder &b, Location loc, Value v, int64_t zp) {
  Type i32 = b.getI32Type();
  Value wide = arith::ExtSIOp::create(b, loc, i32, v);
  return arith::SubIOp::create(b, loc, wide, intConst(b, loc, i32, zp));
}

namespace {
struct MatmulOpLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    int64_t rank = resultType.getRank();
    Value init = createAccumulatorInit(
        rewriter, loc, resultType, op.getBias(), [&](int64_t d) {
          return matmulResultSize(rewriter, loc, lhs, rhs, rank, d);
        });
    int64_t lhsZp = op.getLhsZp(), rhsZp = op.getRhsZp();
    // Each term (lhs - lhs_zp) * (rhs - rhs_zp), summed in i32; the verifier
    // proved K * max|lhs - lhs_zp| * max|rhs - rhs_zp| + max|bias| fits,
    // which bounds every partial sum too.
    Value result = emitMatmul(
        rewriter, loc, lhs, rhs, init,
        [&](OpBuilder &b, Location nested, Value a, Value w) -> Value {
          // Locals fix the order of the emitted ops.
          Value lhsTerm = centeredI32(b, nested, a, lhsZp);
          Value rhsTerm = centeredI32(b, nested, w, rhsZp);
          return arith::MulIOp::create(b, nested, lhsTerm, rhsTerm);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BinaryMatmulOpLowering : OpConversionPattern<BinaryMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BinaryMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    int64_t rank = resultType.getRank();
    Value init = createAccumulatorInit(
        rewriter, loc, resultType, std::nullopt, [&](int64_t d) {
          return matmulResultSize(rewriter, loc, lhs, rhs, rank, d);
        });
    // The definition, sum_k lhs * rhs over {-1, +1}, rather than the
    // xnor-popcount identity that fast kernels use: the reference must not
    // share their derivation.
    Value result = emitMatmul(
        rewriter, loc, lhs, rhs, init,
        [](OpBuilder &b, Location nested, Value a, Value w) -> Value {
          Value lhsValue = decodeBinary(b, nested, a);
          Value rhsValue = decodeBinary(b, nested, w);
          return arith::MulIOp::create(b, nested, lhsValue, rhsValue);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// qlp.conv2d, qlp.binary_conv2d
//===----------------------------------------------------------------------===//

namespace {
/// The window geometry shared by the convolution and pooling lowerings.
struct Window {
  int64_t kh, kw;
  ArrayRef<int64_t> strides, dilations, padding;
};
} // namespace

/// Dynamic sizes of an NHWC window op's result: N and C from the input (C
/// is right for pooling only; see convResultSize), OH and OW from the
/// window formula.
static Value windowResultSize(OpBuilder &b, Location loc, Value input,
                              const Window &w, int64_t d) {
  if (d == 1)
    return windowOutputSize(b, loc, dimSize(b, loc, input, 1),
                            w.padding[0] + w.padding[1], w.kh, w.strides[0],
                            w.dilations[0]);
  if (d == 2)
    return windowOutputSize(b, loc, dimSize(b, loc, input, 2),
                            w.padding[2] + w.padding[3], w.kw, w.strides[1],
                            w.dilations[1]);
  return dimSize(b, loc, input, d);
}

/// Emits the convolution sum over (kh, kw, c) of `product(in, weight)` into
/// `init`, reading the already padded NHWC `input`.
static Value
emitConv(OpBuilder &b, Location loc, Value input, Value weight, Value init,
         WeightLayout layout, const Window &w, int64_t groups,
         function_ref<Value(OpBuilder &, Location, Value, Value)> product) {
  MLIRContext *ctx = b.getContext();
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t channelsOut = layout == WeightLayout::HWCF ? weightType.getDimSize(3)
                                                     : weightType.getDimSize(0);
  int64_t channelsPerGroup = layout == WeightLayout::HWCF
                                 ? weightType.getDimSize(2)
                                 : weightType.getDimSize(3);
  // Loops n, oh, ow, f (parallel), kh, kw, c (reduction; c counts within
  // the output channel's group).
  AffineExpr n, oh, ow, f, kh, kw, c;
  bindDims(ctx, n, oh, ow, f, kh, kw, c);
  AffineExpr ih = oh * w.strides[0] + kh * w.dilations[0];
  AffineExpr iw = ow * w.strides[1] + kw * w.dilations[1];
  // Input channel g * C/groups + c of the output channel's group
  // g = f floordiv (F / groups).
  AffineExpr ic = c;
  if (groups != 1)
    ic = f.floorDiv(channelsOut / groups) * channelsPerGroup + c;
  AffineMap inputMap = AffineMap::get(7, 0, {n, ih, iw, ic}, ctx);
  AffineMap weightMap = layout == WeightLayout::HWCF
                            ? AffineMap::get(7, 0, {kh, kw, c, f}, ctx)
                            : AffineMap::get(7, 0, {f, kh, kw, c}, ctx);
  AffineMap outputMap = AffineMap::get(7, 0, {n, oh, ow, f}, ctx);
  auto resultType = cast<RankedTensorType>(init.getType());
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{input, weight}, init,
             ArrayRef<AffineMap>{inputMap, weightMap, outputMap},
             iterators(4, 3),
             [&](OpBuilder &nb, Location nested, ValueRange args) {
               Value term = product(nb, nested, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, nested,
                   arith::AddIOp::create(nb, nested, args[2], term)
                       .getResult());
             })
      .getResult(0);
}

/// [top, bottom, left, right] padding as per-dimension low/high of NHWC.
static std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
nhwcPadding(ArrayRef<int64_t> padding) {
  return {{0, padding[0], padding[2], 0}, {0, padding[1], padding[3], 0}};
}

static std::pair<int64_t, int64_t> kernelSize(RankedTensorType weight,
                                              WeightLayout layout) {
  if (layout == WeightLayout::HWCF)
    return {weight.getDimSize(0), weight.getDimSize(1)};
  return {weight.getDimSize(1), weight.getDimSize(2)};
}

/// Dynamic sizes of a convolution's NHWC result: N, OH and OW as for any
/// window op, F from the (static) weight. The input's C is no guide to F.
static Value convResultSize(OpBuilder &b, Location loc, Value input,
                            RankedTensorType weight, WeightLayout layout,
                            const Window &w, int64_t d) {
  if (d == 3)
    return indexConst(b, loc,
                      weight.getDimSize(layout == WeightLayout::HWCF ? 3 : 0));
  return windowResultSize(b, loc, input, w, d);
}

namespace {
struct Conv2DOpLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto [kh, kw] = kernelSize(op.getWeight().getType(), op.getLayout());
    Window w{kh, kw, op.getStrides(), op.getDilations(), op.getPadding()};
    Value input = adaptor.getInput();
    Value init = createAccumulatorInit(
        rewriter, loc, resultType, op.getBias(), [&](int64_t d) {
          return convResultSize(rewriter, loc, input, op.getWeight().getType(),
                                op.getLayout(), w, d);
        });
    // Positions outside the input read input_zp, so they contribute
    // (input_zp - input_zp) * (...) = 0, as the definition requires.
    int64_t inputZp = op.getInputZp(), weightZp = op.getWeightZp();
    auto [low, high] = nhwcPadding(w.padding);
    Value padded = padWith(rewriter, loc, input, low, high, inputZp);
    Value result = emitConv(
        rewriter, loc, padded, adaptor.getWeight(), init, op.getLayout(), w,
        op.getGroups(),
        [&](OpBuilder &b, Location nested, Value x, Value k) -> Value {
          Value inputTerm = centeredI32(b, nested, x, inputZp);
          Value weightTerm = centeredI32(b, nested, k, weightZp);
          return arith::MulIOp::create(b, nested, inputTerm, weightTerm);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BinaryConv2DOpLowering : OpConversionPattern<BinaryConv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BinaryConv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto [kh, kw] = kernelSize(op.getWeight().getType(), op.getLayout());
    Window w{kh, kw, op.getStrides(), op.getDilations(), op.getPadding()};
    Value input = adaptor.getInput();
    Value init = createAccumulatorInit(
        rewriter, loc, resultType, std::nullopt, [&](int64_t d) {
          return convResultSize(rewriter, loc, input, op.getWeight().getType(),
                                op.getLayout(), w, d);
        });
    // Padded positions hold pad_value in the i1 encoding: true for -1.
    auto [low, high] = nhwcPadding(w.padding);
    Value padded = padWith(rewriter, loc, input, low, high,
                           op.getPadValue() == -1 ? 1 : 0);
    Value result = emitConv(
        rewriter, loc, padded, adaptor.getWeight(), init, op.getLayout(), w,
        op.getGroups(),
        [](OpBuilder &b, Location nested, Value x, Value k) -> Value {
          Value inputValue = decodeBinary(b, nested, x);
          Value weightValue = decodeBinary(b, nested, k);
          return arith::MulIOp::create(b, nested, inputValue, weightValue);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BinarizeOpLowering : OpConversionPattern<BinarizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BinarizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "cannot convert the result type");
    unsigned rank = resultType.getRank();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    Value init = createEmptyLike(rewriter, loc, resultType, adaptor.getInput());
    int64_t threshold = op.getThreshold();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, adaptor.getInput(), init,
        ArrayRef<AffineMap>{identity, identity}, iterators(rank),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          // y = x >= threshold ? +1 : -1; -1 is encoded as true, so the
          // stored bit is x < threshold. The threshold fits the input type.
          Value t = intConst(b, nested, args[0].getType(), threshold);
          Value isMinusOne = arith::CmpIOp::create(
              b, nested, arith::CmpIPredicate::slt, args[0], t);
          linalg::YieldOp::create(b, nested, isMinusOne);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// qlp.max_pool2d, qlp.avg_pool2d
//===----------------------------------------------------------------------===//

/// Emits a window reduction of the padded NHWC `input` into `init`:
/// loops n, oh, ow, c (parallel) and kh, kw (reduction). The kh/kw trip
/// counts come from a shape-only [KH, KW] operand, as in linalg's named
/// pooling ops.
static Value emitPoolReduction(
    OpBuilder &b, Location loc, Value input, Value init, const Window &w,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  AffineExpr n, oh, ow, c, kh, kw;
  bindDims(ctx, n, oh, ow, c, kh, kw);
  AffineMap inputMap = AffineMap::get(
      6, 0, {n, oh * w.strides[0] + kh, ow * w.strides[1] + kw, c}, ctx);
  AffineMap windowMap = AffineMap::get(6, 0, {kh, kw}, ctx);
  AffineMap outputMap = AffineMap::get(6, 0, {n, oh, ow, c}, ctx);
  Value window = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{w.kh, w.kw},
                                         b.getI8Type());
  auto resultType = cast<RankedTensorType>(init.getType());
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{input, window}, init,
             ArrayRef<AffineMap>{inputMap, windowMap, outputMap},
             iterators(4, 2),
             [&](OpBuilder &nb, Location nested, ValueRange args) {
               linalg::YieldOp::create(nb, nested,
                                       combine(nb, nested, args[2], args[0]));
             })
      .getResult(0);
}

namespace {
struct MaxPool2DOpLowering : OpConversionPattern<MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    int64_t lowest = signedMin(element.getIntOrFloatBitWidth());
    ArrayRef<int64_t> kernel = op.getKernel();
    SmallVector<int64_t, 2> unit = {1, 1};
    Window w{kernel[0], kernel[1], op.getStrides(), unit, op.getPadding()};
    Value input = adaptor.getInput();
    // Padded positions hold the type's minimum, which never exceeds a real
    // element; every window holds at least one real element (padding is
    // smaller than the kernel), so the maximum ignores the padding exactly.
    auto [low, high] = nhwcPadding(w.padding);
    Value padded = padWith(rewriter, loc, input, low, high, lowest);
    Value empty = createEmpty(rewriter, loc, resultType, [&](int64_t d) {
      return windowResultSize(rewriter, loc, input, w, d);
    });
    Value init =
        linalg::FillOp::create(rewriter, loc,
                               intConst(rewriter, loc, element, lowest), empty)
            .getResult(0);
    Value result = emitPoolReduction(
        rewriter, loc, padded, init, w,
        [](OpBuilder &b, Location nested, Value acc, Value x) -> Value {
          return arith::MaxSIOp::create(b, nested, acc, x);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct AvgPool2DOpLowering : OpConversionPattern<AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    unsigned width = element.getIntOrFloatBitWidth();
    ArrayRef<int64_t> kernel = op.getKernel();
    ArrayRef<int64_t> strides = op.getStrides(), padding = op.getPadding();
    SmallVector<int64_t, 2> unit = {1, 1};
    Window w{kernel[0], kernel[1], strides, unit, padding};
    Value input = adaptor.getInput();
    int64_t inputZp = op.getInputZp(), outputZp = op.getOutputZp();
    auto dynamicSize = [&](int64_t d) {
      return windowResultSize(rewriter, loc, input, w, d);
    };

    // acc = sum over in-bounds positions of (x - input_zp), in i32 (the
    // verifier bounds KH * KW * max|x - input_zp|). Padded positions hold
    // input_zp and add exactly 0.
    auto [low, high] = nhwcPadding(padding);
    Value padded = padWith(rewriter, loc, input, low, high, inputZp);
    auto accType = resultType.clone(rewriter.getI32Type());
    Value zero = intConst(rewriter, loc, rewriter.getI32Type(), 0);
    Value accInit =
        linalg::FillOp::create(rewriter, loc, zero,
                               createEmpty(rewriter, loc, accType, dynamicSize))
            .getResult(0);
    Value acc = emitPoolReduction(
        rewriter, loc, padded, accInit, w,
        [&](OpBuilder &b, Location nested, Value sum, Value x) -> Value {
          return arith::AddIOp::create(b, nested, sum,
                                       centeredI32(b, nested, x, inputZp));
        });

    // Then, per output position, the in-bounds count and TOSA's reciprocal
    // multiply. The input height and width are read outside the body.
    Value height = dimSize(rewriter, loc, input, 1);
    Value widthIn = dimSize(rewriter, loc, input, 2);
    Value init = createEmpty(rewriter, loc, resultType, dynamicSize);
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, acc, init,
        ArrayRef<AffineMap>{identity, identity}, iterators(4),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          // In-bounds positions along one axis for output index o:
          // [o * stride - pad_before, + kernel) intersected with [0, size).
          auto inBounds = [&](unsigned dim, int64_t stride, int64_t pad,
                              int64_t k, Value size) -> Value {
            Value o = linalg::IndexOp::create(b, nested, dim);
            Value start = arith::SubIOp::create(
                b, nested,
                arith::MulIOp::create(b, nested, o,
                                      indexConst(b, nested, stride)),
                indexConst(b, nested, pad));
            Value end = arith::AddIOp::create(b, nested, start,
                                              indexConst(b, nested, k));
            Value first = arith::MaxSIOp::create(b, nested, start,
                                                 indexConst(b, nested, 0));
            Value last = arith::MinSIOp::create(b, nested, end, size);
            return arith::SubIOp::create(b, nested, last, first);
          };
          Value rows = inBounds(1, strides[0], padding[0], kernel[0], height);
          Value cols = inBounds(2, strides[1], padding[2], kernel[1], widthIn);
          Value countIndex = arith::MulIOp::create(b, nested, rows, cols);
          DyadicEmitter e{b, nested};
          Value count =
              arith::IndexCastOp::create(b, nested, b.getI64Type(), countIndex);
          // k = 32 - clz(count - 1), clz of the 32-bit value (count >= 1,
          // and count <= KH * KW < 2^31 by the verifier's bound).
          Value countMinus1 = arith::TruncIOp::create(b, nested, b.getI32Type(),
                                                      e.sub(count, e.c(1)));
          Value clz = math::CountLeadingZerosOp::create(b, nested, countMinus1);
          Value k = e.sub(
              e.c(32), arith::ExtUIOp::create(b, nested, b.getI64Type(), clz));
          // m = ((2^30 + 1) << k) / count, an exact integer division of
          // positive values; k <= 31 keeps the numerator below 2^62.
          Value m = arith::DivSIOp::create(
              b, nested, e.shl(e.c((int64_t(1) << 30) + 1), k), count);
          // r = floor((acc * m + 2^(29 + k)) / 2^(30 + k)): |acc| < 2^31 and
          // m < 2^31 keep the sum below 2^63.
          Value accWide =
              arith::ExtSIOp::create(b, nested, b.getI64Type(), args[0]);
          Value product = arith::MulIOp::create(b, nested, accWide, m);
          Value rounded = e.add(product, e.shl(e.c(1), e.add(k, e.c(29))));
          Value r = e.ashr(rounded, e.add(k, e.c(30)));
          linalg::YieldOp::create(b, nested,
                                  e.requantize(r, outputZp, signedMin(width),
                                               signedMax(width), element));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// qlp.pack, qlp.unpack
//===----------------------------------------------------------------------===//

namespace {
struct PackOpLowering : OpConversionPattern<PackOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type word = resultType.getElementType();
    int64_t rank = resultType.getRank(), axis = op.getAxis();
    int64_t bits = getPackedBitWidth(op.getInput().getType().getElementType());
    int64_t fields = word.getIntOrFloatBitWidth() / bits;
    int64_t words = resultType.getDimSize(axis);
    int64_t values = op.getInput().getType().getDimSize(axis);
    Value input = adaptor.getInput();

    // Zero-extend the values along the axis to a whole number of words:
    // value 0 (binary +1) is an all-zero field, so the tail bits are zero.
    SmallVector<int64_t> low(rank, 0), high(rank, 0);
    high[axis] = words * fields - values;
    Value padded = padWith(rewriter, loc, input, low, high, 0);

    // Loops: the result's dimensions, then the field index f within a word
    // (reduction); value j = word * F + f lands at bit offset f * bits.
    SmallVector<AffineExpr> inputExprs, outputExprs;
    for (int64_t d = 0; d < rank; ++d) {
      AffineExpr dim = getAffineDimExpr(d, ctx);
      outputExprs.push_back(dim);
      inputExprs.push_back(
          d == axis ? dim * fields + getAffineDimExpr(rank, ctx) : dim);
    }
    AffineMap fieldMap =
        AffineMap::get(rank + 1, 0, getAffineDimExpr(rank, ctx), ctx);
    Value fieldShape = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{fields}, rewriter.getI8Type());
    Value empty = createEmpty(rewriter, loc, resultType, [&](int64_t d) {
      return dimSize(rewriter, loc, input, d);
    });
    Value init = linalg::FillOp::create(rewriter, loc,
                                        intConst(rewriter, loc, word, 0), empty)
                     .getResult(0);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{padded, fieldShape}, init,
        ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, inputExprs, ctx),
                            fieldMap,
                            AffineMap::get(rank + 1, 0, outputExprs, ctx)},
        iterators(rank, 1),
        [&](OpBuilder &b, Location nested, ValueRange args) {
          // The field is the value's two's-complement low bits (zext of the
          // iN value), or the binary bit (true = -1 = 1).
          Value field = arith::ExtUIOp::create(b, nested, word, args[0]);
          Value f = linalg::IndexOp::create(b, nested, rank);
          Value offset = arith::MulIOp::create(
              b, nested, arith::IndexCastOp::create(b, nested, word, f),
              intConst(b, nested, word, bits));
          Value placed = arith::ShLIOp::create(b, nested, field, offset);
          linalg::YieldOp::create(
              b, nested,
              arith::OrIOp::create(b, nested, args[2], placed).getResult());
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct UnpackOpLowering : OpConversionPattern<UnpackOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnpackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = dyn_cast_or_null<RankedTensorType>(
        getTypeConverter()->convertType(op.getType()));
    if (!resultType)
      return rewriter.notifyMatchFailure(op, "cannot convert the result type");
    Value input = adaptor.getInput();
    Type word = cast<RankedTensorType>(input.getType()).getElementType();
    Type valueType = resultType.getElementType();
    int64_t rank = resultType.getRank(), axis = op.getAxis();
    int64_t bits = getPackedBitWidth(op.getType().getElementType());
    int64_t fields = word.getIntOrFloatBitWidth() / bits;

    // Value j reads word j floordiv F at bit offset (j mod F) * bits.
    SmallVector<AffineExpr> inputExprs;
    for (int64_t d = 0; d < rank; ++d) {
      AffineExpr dim = getAffineDimExpr(d, ctx);
      inputExprs.push_back(d == axis ? dim.floorDiv(fields) : dim);
    }
    Value init = createEmpty(rewriter, loc, resultType, [&](int64_t d) {
      return dimSize(rewriter, loc, input, d);
    });
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, input, init,
        ArrayRef<AffineMap>{AffineMap::get(rank, 0, inputExprs, ctx),
                            rewriter.getMultiDimIdentityMap(rank)},
        iterators(rank), [&](OpBuilder &b, Location nested, ValueRange args) {
          Value j = linalg::IndexOp::create(b, nested, axis);
          Value f = arith::RemUIOp::create(b, nested, j,
                                           indexConst(b, nested, fields));
          Value offset = arith::MulIOp::create(
              b, nested, arith::IndexCastOp::create(b, nested, word, f),
              intConst(b, nested, word, bits));
          Value shifted = arith::ShRUIOp::create(b, nested, args[0], offset);
          // Truncating to iN keeps the field; read as a signed iN it is the
          // sign-extended value (for i1, the binary bit).
          linalg::YieldOp::create(
              b, nested,
              arith::TruncIOp::create(b, nested, valueType, shifted)
                  .getResult());
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};
} // namespace

void mlir::qlp::populateQLPToReferencePatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns,
    PatternBenefit benefit) {
  patterns.add<RescaleOpLowering, AddOpLowering, ClampOpLowering,
               MatmulOpLowering, BinaryMatmulOpLowering, Conv2DOpLowering,
               BinaryConv2DOpLowering, BinarizeOpLowering, MaxPool2DOpLowering,
               AvgPool2DOpLowering, PackOpLowering, UnpackOpLowering>(
      typeConverter, patterns.getContext(), benefit);
}

//===----------------------------------------------------------------------===//
// Function boundaries and structural type conversion
//===----------------------------------------------------------------------===//

namespace {
/// Drops a quant.scast between a quantized boundary value and its storage
/// type: after the signature conversion both sides have the storage type.
struct BoundaryCastLowering : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type resultType = getTypeConverter()->convertType(op.getType());
    if (!resultType || resultType != adaptor.getInput().getType())
      return rewriter.notifyMatchFailure(
          op, "storage types of the cast's sides differ");
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

/// Drops the `unrealized_conversion_cast` from a binary tensor to its
/// storage type, i1, that qlp-lower-to-kernels puts in front of a kernel
/// call (marked with kStorageViewAttrName): once the producer is converted,
/// the cast's operand already has that type.
struct StorageViewCastLowering
    : OpConversionPattern<UnrealizedConversionCastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UnrealizedConversionCastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op->hasAttr(kStorageViewAttrName) || op.getNumOperands() != 1 ||
        op.getNumResults() != 1 ||
        adaptor.getInputs().front().getType() != op.getResult(0).getType())
      return rewriter.notifyMatchFailure(op, "not a storage view of a value");
    rewriter.replaceOp(op, adaptor.getInputs().front());
    return success();
  }
};

/// Rebuilds a region-free tensor-dialect op (reshape, slice, concat, ...)
/// over binary tensors with the converted types; these ops move elements
/// without reading them, so the storage type does not change their meaning.
struct TensorOpTypeConversion : ConversionPattern {
  TensorOpTypeConversion(const TypeConverter &converter, MLIRContext *ctx)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<tensor::TensorDialect>(op->getDialect()) ||
        op->getNumRegions() != 0)
      return failure();
    SmallVector<Type> resultTypes;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(),
                                                resultTypes)))
      return rewriter.notifyMatchFailure(op, "cannot convert result types");
    OperationState state(op->getLoc(), op->getName(), operands, resultTypes,
                         op->getAttrs());
    Operation *converted = rewriter.create(state);
    rewriter.replaceOp(op, converted->getResults());
    return success();
  }
};
} // namespace

void mlir::qlp::populateQLPReferenceBoundaryConversion(
    const TypeConverter &typeConverter, RewritePatternSet &patterns,
    ConversionTarget &target, const DenseSet<Operation *> &boundaryCasts) {
  MLIRContext *ctx = patterns.getContext();
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 typeConverter);
  populateCallOpTypeConversionPattern(patterns, typeConverter);
  populateReturnOpTypeConversionPattern(patterns, typeConverter);
  scf::populateSCFStructuralTypeConversionsAndLegality(typeConverter, patterns,
                                                       target);
  patterns.add<BoundaryCastLowering, StorageViewCastLowering>(typeConverter,
                                                              ctx);
  patterns.add<TensorOpTypeConversion>(typeConverter, ctx);

  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
    return typeConverter.isSignatureLegal(op.getFunctionType()) &&
           typeConverter.isLegal(&op.getBody());
  });
  target.addDynamicallyLegalOp<func::CallOp, func::ReturnOp>(
      [&](Operation *op) { return typeConverter.isLegal(op); });
  target.addDynamicallyLegalDialect<tensor::TensorDialect>(
      [&](Operation *op) { return typeConverter.isLegal(op); });
  // Only the casts qlp-lower-to-kernels marked; the conversion's own
  // materializations stay legal.
  target.addDynamicallyLegalOp<UnrealizedConversionCastOp>(
      [](Operation *op) { return !op->hasAttr(kStorageViewAttrName); });
  // A copy: the set may die before the target is used.
  target.addDynamicallyLegalOp<quant::StorageCastOp>(
      [casts = boundaryCasts](Operation *op) { return !casts.contains(op); });
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

static bool hasQuantizedElement(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<quant::QuantizedType>(tensor.getElementType());
}

/// Collects the quant.scast ops that convert a function boundary value
/// (an argument, a returned value, a call's operand or result) to or from
/// its storage type, and checks that every quantized boundary value is only
/// used by such casts, returns and calls: any other user (a quant.dcast, say)
/// would need the quantized type, which the lowering removes.
static LogicalResult collectBoundaryCasts(ModuleOp module,
                                          DenseSet<Operation *> &casts) {
  auto checkUsers = [&](Value value, StringRef what) -> LogicalResult {
    for (Operation *user : value.getUsers()) {
      if (isa<func::ReturnOp, func::CallOp>(user))
        continue;
      if (auto cast = dyn_cast<quant::StorageCastOp>(user)) {
        casts.insert(cast);
        continue;
      }
      InFlightDiagnostic diag =
          user->emitOpError()
          << "uses a quantized " << what << " of type " << value.getType()
          << ", which qlp-lower-to-reference converts to its storage type; "
             "only quant.scast, func.return and func.call may use it";
      return diag;
    }
    return success();
  };

  WalkResult result = module.walk([&](Operation *op) -> WalkResult {
    if (auto func = dyn_cast<func::FuncOp>(op)) {
      if (func.isExternal())
        return WalkResult::advance();
      for (BlockArgument arg : func.getArguments())
        if (hasQuantizedElement(arg.getType()) &&
            failed(checkUsers(arg, "function argument")))
          return WalkResult::interrupt();
      return WalkResult::advance();
    }
    if (auto call = dyn_cast<func::CallOp>(op)) {
      for (Value value : call.getResults())
        if (hasQuantizedElement(value.getType()) &&
            failed(checkUsers(value, "call result")))
          return WalkResult::interrupt();
    }
    if (!isa<func::ReturnOp, func::CallOp>(op))
      return WalkResult::advance();
    // A quantized value passed out of (or into) a function must come from a
    // storage cast, or already be a boundary value.
    for (Value operand : op->getOperands()) {
      if (!hasQuantizedElement(operand.getType()))
        continue;
      Operation *producer = operand.getDefiningOp();
      if (!producer || isa<func::CallOp>(producer))
        continue;
      if (auto cast = dyn_cast<quant::StorageCastOp>(producer)) {
        if (failed(checkUsers(operand, "boundary value")))
          return WalkResult::interrupt();
        casts.insert(cast);
        continue;
      }
      InFlightDiagnostic diag =
          producer->emitOpError()
          << "produces a quantized value of type " << operand.getType()
          << " that crosses a function boundary; qlp-lower-to-reference "
             "expects it to come from quant.scast of the storage integers";
      diag.attachNote(op->getLoc()) << "used here";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

namespace {
struct QLPLowerToReferencePass
    : qlp::impl::QLPLowerToReferenceBase<QLPLowerToReferencePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();

    DenseSet<Operation *> boundaryCasts;
    if (failed(collectBoundaryCasts(module, boundaryCasts)))
      return signalPassFailure();

    ReferenceTypeConverter typeConverter;
    RewritePatternSet patterns(ctx);
    ConversionTarget target(*ctx);
    target.addIllegalDialect<QLPDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect>();
    populateQLPToReferencePatterns(typeConverter, patterns);
    populateQLPReferenceBoundaryConversion(typeConverter, patterns, target,
                                           boundaryCasts);
    // No folding: the qlp folders evaluate ops on constants through
    // dialect/Dyadic.cpp, and the oracle must not depend on them.
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(module, target, std::move(patterns),
                                      config)))
      signalPassFailure();
  }
};
} // namespace
