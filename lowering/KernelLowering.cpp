//===- KernelLowering.cpp - qlp layers to runtime kernel calls --*- C++ -*-===//
//
// The `qlp-lower-to-kernels` pass: each qlp.matmul, qlp.conv2d,
// qlp.binary_matmul and qlp.binary_conv2d whose weights are constants, with
// the qlp.rescale and qlp.clamp that consume it (and, for a binary layer,
// the i32 tosa.add of its per-channel bias before them), becomes one call
// into qlp_runtime's kernels (runtime/qlp_kernels.h). The weights, bias and
// epilogue constants are packed at compile time, by the runtime's own plan
// builder, into a `memref.global` constant (the "plan"); the call passes the
// plan, the activations and a fresh output buffer. Everything else stays qlp
// for the reference lowering, which is also the oracle the kernels are
// tested against.
//
// The call is built on tensors so that it composes with the rest of the
// tensor-level pipeline: `bufferization.to_buffer` (read-only) of the
// activations, `memref.alloc` of the output, the call on the buffers'
// addresses, and `bufferization.to_tensor restrict writable` of the output.
// Buffers are passed as addresses (plus the memref's offset), which is the
// runtime's C ABI; ownership-based deallocation frees buffers at the end of
// their block, after the call.
//
//===----------------------------------------------------------------------===//

#include "lowering/KernelLowering.h"

#include "dialect/QLPOps.h"
#include "dialect/QLPTypes.h"
#include "lowering/Passes.h"
#include "lowering/ReferenceLowering.h"
#include "runtime/qlp_kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPLOWERTOKERNELS
#include "lowering/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;
using namespace mlir::qlp;

static constexpr StringLiteral kGemmFn = "qlp_rt_gemm";
static constexpr StringLiteral kConvFn = "qlp_rt_conv2d";

//===----------------------------------------------------------------------===//
// Compile-time operands
//===----------------------------------------------------------------------===//

/// Storage width of an element type as the kernels see it: 1 for
/// !qlp.binary, else the integer width.
static unsigned elementBits(Type type) {
  if (isa<BinaryType>(type))
    return 1;
  return type.getIntOrFloatBitWidth();
}

/// The values of a constant weight tensor, row-major, one int8_t each (binary
/// weights as -1 / +1): an `arith.constant` of i8/i4/i2 values, or a
/// `qlp.unpack` of a constant word tensor (how packed int4 and binary
/// weights appear in qlp programs). Returns nullopt for anything else.
static std::optional<SmallVector<int8_t>> constantWeights(Value value) {
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
static SmallVector<int8_t> fhwcToHwcf(ArrayRef<int8_t> w, int64_t f,
                                      int64_t khwc) {
  SmallVector<int8_t> out(w.size());
  for (int64_t i = 0; i < f; ++i)
    for (int64_t j = 0; j < khwc; ++j)
      out[j * f + i] = w[i * khwc + j];
  return out;
}

//===----------------------------------------------------------------------===//
// Epilogue matching
//===----------------------------------------------------------------------===//

namespace {
/// The epilogue fused into one kernel call: the ops it replaces and the
/// constants of qlp_rt_gemm_desc.
struct Epilogue {
  /// The op whose result the call produces (the layer, its rescale or the
  /// clamp after it) and the ops to erase, last first.
  Operation *last;
  SmallVector<Operation *> fused;
  bool hasRescale = false;
  int32_t rounding = 0, inputZp = 0, outputZp = 0;
  int32_t clampMin = 0, clampMax = 0, outBytes = 4, outBits = 32;
  SmallVector<int32_t> multipliers, shifts;
  /// A binary layer's per-channel bias, taken from a fused tosa.add (one
  /// value per output column), or empty.
  SmallVector<int32_t> bias;
  /// The op that defined that bias constant, erased with the fused ops if
  /// nothing else uses it.
  Operation *biasConstant = nullptr;
};
} // namespace

static int64_t signedMin(unsigned bits) { return -(int64_t(1) << (bits - 1)); }
static int64_t signedMax(unsigned bits) {
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
static Value matchBinaryBias(Value acc, int64_t k, Epilogue &epilogue) {
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
static Epilogue matchEpilogue(Operation *layer,
                              std::optional<int64_t> binaryK = std::nullopt) {
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

/// Fills the epilogue and layer fields of a GEMM descriptor. The vectors
/// must outlive the descriptor's use.
static void fillDesc(qlp_rt_gemm_desc &desc, const Epilogue &epilogue,
                     int64_t k, int64_t n, unsigned aBits, unsigned bBits,
                     int64_t aZp, int64_t bZp, ArrayRef<int8_t> weights,
                     ArrayRef<int32_t> bias) {
  std::memset(&desc, 0, sizeof(desc));
  desc.k = k;
  desc.n = n;
  desc.a_bits = aBits;
  desc.b_bits = bBits;
  desc.a_zp = aZp;
  desc.b_zp = bZp;
  desc.b = weights.data();
  desc.bias = bias.empty() ? nullptr : bias.data();
  desc.has_rescale = epilogue.hasRescale;
  desc.out_bytes = epilogue.outBytes;
  desc.out_bits = epilogue.outBits;
  if (!epilogue.hasRescale)
    return;
  desc.rounding = epilogue.rounding;
  desc.rescale_input_zp = epilogue.inputZp;
  desc.output_zp = epilogue.outputZp;
  desc.clamp_min = epilogue.clampMin;
  desc.clamp_max = epilogue.clampMax;
  desc.num_scales = epilogue.multipliers.size();
  desc.multipliers = epilogue.multipliers.data();
  desc.shifts = epilogue.shifts.data();
}

static SmallVector<int32_t> biasValues(std::optional<DenseIntElementsAttr> bias) {
  SmallVector<int32_t> values;
  if (bias)
    for (const APInt &v : bias->getValues<APInt>())
      values.push_back(static_cast<int32_t>(v.getSExtValue()));
  return values;
}

//===----------------------------------------------------------------------===//
// IR construction
//===----------------------------------------------------------------------===//

namespace {
class KernelCallBuilder {
public:
  KernelCallBuilder(ModuleOp module) : module(module), symbols(module) {}

  /// Replaces the layer and its fused epilogue with a kernel call. `plan` is
  /// the plan blob; `input` the activations; `isConv` selects the entry.
  /// For a GEMM, the activation rows are dimension `rowsDim` of `input`.
  void emit(const Epilogue &epilogue, ArrayRef<uint8_t> plan, Value input,
            bool isConv, int64_t k, int64_t rowsDim);

private:
  /// `func.func private @name(...)` with the runtime's C signature.
  void declare(StringRef name, bool isConv);
  /// The address of a buffer's first element, as !llvm.ptr.
  Value address(OpBuilder &b, Location loc, Value memref, unsigned eltBytes);

  ModuleOp module;
  SymbolTable symbols;
  int planCount = 0;
};
} // namespace

void KernelCallBuilder::declare(StringRef name, bool isConv) {
  if (symbols.lookup(name))
    return;
  MLIRContext *ctx = module.getContext();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64);
  Type i32 = IntegerType::get(ctx, 32);
  // qlp_rt_gemm(plan, a, m, lda, c, ldc); qlp_rt_conv2d(plan, in, batch, out)
  SmallVector<Type> inputs =
      isConv ? SmallVector<Type>{ptr, ptr, i64, ptr}
             : SmallVector<Type>{ptr, ptr, i64, i64, ptr, i64};
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToStart(module.getBody());
  auto fn = func::FuncOp::create(b, module.getLoc(), name,
                                 FunctionType::get(ctx, inputs, {i32}));
  fn.setPrivate();
  symbols.insert(fn);
}

Value KernelCallBuilder::address(OpBuilder &b, Location loc, Value memref,
                                 unsigned eltBytes) {
  Value base =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value offset = metadata.getOffset();
  Value bytes = arith::ConstantIndexOp::create(b, loc, eltBytes);
  Value at = arith::AddIOp::create(
      b, loc, base, arith::MulIOp::create(b, loc, offset, bytes));
  Value asInt =
      arith::IndexCastOp::create(b, loc, b.getI64Type(), at);
  return LLVM::IntToPtrOp::create(b, loc,
                                  LLVM::LLVMPointerType::get(b.getContext()),
                                  asInt);
}

void KernelCallBuilder::emit(const Epilogue &epilogue, ArrayRef<uint8_t> plan,
                             Value input, bool isConv, int64_t k,
                             int64_t rowsDim) {
  MLIRContext *ctx = module.getContext();
  Operation *last = epilogue.last;
  Location loc = epilogue.fused.front()->getLoc();
  StringRef fnName = isConv ? kConvFn : kGemmFn;
  declare(fnName, isConv);

  // The plan, a 64-byte aligned constant global.
  auto planType =
      MemRefType::get({static_cast<int64_t>(plan.size())}, IntegerType::get(ctx, 8));
  auto planTensorType = RankedTensorType::get(planType.getShape(),
                                              planType.getElementType());
  auto planData = DenseElementsAttr::getFromRawBuffer(
      planTensorType,
      ArrayRef<char>(reinterpret_cast<const char *>(plan.data()), plan.size()));
  OpBuilder mb(module.getBodyRegion());
  mb.setInsertionPointToStart(module.getBody());
  auto global = memref::GlobalOp::create(
      mb, loc, ("__qlp_kernel_plan_" + Twine(planCount++)).str(),
      mb.getStringAttr("private"), planType, planData, /*constant=*/true,
      mb.getI64IntegerAttr(QLP_RT_PLAN_ALIGNMENT));
  symbols.insert(global);

  OpBuilder b(last);
  Value planRef =
      memref::GetGlobalOp::create(b, loc, planType, global.getSymName());

  // The activations. A binary tensor is read through its storage type, i1
  // (one byte per element in memory, bit 0 the value's encoding); the
  // reference lowering turns the producer into i1 later and the
  // unrealized casts between the two fold away.
  auto inputType = cast<RankedTensorType>(input.getType());
  if (isa<BinaryType>(inputType.getElementType())) {
    inputType = inputType.clone(IntegerType::get(ctx, 1));
    auto cast = UnrealizedConversionCastOp::create(b, loc, inputType, input);
    cast->setAttr(kStorageViewAttrName, b.getUnitAttr());
    input = cast.getResult(0);
  }
  auto inputMemRefType =
      MemRefType::get(inputType.getShape(), inputType.getElementType());
  Value inputBuffer = bufferization::ToBufferOp::create(
      b, loc, inputMemRefType, input, /*read_only=*/true);

  // The output buffer, dynamic dimensions taken from the input's.
  auto resultType = cast<RankedTensorType>(last->getResult(0).getType());
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0, e = resultType.getRank(); d < e; ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, d));
  auto resultMemRefType =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  Value output = memref::AllocOp::create(b, loc, resultMemRefType,
                                         dynamicSizes,
                                         b.getI64IntegerAttr(64));

  Value planPtr = address(b, loc, planRef, 1);
  Value inputPtr = address(b, loc, inputBuffer, 1);
  Value outputPtr = address(b, loc, output, epilogue.outBytes);
  Value rows = arith::IndexCastOp::create(
      b, loc, b.getI64Type(), tensor::DimOp::create(b, loc, input, rowsDim));
  SmallVector<Value> args;
  if (isConv) {
    args = {planPtr, inputPtr, rows, outputPtr};
  } else {
    int64_t n = resultType.getShape().back();
    auto i64c = [&](int64_t v) {
      return arith::ConstantIntOp::create(b, loc, v, 64).getResult();
    };
    args = {planPtr, inputPtr, rows, i64c(k), outputPtr, i64c(n)};
  }
  auto call = func::CallOp::create(b, loc, fnName, b.getI32Type(), args);
  Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
  Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   call.getResult(0), zero);
  cf::AssertOp::create(b, loc, ok,
                       (Twine(fnName) + " rejected its arguments").str());
  Value result = bufferization::ToTensorOp::create(
      b, loc, resultType, output, /*restrict=*/true, /*writable=*/true);

  last->getResult(0).replaceAllUsesWith(result);
  for (Operation *op : llvm::reverse(epilogue.fused))
    op->erase();
  // The bias constant of a fused tosa.add now lives in the plan.
  if (Operation *constant = epilogue.biasConstant)
    if (constant->use_empty() && isPure(constant))
      constant->erase();
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// Builds a plan with `size`/`init`; returns false (emitting a remark) when
/// the runtime rejects the descriptor, in which case the layer keeps the
/// reference lowering.
template <typename Desc, typename SizeFn, typename InitFn>
static bool buildPlan(Operation *layer, const Desc &desc, SizeFn sizeFn,
                      InitFn initFn, SmallVectorImpl<uint8_t> &plan) {
  int64_t size = 0;
  if (sizeFn(&desc, &size) != QLP_RT_OK) {
    emitRemark(layer->getLoc(),
               "qlp-lower-to-kernels: no kernel takes this layer; it keeps "
               "the reference lowering");
    return false;
  }
  // A heap block with the plan's alignment; the bytes are then copied into
  // the global's attribute.
  void *block = std::aligned_alloc(QLP_RT_PLAN_ALIGNMENT,
                                   (size + QLP_RT_PLAN_ALIGNMENT - 1) /
                                       QLP_RT_PLAN_ALIGNMENT *
                                       QLP_RT_PLAN_ALIGNMENT);
  if (!block)
    return false;
  bool ok = initFn(&desc, block, size) == QLP_RT_OK;
  if (ok)
    plan.assign(static_cast<uint8_t *>(block),
                static_cast<uint8_t *>(block) + size);
  std::free(block);
  if (!ok)
    emitRemark(layer->getLoc(),
               "qlp-lower-to-kernels: the runtime rejected this layer's "
               "weights; it keeps the reference lowering");
  return ok;
}

/// Erases the op that produced a layer's weights once the plan holds them:
/// a qlp.unpack would otherwise reach the reference lowering with no user.
static void eraseIfDead(Operation *op) {
  if (op && op->use_empty() && isPure(op))
    op->erase();
}

static bool isStaticOrBatch(RankedTensorType type) {
  for (int64_t d = 1, e = type.getRank(); d < e; ++d)
    if (type.isDynamicDim(d))
      return false;
  return true;
}

template <typename MatmulLike>
static void lowerMatmul(MatmulLike op, KernelCallBuilder &builder,
                        int64_t aZp, int64_t bZp,
                        std::optional<DenseIntElementsAttr> biasAttr) {
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  // Rank 2, or rank 3 with a batch of one (TOSA's matmul), whose memory
  // layout is the same [M][K].
  int64_t rank = lhsType.getRank();
  if (rank == 3 && (lhsType.getDimSize(0) != 1 || rhsType.getDimSize(0) != 1))
    return;
  if (!rhsType.hasStaticShape() || lhsType.isDynamicDim(rank - 1))
    return;
  std::optional<SmallVector<int8_t>> weights = constantWeights(op.getRhs());
  if (!weights)
    return;
  int64_t k = rhsType.getDimSize(rank - 2), n = rhsType.getDimSize(rank - 1);
  const bool binary = std::is_same_v<MatmulLike, BinaryMatmulOp>;
  Epilogue epilogue =
      matchEpilogue(op, binary ? std::optional<int64_t>(k) : std::nullopt);
  SmallVector<int32_t> bias =
      binary ? epilogue.bias : biasValues(biasAttr);
  qlp_rt_gemm_desc desc;
  fillDesc(desc, epilogue, k, n, elementBits(lhsType.getElementType()),
           elementBits(rhsType.getElementType()), aZp, bZp, *weights, bias);
  SmallVector<uint8_t> plan;
  if (!buildPlan(op, desc, qlp_rt_gemm_plan_size, qlp_rt_gemm_plan_init, plan))
    return;
  Operation *weightOp = op.getRhs().getDefiningOp();
  builder.emit(epilogue, plan, op.getLhs(), /*isConv=*/false, k, rank - 2);
  eraseIfDead(weightOp);
}

template <typename ConvLike>
static void lowerConv(ConvLike op, KernelCallBuilder &builder, int64_t aZp,
                      int64_t bZp, std::optional<DenseIntElementsAttr> biasAttr,
                      int32_t padValue) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  if (op.getGroups() != 1 || !isStaticOrBatch(inType) ||
      !wType.hasStaticShape())
    return;
  std::optional<SmallVector<int8_t>> weights = constantWeights(op.getWeight());
  if (!weights)
    return;
  ArrayRef<int64_t> ws = wType.getShape();
  bool fhwc = op.getLayout() == WeightLayout::FHWC;
  int64_t kh = fhwc ? ws[1] : ws[0], kw = fhwc ? ws[2] : ws[1];
  int64_t c = fhwc ? ws[3] : ws[2], f = fhwc ? ws[0] : ws[3];
  if (fhwc)
    *weights = fhwcToHwcf(*weights, f, kh * kw * c);
  const bool binary = std::is_same_v<ConvLike, BinaryConv2DOp>;
  Epilogue epilogue = matchEpilogue(
      op, binary ? std::optional<int64_t>(kh * kw * c) : std::nullopt);
  SmallVector<int32_t> bias =
      binary ? epilogue.bias : biasValues(biasAttr);
  qlp_rt_conv2d_desc desc;
  std::memset(&desc, 0, sizeof(desc));
  fillDesc(desc.gemm, epilogue, kh * kw * c, f,
           elementBits(inType.getElementType()),
           elementBits(wType.getElementType()), aZp, bZp, *weights, bias);
  desc.in_h = inType.getDimSize(1);
  desc.in_w = inType.getDimSize(2);
  desc.in_c = inType.getDimSize(3);
  desc.kh = kh;
  desc.kw = kw;
  desc.stride_h = op.getStrides()[0];
  desc.stride_w = op.getStrides()[1];
  desc.dil_h = op.getDilations()[0];
  desc.dil_w = op.getDilations()[1];
  for (int i = 0; i < 4; ++i)
    desc.pad[i] = op.getPadding()[i];
  desc.pad_value = padValue;
  SmallVector<uint8_t> plan;
  if (!buildPlan(op, desc, qlp_rt_conv2d_plan_size, qlp_rt_conv2d_plan_init,
                 plan))
    return;
  Operation *weightOp = op.getWeight().getDefiningOp();
  builder.emit(epilogue, plan, op.getInput(), /*isConv=*/true, 0, 0);
  eraseIfDead(weightOp);
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

void mlir::qlp::lowerToKernels(ModuleOp module) {
  KernelCallBuilder builder(module);
  SmallVector<Operation *> layers;
  module.walk([&](Operation *op) {
    if (isa<MatmulOp, Conv2DOp, BinaryMatmulOp, BinaryConv2DOp>(op))
      layers.push_back(op);
  });
  for (Operation *op : layers) {
    if (auto matmul = dyn_cast<MatmulOp>(op))
      lowerMatmul(matmul, builder, matmul.getLhsZp(), matmul.getRhsZp(),
                  matmul.getBias());
    else if (auto binary = dyn_cast<BinaryMatmulOp>(op))
      lowerMatmul(binary, builder, 0, 0, std::nullopt);
    else if (auto conv = dyn_cast<Conv2DOp>(op))
      lowerConv(conv, builder, conv.getInputZp(), conv.getWeightZp(),
                conv.getBias(), conv.getInputZp());
    else if (auto binaryConv = dyn_cast<BinaryConv2DOp>(op))
      lowerConv(binaryConv, builder, 0, 0, std::nullopt,
                binaryConv.getPadValue());
  }
}

namespace {
struct QLPLowerToKernelsPass
    : public qlp::impl::QLPLowerToKernelsBase<QLPLowerToKernelsPass> {
  void runOnOperation() override { lowerToKernels(getOperation()); }
};
} // namespace
