//===- QLPAttrs.td - quant-lp attribute definitions --------*- tablegen -*-===//
//
// Attributes of the qlp dialect: the dyadic scale, and signed integer
// attributes used for zero points and clamp bounds.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_QLPATTRS_TD
#define QLP_DIALECT_QLPATTRS_TD

include "dialect/QLPDialect.td"
include "mlir/IR/CommonAttrConstraints.td"

class QLP_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<QLP_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def QLP_DyadicAttr : QLP_Attr<"Dyadic", "dyadic"> {
  let summary = "a dyadic scale m * 2^-s, per tensor or per channel";
  let description = [{
    A dyadic number `multiplier * 2^-shift` (HAWQ-V3), the integer-only
    replacement of a real scale. `multiplier` is a positive `int32` in
    `[1, 2^31 - 1]` and `shift` is in `[0, 62]`; the lowering multiplies in
    `i64`, and a shift of 63 would discard the product's sign bit.

    Without `axis` the attribute holds one multiplier and one shift that apply
    to the whole tensor. With `axis = d` it holds one pair per index along
    dimension `d` of the tensor it scales (per-channel quantization); the op
    using it checks that dimension `d` is static and that the count matches
    it.

    ```mlir
    // 0.5 = 2^30 * 2^-31, per tensor.
    #qlp.dyadic<[1073741824], [31]>
    // Two output channels along dimension 1.
    #qlp.dyadic<[1073741824, 1518500250], [31, 32], axis = 1>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int32_t", "multipliers, in [1, 2^31 - 1]">:$multipliers,
    ArrayRefParameter<"int32_t", "right shifts, in [0, 62]">:$shifts,
    OptionalParameter<"std::optional<int64_t>", "channel dimension">:$axis
  );
  let assemblyFormat = [{
    `<` `[` $multipliers `]` `,` `[` $shifts `]` (`,` `axis` `=` $axis^)? `>`
  }];
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "int32_t":$multiplier, "int32_t":$shift), [{
      return $_get($_ctxt, ArrayRef<int32_t>{multiplier},
                   ArrayRef<int32_t>{shift}, std::nullopt);
    }]>
  ];
  let extraClassDeclaration = [{
    /// True when the attribute carries one scale per index along `axis`.
    bool isPerChannel() const { return getAxis().has_value(); }
    /// Number of (multiplier, shift) pairs.
    int64_t getNumScales() const { return getMultipliers().size(); }
    /// The scale applied at index `channel` along the axis (any index for a
    /// per-tensor scale).
    DyadicScale getScale(int64_t channel) const;
    /// Checks the scale against the type of the tensor it applies to: the
    /// axis must be a static dimension of `type` with exactly one scale per
    /// index. `what` names the scale in messages.
    LogicalResult verifyFor(ShapedType type, StringRef what,
                            function_ref<InFlightDiagnostic()> emitError) const;
  }];
}

// A signless 64-bit integer attribute read as a signed value. The builtin
// I64Attr returns uint64_t, which turns negative zero points into huge
// positive numbers at every use.
def QLP_IntAttr : TypedSignlessIntegerAttrBase<I64, "int64_t",
    "64-bit signless integer attribute read as signed"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

#endif // QLP_DIALECT_QLPATTRS_TD
