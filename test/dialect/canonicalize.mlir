// Folders and canonicalizations of the qlp ops: identity rescales and
// clamps, exact rescale merging, clamps folded into rescales, pack/unpack
// round trips, and compile-time packing of constants.
//
// RUN: quant-opt %s -canonicalize -split-input-file | FileCheck %s

//===----------------------------------------------------------------------===//
// qlp.rescale
//===----------------------------------------------------------------------===//

// m = 1, s = 0: y = x exactly.
// CHECK-LABEL: func.func @fold_rescale_unit_scale
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<16xi8>)
// CHECK-NEXT:    return %[[X]]
func.func @fold_rescale_unit_scale(%x: tensor<16xi8>) -> tensor<16xi8> {
  %y = qlp.rescale %x scale <[1], [0]> rounding single_round : tensor<16xi8> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

// m = 2^30, s = 30 is also exactly one, and equal zero points cancel.
// CHECK-LABEL: func.func @fold_rescale_power_of_two_scale
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<4x?xi32>)
// CHECK-NEXT:    return %[[X]]
func.func @fold_rescale_power_of_two_scale(%x: tensor<4x?xi32>) -> tensor<4x?xi32> {
  %y = qlp.rescale %x zp -7 scale <[1073741824], [30]> output_zp -7 rounding double_round : tensor<4x?xi32> -> tensor<4x?xi32>
  return %y : tensor<4x?xi32>
}

// -----

// A clamp over the whole i16 range cuts nothing.
// CHECK-LABEL: func.func @fold_rescale_full_range_clamp
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<8xi16>)
// CHECK-NEXT:    return %[[X]]
func.func @fold_rescale_full_range_clamp(%x: tensor<8xi16>) -> tensor<8xi16> {
  %y = qlp.rescale %x zp 3 scale <[4], [2]> output_zp 3 clamp [-32768, 32767] rounding tflite : tensor<8xi16> -> tensor<8xi16>
  return %y : tensor<8xi16>
}

// -----

// Every channel's scale is one: 1 * 2^0, 2 * 2^-1, 4 * 2^-2.
// CHECK-LABEL: func.func @fold_rescale_per_channel_unit_scales
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<2x3xi8>)
// CHECK-NEXT:    return %[[X]]
func.func @fold_rescale_per_channel_unit_scales(%x: tensor<2x3xi8>) -> tensor<2x3xi8> {
  %y = qlp.rescale %x scale <[1, 2, 4], [0, 1, 2], axis = 1> rounding single_round : tensor<2x3xi8> -> tensor<2x3xi8>
  return %y : tensor<2x3xi8>
}

// -----

// CHECK-LABEL: func.func @do_not_fold_rescale_scale_not_one
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<16xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[X]] scale <[3], [1]> rounding single_round
// CHECK-NEXT:    return %[[Y]]
func.func @do_not_fold_rescale_scale_not_one(%x: tensor<16xi8>) -> tensor<16xi8> {
  %y = qlp.rescale %x scale <[3], [1]> rounding single_round : tensor<16xi8> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

// 2^30 * 2^-31 = 0.5 rounds; it is not the identity.
// CHECK-LABEL: func.func @do_not_fold_rescale_half_scale
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<16xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[X]] scale <[1073741824], [31]> rounding double_round
// CHECK-NEXT:    return %[[Y]]
func.func @do_not_fold_rescale_half_scale(%x: tensor<16xi8>) -> tensor<16xi8> {
  %y = qlp.rescale %x scale <[1073741824], [31]> rounding double_round : tensor<16xi8> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

// One channel (3 * 2^-1) is not one.
// CHECK-LABEL: func.func @do_not_fold_rescale_one_channel_not_one
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<2x3xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[X]] scale <[1, 3, 4], [0, 1, 2], axis = 1> rounding single_round
// CHECK-NEXT:    return %[[Y]]
func.func @do_not_fold_rescale_one_channel_not_one(%x: tensor<2x3xi8>) -> tensor<2x3xi8> {
  %y = qlp.rescale %x scale <[1, 3, 4], [0, 1, 2], axis = 1> rounding single_round : tensor<2x3xi8> -> tensor<2x3xi8>
  return %y : tensor<2x3xi8>
}

// -----

// y = x - 1 + 2 shifts every value.
// CHECK-LABEL: func.func @do_not_fold_rescale_zero_points_differ
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<16xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[X]] zp 1 scale <[1], [0]> output_zp 2 rounding single_round
// CHECK-NEXT:    return %[[Y]]
func.func @do_not_fold_rescale_zero_points_differ(%x: tensor<16xi8>) -> tensor<16xi8> {
  %y = qlp.rescale %x zp 1 scale <[1], [0]> output_zp 2 rounding single_round : tensor<16xi8> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

// CHECK-LABEL: func.func @do_not_fold_rescale_narrowed_clamp
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<16xi8>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[X]] scale <[1], [0]> clamp [0, 127] rounding single_round
// CHECK-NEXT:    return %[[Y]]
func.func @do_not_fold_rescale_narrowed_clamp(%x: tensor<16xi8>) -> tensor<16xi8> {
  %y = qlp.rescale %x scale <[1], [0]> clamp [0, 127] rounding single_round : tensor<16xi8> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

// A unit scale from i32 to i8 still saturates: not the identity.
// CHECK-LABEL: func.func @do_not_fold_rescale_type_change
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<16xi32>)
// CHECK-NEXT:    %[[Y:.*]] = qlp.rescale %[[X]] scale <[1], [0]> rounding single_round : tensor<16xi32> -> tensor<16xi8>
// CHECK-NEXT:    return %[[Y]]
func.func @do_not_fold_rescale_type_change(%x: tensor<16xi32>) -> tensor<16xi8> {
  %y = qlp.rescale %x scale <[1], [0]> rounding single_round : tensor<16xi32> -> tensor<16xi8>
  return %y : tensor<16xi8>
}

// -----

//===----------------------------------------------------------------------===//
// qlp.clamp
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @fold_clamp_full_range
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<8xi8>, %[[B:[a-z0-9_]+]]: tensor<?xi4>, %[[C:[a-z0-9_]+]]: tensor<2xi32>, %[[D:[a-z0-9_]+]]: tensor<2xi2>)
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]], %[[D]]
func.func @fold_clamp_full_range(%a: tensor<8xi8>, %b: tensor<?xi4>, %c: tensor<2xi32>, %d: tensor<2xi2>)
    -> (tensor<8xi8>, tensor<?xi4>, tensor<2xi32>, tensor<2xi2>) {
  %0 = qlp.clamp %a [-128, 127] : tensor<8xi8>
  %1 = qlp.clamp %b [-8, 7] : tensor<?xi4>
  %2 = qlp.clamp %c [-2147483648, 2147483647] : tensor<2xi32>
  %3 = qlp.clamp %d [-2, 1] : tensor<2xi2>
  return %0, %1, %2, %3 : tensor<8xi8>, tensor<?xi4>, tensor<2xi32>, tensor<2xi2>
}

// -----

// CHECK-LABEL: func.func @do_not_fold_clamp_narrowed
// CHECK-SAME:    (%[[A:[a-z0-9_]+]]: tensor<8xi8>, %[[B:[a-z0-9_]+]]: tensor<8xi8>)
// CHECK-NEXT:    %[[X:.*]] = qlp.clamp %[[A]] [-128, 126] : tensor<8xi8>
// CHECK-NEXT:    %[[Y:.*]] = qlp.clamp %[[B]] [-127, 127] : tensor<8xi8>
// CHECK-NEXT:    return %[[X]], %[[Y]]
func.func @do_not_fold_clamp_narrowed(%a: tensor<8xi8>, %b: tensor<8xi8>) -> (tensor<8xi8>, tensor<8xi8>) {
  %x = qlp.clamp %a [-128, 126] : tensor<8xi8>
  %y = qlp.clamp %b [-127, 127] : tensor<8xi8>
  return %x, %y : tensor<8xi8>, tensor<8xi8>
}

// -----

//===----------------------------------------------------------------------===//
// pack / unpack round trips
//===----------------------------------------------------------------------===//

// 100 i4 values fill 50 bytes exactly: no tail bits to lose.
// CHECK-LABEL: func.func @fold_pack_of_unpack_i4
// CHECK-SAME:    (%[[P:[a-z0-9_]+]]: tensor<64x50xi8>)
// CHECK-NEXT:    return %[[P]]
func.func @fold_pack_of_unpack_i4(%p: tensor<64x50xi8>) -> tensor<64x50xi8> {
  %x = qlp.unpack %p axis 1 : tensor<64x50xi8> -> tensor<64x100xi4>
  %q = qlp.pack %x axis 1 : tensor<64x100xi4> -> tensor<64x50xi8>
  return %q : tensor<64x50xi8>
}

// -----

// 128 binary values fill two i64 words, along axis 0 with a dynamic dimension
// beside it.
// CHECK-LABEL: func.func @fold_pack_of_unpack_binary
// CHECK-SAME:    (%[[P:[a-z0-9_]+]]: tensor<2x?xi64>)
// CHECK-NEXT:    return %[[P]]
func.func @fold_pack_of_unpack_binary(%p: tensor<2x?xi64>) -> tensor<2x?xi64> {
  %x = qlp.unpack %p axis 0 : tensor<2x?xi64> -> tensor<128x?x!qlp.binary>
  %q = qlp.pack %x axis 0 : tensor<128x?x!qlp.binary> -> tensor<2x?xi64>
  return %q : tensor<2x?xi64>
}

// -----

// unpack(pack(x)) is x even with tail bits: pack zeroes them, unpack ignores
// them.
// CHECK-LABEL: func.func @fold_unpack_of_pack
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<3x99xi4>, %[[B:[a-z0-9_]+]]: tensor<?x33x!qlp.binary>, %[[V:[a-z0-9_]+]]: tensor<5xi2>)
// CHECK-NEXT:    return %[[X]], %[[B]], %[[V]]
func.func @fold_unpack_of_pack(%x: tensor<3x99xi4>, %b: tensor<?x33x!qlp.binary>, %v: tensor<5xi2>)
    -> (tensor<3x99xi4>, tensor<?x33x!qlp.binary>, tensor<5xi2>) {
  %p = qlp.pack %x axis 1 : tensor<3x99xi4> -> tensor<3x50xi8>
  %y = qlp.unpack %p axis 1 : tensor<3x50xi8> -> tensor<3x99xi4>
  %q = qlp.pack %b axis 1 : tensor<?x33x!qlp.binary> -> tensor<?x2xi32>
  %c = qlp.unpack %q axis 1 : tensor<?x2xi32> -> tensor<?x33x!qlp.binary>
  %r = qlp.pack %v axis 0 : tensor<5xi2> -> tensor<2xi8>
  %w = qlp.unpack %r axis 0 : tensor<2xi8> -> tensor<5xi2>
  return %y, %c, %w : tensor<3x99xi4>, tensor<?x33x!qlp.binary>, tensor<5xi2>
}

// -----

// 99 i4 values leave the high nibble of byte 49 unused: unpack drops
// whatever it held, and pack writes zero there.
// CHECK-LABEL: func.func @do_not_fold_pack_of_unpack_tail_bits
// CHECK-SAME:    (%[[P:[a-z0-9_]+]]: tensor<64x50xi8>)
// CHECK-NEXT:    %[[X:.*]] = qlp.unpack %[[P]] axis 1
// CHECK-NEXT:    %[[Q:.*]] = qlp.pack %[[X]] axis 1
// CHECK-NEXT:    return %[[Q]]
func.func @do_not_fold_pack_of_unpack_tail_bits(%p: tensor<64x50xi8>) -> tensor<64x50xi8> {
  %x = qlp.unpack %p axis 1 : tensor<64x50xi8> -> tensor<64x99xi4>
  %q = qlp.pack %x axis 1 : tensor<64x99xi4> -> tensor<64x50xi8>
  return %q : tensor<64x50xi8>
}

// -----

// 33 binary values in i32 words: the second word has 31 tail bits.
// CHECK-LABEL: func.func @do_not_fold_pack_of_unpack_binary_tail_bits
// CHECK-SAME:    (%[[P:[a-z0-9_]+]]: tensor<4x2xi32>)
// CHECK-NEXT:    %[[X:.*]] = qlp.unpack %[[P]] axis 1
// CHECK-NEXT:    %[[Q:.*]] = qlp.pack %[[X]] axis 1
// CHECK-NEXT:    return %[[Q]]
func.func @do_not_fold_pack_of_unpack_binary_tail_bits(%p: tensor<4x2xi32>) -> tensor<4x2xi32> {
  %x = qlp.unpack %p axis 1 : tensor<4x2xi32> -> tensor<4x33x!qlp.binary>
  %q = qlp.pack %x axis 1 : tensor<4x33x!qlp.binary> -> tensor<4x2xi32>
  return %q : tensor<4x2xi32>
}

// -----

// Repacking 64 binary values from two i32 words into one i64 word changes
// the type: the folder leaves it to a lowering.
// CHECK-LABEL: func.func @do_not_fold_pack_of_unpack_word_type_change
// CHECK-SAME:    (%[[P:[a-z0-9_]+]]: tensor<4x2xi32>)
// CHECK-NEXT:    %[[X:.*]] = qlp.unpack %[[P]] axis 1 : tensor<4x2xi32> -> tensor<4x64x!qlp.binary>
// CHECK-NEXT:    %[[Q:.*]] = qlp.pack %[[X]] axis 1 : tensor<4x64x!qlp.binary> -> tensor<4x1xi64>
// CHECK-NEXT:    return %[[Q]]
func.func @do_not_fold_pack_of_unpack_word_type_change(%p: tensor<4x2xi32>) -> tensor<4x1xi64> {
  %x = qlp.unpack %p axis 1 : tensor<4x2xi32> -> tensor<4x64x!qlp.binary>
  %q = qlp.pack %x axis 1 : tensor<4x64x!qlp.binary> -> tensor<4x1xi64>
  return %q : tensor<4x1xi64>
}

// -----

// Packing along axis 0 and unpacking along axis 1 are different layouts,
// even where (as for a 1x1 tensor) the types line up.
// CHECK-LABEL: func.func @do_not_fold_unpack_of_pack_different_axes
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<1x1xi4>)
// CHECK-NEXT:    %[[P:.*]] = qlp.pack %[[X]] axis 0 : tensor<1x1xi4> -> tensor<1x1xi8>
// CHECK-NEXT:    %[[Y:.*]] = qlp.unpack %[[P]] axis 1 : tensor<1x1xi8> -> tensor<1x1xi4>
// CHECK-NEXT:    return %[[Y]]
func.func @do_not_fold_unpack_of_pack_different_axes(%x: tensor<1x1xi4>) -> tensor<1x1xi4> {
  %p = qlp.pack %x axis 0 : tensor<1x1xi4> -> tensor<1x1xi8>
  %y = qlp.unpack %p axis 1 : tensor<1x1xi8> -> tensor<1x1xi4>
  return %y : tensor<1x1xi4>
}

// -----

// Unpacking i4 nibbles as i2 fields is a different value type.
// CHECK-LABEL: func.func @do_not_fold_unpack_of_pack_value_type_change
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<8xi4>)
// CHECK-NEXT:    %[[P:.*]] = qlp.pack %[[X]] axis 0 : tensor<8xi4> -> tensor<4xi8>
// CHECK-NEXT:    %[[Y:.*]] = qlp.unpack %[[P]] axis 0 : tensor<4xi8> -> tensor<16xi2>
// CHECK-NEXT:    return %[[Y]]
func.func @do_not_fold_unpack_of_pack_value_type_change(%x: tensor<8xi4>) -> tensor<16xi2> {
  %p = qlp.pack %x axis 0 : tensor<8xi4> -> tensor<4xi8>
  %y = qlp.unpack %p axis 0 : tensor<4xi8> -> tensor<16xi2>
  return %y : tensor<16xi2>
}

// -----

//===----------------------------------------------------------------------===//
// Packing constants
//===----------------------------------------------------------------------===//

// i4 [1, -2, 7]: byte 0 holds 1 (low nibble) and -2 = 0xE (high nibble),
// 0xE1 = -31 as i8; byte 1 holds 7 and a zero tail nibble.
// CHECK-LABEL: func.func @fold_pack_i4_constant
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<{{\[\[}}-31, 7]]> : tensor<1x2xi8>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_i4_constant() -> tensor<1x2xi8> {
  %w = arith.constant dense<[[1, -2, 7]]> : tensor<1x3xi4>
  %p = qlp.pack %w axis 1 : tensor<1x3xi4> -> tensor<1x2xi8>
  return %p : tensor<1x2xi8>
}

// -----

// Along axis 0 each column packs on its own: column 0 is [1, 3, 5] -> bytes
// 0x31 = 49 and 0x05; column 1 is [2, 4, 6] -> 0x42 = 66 and 0x06.
// CHECK-LABEL: func.func @fold_pack_i4_constant_outer_axis
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<{{\[\[}}49, 66], [5, 6]]> : tensor<2x2xi8>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_i4_constant_outer_axis() -> tensor<2x2xi8> {
  %w = arith.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi4>
  %p = qlp.pack %w axis 0 : tensor<3x2xi4> -> tensor<2x2xi8>
  return %p : tensor<2x2xi8>
}

// -----

// A splat without tail bits packs to a splat: two -1 nibbles are 0xFF.
// CHECK-LABEL: func.func @fold_pack_i4_splat
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<-1> : tensor<2x2xi8>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_i4_splat() -> tensor<2x2xi8> {
  %w = arith.constant dense<-1> : tensor<2x4xi4>
  %p = qlp.pack %w axis 1 : tensor<2x4xi4> -> tensor<2x2xi8>
  return %p : tensor<2x2xi8>
}

// -----

// With a tail, the last byte keeps a zero high nibble: 0x0F = 15.
// CHECK-LABEL: func.func @fold_pack_i4_splat_with_tail
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<[-1, 15]> : tensor<2xi8>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_i4_splat_with_tail() -> tensor<2xi8> {
  %w = arith.constant dense<-1> : tensor<3xi4>
  %p = qlp.pack %w axis 0 : tensor<3xi4> -> tensor<2xi8>
  return %p : tensor<2xi8>
}

// -----

// A splat packs one word and stays a splat, whatever its size: 2^31 values
// are never expanded. Two nibbles of 1 are 0x11 = 17.
// CHECK-LABEL: func.func @fold_pack_huge_splat
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<17> : tensor<1073741824xi8>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_huge_splat() -> tensor<1073741824xi8> {
  %w = arith.constant dense<1> : tensor<2147483648xi4>
  %p = qlp.pack %w axis 0 : tensor<2147483648xi4> -> tensor<1073741824xi8>
  return %p : tensor<1073741824xi8>
}

// -----

// A splat with tail bits has to be expanded (the last byte differs); beyond
// 2^24 values the folder leaves it alone rather than expand it at compile
// time.
// CHECK-LABEL: func.func @do_not_fold_pack_large_splat_with_tail
// CHECK-NEXT:    %[[W:.*]] = arith.constant dense<1> : tensor<16777217xi4>
// CHECK-NEXT:    %[[P:.*]] = qlp.pack %[[W]] axis 0 : tensor<16777217xi4> -> tensor<8388609xi8>
// CHECK-NEXT:    return %[[P]]
func.func @do_not_fold_pack_large_splat_with_tail() -> tensor<8388609xi8> {
  %w = arith.constant dense<1> : tensor<16777217xi4>
  %p = qlp.pack %w axis 0 : tensor<16777217xi4> -> tensor<8388609xi8>
  return %p : tensor<8388609xi8>
}

// -----

// The result may keep a dynamic size where the constant's is known (shapes
// need only be compatible), but a dense constant must have a static type:
// the folder leaves such a pack alone.
// CHECK-LABEL: func.func @do_not_fold_pack_to_dynamic_result
// CHECK-NEXT:    %[[W:.*]] = arith.constant dense<{{\[}}[1, -2], [-8, 7]]> : tensor<2x2xi4>
// CHECK-NEXT:    %[[P:.*]] = qlp.pack %[[W]] axis 1 : tensor<2x2xi4> -> tensor<?x1xi8>
// CHECK-NEXT:    return %[[P]]
func.func @do_not_fold_pack_to_dynamic_result() -> tensor<?x1xi8> {
  %w = arith.constant dense<[[1, -2], [-8, 7]]> : tensor<2x2xi4>
  %p = qlp.pack %w axis 1 : tensor<2x2xi4> -> tensor<?x1xi8>
  return %p : tensor<?x1xi8>
}

// -----

// i2 [1, -1, -2, -1 | 1]: fields 01, 11, 10, 11 from the lowest bits give
// 0b11101101 = 0xED = -19; the fifth value starts byte 1.
// CHECK-LABEL: func.func @fold_pack_i2_constant
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<[-19, 1]> : tensor<2xi8>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_i2_constant() -> tensor<2xi8> {
  %w = arith.constant dense<[1, -1, -2, -1, 1]> : tensor<5xi2>
  %p = qlp.pack %w axis 0 : tensor<5xi2> -> tensor<2xi8>
  return %p : tensor<2xi8>
}

// -----

// i2 [0, 1, -2, 0] along axis 1 of each row: 0b00100100 = 36; row 2 is
// [-1, -1, -1, -1] = 0xFF = -1.
// CHECK-LABEL: func.func @fold_pack_i2_constant_rows
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<{{\[\[}}36], [-1]]> : tensor<2x1xi8>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_i2_constant_rows() -> tensor<2x1xi8> {
  %w = arith.constant dense<[[0, 1, -2, 0], [-1, -1, -1, -1]]> : tensor<2x4xi2>
  %p = qlp.pack %w axis 1 : tensor<2x4xi2> -> tensor<2x1xi8>
  return %p : tensor<2x1xi8>
}

// -----

// binarize(x) is -1 (bit 1) where x < threshold. With threshold 0, the
// negative values sit at j = 1, 3, 5: 2 + 8 + 32 = 42. The binarize is
// dead afterwards and goes away.
// CHECK-LABEL: func.func @fold_pack_binarized_constant_i32
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<42> : tensor<1xi32>
// CHECK-NOT:     qlp.binarize
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_binarized_constant_i32() -> tensor<1xi32> {
  %x = arith.constant dense<[3, -1, 0, -5, 7, -2, 0, 1]> : tensor<8xi8>
  %b = qlp.binarize %x threshold 0 : tensor<8xi8> -> tensor<8x!qlp.binary>
  %p = qlp.pack %b axis 0 : tensor<8x!qlp.binary> -> tensor<1xi32>
  return %p : tensor<1xi32>
}

// -----

// The same values against threshold 2: x < 2 at j = 1, 2, 3, 5, 6, 7, so
// 2 + 4 + 8 + 32 + 64 + 128 = 238. A value equal to the threshold is +1.
// CHECK-LABEL: func.func @fold_pack_binarized_constant_threshold
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<238> : tensor<1xi32>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_binarized_constant_threshold() -> tensor<1xi32> {
  %x = arith.constant dense<[3, -1, 0, -5, 7, -2, 0, 1]> : tensor<8xi8>
  %b = qlp.binarize %x threshold 2 : tensor<8xi8> -> tensor<8x!qlp.binary>
  %p = qlp.pack %b axis 0 : tensor<8x!qlp.binary> -> tensor<1xi32>
  return %p : tensor<1xi32>
}

// -----

// Two rows of 40 values, threshold -3, two i32 words per row. Row 0, word 1
// (j = 32..39: 0, 0, -2, -100, -4, -100, 0, 300) has bits 3, 4, 5: 56.
// Row 1, word 1 (-2, 0, -2, -3, -3, -4, 300, -4) has bits 5 and 7: 160
// (-3 is not below -3). Word 0 of row 0 has bit 31 set (x[0][31] = -4), so
// it reads as a negative i32.
// CHECK-LABEL: func.func @fold_pack_binarized_constant_i32_rows
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<{{\[\[}}-1935873742, 56], [44374057, 160]]> : tensor<2x2xi32>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_binarized_constant_i32_rows() -> tensor<2x2xi32> {
  %x = arith.constant dense<[
    [-3, -4, -2, 5, -100, -100, 300, 0, -100, -3, 0, -100, 0, -4, -100, -100, -2, -2, -100, -4,
     -100, 0, -2, -100, 300, 0, -100, -4, 5, 5, 0, -4, 0, 0, -2, -100, -4, -100, 0, 300],
    [-4, -3, -2, -4, 0, -100, 0, -3, 0, 300, 5, -4, -100, 0, 0, 5, -4, -3, -100, 0,
     5, -100, 0, -100, 0, -4, -2, 5, 0, -2, 300, -3, -2, 0, -2, -3, -3, -4, 300, -4]]> : tensor<2x40xi16>
  %b = qlp.binarize %x threshold -3 : tensor<2x40xi16> -> tensor<2x40x!qlp.binary>
  %p = qlp.pack %b axis 1 : tensor<2x40x!qlp.binary> -> tensor<2x2xi32>
  return %p : tensor<2x2xi32>
}

// -----

// 70 values into i64 words; -1 at j = 0, 5, 63 | 64, 69. Word 0 is
// 1 + 32 + 2^63, which as i64 is 33 - 2^63 = -9223372036854775775; word 1
// has bits 0 and 5: 33.
// CHECK-LABEL: func.func @fold_pack_binarized_constant_i64
// CHECK-NEXT:    %[[C:.*]] = arith.constant dense<[-9223372036854775775, 33]> : tensor<2xi64>
// CHECK-NEXT:    return %[[C]]
func.func @fold_pack_binarized_constant_i64() -> tensor<2xi64> {
  %x = arith.constant dense<[-1, 1, 2, 3, 4, -1, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
    44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, -1, -1, 65, 66, 67,
    68, -1]> : tensor<70xi32>
  %b = qlp.binarize %x threshold 0 : tensor<70xi32> -> tensor<70x!qlp.binary>
  %p = qlp.pack %b axis 0 : tensor<70x!qlp.binary> -> tensor<2xi64>
  return %p : tensor<2xi64>
}

// -----

// A binarized splat: every value of -5 < 0 is -1, so every bit of every
// i64 word is set (-1); every 7 >= 7 is +1, so every i32 word is 0.
// CHECK-LABEL: func.func @fold_pack_binarized_splat
// CHECK-DAG:     %[[ONES:.*]] = arith.constant dense<-1> : tensor<4x2xi64>
// CHECK-DAG:     %[[ZEROS:.*]] = arith.constant dense<0> : tensor<2x3xi32>
// CHECK-NOT:     qlp.
// CHECK:         return %[[ONES]], %[[ZEROS]]
func.func @fold_pack_binarized_splat() -> (tensor<4x2xi64>, tensor<2x3xi32>) {
  %x = arith.constant dense<-5> : tensor<4x128xi8>
  %b = qlp.binarize %x threshold 0 : tensor<4x128xi8> -> tensor<4x128x!qlp.binary>
  %p = qlp.pack %b axis 1 : tensor<4x128x!qlp.binary> -> tensor<4x2xi64>
  %y = arith.constant dense<7> : tensor<64x3xi16>
  %c = qlp.binarize %y threshold 7 : tensor<64x3xi16> -> tensor<64x3x!qlp.binary>
  %q = qlp.pack %c axis 0 : tensor<64x3x!qlp.binary> -> tensor<2x3xi32>
  return %p, %q : tensor<4x2xi64>, tensor<2x3xi32>
}

// -----

// The binarize keeps its other use; only the pack folds.
// CHECK-LABEL: func.func @fold_pack_binarized_constant_other_use
// CHECK-DAG:     %[[X:.*]] = arith.constant dense<[-1, 1]> : tensor<2xi8>
// CHECK-DAG:     %[[C:.*]] = arith.constant dense<1> : tensor<1xi32>
// CHECK:         %[[B:.*]] = qlp.binarize %[[X]] threshold 0
// CHECK-NEXT:    return %[[C]], %[[B]]
func.func @fold_pack_binarized_constant_other_use() -> (tensor<1xi32>, tensor<2x!qlp.binary>) {
  %x = arith.constant dense<[-1, 1]> : tensor<2xi8>
  %b = qlp.binarize %x threshold 0 : tensor<2xi8> -> tensor<2x!qlp.binary>
  %p = qlp.pack %b axis 0 : tensor<2x!qlp.binary> -> tensor<1xi32>
  return %p, %b : tensor<1xi32>, tensor<2x!qlp.binary>
}

// -----

// CHECK-LABEL: func.func @do_not_fold_pack_of_argument
// CHECK-SAME:    (%[[W:[a-z0-9_]+]]: tensor<1x3xi4>)
// CHECK-NEXT:    %[[P:.*]] = qlp.pack %[[W]] axis 1
// CHECK-NEXT:    return %[[P]]
func.func @do_not_fold_pack_of_argument(%w: tensor<1x3xi4>) -> tensor<1x2xi8> {
  %p = qlp.pack %w axis 1 : tensor<1x3xi4> -> tensor<1x2xi8>
  return %p : tensor<1x2xi8>
}

// -----

// CHECK-LABEL: func.func @do_not_fold_pack_of_binarized_argument
// CHECK-SAME:    (%[[X:[a-z0-9_]+]]: tensor<8xi8>)
// CHECK-NEXT:    %[[B:.*]] = qlp.binarize %[[X]] threshold 0
// CHECK-NEXT:    %[[P:.*]] = qlp.pack %[[B]] axis 0
// CHECK-NEXT:    return %[[P]]
func.func @do_not_fold_pack_of_binarized_argument(%x: tensor<8xi8>) -> tensor<1xi32> {
  %b = qlp.binarize %x threshold 0 : tensor<8xi8> -> tensor<8x!qlp.binary>
  %p = qlp.pack %b axis 0 : tensor<8x!qlp.binary> -> tensor<1xi32>
  return %p : tensor<1xi32>
}


// -----

// An exact inner rescale (2^30 * 2^-10 = 2^20, no rounding, no clamping of
// x * 2^20 in i32) merges into the outer one: 2^20 * 3 at shift 25.
// CHECK-LABEL: func.func @merge_exact_rescales
// CHECK-NEXT: %[[R:.*]] = qlp.rescale %arg0 zp -5 scale <[3145728], [25]> output_zp 7 rounding double_round : tensor<4xi8> -> tensor<4xi8>
// CHECK-NEXT: return %[[R]]
func.func @merge_exact_rescales(%x: tensor<4xi8>) -> tensor<4xi8> {
  %0 = qlp.rescale %x zp -5 scale <[1073741824], [10]> rounding single_round : tensor<4xi8> -> tensor<4xi32>
  %1 = qlp.rescale %0 scale <[3], [25]> output_zp 7 rounding double_round : tensor<4xi32> -> tensor<4xi8>
  return %1 : tensor<4xi8>
}

// -----

// The inner output zero point 2^21 minus the outer input zero point 0 is
// 2 * 2^20: it moves into the merged input zero point (-5 - 2); per-channel
// outer scales keep their axis.
// CHECK-LABEL: func.func @merge_moves_zero_point
// CHECK-NEXT: qlp.rescale %arg0 zp -7 scale <[3145728, 1048576], [25, 20], axis = 1> rounding single_round : tensor<2x2xi8> -> tensor<2x2xi8>
func.func @merge_moves_zero_point(%x: tensor<2x2xi8>) -> tensor<2x2xi8> {
  %0 = qlp.rescale %x zp -5 scale <[1048576], [0]> output_zp 2097152 rounding single_round : tensor<2x2xi8> -> tensor<2x2xi32>
  %1 = qlp.rescale %0 scale <[3, 1], [25, 20], axis = 1> rounding single_round : tensor<2x2xi32> -> tensor<2x2xi8>
  return %1 : tensor<2x2xi8>
}

// -----

// No merge: the inner rescale rounds (3 * 2^-1), its clamp can cut values,
// a zero-point difference is not a multiple of the inner multiplier, or the
// merged multiplier would not fit int32.
// CHECK-LABEL: func.func @no_merge
// CHECK-COUNT-8: qlp.rescale
func.func @no_merge(%x: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi8>) {
  %0 = qlp.rescale %x scale <[3], [1]> rounding single_round : tensor<4xi8> -> tensor<4xi32>
  %1 = qlp.rescale %0 scale <[3], [25]> rounding single_round : tensor<4xi32> -> tensor<4xi8>
  %2 = qlp.rescale %x scale <[4], [0]> clamp [0, 100] rounding single_round : tensor<4xi8> -> tensor<4xi32>
  %3 = qlp.rescale %2 scale <[3], [25]> rounding single_round : tensor<4xi32> -> tensor<4xi8>
  %4 = qlp.rescale %x scale <[1048576], [0]> output_zp 4096 rounding single_round : tensor<4xi8> -> tensor<4xi32>
  %5 = qlp.rescale %4 scale <[3], [25]> rounding single_round : tensor<4xi32> -> tensor<4xi8>
  %6 = qlp.rescale %x scale <[1048576], [0]> rounding single_round : tensor<4xi8> -> tensor<4xi32>
  %7 = qlp.rescale %6 scale <[4096], [40]> rounding single_round : tensor<4xi32> -> tensor<4xi8>
  return %1, %3, %5, %7 : tensor<4xi8>, tensor<4xi8>, tensor<4xi8>, tensor<4xi8>
}

// -----

// A clamp of a single-use rescale becomes the rescale's clamp, intersected
// with the one it had.
// CHECK-LABEL: func.func @clamp_into_rescale
// CHECK-NEXT: %[[A:.*]] = qlp.rescale %arg0 scale <[1], [4]> output_zp -3 clamp [-3, 50] rounding single_round
// CHECK-NEXT: %[[B:.*]] = qlp.rescale %arg0 scale <[1], [4]> clamp [0, 20] rounding single_round
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @clamp_into_rescale(%acc: tensor<4xi32>) -> (tensor<4xi8>, tensor<4xi8>) {
  %0 = qlp.rescale %acc scale <[1], [4]> output_zp -3 rounding single_round : tensor<4xi32> -> tensor<4xi8>
  %1 = qlp.clamp %0 [-3, 50] : tensor<4xi8>
  %2 = qlp.rescale %acc scale <[1], [4]> clamp [-10, 20] rounding single_round : tensor<4xi32> -> tensor<4xi8>
  %3 = qlp.clamp %2 [0, 100] : tensor<4xi8>
  return %1, %3 : tensor<4xi8>, tensor<4xi8>
}

// -----

// Not folded: the rescale has another use, or the ranges are disjoint.
// CHECK-LABEL: func.func @clamp_kept
// CHECK-COUNT-2: qlp.clamp
func.func @clamp_kept(%acc: tensor<4xi32>) -> (tensor<4xi8>, tensor<4xi8>, tensor<4xi8>) {
  %0 = qlp.rescale %acc scale <[1], [4]> rounding single_round : tensor<4xi32> -> tensor<4xi8>
  %1 = qlp.clamp %0 [0, 50] : tensor<4xi8>
  %2 = qlp.rescale %acc scale <[1], [5]> clamp [-10, -5] rounding single_round : tensor<4xi32> -> tensor<4xi8>
  %3 = qlp.clamp %2 [0, 100] : tensor<4xi8>
  return %0, %1, %3 : tensor<4xi8>, tensor<4xi8>, tensor<4xi8>
}
