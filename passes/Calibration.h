//===- Calibration.h - Calibration ranges for qlp-quantize -------*- C++ -*-===//
//
// Activation ranges come from `qlp.range = array<f64: MIN, MAX>` attributes
// on function arguments and ops, or from a JSON file keyed by `qlp.name`
// (`{"stage1.conv": [-1.5, 6.0], ...}`), which wins over the attribute.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_PASSES_CALIBRATION_H
#define QLP_PASSES_CALIBRATION_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mlir {
namespace qlp {

/// The attribute names of the calibration contract.
inline constexpr llvm::StringLiteral kRangeAttrName = "qlp.range";
inline constexpr llvm::StringLiteral kNameAttrName = "qlp.name";

/// A closed real interval `[min, max]` of a tensor's values.
struct CalibrationRange {
  double min = 0.0;
  double max = 0.0;
};

/// The calibration ranges of one module: the file's entries, then the
/// attributes.
class CalibrationTable {
public:
  /// Reads the JSON file at `path`; an empty path gives an empty table.
  /// Malformed files and entries are reported through `emitError`.
  static FailureOr<CalibrationTable>
  load(StringRef path, function_ref<InFlightDiagnostic()> emitError);

  /// The range of `value` (a function argument or an op result). Emits an
  /// error naming the tensor and returns failure when the range is missing,
  /// inverted or not finite.
  FailureOr<CalibrationRange> getRange(Value value) const;

  /// A name for `value` in diagnostics: its `qlp.name` in quotes when it has
  /// one, then what it is ("result of tosa.conv2d", "argument #0 of @f").
  static std::string describe(Value value);

  /// "[min, max]" with each bound in its shortest exact decimal form.
  static std::string formatRange(double min, double max);

  /// The `qlp.name` of `value`'s op or argument, or "" when it has none.
  static StringRef getName(Value value);

private:
  std::string path;
  llvm::StringMap<CalibrationRange> fileRanges;
};

} // namespace qlp
} // namespace mlir

#endif // QLP_PASSES_CALIBRATION_H
