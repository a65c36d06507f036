//===- qlp_runtime.h - C ABI of the quant-lp runtime --------------*- C -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// The C interface of qlp_runtime, usable from C (C99 or later) and C++. Every
// function returns a status or a sentinel instead of aborting, throwing or
// printing; no function allocates memory or keeps state.
//
// This header is the single definition of quant-lp's packed sub-byte layout.
// The qlp dialect's constant folder packs weights at compile time by calling
// qlp_rt_pack_s8, and the generated code reads them with the same layout, so
// compile-time and run-time packing agree bit for bit.
//
// Packed layout
// -------------
// A logical tensor of `bits`-wide signed values (bits = 1 for the binary type,
// values in {-1, +1}; bits = 2 or 4 for i2/i4) is viewed as a row-major
// [outer, length, inner] array and packed along its middle, `length` axis
// (the reduction dimension) into unsigned words of `word_bits` bits
// (8, 16, 32 or 64). With F = word_bits / bits fields per word and
// P = ceil(length / F) words per row, the packed array is a row-major
// [outer, P, inner] array of native-endian uintN_t words, N = word_bits, and
//
//   element (o, j, i)  ->  word (o, j / F, i), bits [(j % F) * bits,
//                                                     (j % F) * bits + bits)
//
// counting from the word's least significant bit, i.e. the first element along
// the axis occupies the lowest field ("low nibble first"). A field holds:
//   - bits = 2, 4: the value's two's-complement low `bits` bits, so i4 holds
//     -8..7 and i2 holds -2..1;
//   - bits = 1 (binary): 1 for -1 and 0 for +1, so a binary dot product of
//     length K is K - 2 * popcount(a XOR b).
// The (F * P - length) tail fields of the last word along the axis are zero.
//
// Examples: i4 values [1, -2, 7] with word_bits = 8 pack to the bytes
// {0xE1, 0x07}; with word_bits = 16 to the single word 0x07E1. Binary values
// [+1, -1, -1, +1] with word_bits = 32 pack to the word 0x00000006.
//
// Packing to 8-bit words gives i4 "two per byte, low nibble first"; binary is
// stored 32 per uint32_t or 64 per uint64_t word. On a little-endian target,
// with inner = 1 and length a multiple of 64 / bits, the packed bytes are the
// same for every word size.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_RUNTIME_QLP_RUNTIME_H
#define QLP_RUNTIME_QLP_RUNTIME_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Result of a runtime call. Values are part of the ABI and never change.
typedef enum qlp_rt_status {
  /// The call succeeded.
  QLP_RT_OK = 0,
  /// A size, width or pointer argument is invalid; nothing was written.
  QLP_RT_INVALID_ARGUMENT = 1,
  /// An input element is not representable in the requested format.
  QLP_RT_INVALID_VALUE = 2
} qlp_rt_status;

/// Packs `bits`-wide signed values along the middle axis of a row-major
/// [outer, length, inner] array (see "Packed layout" above).
///
/// `src` holds outer * length * inner values, one per int8_t, in row-major
/// [outer, length, inner] order. `dst` receives outer * P * inner words of
/// `word_bits` bits, P = qlp_rt_packed_length(length, bits, word_bits), in
/// row-major [outer, P, inner] order; each word is a native-endian uintN_t
/// (N = word_bits). Element (o, j, i) goes to word (o, j / F, i),
/// F = word_bits / bits, at bit offset (j % F) * bits, least significant bits
/// first. For bits = 2 and 4 the field is the value's two's-complement low
/// `bits` bits; for bits = 1 (binary) it is 1 for -1 and 0 for +1. Tail bits
/// of the last word along the axis are zero. `dst` needs no particular
/// alignment; `src` and `dst` must not overlap.
///
/// Returns:
///   - QLP_RT_OK on success; when the array is empty (outer, length or inner
///     is 0) nothing is read or written and both pointers may be null.
///   - QLP_RT_INVALID_ARGUMENT, writing nothing, if `src` or `dst` is null for
///     a non-empty array, a size is negative, `bits` is not 1, 2 or 4,
///     `word_bits` is not 8, 16, 32 or 64 (or not a multiple of `bits`), or
///     the element or byte count of either array does not fit in int64_t or
///     ptrdiff_t.
///   - QLP_RT_INVALID_VALUE if a value lies outside
///     [-2^(bits-1), 2^(bits-1) - 1] for bits = 2, 4, or is not -1 or +1 for
///     bits = 1. `dst` content is then unspecified, but no byte outside the
///     outer * P * inner words of `dst` is written.
qlp_rt_status qlp_rt_pack_s8(const int8_t *src, int64_t outer, int64_t length,
                             int64_t inner, int32_t bits, int32_t word_bits,
                             void *dst);

/// Inverse of qlp_rt_pack_s8: reads the row-major [outer, P, inner] words of
/// `src` (layout as in qlp_rt_pack_s8, native-endian, no alignment required)
/// and writes the values, one per int8_t, to the row-major
/// [outer, length, inner] array `dst`. For bits = 2 and 4 each field is
/// sign-extended (i4 field 0xE -> -2); for bits = 1 a 1 bit gives -1 and a 0
/// bit gives +1. Tail bits of the last word along the axis are ignored, so
/// every bit pattern decodes. `src` and `dst` must not overlap.
///
/// Returns QLP_RT_OK on success (for an empty array nothing is read or written
/// and both pointers may be null), or QLP_RT_INVALID_ARGUMENT, writing nothing,
/// under the same argument conditions as qlp_rt_pack_s8. Never returns
/// QLP_RT_INVALID_VALUE.
qlp_rt_status qlp_rt_unpack_s8(const void *src, int64_t outer, int64_t length,
                               int64_t inner, int32_t bits, int32_t word_bits,
                               int8_t *dst);

/// Number of `word_bits`-bit words that `length` elements of `bits` bits
/// occupy along the packed axis: ceil(length * bits / word_bits), computed
/// without overflow. Returns -1 if `length` is negative, `bits` is not 1, 2 or
/// 4, or `word_bits` is not 8, 16, 32 or 64 (or not a multiple of `bits`).
int64_t qlp_rt_packed_length(int64_t length, int32_t bits, int32_t word_bits);

/// Human-readable name of `status` ("ok", "invalid argument", "invalid
/// value"), or "unknown status" for a value outside the enum. The string is
/// static and must not be freed.
const char *qlp_rt_status_string(qlp_rt_status status);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // QLP_RUNTIME_QLP_RUNTIME_H
