// Results of every printable kind for quant-run-print.test: the arguments
// passed through (unsigned, f16, rank-0 f64) and constants (f32 with
// special values, i1, rank-3 i8, an empty tensor).
func.func @show(%u: tensor<3xui8>, %h: tensor<2xf16>, %d: tensor<f64>)
    -> (tensor<3xui8>, tensor<2xf16>, tensor<f64>, tensor<2x3xf32>,
        tensor<2xi1>, tensor<2x2x2xi8>, tensor<0x3xi32>) {
  %f = arith.constant dense<[[0.1, -2.5, 1.0e-8], [0x7F800000, 0xFF800000, 3.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[true, false]> : tensor<2xi1>
  %c = arith.constant dense<[[[-128, 127], [0, -1]], [[1, 2], [3, 4]]]> : tensor<2x2x2xi8>
  %e = arith.constant dense<> : tensor<0x3xi32>
  return %u, %h, %d, %f, %b, %c, %e
      : tensor<3xui8>, tensor<2xf16>, tensor<f64>, tensor<2x3xf32>,
        tensor<2xi1>, tensor<2x2x2xi8>, tensor<0x3xi32>
}
