// RUN: quant-opt %s | quant-opt | FileCheck %s

// Float values enter and leave the integer program through upstream quant
// ops and !quant.uniform types; qlp computes on the storage integers.

// CHECK-LABEL: func.func @float_in_float_out
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x2xi4>)
// CHECK:         %[[Q:.*]] = quant.qcast %[[X]] : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 5.000000e-02:-3>>
// CHECK:         %[[S:.*]] = quant.scast %[[Q]] : tensor<4x8x!quant.uniform<i8:f32, 5.000000e-02:-3>> to tensor<4x8xi8>
// CHECK:         %[[ACC:.*]] = qlp.matmul %[[S]] lhs_zp -3, %[[W]]
// CHECK:         %[[Y:.*]] = qlp.rescale %[[ACC]] scale <[1717986918], [33]> output_zp 4 rounding double_round
// CHECK:         %[[YQ:.*]] = quant.scast %[[Y]] : tensor<4x2xi8> to tensor<4x2x!quant.uniform<i8:f32, 1.000000e-01:4>>
// CHECK:         %[[F:.*]] = quant.dcast %[[YQ]] : tensor<4x2x!quant.uniform<i8:f32, 1.000000e-01:4>> to tensor<4x2xf32>
// CHECK:         return %[[F]]
func.func @float_in_float_out(%x: tensor<4x8xf32>, %w: tensor<8x2xi4>) -> tensor<4x2xf32> {
  %q = quant.qcast %x : tensor<4x8xf32> to tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>>
  %s = quant.scast %q : tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>> to tensor<4x8xi8>
  %acc = qlp.matmul %s lhs_zp -3, %w : tensor<4x8xi8>, tensor<8x2xi4> -> tensor<4x2xi32>
  // S_x * S_w / S_y = 0.05 * 0.4 / 0.1 = 0.2, closest dyadic 1717986918 * 2^-33.
  %y = qlp.rescale %acc scale <[1717986918], [33]> output_zp 4 rounding double_round
      : tensor<4x2xi32> -> tensor<4x2xi8>
  %yq = quant.scast %y : tensor<4x2xi8> to tensor<4x2x!quant.uniform<i8:f32, 0.1:4>>
  %f = quant.dcast %yq : tensor<4x2x!quant.uniform<i8:f32, 0.1:4>> to tensor<4x2xf32>
  return %f : tensor<4x2xf32>
}
