//===- Pack.c - Sub-byte packing and unpacking of int8 arrays -----*- C -*-===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Implements the packed layout defined in qlp_runtime.h: qlp_rt_pack_s8 and
// qlp_rt_unpack_s8 convert between one value per int8_t and `bits`-wide
// fields packed along the middle axis of an [outer, length, inner] array.
//
// Every size, width and pointer is validated before the first write, so an
// invalid argument leaves `dst` untouched. Words are built in a register and
// stored whole, which makes the tail fields zero without a clearing pass, and
// they are moved with memcpy so callers may pass buffers of any alignment.
//
//===----------------------------------------------------------------------===//

#include "runtime/qlp_runtime.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/// Validated sizes of one pack/unpack call.
typedef struct PackShape {
  int64_t outer, length, inner;
  /// Words per row along the packed axis (P in qlp_runtime.h).
  int64_t packedLength;
  /// Fields per word (F in qlp_runtime.h).
  int64_t fieldsPerWord;
  int32_t bits, wordBits;
  /// Nonzero when either array has no elements.
  int empty;
} PackShape;

static int isSupportedBits(int32_t bits) {
  return bits == 1 || bits == 2 || bits == 4;
}

static int isSupportedWordBits(int32_t wordBits) {
  return wordBits == 8 || wordBits == 16 || wordBits == 32 || wordBits == 64;
}

/// Stores a * b in *result and returns 1, or returns 0 if the product of the
/// non-negative a and b exceeds the largest offset a pointer can take: the
/// smaller of INT64_MAX and PTRDIFF_MAX.
static int checkedMul(int64_t a, int64_t b, int64_t *result) {
#if PTRDIFF_MAX < INT64_MAX
  const int64_t limit = PTRDIFF_MAX;
#else
  const int64_t limit = INT64_MAX;
#endif
  if (a != 0 && b > limit / a)
    return 0;
  *result = a * b;
  return 1;
}

/// Checks everything but the pointers and fills *shape.
static qlp_rt_status checkShape(int64_t outer, int64_t length, int64_t inner,
                                int32_t bits, int32_t wordBits,
                                PackShape *shape) {
  if (outer < 0 || length < 0 || inner < 0)
    return QLP_RT_INVALID_ARGUMENT;
  int64_t packedLength = qlp_rt_packed_length(length, bits, wordBits);
  if (packedLength < 0)
    return QLP_RT_INVALID_ARGUMENT;

  shape->outer = outer;
  shape->length = length;
  shape->inner = inner;
  shape->packedLength = packedLength;
  shape->fieldsPerWord = wordBits / bits;
  shape->bits = bits;
  shape->wordBits = wordBits;
  // packedLength is 0 exactly when length is 0, so both arrays are empty
  // together; an empty call touches no memory and needs no overflow check.
  shape->empty = outer == 0 || length == 0 || inner == 0;
  if (shape->empty)
    return QLP_RT_OK;

  // The unpacked array has outer * length * inner bytes and the packed one
  // outer * packedLength * inner * (wordBits / 8) bytes. Every index the loops
  // form is below one of these counts, so proving both fit makes all index
  // arithmetic overflow-free.
  int64_t rows, unpackedBytes, words, packedBytes;
  if (!checkedMul(outer, inner, &rows) ||
      !checkedMul(rows, length, &unpackedBytes) ||
      !checkedMul(rows, packedLength, &words) ||
      !checkedMul(words, wordBits / 8, &packedBytes))
    return QLP_RT_INVALID_ARGUMENT;
  return QLP_RT_OK;
}

/// Writes the low `wordBits` bits of `value` as word `index` of `base`.
static void storeWord(void *base, int64_t index, int32_t wordBits,
                      uint64_t value) {
  unsigned char *bytes = (unsigned char *)base;
  switch (wordBits) {
  case 8: {
    uint8_t word = (uint8_t)value;
    memcpy(bytes + index, &word, sizeof(word));
    return;
  }
  case 16: {
    uint16_t word = (uint16_t)value;
    memcpy(bytes + index * 2, &word, sizeof(word));
    return;
  }
  case 32: {
    uint32_t word = (uint32_t)value;
    memcpy(bytes + index * 4, &word, sizeof(word));
    return;
  }
  default: // 64; checkShape admits no other width.
    memcpy(bytes + index * 8, &value, sizeof(value));
    return;
  }
}

/// Reads word `index` of `base`, zero-extended to 64 bits.
static uint64_t loadWord(const void *base, int64_t index, int32_t wordBits) {
  const unsigned char *bytes = (const unsigned char *)base;
  switch (wordBits) {
  case 8: {
    uint8_t word;
    memcpy(&word, bytes + index, sizeof(word));
    return word;
  }
  case 16: {
    uint16_t word;
    memcpy(&word, bytes + index * 2, sizeof(word));
    return word;
  }
  case 32: {
    uint32_t word;
    memcpy(&word, bytes + index * 4, sizeof(word));
    return word;
  }
  default: { // 64; checkShape admits no other width.
    uint64_t word;
    memcpy(&word, bytes + index * 8, sizeof(word));
    return word;
  }
  }
}

/// Encodes `value` as a `bits`-wide field in *field; returns 0 if the value is
/// not representable.
static int encodeField(int8_t value, int32_t bits, uint64_t *field) {
  if (bits == 1) {
    // Binary: -1 sets the bit, so XOR of two encodings marks the positions
    // whose product is -1 and a dot product is K - 2 * popcount(a ^ b).
    if (value != -1 && value != 1)
      return 0;
    *field = value == -1;
    return 1;
  }
  int32_t half = (int32_t)1 << (bits - 1);
  if (value < -half || value >= half)
    return 0;
  // Conversion to uint8_t is defined modulo 256, which yields the
  // two's-complement pattern; the mask keeps its low `bits` bits.
  *field = (uint64_t)((uint8_t)value & (((uint32_t)1 << bits) - 1u));
  return 1;
}

/// Decodes a `bits`-wide field (already masked) into its value.
static int8_t decodeField(uint64_t field, int32_t bits) {
  if (bits == 1)
    return field ? -1 : 1;
  // Sign-extend: flipping the sign bit maps the field to value + half in
  // [0, 2 * half), and subtracting half restores the value.
  int32_t half = (int32_t)1 << (bits - 1);
  return (int8_t)(((int32_t)field ^ half) - half);
}

qlp_rt_status qlp_rt_pack_s8(const int8_t *src, int64_t outer, int64_t length,
                             int64_t inner, int32_t bits, int32_t word_bits,
                             void *dst) {
  PackShape shape;
  qlp_rt_status status =
      checkShape(outer, length, inner, bits, word_bits, &shape);
  if (status != QLP_RT_OK || shape.empty)
    return status;
  if (!src || !dst)
    return QLP_RT_INVALID_ARGUMENT;

  const int64_t fieldsPerWord = shape.fieldsPerWord;
  for (int64_t o = 0; o < outer; ++o) {
    const int8_t *srcRows = src + o * length * inner;
    const int64_t dstRows = o * shape.packedLength * inner;
    for (int64_t w = 0; w < shape.packedLength; ++w) {
      const int64_t first = w * fieldsPerWord;
      // The last word of a row may be partial; its missing fields stay zero.
      const int64_t count =
          length - first < fieldsPerWord ? length - first : fieldsPerWord;
      for (int64_t i = 0; i < inner; ++i) {
        uint64_t word = 0;
        for (int64_t k = 0; k < count; ++k) {
          uint64_t field;
          if (!encodeField(srcRows[(first + k) * inner + i], bits, &field))
            return QLP_RT_INVALID_VALUE;
          // k * bits < word_bits <= 64, so the shift is defined.
          word |= field << (k * bits);
        }
        storeWord(dst, dstRows + w * inner + i, word_bits, word);
      }
    }
  }
  return QLP_RT_OK;
}

qlp_rt_status qlp_rt_unpack_s8(const void *src, int64_t outer, int64_t length,
                               int64_t inner, int32_t bits, int32_t word_bits,
                               int8_t *dst) {
  PackShape shape;
  qlp_rt_status status =
      checkShape(outer, length, inner, bits, word_bits, &shape);
  if (status != QLP_RT_OK || shape.empty)
    return status;
  if (!src || !dst)
    return QLP_RT_INVALID_ARGUMENT;

  const int64_t fieldsPerWord = shape.fieldsPerWord;
  const uint64_t mask = ((uint64_t)1 << bits) - 1u;
  for (int64_t o = 0; o < outer; ++o) {
    int8_t *dstRows = dst + o * length * inner;
    const int64_t srcRows = o * shape.packedLength * inner;
    for (int64_t w = 0; w < shape.packedLength; ++w) {
      const int64_t first = w * fieldsPerWord;
      // Fields past `length` in the last word are tail bits: never read.
      const int64_t count =
          length - first < fieldsPerWord ? length - first : fieldsPerWord;
      for (int64_t i = 0; i < inner; ++i) {
        uint64_t word = loadWord(src, srcRows + w * inner + i, word_bits);
        for (int64_t k = 0; k < count; ++k)
          dstRows[(first + k) * inner + i] =
              decodeField((word >> (k * bits)) & mask, bits);
      }
    }
  }
  return QLP_RT_OK;
}

int64_t qlp_rt_packed_length(int64_t length, int32_t bits, int32_t word_bits) {
  if (length < 0 || !isSupportedBits(bits) || !isSupportedWordBits(word_bits) ||
      word_bits % bits != 0)
    return -1;
  // ceil(length * bits / word_bits) without forming length * bits, which
  // could overflow for lengths near INT64_MAX.
  const int64_t fieldsPerWord = word_bits / bits;
  return length / fieldsPerWord + (length % fieldsPerWord != 0);
}

const char *qlp_rt_status_string(qlp_rt_status status) {
  switch (status) {
  case QLP_RT_OK:
    return "ok";
  case QLP_RT_INVALID_ARGUMENT:
    return "invalid argument";
  case QLP_RT_INVALID_VALUE:
    return "invalid value";
  }
  // Reached for integers outside the enum passed across the C ABI.
  return "unknown status";
}
