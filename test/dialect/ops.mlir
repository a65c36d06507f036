// Round trip of every qlp op, attribute, enum case and type, through the
// custom form and through the generic form.
//
// RUN: quant-opt %s | quant-opt | FileCheck %s
// RUN: quant-opt %s --mlir-print-op-generic | quant-opt | FileCheck %s

//===----------------------------------------------------------------------===//
// Attributes and types on their own
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @dyadic_and_enum_attributes
// CHECK-SAME:    attributes {
// CHECK-SAME:    double = #qlp<rounding double_round>
// CHECK-SAME:    fhwc = #qlp<layout fhwc>
// CHECK-SAME:    hwcf = #qlp<layout hwcf>
// CHECK-SAME:    per_channel = #qlp.dyadic<[1073741824, 1518500250], [31, 32], axis = 1>
// CHECK-SAME:    per_channel_axis0 = #qlp.dyadic<[1, 2147483647], [0, 62], axis = 0>
// CHECK-SAME:    per_tensor = #qlp.dyadic<[1073741824], [31]>
// CHECK-SAME:    single = #qlp<rounding single_round>
// CHECK-SAME:    tflite = #qlp<rounding tflite>
func.func @dyadic_and_enum_attributes() attributes {
    per_tensor = #qlp.dyadic<[1073741824], [31]>,
    per_channel = #qlp.dyadic<[1073741824, 1518500250], [31, 32], axis = 1>,
    per_channel_axis0 = #qlp.dyadic<[1, 2147483647], [0, 62], axis = 0>,
    single = #qlp<rounding single_round>,
    double = #qlp<rounding double_round>,
    tflite = #qlp<rounding tflite>,
    hwcf = #qlp<layout hwcf>,
    fhwc = #qlp<layout fhwc>} {
  return
}

// CHECK-LABEL: func.func @binary_type
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<4x64x!qlp.binary>,
// CHECK-SAME:    %[[Y:[a-z0-9_]+]]: tensor<?x?x!qlp.binary>)
// CHECK-SAME:    -> (tensor<4x64x!qlp.binary>, tensor<?x?x!qlp.binary>)
// CHECK-NEXT:    return %[[X]], %[[Y]] : tensor<4x64x!qlp.binary>, tensor<?x?x!qlp.binary>
func.func @binary_type(%x: tensor<4x64x!qlp.binary>, %y: tensor<?x?x!qlp.binary>)
    -> (tensor<4x64x!qlp.binary>, tensor<?x?x!qlp.binary>) {
  return %x, %y : tensor<4x64x!qlp.binary>, tensor<?x?x!qlp.binary>
}

//===----------------------------------------------------------------------===//
// qlp.rescale
//===----------------------------------------------------------------------===//

// Zero points of 0 are the defaults and are not printed.
// CHECK-LABEL: func.func @rescale_defaults_elided
// CHECK-SAME:    (%[[ACC:[a-z0-9_]+]]: tensor<16xi32>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[ACC]] scale <[1073741824], [31]> rounding single_round : tensor<16xi32> -> tensor<16xi8>
// CHECK-NEXT:    return %[[Y]]
func.func @rescale_defaults_elided(%acc: tensor<16xi32>) -> tensor<16xi8> {
  %y = qlp.rescale %acc zp 0 scale <[1073741824], [31]> output_zp 0 rounding single_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// CHECK-LABEL: func.func @rescale_all_attributes
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<2x?xi16>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[X]] zp -5 scale <[1518500250], [40]> output_zp 3 clamp [-100, 100] rounding double_round : tensor<2x?xi16> -> tensor<2x?xi8>
// CHECK-NEXT:    return %[[Y]]
func.func @rescale_all_attributes(%x: tensor<2x?xi16>) -> tensor<2x?xi8> {
  %y = qlp.rescale %x zp -5 scale <[1518500250], [40]> output_zp 3 clamp [-100, 100] rounding double_round : tensor<2x?xi16> -> tensor<2x?xi8>
  return %y : tensor<2x?xi8>
}

// CHECK-LABEL: func.func @rescale_per_channel_tflite
// CHECK-SAME:    (%[[ACC:[a-z0-9_]+]]: tensor<4x2xi32>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[ACC]] scale <[1073741824, 1518500250], [31, 32], axis = 1> clamp [0, 6] rounding tflite : tensor<4x2xi32> -> tensor<4x2xi4>
// CHECK-NEXT:    return %[[Y]]
func.func @rescale_per_channel_tflite(%acc: tensor<4x2xi32>) -> tensor<4x2xi4> {
  %y = qlp.rescale %acc scale <[1073741824, 1518500250], [31, 32], axis = 1> clamp [0, 6] rounding tflite : tensor<4x2xi32> -> tensor<4x2xi4>
  return %y : tensor<4x2xi4>
}

// Every result width: i2, i4, i8, i16, i32; i8 and i32 inputs too.
// CHECK-LABEL: func.func @rescale_result_widths
// CHECK-SAME:    (%[[ACC:[a-z0-9_]+]]: tensor<8xi32>, %[[X:[a-z0-9_]+]]: tensor<8xi8>)
// CHECK-NEXT:    %[[I2:.*]] = qlp.rescale %[[ACC]] scale <[1], [0]> output_zp -2 rounding single_round : tensor<8xi32> -> tensor<8xi2>
// CHECK-NEXT:    %[[I16:.*]] = qlp.rescale %[[X]] zp -128 scale <[3], [1]> rounding single_round : tensor<8xi8> -> tensor<8xi16>
// CHECK-NEXT:    %[[I32:.*]] = qlp.rescale %[[ACC]] zp 2147483647 scale <[2147483647], [62]> output_zp -2147483648 rounding double_round : tensor<8xi32> -> tensor<8xi32>
// CHECK-NEXT:    return %[[I2]], %[[I16]], %[[I32]]
func.func @rescale_result_widths(%acc: tensor<8xi32>, %x: tensor<8xi8>)
    -> (tensor<8xi2>, tensor<8xi16>, tensor<8xi32>) {
  %a = qlp.rescale %acc scale <[1], [0]> output_zp -2 rounding single_round : tensor<8xi32> -> tensor<8xi2>
  %b = qlp.rescale %x zp -128 scale <[3], [1]> rounding single_round : tensor<8xi8> -> tensor<8xi16>
  %c = qlp.rescale %acc zp 2147483647 scale <[2147483647], [62]> output_zp -2147483648 rounding double_round : tensor<8xi32> -> tensor<8xi32>
  return %a, %b, %c : tensor<8xi2>, tensor<8xi16>, tensor<8xi32>
}

//===----------------------------------------------------------------------===//
// qlp.add
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add_defaults_elided
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<1x8x8x16xi8>, %[[B:[a-z0-9_]+]]: tensor<1x8x8x16xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.add %[[A]] scale <[1073741824], [30]>, %[[B]] scale <[1518500250], [31]> rounding single_round : tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
// CHECK-NEXT:    return %[[Y]]
func.func @add_defaults_elided(%a: tensor<1x8x8x16xi8>, %b: tensor<1x8x8x16xi8>) -> tensor<1x8x8x16xi8> {
  %y = qlp.add %a zp 0 scale <[1073741824], [30]>, %b zp 0 scale <[1518500250], [31]> output_zp 0 rounding single_round : tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
  return %y : tensor<1x8x8x16xi8>
}

// CHECK-LABEL: func.func @add_all_attributes
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<1x8x8x16xi8>, %[[B:[a-z0-9_]+]]: tensor<1x8x8x16xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.add %[[A]] zp -3 scale <[1073741824], [30]>, %[[B]] zp 7 scale <[1518500250], [31]> output_zp 5 clamp [0, 127] rounding double_round : tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
// CHECK-NEXT:    return %[[Y]]
func.func @add_all_attributes(%a: tensor<1x8x8x16xi8>, %b: tensor<1x8x8x16xi8>) -> tensor<1x8x8x16xi8> {
  %y = qlp.add %a zp -3 scale <[1073741824], [30]>, %b zp 7 scale <[1518500250], [31]> output_zp 5 clamp [0, 127] rounding double_round : tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
  return %y : tensor<1x8x8x16xi8>
}

// Mixed input widths (i4 + i16, i2 + i8), per-channel scales on both sides.
// CHECK-LABEL: func.func @add_mixed_widths_per_channel
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<2x3xi4>, %[[B:[a-z0-9_]+]]: tensor<2x3xi16>, %[[C:[a-z0-9_]+]]: tensor<2x3xi2>, %[[D:[a-z0-9_]+]]: tensor<2x3xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.add %[[A]] scale <[1, 2, 3], [0, 1, 2], axis = 1>, %[[B]] zp -32768 scale <[5, 6], [3, 4], axis = 0> rounding tflite : tensor<2x3xi4>, tensor<2x3xi16> -> tensor<2x3xi32>
// CHECK-NEXT:    %[[Z:.*]] = qlp.add %[[C]] zp -2 scale <[1], [0]>, %[[D]] scale <[1], [0]> output_zp 1 rounding single_round : tensor<2x3xi2>, tensor<2x3xi8> -> tensor<2x3xi2>
// CHECK-NEXT:    return %[[Y]], %[[Z]]
func.func @add_mixed_widths_per_channel(%a: tensor<2x3xi4>, %b: tensor<2x3xi16>, %c: tensor<2x3xi2>, %d: tensor<2x3xi8>)
    -> (tensor<2x3xi32>, tensor<2x3xi2>) {
  %y = qlp.add %a scale <[1, 2, 3], [0, 1, 2], axis = 1>, %b zp -32768 scale <[5, 6], [3, 4], axis = 0> rounding tflite : tensor<2x3xi4>, tensor<2x3xi16> -> tensor<2x3xi32>
  %z = qlp.add %c zp -2 scale <[1], [0]>, %d scale <[1], [0]> output_zp 1 rounding single_round : tensor<2x3xi2>, tensor<2x3xi8> -> tensor<2x3xi2>
  return %y, %z : tensor<2x3xi32>, tensor<2x3xi2>
}

//===----------------------------------------------------------------------===//
// qlp.clamp
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @clamp
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x8x8x16xi8>, %[[ACC:[a-z0-9_]+]]: tensor<?xi32>, %[[Q:[a-z0-9_]+]]: tensor<4xi2>)
// CHECK-NEXT:    %[[A:.*]] = qlp.clamp %[[X]] [-5, 127] : tensor<1x8x8x16xi8>
// CHECK-NEXT:    %[[B:.*]] = qlp.clamp %[[ACC]] [-2147483648, 0] : tensor<?xi32>
// CHECK-NEXT:    %[[C:.*]] = qlp.clamp %[[Q]] [0, 0] : tensor<4xi2>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]]
func.func @clamp(%x: tensor<1x8x8x16xi8>, %acc: tensor<?xi32>, %q: tensor<4xi2>)
    -> (tensor<1x8x8x16xi8>, tensor<?xi32>, tensor<4xi2>) {
  %a = qlp.clamp %x [-5, 127] : tensor<1x8x8x16xi8>
  %b = qlp.clamp %acc [-2147483648, 0] : tensor<?xi32>
  %c = qlp.clamp %q [0, 0] : tensor<4xi2>
  return %a, %b, %c : tensor<1x8x8x16xi8>, tensor<?xi32>, tensor<4xi2>
}

//===----------------------------------------------------------------------===//
// qlp.matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_defaults_elided
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<16x64xi8>, %[[B:[a-z0-9_]+]]: tensor<64x32xi8>)
// CHECK-NEXT:    %[[C:.*]] = qlp.matmul %[[A]], %[[B]] : tensor<16x64xi8>, tensor<64x32xi8> -> tensor<16x32xi32>
// CHECK-NEXT:    return %[[C]]
func.func @matmul_defaults_elided(%a: tensor<16x64xi8>, %b: tensor<64x32xi8>) -> tensor<16x32xi32> {
  %c = qlp.matmul %a lhs_zp 0, %b rhs_zp 0 : tensor<16x64xi8>, tensor<64x32xi8> -> tensor<16x32xi32>
  return %c : tensor<16x32xi32>
}

// CHECK-LABEL: func.func @matmul_zero_points
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<16x64xi8>, %[[B:[a-z0-9_]+]]: tensor<64x32xi8>)
// CHECK-NEXT:    %[[C:.*]] = qlp.matmul %[[A]] lhs_zp -128, %[[B]] rhs_zp 127 : tensor<16x64xi8>, tensor<64x32xi8> -> tensor<16x32xi32>
// CHECK-NEXT:    %[[D:.*]] = qlp.matmul %[[A]], %[[B]] rhs_zp 3 : tensor<16x64xi8>, tensor<64x32xi8> -> tensor<16x32xi32>
// CHECK-NEXT:    return %[[C]], %[[D]]
func.func @matmul_zero_points(%a: tensor<16x64xi8>, %b: tensor<64x32xi8>) -> (tensor<16x32xi32>, tensor<16x32xi32>) {
  %c = qlp.matmul %a lhs_zp -128, %b rhs_zp 127 : tensor<16x64xi8>, tensor<64x32xi8> -> tensor<16x32xi32>
  %d = qlp.matmul %a, %b rhs_zp 3 : tensor<16x64xi8>, tensor<64x32xi8> -> tensor<16x32xi32>
  return %c, %d : tensor<16x32xi32>, tensor<16x32xi32>
}

// Mixed precision: i8 x i4, i4 x i4, i2 x i2, i4 x i2.
// CHECK-LABEL: func.func @matmul_mixed_widths
// CHECK-SAME:    (%[[A8:[a-z0-9_]+]]: tensor<16x64xi8>, %[[A4:[a-z0-9_]+]]: tensor<16x64xi4>, %[[A2:[a-z0-9_]+]]: tensor<16x64xi2>, %[[W4:[a-z0-9_]+]]: tensor<64x32xi4>, %[[W2:[a-z0-9_]+]]: tensor<64x32xi2>)
// CHECK-NEXT:    %[[C84:.*]] = qlp.matmul %[[A8]], %[[W4]] rhs_zp -8 : tensor<16x64xi8>, tensor<64x32xi4> -> tensor<16x32xi32>
// CHECK-NEXT:    %[[C44:.*]] = qlp.matmul %[[A4]] lhs_zp 7, %[[W4]] : tensor<16x64xi4>, tensor<64x32xi4> -> tensor<16x32xi32>
// CHECK-NEXT:    %[[C22:.*]] = qlp.matmul %[[A2]] lhs_zp -2, %[[W2]] rhs_zp 1 : tensor<16x64xi2>, tensor<64x32xi2> -> tensor<16x32xi32>
// CHECK-NEXT:    %[[C42:.*]] = qlp.matmul %[[A4]], %[[W2]] : tensor<16x64xi4>, tensor<64x32xi2> -> tensor<16x32xi32>
// CHECK-NEXT:    return %[[C84]], %[[C44]], %[[C22]], %[[C42]]
func.func @matmul_mixed_widths(%a8: tensor<16x64xi8>, %a4: tensor<16x64xi4>, %a2: tensor<16x64xi2>,
                               %w4: tensor<64x32xi4>, %w2: tensor<64x32xi2>)
    -> (tensor<16x32xi32>, tensor<16x32xi32>, tensor<16x32xi32>, tensor<16x32xi32>) {
  %c84 = qlp.matmul %a8, %w4 rhs_zp -8 : tensor<16x64xi8>, tensor<64x32xi4> -> tensor<16x32xi32>
  %c44 = qlp.matmul %a4 lhs_zp 7, %w4 : tensor<16x64xi4>, tensor<64x32xi4> -> tensor<16x32xi32>
  %c22 = qlp.matmul %a2 lhs_zp -2, %w2 rhs_zp 1 : tensor<16x64xi2>, tensor<64x32xi2> -> tensor<16x32xi32>
  %c42 = qlp.matmul %a4, %w2 : tensor<16x64xi4>, tensor<64x32xi2> -> tensor<16x32xi32>
  return %c84, %c44, %c22, %c42 : tensor<16x32xi32>, tensor<16x32xi32>, tensor<16x32xi32>, tensor<16x32xi32>
}

// CHECK-LABEL: func.func @matmul_batched
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<2x4x8xi8>, %[[Y:[a-z0-9_]+]]: tensor<2x8x4xi8>)
// CHECK-NEXT:    %[[C:.*]] = qlp.matmul %[[X]] lhs_zp -128, %[[Y]] : tensor<2x4x8xi8>, tensor<2x8x4xi8> -> tensor<2x4x4xi32>
// CHECK-NEXT:    return %[[C]]
func.func @matmul_batched(%x: tensor<2x4x8xi8>, %y: tensor<2x8x4xi8>) -> tensor<2x4x4xi32> {
  %c = qlp.matmul %x lhs_zp -128, %y : tensor<2x4x8xi8>, tensor<2x8x4xi8> -> tensor<2x4x4xi32>
  return %c : tensor<2x4x4xi32>
}

// Only K has to be static.
// CHECK-LABEL: func.func @matmul_dynamic_m_n_batch
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<?x?x8xi8>, %[[Y:[a-z0-9_]+]]: tensor<?x?x?xi4>)
// CHECK-NEXT:    %[[C:.*]] = qlp.matmul %[[X]], %[[Y]] : tensor<?x?x8xi8>, tensor<?x?x?xi4> -> tensor<?x?x?xi32>
// CHECK-NEXT:    return %[[C]]
func.func @matmul_dynamic_m_n_batch(%x: tensor<?x?x8xi8>, %y: tensor<?x?x?xi4>) -> tensor<?x?x?xi32> {
  %c = qlp.matmul %x, %y : tensor<?x?x8xi8>, tensor<?x?x?xi4> -> tensor<?x?x?xi32>
  return %c : tensor<?x?x?xi32>
}

// The largest K an i8 x i8 product with zero points 0 allows:
// 131072 * 128 * 128 = 2^31 would overflow, 131071 * 128 * 128 does not.
// CHECK-LABEL: func.func @matmul_largest_k
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x131071xi8>, %[[Y:[a-z0-9_]+]]: tensor<131071x1xi8>)
// CHECK-NEXT:    %[[C:.*]] = qlp.matmul %[[X]], %[[Y]] : tensor<1x131071xi8>, tensor<131071x1xi8> -> tensor<1x1xi32>
func.func @matmul_largest_k(%x: tensor<1x131071xi8>, %y: tensor<131071x1xi8>) -> tensor<1x1xi32> {
  %c = qlp.matmul %x, %y : tensor<1x131071xi8>, tensor<131071x1xi8> -> tensor<1x1xi32>
  return %c : tensor<1x1xi32>
}

//===----------------------------------------------------------------------===//
// qlp.conv2d
//===----------------------------------------------------------------------===//

// Default strides, dilations, padding, groups and zero points are elided.
// CHECK-LABEL: func.func @conv2d_defaults_elided
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x16x16x8xi8>, %[[W:[a-z0-9_]+]]: tensor<3x3x8x4xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.conv2d %[[X]], %[[W]] layout hwcf : tensor<1x16x16x8xi8>, tensor<3x3x8x4xi8> -> tensor<1x14x14x4xi32>
// CHECK-NEXT:    return %[[Y]]
func.func @conv2d_defaults_elided(%x: tensor<1x16x16x8xi8>, %w: tensor<3x3x8x4xi8>) -> tensor<1x14x14x4xi32> {
  %y = qlp.conv2d %x zp 0, %w zp 0 layout hwcf strides [1, 1] dilations [1, 1] padding [0, 0, 0, 0] groups 1 : tensor<1x16x16x8xi8>, tensor<3x3x8x4xi8> -> tensor<1x14x14x4xi32>
  return %y : tensor<1x14x14x4xi32>
}

// OH = (16 + 1 + 2 - 2 * (3 - 1) - 1) / 2 + 1 = 8,
// OW = (16 + 0 + 1 - 1 * (3 - 1) - 1) / 3 + 1 = 5.
// CHECK-LABEL: func.func @conv2d_all_attributes
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x16x16x8xi8>, %[[W:[a-z0-9_]+]]: tensor<32x3x3x4xi4>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.conv2d %[[X]] zp -128, %[[W]] zp 7 layout fhwc strides [2, 3] dilations [2, 1] padding [1, 2, 0, 1] groups 2 : tensor<1x16x16x8xi8>, tensor<32x3x3x4xi4> -> tensor<1x8x5x32xi32>
// CHECK-NEXT:    return %[[Y]]
func.func @conv2d_all_attributes(%x: tensor<1x16x16x8xi8>, %w: tensor<32x3x3x4xi4>) -> tensor<1x8x5x32xi32> {
  %y = qlp.conv2d %x zp -128, %w zp 7 layout fhwc strides [2, 3] dilations [2, 1] padding [1, 2, 0, 1] groups 2 : tensor<1x16x16x8xi8>, tensor<32x3x3x4xi4> -> tensor<1x8x5x32xi32>
  return %y : tensor<1x8x5x32xi32>
}

// Each optional piece alone.
// CHECK-LABEL: func.func @conv2d_optional_pieces
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<?x16x16x8xi4>, %[[W:[a-z0-9_]+]]: tensor<3x3x8x4xi4>, %[[V:[a-z0-9_]+]]: tensor<3x3x8x4xi2>)
// CHECK-NEXT:    %[[S:.*]] = qlp.conv2d %[[X]], %[[W]] layout hwcf strides [2, 2] : tensor<?x16x16x8xi4>, tensor<3x3x8x4xi4> -> tensor<?x7x7x4xi32>
// CHECK-NEXT:    %[[D:.*]] = qlp.conv2d %[[X]], %[[W]] layout hwcf dilations [3, 3] : tensor<?x16x16x8xi4>, tensor<3x3x8x4xi4> -> tensor<?x10x10x4xi32>
// CHECK-NEXT:    %[[P:.*]] = qlp.conv2d %[[X]] zp 1, %[[W]] layout hwcf padding [1, 1, 1, 1] : tensor<?x16x16x8xi4>, tensor<3x3x8x4xi4> -> tensor<?x16x16x4xi32>
// CHECK-NEXT:    %[[Q:.*]] = qlp.conv2d %[[X]], %[[V]] zp -1 layout hwcf : tensor<?x16x16x8xi4>, tensor<3x3x8x4xi2> -> tensor<?x14x14x4xi32>
// CHECK-NEXT:    return %[[S]], %[[D]], %[[P]], %[[Q]]
func.func @conv2d_optional_pieces(%x: tensor<?x16x16x8xi4>, %w: tensor<3x3x8x4xi4>, %v: tensor<3x3x8x4xi2>)
    -> (tensor<?x7x7x4xi32>, tensor<?x10x10x4xi32>, tensor<?x16x16x4xi32>, tensor<?x14x14x4xi32>) {
  %s = qlp.conv2d %x, %w layout hwcf strides [2, 2] : tensor<?x16x16x8xi4>, tensor<3x3x8x4xi4> -> tensor<?x7x7x4xi32>
  %d = qlp.conv2d %x, %w layout hwcf dilations [3, 3] : tensor<?x16x16x8xi4>, tensor<3x3x8x4xi4> -> tensor<?x10x10x4xi32>
  %p = qlp.conv2d %x zp 1, %w layout hwcf padding [1, 1, 1, 1] : tensor<?x16x16x8xi4>, tensor<3x3x8x4xi4> -> tensor<?x16x16x4xi32>
  %q = qlp.conv2d %x, %v zp -1 layout hwcf : tensor<?x16x16x8xi4>, tensor<3x3x8x4xi2> -> tensor<?x14x14x4xi32>
  return %s, %d, %p, %q : tensor<?x7x7x4xi32>, tensor<?x10x10x4xi32>, tensor<?x16x16x4xi32>, tensor<?x14x14x4xi32>
}

// Depthwise: groups = C = 8, one filter per channel; dynamic spatial sizes.
// CHECK-LABEL: func.func @conv2d_depthwise
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x?x?x8xi8>, %[[W:[a-z0-9_]+]]: tensor<8x3x3x1xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.conv2d %[[X]], %[[W]] layout fhwc padding [1, 1, 1, 1] groups 8 : tensor<1x?x?x8xi8>, tensor<8x3x3x1xi8> -> tensor<1x?x?x8xi32>
// CHECK-NEXT:    return %[[Y]]
func.func @conv2d_depthwise(%x: tensor<1x?x?x8xi8>, %w: tensor<8x3x3x1xi8>) -> tensor<1x?x?x8xi32> {
  %y = qlp.conv2d %x, %w layout fhwc padding [1, 1, 1, 1] groups 8 : tensor<1x?x?x8xi8>, tensor<8x3x3x1xi8> -> tensor<1x?x?x8xi32>
  return %y : tensor<1x?x?x8xi32>
}

//===----------------------------------------------------------------------===//
// Binary layers
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @binarize
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<1x8x8x64xi8>, %[[B:[a-z0-9_]+]]: tensor<?x64xi16>, %[[C:[a-z0-9_]+]]: tensor<4xi32>)
// CHECK-NEXT:    %[[X:.*]] = qlp.binarize %[[A]] threshold -3 : tensor<1x8x8x64xi8> -> tensor<1x8x8x64x!qlp.binary>
// CHECK-NEXT:    %[[Y:.*]] = qlp.binarize %[[B]] threshold 0 : tensor<?x64xi16> -> tensor<?x64x!qlp.binary>
// CHECK-NEXT:    %[[Z:.*]] = qlp.binarize %[[C]] threshold 2147483647 : tensor<4xi32> -> tensor<4x!qlp.binary>
// CHECK-NEXT:    return %[[X]], %[[Y]], %[[Z]]
func.func @binarize(%a: tensor<1x8x8x64xi8>, %b: tensor<?x64xi16>, %c: tensor<4xi32>)
    -> (tensor<1x8x8x64x!qlp.binary>, tensor<?x64x!qlp.binary>, tensor<4x!qlp.binary>) {
  %x = qlp.binarize %a threshold -3 : tensor<1x8x8x64xi8> -> tensor<1x8x8x64x!qlp.binary>
  %y = qlp.binarize %b threshold 0 : tensor<?x64xi16> -> tensor<?x64x!qlp.binary>
  %z = qlp.binarize %c threshold 2147483647 : tensor<4xi32> -> tensor<4x!qlp.binary>
  return %x, %y, %z : tensor<1x8x8x64x!qlp.binary>, tensor<?x64x!qlp.binary>, tensor<4x!qlp.binary>
}

// CHECK-LABEL: func.func @binary_matmul
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<16x256x!qlp.binary>, %[[W:[a-z0-9_]+]]: tensor<256x64x!qlp.binary>)
// CHECK-NEXT:    %[[C:.*]] = qlp.binary_matmul %[[A]], %[[W]] : tensor<16x256x!qlp.binary>, tensor<256x64x!qlp.binary> -> tensor<16x64xi32>
// CHECK-NEXT:    return %[[C]]
func.func @binary_matmul(%a: tensor<16x256x!qlp.binary>, %w: tensor<256x64x!qlp.binary>) -> tensor<16x64xi32> {
  %c = qlp.binary_matmul %a, %w : tensor<16x256x!qlp.binary>, tensor<256x64x!qlp.binary> -> tensor<16x64xi32>
  return %c : tensor<16x64xi32>
}

// K = 2^31 - 1 is the largest binary reduction.
// CHECK-LABEL: func.func @binary_matmul_batched
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<?x4x2147483647x!qlp.binary>, %[[W:[a-z0-9_]+]]: tensor<?x2147483647x?x!qlp.binary>)
// CHECK-NEXT:    %[[C:.*]] = qlp.binary_matmul %[[A]], %[[W]] : tensor<?x4x2147483647x!qlp.binary>, tensor<?x2147483647x?x!qlp.binary> -> tensor<?x4x?xi32>
// CHECK-NEXT:    return %[[C]]
func.func @binary_matmul_batched(%a: tensor<?x4x2147483647x!qlp.binary>, %w: tensor<?x2147483647x?x!qlp.binary>) -> tensor<?x4x?xi32> {
  %c = qlp.binary_matmul %a, %w : tensor<?x4x2147483647x!qlp.binary>, tensor<?x2147483647x?x!qlp.binary> -> tensor<?x4x?xi32>
  return %c : tensor<?x4x?xi32>
}

// pad_value 1 and groups 1 are the defaults and are elided.
// CHECK-LABEL: func.func @binary_conv2d_defaults_elided
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x8x8x64x!qlp.binary>, %[[W:[a-z0-9_]+]]: tensor<3x3x64x32x!qlp.binary>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.binary_conv2d %[[X]], %[[W]] layout hwcf padding [1, 1, 1, 1] : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x32x!qlp.binary> -> tensor<1x8x8x32xi32>
// CHECK-NEXT:    return %[[Y]]
func.func @binary_conv2d_defaults_elided(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x32x!qlp.binary>) -> tensor<1x8x8x32xi32> {
  %y = qlp.binary_conv2d %x, %w layout hwcf strides [1, 1] dilations [1, 1] padding [1, 1, 1, 1] groups 1 pad_value 1 : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x32x!qlp.binary> -> tensor<1x8x8x32xi32>
  return %y : tensor<1x8x8x32xi32>
}

// CHECK-LABEL: func.func @binary_conv2d_all_attributes
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x8x8x64x!qlp.binary>, %[[W:[a-z0-9_]+]]: tensor<32x3x3x32x!qlp.binary>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.binary_conv2d %[[X]], %[[W]] layout fhwc strides [2, 2] dilations [1, 2] padding [1, 1, 2, 2] groups 2 pad_value -1 : tensor<1x8x8x64x!qlp.binary>, tensor<32x3x3x32x!qlp.binary> -> tensor<1x4x4x32xi32>
// CHECK-NEXT:    return %[[Y]]
func.func @binary_conv2d_all_attributes(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<32x3x3x32x!qlp.binary>) -> tensor<1x4x4x32xi32> {
  %y = qlp.binary_conv2d %x, %w layout fhwc strides [2, 2] dilations [1, 2] padding [1, 1, 2, 2] groups 2 pad_value -1 : tensor<1x8x8x64x!qlp.binary>, tensor<32x3x3x32x!qlp.binary> -> tensor<1x4x4x32xi32>
  return %y : tensor<1x4x4x32xi32>
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @max_pool2d
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x16x16x8xi8>, %[[Q:[a-z0-9_]+]]: tensor<?x?x?x4xi4>)
// CHECK-NEXT:    %[[A:.*]] = qlp.max_pool2d %[[X]] kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : tensor<1x16x16x8xi8> -> tensor<1x8x8x8xi8>
// CHECK-NEXT:    %[[B:.*]] = qlp.max_pool2d %[[X]] kernel [2, 1] : tensor<1x16x16x8xi8> -> tensor<1x15x16x8xi8>
// CHECK-NEXT:    %[[C:.*]] = qlp.max_pool2d %[[Q]] kernel [2, 2] strides [2, 2] : tensor<?x?x?x4xi4> -> tensor<?x?x?x4xi4>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]]
func.func @max_pool2d(%x: tensor<1x16x16x8xi8>, %q: tensor<?x?x?x4xi4>)
    -> (tensor<1x8x8x8xi8>, tensor<1x15x16x8xi8>, tensor<?x?x?x4xi4>) {
  %a = qlp.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : tensor<1x16x16x8xi8> -> tensor<1x8x8x8xi8>
  %b = qlp.max_pool2d %x kernel [2, 1] strides [1, 1] padding [0, 0, 0, 0] : tensor<1x16x16x8xi8> -> tensor<1x15x16x8xi8>
  %c = qlp.max_pool2d %q kernel [2, 2] strides [2, 2] : tensor<?x?x?x4xi4> -> tensor<?x?x?x4xi4>
  return %a, %b, %c : tensor<1x8x8x8xi8>, tensor<1x15x16x8xi8>, tensor<?x?x?x4xi4>
}

// CHECK-LABEL: func.func @avg_pool2d
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x8x8x16xi8>, %[[H:[a-z0-9_]+]]: tensor<1x7x7x4xi16>)
// CHECK-NEXT:    %[[A:.*]] = qlp.avg_pool2d %[[X]] zp -128 kernel [2, 2] strides [2, 2] output_zp -128 : tensor<1x8x8x16xi8> -> tensor<1x4x4x16xi8>
// CHECK-NEXT:    %[[B:.*]] = qlp.avg_pool2d %[[X]] kernel [3, 3] : tensor<1x8x8x16xi8> -> tensor<1x6x6x16xi8>
// CHECK-NEXT:    %[[C:.*]] = qlp.avg_pool2d %[[H]] zp 5 kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] output_zp -7 : tensor<1x7x7x4xi16> -> tensor<1x4x4x4xi16>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]]
func.func @avg_pool2d(%x: tensor<1x8x8x16xi8>, %h: tensor<1x7x7x4xi16>)
    -> (tensor<1x4x4x16xi8>, tensor<1x6x6x16xi8>, tensor<1x4x4x4xi16>) {
  %a = qlp.avg_pool2d %x zp -128 kernel [2, 2] strides [2, 2] output_zp -128 : tensor<1x8x8x16xi8> -> tensor<1x4x4x16xi8>
  %b = qlp.avg_pool2d %x zp 0 kernel [3, 3] output_zp 0 : tensor<1x8x8x16xi8> -> tensor<1x6x6x16xi8>
  %c = qlp.avg_pool2d %h zp 5 kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] output_zp -7 : tensor<1x7x7x4xi16> -> tensor<1x4x4x4xi16>
  return %a, %b, %c : tensor<1x4x4x16xi8>, tensor<1x6x6x16xi8>, tensor<1x4x4x4xi16>
}

//===----------------------------------------------------------------------===//
// Sub-byte storage
//===----------------------------------------------------------------------===//

// 99 i4 values take ceil(99 * 4 / 8) = 50 bytes; 10 i2 values take 3.
// CHECK-LABEL: func.func @pack_unpack_sub_byte
// CHECK-SAME:    (%[[W:[a-z0-9_]+]]: tensor<64x99xi4>, %[[V:[a-z0-9_]+]]: tensor<10x?xi2>)
// CHECK-NEXT:    %[[P:.*]] = qlp.pack %[[W]] axis 1 : tensor<64x99xi4> -> tensor<64x50xi8>
// CHECK-NEXT:    %[[U:.*]] = qlp.unpack %[[P]] axis 1 : tensor<64x50xi8> -> tensor<64x99xi4>
// CHECK-NEXT:    %[[Q:.*]] = qlp.pack %[[V]] axis 0 : tensor<10x?xi2> -> tensor<3x?xi8>
// CHECK-NEXT:    %[[R:.*]] = qlp.unpack %[[Q]] axis 0 : tensor<3x?xi8> -> tensor<10x?xi2>
// CHECK-NEXT:    return %[[U]], %[[R]]
func.func @pack_unpack_sub_byte(%w: tensor<64x99xi4>, %v: tensor<10x?xi2>) -> (tensor<64x99xi4>, tensor<10x?xi2>) {
  %p = qlp.pack %w axis 1 : tensor<64x99xi4> -> tensor<64x50xi8>
  %u = qlp.unpack %p axis 1 : tensor<64x50xi8> -> tensor<64x99xi4>
  %q = qlp.pack %v axis 0 : tensor<10x?xi2> -> tensor<3x?xi8>
  %r = qlp.unpack %q axis 0 : tensor<3x?xi8> -> tensor<10x?xi2>
  return %u, %r : tensor<64x99xi4>, tensor<10x?xi2>
}

// 100 binary values take ceil(100 / 32) = 4 i32 words or ceil(100 / 64) = 2
// i64 words.
// CHECK-LABEL: func.func @pack_unpack_binary
// CHECK-SAME:    (%[[B:[a-z0-9_]+]]: tensor<16x100x!qlp.binary>)
// CHECK-NEXT:    %[[P32:.*]] = qlp.pack %[[B]] axis 1 : tensor<16x100x!qlp.binary> -> tensor<16x4xi32>
// CHECK-NEXT:    %[[P64:.*]] = qlp.pack %[[B]] axis 1 : tensor<16x100x!qlp.binary> -> tensor<16x2xi64>
// CHECK-NEXT:    %[[U32:.*]] = qlp.unpack %[[P32]] axis 1 : tensor<16x4xi32> -> tensor<16x100x!qlp.binary>
// CHECK-NEXT:    %[[U64:.*]] = qlp.unpack %[[P64]] axis 1 : tensor<16x2xi64> -> tensor<16x100x!qlp.binary>
// CHECK-NEXT:    return %[[U32]], %[[U64]]
func.func @pack_unpack_binary(%b: tensor<16x100x!qlp.binary>) -> (tensor<16x100x!qlp.binary>, tensor<16x100x!qlp.binary>) {
  %p32 = qlp.pack %b axis 1 : tensor<16x100x!qlp.binary> -> tensor<16x4xi32>
  %p64 = qlp.pack %b axis 1 : tensor<16x100x!qlp.binary> -> tensor<16x2xi64>
  %u32 = qlp.unpack %p32 axis 1 : tensor<16x4xi32> -> tensor<16x100x!qlp.binary>
  %u64 = qlp.unpack %p64 axis 1 : tensor<16x2xi64> -> tensor<16x100x!qlp.binary>
  return %u32, %u64 : tensor<16x100x!qlp.binary>, tensor<16x100x!qlp.binary>
}

// Sizes whose bit count n * bits exceeds 2^63 still verify: 2^62 i4 values
// are 2^61 bytes.
// CHECK-LABEL: func.func @pack_huge_static_size
// CHECK-SAME:    (%[[W:[a-z0-9_]+]]: tensor<4611686018427387904xi4>)
// CHECK-NEXT:    %[[P:.*]] = qlp.pack %[[W]] axis 0 : tensor<4611686018427387904xi4> -> tensor<2305843009213693952xi8>
// CHECK-NEXT:    return %[[P]]
func.func @pack_huge_static_size(%w: tensor<4611686018427387904xi4>) -> tensor<2305843009213693952xi8> {
  %p = qlp.pack %w axis 0 : tensor<4611686018427387904xi4> -> tensor<2305843009213693952xi8>
  return %p : tensor<2305843009213693952xi8>
}
