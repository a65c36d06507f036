// RUN: quant-opt %s --split-input-file --pass-pipeline='builtin.module(qlp-lower-to-reference)' | FileCheck %s

// Binary tensors are stored as i1 (true encodes -1): signatures, calls and
// reshapes change with them.

// CHECK-LABEL: func.func @binarize
// CHECK-SAME:    (%[[X:.*]]: tensor<4x64xi8>) -> tensor<4x64xi1>
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x64xi1>
// CHECK:         %[[B:.*]] = linalg.generic
// CHECK-SAME:        ins(%[[X]] : tensor<4x64xi8>) outs(%[[E]] : tensor<4x64xi1>)
// CHECK:         ^bb0(%[[V:.*]]: i8, %{{.*}}: i1):
// CHECK:           %[[T:.*]] = arith.constant -3 : i8
// CHECK:           %[[NEG:.*]] = arith.cmpi slt, %[[V]], %[[T]] : i8
// CHECK:           linalg.yield %[[NEG]] : i1
// CHECK:         return %[[B]] : tensor<4x64xi1>
func.func @binarize(%x: tensor<4x64xi8>) -> tensor<4x64x!qlp.binary> {
  %b = qlp.binarize %x threshold -3 : tensor<4x64xi8> -> tensor<4x64x!qlp.binary>
  return %b : tensor<4x64x!qlp.binary>
}

// CHECK-LABEL: func.func @binary_caller
// CHECK-SAME:    -> tensor<2x128xi1>
// CHECK:         %[[B:.*]] = call @binarize(%{{.*}}) : (tensor<4x64xi8>) -> tensor<4x64xi1>
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1]] : tensor<4x64xi1> into tensor<256xi1>
// CHECK:         %[[R:.*]] = tensor.expand_shape %[[C]] {{\[\[}}0, 1]] output_shape [2, 128] : tensor<256xi1> into tensor<2x128xi1>
// CHECK:         return %[[R]] : tensor<2x128xi1>
func.func @binary_caller(%x: tensor<4x64xi8>) -> tensor<2x128x!qlp.binary> {
  %b = call @binarize(%x) : (tensor<4x64xi8>) -> tensor<4x64x!qlp.binary>
  %r = tensor.collapse_shape %b [[0, 1]] : tensor<4x64x!qlp.binary> into tensor<256x!qlp.binary>
  %s = tensor.expand_shape %r [[0, 1]] output_shape [2, 128]
      : tensor<256x!qlp.binary> into tensor<2x128x!qlp.binary>
  return %s : tensor<2x128x!qlp.binary>
}

// -----

// binary_matmul sums the decoded products (the definition), not popcounts.

// CHECK-LABEL: func.func @binary_matmul
// CHECK-SAME:    (%[[A:.*]]: tensor<4x64xi1>, %[[W:.*]]: tensor<64x8xi1>) -> tensor<4x8xi32>
// CHECK:         %[[Z:.*]] = linalg.fill
// CHECK:         linalg.generic
// CHECK-SAME:        ins(%[[A]], %[[W]] : tensor<4x64xi1>, tensor<64x8xi1>) outs(%[[Z]] : tensor<4x8xi32>)
// CHECK:         ^bb0(%[[X:.*]]: i1, %[[Y:.*]]: i1, %[[OUT:.*]]: i32):
// CHECK:           %[[XV:.*]] = arith.select %[[X]], %{{.*}}, %{{.*}} : i32
// CHECK:           %[[YV:.*]] = arith.select %[[Y]], %{{.*}}, %{{.*}} : i32
// CHECK:           %[[P:.*]] = arith.muli %[[XV]], %[[YV]] : i32
// CHECK:           arith.addi %[[OUT]], %[[P]] : i32
// CHECK-NOT:     math.ctpop
func.func @binary_matmul(%a: tensor<4x64x!qlp.binary>, %w: tensor<64x8x!qlp.binary>) -> tensor<4x8xi32> {
  %c = qlp.binary_matmul %a, %w
      : tensor<4x64x!qlp.binary>, tensor<64x8x!qlp.binary> -> tensor<4x8xi32>
  return %c : tensor<4x8xi32>
}

// -----

// pad_value -1 pads with true; +1 with false.

// CHECK-LABEL: func.func @binary_conv_pad_minus_one
// CHECK:         %[[TRUE:.*]] = arith.constant true
// CHECK:         tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK:           tensor.yield %[[TRUE]] : i1
// CHECK:         } : tensor<1x8x8x64xi1> to tensor<1x10x10x64xi1>
// CHECK:         linalg.generic
// CHECK:           arith.select
// CHECK:           arith.select
// CHECK:           arith.muli
func.func @binary_conv_pad_minus_one(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<32x3x3x64x!qlp.binary>) -> tensor<1x8x8x32xi32> {
  %y = qlp.binary_conv2d %x, %w layout fhwc padding [1, 1, 1, 1] pad_value -1
      : tensor<1x8x8x64x!qlp.binary>, tensor<32x3x3x64x!qlp.binary> -> tensor<1x8x8x32xi32>
  return %y : tensor<1x8x8x32xi32>
}

// CHECK-LABEL: func.func @binary_conv_pad_plus_one
// CHECK:         %[[FALSE:.*]] = arith.constant false
// CHECK:         tensor.pad
// CHECK:           tensor.yield %[[FALSE]] : i1
func.func @binary_conv_pad_plus_one(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x32x!qlp.binary>) -> tensor<1x8x8x32xi32> {
  %y = qlp.binary_conv2d %x, %w layout hwcf padding [1, 1, 1, 1]
      : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x32x!qlp.binary> -> tensor<1x8x8x32xi32>
  return %y : tensor<1x8x8x32xi32>
}
