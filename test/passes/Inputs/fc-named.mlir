// A fully connected layer whose ranges come from a calibration file.
func.func @fc(%x: tensor<1x1x2xf32> {qlp.name = "input"}) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %zp, %zp {qlp.name = "fc", qlp.range = array<f64: -100.0, 100.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}
