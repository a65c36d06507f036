// Seed: requantizing ops (rescale, add, clamp) with per-tensor and
// per-channel dyadic scales.
func.func @rescale_per_tensor(%acc: tensor<16xi32>) -> tensor<16xi8> {
  %y = qlp.rescale %acc scale <[1073741824], [31]> output_zp 3 rounding double_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

func.func @rescale_per_channel(%acc: tensor<4x2xi32>) -> tensor<4x2xi4> {
  %z = qlp.rescale %acc zp 0 scale <[1073741824, 1518500250], [31, 32], axis = 1> clamp [0, 6] rounding single_round : tensor<4x2xi32> -> tensor<4x2xi4>
  return %z : tensor<4x2xi4>
}

func.func @rescale_tflite(%x: tensor<2x3xi16>) -> tensor<2x3xi8> {
  %y = qlp.rescale %x zp -7 scale <[2147483647, 1, 65536], [62, 0, 17], axis = 1> output_zp -128 rounding tflite : tensor<2x3xi16> -> tensor<2x3xi8>
  return %y : tensor<2x3xi8>
}

func.func @add(%a: tensor<1x8x8x16xi8>, %b: tensor<1x8x8x16xi8>) -> tensor<1x8x8x16xi8> {
  %y = qlp.add %a zp -3 scale <[1073741824], [30]>, %b scale <[1518500250], [31]> output_zp 5 rounding single_round : tensor<1x8x8x16xi8>, tensor<1x8x8x16xi8> -> tensor<1x8x8x16xi8>
  return %y : tensor<1x8x8x16xi8>
}

func.func @add_mixed(%a: tensor<2x4xi4>, %b: tensor<2x4xi16>) -> tensor<2x4xi16> {
  %y = qlp.add %a scale <[1, 2, 3, 4], [0, 1, 2, 3], axis = 1>, %b zp 100 scale <[7], [3]> clamp [-1000, 1000] rounding double_round : tensor<2x4xi4>, tensor<2x4xi16> -> tensor<2x4xi16>
  return %y : tensor<2x4xi16>
}

func.func @clamp(%x: tensor<1x8x8x16xi8>) -> tensor<1x8x8x16xi8> {
  %y = qlp.clamp %x [-5, 127] : tensor<1x8x8x16xi8>
  return %y : tensor<1x8x8x16xi8>
}
