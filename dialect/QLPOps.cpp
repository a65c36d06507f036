//===- QLPOps.cpp - quant-lp op verifiers -----------------------*- C++ -*-===//
//
// Verifiers of the qlp ops. ODS checks element types; this file checks what
// ODS cannot express: shapes, value ranges of attributes, and the bound that
// proves an i32 accumulator cannot overflow.
//
//===----------------------------------------------------------------------===//

#include "dialect/QLPOps.h"
#include "runtime/qlp_runtime.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <limits>
#include <string>

using namespace mlir;
using namespace mlir::qlp;

#define GET_OP_CLASSES
#include "dialect/QLPOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

unsigned mlir::qlp::getPackedBitWidth(Type elementType) {
  if (isa<BinaryType>(elementType))
    return 1;
  if (auto intType = dyn_cast<IntegerType>(elementType))
    return intType.getWidth();
  return 0;
}

static unsigned getElementWidth(Type shapedType) {
  return getElementTypeOrSelf(shapedType).getIntOrFloatBitWidth();
}

static int64_t getSignedMin(unsigned width) {
  return -(int64_t(1) << (width - 1));
}

static int64_t getSignedMax(unsigned width) {
  return (int64_t(1) << (width - 1)) - 1;
}

/// A dimension size as messages show it: the number, or "?" when dynamic
/// (the raw sentinel would print as -9223372036854775808).
static std::string formatDim(int64_t size) {
  return ShapedType::isDynamic(size) ? "?" : std::to_string(size);
}

/// `values` as "[a, b, ...]".
static std::string formatList(ArrayRef<int64_t> values) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(values, os);
  os << "]";
  return text;
}

/// Checks that `value` (an attribute named `name`) is a value of the signed
/// `width`-bit integer type.
static LogicalResult verifyFits(Operation *op, StringRef name, int64_t value,
                                unsigned width) {
  if (value >= getSignedMin(width) && value <= getSignedMax(width))
    return success();
  return op->emitOpError() << name << " " << value << " does not fit in i"
                           << width << " (range [" << getSignedMin(width)
                           << ", " << getSignedMax(width) << "])";
}

/// Checks optional clamp bounds against the result's element width. The
/// bounds are named `minName` and `maxName` in messages, as the op's
/// attributes are.
static LogicalResult verifyClampBounds(Operation *op,
                                       std::optional<int64_t> clampMin,
                                       std::optional<int64_t> clampMax,
                                       unsigned width,
                                       StringRef minName = "clamp_min",
                                       StringRef maxName = "clamp_max") {
  if (clampMin.has_value() != clampMax.has_value())
    return op->emitOpError()
           << "expects " << minName << " and " << maxName
           << " together, got only " << (clampMin ? minName : maxName);
  if (!clampMin)
    return success();
  if (failed(verifyFits(op, minName, *clampMin, width)) ||
      failed(verifyFits(op, maxName, *clampMax, width)))
    return failure();
  if (*clampMin > *clampMax)
    return op->emitOpError()
           << "expects " << minName << " <= " << maxName << ", got ["
           << *clampMin << ", " << *clampMax << "]";
  return success();
}

/// Largest |v - zp| over the values v of the signed `width`-bit type.
static int64_t getMaxAbsDiff(unsigned width, int64_t zp) {
  return std::max(zp - getSignedMin(width), getSignedMax(width) - zp);
}

namespace {
/// One factor of the products an i32 accumulator sums: its name in messages
/// (e.g. "|lhs - lhs_zp|") and the largest magnitude it can take.
struct AccumulationFactor {
  StringRef name;
  int64_t bound;
};
} // namespace

/// Proves that a sum of `count` products of `factors`, each factor bounded in
/// magnitude by its `bound`, fits in i32; otherwise shows the product of the
/// bounds that exceeds it. `countName` names the number of terms ("K").
static LogicalResult verifyAccumulation(Operation *op, StringRef countName,
                                        int64_t count,
                                        ArrayRef<AccumulationFactor> factors,
                                        int64_t biasBound = 0) {
  // count < 2^63 and at most two bounds, each at most 2^16 - 1 (an i16
  // average-pool input with the extreme zero point), so the product stays
  // below 2^95 and __int128 holds it exactly; the bias adds at most 2^31.
  __int128 worst = count;
  for (const AccumulationFactor &factor : factors)
    worst *= factor.bound;
  worst += biasBound;
  if (worst <= std::numeric_limits<int32_t>::max())
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << "i32 accumulation can overflow: " << countName
                            << " (" << count << ")";
  for (const AccumulationFactor &factor : factors)
    diag << " * max" << factor.name << " (" << factor.bound << ")";
  if (biasBound != 0)
    diag << " + max|bias| (" << biasBound << ")";
  // raw_ostream has no __int128 overload; print it through a 128-bit APInt.
  uint64_t words[2] = {static_cast<uint64_t>(worst),
                       static_cast<uint64_t>(worst >> 64)};
  SmallString<40> text;
  llvm::APInt(128, words).toString(text, /*Radix=*/10, /*Signed=*/true);
  diag << " = " << text << " exceeds 2147483647";
  return diag;
}

/// Checks that an optional `bias` has one value per output channel
/// (`channels`, the result's last dimension) and returns max|bias| in
/// `bound` (0 without a bias).
static LogicalResult verifyBias(Operation *op, std::optional<DenseIntElementsAttr> bias,
                                int64_t channels, int64_t &bound) {
  bound = 0;
  if (!bias)
    return success();
  auto type = cast<ShapedType>(bias->getType());
  if (type.getRank() != 1 ||
      (!ShapedType::isDynamic(channels) && type.getDimSize(0) != channels))
    return op->emitOpError("expects bias of shape [")
           << channels << "] (one value per output channel), got "
           << type;
  for (const APInt &value : bias->getValues<APInt>())
    bound = std::max(bound, std::abs(value.getSExtValue()));
  return success();
}

static bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Shared shape rules of qlp.matmul and qlp.binary_matmul. Sets `k` to the
/// static reduction size.
static LogicalResult verifyMatmulShapes(Operation *op, RankedTensorType lhs,
                                        RankedTensorType rhs,
                                        RankedTensorType result, int64_t &k) {
  int64_t rank = lhs.getRank();
  if (rank != 2 && rank != 3)
    return op->emitOpError() << "expects rank-2 or rank-3 (batched) operands, "
                                "got lhs of rank "
                             << rank;
  if (rhs.getRank() != rank || result.getRank() != rank)
    return op->emitOpError()
           << "expects lhs, rhs and result of equal rank, got " << rank << ", "
           << rhs.getRank() << " and " << result.getRank();
  int64_t b = rank - 2;
  k = lhs.getDimSize(b + 1);
  if (ShapedType::isDynamic(k))
    return op->emitOpError("expects a static reduction dimension (K) so that "
                           "the i32 accumulation can be bounded");
  if (!dimsCompatible(k, rhs.getDimSize(b)))
    return op->emitOpError()
           << "expects the reduction dimensions to match, got lhs K = " << k
           << " and rhs K = " << rhs.getDimSize(b);
  if (rank == 3 && (!dimsCompatible(lhs.getDimSize(0), rhs.getDimSize(0)) ||
                    !dimsCompatible(lhs.getDimSize(0), result.getDimSize(0)) ||
                    !dimsCompatible(rhs.getDimSize(0), result.getDimSize(0))))
    return op->emitOpError() << "expects equal batch sizes, got lhs "
                             << formatDim(lhs.getDimSize(0)) << ", rhs "
                             << formatDim(rhs.getDimSize(0)) << " and result "
                             << formatDim(result.getDimSize(0));
  if (!dimsCompatible(lhs.getDimSize(b), result.getDimSize(b)) ||
      !dimsCompatible(rhs.getDimSize(b + 1), result.getDimSize(b + 1)))
    return op->emitOpError()
           << "expects result shape [M, N] = [" << formatDim(lhs.getDimSize(b))
           << ", " << formatDim(rhs.getDimSize(b + 1)) << "], got ["
           << formatDim(result.getDimSize(b)) << ", "
           << formatDim(result.getDimSize(b + 1)) << "]";
  return success();
}

/// Checks strides/dilations (2 entries, >= 1) and padding (4 entries, >= 0).
static LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> dilations,
                                       ArrayRef<int64_t> padding) {
  if (strides.size() != 2 ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }))
    return op->emitOpError() << "expects strides to be 2 values >= 1, got "
                             << formatList(strides);
  if (dilations.size() != 2 ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return op->emitOpError() << "expects dilations to be 2 values >= 1, got "
                             << formatList(dilations);
  if (padding.size() != 4 ||
      llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return op->emitOpError() << "expects padding to be 4 values >= 0 ([top, "
                                "bottom, left, right]), got "
                             << formatList(padding);
  return success();
}

/// Checks one spatial output dimension. `name` is "height" or "width".
static LogicalResult verifySpatialDim(Operation *op, StringRef name, int64_t in,
                                      int64_t padBefore, int64_t padAfter,
                                      int64_t kernel, int64_t stride,
                                      int64_t dilation, int64_t out) {
  if (ShapedType::isDynamic(in))
    return success();
  // All operands are attributes or static sizes the user wrote, each up to
  // 2^63 - 1: compute in checked arithmetic rather than wrap (which is
  // undefined behaviour and could accept an impossible shape).
  std::optional<int64_t> padded = llvm::checkedAdd(in, padBefore);
  if (padded)
    padded = llvm::checkedAdd(*padded, padAfter);
  if (!padded)
    return op->emitOpError()
           << "expects the padded input " << name << " (" << in << " + "
           << padBefore << " + " << padAfter << ") to fit in 64 bits";
  // kernel >= 1 and dilation >= 1 are verified, so kernel - 1 cannot wrap.
  std::optional<int64_t> effective =
      llvm::checkedMulAdd(dilation, kernel - 1, int64_t(1));
  if (!effective)
    return op->emitOpError() << "expects the dilated kernel " << name << " ("
                             << dilation << " * (" << kernel << " - 1) + 1"
                             << ") to fit in 64 bits";
  if (*effective > *padded)
    return op->emitOpError()
           << "expects the " << (dilation == 1 ? "" : "dilated ") << "kernel "
           << name << " (" << *effective << ") to fit the padded input " << name
           << " (" << *padded << ")";
  int64_t expected = (*padded - *effective) / stride + 1;
  if (!ShapedType::isDynamic(out) && out != expected)
    return op->emitOpError()
           << "expects output " << name << " " << expected << ", got " << out;
  return success();
}

/// Shared shape rules of qlp.conv2d and qlp.binary_conv2d. Sets
/// `reductionSize` to KH * KW * C / groups.
static LogicalResult
verifyConvShapes(Operation *op, RankedTensorType input, RankedTensorType weight,
                 RankedTensorType result, WeightLayout layout,
                 ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                 ArrayRef<int64_t> padding, int64_t groups,
                 int64_t &reductionSize) {
  if (input.getRank() != 4 || weight.getRank() != 4 || result.getRank() != 4)
    return op->emitOpError()
           << "expects rank-4 input (NHWC), weight and result, got ranks "
           << input.getRank() << ", " << weight.getRank() << " and "
           << result.getRank();
  if (!weight.hasStaticShape())
    return op->emitOpError("expects a static weight shape so that the i32 "
                           "accumulation can be bounded");
  if (failed(verifyWindowAttrs(op, strides, dilations, padding)))
    return failure();
  if (groups < 1)
    return op->emitOpError() << "expects groups >= 1, got " << groups;

  ArrayRef<int64_t> w = weight.getShape();
  int64_t kh = 0, kw = 0, cPerGroup = 0, f = 0;
  switch (layout) {
  case WeightLayout::HWCF:
    kh = w[0], kw = w[1], cPerGroup = w[2], f = w[3];
    break;
  case WeightLayout::FHWC:
    f = w[0], kh = w[1], kw = w[2], cPerGroup = w[3];
    break;
  }
  if (kh < 1 || kw < 1 || cPerGroup < 1 || f < 1)
    return op->emitOpError() << "expects a non-empty weight, got " << weight;
  int64_t c = input.getDimSize(3);
  // groups is an attribute and may be absurdly large: a product that does not
  // fit in 64 bits is not equal to any channel count.
  std::optional<int64_t> channels = llvm::checkedMul(cPerGroup, groups);
  if (!ShapedType::isDynamic(c) && (!channels || c != *channels))
    return op->emitOpError()
           << "expects input channels (" << c << ") to equal groups (" << groups
           << ") times the weight's channels per group (" << cPerGroup << ")";
  if (f % groups != 0)
    return op->emitOpError()
           << "expects output channels (" << f
           << ") to be a multiple of groups (" << groups << ")";
  if (!dimsCompatible(input.getDimSize(0), result.getDimSize(0)))
    return op->emitOpError()
           << "expects equal batch sizes for input and result, got "
           << formatDim(input.getDimSize(0)) << " and "
           << formatDim(result.getDimSize(0));
  if (!dimsCompatible(f, result.getDimSize(3)))
    return op->emitOpError()
           << "expects " << f << " result channels (the weight's F), got "
           << result.getDimSize(3);
  if (failed(verifySpatialDim(op, "height", input.getDimSize(1), padding[0],
                              padding[1], kh, strides[0], dilations[0],
                              result.getDimSize(1))) ||
      failed(verifySpatialDim(op, "width", input.getDimSize(2), padding[2],
                              padding[3], kw, strides[1], dilations[1],
                              result.getDimSize(2))))
    return failure();
  std::optional<int64_t> size = llvm::checkedMul(kh, kw);
  if (size)
    size = llvm::checkedMul(*size, cPerGroup);
  if (!size)
    return op->emitOpError()
           << "expects the reduction size KH * KW * C/groups (" << kh << " * "
           << kw << " * " << cPerGroup << ") to fit in 64 bits";
  reductionSize = *size;
  return success();
}

/// Shared shape rules of the pooling ops.
static LogicalResult verifyPoolShapes(Operation *op, RankedTensorType input,
                                      RankedTensorType result,
                                      ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> padding) {
  if (input.getRank() != 4 || result.getRank() != 4)
    return op->emitOpError()
           << "expects rank-4 (NHWC) input and result, got ranks "
           << input.getRank() << " and " << result.getRank();
  if (input.getElementType() != result.getElementType())
    return op->emitOpError()
           << "expects the result element type to equal "
              "the input's ("
           << input.getElementType() << "), got " << result.getElementType();
  if (kernel.size() != 2 ||
      llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
    return op->emitOpError()
           << "expects kernel to be 2 values >= 1, got " << formatList(kernel);
  SmallVector<int64_t, 2> unitDilations = {1, 1};
  if (failed(verifyWindowAttrs(op, strides, unitDilations, padding)))
    return failure();
  // A padding as large as the kernel would make windows with no input
  // element, whose maximum or average is undefined.
  if (padding[0] >= kernel[0] || padding[1] >= kernel[0] ||
      padding[2] >= kernel[1] || padding[3] >= kernel[1])
    return op->emitOpError()
           << "expects each padding to be smaller than the kernel along its "
              "axis, got padding "
           << formatList(padding) << " for kernel " << formatList(kernel);
  if (!dimsCompatible(input.getDimSize(0), result.getDimSize(0)) ||
      !dimsCompatible(input.getDimSize(3), result.getDimSize(3)))
    return op->emitOpError()
           << "expects equal batch and channel sizes for input and result, "
              "got "
           << input << " and " << result;
  if (failed(verifySpatialDim(op, "height", input.getDimSize(1), padding[0],
                              padding[1], kernel[0], strides[0], 1,
                              result.getDimSize(1))) ||
      failed(verifySpatialDim(op, "width", input.getDimSize(2), padding[2],
                              padding[3], kernel[1], strides[1], 1,
                              result.getDimSize(2))))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// RescaleOp
//===----------------------------------------------------------------------===//

LogicalResult RescaleOp::verify() {
  unsigned inWidth = getElementWidth(getInput().getType());
  unsigned outWidth = getElementWidth(getOutput().getType());
  if (failed(verifyFits(*this, "input_zp", getInputZp(), inWidth)) ||
      failed(verifyFits(*this, "output_zp", getOutputZp(), outWidth)) ||
      failed(verifyClampBounds(*this, getClampMin(), getClampMax(), outWidth)))
    return failure();
  return getScale().verifyFor(getInput().getType(), "scale",
                              [&] { return emitOpError(); });
}

//===----------------------------------------------------------------------===//
// AddOp
//===----------------------------------------------------------------------===//

LogicalResult AddOp::verify() {
  unsigned outWidth = getElementWidth(getOutput().getType());
  if (failed(verifyFits(*this, "lhs_zp", getLhsZp(),
                        getElementWidth(getLhs().getType()))) ||
      failed(verifyFits(*this, "rhs_zp", getRhsZp(),
                        getElementWidth(getRhs().getType()))) ||
      failed(verifyFits(*this, "output_zp", getOutputZp(), outWidth)) ||
      failed(verifyClampBounds(*this, getClampMin(), getClampMax(), outWidth)))
    return failure();
  auto emit = [&] { return emitOpError(); };
  if (failed(getLhsScale().verifyFor(getLhs().getType(), "lhs_scale", emit)))
    return failure();
  return getRhsScale().verifyFor(getRhs().getType(), "rhs_scale", emit);
}

//===----------------------------------------------------------------------===//
// ClampOp
//===----------------------------------------------------------------------===//

LogicalResult ClampOp::verify() {
  return verifyClampBounds(*this, getMin(), getMax(),
                           getElementWidth(getInput().getType()), "min", "max");
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  auto lhsType = getLhs().getType(), rhsType = getRhs().getType();
  unsigned lhsWidth = getElementWidth(lhsType);
  unsigned rhsWidth = getElementWidth(rhsType);
  if (failed(verifyFits(*this, "lhs_zp", getLhsZp(), lhsWidth)) ||
      failed(verifyFits(*this, "rhs_zp", getRhsZp(), rhsWidth)))
    return failure();
  int64_t k;
  if (failed(verifyMatmulShapes(*this, lhsType, rhsType, getResult().getType(),
                                k)))
    return failure();
  int64_t biasBound;
  if (failed(verifyBias(*this, getBias(),
                        getResult().getType().getShape().back(), biasBound)))
    return failure();
  return verifyAccumulation(
      *this, "K", k,
      {{"|lhs - lhs_zp|", getMaxAbsDiff(lhsWidth, getLhsZp())},
       {"|rhs - rhs_zp|", getMaxAbsDiff(rhsWidth, getRhsZp())}},
      biasBound);
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  auto inputType = getInput().getType(), weightType = getWeight().getType();
  unsigned inWidth = getElementWidth(inputType);
  unsigned wWidth = getElementWidth(weightType);
  if (failed(verifyFits(*this, "input_zp", getInputZp(), inWidth)) ||
      failed(verifyFits(*this, "weight_zp", getWeightZp(), wWidth)))
    return failure();
  int64_t k;
  if (failed(verifyConvShapes(*this, inputType, weightType,
                              getResult().getType(), getLayout(), getStrides(),
                              getDilations(), getPadding(), getGroups(), k)))
    return failure();
  int64_t biasBound;
  if (failed(verifyBias(*this, getBias(),
                        getResult().getType().getShape().back(), biasBound)))
    return failure();
  return verifyAccumulation(
      *this, "KH * KW * C/groups", k,
      {{"|input - input_zp|", getMaxAbsDiff(inWidth, getInputZp())},
       {"|weight - weight_zp|", getMaxAbsDiff(wWidth, getWeightZp())}},
      biasBound);
}

//===----------------------------------------------------------------------===//
// BinarizeOp
//===----------------------------------------------------------------------===//

LogicalResult BinarizeOp::verify() {
  return verifyFits(*this, "threshold", getThreshold(),
                    getElementWidth(getInput().getType()));
}

//===----------------------------------------------------------------------===//
// BinaryMatmulOp
//===----------------------------------------------------------------------===//

LogicalResult BinaryMatmulOp::verify() {
  int64_t k;
  if (failed(verifyMatmulShapes(*this, getLhs().getType(), getRhs().getType(),
                                getResult().getType(), k)))
    return failure();
  return verifyAccumulation(*this, "K", k, {{"|lhs|", 1}, {"|rhs|", 1}});
}

//===----------------------------------------------------------------------===//
// BinaryConv2DOp
//===----------------------------------------------------------------------===//

LogicalResult BinaryConv2DOp::verify() {
  if (getPadValue() != 1 && getPadValue() != -1)
    return emitOpError() << "expects pad_value to be 1 or -1, got "
                         << getPadValue();
  int64_t k;
  if (failed(verifyConvShapes(*this, getInput().getType(),
                              getWeight().getType(), getResult().getType(),
                              getLayout(), getStrides(), getDilations(),
                              getPadding(), getGroups(), k)))
    return failure();
  return verifyAccumulation(*this, "KH * KW * C/groups", k,
                            {{"|input|", 1}, {"|weight|", 1}});
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPool2DOp::verify() {
  return verifyPoolShapes(*this, getInput().getType(), getResult().getType(),
                          getKernel(), getStrides(), getPadding());
}

LogicalResult AvgPool2DOp::verify() {
  unsigned width = getElementWidth(getInput().getType());
  if (failed(verifyFits(*this, "input_zp", getInputZp(), width)) ||
      failed(verifyFits(*this, "output_zp", getOutputZp(), width)) ||
      failed(verifyPoolShapes(*this, getInput().getType(),
                              getResult().getType(), getKernel(), getStrides(),
                              getPadding())))
    return failure();
  // The window sum is accumulated in i32, as in TOSA. With a dynamic input
  // size the kernel is unbounded, so its area may not fit in 64 bits.
  ArrayRef<int64_t> kernel = getKernel();
  std::optional<int64_t> area = llvm::checkedMul(kernel[0], kernel[1]);
  if (!area)
    return emitOpError() << "expects the window size KH * KW (" << kernel[0]
                         << " * " << kernel[1] << ") to fit in 64 bits";
  return verifyAccumulation(
      *this, "KH * KW", *area,
      {{"|input - input_zp|", getMaxAbsDiff(width, getInputZp())}});
}

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp
//===----------------------------------------------------------------------===//

/// Shared rules of pack and unpack: `values` is the unpacked type and
/// `words` the packed one.
static LogicalResult verifyPacking(Operation *op, RankedTensorType values,
                                   RankedTensorType words, int64_t axis) {
  if (values.getRank() != words.getRank())
    return op->emitOpError()
           << "expects packed and unpacked tensors of equal rank, got rank "
           << values.getRank() << " for the values and " << words.getRank()
           << " for the words";
  if (axis < 0 || axis >= values.getRank())
    return op->emitOpError()
           << "expects axis in [0, " << values.getRank() << "), got " << axis;
  Type valueType = values.getElementType();
  unsigned bits = getPackedBitWidth(valueType);
  unsigned wordBits = getElementWidth(words);
  // The storage contract: sub-byte integers in bytes, binary in 32- or
  // 64-bit words (the width popcount instructions read).
  bool binary = isa<BinaryType>(valueType);
  if (binary ? wordBits == 8 : wordBits != 8)
    return op->emitOpError()
           << "expects " << valueType << " values to be stored in "
           << (binary ? "i32 or i64" : "i8") << " words, got i" << wordBits;
  for (int64_t d = 0; d < values.getRank(); ++d) {
    if (d == axis)
      continue;
    if (!dimsCompatible(values.getDimSize(d), words.getDimSize(d)))
      return op->emitOpError()
             << "expects equal sizes outside the packed axis, got "
             << values.getDimSize(d) << " for the values and "
             << words.getDimSize(d) << " for the words along dimension " << d;
  }
  int64_t n = values.getDimSize(axis);
  if (ShapedType::isDynamic(n) || words.isDynamicDim(axis))
    return op->emitOpError("expects a static size along the packed axis");
  // n * bits can exceed 2^63 for an absurd static size; the runtime's helper
  // (the single definition of the layout) computes the count without it.
  int64_t expected = qlp_rt_packed_length(n, bits, wordBits);
  if (words.getDimSize(axis) != expected)
    return op->emitOpError()
           << "expects " << expected << " words along axis " << axis << " for "
           << n << " values of " << bits << (bits == 1 ? " bit" : " bits")
           << ", got " << words.getDimSize(axis);
  return success();
}

LogicalResult PackOp::verify() {
  return verifyPacking(*this, getInput().getType(), getOutput().getType(),
                       getAxis());
}

LogicalResult UnpackOp::verify() {
  return verifyPacking(*this, getOutput().getType(), getInput().getType(),
                       getAxis());
}
