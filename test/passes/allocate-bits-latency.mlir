// Latency budgets of qlp-allocate-bits; optimum worked out by hand.
//
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{latency=3.5})' | FileCheck %s --check-prefix=ABS
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{latency-frac=0.5})' | FileCheck %s --check-prefix=FRAC

// Two TOSA convolutions with widths {2, 4, 8} from qlp.bit_choices:
//   layer  latency at 2 / 4 / 8   omega at 2 / 4 / 8
//   l1     1.0 / 1.5 / 3.0        20 / 4 / 1
//   l2     0.5 / 1.0 / 2.0         9 / 3 / 1
// latency=3.5 admits (8, 2) omega 10, (4, 8) omega 5 (exactly 3.5, on the
// boundary), (4, 4) omega 7, (2, 8) omega 21, ...: the optimum is (4, 8).
// latency-frac=0.5 is 1.5 + 0.5 * (5.0 - 1.5) = 3.25: (4, 8) and (8, 2) no
// longer fit; (4, 4) = 2.5 with omega 7 beats (2, 8) = 3.0 with 21 and
// (2, 4) = 2.0 with 23.

// ABS-LABEL: func.func @latency_budget
// ABS:         tosa.conv2d {{.*}}qlp.bits = 4 : i64{{.*}}qlp.name = "l1"
// ABS:         tosa.conv2d {{.*}}qlp.bits = 8 : i64{{.*}}qlp.name = "l2"
// FRAC-LABEL: func.func @latency_budget
// FRAC:         tosa.conv2d {{.*}}qlp.bits = 4 : i64{{.*}}qlp.name = "l1"
// FRAC:         tosa.conv2d {{.*}}qlp.bits = 4 : i64{{.*}}qlp.name = "l2"
func.func @latency_budget(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<0.5> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c1 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      qlp.name = "l1", qlp.bit_choices = array<i64: 2, 4, 8>,
      qlp.latency = {b2 = 1.0 : f64, b4 = 1.5 : f64, b8 = 3.0 : f64},
      qlp.perturbation = {b2 = 20.0 : f64, b4 = 4.0 : f64, b8 = 1.0 : f64}}
      : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %c2 = tosa.conv2d %c1, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>,
      qlp.name = "l2", qlp.bit_choices = array<i64: 2, 4, 8>,
      qlp.latency = {b2 = 0.5 : f64, b4 = 1.0 : f64, b8 = 2.0 : f64},
      qlp.perturbation = {b2 = 9.0 : f64, b4 = 3.0 : f64, b8 = 1.0 : f64}}
      : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %c2 : tensor<1x4x4x2xf32>
}
