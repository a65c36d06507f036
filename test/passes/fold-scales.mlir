// RUN: quant-opt %s --split-input-file --qlp-fold-scales | FileCheck %s
// RUN: quant-opt %s --split-input-file --qlp-fold-scales=rounding=double_round | FileCheck %s --check-prefix=DOUBLE

!acc = !quant.uniform<i32:f32:1, {0.5, 0.25}>
!out = !quant.uniform<i8:f32, 0.5:-128>

// Power-of-two ratios 0.5 / 0.5 and 0.25 / 0.5 become pure shifts (m = 1); the
// float ReLU6 becomes clamp [round(0 / 0.5) - 128, round(6 / 0.5) - 128].
// CHECK-LABEL: func.func @shift_relu6
// CHECK-NEXT: %[[R:.*]] = qlp.rescale %arg0 scale <[1, 1], [0, 1], axis = 1> output_zp -128 clamp [-128, -116] rounding single_round : tensor<2x2xi32> -> tensor<2x2xi8>
// CHECK-NEXT: return %[[R]]
// DOUBLE-LABEL: func.func @shift_relu6
// DOUBLE: rounding double_round
func.func @shift_relu6(%acc: tensor<2x2xi32>) -> tensor<2x2xi8> {
  %0 = quant.scast %acc : tensor<2x2xi32> to tensor<2x2x!acc>
  %1 = quant.dcast %0 : tensor<2x2x!acc> to tensor<2x2xf32>
  %2 = tosa.clamp %1 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %3 = quant.qcast %2 : tensor<2x2xf32> to tensor<2x2x!out>
  %4 = quant.scast %3 : tensor<2x2x!out> to tensor<2x2xi8>
  return %4 : tensor<2x2xi8>
}

// -----

// 0.3 = 0.6 * 2^-1: multiplier round(0.6 * 2^31) = 1288490189, shift 32.
// Equal per-channel ratios collapse to a per-tensor scale. A clamp wider
// than the output type is dropped.
// CHECK-LABEL: func.func @general_ratio
// CHECK-NEXT: qlp.rescale %arg0 zp 2 scale <[1288490189], [32]> output_zp 7 rounding single_round : tensor<4xi16> -> tensor<4xi8>
func.func @general_ratio(%x: tensor<4xi16>) -> tensor<4xi8> {
  %0 = quant.scast %x : tensor<4xi16> to tensor<4x!quant.uniform<i16:f32, 0.3:2>>
  %1 = quant.dcast %0 : tensor<4x!quant.uniform<i16:f32, 0.3:2>> to tensor<4xf32>
  %2 = tosa.clamp %1 {min_val = -1.0e6 : f32, max_val = 1.0e6 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 1.0:7>>
  %4 = quant.scast %3 : tensor<4x!quant.uniform<i8:f32, 1.0:7>> to tensor<4xi8>
  return %4 : tensor<4xi8>
}

// -----

// A residual add: each input gets its own dyadic alignment to the output
// scale (0.1 / 0.4 and 0.2 / 0.4; 0.25 and 0.5 are powers of two).
// CHECK-LABEL: func.func @residual
// CHECK-NEXT: %[[S:.*]] = qlp.add %arg0 zp -3 scale <[1], [2]>, %arg1 zp 5 scale <[1], [1]> clamp [0, 127] rounding single_round : tensor<8xi8>, tensor<8xi8> -> tensor<8xi8>
// CHECK-NEXT: return %[[S]]
func.func @residual(%a: tensor<8xi8>, %b: tensor<8xi8>) -> tensor<8xi8> {
  %0 = quant.scast %a : tensor<8xi8> to tensor<8x!quant.uniform<i8:f32, 0.1:-3>>
  %1 = quant.dcast %0 : tensor<8x!quant.uniform<i8:f32, 0.1:-3>> to tensor<8xf32>
  %2 = quant.scast %b : tensor<8xi8> to tensor<8x!quant.uniform<i8:f32, 0.2:5>>
  %3 = quant.dcast %2 : tensor<8x!quant.uniform<i8:f32, 0.2:5>> to tensor<8xf32>
  %4 = tosa.add %1, %3 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %5 = tosa.clamp %4 {min_val = 0.0 : f32, max_val = 100.0 : f32} : (tensor<8xf32>) -> tensor<8xf32>
  %6 = quant.qcast %5 : tensor<8xf32> to tensor<8x!quant.uniform<i8:f32, 0.4>>
  %7 = quant.scast %6 : tensor<8x!quant.uniform<i8:f32, 0.4>> to tensor<8xi8>
  return %7 : tensor<8xi8>
}

// -----

// Quantized boundaries (function arguments and results) stay. A ratio of 2
// (0.5 / 0.25) is a multiplier with shift 0.
// CHECK-LABEL: func.func @boundary
// CHECK-NEXT: %[[X:.*]] = quant.scast %arg0
// CHECK-NEXT: %[[R:.*]] = qlp.rescale %[[X]] zp 1 scale <[2], [0]> output_zp 1 rounding single_round
// CHECK-NEXT: %[[Y:.*]] = quant.scast %[[R]]
// CHECK-NEXT: return %[[Y]]
func.func @boundary(%x: tensor<4x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<4x!quant.uniform<i8:f32, 0.25:1>> {
  %0 = quant.scast %x : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4xi8>
  %1 = quant.scast %0 : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  %2 = quant.dcast %1 : tensor<4x!quant.uniform<i8:f32, 0.5:1>> to tensor<4xf32>
  %3 = quant.qcast %2 : tensor<4xf32> to tensor<4x!quant.uniform<i8:f32, 0.25:1>>
  %4 = quant.scast %3 : tensor<4x!quant.uniform<i8:f32, 0.25:1>> to tensor<4xi8>
  %5 = quant.scast %4 : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 0.25:1>>
  return %5 : tensor<4x!quant.uniform<i8:f32, 0.25:1>>
}
