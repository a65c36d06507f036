// Seed: binary layers.
func.func @binarize(%x: tensor<1x8x8x64xi8>) -> tensor<1x8x8x64x!qlp.binary> {
  %b = qlp.binarize %x threshold -3 : tensor<1x8x8x64xi8> -> tensor<1x8x8x64x!qlp.binary>
  return %b : tensor<1x8x8x64x!qlp.binary>
}

func.func @binary_matmul(%a: tensor<16x256x!qlp.binary>, %w: tensor<256x64x!qlp.binary>) -> tensor<16x64xi32> {
  %c = qlp.binary_matmul %a, %w : tensor<16x256x!qlp.binary>, tensor<256x64x!qlp.binary> -> tensor<16x64xi32>
  return %c : tensor<16x64xi32>
}

func.func @binary_conv2d(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<32x3x3x64x!qlp.binary>) -> tensor<1x8x8x32xi32> {
  %y = qlp.binary_conv2d %x, %w layout fhwc padding [1, 1, 1, 1] pad_value -1 : tensor<1x8x8x64x!qlp.binary>, tensor<32x3x3x64x!qlp.binary> -> tensor<1x8x8x32xi32>
  return %y : tensor<1x8x8x32xi32>
}
