// Verifier errors of qlp.conv2d and qlp.binary_conv2d.
//
// RUN: quant-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// qlp.conv2d: attributes
//===----------------------------------------------------------------------===//

func.func @conv2d_input_zp_out_of_range(%x: tensor<1x8x8x4xi4>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op input_zp 8 does not fit in i4 (range [-8, 7])}}
  %y = qlp.conv2d %x zp 8, %w layout hwcf : tensor<1x8x8x4xi4>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_weight_zp_out_of_range(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op weight_zp -129 does not fit in i8 (range [-128, 127])}}
  %y = qlp.conv2d %x, %w zp -129 layout hwcf : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_strides_count(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects strides to be 2 values >= 1, got [1]}}
  %y = qlp.conv2d %x, %w layout hwcf strides [1] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_zero_stride(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects strides to be 2 values >= 1, got [1, 0]}}
  %y = qlp.conv2d %x, %w layout hwcf strides [1, 0] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_zero_dilation(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects dilations to be 2 values >= 1, got [0, 1]}}
  %y = qlp.conv2d %x, %w layout hwcf dilations [0, 1] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_dilations_count(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects dilations to be 2 values >= 1, got [1, 1, 1]}}
  %y = qlp.conv2d %x, %w layout hwcf dilations [1, 1, 1] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_padding_count(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x8x8x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects padding to be 4 values >= 0 ([top, bottom, left, right]), got [1, 1]}}
  %y = qlp.conv2d %x, %w layout hwcf padding [1, 1] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x8x8x8xi32>
  return %y : tensor<1x8x8x8xi32>
}

// -----

func.func @conv2d_negative_padding(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects padding to be 4 values >= 0 ([top, bottom, left, right]), got [0, 0, -1, 1]}}
  %y = qlp.conv2d %x, %w layout hwcf padding [0, 0, -1, 1] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_zero_groups(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects groups >= 1, got 0}}
  %y = qlp.conv2d %x, %w layout hwcf groups 0 : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_unknown_layout(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+2 {{custom op 'qlp.conv2d' expected ::mlir::qlp::WeightLayout to be one of: hwcf, fhwc}}
  // expected-error @+1 {{custom op 'qlp.conv2d' failed to parse QLP_WeightLayoutAttr parameter 'value'}}
  %y = qlp.conv2d %x, %w layout ohwi : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.conv2d: shapes
//===----------------------------------------------------------------------===//

func.func @conv2d_input_rank(%x: tensor<8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects rank-4 input (NHWC), weight and result, got ranks 3, 4 and 4}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_weight_rank(%x: tensor<1x8x8x4xi8>, %w: tensor<3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects rank-4 input (NHWC), weight and result, got ranks 4, 3 and 4}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x8x8x4xi8>, tensor<3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_dynamic_weight(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x?xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects a static weight shape so that the i32 accumulation can be bounded}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x8x8x4xi8>, tensor<3x3x4x?xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_empty_weight(%x: tensor<1x8x8x4xi8>, %w: tensor<0x3x3x4xi8>) -> tensor<1x6x6x0xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects a non-empty weight, got 'tensor<0x3x3x4xi8>'}}
  %y = qlp.conv2d %x, %w layout fhwc : tensor<1x8x8x4xi8>, tensor<0x3x3x4xi8> -> tensor<1x6x6x0xi32>
  return %y : tensor<1x6x6x0xi32>
}

// -----

func.func @conv2d_input_channels_mismatch(%x: tensor<1x8x8x6xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects input channels (6) to equal groups (1) times the weight's channels per group (4)}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x8x8x6xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

// The layout decides which dimension holds the channels: in fhwc, [8, 3, 3, 4]
// has 4 channels per group, not 3.
func.func @conv2d_input_channels_mismatch_fhwc(%x: tensor<1x8x8x3xi8>, %w: tensor<8x3x3x4xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects input channels (3) to equal groups (1) times the weight's channels per group (4)}}
  %y = qlp.conv2d %x, %w layout fhwc : tensor<1x8x8x3xi8>, tensor<8x3x3x4xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

// groups * C/groups = 2^62 * 4 does not fit in 64 bits; it must not wrap to 0.
func.func @conv2d_groups_overflow(%x: tensor<1x8x8x0xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects input channels (0) to equal groups (4611686018427387904) times the weight's channels per group (4)}}
  %y = qlp.conv2d %x, %w layout hwcf groups 4611686018427387904 : tensor<1x8x8x0xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_filters_not_multiple_of_groups(%x: tensor<1x8x8x16xi8>, %w: tensor<3x3x4x6xi8>) -> tensor<1x6x6x6xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects output channels (6) to be a multiple of groups (4)}}
  %y = qlp.conv2d %x, %w layout hwcf groups 4 : tensor<1x8x8x16xi8>, tensor<3x3x4x6xi8> -> tensor<1x6x6x6xi32>
  return %y : tensor<1x6x6x6xi32>
}

// -----

func.func @conv2d_batch_mismatch(%x: tensor<2x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects equal batch sizes for input and result, got 2 and 1}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<2x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_result_channels_mismatch(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x4xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects 8 result channels (the weight's F), got 4}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x4xi32>
  return %y : tensor<1x6x6x4xi32>
}

// -----

// A dilation of 3 spreads a 3x3 kernel over 7 rows; the input has 5.
func.func @conv2d_kernel_larger_than_input(%x: tensor<1x5x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x1x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects the dilated kernel height (7) to fit the padded input height (5)}}
  %y = qlp.conv2d %x, %w layout hwcf dilations [3, 1] : tensor<1x5x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x1x6x8xi32>
  return %y : tensor<1x1x6x8xi32>
}

// -----

func.func @conv2d_kernel_wider_than_padded_input(%x: tensor<1x8x2x4xi8>, %w: tensor<1x5x4x8xi8>) -> tensor<1x8x1x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects the kernel width (5) to fit the padded input width (4)}}
  %y = qlp.conv2d %x, %w layout hwcf padding [0, 0, 1, 1] : tensor<1x8x2x4xi8>, tensor<1x5x4x8xi8> -> tensor<1x8x1x8xi32>
  return %y : tensor<1x8x1x8xi32>
}

// -----

// OH = (8 + 1 + 1 - 3) / 2 + 1 = 4.
func.func @conv2d_output_height_mismatch(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x5x8x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects output height 4, got 5}}
  %y = qlp.conv2d %x, %w layout hwcf strides [2, 1] padding [1, 1, 1, 1] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x5x8x8xi32>
  return %y : tensor<1x5x8x8xi32>
}

// -----

func.func @conv2d_output_width_mismatch(%x: tensor<1x8x8x4xi8>, %w: tensor<8x3x3x4xi8>) -> tensor<1x6x5x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects output width 6, got 5}}
  %y = qlp.conv2d %x, %w layout fhwc : tensor<1x8x8x4xi8>, tensor<8x3x3x4xi8> -> tensor<1x6x5x8xi32>
  return %y : tensor<1x6x5x8xi32>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.conv2d: sizes beyond 64 bits
//===----------------------------------------------------------------------===//

func.func @conv2d_padded_height_overflow(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x?x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects the padded input height (8 + 9223372036854775807 + 0) to fit in 64 bits}}
  %y = qlp.conv2d %x, %w layout hwcf padding [9223372036854775807, 0, 0, 0] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x?x6x8xi32>
  return %y : tensor<1x?x6x8xi32>
}

// -----

func.func @conv2d_padded_width_overflow(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x?x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects the padded input width (8 + 9223372036854775800 + 8) to fit in 64 bits}}
  %y = qlp.conv2d %x, %w layout hwcf padding [0, 0, 9223372036854775800, 8] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x?x8xi32>
  return %y : tensor<1x6x?x8xi32>
}

// -----

func.func @conv2d_dilated_kernel_overflow(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x?x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects the dilated kernel height (4611686018427387904 * (3 - 1) + 1) to fit in 64 bits}}
  %y = qlp.conv2d %x, %w layout hwcf dilations [4611686018427387904, 1] : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x?x6x8xi32>
  return %y : tensor<1x?x6x8xi32>
}

// -----

// KH * KW * C/groups = 3 * 3 * 2^62 does not fit in 64 bits.
func.func @conv2d_reduction_size_overflow(%x: tensor<1x3x3x?xi8>, %w: tensor<3x3x4611686018427387904x1xi8>) -> tensor<1x1x1x1xi32> {
  // expected-error @+1 {{'qlp.conv2d' op expects the reduction size KH * KW * C/groups (3 * 3 * 4611686018427387904) to fit in 64 bits}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x3x3x?xi8>, tensor<3x3x4611686018427387904x1xi8> -> tensor<1x1x1x1xi32>
  return %y : tensor<1x1x1x1xi32>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.conv2d: accumulation bound
//===----------------------------------------------------------------------===//

// A 1x1 convolution over 131072 channels is a matmul with K = 2^17:
// 2^17 * 128 * 128 = 2^31.
func.func @conv2d_accumulation_overflow(%x: tensor<1x1x1x131072xi8>, %w: tensor<1x1x131072x1xi8>) -> tensor<1x1x1x1xi32> {
  // expected-error @+1 {{'qlp.conv2d' op i32 accumulation can overflow: KH * KW * C/groups (131072) * max|input - input_zp| (128) * max|weight - weight_zp| (128) = 2147483648 exceeds 2147483647}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x1x1x131072xi8>, tensor<1x1x131072x1xi8> -> tensor<1x1x1x1xi32>
  return %y : tensor<1x1x1x1xi32>
}

// -----

// Per group: 3 * 3 * 7311 = 65799 products of at most 255 * 128.
// (7310 channels per group would fit: 9 * 7310 * 255 * 128 = 2147385600.)
func.func @conv2d_accumulation_overflow_grouped_zp(%x: tensor<1x3x3x14622xi8>, %w: tensor<2x3x3x7311xi8>) -> tensor<1x1x1x2xi32> {
  // expected-error @+1 {{'qlp.conv2d' op i32 accumulation can overflow: KH * KW * C/groups (65799) * max|input - input_zp| (255) * max|weight - weight_zp| (128) = 2147679360 exceeds 2147483647}}
  %y = qlp.conv2d %x zp -128, %w layout fhwc groups 2 : tensor<1x3x3x14622xi8>, tensor<2x3x3x7311xi8> -> tensor<1x1x1x2xi32>
  return %y : tensor<1x1x1x2xi32>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.binary_conv2d
//===----------------------------------------------------------------------===//

func.func @binary_conv2d_pad_value_zero(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x8x!qlp.binary>) -> tensor<1x8x8x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op expects pad_value to be 1 or -1, got 0}}
  %y = qlp.binary_conv2d %x, %w layout hwcf padding [1, 1, 1, 1] pad_value 0 : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x8x!qlp.binary> -> tensor<1x8x8x8xi32>
  return %y : tensor<1x8x8x8xi32>
}

// -----

func.func @binary_conv2d_result_rank(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x8x!qlp.binary>) -> tensor<6x6x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op expects rank-4 input (NHWC), weight and result, got ranks 4, 4 and 3}}
  %y = qlp.binary_conv2d %x, %w layout hwcf : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x8x!qlp.binary> -> tensor<6x6x8xi32>
  return %y : tensor<6x6x8xi32>
}

// -----

func.func @binary_conv2d_dynamic_weight(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<?x3x3x64x!qlp.binary>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op expects a static weight shape so that the i32 accumulation can be bounded}}
  %y = qlp.binary_conv2d %x, %w layout fhwc : tensor<1x8x8x64x!qlp.binary>, tensor<?x3x3x64x!qlp.binary> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @binary_conv2d_negative_groups(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x8x!qlp.binary>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op expects groups >= 1, got -2}}
  %y = qlp.binary_conv2d %x, %w layout hwcf groups -2 : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x8x!qlp.binary> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @binary_conv2d_input_channels_mismatch(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x8x!qlp.binary>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op expects input channels (64) to equal groups (2) times the weight's channels per group (64)}}
  %y = qlp.binary_conv2d %x, %w layout hwcf groups 2 : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x8x!qlp.binary> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @binary_conv2d_output_width_mismatch(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x8x!qlp.binary>) -> tensor<1x8x6x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op expects output width 8, got 6}}
  %y = qlp.binary_conv2d %x, %w layout hwcf padding [1, 1, 1, 1] : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x8x!qlp.binary> -> tensor<1x8x6x8xi32>
  return %y : tensor<1x8x6x8xi32>
}

// -----

func.func @binary_conv2d_strides_negative(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x8x!qlp.binary>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op expects strides to be 2 values >= 1, got [-1, 1]}}
  %y = qlp.binary_conv2d %x, %w layout hwcf strides [-1, 1] : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x8x!qlp.binary> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @binary_conv2d_reduction_size_overflow(%x: tensor<1x?x?x?x!qlp.binary>, %w: tensor<4294967296x4294967296x1x1x!qlp.binary>) -> tensor<1x?x?x1xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op expects the reduction size KH * KW * C/groups (4294967296 * 4294967296 * 1) to fit in 64 bits}}
  %y = qlp.binary_conv2d %x, %w layout hwcf : tensor<1x?x?x?x!qlp.binary>, tensor<4294967296x4294967296x1x1x!qlp.binary> -> tensor<1x?x?x1xi32>
  return %y : tensor<1x?x?x1xi32>
}

// -----

// A binary product is +-1, so only a reduction of 2^31 terms overflows.
func.func @binary_conv2d_accumulation_overflow(%x: tensor<1x1x1x2147483648x!qlp.binary>, %w: tensor<1x1x1x2147483648x!qlp.binary>) -> tensor<1x1x1x1xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op i32 accumulation can overflow: KH * KW * C/groups (2147483648) * max|input| (1) * max|weight| (1) = 2147483648 exceeds 2147483647}}
  %y = qlp.binary_conv2d %x, %w layout fhwc : tensor<1x1x1x2147483648x!qlp.binary>, tensor<1x1x1x2147483648x!qlp.binary> -> tensor<1x1x1x1xi32>
  return %y : tensor<1x1x1x1xi32>
}
