// Verifier errors of qlp.binarize. The binary matmul and convolution are in
// invalid-matmul.mlir and invalid-conv.mlir.
//
// RUN: quant-opt %s -split-input-file -verify-diagnostics

func.func @binarize_threshold_above_i8(%x: tensor<8xi8>) -> tensor<8x!qlp.binary> {
  // expected-error @+1 {{'qlp.binarize' op threshold 128 does not fit in i8 (range [-128, 127])}}
  %b = qlp.binarize %x threshold 128 : tensor<8xi8> -> tensor<8x!qlp.binary>
  return %b : tensor<8x!qlp.binary>
}

// -----

func.func @binarize_threshold_below_i16(%x: tensor<8xi16>) -> tensor<8x!qlp.binary> {
  // expected-error @+1 {{'qlp.binarize' op threshold -32769 does not fit in i16 (range [-32768, 32767])}}
  %b = qlp.binarize %x threshold -32769 : tensor<8xi16> -> tensor<8x!qlp.binary>
  return %b : tensor<8x!qlp.binary>
}

// -----

func.func @binarize_threshold_above_i32(%x: tensor<8xi32>) -> tensor<8x!qlp.binary> {
  // expected-error @+1 {{'qlp.binarize' op threshold 2147483648 does not fit in i32 (range [-2147483648, 2147483647])}}
  %b = qlp.binarize %x threshold 2147483648 : tensor<8xi32> -> tensor<8x!qlp.binary>
  return %b : tensor<8x!qlp.binary>
}

// -----

func.func @binarize_shape_mismatch(%x: tensor<4x64xi8>) -> tensor<4x32x!qlp.binary> {
  // expected-error @+1 {{'qlp.binarize' op requires the same shape for all operands and results}}
  %b = qlp.binarize %x threshold 0 : tensor<4x64xi8> -> tensor<4x32x!qlp.binary>
  return %b : tensor<4x32x!qlp.binary>
}

// -----

func.func @binarize_rank_mismatch(%x: tensor<4x64xi8>) -> tensor<256x!qlp.binary> {
  // expected-error @+1 {{'qlp.binarize' op requires the same shape for all operands and results}}
  %b = qlp.binarize %x threshold 0 : tensor<4x64xi8> -> tensor<256x!qlp.binary>
  return %b : tensor<256x!qlp.binary>
}

// -----

// The custom form always spells the threshold out.
func.func @binarize_threshold_missing(%x: tensor<8xi8>) -> tensor<8x!qlp.binary> {
  // expected-error @+1 {{expected 'threshold'}}
  %b = qlp.binarize %x : tensor<8xi8> -> tensor<8x!qlp.binary>
  return %b : tensor<8x!qlp.binary>
}
