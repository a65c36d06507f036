// Seed: pooling and sub-byte packing, with a dense constant for the folders.
func.func @max_pool2d(%x: tensor<1x16x16x8xi8>) -> tensor<1x8x8x8xi8> {
  %y = qlp.max_pool2d %x kernel [3, 3] strides [2, 2] padding [1, 1, 1, 1] : tensor<1x16x16x8xi8> -> tensor<1x8x8x8xi8>
  return %y : tensor<1x8x8x8xi8>
}

func.func @avg_pool2d(%x: tensor<1x8x8x16xi8>) -> tensor<1x4x4x16xi8> {
  %y = qlp.avg_pool2d %x zp -128 kernel [2, 2] strides [2, 2] output_zp -128 : tensor<1x8x8x16xi8> -> tensor<1x4x4x16xi8>
  return %y : tensor<1x4x4x16xi8>
}

func.func @pack_unpack(%w: tensor<64x99xi4>, %b: tensor<16x100x!qlp.binary>) -> (tensor<64x99xi4>, tensor<16x4xi32>) {
  %p = qlp.pack %w axis 1 : tensor<64x99xi4> -> tensor<64x50xi8>
  %u = qlp.unpack %p axis 1 : tensor<64x50xi8> -> tensor<64x99xi4>
  %q = qlp.pack %b axis 1 : tensor<16x100x!qlp.binary> -> tensor<16x4xi32>
  return %u, %q : tensor<64x99xi4>, tensor<16x4xi32>
}

func.func @pack_const() -> tensor<2x1xi8> {
  %c = arith.constant dense<[[1, -2], [-8, 7]]> : tensor<2x2xi4>
  %p = qlp.pack %c axis 1 : tensor<2x2xi4> -> tensor<2x1xi8>
  return %p : tensor<2x1xi8>
}

func.func @unpack_i2(%p: tensor<3x2xi8>) -> tensor<3x5xi2> {
  %u = qlp.unpack %p axis 1 : tensor<3x2xi8> -> tensor<3x5xi2>
  return %u : tensor<3x5xi2>
}
