// Verifier errors of qlp.pack and qlp.unpack.
//
// RUN: quant-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// qlp.pack
//===----------------------------------------------------------------------===//

func.func @pack_rank_mismatch(%x: tensor<4x8xi4>) -> tensor<16xi8> {
  // expected-error @+1 {{'qlp.pack' op expects packed and unpacked tensors of equal rank, got rank 2 for the values and 1 for the words}}
  %p = qlp.pack %x axis 1 : tensor<4x8xi4> -> tensor<16xi8>
  return %p : tensor<16xi8>
}

// -----

func.func @pack_axis_too_large(%x: tensor<4x8xi4>) -> tensor<4x4xi8> {
  // expected-error @+1 {{'qlp.pack' op expects axis in [0, 2), got 2}}
  %p = qlp.pack %x axis 2 : tensor<4x8xi4> -> tensor<4x4xi8>
  return %p : tensor<4x4xi8>
}

// -----

func.func @pack_negative_axis(%x: tensor<4x8xi4>) -> tensor<4x4xi8> {
  // expected-error @+1 {{'qlp.pack' op expects axis in [0, 2), got -1}}
  %p = qlp.pack %x axis -1 : tensor<4x8xi4> -> tensor<4x4xi8>
  return %p : tensor<4x4xi8>
}

// -----

func.func @pack_i4_into_i32(%x: tensor<4x8xi4>) -> tensor<4x1xi32> {
  // expected-error @+1 {{'qlp.pack' op expects 'i4' values to be stored in i8 words, got i32}}
  %p = qlp.pack %x axis 1 : tensor<4x8xi4> -> tensor<4x1xi32>
  return %p : tensor<4x1xi32>
}

// -----

func.func @pack_i2_into_i64(%x: tensor<4x32xi2>) -> tensor<4x1xi64> {
  // expected-error @+1 {{'qlp.pack' op expects 'i2' values to be stored in i8 words, got i64}}
  %p = qlp.pack %x axis 1 : tensor<4x32xi2> -> tensor<4x1xi64>
  return %p : tensor<4x1xi64>
}

// -----

func.func @pack_binary_into_i8(%x: tensor<4x64x!qlp.binary>) -> tensor<4x8xi8> {
  // expected-error @+1 {{'qlp.pack' op expects '!qlp.binary' values to be stored in i32 or i64 words, got i8}}
  %p = qlp.pack %x axis 1 : tensor<4x64x!qlp.binary> -> tensor<4x8xi8>
  return %p : tensor<4x8xi8>
}

// -----

func.func @pack_other_dim_mismatch(%x: tensor<4x8xi4>) -> tensor<3x4xi8> {
  // expected-error @+1 {{'qlp.pack' op expects equal sizes outside the packed axis, got 4 for the values and 3 for the words along dimension 0}}
  %p = qlp.pack %x axis 1 : tensor<4x8xi4> -> tensor<3x4xi8>
  return %p : tensor<3x4xi8>
}

// -----

func.func @pack_dynamic_axis(%x: tensor<4x?xi4>) -> tensor<4x?xi8> {
  // expected-error @+1 {{'qlp.pack' op expects a static size along the packed axis}}
  %p = qlp.pack %x axis 1 : tensor<4x?xi4> -> tensor<4x?xi8>
  return %p : tensor<4x?xi8>
}

// -----

func.func @pack_dynamic_words(%x: tensor<4x8xi4>) -> tensor<4x?xi8> {
  // expected-error @+1 {{'qlp.pack' op expects a static size along the packed axis}}
  %p = qlp.pack %x axis 1 : tensor<4x8xi4> -> tensor<4x?xi8>
  return %p : tensor<4x?xi8>
}

// -----

// 99 i4 values need ceil(99 * 4 / 8) = 50 bytes; the tail nibble is zero.
func.func @pack_i4_word_count(%x: tensor<64x99xi4>) -> tensor<64x49xi8> {
  // expected-error @+1 {{'qlp.pack' op expects 50 words along axis 1 for 99 values of 4 bits, got 49}}
  %p = qlp.pack %x axis 1 : tensor<64x99xi4> -> tensor<64x49xi8>
  return %p : tensor<64x49xi8>
}

// -----

func.func @pack_i2_word_count(%x: tensor<9x4xi2>) -> tensor<2x4xi8> {
  // expected-error @+1 {{'qlp.pack' op expects 3 words along axis 0 for 9 values of 2 bits, got 2}}
  %p = qlp.pack %x axis 0 : tensor<9x4xi2> -> tensor<2x4xi8>
  return %p : tensor<2x4xi8>
}

// -----

func.func @pack_binary_i32_word_count(%x: tensor<16x100x!qlp.binary>) -> tensor<16x3xi32> {
  // expected-error @+1 {{'qlp.pack' op expects 4 words along axis 1 for 100 values of 1 bit, got 3}}
  %p = qlp.pack %x axis 1 : tensor<16x100x!qlp.binary> -> tensor<16x3xi32>
  return %p : tensor<16x3xi32>
}

// -----

func.func @pack_binary_i64_word_count(%x: tensor<16x100x!qlp.binary>) -> tensor<16x4xi64> {
  // expected-error @+1 {{'qlp.pack' op expects 2 words along axis 1 for 100 values of 1 bit, got 4}}
  %p = qlp.pack %x axis 1 : tensor<16x100x!qlp.binary> -> tensor<16x4xi64>
  return %p : tensor<16x4xi64>
}

// -----

// n * bits = (2^62 + 1) * 4 does not fit in 64 bits; the word count is still
// exact: 2^61 + 1.
func.func @pack_huge_word_count(%x: tensor<4611686018427387905xi4>) -> tensor<2305843009213693952xi8> {
  // expected-error @+1 {{'qlp.pack' op expects 2305843009213693953 words along axis 0 for 4611686018427387905 values of 4 bits, got 2305843009213693952}}
  %p = qlp.pack %x axis 0 : tensor<4611686018427387905xi4> -> tensor<2305843009213693952xi8>
  return %p : tensor<2305843009213693952xi8>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.unpack
//===----------------------------------------------------------------------===//

func.func @unpack_rank_mismatch(%p: tensor<4x4xi8>) -> tensor<4x1x8xi4> {
  // expected-error @+1 {{'qlp.unpack' op expects packed and unpacked tensors of equal rank, got rank 3 for the values and 2 for the words}}
  %x = qlp.unpack %p axis 2 : tensor<4x4xi8> -> tensor<4x1x8xi4>
  return %x : tensor<4x1x8xi4>
}

// -----

func.func @unpack_axis_too_large(%p: tensor<4x4xi8>) -> tensor<4x8xi4> {
  // expected-error @+1 {{'qlp.unpack' op expects axis in [0, 2), got 5}}
  %x = qlp.unpack %p axis 5 : tensor<4x4xi8> -> tensor<4x8xi4>
  return %x : tensor<4x8xi4>
}

// -----

func.func @unpack_binary_from_i8(%p: tensor<4x8xi8>) -> tensor<4x64x!qlp.binary> {
  // expected-error @+1 {{'qlp.unpack' op expects '!qlp.binary' values to be stored in i32 or i64 words, got i8}}
  %x = qlp.unpack %p axis 1 : tensor<4x8xi8> -> tensor<4x64x!qlp.binary>
  return %x : tensor<4x64x!qlp.binary>
}

// -----

func.func @unpack_i4_from_i64(%p: tensor<4x1xi64>) -> tensor<4x16xi4> {
  // expected-error @+1 {{'qlp.unpack' op expects 'i4' values to be stored in i8 words, got i64}}
  %x = qlp.unpack %p axis 1 : tensor<4x1xi64> -> tensor<4x16xi4>
  return %x : tensor<4x16xi4>
}

// -----

func.func @unpack_other_dim_mismatch(%p: tensor<2x4x5xi8>) -> tensor<2x8x6xi4> {
  // expected-error @+1 {{'qlp.unpack' op expects equal sizes outside the packed axis, got 6 for the values and 5 for the words along dimension 2}}
  %x = qlp.unpack %p axis 1 : tensor<2x4x5xi8> -> tensor<2x8x6xi4>
  return %x : tensor<2x8x6xi4>
}

// -----

func.func @unpack_dynamic_axis(%p: tensor<?x4xi32>) -> tensor<?x4x!qlp.binary> {
  // expected-error @+1 {{'qlp.unpack' op expects a static size along the packed axis}}
  %x = qlp.unpack %p axis 0 : tensor<?x4xi32> -> tensor<?x4x!qlp.binary>
  return %x : tensor<?x4x!qlp.binary>
}

// -----

func.func @unpack_word_count(%p: tensor<64x50xi8>) -> tensor<64x101xi4> {
  // expected-error @+1 {{'qlp.unpack' op expects 51 words along axis 1 for 101 values of 4 bits, got 50}}
  %x = qlp.unpack %p axis 1 : tensor<64x50xi8> -> tensor<64x101xi4>
  return %x : tensor<64x101xi4>
}

// -----

// Extra words are rejected too, not only missing ones.
func.func @unpack_binary_too_many_words(%p: tensor<2x8xi32>) -> tensor<2x64x!qlp.binary> {
  // expected-error @+1 {{'qlp.unpack' op expects 2 words along axis 1 for 64 values of 1 bit, got 8}}
  %x = qlp.unpack %p axis 1 : tensor<2x8xi32> -> tensor<2x64x!qlp.binary>
  return %x : tensor<2x64x!qlp.binary>
}
