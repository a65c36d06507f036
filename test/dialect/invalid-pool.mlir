// Verifier errors of qlp.max_pool2d and qlp.avg_pool2d.
//
// RUN: quant-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// qlp.max_pool2d
//===----------------------------------------------------------------------===//

func.func @max_pool2d_input_rank(%x: tensor<8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects rank-4 (NHWC) input and result, got ranks 3 and 4}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] : tensor<8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @max_pool2d_element_type_mismatch(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi16> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects the result element type to equal the input's ('i8'), got 'i16'}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<1x4x4x4xi16>
  return %y : tensor<1x4x4x4xi16>
}

// -----

func.func @max_pool2d_kernel_count(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects kernel to be 2 values >= 1, got [2, 2, 2]}}
  %y = qlp.max_pool2d %x kernel [2, 2, 2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @max_pool2d_zero_kernel(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects kernel to be 2 values >= 1, got [0, 2]}}
  %y = qlp.max_pool2d %x kernel [0, 2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @max_pool2d_zero_stride(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects strides to be 2 values >= 1, got [0, 0]}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [0, 0] : tensor<1x8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @max_pool2d_padding_count(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects padding to be 4 values >= 0 ([top, bottom, left, right]), got [1, 1, 1, 1, 1]}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] padding [1, 1, 1, 1, 1] : tensor<1x8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @max_pool2d_negative_padding(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects padding to be 4 values >= 0 ([top, bottom, left, right]), got [-1, 0, 0, 0]}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] padding [-1, 0, 0, 0] : tensor<1x8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

// A padding as large as the kernel makes a window with no input element.
func.func @max_pool2d_padding_not_smaller_than_kernel(%x: tensor<1x8x8x4xi8>) -> tensor<1x5x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects each padding to be smaller than the kernel along its axis, got padding [2, 0, 0, 0] for kernel [2, 2]}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] padding [2, 0, 0, 0] : tensor<1x8x8x4xi8> -> tensor<1x5x4x4xi8>
  return %y : tensor<1x5x4x4xi8>
}

// -----

func.func @max_pool2d_right_padding_not_smaller_than_kernel(%x: tensor<1x8x8x4xi8>) -> tensor<1x8x9x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects each padding to be smaller than the kernel along its axis, got padding [0, 0, 0, 2] for kernel [1, 2]}}
  %y = qlp.max_pool2d %x kernel [1, 2] padding [0, 0, 0, 2] : tensor<1x8x8x4xi8> -> tensor<1x8x9x4xi8>
  return %y : tensor<1x8x9x4xi8>
}

// -----

func.func @max_pool2d_channel_mismatch(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x8xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects equal batch and channel sizes for input and result, got 'tensor<1x8x8x4xi8>' and 'tensor<1x4x4x8xi8>'}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<1x4x4x8xi8>
  return %y : tensor<1x4x4x8xi8>
}

// -----

func.func @max_pool2d_batch_mismatch(%x: tensor<2x8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects equal batch and channel sizes for input and result, got 'tensor<2x8x8x4xi8>' and 'tensor<1x4x4x4xi8>'}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] : tensor<2x8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @max_pool2d_kernel_larger_than_input(%x: tensor<1x2x8x4xi8>) -> tensor<1x1x8x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects the kernel height (3) to fit the padded input height (2)}}
  %y = qlp.max_pool2d %x kernel [3, 1] : tensor<1x2x8x4xi8> -> tensor<1x1x8x4xi8>
  return %y : tensor<1x1x8x4xi8>
}

// -----

func.func @max_pool2d_output_height_mismatch(%x: tensor<1x8x8x4xi8>) -> tensor<1x3x4x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects output height 4, got 3}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<1x3x4x4xi8>
  return %y : tensor<1x3x4x4xi8>
}

// -----

// OW = (8 + 1 + 1 - 3) / 2 + 1 = 4.
func.func @max_pool2d_output_width_mismatch(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x5x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects output width 4, got 5}}
  %y = qlp.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : tensor<1x8x8x4xi8> -> tensor<1x4x5x4xi8>
  return %y : tensor<1x4x5x4xi8>
}

// -----

func.func @max_pool2d_padded_height_overflow(%x: tensor<1x8x8x4xi8>) -> tensor<1x?x8x4xi8> {
  // expected-error @+1 {{'qlp.max_pool2d' op expects the padded input height (8 + 9223372036854775806 + 0) to fit in 64 bits}}
  %y = qlp.max_pool2d %x kernel [9223372036854775807, 1] padding [9223372036854775806, 0, 0, 0] : tensor<1x8x8x4xi8> -> tensor<1x?x8x4xi8>
  return %y : tensor<1x?x8x4xi8>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.avg_pool2d
//===----------------------------------------------------------------------===//

func.func @avg_pool2d_input_zp_out_of_range(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.avg_pool2d' op input_zp 128 does not fit in i8 (range [-128, 127])}}
  %y = qlp.avg_pool2d %x zp 128 kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @avg_pool2d_output_zp_out_of_range(%x: tensor<1x8x8x4xi16>) -> tensor<1x4x4x4xi16> {
  // expected-error @+1 {{'qlp.avg_pool2d' op output_zp -32769 does not fit in i16 (range [-32768, 32767])}}
  %y = qlp.avg_pool2d %x kernel [2, 2] strides [2, 2] output_zp -32769 : tensor<1x8x8x4xi16> -> tensor<1x4x4x4xi16>
  return %y : tensor<1x4x4x4xi16>
}

// -----

func.func @avg_pool2d_element_type_mismatch(%x: tensor<1x8x8x4xi16>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.avg_pool2d' op expects the result element type to equal the input's ('i16'), got 'i8'}}
  %y = qlp.avg_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi16> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @avg_pool2d_result_rank(%x: tensor<1x8x8x4xi8>) -> tensor<4x4x4xi8> {
  // expected-error @+1 {{'qlp.avg_pool2d' op expects rank-4 (NHWC) input and result, got ranks 4 and 3}}
  %y = qlp.avg_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<4x4x4xi8>
  return %y : tensor<4x4x4xi8>
}

// -----

func.func @avg_pool2d_negative_kernel(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{'qlp.avg_pool2d' op expects kernel to be 2 values >= 1, got [2, -2]}}
  %y = qlp.avg_pool2d %x kernel [2, -2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

// -----

func.func @avg_pool2d_padding_not_smaller_than_kernel(%x: tensor<1x8x8x4xi8>) -> tensor<1x6x4x4xi8> {
  // expected-error @+1 {{'qlp.avg_pool2d' op expects each padding to be smaller than the kernel along its axis, got padding [0, 3, 0, 0] for kernel [3, 2]}}
  %y = qlp.avg_pool2d %x kernel [3, 2] strides [1, 2] padding [0, 3, 0, 0] : tensor<1x8x8x4xi8> -> tensor<1x6x4x4xi8>
  return %y : tensor<1x6x4x4xi8>
}

// -----

func.func @avg_pool2d_output_width_mismatch(%x: tensor<1x8x8x4xi8>) -> tensor<1x4x3x4xi8> {
  // expected-error @+1 {{'qlp.avg_pool2d' op expects output width 4, got 3}}
  %y = qlp.avg_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi8> -> tensor<1x4x3x4xi8>
  return %y : tensor<1x4x3x4xi8>
}

// -----

// The window sum is an i32: with input_zp = -32768 an i16 term reaches 65535,
// and 32769 of them exceed 2^31 - 1 (32768 would fit: 2147450880).
func.func @avg_pool2d_accumulation_overflow_i16(%x: tensor<1x?x?x4xi16>) -> tensor<1x?x?x4xi16> {
  // expected-error @+1 {{'qlp.avg_pool2d' op i32 accumulation can overflow: KH * KW (32769) * max|input - input_zp| (65535) = 2147516415 exceeds 2147483647}}
  %y = qlp.avg_pool2d %x zp -32768 kernel [3, 10923] : tensor<1x?x?x4xi16> -> tensor<1x?x?x4xi16>
  return %y : tensor<1x?x?x4xi16>
}

// -----

func.func @avg_pool2d_accumulation_overflow_i8(%x: tensor<1x?x?x4xi8>) -> tensor<1x?x?x4xi8> {
  // expected-error @+1 {{'qlp.avg_pool2d' op i32 accumulation can overflow: KH * KW (8421604) * max|input - input_zp| (255) = 2147509020 exceeds 2147483647}}
  %y = qlp.avg_pool2d %x zp 127 kernel [2902, 2902] : tensor<1x?x?x4xi8> -> tensor<1x?x?x4xi8>
  return %y : tensor<1x?x?x4xi8>
}

// -----

// With dynamic spatial sizes the kernel is unbounded; its area must not wrap.
func.func @avg_pool2d_window_size_overflow(%x: tensor<1x?x?x4xi8>) -> tensor<1x?x?x4xi8> {
  // expected-error @+1 {{'qlp.avg_pool2d' op expects the window size KH * KW (4294967296 * 4294967296) to fit in 64 bits}}
  %y = qlp.avg_pool2d %x kernel [4294967296, 4294967296] : tensor<1x?x?x4xi8> -> tensor<1x?x?x4xi8>
  return %y : tensor<1x?x?x4xi8>
}
