//===- AllocateBits.cpp - Mixed-precision bit allocation by ILP -----------===//
//
// qlp-allocate-bits: reads the bit-allocation attributes of every quantizable
// layer (see the contract in Passes.td), measures each candidate width's
// perturbation with the weight quantizer qlp-quantize uses, builds the
// integer linear program of BitAllocation.h and solves it exactly with CBC,
// then writes `qlp.bits` (and `qlp.act_bits`) on every layer. Infeasible
// budgets are diagnosed with the smallest value each could take; the report
// and the Pareto frontier are written on request.
//
// The IR is only modified after a successful solve: on any error no layer
// gets a width, so a failed allocation is never partially applied.
//
//===----------------------------------------------------------------------===//

#include "passes/BitAllocation.h"
#include "passes/BitAllocationLayers.h"
#include "passes/Passes.h"
#include "passes/WeightQuantizer.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

#define DEBUG_TYPE "qlp-allocate-bits"

namespace mlir::qlp {
#define GEN_PASS_DEF_QLPALLOCATEBITS
#include "passes/Passes.h.inc"
} // namespace mlir::qlp

using namespace mlir;
using namespace mlir::qlp;

namespace {

constexpr unsigned kSupportedWidths[] = {1, 2, 4, 8};

bool isSupportedWidth(int64_t bits) {
  return llvm::is_contained(kSupportedWidths, bits);
}

unsigned kindIndex(BudgetKind kind) { return static_cast<unsigned>(kind); }

/// Budgets are stated in bytes, BOPs and latency units; the ILP counts size
/// in bits so that every size cost is an integer.
double toUserUnits(BudgetKind kind, double cost) {
  return kind == BudgetKind::Size ? cost / 8.0 : cost;
}
double fromUserUnits(BudgetKind kind, double value) {
  return kind == BudgetKind::Size ? value * 8.0 : value;
}
StringRef unitSuffix(BudgetKind kind) {
  switch (kind) {
  case BudgetKind::Size:
    return " bytes";
  case BudgetKind::Bops:
    return " BOPs";
  case BudgetKind::Latency:
    return "";
  }
  llvm_unreachable("unknown budget kind");
}

/// Integers print exactly; other values with 6 significant digits.
std::string formatNumber(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 1e15)
    return llvm::formatv("{0}", static_cast<int64_t>(x)).str();
  return llvm::formatv("{0}", llvm::format("%.6g", x)).str();
}

std::string formatBudget(BudgetKind kind, double cost) {
  return formatNumber(toUserUnits(kind, cost)) + unitSuffix(kind).str();
}

/// Everything the pass knows about one layer.
struct LayerInfo {
  QuantizableLayer layer;
  std::string name;
  double hessianTrace = 1.0;
  bool hessianDefault = true;
  /// Set when the layer's width is fixed (qlp.bits or pin-first-last).
  std::optional<unsigned> pinned;
  bool pinnedByAttr = false;
  std::string tie;
  /// qlp.act_bits of the layer itself, which wins over the option.
  std::optional<unsigned> ownActBits;
  /// Candidate widths, ascending; a pinned layer has exactly one.
  SmallVector<unsigned> widths;
  /// hessian_trace * ||Q_b(W) - W||^2 per width.
  SmallVector<double> omega;
  /// Where omega came from: "qlp.perturbation", "weight", or "none" (a
  /// pinned layer with integer weights, whose omega is a constant 0).
  StringRef omegaSource;
  /// qlp.latency per width, when the layer has a table.
  std::optional<SmallVector<double>> latency;

  unsigned actBitsFor(unsigned bits, unsigned optionActBits) const {
    if (ownActBits)
      return *ownActBits;
    return optionActBits ? optionActBits : bits;
  }
};

/// A budget as the user stated it.
struct BudgetSpec {
  BudgetKind kind;
  /// In cost units (bits for size).
  double limit = 0.0;
  /// Set for a `-frac` budget.
  std::optional<double> fraction;

  std::string describe() const {
    std::string s = llvm::formatv("{0} budget of {1}", getBudgetKindName(kind),
                                  formatBudget(kind, limit))
                        .str();
    if (fraction)
      s += llvm::formatv(" ({0}-frac={1})", getBudgetKindName(kind),
                         formatNumber(*fraction))
               .str();
    return s;
  }
};

/// Reads a number attribute (float or integer).
std::optional<double> getNumber(Attribute attr) {
  if (auto f = dyn_cast_or_null<FloatAttr>(attr))
    return f.getValueAsDouble();
  if (auto i = dyn_cast_or_null<IntegerAttr>(attr))
    return static_cast<double>(i.getValue().getSExtValue());
  return std::nullopt;
}

/// Reads a per-width table such as `{b4 = 0.21 : f64, b8 = 0.36 : f64}`:
/// keys `b1`, `b2`, `b4`, `b8`, finite non-negative numbers, one entry per
/// width in `widths`.
FailureOr<SmallVector<double>> readWidthTable(Operation *op,
                                              StringRef layerName,
                                              StringRef attrName,
                                              ArrayRef<unsigned> widths) {
  auto dict = dyn_cast<DictionaryAttr>(op->getAttr(attrName));
  if (!dict)
    return op->emitOpError() << attrName << " of layer '" << layerName
                             << "' must be a dictionary like {b4 = 0.5 : f64}";
  for (NamedAttribute entry : dict) {
    StringRef key = entry.getName().strref();
    int64_t bits;
    if (!key.consume_front("b") || key.getAsInteger(10, bits) ||
        !isSupportedWidth(bits))
      return op->emitOpError()
             << attrName << " of layer '" << layerName << "' has key '"
             << entry.getName().strref() << "'; expected b1, b2, b4 or b8";
    std::optional<double> value = getNumber(entry.getValue());
    if (!value || !std::isfinite(*value) || *value < 0.0)
      return op->emitOpError() << attrName << " of layer '" << layerName
                               << "' entry " << entry.getName().strref()
                               << " must be a finite non-negative number, got "
                               << entry.getValue();
  }
  SmallVector<double> table;
  for (unsigned bits : widths) {
    std::string key = ("b" + Twine(bits)).str();
    std::optional<double> value = getNumber(dict.get(key));
    if (!value)
      return op->emitOpError()
             << attrName << " of layer '" << layerName << "' has no entry "
             << key << " for candidate width " << bits;
    table.push_back(*value);
  }
  return table;
}

/// Parses a list of widths (qlp.bit_choices or the choices option).
FailureOr<SmallVector<unsigned>>
parseWidths(ArrayRef<int64_t> list, function_ref<InFlightDiagnostic()> emit,
            StringRef what) {
  SmallVector<unsigned> widths;
  for (int64_t bits : list) {
    if (!isSupportedWidth(bits) || llvm::is_contained(widths, bits)) {
      InFlightDiagnostic diag = emit();
      diag << what << " must list distinct widths from {1, 2, 4, 8}, got [";
      llvm::interleaveComma(list, diag);
      return diag << "]";
    }
    widths.push_back(bits);
  }
  if (widths.empty())
    return emit() << what << " must list at least one width";
  llvm::sort(widths);
  return widths;
}

struct QLPAllocateBitsPass
    : public qlp::impl::QLPAllocateBitsBase<QLPAllocateBitsPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  LogicalResult readLayer(LayerInfo &info, ArrayRef<unsigned> defaultWidths,
                          bool needLatency);
  LogicalResult computeOmega(LayerInfo &info);
  FailureOr<SmallVector<BudgetSpec>>
  readBudgets(const BitAllocationProblem &costs);
  BitAllocationProblem buildProblem(ArrayRef<LayerInfo> layers);
  void diagnoseInfeasible(const BitAllocationProblem &problem,
                          ArrayRef<BudgetSpec> budgets,
                          const BitAllocationOptions &options);
  LogicalResult writeReport(ArrayRef<LayerInfo> layers,
                            const BitAllocationProblem &problem,
                            ArrayRef<BudgetSpec> budgets,
                            const BitAllocationResult &result,
                            ArrayRef<std::string> notes);
  LogicalResult writePareto(ArrayRef<LayerInfo> layers,
                            const BitAllocationProblem &problem,
                            BudgetKind kind,
                            const BitAllocationOptions &options);
};

} // namespace

//===----------------------------------------------------------------------===//
// Reading the layers
//===----------------------------------------------------------------------===//

LogicalResult QLPAllocateBitsPass::readLayer(LayerInfo &info,
                                             ArrayRef<unsigned> defaultWidths,
                                             bool needLatency) {
  Operation *op = info.layer.op;

  if (auto hessian = op->getAttr("qlp.hessian_trace")) {
    std::optional<double> value = getNumber(hessian);
    if (!value || !std::isfinite(*value) || *value < 0.0)
      return op->emitOpError()
             << "qlp.hessian_trace of layer '" << info.name
             << "' must be a finite non-negative number, got " << hessian;
    info.hessianTrace = *value;
    info.hessianDefault = false;
  }

  if (auto tie = op->getAttr("qlp.tie")) {
    auto str = dyn_cast<StringAttr>(tie);
    if (!str || str.getValue().empty())
      return op->emitOpError() << "qlp.tie of layer '" << info.name
                               << "' must be a non-empty string, got " << tie;
    info.tie = str.getValue().str();
  }

  if (auto act = op->getAttr("qlp.act_bits")) {
    auto attr = dyn_cast<IntegerAttr>(act);
    if (!attr || !isSupportedWidth(attr.getValue().getSExtValue()))
      return op->emitOpError()
             << "qlp.act_bits of layer '" << info.name
             << "' must be an integer in {1, 2, 4, 8}, got " << act;
    info.ownActBits = attr.getValue().getSExtValue();
  }

  SmallVector<unsigned> widths(defaultWidths);
  if (auto choices = op->getAttr("qlp.bit_choices")) {
    auto array = dyn_cast<DenseI64ArrayAttr>(choices);
    if (!array)
      return op->emitOpError()
             << "qlp.bit_choices of layer '" << info.name
             << "' must be an array<i64: ...>, got " << choices;
    FailureOr<SmallVector<unsigned>> parsed = parseWidths(
        array.asArrayRef(), [&] { return op->emitOpError(); },
        "qlp.bit_choices of layer '" + info.name + "'");
    if (failed(parsed))
      return failure();
    widths = *parsed;
  }

  if (auto bits = op->getAttr("qlp.bits")) {
    auto attr = dyn_cast<IntegerAttr>(bits);
    if (!attr || !isSupportedWidth(attr.getValue().getSExtValue()))
      return op->emitOpError()
             << "qlp.bits of layer '" << info.name
             << "' must be an integer in {1, 2, 4, 8}, got " << bits;
    unsigned pin = attr.getValue().getSExtValue();
    // An explicit candidate list that excludes the pinned width is a
    // contradiction in the input, not something to resolve silently.
    if (op->hasAttr("qlp.bit_choices") && !llvm::is_contained(widths, pin))
      return op->emitOpError() << "layer '" << info.name << "' is pinned to "
                               << pin << " bits by qlp.bits, which its "
                               << "qlp.bit_choices does not list";
    info.pinned = pin;
    info.pinnedByAttr = true;
  }
  info.widths = info.pinned ? SmallVector<unsigned>{*info.pinned} : widths;

  if (op->hasAttr("qlp.latency")) {
    FailureOr<SmallVector<double>> table =
        readWidthTable(op, info.name, "qlp.latency", info.widths);
    if (failed(table))
      return failure();
    info.latency = std::move(*table);
  } else if (needLatency) {
    return op->emitOpError() << "layer '" << info.name
                             << "' has no qlp.latency table, which the latency "
                             << "budget needs";
  }
  return success();
}

LogicalResult QLPAllocateBitsPass::computeOmega(LayerInfo &info) {
  Operation *op = info.layer.op;
  SmallVector<double> perturbation;
  if (op->hasAttr("qlp.perturbation")) {
    FailureOr<SmallVector<double>> table =
        readWidthTable(op, info.name, "qlp.perturbation", info.widths);
    if (failed(table))
      return failure();
    perturbation = std::move(*table);
    info.omegaSource = "qlp.perturbation";
  } else {
    FailureOr<std::optional<SmallVector<double>>> weights =
        readFloatWeights(info.layer);
    if (failed(weights))
      return failure();
    if (!*weights) {
      // Integer (already quantized) weights have no float original to
      // measure against. A pinned layer's omega is a constant that cannot
      // change the choice, so it is taken as 0; otherwise the user must
      // supply the perturbation.
      if (info.pinned) {
        info.omegaSource = "none";
        info.omega.assign(info.widths.size(), 0.0);
        return success();
      }
      return op->emitOpError()
             << "layer '" << info.name << "' has "
             << (info.layer.isFloat ? "a weight whose values cannot be read"
                                    : "integer weights")
             << ", so ||Q_b(W) - W||^2 cannot be measured; give it "
                "qlp.perturbation or pin it with qlp.bits";
    }
    const QuantizableLayer &layer = info.layer;
    for (unsigned bits : info.widths)
      perturbation.push_back(quantizeWeightsPerChannel(
                                 **weights, layer.getNumChannels(),
                                 [&](int64_t i) { return layer.getChannel(i); },
                                 bits)
                                 .squaredError);
    info.omegaSource = "weight";
  }
  for (double p : perturbation)
    info.omega.push_back(info.hessianTrace * p);
  return success();
}

BitAllocationProblem
QLPAllocateBitsPass::buildProblem(ArrayRef<LayerInfo> layers) {
  BitAllocationProblem problem;
  llvm::StringMap<int> tieGroups;
  for (const LayerInfo &info : layers) {
    BitAllocationLayer layer;
    layer.name = info.name;
    if (!info.tie.empty())
      layer.tieGroup =
          tieGroups.try_emplace(info.tie, tieGroups.size()).first->second;
    for (auto [i, bits] : llvm::enumerate(info.widths)) {
      BitChoice choice;
      choice.bits = bits;
      choice.omega = info.omega[i];
      choice.cost[kindIndex(BudgetKind::Size)] =
          static_cast<double>(info.layer.params) * bits;
      // Unknown MACs count as 0 here; readBudgets rejects a BOPs budget
      // over a layer without them.
      choice.cost[kindIndex(BudgetKind::Bops)] =
          static_cast<double>(info.layer.macs.value_or(0)) * bits *
          info.actBitsFor(bits, actBits);
      choice.cost[kindIndex(BudgetKind::Latency)] =
          info.latency ? (*info.latency)[i] : 0.0;
      layer.choices.push_back(choice);
    }
    problem.layers.push_back(std::move(layer));
  }
  return problem;
}

//===----------------------------------------------------------------------===//
// Budgets
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<BudgetSpec>>
QLPAllocateBitsPass::readBudgets(const BitAllocationProblem &costs) {
  ModuleOp module = getOperation();
  struct Pair {
    BudgetKind kind;
    double absolute, fraction;
  };
  Pair pairs[] = {{BudgetKind::Size, sizeBudget, sizeFrac},
                  {BudgetKind::Bops, bopsBudget, bopsFrac},
                  {BudgetKind::Latency, latencyBudget, latencyFrac}};
  SmallVector<BudgetSpec> budgets;
  for (const Pair &pair : pairs) {
    StringRef name = getBudgetKindName(pair.kind);
    if (std::isnan(pair.absolute) || std::isnan(pair.fraction))
      return module.emitError() << "the " << name << " budget is NaN";
    bool hasAbsolute = pair.absolute >= 0.0, hasFraction = pair.fraction >= 0.0;
    if (hasAbsolute && hasFraction)
      return module.emitError()
             << "options '" << name << "' and '" << name << "-frac' both set a "
             << name << " budget; give one";
    if (hasFraction && pair.fraction > 1.0)
      return module.emitError()
             << "'" << name << "-frac' must be in [0, 1], got "
             << formatNumber(pair.fraction);
    if (!hasAbsolute && !hasFraction)
      continue;
    if (!std::isfinite(pair.absolute) || !std::isfinite(pair.fraction))
      return module.emitError() << "the " << name << " budget must be finite";
    BudgetSpec spec{pair.kind, 0.0, std::nullopt};
    if (hasAbsolute) {
      spec.limit = fromUserUnits(pair.kind, pair.absolute);
    } else {
      // HAWQ-V3's fractional budget: all-lowest + R * (all-highest -
      // all-lowest), over each layer's own candidate widths.
      double lo = costs.allLowestCost(pair.kind);
      double hi = costs.allHighestCost(pair.kind);
      spec.limit = lo + pair.fraction * (hi - lo);
      spec.fraction = pair.fraction;
    }
    budgets.push_back(spec);
  }
  return budgets;
}

/// Reports why no assignment meets the budgets: for each budget, the
/// smallest value it can take under the other budgets and the ties (a
/// second ILP minimizing that budget's cost). If the other budgets are
/// themselves infeasible, the smallest value under the ties alone is given.
void QLPAllocateBitsPass::diagnoseInfeasible(
    const BitAllocationProblem &problem, ArrayRef<BudgetSpec> budgets,
    const BitAllocationOptions &options) {
  ModuleOp module = getOperation();
  bool reported = false;
  // Pass 1: budgets that cannot be met given the other budgets.
  for (const BudgetSpec &budget : budgets) {
    BitAllocationResult least =
        minimizeBudgetCost(problem, budget.kind, options);
    if (!least.hasAssignment())
      continue;
    // The proven bound, not a time-limited incumbent's cost.
    double smallest = least.bestBound;
    if (smallest <= budget.limit + problem.budgetTolerance(budget.kind))
      continue;
    StringRef name = getBudgetKindName(budget.kind);
    module.emitError() << budget.describe() << " cannot be met: the smallest "
                       << name << " under the other constraints is "
                       << formatBudget(budget.kind, smallest)
                       << (least.status == BitAllocationStatus::Optimal
                               ? ""
                               : " (a lower bound: CBC hit its time limit)");
    reported = true;
  }
  if (reported)
    return;
  // Pass 2: the other budgets conflict among themselves; compare each budget
  // with what the ties and pins alone allow.
  BitAllocationProblem tiesOnly = problem;
  tiesOnly.budgets = {};
  for (const BudgetSpec &budget : budgets) {
    BitAllocationResult least =
        minimizeBudgetCost(tiesOnly, budget.kind, options);
    if (!least.hasAssignment())
      continue;
    if (least.bestBound <= budget.limit + problem.budgetTolerance(budget.kind))
      continue;
    module.emitError() << budget.describe() << " cannot be met: the smallest "
                       << getBudgetKindName(budget.kind)
                       << " under the ties and pins alone is "
                       << formatBudget(budget.kind, least.bestBound);
    reported = true;
  }
  if (reported)
    return;
  InFlightDiagnostic diag = module.emitError();
  diag << "the budgets cannot all be met at once, although each can be met "
          "with one other removed: ";
  llvm::interleaveComma(budgets, diag,
                        [&](const BudgetSpec &b) { diag << b.describe(); });
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

static StringRef statusName(BitAllocationStatus status) {
  switch (status) {
  case BitAllocationStatus::Optimal:
    return "optimal";
  case BitAllocationStatus::Feasible:
    return "time-limit";
  case BitAllocationStatus::Infeasible:
    return "infeasible";
  case BitAllocationStatus::NoSolution:
    return "no-solution";
  case BitAllocationStatus::Error:
    return "error";
  }
  llvm_unreachable("unknown status");
}

LogicalResult QLPAllocateBitsPass::writeReport(
    ArrayRef<LayerInfo> layers, const BitAllocationProblem &problem,
    ArrayRef<BudgetSpec> budgets, const BitAllocationResult &result,
    ArrayRef<std::string> notes) {
  if (report.empty())
    return success();
  ArrayRef<unsigned> assignment = result.assignment;
  bool allLatency = llvm::all_of(
      layers, [](const LayerInfo &l) { return l.latency.has_value(); });
  bool allMacs = llvm::all_of(
      layers, [](const LayerInfo &l) { return l.layer.macs.has_value(); });
  double totals[kNumBudgetKinds];
  for (BudgetKind kind : kAllBudgetKinds)
    totals[kindIndex(kind)] = problem.totalCost(kind, assignment);

  if (report == "-") {
    // Human-readable table on stderr.
    llvm::raw_ostream &os = llvm::errs();
    os << llvm::formatv("qlp-allocate-bits: {0} layers, objective {1}, {2} "
                        "({3:f3} s)\n",
                        layers.size(), formatNumber(result.objective),
                        result.status == BitAllocationStatus::Optimal
                            ? "proven optimal"
                            : llvm::formatv("not proven optimal, gap {0}",
                                            formatNumber(result.relativeGap()))
                                  .str(),
                        result.solveSeconds);
    os << llvm::formatv("  {0,-24} {1,10} {2,5} {3,4} {4,13} {5,13}\n", "layer",
                        "params", "bits", "act", "omega", "choices");
    for (auto [info, choice] : llvm::zip_equal(layers, assignment)) {
      unsigned bits = info.widths[choice];
      std::string choices;
      llvm::raw_string_ostream cs(choices);
      llvm::interleave(info.widths, cs, ",");
      os << llvm::formatv("  {0,-24} {1,10} {2,5} {3,4} {4,13} {5,13}\n",
                          info.name, info.layer.params, bits,
                          info.actBitsFor(bits, actBits),
                          formatNumber(info.omega[choice]), choices);
    }
    os << "  totals: size " << formatBudget(BudgetKind::Size, totals[0]);
    if (allMacs)
      os << ", " << formatBudget(BudgetKind::Bops, totals[1]);
    if (allLatency)
      os << ", latency " << formatNumber(totals[2]);
    os << "\n";
    for (const BudgetSpec &budget : budgets)
      os << "  " << budget.describe() << ": used "
         << formatBudget(budget.kind, totals[kindIndex(budget.kind)]) << "\n";
    for (const std::string &note : notes)
      os << "  note: " << note << "\n";
    return success();
  }

  llvm::json::Array jsonLayers;
  for (auto [i, info] : llvm::enumerate(layers)) {
    unsigned choice = assignment[i];
    unsigned bits = info.widths[choice];
    const BitChoice &chosen = problem.layers[i].choices[choice];
    auto nullable = [](bool present, llvm::json::Value value) {
      return present ? std::move(value) : llvm::json::Value(nullptr);
    };
    jsonLayers.push_back(llvm::json::Object{
        {"name", info.name},
        {"op", info.layer.op->getName().getStringRef()},
        {"bits", static_cast<int64_t>(bits)},
        {"act_bits", static_cast<int64_t>(info.actBitsFor(bits, actBits))},
        {"params", info.layer.params},
        {"macs",
         nullable(info.layer.macs.has_value(), info.layer.macs.value_or(0))},
        {"omega", info.omega[choice]},
        {"omega_source", info.omegaSource},
        {"hessian_trace", info.hessianTrace},
        {"hessian_trace_default", info.hessianDefault},
        {"pinned", info.pinned.has_value()},
        {"tie", nullable(!info.tie.empty(), info.tie)},
        {"choices", llvm::json::Array(info.widths)},
        {"size_bytes", toUserUnits(BudgetKind::Size,
                                   chosen.cost[kindIndex(BudgetKind::Size)])},
        {"bops", nullable(info.layer.macs.has_value(),
                          chosen.cost[kindIndex(BudgetKind::Bops)])},
        {"latency", nullable(info.latency.has_value(),
                             chosen.cost[kindIndex(BudgetKind::Latency)])},
    });
  }
  llvm::json::Object jsonBudgets;
  for (const BudgetSpec &budget : budgets) {
    llvm::json::Object entry{
        {"limit", toUserUnits(budget.kind, budget.limit)},
        {"used", toUserUnits(budget.kind, totals[kindIndex(budget.kind)])}};
    if (budget.fraction)
      entry["fraction"] = *budget.fraction;
    jsonBudgets[budget.kind == BudgetKind::Size
                    ? "size_bytes"
                    : getBudgetKindName(budget.kind)] = std::move(entry);
  }
  llvm::json::Object jsonTotals{
      {"size_bytes", toUserUnits(BudgetKind::Size, totals[0])},
      {"bops",
       allMacs ? llvm::json::Value(totals[1]) : llvm::json::Value(nullptr)},
      {"latency",
       allLatency ? llvm::json::Value(totals[2]) : llvm::json::Value(nullptr)}};
  llvm::json::Object root{
      {"optimal", result.status == BitAllocationStatus::Optimal},
      {"status", statusName(result.status)},
      {"objective", result.objective},
      {"best_bound", result.bestBound},
      {"gap", result.relativeGap()},
      {"solve_seconds", result.solveSeconds},
      {"solver", getBitAllocationSolverName()},
      {"layers", std::move(jsonLayers)},
      {"budgets", std::move(jsonBudgets)},
      {"totals", std::move(jsonTotals)},
      {"notes", llvm::json::Array(notes)},
  };
  std::error_code ec;
  llvm::raw_fd_ostream os(report, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return getOperation().emitError()
           << "cannot write the bit-allocation report '" << report
           << "': " << ec.message();
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  return success();
}

//===----------------------------------------------------------------------===//
// Pareto frontier
//===----------------------------------------------------------------------===//

static std::string escapeXml(StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '&':
      out += "&amp;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// A hand-written SVG plot of objective against budget: labelled axes with
/// five ticks each, the frontier as a line, and each point marked (filled
/// when proven optimal, hollow otherwise) with a tooltip of its widths.
static void writeParetoSvg(llvm::raw_ostream &os, ArrayRef<LayerInfo> layers,
                           ArrayRef<ParetoPoint> points, BudgetKind kind) {
  constexpr double width = 720, height = 440, left = 100, right = 30, top = 50,
                   bottom = 70;
  double xmin = toUserUnits(kind, points.front().budget),
         xmax = toUserUnits(kind, points.back().budget);
  double ymin = points.front().result.objective, ymax = ymin;
  for (const ParetoPoint &p : points) {
    ymin = std::min(ymin, p.result.objective);
    ymax = std::max(ymax, p.result.objective);
  }
  // A degenerate range (a single point, a flat frontier) still gets an axis.
  auto widen = [](double &lo, double &hi) {
    if (hi - lo <= 1e-12 * std::max(1.0, std::fabs(hi))) {
      double pad = std::max(1.0, std::fabs(hi)) * 0.05;
      lo -= pad;
      hi += pad;
    }
  };
  widen(xmin, xmax);
  widen(ymin, ymax);
  auto px = [&](double x) {
    return left + (x - xmin) / (xmax - xmin) * (width - left - right);
  };
  auto py = [&](double y) {
    return height - bottom -
           (y - ymin) / (ymax - ymin) * (height - top - bottom);
  };
  StringRef name = getBudgetKindName(kind);
  StringRef unit = kind == BudgetKind::Size   ? "bytes"
                   : kind == BudgetKind::Bops ? "bit operations"
                                              : "latency units";
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                      "font-family=\"sans-serif\" font-size=\"12\">\n",
                      width, height);
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << llvm::formatv("<text x=\"{0}\" y=\"24\" text-anchor=\"middle\" "
                      "font-size=\"15\">qlp-allocate-bits: objective vs. {1} "
                      "budget ({2} points)</text>\n",
                      width / 2, name, points.size());
  // Axes.
  os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                      "stroke=\"black\"/>\n",
                      left, height - bottom, width - right);
  os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" "
                      "stroke=\"black\"/>\n",
                      left, height - bottom, top);
  for (int t = 0; t <= 4; ++t) {
    double x = xmin + (xmax - xmin) * t / 4, y = ymin + (ymax - ymin) * t / 4;
    os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" "
                        "stroke=\"black\"/>\n",
                        px(x), height - bottom, height - bottom + 5);
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">{2}"
                        "</text>\n",
                        px(x), height - bottom + 20, formatNumber(x));
    os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                        "stroke=\"black\"/>\n",
                        left - 5, py(y), left);
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">{2}"
                        "</text>\n",
                        left - 8, py(y) + 4, formatNumber(y));
  }
  os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">{2} "
                      "budget ({3})</text>\n",
                      (left + width - right) / 2, height - 20, name, unit);
  os << llvm::formatv("<text x=\"20\" y=\"{0}\" text-anchor=\"middle\" "
                      "transform=\"rotate(-90 20 {0})\">objective: sum of "
                      "hessian_trace * ||Q_b(W) - W||^2</text>\n",
                      (top + height - bottom) / 2);
  // The frontier and its points.
  os << "<polyline fill=\"none\" stroke=\"steelblue\" stroke-width=\"1.5\" "
        "points=\"";
  llvm::interleave(
      points, os,
      [&](const ParetoPoint &p) {
        os << llvm::formatv("{0:f2},{1:f2}", px(toUserUnits(kind, p.budget)),
                            py(p.result.objective));
      },
      " ");
  os << "\"/>\n";
  for (const ParetoPoint &p : points) {
    bool optimal = p.result.status == BitAllocationStatus::Optimal;
    std::string bits;
    for (auto [info, choice] : llvm::zip_equal(layers, p.result.assignment))
      bits += llvm::formatv("\n{0}: {1}", info.name, info.widths[choice]).str();
    os << llvm::formatv(
        "<circle cx=\"{0:f2}\" cy=\"{1:f2}\" r=\"4\" fill=\"{2}\" "
        "stroke=\"steelblue\"><title>{3} budget {4}, objective {5}{6}{7}"
        "</title></circle>\n",
        px(toUserUnits(kind, p.budget)), py(p.result.objective),
        optimal ? "steelblue" : "white", name, formatBudget(kind, p.budget),
        formatNumber(p.result.objective),
        optimal ? "" : " (not proven optimal)", escapeXml(bits));
  }
  os << "</svg>\n";
}

LogicalResult QLPAllocateBitsPass::writePareto(
    ArrayRef<LayerInfo> layers, const BitAllocationProblem &problem,
    BudgetKind kind, const BitAllocationOptions &options) {
  ModuleOp module = getOperation();
  std::string error;
  std::vector<ParetoPoint> points =
      sweepParetoFrontier(problem, kind, pareto, options, error);
  if (points.empty())
    return module.emitError() << "cannot sweep the " << getBudgetKindName(kind)
                              << " budget for the Pareto frontier: " << error;

  llvm::json::Array names, jsonPoints;
  for (const LayerInfo &info : layers)
    names.push_back(info.name);
  for (const ParetoPoint &p : points) {
    llvm::json::Array bits;
    for (auto [info, choice] : llvm::zip_equal(layers, p.result.assignment))
      bits.push_back(static_cast<int64_t>(info.widths[choice]));
    jsonPoints.push_back(llvm::json::Object{
        {"budget", toUserUnits(kind, p.budget)},
        {"used",
         toUserUnits(kind, problem.totalCost(kind, p.result.assignment))},
        {"objective", p.result.objective},
        {"optimal", p.result.status == BitAllocationStatus::Optimal},
        {"bits", std::move(bits)}});
  }
  llvm::json::Object root{{"budget", getBudgetKindName(kind)},
                          {"unit", kind == BudgetKind::Size   ? "bytes"
                                   : kind == BudgetKind::Bops ? "bops"
                                                              : "latency"},
                          {"layers", std::move(names)},
                          {"points", std::move(jsonPoints)}};

  for (StringRef ext : {".json", ".svg"}) {
    std::string path = paretoOut + ext.str();
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return module.emitError() << "cannot write the Pareto frontier '" << path
                                << "': " << ec.message();
    if (ext == ".json")
      os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
    else
      writeParetoSvg(os, layers, points, kind);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

void QLPAllocateBitsPass::runOnOperation() {
  ModuleOp module = getOperation();

  // Options.
  SmallVector<int64_t> optionChoices(choices.begin(), choices.end());
  if (optionChoices.empty())
    optionChoices = {4, 8};
  FailureOr<SmallVector<unsigned>> defaultWidths = parseWidths(
      optionChoices, [&] { return module.emitError(); }, "option 'choices'");
  if (failed(defaultWidths))
    return signalPassFailure();
  if (actBits != 0 && !isSupportedWidth(actBits)) {
    module.emitError() << "option 'act-bits' must be 0, 1, 2, 4 or 8, got "
                       << static_cast<unsigned>(actBits);
    return signalPassFailure();
  }
  std::optional<BudgetKind> paretoKind;
  if (pareto > 0) {
    paretoKind = parseBudgetKind(paretoBudget);
    if (!paretoKind) {
      module.emitError() << "option 'pareto-budget' must be size, bops or "
                            "latency, got '"
                         << paretoBudget << "'";
      return signalPassFailure();
    }
  }
  if (!std::isfinite(timeLimit) || timeLimit < 0.0) {
    module.emitError()
        << "option 'time-limit' must be a non-negative number of "
           "seconds, got "
        << static_cast<double>(timeLimit);
    return signalPassFailure();
  }
  bool needLatency = latencyBudget >= 0.0 || latencyFrac >= 0.0 ||
                     paretoKind == BudgetKind::Latency;
  bool needMacs =
      bopsBudget >= 0.0 || bopsFrac >= 0.0 || paretoKind == BudgetKind::Bops;

  // Layers.
  FailureOr<SmallVector<QuantizableLayer>> found =
      collectQuantizableLayers(module);
  if (failed(found))
    return signalPassFailure();
  std::vector<LayerInfo> layers;
  for (auto [i, layer] : llvm::enumerate(*found)) {
    LayerInfo info;
    info.layer = layer;
    if (auto name = layer.op->getAttrOfType<StringAttr>("qlp.name"))
      info.name = name.getValue().str();
    else
      info.name = llvm::formatv("{0}#{1}", layer.op->getName(), i).str();
    layers.push_back(std::move(info));
  }
  for (LayerInfo &info : layers)
    if (failed(readLayer(info, *defaultWidths, needLatency)))
      return signalPassFailure();
  if (pinFirstLast && !layers.empty()) {
    for (LayerInfo *info : {&layers.front(), &layers.back()}) {
      if (info->pinned)
        continue;
      info->pinned = info->widths.back();
      info->widths = {*info->pinned};
      if (info->latency)
        info->latency = SmallVector<double>{info->latency->back()};
    }
  }
  for (LayerInfo &info : layers) {
    if (needMacs && !info.layer.macs) {
      info.layer.op->emitOpError()
          << "layer '" << info.name << "' has a dynamic shape, so its BOPs are "
          << "unknown; the bops budget needs them";
      return signalPassFailure();
    }
    if (failed(computeOmega(info)))
      return signalPassFailure();
  }

  // Ties: tied layers must share a candidate width (pins included).
  llvm::StringMap<unsigned> tieLeader;
  llvm::StringMap<SmallVector<unsigned>> tieWidths;
  for (auto [i, info] : llvm::enumerate(layers)) {
    if (info.tie.empty())
      continue;
    auto [it, inserted] = tieLeader.try_emplace(info.tie, i);
    SmallVector<unsigned> &common = tieWidths[info.tie];
    if (inserted) {
      common = info.widths;
      continue;
    }
    llvm::erase_if(common, [&](unsigned w) {
      return !llvm::is_contained(info.widths, w);
    });
    if (common.empty()) {
      const LayerInfo &leader = layers[it->second];
      InFlightDiagnostic diag = info.layer.op->emitOpError();
      diag << "layer '" << info.name << "' is tied to '" << leader.name
           << "' (qlp.tie = \"" << info.tie
           << "\") but the tied layers have no candidate width in common";
      diag.attachNote(leader.layer.op->getLoc())
          << "first layer of tie \"" << info.tie << "\"";
      return signalPassFailure();
    }
  }

  BitAllocationProblem problem = buildProblem(layers);
  FailureOr<SmallVector<BudgetSpec>> budgets = readBudgets(problem);
  if (failed(budgets))
    return signalPassFailure();
  for (const BudgetSpec &budget : *budgets)
    problem.budgets[kindIndex(budget.kind)] = budget.limit;
  if (std::string error = problem.validate(); !error.empty()) {
    module.emitError() << "invalid bit-allocation problem: " << error;
    return signalPassFailure();
  }

  BitAllocationOptions options;
  options.timeLimitSeconds = timeLimit;
  BitAllocationResult result = solveBitAllocation(problem, options);
  LLVM_DEBUG(llvm::dbgs() << "qlp-allocate-bits: " << layers.size()
                          << " layers, status " << statusName(result.status)
                          << ", objective " << result.objective << ", "
                          << result.solveSeconds << " s\n");
  switch (result.status) {
  case BitAllocationStatus::Optimal:
    break;
  case BitAllocationStatus::Feasible:
    module.emitWarning() << "the bit allocation is not proven optimal: CBC "
                         << "stopped at its time limit of "
                         << formatNumber(timeLimit)
                         << " s with a relative gap of "
                         << formatNumber(result.relativeGap());
    break;
  case BitAllocationStatus::Infeasible:
    diagnoseInfeasible(problem, *budgets, options);
    return signalPassFailure();
  case BitAllocationStatus::NoSolution:
  case BitAllocationStatus::Error:
    module.emitError() << "bit allocation failed: " << result.message;
    return signalPassFailure();
  }

  SmallVector<std::string> notes;
  for (const LayerInfo &info : layers) {
    if (info.hessianDefault)
      notes.push_back(llvm::formatv("layer '{0}' has no qlp.hessian_trace; "
                                    "1.0 was used",
                                    info.name));
    if (info.omegaSource == "none")
      notes.push_back(llvm::formatv("layer '{0}' is pinned and has integer "
                                    "weights; its omega is taken as 0",
                                    info.name));
  }
  if (failed(writeReport(layers, problem, *budgets, result, notes)))
    return signalPassFailure();
  if (paretoKind && failed(writePareto(layers, problem, *paretoKind, options)))
    return signalPassFailure();

  // Only now, with a complete assignment, is the IR changed.
  Builder builder(&getContext());
  for (auto [info, choice] : llvm::zip_equal(layers, result.assignment)) {
    unsigned bits = info.widths[choice];
    info.layer.op->setAttr("qlp.bits", builder.getI64IntegerAttr(bits));
    // HAWQ-V3's pairing (W4A4, W8A8): with act-bits=0 the activation width
    // follows the weight width, unless the layer fixes its own.
    if (actBits == 0 && !info.ownActBits)
      info.layer.op->setAttr("qlp.act_bits", builder.getI64IntegerAttr(bits));
  }
}
