// RUN: quant-opt %s | FileCheck %s
// CHECK-LABEL: func.func @smoke
func.func @smoke(%acc: tensor<16xi32>) -> tensor<16xi8> {
  // CHECK: qlp.rescale
  %y = qlp.rescale %acc scale <[1073741824], [31]> output_zp 3 rounding double_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}
