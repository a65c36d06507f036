func.func @fc(%x: tensor<1x64xi8>, %w: tensor<64x8xi4>) -> tensor<1x8xi8> {
  %acc = qlp.matmul %x lhs_zp -128, %w : tensor<1x64xi8>, tensor<64x8xi4> -> tensor<1x8xi32>
  %y = qlp.rescale %acc scale <[1073741824], [31]> output_zp -128 rounding double_round
      : tensor<1x8xi32> -> tensor<1x8xi8>
  return %y : tensor<1x8xi8>
}
