//===- ImportTOSA.cpp - Import integer TOSA into qlp ------------*- C++ -*-===//
//
// Implements --qlp-import-tosa: the integer TOSA 1.0 ops of an already
// quantized model become the qlp ops that compute the same integers:
//
//   tosa.conv2d / depthwise_conv2d (i8 x i8|i4 -> i32)  -> qlp.conv2d
//   tosa.matmul (i8 x i8 -> i32)                         -> qlp.matmul
//   tosa.rescale                                         -> qlp.rescale
//   tosa.clamp (integer)                                 -> qlp.clamp
//   tosa.max_pool2d / avg_pool2d (i8, i16)               -> qlp pooling ops
//
// Every import is exact inside the TOSA specification's valid range (its
// REQUIRE conditions); an op whose integer semantics qlp cannot reproduce is
// an error naming the op and the reason, never an approximation. Float TOSA
// and the integer ops not listed are left for later passes.
//
//===----------------------------------------------------------------------===//

#include "passes/ImportUtils.h"
#include "passes/Passes.h"

#include "dialect/Dyadic.h"
#include "dialect/QLPOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "qlp-import-tosa"

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPIMPORTTOSA
#include "passes/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;
using namespace mlir::qlp;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The signless integer storage element type of `type`, or null when it has
/// none: float, unsigned (`ui8`) or unsigned-storage `!quant.uniform`
/// elements. qlp computes on signed values only.
static IntegerType getSignedStorageElement(Type type) {
  Type element = getElementTypeOrSelf(type);
  if (auto quantized = dyn_cast<quant::QuantizedType>(element)) {
    if (!quantized.isSigned())
      return nullptr;
    element = quantized.getStorageType();
  }
  auto integer = dyn_cast<IntegerType>(element);
  if (!integer || !integer.isSignless())
    return nullptr;
  return integer;
}

static bool hasSignedStorageWidth(Type type, ArrayRef<unsigned> widths) {
  IntegerType element = getSignedStorageElement(type);
  return element && llvm::is_contained(widths, element.getWidth());
}

/// Verifies a newly built qlp op. On failure, re-emits the qlp verifier's
/// message as an error on the TOSA op being imported (the user wrote that
/// one) and returns failure; the caller erases the new op.
static LogicalResult verifyImported(Operation *tosaOp, Operation *qlpOp) {
  std::string message;
  {
    ScopedDiagnosticHandler capture(tosaOp->getContext(),
                                    [&](Diagnostic &diag) {
                                      if (message.empty())
                                        message = diag.str();
                                      return success();
                                    });
    if (succeeded(verify(qlpOp, /*verifyRecursively=*/false)))
      return success();
  }
  return tosaOp->emitOpError("cannot be imported into ")
         << qlpOp->getName() << ": " << message;
}

/// Replaces `op` by `qlpOp` (whose result has the integer storage type of
/// `op`'s result), casting back to a `!quant.uniform` result type if needed
/// and carrying the user's `qlp.*` attributes over.
static void replaceWithImported(RewriterBase &rewriter, Operation *op,
                                Operation *qlpOp) {
  copyQLPAttributes(op, qlpOp);
  Value result = castFromStorage(rewriter, op->getLoc(), qlpOp->getResult(0),
                                 op->getResult(0).getType());
  rewriter.replaceOp(op, result);
}

/// Builds `qlpOp` through `build`, verifies it and replaces `op` with it.
/// Fails (after emitting) if the qlp verifier rejects it.
static LogicalResult buildAndReplace(RewriterBase &rewriter, Operation *op,
                                     function_ref<Operation *()> build) {
  Operation *qlpOp = build();
  if (failed(verifyImported(op, qlpOp))) {
    rewriter.eraseOp(qlpOp);
    return failure();
  }
  replaceWithImported(rewriter, op, qlpOp);
  return success();
}

/// The value of a constant scalar zero-point operand.
static FailureOr<int64_t> getZeroPoint(Operation *op, Value zp,
                                       StringRef name) {
  FailureOr<SmallVector<int64_t>> values = getConstantIntegers(zp);
  if (failed(values) || values->size() != 1)
    return op->emitOpError("expects a constant scalar ")
           << name << " to be imported into qlp";
  return values->front();
}

/// The bias of a convolution as one `i32` per output channel, or a null
/// attribute when it is all zeros. TOSA allows a `[1]` bias broadcast to
/// every channel.
static FailureOr<DenseIntElementsAttr> getBias(Operation *op, Value bias,
                                               int64_t channels) {
  FailureOr<SmallVector<int64_t>> values = getConstantIntegers(bias);
  if (failed(values))
    return op->emitOpError("expects a constant integer bias to be imported "
                           "into qlp");
  if (values->size() != 1 && static_cast<int64_t>(values->size()) != channels)
    return op->emitOpError("expects a bias of 1 or ")
           << channels << " values, got " << values->size();
  SmallVector<int32_t> perChannel;
  for (int64_t c = 0; c < channels; ++c) {
    int64_t value = (*values)[values->size() == 1 ? 0 : c];
    if (!llvm::isInt<32>(value))
      return op->emitOpError("has a bias value ")
             << value << " that does not fit in i32";
    perChannel.push_back(static_cast<int32_t>(value));
  }
  if (llvm::all_of(perChannel, [](int32_t v) { return v == 0; }))
    return DenseIntElementsAttr();
  auto type =
      RankedTensorType::get({channels}, IntegerType::get(op->getContext(), 32));
  return DenseIntElementsAttr::get(type, ArrayRef<int32_t>(perChannel));
}

//===----------------------------------------------------------------------===//
// Convolutions and matmul
//===----------------------------------------------------------------------===//

/// True when a conv or matmul is the integer form qlp computes: i8
/// activations, i8 (or, for convolutions, i4) weights and an i32
/// accumulator. The i16 x i8 -> i48 forms stay TOSA.
static bool isImportableProduct(Type input, Type weight, Type result,
                                bool allowI4Weight) {
  SmallVector<unsigned> weightWidths = {8};
  if (allowI4Weight)
    weightWidths.push_back(4);
  return hasSignedStorageWidth(input, {8}) &&
         hasSignedStorageWidth(weight, weightWidths) &&
         hasSignedStorageWidth(result, {32});
}

static LogicalResult importConv2D(RewriterBase &rewriter, tosa::Conv2DOp op) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  if (!isImportableProduct(op.getInput().getType(), weightType, resultType,
                           /*allowI4Weight=*/true))
    return success();
  if (!weightType.hasStaticShape())
    return op.emitOpError("expects a static weight shape to be imported into "
                          "qlp, got ")
           << weightType;
  FailureOr<int64_t> inputZp = getZeroPoint(op, op.getInputZp(), "input_zp");
  if (failed(inputZp))
    return failure();
  FailureOr<int64_t> weightZp = getZeroPoint(op, op.getWeightZp(), "weight_zp");
  if (failed(weightZp))
    return failure();
  FailureOr<DenseIntElementsAttr> bias =
      getBias(op, op.getBias(), weightType.getDimSize(0));
  if (failed(bias))
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  return buildAndReplace(rewriter, op, [&]() -> Operation * {
    Value input = castToStorage(rewriter, loc, op.getInput());
    Value weight = castToStorage(rewriter, loc, op.getWeight());
    // TOSA's OHWI weight is qlp's fhwc; `pad` is [top, bottom, left, right]
    // in both, and both treat padded positions as the input zero point.
    return qlp::Conv2DOp::create(
        rewriter, loc, getStorageType(resultType), input, *inputZp, weight,
        *weightZp, WeightLayout::FHWC, op.getStride(), op.getDilation(),
        op.getPad(), /*groups=*/1, *bias);
  });
}

static LogicalResult importDepthwiseConv2D(RewriterBase &rewriter,
                                           tosa::DepthwiseConv2DOp op) {
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  if (!isImportableProduct(inputType, weightType, resultType,
                           /*allowI4Weight=*/true))
    return success();
  if (!weightType.hasStaticShape())
    return op.emitOpError("expects a static weight shape to be imported into "
                          "qlp, got ")
           << weightType;
  // TOSA's depthwise weight is [KH, KW, C, M]: output channel c * M + m
  // convolves input channel c with filter (c, m).
  int64_t kh = weightType.getDimSize(0), kw = weightType.getDimSize(1);
  int64_t channels = weightType.getDimSize(2),
          multiplier = weightType.getDimSize(3);
  FailureOr<int64_t> inputZp = getZeroPoint(op, op.getInputZp(), "input_zp");
  if (failed(inputZp))
    return failure();
  FailureOr<int64_t> weightZp = getZeroPoint(op, op.getWeightZp(), "weight_zp");
  if (failed(weightZp))
    return failure();
  FailureOr<DenseIntElementsAttr> bias =
      getBias(op, op.getBias(), channels * multiplier);
  if (failed(bias))
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  return buildAndReplace(rewriter, op, [&]() -> Operation * {
    Value input = castToStorage(rewriter, loc, op.getInput());
    Type storageElement = getSignedStorageElement(weightType);
    Value weight;
    WeightLayout layout;
    if (FailureOr<DenseElementsAttr> elements =
            getConstantElements(op.getWeight());
        succeeded(elements)) {
      // A grouped convolution with groups = C and one input channel per
      // group: qlp's fhwc weight [C * M, KH, KW, 1] with
      // w'[c * M + m, h, w, 0] = w[h, w, c, m], permuted at compile time.
      SmallVector<APInt> source(elements->getValues<APInt>());
      SmallVector<APInt> permuted(source.size());
      for (int64_t h = 0; h < kh; ++h)
        for (int64_t w = 0; w < kw; ++w)
          for (int64_t c = 0; c < channels; ++c)
            for (int64_t m = 0; m < multiplier; ++m)
              permuted[((c * multiplier + m) * kh + h) * kw + w] =
                  source[((h * kw + w) * channels + c) * multiplier + m];
      auto type = RankedTensorType::get({channels * multiplier, kh, kw, 1},
                                        storageElement);
      weight = arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(type, permuted));
      layout = WeightLayout::FHWC;
    } else {
      // A runtime weight: reshaping [KH, KW, C, M] to [KH, KW, 1, C * M]
      // keeps the element order (c * M + m is row-major over (C, M)) and
      // gives qlp's hwcf layout, without moving any data.
      Value storage = castToStorage(rewriter, loc, op.getWeight());
      weight = createTosaReshape(rewriter, loc, storage,
                                 {kh, kw, 1, channels * multiplier});
      layout = WeightLayout::HWCF;
    }
    return qlp::Conv2DOp::create(rewriter, loc, getStorageType(resultType),
                                 input, *inputZp, weight, *weightZp, layout,
                                 op.getStride(), op.getDilation(), op.getPad(),
                                 /*groups=*/channels, *bias);
  });
}

static LogicalResult importMatMul(RewriterBase &rewriter, tosa::MatMulOp op) {
  if (!isImportableProduct(op.getA().getType(), op.getB().getType(),
                           op.getType(), /*allowI4Weight=*/false))
    return success();
  FailureOr<int64_t> aZp = getZeroPoint(op, op.getAZp(), "a_zp");
  if (failed(aZp))
    return failure();
  FailureOr<int64_t> bZp = getZeroPoint(op, op.getBZp(), "b_zp");
  if (failed(bZp))
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  return buildAndReplace(rewriter, op, [&]() -> Operation * {
    Value a = castToStorage(rewriter, loc, op.getA());
    Value b = castToStorage(rewriter, loc, op.getB());
    return qlp::MatmulOp::create(rewriter, loc, getStorageType(op.getType()), a,
                                 *aZp, b, *bZp,
                                 /*bias=*/DenseIntElementsAttr());
  });
}

//===----------------------------------------------------------------------===//
// Rescale
//===----------------------------------------------------------------------===//

static LogicalResult importRescale(RewriterBase &rewriter, tosa::RescaleOp op) {
  auto inputType = cast<ShapedType>(op.getInput().getType());
  auto resultType = cast<ShapedType>(op.getType());
  // A rescale is integer by definition; every form qlp cannot reproduce is
  // an error rather than a silent fall-through to a different lowering.
  if (op.getInputUnsigned() || op.getOutputUnsigned())
    return op.emitOpError("has an unsigned input or output; qlp.rescale "
                          "computes on signed integers only");
  if (!hasSignedStorageWidth(inputType, {8, 16, 32}))
    return op.emitOpError("has input element type ")
           << inputType.getElementType()
           << "; qlp.rescale takes signed i8, i16 or i32";
  if (!hasSignedStorageWidth(resultType, {8, 16, 32}))
    return op.emitOpError("has result element type ")
           << resultType.getElementType()
           << "; qlp.rescale produces signed i8, i16 or i32";

  RoundingMode rounding;
  switch (op.getRoundingMode()) {
  case tosa::RoundingMode::SINGLE_ROUND:
    rounding = RoundingMode::SingleRound;
    break;
  case tosa::RoundingMode::DOUBLE_ROUND:
    if (!op.getScale32())
      return op.emitOpError("uses DOUBLE_ROUND with a 16-bit multiplier "
                            "(scale32 = false), which TOSA does not define");
    rounding = RoundingMode::DoubleRound;
    break;
  case tosa::RoundingMode::INEXACT_ROUND:
    return op.emitOpError("uses INEXACT_ROUND, whose rounding TOSA leaves to "
                          "the implementation; qlp imports only SINGLE_ROUND "
                          "and DOUBLE_ROUND, which it reproduces exactly");
  }

  FailureOr<SmallVector<int64_t>> multipliers =
      getConstantIntegers(op.getMultiplier());
  if (failed(multipliers))
    return op.emitOpError("expects a constant multiplier to be imported into "
                          "qlp");
  FailureOr<SmallVector<int64_t>> shifts = getConstantIntegers(op.getShift());
  if (failed(shifts))
    return op.emitOpError("expects a constant shift to be imported into qlp");
  FailureOr<int64_t> inputZp = getZeroPoint(op, op.getInputZp(), "input_zp");
  if (failed(inputZp))
    return failure();
  FailureOr<int64_t> outputZp = getZeroPoint(op, op.getOutputZp(), "output_zp");
  if (failed(outputZp))
    return failure();

  if (multipliers->size() != shifts->size())
    return op.emitOpError("has ") << multipliers->size() << " multipliers but "
                                  << shifts->size() << " shifts";
  std::optional<int64_t> axis;
  if (op.getPerChannel()) {
    // TOSA's per-channel scales index the innermost dimension.
    int64_t rank = inputType.getRank();
    if (rank == 0 || inputType.isDynamicDim(rank - 1))
      return op.emitOpError("is per-channel over a dynamic or missing "
                            "innermost dimension");
    if (static_cast<int64_t>(multipliers->size()) !=
        inputType.getDimSize(rank - 1))
      return op.emitOpError("has ")
             << multipliers->size() << " per-channel scales for "
             << inputType.getDimSize(rank - 1) << " channels";
    axis = rank - 1;
  } else if (multipliers->size() != 1) {
    return op.emitOpError("has ")
           << multipliers->size()
           << " multipliers but is not per-channel; expected 1";
  }

  // With scale32 = false TOSA applies a 16-bit multiplier with SINGLE_ROUND
  // (apply_scale_16), the same function as SINGLE_ROUND with that value as a
  // 32-bit multiplier, so both widths import the same way.
  SmallVector<int32_t> m32, s32;
  for (auto [index, pair] :
       llvm::enumerate(llvm::zip_equal(*multipliers, *shifts))) {
    auto [m, s] = pair;
    // TOSA REQUIREs multiplier >= 0; a zero multiplier (the constant
    // output zero point) has no dyadic form.
    if (m < 1 || m > INT32_MAX)
      return op.emitOpError("has multiplier ")
             << m << " at index " << index
             << "; qlp dyadic multipliers are in [1, 2147483647]";
    if (s < 0 || s > kMaxDyadicShift)
      return op.emitOpError("has shift ")
             << s << " at index " << index
             << "; qlp dyadic shifts are in [0, 62]";
    m32.push_back(static_cast<int32_t>(m));
    s32.push_back(static_cast<int32_t>(s));
  }

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  return buildAndReplace(rewriter, op, [&]() -> Operation * {
    Value input = castToStorage(rewriter, loc, op.getInput());
    auto scale = DyadicAttr::get(op.getContext(), m32, s32, axis);
    // No explicit clamp: qlp.rescale saturates to the result type's range,
    // as TOSA's apply_clip to minimum/maximum of out_t.
    return qlp::RescaleOp::create(rewriter, loc, getStorageType(resultType),
                                  input, *inputZp, scale, *outputZp,
                                  /*clamp_min=*/IntegerAttr(),
                                  /*clamp_max=*/IntegerAttr(), rounding);
  });
}

//===----------------------------------------------------------------------===//
// Clamp and pooling
//===----------------------------------------------------------------------===//

static LogicalResult importClamp(RewriterBase &rewriter, tosa::ClampOp op) {
  if (!hasSignedStorageWidth(op.getType(), {8, 16, 32}))
    return success();
  auto minAttr = dyn_cast<IntegerAttr>(op.getMinValAttr());
  auto maxAttr = dyn_cast<IntegerAttr>(op.getMaxValAttr());
  if (!minAttr || !maxAttr)
    return op.emitOpError("expects integer min_val and max_val on an integer "
                          "clamp");
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  return buildAndReplace(rewriter, op, [&]() -> Operation * {
    Value input = castToStorage(rewriter, loc, op.getInput());
    return qlp::ClampOp::create(rewriter, loc, input.getType(), input,
                                minAttr.getValue().getSExtValue(),
                                maxAttr.getValue().getSExtValue());
  });
}

static LogicalResult importMaxPool2D(RewriterBase &rewriter,
                                     tosa::MaxPool2dOp op) {
  if (!hasSignedStorageWidth(op.getType(), {8, 16}))
    return success();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  // TOSA pads with the type's minimum, which never wins a maximum: the same
  // as qlp ignoring padded positions (both require padding < kernel).
  return buildAndReplace(rewriter, op, [&]() -> Operation * {
    Value input = castToStorage(rewriter, loc, op.getInput());
    return qlp::MaxPool2DOp::create(rewriter, loc, getStorageType(op.getType()),
                                    input, op.getKernel(), op.getStride(),
                                    op.getPad());
  });
}

static LogicalResult importAvgPool2D(RewriterBase &rewriter,
                                     tosa::AvgPool2dOp op) {
  if (!hasSignedStorageWidth(op.getType(), {8, 16}))
    return success();
  // TOSA's integer AVG_POOL2D accumulates in i32 (the only accumulator its
  // integer profile allows), divides by the in-bounds count with
  // reciprocal_scale and apply_scale_32 (single round), adds output_zp and
  // saturates: qlp.avg_pool2d's definition, step for step.
  if (!op.getAccType().isInteger(32))
    return op.emitOpError("expects an i32 accumulator for integer pooling, "
                          "got ")
           << op.getAccType();
  FailureOr<int64_t> inputZp = getZeroPoint(op, op.getInputZp(), "input_zp");
  if (failed(inputZp))
    return failure();
  FailureOr<int64_t> outputZp = getZeroPoint(op, op.getOutputZp(), "output_zp");
  if (failed(outputZp))
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  return buildAndReplace(rewriter, op, [&]() -> Operation * {
    Value input = castToStorage(rewriter, loc, op.getInput());
    return qlp::AvgPool2DOp::create(rewriter, loc, getStorageType(op.getType()),
                                    input, *inputZp, op.getKernel(),
                                    op.getStride(), op.getPad(), *outputZp);
  });
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace mlir::qlp {
namespace {
struct QLPImportTOSAPass : impl::QLPImportTOSABase<QLPImportTOSAPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp,
              tosa::RescaleOp, tosa::ClampOp, tosa::MaxPool2dOp,
              tosa::AvgPool2dOp>(op))
        candidates.push_back(op);
    });

    IRRewriter rewriter(&getContext());
    bool failedAny = false;
    for (Operation *op : candidates) {
      SmallVector<Operation *> producers;
      for (Value operand : op->getOperands())
        if (Operation *producer = operand.getDefiningOp())
          producers.push_back(producer);
      LogicalResult result =
          TypeSwitch<Operation *, LogicalResult>(op)
              .Case([&](tosa::Conv2DOp conv) {
                return importConv2D(rewriter, conv);
              })
              .Case([&](tosa::DepthwiseConv2DOp conv) {
                return importDepthwiseConv2D(rewriter, conv);
              })
              .Case([&](tosa::MatMulOp matmul) {
                return importMatMul(rewriter, matmul);
              })
              .Case([&](tosa::RescaleOp rescale) {
                return importRescale(rewriter, rescale);
              })
              .Case([&](tosa::ClampOp clamp) {
                return importClamp(rewriter, clamp);
              })
              .Case([&](tosa::MaxPool2dOp pool) {
                return importMaxPool2D(rewriter, pool);
              })
              .Case([&](tosa::AvgPool2dOp pool) {
                return importAvgPool2D(rewriter, pool);
              })
              .Default([](Operation *) { return success(); });
      // Keep going after an error, so that one run reports every op that
      // cannot be imported.
      failedAny |= failed(result);
      // The zero points, multipliers, shifts, biases and re-laid-out weights
      // that only the TOSA op used. Producers come earlier in program order
      // and were imported already, so none of them is a later candidate.
      // (An op left alone keeps its producers alive, so this erases
      // nothing then.)
      if (succeeded(result))
        eraseDeadTrees(rewriter, producers);
    }
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
} // namespace mlir::qlp
