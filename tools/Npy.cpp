//===- Npy.cpp - NumPy .npy arrays for quant-run --------------------------===//
//
// The format (numpy/lib/format.py): the magic "\x93NUMPY", a major and a
// minor version byte, the header length (uint16 little-endian in 1.0, uint32
// in 2.0 and 3.0), then the header, a Python dict literal such as
//   {'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline so that the data starts at a multiple of
// 64 bytes, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "tools/Npy.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SwapByteOrder.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

using namespace mlir::qlp::npy;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

static_assert(llvm::endianness::native == llvm::endianness::little,
              "quant-run exchanges little-endian data with the JIT-compiled "
              "code as is; a big-endian host needs byte swapping here");

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Dtypes
//===----------------------------------------------------------------------===//

namespace {
struct DTypeInfo {
  DType dtype;
  const char *name;
  const char *descr;
  char kind;
  unsigned size;
};
} // namespace

static constexpr DTypeInfo kDTypes[] = {
    {DType::Bool, "bool", "|b1", 'b', 1},
    {DType::Int8, "int8", "|i1", 'i', 1},
    {DType::Int16, "int16", "<i2", 'i', 2},
    {DType::Int32, "int32", "<i4", 'i', 4},
    {DType::Int64, "int64", "<i8", 'i', 8},
    {DType::UInt8, "uint8", "|u1", 'u', 1},
    {DType::UInt16, "uint16", "<u2", 'u', 2},
    {DType::UInt32, "uint32", "<u4", 'u', 4},
    {DType::UInt64, "uint64", "<u8", 'u', 8},
    {DType::Float16, "float16", "<f2", 'f', 2},
    {DType::Float32, "float32", "<f4", 'f', 4},
    {DType::Float64, "float64", "<f8", 'f', 8},
};

static const DTypeInfo &getInfo(DType dtype) {
  for (const DTypeInfo &info : kDTypes)
    if (info.dtype == dtype)
      return info;
  llvm_unreachable("every DType has an entry in kDTypes");
}

StringRef mlir::qlp::npy::getDTypeName(DType dtype) {
  return getInfo(dtype).name;
}
StringRef mlir::qlp::npy::getDescr(DType dtype) {
  return getInfo(dtype).descr;
}
unsigned mlir::qlp::npy::getItemSize(DType dtype) {
  return getInfo(dtype).size;
}
bool mlir::qlp::npy::isFloat(DType dtype) { return getInfo(dtype).kind == 'f'; }
bool mlir::qlp::npy::isInteger(DType dtype) { return !isFloat(dtype); }
bool mlir::qlp::npy::isSignedInteger(DType dtype) {
  return getInfo(dtype).kind == 'i';
}

std::optional<DType> mlir::qlp::npy::getIntegerDType(unsigned bits,
                                                     bool isSigned) {
  for (const DTypeInfo &info : kDTypes)
    if (info.kind == (isSigned ? 'i' : 'u') && info.size * 8 == bits)
      return info.dtype;
  return std::nullopt;
}

int64_t mlir::qlp::npy::getIntegerMin(DType dtype) {
  const DTypeInfo &info = getInfo(dtype);
  assert(info.kind != 'f' && "not an integer dtype");
  if (info.kind != 'i')
    return 0;
  return llvm::minIntN(info.size * 8);
}

uint64_t mlir::qlp::npy::getIntegerMax(DType dtype) {
  const DTypeInfo &info = getInfo(dtype);
  assert(info.kind != 'f' && "not an integer dtype");
  if (info.kind == 'b')
    return 1;
  if (info.kind == 'i')
    return llvm::maxIntN(info.size * 8);
  return llvm::maxUIntN(info.size * 8);
}

//===----------------------------------------------------------------------===//
// Array
//===----------------------------------------------------------------------===//

/// The element count of `shape`, or std::nullopt when it overflows int64 or
/// a dimension is negative.
static std::optional<int64_t> getElementCount(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || llvm::MulOverflow(count, dim, count))
      return std::nullopt;
  }
  return count;
}

Array::Array(DType dtype, llvm::ArrayRef<int64_t> shape)
    : dtype(dtype), shape(shape) {
  std::optional<int64_t> count = getElementCount(shape);
  assert(count && "invalid shape");
  data.assign(static_cast<size_t>(*count) * getItemSize(dtype), 0);
}

int64_t Array::getNumElements() const { return *getElementCount(shape); }

int64_t Array::getInt(int64_t i) const {
  const char *p = data.data() + i * getItemSize(dtype);
  switch (dtype) {
  case DType::Bool:
    return *p != 0;
  case DType::Int8:
    return static_cast<int8_t>(*p);
  case DType::UInt8:
    return static_cast<uint8_t>(*p);
  case DType::Int16:
    return static_cast<int16_t>(llvm::support::endian::read16le(p));
  case DType::UInt16:
    return llvm::support::endian::read16le(p);
  case DType::Int32:
    return static_cast<int32_t>(llvm::support::endian::read32le(p));
  case DType::UInt32:
    return llvm::support::endian::read32le(p);
  case DType::Int64:
  case DType::UInt64:
    return static_cast<int64_t>(llvm::support::endian::read64le(p));
  case DType::Float16:
  case DType::Float32:
  case DType::Float64:
    break;
  }
  llvm_unreachable("getInt on a float array");
}

void Array::setInt(int64_t i, int64_t value) {
  char *p = data.data() + i * getItemSize(dtype);
  switch (dtype) {
  case DType::Bool:
    *p = value != 0;
    return;
  case DType::Int8:
  case DType::UInt8:
    *p = static_cast<char>(value);
    return;
  case DType::Int16:
  case DType::UInt16:
    llvm::support::endian::write16le(p, static_cast<uint16_t>(value));
    return;
  case DType::Int32:
  case DType::UInt32:
    llvm::support::endian::write32le(p, static_cast<uint32_t>(value));
    return;
  case DType::Int64:
  case DType::UInt64:
    llvm::support::endian::write64le(p, static_cast<uint64_t>(value));
    return;
  case DType::Float16:
  case DType::Float32:
  case DType::Float64:
    break;
  }
  llvm_unreachable("setInt on a float array");
}

double Array::getDouble(int64_t i) const {
  const char *p = data.data() + i * getItemSize(dtype);
  switch (dtype) {
  case DType::Float16: {
    llvm::APFloat half(llvm::APFloat::IEEEhalf(),
                       llvm::APInt(16, llvm::support::endian::read16le(p)));
    bool losesInfo;
    half.convert(llvm::APFloat::IEEEdouble(),
                 llvm::APFloat::rmNearestTiesToEven, &losesInfo);
    return half.convertToDouble();
  }
  case DType::Float32:
    return llvm::bit_cast<float>(llvm::support::endian::read32le(p));
  case DType::Float64:
    return llvm::bit_cast<double>(llvm::support::endian::read64le(p));
  case DType::UInt64:
    return static_cast<double>(
        static_cast<uint64_t>(llvm::support::endian::read64le(p)));
  default:
    return static_cast<double>(getInt(i));
  }
}

void Array::setDouble(int64_t i, double value) {
  char *p = data.data() + i * getItemSize(dtype);
  switch (dtype) {
  case DType::Float16: {
    llvm::APFloat half(value);
    bool losesInfo;
    half.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
                 &losesInfo);
    llvm::support::endian::write16le(
        p, static_cast<uint16_t>(half.bitcastToAPInt().getZExtValue()));
    return;
  }
  case DType::Float32:
    llvm::support::endian::write32le(
        p, llvm::bit_cast<uint32_t>(static_cast<float>(value)));
    return;
  case DType::Float64:
    llvm::support::endian::write64le(p, llvm::bit_cast<uint64_t>(value));
    return;
  default:
    break;
  }
  llvm_unreachable("setDouble on an integer array");
}

//===----------------------------------------------------------------------===//
// Header parsing
//===----------------------------------------------------------------------===//

namespace {
/// A value of the header dict: a string, a bool or a tuple of integers.
struct HeaderValue {
  enum Kind { String, Bool, Tuple } kind;
  std::string string;
  bool boolean = false;
  llvm::SmallVector<int64_t> tuple;
};

/// A recursive-descent parser of the Python literal subset NumPy writes.
class HeaderParser {
public:
  HeaderParser(StringRef text) : text(text) {}

  Error parseDict(llvm::StringMap<HeaderValue> &entries) {
    skipSpace();
    if (!consume('{'))
      return error("expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (Error err = parseString(key))
        return err;
      skipSpace();
      if (!consume(':'))
        return error("expected ':' after key '" + key + "'");
      skipSpace();
      HeaderValue value;
      if (Error err = parseValue(key, value))
        return err;
      if (!entries.try_emplace(key, std::move(value)).second)
        return error("duplicate key '" + key + "'");
      skipSpace();
      if (consume('}'))
        break;
      if (!consume(','))
        return error("expected ',' or '}'");
    }
    skipSpace();
    if (!text.empty())
      return error("unexpected text after the dict");
    return Error::success();
  }

private:
  void skipSpace() { text = text.ltrim(" \t\r\n"); }
  bool consume(char c) { return text.consume_front(StringRef(&c, 1)); }
  Error error(const llvm::Twine &message) {
    return makeError("malformed header: " + message);
  }

  Error parseString(std::string &out) {
    if (text.empty() || (text.front() != '\'' && text.front() != '"'))
      return error("expected a quoted string");
    char quote = text.front();
    size_t end = text.find(quote, 1);
    if (end == StringRef::npos)
      return error("unterminated string");
    out = text.substr(1, end - 1).str();
    text = text.drop_front(end + 1);
    return Error::success();
  }

  Error parseValue(StringRef key, HeaderValue &value) {
    if (text.starts_with("'") || text.starts_with("\"")) {
      value.kind = HeaderValue::String;
      return parseString(value.string);
    }
    if (text.consume_front("True")) {
      value.kind = HeaderValue::Bool;
      value.boolean = true;
      return Error::success();
    }
    if (text.consume_front("False")) {
      value.kind = HeaderValue::Bool;
      value.boolean = false;
      return Error::success();
    }
    if (consume('(')) {
      value.kind = HeaderValue::Tuple;
      while (true) {
        skipSpace();
        if (consume(')'))
          return Error::success();
        size_t digits = text.find_first_not_of("0123456789");
        if (digits == 0 || text.empty())
          return error("expected a non-negative integer in '" + key + "'");
        int64_t dim;
        if (text.substr(0, digits).getAsInteger(10, dim))
          return error("dimension '" + text.substr(0, digits) +
                       "' of '" + key + "' is too large");
        value.tuple.push_back(dim);
        text = text.drop_front(std::min(digits, text.size()));
        // Python 2 wrote long integers with an 'L' suffix.
        consume('L');
        skipSpace();
        if (consume(')'))
          return Error::success();
        if (!consume(','))
          return error("expected ',' or ')' in '" + key + "'");
      }
    }
    if (text.starts_with("["))
      return makeError("structured dtypes are not supported");
    return error("unexpected value of '" + key + "'");
  }

  StringRef text;
};
} // namespace

/// Maps a `descr` to a dtype, with an error naming what is unsupported.
static Expected<DType> parseDescr(StringRef descr) {
  if (descr.size() < 3)
    return makeError("unsupported dtype '" + descr + "'");
  char order = descr[0];
  char kind = descr[1];
  unsigned size;
  if (descr.drop_front(2).getAsInteger(10, size))
    return makeError("unsupported dtype '" + descr + "'");
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return makeError("unsupported dtype '" + descr + "'");
  for (const DTypeInfo &info : kDTypes) {
    if (info.kind != kind || info.size != size)
      continue;
    // Byte order only matters beyond one byte; '=' is the (little-endian)
    // native order of the writer.
    if (order == '>' && size > 1)
      return makeError("big-endian data ('" + descr +
                       "') is not supported; convert it with "
                       "arr.astype(arr.dtype.newbyteorder('<'))");
    return info.dtype;
  }
  return makeError("unsupported dtype '" + descr +
                   "' (supported: bool, int8, int16, int32, int64, uint8, "
                   "uint16, uint32, uint64, float16, float32, float64)");
}

static Expected<Array> parseImpl(StringRef buffer) {
  static constexpr StringRef kMagic("\x93NUMPY", 6);
  if (!buffer.starts_with(kMagic))
    return makeError("not a NumPy .npy file (bad magic string)");
  if (buffer.size() < 10)
    return makeError("truncated .npy header");
  unsigned major = static_cast<uint8_t>(buffer[6]);
  unsigned minor = static_cast<uint8_t>(buffer[7]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = llvm::support::endian::read16le(buffer.data() + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (buffer.size() < 12)
      return makeError("truncated .npy header");
    headerLength = llvm::support::endian::read32le(buffer.data() + 8);
    headerStart = 12;
  } else {
    return makeError("unsupported .npy format version " + llvm::Twine(major) +
                     "." + llvm::Twine(minor));
  }
  if (minor != 0)
    return makeError("unsupported .npy format version " + llvm::Twine(major) +
                     "." + llvm::Twine(minor));
  if (buffer.size() - headerStart < headerLength)
    return makeError("truncated .npy header: it declares " +
                     llvm::Twine(headerLength) + " bytes, the file has " +
                     llvm::Twine(buffer.size() - headerStart));

  llvm::StringMap<HeaderValue> entries;
  HeaderParser parser(buffer.substr(headerStart, headerLength));
  if (Error err = parser.parseDict(entries))
    return std::move(err);
  for (StringRef key : {"descr", "fortran_order", "shape"})
    if (!entries.count(key))
      return makeError("malformed header: no '" + key + "' key");
  if (entries.size() != 3)
    for (const auto &entry : entries)
      if (!llvm::is_contained({"descr", "fortran_order", "shape"},
                              entry.getKey()))
        return makeError("malformed header: unexpected key '" +
                         entry.getKey() + "'");

  const HeaderValue &descr = entries["descr"];
  const HeaderValue &fortran = entries["fortran_order"];
  const HeaderValue &shape = entries["shape"];
  if (descr.kind != HeaderValue::String)
    return makeError("malformed header: 'descr' is not a string");
  if (fortran.kind != HeaderValue::Bool)
    return makeError("malformed header: 'fortran_order' is not a bool");
  if (shape.kind != HeaderValue::Tuple)
    return makeError("malformed header: 'shape' is not a tuple");
  Expected<DType> dtype = parseDescr(descr.string);
  if (!dtype)
    return dtype.takeError();
  if (fortran.boolean)
    return makeError("Fortran-order arrays are not supported; save a "
                     "C-order array (np.ascontiguousarray)");

  std::optional<int64_t> count = getElementCount(shape.tuple);
  int64_t signedBytes = 0;
  if (!count || llvm::MulOverflow<int64_t>(*count, getItemSize(*dtype),
                                          signedBytes))
    return makeError("the shape's element count overflows");
  uint64_t expectedBytes = signedBytes;
  StringRef payload = buffer.drop_front(headerStart + headerLength);
  if (payload.size() != expectedBytes)
    return makeError("the data has " + llvm::Twine(payload.size()) +
                     " bytes, but a " + getDTypeName(*dtype) +
                     " array of " + llvm::Twine(*count) + " elements needs " +
                     llvm::Twine(expectedBytes));

  Array array;
  array.dtype = *dtype;
  array.shape.assign(shape.tuple.begin(), shape.tuple.end());
  array.data.assign(payload.begin(), payload.end());
  if (*dtype == DType::Bool)
    for (char byte : array.data)
      if (byte != 0 && byte != 1)
        return makeError("a bool element is neither 0 nor 1");
  return array;
}

Expected<Array> mlir::qlp::npy::parse(StringRef buffer, StringRef name) {
  Expected<Array> array = parseImpl(buffer);
  if (!array)
    return makeError(name + ": " + llvm::toString(array.takeError()));
  return array;
}

Expected<Array> mlir::qlp::npy::read(StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (std::error_code ec = file.getError())
    return makeError("cannot read '" + path + "': " + ec.message());
  return parse((*file)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

std::string mlir::qlp::npy::serialize(const Array &array) {
  std::string dict;
  llvm::raw_string_ostream os(dict);
  os << "{'descr': '" << getDescr(array.dtype)
     << "', 'fortran_order': False, 'shape': (";
  llvm::interleave(array.shape, os, ", ");
  if (array.shape.size() == 1)
    os << ",";
  os << "), }";

  // Pad with spaces and end with '\n' so that the data is 64-byte aligned.
  auto pad = [&](size_t prefix) {
    size_t total = prefix + dict.size() + 1;
    return (64 - total % 64) % 64;
  };
  bool version2 = 10 + dict.size() + 1 + pad(10) > 65535 + 10;
  size_t prefix = version2 ? 12 : 10;
  std::string header = dict + std::string(pad(prefix), ' ') + "\n";

  std::string out("\x93NUMPY", 6);
  out.push_back(version2 ? 2 : 1);
  out.push_back(0);
  // The header length, little-endian: uint16 in 1.0, uint32 in 2.0.
  for (unsigned byte = 0, e = version2 ? 4 : 2; byte < e; ++byte)
    out.push_back(static_cast<char>((header.size() >> (8 * byte)) & 0xff));
  out += header;
  out.append(array.data.begin(), array.data.end());
  return out;
}

Error mlir::qlp::npy::write(StringRef path, const Array &array) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  os << serialize(array);
  os.close();
  if (os.has_error())
    return makeError("cannot write '" + path + "': " + os.error().message());
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

void mlir::qlp::npy::printShape(llvm::raw_ostream &os,
                                llvm::ArrayRef<int64_t> shape) {
  os << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
}

/// The shortest "%g" form of `value` that reads back as the same value of
/// its type (float for `isFloat32`).
static std::string formatFloat(double value, bool isFloat32) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    bool same = isFloat32 ? std::strtof(buffer, nullptr) ==
                                static_cast<float>(value)
                          : std::strtod(buffer, nullptr) == value;
    if (same)
      break;
  }
  return buffer;
}

static void printElement(llvm::raw_ostream &os, const Array &array,
                         int64_t i) {
  switch (array.dtype) {
  case DType::Bool:
    os << (array.getInt(i) ? "true" : "false");
    return;
  case DType::UInt64:
    os << static_cast<uint64_t>(array.getInt(i));
    return;
  case DType::Float16:
  case DType::Float32:
    os << formatFloat(array.getDouble(i), /*isFloat32=*/true);
    return;
  case DType::Float64:
    os << formatFloat(array.getDouble(i), /*isFloat32=*/false);
    return;
  default:
    os << array.getInt(i);
    return;
  }
}

static void printDim(llvm::raw_ostream &os, const Array &array, unsigned dim,
                     int64_t offset, int64_t stride) {
  int64_t size = array.shape[dim];
  int64_t inner = size == 0 ? 0 : stride / size;
  os << "[";
  for (int64_t i = 0; i < size; ++i) {
    if (dim + 1 == array.shape.size()) {
      if (i)
        os << ", ";
      printElement(os, array, offset + i);
      continue;
    }
    if (i)
      os << ",\n" << std::string(dim + 1, ' ');
    printDim(os, array, dim + 1, offset + i * inner, inner);
  }
  os << "]";
}

void mlir::qlp::npy::printValues(llvm::raw_ostream &os, const Array &array) {
  if (array.shape.empty()) {
    printElement(os, array, 0);
    return;
  }
  printDim(os, array, 0, 0, array.getNumElements());
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// The channel of flat element `i`: its index along the quantized axis.
static int64_t getChannel(const QuantParams &params,
                          llvm::ArrayRef<int64_t> shape, int64_t i) {
  if (!params.axis)
    return 0;
  int64_t inner = 1;
  for (int64_t dim : shape.drop_front(*params.axis + 1))
    inner *= dim;
  return (i / inner) % shape[*params.axis];
}

Error mlir::qlp::npy::verifyQuantParams(const QuantParams &params,
                                        llvm::ArrayRef<int64_t> shape) {
  size_t expected = 1;
  if (params.axis) {
    if (*params.axis >= shape.size())
      return makeError("quantized axis " + llvm::Twine(*params.axis) +
                       " is out of range for rank " +
                       llvm::Twine(shape.size()));
    expected = shape[*params.axis];
  }
  if (params.scales.size() != expected ||
      params.zeroPoints.size() != expected)
    return makeError("expected " + llvm::Twine(expected) +
                     " scales and zero points, got " +
                     llvm::Twine(params.scales.size()) + " and " +
                     llvm::Twine(params.zeroPoints.size()));
  for (double scale : params.scales)
    if (!(scale > 0) || !std::isfinite(scale))
      return makeError("scale " + std::to_string(scale) +
                       " is not a positive finite number");
  if (params.storageMin > params.storageMax)
    return makeError("empty storage range");
  return Error::success();
}

Expected<Array> mlir::qlp::npy::quantize(const Array &values,
                                         const QuantParams &params) {
  assert(isFloat(values.dtype) && "quantize takes a float array");
  if (Error err = verifyQuantParams(params, values.shape))
    return std::move(err);
  Array result(params.storage, values.shape);
  double lo = static_cast<double>(params.storageMin);
  double hi = static_cast<double>(params.storageMax);
  for (int64_t i = 0, e = values.getNumElements(); i < e; ++i) {
    double x = values.getDouble(i);
    if (std::isnan(x))
      return makeError("element " + llvm::Twine(i) +
                       " is NaN and cannot be quantized");
    int64_t channel = getChannel(params, values.shape, i);
    // std::round rounds halfway cases away from zero. The clamp happens in
    // double, so a huge or infinite quotient saturates instead of
    // overflowing the conversion to an integer.
    double q = std::round(x / params.scales[channel]) +
               static_cast<double>(params.zeroPoints[channel]);
    q = std::min(std::max(q, lo), hi);
    result.setInt(i, static_cast<int64_t>(q));
  }
  return result;
}

Error mlir::qlp::npy::checkStorageRange(const Array &values,
                                        const QuantParams &params) {
  for (int64_t i = 0, e = values.getNumElements(); i < e; ++i) {
    int64_t q = values.getInt(i);
    if (q < params.storageMin || q > params.storageMax)
      return makeError("element " + llvm::Twine(i) + " (" + llvm::Twine(q) +
                       ") is outside the storage range [" +
                       llvm::Twine(params.storageMin) + ", " +
                       llvm::Twine(params.storageMax) + "]");
  }
  return Error::success();
}

Array mlir::qlp::npy::dequantize(const Array &values,
                                 const QuantParams &params) {
  Array result(DType::Float32, values.shape);
  for (int64_t i = 0, e = values.getNumElements(); i < e; ++i) {
    int64_t channel = getChannel(params, values.shape, i);
    double x = (static_cast<double>(values.getInt(i)) -
                static_cast<double>(params.zeroPoints[channel])) *
               params.scales[channel];
    result.setDouble(i, x);
  }
  return result;
}
