// Verifier errors of qlp.rescale, qlp.add, qlp.clamp and #qlp.dyadic.
//
// RUN: quant-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// qlp.rescale
//===----------------------------------------------------------------------===//

func.func @rescale_shift_too_large(%acc: tensor<16xi32>) -> tensor<16xi8> {
  // expected-error @+1 {{expects shifts in [0, 62], got 63 at index 0}}
  %y = qlp.rescale %acc scale <[1], [63]> rounding single_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

func.func @rescale_input_zp_out_of_range(%x: tensor<16xi8>) -> tensor<16xi8> {
  // expected-error @+1 {{'qlp.rescale' op input_zp 128 does not fit in i8 (range [-128, 127])}}
  %y = qlp.rescale %x zp 128 scale <[1], [0]> rounding single_round : tensor<16xi8> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

func.func @rescale_input_zp_out_of_i32_range(%acc: tensor<16xi32>) -> tensor<16xi8> {
  // expected-error @+1 {{'qlp.rescale' op input_zp -2147483649 does not fit in i32 (range [-2147483648, 2147483647])}}
  %y = qlp.rescale %acc zp -2147483649 scale <[1], [0]> rounding single_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

func.func @rescale_output_zp_out_of_range(%acc: tensor<16xi32>) -> tensor<16xi4> {
  // expected-error @+1 {{'qlp.rescale' op output_zp 8 does not fit in i4 (range [-8, 7])}}
  %y = qlp.rescale %acc scale <[1], [0]> output_zp 8 rounding single_round : tensor<16xi32> -> tensor<16xi4>
  return %y : tensor<16xi4>
}

// -----

func.func @rescale_clamp_min_out_of_range(%acc: tensor<16xi32>) -> tensor<16xi2> {
  // expected-error @+1 {{'qlp.rescale' op clamp_min -3 does not fit in i2 (range [-2, 1])}}
  %y = qlp.rescale %acc scale <[1], [0]> clamp [-3, 1] rounding single_round : tensor<16xi32> -> tensor<16xi2>
  return %y : tensor<16xi2>
}

// -----

func.func @rescale_clamp_max_out_of_range(%acc: tensor<16xi32>) -> tensor<16xi8> {
  // expected-error @+1 {{'qlp.rescale' op clamp_max 128 does not fit in i8 (range [-128, 127])}}
  %y = qlp.rescale %acc scale <[1], [0]> clamp [0, 128] rounding single_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

func.func @rescale_clamp_inverted(%acc: tensor<16xi32>) -> tensor<16xi8> {
  // expected-error @+1 {{'qlp.rescale' op expects clamp_min <= clamp_max, got [6, 0]}}
  %y = qlp.rescale %acc scale <[1], [0]> clamp [6, 0] rounding single_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

// Only the generic form can give one bound without the other.
func.func @rescale_clamp_min_without_max(%acc: tensor<16xi32>) -> tensor<16xi8> {
  // expected-error @+1 {{'qlp.rescale' op expects clamp_min and clamp_max together, got only clamp_min}}
  %y = "qlp.rescale"(%acc) <{clamp_min = 0 : i64, input_zp = 0 : i64, output_zp = 0 : i64, rounding = #qlp<rounding single_round>, scale = #qlp.dyadic<[1], [0]>}> : (tensor<16xi32>) -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

func.func @rescale_clamp_max_without_min(%acc: tensor<16xi32>) -> tensor<16xi8> {
  // expected-error @+1 {{'qlp.rescale' op expects clamp_min and clamp_max together, got only clamp_max}}
  %y = "qlp.rescale"(%acc) <{clamp_max = 0 : i64, input_zp = 0 : i64, output_zp = 0 : i64, rounding = #qlp<rounding single_round>, scale = #qlp.dyadic<[1], [0]>}> : (tensor<16xi32>) -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

func.func @rescale_scale_axis_out_of_rank(%acc: tensor<4x2xi32>) -> tensor<4x2xi8> {
  // expected-error @+1 {{'qlp.rescale' op expects scale axis 2 to be a dimension of the rank-2 operand}}
  %y = qlp.rescale %acc scale <[1, 1], [0, 0], axis = 2> rounding single_round : tensor<4x2xi32> -> tensor<4x2xi8>
  return %y : tensor<4x2xi8>
}

// -----

func.func @rescale_scale_axis_dynamic(%acc: tensor<4x?xi32>) -> tensor<4x?xi8> {
  // expected-error @+1 {{'qlp.rescale' op expects a static dimension along scale axis 1}}
  %y = qlp.rescale %acc scale <[1, 1], [0, 0], axis = 1> rounding single_round : tensor<4x?xi32> -> tensor<4x?xi8>
  return %y : tensor<4x?xi8>
}

// -----

func.func @rescale_scale_count_mismatch(%acc: tensor<4x2xi32>) -> tensor<4x2xi8> {
  // expected-error @+1 {{'qlp.rescale' op expects scale to hold one scale per index along axis 0 (4), got 2}}
  %y = qlp.rescale %acc scale <[1, 1], [0, 0], axis = 0> rounding single_round : tensor<4x2xi32> -> tensor<4x2xi8>
  return %y : tensor<4x2xi8>
}

// -----

func.func @rescale_shape_mismatch(%acc: tensor<4x2xi32>) -> tensor<4x3xi8> {
  // expected-error @+1 {{'qlp.rescale' op requires the same shape for all operands and results}}
  %y = qlp.rescale %acc scale <[1], [0]> rounding single_round : tensor<4x2xi32> -> tensor<4x3xi8>
  return %y : tensor<4x3xi8>
}

// -----

func.func @rescale_unknown_rounding(%acc: tensor<16xi32>) -> tensor<16xi8> {
  // expected-error @+2 {{custom op 'qlp.rescale' expected ::mlir::qlp::RoundingMode to be one of: single_round, double_round, tflite}}
  // expected-error @+1 {{custom op 'qlp.rescale' failed to parse QLP_RoundingModeAttr parameter 'value'}}
  %y = qlp.rescale %acc scale <[1], [0]> rounding half_even : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.add
//===----------------------------------------------------------------------===//

func.func @add_lhs_zp_out_of_range(%a: tensor<8xi4>, %b: tensor<8xi8>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.add' op lhs_zp -9 does not fit in i4 (range [-8, 7])}}
  %y = qlp.add %a zp -9 scale <[1], [0]>, %b scale <[1], [0]> rounding single_round : tensor<8xi4>, tensor<8xi8> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @add_rhs_zp_out_of_range(%a: tensor<8xi4>, %b: tensor<8xi16>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.add' op rhs_zp 32768 does not fit in i16 (range [-32768, 32767])}}
  %y = qlp.add %a scale <[1], [0]>, %b zp 32768 scale <[1], [0]> rounding single_round : tensor<8xi4>, tensor<8xi16> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @add_output_zp_out_of_range(%a: tensor<8xi8>, %b: tensor<8xi8>) -> tensor<8xi2> {
  // expected-error @+1 {{'qlp.add' op output_zp 2 does not fit in i2 (range [-2, 1])}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1], [0]> output_zp 2 rounding single_round : tensor<8xi8>, tensor<8xi8> -> tensor<8xi2>
  return %y : tensor<8xi2>
}

// -----

func.func @add_clamp_max_out_of_range(%a: tensor<8xi8>, %b: tensor<8xi8>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.add' op clamp_max 255 does not fit in i8 (range [-128, 127])}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1], [0]> clamp [0, 255] rounding single_round : tensor<8xi8>, tensor<8xi8> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @add_clamp_inverted(%a: tensor<8xi8>, %b: tensor<8xi8>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.add' op expects clamp_min <= clamp_max, got [1, -1]}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1], [0]> clamp [1, -1] rounding single_round : tensor<8xi8>, tensor<8xi8> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @add_clamp_min_without_max(%a: tensor<8xi8>, %b: tensor<8xi8>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.add' op expects clamp_min and clamp_max together, got only clamp_min}}
  %y = "qlp.add"(%a, %b) <{clamp_min = 0 : i64, lhs_scale = #qlp.dyadic<[1], [0]>, lhs_zp = 0 : i64, output_zp = 0 : i64, rhs_scale = #qlp.dyadic<[1], [0]>, rhs_zp = 0 : i64, rounding = #qlp<rounding single_round>}> : (tensor<8xi8>, tensor<8xi8>) -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @add_lhs_scale_axis_out_of_rank(%a: tensor<8xi8>, %b: tensor<8xi8>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.add' op expects lhs_scale axis 1 to be a dimension of the rank-1 operand}}
  %y = qlp.add %a scale <[1], [0], axis = 1>, %b scale <[1], [0]> rounding single_round : tensor<8xi8>, tensor<8xi8> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @add_rhs_scale_count_mismatch(%a: tensor<2x3xi8>, %b: tensor<2x3xi8>) -> tensor<2x3xi8> {
  // expected-error @+1 {{'qlp.add' op expects rhs_scale to hold one scale per index along axis 1 (3), got 2}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1, 2], [0, 0], axis = 1> rounding single_round : tensor<2x3xi8>, tensor<2x3xi8> -> tensor<2x3xi8>
  return %y : tensor<2x3xi8>
}

// -----

func.func @add_rhs_scale_axis_dynamic(%a: tensor<2x?xi8>, %b: tensor<2x?xi8>) -> tensor<2x?xi8> {
  // expected-error @+1 {{'qlp.add' op expects a static dimension along rhs_scale axis 1}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1, 2], [0, 0], axis = 1> rounding single_round : tensor<2x?xi8>, tensor<2x?xi8> -> tensor<2x?xi8>
  return %y : tensor<2x?xi8>
}

// -----

func.func @add_shape_mismatch(%a: tensor<2x3xi8>, %b: tensor<3x2xi8>) -> tensor<2x3xi8> {
  // expected-error @+1 {{'qlp.add' op requires the same shape for all operands and results}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1], [0]> rounding single_round : tensor<2x3xi8>, tensor<3x2xi8> -> tensor<2x3xi8>
  return %y : tensor<2x3xi8>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.clamp
//===----------------------------------------------------------------------===//

func.func @clamp_min_out_of_range(%x: tensor<8xi8>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.clamp' op min -129 does not fit in i8 (range [-128, 127])}}
  %y = qlp.clamp %x [-129, 0] : tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @clamp_max_out_of_range(%x: tensor<8xi4>) -> tensor<8xi4> {
  // expected-error @+1 {{'qlp.clamp' op max 8 does not fit in i4 (range [-8, 7])}}
  %y = qlp.clamp %x [0, 8] : tensor<8xi4>
  return %y : tensor<8xi4>
}

// -----

func.func @clamp_inverted(%x: tensor<8xi32>) -> tensor<8xi32> {
  // expected-error @+1 {{'qlp.clamp' op expects min <= max, got [1, 0]}}
  %y = qlp.clamp %x [1, 0] : tensor<8xi32>
  return %y : tensor<8xi32>
}

// -----

func.func @clamp_type_mismatch(%x: tensor<8xi8>) -> tensor<8xi16> {
  // expected-error @+1 {{'qlp.clamp' op requires the same type for all operands and results}}
  %y = "qlp.clamp"(%x) <{max = 1 : i64, min = 0 : i64}> : (tensor<8xi8>) -> tensor<8xi16>
  return %y : tensor<8xi16>
}

// -----

//===----------------------------------------------------------------------===//
// #qlp.dyadic
//===----------------------------------------------------------------------===//

// The parser needs at least one multiplier, so the verifier's own check
// ("expects at least one multiplier") only guards C++ builders.
func.func @dyadic_no_multiplier() attributes {
  // expected-error @+2 {{expected integer value}}
  // expected-error @+1 {{failed to parse QLP_DyadicAttr parameter 'multipliers'}}
  scale = #qlp.dyadic<[], []>} {
  return
}

// -----

func.func @dyadic_shift_count_mismatch() attributes {
  // expected-error @+1 {{expects as many shifts as multipliers, got 1 shifts for 2 multipliers}}
  scale = #qlp.dyadic<[1, 2], [0], axis = 0>} {
  return
}

// -----

func.func @dyadic_several_scales_without_axis() attributes {
  // expected-error @+1 {{expects one multiplier and shift without an axis, got 2}}
  scale = #qlp.dyadic<[1, 2], [0, 0]>} {
  return
}

// -----

func.func @dyadic_negative_axis() attributes {
  // expected-error @+1 {{expects a non-negative axis, got -1}}
  scale = #qlp.dyadic<[1], [0], axis = -1>} {
  return
}

// -----

func.func @dyadic_zero_multiplier() attributes {
  // expected-error @+1 {{expects multipliers in [1, 2147483647], got 0 at index 0}}
  scale = #qlp.dyadic<[0], [0]>} {
  return
}

// -----

func.func @dyadic_negative_multiplier() attributes {
  // expected-error @+1 {{expects multipliers in [1, 2147483647], got -5 at index 1}}
  scale = #qlp.dyadic<[1, -5], [0, 0], axis = 0>} {
  return
}

// -----

func.func @dyadic_negative_shift() attributes {
  // expected-error @+1 {{expects shifts in [0, 62], got -1 at index 2}}
  scale = #qlp.dyadic<[1, 1, 1], [0, 0, -1], axis = 0>} {
  return
}

// -----

func.func @dyadic_multiplier_beyond_i32() attributes {
  // expected-error @+2 {{integer value too large}}
  // expected-error @+1 {{failed to parse QLP_DyadicAttr parameter 'multipliers'}}
  scale = #qlp.dyadic<[2147483648], [0]>} {
  return
}
