//===- QLPOps.td - quant-lp dialect umbrella and ops -------*- tablegen -*-===//
//
// Umbrella of the qlp dialect: pulls in the dialect, types and attributes,
// and defines the ops.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_QLPOPS_TD
#define QLP_DIALECT_QLPOPS_TD

include "dialect/QLPDialect.td"
include "dialect/QLPTypes.td"
include "dialect/QLPAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def QLP_I2 : I<2>;
def QLP_I4 : I<4>;

// Each constraint spells its summary out: the generated one joins the
// element types' summaries ("ranked tensor of 2-bit signless integer or
// 4-bit signless integer or a binary value in {-1, +1} values"), which is
// what verifier messages and the docs' operand tables show.

// Operand widths the matmul and conv2d kernels support (the reduction
// operands). Wider inputs are requantized down first.
def QLP_ReductionTensor : RankedTensorOf<[QLP_I2, QLP_I4, I8]> {
  let summary = "ranked tensor of i2, i4 or i8 values";
}
def QLP_BinaryTensor : RankedTensorOf<[QLP_BinaryType]> {
  let summary = "ranked tensor of !qlp.binary values";
}
def QLP_AccTensor : RankedTensorOf<[I32]> {
  let summary = "ranked tensor of i32 values";
}
// Any integer width a quantized activation can have.
def QLP_IntTensor : RankedTensorOf<[QLP_I2, QLP_I4, I8, I16, I32]> {
  let summary = "ranked tensor of i2, i4, i8, i16 or i32 values";
}
// Inputs of a rescale: accumulators and quantized activations.
def QLP_RescaleInputTensor : RankedTensorOf<[I8, I16, I32]> {
  let summary = "ranked tensor of i8, i16 or i32 values";
}
// Inputs of a residual add: at most 16 bits, so that both rescaled terms
// (each below 2^48 in magnitude) and their sum stay exact in i64.
def QLP_AddInputTensor : RankedTensorOf<[QLP_I2, QLP_I4, I8, I16]> {
  let summary = "ranked tensor of i2, i4, i8 or i16 values";
}
// Inputs of a binarization: the same widths as a rescale's.
def QLP_BinarizeInputTensor : RankedTensorOf<[I8, I16, I32]> {
  let summary = "ranked tensor of i8, i16 or i32 values";
}
def QLP_PoolTensor : RankedTensorOf<[I8, I16]> {
  let summary = "ranked tensor of i8 or i16 values";
}
def QLP_PackableTensor : RankedTensorOf<[QLP_I2, QLP_I4, QLP_BinaryType]> {
  let summary = "ranked tensor of i2, i4 or !qlp.binary values";
}
def QLP_WordTensor : RankedTensorOf<[I8, I32, I64]> {
  let summary = "ranked tensor of i8, i32 or i64 values";
}

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class QLP_PureOp<string mnemonic, list<Trait> traits = []>
    : QLP_Op<mnemonic, !listconcat([Pure], traits)> {
  let hasVerifier = 1;
}

// Ops that requantize through a dyadic scale share the zero points, clamp
// bounds and rounding mode; the exact formula is in each description.
// In the formats below, "`rounding` `` $rounding" prints one space: the
// enum attribute's printer emits its own before the keyword. "` ` `[`"
// prints the space before a bracket (`clamp [0, 6]`) that the printer
// otherwise drops, which would read as indexing (`clamp[0, 6]`).

class QLP_RequantizingOp<string mnemonic, list<Trait> traits = []>
    : QLP_PureOp<mnemonic, traits> {
  dag requantizeArgs = (ins
    DefaultValuedAttr<QLP_IntAttr, "0">:$output_zp,
    OptionalAttr<QLP_IntAttr>:$clamp_min,
    OptionalAttr<QLP_IntAttr>:$clamp_max,
    QLP_RoundingModeAttr:$rounding);
}

// Spatial attributes of 2-D windows (convolutions and pooling), NHWC.
defvar QLP_StridesAttr = DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">;
defvar QLP_DilationsAttr = DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">;
defvar QLP_PaddingAttr = DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">;

//===----------------------------------------------------------------------===//
// Requantization
//===----------------------------------------------------------------------===//

def QLP_RescaleOp : QLP_RequantizingOp<"rescale", [SameOperandsAndResultShape]> {
  let summary = "requantize an integer tensor with a dyadic scale";
  let description = [{
    Multiplies each element by a dyadic scale `m * 2^-s` and requantizes the
    result into the result element type. For an element `x` at index `c`
    along the scale's axis (any index for a per-tensor scale), with
    `(m, s)` the scale of that index:

    ```
    x' = x - input_zp                        exact, |x'| < 2^32
    p  = x' * m                              exact, |p| < 2^63
    r  = round(p / 2^s)                      by `rounding`, see below
    y  = clamp(r + output_zp, clamp_min, clamp_max)
    ```

    All steps are exact integer arithmetic: nothing wraps. `clamp_min` and
    `clamp_max` default to the range of the result type, so a result that
    lies beyond it saturates to the nearer end (an `i8` result of 300 is 127,
    never a wrapped value).

    Rounding (`floor` rounds toward minus infinity):
    * `single_round` (TOSA RESCALE `SINGLE_ROUND`): `r = floor((p + 2^(s-1)) / 2^s)`,
      ties toward plus infinity; `r = p` when `s = 0`.
    * `double_round` (TOSA RESCALE `DOUBLE_ROUND`): as `single_round` when
      `s <= 31`; when `s > 31`, `r = floor((p + 2^(s-1) + c) / 2^s)` with
      `c = 2^30` if `x' >= 0` and `c = -2^30` otherwise.
    * `tflite`: TFLite's `MultiplyByQuantizedMultiplier(x', m, 31 - s)`
      (a rounding doubling high multiply, then a rounding right shift by
      `s - 31`), evaluated without intermediate overflow. It computes the
      same function as `double_round`; it is a separate mode so that IR
      imported from TFLite states which reference it must match.

    Inside the TOSA specification's valid range these are bit-exact with
    TOSA RESCALE (`scale32`) and with TFLite; outside it quant-lp keeps the
    exact definition above.

    Example:

    ```mlir
    // y = clamp(round((x - 0) * 0.5) + 3, -128, 127)
    %y = qlp.rescale %acc scale <[1073741824], [31]> output_zp 3
        rounding double_round : tensor<16xi32> -> tensor<16xi8>
    // Per-channel scales along dimension 1, an explicit ReLU6-style clamp.
    %z = qlp.rescale %acc2 zp 0 scale <[1073741824, 1518500250], [31, 32], axis = 1>
        clamp [0, 6] rounding single_round : tensor<4x2xi32> -> tensor<4x2xi4>
    ```
  }];
  let arguments = !con((ins
    QLP_RescaleInputTensor:$input,
    DefaultValuedAttr<QLP_IntAttr, "0">:$input_zp,
    QLP_DyadicAttr:$scale), requantizeArgs);
  let results = (outs QLP_IntTensor:$output);
  let assemblyFormat = [{
    $input (`zp` $input_zp^)? `scale` $scale (`output_zp` $output_zp^)?
    (`clamp` ` ` `[` $clamp_min^ `,` $clamp_max `]`)? `rounding` `` $rounding
    attr-dict `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def QLP_AddOp : QLP_RequantizingOp<"add", [SameOperandsAndResultShape]> {
  let summary = "residual addition of two quantized tensors with dyadic alignment";
  let description = [{
    Adds two quantized tensors that have different scales, as on a residual
    path (HAWQ-V3): each input is brought to the output's scale by its own
    dyadic rescale, and the two aligned terms are added before the output
    zero point and the clamp. With `R(v, m, s)` the rounding of `v * m / 2^s`
    defined by `rounding` exactly as in `qlp.rescale`:

    ```
    a = R(lhs - lhs_zp, lhs_scale)
    b = R(rhs - rhs_zp, rhs_scale)
    y = clamp(a + b + output_zp, clamp_min, clamp_max)
    ```

    Inputs have at most 16 bits, so each term is below 2^48 in magnitude and
    the sum is exact. `clamp_min` / `clamp_max` default to the result type's
    range. Per-channel scales are allowed on either input.

    ```mlir
    %y = qlp.add %a zp -3 scale <[1073741824], [30]>, %b scale <[1518500250], [31]>
        output_zp 5 rounding single_round
        : tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
    ```
  }];
  let arguments = !con((ins
    QLP_AddInputTensor:$lhs,
    DefaultValuedAttr<QLP_IntAttr, "0">:$lhs_zp,
    QLP_DyadicAttr:$lhs_scale,
    QLP_AddInputTensor:$rhs,
    DefaultValuedAttr<QLP_IntAttr, "0">:$rhs_zp,
    QLP_DyadicAttr:$rhs_scale), requantizeArgs);
  let results = (outs QLP_IntTensor:$output);
  let assemblyFormat = [{
    $lhs (`zp` $lhs_zp^)? `scale` $lhs_scale `,`
    $rhs (`zp` $rhs_zp^)? `scale` $rhs_scale
    (`output_zp` $output_zp^)? (`clamp` ` ` `[` $clamp_min^ `,` $clamp_max `]`)?
    `rounding` `` $rounding
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
}

def QLP_ClampOp : QLP_PureOp<"clamp", [SameOperandsAndResultType]> {
  let summary = "clamp integers to a closed range";
  let description = [{
    `y = min(max(x, min), max)` elementwise, with `min <= max` both inside the
    element type's range. A quantized ReLU is a clamp at the zero point.

    ```mlir
    %y = qlp.clamp %x [-5, 127] : tensor<1x8x8x16xi8>
    ```
  }];
  let arguments = (ins QLP_IntTensor:$input, QLP_IntAttr:$min, QLP_IntAttr:$max);
  let results = (outs QLP_IntTensor:$output);
  let assemblyFormat = [{
    $input ` ` `[` $min `,` $max `]` attr-dict `:` type($input)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Integer matmul and convolution
//===----------------------------------------------------------------------===//

def QLP_MatmulOp : QLP_PureOp<"matmul"> {
  let summary = "integer matrix multiplication accumulating in i32";
  let description = [{
    `result[b, m, n] = bias[n] + sum_k (lhs[b, m, k] - lhs_zp) * (rhs[b, k, n] - rhs_zp)`
    for rank-3 (batched) operands, and the same without `b` for rank 2.
    The optional `bias` is a constant `i32` vector with one value per output
    column (0 without it).
    The operands may have different widths (`i8 x i8`, `i8 x i4`,
    `i4 x i4`, `i2`); zero points default to 0 and must fit their operand's
    type.

    The reduction dimension `K` must be static, and the verifier proves that
    the `i32` accumulator cannot overflow:
    `K * max|lhs - lhs_zp| * max|rhs - rhs_zp| + max|bias| <= 2^31 - 1`,
    where each operand maximum is taken over the operand type's range (for
    `i8` with zero point 0 it is 128).

    ```mlir
    %c = qlp.matmul %a, %w rhs_zp 0 : tensor<16x64xi8>, tensor<64x32xi4> -> tensor<16x32xi32>
    %e = qlp.matmul %a, %v bias dense<[5, -7]> : tensor<2xi32>
        : tensor<16x64xi8>, tensor<64x2xi8> -> tensor<16x2xi32>
    %d = qlp.matmul %x lhs_zp -128, %y
        : tensor<2x4x8xi8>, tensor<2x8x4xi8> -> tensor<2x4x4xi32>
    ```
  }];
  let arguments = (ins
    QLP_ReductionTensor:$lhs,
    DefaultValuedAttr<QLP_IntAttr, "0">:$lhs_zp,
    QLP_ReductionTensor:$rhs,
    DefaultValuedAttr<QLP_IntAttr, "0">:$rhs_zp,
    OptionalAttr<I32ElementsAttr>:$bias);
  let results = (outs QLP_AccTensor:$result);
  let assemblyFormat = [{
    $lhs (`lhs_zp` $lhs_zp^)? `,` $rhs (`rhs_zp` $rhs_zp^)? (`bias` $bias^)?
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def QLP_Conv2DOp : QLP_PureOp<"conv2d"> {
  let summary = "integer 2-D convolution, NHWC, accumulating in i32";
  let description = [{
    Convolves an NHWC `input` `[N, H, W, C]` with `weight`, whose dimension
    order is given by `layout`: `hwcf` is `[KH, KW, C / groups, F]` and
    `fhwc` is `[F, KH, KW, C / groups]`. The result is `[N, OH, OW, F]` in
    `i32`, with

    ```
    OH = floor((H + pad_top + pad_bottom - dil_h * (KH - 1) - 1) / stride_h) + 1
    OW = floor((W + pad_left + pad_right - dil_w * (KW - 1) - 1) / stride_w) + 1
    result[n, oh, ow, f] = sum_{kh, kw, c}
        (in(n, oh * stride_h + kh * dil_h - pad_top,
               ow * stride_w + kw * dil_w - pad_left, g * C/groups + c) - input_zp)
      * (weight(kh, kw, c, f) - weight_zp)
    ```

    plus `bias[f]` when the optional constant `i32` `bias` is present,
    where `g = f / (F / groups)` is the output channel's group and `in(...)`
    is `input_zp` outside the input, so padding contributes exactly zero.
    `padding` is `[top, bottom, left, right]`; `groups = C` with one filter
    per channel is a depthwise convolution.

    The weight shape must be static and the verifier proves the `i32`
    accumulator cannot overflow over the `KH * KW * C / groups` products and
    the bias, as for `qlp.matmul`.

    ```mlir
    %y = qlp.conv2d %x zp -128, %w layout fhwc strides [2, 2] padding [1, 1, 1, 1]
        : tensor<1x16x16x8xi8>, tensor<32x3x3x8xi4> -> tensor<1x8x8x32xi32>
    ```
  }];
  let arguments = (ins
    QLP_ReductionTensor:$input,
    DefaultValuedAttr<QLP_IntAttr, "0">:$input_zp,
    QLP_ReductionTensor:$weight,
    DefaultValuedAttr<QLP_IntAttr, "0">:$weight_zp,
    QLP_WeightLayoutAttr:$layout,
    QLP_StridesAttr:$strides,
    QLP_DilationsAttr:$dilations,
    QLP_PaddingAttr:$padding,
    DefaultValuedAttr<QLP_IntAttr, "1">:$groups,
    OptionalAttr<I32ElementsAttr>:$bias);
  let results = (outs QLP_AccTensor:$result);
  let assemblyFormat = [{
    $input (`zp` $input_zp^)? `,` $weight (`zp` $weight_zp^)? `layout` `` $layout
    (`strides` $strides^)? (`dilations` $dilations^)? (`padding` $padding^)?
    (`groups` $groups^)? (`bias` $bias^)?
    attr-dict `:` type($input) `,` type($weight) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Binary layers
//===----------------------------------------------------------------------===//

def QLP_BinarizeOp : QLP_PureOp<"binarize", [SameOperandsAndResultShape]> {
  let summary = "binarize an integer tensor by a threshold";
  let description = [{
    `y = x >= threshold ? +1 : -1` elementwise, into `!qlp.binary` (bit 0 for
    +1, bit 1 for -1). With `threshold` equal to the input's zero point this
    is the sign of the real value, with sign(0) = +1 as in XNOR-Net and Larq.
    `threshold` must lie in the input type's range.

    ```mlir
    %b = qlp.binarize %x threshold -3 : tensor<1x8x8x64xi8> -> tensor<1x8x8x64x!qlp.binary>
    ```
  }];
  let arguments = (ins QLP_BinarizeInputTensor:$input,
                       DefaultValuedAttr<QLP_IntAttr, "0">:$threshold);
  let results = (outs QLP_BinaryTensor:$output);
  let assemblyFormat = [{
    $input `threshold` $threshold attr-dict `:` type($input) `->` type($output)
  }];
}

def QLP_BinaryMatmulOp : QLP_PureOp<"binary_matmul"> {
  let summary = "xnor-popcount matrix multiplication of binary tensors";
  let description = [{
    `result[b, m, n] = sum_k lhs[b, m, k] * rhs[b, k, n]` over values in
    {-1, +1}, for rank-3 (batched) operands and the same without `b` for
    rank 2. On the bit encoding (1 encodes -1) this is
    `K - 2 * popcount(lhs_bits XOR rhs_bits)`. The result is in `[-K, K]`, in
    `i32`; `K` must be static and at most 2^31 - 1.

    ```mlir
    %c = qlp.binary_matmul %a, %w
        : tensor<16x256x!qlp.binary>, tensor<256x64x!qlp.binary> -> tensor<16x64xi32>
    ```
  }];
  let arguments = (ins QLP_BinaryTensor:$lhs, QLP_BinaryTensor:$rhs);
  let results = (outs QLP_AccTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def QLP_BinaryConv2DOp : QLP_PureOp<"binary_conv2d"> {
  let summary = "xnor-popcount 2-D convolution of binary tensors, NHWC";
  let description = [{
    The binary counterpart of `qlp.conv2d`: the same shapes, `layout`,
    `strides`, `dilations`, `padding` and `groups`, with values in {-1, +1}
    and no zero points:

    ```
    result[n, oh, ow, f] = sum_{kh, kw, c} in(n, ih, iw, g * C/groups + c) * weight(kh, kw, c, f)
    ```

    Positions outside the input read `pad_value`, which is +1 (the default,
    as Larq's "one padding") or -1. The result is in `i32`.

    ```mlir
    %y = qlp.binary_conv2d %x, %w layout fhwc padding [1, 1, 1, 1] pad_value -1
        : tensor<1x8x8x64x!qlp.binary>, tensor<32x3x3x64x!qlp.binary> -> tensor<1x8x8x32xi32>
    ```
  }];
  let arguments = (ins
    QLP_BinaryTensor:$input,
    QLP_BinaryTensor:$weight,
    QLP_WeightLayoutAttr:$layout,
    QLP_StridesAttr:$strides,
    QLP_DilationsAttr:$dilations,
    QLP_PaddingAttr:$padding,
    DefaultValuedAttr<QLP_IntAttr, "1">:$groups,
    DefaultValuedAttr<QLP_IntAttr, "1">:$pad_value);
  let results = (outs QLP_AccTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `layout` `` $layout
    (`strides` $strides^)? (`dilations` $dilations^)? (`padding` $padding^)?
    (`groups` $groups^)? (`pad_value` $pad_value^)?
    attr-dict `:` type($input) `,` type($weight) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def QLP_MaxPool2DOp : QLP_PureOp<"max_pool2d"> {
  let summary = "integer 2-D max pooling, NHWC";
  let description = [{
    `result[n, oh, ow, c]` is the maximum of `input[n, ih, iw, c]` over the
    window positions `ih = oh * stride_h + kh - pad_top`,
    `iw = ow * stride_w + kw - pad_left` (`0 <= kh < KH`, `0 <= kw < KW`)
    that lie inside the input; padded positions are ignored. Each padding is
    smaller than the kernel along its axis, so every window holds at least one
    input element. `OH = floor((H + pad_top + pad_bottom - KH) / stride_h) + 1`,
    likewise `OW`. Zero points do not matter: max commutes with the affine
    dequantization.

    ```mlir
    %y = qlp.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1]
        : tensor<1x16x16x8xi8> -> tensor<1x8x8x8xi8>
    ```
  }];
  let arguments = (ins
    QLP_IntTensor:$input,
    DenseI64ArrayAttr:$kernel,
    QLP_StridesAttr:$strides,
    QLP_PaddingAttr:$padding);
  let results = (outs QLP_IntTensor:$result);
  let assemblyFormat = [{
    $input `kernel` $kernel (`strides` $strides^)? (`padding` $padding^)?
    attr-dict `:` type($input) `->` type($result)
  }];
}

def QLP_AvgPool2DOp : QLP_PureOp<"avg_pool2d"> {
  let summary = "integer 2-D average pooling, NHWC, as TOSA AVG_POOL2D";
  let description = [{
    Averages each window over the positions inside the input (padding is not
    counted), exactly as TOSA's integer `AVG_POOL2D`:

    ```
    acc   = sum over in-bounds (ih, iw) of (input[n, ih, iw, c] - input_zp)
    count = number of in-bounds positions in the window (>= 1)
    k     = 32 - clz(count - 1)
    m     = ((2^30 + 1) << k) / count        integer division; m in [2^30, 2^31)
    r     = floor((acc * m + 2^(29 + k)) / 2^(30 + k))
    y     = clamp(r + output_zp, min(type), max(type))
    ```

    Windows are placed as in `qlp.max_pool2d`. The input and result element
    types are equal (`i8` or `i16`); the verifier proves that `acc` fits in
    `i32`.

    ```mlir
    %y = qlp.avg_pool2d %x zp -128 kernel [2, 2] strides [2, 2] output_zp -128
        : tensor<1x8x8x16xi8> -> tensor<1x4x4x16xi8>
    ```
  }];
  let arguments = (ins
    QLP_PoolTensor:$input,
    DefaultValuedAttr<QLP_IntAttr, "0">:$input_zp,
    DenseI64ArrayAttr:$kernel,
    QLP_StridesAttr:$strides,
    QLP_PaddingAttr:$padding,
    DefaultValuedAttr<QLP_IntAttr, "0">:$output_zp);
  let results = (outs QLP_PoolTensor:$result);
  let assemblyFormat = [{
    $input (`zp` $input_zp^)? `kernel` $kernel (`strides` $strides^)?
    (`padding` $padding^)? (`output_zp` $output_zp^)?
    attr-dict `:` type($input) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Sub-byte storage
//===----------------------------------------------------------------------===//

def QLP_PackOp : QLP_PureOp<"pack"> {
  let summary = "pack sub-byte values into bytes or words along one dimension";
  let description = [{
    Stores `i4` (two per `i8`, low nibble first), `i2` (four per `i8`, lowest
    bits first) or `!qlp.binary` (32 per `i32` or 64 per `i64`, least
    significant bit first, 1 encoding -1) values densely along dimension
    `axis`. Element `j` along the axis lands in word `floor(j * b / w)` at bit
    offset `(j * b) mod w`, where `b` is the value width and `w` the word
    width; `i2` / `i4` fields hold the value's two's-complement low bits.
    The packed dimension has `ceil(n * b / w)` words for `n` values, and the
    bits past the last value are zero. All other dimensions are unchanged.

    Packing a constant folds to a packed constant, so constant weights are
    packed at compile time.

    ```mlir
    %p = qlp.pack %w axis 1 : tensor<64x99xi4> -> tensor<64x50xi8>
    %q = qlp.pack %b axis 1 : tensor<16x100x!qlp.binary> -> tensor<16x4xi32>
    ```
  }];
  let arguments = (ins QLP_PackableTensor:$input, QLP_IntAttr:$axis);
  let results = (outs QLP_WordTensor:$output);
  let assemblyFormat = [{
    $input `axis` $axis attr-dict `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
}

def QLP_UnpackOp : QLP_PureOp<"unpack"> {
  let summary = "unpack sub-byte values from bytes or words along one dimension";
  let description = [{
    The inverse of `qlp.pack` with the same layout: reads `n` values along
    `axis` from `ceil(n * b / w)` words, sign-extending `i2` / `i4` fields
    and decoding binary bits (1 is -1). The result type fixes `n`, so bits
    past the last value are ignored.

    ```mlir
    %w = qlp.unpack %p axis 1 : tensor<64x50xi8> -> tensor<64x99xi4>
    ```
  }];
  let arguments = (ins QLP_WordTensor:$input, QLP_IntAttr:$axis);
  let results = (outs QLP_PackableTensor:$output);
  let assemblyFormat = [{
    $input `axis` $axis attr-dict `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
}

#endif // QLP_DIALECT_QLPOPS_TD
