// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-lower-to-reference)' | FileCheck %s

// Quantized function boundaries become their storage integers; the
// quant.scast ops at the boundary disappear, and calls follow.

// CHECK-NOT:     !quant
// CHECK-LABEL: func.func @layer
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xi8>, %[[W:.*]]: tensor<8x2xi4>) -> tensor<4x2xi8>
// CHECK-NOT:     quant.scast
// CHECK:         %[[ACC:.*]] = linalg.generic
// CHECK-SAME:        ins(%[[X]], %[[W]] : tensor<4x8xi8>, tensor<8x2xi4>)
// CHECK:         %[[Y:.*]] = linalg.generic
// CHECK-SAME:        ins(%[[ACC]] : tensor<4x2xi32>)
// CHECK-NOT:     quant.scast
// CHECK:         return %[[Y]] : tensor<4x2xi8>
func.func @layer(%x: tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>>, %w: tensor<8x2xi4>)
    -> tensor<4x2x!quant.uniform<i8:f32, 0.1:4>> {
  %s = quant.scast %x : tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>> to tensor<4x8xi8>
  %acc = qlp.matmul %s lhs_zp -3, %w : tensor<4x8xi8>, tensor<8x2xi4> -> tensor<4x2xi32>
  %y = qlp.rescale %acc scale <[1717986918], [33]> output_zp 4 rounding double_round
      : tensor<4x2xi32> -> tensor<4x2xi8>
  %yq = quant.scast %y : tensor<4x2xi8> to tensor<4x2x!quant.uniform<i8:f32, 0.1:4>>
  return %yq : tensor<4x2x!quant.uniform<i8:f32, 0.1:4>>
}

// CHECK-LABEL: func.func @model
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xi8>, %[[W:.*]]: tensor<8x2xi4>) -> tensor<4x2xi8>
// CHECK:         %[[R:.*]] = call @layer(%[[X]], %[[W]]) : (tensor<4x8xi8>, tensor<8x2xi4>) -> tensor<4x2xi8>
// CHECK:         return %[[R]] : tensor<4x2xi8>
func.func @model(%x: tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>>, %w: tensor<8x2xi4>)
    -> tensor<4x2x!quant.uniform<i8:f32, 0.1:4>> {
  %r = call @layer(%x, %w) : (tensor<4x8x!quant.uniform<i8:f32, 0.05:-3>>, tensor<8x2xi4>)
      -> tensor<4x2x!quant.uniform<i8:f32, 0.1:4>>
  return %r : tensor<4x2x!quant.uniform<i8:f32, 0.1:4>>
}

// Per-axis quantized types convert to their storage type as well; a scast
// of a call result is dropped too.

// CHECK-LABEL: func.func private @weights() -> tensor<2x3xi8>
func.func private @weights() -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>

// CHECK-LABEL: func.func @use_weights
// CHECK-SAME:    () -> tensor<2x3xi8>
// CHECK:         %[[W:.*]] = call @weights() : () -> tensor<2x3xi8>
// CHECK:         %[[C:.*]] = linalg.generic
// CHECK-SAME:        ins(%[[W]] : tensor<2x3xi8>)
// CHECK:         return %[[C]] : tensor<2x3xi8>
func.func @use_weights() -> tensor<2x3xi8> {
  %w = call @weights() : () -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>
  %s = quant.scast %w : tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>> to tensor<2x3xi8>
  %c = qlp.clamp %s [-5, 5] : tensor<2x3xi8>
  return %c : tensor<2x3xi8>
}

// Casts that do not touch a boundary stay.

// CHECK-LABEL: func.func @inner_cast_kept
// CHECK:         quant.qcast
// CHECK:         quant.scast
func.func @inner_cast_kept(%f: tensor<4xf32>) -> tensor<4xi8> {
  %q = quant.qcast %f : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.5>>
  %s = quant.scast %q : tensor<4x!quant.uniform<i8:f32, 0.5>> to tensor<4xi8>
  return %s : tensor<4xi8>
}
