//===- LayerMatch.cpp - Layers and epilogues a kernel can take ------------===//

#include "lowering/LayerMatch.h"

#include "dialect/QLPOps.h"
#include "dialect/QLPTypes.h"
#include "lowering/ReferenceLowering.h"
#include "runtime/qlp_kernels.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <cstdlib>
#include <cstring>

using namespace mlir;

namespace mlir::qlp {

/// Storage width of an element type as the kernels see it: 1 for
/// !qlp.binary, else the integer width.
unsigned elementBits(Type type) {
  if (isa<BinaryType>(type))
    return 1;
  return type.getIntOrFloatBitWidth();
}

/// The values of a constant weight tensor, row-major, one int8_t each (binary
/// weights as -1 / +1): an `arith.constant` of i8/i4/i2 values, or a
/// `qlp.unpack` of a constant word tensor (how packed int4 and binary
/// weights appear in qlp programs). Returns nullopt for anything else.
std::optional<SmallVector<int8_t>> constantWeights(Value value) {
  DenseIntElementsAttr dense;
  if (matchPattern(value, m_Constant(&dense))) {
    SmallVector<int8_t> values;
    values.reserve(dense.getNumElements());
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(static_cast<int8_t>(v.getSExtValue()));
    return values;
  }
  auto unpack = value.getDefiningOp<UnpackOp>();
  if (!unpack || !matchPattern(unpack.getInput(), m_Constant(&dense)))
    return std::nullopt;
  auto wordType = cast<RankedTensorType>(unpack.getInput().getType());
  auto resultType = cast<RankedTensorType>(unpack.getType());
  if (!wordType.hasStaticShape() || !resultType.hasStaticShape())
    return std::nullopt;
  unsigned wordBits = wordType.getElementTypeBitWidth();
  // The words as native-endian uintN_t, the layout qlp_rt_unpack_s8 reads.
  SmallVector<uint8_t> words;
  words.reserve(dense.getNumElements() * wordBits / 8);
  for (const APInt &v : dense.getValues<APInt>()) {
    uint64_t word = v.getZExtValue();
    uint8_t bytes[8];
    std::memcpy(bytes, &word, sizeof(word)); // little-endian host
    words.append(bytes, bytes + wordBits / 8);
  }
  int64_t axis = unpack.getAxis();
  ArrayRef<int64_t> shape = resultType.getShape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  SmallVector<int8_t> values(resultType.getNumElements());
  if (qlp_rt_unpack_s8(words.data(), outer, shape[axis], inner,
                       elementBits(resultType.getElementType()), wordBits,
                       values.data()) != QLP_RT_OK)
    return std::nullopt;
  return values;
}


/// Transposes an `fhwc` weight [F][KH][KW][C] into `hwcf` [KH][KW][C][F], the
/// [K][N] matrix of the GEMM view.
SmallVector<int8_t> fhwcToHwcf(ArrayRef<int8_t> w, int64_t f,
                                      int64_t khwc) {
  SmallVector<int8_t> out(w.size());
  for (int64_t i = 0; i < f; ++i)
    for (int64_t j = 0; j < khwc; ++j)
      out[j * f + i] = w[i * khwc + j];
  return out;
}



int64_t signedMin(unsigned bits) { return -(int64_t(1) << (bits - 1)); }
int64_t signedMax(unsigned bits) {
  return (int64_t(1) << (bits - 1)) - 1;
}

/// Matches the per-channel bias of a binary layer (whose ops have no bias
/// attribute): qlp-quantize applies it to the accumulator `acc` as an i32
/// `tosa.add` of a constant before the requantization. The add must be
/// acc's only user, take acc and a constant in either order, and produce
/// acc's type; the constant must be an i32 tensor with one value per output
/// channel (shape [1, ..., 1, N] or [N]) or a single value for all of them
/// (every dimension 1). On a match, records the bias and the add in
/// `epilogue` and returns the add's result; otherwise returns null.
///
/// The kernels add the bias to the exact binary accumulator K - 2 * popcount
/// in [-K, K], and the plan builder requires |bias| + K <= 2^31 - 1 so that
/// the sum is exact in int32 (runtime/qlp_kernels.h). A larger bias is left
/// to the reference lowering here instead of letting the plan builder reject
/// the whole layer: the layer still runs on the kernel, int32 out.
Value matchBinaryBias(Value acc, int64_t k, Epilogue &epilogue) {
  if (!acc.hasOneUse())
    return {};
  auto add = dyn_cast<tosa::AddOp>(*acc.getUsers().begin());
  if (!add || add.getType() != acc.getType())
    return {};
  Value other = add.getInput1() == acc ? add.getInput2() : add.getInput1();
  // acc + acc is not a bias.
  if (other == acc)
    return {};
  DenseIntElementsAttr dense;
  if (!matchPattern(other, m_Constant(&dense)))
    return {};
  auto accType = cast<RankedTensorType>(acc.getType());
  auto biasType = cast<RankedTensorType>(dense.getType());
  if (!accType.getElementType().isInteger(32) ||
      !biasType.getElementType().isInteger(32) ||
      accType.isDynamicDim(accType.getRank() - 1) ||
      biasType.getRank() > accType.getRank())
    return {};
  const int64_t n = accType.getShape().back();
  ArrayRef<int64_t> shape = biasType.getShape();
  for (int64_t d = 0, e = shape.size(); d + 1 < e; ++d)
    if (shape[d] != 1)
      return {};
  const int64_t count = dense.getNumElements();
  if (count != 1 && count != n)
    return {};
  SmallVector<int32_t> bias;
  bias.reserve(n);
  for (const APInt &v : dense.getValues<APInt>())
    bias.push_back(static_cast<int32_t>(v.getSExtValue()));
  if (count == 1)
    bias.assign(n, bias.front());
  for (int32_t b : bias)
    if (std::abs(int64_t(b)) + k > INT32_MAX)
      return {};
  epilogue.bias = std::move(bias);
  epilogue.biasConstant = other.getDefiningOp();
  epilogue.last = add;
  epilogue.fused.push_back(add);
  return add.getResult();
}

/// Matches `layer -> [tosa.add bias] -> [qlp.rescale -> [qlp.clamp]]`, each
/// the only user of the previous value. The bias add is matched only for a
/// binary layer, given as its reduction length `binaryK` (see
/// matchBinaryBias); the integer layers carry their bias as an attribute. A
/// rescale fuses when its scale is per tensor or per output channel (the
/// last dimension); a clamp fuses when its range meets the rescale's.
Epilogue matchEpilogue(Operation *layer,
                              std::optional<int64_t> binaryK) {
  Epilogue epilogue;
  epilogue.last = layer;
  epilogue.fused.push_back(layer);
  Value acc = layer->getResult(0);
  if (binaryK)
    if (Value sum = matchBinaryBias(acc, *binaryK, epilogue))
      acc = sum;
  if (!acc.hasOneUse())
    return epilogue;
  auto rescale = dyn_cast<RescaleOp>(*acc.getUsers().begin());
  if (!rescale)
    return epilogue;
  auto resultType = cast<RankedTensorType>(rescale.getType());
  int64_t rank = resultType.getRank();
  DyadicAttr scale = rescale.getScale();
  if (scale.isPerChannel() && *scale.getAxis() != rank - 1)
    return epilogue;
  unsigned bits = resultType.getElementTypeBitWidth();
  epilogue.hasRescale = true;
  epilogue.rounding = static_cast<int32_t>(rescale.getRounding());
  epilogue.inputZp = rescale.getInputZp();
  epilogue.outputZp = rescale.getOutputZp();
  epilogue.clampMin = rescale.getClampMin().value_or(signedMin(bits));
  epilogue.clampMax = rescale.getClampMax().value_or(signedMax(bits));
  epilogue.outBytes = bits <= 8 ? 1 : bits / 8;
  epilogue.outBits = bits;
  epilogue.multipliers.assign(scale.getMultipliers().begin(),
                              scale.getMultipliers().end());
  epilogue.shifts.assign(scale.getShifts().begin(), scale.getShifts().end());
  epilogue.last = rescale;
  epilogue.fused.push_back(rescale);

  Value scaled = rescale.getResult();
  if (!scaled.hasOneUse())
    return epilogue;
  auto clamp = dyn_cast<ClampOp>(*scaled.getUsers().begin());
  if (!clamp)
    return epilogue;
  int64_t lo = std::max<int64_t>(epilogue.clampMin, clamp.getMin());
  int64_t hi = std::min<int64_t>(epilogue.clampMax, clamp.getMax());
  // Disjoint ranges make the composition a constant; the canonicalizer's
  // clamp folding handles that case, the kernel does not.
  if (lo > hi)
    return epilogue;
  epilogue.clampMin = lo;
  epilogue.clampMax = hi;
  epilogue.last = clamp;
  epilogue.fused.push_back(clamp);
  return epilogue;
}


SmallVector<int32_t> biasValues(std::optional<DenseIntElementsAttr> bias) {
  SmallVector<int32_t> values;
  if (bias)
    for (const APInt &v : bias->getValues<APInt>())
      values.push_back(static_cast<int32_t>(v.getSExtValue()));
  return values;
}


/// Erases the op that produced a layer's weights once the plan holds them:
/// a qlp.unpack would otherwise reach the reference lowering with no user.
void eraseIfDead(Operation *op) {
  if (op && op->use_empty() && isPure(op))
    op->erase();
}

bool isStaticOrBatch(RankedTensorType type) {
  for (int64_t d = 1, e = type.getRank(); d < e; ++d)
    if (type.isDynamicDim(d))
      return false;
  return true;
}

bool hasKernelOutputShape(const Epilogue &epilogue, int64_t shared) {
  auto type = cast<RankedTensorType>(epilogue.last->getResult(0).getType());
  for (int64_t d = shared, e = type.getRank(); d < e; ++d)
    if (type.isDynamicDim(d))
      return false;
  return true;
}


} // namespace mlir::qlp

std::pair<Value, Value> mlir::qlp::activationBuffer(OpBuilder &b, Location loc,
                                                    Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  if (isa<BinaryType>(type.getElementType())) {
    type = type.clone(IntegerType::get(b.getContext(), 1));
    auto view = UnrealizedConversionCastOp::create(b, loc, type, input);
    view->setAttr(kStorageViewAttrName, b.getUnitAttr());
    input = view.getResult(0);
  }
  auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = bufferization::ToBufferOp::create(b, loc, bufferType, input,
                                                   /*read_only=*/true);
  return {input, buffer};
}
