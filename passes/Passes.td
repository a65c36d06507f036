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
    rewrites the float linalg named ops that frontends emit into the TOSA 1.0
    ops that compute the same values, so that a linalg model goes through the
    rest of the pipeline unchanged:

    * `linalg.matmul` and `linalg.batch_matmul` (default indexing maps)
      become `tosa.matmul`; a rank-2 matmul is reshaped to rank 3 around it
      (`tosa.reshape` for the activation, the constant weight at compile
      time);
    * `linalg.conv_2d_nhwc_hwcf` becomes `tosa.conv2d` with the constant
      HWCF weight transposed to TOSA's OHWI `[F, KH, KW, C]` at compile time
      and a zero bias; `strides` and `dilations` carry over;
    * `linalg.depthwise_conv_2d_nhwc_hwc` and `_hwcm` become
      `tosa.depthwise_conv2d` with a `[KH, KW, C, M]` weight; the `_hwcm`
      result `[N, OH, OW, C, M]` is a `tosa.reshape` of TOSA's
      `[N, OH, OW, C * M]`;
    * the elementwise named ops `linalg.add`, `sub`, `mul`, `max` and `min`
      become `tosa.add`, `sub`, `mul` (shift 0), `maximum` and `minimum`
      (NaN-propagating, like linalg's float max/min). An operand that is a
      `linalg.broadcast` of a constant becomes that constant with size-1
      broadcast dimensions (e.g. `[1, 1, 1, C]`), which TOSA broadcasts
      implicitly: the per-channel form that `qlp-fold-batchnorm` and
      `qlp-quantize` recognize.

    Convolution padding: a `tensor.pad` of zeros on H and W feeding the
    convolution becomes its `pad`. TOSA requires the padded extent minus the
    window to divide by the stride; where linalg never reads the last rows or
    columns (a stride-2 convolution of an even-sized input), the bottom and
    right padding is reduced, or the input is cut with `tosa.slice`, so the
    output is exactly linalg's.

    Linalg contractions accumulate into their `outs` operand: a
    `linalg.fill` of zero or a `tensor.empty` init is dropped, any other init
    becomes a `tosa.add` after the TOSA op.

    Discardable `qlp.*` attributes (`qlp.name`, `qlp.range`, `qlp.bits`,
    `qlp.act_bits`, ...) move to the TOSA op that replaces the linalg op.
    Integer ops, ops with a runtime weight (the second operand of a
    matmul or convolution), mixed element types and ops this pass does not
    list are left as they are; the quantizer reports any that it cannot
    handle.

    Example:

    ```mlir
    %y = linalg.matmul {qlp.name = "fc"}
        ins(%x, %w : tensor<4x16xf32>, tensor<16x8xf32>)
        outs(%zero : tensor<4x8xf32>) -> tensor<4x8xf32>
    ```

    becomes (`%w3` is the weight as a `tensor<1x16x8xf32>` constant, `%zp` a
    float zero point)

    ```mlir
    %x3 = tosa.reshape %x, %s3 : (tensor<4x16xf32>, !tosa.shape<3>) -> tensor<1x4x16xf32>
    %y3 = tosa.matmul %x3, %w3, %zp, %zp {qlp.name = "fc"}
        : (tensor<1x4x16xf32>, tensor<1x16x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x8xf32>
    %y = tosa.reshape %y3, %s2 : (tensor<1x4x8xf32>, !tosa.shape<2>) -> tensor<4x8xf32>
    ```
  }];
  let dependentDialects = ["tosa::TosaDialect", "tensor::TensorDialect"];
}

def QLPImportTOSA : Pass<"qlp-import-tosa", "func::FuncOp"> {
  let summary = "Import already-quantized integer TOSA into qlp, exactly";
  let description = [{
    Converts the integer TOSA ops of an int8 model (as produced by TFLite or
    torch-mlir, in the TOSA 1.0 operand forms) into the qlp ops that compute
    the same integers bit for bit:

    * `tosa.conv2d` (i8 input, i8 or i4 weight, i32 result) becomes
      `qlp.conv2d` with `layout fhwc` (TOSA's OHWI), the same `pad`,
      `stride` and `dilation`, the zero points as attributes and the bias as
      its `bias` attribute (a `[1]` bias is broadcast; an all-zero bias is
      dropped);
    * `tosa.depthwise_conv2d` becomes `qlp.conv2d` with `groups = C`: a
      constant `[KH, KW, C, M]` weight is permuted at compile time to the
      fhwc weight `[C * M, KH, KW, 1]` (output channel `c * M + m`, as in
      TOSA); a runtime weight is reshaped to `[KH, KW, 1, C * M]` and used
      with `layout hwcf`, which keeps its element order;
    * `tosa.matmul` (i8 x i8 -> i32) becomes `qlp.matmul`;
    * `tosa.rescale` becomes `qlp.rescale`: `SINGLE_ROUND` ->
      `single_round`, `DOUBLE_ROUND` -> `double_round`, per-channel scales on
      the innermost dimension, zero points as attributes, saturation to the
      result type. Inputs i8, i16 or i32 and results i8, i16 or i32 (signed);
      `scale32 = false` (a 16-bit multiplier, TOSA's `apply_scale_16`) is
      `single_round` with that multiplier;
    * integer `tosa.clamp`, and `tosa.max_pool2d` / `tosa.avg_pool2d` on i8
      or i16 (avg_pool2d with an i32 accumulator: TOSA's integer
      AVG_POOL2D, which `qlp.avg_pool2d` defines step for step) become
      `qlp.clamp`, `qlp.max_pool2d` and `qlp.avg_pool2d`.

    `!quant.uniform` operands and results (signed storage) are converted
    with `quant.scast` to and from their integer storage around the qlp op.
    Discardable `qlp.*` attributes move to the qlp op.

    Every other integer TOSA op (data movement, `tosa.add` on i32, the
    i16 x i8 -> i48 convolutions, ...) keeps its TOSA semantics and is
    lowered by upstream's TOSA lowering later; float TOSA is left for
    `qlp-quantize`. An op of the forms above that qlp cannot reproduce
    exactly is an error naming the op and the reason, never an approximate
    import: `INEXACT_ROUND`, unsigned input or output, an i48 input,
    runtime multipliers, shifts, zero points or bias, a multiplier outside
    `[1, 2^31 - 1]` (TOSA allows 0), a shift outside `[0, 62]`, or a layer
    whose `i32` accumulation the qlp verifier cannot prove free of overflow.
    The pass reports every such op, then fails.

    Exactness. Inside the TOSA specification's valid range (its REQUIRE
    conditions: `|x - input_zp| < 2^(shift - 1)` and a scaled result that
    fits in i32) the imported program computes exactly what TOSA and
    upstream's lowering compute. Outside it, `qlp.rescale` keeps its exact
    definition and saturates to the correct end of the output range, where
    upstream's lowering truncates the scaled value to i32 before clamping
    (an i8 result that should be 127 can come out as -128): the import does
    not copy that.

    Example:

    ```mlir
    %y = tosa.rescale %acc, %m, %s, %izp, %ozp {input_unsigned = false,
        output_unsigned = false, per_channel = false,
        rounding_mode = DOUBLE_ROUND, scale32 = true}
        : (tensor<1x8xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>)
        -> tensor<1x8xi8>
    ```

    with constants `%m = 1073741824`, `%s = 36`, `%izp = 0`, `%ozp = -128`,
    becomes

    ```mlir
    %y = qlp.rescale %acc scale <[1073741824], [36]> output_zp -128
        rounding double_round : tensor<1x8xi32> -> tensor<1x8xi8>
    ```
  }];
  let dependentDialects = ["qlp::QLPDialect", "arith::ArithDialect",
                           "quant::QuantDialect", "tensor::TensorDialect",
                           "tosa::TosaDialect"];
}

//===----------------------------------------------------------------------===//
// Float-model preparation and quantization
//===----------------------------------------------------------------------===//

def QLPFoldBatchNorm : Pass<"qlp-fold-batchnorm", "func::FuncOp"> {
  let summary = "Fold batch normalization into convolution and matmul weights";
  let description = [{
    Before quantization, a per-channel affine map that follows a float
    layer, `y = (W * x + b) * g + h`, is folded into the layer. A layer is a
    float `tosa.conv2d`, `tosa.depthwise_conv2d` or `tosa.matmul` whose
    weight is a constant (and, for convolutions, whose bias is a constant).

    The affine map is the longest chain of `tosa.mul`, `tosa.add` and
    `tosa.sub` ops after the layer, each combining the previous value with a
    per-channel constant: a constant expression whose shape is all 1s but
    for the last dimension, which is the number of output channels `F` or 1
    (`[F]`, `[1, F]`, `[1, 1, 1, F]`, ...). Constant expressions are
    evaluated by the pass: constants, `tosa.add` / `sub` / `mul` /
    `rsqrt` / `reciprocal` / `reshape` of them, so the explicit
    inference-time batch norm `(x - mean) * rsqrt(var + eps) * gamma + beta`
    is such a chain. Walking the chain, with `c` the constant of each op:

    ```
    start:          g = 1,        h = 0
    mul by c:       g = g * c,    h = h * c
    add c:          h = h + c
    sub c (v - c):  h = h - c
    sub (c - v):    g = -g,       h = c - h
    ```

    The layer is then rewritten, per output channel `f` (dimension 0 of a
    convolution's OHWI weight, `c * M + m` of a depthwise `[KH, KW, C, M]`
    weight, the last dimension of a matmul's `[N, K, F]` weight):
    `W'[f, ...] = W[f, ...] * g[f]` and `b'[f] = b[f] * g[f] + h[f]`. A
    matmul has no bias operand: a non-zero `h` stays as one `tosa.add` of a
    `[1, 1, F]` constant, which `qlp-quantize` absorbs as the bias. All of
    this is evaluated in double precision and each new weight and bias is
    rounded once to the layer's element type, so the result differs from
    running the chain op by op only by that rounding.

    Every value inside the chain must have a single use: the chain ends at
    the first value with several uses (which is still folded), and a layer
    whose result has several uses is left alone, as is a chain whose
    operands are not per-channel constants.

    The folded layer (for a matmul with a remaining add, the add) produces
    the chain's value, so it gets the `qlp.*` attributes of the chain's last
    op, in particular `qlp.name` and `qlp.range`, so that calibration ranges
    keyed by the batch norm's name still apply. The layer's own `qlp.range`
    described its unfolded output and is dropped; its other attributes
    (`qlp.bits`, ...) stay unless the chain's last op sets them.

    Example (`%w`, `%b` constants, `%scale` and `%shift` constants of shape
    `[1, 1, 1, 16]`):

    ```mlir
    %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, ...}
    %m = tosa.mul %c, %scale, %s0
    %y = tosa.add %m, %shift {qlp.name = "bn1", qlp.range = array<f64: -4.0, 4.0>}
    ```

    becomes one `tosa.conv2d %x, %w2, %b2, %zp, %zp {..., qlp.name = "bn1",
    qlp.range = array<f64: -4.0, 4.0>}` with `%w2 = %w * scale` per filter
    and `%b2 = %b * scale + shift`.
  }];
  let statistics = [
    Statistic<"numFolded", "folded-chains",
              "Number of affine chains folded into a layer">,
  ];
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
      layer's `qlp.act_bits` (the `act-bits` option otherwise; 8, 4, 2 or 1),
      from the calibration range `[min, max]` widened to contain 0:
      `S = (max - min) / (2^b - 1)`, `zp = qmin - round(min / S)`. The width
      applies to layer inputs only; pools, residual adds and results stay
      at 8 bits.
    * Bias becomes `i32` at scale `S_w[c] * S_x`.

    **Binary layers.** A layer whose input activations are 1-bit and whose
    weights are 1-bit becomes a binary layer, as XNOR-Net and Larq define
    it:

    * its input is quantized at 8 bits as above (scale `S`, zero point `z`)
      and binarized with `qlp.binarize %x threshold z`: +1 where the real
      value is >= 0 (sign(0) = +1), -1 below. The activation scale is
      XNOR-Net's `beta = E|x|` for `x` uniform over the range the 8-bit
      activation represents, `[lo, hi] = [(-128 - z) S, (127 - z) S]` (the
      calibration range widened to contain 0):
      `beta = (lo^2 + hi^2) / (2 (hi - lo))`;
    * its weights are `sign(W)` with `alpha[c] = mean|W[c]|` per output
      channel, as `!qlp.binary` values: `qlp.unpack` of an `arith.constant`
      of `i32` words packed at compile time along the innermost reduction
      dimension (conv: the input channels of the `fhwc` weight; matmul:
      `K`) in `qlp.pack`'s layout;
    * the layer is `qlp.binary_conv2d` (padding value +1: the float layer
      pads with 0, which binarizes to +1) or `qlp.binary_matmul`; its `i32`
      accumulator lies in `[-K, K]` and its real value is
      `acc * beta * alpha[c]`. From there a binary layer is an integer layer
      with accumulator scale `beta * alpha[c]`: a following per-channel
      multiply folds into the scale and the requantization is the same
      `!quant.uniform` chain.
    * Bias: the binary ops have no bias attribute, so the bias (the layer's
      own and any following per-channel add, in accumulator units) is
      applied exactly when the accumulator is requantized: a bias equal on
      every channel `b` becomes the accumulator's zero point `-b`, which
      `qlp-fold-scales` turns into the rescale's `input_zp`; any other bias
      is an `i32` `tosa.add` of a `[1, ..., 1, C]` constant on the
      accumulator before the chain. `K + max|bias| <= 2^31 - 1` is checked,
      so the add cannot wrap.

    A layer with 1-bit activations and wider (or non-constant) weights is an
    error naming the layer. 1-bit weights with wider activations stay an
    integer layer whose weights are `i2` values in {-1, +1}.

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
           "activation width of layers without qlp.act_bits (8, 4, 2 or "
           "1; 1 makes binary layers and needs 1-bit weights)">,
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
    the signature or the body of any function with a body (nested ops
    included, in program order):

    * a value of a float type (or a tensor, vector, memref or complex of
      one): an operand, result or region argument of an op, or a function
      argument or result;
    * a cast between integers and floats (`arith.sitofp`, `arith.fptosi`,
      `arith.bitcast`, `tosa.cast`, `quant.qcast`, `quant.dcast`, ...);
    * an integer division or remainder (`arith.divsi`, `arith.ceildivsi`,
      `arith.remui`, ..., `tosa.intdiv`, integer `linalg.div`), which dyadic
      quantization never needs. Divisions of `index` values are address
      arithmetic, not inference arithmetic, and are allowed.

    `!quant.uniform` types are allowed: they are integer storage that only
    record a scale, and `quant.scast` only reinterprets them. Function
    declarations (external runtime functions) are not checked. The pass
    changes nothing; `--qlp-cpu-pipeline` runs it after `qlp-fold-scales`.

    Example: on

    ```mlir
    func.func @f(%a: tensor<4xi32>) -> tensor<4xi32> {
      %f = arith.sitofp %a : tensor<4xi32> to tensor<4xf32>
      ...
    ```

    the pass reports `'arith.sitofp' op converts 'tensor<4xi32>' to
    'tensor<4xf32>'; an integer-only program has no integer<->float casts`.
  }];
}

//===----------------------------------------------------------------------===//
// Mixed precision
//===----------------------------------------------------------------------===//

def QLPAllocateBits : Pass<"qlp-allocate-bits", "ModuleOp"> {
  let summary = "Choose per-layer bit widths by an exact integer linear program";
  let description = [{
    Chooses one weight width per quantizable layer, HAWQ-V3 style, by
    solving an integer linear program exactly with COIN-OR CBC, and writes
    it as `qlp.bits = B : i64` on every layer, which `qlp-quantize` honors.
    With `act-bits=0` it also writes `qlp.act_bits = B : i64` on every layer
    that has no `qlp.act_bits` of its own, so that a layer at 4 bits becomes
    an i4 x i4 layer (W4A4) and one at 8 bits W8A8.

    **Layers.** A quantizable layer is an op with a constant weight
    (`arith.constant` or `tosa.const`, or a `qlp.unpack` of one):
    `qlp.matmul` (rhs) and `qlp.conv2d`; `tosa.conv2d`,
    `tosa.depthwise_conv2d` and `tosa.matmul` (operand `b`); `linalg.matmul`,
    `linalg.batch_matmul`, `linalg.conv_2d_nhwc_hwcf`,
    `linalg.conv_2d_nhwc_fhwc` and `linalg.depthwise_conv_2d_nhwc_hwc` /
    `_hwcm` (second input). Its parameter count is the number of weights and
    its MACs come from the static shapes. Layers are named by `qlp.name`,
    or `OPNAME#INDEX` (program order) without one.

    **Per-layer attributes** (all optional):

    | attribute | meaning |
    |---|---|
    | `qlp.name = "stage2.conv1"` | name in reports and diagnostics |
    | `qlp.hessian_trace = 0.0686 : f64` | Hessian trace per parameter; 1.0 when absent (the report says so) |
    | `qlp.bit_choices = array<i64: 4, 8>` | candidate widths, from {1, 2, 4, 8}; the `choices` option otherwise |
    | `qlp.tie = "down2"` | layers with the same tie get the same width |
    | `qlp.latency = {b4 = 0.21 : f64, b8 = 0.36 : f64}` | measured latency per candidate width |
    | `qlp.perturbation = {b4 = 6.74 : f64, b8 = 0.0235 : f64}` | `‖Q_b(W)-W‖²` per width, overriding the measured one |
    | `qlp.bits = 8 : i64` | the layer is pinned to this width |
    | `qlp.act_bits = 4 : i64` | width of the activation feeding the layer |

    **Objective.** Minimize `sum_i Omega_i(b_i)` with
    `Omega_i(b) = hessian_trace_i * ‖Q_b(W_i) - W_i‖²`. The squared error is
    measured on the float weight with the per-channel symmetric quantizer
    of `qlp-quantize` (`quantizeWeightsPerChannel`; width 1 is XNOR-Net's
    sign with a mean-absolute scale), over the output-channel axis of the
    layer's form (`F` of a convolution, `N` of a matmul, `C * M` of a
    depthwise convolution). A layer whose weight is already integer has no
    float original to measure: it needs `qlp.perturbation`, unless it is
    pinned, in which case its Omega is a constant taken as 0.

    **Costs and budgets.** Per layer and width `b`: size `params * b` bits,
    BOPs `MACs * b * a` and latency `qlp.latency[b]`, where the activation
    width `a` is the layer's `qlp.act_bits`, else the `act-bits` option, and
    with `act-bits=0` (the default) `a = b` (HAWQ-V3's W4A4 / W8A8 pairing).
    Budgets are absolute (`size=BYTES`, `bops=COUNT`, `latency=UNITS`) or
    fractional (`size-frac=R`, ...: `all-lowest + R * (all-highest -
    all-lowest)` over each layer's candidates, R in [0, 1]), in any
    combination. A latency budget needs a `qlp.latency` table on every layer
    (a missing one is an error naming the layer), a BOPs budget needs static
    shapes. Ties and pins (`qlp.bits`, and `pin-first-last`, which pins the
    first and last layer in program order to their widest candidate) are
    constraints of the program.

    **Exactness.** Each row of the program is scaled to O(1) before CBC sees
    it, and the assignment CBC returns is checked again in unscaled
    arithmetic. A budget is met when the total is at most
    `limit + 1e-9 * max(limit, largest single cost)` (for integer sizes and
    BOPs below 10^9 this is exact). CBC proves optimality to within 1e-9 of
    the largest Omega. CBC's preprocessing is disabled: in CBC 2.10 it
    returns suboptimal assignments as "optimal" on some of these programs.
    `time-limit` bounds one solve; if CBC stops there, the best assignment
    found is used, with a warning, and the report says `"optimal": false`
    with the gap.

    **Infeasible budgets** are an error naming each budget that cannot be
    met and the smallest value it can take under the other constraints,
    found by a second program that minimizes that budget's cost. Tied layers
    without a common candidate width are an error at the layer. On any
    error no layer is changed.

    **Report.** `report=PATH` writes JSON; `report=-` prints a table on
    stderr. The JSON has `optimal` (true only when CBC proved it),
    `status`, `objective`, `best_bound`, `gap`, `solve_seconds`, `solver`,
    `layers` (each with `name`, `op`, `bits`, `act_bits`, `params`, `macs`,
    `omega`, `omega_source`, `hessian_trace`, `hessian_trace_default`,
    `pinned`, `tie`, `choices`, `size_bytes`, `bops`, `latency`), `budgets`
    (limit and use of each budget), `totals` (`size_bytes`, `bops`,
    `latency`; null when a layer lacks MACs or a latency table) and `notes`.

    **Pareto frontier.** `pareto=N` also sweeps the `pareto-budget` kind
    over N evenly spaced budgets, from the smallest feasible value under the
    other budgets to the value past which the objective stops improving,
    and writes `PREFIX.json` (budget, objective and widths of every point)
    and `PREFIX.svg` (a plot with labelled axes and marked points), where
    PREFIX is `pareto-out`. The layers still get the allocation of the
    budgets given.

    Example: two 32x32 layers (1024 weights each) with given perturbations.

    ```mlir
    %y = tosa.matmul %x, %w1, %zp, %zp {qlp.name = "fc1",
        qlp.perturbation = {b4 = 10.0 : f64, b8 = 1.0 : f64}}
        : (tensor<1x4x32xf32>, tensor<1x32x32xf32>, tensor<1xf32>, tensor<1xf32>)
        -> tensor<1x4x32xf32>
    %z = tosa.matmul %y, %w2, %zp, %zp {qlp.name = "fc2",
        qlp.perturbation = {b4 = 2.0 : f64, b8 = 1.0 : f64}}
        : (tensor<1x4x32xf32>, tensor<1x32x32xf32>, tensor<1xf32>, tensor<1xf32>)
        -> tensor<1x4x32xf32>
    ```

    All at 8 bits the layers take 2048 bytes, all at 4 bits 1024. With
    `--qlp-allocate-bits="choices=4,8 size=1600"` one layer can keep 8 bits
    (1536 bytes); keeping `fc1` costs Omega 1 + 2 = 3, keeping `fc2` costs
    10 + 1 = 11, so the pass writes

    ```mlir
    %y = tosa.matmul ... {qlp.act_bits = 8 : i64, qlp.bits = 8 : i64, qlp.name = "fc1", ...}
    %z = tosa.matmul ... {qlp.act_bits = 4 : i64, qlp.bits = 4 : i64, qlp.name = "fc2", ...}
    ```
  }];
  let options = [
    ListOption<"choices", "choices", "int64_t",
               "candidate widths of layers without qlp.bit_choices, from "
               "1, 2, 4, 8 (default 4,8)">,
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
           "write the JSON report to this file ('-': a table on stderr)">,
    Option<"pareto", "pareto", "unsigned", /*default=*/"0",
           "sweep the pareto budget over this many points">,
    Option<"paretoBudget", "pareto-budget", "std::string",
           /*default=*/"\"size\"", "budget swept by pareto: size, bops or latency">,
    Option<"paretoOut", "pareto-out", "std::string", /*default=*/"\"pareto\"",
           "prefix of the pareto frontier files (PREFIX.json, PREFIX.svg)">,
    Option<"timeLimit", "time-limit", "double", /*default=*/"60.0",
           "seconds one CBC solve may take (0: no limit); past it the best "
           "assignment found is used, with a warning">,
  ];
}

#endif // QLP_PASSES_PASSES_TD
