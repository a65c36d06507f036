//===- QLPTypes.td - quant-lp type definitions -------------*- tablegen -*-===//
//
// Types of the qlp dialect: the binary element type.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_DIALECT_QLPTYPES_TD
#define QLP_DIALECT_QLPTYPES_TD

include "dialect/QLPDialect.td"

class QLP_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<QLP_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def QLP_BinaryType : QLP_Type<"Binary", "binary"> {
  let summary = "a binary value in {-1, +1}";
  let description = [{
    An element type whose values are -1 and +1, as in binary (XNOR-Net, BiT)
    layers. It is deliberately distinct from `i1`: an `i1` is a boolean in
    {0, 1} (or {0, -1} read as signed), and a binary tensor must never be
    mistaken for one.

    Bit encoding: a binary value occupies one bit, **1 encodes -1 and 0
    encodes +1**. With this encoding the product of two binary values is the
    XOR of their bits read as a binary value, so a dot product of length `K`
    is `K - 2 * popcount(a XOR b)`. `qlp.pack` stores binary values 32 per
    `i32` (or 64 per `i64`) word along one dimension, element `j` in bit
    `j mod 32` (least significant bit first).

    ```mlir
    %b = qlp.binarize %x threshold 0 : tensor<4x64xi8> -> tensor<4x64x!qlp.binary>
    ```
  }];
}

#endif // QLP_DIALECT_QLPTYPES_TD
