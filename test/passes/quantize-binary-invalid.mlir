// RUN: quant-opt %s --split-input-file --qlp-quantize --verify-diagnostics
// RUN: not quant-opt %s --split-input-file --qlp-quantize=act-bits=1 2>&1 | FileCheck %s --check-prefix=OPTION

// 1-bit activations need 1-bit weights: an i8 x binary layer does not exist.
func.func @binary_act_wide_weight(%x: tensor<1x2x2x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0, -1.0]]], [[[0.5, 0.5]]]]> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{'tosa.conv2d' op layer 'stem' has 1-bit input activations (qlp.act_bits = 1) but 8-bit weights (qlp.bits); a binary layer needs 1-bit weights (qlp.bits = 1), and 1-bit activations are only supported in binary layers}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.name = "stem", qlp.bits = 8 : i64, qlp.act_bits = 1 : i64, qlp.range = array<f64: -2.0, 2.0>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}
// OPTION: error: 'tosa.conv2d' op layer 'stem' has 1-bit input activations (qlp.act_bits = 1) but 8-bit weights (qlp.bits)

// -----

// The same for a depthwise layer with 4-bit weights and no name; with the
// act-bits=1 option instead of the attribute (second RUN line) the message
// names the options.
func.func @binary_act_depthwise_i4(%x: tensor<1x2x2x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<0.5> : tensor<1x1x2x1xf32>} : () -> tensor<1x1x2x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{'tosa.depthwise_conv2d' op layer has 1-bit input activations (qlp.act_bits = 1) but 4-bit weights (qlp.bits); a binary layer needs 1-bit weights}}
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.bits = 4 : i64, qlp.act_bits = 1 : i64, qlp.range = array<f64: -2.0, 2.0>} : (tensor<1x2x2x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}

// -----

func.func @binary_act_option(%x: tensor<1x1x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, -1.0], [0.5, 0.25]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.name = "fc", qlp.range = array<f64: -2.0, 2.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}
// OPTION: error: 'tosa.matmul' op layer 'fc' has 1-bit input activations (the act-bits=1 option) but 8-bit weights (the weight-bits option); a binary layer needs 1-bit weights (qlp.bits = 1)

// -----

// A matmul of two activations has no constant weight to binarize.
func.func @binary_act_activation_rhs(%a: tensor<1x2x4xf32> {qlp.range = array<f64: -1.0, 1.0>}, %b: tensor<1x4x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x2x2xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{'tosa.matmul' op layer 'attention' has 1-bit input activations (qlp.act_bits = 1) but a non-constant right-hand side; a binary layer needs a constant weight to binarize}}
  %m = tosa.matmul %a, %b, %zp, %zp {qlp.name = "attention", qlp.bits = 1 : i64, qlp.act_bits = 1 : i64, qlp.range = array<f64: -4.0, 4.0>} : (tensor<1x2x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  return %m : tensor<1x2x2xf32>
}

// -----

// The binary accumulator lies in [-128, 128]; the bias add, at scale
// alpha * beta = 0.5 * 1, is 1073741760 / 0.5 = 2147483520 >
// 2^31 - 1 - 128: the i32 sum could wrap.
func.func @binary_bias_overflow(%x: tensor<1x1x128xf32> {qlp.range = array<f64: 0.0, 2.0>}) -> tensor<1x1x1xf32> {
  %w = "tosa.const"() {values = dense<0.5> : tensor<1x128x1xf32>} : () -> tensor<1x128x1xf32>
  %b = "tosa.const"() {values = dense<1073741760.0> : tensor<1x1x1xf32>} : () -> tensor<1x1x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.bits = 1 : i64, qlp.act_bits = 1 : i64} : (tensor<1x1x128xf32>, tensor<1x128x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  // expected-error @below {{'tosa.add' op cannot be quantized: a binary accumulator over 128 products plus a bias of 2147483520 can overflow i32}}
  %y = tosa.add %m, %b {qlp.range = array<f64: -1.0, 1.0>} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}

// -----

// The same bound for the layer's own bias.
func.func @binary_conv_bias_overflow(%x: tensor<1x1x1x192xf32> {qlp.range = array<f64: 0.0, 2.0>}) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() {values = dense<0.5> : tensor<1x1x1x192xf32>} : () -> tensor<1x1x1x192xf32>
  %b = "tosa.const"() {values = dense<1073741760.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{'tosa.conv2d' op cannot be quantized: a binary accumulator over 192 products plus a bias of 2147483520 can overflow i32}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.bits = 1 : i64, qlp.act_bits = 1 : i64, qlp.range = array<f64: -1.0, 1.0>} : (tensor<1x1x1x192xf32>, tensor<1x1x1x192xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %c : tensor<1x1x1x1xf32>
}
