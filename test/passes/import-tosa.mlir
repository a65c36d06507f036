// Integer TOSA 1.0 ops become the qlp ops computing the same integers.
//
// RUN: quant-opt %s --pass-pipeline='builtin.module(func.func(qlp-import-tosa))' \
// RUN:   --split-input-file | FileCheck %s

// TOSA's OHWI weight is qlp's fhwc; pad, stride and dilation carry over, the
// zero points and the bias become attributes, and qlp.* attributes stay.
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME:    (%[[X:.*]]: tensor<1x5x5x3xi8>)
// CHECK:         %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1, 2, 3]], {{\[\[}}4, 5, 6]]], {{\[\[\[}}-1, -2, -3]], {{\[\[}}7, 8, 9]]]]> : tensor<2x2x1x3xi8>}>
// CHECK-NEXT:    %[[Y:.*]] = qlp.conv2d %[[X]] zp -128, %[[W]] zp 3 layout fhwc strides [1, 2] dilations [2, 1] padding [1, 0, 1, 1] bias dense<[10, -20]> : tensor<2xi32> {qlp.bits = 8 : i64, qlp.name = "conv1"}
// CHECK-SAME:      : tensor<1x5x5x3xi8>, tensor<2x2x1x3xi8> -> tensor<1x4x4x2xi32>
// CHECK-NEXT:    return %[[Y]]
func.func @conv2d(%x: tensor<1x5x5x3xi8>) -> tensor<1x4x4x2xi32> {
  %w = "tosa.const"() {values = dense<[[[[1, 2, 3]], [[4, 5, 6]]], [[[-1, -2, -3]], [[7, 8, 9]]]]> : tensor<2x2x1x3xi8>} : () -> tensor<2x2x1x3xi8>
  %b = "tosa.const"() {values = dense<[10, -20]> : tensor<2xi32>} : () -> tensor<2xi32>
  %izp = "tosa.const"() {values = dense<-128> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<3> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 2, 1>, pad = array<i64: 1, 0, 1, 1>, stride = array<i64: 1, 2>, qlp.name = "conv1", qlp.bits = 8 : i64}
      : (tensor<1x5x5x3xi8>, tensor<2x2x1x3xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  return %y : tensor<1x4x4x2xi32>
}

// -----

// An all-zero bias is no bias; int4 weights are accepted.
// CHECK-LABEL: func.func @conv2d_i4_zero_bias
// CHECK:         qlp.conv2d %{{.*}}, %{{.*}} layout fhwc :
// CHECK-SAME:      tensor<1x3x3x2xi8>, tensor<1x1x1x2xi4> -> tensor<1x3x3x1xi32>
// CHECK-NOT:     tosa.conv2d
func.func @conv2d_i4_zero_bias(%x: tensor<1x3x3x2xi8>) -> tensor<1x3x3x1xi32> {
  %w = "tosa.const"() {values = dense<[[[[7, -8]]]]> : tensor<1x1x1x2xi4>} : () -> tensor<1x1x1x2xi4>
  %b = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %zp8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %zp4 = "tosa.const"() {values = dense<0> : tensor<1xi4>} : () -> tensor<1xi4>
  %y = tosa.conv2d %x, %w, %b, %zp8, %zp4 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x3x3x2xi8>, tensor<1x1x1x2xi4>, tensor<1xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x3x3x1xi32>
  return %y : tensor<1x3x3x1xi32>
}

// -----

// Depthwise [KH, KW, C, M] = [1, 2, 2, 2]: output channel c * M + m gets
// filter (c, m), so the fhwc weight [C * M, KH, KW, 1] lists, per output
// channel, the taps (kw = 0, kw = 1) of w[0, kw, c, m]. A [1] bias is
// broadcast to every channel.
// CHECK-LABEL: func.func @depthwise
// CHECK-SAME:    (%[[X:.*]]: tensor<1x5x4x2xi8>)
// CHECK:         %[[W:.*]] = arith.constant dense<{{\[\[\[\[}}1], [5]]], {{\[\[\[}}2], [6]]], {{\[\[\[}}3], [7]]], {{\[\[\[}}4], [8]]]]> : tensor<4x1x2x1xi8>
// CHECK-NEXT:    %[[Y:.*]] = qlp.conv2d %[[X]] zp 1, %[[W]] zp -1 layout fhwc strides [2, 1] padding [0, 0, 0, 1] groups 2 bias dense<5> : tensor<4xi32>
// CHECK-SAME:      : tensor<1x5x4x2xi8>, tensor<4x1x2x1xi8> -> tensor<1x3x4x4xi32>
// CHECK-NOT:     tosa.const
// CHECK:         return %[[Y]]
func.func @depthwise(%x: tensor<1x5x4x2xi8>) -> tensor<1x3x4x4xi32> {
  %w = "tosa.const"() {values = dense<[[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]]> : tensor<1x2x2x2xi8>} : () -> tensor<1x2x2x2xi8>
  %b = "tosa.const"() {values = dense<5> : tensor<1xi32>} : () -> tensor<1xi32>
  %izp = "tosa.const"() {values = dense<1> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<-1> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.depthwise_conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 1>, stride = array<i64: 2, 1>}
      : (tensor<1x5x4x2xi8>, tensor<1x2x2x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x4x4xi32>
  return %y : tensor<1x3x4x4xi32>
}

// -----

// A runtime depthwise weight is reshaped, not permuted: [KH, KW, 1, C * M]
// is qlp's hwcf layout with the same element order.
// CHECK-LABEL: func.func @depthwise_runtime_weight
// CHECK-SAME:    (%[[X:.*]]: tensor<1x3x3x2xi8>, %[[W:.*]]: tensor<2x2x2x3xi8>)
// CHECK:         %[[S:.*]] = tosa.const_shape {values = dense<[2, 2, 1, 6]> : tensor<4xindex>}
// CHECK:         %[[R:.*]] = tosa.reshape %[[W]], %[[S]] : (tensor<2x2x2x3xi8>, !tosa.shape<4>) -> tensor<2x2x1x6xi8>
// CHECK:         qlp.conv2d %[[X]], %[[R]] layout hwcf groups 2 : tensor<1x3x3x2xi8>, tensor<2x2x1x6xi8> -> tensor<1x2x2x6xi32>
func.func @depthwise_runtime_weight(%x: tensor<1x3x3x2xi8>, %w: tensor<2x2x2x3xi8>) -> tensor<1x2x2x6xi32> {
  %b = "tosa.const"() {values = dense<0> : tensor<6xi32>} : () -> tensor<6xi32>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x3x3x2xi8>, tensor<2x2x2x3xi8>, tensor<6xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x6xi32>
  return %y : tensor<1x2x2x6xi32>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK-SAME:    (%[[A:.*]]: tensor<2x3x4xi8>, %[[B:.*]]: tensor<2x4x5xi8>)
// CHECK-NEXT:    %[[C:.*]] = qlp.matmul %[[A]] lhs_zp -7, %[[B]] rhs_zp 2 {qlp.name = "fc"} : tensor<2x3x4xi8>, tensor<2x4x5xi8> -> tensor<2x3x5xi32>
// CHECK-NEXT:    return %[[C]]
func.func @matmul(%a: tensor<2x3x4xi8>, %b: tensor<2x4x5xi8>) -> tensor<2x3x5xi32> {
  %azp = "tosa.const"() {values = dense<-7> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<2> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %azp, %bzp {qlp.name = "fc"} : (tensor<2x3x4xi8>, tensor<2x4x5xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x3x5xi32>
  return %c : tensor<2x3x5xi32>
}

// -----

// Per-channel scales index the innermost dimension; the rounding mode maps
// one to one.
// CHECK-LABEL: func.func @rescale_per_channel
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3xi32>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[X]] scale <[1073741824, 1518500250, 2147483647], [31, 40, 2], axis = 1> output_zp -5 rounding double_round : tensor<2x3xi32> -> tensor<2x3xi8>
// CHECK-NEXT:    return %[[Y]]
func.func @rescale_per_channel(%x: tensor<2x3xi32>) -> tensor<2x3xi8> {
  %m = "tosa.const"() {values = dense<[1073741824, 1518500250, 2147483647]> : tensor<3xi32>} : () -> tensor<3xi32>
  %s = "tosa.const"() {values = dense<[31, 40, 2]> : tensor<3xi8>} : () -> tensor<3xi8>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.rescale %x, %m, %s, %izp, %ozp {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = DOUBLE_ROUND, scale32 = true}
      : (tensor<2x3xi32>, tensor<3xi32>, tensor<3xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<2x3xi8>
  return %y : tensor<2x3xi8>
}

// -----

// i8 -> i16 with an input zero point; a 16-bit multiplier (scale32 = false)
// is TOSA's apply_scale_16, SINGLE_ROUND with that multiplier.
// CHECK-LABEL: func.func @rescale_i8_to_i16_scale16
// CHECK:         qlp.rescale %{{.*}} zp -128 scale <[16384], [14]> rounding single_round : tensor<4xi8> -> tensor<4xi16>
func.func @rescale_i8_to_i16_scale16(%x: tensor<4xi8>) -> tensor<4xi16> {
  %m = "tosa.const"() {values = dense<16384> : tensor<1xi16>} : () -> tensor<1xi16>
  %s = "tosa.const"() {values = dense<14> : tensor<1xi8>} : () -> tensor<1xi8>
  %izp = "tosa.const"() {values = dense<-128> : tensor<1xi8>} : () -> tensor<1xi8>
  %ozp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %y = tosa.rescale %x, %m, %s, %izp, %ozp {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = false}
      : (tensor<4xi8>, tensor<1xi16>, tensor<1xi8>, tensor<1xi8>, tensor<1xi16>) -> tensor<4xi16>
  return %y : tensor<4xi16>
}

// -----

// CHECK-LABEL: func.func @clamp_and_pools
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4x4x2xi8>)
// CHECK-NEXT:    %[[C:.*]] = qlp.clamp %[[X]] [-128, 6] : tensor<1x4x4x2xi8>
// CHECK-NEXT:    %[[M:.*]] = qlp.max_pool2d %[[C]] kernel [3, 3] padding [1, 1, 1, 1] : tensor<1x4x4x2xi8> -> tensor<1x4x4x2xi8>
// CHECK-NEXT:    %[[A:.*]] = qlp.avg_pool2d %[[M]] zp -128 kernel [2, 2] strides [2, 2] padding [1, 1, 1, 1] output_zp 3 : tensor<1x4x4x2xi8> -> tensor<1x3x3x2xi8>
// CHECK-NEXT:    return %[[A]]
func.func @clamp_and_pools(%x: tensor<1x4x4x2xi8>) -> tensor<1x3x3x2xi8> {
  %c = tosa.clamp %x {min_val = -128 : i8, max_val = 6 : i8} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8>
  %m = tosa.max_pool2d %c {kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8>
  %izp = "tosa.const"() {values = dense<-128> : tensor<1xi8>} : () -> tensor<1xi8>
  %ozp = "tosa.const"() {values = dense<3> : tensor<1xi8>} : () -> tensor<1xi8>
  %a = tosa.avg_pool2d %m, %izp, %ozp {acc_type = i32, kernel = array<i64: 2, 2>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi8>
  return %a : tensor<1x3x3x2xi8>
}

// -----

// `!quant.uniform` tensors compute on their storage through quant.scast.
// CHECK-LABEL: func.func @quant_types
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>)
// CHECK:         %[[S:.*]] = quant.scast %[[X]] : tensor<1x4x!quant.uniform<i8:f32, 5.000000e-01:-3>> to tensor<1x4xi8>
// CHECK:         %[[C:.*]] = qlp.clamp %[[S]] [-3, 127] : tensor<1x4xi8>
// CHECK:         %[[Q:.*]] = quant.scast %[[C]] : tensor<1x4xi8> to tensor<1x4x!quant.uniform<i8:f32, 5.000000e-01:-3>>
// CHECK:         return %[[Q]]
func.func @quant_types(%x: tensor<1x4x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5:-3>> {
  %c = tosa.clamp %x {min_val = -3 : i8, max_val = 127 : i8} : (tensor<1x4x!quant.uniform<i8:f32, 0.5:-3>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.5:-3>>
  return %c : tensor<1x4x!quant.uniform<i8:f32, 0.5:-3>>
}

// -----

// Float TOSA and integer ops without a qlp counterpart stay TOSA.
// CHECK-LABEL: func.func @left_alone
// CHECK:         tosa.matmul
// CHECK:         tosa.add
// CHECK:         tosa.clamp
// CHECK-NOT:     qlp.
func.func @left_alone(%a: tensor<1x2x3xf32>, %b: tensor<1x3x2xf32>, %i: tensor<4xi32>) -> (tensor<1x2x2xf32>, tensor<4xi32>) {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.matmul %a, %b, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  %s = tosa.add %i, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x2x2xf32>) -> tensor<1x2x2xf32>
  return %r, %s : tensor<1x2x2xf32>, tensor<4xi32>
}
