// Layers whose activations have dynamic sizes: the lowering computes the
// offsets and strides of their views at run time (expand-strided-metadata's
// affine.apply), which must reach the LLVM dialect like everything else.
func.func @conv(%x: tensor<1x?x?x?xi8>, %w: tensor<4x3x3x16xi8>) -> tensor<1x?x?x4xi32> {
  %y = qlp.conv2d %x zp -5, %w zp 2 layout fhwc strides [2, 1] padding [1, 0, 1, 2]
      : tensor<1x?x?x?xi8>, tensor<4x3x3x16xi8> -> tensor<1x?x?x4xi32>
  return %y : tensor<1x?x?x4xi32>
}

func.func @matmul(%a: tensor<?x24xi8>, %b: tensor<24x8xi8>) -> tensor<?x8xi32> {
  %c = qlp.matmul %a lhs_zp 3, %b rhs_zp -1
      : tensor<?x24xi8>, tensor<24x8xi8> -> tensor<?x8xi32>
  return %c : tensor<?x8xi32>
}

// Entry points for quant-run, which passes tensors of fixed shape: the
// sizes come from an input tensor, so no folding can make the slices, and
// the layers on them, static again.
func.func @conv_entry(%x: tensor<1x9x7x16xi8>, %w: tensor<4x3x3x16xi8>, %hw: tensor<2xi64>) -> tensor<1x4x8x4xi32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h64 = tensor.extract %hw[%c0] : tensor<2xi64>
  %w64 = tensor.extract %hw[%c1] : tensor<2xi64>
  %h = arith.index_cast %h64 : i64 to index
  %wd = arith.index_cast %w64 : i64 to index
  %d = tensor.extract_slice %x[0, 0, 0, 0] [1, %h, %wd, 16] [1, 1, 1, 1]
      : tensor<1x9x7x16xi8> to tensor<1x?x?x16xi8>
  %dc = tensor.cast %d : tensor<1x?x?x16xi8> to tensor<1x?x?x?xi8>
  %y = qlp.conv2d %dc zp -5, %w zp 2 layout fhwc strides [2, 1] padding [1, 0, 1, 2]
      : tensor<1x?x?x?xi8>, tensor<4x3x3x16xi8> -> tensor<1x?x?x4xi32>
  %s = tensor.cast %y : tensor<1x?x?x4xi32> to tensor<1x4x8x4xi32>
  return %s : tensor<1x4x8x4xi32>
}

func.func @matmul_entry(%a: tensor<5x24xi8>, %b: tensor<24x8xi8>, %m: tensor<1xi64>) -> tensor<5x8xi32> {
  %c0 = arith.constant 0 : index
  %m64 = tensor.extract %m[%c0] : tensor<1xi64>
  %rows = arith.index_cast %m64 : i64 to index
  %d = tensor.extract_slice %a[0, 0] [%rows, 24] [1, 1]
      : tensor<5x24xi8> to tensor<?x24xi8>
  %c = qlp.matmul %d lhs_zp 3, %b rhs_zp -1
      : tensor<?x24xi8>, tensor<24x8xi8> -> tensor<?x8xi32>
  %s = tensor.cast %c : tensor<?x8xi32> to tensor<5x8xi32>
  return %s : tensor<5x8xi32>
}

// Results with dynamic sizes that the op fixes (the weight's F and N, the
// window formula): the lowerings must not take them from the input. The
// matmul's constant weights, w[k][n] = (7 * (8k + n)) mod 23 - 11, make it
// a kernel call.
func.func @conv_dynamic_result(%x: tensor<1x9x7x16xi8>, %w: tensor<4x3x3x16xi8>) -> tensor<1x4x8x4xi32> {
  %y = qlp.conv2d %x zp -5, %w zp 2 layout fhwc strides [2, 1] padding [1, 0, 1, 2]
      : tensor<1x9x7x16xi8>, tensor<4x3x3x16xi8> -> tensor<?x?x?x?xi32>
  %s = tensor.cast %y : tensor<?x?x?x?xi32> to tensor<1x4x8x4xi32>
  return %s : tensor<1x4x8x4xi32>
}

func.func @matmul_dynamic_result(%a: tensor<5x24xi8>) -> tensor<5x8xi32> {
  %b = arith.constant dense<[[-11, -4, 3, 10, -6, 1, 8, -8], [-1, 6, -10, -3, 4, 11, -5, 2], [9, -7, 0, 7, -9, -2, 5, -11], [-4, 3, 10, -6, 1, 8, -8, -1], [6, -10, -3, 4, 11, -5, 2, 9], [-7, 0, 7, -9, -2, 5, -11, -4], [3, 10, -6, 1, 8, -8, -1, 6], [-10, -3, 4, 11, -5, 2, 9, -7], [0, 7, -9, -2, 5, -11, -4, 3], [10, -6, 1, 8, -8, -1, 6, -10], [-3, 4, 11, -5, 2, 9, -7, 0], [7, -9, -2, 5, -11, -4, 3, 10], [-6, 1, 8, -8, -1, 6, -10, -3], [4, 11, -5, 2, 9, -7, 0, 7], [-9, -2, 5, -11, -4, 3, 10, -6], [1, 8, -8, -1, 6, -10, -3, 4], [11, -5, 2, 9, -7, 0, 7, -9], [-2, 5, -11, -4, 3, 10, -6, 1], [8, -8, -1, 6, -10, -3, 4, 11], [-5, 2, 9, -7, 0, 7, -9, -2], [5, -11, -4, 3, 10, -6, 1, 8], [-8, -1, 6, -10, -3, 4, 11, -5], [2, 9, -7, 0, 7, -9, -2, 5], [-11, -4, 3, 10, -6, 1, 8, -8]]> : tensor<24x8xi8>
  %c = qlp.matmul %a lhs_zp 3, %b rhs_zp -1
      : tensor<5x24xi8>, tensor<24x8xi8> -> tensor<?x?xi32>
  %s = tensor.cast %c : tensor<?x?xi32> to tensor<5x8xi32>
  return %s : tensor<5x8xi32>
}
