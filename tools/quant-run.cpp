//===- quant-run.cpp - Compile and run a quant-lp model ---------*- C++ -*-===//
//
//   quant-run FILE.mlir --entry=NAME --input=a.npy ... --output=out.npy ...
//             [--repeat=N] [--print] [--dequantize] [--float]
//             [--calibration=FILE] [--weight-bits=N] [--act-bits=N]
//             [--rounding=single_round|double_round|tflite]
//             [--device=cpu|gpu] [--chip=sm_XX]
//
// Runs the quant-lp integer pipeline on any input it accepts (unless
// --float, which runs the file as is: the float model's own results), records
// the entry function's signature, lowers it (qlp-lower-to-reference, then the
// shared lowering to the LLVM dialect), JIT-compiles it with MLIR's
// ExecutionEngine and calls its `_mlir_ciface_` wrapper on the .npy inputs.
//
// The boundary:
//  - Every argument and result is a ranked tensor of static shape. Its .npy
//    dtype is that of its element type: a signless or signed iN is intN, an
//    unsigned one uintN, f16/f32/f64 are float16/32/64, and i1 is NumPy's
//    bool (one byte per element, as LLVM stores i1).
//  - A `!quant.uniform` tensor (per tensor or per axis) is exchanged in its
//    storage dtype (int8 for `i8`, uint8 for `u8`, ...). A float32 input is
//    quantized on the host instead:
//      q = clamp(round_half_away_from_zero(x / S) + zp, qmin, qmax)
//    in double precision, with qmin/qmax the storage range of the type.
//    With --dequantize, quantized results are written as float32
//    (q - zp) * S.
//  - Inputs must match the signature in count, shape and dtype; every
//    mismatch is an error naming the argument.
//
// --repeat=N calls the entry once to warm up and N more times, and prints
//   time: median=<ms> ms min=<ms> ms max=<ms> ms
// (the call alone: compilation and .npy I/O are excluded).
//
// --device=gpu compiles with --qlp-gpu-pipeline instead (for --chip, by
// default the present GPU's architecture, or the newest the pipeline knows
// that the GPU can run) and runs the host program, which launches the
// kernels through libqlp_cuda_runtime's mgpu* functions on the CUDA driver.
// It needs a usable CUDA device: without one (or without the driver) it
// fails before compiling. Inputs are copied to the device and results back
// by the program itself, so the .npy boundary is the same as on the CPU. An
// input that already contains gpu.binary ops (the output of
// --qlp-gpu-pipeline, host code in the LLVM dialect) runs as is; its entry
// must carry `qlp.signature`, the function type of the tensor program, since
// the LLVM function's own type no longer has the shapes. The timing of
// --repeat covers all GPU work: every gpu.launch_func waits for its kernel,
// and quant-run also synchronizes the device after each call.
//
//===----------------------------------------------------------------------===//

#include "lowering/LLVMLowering.h"
#include "lowering/Passes.h"
#include "lowering/Pipelines.h"
#include "runtime/qlp_cuda.h"
#include "runtime/qlp_kernels.h"
#include "tools/Npy.h"
#include "tools/RegisterDialects.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>
#include <chrono>
#include <cmath>

using namespace mlir;
using namespace mlir::qlp;
namespace cl = llvm::cl;

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

static cl::OptionCategory runCategory("quant-run options");
static cl::OptionCategory pipelineCategory(
    "quant-lp pipeline options (ignored with --float)");

static cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                          cl::desc("<input .mlir file>"),
                                          cl::cat(runCategory));
static cl::opt<std::string> entryName(
    "entry", cl::Required, cl::desc("Name of the function to run"),
    cl::value_desc("name"), cl::cat(runCategory));
static cl::list<std::string>
    inputFiles("input",
               cl::desc("An .npy file per argument of the entry, in order"),
               cl::value_desc("file.npy"), cl::cat(runCategory));
static cl::list<std::string> outputFiles(
    "output",
    cl::desc("An .npy file per result of the entry, in order (optional)"),
    cl::value_desc("file.npy"), cl::cat(runCategory));
static cl::opt<unsigned> repeat(
    "repeat",
    cl::desc("Call the entry N times after a warm-up call and print the "
             "median, min and max time of a call"),
    cl::value_desc("N"), cl::init(0), cl::cat(runCategory));
static cl::opt<bool> printResults(
    "print",
    cl::desc("Print every result (and its dequantized values) to stdout"),
    cl::init(false), cl::cat(runCategory));
static cl::opt<bool> compareFloat(
    "compare-float",
    cl::desc("Run the integer program and the float model (the input as is) "
             "on the same inputs and print their results side by side, with "
             "the error"),
    cl::cat(runCategory));

static cl::opt<bool> dequantizeOutputs(
    "dequantize",
    cl::desc("Write !quant.uniform results as float32 (q - zp) * scale"),
    cl::init(false), cl::cat(runCategory));
static cl::opt<bool> runAsIs(
    "float",
    cl::desc("Run the input as is, without the quant-lp pipeline (the float "
             "model's own results)"),
    cl::init(false), cl::cat(runCategory));
static cl::opt<unsigned>
    jitOptLevel("O", cl::desc("Optimization level of the JIT (0-3)"),
                cl::init(2), cl::Prefix, cl::cat(runCategory));

static cl::opt<std::string> calibrationFile(
    "calibration",
    cl::desc("JSON file of calibration ranges keyed by qlp.name"),
    cl::value_desc("file.json"), cl::cat(pipelineCategory));
static cl::opt<unsigned>
    weightBits("weight-bits",
               cl::desc("Weight width of layers without qlp.bits"),
               cl::init(8), cl::cat(pipelineCategory));
static cl::opt<unsigned>
    actBits("act-bits",
            cl::desc("Activation width of layers without qlp.act_bits"),
            cl::init(8), cl::cat(pipelineCategory));
static cl::opt<RoundingMode> rounding(
    "rounding", cl::desc("Rounding of the folded rescales"),
    cl::init(RoundingMode::SingleRound),
    cl::values(clEnumValN(RoundingMode::SingleRound, "single_round",
                          "TOSA SINGLE_ROUND"),
               clEnumValN(RoundingMode::DoubleRound, "double_round",
                          "TOSA DOUBLE_ROUND"),
               clEnumValN(RoundingMode::TFLite, "tflite",
                          "TFLite MultiplyByQuantizedMultiplier")),
    cl::cat(pipelineCategory));

static cl::opt<bool> useKernels(
    "kernels",
    cl::desc("Run layers with constant weights on quant-lp's CPU kernels "
             "(--kernels=false: the reference lowering only)"),
    cl::init(true), cl::cat(pipelineCategory));

namespace {
enum class KernelISA { Auto, Generic, AVX512, AMX };
} // namespace
static cl::opt<KernelISA> kernelISA(
    "isa", cl::desc("Kernel family of the runtime (default: the best the "
                    "host CPU supports)"),
    cl::init(KernelISA::Auto),
    cl::values(clEnumValN(KernelISA::Auto, "auto", "detect the host CPU"),
               clEnumValN(KernelISA::Generic, "generic",
                          "the portable fallback"),
               clEnumValN(KernelISA::AVX512, "avx512",
                          "AVX-512 VNNI / VPOPCNTDQ (error if unsupported)"),
               clEnumValN(KernelISA::AMX, "amx",
                          "AVX-512 plus AMX-INT8 tiles (error if unsupported)")),
    cl::cat(runCategory));

namespace {
enum class Device { CPU, GPU };
} // namespace
static cl::opt<Device> device(
    "device", cl::desc("Where the entry runs"), cl::init(Device::CPU),
    cl::values(clEnumValN(Device::CPU, "cpu",
                          "JIT-compiled for the host CPU (default)"),
               clEnumValN(Device::GPU, "gpu",
                          "compiled with --qlp-gpu-pipeline and run on the "
                          "CUDA GPU (needs the CUDA driver and a device)")),
    cl::cat(runCategory));
static cl::opt<std::string> chipName(
    "chip",
    cl::desc("With --device=gpu: the chip to compile for (sm_75, sm_80, "
             "sm_86, sm_89 or sm_90; default: the GPU's own, or the newest "
             "of those it can run)"),
    cl::value_desc("sm_XX"), cl::cat(runCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "quant-run: error: " << message << "\n";
  return 1;
}

static std::string toString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  npy::printShape(os, shape);
  return text;
}

//===----------------------------------------------------------------------===//
// The entry's signature
//===----------------------------------------------------------------------===//

namespace {
/// One argument or result of the entry function, as the caller sees it.
struct BoundaryValue {
  /// "argument 0", "result 1".
  std::string name;
  /// The type before lowering (with its !quant.uniform element type).
  RankedTensorType type;
  /// The dtype of the elements in memory (the storage dtype when quantized).
  npy::DType dtype;
  /// Set when the element type is a !quant.uniform type.
  std::optional<npy::QuantParams> quant;
};
} // namespace

/// The .npy dtype of a plain MLIR element type.
static std::optional<npy::DType> getDType(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type)) {
    if (intType.getWidth() == 1)
      return npy::DType::Bool;
    return npy::getIntegerDType(intType.getWidth(), !intType.isUnsigned());
  }
  if (type.isF16())
    return npy::DType::Float16;
  if (type.isF32())
    return npy::DType::Float32;
  if (type.isF64())
    return npy::DType::Float64;
  return std::nullopt;
}

/// Describes one boundary type, or explains why quant-run cannot pass it.
static FailureOr<BoundaryValue> describe(Type type, const std::string &name,
                                         StringRef entry) {
  auto emit = [&](const llvm::Twine &why) {
    fail(name + " of @" + entry + " has type " + toString(type) +
         ": " + why);
    return failure();
  };
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return emit("quant-run passes ranked tensors only");
  if (!tensorType.hasStaticShape())
    return emit("quant-run needs static shapes");

  BoundaryValue value;
  value.name = name;
  value.type = tensorType;
  Type element = tensorType.getElementType();
  if (auto quantType = dyn_cast<quant::QuantizedType>(element)) {
    npy::QuantParams params;
    if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(quantType)) {
      params.scales.push_back(perTensor.getScale());
      params.zeroPoints.push_back(perTensor.getZeroPoint());
    } else if (auto perAxis =
                   dyn_cast<quant::UniformQuantizedPerAxisType>(quantType)) {
      params.scales.assign(perAxis.getScales().begin(),
                           perAxis.getScales().end());
      params.zeroPoints.assign(perAxis.getZeroPoints().begin(),
                               perAxis.getZeroPoints().end());
      params.axis = perAxis.getQuantizedDimension();
    } else {
      return emit("only !quant.uniform types (per tensor or per axis) are "
                  "supported");
    }
    if (!isa<IntegerType>(quantType.getStorageType()))
      return emit("the storage type is not an integer type");
    std::optional<npy::DType> storage = npy::getIntegerDType(
        quantType.getStorageTypeIntegralWidth(), quantType.isSigned());
    if (!storage)
      return emit("storage of " +
                  llvm::Twine(quantType.getStorageTypeIntegralWidth()) +
                  " bits has no .npy dtype (8, 16, 32 or 64 bits)");
    params.storage = *storage;
    params.storageMin = quantType.getStorageTypeMin();
    params.storageMax = quantType.getStorageTypeMax();
    if (llvm::Error err =
            npy::verifyQuantParams(params, tensorType.getShape())) {
      return emit(llvm::toString(std::move(err)));
    }
    value.dtype = *storage;
    value.quant = std::move(params);
    return value;
  }
  std::optional<npy::DType> dtype = getDType(element);
  if (!dtype)
    return emit("the element type has no .npy dtype (supported: i1, i8, i16, "
                "i32, i64 (signless, signed or unsigned), f16, f32, f64 and "
                "!quant.uniform of those integers)");
  value.dtype = *dtype;
  return value;
}

/// The type that the lowering must leave at the boundary: the same shape,
/// with quantized types replaced by their storage type.
static bool isLoweredFormOf(Type lowered, const BoundaryValue &value) {
  auto tensorType = dyn_cast<RankedTensorType>(lowered);
  if (!tensorType || tensorType.getShape() != value.type.getShape())
    return false;
  Type element = tensorType.getElementType();
  if (isa<quant::QuantizedType>(element))
    return false;
  std::optional<npy::DType> dtype = getDType(element);
  if (!dtype)
    return false;
  // Signedness is not visible in memory: a u8 storage type may come out as
  // a signless i8.
  return npy::getItemSize(*dtype) == npy::getItemSize(value.dtype) &&
         npy::isFloat(*dtype) == npy::isFloat(value.dtype);
}

/// Whether anything in `module` needs qlp-lower-to-reference: a qlp op, or a
/// qlp or quant type anywhere. A module without any has nothing for that pass
/// to lower (e.g. a float model run with --float).
static bool needsReferenceLowering(ModuleOp module) {
  auto isForeign = [](Type type) {
    if (auto shaped = dyn_cast<ShapedType>(type))
      type = shaped.getElementType();
    StringRef ns = type.getDialect().getNamespace();
    return ns == QLPDialect::getDialectNamespace() ||
           ns == quant::QuantDialect::getDialectNamespace();
  };
  auto walkResult = module.walk([&](Operation *op) {
    if (isa_and_nonnull<QLPDialect>(op->getDialect()))
      return WalkResult::interrupt();
    if (auto func = dyn_cast<FunctionOpInterface>(op))
      if (llvm::any_of(func.getArgumentTypes(), isForeign) ||
          llvm::any_of(func.getResultTypes(), isForeign))
        return WalkResult::interrupt();
    if (llvm::any_of(op->getResultTypes(), isForeign))
      return WalkResult::interrupt();
    for (Region &region : op->getRegions())
      for (Block &block : region)
        if (llvm::any_of(block.getArgumentTypes(), isForeign))
          return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return walkResult.wasInterrupted();
}

//===----------------------------------------------------------------------===//
// Inputs and outputs
//===----------------------------------------------------------------------===//

/// Reads input `index` and turns it into the memory image of `value`.
static FailureOr<npy::Array> loadInput(unsigned index,
                                       const BoundaryValue &value,
                                       StringRef entry) {
  const std::string &path = inputFiles[index];
  llvm::Expected<npy::Array> array = npy::read(path);
  if (!array) {
    fail(llvm::toString(array.takeError()));
    return failure();
  }
  std::string prefix = "input " + std::to_string(index) + " ('" + path +
                       "') for " + value.name + " of @" +
                       entry.str() + " (" +
                       toString(value.type) + "): ";
  if (ArrayRef<int64_t>(array->shape) != value.type.getShape()) {
    fail(prefix + "expected shape " + shapeString(value.type.getShape()) +
         ", got " + shapeString(array->shape));
    return failure();
  }
  if (value.quant) {
    if (array->dtype == value.dtype) {
      if (llvm::Error err = npy::checkStorageRange(*array, *value.quant)) {
        fail(prefix + llvm::toString(std::move(err)));
        return failure();
      }
      return std::move(*array);
    }
    if (array->dtype == npy::DType::Float32) {
      llvm::Expected<npy::Array> quantized =
          npy::quantize(*array, *value.quant);
      if (!quantized) {
        fail(prefix + llvm::toString(quantized.takeError()));
        return failure();
      }
      return std::move(*quantized);
    }
    fail(prefix + "expected dtype " + npy::getDTypeName(value.dtype) +
         " (the storage type) or float32 (quantized on the host), got " +
         npy::getDTypeName(array->dtype));
    return failure();
  }
  if (array->dtype != value.dtype) {
    fail(prefix + "expected dtype " + npy::getDTypeName(value.dtype) +
         ", got " + npy::getDTypeName(array->dtype));
    return failure();
  }
  return std::move(*array);
}

/// A memref descriptor of any rank for a C-order array:
///   { T *allocated, T *aligned, int64 offset, int64 sizes[rank],
///     int64 strides[rank] }
/// which is StridedMemRefType<T, rank> without the template.
static std::vector<int64_t> makeDescriptor(npy::Array &array) {
  size_t rank = array.shape.size();
  std::vector<int64_t> descriptor(3 + 2 * rank);
  static_assert(sizeof(void *) == sizeof(int64_t),
                "the descriptor layout assumes 64-bit pointers");
  auto pointer = static_cast<int64_t>(
      reinterpret_cast<intptr_t>(array.getData()));
  descriptor[0] = pointer;
  descriptor[1] = pointer;
  descriptor[2] = 0;
  int64_t stride = 1;
  for (size_t dim = rank; dim-- > 0;) {
    descriptor[3 + dim] = array.shape[dim];
    descriptor[3 + rank + dim] = stride;
    stride *= array.shape[dim];
  }
  return descriptor;
}

static void printResult(llvm::raw_ostream &os, unsigned index,
                        const BoundaryValue &value, const npy::Array &array) {
  os << "result " << index << ": " << value.type << " ("
     << npy::getDTypeName(array.dtype) << ", shape ";
  npy::printShape(os, array.shape);
  os << ")\n";
  npy::printValues(os, array);
  os << "\n";
  if (value.quant) {
    os << "dequantized:\n";
    npy::printValues(os, npy::dequantize(array, *value.quant));
    os << "\n";
  }
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

namespace {
/// One result of a run, kept for --compare-float. The MLIR type is kept as
/// text: its context does not outlive the run.
struct RunResult {
  std::string type;
  std::optional<npy::QuantParams> quant;
  npy::Array array;
};
} // namespace

/// The architecture number of "sm_XY" (XY), if `name` is one.
static std::optional<unsigned> parseArch(StringRef name) {
  unsigned arch = 0;
  if (!name.consume_front("sm_") || name.getAsInteger(10, arch))
    return std::nullopt;
  return arch;
}

/// The chip to compile for: --chip, checked against the present GPU, or the
/// newest chip the GPU pipeline knows that the GPU runs (PTX for an older
/// architecture runs on a newer one: the driver compiles it for the GPU).
static FailureOr<GPUChip> selectChip() {
  char deviceChip[32];
  if (qlp_cuda_device_chip(deviceChip, sizeof(deviceChip)) != QLP_CUDA_OK) {
    fail(Twine("cannot query the GPU's architecture: ") +
         qlp_cuda_last_error());
    return failure();
  }
  std::optional<unsigned> deviceArch = parseArch(deviceChip);
  if (!deviceArch) {
    fail(Twine("the GPU reports an unknown architecture '") + deviceChip +
         "'");
    return failure();
  }
  const GPUChip chips[] = {GPUChip::SM75, GPUChip::SM80, GPUChip::SM86,
                           GPUChip::SM89, GPUChip::SM90};
  if (!chipName.empty()) {
    for (GPUChip chip : chips) {
      if (stringifyGPUChip(chip) != chipName)
        continue;
      if (*parseArch(stringifyGPUChip(chip)) > *deviceArch) {
        fail("--chip=" + chipName + " code cannot run on this GPU (" +
             deviceChip + ")");
        return failure();
      }
      return chip;
    }
    std::string known;
    for (GPUChip chip : chips)
      known += (known.empty() ? "" : ", ") + stringifyGPUChip(chip).str();
    fail("unknown --chip '" + chipName + "' (supported: " + known + ")");
    return failure();
  }
  std::optional<GPUChip> best;
  for (GPUChip chip : chips)
    if (*parseArch(stringifyGPUChip(chip)) <= *deviceArch)
      best = chip;
  if (!best) {
    fail(Twine("this GPU is ") + deviceChip +
         "; quant-lp's GPU code needs sm_75 or newer");
    return failure();
  }
  return *best;
}

/// Whether the module holds compiled GPU code (the output of
/// --qlp-gpu-pipeline).
static bool containsGPUBinary(ModuleOp module) {
  return !module.getOps<gpu::BinaryOp>().empty();
}

/// The attribute that carries the tensor-level function type of an entry
/// whose host code is already in the LLVM dialect.
static constexpr llvm::StringLiteral kSignatureAttrName = "qlp.signature";

/// Compiles and runs the entry. With `asIs` the quant-lp pipeline is
/// skipped (--float). Results are printed and written as the options ask,
/// or, with `collected`, only returned there.
static int runQuantRun(bool asIs, Device target,
                       std::vector<RunResult> *collected) {
  if (jitOptLevel > 3)
    return fail("-O" + llvm::Twine(jitOptLevel.getValue()) +
                " is not an optimization level (0-3)");

  bool onGPU = target == Device::GPU;
  GPUChip chip = GPUChip::SM80;
  if (onGPU) {
    // Before compiling anything: without a device there is nothing to run.
    if (!qlp_cuda_available())
      return fail(Twine("--device=gpu needs a CUDA GPU, but none is usable: ") +
                  qlp_cuda_last_error());
    FailureOr<GPUChip> selected = selectChip();
    if (failed(selected))
      return 1;
    chip = *selected;
  }

  DialectRegistry registry;
  registerQuantLPToolDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  // The GPU flow: serializing gpu.modules for #nvvm.target, then
  // translating gpu.binary (embedded through #gpu.select_object) and
  // gpu.launch_func (calls to the mgpu* functions).
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // A pipeline diagnostic would otherwise dump the whole module after the
  // message; --mlir-print-op-on-diagnostic still asks for it.
  if (cl::getRegisteredOptions().lookup("mlir-print-op-on-diagnostic")
          ->getNumOccurrences() == 0)
    context.printOpOnDiagnostic(false);

  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> file =
      openInputFile(inputFilename, &errorMessage);
  if (!file)
    return fail(errorMessage);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return fail("cannot parse '" + inputFilename + "'");

  auto functionNames = [&] {
    std::string names;
    for (Operation &op : module->getBody()->getOperations()) {
      auto function = dyn_cast<FunctionOpInterface>(op);
      if (!function || function.isExternal() ||
          function.getName().starts_with("_mlir_ciface_"))
        continue;
      names += (names.empty() ? "@" : ", @") + function.getName().str();
    }
    return names.empty() ? std::string("none") : names;
  };

  // A program compiled for the GPU already runs as is; it cannot run on the
  // CPU.
  bool prebuilt = containsGPUBinary(*module);
  if (prebuilt && !onGPU)
    return fail("'" + inputFilename +
                "' contains compiled GPU code (gpu.binary); run it with "
                "--device=gpu");

  if (onGPU && asIs && !prebuilt)
    return fail("--float runs the input as is; on the GPU that needs "
                "compiled GPU code (gpu.binary ops, the output of "
                "--qlp-gpu-pipeline)");

  FunctionType signature;
  auto lookupEntry = [&]() -> func::FuncOp {
    return module->lookupSymbol<func::FuncOp>(entryName);
  };
  func::FuncOp entry;
  if (prebuilt) {
    auto lowered = module->lookupSymbol<LLVM::LLVMFuncOp>(entryName);
    if (!lowered) {
      if (lookupEntry())
        return fail("'" + inputFilename +
                    "' contains gpu.binary ops, so it runs as is, but @" +
                    entryName +
                    " is not in the LLVM dialect (run quant-run on the "
                    "program before --qlp-gpu-pipeline, or on the "
                    "pipeline's whole output)");
      return fail("no function @" + entryName + " in '" + inputFilename +
                  "' (functions: " + functionNames() + ")");
    }
    if (lowered.isExternal())
      return fail("@" + entryName + " is a declaration without a body");
    auto attr = lowered->getAttrOfType<TypeAttr>(kSignatureAttrName);
    if (!attr || !isa<FunctionType>(attr.getValue()))
      return fail("@" + entryName + " in '" + inputFilename +
                  "' has no '" + kSignatureAttrName +
                  "' attribute (the function type of the program on "
                  "tensors), which quant-run needs to pass .npy files to "
                  "compiled GPU code");
    signature = cast<FunctionType>(attr.getValue());
  } else {
    entry = lookupEntry();
    if (!entry)
      return fail("no function @" + entryName + " in '" + inputFilename +
                  "' (functions: " + functionNames() + ")");
    if (entry.isExternal())
      return fail("@" + entryName + " is a declaration without a body");

    // The integer program.
    if (!asIs) {
      PassManager pm(&context);
      if (failed(applyPassManagerCLOptions(pm)))
        return fail("invalid pass manager options");
      CPUPipelineOptions options;
      options.calibration = calibrationFile.getValue();
      options.weightBits = weightBits.getValue();
      options.actBits = actBits.getValue();
      options.rounding = rounding.getValue();
      options.kernels = useKernels.getValue();
      buildIntegerProgramPipeline(pm, options);
      if (failed(pm.run(*module)))
        return fail("the quant-lp pipeline failed on '" + inputFilename +
                    "'");
      entry = lookupEntry();
      if (!entry)
        return fail("the quant-lp pipeline removed @" + entryName);
    }
    signature = entry.getFunctionType();
  }

  // The signature the caller sees.
  SmallVector<BoundaryValue> arguments, results;
  for (auto [i, type] : llvm::enumerate(signature.getInputs())) {
    FailureOr<BoundaryValue> value =
        describe(type, "argument " + std::to_string(i), entryName);
    if (failed(value))
      return 1;
    arguments.push_back(std::move(*value));
  }
  for (auto [i, type] : llvm::enumerate(signature.getResults())) {
    FailureOr<BoundaryValue> value =
        describe(type, "result " + std::to_string(i), entryName);
    if (failed(value))
      return 1;
    results.push_back(std::move(*value));
  }
  if (inputFiles.size() != arguments.size())
    return fail("@" + entryName + " takes " + llvm::Twine(arguments.size()) +
                " argument(s), but " + llvm::Twine(inputFiles.size()) +
                " --input file(s) were given");
  if (!outputFiles.empty() && outputFiles.size() != results.size())
    return fail("@" + entryName + " returns " + llvm::Twine(results.size()) +
                " result(s), but " + llvm::Twine(outputFiles.size()) +
                " --output file(s) were given");

  // Read the inputs before compiling, so that a bad file fails fast.
  SmallVector<npy::Array> buffers;
  for (auto [i, value] : llvm::enumerate(arguments)) {
    FailureOr<npy::Array> array = loadInput(i, value, entryName);
    if (failed(array))
      return 1;
    buffers.push_back(std::move(*array));
  }
  for (const BoundaryValue &value : results)
    buffers.emplace_back(value.dtype, value.type.getShape());

  // Lower. The entry is called from outside, so it must be public for the
  // C interface.
  if (entry)
    entry.setPublic();
  if (onGPU && !prebuilt) {
    // The whole GPU flow, from the integer program (which it accepts like
    // any qlp input) to the host program with embedded GPU binaries.
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return fail("invalid pass manager options");
    GPUPipelineOptions options;
    options.calibration = calibrationFile.getValue();
    options.weightBits = weightBits.getValue();
    options.actBits = actBits.getValue();
    options.rounding = rounding.getValue();
    options.kernels = useKernels.getValue();
    options.chip = chip;
    // PTX: the driver compiles it for the GPU at load time, so running
    // needs no CUDA toolkit.
    options.format = GPUBinaryFormat::PTX;
    options.lowerToLLVM = true;
    buildGPUPipeline(pm, options);
    if (failed(pm.run(*module)))
      return fail("the quant-lp GPU pipeline (" + stringifyGPUChip(chip) +
                  ") failed on '" + inputFilename + "'");
  } else if (!onGPU) {
    if (needsReferenceLowering(*module)) {
      PassManager pm(&context);
      if (failed(applyPassManagerCLOptions(pm)))
        return fail("invalid pass manager options");
      if (useKernels)
        pm.addPass(createQLPLowerToKernels());
      pm.addPass(createQLPLowerToReference());
      if (failed(pm.run(*module)))
        return fail("the lowering of qlp ops failed on '" + inputFilename +
                    "'");
      entry = lookupEntry();
      if (!entry)
        return fail("qlp-lower-to-reference removed @" + entryName);
      FunctionType lowered = entry.getFunctionType();
      if (lowered.getNumInputs() != arguments.size() ||
          lowered.getNumResults() != results.size())
        return fail("qlp-lower-to-reference changed the signature of @" +
                    entryName + " from " + toString(signature) + " to " +
                    toString(lowered));
      for (auto [type, value] : llvm::zip(lowered.getInputs(), arguments))
        if (!isLoweredFormOf(type, value))
          return fail("qlp-lower-to-reference turned " + value.name +
                      " of @" + entryName + " from " + toString(value.type) +
                      " into " + toString(type));
      for (auto [type, value] : llvm::zip(lowered.getResults(), results))
        if (!isLoweredFormOf(type, value))
          return fail("qlp-lower-to-reference turned " + value.name +
                      " of @" + entryName + " from " + toString(value.type) +
                      " into " + toString(type));
    }
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return fail("invalid pass manager options");
    addLowerToLLVMPasses(pm);
    if (failed(pm.run(*module)))
      return fail("the lowering to the LLVM dialect failed on '" +
                  inputFilename + "'");
  }
  // Anything outside the LLVM dialect cannot be translated; name it here
  // rather than letting the translation fail with a less precise message.
  // GPU programs keep their binaries and launches, which the GPU dialect's
  // translation turns into the embedded binary and mgpu* calls.
  Operation *leftover = nullptr;
  module->walk([&](Operation *op) {
    if (op == module->getOperation() ||
        isa_and_nonnull<LLVM::LLVMDialect>(op->getDialect()))
      return WalkResult::advance();
    if (onGPU && isa<gpu::BinaryOp, gpu::LaunchFuncOp>(op))
      return WalkResult::advance();
    leftover = op;
    return WalkResult::interrupt();
  });
  if (leftover) {
    leftover->emitError("'")
        << leftover->getName()
        << "' was not lowered to the LLVM dialect; quant-run cannot run it";
    return 1;
  }
  // quant-run calls the C interface with one descriptor pointer per
  // argument and result; a GPU program's host code must have kept it.
  if (onGPU) {
    std::string wrapperName = "_mlir_ciface_" + entryName;
    auto wrapper = module->lookupSymbol<LLVM::LLVMFuncOp>(wrapperName);
    size_t expected = arguments.size() + results.size();
    if (!wrapper || wrapper.isExternal())
      return fail("the GPU program has no C interface @" + wrapperName +
                  " for @" + entryName);
    LLVM::LLVMFunctionType type = wrapper.getFunctionType();
    if (type.getNumParams() != expected ||
        !isa<LLVM::LLVMVoidType>(type.getReturnType()) ||
        !llvm::all_of(type.getParams(), llvm::IsaPred<LLVM::LLVMPointerType>))
      return fail("the C interface @" + wrapperName + " has type " +
                  toString(type) + ", expected " + llvm::Twine(expected) +
                  " pointer(s) to memref descriptors (the arguments, then "
                  "the results) and no result");
  }

  // JIT-compile.
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // Compile for the host CPU and its features (AVX-512, VNNI, ...), so that
  // --repeat times what this machine can do.
  llvm::Expected<llvm::orc::JITTargetMachineBuilder> machineBuilder =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return fail("cannot detect the host CPU: " +
                llvm::toString(machineBuilder.takeError()));
  auto codeGenOptLevel =
      static_cast<llvm::CodeGenOptLevel>(jitOptLevel.getValue());
  machineBuilder->setCodeGenOptLevel(codeGenOptLevel);
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> targetMachine =
      machineBuilder->createTargetMachine();
  if (!targetMachine)
    return fail("cannot create a target machine for the host: " +
                llvm::toString(targetMachine.takeError()));
  ExecutionEngineOptions engineOptions;
  auto transformer = makeOptimizingTransformer(
      jitOptLevel, /*sizeLevel=*/0, targetMachine->get());
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = codeGenOptLevel;
  llvm::Expected<std::unique_ptr<ExecutionEngine>> engine =
      ExecutionEngine::create(*module, engineOptions,
                              std::move(*targetMachine));
  if (!engine)
    return fail("JIT compilation failed: " +
                llvm::toString(engine.takeError()));
  // The functions the program calls live in this executable (qlp_runtime
  // and qlp_cuda_runtime are linked in statically), not in a shared library
  // the JIT could search: the CPU kernels, and the mgpu* functions of GPU
  // programs. They must be known before the first lookup, which runs the
  // global constructors that load the GPU binaries.
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto add = [&](StringRef name, void *address) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                 llvm::JITSymbolFlags::Exported};
    };
    add("qlp_rt_gemm", reinterpret_cast<void *>(&qlp_rt_gemm));
    add("qlp_rt_conv2d", reinterpret_cast<void *>(&qlp_rt_conv2d));
    size_t count = 0;
    const qlp_cuda_symbol *cudaSymbols = qlp_cuda_runtime_symbols(&count);
    for (size_t i = 0; i < count; ++i)
      add(cudaSymbols[i].name, cudaSymbols[i].address);
    return symbols;
  });
  if (kernelISA != KernelISA::Auto) {
    qlp_rt_isa isa = kernelISA == KernelISA::Generic  ? QLP_RT_ISA_GENERIC
                     : kernelISA == KernelISA::AVX512 ? QLP_RT_ISA_AVX512
                                                      : QLP_RT_ISA_AMX;
    if (qlp_rt_set_isa(isa) != QLP_RT_OK)
      return fail(Twine("this CPU cannot run the '") + qlp_rt_isa_name(isa) +
                  "' kernels");
  }
  // Run the global constructors: a GPU program's load its binaries there
  // (the driver compiles the PTX now). lookupPacked does not run them.
  (*engine)->initialize();
  llvm::Expected<void (*)(void **)> function =
      (*engine)->lookupPacked("_mlir_ciface_" + entryName);
  if (!function)
    return fail("JIT lookup of @" + entryName +
                " failed: " + llvm::toString(function.takeError()));
  if (onGPU && qlp_cuda_status() != QLP_CUDA_OK)
    return fail(Twine("cannot load the GPU code: ") + qlp_cuda_last_error());

  // The C interface takes a pointer to a descriptor per argument, then one
  // per result (the out-params); the packed wrapper takes a pointer to each
  // of those pointers.
  std::vector<std::vector<int64_t>> descriptors;
  for (npy::Array &buffer : buffers)
    descriptors.push_back(makeDescriptor(buffer));
  SmallVector<void *> descriptorPointers, packedArgs;
  for (std::vector<int64_t> &descriptor : descriptors)
    descriptorPointers.push_back(descriptor.data());
  for (void *&pointer : descriptorPointers)
    packedArgs.push_back(&pointer);

  // On the GPU, a call ends when its work has: the launches are
  // synchronous already, and the device is synchronized besides, so that
  // --repeat never times work still in flight. A CUDA error stops the run
  // (the runtime turned every later call into a no-op).
  auto call = [&]() -> bool {
    (*function)(packedArgs.data());
    return !onGPU || qlp_cuda_synchronize() == QLP_CUDA_OK;
  };
  auto gpuFailure = [&] {
    return fail(Twine("the GPU program failed: ") + qlp_cuda_last_error());
  };
  if (repeat == 0) {
    if (!call())
      return gpuFailure();
  } else {
    if (!call())
      return gpuFailure();
    std::vector<double> milliseconds;
    milliseconds.reserve(repeat);
    for (unsigned i = 0; i < repeat; ++i) {
      auto start = std::chrono::steady_clock::now();
      bool ok = call();
      auto end = std::chrono::steady_clock::now();
      if (!ok)
        return gpuFailure();
      milliseconds.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
    }
    std::sort(milliseconds.begin(), milliseconds.end());
    size_t n = milliseconds.size();
    double median = n % 2 ? milliseconds[n / 2]
                          : (milliseconds[n / 2 - 1] + milliseconds[n / 2]) / 2;
    llvm::outs() << llvm::format("time: median=%.4f ms min=%.4f ms "
                                 "max=%.4f ms\n",
                                 median, milliseconds.front(),
                                 milliseconds.back());
  }

  // Results.
  for (auto [i, value] : llvm::enumerate(results)) {
    const npy::Array &array = buffers[arguments.size() + i];
    if (collected) {
      collected->push_back(RunResult{toString(value.type), value.quant, array});
      continue;
    }
    if (printResults)
      printResult(llvm::outs(), i, value, array);
    if (outputFiles.empty())
      continue;
    llvm::Error err =
        value.quant && dequantizeOutputs
            ? npy::write(outputFiles[i], npy::dequantize(array, *value.quant))
            : npy::write(outputFiles[i], array);
    if (err)
      return fail(llvm::toString(std::move(err)));
  }
  llvm::outs().flush();
  return 0;
}

/// --compare-float: the integer program and the float model on the same
/// inputs, each result printed as integers, their real values, the float
/// model's values and the absolute error, then the error's max and mean.
static int compareWithFloat() {
  std::vector<RunResult> integer, real;
  // The integer program runs where --device says; the float model, which
  // only the CPU flow compiles, on the CPU.
  if (int rc = runQuantRun(/*asIs=*/false, device, &integer))
    return rc;
  if (int rc = runQuantRun(/*asIs=*/true, Device::CPU, &real))
    return rc;
  if (integer.size() != real.size())
    return fail("the integer program returns " + llvm::Twine(integer.size()) +
                " result(s) and the float model " + llvm::Twine(real.size()));
  llvm::raw_ostream &os = llvm::outs();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(integer, real))) {
    auto &[q, f] = pair;
    if (q.array.shape != f.array.shape)
      return fail("result " + llvm::Twine(i) +
                  " has different shapes in the integer program and the "
                  "float model");
    npy::Array values =
        q.quant ? npy::dequantize(q.array, *q.quant) : q.array;
    os << "result " << i << ": integer program " << q.type
       << " beside the float model " << f.type << "\n";
    os << llvm::format("%8s %12s %12s %12s %10s\n", "index", "integer",
                       "real value", "float model", "|error|");
    double maxError = 0.0, sumError = 0.0;
    int64_t count = values.getNumElements();
    for (int64_t e = 0; e < count; ++e) {
      double error = std::fabs(values.getDouble(e) - f.array.getDouble(e));
      maxError = std::max(maxError, error);
      sumError += error;
      os << llvm::format("%8lld %12.0f %12.6f %12.6f %10.6f\n",
                         static_cast<long long>(e), q.array.getDouble(e),
                         values.getDouble(e), f.array.getDouble(e), error);
    }
    os << llvm::format("error vs float: max %.6f mean %.6f over %lld values",
                       maxError, count ? sumError / count : 0.0,
                       static_cast<long long>(count));
    if (q.quant && !q.quant->scales.empty())
      os << llvm::format(" (output scale %.6f)", q.quant->scales.front());
    os << "\n";
  }
  os.flush();
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  // libLLVM.so registers hundreds of backend options; --help lists only
  // quant-run's own (--help-hidden shows everything, --mlir-* included).
  cl::HideUnrelatedOptions({&runCategory, &pipelineCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "quant-run: compile a model with quant-lp and run it on .npy inputs\n");
  if (!chipName.empty() && device != Device::GPU)
    return fail("--chip applies to --device=gpu only");
  if (device == Device::GPU && kernelISA != KernelISA::Auto)
    return fail("--isa selects the CPU kernels; it does not apply to "
                "--device=gpu");
  if (compareFloat) {
    if (runAsIs || repeat || !outputFiles.empty())
      return fail("--compare-float runs both models itself; it does not "
                  "combine with --float, --repeat or --output");
    return compareWithFloat();
  }
  return runQuantRun(runAsIs, device, /*collected=*/nullptr);
}
