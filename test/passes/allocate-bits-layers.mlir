// qlp-allocate-bits finds the layers of every supported form, with their
// parameter counts (weights) and MACs from the shapes, computed by hand in
// the comments. A matmul of two activations is not a layer.
//
// RUN: quant-opt %s --pass-pipeline='builtin.module(qlp-allocate-bits{report=%t.json})' | FileCheck %s
// RUN: FileCheck %s --input-file=%t.json --check-prefix=JSON

// CHECK-LABEL: func.func @forms
// CHECK:         qlp.matmul {{.*}}qlp.bits = 8 : i64
// CHECK:         qlp.conv2d {{.*}}qlp.bits = 4 : i64
// CHECK:         tosa.conv2d {{.*}}qlp.bits =
// CHECK:         tosa.depthwise_conv2d {{.*}}qlp.bits =
// CHECK:         tosa.matmul {{.*}}qlp.bits =
// CHECK:         linalg.matmul {{.*}}qlp.bits =
// CHECK:         linalg.batch_matmul {{.*}}qlp.bits =
// CHECK:         linalg.conv_2d_nhwc_hwcf {{.*}}qlp.bits =
// CHECK:         linalg.depthwise_conv_2d_nhwc_hwc {{.*}}qlp.bits =
// CHECK:         tosa.matmul
// CHECK-NOT:     qlp.bits
// CHECK-SAME:    -> tensor<1x2x2xf32>

// JSON:      "macs": 64,
// JSON-NEXT: "name": "qlp_matmul",
// JSON:      "op": "qlp.matmul",
// JSON-NEXT: "params": 32,
// JSON:      "macs": 10368,
// JSON-NEXT: "name": "qlp_conv",
// JSON-NEXT: "omega": 0,
// JSON-NEXT: "omega_source": "none",
// JSON-NEXT: "op": "qlp.conv2d",
// JSON-NEXT: "params": 288,
// JSON-NEXT: "pinned": true,
// JSON:      "macs": 7776,
// JSON-NEXT: "name": "tosa_conv",
// JSON:      "op": "tosa.conv2d",
// JSON-NEXT: "params": 216,
// JSON:      "macs": 1152,
// JSON-NEXT: "name": "tosa_dw",
// JSON:      "op": "tosa.depthwise_conv2d",
// JSON-NEXT: "params": 72,
// JSON:      "macs": 64,
// JSON-NEXT: "name": "tosa_matmul",
// JSON:      "op": "tosa.matmul",
// JSON-NEXT: "params": 32,
// JSON:      "macs": 64,
// JSON-NEXT: "name": "linalg_matmul",
// JSON:      "op": "linalg.matmul",
// JSON-NEXT: "params": 32,
// JSON:      "macs": 192,
// JSON-NEXT: "name": "linalg_batch_matmul",
// JSON:      "op": "linalg.batch_matmul",
// JSON-NEXT: "params": 64,
// JSON:      "macs": 648,
// JSON-NEXT: "name": "linalg_conv",
// JSON:      "op": "linalg.conv_2d_nhwc_hwcf",
// JSON-NEXT: "params": 72,
// JSON:      "macs": 243,
// JSON-NEXT: "name": "linalg_dw",
// JSON:      "op": "linalg.depthwise_conv_2d_nhwc_hwc",
// JSON-NEXT: "params": 27,
// JSON:      "notes": [
// JSON:        "layer 'qlp_conv' is pinned and has integer weights; its omega is taken as 0",
func.func @forms(%a8: tensor<2x8xi8>, %img: tensor<1x8x8x8xi8>, %f3: tensor<1x8x8x3xf32>,
                 %f4: tensor<1x6x6x4xf32>, %m: tensor<1x2x8xf32>, %x: tensor<2x8xf32>,
                 %bx: tensor<2x3x8xf32>, %c2: tensor<1x5x5x2xf32>, %c3: tensor<1x5x5x3xf32>,
                 %m2: tensor<1x8x2xf32>) {
  // qlp.matmul with an i8 constant rhs [K, N] = [8, 4]: 32 weights,
  // 2 * 4 outputs * K = 64 MACs. Integer weights need qlp.perturbation.
  %w0 = arith.constant dense<1> : tensor<8x4xi8>
  %0 = qlp.matmul %a8, %w0 {qlp.name = "qlp_matmul", qlp.perturbation = {b4 = 1.0 : f64, b8 = 0.5 : f64}}
      : tensor<2x8xi8>, tensor<8x4xi8> -> tensor<2x4xi32>
  // qlp.conv2d on a packed i4 weight through qlp.unpack, fhwc [4, 3, 3, 8]:
  // 288 weights, 1x6x6x4 = 144 outputs * 72 = 10368 MACs. Pinned, so its
  // integer weights need no perturbation.
  %p1 = arith.constant dense<17> : tensor<4x3x3x4xi8>
  %w1 = qlp.unpack %p1 axis 3 : tensor<4x3x3x4xi8> -> tensor<4x3x3x8xi4>
  %1 = qlp.conv2d %img, %w1 layout fhwc {qlp.name = "qlp_conv", qlp.bits = 4 : i64}
      : tensor<1x8x8x8xi8>, tensor<4x3x3x8xi4> -> tensor<1x6x6x4xi32>
  // tosa.conv2d [F, KH, KW, C] = [8, 3, 3, 3]: 216 weights,
  // 1x6x6x8 = 288 outputs * 27 = 7776 MACs.
  %w2 = "tosa.const"() {values = dense<0.5> : tensor<8x3x3x3xf32>} : () -> tensor<8x3x3x3xf32>
  %b2 = "tosa.const"() {values = dense<0.0> : tensor<8xf32>} : () -> tensor<8xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %2 = tosa.conv2d %f3, %w2, %b2, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.name = "tosa_conv"}
      : (tensor<1x8x8x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x8xf32>
  // tosa.depthwise_conv2d [KH, KW, C, M] = [3, 3, 4, 2]: 72 weights,
  // 1x4x4x8 = 128 outputs * 9 = 1152 MACs.
  %w3 = "tosa.const"() {values = dense<0.5> : tensor<3x3x4x2xf32>} : () -> tensor<3x3x4x2xf32>
  %3 = tosa.depthwise_conv2d %f4, %w3, %b2, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.name = "tosa_dw"}
      : (tensor<1x6x6x4xf32>, tensor<3x3x4x2xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  // tosa.matmul b [N, C, W] = [1, 8, 4]: 32 weights, 1x2x4 = 8 outputs * 8 = 64 MACs.
  %w4 = "tosa.const"() {values = dense<0.5> : tensor<1x8x4xf32>} : () -> tensor<1x8x4xf32>
  %4 = tosa.matmul %m, %w4, %zp, %zp {qlp.name = "tosa_matmul"}
      : (tensor<1x2x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  // linalg.matmul [8, 4]: 32 weights, 2 * 4 * 8 = 64 MACs.
  %w5 = arith.constant dense<0.5> : tensor<8x4xf32>
  %i5 = tensor.empty() : tensor<2x4xf32>
  %5 = linalg.matmul {qlp.name = "linalg_matmul"} ins(%x, %w5 : tensor<2x8xf32>, tensor<8x4xf32>) outs(%i5 : tensor<2x4xf32>) -> tensor<2x4xf32>
  // linalg.batch_matmul [2, 8, 4]: 64 weights, 2 * 3 * 4 * 8 = 192 MACs.
  %w6 = arith.constant dense<0.5> : tensor<2x8x4xf32>
  %i6 = tensor.empty() : tensor<2x3x4xf32>
  %6 = linalg.batch_matmul {qlp.name = "linalg_batch_matmul"} ins(%bx, %w6 : tensor<2x3x8xf32>, tensor<2x8x4xf32>) outs(%i6 : tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // linalg.conv_2d_nhwc_hwcf [3, 3, 2, 4]: 72 weights, 1x3x3x4 = 36 outputs * 18 = 648 MACs.
  %w7 = arith.constant dense<0.5> : tensor<3x3x2x4xf32>
  %i7 = tensor.empty() : tensor<1x3x3x4xf32>
  %7 = linalg.conv_2d_nhwc_hwcf {qlp.name = "linalg_conv", dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%c2, %w7 : tensor<1x5x5x2xf32>, tensor<3x3x2x4xf32>) outs(%i7 : tensor<1x3x3x4xf32>) -> tensor<1x3x3x4xf32>
  // linalg.depthwise_conv_2d_nhwc_hwc [3, 3, 3]: 27 weights, 1x3x3x3 = 27 outputs * 9 = 243 MACs.
  %w8 = arith.constant dense<0.5> : tensor<3x3x3xf32>
  %i8 = tensor.empty() : tensor<1x3x3x3xf32>
  %8 = linalg.depthwise_conv_2d_nhwc_hwc {qlp.name = "linalg_dw", dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%c3, %w8 : tensor<1x5x5x3xf32>, tensor<3x3x3xf32>) outs(%i8 : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  // Not a layer: both operands are activations.
  %9 = tosa.matmul %m, %m2, %zp, %zp : (tensor<1x2x8xf32>, tensor<1x8x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
  return
}
