//===- GPULowering.cpp - qlp layers to tensor-core GPU kernels ------------===//
//
// qlp-lower-to-gpu: each layer with constant weights becomes a staging
// kernel and a GEMM kernel (GPUKernelBuilder.h) launched from the host
// program on tensors' buffers, in the same shape as qlp-lower-to-kernels'
// CPU calls (to_buffer, alloc, launch, to_tensor), so the rest of the GPU
// pipeline bufferizes and places it like any other op.
//
//===----------------------------------------------------------------------===//

#include "dialect/QLPOps.h"
#include "dialect/QLPTypes.h"
#include "lowering/GPULowering.h"

#include "lowering/GPUKernelBuilder.h"
#include "lowering/LayerMatch.h"
#include "lowering/Passes.h"
#include "lowering/ReferenceLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPLOWERTOGPU
#include "lowering/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;
using namespace mlir::qlp;

static constexpr StringLiteral kKernelModuleName = "qlp_kernels";

namespace {
/// The GPU generations the kernels distinguish.
struct ChipInfo {
  /// sm_80 and later: m16n8 mma shapes and cp.async.
  bool ampere;
  /// sm_90: no int4 tensor cores; 4-bit weights take the W4A8 path.
  bool hopper;
};

/// A layer in GEMM form: out[M][N] = epilogue(A[M][K] * W[K][N]).
struct GPULayer {
  Operation *op;
  Value input;
  bool conv = false;
  int64_t k = 0, n = 0;
  unsigned aBits = 8, bBits = 8;
  int64_t aZp = 0, bZp = 0;
  SmallVector<int8_t> weights; // [K][N]
  SmallVector<int32_t> bias;   // [N] or empty
  Epilogue epilogue;
  // Convolution geometry.
  int64_t kh = 0, kw = 0, c = 0, strideH = 1, strideW = 1, dilH = 1,
          dilW = 1, padTop = 0, padLeft = 0, padValue = 0;
};

class GPULayerLowering {
public:
  GPULayerLowering(ModuleOp module, ChipInfo chip)
      : module(module), symbols(module), chip(chip) {}

  void lower(GPULayer &layer);

private:
  gpu::GPUModuleOp kernelModule();
  /// A private constant memref.global of i32 `values` with `shape` in the
  /// kernel module (a name clash gets a suffix).
  memref::GlobalOp deviceConstant(Location loc, StringRef name,
                                  ArrayRef<int32_t> values,
                                  ArrayRef<int64_t> shape);
  /// `base`, or `base` with a suffix if the kernel module has that symbol.
  std::string uniqueName(StringRef base);

  ModuleOp module;
  SymbolTable symbols;
  ChipInfo chip;
  gpu::GPUModuleOp kernels;
  std::optional<SymbolTable> kernelSymbols;
  int layerCount = 0;
};
} // namespace

gpu::GPUModuleOp GPULayerLowering::kernelModule() {
  if (kernels)
    return kernels;
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(module.getContext()));
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  kernels = gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName);
  symbols.insert(kernels);
  kernelSymbols.emplace(kernels);
  return kernels;
}

std::string GPULayerLowering::uniqueName(StringRef base) {
  kernelModule();
  std::string name = base.str();
  for (int i = 0; kernelSymbols->lookup(name); ++i)
    name = (base + "_" + Twine(i)).str();
  return name;
}

memref::GlobalOp GPULayerLowering::deviceConstant(Location loc,
                                                  StringRef name,
                                                  ArrayRef<int32_t> values,
                                                  ArrayRef<int64_t> shape) {
  MLIRContext *ctx = module.getContext();
  Type i32 = IntegerType::get(ctx, 32);
  auto type = MemRefType::get(shape, i32);
  auto data = DenseElementsAttr::get(RankedTensorType::get(shape, i32),
                                     values);
  gpu::GPUModuleOp gpuModule = kernelModule();
  // Tables first in the module, in creation order.
  OpBuilder mb(gpuModule.getBodyRegion());
  Block *body = gpuModule.getBody();
  auto firstOther = llvm::find_if(
      *body, [](Operation &op) { return !isa<memref::GlobalOp>(op); });
  mb.setInsertionPoint(body, firstOther);
  auto global = memref::GlobalOp::create(
      mb, loc, name, mb.getStringAttr("private"), type, data,
      /*constant=*/true, mb.getI64IntegerAttr(16));
  kernelSymbols->insert(global);
  return global;
}

/// Replaces the arguments of `kernel` at the given indices by reads of the
/// constant globals of its module: the kernel then reads its tables from
/// device memory loaded once with the module, and the launches no longer
/// pass (and the host no longer copies) them.
static void bindConstantArguments(
    gpu::GPUFuncOp kernel,
    ArrayRef<std::pair<unsigned, memref::GlobalOp>> tables) {
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.front());
  llvm::BitVector erase(kernel.getNumArguments());
  for (auto [index, global] : tables) {
    BlockArgument arg = kernel.getArgument(index);
    assert(arg.getType() == global.getType() && "table type mismatch");
    Value read = memref::GetGlobalOp::create(b, kernel.getLoc(),
                                             global.getType(),
                                             global.getSymName());
    arg.replaceAllUsesWith(read);
    erase.set(index);
  }
  // Kernel arguments carry no attributes that could make this fail.
  (void)kernel.eraseArguments(erase);
}

void GPULayerLowering::lower(GPULayer &layer) {
  const Epilogue &epilogue = layer.epilogue;
  Operation *last = epilogue.last;
  Location loc = layer.op->getLoc();
  int index = layerCount++;

  // The tensor-core path of this layer on this chip.
  GPUOperands operands;
  if (layer.aBits == 1)
    operands = GPUOperands::Binary;
  else if (layer.aBits <= 4 && layer.bBits <= 4 && !chip.hopper)
    operands = GPUOperands::S4S4;
  else if (layer.bBits <= 4)
    operands = GPUOperands::S8W4;
  else
    operands = GPUOperands::S8S8;

  auto inputType = cast<RankedTensorType>(layer.input.getType());
  auto resultType = cast<RankedTensorType>(last->getResult(0).getType());
  int64_t staticRows = 1;
  for (int64_t d : resultType.getShape().drop_back())
    staticRows = ShapedType::isDynamic(d) || ShapedType::isDynamic(staticRows)
                     ? ShapedType::kDynamic
                     : staticRows * d;

  GPUGemmSpec spec;
  spec.name = uniqueName(("qlp_gemm_" + Twine(index)).str());
  spec.operands = operands;
  spec.ampere = chip.ampere;
  spec.k = layer.k;
  spec.n = layer.n;
  if (operands == GPUOperands::Binary) {
    spec.blockM = spec.blockN = 16;
    spec.warpsM = 1;
    spec.warpsN = 8;
    spec.stages = 1;
  } else if (!ShapedType::isDynamic(staticRows) && staticRows <= 64) {
    // Few rows (GEMV-like): narrow blocks, so that a layer of N columns
    // spreads over N / 32 thread blocks, and a deeper cp.async pipeline to
    // keep the weight stream busy.
    spec.blockM = 16;
    spec.blockN = 32;
    spec.warpsM = 1;
    spec.warpsN = 2;
    spec.stages = chip.ampere ? 4 : 1;
  } else {
    spec.blockM = 128;
    spec.blockN = 128;
    spec.warpsM = 2;
    spec.warpsN = 4;
    spec.stages = chip.ampere ? 2 : 1;
  }
  spec.useRowSums = operands != GPUOperands::Binary && layer.bZp != 0;
  spec.rowCoefficient = static_cast<int32_t>(-layer.bZp);
  spec.hasRescale = epilogue.hasRescale;
  spec.outType = resultType.getElementType();
  if (epilogue.hasRescale) {
    spec.rounding = static_cast<RoundingMode>(epilogue.rounding);
    spec.inputZp = epilogue.inputZp;
    spec.outputZp = epilogue.outputZp;
    spec.clampMin = epilogue.clampMin;
    spec.clampMax = epilogue.clampMax;
    spec.perChannel = epilogue.multipliers.size() > 1;
    spec.multiplier = epilogue.multipliers.front();
    spec.shift = epilogue.shifts.front();
  }

  // Per-column constants: bias and the zero-point terms that do not depend
  // on the row, wrapped to i32 (the kernel's i32 sum of all terms is the
  // exact accumulator, which the verifier proved fits).
  SmallVector<int32_t> colTerms(spec.paddedN(), 0);
  for (int64_t col = 0; col < layer.n; ++col) {
    int64_t term = layer.bias.empty() ? 0 : layer.bias[col];
    if (operands == GPUOperands::Binary) {
      term += layer.k;
    } else {
      int64_t colSum = 0;
      for (int64_t kk = 0; kk < layer.k; ++kk)
        colSum += layer.weights[kk * layer.n + col];
      term += -layer.aZp * colSum + layer.k * layer.aZp * layer.bZp;
    }
    colTerms[col] = static_cast<int32_t>(static_cast<uint32_t>(term));
  }

  GPUStageSpec stage;
  stage.name = uniqueName(("qlp_stage_" + Twine(index)).str());
  stage.operands = operands;
  stage.k = layer.k;
  stage.wordsPerRow = spec.aWordsPerRow();
  stage.rowSums = spec.useRowSums;
  stage.padValue = layer.padValue;
  if (layer.conv) {
    stage.conv = true;
    stage.inH = inputType.getDimSize(1);
    stage.inW = inputType.getDimSize(2);
    stage.inC = inputType.getDimSize(3);
    stage.kh = layer.kh;
    stage.kw = layer.kw;
    stage.outH = resultType.getDimSize(1);
    stage.outW = resultType.getDimSize(2);
    stage.strideH = layer.strideH;
    stage.strideW = layer.strideW;
    stage.dilH = layer.dilH;
    stage.dilW = layer.dilW;
    stage.padTop = layer.padTop;
    stage.padLeft = layer.padLeft;
  }

  OpBuilder b(last);
  auto [input, inputBuffer] = activationBuffer(b, loc, layer.input);
  auto inputMemRefType = cast<MemRefType>(inputBuffer.getType());

  gpu::GPUModuleOp gpuModule = kernelModule();
  gpu::GPUFuncOp stageFn =
      buildGPUStageKernel(b, gpuModule, stage, inputMemRefType);
  gpu::GPUFuncOp gemmFn = buildGPUGemmKernel(b, gpuModule, spec);
  kernelSymbols->insert(stageFn);
  kernelSymbols->insert(gemmFn);

  auto idx = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // Rows M, and M rounded up to whole blocks (the staged rows).
  Value rows;
  if (layer.conv)
    rows = arith::MulIOp::create(
        b, loc, tensor::DimOp::create(b, loc, input, 0),
        idx(resultType.getDimSize(1) * resultType.getDimSize(2)));
  else
    rows = tensor::DimOp::create(b, loc, input, inputType.getRank() - 2);
  Value blocksM = arith::CeilDivUIOp::create(b, loc, rows, idx(spec.blockM));
  Value paddedRows = arith::MulIOp::create(b, loc, blocksM, idx(spec.blockM));

  Type i32 = b.getI32Type();
  int64_t dyn = ShapedType::kDynamic;
  Value staged = memref::AllocOp::create(
      b, loc, MemRefType::get({dyn, spec.aWordsPerRow()}, i32),
      ValueRange{paddedRows}, b.getI64IntegerAttr(16));
  SmallVector<Value> stageArgs = {inputBuffer, staged};
  Value rowSums;
  if (spec.useRowSums) {
    rowSums = memref::AllocOp::create(b, loc, MemRefType::get({dyn}, i32),
                                      ValueRange{paddedRows},
                                      b.getI64IntegerAttr(16));
    stageArgs.push_back(rowSums);
  }
  Value one = idx(1);
  Value stageBlocks = arith::DivUIOp::create(
      b, loc, paddedRows, idx(GPUStageSpec::kRowsPerBlock));
  gpu::LaunchFuncOp::create(
      b, loc, stageFn, gpu::KernelDim3{stageBlocks, one, one},
      gpu::KernelDim3{idx(GPUStageSpec::kRowsPerBlock * 32), one, one},
      /*dynamicSharedMemorySize=*/Value(), stageArgs);

  // Constants: packed weights, per-column terms, per-channel scales. They
  // are globals of the kernel module, which the driver loads into device
  // memory once with the module: a call copies no weights.
  std::string prefix = ("__qlp_gpu_" + Twine(index)).str();
  SmallVector<int32_t> packed = packGPUWeights(spec, layer.weights);
  // Argument indices of buildGPUGemmKernel's signature.
  SmallVector<std::pair<unsigned, memref::GlobalOp>> tables = {
      {1, deviceConstant(loc, prefix + "_weights", packed,
                         {spec.paddedN(), spec.bWordsPerRow()})},
      {2, deviceConstant(loc, prefix + "_columns", colTerms,
                         {spec.paddedN()})}};
  SmallVector<Value> gemmArgs = {staged};
  unsigned nextArgument = 3;
  if (spec.useRowSums) {
    gemmArgs.push_back(rowSums);
    ++nextArgument;
  }
  if (spec.hasRescale && spec.perChannel) {
    tables.push_back({nextArgument++,
                      deviceConstant(loc, prefix + "_multipliers",
                                     epilogue.multipliers, {spec.n})});
    tables.push_back({nextArgument++,
                      deviceConstant(loc, prefix + "_shifts", epilogue.shifts,
                                     {spec.n})});
  }
  bindConstantArguments(gemmFn, tables);

  // The result, and its [M][N] view for the kernel.
  SmallVector<Value> dynamicSizes;
  for (int64_t d = 0, e = resultType.getRank(); d < e; ++d)
    if (resultType.isDynamicDim(d))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, input, d));
  auto resultMemRefType =
      MemRefType::get(resultType.getShape(), resultType.getElementType());
  Value output = memref::AllocOp::create(b, loc, resultMemRefType,
                                         dynamicSizes, b.getI64IntegerAttr(16));
  Value output2d = output;
  if (resultType.getRank() != 2) {
    SmallVector<ReassociationIndices> groups(2);
    for (int64_t d = 0, e = resultType.getRank(); d + 1 < e; ++d)
      groups[0].push_back(d);
    groups[1].push_back(resultType.getRank() - 1);
    output2d = memref::CollapseShapeOp::create(b, loc, output, groups);
  }
  // The kernel takes any number of rows.
  auto kernelOutType =
      MemRefType::get({dyn, spec.n}, resultType.getElementType());
  if (cast<MemRefType>(output2d.getType()) != kernelOutType)
    output2d = memref::CastOp::create(b, loc, kernelOutType, output2d);
  gemmArgs.push_back(output2d);

  Value gridN = idx(spec.paddedN() / spec.blockN);
  gpu::KernelDim3 block =
      operands == GPUOperands::Binary
          ? gpu::KernelDim3{idx(spec.blockN), idx(spec.blockM), one}
          : gpu::KernelDim3{idx(spec.threads()), one, one};
  gpu::LaunchFuncOp::create(b, loc, gemmFn, gpu::KernelDim3{gridN, blocksM, one},
                            block, /*dynamicSharedMemorySize=*/Value(),
                            gemmArgs);

  Value result = bufferization::ToTensorOp::create(
      b, loc, resultType, output, /*restrict=*/true, /*writable=*/true);
  last->getResult(0).replaceAllUsesWith(result);
  for (Operation *op : llvm::reverse(epilogue.fused))
    op->erase();
  if (Operation *biasConstant = epilogue.biasConstant)
    if (biasConstant->use_empty() && isPure(biasConstant))
      biasConstant->erase();
}

//===----------------------------------------------------------------------===//
// Matching
//===----------------------------------------------------------------------===//

template <typename MatmulLike>
static std::optional<GPULayer> matchMatmul(MatmulLike op, int64_t aZp,
                                           int64_t bZp,
                                           std::optional<DenseIntElementsAttr>
                                               biasAttr) {
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  int64_t rank = lhsType.getRank();
  if (rank == 3 && (lhsType.getDimSize(0) != 1 || rhsType.getDimSize(0) != 1))
    return std::nullopt;
  if (!rhsType.hasStaticShape() || lhsType.isDynamicDim(rank - 1))
    return std::nullopt;
  std::optional<SmallVector<int8_t>> weights = constantWeights(op.getRhs());
  if (!weights)
    return std::nullopt;
  GPULayer layer;
  layer.op = op;
  layer.input = op.getLhs();
  layer.k = rhsType.getDimSize(rank - 2);
  layer.n = rhsType.getDimSize(rank - 1);
  layer.aBits = elementBits(lhsType.getElementType());
  layer.bBits = elementBits(rhsType.getElementType());
  layer.aZp = aZp;
  layer.bZp = bZp;
  layer.weights = std::move(*weights);
  const bool binary = std::is_same_v<MatmulLike, BinaryMatmulOp>;
  layer.epilogue = matchEpilogue(
      op, binary ? std::optional<int64_t>(layer.k) : std::nullopt);
  if (!hasKernelOutputShape(layer.epilogue, rank - 1))
    return std::nullopt;
  layer.bias = binary ? layer.epilogue.bias : biasValues(biasAttr);
  return layer;
}

template <typename ConvLike>
static std::optional<GPULayer>
matchConv(ConvLike op, int64_t aZp, int64_t bZp,
          std::optional<DenseIntElementsAttr> biasAttr, int64_t padValue) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  if (op.getGroups() != 1 || !isStaticOrBatch(inType) ||
      !wType.hasStaticShape())
    return std::nullopt;
  std::optional<SmallVector<int8_t>> weights = constantWeights(op.getWeight());
  if (!weights)
    return std::nullopt;
  ArrayRef<int64_t> ws = wType.getShape();
  bool fhwc = op.getLayout() == WeightLayout::FHWC;
  GPULayer layer;
  layer.op = op;
  layer.input = op.getInput();
  layer.conv = true;
  layer.kh = fhwc ? ws[1] : ws[0];
  layer.kw = fhwc ? ws[2] : ws[1];
  layer.c = fhwc ? ws[3] : ws[2];
  layer.n = fhwc ? ws[0] : ws[3];
  layer.k = layer.kh * layer.kw * layer.c;
  layer.weights = fhwc ? fhwcToHwcf(*weights, layer.n, layer.k)
                       : std::move(*weights);
  layer.aBits = elementBits(inType.getElementType());
  layer.bBits = elementBits(wType.getElementType());
  layer.aZp = aZp;
  layer.bZp = bZp;
  layer.strideH = op.getStrides()[0];
  layer.strideW = op.getStrides()[1];
  layer.dilH = op.getDilations()[0];
  layer.dilW = op.getDilations()[1];
  layer.padTop = op.getPadding()[0];
  layer.padLeft = op.getPadding()[2];
  layer.padValue = padValue;
  const bool binary = std::is_same_v<ConvLike, BinaryConv2DOp>;
  layer.epilogue = matchEpilogue(
      op, binary ? std::optional<int64_t>(layer.k) : std::nullopt);
  if (!hasKernelOutputShape(layer.epilogue, 1))
    return std::nullopt;
  layer.bias = binary ? layer.epilogue.bias : biasValues(biasAttr);
  return layer;
}

//===----------------------------------------------------------------------===//
// Launch memory effects
//===----------------------------------------------------------------------===//

namespace {
/// gpu.launch_func declares no memory effects, and ownership-based buffer
/// deallocation rejects an op with memref operands and unknown effects. The
/// launches qlp-lower-to-gpu creates before bufferization (synchronous, no
/// async tokens) read and write memory through their memref kernel operands
/// (a kernel's own globals live in its gpu.module, out of the host's reach),
/// so this model declares a read and a write of each, plus a write of the
/// default resource: a launch is never dead, whatever its operands (after
/// gpu-to-llvm they are pointers, and an op whose effects are all absent
/// would be erased by the canonicalizer). Nothing is allocated or freed.
struct LaunchFuncMemoryEffects
    : public MemoryEffectOpInterface::ExternalModel<LaunchFuncMemoryEffects,
                                                    gpu::LaunchFuncOp> {
  void
  getEffects(Operation *op,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    auto launch = cast<gpu::LaunchFuncOp>(op);
    effects.emplace_back(MemoryEffects::Write::get(),
                         SideEffects::DefaultResource::get());
    OperandRange kernelOperands = launch.getKernelOperands();
    if (kernelOperands.empty())
      return;
    unsigned begin = kernelOperands.getBeginOperandIndex();
    for (OpOperand &operand :
         op->getOpOperands().slice(begin, kernelOperands.size())) {
      if (!isa<BaseMemRefType>(operand.get().getType()))
        continue;
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    }
  }
};

} // namespace

void mlir::qlp::registerGPULaunchMemoryEffects(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, gpu::GPUDialect *) {
    // Both pipelines' passes register the model; attach it once.
    if (!RegisteredOperationName::lookup(
             gpu::LaunchFuncOp::getOperationName(), ctx)
             ->hasInterface<MemoryEffectOpInterface>())
      gpu::LaunchFuncOp::attachInterface<LaunchFuncMemoryEffects>(*ctx);
  });
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {
struct QLPLowerToGPUPass
    : public qlp::impl::QLPLowerToGPUBase<QLPLowerToGPUPass> {
  using QLPLowerToGPUBase::QLPLowerToGPUBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    QLPLowerToGPUBase::getDependentDialects(registry);
    registerGPULaunchMemoryEffects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<ChipInfo> info =
        llvm::StringSwitch<std::optional<ChipInfo>>(chip)
            .Case("sm_75", ChipInfo{false, false})
            .Cases({"sm_80", "sm_86", "sm_89"}, ChipInfo{true, false})
            .Case("sm_90", ChipInfo{true, true})
            .Default(std::nullopt);
    if (!info) {
      module.emitError() << "qlp-lower-to-gpu: unknown chip '" << chip
                         << "'; expected sm_75, sm_80, sm_86, sm_89 or sm_90";
      return signalPassFailure();
    }
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<MatmulOp, Conv2DOp, BinaryMatmulOp, BinaryConv2DOp>(op))
        ops.push_back(op);
    });
    GPULayerLowering lowering(module, *info);
    for (Operation *op : ops) {
      std::optional<GPULayer> layer;
      if (auto matmul = dyn_cast<MatmulOp>(op))
        layer = matchMatmul(matmul, matmul.getLhsZp(), matmul.getRhsZp(),
                            matmul.getBias());
      else if (auto binary = dyn_cast<BinaryMatmulOp>(op))
        layer = matchMatmul(binary, 0, 0, std::nullopt);
      else if (auto conv = dyn_cast<Conv2DOp>(op))
        layer = matchConv(conv, conv.getInputZp(), conv.getWeightZp(),
                          conv.getBias(), conv.getInputZp());
      else if (auto binaryConv = dyn_cast<BinaryConv2DOp>(op))
        // The staged bit of a padding position: 1 encodes -1.
        layer = matchConv(binaryConv, 0, 0, std::nullopt,
                          binaryConv.getPadValue() < 0 ? 1 : 0);
      if (!layer)
        continue;
      Operation *weightOp = layer->op->getOperand(1).getDefiningOp();
      lowering.lower(*layer);
      eraseIfDead(weightOp);
    }
  }
};
} // namespace
