func.func @bad(%acc: tensor<8xi32>) -> tensor<8xi8> {
  %y = qlp.rescale %acc scale <[1073741824], [63]> rounding single_round
      : tensor<8xi32> -> tensor<8xi8>
  return %y : tensor<8xi8>
}
