// Element types that the ops' ODS constraints reject: widths the kernels do
// not support, signed/unsigned integers, and i1 where !qlp.binary is meant
// (an i1 is a boolean in {0, 1}, never a value in {-1, +1}).
//
// RUN: quant-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Reduction operands: i2, i4 or i8 only
//===----------------------------------------------------------------------===//

func.func @matmul_i16_lhs(%a: tensor<4x8xi16>, %b: tensor<8x4xi8>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op operand #0 must be ranked tensor of i2, i4 or i8 values, but got 'tensor<4x8xi16>'}}
  %c = qlp.matmul %a, %b : tensor<4x8xi16>, tensor<8x4xi8> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_i32_rhs(%a: tensor<4x8xi8>, %b: tensor<8x4xi32>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op operand #1 must be ranked tensor of i2, i4 or i8 values, but got 'tensor<8x4xi32>'}}
  %c = qlp.matmul %a, %b : tensor<4x8xi8>, tensor<8x4xi32> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_signed_i8(%a: tensor<4x8xsi8>, %b: tensor<8x4xi8>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op operand #0 must be ranked tensor of i2, i4 or i8 values, but got 'tensor<4x8xsi8>'}}
  %c = qlp.matmul %a, %b : tensor<4x8xsi8>, tensor<8x4xi8> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_binary_operand(%a: tensor<4x8x!qlp.binary>, %b: tensor<8x4xi8>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op operand #0 must be ranked tensor of i2, i4 or i8 values, but got 'tensor<4x8x!qlp.binary>'}}
  %c = qlp.matmul %a, %b : tensor<4x8x!qlp.binary>, tensor<8x4xi8> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_i16_result(%a: tensor<4x8xi8>, %b: tensor<8x4xi8>) -> tensor<4x4xi16> {
  // expected-error @+1 {{'qlp.matmul' op result #0 must be ranked tensor of i32 values, but got 'tensor<4x4xi16>'}}
  %c = qlp.matmul %a, %b : tensor<4x8xi8>, tensor<8x4xi8> -> tensor<4x4xi16>
  return %c : tensor<4x4xi16>
}

// -----

func.func @matmul_unranked(%a: tensor<*xi8>, %b: tensor<8x4xi8>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op operand #0 must be ranked tensor of i2, i4 or i8 values, but got 'tensor<*xi8>'}}
  %c = "qlp.matmul"(%a, %b) <{lhs_zp = 0 : i64, rhs_zp = 0 : i64}> : (tensor<*xi8>, tensor<8x4xi8>) -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_memref(%a: memref<4x8xi8>, %b: tensor<8x4xi8>) -> tensor<4x4xi32> {
  // expected-error @+1 {{invalid kind of type specified: expected builtin.tensor, but found 'memref<4x8xi8>'}}
  %c = qlp.matmul %a, %b : memref<4x8xi8>, tensor<8x4xi8> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @conv2d_i1_weight(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi1>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op operand #1 must be ranked tensor of i2, i4 or i8 values, but got 'tensor<3x3x4x8xi1>'}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi1> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_i16_input(%x: tensor<1x8x8x4xi16>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.conv2d' op operand #0 must be ranked tensor of i2, i4 or i8 values, but got 'tensor<1x8x8x4xi16>'}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x8x8x4xi16>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @conv2d_i64_result(%x: tensor<1x8x8x4xi8>, %w: tensor<3x3x4x8xi8>) -> tensor<1x6x6x8xi64> {
  // expected-error @+1 {{'qlp.conv2d' op result #0 must be ranked tensor of i32 values, but got 'tensor<1x6x6x8xi64>'}}
  %y = qlp.conv2d %x, %w layout hwcf : tensor<1x8x8x4xi8>, tensor<3x3x4x8xi8> -> tensor<1x6x6x8xi64>
  return %y : tensor<1x6x6x8xi64>
}

// -----

//===----------------------------------------------------------------------===//
// Binary operands: !qlp.binary, never i1
//===----------------------------------------------------------------------===//

func.func @binary_matmul_i1_operands(%a: tensor<4x8xi1>, %b: tensor<8x4xi1>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.binary_matmul' op operand #0 must be ranked tensor of !qlp.binary values, but got 'tensor<4x8xi1>'}}
  %c = qlp.binary_matmul %a, %b : tensor<4x8xi1>, tensor<8x4xi1> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @binary_matmul_i1_rhs(%a: tensor<4x8x!qlp.binary>, %b: tensor<8x4xi1>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.binary_matmul' op operand #1 must be ranked tensor of !qlp.binary values, but got 'tensor<8x4xi1>'}}
  %c = qlp.binary_matmul %a, %b : tensor<4x8x!qlp.binary>, tensor<8x4xi1> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @binary_matmul_i8_result(%a: tensor<4x8x!qlp.binary>, %b: tensor<8x4x!qlp.binary>) -> tensor<4x4xi8> {
  // expected-error @+1 {{'qlp.binary_matmul' op result #0 must be ranked tensor of i32 values, but got 'tensor<4x4xi8>'}}
  %c = qlp.binary_matmul %a, %b : tensor<4x8x!qlp.binary>, tensor<8x4x!qlp.binary> -> tensor<4x4xi8>
  return %c : tensor<4x4xi8>
}

// -----

func.func @binary_conv2d_i1_input(%x: tensor<1x8x8x64xi1>, %w: tensor<3x3x64x8x!qlp.binary>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op operand #0 must be ranked tensor of !qlp.binary values, but got 'tensor<1x8x8x64xi1>'}}
  %y = qlp.binary_conv2d %x, %w layout hwcf : tensor<1x8x8x64xi1>, tensor<3x3x64x8x!qlp.binary> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @binary_conv2d_i8_weight(%x: tensor<1x8x8x64x!qlp.binary>, %w: tensor<3x3x64x8xi8>) -> tensor<1x6x6x8xi32> {
  // expected-error @+1 {{'qlp.binary_conv2d' op operand #1 must be ranked tensor of !qlp.binary values, but got 'tensor<3x3x64x8xi8>'}}
  %y = qlp.binary_conv2d %x, %w layout hwcf : tensor<1x8x8x64x!qlp.binary>, tensor<3x3x64x8xi8> -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}

// -----

func.func @binarize_i1_result(%x: tensor<8xi8>) -> tensor<8xi1> {
  // expected-error @+1 {{'qlp.binarize' op result #0 must be ranked tensor of !qlp.binary values, but got 'tensor<8xi1>'}}
  %b = qlp.binarize %x threshold 0 : tensor<8xi8> -> tensor<8xi1>
  return %b : tensor<8xi1>
}

// -----

func.func @binarize_binary_input(%x: tensor<8x!qlp.binary>) -> tensor<8x!qlp.binary> {
  // expected-error @+1 {{'qlp.binarize' op operand #0 must be ranked tensor of i8, i16 or i32 values, but got 'tensor<8x!qlp.binary>'}}
  %b = qlp.binarize %x threshold 0 : tensor<8x!qlp.binary> -> tensor<8x!qlp.binary>
  return %b : tensor<8x!qlp.binary>
}

// -----

func.func @binarize_i4_input(%x: tensor<8xi4>) -> tensor<8x!qlp.binary> {
  // expected-error @+1 {{'qlp.binarize' op operand #0 must be ranked tensor of i8, i16 or i32 values, but got 'tensor<8xi4>'}}
  %b = qlp.binarize %x threshold 0 : tensor<8xi4> -> tensor<8x!qlp.binary>
  return %b : tensor<8x!qlp.binary>
}

// -----

// !qlp.binary is the dialect's only type.
// expected-error @+1 {{unknown  type `bits` in dialect `qlp`}}
func.func @unknown_qlp_type(%x: tensor<4x!qlp.bits>) {
  return
}

// -----

//===----------------------------------------------------------------------===//
// Requantization, clamp and pooling
//===----------------------------------------------------------------------===//

func.func @add_i32_input(%a: tensor<8xi32>, %b: tensor<8xi8>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.add' op operand #0 must be ranked tensor of i2, i4, i8 or i16 values, but got 'tensor<8xi32>'}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1], [0]> rounding single_round : tensor<8xi32>, tensor<8xi8> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @add_i32_rhs(%a: tensor<8xi8>, %b: tensor<8xi32>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.add' op operand #1 must be ranked tensor of i2, i4, i8 or i16 values, but got 'tensor<8xi32>'}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1], [0]> rounding single_round : tensor<8xi8>, tensor<8xi32> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @add_i64_result(%a: tensor<8xi8>, %b: tensor<8xi8>) -> tensor<8xi64> {
  // expected-error @+1 {{'qlp.add' op result #0 must be ranked tensor of i2, i4, i8, i16 or i32 values, but got 'tensor<8xi64>'}}
  %y = qlp.add %a scale <[1], [0]>, %b scale <[1], [0]> rounding single_round : tensor<8xi8>, tensor<8xi8> -> tensor<8xi64>
  return %y : tensor<8xi64>
}

// -----

func.func @rescale_i4_input(%x: tensor<8xi4>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.rescale' op operand #0 must be ranked tensor of i8, i16 or i32 values, but got 'tensor<8xi4>'}}
  %y = qlp.rescale %x scale <[1], [0]> rounding single_round : tensor<8xi4> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @rescale_i64_input(%x: tensor<8xi64>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.rescale' op operand #0 must be ranked tensor of i8, i16 or i32 values, but got 'tensor<8xi64>'}}
  %y = qlp.rescale %x scale <[1], [0]> rounding single_round : tensor<8xi64> -> tensor<8xi8>
  return %y : tensor<8xi8>
}

// -----

func.func @rescale_unsigned_result(%x: tensor<8xi32>) -> tensor<8xui8> {
  // expected-error @+1 {{'qlp.rescale' op result #0 must be ranked tensor of i2, i4, i8, i16 or i32 values, but got 'tensor<8xui8>'}}
  %y = qlp.rescale %x scale <[1], [0]> rounding single_round : tensor<8xi32> -> tensor<8xui8>
  return %y : tensor<8xui8>
}

// -----

func.func @rescale_binary_result(%x: tensor<8xi32>) -> tensor<8x!qlp.binary> {
  // expected-error @+1 {{'qlp.rescale' op result #0 must be ranked tensor of i2, i4, i8, i16 or i32 values, but got 'tensor<8x!qlp.binary>'}}
  %y = qlp.rescale %x scale <[1], [0]> rounding single_round : tensor<8xi32> -> tensor<8x!qlp.binary>
  return %y : tensor<8x!qlp.binary>
}

// -----

func.func @clamp_i1(%x: tensor<8xi1>) -> tensor<8xi1> {
  // expected-error @+1 {{'qlp.clamp' op operand #0 must be ranked tensor of i2, i4, i8, i16 or i32 values, but got 'tensor<8xi1>'}}
  %y = qlp.clamp %x [0, 0] : tensor<8xi1>
  return %y : tensor<8xi1>
}

// -----

func.func @clamp_float(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'qlp.clamp' op operand #0 must be ranked tensor of i2, i4, i8, i16 or i32 values, but got 'tensor<8xf32>'}}
  %y = qlp.clamp %x [0, 1] : tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

func.func @avg_pool2d_i4(%x: tensor<1x8x8x4xi4>) -> tensor<1x4x4x4xi4> {
  // expected-error @+1 {{'qlp.avg_pool2d' op operand #0 must be ranked tensor of i8 or i16 values, but got 'tensor<1x8x8x4xi4>'}}
  %y = qlp.avg_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi4> -> tensor<1x4x4x4xi4>
  return %y : tensor<1x4x4x4xi4>
}

// -----

func.func @avg_pool2d_i32(%x: tensor<1x8x8x4xi32>) -> tensor<1x4x4x4xi32> {
  // expected-error @+1 {{'qlp.avg_pool2d' op operand #0 must be ranked tensor of i8 or i16 values, but got 'tensor<1x8x8x4xi32>'}}
  %y = qlp.avg_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4xi32> -> tensor<1x4x4x4xi32>
  return %y : tensor<1x4x4x4xi32>
}

// -----

func.func @max_pool2d_binary(%x: tensor<1x8x8x4x!qlp.binary>) -> tensor<1x4x4x4x!qlp.binary> {
  // expected-error @+1 {{'qlp.max_pool2d' op operand #0 must be ranked tensor of i2, i4, i8, i16 or i32 values, but got 'tensor<1x8x8x4x!qlp.binary>'}}
  %y = qlp.max_pool2d %x kernel [2, 2] strides [2, 2] : tensor<1x8x8x4x!qlp.binary> -> tensor<1x4x4x4x!qlp.binary>
  return %y : tensor<1x4x4x4x!qlp.binary>
}

// -----

//===----------------------------------------------------------------------===//
// Packing: i2, i4 or !qlp.binary values in i8, i32 or i64 words
//===----------------------------------------------------------------------===//

func.func @pack_i1_values(%x: tensor<32xi1>) -> tensor<1xi32> {
  // expected-error @+1 {{'qlp.pack' op operand #0 must be ranked tensor of i2, i4 or !qlp.binary values, but got 'tensor<32xi1>'}}
  %p = qlp.pack %x axis 0 : tensor<32xi1> -> tensor<1xi32>
  return %p : tensor<1xi32>
}

// -----

func.func @pack_i8_values(%x: tensor<8xi8>) -> tensor<8xi8> {
  // expected-error @+1 {{'qlp.pack' op operand #0 must be ranked tensor of i2, i4 or !qlp.binary values, but got 'tensor<8xi8>'}}
  %p = qlp.pack %x axis 0 : tensor<8xi8> -> tensor<8xi8>
  return %p : tensor<8xi8>
}

// -----

func.func @pack_i16_words(%x: tensor<8xi4>) -> tensor<2xi16> {
  // expected-error @+1 {{'qlp.pack' op result #0 must be ranked tensor of i8, i32 or i64 values, but got 'tensor<2xi16>'}}
  %p = qlp.pack %x axis 0 : tensor<8xi4> -> tensor<2xi16>
  return %p : tensor<2xi16>
}

// -----

func.func @unpack_i16_words(%p: tensor<1xi16>) -> tensor<4xi4> {
  // expected-error @+1 {{'qlp.unpack' op operand #0 must be ranked tensor of i8, i32 or i64 values, but got 'tensor<1xi16>'}}
  %x = qlp.unpack %p axis 0 : tensor<1xi16> -> tensor<4xi4>
  return %x : tensor<4xi4>
}

// -----

func.func @unpack_to_i1(%p: tensor<1xi32>) -> tensor<32xi1> {
  // expected-error @+1 {{'qlp.unpack' op result #0 must be ranked tensor of i2, i4 or !qlp.binary values, but got 'tensor<32xi1>'}}
  %x = qlp.unpack %p axis 0 : tensor<1xi32> -> tensor<32xi1>
  return %x : tensor<32xi1>
}
