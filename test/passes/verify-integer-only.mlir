// Integer programs pass --qlp-verify-integer-only unchanged.
//
// RUN: quant-opt %s --qlp-verify-integer-only | FileCheck %s
// RUN: quant-opt %qlp_src_root/examples/resblock.mlir --qlp-verify-integer-only \
// RUN:   | FileCheck %s --check-prefix=RESBLOCK

// RESBLOCK-LABEL: func.func @resblock
// RESBLOCK:         qlp.conv2d
// RESBLOCK:         return

// CHECK-LABEL: func.func @integer_layer
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4xi8>)
// CHECK:         %[[W:.*]] = arith.constant
// CHECK:         %[[ACC:.*]] = qlp.matmul %[[X]] lhs_zp -3, %[[W]]
// CHECK:         %[[Y:.*]] = qlp.rescale %[[ACC]]
// CHECK:         return %[[Y]]
func.func @integer_layer(%x: tensor<1x4xi8>) -> tensor<1x2xi8> {
  %w = arith.constant dense<[[1, -2], [3, 4], [-5, 6], [7, 8]]> : tensor<4x2xi8>
  %acc = qlp.matmul %x lhs_zp -3, %w : tensor<1x4xi8>, tensor<4x2xi8> -> tensor<1x2xi32>
  %y = qlp.rescale %acc scale <[1073741824], [31]> rounding single_round
      : tensor<1x2xi32> -> tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}

// `!quant.uniform` values are integer storage; quant.scast only
// reinterprets them.
// CHECK-LABEL: func.func @quant_boundary
// CHECK:         quant.scast
// CHECK:         qlp.clamp
// CHECK:         quant.scast
func.func @quant_boundary(%x: tensor<4x!quant.uniform<i8:f32, 0.5:-3>>)
    -> tensor<4x!quant.uniform<i8:f32, 0.5:-3>> {
  %s = quant.scast %x : tensor<4x!quant.uniform<i8:f32, 0.5:-3>> to tensor<4xi8>
  %c = qlp.clamp %s [-3, 127] : tensor<4xi8>
  %q = quant.scast %c : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5:-3>>
}

// Integer TOSA left for upstream's lowering, and index arithmetic (address
// computation, not inference arithmetic) including an index division.
// CHECK-LABEL: func.func @integer_tosa_and_index
// CHECK:         tosa.add
// CHECK:         arith.divui
func.func @integer_tosa_and_index(%a: tensor<4xi32>, %b: tensor<4xi32>, %i: index)
    -> (tensor<4xi32>, index) {
  %s = tosa.add %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %c2 = arith.constant 2 : index
  %h = arith.divui %i, %c2 : index
  return %s, %h : tensor<4xi32>, index
}

// A declaration has no body to run; its float signature is not checked.
// CHECK-LABEL: func.func private @external
func.func private @external(f32) -> f32
