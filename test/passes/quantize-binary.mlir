// RUN: quant-opt %s --split-input-file --qlp-quantize | FileCheck %s
// RUN: quant-opt %s --split-input-file --qlp-quantize --qlp-fold-scales | FileCheck %s --check-prefix=FOLD
// RUN: quant-opt %s --split-input-file --qlp-quantize="weight-bits=1 act-bits=1" | FileCheck %s --check-prefix=OPT
// RUN: quant-opt %s --split-input-file --qlp-quantize="weight-bits=1" | FileCheck %s --check-prefix=W1A8

// Binary layers: qlp.bits = 1 and qlp.act_bits = 1 on the same layer.
//
// Input range [-1, 3] at 8 bits: S = 4/255, zp = -128 - round(-63.75) = -64,
// so the binarization threshold is -64. The activation represents
// [lo, hi] = [-64 S, 191 S] = [-1.00392, 2.99608], so
// beta = (lo^2 + hi^2) / (2 (hi - lo)) = 1.24803.
// Weights: channel 0 = [0.5, -0.25, 1.0] -> signs [+, -, +], bits 0b010 = 2,
// alpha 0.58333; channel 1 = [-0.5, 0.0, 0.25] -> [-, +, +] (sign(0) = +1),
// bits 0b001 = 1, alpha 0.25. Accumulator scales alpha * beta =
// [0.72803, 0.31201]; bias [1.0, -0.5] / scales = [1.37, -1.60] -> [1, -2]:
// per channel, so an i32 tosa.add before the requantization.
// CHECK-LABEL: func.func @binary_conv
// CHECK-SAME: (%[[ARG:.*]]: tensor<1x3x3x3x!quant.uniform<i8:f32, 0.015686274509803921:-64>>
// CHECK: %[[X:.*]] = quant.scast %[[ARG]] {{.*}} to tensor<1x3x3x3xi8>
// CHECK: %[[XB:.*]] = qlp.binarize %[[X]] threshold -64 : tensor<1x3x3x3xi8> -> tensor<1x3x3x3x!qlp.binary>
// CHECK: %[[WORDS:.*]] = arith.constant dense<{{\[\[\[\[2\]\]\], \[\[\[1\]\]\]\]}}> : tensor<2x1x1x1xi32>
// CHECK: %[[W:.*]] = qlp.unpack %[[WORDS]] axis 3 : tensor<2x1x1x1xi32> -> tensor<2x1x1x3x!qlp.binary>
// CHECK: %[[ACC:.*]] = qlp.binary_conv2d %[[XB]], %[[W]] layout fhwc : tensor<1x3x3x3x!qlp.binary>, tensor<2x1x1x3x!qlp.binary> -> tensor<1x3x3x2xi32>
// CHECK-NOT: pad_value
// CHECK: %[[BIAS:.*]] = arith.constant dense<{{\[\[\[\[1, -2\]\]\]\]}}> : tensor<1x1x1x2xi32>
// CHECK: %[[SUM:.*]] = tosa.add %[[ACC]], %[[BIAS]] : (tensor<1x3x3x2xi32>, tensor<1x1x1x2xi32>) -> tensor<1x3x3x2xi32>
// CHECK: quant.scast %[[SUM]] : tensor<1x3x3x2xi32> to tensor<1x3x3x2x!quant.uniform<i32:f32:3, {0.72802{{[0-9]*}},0.31201{{[0-9]*}}}>>
// CHECK-NOT: tosa.conv2d
// CHECK-NOT: qlp.conv2d
//
// qlp-fold-scales requantizes the biased accumulator like any other.
// FOLD-LABEL: func.func @binary_conv
// FOLD: %[[ACC:.*]] = qlp.binary_conv2d
// FOLD: %[[SUM:.*]] = tosa.add %[[ACC]], %{{.*}} : (tensor<1x3x3x2xi32>, tensor<1x1x1x2xi32>)
// FOLD: qlp.rescale %[[SUM]] scale <[{{[0-9]+}}, {{[0-9]+}}], [{{[0-9]+}}, {{[0-9]+}}], axis = 3> rounding single_round : tensor<1x3x3x2xi32> -> tensor<1x3x3x2xi8>
// FOLD-NOT: quant.dcast
func.func @binary_conv(%x: tensor<1x3x3x3xf32> {qlp.range = array<f64: -1.0, 3.0>}) -> tensor<1x3x3x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[0.5, -0.25, 1.0]]], [[[-0.5, 0.0, 0.25]]]]> : tensor<2x1x1x3xf32>} : () -> tensor<2x1x1x3xf32>
  %b = "tosa.const"() {values = dense<[1.0, -0.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.bits = 1 : i64, qlp.act_bits = 1 : i64, qlp.range = array<f64: -2.0, 2.0>} : (tensor<1x3x3x3xf32>, tensor<2x1x1x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x2xf32>
  return %c : tensor<1x3x3x2xf32>
}

// -----

// A binary fully connected layer (tosa.matmul, weight [1, K, N] packed along
// K), then a positive per-column multiply and a bias add. Input range [0, 2]:
// zp -128 (all of a ReLU-like input binarizes to +1), lo = 0, hi = 2, beta =
// hi / 2 = 1. Columns [1, -1, 0.5] -> bits 0b010 = 2, alpha 2.5/3;
// [0.5, 0.5, -0.5] -> 0b100 = 4, alpha 0.5. Times the factors [2, 4]: scales
// [1.66667, 2]. Bias [15, 18] / scales = [9, 9]: the same on every column,
// so it is the accumulator's zero point -9 (no add), which qlp-fold-scales
// makes the rescale's input_zp.
// CHECK-LABEL: func.func @binary_fc
// CHECK: %[[XB:.*]] = qlp.binarize %{{.*}} threshold -128 : tensor<1x1x3xi8> -> tensor<1x1x3x!qlp.binary>
// CHECK: %[[WORDS:.*]] = arith.constant dense<{{\[\[\[2, 4\]\]\]}}> : tensor<1x1x2xi32>
// CHECK: %[[W:.*]] = qlp.unpack %[[WORDS]] axis 1 : tensor<1x1x2xi32> -> tensor<1x3x2x!qlp.binary>
// CHECK: %[[ACC:.*]] = qlp.binary_matmul %[[XB]], %[[W]] : tensor<1x1x3x!qlp.binary>, tensor<1x3x2x!qlp.binary> -> tensor<1x1x2xi32>
// CHECK-NEXT: quant.scast %[[ACC]] : tensor<1x1x2xi32> to tensor<1x1x2x!quant.uniform<i32:f32:2, {1.6666666666666667:-9,2.000000e+00:-9}>>
// CHECK-NOT: tosa.add
// CHECK-NOT: tosa.mul
// FOLD-LABEL: func.func @binary_fc
// FOLD: %[[ACC:.*]] = qlp.binary_matmul
// FOLD-NEXT: qlp.rescale %[[ACC]] zp -9 scale <[1782579200, 2139095040], [26, 26], axis = 2> rounding single_round : tensor<1x1x2xi32> -> tensor<1x1x2xi8>
// FOLD-NOT: tosa.add
func.func @binary_fc(%x: tensor<1x1x3xf32> {qlp.range = array<f64: 0.0, 2.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 0.5], [-1.0, 0.5], [0.5, -0.5]]]> : tensor<1x3x2xf32>} : () -> tensor<1x3x2xf32>
  %g = "tosa.const"() {values = dense<[[[2.0, 4.0]]]> : tensor<1x1x2xf32>} : () -> tensor<1x1x2xf32>
  %b = "tosa.const"() {values = dense<[[[15.0, 18.0]]]> : tensor<1x1x2xf32>} : () -> tensor<1x1x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.bits = 1 : i64, qlp.act_bits = 1 : i64} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s = tosa.mul %m, %g, %shift : (tensor<1x1x2xf32>, tensor<1x1x2xf32>, tensor<1xi8>) -> tensor<1x1x2xf32>
  %y = tosa.add %s, %b {qlp.range = array<f64: -8.0, 8.0>} : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

// K = 40 spans two i32 words: all weights are -1 (bits set), so the first
// word is all ones (-1) and the second holds 8 ones (255) with its 24 tail
// bits zero. Input [-1, 1]: zp 0, beta = (128^2 + 127^2) S^2 / (2 * 255 S)
// = 0.500008; alpha 0.5.
// CHECK-LABEL: func.func @binary_words
// CHECK: qlp.binarize %{{.*}} threshold 0 : tensor<1x2x40xi8> -> tensor<1x2x40x!qlp.binary>
// CHECK: %[[WORDS:.*]] = arith.constant dense<{{\[\[\[-1, -1, -1\], \[255, 255, 255\]\]\]}}> : tensor<1x2x3xi32>
// CHECK: qlp.unpack %[[WORDS]] axis 1 : tensor<1x2x3xi32> -> tensor<1x40x3x!qlp.binary>
// CHECK: %[[ACC:.*]] = qlp.binary_matmul
// CHECK-NEXT: quant.scast %[[ACC]] : tensor<1x2x3xi32> to tensor<1x2x3x!quant.uniform<i32:f32, 0.25000384{{[0-9]*}}>>
func.func @binary_words(%x: tensor<1x2x40xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x2x3xf32> {
  %w = "tosa.const"() {values = dense<-0.5> : tensor<1x40x3xf32>} : () -> tensor<1x40x3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.bits = 1 : i64, qlp.act_bits = 1 : i64, qlp.range = array<f64: -10.0, 10.0>} : (tensor<1x2x40xf32>, tensor<1x40x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
  return %m : tensor<1x2x3xf32>
}

// -----

// A binary depthwise convolution is a grouped binary_conv2d (weight
// [C * M, KH, KW, 1], one bit per word along its single input channel).
// The TOSA weight is [KH, KW, C, M]: channel 0 = [1, -1, 0.5, 0] -> signs
// [+, -, +, +], alpha 0.625; channel 1 = [-0.5, 0.5, 1, -1] -> [-, +, +, -],
// alpha 0.75; beta for [-2, 2] (zp 0) = 1.00002.
// CHECK-LABEL: func.func @binary_depthwise
// CHECK: %[[XB:.*]] = qlp.binarize %{{.*}} threshold 0 : tensor<1x3x3x2xi8> -> tensor<1x3x3x2x!qlp.binary>
// CHECK: %[[WORDS:.*]] = arith.constant dense<{{\[\[\[\[0\], \[1\]\], \[\[0\], \[0\]\]\], \[\[\[1\], \[0\]\], \[\[0\], \[1\]\]\]\]}}> : tensor<2x2x2x1xi32>
// CHECK: %[[W:.*]] = qlp.unpack %[[WORDS]] axis 3 : tensor<2x2x2x1xi32> -> tensor<2x2x2x1x!qlp.binary>
// CHECK: %[[ACC:.*]] = qlp.binary_conv2d %[[XB]], %[[W]] layout fhwc padding [0, 1, 0, 1] groups 2
// CHECK-NEXT: quant.scast %[[ACC]] : tensor<1x3x3x2xi32> to tensor<1x3x3x2x!quant.uniform<i32:f32:3, {0.62500{{[0-9]*}},0.75001{{[0-9]*}}}>>
func.func @binary_depthwise(%x: tensor<1x3x3x2xf32> {qlp.range = array<f64: -2.0, 2.0>}) -> tensor<1x3x3x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0], [-0.5]], [[-1.0], [0.5]]], [[[0.5], [1.0]], [[0.0], [-1.0]]]]> : tensor<2x2x2x1xf32>} : () -> tensor<2x2x2x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>, qlp.bits = 1 : i64, qlp.act_bits = 1 : i64, qlp.range = array<f64: -3.0, 3.0>} : (tensor<1x3x3x2xf32>, tensor<2x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x2xf32>
  return %c : tensor<1x3x3x2xf32>
}

// -----

// With the options weight-bits=1 act-bits=1 every layer is binary; the 1-bit
// width applies to layer inputs only: the clamp's result stays i8 for the
// max pool, and the second layer binarizes the pooled i8 at its zero point.
// The float layers pad with 0, which binarizes to +1: pad_value stays +1
// (the default, not printed).
// OPT-LABEL: func.func @binary_net
// OPT: %[[X:.*]] = quant.scast %{{.*}} to tensor<1x4x4x2xi8>
// OPT: %[[XB:.*]] = qlp.binarize %[[X]] threshold 0 : tensor<1x4x4x2xi8> -> tensor<1x4x4x2x!qlp.binary>
// OPT: %[[W1:.*]] = arith.constant dense<{{\[\[\[\[2\], \[0\], \[1\]\], \[\[0\], \[3\], \[2\]\], \[\[2\], \[0\], \[1\]\]\], \[\[\[1\], \[1\], \[0\]\], \[\[2\], \[0\], \[1\]\], \[\[0\], \[1\], \[2\]\]\]\]}}> : tensor<2x3x3x1xi32>
// OPT: %[[U1:.*]] = qlp.unpack %[[W1]] axis 3 : tensor<2x3x3x1xi32> -> tensor<2x3x3x2x!qlp.binary>
// OPT: %[[C1:.*]] = qlp.binary_conv2d %[[XB]], %[[U1]] layout fhwc padding [1, 1, 1, 1] : tensor<1x4x4x2x!qlp.binary>, tensor<2x3x3x2x!qlp.binary> -> tensor<1x4x4x2xi32>
// OPT-NEXT: quant.scast %[[C1]] : tensor<1x4x4x2xi32> to tensor<1x4x4x2x!quant.uniform<i32:f32, 0.34722{{[0-9]*}}>>
// OPT: %[[R:.*]] = quant.scast %{{.*}} to tensor<1x4x4x2xi8>
// OPT: %[[P:.*]] = qlp.max_pool2d %[[R]] kernel [2, 2] strides [2, 2] : tensor<1x4x4x2xi8> -> tensor<1x2x2x2xi8>
// OPT: %[[PB:.*]] = qlp.binarize %[[P]] threshold 0 : tensor<1x2x2x2xi8> -> tensor<1x2x2x2x!qlp.binary>
// OPT: %[[W2:.*]] = arith.constant dense<{{\[\[\[\[2\]\]\], \[\[\[1\]\]\]\]}}> : tensor<2x1x1x1xi32>
// OPT: %[[U2:.*]] = qlp.unpack %[[W2]] axis 3
// OPT: %[[C2:.*]] = qlp.binary_conv2d %[[PB]], %[[U2]] layout fhwc :
// OPT: tosa.add %[[C2]], %{{.*}} : (tensor<1x2x2x2xi32>, tensor<1x1x1x2xi32>)
// OPT: return {{.*}} : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.031372549019607843>>
//
// Without the options the same layers are integer layers.
// CHECK-LABEL: func.func @binary_net
// CHECK-NOT: qlp.binarize
// CHECK: qlp.conv2d {{.*}} : tensor<1x4x4x2xi8>, tensor<2x3x3x2xi8> -> tensor<1x4x4x2xi32>
//
// 1-bit weights with 8-bit activations stay an integer layer, the weights
// i2 values in {-1, +1}.
// W1A8-LABEL: func.func @binary_net
// W1A8-NOT: qlp.binarize
// W1A8: qlp.conv2d %{{.*}}, %{{.*}} layout fhwc padding [1, 1, 1, 1] bias dense<0> : tensor<2xi32> : tensor<1x4x4x2xi8>, tensor<2x3x3x2xi2> -> tensor<1x4x4x2xi32>
// W1A8-NOT: qlp.binary_conv2d
func.func @binary_net(%x: tensor<1x4x4x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x2x2x2xf32> {
  %w1 = "tosa.const"() {values = dense<[[[[1.0, -1.0], [0.5, 0.5], [-0.5, 1.0]], [[1.0, 1.0], [-1.0, -1.0], [0.25, -0.25]], [[0.5, -0.5], [1.0, 0.0], [-1.0, 0.5]]], [[[-1.0, 1.0], [-0.5, 0.5], [0.5, 1.0]], [[1.0, -1.0], [1.0, 1.0], [-0.25, 0.25]], [[0.5, 0.5], [-1.0, 0.0], [1.0, -0.5]]]]> : tensor<2x3x3x2xf32>} : () -> tensor<2x3x3x2xf32>
  %b1 = "tosa.const"() {values = dense<[0.0, 0.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %w2 = "tosa.const"() {values = dense<[[[[1.0, -2.0]]], [[[-1.0, 0.5]]]]> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b2 = "tosa.const"() {values = dense<[0.5, 0.5]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c1 = tosa.conv2d %x, %w1, %b1, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x3x3x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r1 = tosa.clamp %c1 {min_val = -2.0 : f32, max_val = 2.0 : f32, qlp.range = array<f64: -2.0, 2.0>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %p1 = tosa.max_pool2d %r1 {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = tosa.conv2d %p1, %w2, %b2, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.range = array<f64: -4.0, 4.0>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %c2 : tensor<1x2x2x2xf32>
}
