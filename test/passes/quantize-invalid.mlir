// RUN: quant-opt %s --split-input-file --qlp-quantize --verify-diagnostics

// expected-error @below {{no calibration range for argument #0 of @missing_range: add qlp.range = array<f64: MIN, MAX> (or a qlp.name and a calibration file entry)}}
func.func @missing_range(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shape = tosa.const_shape {values = dense<[1, 1, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %x3 = tosa.reshape %x, %shape : (tensor<1x2xf32>, !tosa.shape<3>) -> tensor<1x1x2xf32>
  %m = tosa.matmul %x3, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %shape2 = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.reshape %m, %shape2 : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

func.func @inverted_range(%x: tensor<1x1x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{calibration range of 'fc' (result of tosa.matmul) from the qlp.range is inverted: min 3 > max 2}}
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.name = "fc", qlp.range = array<f64: 3.0, 2.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

func.func @nan_range(%x: tensor<1x1x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{calibration range of result of tosa.matmul from the qlp.range is not finite: [nan, 2]}}
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.range = array<f64: 0x7FF8000000000000, 2.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// A range [0, 0] gives a zero scale.
// expected-error @below {{calibration range [0, 0] of argument #0 of @zero_width_range gives a zero or subnormal scale}}
func.func @zero_width_range(%x: tensor<1x1x2xf32> {qlp.range = array<f64: 0.0, 0.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.range = array<f64: -1.0, 1.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

func.func @unsupported_op(%x: tensor<1x1x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.range = array<f64: -1.0, 1.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  // expected-error @below {{'tosa.sigmoid' op is not supported by qlp-quantize}}
  %s = tosa.sigmoid %m : (tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %s : tensor<1x1x2xf32>
}

// -----

func.func @weight_not_constant(%x: tensor<1x4x4x2xf32> {qlp.range = array<f64: -1.0, 1.0>}, %w: tensor<3x1x1x2xf32>) -> tensor<1x4x4x3xf32> {
  %b = "tosa.const"() {values = dense<0.0> : tensor<3xf32>} : () -> tensor<3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{'tosa.conv2d' op weight must be a constant to be quantized}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x1x1x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  return %c : tensor<1x4x4x3xf32>
}

// -----

// expected-error @below {{has float ops but no layer with constant weights (conv2d, depthwise_conv2d or matmul) to quantize}}
func.func @no_layer(%x: tensor<1x2x2x1xf32> {qlp.range = array<f64: 0.0, 1.0>}) -> tensor<1x1x1x1xf32> {
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  return %p : tensor<1x1x1x1xf32>
}

// -----

func.func @bad_bits(%x: tensor<1x1x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{'tosa.matmul' op qlp.bits must be 1, 2, 4 or 8, got 3}}
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.bits = 3 : i64, qlp.range = array<f64: -1.0, 1.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

func.func @two_activations_subtracted(%x: tensor<1x1x2xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.range = array<f64: -1.0, 1.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  // expected-error @below {{'tosa.sub' op subtracts two activations}}
  %s = tosa.sub %m, %x : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %s : tensor<1x1x2xf32>
}

// -----

// A 66000-deep i8 x i8 dot product with an asymmetric input can overflow i32.
func.func @accumulator_overflow(%x: tensor<1x1x66000xf32> {qlp.range = array<f64: 0.0, 1.0>}) -> tensor<1x1x1xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x66000x1xf32>} : () -> tensor<1x66000x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{'tosa.matmul' op cannot be quantized: an i32 accumulator over 66000 products of 8-bit and 8-bit operands can overflow}}
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.range = array<f64: -1.0, 1.0>} : (tensor<1x1x66000xf32>, tensor<1x66000x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %m : tensor<1x1x1xf32>
}

// -----

// The quantized bias (132621.3 / (S_w * S_x) ~ 2147470350) fits i32, but
// with a 1x1x1 window of i8 products (up to 128 * 128) it can overflow.
func.func @bias_overflow(%x: tensor<1x1x1x1xf32> {qlp.range = array<f64: -1.0, 1.0>}) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<132621.3> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error @below {{'tosa.conv2d' op cannot be quantized: an i32 accumulator over 1 products of 8-bit and 8-bit operands plus a bias of up to 2147470350 can overflow}}
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.range = array<f64: -1.0, 1.0>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %c : tensor<1x1x1x1xf32>
}
