// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-lower-to-reference)' | FileCheck %s

// The elementwise requantizing ops become one linalg.generic computing in
// i64: center, multiply, round, add the output zero point, clamp, truncate.

// CHECK-DAG:   #[[$ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @rescale_single_round
// CHECK-SAME:    (%[[ACC:.*]]: tensor<16xi32>) -> tensor<16xi8>
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<16xi8>
// CHECK:         %[[G:.*]] = linalg.generic {indexing_maps = [#[[$ID1]], #[[$ID1]]], iterator_types = ["parallel"]}
// CHECK-SAME:        ins(%[[ACC]] : tensor<16xi32>) outs(%[[E]] : tensor<16xi8>)
// CHECK:         ^bb0(%[[X:.*]]: i32, %{{.*}}: i8):
// CHECK:           %[[X64:.*]] = arith.extsi %[[X]] : i32 to i64
// CHECK:           %[[ZP:.*]] = arith.constant 5 : i64
// CHECK:           %[[XC:.*]] = arith.subi %[[X64]], %[[ZP]] : i64
// CHECK:           %[[M:.*]] = arith.constant 1073741824 : i64
// CHECK:           %[[S:.*]] = arith.constant 31 : i64
// CHECK:           %[[P:.*]] = arith.muli %[[XC]], %[[M]] : i64
// CHECK:           %[[Q:.*]] = arith.shrsi %[[P]], %[[S]] : i64
// CHECK:           %[[R:.*]] = arith.addi %[[Q]], %{{.*}} : i64
// CHECK:           %[[OZP:.*]] = arith.constant 3 : i64
// CHECK:           %[[Y:.*]] = arith.addi %[[R]], %[[OZP]] : i64
// CHECK:           %[[LO:.*]] = arith.maxsi %[[Y]], %{{.*}} : i64
// CHECK:           %[[HI:.*]] = arith.minsi %[[LO]], %{{.*}} : i64
// CHECK:           %[[T:.*]] = arith.trunci %[[HI]] : i64 to i8
// CHECK:           linalg.yield %[[T]] : i8
// CHECK:         return %[[G]]
// CHECK-NOT:     qlp.
func.func @rescale_single_round(%acc: tensor<16xi32>) -> tensor<16xi8> {
  %y = qlp.rescale %acc zp 5 scale <[1073741824], [31]> output_zp 3
      rounding single_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

// Per-channel scales are i64 constant tensors read through (d0, d1) -> (d1);
// double_round selects the corrected rounding for shifts above 31.

// CHECK-DAG:   #[[$ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[$CH:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @rescale_per_channel_double_round
// CHECK-DAG:     %[[MS:.*]] = arith.constant dense<[1073741824, 1518500250]> : tensor<2xi64>
// CHECK-DAG:     %[[SS:.*]] = arith.constant dense<[31, 32]> : tensor<2xi64>
// CHECK:         linalg.generic {indexing_maps = [#[[$ID2]], #[[$CH]], #[[$CH]], #[[$ID2]]]
// CHECK-SAME:        ins(%{{.*}}, %[[MS]], %[[SS]] : tensor<4x2xi32>, tensor<2xi64>, tensor<2xi64>)
// CHECK:         ^bb0(%{{.*}}: i32, %[[M:.*]]: i64, %[[S:.*]]: i64, %{{.*}}: i4):
// CHECK:           arith.muli %{{.*}}, %[[M]] : i64
// CHECK:           arith.constant -1073741824 : i64
// CHECK:           %[[C31:.*]] = arith.constant 31 : i64
// CHECK:           %[[DOUBLE:.*]] = arith.cmpi sgt, %[[S]], %[[C31]] : i64
// CHECK:           arith.select %[[DOUBLE]]
// CHECK:           arith.constant 0 : i64
// CHECK:           arith.constant 6 : i64
// CHECK:           arith.trunci %{{.*}} : i64 to i4
func.func @rescale_per_channel_double_round(%acc: tensor<4x2xi32>) -> tensor<4x2xi4> {
  %z = qlp.rescale %acc scale <[1073741824, 1518500250], [31, 32], axis = 1>
      clamp [0, 6] rounding double_round : tensor<4x2xi32> -> tensor<4x2xi4>
  return %z : tensor<4x2xi4>
}

// -----

// tflite keeps gemmlowp's form: the doubling high multiply in i128.

// CHECK-LABEL: func.func @rescale_tflite
// CHECK:         linalg.generic
// CHECK:           arith.extsi %{{.*}} : i64 to i128
// CHECK:           arith.extsi %{{.*}} : i64 to i128
// CHECK:           arith.muli %{{.*}} : i128
// CHECK:           arith.shrsi %{{.*}} : i128
// CHECK:           arith.trunci %{{.*}} : i128 to i64
// CHECK:           arith.trunci %{{.*}} : i64 to i16
func.func @rescale_tflite(%acc: tensor<8xi32>) -> tensor<8xi16> {
  %y = qlp.rescale %acc scale <[1518500250], [40]> rounding tflite
      : tensor<8xi32> -> tensor<8xi16>
  return %y : tensor<8xi16>
}

// -----

// Dynamic sizes come from the input.

// CHECK-LABEL: func.func @rescale_dynamic
// CHECK-SAME:    (%[[A:.*]]: tensor<?x4xi16>)
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[D:.*]] = tensor.dim %[[A]], %[[C0]] : tensor<?x4xi16>
// CHECK:         tensor.empty(%[[D]]) : tensor<?x4xi8>
func.func @rescale_dynamic(%a: tensor<?x4xi16>) -> tensor<?x4xi8> {
  %y = qlp.rescale %a scale <[3], [1]> rounding single_round
      : tensor<?x4xi16> -> tensor<?x4xi8>
  return %y : tensor<?x4xi8>
}

// -----

// qlp.add rescales both inputs in one body and adds the terms before the
// output zero point; each input has its own scale operands.

// CHECK-DAG:   #[[$ID3:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG:   #[[$LAST:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @add_per_channel_lhs
// CHECK-SAME:    (%[[L:.*]]: tensor<1x2x2xi8>, %[[R:.*]]: tensor<1x2x2xi4>)
// CHECK:         linalg.generic {indexing_maps = [#[[$ID3]], #[[$ID3]], #[[$LAST]], #[[$LAST]], #[[$ID3]]]
// CHECK-SAME:        ins(%[[L]], %[[R]], %{{.*}}, %{{.*}} : tensor<1x2x2xi8>, tensor<1x2x2xi4>, tensor<2xi64>, tensor<2xi64>)
// CHECK:         ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i4, %{{.*}}: i64, %{{.*}}: i64, %{{.*}}: i8):
// CHECK:           arith.extsi %[[A]] : i8 to i64
// CHECK:           arith.constant -3 : i64
// CHECK:           %[[TA:.*]] = arith.addi
// CHECK:           arith.extsi %[[B]] : i4 to i64
// CHECK:           %[[TB:.*]] = arith.addi
// CHECK:           %[[SUM:.*]] = arith.addi %[[TA]], %[[TB]] : i64
// CHECK:           arith.addi %[[SUM]], %{{.*}} : i64
// CHECK:           arith.trunci %{{.*}} : i64 to i8
func.func @add_per_channel_lhs(%a: tensor<1x2x2xi8>, %b: tensor<1x2x2xi4>) -> tensor<1x2x2xi8> {
  %y = qlp.add %a zp -3 scale <[1073741824, 3], [30, 1], axis = 2>, %b scale <[1518500250], [31]>
      output_zp 5 rounding single_round
      : tensor<1x2x2xi8>, tensor<1x2x2xi4> -> tensor<1x2x2xi8>
  return %y : tensor<1x2x2xi8>
}

// -----

// CHECK-LABEL: func.func @clamp
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[X:.*]]: i4, %{{.*}}: i4):
// CHECK:           %[[LO:.*]] = arith.constant -5 : i4
// CHECK:           %[[MAX:.*]] = arith.maxsi %[[X]], %[[LO]] : i4
// CHECK:           %[[HI:.*]] = arith.constant 3 : i4
// CHECK:           %[[MIN:.*]] = arith.minsi %[[MAX]], %[[HI]] : i4
// CHECK:           linalg.yield %[[MIN]] : i4
func.func @clamp(%x: tensor<8xi4>) -> tensor<8xi4> {
  %y = qlp.clamp %x [-5, 3] : tensor<8xi4>
  return %y : tensor<8xi4>
}
