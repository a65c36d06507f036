//===- Passes.td - quant-lp transformation passes ----------*- tablegen -*-===//
//
// The passes that turn a float or already-quantized model into an
// integer-only qlp program: importers, batch-norm folding, quantization,
// scale folding, the integer-only check, and mixed-precision bit allocation.
// Their order in --qlp-cpu-pipeline is the order of this file.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_PASSES_PASSES_TD
#define QLP_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Importers
//===----------------------------------------------------------------------===//

def QLPImportLinalg : Pass<"qlp-import-linalg", "func::FuncOp"> {
  let summary = "Raise float linalg named ops on tensors to the TOSA float form";
  let description = [{
    The quantizer reads float models in one form, TOSA on tensors. This pass
    rewrites the float linalg named ops that frontends emit into the TOSA ops
    that compute the same values, so that a linalg model goes through the
    rest of the pipeline unchanged:

    * `linalg.matmul` and `linalg.batch_matmul` become `tosa.matmul`
      (with `tosa.reshape` around it for rank-2 operands);
    * `linalg.conv_2d_nhwc_hwcf` becomes `tosa.conv2d` with the constant
      weight transposed to TOSA's `[F, KH, KW, C]` at compile time, and a
      `tensor.pad` of zeros feeding it becomes the convolution's padding;
    * `linalg.depthwise_conv_2d_nhwc_hwc` and `_hwcm` become
      `tosa.depthwise_conv2d`;
    * the elementwise named ops (`linalg.add`, `sub`, `mul`, `max`, `min`)
      and `linalg.broadcast` of constants become their TOSA counterparts,
      which is the form `qlp-fold-batchnorm` recognizes.

    Integer linalg ops, and ops this pass does not list, are left as they
    are; the quantizer reports any that it cannot handle.

    Example:

    ```mlir
    %y = linalg.matmul ins(%x, %w : tensor<4x16xf32>, tensor<16x8xf32>)
                       outs(%init : tensor<4x8xf32>) -> tensor<4x8xf32>
    ```

    becomes a `tosa.matmul` of `tensor<1x4x16xf32>` by `tensor<1x16x8xf32>`
    between two `tosa.reshape` ops.
  }];
  let dependentDialects = ["tosa::TosaDialect", "tensor::TensorDialect"];
}

def QLPImportTOSA : Pass<"qlp-import-tosa", "func::FuncOp"> {
  let summary = "Import already-quantized integer TOSA into qlp, exactly";
  let description = [{
    Converts the integer TOSA ops of an int8 model (as produced by TFLite or
    torch-mlir, in the TOSA 1.0 operand forms) into the qlp ops that compute
    the same integers bit for bit:

    * `tosa.conv2d`, `tosa.depthwise_conv2d` (i8 x i8 -> i32, constant
      weights and bias, constant zero points) become `qlp.conv2d` with
      `layout fhwc` (depthwise as `groups = C`) and the bias attribute;
    * `tosa.matmul` (i8) becomes `qlp.matmul`;
    * `tosa.rescale` with constant multipliers and shifts (`scale32`,
      `SINGLE_ROUND` or `DOUBLE_ROUND`, signed input and output) becomes
      `qlp.rescale` with the same rounding mode;
    * integer `tosa.clamp`, `tosa.max_pool2d` and `tosa.avg_pool2d` become
      `qlp.clamp`, `qlp.max_pool2d` and `qlp.avg_pool2d`.

    Every other integer TOSA op (data movement, `tosa.add` on i32, ...) keeps
    its TOSA semantics and is lowered by upstream's TOSA lowering later. A
    TOSA op whose integer semantics qlp cannot reproduce exactly (for
    example `INEXACT_ROUND`, 16-bit multipliers or unsigned rescales) is an
    error naming the op, never an approximate import. Float TOSA is left for
    `qlp-quantize`.
  }];
  let dependentDialects = ["qlp::QLPDialect", "arith::ArithDialect",
                           "tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Float-model preparation and quantization
//===----------------------------------------------------------------------===//

def QLPFoldBatchNorm : Pass<"qlp-fold-batchnorm", "func::FuncOp"> {
  let summary = "Fold batch normalization into convolution and matmul weights";
  let description = [{
    Before quantization, a per-channel affine map that follows a float
    convolution or matmul with constant weights, `y = (W * x + b) * g + h`,
    is folded into the layer: `W' = W * g` (per output channel) and
    `b' = b * g + h`. The affine map is recognized as a chain of
    `tosa.mul`, `tosa.add` and `tosa.sub` with constant per-channel operands
    (shapes `[F]`, `[1, F]` or `[1, 1, 1, F]`), which includes the explicit
    inference-time batch norm `(x - mean) * rsqrt(var + eps) * gamma + beta`
    once its constant sub-expressions (`rsqrt`, `reciprocal`, ...) are
    evaluated, which this pass does. The folded layer gets the `qlp.name` and
    `qlp.range` of the last op of the chain, so calibration ranges keyed by
    the batch norm's name still apply.

    A chain is folded only when every intermediate value has this single use;
    otherwise it is left alone.
  }];
  let dependentDialects = ["tosa::TosaDialect"];
}

def QLPQuantize : Pass<"qlp-quantize", "ModuleOp"> {
  let summary = "Quantize a float TOSA model into qlp integer layers";
  let description = [{
    Replaces the float layers of every function by integer qlp ops:

    * Weights are quantized per output channel, symmetrically, at the
      layer's `qlp.bits` (the `weight-bits` option otherwise; 8, 4, 2 or 1):
      `S_w[c] = max|W[c]| / (2^(b-1) - 1)` and
      `q = clamp(round(W / S_w[c]), -(2^(b-1) - 1), 2^(b-1) - 1)`, rounding
      half away from zero. Width 1 is binary (XNOR-Net): `q = sign(W)` as
      `i2` values in {-1, +1} with `S_w[c] = mean|W[c]|`.
    * Activations are quantized per tensor, asymmetrically, at the consuming
      layer's `qlp.act_bits` (the `act-bits` option otherwise), from the
      calibration range `[min, max]` widened to contain 0:
      `S = (max - min) / (2^b - 1)`, `zp = qmin - round(min / S)`.
    * Bias becomes `i32` at scale `S_w[c] * S_x`.

    Calibration ranges are `qlp.range = array<f64: MIN, MAX>` attributes on
    function arguments and ops, or entries `"NAME": [MIN, MAX]` of the JSON
    object in the file named by `calibration`, keyed by `qlp.name` (the file
    wins). A value that needs a range and has none, an inverted range, or a
    non-finite bound is an error naming the tensor.

    Function arguments and results become `!quant.uniform` tensors, so the
    signature records how to quantize inputs and dequantize outputs. The
    float scale between an integer accumulator and the next layer's
    quantized input is left as a `quant.dcast` / `quant.qcast` chain on
    `!quant.uniform` types: `qlp-fold-scales` turns it into dyadic
    arithmetic. A float op the pass cannot quantize is an error naming it.
  }];
  let options = [
    Option<"calibration", "calibration", "std::string", /*default=*/"\"\"",
           "JSON file of calibration ranges keyed by qlp.name">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "weight width of layers without qlp.bits (8, 4, 2 or 1)">,
    Option<"actBits", "act-bits", "unsigned", /*default=*/"8",
           "activation width of layers without qlp.act_bits (8, 4 or 2)">,
  ];
  let dependentDialects = ["qlp::QLPDialect", "quant::QuantDialect",
                           "arith::ArithDialect", "tensor::TensorDialect",
                           "tosa::TosaDialect"];
}

def QLPFoldScales : Pass<"qlp-fold-scales", "ModuleOp"> {
  let summary = "Fold float scale chains into dyadic rescales";
  let description = [{
    Replaces every float scale chain that `qlp-quantize` left between
    integer values (`quant.scast` to a `!quant.uniform` type, `quant.dcast`,
    optional float `tosa.add`, `tosa.clamp`, `quant.qcast`, `quant.scast`
    back) with integer-only arithmetic:

    * a requantization becomes a `qlp.rescale` whose per-channel dyadic
      scale `m * 2^-s` is the nearest to `S_in[c] / S_out` (see
      `computeDyadicScale`); a scale that is a power of two becomes `m = 1`,
      a pure arithmetic shift;
    * a float ReLU or clamp in the chain becomes the rescale's clamp bounds;
    * a residual `tosa.add` of two dequantized values becomes `qlp.add`,
      which aligns both inputs to the output scale with their own dyadic
      rescales (HAWQ-V3's residual path);
    * two consecutive rescales merge into one when the merged one computes
      exactly the same integers.

    After this pass no float remains on the inference path; a chain it does
    not recognize is an error naming its first op.
  }];
  let options = [
    Option<"rounding", "rounding", "qlp::RoundingMode",
           /*default=*/"qlp::RoundingMode::SingleRound",
           "rounding of the generated rescales",
           [{::llvm::cl::values(
             clEnumValN(qlp::RoundingMode::SingleRound, "single_round",
                        "round half up once (TOSA SINGLE_ROUND)"),
             clEnumValN(qlp::RoundingMode::DoubleRound, "double_round",
                        "TOSA DOUBLE_ROUND"),
             clEnumValN(qlp::RoundingMode::TFLite, "tflite",
                        "TFLite MultiplyByQuantizedMultiplier"))}]>,
  ];
  let dependentDialects = ["qlp::QLPDialect", "arith::ArithDialect"];
}

def QLPVerifyIntegerOnly : Pass<"qlp-verify-integer-only", "ModuleOp"> {
  let summary = "Check that the inference path uses only integer arithmetic";
  let description = [{
    Fails, with an error at the offending op, on the first of these found in
    any function body:

    * a value of a float type (or a tensor, vector or memref of one);
    * an op of float arithmetic (`arith.addf`, `math.*`, float TOSA, ...);
    * a cast between integers and floats (`arith.sitofp`, `arith.fptosi`,
      `quant.qcast`, `quant.dcast`, ...);
    * an integer division or remainder (`arith.divsi`, `arith.remui`, ...,
      `tosa.intdiv`), which dyadic quantization never needs.

    `!quant.uniform` types are allowed: they are integer storage that only
    record a scale, and `quant.scast` only reinterprets them. The pass
    changes nothing; `--qlp-cpu-pipeline` runs it after `qlp-fold-scales`.
  }];
}

//===----------------------------------------------------------------------===//
// Mixed precision
//===----------------------------------------------------------------------===//

def QLPAllocateBits : Pass<"qlp-allocate-bits", "ModuleOp"> {
  let summary = "Choose per-layer bit widths by an exact integer linear program";
  let description = [{
    Implemented in AllocateBits.cpp; see the bit-allocation contract.
  }];
  let options = [
    ListOption<"choices", "choices", "int64_t",
               "candidate widths of layers without qlp.bit_choices (from 1, 2, 4, 8)">,
    Option<"sizeBudget", "size", "double", /*default=*/"-1.0",
           "model size budget in bytes (negative: none)">,
    Option<"sizeFrac", "size-frac", "double", /*default=*/"-1.0",
           "size budget as a fraction in [0, 1] between all-lowest and all-highest">,
    Option<"bopsBudget", "bops", "double", /*default=*/"-1.0",
           "bit-operations budget (negative: none)">,
    Option<"bopsFrac", "bops-frac", "double", /*default=*/"-1.0",
           "BOPs budget as a fraction in [0, 1]">,
    Option<"latencyBudget", "latency", "double", /*default=*/"-1.0",
           "latency budget in the units of qlp.latency (negative: none)">,
    Option<"latencyFrac", "latency-frac", "double", /*default=*/"-1.0",
           "latency budget as a fraction in [0, 1]">,
    Option<"actBits", "act-bits", "unsigned", /*default=*/"0",
           "activation width for BOPs; 0: the layer's weight width">,
    Option<"pinFirstLast", "pin-first-last", "bool", /*default=*/"false",
           "pin the first and last layers to their widest choice">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "write the JSON report to this file ('-' for stderr as text)">,
    Option<"pareto", "pareto", "unsigned", /*default=*/"0",
           "sweep the pareto budget over this many points">,
    Option<"paretoBudget", "pareto-budget", "std::string",
           /*default=*/"\"size\"", "budget swept by pareto: size, bops or latency">,
    Option<"paretoOut", "pareto-out", "std::string", /*default=*/"\"pareto\"",
           "prefix of the pareto frontier files (PREFIX.json, PREFIX.svg)">,
  ];
}

#endif // QLP_PASSES_PASSES_TD
