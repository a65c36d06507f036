//===- GPUHostLowering.cpp - Kernels and device buffers -------------------===//
//
// Steps 5 and 6 of `--qlp-gpu-pipeline` (see /work/notes/gpu.md and
// Pipelines.h). After one-shot bufferization the program is a host function
// on memrefs: quant-lp's own tensor-core kernels are already gpu.launch_func
// ops (qlp-lower-to-gpu), and everything else is linalg on buffers. Here:
//
//  5a. qlp-gpu-map-loops: each remaining linalg op becomes scf.parallel
//      loops collapsed to one dimension, tiled by the block size, and mapped
//      to blocks (outer loop) and threads (inner loop); then upstream's
//      convert-parallel-loops-to-gpu turns them into gpu.launch and
//      gpu-kernel-outlining moves the bodies into gpu.module ops.
//  5b. qlp-gpu-place-buffers: every buffer a kernel uses is allocated in
//      device memory, copied in from the host and back at the function
//      boundary, and any host access left to a device buffer is an error.
//  6.  The GPU modules to NVVM, #nvvm.target, the host to the LLVM dialect
//      with the GPU runtime calls (gpu-to-llvm), and gpu-module-to-binary.
//
// The host/device boundary is explicit in the IR after 5b: the only host
// ops that touch a device buffer are gpu.alloc, gpu.dealloc, gpu.memcpy and
// gpu.launch_func, all synchronous until gpu-async-region threads them onto
// one stream per function in step 6.
//
//===----------------------------------------------------------------------===//

#include "lowering/GPUHostLowering.h"

#include "lowering/GPULowering.h"
#include "lowering/Passes.h"

#include "lowering/LLVMLowering.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUCommon/GPUToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/SCFToGPU/SCFToGPUPass.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPGPURECORDINPUTS
#define GEN_PASS_DEF_QLPGPUMAPLOOPS
#define GEN_PASS_DEF_QLPGPUPLACEBUFFERS
#include "lowering/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The functions of the host program: func.func ops directly in the module
/// (kernels live in gpu.module ops and are never func.func).
static SmallVector<func::FuncOp> getHostFunctions(ModuleOp module) {
  return llvm::to_vector(module.getOps<func::FuncOp>());
}

/// The buffer a memref value is a view of: follows view-like ops (subview,
/// cast, expand/collapse_shape, reinterpret_cast, the base buffer of
/// extract_strided_metadata, ...) to the allocation, global, argument or
/// other op that produced the memory.
static Value getBufferRoot(Value value) {
  while (auto result = dyn_cast<OpResult>(value)) {
    auto view = dyn_cast<ViewLikeOpInterface>(result.getOwner());
    if (!view || !isa<BaseMemRefType>(value.getType()))
      break;
    value = view.getViewSource();
  }
  return value;
}

/// The func.return ops of a function: where device buffers that belong to
/// the whole call are copied back and freed.
static SmallVector<func::ReturnOp> getReturns(func::FuncOp func) {
  SmallVector<func::ReturnOp> returns;
  for (Block &block : func.getBody())
    if (auto ret = dyn_cast<func::ReturnOp>(block.getTerminator()))
      returns.push_back(ret);
  return returns;
}

/// The dynamic sizes of `value` (a ranked memref), as gpu.alloc takes them.
static SmallVector<Value> getDynamicSizes(OpBuilder &builder, Location loc,
                                          Value value) {
  auto type = cast<MemRefType>(value.getType());
  SmallVector<Value> sizes;
  for (auto [dim, size] : llvm::enumerate(type.getShape()))
    if (ShapedType::isDynamic(size))
      sizes.push_back(memref::DimOp::create(builder, loc, value, dim));
  return sizes;
}

//===----------------------------------------------------------------------===//
// qlp-gpu-record-inputs
//===----------------------------------------------------------------------===//

/// qlp-gpu-record-inputs (Passes.td): `qlp.num_inputs` on public functions,
/// for qlp-gpu-place-buffers to tell inputs from out-params.
struct GPURecordInputsPass
    : public qlp::impl::QLPGPURecordInputsBase<GPURecordInputsPass> {
  // The GPU lowering's interfaces, among them the memory effects of
  // gpu.launch_func that the deallocation after this pass needs.
  void getDependentDialects(DialectRegistry &registry) const override {
    QLPGPURecordInputsBase::getDependentDialects(registry);
    qlp::registerGPULoweringInterfaces(registry);
  }

  void runOnOperation() override {
    Builder builder(&getContext());
    for (func::FuncOp func : getHostFunctions(getOperation()))
      if (!func.isExternal() && func.isPublic())
        func->setAttr(qlp::kNumInputsAttrName,
                      builder.getI64IntegerAttr(func.getNumArguments()));
  }
};

//===----------------------------------------------------------------------===//
// qlp-gpu-map-loops
//===----------------------------------------------------------------------===//

/// qlp-gpu-map-loops (Passes.td): host linalg ops to scf.parallel loops
/// collapsed to one dimension, tiled by the block size and mapped to blocks
/// and threads.
struct GPUMapLoopsPass
    : public qlp::impl::QLPGPUMapLoopsBase<GPUMapLoopsPass> {
  using QLPGPUMapLoopsBase::QLPGPUMapLoopsBase;

  void runOnOperation() override {
    if (blockSize == 0 || blockSize > 1024) {
      getOperation().emitError()
          << "qlp-gpu-map-loops: block-size must be in [1, 1024], got "
          << blockSize.getValue();
      return signalPassFailure();
    }
    for (func::FuncOp func : getHostFunctions(getOperation())) {
      if (failed(lowerLinalgOps(func)) || failed(mapParallelLoops(func)))
        return signalPassFailure();
    }
  }

  /// Whether `op` lowers to one scf.parallel (parallel dimensions first,
  /// then only reductions).
  static bool hasParallelPrefix(linalg::LinalgOp op) {
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    if (iterators.empty() || iterators.front() != utils::IteratorType::parallel)
      return false;
    auto firstReduction = llvm::find(iterators, utils::IteratorType::reduction);
    return std::all_of(firstReduction, iterators.end(),
                       [](utils::IteratorType type) {
                         return type == utils::IteratorType::reduction;
                       });
  }

  LogicalResult lowerLinalgOps(func::FuncOp func) {
    SmallVector<linalg::LinalgOp> ops;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      // Bodies of gpu.launch are already device code.
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        ops.push_back(linalgOp);
      return WalkResult::advance();
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureBufferSemantics())
        return op->emitOpError()
               << "must be bufferized before it is mapped to a GPU kernel";
      Location loc = op.getLoc();
      rewriter.setInsertionPoint(op);
      if (hasParallelPrefix(op)) {
        if (failed(linalg::linalgOpToParallelLoops(rewriter, op)))
          return op->emitOpError() << "cannot be lowered to parallel loops";
        rewriter.eraseOp(op);
        continue;
      }
      Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
      auto single = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                            ValueRange{one}, ValueRange{one});
      rewriter.moveOpBefore(op, single.getBody()->getTerminator());
      rewriter.setInsertionPoint(op);
      if (failed(linalg::linalgOpToLoops(rewriter, op)))
        return op->emitOpError() << "cannot be lowered to loops";
      rewriter.eraseOp(op);
    }
    return success();
  }

  /// The outermost scf.parallel ops of `func` that have no GPU mapping yet.
  static LogicalResult
  collectUnmapped(func::FuncOp func, SmallVectorImpl<scf::ParallelOp> &loops) {
    WalkResult result = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      auto loop = dyn_cast<scf::ParallelOp>(op);
      if (!loop)
        return WalkResult::advance();
      if (loop->hasAttr(gpu::getMappingAttrName()))
        return WalkResult::skip();
      if (!loop.getInitVals().empty()) {
        loop.emitOpError() << "with reductions cannot be mapped to a GPU "
                              "kernel by qlp-gpu-map-loops";
        return WalkResult::interrupt();
      }
      loops.push_back(loop);
      return WalkResult::skip();
    });
    return failure(result.wasInterrupted());
  }

  LogicalResult mapParallelLoops(func::FuncOp func) {
    IRRewriter rewriter(&getContext());
    SmallVector<scf::ParallelOp> loops;
    if (failed(collectUnmapped(func, loops)))
      return failure();
    for (scf::ParallelOp loop : loops) {
      // A launch with an empty grid is an error in CUDA: an empty loop is
      // removed, and a loop with dynamic bounds only launches when it has
      // iterations.
      bool isStatic = true, isEmpty = false;
      for (auto [lb, ub] :
           llvm::zip(loop.getLowerBound(), loop.getUpperBound())) {
        std::optional<int64_t> lower = getConstantIntValue(lb);
        std::optional<int64_t> upper = getConstantIntValue(ub);
        if (!lower || !upper)
          isStatic = false;
        else if (*upper <= *lower)
          isEmpty = true;
      }
      if (isEmpty) {
        rewriter.eraseOp(loop);
        continue;
      }
      if (!isStatic) {
        Location loc = loop.getLoc();
        rewriter.setInsertionPoint(loop);
        Value nonEmpty;
        for (auto [lb, ub] :
             llvm::zip(loop.getLowerBound(), loop.getUpperBound())) {
          Value dim = arith::CmpIOp::create(rewriter, loc,
                                            arith::CmpIPredicate::slt, lb, ub);
          nonEmpty = nonEmpty
                         ? arith::AndIOp::create(rewriter, loc, nonEmpty, dim)
                         : dim;
        }
        auto guard = scf::IfOp::create(rewriter, loc, nonEmpty,
                                       /*withElseRegion=*/false);
        rewriter.moveOpBefore(loop, guard.thenBlock()->getTerminator());
      }
      if (loop.getNumLoops() < 2)
        continue;
      std::vector<unsigned> all(loop.getNumLoops());
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {all});
    }
    loops.clear();
    if (failed(collectUnmapped(func, loops)))
      return failure();
    MLIRContext *ctx = &getContext();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(1, ctx);
    auto mapping = [&](gpu::Processor processor) {
      return gpu::ParallelLoopDimMappingAttr::get(ctx, processor, identity,
                                                  identity);
    };
    for (scf::ParallelOp loop : loops) {
      assert(loop.getNumLoops() == 1 && "collapsed above");
      auto [outer, inner] = scf::tileParallelLoop(
          loop, {static_cast<int64_t>(blockSize)}, /*noMinMaxBounds=*/true);
      if (failed(gpu::setMappingAttr(outer, mapping(gpu::Processor::BlockX))) ||
          failed(gpu::setMappingAttr(inner, mapping(gpu::Processor::ThreadX))))
        return outer.emitOpError() << "cannot be mapped to GPU blocks";
    }
    return success();
  }
};

//===----------------------------------------------------------------------===//
// qlp-gpu-place-buffers
//===----------------------------------------------------------------------===//

/// qlp-gpu-place-buffers (Passes.td): device placement of every buffer a
/// kernel uses, copies at the boundary, diagnostics for host accesses.
struct GPUPlaceBuffersPass
    : public qlp::impl::QLPGPUPlaceBuffersBase<GPUPlaceBuffersPass> {
  // Besides its own dialects, the pass declares the interfaces of the GPU
  // lowering that follows it in `--qlp-gpu-pipeline` (as the CPU lowering's
  // qlp-prepare-c-interface does for bufferization), so that the pipeline
  // works in any context, not only in tools that registered every upstream
  // extension.
  void getDependentDialects(DialectRegistry &registry) const override {
    QLPGPUPlaceBuffersBase::getDependentDialects(registry);
    qlp::registerGPULoweringInterfaces(registry);
  }

  /// Roots (see getBufferRoot) that live in device memory once placed.
  DenseSet<Value> deviceRoots;
  /// Public function arguments that got a device copy.
  DenseSet<Value> copiedArguments;

  void runOnOperation() override {
    deviceRoots.clear();
    copiedArguments.clear();
    ModuleOp module = getOperation();
    llvm::SetVector<Value> roots;
    if (failed(collectDeviceRoots(module, roots)) ||
        failed(placeRoots(module, roots)) || failed(rewriteDeallocs(module)) ||
        failed(rewriteCopies(module)) || failed(verifyHostAccesses(module)))
      return signalPassFailure();
    for (func::FuncOp func : getHostFunctions(module))
      func->removeAttr(qlp::kNumInputsAttrName);
  }

  /// The roots of every buffer a kernel uses, through views and calls.
  LogicalResult collectDeviceRoots(ModuleOp module,
                                   llvm::SetVector<Value> &roots) {
    SmallVector<std::pair<Value, Operation *>> worklist;
    auto require = [&](Value value, Operation *user) {
      Value root = getBufferRoot(value);
      if (roots.insert(root))
        worklist.push_back({root, user});
    };
    for (func::FuncOp func : getHostFunctions(module))
      func.walk([&](gpu::LaunchFuncOp launch) {
        for (Value operand : launch.getKernelOperands())
          if (isa<BaseMemRefType>(operand.getType()))
            require(operand, launch);
      });

    while (!worklist.empty()) {
      auto [root, user] = worklist.pop_back_val();
      if (auto arg = dyn_cast<BlockArgument>(root)) {
        auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
        if (!func || func->getParentOp() != module ||
            !arg.getOwner()->isEntryBlock()) {
          InFlightDiagnostic diag =
              user->emitOpError()
              << "uses a buffer that is a block argument of '"
              << arg.getOwner()->getParentOp()->getName()
              << "', which cannot be placed in GPU memory";
          return diag;
        }
        if (func.isPublic())
          continue;
        // A private function's buffer argument is a device buffer: every
        // caller must provide one.
        std::optional<SymbolTable::UseRange> uses =
            SymbolTable::getSymbolUses(func, module);
        if (!uses)
          return func.emitOpError()
                 << "has uses that cannot be enumerated, so its buffer "
                    "arguments cannot be placed in GPU memory";
        for (const SymbolTable::SymbolUse &use : *uses) {
          auto call = dyn_cast<func::CallOp>(use.getUser());
          if (!call)
            return use.getUser()->emitOpError()
                   << "refers to @" << func.getSymName()
                   << ", whose buffer argument #" << arg.getArgNumber()
                   << " a GPU kernel uses; only direct calls can pass it a "
                      "device buffer";
          require(call.getOperand(arg.getArgNumber()), call);
        }
        continue;
      }
      Operation *def = root.getDefiningOp();
      if (isa<memref::AllocOp, memref::GetGlobalOp, gpu::AllocOp>(def))
        continue;
      InFlightDiagnostic diag =
          def->emitOpError()
          << "produces a buffer that a GPU kernel uses, but it cannot be "
             "placed in GPU memory (only memref.alloc, memref.get_global of "
             "a constant and function arguments can)";
      diag.attachNote(user->getLoc()) << "used on the GPU here";
      return diag;
    }
    return success();
  }

  LogicalResult placeRoots(ModuleOp module, llvm::SetVector<Value> &roots) {
    OpBuilder builder(&getContext());
    // Device copies of globals, one per function and global.
    llvm::MapVector<std::pair<Operation *, StringAttr>, Value> globalCopies;

    for (Value root : roots) {
      if (auto arg = dyn_cast<BlockArgument>(root)) {
        auto func = cast<func::FuncOp>(arg.getOwner()->getParentOp());
        if (!func.isPublic()) {
          deviceRoots.insert(arg);
          continue;
        }
        if (failed(copyArgument(builder, func, arg)))
          return failure();
        continue;
      }
      Operation *def = root.getDefiningOp();
      if (auto alloc = dyn_cast<gpu::AllocOp>(def)) {
        deviceRoots.insert(alloc.getMemref());
        continue;
      }
      if (auto alloc = dyn_cast<memref::AllocOp>(def)) {
        MemRefType type = alloc.getType();
        if (!type.getLayout().isIdentity())
          return alloc.emitOpError()
                 << "allocates a buffer with a non-identity layout, which a "
                    "GPU kernel uses; gpu.alloc needs an identity layout";
        builder.setInsertionPoint(alloc);
        auto device = gpu::AllocOp::create(
            builder, alloc.getLoc(), type, /*asyncToken=*/Type(),
            /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
            alloc.getSymbolOperands(), /*hostShared=*/false);
        alloc.getMemref().replaceAllUsesWith(device.getMemref());
        alloc.erase();
        deviceRoots.insert(device.getMemref());
        continue;
      }
      auto get = cast<memref::GetGlobalOp>(def);
      auto func = get->getParentOfType<func::FuncOp>();
      auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
          get, get.getNameAttr());
      if (!global)
        return get.emitOpError() << "refers to an unknown global";
      if (!global.getConstant())
        return get.emitOpError()
               << "reads the mutable global @" << global.getSymName()
               << " in a GPU kernel; only constant globals are copied to the "
                  "GPU (writes to the copy would be lost)";
      Value &copy = globalCopies[{func, get.getNameAttr().getAttr()}];
      if (!copy) {
        Block &entry = func.getBody().front();
        builder.setInsertionPointToStart(&entry);
        Value host = memref::GetGlobalOp::create(builder, get.getLoc(),
                                                 get.getType(), get.getName());
        auto device = gpu::AllocOp::create(builder, get.getLoc(), get.getType(),
                                           Type(), ValueRange(), ValueRange(),
                                           ValueRange(), /*hostShared=*/false);
        gpu::MemcpyOp::create(builder, get.getLoc(), Type(), ValueRange(),
                              device.getMemref(), host);
        for (func::ReturnOp ret : getReturns(func)) {
          builder.setInsertionPoint(ret);
          gpu::DeallocOp::create(builder, ret.getLoc(), Type(), ValueRange(),
                                 device.getMemref());
        }
        copy = device.getMemref();
        deviceRoots.insert(copy);
      }
      // Host-side reads of the constant keep reading the host global.
      get.getResult().replaceUsesWithIf(copy, [](OpOperand &use) {
        return !isa<memref::LoadOp>(use.getOwner());
      });
      if (get.getResult().use_empty())
        get.erase();
    }
    return success();
  }

  /// Gives a public function's buffer argument a device copy.
  LogicalResult copyArgument(OpBuilder &builder, func::FuncOp func,
                             BlockArgument arg) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || !type.getLayout().isIdentity())
      return func.emitOpError()
             << "argument #" << arg.getArgNumber()
             << " is used by a GPU kernel but is not a memref with an "
                "identity layout, so it cannot be copied to the GPU";
    std::optional<unsigned> numInputs;
    if (auto attr = func->getAttrOfType<IntegerAttr>(qlp::kNumInputsAttrName))
      numInputs = attr.getInt();
    bool isInput = !numInputs || arg.getArgNumber() < *numInputs;
    bool isOutput = !numInputs || arg.getArgNumber() >= *numInputs;

    Location loc = arg.getLoc();
    builder.setInsertionPointToStart(&func.getBody().front());
    SmallVector<Value> sizes = getDynamicSizes(builder, loc, arg);
    auto device = gpu::AllocOp::create(builder, loc, type, Type(), ValueRange(),
                                       sizes, ValueRange(), false);
    // Everything but the size queries above reads the device copy.
    arg.replaceUsesWithIf(device.getMemref(), [&](OpOperand &use) {
      return !llvm::is_contained(sizes, use.getOwner()->getResult(0)) &&
             use.getOwner() != device;
    });
    if (isInput)
      gpu::MemcpyOp::create(builder, loc, Type(), ValueRange(),
                            device.getMemref(), arg);
    for (func::ReturnOp ret : getReturns(func)) {
      builder.setInsertionPoint(ret);
      if (isOutput)
        gpu::MemcpyOp::create(builder, ret.getLoc(), Type(), ValueRange(), arg,
                              device.getMemref());
      gpu::DeallocOp::create(builder, ret.getLoc(), Type(), ValueRange(),
                             device.getMemref());
    }
    deviceRoots.insert(device.getMemref());
    copiedArguments.insert(arg);
    return success();
  }

  bool isDevice(Value value) const {
    return isa<BaseMemRefType>(value.getType()) &&
           deviceRoots.contains(getBufferRoot(value));
  }

  LogicalResult rewriteDeallocs(ModuleOp module) {
    SmallVector<memref::DeallocOp> deallocs;
    for (func::FuncOp func : getHostFunctions(module))
      func.walk([&](memref::DeallocOp op) {
        if (isDevice(op.getMemref()))
          deallocs.push_back(op);
      });
    for (memref::DeallocOp op : deallocs) {
      OpBuilder builder(op);
      gpu::DeallocOp::create(builder, op.getLoc(), Type(), ValueRange(),
                             op.getMemref());
      op.erase();
    }
    return success();
  }

  LogicalResult rewriteCopies(ModuleOp module) {
    SmallVector<memref::CopyOp> copies;
    for (func::FuncOp func : getHostFunctions(module))
      func.walk([&](memref::CopyOp op) {
        if (isDevice(op.getSource()) || isDevice(op.getTarget()))
          copies.push_back(op);
      });
    for (memref::CopyOp op : copies) {
      auto source = dyn_cast<MemRefType>(op.getSource().getType());
      auto target = dyn_cast<MemRefType>(op.getTarget().getType());
      if (!source || !target || !source.getLayout().isIdentity() ||
          !target.getLayout().isIdentity())
        return op.emitOpError()
               << "copies a buffer in GPU memory with a non-identity layout "
                  "on the host; it should have become a copy kernel "
                  "(qlp-strided-copy-to-linalg before qlp-gpu-map-loops)";
      OpBuilder builder(op);
      Value src = op.getSource();
      // gpu.memcpy wants identical types; memref.copy only equal shapes.
      if (source != target) {
        if (!memref::CastOp::areCastCompatible(source, target))
          return op.emitOpError() << "copies between incompatible types";
        src = memref::CastOp::create(builder, op.getLoc(), target, src);
      }
      gpu::MemcpyOp::create(builder, op.getLoc(), Type(), ValueRange(),
                            op.getTarget(), src);
      op.erase();
    }
    return success();
  }

  /// Whether a host op reads, writes or frees `value` (conservatively true
  /// for ops whose effects are unknown).
  static bool accessesMemory(Operation *op, Value value) {
    if (auto effects = dyn_cast<MemoryEffectOpInterface>(op)) {
      SmallVector<MemoryEffects::EffectInstance> instances;
      effects.getEffects(instances);
      return llvm::any_of(instances, [&](MemoryEffects::EffectInstance &it) {
        if (isa<MemoryEffects::Allocate>(it.getEffect()))
          return false;
        // An effect on no particular value may be on this one.
        return !it.getValue() || it.getValue() == value;
      });
    }
    // Region ops (scf.for, scf.if) pass buffers to their bodies, whose ops
    // are checked one by one.
    return !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>();
  }

  LogicalResult verifyHostAccesses(ModuleOp module) {
    bool failed = false;
    for (func::FuncOp func : getHostFunctions(module)) {
      func.walk([&](Operation *op) {
        if (isa<gpu::LaunchFuncOp, gpu::MemcpyOp, gpu::AllocOp, gpu::DeallocOp,
                gpu::WaitOp, ViewLikeOpInterface>(op) ||
            op->hasTrait<OpTrait::IsTerminator>())
          return;
        for (OpOperand &operand : op->getOpOperands()) {
          Value value = operand.get();
          if (!isDevice(value))
            continue;
          if (auto call = dyn_cast<func::CallOp>(op)) {
            auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
                call, call.getCalleeAttr());
            if (callee && !callee.isExternal()) {
              BlockArgument arg =
                  callee.getArgument(operand.getOperandNumber());
              if (arg.use_empty() || deviceRoots.contains(arg) ||
                  copiedArguments.contains(arg))
                continue;
            }
            report(op, operand.getOperandNumber(), value,
                   callee && !callee.isExternal()
                       ? "passes a buffer in GPU memory to a function that "
                         "uses that argument on the host"
                       : "passes a buffer in GPU memory to an external "
                         "function, which would access it on the host");
            failed = true;
            continue;
          }
          if (!accessesMemory(op, value))
            continue;
          report(op, operand.getOperandNumber(), value,
                 "accesses a buffer in GPU memory on the host; only GPU "
                 "kernels and gpu.memcpy may read or write it");
          failed = true;
        }
      });
    }
    return failure(failed);
  }

  static void report(Operation *op, unsigned operandNumber, Value value,
                     StringRef message) {
    InFlightDiagnostic diag = op->emitOpError() << message << " (operand #"
                                                << operandNumber << ")";
    diag.attachNote(getBufferRoot(value).getLoc())
        << "this buffer is in GPU memory because a GPU kernel uses it";
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Factories and pipelines
//===----------------------------------------------------------------------===//

void mlir::qlp::registerGPULoweringInterfaces(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, LLVM::LLVMDialect, memref::MemRefDialect,
                  NVVM::NVVMDialect>();
  // Bufferization and deallocation see the launches of qlp-lower-to-gpu.
  registerGPULaunchMemoryEffects(registry);
  // convert-gpu-to-nvvm and gpu-to-llvm convert every dialect through its
  // ConvertToLLVMPatternInterface: without these, arith, cf, ... in kernels
  // are left half converted.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  gpu::registerConvertGpuToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  // gpu-module-to-binary: #nvvm.target serializes a GPU module through the
  // LLVM IR translation of the dialects in it.
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

void mlir::qlp::addGPUDevicePlacementPasses(OpPassManager &pm,
                                            unsigned blockSize) {
  // bufferization.clone left by the deallocation becomes alloc + copy, so
  // that the placement sees every allocation.
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Strided copies (slices, concatenations, pads) become kernels; the
  // contiguous ones become gpu.memcpy in the placement.
  pm.addPass(createQLPStridedCopyToLinalg());
  pm.addPass(createQLPGPUMapLoops(QLPGPUMapLoopsOptions{blockSize}));
  pm.addNestedPass<func::FuncOp>(createConvertParallelLoopToGpuPass());
  // Constants and index computations move into the kernels instead of
  // becoming kernel arguments.
  pm.addNestedPass<func::FuncOp>(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  // Index computations of the loop lowerings (affine.apply/min) in kernels
  // and on the host.
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createQLPGPUPlaceBuffers());
  pm.addPass(createCanonicalizerPass());
}

void mlir::qlp::addGPUToLLVMPasses(OpPassManager &pm, StringRef chip,
                                   StringRef format) {
  GpuNVVMAttachTargetOptions target;
  target.chip = chip.str();
  // PTX ISA 8.0: the default (6.0) predates sm_80; ptxas 13 accepts 8.0 for
  // sm_75 to sm_90.
  target.features = "+ptx80";
  pm.addPass(createGpuNVVMAttachTarget(target));

  // The kernels: the passes and order of upstream's
  // gpu-lower-to-nvvm-pipeline, restricted to the GPU modules so that the
  // host keeps the CPU pipeline's lowering.
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createStripDebugInfoPass());
  kernels.addPass(createConvertNVGPUToNVVMPass());
  kernels.addPass(createConvertVectorToSCFPass());
  // As on the host: the views' affine.apply come from
  // expand-strided-metadata, so it runs before lower-affine.
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertNVVMToLLVMPass());
  ConvertGpuOpsToNVVMOpsOptions toNVVM;
  toNVVM.indexBitwidth = 64;
  kernels.addPass(createConvertGpuOpsToNVVMOps(toNVVM));
  kernels.addPass(LLVM::createNVVMOptimizeForTargetPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  // The host: gpu.alloc/memcpy/dealloc/launch_func become asynchronous on
  // one stream per function, with a gpu.wait before every host op with side
  // effects and before returning (gpu-to-llvm only lowers the asynchronous
  // forms of alloc, memcpy and dealloc).
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  addHostToLLVMStagePasses(pm);
  // No canonicalization from here on: once gpu-to-llvm has turned its
  // operands into pointers, a gpu.launch_func whose memory-effect model only
  // names memref operands looks dead and would be erased.
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = format.str();
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createReconcileUnrealizedCastsPass());
}
