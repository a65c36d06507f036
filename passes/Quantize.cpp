//===- Quantize.cpp - Quantize a float TOSA model into qlp ----------------===//
//
// qlp-quantize walks each function in program order and gives every float
// value an integer form:
//
//  * an *activation*: an integer tensor with one real scale and zero point
//    (per tensor, asymmetric, from the value's calibration range), or
//  * an *accumulator*: the i32 result of a qlp.conv2d / qlp.matmul, whose
//    real scale is S_w[c] * S_x per output channel, or of a binary layer
//    (qlp.binary_conv2d / qlp.binary_matmul, 1-bit weights and 1-bit
//    activations), whose real scale is alpha[c] * beta; not yet requantized.
//
// An accumulator absorbs a following per-channel bias add and positive
// per-channel multiply exactly (bias in accumulator units, scales
// multiplied), so only values that another layer, a residual add, a pool or
// the function's result needs become activations. Binary layers have no
// bias attribute: their bias is added to the accumulator in its
// requantization (getAccumulatorInput). Requantizations are left
// as quant.dcast / quant.qcast chains on !quant.uniform types; qlp-fold-scales
// turns each into dyadic integer arithmetic.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialect/QLPOps.h"
#include "dialect/QLPTypes.h"
#include "passes/Calibration.h"
#include "passes/WeightQuantizer.h"
#include "runtime/qlp_runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <limits>
#include <variant>

namespace mlir {
namespace qlp {
#define GEN_PASS_DEF_QLPQUANTIZE
#include "passes/Passes.h.inc"
} // namespace qlp
} // namespace mlir

using namespace mlir;
using namespace mlir::qlp;

static constexpr llvm::StringLiteral kBitsAttrName = "qlp.bits";
static constexpr llvm::StringLiteral kActBitsAttrName = "qlp.act_bits";

namespace {

/// A float value in integer form with one real scale: real = (q - zp) * scale.
struct Activation {
  Value value;
  double scale;
  int64_t zp;
  unsigned bits;
};

/// The i32 result of an integer or binary layer:
/// real = (acc[..., c] + bias[c]) * scales[c] (one scale per output channel,
/// the last dimension; a single scale applies to all channels).
struct Accumulator {
  Value value;
  Operation *layer;
  SmallVector<double> scales;
  /// The bias of a binary layer, in accumulator units, one per channel
  /// (empty: none). qlp.binary_conv2d / qlp.binary_matmul have no bias
  /// attribute, so it is added when the accumulator is requantized
  /// (getAccumulatorInput). An integer layer's bias is its `bias` attribute
  /// and is already part of `value`.
  SmallVector<int64_t> bias;
};

using IntegerForm = std::variant<Activation, Accumulator>;

static int64_t signedMin(unsigned bits) { return -(int64_t(1) << (bits - 1)); }
static int64_t signedMax(unsigned bits) { return (int64_t(1) << (bits - 1)) - 1; }

/// Rounds half away from zero, the rounding of every real-to-integer step of
/// this pass.
static double roundHalfAway(double x) { return std::round(x); }

static bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

static bool hasFloatTensors(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), isFloatTensor) ||
         llvm::any_of(op->getResultTypes(), isFloatTensor);
}

/// The float constant behind `value` (tosa.const or arith.constant).
static DenseFPElementsAttr getFloatConstant(Value value) {
  DenseFPElementsAttr attr;
  if (matchPattern(value, m_Constant(&attr)))
    return attr;
  return {};
}

static SmallVector<double> toDoubles(DenseFPElementsAttr attr) {
  SmallVector<double> values;
  values.reserve(attr.getNumElements());
  for (const APFloat &v : attr.getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

/// A constant that holds one value per channel of the last dimension
/// (`channels`) or a single value, broadcast along every other dimension.
static std::optional<SmallVector<double>>
getPerChannelConstant(Value value, int64_t channels) {
  DenseFPElementsAttr attr = getFloatConstant(value);
  if (!attr)
    return std::nullopt;
  auto type = cast<ShapedType>(attr.getType());
  ArrayRef<int64_t> shape = type.getShape();
  for (int64_t d = 0, e = shape.size(); d + 1 < e; ++d)
    if (shape[d] != 1)
      return std::nullopt;
  int64_t last = shape.empty() ? 1 : shape.back();
  if (last != channels && last != 1)
    return std::nullopt;
  SmallVector<double> values = toDoubles(attr);
  if (values.size() == 1)
    values.assign(channels, values.front());
  return values;
}

static DenseIntElementsAttr getIntAttr(OpBuilder &b, ArrayRef<int64_t> shape,
                                       unsigned bits,
                                       ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, b.getIntegerType(bits));
  SmallVector<APInt> ints;
  ints.reserve(values.size());
  for (int64_t v : values)
    ints.push_back(APInt(bits, v, /*isSigned=*/true));
  return DenseIntElementsAttr::get(type, ints);
}

/// Whether every element of the float constant `value` is zero (the zero
/// points of float TOSA layers).
static bool isZeroConstant(Value value) {
  DenseFPElementsAttr attr = getFloatConstant(value);
  return attr && llvm::all_of(attr.getValues<APFloat>(),
                              [](const APFloat &v) { return v.isZero(); });
}

class FunctionQuantizer {
public:
  FunctionQuantizer(func::FuncOp func, const CalibrationTable &calibration,
                    unsigned weightBits, unsigned actBits)
      : func(func), calibration(calibration), defaultWeightBits(weightBits),
        defaultActBits(actBits), builder(func.getContext()) {}

  LogicalResult run();

private:
  // Integer forms.
  FailureOr<Activation> getActivation(Value floatValue, Operation *user);
  FailureOr<Activation> quantizeFromRange(Value floatValue, unsigned bits);
  Type getQuantizedType(const Activation &act, Type expressedType);
  Type getAccumulatorType(const Accumulator &acc, Type expressedType,
                          int64_t zp);
  std::pair<Value, Type> getAccumulatorInput(const Accumulator &acc,
                                             Type expressedType, Location loc);
  Value requantizeChain(Location loc, ArrayRef<std::pair<Value, Type>> inputs,
                        Operation *floatOp, Operation *fusedClamp,
                        Type outQuantType, Type storageType);
  Operation *getFusableClamp(Value floatValue);
  unsigned getActBits(Value floatValue);
  unsigned getLayerActBits(Operation *layer);

  // Ops.
  LogicalResult quantizeArgument(BlockArgument arg);
  LogicalResult quantizeOp(Operation *op);
  LogicalResult quantizeConv(Operation *op, Value input, Value weight,
                             Value bias, Value inputZp, Value weightZp,
                             ArrayRef<int64_t> pad, ArrayRef<int64_t> stride,
                             ArrayRef<int64_t> dilation, bool depthwise);
  LogicalResult quantizeMatmul(tosa::MatMulOp op);
  LogicalResult quantizeAffine(Operation *op, Value lhs, Value rhs, int sign,
                               bool multiply);
  LogicalResult quantizeAdd(tosa::AddOp op);
  LogicalResult quantizeClamp(tosa::ClampOp op);
  LogicalResult quantizeDataMovement(Operation *op);
  LogicalResult quantizeConcat(tosa::ConcatOp op);
  LogicalResult quantizeReturn(func::ReturnOp op);

  LogicalResult checkAccumulation(Operation *op, int64_t count,
                                  const Activation &input, unsigned rhsBits,
                                  int64_t rhsZp, ArrayRef<int64_t> bias);
  LogicalResult checkBinaryWidths(Operation *op, unsigned weightBits,
                                  bool constantWeight);
  Value binarizeInput(Location loc, const Activation &input);
  unsigned getWeightBits(Operation *op);

  func::FuncOp func;
  const CalibrationTable &calibration;
  unsigned defaultWeightBits, defaultActBits;
  OpBuilder builder;
  DenseMap<Value, IntegerForm> forms;
  DenseMap<Value, unsigned> actBitsCache;
  SmallVector<Operation *> replaced;
  /// Float clamps folded into the requantization of their input.
  llvm::SmallPtrSet<Operation *, 8> fusedClamps;
};

} // namespace

//===----------------------------------------------------------------------===//
// Widths
//===----------------------------------------------------------------------===//

unsigned FunctionQuantizer::getWeightBits(Operation *op) {
  if (auto attr = op->getAttrOfType<IntegerAttr>(kBitsAttrName))
    return attr.getInt();
  return defaultWeightBits;
}

unsigned FunctionQuantizer::getLayerActBits(Operation *layer) {
  if (auto attr = layer->getAttrOfType<IntegerAttr>(kActBitsAttrName))
    return attr.getInt();
  return defaultActBits;
}

static bool isLayer(Operation *op) {
  return isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op);
}

/// Ops that pass their input's integers through unchanged (same scale).
static bool isPassThrough(Operation *op) {
  return isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp,
             tosa::MaxPool2dOp, tosa::ClampOp>(op);
}

/// The width of the integers that represent `floatValue`: what its consuming
/// layers ask for (`qlp.act_bits`, the option otherwise), looking through
/// ops that pass integers through; 8 for everything else, whose qlp form
/// needs at least 8 bits (pools, residual adds, results).
unsigned FunctionQuantizer::getActBits(Value floatValue) {
  auto it = actBitsCache.find(floatValue);
  if (it != actBitsCache.end())
    return it->second;
  unsigned bits = 0;
  for (OpOperand &use : floatValue.getUses()) {
    Operation *user = use.getOwner();
    unsigned want = 8;
    if (isLayer(user) && use.getOperandNumber() == 0) {
      // A binary layer binarizes an 8-bit activation by its zero point
      // (sign of the real value), so its input is stored at 8 bits.
      want = getLayerActBits(user);
      if (want == 1)
        want = 8;
    } else if (isPassThrough(user) && use.getOperandNumber() == 0) {
      want = getActBits(user->getResult(0));
    }
    bits = std::max(bits, want);
  }
  if (bits == 0)
    bits = 8;
  actBitsCache[floatValue] = bits;
  return bits;
}

//===----------------------------------------------------------------------===//
// Activations and requantization chains
//===----------------------------------------------------------------------===//

Type FunctionQuantizer::getQuantizedType(const Activation &act,
                                         Type expressedType) {
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, builder.getIntegerType(act.bits),
      expressedType, act.scale, act.zp, signedMin(act.bits),
      signedMax(act.bits));
}

/// The !quant.uniform i32 type of an accumulator with zero point `zp`: per
/// tensor when every channel has the same scale, per axis (the last
/// dimension) otherwise.
Type FunctionQuantizer::getAccumulatorType(const Accumulator &acc,
                                           Type expressedType, int64_t zp) {
  if (llvm::all_equal(acc.scales))
    return quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, builder.getI32Type(), expressedType,
        acc.scales.front(), zp, signedMin(32), signedMax(32));
  auto accType = cast<RankedTensorType>(acc.value.getType());
  SmallVector<int64_t> zps(acc.scales.size(), zp);
  return quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, builder.getI32Type(), expressedType,
      acc.scales, zps, accType.getRank() - 1, signedMin(32), signedMax(32));
}

/// The integers that the requantization of `acc` reads and their
/// !quant.uniform type, built at the builder's insertion point. An integer
/// layer's bias is already in its accumulator. A binary layer's bias is
/// applied here, exactly:
///  * one value b for every channel: the zero point -b, since
///    real = (acc - (-b)) * S; qlp-fold-scales makes it the rescale's
///    input_zp, which the kernels' epilogue applies;
///  * otherwise an i32 `tosa.add` of the per-channel constant (broadcast
///    along the last dimension) before the chain; the layers' bias checks
///    keep |acc| + |b| within i32, so the add cannot wrap.
std::pair<Value, Type>
FunctionQuantizer::getAccumulatorInput(const Accumulator &acc,
                                       Type expressedType, Location loc) {
  if (llvm::all_of(acc.bias, [](int64_t b) { return b == 0; }))
    return {acc.value, getAccumulatorType(acc, expressedType, 0)};
  if (llvm::all_equal(acc.bias))
    return {acc.value,
            getAccumulatorType(acc, expressedType, -acc.bias.front())};
  auto accType = cast<RankedTensorType>(acc.value.getType());
  SmallVector<int64_t> shape(accType.getRank(), 1);
  shape.back() = acc.bias.size();
  Value bias = arith::ConstantOp::create(
      builder, loc, getIntAttr(builder, shape, 32, acc.bias));
  Value sum = tosa::AddOp::create(builder, loc, accType, acc.value, bias);
  return {sum, getAccumulatorType(acc, expressedType, 0)};
}

/// Scale and zero point of a `bits`-wide asymmetric activation over the
/// calibration range of `floatValue`, widened to contain 0 so that zero
/// (padding, ReLU) is exact.
FailureOr<Activation> FunctionQuantizer::quantizeFromRange(Value floatValue,
                                                           unsigned bits) {
  if (bits != 2 && bits != 4 && bits != 8)
    return emitError(floatValue.getLoc())
           << "activation width " << bits << " of "
           << CalibrationTable::describe(floatValue)
           << " is not supported by qlp-quantize (2, 4 or 8, or 1 for the "
              "input of a binary layer)";
  FailureOr<CalibrationRange> range = calibration.getRange(floatValue);
  if (failed(range))
    return failure();
  double lo = std::min(range->min, 0.0), hi = std::max(range->max, 0.0);
  double scale = (hi - lo) / double((int64_t(1) << bits) - 1);
  if (!(scale > 0.0) || !std::isfinite(scale) ||
      scale < std::numeric_limits<float>::min())
    return emitError(floatValue.getLoc())
           << "calibration range "
           << CalibrationTable::formatRange(range->min, range->max) << " of "
           << CalibrationTable::describe(floatValue)
           << " gives a zero or subnormal scale; a range must have a width";
  int64_t zp = signedMin(bits) - int64_t(roundHalfAway(lo / scale));
  zp = std::clamp(zp, signedMin(bits), signedMax(bits));
  return Activation{Value(), scale, zp, bits};
}

/// A float tosa.clamp that is the only user of `floatValue`: it is folded
/// into the requantization of `floatValue` (a quantized ReLU).
Operation *FunctionQuantizer::getFusableClamp(Value floatValue) {
  if (!floatValue.hasOneUse())
    return nullptr;
  auto clamp = dyn_cast<tosa::ClampOp>(*floatValue.getUsers().begin());
  if (!clamp || !isFloatTensor(clamp.getType()))
    return nullptr;
  return clamp;
}

/// Builds `scast -> dcast` for every input, `floatOp` (cloned on the
/// dequantized inputs) when given, the fused clamp when given, then
/// `qcast -> scast` to `storageType`.
Value FunctionQuantizer::requantizeChain(
    Location loc, ArrayRef<std::pair<Value, Type>> inputs, Operation *floatOp,
    Operation *fusedClamp, Type outQuantType, Type storageType) {
  SmallVector<Value> dequantized;
  Type expressed = cast<quant::QuantizedType>(outQuantType).getExpressedType();
  for (auto [intValue, quantType] : inputs) {
    auto shape = cast<RankedTensorType>(intValue.getType()).getShape();
    Value q = quant::StorageCastOp::create(
        builder, loc, RankedTensorType::get(shape, quantType), intValue);
    dequantized.push_back(quant::DequantizeCastOp::create(
        builder, loc, RankedTensorType::get(shape, expressed), q));
  }
  Value real = dequantized.front();
  if (floatOp) {
    IRMapping mapping;
    for (auto [from, to] : llvm::zip(floatOp->getOperands(), dequantized))
      mapping.map(from, to);
    real = builder.clone(*floatOp, mapping)->getResult(0);
  }
  if (fusedClamp) {
    IRMapping mapping;
    mapping.map(fusedClamp->getOperand(0), real);
    real = builder.clone(*fusedClamp, mapping)->getResult(0);
  }
  auto shape = cast<RankedTensorType>(real.getType()).getShape();
  Value q = quant::QuantizeCastOp::create(
      builder, loc, RankedTensorType::get(shape, outQuantType), real);
  return quant::StorageCastOp::create(
      builder, loc, RankedTensorType::get(shape, storageType), q);
}

/// The activation form of `floatValue`, requantizing an accumulator (with
/// its range) when needed. `user` is the op that needs it (for placement).
FailureOr<Activation> FunctionQuantizer::getActivation(Value floatValue,
                                                       Operation *user) {
  auto it = forms.find(floatValue);
  if (it == forms.end() && isa<BlockArgument>(floatValue)) {
    if (failed(quantizeArgument(cast<BlockArgument>(floatValue))))
      return failure();
    it = forms.find(floatValue);
  }
  if (it == forms.end()) {
    if (floatValue.getDefiningOp() &&
        matchPattern(floatValue, m_Constant()))
      return user->emitOpError()
             << "has a constant float operand that qlp-quantize cannot "
                "quantize: only layer weights, biases and per-channel "
                "affine constants are supported";
    return user->emitOpError() << "operand " << CalibrationTable::describe(floatValue)
                               << " has no integer form";
  }
  if (auto *act = std::get_if<Activation>(&it->second))
    return *act;

  // Requantize the accumulator right after it is complete.
  Accumulator acc = std::get<Accumulator>(it->second);
  FailureOr<Activation> act =
      quantizeFromRange(floatValue, getActBits(floatValue));
  if (failed(act))
    return failure();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointAfterValue(acc.value);
  Type expressed = cast<RankedTensorType>(floatValue.getType()).getElementType();
  act->value = requantizeChain(
      floatValue.getLoc(),
      {getAccumulatorInput(acc, expressed, floatValue.getLoc())},
      /*floatOp=*/nullptr,
      /*fusedClamp=*/nullptr, getQuantizedType(*act, expressed),
      builder.getIntegerType(act->bits));
  forms[floatValue] = *act;
  return *act;
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// The largest |q - zp| over the signed `bits`-wide integers q: the bound the
/// qlp verifiers use for an operand with zero point `zp`.
static int64_t maxAbsDiff(unsigned bits, int64_t zp) {
  return std::max(zp - signedMin(bits), signedMax(bits) - zp);
}

/// Rejects a layer whose i32 accumulation the qlp verifier could not prove
/// safe, with the numbers, before building it: `count` products of the
/// activation `input` and a `rhsBits`-wide operand with zero point `rhsZp`
/// (`rhsBits` 1 is stored as i2), plus `bias`.
LogicalResult FunctionQuantizer::checkAccumulation(
    Operation *op, int64_t count, const Activation &input, unsigned rhsBits,
    int64_t rhsZp, ArrayRef<int64_t> bias) {
  unsigned storageBits = rhsBits == 1 ? 2 : rhsBits;
  int64_t maxBias = 0;
  for (int64_t b : bias)
    maxBias = std::max(maxBias, std::abs(b));
  __int128 worst = __int128(count) * maxAbsDiff(input.bits, input.zp) *
                       maxAbsDiff(storageBits, rhsZp) +
                   maxBias;
  if (worst <= std::numeric_limits<int32_t>::max())
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << "cannot be quantized: an i32 accumulator over "
                            << count << " products of " << input.bits
                            << "-bit and " << storageBits << "-bit operands";
  if (maxBias)
    diag << " plus a bias of up to " << maxBias;
  return diag << " can overflow; lower qlp.bits / qlp.act_bits or split the "
                 "layer";
}

/// Quantizes the bias `values` (real, one per channel) to i32 in units of
/// `scales`.
static FailureOr<SmallVector<int64_t>>
quantizeBias(Operation *op, ArrayRef<double> values, ArrayRef<double> scales) {
  SmallVector<int64_t> result;
  for (auto [value, scale] : llvm::zip(values, scales)) {
    double q = roundHalfAway(value / scale);
    if (!std::isfinite(value) ||
        std::fabs(q) > double(std::numeric_limits<int32_t>::max()))
      return op->emitOpError()
             << "bias " << value << " is not representable as i32 at scale "
             << scale;
    result.push_back(int64_t(q));
  }
  return result;
}

/// The quantized weight of a layer, as the integers and per-channel scales.
static FailureOr<QuantizedWeights>
quantizeLayerWeight(Operation *op, ArrayRef<double> weights, int64_t channels,
                    llvm::function_ref<int64_t(int64_t)> channelOf,
                    unsigned bits) {
  if (bits != 1 && bits != 2 && bits != 4 && bits != 8)
    return op->emitOpError() << "qlp.bits must be 1, 2, 4 or 8, got " << bits;
  for (double w : weights)
    if (!std::isfinite(w))
      return op->emitOpError() << "has a non-finite weight (" << w << ")";
  return quantizeWeightsPerChannel(weights, channels, channelOf, bits);
}

//===----------------------------------------------------------------------===//
// Binary layers
//===----------------------------------------------------------------------===//

/// A layer is binary when its input activations are 1-bit (XNOR-Net / Larq):
/// that needs 1-bit weights too, a constant the pass binarizes. The converse,
/// 1-bit weights with wider activations, is an integer layer with i2 weights.
LogicalResult FunctionQuantizer::checkBinaryWidths(Operation *op,
                                                   unsigned weightBits,
                                                   bool constantWeight) {
  if (getLayerActBits(op) != 1 || (constantWeight && weightBits == 1))
    return success();
  InFlightDiagnostic diag = op->emitOpError() << "layer";
  if (auto name = op->getAttrOfType<StringAttr>("qlp.name"))
    diag << " '" << name.getValue() << "'";
  diag << " has 1-bit input activations ("
       << (op->hasAttr(kActBitsAttrName) ? "qlp.act_bits = 1"
                                         : "the act-bits=1 option")
       << ") but ";
  if (!constantWeight)
    return diag << "a non-constant right-hand side; a binary layer needs a "
                   "constant weight to binarize";
  diag << weightBits << "-bit weights ("
       << (op->hasAttr(kBitsAttrName) ? "qlp.bits" : "the weight-bits option")
       << "); a binary layer needs 1-bit weights (qlp.bits = 1), and 1-bit "
          "activations are only supported in binary layers";
  return diag;
}

/// The real scale beta of a binarized activation: x ~= beta * sign(x). As
/// XNOR-Net's L2-optimal beta = E|x|, for x uniform over the range the
/// activation represents, [lo, hi] = [(qmin - zp) * S, (qmax - zp) * S] (its
/// calibration range widened to contain 0, so lo <= 0 <= hi):
///   E|x| = (integral_lo^0 -x dx + integral_0^hi x dx) / (hi - lo)
///        = (lo^2 + hi^2) / (2 (hi - lo)).
static double getBinaryActivationScale(const Activation &act) {
  double lo = double(signedMin(act.bits) - act.zp) * act.scale;
  double hi = double(signedMax(act.bits) - act.zp) * act.scale;
  return (lo * lo + hi * hi) / (2.0 * (hi - lo));
}

/// `qlp.binarize` of an activation at its zero point: +1 where the real value
/// (q - zp) * S is >= 0, -1 below, the sign with sign(0) = +1. Zero padding
/// of the float layer is an integer zp, which binarizes to +1: hence the
/// binary convolution's `pad_value` +1.
Value FunctionQuantizer::binarizeInput(Location loc, const Activation &input) {
  auto type = cast<RankedTensorType>(input.value.getType());
  return BinarizeOp::create(builder, loc,
                            type.clone(BinaryType::get(builder.getContext())),
                            input.value, input.zp);
}

/// The binary weight `values` (+1 / -1, row-major `shape`) as `qlp.unpack`
/// of an `arith.constant` of i32 words, packed at compile time along `axis`
/// (a reduction dimension) with the runtime's layout (qlp_rt_pack_s8: 32
/// values per word, least significant bit first, 1 encoding -1). The dialect
/// has no dense attribute of !qlp.binary, so the words are the constant.
static FailureOr<Value> createBinaryWeight(OpBuilder &builder, Operation *op,
                                           ArrayRef<int64_t> shape,
                                           ArrayRef<int8_t> values,
                                           int64_t axis) {
  constexpr int32_t kWordBits = 32;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  int64_t words = qlp_rt_packed_length(shape[axis], 1, kWordBits);
  if (words < 0)
    return op->emitOpError() << "binary weights could not be packed";
  SmallVector<uint32_t> packed(outer * words * inner);
  if (qlp_rt_pack_s8(values.data(), outer, shape[axis], inner, 1, kWordBits,
                     packed.data()) != QLP_RT_OK)
    return op->emitOpError() << "binary weights could not be packed";
  SmallVector<int64_t> wordShape(shape);
  wordShape[axis] = words;
  auto wordType = RankedTensorType::get(wordShape, builder.getI32Type());
  auto attr = DenseElementsAttr::getFromRawBuffer(
      wordType, ArrayRef<char>(reinterpret_cast<const char *>(packed.data()),
                               packed.size() * sizeof(uint32_t)));
  Value constant = arith::ConstantOp::create(builder, op->getLoc(), wordType,
                                             cast<TypedAttr>(attr));
  auto binaryType =
      RankedTensorType::get(shape, BinaryType::get(builder.getContext()));
  return UnpackOp::create(builder, op->getLoc(), binaryType, constant, axis)
      .getResult();
}

/// The number of products a binary layer's accumulator sums (its value lies
/// in [-count, count]), or nullopt for an integer layer.
static std::optional<int64_t> getBinaryReductionSize(Operation *layer) {
  if (auto matmul = dyn_cast<BinaryMatmulOp>(layer))
    return matmul.getLhs().getType().getShape().back();
  if (auto conv = dyn_cast<BinaryConv2DOp>(layer)) {
    // fhwc: every dimension but F is reduced.
    ArrayRef<int64_t> shape = conv.getWeight().getType().getShape();
    return shape[1] * shape[2] * shape[3];
  }
  return std::nullopt;
}

/// Rejects a quantized `bias` that could make a binary layer's accumulator,
/// in [-count, count], overflow i32 once added.
static LogicalResult checkBinaryBias(Operation *op, ArrayRef<int64_t> bias,
                                     int64_t count) {
  for (int64_t b : bias)
    if (std::abs(b) > std::numeric_limits<int32_t>::max() - count)
      return op->emitOpError()
             << "cannot be quantized: a binary accumulator over " << count
             << " products plus a bias of " << b << " can overflow i32";
  return success();
}

LogicalResult FunctionQuantizer::quantizeConv(
    Operation *op, Value input, Value weight, Value bias, Value inputZp,
    Value weightZp, ArrayRef<int64_t> pad, ArrayRef<int64_t> stride,
    ArrayRef<int64_t> dilation, bool depthwise) {
  DenseFPElementsAttr weightAttr = getFloatConstant(weight);
  if (!weightAttr)
    return op->emitOpError()
           << "weight must be a constant to be quantized (qlp-quantize "
              "quantizes weights at compile time)";
  if (!isZeroConstant(inputZp) || !isZeroConstant(weightZp))
    return op->emitOpError() << "float zero points must be 0";
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t channels = resultType.getShape().back();
  auto shape = cast<ShapedType>(weightAttr.getType()).getShape();
  if (ShapedType::isDynamicShape(shape) || channels == ShapedType::kDynamic)
    return op->emitOpError() << "needs static weight and channel sizes";

  // TOSA's conv weight is [F, KH, KW, C]; its depthwise weight is
  // [KH, KW, C, M] with output channel c * M + m, which qlp expresses as a
  // grouped convolution with weight [C * M, KH, KW, 1] and groups = C.
  SmallVector<double> values = toDoubles(weightAttr);
  SmallVector<int64_t> qlpShape(shape);
  int64_t groups = 1;
  if (depthwise) {
    int64_t kh = shape[0], kw = shape[1], c = shape[2], m = shape[3];
    SmallVector<double> reordered(values.size());
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t mi = 0; mi < m; ++mi)
            reordered[((ci * m + mi) * kh + y) * kw + x] =
                values[((y * kw + x) * c + ci) * m + mi];
    values = std::move(reordered);
    qlpShape = {c * m, kh, kw, 1};
    groups = c;
  }
  int64_t perChannel = qlpShape[1] * qlpShape[2] * qlpShape[3];

  unsigned bits = getWeightBits(op);
  FailureOr<QuantizedWeights> q = quantizeLayerWeight(
      op, values, channels, [&](int64_t i) { return i / perChannel; }, bits);
  if (failed(q) || failed(checkBinaryWidths(op, bits, /*constantWeight=*/true)))
    return failure();
  FailureOr<Activation> in = getActivation(input, op);
  if (failed(in))
    return failure();
  bool binary = getLayerActBits(op) == 1;

  // A binary layer's input is beta * sign(x) instead of S_x * (q - zp).
  double inScale = binary ? getBinaryActivationScale(*in) : in->scale;
  SmallVector<double> accScales;
  for (double s : q->scales)
    accScales.push_back(s * inScale);
  SmallVector<double> biasValues(channels, 0.0);
  if (auto perChannelBias = getPerChannelConstant(bias, channels))
    biasValues = *perChannelBias;
  else
    return op->emitOpError() << "bias must be a constant with one value per "
                                "output channel";
  auto accType = RankedTensorType::get(resultType.getShape(),
                                       builder.getI32Type());
  if (binary) {
    FailureOr<SmallVector<int64_t>> qBias =
        quantizeBias(op, biasValues, accScales);
    if (failed(qBias) || failed(checkBinaryBias(op, *qBias, perChannel)))
      return failure();
    builder.setInsertionPoint(op);
    Value x = binarizeInput(op->getLoc(), *in);
    // Packed along the input channels, the innermost reduction dimension
    // of the fhwc weight.
    FailureOr<Value> w = createBinaryWeight(builder, op, qlpShape, q->values,
                                            /*axis=*/3);
    if (failed(w))
      return failure();
    auto conv = BinaryConv2DOp::create(builder, op->getLoc(), accType, x, *w,
                                       WeightLayout::FHWC, stride, dilation,
                                       pad, groups, /*pad_value=*/1);
    forms[op->getResult(0)] =
        Accumulator{conv.getResult(), conv, accScales, *qBias};
    return success();
  }
  FailureOr<SmallVector<int64_t>> qBias = quantizeBias(op, biasValues, accScales);
  if (failed(qBias) ||
      failed(checkAccumulation(op, perChannel, *in, bits, /*rhsZp=*/0, *qBias)))
    return failure();

  builder.setInsertionPoint(op);
  unsigned storageBits = bits == 1 ? 2 : bits;
  SmallVector<int64_t> ints(q->values.begin(), q->values.end());
  Value w = arith::ConstantOp::create(
      builder, op->getLoc(), getIntAttr(builder, qlpShape, storageBits, ints));
  auto conv = Conv2DOp::create(
      builder, op->getLoc(), accType, in->value,
      builder.getI64IntegerAttr(in->zp), w, builder.getI64IntegerAttr(0),
      WeightLayoutAttr::get(builder.getContext(), WeightLayout::FHWC),
      builder.getDenseI64ArrayAttr(stride),
      builder.getDenseI64ArrayAttr(dilation), builder.getDenseI64ArrayAttr(pad),
      builder.getI64IntegerAttr(groups),
      getIntAttr(builder, {channels}, 32, *qBias));
  forms[op->getResult(0)] = Accumulator{conv.getResult(), conv, accScales};
  return success();
}

LogicalResult FunctionQuantizer::quantizeMatmul(tosa::MatMulOp op) {
  if (!isZeroConstant(op.getAZp()) || !isZeroConstant(op.getBZp()))
    return op.emitOpError() << "float zero points must be 0";
  FailureOr<Activation> lhs = getActivation(op.getA(), op);
  if (failed(lhs))
    return failure();
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t n = resultType.getShape().back();
  int64_t k = cast<RankedTensorType>(op.getA().getType()).getShape().back();
  if (ShapedType::isDynamic(n) || ShapedType::isDynamic(k))
    return op.emitOpError() << "needs static K and N to be quantized";

  builder.setInsertionPoint(op);
  Value rhs;
  int64_t rhsZp = 0;
  SmallVector<double> accScales;
  unsigned rhsBits;
  if (DenseFPElementsAttr weightAttr = getFloatConstant(op.getB())) {
    // A constant right-hand side is a weight: per output column.
    rhsBits = getWeightBits(op);
    FailureOr<QuantizedWeights> q = quantizeLayerWeight(
        op, toDoubles(weightAttr), n, [&](int64_t i) { return i % n; },
        rhsBits);
    if (failed(q) ||
        failed(checkBinaryWidths(op, rhsBits, /*constantWeight=*/true)))
      return failure();
    if (getLayerActBits(op) == 1) {
      // A binary layer: beta * sign(x) times alpha[n] * sign(W), the
      // weight packed along K (the reduction dimension of [B, K, N]).
      double beta = getBinaryActivationScale(*lhs);
      for (double s : q->scales)
        accScales.push_back(s * beta);
      Value x = binarizeInput(op.getLoc(), *lhs);
      auto shape = cast<ShapedType>(weightAttr.getType()).getShape();
      FailureOr<Value> w = createBinaryWeight(builder, op, shape, q->values,
                                              /*axis=*/shape.size() - 2);
      if (failed(w))
        return failure();
      auto accType =
          RankedTensorType::get(resultType.getShape(), builder.getI32Type());
      auto matmul =
          BinaryMatmulOp::create(builder, op.getLoc(), accType, x, *w);
      forms[op.getResult()] =
          Accumulator{matmul.getResult(), matmul, accScales, {}};
      return success();
    }
    for (double s : q->scales)
      accScales.push_back(s * lhs->scale);
    unsigned storageBits = rhsBits == 1 ? 2 : rhsBits;
    SmallVector<int64_t> ints(q->values.begin(), q->values.end());
    rhs = arith::ConstantOp::create(
        builder, op.getLoc(),
        getIntAttr(builder, cast<ShapedType>(weightAttr.getType()).getShape(),
                   storageBits, ints));
  } else {
    // Two activations (attention): both per tensor.
    if (failed(checkBinaryWidths(op, 0, /*constantWeight=*/false)))
      return failure();
    FailureOr<Activation> act = getActivation(op.getB(), op);
    if (failed(act))
      return failure();
    builder.setInsertionPoint(op);
    rhs = act->value;
    rhsZp = act->zp;
    rhsBits = act->bits;
    accScales.assign(n, lhs->scale * act->scale);
  }
  if (failed(checkAccumulation(op, k, *lhs, rhsBits, rhsZp, /*bias=*/{})))
    return failure();
  auto accType =
      RankedTensorType::get(resultType.getShape(), builder.getI32Type());
  auto matmul = MatmulOp::create(builder, op.getLoc(), accType, lhs->value,
                                 builder.getI64IntegerAttr(lhs->zp), rhs,
                                 builder.getI64IntegerAttr(rhsZp),
                                 /*bias=*/DenseIntElementsAttr());
  forms[op.getResult()] = Accumulator{matmul.getResult(), matmul, accScales};
  return success();
}

/// `acc + c`, `acc - c` (`multiply` false, `sign` +1 / -1) or `acc * c`
/// (`multiply` true) with a per-channel constant `c`, folded into an
/// accumulator that has no other use: the bias absorbs additions, the scales
/// absorb positive factors.
LogicalResult FunctionQuantizer::quantizeAffine(Operation *op, Value lhs,
                                                Value rhs, int sign,
                                                bool multiply) {
  Value accValue = lhs, constant = rhs;
  if (!forms.count(accValue) && !multiply && sign > 0)
    std::swap(accValue, constant);
  if (multiply && !forms.count(accValue))
    std::swap(accValue, constant);
  auto it = forms.find(accValue);
  auto *acc = it == forms.end() ? nullptr : std::get_if<Accumulator>(&it->second);
  int64_t channels =
      cast<RankedTensorType>(op->getResult(0).getType()).getShape().back();
  std::optional<SmallVector<double>> values =
      getPerChannelConstant(constant, channels);
  if (!acc || !values || !accValue.hasOneUse() ||
      accValue.getType() != op->getResult(0).getType())
    return op->emitOpError()
           << "can only be quantized as a per-channel constant applied to the "
              "result of a convolution or matmul with no other use";

  Accumulator result = *acc;
  if (multiply) {
    for (auto [scale, factor] : llvm::zip(result.scales, *values)) {
      if (!(factor > 0.0) || !std::isfinite(factor))
        return op->emitOpError()
               << "multiplies a layer result by " << factor
               << "; only positive finite per-channel factors fold into the "
                  "scale (run qlp-fold-batchnorm to fold others into the "
                  "weights)";
      scale *= factor;
    }
  } else {
    SmallVector<double> scaled;
    for (double v : *values)
      scaled.push_back(sign * v);
    FailureOr<SmallVector<int64_t>> add = quantizeBias(op, scaled, result.scales);
    if (failed(add))
      return failure();
    if (std::optional<int64_t> count = getBinaryReductionSize(result.layer)) {
      if (result.bias.empty())
        result.bias.assign(channels, 0);
      for (auto [b, a] : llvm::zip(result.bias, *add))
        b += a;
      if (failed(checkBinaryBias(op, result.bias, *count)))
        return failure();
      forms[op->getResult(0)] = result;
      return success();
    }
    SmallVector<int64_t> bias(channels, 0);
    auto old = result.layer->getAttrOfType<DenseIntElementsAttr>("bias");
    if (old)
      for (auto [i, v] : llvm::enumerate(old.getValues<APInt>()))
        bias[i] = v.getSExtValue();
    for (auto [b, a] : llvm::zip(bias, *add)) {
      b += a;
      if (b > std::numeric_limits<int32_t>::max() ||
          b < std::numeric_limits<int32_t>::min())
        return op->emitOpError() << "bias overflows i32 once quantized";
    }
    builder.setInsertionPoint(result.layer);
    result.layer->setAttr("bias", getIntAttr(builder, {channels}, 32, bias));
    if (failed(mlir::verify(result.layer)))
      return failure();
  }
  forms[op->getResult(0)] = result;
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise and data movement
//===----------------------------------------------------------------------===//

LogicalResult FunctionQuantizer::quantizeAdd(tosa::AddOp op) {
  Value a = op.getInput1(), b = op.getInput2();
  // A constant operand is a bias of an accumulator.
  if (getFloatConstant(a) || getFloatConstant(b))
    return quantizeAffine(op, a, b, +1, /*multiply=*/false);

  // A residual add of two activations: both dequantized, added and
  // requantized to the output range; qlp-fold-scales makes it a qlp.add.
  FailureOr<Activation> lhs = getActivation(a, op);
  if (failed(lhs))
    return failure();
  FailureOr<Activation> rhs = getActivation(b, op);
  if (failed(rhs))
    return failure();
  Operation *clamp = getFusableClamp(op.getResult());
  Value out = clamp ? clamp->getResult(0) : Value(op.getResult());
  FailureOr<Activation> result = quantizeFromRange(out, getActBits(out));
  if (failed(result))
    return failure();
  builder.setInsertionPoint(clamp ? clamp : op.getOperation());
  Type expressed = op.getType().getElementType();
  result->value = requantizeChain(
      op.getLoc(),
      {{lhs->value, getQuantizedType(*lhs, expressed)},
       {rhs->value, getQuantizedType(*rhs, expressed)}},
      op, clamp, getQuantizedType(*result, expressed),
      builder.getIntegerType(result->bits));
  forms[out] = *result;
  if (clamp)
    fusedClamps.insert(clamp);
  return success();
}

LogicalResult FunctionQuantizer::quantizeClamp(tosa::ClampOp op) {
  if (fusedClamps.contains(op))
    return success();
  auto minAttr = dyn_cast<FloatAttr>(op.getMinValAttr());
  auto maxAttr = dyn_cast<FloatAttr>(op.getMaxValAttr());
  if (!minAttr || !maxAttr)
    return op.emitOpError() << "float clamp needs float bounds";
  double lo = minAttr.getValueAsDouble(), hi = maxAttr.getValueAsDouble();

  // A clamp of an accumulator with no other use is its requantization's
  // clamp (conv + ReLU): requantize to the clamp's own range.
  auto it = forms.find(op.getInput());
  if (it != forms.end() && std::holds_alternative<Accumulator>(it->second) &&
      op.getInput().hasOneUse()) {
    Accumulator acc = std::get<Accumulator>(it->second);
    FailureOr<Activation> act =
        quantizeFromRange(op.getResult(), getActBits(op.getResult()));
    if (failed(act))
      return failure();
    builder.setInsertionPoint(op);
    Type expressed = op.getType().getElementType();
    act->value = requantizeChain(
        op.getLoc(), {getAccumulatorInput(acc, expressed, op.getLoc())},
        /*floatOp=*/nullptr, op, getQuantizedType(*act, expressed),
        builder.getIntegerType(act->bits));
    forms[op.getResult()] = *act;
    return success();
  }

  // Otherwise clamp the integers at the quantized bounds: rounding is
  // monotone, so clamping before or after quantization gives the same
  // integers.
  FailureOr<Activation> in = getActivation(op.getInput(), op);
  if (failed(in))
    return failure();
  auto bound = [&](double v) {
    double q = roundHalfAway(v / in->scale) + double(in->zp);
    return int64_t(std::clamp(q, double(signedMin(in->bits)),
                              double(signedMax(in->bits))));
  };
  builder.setInsertionPoint(op);
  Activation result = *in;
  result.value = ClampOp::create(builder, op.getLoc(), in->value,
                                 builder.getI64IntegerAttr(bound(lo)),
                                 builder.getI64IntegerAttr(bound(hi)));
  forms[op.getResult()] = result;
  return success();
}

/// Ops whose integer form is the same op on the integers, at the same scale.
LogicalResult FunctionQuantizer::quantizeDataMovement(Operation *op) {
  FailureOr<Activation> in = getActivation(op->getOperand(0), op);
  if (failed(in))
    return failure();
  builder.setInsertionPoint(op);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  auto intType = resultType.clone(
      cast<ShapedType>(in->value.getType()).getElementType());
  Value result;
  if (auto pool = dyn_cast<tosa::MaxPool2dOp>(op)) {
    result = MaxPool2DOp::create(builder, op->getLoc(), intType, in->value,
                                 pool.getKernelAttr(), pool.getStrideAttr(),
                                 pool.getPadAttr());
  } else if (auto pool = dyn_cast<tosa::AvgPool2dOp>(op)) {
    if (!isZeroConstant(pool.getInputZp()) || !isZeroConstant(pool.getOutputZp()))
      return op->emitOpError() << "float zero points must be 0";
    if (in->bits != 8)
      return op->emitOpError() << "average pooling needs 8-bit activations";
    result = AvgPool2DOp::create(
        builder, op->getLoc(), intType, in->value,
        builder.getI64IntegerAttr(in->zp), pool.getKernelAttr(),
        pool.getStrideAttr(), pool.getPadAttr(),
        builder.getI64IntegerAttr(in->zp));
  } else {
    // Reshape, transpose, slice: the integers move, the scale stays.
    Operation *clone = builder.clone(*op);
    clone->setOperand(0, in->value);
    clone->getResult(0).setType(intType);
    result = clone->getResult(0);
  }
  Activation out = *in;
  out.value = result;
  forms[op->getResult(0)] = out;
  return success();
}

LogicalResult FunctionQuantizer::quantizeConcat(tosa::ConcatOp op) {
  SmallVector<Activation> inputs;
  for (Value v : op.getInput1()) {
    FailureOr<Activation> act = getActivation(v, op);
    if (failed(act))
      return failure();
    inputs.push_back(*act);
  }
  bool same = llvm::all_of(inputs, [&](const Activation &a) {
    return a.scale == inputs[0].scale && a.zp == inputs[0].zp &&
           a.bits == inputs[0].bits;
  });
  Activation result = inputs[0];
  Type expressed = op.getType().getElementType();
  builder.setInsertionPoint(op);
  SmallVector<Value> ints;
  if (same) {
    for (const Activation &a : inputs)
      ints.push_back(a.value);
  } else {
    // Bring every input to the output's range first.
    FailureOr<Activation> out =
        quantizeFromRange(op.getResult(), getActBits(op.getResult()));
    if (failed(out))
      return failure();
    result = *out;
    for (const Activation &a : inputs)
      ints.push_back(requantizeChain(
          op.getLoc(), {{a.value, getQuantizedType(a, expressed)}}, nullptr,
          nullptr, getQuantizedType(result, expressed),
          builder.getIntegerType(result.bits)));
  }
  auto type = op.getType().clone(builder.getIntegerType(result.bits));
  result.value = tosa::ConcatOp::create(builder, op.getLoc(), type, ints,
                                        op.getAxisAttr());
  forms[op.getResult()] = result;
  return success();
}

LogicalResult FunctionQuantizer::quantizeReturn(func::ReturnOp op) {
  SmallVector<Type> resultTypes(func.getResultTypes());
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isFloatTensor(operand.get().getType()))
      continue;
    FailureOr<Activation> act = getActivation(operand.get(), op);
    if (failed(act))
      return failure();
    auto type = cast<RankedTensorType>(operand.get().getType());
    auto quantType = type.clone(getQuantizedType(*act, type.getElementType()));
    builder.setInsertionPoint(op);
    operand.set(
        quant::StorageCastOp::create(builder, op.getLoc(), quantType, act->value));
    resultTypes[operand.getOperandNumber()] = quantType;
  }
  func.setFunctionType(builder.getFunctionType(
      func.getArgumentTypes(), resultTypes));
  return success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// A float argument becomes a !quant.uniform argument, cast to its storage
/// integers at the top of the body. Arguments are quantized when an op first
/// needs them, so that an argument used as a weight is reported as such.
LogicalResult FunctionQuantizer::quantizeArgument(BlockArgument arg) {
  FailureOr<Activation> act = quantizeFromRange(arg, getActBits(arg));
  if (failed(act))
    return failure();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(arg.getOwner());
  auto type = cast<RankedTensorType>(arg.getType());
  auto quantType = type.clone(getQuantizedType(*act, type.getElementType()));
  // The float uses of the argument are rewritten op by op; from now on only
  // the form map refers to it as a float value.
  arg.setType(quantType);
  act->value = quant::StorageCastOp::create(
      builder, arg.getLoc(), type.clone(builder.getIntegerType(act->bits)),
      arg);
  forms[arg] = *act;
  return success();
}

LogicalResult FunctionQuantizer::quantizeOp(Operation *op) {
  if (auto conv = dyn_cast<tosa::Conv2DOp>(op))
    return quantizeConv(op, conv.getInput(), conv.getWeight(), conv.getBias(),
                        conv.getInputZp(), conv.getWeightZp(), conv.getPad(),
                        conv.getStride(), conv.getDilation(),
                        /*depthwise=*/false);
  if (auto conv = dyn_cast<tosa::DepthwiseConv2DOp>(op))
    return quantizeConv(op, conv.getInput(), conv.getWeight(), conv.getBias(),
                        conv.getInputZp(), conv.getWeightZp(), conv.getPad(),
                        conv.getStride(), conv.getDilation(),
                        /*depthwise=*/true);
  if (auto matmul = dyn_cast<tosa::MatMulOp>(op))
    return quantizeMatmul(matmul);
  if (auto add = dyn_cast<tosa::AddOp>(op))
    return quantizeAdd(add);
  if (auto sub = dyn_cast<tosa::SubOp>(op)) {
    if (!getFloatConstant(sub.getInput2()))
      return op->emitOpError()
             << "subtracts two activations, which qlp-quantize does not "
                "support; only a per-channel constant can be subtracted";
    return quantizeAffine(op, sub.getInput1(), sub.getInput2(), -1,
                          /*multiply=*/false);
  }
  if (auto mul = dyn_cast<tosa::MulOp>(op))
    return quantizeAffine(op, mul.getInput1(), mul.getInput2(), +1,
                          /*multiply=*/true);
  if (auto clamp = dyn_cast<tosa::ClampOp>(op))
    return quantizeClamp(clamp);
  if (isa<tosa::MaxPool2dOp, tosa::AvgPool2dOp, tosa::ReshapeOp,
          tosa::TransposeOp, tosa::SliceOp>(op))
    return quantizeDataMovement(op);
  if (auto concat = dyn_cast<tosa::ConcatOp>(op))
    return quantizeConcat(concat);
  if (auto ret = dyn_cast<func::ReturnOp>(op))
    return quantizeReturn(ret);
  return op->emitOpError()
         << "is not supported by qlp-quantize (supported float ops: "
            "tosa.conv2d, depthwise_conv2d, matmul, add, sub, mul, clamp, "
            "max_pool2d, avg_pool2d, reshape, transpose, slice, concat)";
}

LogicalResult FunctionQuantizer::run() {
  if (func.isExternal())
    return success();
  bool hasFloat = llvm::any_of(func.getArgumentTypes(), isFloatTensor) ||
                  llvm::any_of(func.getResultTypes(), isFloatTensor);
  func.walk([&](Operation *op) { hasFloat |= hasFloatTensors(op); });
  if (!hasFloat)
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitOpError() << "qlp-quantize needs single-block functions";

  bool quantizedALayer = false;
  for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
    if (!hasFloatTensors(&op))
      continue;
    // Float constants are read by the ops that use them.
    if (op.getNumOperands() == 0 && matchPattern(op.getResult(0), m_Constant()))
      continue;
    if (failed(quantizeOp(&op)))
      return failure();
    quantizedALayer |= isLayer(&op);
    if (!isa<func::ReturnOp>(op))
      replaced.push_back(&op);
  }
  // Unused float arguments still get their quantized type.
  for (BlockArgument arg : func.getArguments())
    if (isFloatTensor(arg.getType()) && failed(quantizeArgument(arg)))
      return failure();
  func.setFunctionType(builder.getFunctionType(
      func.getBody().front().getArgumentTypes(), func.getResultTypes()));
  if (!quantizedALayer)
    return func.emitOpError()
           << "has float ops but no layer with constant weights "
              "(conv2d, depthwise_conv2d or matmul) to quantize";

  // The float ops are dead now; erase them (users first), then the float
  // constants they read.
  for (Operation *op : llvm::reverse(replaced)) {
    if (!op->use_empty())
      return op->emitOpError() << "still has users after quantization";
    op->erase();
  }
  for (Operation &op : llvm::make_early_inc_range(
           llvm::reverse(func.getBody().front())))
    if (op.use_empty() && isMemoryEffectFree(&op) && hasFloatTensors(&op))
      op.erase();
  return success();
}

namespace {
struct QLPQuantizePass : qlp::impl::QLPQuantizeBase<QLPQuantizePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (weightBits != 1 && weightBits != 2 && weightBits != 4 &&
        weightBits != 8) {
      module.emitError() << "qlp-quantize: weight-bits must be 1, 2, 4 or 8, "
                            "got "
                         << weightBits;
      return signalPassFailure();
    }
    if (actBits != 1 && actBits != 2 && actBits != 4 && actBits != 8) {
      module.emitError() << "qlp-quantize: act-bits must be 1, 2, 4 or 8, got "
                         << actBits;
      return signalPassFailure();
    }
    FailureOr<CalibrationTable> table = CalibrationTable::load(
        calibration, [&] { return module.emitError(); });
    if (failed(table))
      return signalPassFailure();
    for (auto func : module.getOps<func::FuncOp>()) {
      FunctionQuantizer quantizer(func, *table, weightBits, actBits);
      if (failed(quantizer.run()))
        return signalPassFailure();
    }
  }
};
} // namespace
