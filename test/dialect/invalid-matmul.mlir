// Verifier errors of qlp.matmul and qlp.binary_matmul.
//
// RUN: quant-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// qlp.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_lhs_zp_out_of_range(%a: tensor<4x8xi8>, %b: tensor<8x4xi8>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op lhs_zp 128 does not fit in i8 (range [-128, 127])}}
  %c = qlp.matmul %a lhs_zp 128, %b : tensor<4x8xi8>, tensor<8x4xi8> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_rhs_zp_out_of_range(%a: tensor<4x8xi8>, %b: tensor<8x4xi2>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op rhs_zp -3 does not fit in i2 (range [-2, 1])}}
  %c = qlp.matmul %a, %b rhs_zp -3 : tensor<4x8xi8>, tensor<8x4xi2> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_rank_1(%a: tensor<8xi8>, %b: tensor<8xi8>) -> tensor<i32> {
  // expected-error @+1 {{'qlp.matmul' op expects rank-2 or rank-3 (batched) operands, got lhs of rank 1}}
  %c = qlp.matmul %a, %b : tensor<8xi8>, tensor<8xi8> -> tensor<i32>
  return %c : tensor<i32>
}

// -----

func.func @matmul_rank_4(%a: tensor<1x2x4x8xi8>, %b: tensor<1x2x8x4xi8>) -> tensor<1x2x4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects rank-2 or rank-3 (batched) operands, got lhs of rank 4}}
  %c = qlp.matmul %a, %b : tensor<1x2x4x8xi8>, tensor<1x2x8x4xi8> -> tensor<1x2x4x4xi32>
  return %c : tensor<1x2x4x4xi32>
}

// -----

func.func @matmul_rank_mismatch(%a: tensor<4x8xi8>, %b: tensor<2x8x4xi8>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects lhs, rhs and result of equal rank, got 2, 3 and 2}}
  %c = qlp.matmul %a, %b : tensor<4x8xi8>, tensor<2x8x4xi8> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_result_rank_mismatch(%a: tensor<4x8xi8>, %b: tensor<8x4xi8>) -> tensor<1x4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects lhs, rhs and result of equal rank, got 2, 2 and 3}}
  %c = qlp.matmul %a, %b : tensor<4x8xi8>, tensor<8x4xi8> -> tensor<1x4x4xi32>
  return %c : tensor<1x4x4xi32>
}

// -----

func.func @matmul_dynamic_k(%a: tensor<4x?xi8>, %b: tensor<?x4xi8>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects a static reduction dimension (K) so that the i32 accumulation can be bounded}}
  %c = qlp.matmul %a, %b : tensor<4x?xi8>, tensor<?x4xi8> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_k_mismatch(%a: tensor<4x8xi8>, %b: tensor<16x4xi4>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects the reduction dimensions to match, got lhs K = 8 and rhs K = 16}}
  %c = qlp.matmul %a, %b : tensor<4x8xi8>, tensor<16x4xi4> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<2x4x8xi8>, %b: tensor<3x8x4xi8>) -> tensor<2x4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects equal batch sizes, got lhs 2, rhs 3 and result 2}}
  %c = qlp.matmul %a, %b : tensor<2x4x8xi8>, tensor<3x8x4xi8> -> tensor<2x4x4xi32>
  return %c : tensor<2x4x4xi32>
}

// -----

// With a dynamic lhs batch, the rhs and result batches must still agree.
func.func @matmul_batch_mismatch_rhs_result(%a: tensor<?x4x8xi8>, %b: tensor<2x8x4xi8>) -> tensor<3x4x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects equal batch sizes, got lhs ?, rhs 2 and result 3}}
  %c = qlp.matmul %a, %b : tensor<?x4x8xi8>, tensor<2x8x4xi8> -> tensor<3x4x4xi32>
  return %c : tensor<3x4x4xi32>
}

// -----

func.func @matmul_result_m_mismatch(%a: tensor<4x8xi8>, %b: tensor<8x5xi8>) -> tensor<3x5xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects result shape [M, N] = [4, 5], got [3, 5]}}
  %c = qlp.matmul %a, %b : tensor<4x8xi8>, tensor<8x5xi8> -> tensor<3x5xi32>
  return %c : tensor<3x5xi32>
}

// -----

// A dynamic size prints as "?".
func.func @matmul_result_n_mismatch(%a: tensor<?x8xi8>, %b: tensor<8x5xi8>) -> tensor<?x4xi32> {
  // expected-error @+1 {{'qlp.matmul' op expects result shape [M, N] = [?, 5], got [?, 4]}}
  %c = qlp.matmul %a, %b : tensor<?x8xi8>, tensor<8x5xi8> -> tensor<?x4xi32>
  return %c : tensor<?x4xi32>
}

// -----

// 131072 * 128 * 128 = 2^31: one more than an i32 holds.
func.func @matmul_accumulation_overflow_i8(%a: tensor<1x131072xi8>, %b: tensor<131072x1xi8>) -> tensor<1x1xi32> {
  // expected-error @+1 {{'qlp.matmul' op i32 accumulation can overflow: K (131072) * max|lhs - lhs_zp| (128) * max|rhs - rhs_zp| (128) = 2147483648 exceeds 2147483647}}
  %c = qlp.matmul %a, %b : tensor<1x131072xi8>, tensor<131072x1xi8> -> tensor<1x1xi32>
  return %c : tensor<1x1xi32>
}

// -----

func.func @matmul_accumulation_overflow_k_131073(%a: tensor<1x131073xi8>, %b: tensor<131073x1xi8>) -> tensor<1x1xi32> {
  // expected-error @+1 {{'qlp.matmul' op i32 accumulation can overflow: K (131073) * max|lhs - lhs_zp| (128) * max|rhs - rhs_zp| (128) = 2147500032 exceeds 2147483647}}
  %c = qlp.matmul %a, %b : tensor<1x131073xi8>, tensor<131073x1xi8> -> tensor<1x1xi32>
  return %c : tensor<1x1xi32>
}

// -----

// lhs_zp = -128 widens |lhs - lhs_zp| to 255: K = 65794 overflows, although
// it is half the limit with zero points 0 (65793 * 255 * 128 = 2147483520 fits).
func.func @matmul_accumulation_overflow_lhs_zp(%a: tensor<1x65794xi8>, %b: tensor<65794x1xi8>) -> tensor<1x1xi32> {
  // expected-error @+1 {{'qlp.matmul' op i32 accumulation can overflow: K (65794) * max|lhs - lhs_zp| (255) * max|rhs - rhs_zp| (128) = 2147516160 exceeds 2147483647}}
  %c = qlp.matmul %a lhs_zp -128, %b : tensor<1x65794xi8>, tensor<65794x1xi8> -> tensor<1x1xi32>
  return %c : tensor<1x1xi32>
}

// -----

func.func @matmul_accumulation_overflow_both_zp(%a: tensor<1x33026xi8>, %b: tensor<33026x1xi8>) -> tensor<1x1xi32> {
  // expected-error @+1 {{'qlp.matmul' op i32 accumulation can overflow: K (33026) * max|lhs - lhs_zp| (255) * max|rhs - rhs_zp| (255) = 2147515650 exceeds 2147483647}}
  %c = qlp.matmul %a lhs_zp -128, %b rhs_zp 127 : tensor<1x33026xi8>, tensor<33026x1xi8> -> tensor<1x1xi32>
  return %c : tensor<1x1xi32>
}

// -----

// i4 x i4: 2^25 * 8 * 8 = 2^31.
func.func @matmul_accumulation_overflow_i4(%a: tensor<2x33554432xi4>, %b: tensor<33554432x2xi4>) -> tensor<2x2xi32> {
  // expected-error @+1 {{'qlp.matmul' op i32 accumulation can overflow: K (33554432) * max|lhs - lhs_zp| (8) * max|rhs - rhs_zp| (8) = 2147483648 exceeds 2147483647}}
  %c = qlp.matmul %a, %b : tensor<2x33554432xi4>, tensor<33554432x2xi4> -> tensor<2x2xi32>
  return %c : tensor<2x2xi32>
}

// -----

func.func @matmul_accumulation_overflow_batched(%a: tensor<3x1x131072xi8>, %b: tensor<3x131072x1xi8>) -> tensor<3x1x1xi32> {
  // expected-error @+1 {{'qlp.matmul' op i32 accumulation can overflow: K (131072)}}
  %c = qlp.matmul %a, %b : tensor<3x1x131072xi8>, tensor<3x131072x1xi8> -> tensor<3x1x1xi32>
  return %c : tensor<3x1x1xi32>
}

// -----

// The bound is exact beyond 64 bits: (2^63 - 1) * 255 * 255.
func.func @matmul_accumulation_overflow_huge_k(%a: tensor<1x9223372036854775807xi8>, %b: tensor<9223372036854775807x1xi8>) -> tensor<1x1xi32> {
  // expected-error @+1 {{'qlp.matmul' op i32 accumulation can overflow: K (9223372036854775807) * max|lhs - lhs_zp| (255) * max|rhs - rhs_zp| (255) = 599749766696481796850175 exceeds 2147483647}}
  %c = qlp.matmul %a lhs_zp -128, %b rhs_zp -128 : tensor<1x9223372036854775807xi8>, tensor<9223372036854775807x1xi8> -> tensor<1x1xi32>
  return %c : tensor<1x1xi32>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.binary_matmul
//===----------------------------------------------------------------------===//

func.func @binary_matmul_rank_1(%a: tensor<64x!qlp.binary>, %b: tensor<64x!qlp.binary>) -> tensor<i32> {
  // expected-error @+1 {{'qlp.binary_matmul' op expects rank-2 or rank-3 (batched) operands, got lhs of rank 1}}
  %c = qlp.binary_matmul %a, %b : tensor<64x!qlp.binary>, tensor<64x!qlp.binary> -> tensor<i32>
  return %c : tensor<i32>
}

// -----

func.func @binary_matmul_rank_mismatch(%a: tensor<2x4x64x!qlp.binary>, %b: tensor<64x4x!qlp.binary>) -> tensor<2x4x4xi32> {
  // expected-error @+1 {{'qlp.binary_matmul' op expects lhs, rhs and result of equal rank, got 3, 2 and 3}}
  %c = qlp.binary_matmul %a, %b : tensor<2x4x64x!qlp.binary>, tensor<64x4x!qlp.binary> -> tensor<2x4x4xi32>
  return %c : tensor<2x4x4xi32>
}

// -----

func.func @binary_matmul_dynamic_k(%a: tensor<4x?x!qlp.binary>, %b: tensor<64x4x!qlp.binary>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.binary_matmul' op expects a static reduction dimension (K) so that the i32 accumulation can be bounded}}
  %c = qlp.binary_matmul %a, %b : tensor<4x?x!qlp.binary>, tensor<64x4x!qlp.binary> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @binary_matmul_k_mismatch(%a: tensor<4x64x!qlp.binary>, %b: tensor<32x4x!qlp.binary>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.binary_matmul' op expects the reduction dimensions to match, got lhs K = 64 and rhs K = 32}}
  %c = qlp.binary_matmul %a, %b : tensor<4x64x!qlp.binary>, tensor<32x4x!qlp.binary> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

func.func @binary_matmul_batch_mismatch(%a: tensor<2x4x64x!qlp.binary>, %b: tensor<2x64x4x!qlp.binary>) -> tensor<1x4x4xi32> {
  // expected-error @+1 {{'qlp.binary_matmul' op expects equal batch sizes, got lhs 2, rhs 2 and result 1}}
  %c = qlp.binary_matmul %a, %b : tensor<2x4x64x!qlp.binary>, tensor<2x64x4x!qlp.binary> -> tensor<1x4x4xi32>
  return %c : tensor<1x4x4xi32>
}

// -----

func.func @binary_matmul_result_shape_mismatch(%a: tensor<4x64x!qlp.binary>, %b: tensor<64x8x!qlp.binary>) -> tensor<4x4xi32> {
  // expected-error @+1 {{'qlp.binary_matmul' op expects result shape [M, N] = [4, 8], got [4, 4]}}
  %c = qlp.binary_matmul %a, %b : tensor<4x64x!qlp.binary>, tensor<64x8x!qlp.binary> -> tensor<4x4xi32>
  return %c : tensor<4x4xi32>
}

// -----

// A binary dot product lies in [-K, K], so only K = 2^31 overflows.
func.func @binary_matmul_accumulation_overflow(%a: tensor<1x2147483648x!qlp.binary>, %b: tensor<2147483648x1x!qlp.binary>) -> tensor<1x1xi32> {
  // expected-error @+1 {{'qlp.binary_matmul' op i32 accumulation can overflow: K (2147483648) * max|lhs| (1) * max|rhs| (1) = 2147483648 exceeds 2147483647}}
  %c = qlp.binary_matmul %a, %b : tensor<1x2147483648x!qlp.binary>, tensor<2147483648x1x!qlp.binary> -> tensor<1x1xi32>
  return %c : tensor<1x1xi32>
}
