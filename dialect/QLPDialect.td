//===- QLPDialect.td - quant-lp dialect, op base class and enums -*- tablegen -*-===//
//
// The qlp dialect definition, the base class every qlp op derives from, and
// the closed sets (enums) that ops take as attributes.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_QLPDIALECT_TD
#define QLP_DIALECT_QLPDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def QLP_Dialect : Dialect {
  let name = "qlp";
  let cppNamespace = "::mlir::qlp";
  let summary = "integer-only, mixed-precision and binary neural-network ops";
  let description = [{
    The quant-lp (`qlp`) dialect holds the integer program that a quantized
    neural network becomes: matrix multiplications and convolutions on 8, 4,
    2 and 1-bit operands that accumulate in `i32`, requantization by dyadic
    scales (`m * 2^-s`, HAWQ-V3), xnor-popcount binary layers (XNOR-Net),
    residual additions that align both inputs' scales, clamps and pooling,
    and explicit packing of sub-byte values into bytes and words.

    qlp ops compute on plain signless integer tensors (`i2`, `i4`, `i8`, `i16`,
    `i32`) and on tensors of the `!qlp.binary` element type. Zero points and
    scales are attributes of the op, so every op's result is defined exactly
    by its operands and attributes; each op's description states that
    definition as an integer formula, including rounding and saturation.
    Float values enter and leave the integer program through upstream
    `quant.qcast` / `quant.dcast` with `!quant.uniform` types.

    Activations may have dynamic sizes (a batch, an image size, channels
    that a weight fixes). Verifiers check every size known at compile time;
    a size known only at run time must agree with the static sizes it meets,
    such as an input's channels with the weight's or a result's spatial size
    with the op's output-size formula. As for upstream linalg ops, a program
    whose run-time sizes disagree has no defined result: the lowerings add
    no run-time shape checks.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  // Folding `qlp.pack` of a constant yields a packed constant, materialized
  // as `arith.constant`.
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    void registerTypes();
    void registerAttributes();
  }];
}

class QLP_Op<string mnemonic, list<Trait> traits = []>
    : Op<QLP_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def QLP_RoundingMode : I32EnumAttr<"RoundingMode",
    "tie-breaking rule of a dyadic rescale", [
      I32EnumAttrCase<"SingleRound", 0, "single_round">,
      I32EnumAttrCase<"DoubleRound", 1, "double_round">,
      I32EnumAttrCase<"TFLite", 2, "tflite">
    ]> {
  let cppNamespace = "::mlir::qlp";
  let genSpecializedAttr = 0;
}
def QLP_RoundingModeAttr : EnumAttr<QLP_Dialect, QLP_RoundingMode, "rounding"> {
  let summary = "rounding mode of a dyadic rescale";
}

def QLP_WeightLayout : I32EnumAttr<"WeightLayout",
    "dimension order of a convolution weight", [
      // [KH, KW, C, F]: the layout of linalg.conv_2d_nhwc_hwcf.
      I32EnumAttrCase<"HWCF", 0, "hwcf">,
      // [F, KH, KW, C]: TOSA's OHWI; C is innermost, so packing sub-byte
      // values along the reduction dimension keeps them contiguous.
      I32EnumAttrCase<"FHWC", 1, "fhwc">
    ]> {
  let cppNamespace = "::mlir::qlp";
  let genSpecializedAttr = 0;
}
def QLP_WeightLayoutAttr : EnumAttr<QLP_Dialect, QLP_WeightLayout, "layout"> {
  let summary = "dimension order of a convolution weight";
}

#endif // QLP_DIALECT_QLPDIALECT_TD
