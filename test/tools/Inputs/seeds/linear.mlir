// Seed: integer matmul and conv2d.
func.func @matmul(%a: tensor<16x64xi8>, %w: tensor<64x32xi4>) -> tensor<16x32xi32> {
  %c = qlp.matmul %a, %w rhs_zp 0 : tensor<16x64xi8>, tensor<64x32xi4> -> tensor<16x32xi32>
  return %c : tensor<16x32xi32>
}

func.func @matmul_batched(%x: tensor<2x4x8xi8>, %y: tensor<2x8x4xi8>) -> tensor<2x4x4xi32> {
  %d = qlp.matmul %x lhs_zp -128, %y : tensor<2x4x8xi8>, tensor<2x8x4xi8> -> tensor<2x4x4xi32>
  return %d : tensor<2x4x4xi32>
}

func.func @matmul_dynamic(%x: tensor<?x8xi2>, %y: tensor<8x?xi2>) -> tensor<?x?xi32> {
  %d = qlp.matmul %x, %y rhs_zp 1 : tensor<?x8xi2>, tensor<8x?xi2> -> tensor<?x?xi32>
  return %d : tensor<?x?xi32>
}

func.func @conv2d(%x: tensor<1x16x16x8xi8>, %w: tensor<32x3x3x8xi4>) -> tensor<1x8x8x32xi32> {
  %y = qlp.conv2d %x zp -128, %w layout fhwc strides [2, 2] padding [1, 1, 1, 1] : tensor<1x16x16x8xi8>, tensor<32x3x3x8xi4> -> tensor<1x8x8x32xi32>
  return %y : tensor<1x8x8x32xi32>
}

func.func @conv2d_depthwise(%x: tensor<1x10x10x4xi8>, %w: tensor<3x3x1x4xi8>) -> tensor<1x6x6x4xi32> {
  %y = qlp.conv2d %x, %w zp 3 layout hwcf dilations [2, 2] groups 4 : tensor<1x10x10x4xi8>, tensor<3x3x1x4xi8> -> tensor<1x6x6x4xi32>
  return %y : tensor<1x6x6x4xi32>
}
