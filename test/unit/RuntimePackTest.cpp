//===- RuntimePackTest.cpp - Tests for the qlp_runtime packed layout ------===//
//
// Part of quant-lp.
//
//===----------------------------------------------------------------------===//
//
// Checks qlp_rt_pack_s8 / qlp_rt_unpack_s8 against hand-worked bytes and
// against an independent bit-by-bit reference of the layout documented in
// qlp_runtime.h, for every (bits, word_bits) pair. Every destination buffer is
// followed by guard bytes so that an out-of-bounds write is caught, and the
// error tests also check that nothing inside the buffer changed.
//
//===----------------------------------------------------------------------===//

#include "runtime/qlp_runtime.h"

#include "gtest/gtest.h"

#include <bitset>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

constexpr uint8_t kGuard = 0xA5;
constexpr size_t kGuardBytes = 64;

/// A byte buffer of `size` bytes filled with `fill`, followed by guard bytes.
class GuardedBuffer {
public:
  explicit GuardedBuffer(size_t size, uint8_t fill = kGuard)
      : size(size), bytes(size + kGuardBytes, kGuard) {
    std::memset(bytes.data(), fill, size);
  }
  uint8_t *data() { return bytes.data(); }
  const uint8_t *data() const { return bytes.data(); }
  size_t payloadSize() const { return size; }
  /// True if no byte after the payload was written.
  bool guardIntact() const {
    for (size_t i = size; i < bytes.size(); ++i)
      if (bytes[i] != kGuard)
        return false;
    return true;
  }
  /// True if every payload byte still holds `fill`.
  bool payloadIs(uint8_t fill) const {
    for (size_t i = 0; i < size; ++i)
      if (bytes[i] != fill)
        return false;
    return true;
  }

private:
  size_t size;
  std::vector<uint8_t> bytes;
};

/// Reads word `index` of a packed buffer as an unsigned integer.
uint64_t readWord(const uint8_t *base, int64_t index, int wordBits) {
  switch (wordBits) {
  case 8:
    return base[index];
  case 16: {
    uint16_t w;
    std::memcpy(&w, base + index * 2, sizeof(w));
    return w;
  }
  case 32: {
    uint32_t w;
    std::memcpy(&w, base + index * 4, sizeof(w));
    return w;
  }
  default: {
    uint64_t w;
    std::memcpy(&w, base + index * 8, sizeof(w));
    return w;
  }
  }
}

/// Writes word `index` of a packed buffer.
void writeWord(uint8_t *base, int64_t index, int wordBits, uint64_t value) {
  switch (wordBits) {
  case 8:
    base[index] = static_cast<uint8_t>(value);
    return;
  case 16: {
    uint16_t w = static_cast<uint16_t>(value);
    std::memcpy(base + index * 2, &w, sizeof(w));
    return;
  }
  case 32: {
    uint32_t w = static_cast<uint32_t>(value);
    std::memcpy(base + index * 4, &w, sizeof(w));
    return;
  }
  default:
    std::memcpy(base + index * 8, &value, sizeof(value));
    return;
  }
}

/// Reference encoding, written from the header's description rather than
/// shared with the implementation: binary -1 -> 1, +1 -> 0; otherwise the
/// two's-complement low bits.
uint64_t referenceField(int8_t value, int bits) {
  if (bits == 1)
    return value == -1 ? 1 : 0;
  return static_cast<uint64_t>(static_cast<uint8_t>(value)) &
         ((uint64_t{1} << bits) - 1);
}

/// Reference packer: places every bit of every field at its absolute bit
/// position j * bits + b of the (o, i) row, then splits rows into words.
std::vector<uint64_t> referencePack(const std::vector<int8_t> &src,
                                    int64_t outer, int64_t length,
                                    int64_t inner, int bits, int wordBits) {
  int64_t packed = (length * bits + wordBits - 1) / wordBits;
  std::vector<uint64_t> words(static_cast<size_t>(outer * packed * inner), 0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < length; ++j)
      for (int64_t i = 0; i < inner; ++i) {
        uint64_t field = referenceField(
            src[static_cast<size_t>((o * length + j) * inner + i)], bits);
        for (int b = 0; b < bits; ++b) {
          if (!((field >> b) & 1))
            continue;
          int64_t pos = j * bits + b;
          int64_t w = pos / wordBits;
          words[static_cast<size_t>((o * packed + w) * inner + i)] |=
              uint64_t{1} << (pos % wordBits);
        }
      }
  return words;
}

/// Random values valid for `bits`.
std::vector<int8_t> randomValues(std::mt19937 &rng, size_t count, int bits) {
  std::vector<int8_t> values(count);
  if (bits == 1) {
    std::uniform_int_distribution<int> coin(0, 1);
    for (int8_t &v : values)
      v = coin(rng) ? int8_t{-1} : int8_t{1};
    return values;
  }
  int half = 1 << (bits - 1);
  std::uniform_int_distribution<int> dist(-half, half - 1);
  for (int8_t &v : values)
    v = static_cast<int8_t>(dist(rng));
  return values;
}

size_t packedBytes(int64_t outer, int64_t length, int64_t inner, int bits,
                   int wordBits) {
  int64_t packed = qlp_rt_packed_length(length, bits, wordBits);
  return static_cast<size_t>(outer * packed * inner * (wordBits / 8));
}

const int kAllBits[] = {1, 2, 4};
const int kAllWordBits[] = {8, 16, 32, 64};

//===----------------------------------------------------------------------===//
// qlp_rt_packed_length and qlp_rt_status_string
//===----------------------------------------------------------------------===//

TEST(RuntimePackedLength, CeilsLengthTimesBitsOverWordBits) {
  EXPECT_EQ(qlp_rt_packed_length(0, 4, 8), 0);
  EXPECT_EQ(qlp_rt_packed_length(1, 4, 8), 1);
  EXPECT_EQ(qlp_rt_packed_length(2, 4, 8), 1);
  EXPECT_EQ(qlp_rt_packed_length(3, 4, 8), 2);
  EXPECT_EQ(qlp_rt_packed_length(32, 1, 32), 1);
  EXPECT_EQ(qlp_rt_packed_length(33, 1, 32), 2);
  EXPECT_EQ(qlp_rt_packed_length(64, 1, 64), 1);
  EXPECT_EQ(qlp_rt_packed_length(65, 1, 64), 2);
  EXPECT_EQ(qlp_rt_packed_length(9, 2, 16), 2);
  EXPECT_EQ(qlp_rt_packed_length(1, 1, 64), 1);
  for (int bits : kAllBits)
    for (int wordBits : kAllWordBits)
      for (int64_t length = 0; length < 200; ++length)
        EXPECT_EQ(qlp_rt_packed_length(length, bits, wordBits),
                  (length * bits + wordBits - 1) / wordBits)
            << "length " << length << " bits " << bits << " word_bits "
            << wordBits;
}

TEST(RuntimePackedLength, DoesNotOverflowNearInt64Max) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(qlp_rt_packed_length(max, 1, 64), max / 64 + 1);
  EXPECT_EQ(qlp_rt_packed_length(max, 4, 8), max / 2 + 1);
  EXPECT_EQ(qlp_rt_packed_length(max - 63, 1, 64), (max - 63) / 64);
}

TEST(RuntimePackedLength, RejectsInvalidArguments) {
  EXPECT_EQ(qlp_rt_packed_length(-1, 4, 8), -1);
  EXPECT_EQ(qlp_rt_packed_length(std::numeric_limits<int64_t>::min(), 1, 32),
            -1);
  for (int bits : {-1, 0, 3, 5, 8, 16, 32})
    EXPECT_EQ(qlp_rt_packed_length(4, bits, 32), -1) << "bits " << bits;
  for (int wordBits : {-8, 0, 1, 4, 12, 24, 128})
    EXPECT_EQ(qlp_rt_packed_length(4, 4, wordBits), -1)
        << "word_bits " << wordBits;
}

TEST(RuntimeStatusString, NamesEveryStatus) {
  EXPECT_STREQ(qlp_rt_status_string(QLP_RT_OK), "ok");
  EXPECT_STREQ(qlp_rt_status_string(QLP_RT_INVALID_ARGUMENT),
               "invalid argument");
  EXPECT_STREQ(qlp_rt_status_string(QLP_RT_INVALID_VALUE), "invalid value");
  EXPECT_STREQ(qlp_rt_status_string(static_cast<qlp_rt_status>(42)),
               "unknown status");
  EXPECT_STREQ(qlp_rt_status_string(static_cast<qlp_rt_status>(-1)),
               "unknown status");
}

TEST(RuntimeStatus, ValuesAreStableAbi) {
  EXPECT_EQ(static_cast<int>(QLP_RT_OK), 0);
  EXPECT_EQ(static_cast<int>(QLP_RT_INVALID_ARGUMENT), 1);
  EXPECT_EQ(static_cast<int>(QLP_RT_INVALID_VALUE), 2);
}

//===----------------------------------------------------------------------===//
// Hand-worked layouts
//===----------------------------------------------------------------------===//

TEST(RuntimePack, Int4LowNibbleFirstInBytes) {
  const int8_t src[] = {1, -2, 7};
  GuardedBuffer dst(2);
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 3, 1, 4, 8, dst.data()), QLP_RT_OK);
  EXPECT_EQ(dst.data()[0], 0xE1);
  EXPECT_EQ(dst.data()[1], 0x07); // Tail nibble is zero.
  EXPECT_TRUE(dst.guardIntact());
}

TEST(RuntimePack, Int4InWiderWords) {
  const int8_t src[] = {1, -2, 7};
  uint16_t w16 = 0xFFFF;
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 3, 1, 4, 16, &w16), QLP_RT_OK);
  EXPECT_EQ(w16, 0x07E1);
  uint32_t w32 = 0xFFFFFFFF;
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 3, 1, 4, 32, &w32), QLP_RT_OK);
  EXPECT_EQ(w32, 0x000007E1u);
  uint64_t w64 = ~uint64_t{0};
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 3, 1, 4, 64, &w64), QLP_RT_OK);
  EXPECT_EQ(w64, uint64_t{0x7E1});
}

TEST(RuntimePack, Int4FullRangeFillsWord) {
  // -8..7 in order: nibbles 8, 9, ..., F, 0, 1, ..., 7 from the low end.
  int8_t src[16];
  for (int v = -8; v < 8; ++v)
    src[v + 8] = static_cast<int8_t>(v);
  uint64_t word = 0;
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 16, 1, 4, 64, &word), QLP_RT_OK);
  EXPECT_EQ(word, uint64_t{0x76543210FEDCBA98});
  uint8_t bytes[8];
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 16, 1, 4, 8, bytes), QLP_RT_OK);
  const uint8_t expected[8] = {0x98, 0xBA, 0xDC, 0xFE, 0x10, 0x32, 0x54, 0x76};
  EXPECT_EQ(std::memcmp(bytes, expected, 8), 0);
}

TEST(RuntimePack, Int2FourPerByte) {
  // Fields 01, 11, 10, 00 | 01.
  const int8_t src[] = {1, -1, -2, 0, 1};
  GuardedBuffer dst(2, 0xFF);
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 5, 1, 2, 8, dst.data()), QLP_RT_OK);
  EXPECT_EQ(dst.data()[0], 0x2D);
  EXPECT_EQ(dst.data()[1], 0x01);
  EXPECT_TRUE(dst.guardIntact());
}

TEST(RuntimePack, BinaryMinusOneIsSetBit) {
  const int8_t src[] = {+1, -1, -1, +1, +1, +1, +1, -1, -1};
  GuardedBuffer bytes(2, 0xFF);
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 9, 1, 1, 8, bytes.data()), QLP_RT_OK);
  EXPECT_EQ(bytes.data()[0], 0x86);
  EXPECT_EQ(bytes.data()[1], 0x01);
  EXPECT_TRUE(bytes.guardIntact());

  uint32_t w32 = 0xFFFFFFFF;
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 9, 1, 1, 32, &w32), QLP_RT_OK);
  EXPECT_EQ(w32, 0x186u);
}

TEST(RuntimePack, Binary32PerWordAndSplitAcrossWords) {
  // 33 elements: -1 at j = 0, 5, 31 and 32; the 33rd starts a second word.
  std::vector<int8_t> src(33, 1);
  src[0] = src[5] = src[31] = src[32] = -1;
  uint32_t words[2] = {0xFFFFFFFF, 0xFFFFFFFF};
  ASSERT_EQ(qlp_rt_pack_s8(src.data(), 1, 33, 1, 1, 32, words), QLP_RT_OK);
  EXPECT_EQ(words[0], 0x80000021u);
  EXPECT_EQ(words[1], 0x1u);

  uint64_t word = ~uint64_t{0};
  ASSERT_EQ(qlp_rt_pack_s8(src.data(), 1, 33, 1, 1, 64, &word), QLP_RT_OK);
  EXPECT_EQ(word, uint64_t{0x180000021});
}

TEST(RuntimePack, BinaryXorPopcountGivesDotProduct) {
  // The encoding is chosen so that dot(a, b) = K - 2 * popcount(a ^ b).
  std::mt19937 rng(7);
  const int64_t k = 200;
  std::vector<int8_t> a = randomValues(rng, k, 1), b = randomValues(rng, k, 1);
  std::vector<uint64_t> pa(4), pb(4);
  ASSERT_EQ(qlp_rt_pack_s8(a.data(), 1, k, 1, 1, 64, pa.data()), QLP_RT_OK);
  ASSERT_EQ(qlp_rt_pack_s8(b.data(), 1, k, 1, 1, 64, pb.data()), QLP_RT_OK);
  int64_t dot = 0, popcount = 0;
  for (int64_t j = 0; j < k; ++j)
    dot += a[j] * b[j];
  for (int w = 0; w < 4; ++w)
    popcount += static_cast<int64_t>(std::bitset<64>(pa[w] ^ pb[w]).count());
  EXPECT_EQ(dot, k - 2 * popcount);
}

TEST(RuntimePack, PacksMiddleAxisWithInnerStride) {
  // [outer = 1, length = 3, inner = 2]: src(j, i).
  const int8_t src[] = {1, -1, //
                        2, -8, //
                        3, 7};
  // dst [P = 2, inner = 2] bytes: (w0,i0) = 1 | 2 << 4, (w0,i1) = F | 8 << 4,
  // (w1,i0) = 3, (w1,i1) = 7.
  GuardedBuffer dst(4);
  ASSERT_EQ(qlp_rt_pack_s8(src, 1, 3, 2, 4, 8, dst.data()), QLP_RT_OK);
  const uint8_t expected[] = {0x21, 0x8F, 0x03, 0x07};
  EXPECT_EQ(std::memcmp(dst.data(), expected, 4), 0);
  EXPECT_TRUE(dst.guardIntact());

  int8_t back[6];
  ASSERT_EQ(qlp_rt_unpack_s8(dst.data(), 1, 3, 2, 4, 8, back), QLP_RT_OK);
  EXPECT_EQ(std::memcmp(back, src, 6), 0);
}

TEST(RuntimePack, PacksEachOuterSliceSeparately) {
  // [outer = 2, length = 3, inner = 1]: rows do not share a word.
  const int8_t src[] = {1, -2, 7, -8, 0, 3};
  GuardedBuffer dst(4);
  ASSERT_EQ(qlp_rt_pack_s8(src, 2, 3, 1, 4, 8, dst.data()), QLP_RT_OK);
  const uint8_t expected[] = {0xE1, 0x07, 0x08, 0x03};
  EXPECT_EQ(std::memcmp(dst.data(), expected, 4), 0);
  EXPECT_TRUE(dst.guardIntact());
}

TEST(RuntimePack, LittleEndianBytesAgreeAcrossWordSizes) {
  // Documented in the header: with inner = 1 and length a multiple of
  // 64 / bits, a little-endian target stores the same bytes for every width.
  uint16_t probe = 1;
  uint8_t firstByte;
  std::memcpy(&firstByte, &probe, 1);
  if (firstByte != 1)
    GTEST_SKIP() << "big-endian host";
  std::mt19937 rng(11);
  for (int bits : kAllBits) {
    int64_t length = 3 * (64 / bits);
    std::vector<int8_t> src = randomValues(rng, length * 2, bits);
    std::vector<uint8_t> reference(packedBytes(2, length, 1, bits, 8));
    ASSERT_EQ(
        qlp_rt_pack_s8(src.data(), 2, length, 1, bits, 8, reference.data()),
        QLP_RT_OK);
    for (int wordBits : {16, 32, 64}) {
      std::vector<uint8_t> bytes(packedBytes(2, length, 1, bits, wordBits));
      ASSERT_EQ(bytes.size(), reference.size());
      ASSERT_EQ(qlp_rt_pack_s8(src.data(), 2, length, 1, bits, wordBits,
                               bytes.data()),
                QLP_RT_OK);
      EXPECT_EQ(bytes, reference) << "bits " << bits << " word " << wordBits;
    }
  }
}

//===----------------------------------------------------------------------===//
// Unpacking
//===----------------------------------------------------------------------===//

TEST(RuntimeUnpack, SignExtendsEveryField) {
  for (int bits : {2, 4}) {
    int fields = 1 << bits;
    // One word holding the field values 0, 1, ..., fields - 1 in order.
    uint64_t word = 0;
    for (int f = 0; f < fields; ++f)
      word |= static_cast<uint64_t>(f) << (f * bits);
    std::vector<int8_t> dst(fields + kGuardBytes, 42);
    ASSERT_EQ(qlp_rt_unpack_s8(&word, 1, fields, 1, bits, 64, dst.data()),
              QLP_RT_OK);
    int half = fields / 2;
    for (int f = 0; f < fields; ++f)
      EXPECT_EQ(dst[f], f < half ? f : f - fields)
          << "bits " << bits << " field " << f;
    for (size_t g = fields; g < dst.size(); ++g)
      EXPECT_EQ(dst[g], 42);
  }
}

TEST(RuntimeUnpack, BinarySetBitIsMinusOne) {
  const uint8_t bytes[] = {0x86, 0x01};
  int8_t dst[9];
  ASSERT_EQ(qlp_rt_unpack_s8(bytes, 1, 9, 1, 1, 8, dst), QLP_RT_OK);
  const int8_t expected[] = {+1, -1, -1, +1, +1, +1, +1, -1, -1};
  EXPECT_EQ(std::memcmp(dst, expected, 9), 0);
}

TEST(RuntimeUnpack, Int4FromBytes) {
  const uint8_t bytes[] = {0xE1, 0x07};
  int8_t dst[3 + kGuardBytes];
  std::memset(dst, 42, sizeof(dst));
  ASSERT_EQ(qlp_rt_unpack_s8(bytes, 1, 3, 1, 4, 8, dst), QLP_RT_OK);
  EXPECT_EQ(dst[0], 1);
  EXPECT_EQ(dst[1], -2);
  EXPECT_EQ(dst[2], 7);
  for (size_t g = 3; g < sizeof(dst); ++g)
    EXPECT_EQ(dst[g], 42) << "guard byte " << g;
}

TEST(RuntimeUnpack, IgnoresTailBits) {
  // Only the low nibble of the last byte is data; 0xF0 is garbage.
  const uint8_t bytes[] = {0xE1, 0xF7};
  int8_t dst[3];
  ASSERT_EQ(qlp_rt_unpack_s8(bytes, 1, 3, 1, 4, 8, dst), QLP_RT_OK);
  EXPECT_EQ(dst[2], 7);
}

TEST(RuntimeUnpack, AcceptsUnalignedBuffers) {
  std::mt19937 rng(5);
  std::vector<int8_t> src = randomValues(rng, 2 * 70 * 3, 4);
  size_t size = packedBytes(2, 70, 3, 4, 64);
  std::vector<uint8_t> storage(size + 1);
  uint8_t *unaligned = storage.data() + 1;
  ASSERT_EQ(qlp_rt_pack_s8(src.data(), 2, 70, 3, 4, 64, unaligned), QLP_RT_OK);
  std::vector<int8_t> back(src.size());
  ASSERT_EQ(qlp_rt_unpack_s8(unaligned, 2, 70, 3, 4, 64, back.data()),
            QLP_RT_OK);
  EXPECT_EQ(back, src);
}

//===----------------------------------------------------------------------===//
// Every (bits, word_bits) pair on random shapes
//===----------------------------------------------------------------------===//

class RuntimePackAllWidths
    : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(RuntimePackAllWidths, MatchesReferenceAndRoundTrips) {
  const int bits = std::get<0>(GetParam());
  const int wordBits = std::get<1>(GetParam());
  std::mt19937 rng(static_cast<unsigned>(bits * 1000 + wordBits));
  std::uniform_int_distribution<int64_t> outerDist(0, 3), innerDist(0, 4),
      lengthDist(0, 150);
  for (int trial = 0; trial < 200; ++trial) {
    int64_t outer = outerDist(rng), length = lengthDist(rng),
            inner = innerDist(rng);
    // Force the interesting shapes: empty axes, a single element, exact and
    // off-by-one multiples of the word.
    int64_t perWord = wordBits / bits;
    switch (trial) {
    case 0:
      outer = 0;
      break;
    case 1:
      length = 0;
      break;
    case 2:
      inner = 0;
      break;
    case 3:
      outer = inner = length = 1;
      break;
    case 4:
      length = perWord;
      break;
    case 5:
      length = perWord + 1;
      break;
    case 6:
      length = 2 * perWord - 1;
      break;
    default:
      break;
    }
    SCOPED_TRACE("shape [" + std::to_string(outer) + ", " +
                 std::to_string(length) + ", " + std::to_string(inner) + "]");
    int64_t packed = qlp_rt_packed_length(length, bits, wordBits);
    ASSERT_EQ(packed, (length * bits + wordBits - 1) / wordBits);
    const size_t count = static_cast<size_t>(outer * length * inner);
    std::vector<int8_t> src = randomValues(rng, count, bits);

    // All-ones fill shows that tail bits are written as zero, not left alone.
    GuardedBuffer dst(packedBytes(outer, length, inner, bits, wordBits), 0xFF);
    ASSERT_EQ(qlp_rt_pack_s8(src.data(), outer, length, inner, bits, wordBits,
                             dst.data()),
              QLP_RT_OK);
    ASSERT_TRUE(dst.guardIntact());
    std::vector<uint64_t> expected =
        referencePack(src, outer, length, inner, bits, wordBits);
    for (size_t w = 0; w < expected.size(); ++w)
      ASSERT_EQ(readWord(dst.data(), static_cast<int64_t>(w), wordBits),
                expected[w])
          << "word " << w;

    std::vector<int8_t> back(count + kGuardBytes, 42);
    ASSERT_EQ(qlp_rt_unpack_s8(dst.data(), outer, length, inner, bits, wordBits,
                               back.data()),
              QLP_RT_OK);
    for (size_t e = 0; e < count; ++e)
      ASSERT_EQ(back[e], src[e]) << "element " << e;
    for (size_t g = count; g < back.size(); ++g)
      ASSERT_EQ(back[g], 42) << "unpack wrote past the end";
  }
}

TEST_P(RuntimePackAllWidths, TailBitsAreZeroAndIgnored) {
  const int bits = std::get<0>(GetParam());
  const int wordBits = std::get<1>(GetParam());
  const int64_t perWord = wordBits / bits;
  std::mt19937 rng(static_cast<unsigned>(bits + wordBits));
  for (int64_t length = 1; length <= 2 * perWord + 1; ++length) {
    const int64_t outer = 2, inner = 3;
    const int64_t packed = qlp_rt_packed_length(length, bits, wordBits);
    std::vector<int8_t> src = randomValues(rng, outer * length * inner, bits);
    // Every field -1 sets every data bit, so only tail bits can be zero.
    std::vector<int8_t> minusOnes(src.size(), -1);
    GuardedBuffer dst(packedBytes(outer, length, inner, bits, wordBits), 0xFF);
    ASSERT_EQ(qlp_rt_pack_s8(minusOnes.data(), outer, length, inner, bits,
                             wordBits, dst.data()),
              QLP_RT_OK);
    const int64_t usedBits = length * bits - (packed - 1) * wordBits;
    const uint64_t dataMask =
        usedBits == 64 ? ~uint64_t{0} : (uint64_t{1} << usedBits) - 1;
    const uint64_t wordMask =
        wordBits == 64 ? ~uint64_t{0} : (uint64_t{1} << wordBits) - 1;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        for (int64_t w = 0; w + 1 < packed; ++w)
          EXPECT_EQ(
              readWord(dst.data(), (o * packed + w) * inner + i, wordBits),
              wordMask);
        EXPECT_EQ(readWord(dst.data(), (o * packed + packed - 1) * inner + i,
                           wordBits),
                  dataMask)
            << "length " << length;
      }

    // Set every tail bit of a real packing: unpacking must not see them.
    ASSERT_EQ(qlp_rt_pack_s8(src.data(), outer, length, inner, bits, wordBits,
                             dst.data()),
              QLP_RT_OK);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t last = (o * packed + packed - 1) * inner + i;
        writeWord(dst.data(), last, wordBits,
                  readWord(dst.data(), last, wordBits) |
                      (wordMask & ~dataMask));
      }
    std::vector<int8_t> back(src.size());
    ASSERT_EQ(qlp_rt_unpack_s8(dst.data(), outer, length, inner, bits, wordBits,
                               back.data()),
              QLP_RT_OK);
    EXPECT_EQ(back, src) << "length " << length;
    EXPECT_TRUE(dst.guardIntact());
  }
}

TEST_P(RuntimePackAllWidths, RejectsOutOfRangeValues) {
  const int bits = std::get<0>(GetParam());
  const int wordBits = std::get<1>(GetParam());
  std::vector<int> invalid;
  if (bits == 1)
    invalid = {0, 2, -2, 127, -128};
  else
    invalid = {1 << (bits - 1), -(1 << (bits - 1)) - 1, 127, -128};
  std::mt19937 rng(static_cast<unsigned>(bits * 7 + wordBits));
  const int64_t outer = 2, length = 37, inner = 3;
  const size_t count = outer * length * inner;
  for (int value : invalid)
    for (size_t position : {size_t{0}, count / 2, count - 1}) {
      std::vector<int8_t> src = randomValues(rng, count, bits);
      src[position] = static_cast<int8_t>(value);
      GuardedBuffer dst(packedBytes(outer, length, inner, bits, wordBits));
      EXPECT_EQ(qlp_rt_pack_s8(src.data(), outer, length, inner, bits, wordBits,
                               dst.data()),
                QLP_RT_INVALID_VALUE)
          << "value " << value << " at " << position;
      EXPECT_TRUE(dst.guardIntact());
    }
}

TEST_P(RuntimePackAllWidths, EmptyArraysAcceptNullPointers) {
  const int bits = std::get<0>(GetParam());
  const int wordBits = std::get<1>(GetParam());
  const int64_t shapes[][3] = {{0, 5, 5}, {5, 0, 5}, {5, 5, 0}, {0, 0, 0}};
  for (const auto &s : shapes) {
    EXPECT_EQ(
        qlp_rt_pack_s8(nullptr, s[0], s[1], s[2], bits, wordBits, nullptr),
        QLP_RT_OK);
    EXPECT_EQ(
        qlp_rt_unpack_s8(nullptr, s[0], s[1], s[2], bits, wordBits, nullptr),
        QLP_RT_OK);
  }
  // Empty but huge along the other axes: no overflow check trips.
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(qlp_rt_pack_s8(nullptr, 0, max, max, bits, wordBits, nullptr),
            QLP_RT_OK);
  EXPECT_EQ(qlp_rt_unpack_s8(nullptr, max, max, 0, bits, wordBits, nullptr),
            QLP_RT_OK);
}

INSTANTIATE_TEST_SUITE_P(
    AllWidths, RuntimePackAllWidths,
    ::testing::Combine(::testing::ValuesIn(kAllBits),
                       ::testing::ValuesIn(kAllWordBits)),
    [](const ::testing::TestParamInfo<std::tuple<int, int>> &info) {
      return "bits" + std::to_string(std::get<0>(info.param)) + "_word" +
             std::to_string(std::get<1>(info.param));
    });

TEST(RuntimePack, RoundTripsEveryValueOfEveryWidth) {
  for (int bits : kAllBits)
    for (int wordBits : kAllWordBits) {
      std::vector<int8_t> src;
      if (bits == 1)
        src = {-1, 1};
      else
        for (int v = -(1 << (bits - 1)); v < (1 << (bits - 1)); ++v)
          src.push_back(static_cast<int8_t>(v));
      const int64_t length = static_cast<int64_t>(src.size());
      std::vector<uint8_t> packed(packedBytes(1, length, 1, bits, wordBits));
      ASSERT_EQ(qlp_rt_pack_s8(src.data(), 1, length, 1, bits, wordBits,
                               packed.data()),
                QLP_RT_OK);
      std::vector<int8_t> back(src.size());
      ASSERT_EQ(qlp_rt_unpack_s8(packed.data(), 1, length, 1, bits, wordBits,
                                 back.data()),
                QLP_RT_OK);
      EXPECT_EQ(back, src) << "bits " << bits << " word " << wordBits;
    }
}

//===----------------------------------------------------------------------===//
// Invalid arguments: status, and nothing written
//===----------------------------------------------------------------------===//

/// Calls pack and unpack with the given arguments on real buffers and checks
/// that both return QLP_RT_INVALID_ARGUMENT without touching the buffers.
void expectInvalidArgument(int64_t outer, int64_t length, int64_t inner,
                           int bits, int wordBits, bool nullSrc = false,
                           bool nullDst = false) {
  SCOPED_TRACE("outer " + std::to_string(outer) + " length " +
               std::to_string(length) + " inner " + std::to_string(inner) +
               " bits " + std::to_string(bits) + " word_bits " +
               std::to_string(wordBits) + (nullSrc ? " null src" : "") +
               (nullDst ? " null dst" : ""));
  std::vector<int8_t> values(256, 1);
  GuardedBuffer packed(256, 0x5A);
  EXPECT_EQ(qlp_rt_pack_s8(nullSrc ? nullptr : values.data(), outer, length,
                           inner, bits, wordBits,
                           nullDst ? nullptr : packed.data()),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_TRUE(packed.payloadIs(0x5A));
  EXPECT_TRUE(packed.guardIntact());

  GuardedBuffer unpacked(256, 0x5A);
  EXPECT_EQ(qlp_rt_unpack_s8(nullSrc ? nullptr : packed.data(), outer, length,
                             inner, bits, wordBits,
                             nullDst
                                 ? nullptr
                                 : reinterpret_cast<int8_t *>(unpacked.data())),
            QLP_RT_INVALID_ARGUMENT);
  EXPECT_TRUE(unpacked.payloadIs(0x5A));
  EXPECT_TRUE(unpacked.guardIntact());
}

TEST(RuntimePackErrors, NullPointersForNonEmptyArrays) {
  expectInvalidArgument(1, 4, 1, 4, 8, /*nullSrc=*/true, /*nullDst=*/false);
  expectInvalidArgument(1, 4, 1, 4, 8, /*nullSrc=*/false, /*nullDst=*/true);
  expectInvalidArgument(1, 4, 1, 4, 8, /*nullSrc=*/true, /*nullDst=*/true);
}

TEST(RuntimePackErrors, NegativeSizes) {
  expectInvalidArgument(-1, 4, 1, 4, 8);
  expectInvalidArgument(1, -4, 1, 4, 8);
  expectInvalidArgument(1, 4, -1, 4, 8);
  // A negative size is rejected even when another axis is empty.
  expectInvalidArgument(0, -4, 1, 4, 8);
  expectInvalidArgument(-1, 0, 0, 1, 32);
  expectInvalidArgument(std::numeric_limits<int64_t>::min(), 1, 1, 1, 32);
}

TEST(RuntimePackErrors, UnsupportedBits) {
  for (int bits : {-4, -1, 0, 3, 5, 6, 7, 8, 16, 32, 64})
    expectInvalidArgument(1, 4, 1, bits, 32);
}

TEST(RuntimePackErrors, UnsupportedWordBits) {
  for (int wordBits : {-32, 0, 1, 2, 4, 7, 12, 24, 48, 65, 128})
    expectInvalidArgument(1, 4, 1, 4, wordBits);
}

TEST(RuntimePackErrors, UnsupportedWidthsEvenWhenEmpty) {
  expectInvalidArgument(0, 4, 1, 3, 8);
  expectInvalidArgument(1, 0, 1, 4, 128);
}

TEST(RuntimePackErrors, SizeOverflow) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  // Element count overflows.
  expectInvalidArgument(max, 2, 1, 4, 8);
  expectInvalidArgument(1, max, 2, 1, 64);
  expectInvalidArgument(1 << 22, 1 << 21, 1 << 21, 2, 16);
  // Element count fits but the packed byte count does not: with length 1,
  // bits 1 and 64-bit words each element takes 8 bytes.
  expectInvalidArgument(1, 1, max / 4, 1, 64);
  expectInvalidArgument(max / 2, 1, 1, 1, 32);
}

} // namespace
