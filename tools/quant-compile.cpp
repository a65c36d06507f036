//===- quant-compile.cpp - Ahead-of-time compiler for quant-lp models -----===//
//
// Compiles a model (anything `--qlp-cpu-pipeline` accepts) into a native
// object file plus a C header, so that a C or C++ program can link and call
// it without MLIR:
//
//   quant-compile examples/cnn.mlir --entry=cnn \
//       --calibration=examples/cnn.calibration.json -o cnn.o --header=cnn.h
//   cc app.c cnn.o libqlp_runtime.a -o app
//
// The entry keeps MLIR's C interface, `_mlir_ciface_<entry>`, which takes a
// pointer to a memref descriptor per argument and then one per result: the
// caller owns every buffer, results included. The header declares the
// descriptor structs, that function, a convenience wrapper
// `qlp_<entry>(inputs..., outputs...)` taking plain pointers for static
// shapes, and each boundary value's shape and quantization parameters (scale
// and zero point of a per-tensor `!quant.uniform` type) as macros.
//
// The object targets the host CPU by default (--mcpu selects another); the
// kernels inside libqlp_runtime.a choose their instructions at run time
// either way.
//
//===----------------------------------------------------------------------===//

#include "lowering/LLVMLowering.h"
#include "lowering/Passes.h"
#include "lowering/Pipelines.h"
#include "tools/RegisterDialects.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <string>

using namespace mlir;
using namespace mlir::qlp;
namespace cl = llvm::cl;

static cl::OptionCategory compileCategory("quant-compile options");

static cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                          cl::desc("<model.mlir>"),
                                          cl::cat(compileCategory));
static cl::opt<std::string> entryName("entry", cl::Required,
                                      cl::desc("Function to export"),
                                      cl::cat(compileCategory));
static cl::opt<std::string> outputFilename("o", cl::Required,
                                           cl::desc("Object file to write"),
                                           cl::value_desc("file.o"),
                                           cl::cat(compileCategory));
static cl::opt<std::string> headerFilename("header",
                                           cl::desc("C header to write"),
                                           cl::value_desc("file.h"),
                                           cl::cat(compileCategory));
static cl::opt<std::string>
    cpuName("mcpu", cl::desc("Target CPU (default: the host's)"),
            cl::init(""), cl::cat(compileCategory));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level (0-3)"),
                                  cl::init(2), cl::Prefix,
                                  cl::cat(compileCategory));
static cl::opt<std::string> calibrationFile(
    "calibration",
    cl::desc("JSON file of calibration ranges keyed by qlp.name"),
    cl::value_desc("file.json"), cl::cat(compileCategory));
static cl::opt<unsigned>
    weightBits("weight-bits",
               cl::desc("Weight width of layers without qlp.bits"),
               cl::init(8), cl::cat(compileCategory));
static cl::opt<unsigned>
    actBits("act-bits",
            cl::desc("Activation width of layers without qlp.act_bits"),
            cl::init(8), cl::cat(compileCategory));
static cl::opt<bool> useKernels(
    "kernels",
    cl::desc("Run layers with constant weights on quant-lp's CPU kernels"),
    cl::init(true), cl::cat(compileCategory));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "quant-compile: error: " << message << "\n";
  return 1;
}

namespace {
/// One argument or result of the entry, as the C caller sees it.
struct BoundaryValue {
  std::string name; ///< arg0, arg1, ..., result0, ...
  RankedTensorType type;
  std::string cType; ///< int8_t, int16_t, int32_t, float, ...
  quant::UniformQuantizedType quant;
};
} // namespace

/// The C type of the elements of a boundary value in memory.
static std::optional<std::string> cTypeOf(Type element) {
  if (auto quant = dyn_cast<quant::QuantizedType>(element))
    element = quant.getStorageType();
  if (auto integer = dyn_cast<IntegerType>(element)) {
    unsigned width = integer.getWidth();
    // i1, i2 and i4 occupy one byte each in memory.
    std::string sign = integer.isUnsigned() ? "uint" : "int";
    if (width <= 8)
      return sign + "8_t";
    if (width == 16 || width == 32 || width == 64)
      return sign + std::to_string(width) + "_t";
    return std::nullopt;
  }
  if (element.isF32())
    return std::string("float");
  if (element.isF64())
    return std::string("double");
  return std::nullopt;
}

static std::string upper(StringRef text) {
  std::string result;
  for (char c : text)
    result += std::isalnum(static_cast<unsigned char>(c)) ? std::toupper(c) : '_';
  return result;
}

/// Writes the header: descriptors, the C interface, the wrapper, macros.
static void writeHeader(llvm::raw_ostream &os,
                        ArrayRef<BoundaryValue> arguments,
                        ArrayRef<BoundaryValue> results) {
  std::string guard = "QLP_MODEL_" + upper(entryName) + "_H";
  std::string prefix = "QLP_" + upper(entryName) + "_";
  os << "/* Generated by quant-compile from " << inputFilename
     << "; do not edit. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";

  SmallVector<BoundaryValue> all(arguments.begin(), arguments.end());
  all.append(results.begin(), results.end());
  for (const BoundaryValue &value : all) {
    int64_t rank = value.type.getRank();
    std::string desc = "qlp_" + entryName + "_" + value.name + "_t";
    os << "/* " << value.name << ": " << value.type << " */\n";
    os << "typedef struct {\n  " << value.cType << " *allocated;\n  "
       << value.cType << " *aligned;\n  int64_t offset;\n";
    if (rank > 0)
      os << "  int64_t sizes[" << rank << "];\n  int64_t strides[" << rank
         << "];\n";
    os << "} " << desc << ";\n";
    std::string macro = prefix + upper(value.name);
    os << "#define " << macro << "_RANK " << rank << "\n";
    int64_t count = 1;
    bool isStatic = value.type.hasStaticShape();
    if (isStatic) {
      for (int64_t size : value.type.getShape())
        count *= size;
      os << "#define " << macro << "_ELEMENTS " << count << "\n";
    }
    if (value.quant) {
      os << "#define " << macro << "_SCALE "
         << llvm::format("%.17g", value.quant.getScale()) << "\n";
      os << "#define " << macro << "_ZERO_POINT "
         << value.quant.getZeroPoint() << "\n";
      os << "#define " << macro << "_QMIN " << value.quant.getStorageTypeMin()
         << "\n#define " << macro << "_QMAX "
         << value.quant.getStorageTypeMax() << "\n";
    }
    os << "\n";
  }

  os << "/* MLIR's C interface of @" << entryName
     << ": descriptors of the arguments, then of the results, which the "
        "caller allocates. */\n";
  os << "void _mlir_ciface_" << entryName << "(";
  for (auto [i, value] : llvm::enumerate(all))
    os << (i ? ", " : "") << "qlp_" << entryName << "_" << value.name
       << "_t *" << value.name;
  os << ");\n\n";

  bool allStatic = llvm::all_of(
      all, [](const BoundaryValue &v) { return v.type.hasStaticShape(); });
  if (allStatic) {
    os << "/* Runs @" << entryName
       << " on contiguous row-major buffers of the shapes above. */\n";
    os << "static inline void qlp_" << entryName << "(";
    for (auto [i, value] : llvm::enumerate(all))
      os << (i ? ", " : "") << (i < arguments.size() ? "const " : "")
         << value.cType << " *" << value.name;
    os << ") {\n";
    for (const BoundaryValue &value : all) {
      ArrayRef<int64_t> shape = value.type.getShape();
      std::string desc = "qlp_" + entryName + "_" + value.name + "_t";
      os << "  " << desc << " " << value.name << "_d = {("
         << value.cType << " *)" << value.name << ", (" << value.cType
         << " *)" << value.name << ", 0";
      if (!shape.empty()) {
        os << ", {";
        for (auto [i, size] : llvm::enumerate(shape))
          os << (i ? ", " : "") << size;
        os << "}, {";
        int64_t stride = 1;
        SmallVector<int64_t> strides(shape.size());
        for (int64_t d = shape.size() - 1; d >= 0; --d) {
          strides[d] = stride;
          stride *= shape[d];
        }
        for (auto [i, s] : llvm::enumerate(strides))
          os << (i ? ", " : "") << s;
        os << "}";
      }
      os << "};\n";
    }
    os << "  _mlir_ciface_" << entryName << "(";
    for (auto [i, value] : llvm::enumerate(all))
      os << (i ? ", " : "") << "&" << value.name << "_d";
    os << ");\n}\n\n";
  }
  os << "#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n\n#endif /* "
     << guard << " */\n";
}

static FailureOr<BoundaryValue> describe(Type type, std::string name,
                                         func::FuncOp entry) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::optional<std::string> cType =
      tensor ? cTypeOf(tensor.getElementType()) : std::nullopt;
  if (!cType) {
    entry.emitError() << name << " has type " << type
                      << ", which quant-compile cannot export (ranked "
                         "tensors of integers or f32/f64 only)";
    return failure();
  }
  BoundaryValue value{name, tensor, *cType, {}};
  value.quant =
      dyn_cast<quant::UniformQuantizedType>(tensor.getElementType());
  return value;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(compileCategory);
  registerPassManagerCLOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "quant-lp ahead-of-time compiler: a model to an "
                              "object file and a C header\n");

  DialectRegistry registry;
  registerQuantLPToolDialects(registry);
  registerLLVMLoweringInterfaces(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  MLIRContext context(registry);

  std::string error;
  auto file = openInputFile(inputFilename, &error);
  if (!file)
    return fail(error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  auto lookupEntry = [&] {
    return module->lookupSymbol<func::FuncOp>(entryName);
  };
  if (!lookupEntry() || lookupEntry().isExternal())
    return fail("no function @" + entryName + " with a body in '" +
                inputFilename + "'");

  CPUPipelineOptions options;
  options.calibration = calibrationFile.getValue();
  options.weightBits = weightBits.getValue();
  options.actBits = actBits.getValue();
  options.kernels = useKernels.getValue();
  {
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return fail("invalid pass manager options");
    buildIntegerProgramPipeline(pm, options);
    if (failed(pm.run(*module)))
      return fail("the quant-lp pipeline failed on '" + inputFilename + "'");
  }

  // The signature the C caller sees, with its quantization parameters.
  func::FuncOp entry = lookupEntry();
  if (!entry)
    return fail("the quant-lp pipeline removed @" + entryName);
  SmallVector<BoundaryValue> arguments, results;
  for (auto [i, type] : llvm::enumerate(entry.getArgumentTypes())) {
    FailureOr<BoundaryValue> value = describe(type, "arg" + std::to_string(i), entry);
    if (failed(value))
      return 1;
    arguments.push_back(*value);
  }
  for (auto [i, type] : llvm::enumerate(entry.getResultTypes())) {
    FailureOr<BoundaryValue> value =
        describe(type, "result" + std::to_string(i), entry);
    if (failed(value))
      return 1;
    results.push_back(*value);
  }
  entry.setPublic();

  {
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return fail("invalid pass manager options");
    if (options.kernels)
      pm.addPass(createQLPLowerToKernels());
    pm.addPass(createQLPLowerToReference());
    pm.addPass(createCanonicalizerPass());
    addLowerToLLVMPasses(pm);
    if (failed(pm.run(*module)))
      return fail("lowering '" + inputFilename + "' to LLVM failed");
  }

  // LLVM IR for the target machine, optimized, then the object file.
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(llvm::Triple(triple), error);
  if (!target)
    return fail("no target for " + triple + ": " + error);
  std::string cpu =
      cpuName.empty() ? llvm::sys::getHostCPUName().str() : cpuName.getValue();
  std::string features;
  if (cpuName.empty()) {
    llvm::SubtargetFeatures subtarget;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      subtarget.AddFeature(feature.first(), feature.second);
    features = subtarget.getString();
  }
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      llvm::Triple(triple), cpu, features, llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt,
      static_cast<llvm::CodeGenOptLevel>(std::min(optLevel.getValue(), 3u))));
  if (!machine)
    return fail("cannot create a target machine for " + triple);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, entryName);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(machine->getTargetTriple());
  auto optimize = makeOptimizingTransformer(optLevel, 0, machine.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return fail("LLVM optimization failed: " + toString(std::move(err)));

  auto output = openOutputFile(outputFilename, &error);
  if (!output)
    return fail(error);
  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, output->os(), nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return fail("the target cannot emit object files");
  codegen.run(*llvmModule);
  output->keep();

  if (!headerFilename.empty()) {
    auto header = openOutputFile(headerFilename, &error);
    if (!header)
      return fail(error);
    writeHeader(header->os(), arguments, results);
    header->keep();
  }
  return 0;
}
