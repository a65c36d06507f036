// Float linalg named ops become the TOSA 1.0 ops computing the same values.
//
// RUN: quant-opt %s --pass-pipeline='builtin.module(func.func(qlp-import-linalg))' \
// RUN:   --split-input-file | FileCheck %s

// A rank-2 matmul into a zero fill: the activation is reshaped to rank 3,
// the constant weight is re-shaped at compile time, and qlp.* attributes
// move to the tosa.matmul.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG:     %[[S3:.*]] = tosa.const_shape {values = dense<[1, 2, 3]> : tensor<3xindex>}
// CHECK-DAG:     %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]]> : tensor<1x3x2xf32>}>
// CHECK-DAG:     %[[A:.*]] = tosa.reshape %[[X]], %[[S3]] : (tensor<2x3xf32>, !tosa.shape<3>) -> tensor<1x2x3xf32>
// CHECK-DAG:     %[[ZP:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK:         %[[MM:.*]] = tosa.matmul %[[A]], %[[W]], %{{.*}}, %{{.*}} {qlp.bits = 4 : i64, qlp.name = "fc", qlp.range = array<f64: -1.000000e+00, 1.000000e+00>} : (tensor<1x2x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2xf32>
// CHECK:         %[[S2:.*]] = tosa.const_shape {values = dense<2> : tensor<2xindex>}
// CHECK:         %[[Y:.*]] = tosa.reshape %[[MM]], %[[S2]] : (tensor<1x2x2xf32>, !tosa.shape<2>) -> tensor<2x2xf32>
// CHECK-NOT:     linalg.
// CHECK:         return %[[Y]]
func.func @matmul(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul {qlp.name = "fc", qlp.bits = 4 : i64, qlp.range = array<f64: -1.0, 1.0>}
      ins(%x, %w : tensor<2x3xf32>, tensor<3x2xf32>) outs(%init : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// A batch matmul accumulating into a non-zero init: the init is added.
// CHECK-LABEL: func.func @batch_matmul_with_init
// CHECK-SAME:    (%[[X:.*]]: tensor<2x1x3xf32>, %[[INIT:.*]]: tensor<2x1x2xf32>)
// CHECK:         %[[MM:.*]] = tosa.matmul %[[X]], %{{.*}} : (tensor<2x1x3xf32>, tensor<2x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x1x2xf32>
// CHECK:         %[[Y:.*]] = tosa.add %[[MM]], %[[INIT]]
// CHECK:         return %[[Y]]
func.func @batch_matmul_with_init(%x: tensor<2x1x3xf32>, %init: tensor<2x1x2xf32>) -> tensor<2x1x2xf32> {
  %w = arith.constant dense<0.5> : tensor<2x3x2xf32>
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x1x3xf32>, tensor<2x3x2xf32>) outs(%init : tensor<2x1x2xf32>) -> tensor<2x1x2xf32>
  return %y : tensor<2x1x2xf32>
}

// -----

// HWCF [KH=1, KW=2, C=2, F=3] becomes OHWI: w'[f, 0, kw, c] = w[0, kw, c, f].
// The zero tensor.pad becomes TOSA padding (the bottom row it adds is never
// read with stride 2, so TOSA's exact-division rule drops it), strides and
// dilations carry over, and the bias is zero.
// CHECK-LABEL: func.func @conv
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4x4x2xf32>)
// CHECK-DAG:     %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}0.000000e+00, 3.000000e+00], [6.000000e+00, 9.000000e+00]]], {{\[\[\[}}1.000000e+00, 4.000000e+00], [7.000000e+00, 1.000000e+01]]], {{\[\[\[}}2.000000e+00, 5.000000e+00], [8.000000e+00, 1.100000e+01]]]]> : tensor<3x1x2x2xf32>}>
// CHECK-DAG:     %[[B:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<3xf32>}>
// CHECK:         %[[Y:.*]] = tosa.conv2d %[[X]], %[[W]], %[[B]], %{{.*}}, %{{.*}} {acc_type = f32, dilation = array<i64: 1, 2>, pad = array<i64: 1, 0, 0, 2>, stride = array<i64: 2, 1>}
// CHECK-SAME:      -> tensor<1x3x4x3xf32>
// CHECK-NEXT:    return %[[Y]]
func.func @conv(%x: tensor<1x4x4x2xf32>) -> tensor<1x3x4x3xf32> {
  %w = arith.constant dense<[[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], [[6.0, 7.0, 8.0], [9.0, 10.0, 11.0]]]]> : tensor<1x2x2x3xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 0, 0] high[0, 1, 2, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x2xf32> to tensor<1x6x6x2xf32>
  %e = tensor.empty() : tensor<1x3x4x3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x4x3xf32>) -> tensor<1x3x4x3xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
      ins(%p, %w : tensor<1x6x6x2xf32>, tensor<1x2x2x3xf32>) outs(%init : tensor<1x3x4x3xf32>) -> tensor<1x3x4x3xf32>
  return %y : tensor<1x3x4x3xf32>
}

// -----

// A stride-2 1x1 conv on an even input reads rows 0, 2, 4, 6 of 8: TOSA
// requires the extent to divide by the stride, so the unread last row and
// column are sliced off.
// CHECK-LABEL: func.func @conv_unread_tail
// CHECK-SAME:    (%[[X:.*]]: tensor<1x8x8x4xf32>)
// CHECK:         %[[S:.*]] = tosa.slice %[[X]], %{{.*}}, %{{.*}} : (tensor<1x8x8x4xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x7x7x4xf32>
// CHECK:         tosa.conv2d %[[S]], {{.*}} pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : {{.*}} -> tensor<1x4x4x2xf32>
func.func @conv_unread_tail(%x: tensor<1x8x8x4xf32>) -> tensor<1x4x4x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x4x2xf32>
  %init = tensor.empty() : tensor<1x4x4x2xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<1x8x8x4xf32>, tensor<1x1x4x2xf32>) outs(%init : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @depthwise_hwc
// CHECK:         %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00], [2.000000e+00]], {{\[\[}}3.000000e+00], [4.000000e+00]]]]> : tensor<1x2x2x1xf32>}>
// CHECK:         tosa.depthwise_conv2d %{{.*}}, %[[W]], {{.*}} : (tensor<1x3x3x2xf32>, tensor<1x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x2x2xf32>
func.func @depthwise_hwc(%x: tensor<1x3x3x2xf32>) -> tensor<1x3x2x2xf32> {
  %w = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>
  %init = tensor.empty() : tensor<1x3x2x2xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x3x3x2xf32>, tensor<1x2x2xf32>) outs(%init : tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// The multiplier dimension: TOSA's [N, OH, OW, C * M] result is reshaped to
// linalg's [N, OH, OW, C, M].
// CHECK-LABEL: func.func @depthwise_hwcm
// CHECK:         %[[D:.*]] = tosa.depthwise_conv2d {{.*}} -> tensor<1x2x2x6xf32>
// CHECK:         %[[R:.*]] = tosa.reshape %[[D]], %{{.*}} : (tensor<1x2x2x6xf32>, !tosa.shape<5>) -> tensor<1x2x2x2x3xf32>
// CHECK:         return %[[R]]
func.func @depthwise_hwcm(%x: tensor<1x3x3x2xf32>) -> tensor<1x2x2x2x3xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x2x3xf32>
  %init = tensor.empty() : tensor<1x2x2x2x3xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x3x3x2xf32>, tensor<2x2x2x3xf32>) outs(%init : tensor<1x2x2x2x3xf32>) -> tensor<1x2x2x2x3xf32>
  return %y : tensor<1x2x2x2x3xf32>
}

// -----

// A broadcast constant becomes a constant with size-1 broadcast dimensions,
// which TOSA broadcasts implicitly: the per-channel form of a bias or batch
// norm.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME:    (%[[X:.*]]: tensor<1x2x2x3xf32>, %[[Z:.*]]: tensor<1x2x2x3xf32>)
// CHECK-DAG:     %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00]]]]> : tensor<1x1x1x3xf32>}>
// CHECK-DAG:     %[[SHIFT:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK:         %[[M:.*]] = tosa.mul %[[X]], %[[C]], %[[SHIFT]] {qlp.name = "bn.scale"} : (tensor<1x2x2x3xf32>, tensor<1x1x1x3xf32>, tensor<1xi8>) -> tensor<1x2x2x3xf32>
// CHECK:         %[[A:.*]] = tosa.add %[[M]], %{{.*}} : (tensor<1x2x2x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x2x2x3xf32>
// CHECK:         %[[S:.*]] = tosa.sub %[[A]], %[[Z]]
// CHECK:         %[[MAX:.*]] = tosa.maximum %[[S]], %[[Z]]
// CHECK:         %[[MIN:.*]] = tosa.minimum %[[MAX]], %[[Z]]
// CHECK-NOT:     linalg.
// CHECK:         return %[[MIN]]
func.func @elementwise(%x: tensor<1x2x2x3xf32>, %z: tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32> {
  %g = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %h = arith.constant dense<0.5> : tensor<3xf32>
  %e = tensor.empty() : tensor<1x2x2x3xf32>
  %gb = linalg.broadcast ins(%g : tensor<3xf32>) outs(%e : tensor<1x2x2x3xf32>) dimensions = [0, 1, 2]
  %hb = linalg.broadcast ins(%h : tensor<3xf32>) outs(%e : tensor<1x2x2x3xf32>) dimensions = [0, 1, 2]
  %m = linalg.mul {qlp.name = "bn.scale"} ins(%x, %gb : tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %a = linalg.add ins(%m, %hb : tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %s = linalg.sub ins(%a, %z : tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %mx = linalg.max ins(%s, %z : tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %mn = linalg.min ins(%mx, %z : tensor<1x2x2x3xf32>, tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  return %mn : tensor<1x2x2x3xf32>
}

// -----

// Integer ops and runtime weights are left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK:         linalg.matmul
// CHECK:         linalg.matmul
// CHECK-NOT:     tosa.
func.func @left_alone(%x: tensor<2x3xi8>, %wi: tensor<3x2xi8>, %init: tensor<2x2xi32>,
                      %xf: tensor<2x3xf32>, %wf: tensor<3x2xf32>, %initf: tensor<2x2xf32>) -> (tensor<2x2xi32>, tensor<2x2xf32>) {
  %y = linalg.matmul ins(%x, %wi : tensor<2x3xi8>, tensor<3x2xi8>) outs(%init : tensor<2x2xi32>) -> tensor<2x2xi32>
  %z = linalg.matmul ins(%xf, %wf : tensor<2x3xf32>, tensor<3x2xf32>) outs(%initf : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y, %z : tensor<2x2xi32>, tensor<2x2xf32>
}
