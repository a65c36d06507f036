// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-lower-to-reference)' | FileCheck %s

// qlp.matmul: the bias broadcast into the accumulator, then one reduction
// generic adding (lhs - lhs_zp) * (rhs - rhs_zp) in i32.

// CHECK-DAG:   #[[$COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[$OUT2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG:   #[[$RHS:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG:   #[[$ACC:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_bias
// CHECK-SAME:    (%[[A:.*]]: tensor<16x64xi8>, %[[W:.*]]: tensor<64x2xi4>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<16x2xi32>
// CHECK:         %[[BIAS:.*]] = arith.constant dense<[5, -7]> : tensor<2xi32>
// CHECK:         %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$COL]], #[[$OUT2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:        ins(%[[BIAS]] : tensor<2xi32>) outs(%[[E]] : tensor<16x2xi32>)
// CHECK:         %[[MM:.*]] = linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$ACC]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:        ins(%[[A]], %[[W]] : tensor<16x64xi8>, tensor<64x2xi4>) outs(%[[INIT]] : tensor<16x2xi32>)
// CHECK:         ^bb0(%[[X:.*]]: i8, %[[Y:.*]]: i4, %[[OUT:.*]]: i32):
// CHECK:           %[[X32:.*]] = arith.extsi %[[X]] : i8 to i32
// CHECK:           %[[LZP:.*]] = arith.constant -128 : i32
// CHECK:           %[[XC:.*]] = arith.subi %[[X32]], %[[LZP]] : i32
// CHECK:           %[[Y32:.*]] = arith.extsi %[[Y]] : i4 to i32
// CHECK:           %[[RZP:.*]] = arith.constant 3 : i32
// CHECK:           %[[YC:.*]] = arith.subi %[[Y32]], %[[RZP]] : i32
// CHECK:           %[[PROD:.*]] = arith.muli %[[XC]], %[[YC]] : i32
// CHECK:           %[[SUM:.*]] = arith.addi %[[OUT]], %[[PROD]] : i32
// CHECK:           linalg.yield %[[SUM]] : i32
// CHECK:         return %[[MM]]
func.func @matmul_bias(%a: tensor<16x64xi8>, %w: tensor<64x2xi4>) -> tensor<16x2xi32> {
  %e = qlp.matmul %a lhs_zp -128, %w rhs_zp 3 bias dense<[5, -7]> : tensor<2xi32>
      : tensor<16x64xi8>, tensor<64x2xi4> -> tensor<16x2xi32>
  return %e : tensor<16x2xi32>
}

// -----

// Batched, with a dynamic batch size and no bias: a zero fill.

// CHECK-DAG:   #[[$BLHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG:   #[[$BRHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG:   #[[$BOUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch_matmul_dynamic
// CHECK-SAME:    (%[[A:.*]]: tensor<?x4x8xi2>, %[[B:.*]]: tensor<?x8x3xi2>)
// CHECK:         %[[D:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x4x8xi2>
// CHECK:         %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x4x3xi32>
// CHECK:         %[[Z:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%[[E]] : tensor<?x4x3xi32>)
// CHECK:         linalg.generic {indexing_maps = [#[[$BLHS]], #[[$BRHS]], #[[$BOUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME:        outs(%[[Z]] : tensor<?x4x3xi32>)
func.func @batch_matmul_dynamic(%a: tensor<?x4x8xi2>, %b: tensor<?x8x3xi2>) -> tensor<?x4x3xi32> {
  %c = qlp.matmul %a, %b : tensor<?x4x8xi2>, tensor<?x8x3xi2> -> tensor<?x4x3xi32>
  return %c : tensor<?x4x3xi32>
}

// -----

// qlp.conv2d: tensor.pad with input_zp, then one generic over
// (n, oh, ow, f, kh, kw, c); the group of output channel f selects the
// input channels through f floordiv (F / groups).

// CHECK-DAG:   #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d4, d2 * 2 + d5, (d3 floordiv 16) * 4 + d6)>
// CHECK-DAG:   #[[$WFHWC:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3, d4, d5, d6)>
// CHECK-DAG:   #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_grouped_fhwc
// CHECK-SAME:    (%[[X:.*]]: tensor<1x16x16x8xi8>, %[[W:.*]]: tensor<32x3x3x4xi4>)
// CHECK:         %[[Z:.*]] = linalg.fill
// CHECK:         %[[ZP:.*]] = arith.constant -128 : i8
// CHECK:         %[[P:.*]] = tensor.pad %[[X]] low[0, 1, 2, 0] high[0, 0, 1, 0]
// CHECK:           tensor.yield %[[ZP]] : i8
// CHECK:         } : tensor<1x16x16x8xi8> to tensor<1x17x19x8xi8>
// CHECK:         linalg.generic {indexing_maps = [#[[$IN]], #[[$WFHWC]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME:        ins(%[[P]], %[[W]] : tensor<1x17x19x8xi8>, tensor<32x3x3x4xi4>) outs(%[[Z]] : tensor<1x8x9x32xi32>)
// CHECK:           arith.subi
// CHECK:           arith.subi
// CHECK:           arith.muli
// CHECK:           arith.addi
func.func @conv_grouped_fhwc(%x: tensor<1x16x16x8xi8>, %w: tensor<32x3x3x4xi4>) -> tensor<1x8x9x32xi32> {
  %y = qlp.conv2d %x zp -128, %w layout fhwc strides [2, 2] padding [1, 0, 2, 1] groups 2
      : tensor<1x16x16x8xi8>, tensor<32x3x3x4xi4> -> tensor<1x8x9x32xi32>
  return %y : tensor<1x8x9x32xi32>
}

// -----

// hwcf, dilations, bias, no padding (no tensor.pad), groups 1 (no floordiv).

// CHECK-DAG:   #[[$IN1:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d4 * 2, d2 + d5 * 3, d6)>
// CHECK-DAG:   #[[$WHWCF:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
// CHECK-DAG:   #[[$BCH:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @conv_dilated_bias
// CHECK-NOT:     tensor.pad
// CHECK:         arith.constant dense<[1, 2]> : tensor<2xi32>
// CHECK:         linalg.generic {indexing_maps = [#[[$BCH]], #{{.*}}]
// CHECK:         linalg.generic {indexing_maps = [#[[$IN1]], #[[$WHWCF]], #{{.*}}]
func.func @conv_dilated_bias(%x: tensor<2x7x9x3xi8>, %w: tensor<2x2x3x2xi8>) -> tensor<2x5x6x2xi32> {
  %y = qlp.conv2d %x, %w layout hwcf dilations [2, 3] bias dense<[1, 2]> : tensor<2xi32>
      : tensor<2x7x9x3xi8>, tensor<2x2x3x2xi8> -> tensor<2x5x6x2xi32>
  return %y : tensor<2x5x6x2xi32>
}

// -----

// Dynamic spatial sizes: the output size is computed from the window formula.

// CHECK-LABEL: func.func @conv_dynamic
// CHECK-SAME:    (%[[X:.*]]: tensor<1x?x8x4xi8>
// CHECK:         %[[H:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<1x?x8x4xi8>
// CHECK:         %[[PH:.*]] = arith.addi %[[H]], %{{.*}} : index
// CHECK:         %[[Q:.*]] = arith.divsi %[[PH]], %{{.*}} : index
// CHECK:         %[[OH:.*]] = arith.addi %[[Q]], %{{.*}} : index
// CHECK:         tensor.empty(%[[OH]]) : tensor<1x?x8x4xi32>
func.func @conv_dynamic(%x: tensor<1x?x8x4xi8>, %w: tensor<3x3x1x4xi8>) -> tensor<1x?x8x4xi32> {
  %y = qlp.conv2d %x, %w layout hwcf strides [2, 1] padding [1, 1, 1, 1] groups 4
      : tensor<1x?x8x4xi8>, tensor<3x3x1x4xi8> -> tensor<1x?x8x4xi32>
  return %y : tensor<1x?x8x4xi32>
}
