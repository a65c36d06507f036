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
#include "lowering/LayerMatch.h"
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

//===----------------------------------------------------------------------===//
// Epilogue matching
//===----------------------------------------------------------------------===//

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

  // The activations (a binary tensor through its i1 storage view).
  Value inputBuffer;
  std::tie(input, inputBuffer) = activationBuffer(b, loc, input);

  // The output buffer, dynamic dimensions taken from the input's (only
  // those the two share can be dynamic: hasKernelOutputShape).
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
  if (!hasKernelOutputShape(epilogue, rank - 1))
    return;
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
  if (!hasKernelOutputShape(epilogue, 1))
    return;
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
