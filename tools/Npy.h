//===- Npy.h - NumPy .npy arrays for quant-run -------------------*- C++ -*-===//
//
// Reads and writes NumPy's .npy format (format versions 1.0, 2.0 and 3.0;
// writes 1.0, or 2.0 when the header needs it): little-endian, C-order
// arrays of bool, int8..int64, uint8..uint64, float16, float32 and float64.
// Anything else (Fortran order, big-endian data, structured or object
// dtypes, a truncated file, a header that is not the dict NumPy writes) is
// an error that says what is wrong, never a crash.
//
// Also the host-side (de)quantization quant-run applies at a
// `!quant.uniform` boundary:
//   quantize:   q = clamp(round_half_away_from_zero(x / S) + zp, qmin, qmax)
//   dequantize: x = float32((q - zp) * S)
// both computed in double precision, with per-tensor or per-axis S and zp.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_TOOLS_NPY_H
#define QLP_TOOLS_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir::qlp::npy {

/// The element types quant-run exchanges. The names are NumPy's.
enum class DType {
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  UInt16,
  UInt32,
  UInt64,
  Float16,
  Float32,
  Float64,
};

/// NumPy's name of `dtype` ("int8", "float32", ...).
llvm::StringRef getDTypeName(DType dtype);
/// The `descr` NumPy writes for `dtype` ("|i1", "<f4", ...).
llvm::StringRef getDescr(DType dtype);
/// Bytes per element.
unsigned getItemSize(DType dtype);
bool isInteger(DType dtype);
bool isFloat(DType dtype);
bool isSignedInteger(DType dtype);
/// The signed (or unsigned) integer dtype of `bits` (8, 16, 32 or 64).
std::optional<DType> getIntegerDType(unsigned bits, bool isSigned);
/// The smallest and largest value of an integer dtype (bool: 0 and 1).
int64_t getIntegerMin(DType dtype);
uint64_t getIntegerMax(DType dtype);

/// A dense C-order array.
struct Array {
  DType dtype = DType::Float32;
  llvm::SmallVector<int64_t> shape;
  /// getNumElements() * getItemSize(dtype) bytes, little-endian.
  std::vector<char> data;

  Array() = default;
  /// A zero-filled array.
  Array(DType dtype, llvm::ArrayRef<int64_t> shape);

  int64_t getNumElements() const;
  void *getData() { return data.data(); }
  const void *getData() const { return data.data(); }

  /// Element `i` (flat index) as an integer. Only for integer and bool
  /// dtypes; uint64 values above INT64_MAX wrap.
  int64_t getInt(int64_t i) const;
  /// Stores `value`, truncated to the dtype's width. Integer and bool only.
  void setInt(int64_t i, int64_t value);
  /// Element `i` as a double (exact for every dtype but (u)int64 beyond
  /// 2^53).
  double getDouble(int64_t i) const;
  /// Stores `value` into a float dtype, rounded to nearest even.
  void setDouble(int64_t i, double value);
};

/// Parses the contents of an .npy file. `name` names the file in errors.
llvm::Expected<Array> parse(llvm::StringRef buffer, llvm::StringRef name);
/// Reads an .npy file.
llvm::Expected<Array> read(llvm::StringRef path);
/// The bytes of an .npy file holding `array`.
std::string serialize(const Array &array);
/// Writes `array` to `path`.
llvm::Error write(llvm::StringRef path, const Array &array);

/// Prints the shape as "[2, 3]" (and "[]" for a scalar).
void printShape(llvm::raw_ostream &os, llvm::ArrayRef<int64_t> shape);
/// Prints the elements nested like NumPy: one innermost row per line,
/// integers in decimal, floats in the shortest form that reads back to the
/// same value, bools as true/false.
void printValues(llvm::raw_ostream &os, const Array &array);

/// Parameters of a uniform quantized type: one (scale, zero point) pair, or
/// one pair per index of `axis`.
struct QuantParams {
  llvm::SmallVector<double> scales;
  llvm::SmallVector<int64_t> zeroPoints;
  /// The quantized dimension, or std::nullopt for per-tensor parameters.
  std::optional<unsigned> axis;
  int64_t storageMin = 0;
  int64_t storageMax = 0;
  /// The dtype of the stored integers.
  DType storage = DType::Int8;
};

/// Checks that `params` fit `shape` (one pair per channel of `axis`).
llvm::Error verifyQuantParams(const QuantParams &params,
                              llvm::ArrayRef<int64_t> shape);

/// Quantizes a float array (see the file comment). NaN is an error naming
/// the element; infinities saturate.
llvm::Expected<Array> quantize(const Array &values, const QuantParams &params);
/// Checks that an integer array of the storage dtype stays inside
/// [storageMin, storageMax].
llvm::Error checkStorageRange(const Array &values, const QuantParams &params);
/// Dequantizes an array of the storage dtype to float32.
Array dequantize(const Array &values, const QuantParams &params);

} // namespace mlir::qlp::npy

#endif // QLP_TOOLS_NPY_H
