// qlp-allocate-bits measures ||Q_b(W) - W||^2 with qlp-quantize's
// per-channel quantizer over the layer form's output-channel axis.
//
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=1,2,4,8 report=%t.b8.json})' -o /dev/null
// RUN: FileCheck %s --input-file=%t.b8.json --check-prefix=B8
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=1,2,4,8 size=4 report=%t.b4.json})' -o /dev/null
// RUN: FileCheck %s --input-file=%t.b4.json --check-prefix=B4
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=1,2,4,8 size=2 report=%t.b2.json})' -o /dev/null
// RUN: FileCheck %s --input-file=%t.b2.json --check-prefix=B2
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{choices=1,2,4,8 size=1 report=%t.b1.json})' -o /dev/null
// RUN: FileCheck %s --input-file=%t.b1.json --check-prefix=B1

// One 2x2 weight, output channels = columns (the matmul's N):
//   column 0 = [1.0, 0.5], column 1 = [0.25, -1.0], hessian trace 2.
// Width 8 (qmax 127, scale 1/127): 0.5 -> 63.5 -> 64, 0.25 -> 31.75 -> 32,
//   error (0.5/127)^2 + (0.25/127)^2 = 0.3125 / 16129; omega 3.875007750...e-05.
// Width 4 (qmax 7): the same with 7: 0.3125 / 49; omega 0.012755102...
// Width 2 (qmax 1): 0.5 -> 1 (half away from zero), 0.25 -> 0:
//   error 0.25 + 0.0625 = 0.3125; omega 0.625.
// Width 1 (sign, mean-|w| scale): column 0 scale 0.75, error 2 * 0.25^2;
//   column 1 scale 0.625, error 2 * 0.375^2; total 0.40625; omega 0.8125.
// The two layers below (8 weights, 8 bytes at 8 bits) with size=4, 2 and 1
// get 4, 2 and 1 bits.

// B8: "bits": 8,
// B8: "omega": 3.875007750{{[0-9]*}}e-05,
// B4: "bits": 4,
// B4: "omega": 0.012755102{{[0-9]*}},
// B2: "bits": 2,
// B2: "omega": 0.625,
// B1: "bits": 1,
// B1: "omega": 0.8125,
func.func @measured(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 0.25], [0.5, -1.0]]> : tensor<2x2xf32>
  %i = tensor.empty() : tensor<1x2xf32>
  %y = linalg.matmul {qlp.name = "fc", qlp.hessian_trace = 2.0 : f64}
         ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%i : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// The same weights as a tosa.conv2d [F, KH, KW, C] (channels = F, axis 0)
// give the same errors: filter 0 = [1.0, 0.5], filter 1 = [0.25, -1.0].
// Both layers have the same omegas at every width and the budgets are twice
// the one-layer budgets, so both get the same width: any split (8 and 1
// bits, say) would cost more omega.
// B8: "bits": 8,
// B8: "omega": 3.875007750{{[0-9]*}}e-05,
// B4: "bits": 4,
// B4: "omega": 0.012755102{{[0-9]*}},
// B2: "bits": 2,
// B2: "omega": 0.625,
// B1: "bits": 1,
// B1: "omega": 0.8125,
func.func @measured_tosa_conv(%x: tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0, 0.5]]], [[[0.25, -1.0]]]]> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      qlp.name = "conv", qlp.hessian_trace = 2.0 : f64}
      : (tensor<1x1x1x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  return %c : tensor<1x1x1x2xf32>
}
