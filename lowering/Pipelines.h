//===- Pipelines.h - The quant-lp compilation pipelines ----------*- C++ -*-===//
//
// `--qlp-cpu-pipeline` compiles any input quant-lp accepts (a float TOSA or
// linalg model with calibration ranges, an int8 TOSA model, or qlp IR) into
// an integer-only program in the LLVM dialect:
//
//   qlp-import-linalg, qlp-import-tosa, qlp-fold-batchnorm, qlp-quantize,
//   qlp-fold-scales, canonicalize, qlp-verify-integer-only,
//   qlp-lower-to-kernels (unless kernels=false), qlp-lower-to-reference,
//   then the upstream passes to the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_PIPELINES_H
#define QLP_LOWERING_PIPELINES_H

#include "dialect/QLPDialect.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir {
namespace qlp {

/// The options of the integer-program passes, shared by both pipelines.
template <typename Derived>
struct IntegerProgramOptions : public PassPipelineOptions<Derived> {
  template <typename T>
  using Option = detail::PassOptions::Option<T>;

  Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("JSON file of calibration ranges keyed by qlp.name")};
  Option<unsigned> weightBits{
      *this, "weight-bits",
      llvm::cl::desc("weight width of layers without qlp.bits"),
      llvm::cl::init(8)};
  Option<unsigned> actBits{
      *this, "act-bits",
      llvm::cl::desc("activation width of layers without qlp.act_bits"),
      llvm::cl::init(8)};
  Option<RoundingMode> rounding{
      *this, "rounding", llvm::cl::desc("rounding of the folded rescales"),
      llvm::cl::init(RoundingMode::SingleRound),
      llvm::cl::values(
          clEnumValN(RoundingMode::SingleRound, "single_round",
                     "round half up once (TOSA SINGLE_ROUND)"),
          clEnumValN(RoundingMode::DoubleRound, "double_round",
                     "TOSA DOUBLE_ROUND"),
          clEnumValN(RoundingMode::TFLite, "tflite",
                     "TFLite MultiplyByQuantizedMultiplier"))};
};

struct CPUPipelineOptions : public IntegerProgramOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> kernels{
      *this, "kernels",
      llvm::cl::desc("run layers with constant weights on quant-lp's CPU "
                     "kernels (false: the reference lowering only, the "
                     "oracle)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> lowerToLLVM{
      *this, "to-llvm",
      llvm::cl::desc("lower to the LLVM dialect (false: stop after the "
                     "reference lowering, on tensors)"),
      llvm::cl::init(true)};
};

/// The chips `--qlp-gpu-pipeline` compiles for: INT4 tensor cores (mma.sync
/// s4) on sm_75 (m8n8k32) and sm_80/86/89 (m16n8k64), and W4A8 (int4
/// weights unpacked to int8 in registers, mma.sync s8) on sm_90.
enum class GPUChip { SM75, SM80, SM86, SM89, SM90 };

/// How gpu-module-to-binary embeds each GPU module: PTX (the CUDA driver
/// compiles it when the module is loaded; needs no CUDA toolkit), a cubin
/// (needs ptxas) or a fatbin (cubin plus PTX; needs ptxas and fatbinary).
enum class GPUBinaryFormat { PTX, Cubin, Fatbin };

struct GPUPipelineOptions : public IntegerProgramOptions<GPUPipelineOptions> {
  PassOptions::Option<GPUChip> chip{
      *this, "chip", llvm::cl::desc("the NVIDIA chip to compile for"),
      llvm::cl::init(GPUChip::SM80),
      llvm::cl::values(
          clEnumValN(GPUChip::SM75, "sm_75", "Turing: mma.sync m8n8k32 s4"),
          clEnumValN(GPUChip::SM80, "sm_80", "Ampere: mma.sync m16n8k64 s4"),
          clEnumValN(GPUChip::SM86, "sm_86", "Ampere: mma.sync m16n8k64 s4"),
          clEnumValN(GPUChip::SM89, "sm_89", "Ada: mma.sync m16n8k64 s4"),
          clEnumValN(GPUChip::SM90, "sm_90",
                     "Hopper: W4A8, mma.sync s8 on unpacked int4 weights"))};
  PassOptions::Option<GPUBinaryFormat> format{
      *this, "format",
      llvm::cl::desc("how each GPU module is embedded in the host program"),
      llvm::cl::init(GPUBinaryFormat::PTX),
      llvm::cl::values(
          clEnumValN(GPUBinaryFormat::PTX, "isa",
                     "PTX, compiled by the CUDA driver at load time"),
          clEnumValN(GPUBinaryFormat::Cubin, "bin", "a cubin (needs ptxas)"),
          clEnumValN(GPUBinaryFormat::Fatbin, "fatbin",
                     "a fatbin (needs ptxas and fatbinary)"))};
  PassOptions::Option<bool> kernels{
      *this, "kernels",
      llvm::cl::desc("run layers with constant weights on quant-lp's tensor "
                     "core kernels (false: every op through the generic "
                     "parallel-loop mapping)"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> lowerToLLVM{
      *this, "to-llvm",
      llvm::cl::desc("lower to the LLVM dialect and embed the GPU binaries "
                     "(false: stop after the GPU kernels are formed, on "
                     "memrefs with gpu.module kernels)"),
      llvm::cl::init(true)};
};

/// The chip's name as NVVM and ptxas spell it ("sm_80").
llvm::StringRef stringifyGPUChip(GPUChip chip);

/// Adds the passes that turn any accepted input into an integer-only qlp
/// program (everything before the lowering).
void buildIntegerProgramPipeline(OpPassManager &pm,
                                 const CPUPipelineOptions &options);
void buildIntegerProgramPipeline(OpPassManager &pm,
                                 const GPUPipelineOptions &options);

/// Adds the whole CPU flow: the integer-program passes, the reference
/// lowering and, with `to-llvm`, the lowering to the LLVM dialect.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Adds the whole GPU flow (`--qlp-gpu-pipeline`): the integer-program
/// passes, qlp-lower-to-gpu (with `kernels`), the reference lowering of the
/// remaining ops, bufferization, the mapping of the remaining loops to GPU
/// kernels, device buffers, and with `to-llvm` the NVVM/PTX and host LLVM
/// lowering.
void buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

/// Registers `--qlp-cpu-pipeline` and `--qlp-gpu-pipeline`.
void registerQLPPipelines();

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_PIPELINES_H
