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

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("JSON file of calibration ranges keyed by qlp.name")};
  PassOptions::Option<unsigned> weightBits{
      *this, "weight-bits",
      llvm::cl::desc("weight width of layers without qlp.bits"),
      llvm::cl::init(8)};
  PassOptions::Option<unsigned> actBits{
      *this, "act-bits",
      llvm::cl::desc("activation width of layers without qlp.act_bits"),
      llvm::cl::init(8)};
  PassOptions::Option<RoundingMode> rounding{
      *this, "rounding", llvm::cl::desc("rounding of the folded rescales"),
      llvm::cl::init(RoundingMode::SingleRound),
      llvm::cl::values(
          clEnumValN(RoundingMode::SingleRound, "single_round",
                     "round half up once (TOSA SINGLE_ROUND)"),
          clEnumValN(RoundingMode::DoubleRound, "double_round",
                     "TOSA DOUBLE_ROUND"),
          clEnumValN(RoundingMode::TFLite, "tflite",
                     "TFLite MultiplyByQuantizedMultiplier"))};
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

/// Adds the passes that turn any accepted input into an integer-only qlp
/// program (everything before the lowering).
void buildIntegerProgramPipeline(OpPassManager &pm,
                                 const CPUPipelineOptions &options);

/// Adds the whole CPU flow: the integer-program passes, the reference
/// lowering and, with `to-llvm`, the lowering to the LLVM dialect.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers `--qlp-cpu-pipeline`.
void registerQLPPipelines();

} // namespace qlp
} // namespace mlir

#endif // QLP_LOWERING_PIPELINES_H
