//===- Calibration.cpp - Calibration ranges for qlp-quantize --------------===//

#include "passes/Calibration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace mlir::qlp;

/// Shortest round-trip text of a real number ("3", "0.1", "nan").
static std::string formatReal(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", value);
  // Prefer the shortest form that reads back as the same double.
  for (int digits = 1; digits < 17; ++digits) {
    char shorter[32];
    std::snprintf(shorter, sizeof(shorter), "%.*g", digits, value);
    if (std::strtod(shorter, nullptr) == value)
      return shorter;
  }
  return text;
}

std::string CalibrationTable::formatRange(double min, double max) {
  return "[" + formatReal(min) + ", " + formatReal(max) + "]";
}

FailureOr<CalibrationTable>
CalibrationTable::load(StringRef path,
                       function_ref<InFlightDiagnostic()> emitError) {
  CalibrationTable table;
  table.path = path.str();
  if (path.empty())
    return table;

  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return emitError() << "cannot read the calibration file '" << path
                       << "': " << buffer.getError().message();
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return emitError() << "calibration file '" << path
                       << "' is not valid JSON: "
                       << llvm::toString(json.takeError());
  const llvm::json::Object *object = json->getAsObject();
  if (!object)
    return emitError() << "calibration file '" << path
                       << "' must hold one JSON object mapping qlp.name to "
                          "[min, max]";
  for (const auto &[key, entry] : *object) {
    const llvm::json::Array *pair = entry.getAsArray();
    std::optional<double> lo, hi;
    if (pair && pair->size() == 2) {
      lo = (*pair)[0].getAsNumber();
      hi = (*pair)[1].getAsNumber();
    }
    if (!lo || !hi)
      return emitError() << "calibration file '" << path << "': entry '"
                         << key.str()
                         << "' must be an array of two numbers [min, max]";
    table.fileRanges[key.str()] = CalibrationRange{*lo, *hi};
  }
  return table;
}

StringRef CalibrationTable::getName(Value value) {
  StringAttr name;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (auto func = dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp()))
      name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                               kNameAttrName);
  } else {
    name = value.getDefiningOp()->getAttrOfType<StringAttr>(kNameAttrName);
  }
  return name ? name.getValue() : StringRef();
}

std::string CalibrationTable::describe(Value value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  StringRef name = getName(value);
  if (!name.empty())
    os << "'" << name << "' (";
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    os << "argument #" << arg.getArgNumber();
    if (auto func = dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp()))
      os << " of @" << func.getName();
  } else {
    os << "result of " << value.getDefiningOp()->getName();
  }
  if (!name.empty())
    os << ")";
  return text;
}

FailureOr<CalibrationRange> CalibrationTable::getRange(Value value) const {
  Location loc = value.getLoc();
  DenseF64ArrayAttr attr;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (auto func =
            dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp())) {
      loc = func.getLoc();
      attr = func.getArgAttrOfType<DenseF64ArrayAttr>(arg.getArgNumber(),
                                                      kRangeAttrName);
    }
  } else {
    attr = value.getDefiningOp()->getAttrOfType<DenseF64ArrayAttr>(
        kRangeAttrName);
  }

  std::optional<CalibrationRange> range;
  StringRef source = kRangeAttrName;
  StringRef name = getName(value);
  if (!name.empty()) {
    auto it = fileRanges.find(name);
    if (it != fileRanges.end()) {
      range = it->second;
      source = "calibration file";
    }
  }
  if (!range && attr) {
    if (attr.size() != 2)
      return emitError(loc) << "qlp.range of " << describe(value)
                            << " must hold two values [min, max], got "
                            << attr.size();
    range = CalibrationRange{attr[0], attr[1]};
  }
  if (!range) {
    InFlightDiagnostic diag = emitError(loc)
                              << "no calibration range for "
                              << describe(value)
                              << ": add qlp.range = array<f64: MIN, MAX>";
    if (!name.empty())
      diag << " or an entry \"" << name << "\" in the calibration file";
    else
      diag << " (or a qlp.name and a calibration file entry)";
    return diag;
  }
  if (!std::isfinite(range->min) || !std::isfinite(range->max))
    return emitError(loc) << "calibration range of " << describe(value)
                          << " from the " << source << " is not finite: "
                          << formatRange(range->min, range->max);
  if (range->min > range->max)
    return emitError(loc) << "calibration range of " << describe(value)
                          << " from the " << source << " is inverted: min "
                          << formatReal(range->min) << " > max "
                          << formatReal(range->max);
  return *range;
}
