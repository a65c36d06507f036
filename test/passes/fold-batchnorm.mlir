// Per-channel affine chains after float layers fold into weights and bias.
//
// RUN: quant-opt %s --pass-pipeline='builtin.module(func.func(qlp-fold-batchnorm))' \
// RUN:   --split-input-file | FileCheck %s

// Inference batch norm (x - mean) * rsqrt(var + eps) * gamma + beta with
// mean = [1, 2], var = [3, 15], eps = 1, gamma = [2, -4], beta = [1, 3]:
// rsqrt(var + eps) = [0.5, 0.25], so g = [1, -1] and h = -mean * g + beta =
// [0, 5]. W' = W * g per output channel: [[1, 2]] and [[-3, 4]];
// b' = b * g + h = [0.5 * 1 + 0, -1 * -1 + 5] = [0.5, 6]. The conv takes the
// batch norm's qlp.name and qlp.range and keeps its qlp.bits.
// CHECK-LABEL: func.func @conv_batchnorm
// CHECK-SAME:    (%[[X:.*]]: tensor<1x2x2x2xf32>)
// CHECK-DAG:     %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00]]], {{\[\[\[}}-3.000000e+00, 4.000000e+00]]]]> : tensor<2x1x1x2xf32>}>
// CHECK-DAG:     %[[B:.*]] = "tosa.const"() <{values = dense<[5.000000e-01, 6.000000e+00]> : tensor<2xf32>}>
// CHECK:         %[[Y:.*]] = tosa.conv2d %[[X]], %[[W]], %[[B]], %{{.*}}, %{{.*}} {acc_type = f32, {{.*}}, qlp.bits = 4 : i64, qlp.name = "bn1", qlp.range = array<f64: -2.000000e+00, 2.000000e+00>
// CHECK-NOT:     tosa.sub
// CHECK-NOT:     tosa.mul
// CHECK-NOT:     tosa.add
// CHECK-NOT:     tosa.rsqrt
// CHECK:         return %[[Y]]
func.func @conv_batchnorm(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0, 2.0]]], [[[3.0, -4.0]]]]> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %mean = "tosa.const"() {values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %var = "tosa.const"() {values = dense<[[[[3.0, 15.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %eps = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %gamma = "tosa.const"() {values = dense<[[[[2.0, -4.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %beta = "tosa.const"() {values = dense<[[[[1.0, 3.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qlp.name = "conv1", qlp.bits = 4 : i64, qlp.range = array<f64: -9.0, 9.0>}
      : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %centered = tosa.sub %c, %mean : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %ve = tosa.add %var, %eps : (tensor<1x1x1x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x1x2xf32>
  %inv = tosa.rsqrt %ve : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %normed = tosa.mul %centered, %inv, %shift : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %scaled = tosa.mul %normed, %gamma, %shift : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %y = tosa.add %scaled, %beta {qlp.name = "bn1", qlp.range = array<f64: -2.0, 2.0>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// (c - v) * k with c = [10, 20], k = [2, 0.5]: g = -k = [-2, -0.5] scales
// the weight's columns, and h = c * k = [20, 10] stays as one add (a matmul
// has no bias operand), which carries the chain's qlp.* attributes.
// CHECK-LABEL: func.func @matmul_reversed_sub
// CHECK-SAME:    (%[[X:.*]]: tensor<1x3x2xf32>)
// CHECK:         %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}-2.000000e+00, -1.000000e+00], [-6.000000e+00, -2.000000e+00]]]> : tensor<1x2x2xf32>}>
// CHECK:         %[[MM:.*]] = tosa.matmul %[[X]], %[[W]], %{{.*}}, %{{.*}} {qlp.name = "fc"} :
// CHECK:         %[[H:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}2.000000e+01, 1.000000e+01]]]> : tensor<1x1x2xf32>}>
// CHECK:         %[[Y:.*]] = tosa.add %[[MM]], %[[H]] {qlp.name = "fc.scale"} :
// CHECK-NEXT:    return %[[Y]]
func.func @matmul_reversed_sub(%x: tensor<1x3x2xf32>) -> tensor<1x3x2xf32> {
  %w = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = "tosa.const"() {values = dense<[[[10.0, 20.0]]]> : tensor<1x1x2xf32>} : () -> tensor<1x1x2xf32>
  %k = "tosa.const"() {values = dense<[[[2.0, 0.5]]]> : tensor<1x1x2xf32>} : () -> tensor<1x1x2xf32>
  %mm = tosa.matmul %x, %w, %zp, %zp {qlp.name = "fc"} : (tensor<1x3x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x2xf32>
  %d = tosa.sub %c, %mm : (tensor<1x1x2xf32>, tensor<1x3x2xf32>) -> tensor<1x3x2xf32>
  %y = tosa.mul %d, %k, %shift {qlp.name = "fc.scale"} : (tensor<1x3x2xf32>, tensor<1x1x2xf32>, tensor<1xi8>) -> tensor<1x3x2xf32>
  return %y : tensor<1x3x2xf32>
}

// -----

// Depthwise [KH, KW, C, M] = [1, 1, 2, 1]: channel c * M + m scales by
// g = [3, 0.5]; a broadcast [1] add of 1 gives b' = [0, 0] * g + 1.
// CHECK-LABEL: func.func @depthwise_scale_shift
// CHECK-DAG:     %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}3.000000e+00], [1.000000e+00]]]]> : tensor<1x1x2x1xf32>}>
// CHECK-DAG:     %[[B:.*]] = "tosa.const"() <{values = dense<1.000000e+00> : tensor<2xf32>}>
// CHECK:         %[[Y:.*]] = tosa.depthwise_conv2d %{{.*}}, %[[W]], %[[B]],
// CHECK-NEXT:    return %[[Y]]
func.func @depthwise_scale_shift(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0], [2.0]]]]> : tensor<1x1x2x1xf32>} : () -> tensor<1x1x2x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %g = "tosa.const"() {values = dense<[[[[3.0, 0.5]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %one = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %c = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x2x2x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %m = tosa.mul %c, %g, %shift : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x2x2x2xf32>
  %y = tosa.add %m, %one : (tensor<1x2x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// The conv result has a second use: nothing folds.
// CHECK-LABEL: func.func @do_not_fold_multi_use_layer
// CHECK:         %[[C:.*]] = tosa.conv2d
// CHECK:         %[[M:.*]] = tosa.mul %[[C]]
// CHECK:         return %[[M]], %[[C]]
func.func @do_not_fold_multi_use_layer(%x: tensor<1x1x1x1xf32>) -> (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) {
  %w = "tosa.const"() {values = dense<2.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %k = "tosa.const"() {values = dense<3.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %c = tosa.conv2d %x, %w, %b, %b, %b {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %m = tosa.mul %c, %k, %shift : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x1x1xf32>
  return %m, %c : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>
}

// -----

// The mul's result has two uses: the chain ends at the mul (folded, w = 2 *
// 3 = 6), and the add after it stays.
// CHECK-LABEL: func.func @chain_ends_at_multi_use
// CHECK:         %[[W:.*]] = "tosa.const"() <{values = dense<6.000000e+00> : tensor<1x1x1x1xf32>}>
// CHECK:         %[[C:.*]] = tosa.conv2d %{{.*}}, %[[W]]
// CHECK-NOT:     tosa.mul
// CHECK:         %[[A:.*]] = tosa.add %[[C]], %{{.*}}
// CHECK:         return %[[A]], %[[C]]
func.func @chain_ends_at_multi_use(%x: tensor<1x1x1x1xf32>) -> (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) {
  %w = "tosa.const"() {values = dense<2.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %k = "tosa.const"() {values = dense<3.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %c = tosa.conv2d %x, %w, %b, %b, %b {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %m = tosa.mul %c, %k, %shift : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x1x1xf32>
  %a = tosa.add %m, %k : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %a, %m : tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>
}

// -----

// Not per-channel constants (a spatial scale, a runtime value) and runtime
// weights are not affine maps of the layer's channels: nothing folds.
// CHECK-LABEL: func.func @do_not_fold_non_channel_operands
// CHECK:         tosa.mul
// CHECK:         tosa.add
// CHECK:         tosa.mul
// CHECK-LABEL: func.func @do_not_fold_runtime_weight
// CHECK:         tosa.mul
func.func @do_not_fold_non_channel_operands(%x: tensor<1x2x2x1xf32>, %r: tensor<1x1x1x1xf32>) -> (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) {
  %w = "tosa.const"() {values = dense<2.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %spatial = "tosa.const"() {values = dense<[[[[1.0], [2.0]], [[3.0], [4.0]]]]> : tensor<1x2x2x1xf32>} : () -> tensor<1x2x2x1xf32>
  %c1 = tosa.conv2d %x, %w, %b, %b, %b {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %m1 = tosa.mul %c1, %spatial, %shift : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1xi8>) -> tensor<1x2x2x1xf32>
  %c2 = tosa.conv2d %x, %w, %b, %b, %b {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %a2 = tosa.add %c2, %r : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x2x1xf32>
  %m2 = tosa.mul %a2, %spatial, %shift : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>, tensor<1xi8>) -> tensor<1x2x2x1xf32>
  return %m1, %m2 : tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>
}
func.func @do_not_fold_runtime_weight(%x: tensor<1x1x1x1xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %k = "tosa.const"() {values = dense<3.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %c = tosa.conv2d %x, %w, %b, %b, %b {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}
      : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %m = tosa.mul %c, %k, %shift : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x1x1xf32>
  return %m : tensor<1x1x1x1xf32>
}
