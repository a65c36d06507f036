//===- NpyTests.cpp - Tests of quant-run's .npy reader and writer ---------===//
//
// The byte strings below are what NumPy (1.24, Debian's) writes with np.save
// for the same arrays, so the reader is checked against the real format
// rather than against our own writer.
//
//===----------------------------------------------------------------------===//

#include "tools/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <cmath>
#include <limits>

using namespace mlir::qlp::npy;

namespace {

/// An .npy file with format version 1.0 and `dict` as its header, padded as
/// NumPy pads it, followed by `data`.
std::string makeV1(const std::string &dict, const std::string &data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + data;
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

std::string errorOf(llvm::Expected<Array> array) {
  if (array)
    return "<no error>";
  return llvm::toString(array.takeError());
}

// np.save(f, np.array([[1, -2, 3], [-128, 127, 0]], dtype=np.int8))
TEST(NpyTest, ReadsInt8Matrix) {
  std::string file =
      makeV1("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }",
             bytes({1, -2, 3, -128, 127, 0}));
  // NumPy's own header is 118 bytes; the data starts at 128.
  ASSERT_EQ(file.size(), 128u + 6);
  llvm::Expected<Array> array = parse(file, "a.npy");
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  EXPECT_EQ(array->dtype, DType::Int8);
  EXPECT_EQ(array->shape, (llvm::SmallVector<int64_t>{2, 3}));
  EXPECT_EQ(array->getInt(1), -2);
  EXPECT_EQ(array->getInt(3), -128);
  EXPECT_EQ(array->getInt(4), 127);
}

TEST(NpyTest, ReadsEveryDType) {
  struct Case {
    const char *descr;
    DType dtype;
    std::string data;
    double first;
  } cases[] = {
      {"|b1", DType::Bool, bytes({1}), 1},
      {"|u1", DType::UInt8, bytes({255}), 255},
      {"<i2", DType::Int16, bytes({0x00, 0x80}), -32768},
      {"<u2", DType::UInt16, bytes({0xff, 0xff}), 65535},
      {"<i4", DType::Int32, bytes({0xff, 0xff, 0xff, 0x7f}), 2147483647},
      {"<i8", DType::Int64, bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff}),
       -2},
      {"<f2", DType::Float16, bytes({0x00, 0x3c}), 1.0},
      {"<f4", DType::Float32, bytes({0x00, 0x00, 0xc0, 0x3f}), 1.5},
      {"<f8", DType::Float64, bytes({0, 0, 0, 0, 0, 0, 0xe0, 0xbf}), -0.5},
      // '=' (native order) as old NumPy versions wrote it.
      {"=i4", DType::Int32, bytes({7, 0, 0, 0}), 7},
  };
  for (const Case &c : cases) {
    std::string dict = std::string("{'descr': '") + c.descr +
                       "', 'fortran_order': False, 'shape': (1,), }";
    llvm::Expected<Array> array = parse(makeV1(dict, c.data), "x.npy");
    ASSERT_TRUE(bool(array)) << c.descr << ": "
                             << llvm::toString(array.takeError());
    EXPECT_EQ(array->dtype, c.dtype) << c.descr;
    EXPECT_EQ(array->getDouble(0), c.first) << c.descr;
  }
}

// Version 2.0 has a 4-byte header length; key order and spacing vary.
TEST(NpyTest, ReadsVersion2AndScalars) {
  std::string header = "{\"shape\": (), \"fortran_order\": False, "
                       "\"descr\": \"<i4\"}\n";
  std::string file("\x93NUMPY\x02\x00", 8);
  file += bytes({static_cast<int>(header.size()), 0, 0, 0});
  file += header + bytes({42, 0, 0, 0});
  llvm::Expected<Array> array = parse(file, "s.npy");
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  EXPECT_TRUE(array->shape.empty());
  EXPECT_EQ(array->getNumElements(), 1);
  EXPECT_EQ(array->getInt(0), 42);
}

TEST(NpyTest, ReadsEmptyArrays) {
  llvm::Expected<Array> array = parse(
      makeV1("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }",
             ""),
      "e.npy");
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  EXPECT_EQ(array->getNumElements(), 0);
}

TEST(NpyTest, RejectsMalformedFiles) {
  const std::string good = "{'descr': '<i4', 'fortran_order': False, "
                           "'shape': (2,), }";
  const std::string data = bytes({1, 0, 0, 0, 2, 0, 0, 0});
  EXPECT_EQ(errorOf(parse("hello", "b.npy")),
            "b.npy: not a NumPy .npy file (bad magic string)");
  EXPECT_EQ(errorOf(parse(std::string("\x93NUMPY\x01", 7), "b.npy")),
            "b.npy: truncated .npy header");
  EXPECT_EQ(errorOf(parse(makeV1(good, data).substr(0, 40), "b.npy")),
            "b.npy: truncated .npy header: it declares 118 bytes, the file "
            "has 30");
  std::string v4 = makeV1(good, data);
  v4[6] = 4;
  EXPECT_EQ(errorOf(parse(v4, "b.npy")),
            "b.npy: unsupported .npy format version 4.0");
  EXPECT_EQ(errorOf(parse(makeV1(good, data.substr(0, 7)), "b.npy")),
            "b.npy: the data has 7 bytes, but a int32 array of 2 elements "
            "needs 8");
  EXPECT_EQ(errorOf(parse(makeV1(good, data + "x"), "b.npy")),
            "b.npy: the data has 9 bytes, but a int32 array of 2 elements "
            "needs 8");
  EXPECT_EQ(
      errorOf(parse(makeV1("{'descr': '<i4', 'shape': (2,), }", data), "b")),
      "b: malformed header: no 'fortran_order' key");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '<i4', 'fortran_order': False, "
                                 "'shape': (2,), 'x': True}",
                                 data),
                          "b")),
            "b: malformed header: unexpected key 'x'");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '<i4', 'fortran_order': False, "
                                 "'shape': (2, -1), }",
                                 data),
                          "b")),
            "b: malformed header: expected a non-negative integer in 'shape'");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '<i4' 'fortran_order': False}",
                                 data),
                          "b")),
            "b: malformed header: expected ',' or '}'");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '<i4', 'fortran_order': 0, "
                                 "'shape': (2,), }",
                                 data),
                          "b")),
            "b: malformed header: unexpected value of 'fortran_order'");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '<i4', 'fortran_order': False, "
                                 "'shape': (99999999999, 99999999999, "
                                 "99999999999), }",
                                 data),
                          "b")),
            "b: the shape's element count overflows");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '|b1', 'fortran_order': False, "
                                 "'shape': (1,), }",
                                 bytes({2})),
                          "b")),
            "b: a bool element is neither 0 nor 1");
}

TEST(NpyTest, RejectsUnsupportedLayoutsAndDTypes) {
  const std::string data = bytes({1, 0, 0, 0, 2, 0, 0, 0});
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '<i4', 'fortran_order': True, "
                                 "'shape': (2,), }",
                                 data),
                          "f.npy")),
            "f.npy: Fortran-order arrays are not supported; save a C-order "
            "array (np.ascontiguousarray)");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '>i4', 'fortran_order': False, "
                                 "'shape': (2,), }",
                                 data),
                          "g.npy")),
            "g.npy: big-endian data ('>i4') is not supported; convert it "
            "with arr.astype(arr.dtype.newbyteorder('<'))");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '<c8', 'fortran_order': False, "
                                 "'shape': (1,), }",
                                 data),
                          "c.npy")),
            "c.npy: unsupported dtype '<c8' (supported: bool, int8, int16, "
            "int32, int64, uint8, uint16, uint32, uint64, float16, float32, "
            "float64)");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': '|O', 'fortran_order': False, "
                                 "'shape': (1,), }",
                                 data),
                          "o.npy")),
            "o.npy: unsupported dtype '|O'");
  EXPECT_EQ(errorOf(parse(makeV1("{'descr': [('a', '<i4')], "
                                 "'fortran_order': False, 'shape': (1,), }",
                                 data),
                          "s.npy")),
            "s.npy: structured dtypes are not supported");
}

TEST(NpyTest, WritesWhatNumPyWrites) {
  Array array(DType::Int32, {3});
  array.setInt(0, -1);
  array.setInt(1, 2);
  array.setInt(2, 2147483647);
  std::string expected = makeV1(
      "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
      bytes({0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f}));
  EXPECT_EQ(serialize(array), expected);

  Array scalar(DType::Float32, {});
  scalar.setDouble(0, 0.25);
  EXPECT_EQ(serialize(scalar),
            makeV1("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                   bytes({0, 0, 0x80, 0x3e})));
}

TEST(NpyTest, RoundTripsThroughAFile) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("npytest", "npy", path));
  Array array(DType::UInt16, {2, 2, 2});
  for (int64_t i = 0; i < 8; ++i)
    array.setInt(i, 65535 - i);
  ASSERT_FALSE(bool(write(path, array)));
  llvm::Expected<Array> back = read(path);
  llvm::sys::fs::remove(path);
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->dtype, DType::UInt16);
  EXPECT_EQ(back->shape, array.shape);
  EXPECT_EQ(back->data, array.data);
  EXPECT_EQ(back->getInt(7), 65528);

  EXPECT_EQ(errorOf(read("/nonexistent/dir/x.npy")),
            "cannot read '/nonexistent/dir/x.npy': No such file or directory");
}

// A header longer than 65535 bytes needs format version 2.0.
TEST(NpyTest, WritesVersion2ForHugeHeaders) {
  Array array(DType::Int8, llvm::SmallVector<int64_t>(25000, 1));
  std::string file = serialize(array);
  EXPECT_EQ(file[6], 2);
  EXPECT_EQ((file.size() - 1) % 64, 0u);
  llvm::Expected<Array> back = parse(file, "big.npy");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->shape.size(), 25000u);
}

TEST(NpyTest, PrintsLikeNumPy) {
  Array matrix(DType::Int16, {2, 3});
  for (int64_t i = 0; i < 6; ++i)
    matrix.setInt(i, i - 3);
  std::string text;
  llvm::raw_string_ostream os(text);
  printValues(os, matrix);
  EXPECT_EQ(text, "[[-3, -2, -1],\n [0, 1, 2]]");

  text.clear();
  Array cube(DType::Float32, {2, 1, 2});
  cube.setDouble(0, 0.1);
  cube.setDouble(1, -2.5);
  cube.setDouble(2, 1e-8);
  cube.setDouble(3, std::numeric_limits<double>::infinity());
  printValues(os, cube);
  EXPECT_EQ(text, "[[[0.1, -2.5]],\n [[1e-08, inf]]]");

  text.clear();
  Array flags(DType::Bool, {2});
  flags.setInt(1, 1);
  printValues(os, flags);
  printShape(os, flags.shape);
  EXPECT_EQ(text, "[false, true][2]");
}

TEST(NpyTest, QuantizesHalfAwayFromZeroAndSaturates) {
  QuantParams params;
  params.scales = {0.5};
  params.zeroPoints = {3};
  params.storageMin = -128;
  params.storageMax = 127;
  params.storage = DType::Int8;
  Array x(DType::Float32, {8});
  // x / S: 0.5 -> 1 (tie, away from zero), -0.5 -> -1, 1.5 -> 2,
  // -1.5 -> -2, then saturation at both ends and infinities.
  double values[] = {0.25, -0.25, 0.75, -0.75, 1000.0, -1000.0,
                     std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()};
  for (int64_t i = 0; i < 8; ++i)
    x.setDouble(i, values[i]);
  llvm::Expected<Array> q = quantize(x, params);
  ASSERT_TRUE(bool(q)) << llvm::toString(q.takeError());
  int64_t expected[] = {4, 2, 5, 1, 127, -128, 127, -128};
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_EQ(q->getInt(i), expected[i]) << "element " << i;

  Array back = dequantize(*q, params);
  EXPECT_EQ(back.dtype, DType::Float32);
  EXPECT_EQ(back.getDouble(0), 0.5);
  EXPECT_EQ(back.getDouble(5), -65.5);

  x.setDouble(2, std::nan(""));
  EXPECT_EQ(errorOf(quantize(x, params)),
            "element 2 is NaN and cannot be quantized");
}

TEST(NpyTest, QuantizesPerAxisWithUnsignedStorage) {
  QuantParams params;
  params.scales = {1.0, 0.25};
  params.zeroPoints = {0, 128};
  params.axis = 1;
  params.storageMin = 0;
  params.storageMax = 255;
  params.storage = DType::UInt8;
  Array x(DType::Float32, {2, 2});
  x.setDouble(0, -3.0); // channel 0: saturates at 0
  x.setDouble(1, 1.0);  // channel 1: 4 + 128
  x.setDouble(2, 7.5);  // channel 0: 8 (tie away from zero)
  x.setDouble(3, -40.0); // channel 1: -160 + 128 -> 0
  llvm::Expected<Array> q = quantize(x, params);
  ASSERT_TRUE(bool(q)) << llvm::toString(q.takeError());
  EXPECT_EQ(q->dtype, DType::UInt8);
  EXPECT_EQ(q->getInt(0), 0);
  EXPECT_EQ(q->getInt(1), 132);
  EXPECT_EQ(q->getInt(2), 8);
  EXPECT_EQ(q->getInt(3), 0);
  Array back = dequantize(*q, params);
  EXPECT_EQ(back.getDouble(1), 1.0);
  EXPECT_EQ(back.getDouble(3), -32.0);

  // Narrow storage range: -128 is a valid int8 but not a valid value.
  QuantParams narrow;
  narrow.scales = {1.0};
  narrow.zeroPoints = {0};
  narrow.storageMin = -127;
  narrow.storageMax = 127;
  Array stored(DType::Int8, {2});
  stored.setInt(1, -128);
  llvm::Error err = checkStorageRange(stored, narrow);
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            "element 1 (-128) is outside the storage range [-127, 127]");

  QuantParams wrongCount = params;
  wrongCount.scales.pop_back();
  err = verifyQuantParams(wrongCount, {2, 2});
  ASSERT_TRUE(bool(err));
  EXPECT_EQ(llvm::toString(std::move(err)),
            "expected 2 scales and zero points, got 1 and 2");
}

} // namespace
