// RUN: quant-opt %s --split-input-file --qlp-quantize | FileCheck %s

// Conv + bias + ReLU. Input range [-1, 1] at 8 bits: S_x = 2/255, zp 0.
// Channel 0, W = [0.5, -0.25]: S_w = 0.5/127, q = [127, round(-63.5) = -64]
// (ties away from zero); bias 0.1 / (S_w * S_x) = 3238.5 -> 3239.
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[ARG:.*]]: tensor<1x4x4x2x!quant.uniform<i8:f32, 0.0078431372549019607>> {qlp.range
// CHECK-SAME: -> tensor<1x4x4x3x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
// CHECK: %[[X:.*]] = quant.scast %[[ARG]] : {{.*}} to tensor<1x4x4x2xi8>
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[127, -64\]\]\], \[\[\[127, 16\]\]\], \[\[\[-127, 51\]\]\]\]}}> : tensor<3x1x1x2xi8>
// CHECK: %[[ACC:.*]] = qlp.conv2d %[[X]], %[[W]] layout fhwc bias dense<[3239, -3239, 0]> : tensor<3xi32>
// CHECK: %[[Q:.*]] = quant.scast %[[ACC]] : tensor<1x4x4x3xi32> to tensor<1x4x4x3x!quant.uniform<i32:f32:3, {3.0878493129535278E-5,6.1756986259070556E-5,4.6317739694302917E-5}>>
// CHECK: %[[F:.*]] = quant.dcast %[[Q]]
// CHECK: %[[R:.*]] = tosa.clamp %[[F]] {max_val = 6.000000e+00 : f32, min_val = 0.000000e+00 : f32
// CHECK: %[[O:.*]] = quant.qcast %[[R]] : tensor<1x4x4x3xf32> to tensor<1x4x4x3x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
// CHECK: %[[I:.*]] = quant.scast %[[O]] {{.*}} to tensor<1x4x4x3xi8>
// CHECK: %[[RET:.*]] = quant.scast %[[I]] : tensor<1x4x4x3xi8> to tensor<1x4x4x3x!quant.uniform<i8:f32, 0.0078431372549019607:-128>>
// CHECK: return %[[RET]]
// CHECK-NOT: tosa.conv2d
func.func @conv_relu(%x: tensor<1x4x4x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x4x4x3xf32> {
  %w = "tosa.const"() {values = dense<[[[[0.5, -0.25]]], [[[1.0, 0.125]]], [[[-0.75, 0.3]]]]> : tensor<3x1x1x2xf32>} : () -> tensor<3x1x1x2xf32>
  %b = "tosa.const"() {values = dense<[0.1, -0.2, 0.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x1x1x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 6.0 : f32, qlp.range = array<f64: 0.0, 2.0>} : (tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32>
  return %r : tensor<1x4x4x3xf32>
}

// -----

// qlp.bits = 4 gives i4 weights in [-7, 7]; qlp.act_bits = 4 on the layer
// makes its input an i4 activation: range [0, 1.5] -> S = 0.1, zp = -8.
// A depthwise conv becomes a grouped conv2d (groups = C, [C*M, KH, KW, 1]).
// CHECK-LABEL: func.func @depthwise_i4
// CHECK-SAME: tensor<1x3x3x2x!quant.uniform<i4:f32, 1.000000e-01:-8>>
// CHECK: quant.scast %{{.*}} to tensor<1x3x3x2xi4>
// CHECK: arith.constant dense<{{\[\[\[\[7\], \[-7\]\], \[\[4\], \[0\]\]\], \[\[\[2\], \[7\]\], \[\[-7\], \[-4\]\]\]\]}}> : tensor<2x2x2x1xi4>
// CHECK: qlp.conv2d %{{.*}} zp -8, %{{.*}} layout fhwc groups 2 bias dense<0> : tensor<2xi32>
// CHECK-SAME: tensor<1x3x3x2xi4>, tensor<2x2x2x1xi4> -> tensor<1x2x2x2xi32>
func.func @depthwise_i4(%x: tensor<1x3x3x2xf32> {qlp.range = array<f64: 0.0, 1.5>}) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0], [0.25]], [[-1.0], [1.0]]], [[[0.5], [-1.0]], [[0.0], [-0.5]]]]> : tensor<2x2x2x1xf32>} : () -> tensor<2x2x2x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.bits = 4 : i64, qlp.act_bits = 4 : i64, qlp.range = array<f64: -2.0, 2.0>} : (tensor<1x3x3x2xf32>, tensor<2x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}

// -----

// A fully connected layer as tosa.matmul + a per-column bias add: the add
// folds into the matmul's bias, a positive per-column mul into the scales.
// CHECK-LABEL: func.func @fully_connected
// S_x = 8/255; column scales 0.5/127 and 1/127, times the factors 2 and 0.5;
// bias [0.5, -0.5] / (S_w * S_x * g) = [2024.06, -4048.1] -> [2024, -4048].
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[127, -127\], \[64, 95\], \[-127, 13\]\]\]}}> : tensor<1x3x2xi8>
// CHECK: %[[MM:.*]] = qlp.matmul %{{.*}}, %[[W]] bias dense<[2024, -4048]> : tensor<2xi32> : tensor<1x1x3xi8>, tensor<1x3x2xi8> -> tensor<1x1x2xi32>
// CHECK: quant.scast %[[MM]] : tensor<1x1x2xi32> to tensor<1x1x2x!quant.uniform<i32:f32:2, {2.4702794503628223E-4,1.2351397251814111E-4}>>
// CHECK-NOT: tosa.add
// CHECK-NOT: tosa.mul
func.func @fully_connected(%x: tensor<1x1x3xf32> {qlp.range = array<f64: -4.0, 4.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[0.5, -1.0], [0.25, 0.75], [-0.5, 0.1]]]> : tensor<1x3x2xf32>} : () -> tensor<1x3x2xf32>
  %b = "tosa.const"() {values = dense<[[[0.5, -0.5]]]> : tensor<1x1x2xf32>} : () -> tensor<1x1x2xf32>
  %g = "tosa.const"() {values = dense<[[[2.0, 0.5]]]> : tensor<1x1x2xf32>} : () -> tensor<1x1x2xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s = tosa.mul %m, %g, %shift : (tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1xi8>) -> tensor<1x1x2xf32>
  %y = tosa.add %s, %b {qlp.range = array<f64: -8.0, 8.0>} : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

// A residual add of two activations stays a dequantize-add-quantize chain
// for qlp-fold-scales; max pooling and reshape keep the integers' scale.
// CHECK-LABEL: func.func @residual_pool
// CHECK: %[[X:.*]] = quant.scast %{{.*}} to tensor<1x2x2x1xi8>
// CHECK: %[[R:.*]] = quant.scast %{{.*}} : tensor<1x2x2x1xi8> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.031372549019607843:-128>>
// CHECK: %[[RD:.*]] = quant.dcast %[[R]]
// CHECK: %[[XQ:.*]] = quant.scast %[[X]] : tensor<1x2x2x1xi8> to tensor<1x2x2x1x!quant.uniform<i8:f32, 0.015686274509803921:-128>>
// CHECK: %[[XD:.*]] = quant.dcast %[[XQ]]
// CHECK: %[[SUM:.*]] = tosa.add %[[RD]], %[[XD]]
// CHECK: %[[SQ:.*]] = quant.qcast %[[SUM]]
// CHECK: %[[S:.*]] = quant.scast %[[SQ]] {{.*}} to tensor<1x2x2x1xi8>
// CHECK: %[[P:.*]] = qlp.max_pool2d %[[S]] kernel [2, 2] strides [2, 2] : tensor<1x2x2x1xi8> -> tensor<1x1x1x1xi8>
// CHECK: tosa.reshape %[[P]], %{{.*}} : (tensor<1x1x1x1xi8>, !tosa.shape<2>) -> tensor<1x1xi8>
func.func @residual_pool(%x: tensor<1x2x2x1xf32> {qlp.range = array<f64: 0.0, 4.0>}) -> tensor<1x1xf32> {
  %w = "tosa.const"() {values = dense<[[[[2.0]]]]> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.range = array<f64: 0.0, 8.0>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %a = tosa.add %c, %x {qlp.range = array<f64: 0.0, 12.0>} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %p = tosa.max_pool2d %a {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %shape = tosa.const_shape {values = dense<[1, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %p, %shape : (tensor<1x1x1x1xf32>, !tosa.shape<2>) -> tensor<1x1xf32>
  return %r : tensor<1x1xf32>
}

// -----

// Already-integer functions are left alone.
// CHECK-LABEL: func.func @integer
// CHECK-NEXT: qlp.clamp
func.func @integer(%x: tensor<4xi8>) -> tensor<4xi8> {
  %y = qlp.clamp %x [0, 127] : tensor<4xi8>
  return %y : tensor<4xi8>
}
