// Seed: layers with constant weights (the kernel and GPU lowerings).
func.func @fused(%x: tensor<?x64xi8>) -> tensor<?x16xi8> {
  %w = arith.constant dense<-3> : tensor<64x16xi4>
  %y = qlp.matmul %x lhs_zp -128, %w bias dense<7> : tensor<16xi32> : tensor<?x64xi8>, tensor<64x16xi4> -> tensor<?x16xi32>
  %z = qlp.rescale %y scale <[1073741824], [36]> output_zp 5 rounding double_round : tensor<?x16xi32> -> tensor<?x16xi8>
  %c = qlp.clamp %z [0, 100] : tensor<?x16xi8>
  return %c : tensor<?x16xi8>
}

func.func @int8(%x: tensor<4x32xi8>) -> tensor<4x8xi8> {
  %w = arith.constant dense<[[1, -2, 3, -4, 5, -6, 7, -8]]> : tensor<1x8xi8>
  %wb = arith.constant dense<1> : tensor<32x8xi8>
  %y = qlp.matmul %x lhs_zp 3, %wb rhs_zp -2 : tensor<4x32xi8>, tensor<32x8xi8> -> tensor<4x8xi32>
  %z = qlp.rescale %y scale <[1073741824, 1, 2, 3, 4, 5, 6, 7], [31, 1, 2, 3, 4, 5, 6, 7], axis = 1> rounding single_round : tensor<4x8xi32> -> tensor<4x8xi8>
  return %z : tensor<4x8xi8>
}

func.func @conv(%x: tensor<1x9x9x8xi8>) -> tensor<1x5x5x16xi8> {
  %w = arith.constant dense<2> : tensor<16x3x3x8xi8>
  %y = qlp.conv2d %x zp -128, %w layout fhwc strides [2, 2] padding [1, 1, 1, 1] : tensor<1x9x9x8xi8>, tensor<16x3x3x8xi8> -> tensor<1x5x5x16xi32>
  %z = qlp.rescale %y scale <[1073741824], [34]> output_zp -1 rounding tflite : tensor<1x5x5x16xi32> -> tensor<1x5x5x16xi8>
  return %z : tensor<1x5x5x16xi8>
}

func.func @bin(%x: tensor<16x256xi8>) -> tensor<16x64xi8> {
  %a = qlp.binarize %x threshold 0 : tensor<16x256xi8> -> tensor<16x256x!qlp.binary>
  %words = arith.constant dense<5> : tensor<8x64xi32>
  %w = qlp.unpack %words axis 0 : tensor<8x64xi32> -> tensor<256x64x!qlp.binary>
  %c = qlp.binary_matmul %a, %w : tensor<16x256x!qlp.binary>, tensor<256x64x!qlp.binary> -> tensor<16x64xi32>
  %z = qlp.rescale %c scale <[1073741824], [33]> rounding double_round : tensor<16x64xi32> -> tensor<16x64xi8>
  return %z : tensor<16x64xi8>
}

func.func @binconv(%x: tensor<1x4x4x16xi8>) -> tensor<1x6x6x8xi32> {
  %b = qlp.binarize %x threshold 0 : tensor<1x4x4x16xi8> -> tensor<1x4x4x16x!qlp.binary>
  %words = arith.constant dense<[[[[5]]], [[[-3]]], [[[7]]], [[[0]]], [[[1]]], [[[-1]]], [[[99]]], [[[12345]]]]> : tensor<8x1x1x1xi32>
  %w = qlp.unpack %words axis 3 : tensor<8x1x1x1xi32> -> tensor<8x1x1x16x!qlp.binary>
  %acc = qlp.binary_conv2d %b, %w layout fhwc padding [1, 1, 1, 1] pad_value -1 : tensor<1x4x4x16x!qlp.binary>, tensor<8x1x1x16x!qlp.binary> -> tensor<1x6x6x8xi32>
  return %acc : tensor<1x6x6x8xi32>
}
