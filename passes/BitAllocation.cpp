//===- BitAllocation.cpp - Mixed-precision bit allocation ILP with CBC ----===//
//
// Builds the integer linear program of BitAllocation.h and solves it with
// COIN-OR CBC through its C interface (Cbc_C_Interface.h), which runs CBC's
// full branch-and-cut driver (CbcMain1: preprocessing, cut generators,
// heuristics), the same as the `cbc` command-line solver.
//
// Numerics. CBC works in double precision with absolute tolerances, while
// our costs span many orders of magnitude (a layer's BOPs can exceed 10^12,
// a latency 10^-3). So every row is scaled to O(1) before CBC sees it:
//  * budget row k is divided by its scale D_k (the larger of the limit and
//    the largest single cost of kind k), so CBC's absolute feasibility
//    tolerance becomes a relative one;
//  * the objective is divided by the largest omega, so CBC's absolute
//    optimality tolerances are relative to the largest term.
// The assignment CBC returns is then rounded to one choice per layer and
// checked again in unscaled double arithmetic (BitAllocationProblem::
// isFeasible); the reported objective and totals are recomputed from it, so
// nothing the pass reports depends on CBC's tolerances.
//
//===----------------------------------------------------------------------===//

#include "passes/BitAllocation.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FormatVariadic.h"

#include "coin/Cbc_C_Interface.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>

using namespace mlir;
using namespace mlir::qlp;

llvm::StringRef mlir::qlp::getBudgetKindName(BudgetKind kind) {
  switch (kind) {
  case BudgetKind::Size:
    return "size";
  case BudgetKind::Bops:
    return "bops";
  case BudgetKind::Latency:
    return "latency";
  }
  llvm_unreachable("unknown budget kind");
}

std::optional<BudgetKind> mlir::qlp::parseBudgetKind(llvm::StringRef name) {
  for (BudgetKind kind : kAllBudgetKinds)
    if (name == getBudgetKindName(kind))
      return kind;
  return std::nullopt;
}

static unsigned idx(BudgetKind kind) { return static_cast<unsigned>(kind); }

//===----------------------------------------------------------------------===//
// BitAllocationProblem
//===----------------------------------------------------------------------===//

double
BitAllocationProblem::totalCost(BudgetKind kind,
                                llvm::ArrayRef<unsigned> assignment) const {
  double total = 0.0;
  for (auto [layer, choice] : llvm::zip_equal(layers, assignment))
    total += layer.choices[choice].cost[idx(kind)];
  return total;
}

double
BitAllocationProblem::objective(llvm::ArrayRef<unsigned> assignment) const {
  double total = 0.0;
  for (auto [layer, choice] : llvm::zip_equal(layers, assignment))
    total += layer.choices[choice].omega;
  return total;
}

/// The scale of budget `kind`: the larger of |limit| and the largest single
/// cost. Every cost of the row is at most this, so dividing by it brings the
/// row to O(1) coefficients without losing the limit's magnitude.
static double budgetScale(const BitAllocationProblem &problem,
                          BudgetKind kind) {
  double scale =
      problem.budgets[idx(kind)] ? std::fabs(*problem.budgets[idx(kind)]) : 0.0;
  for (const BitAllocationLayer &layer : problem.layers)
    for (const BitChoice &choice : layer.choices)
      scale = std::max(scale, choice.cost[idx(kind)]);
  return scale > 0.0 ? scale : 1.0;
}

double BitAllocationProblem::budgetTolerance(BudgetKind kind) const {
  return kBudgetTolerance * budgetScale(*this, kind);
}

bool BitAllocationProblem::isFeasible(
    llvm::ArrayRef<unsigned> assignment) const {
  if (assignment.size() != layers.size())
    return false;
  for (auto [layer, choice] : llvm::zip_equal(layers, assignment))
    if (choice >= layer.choices.size())
      return false;
  for (BudgetKind kind : kAllBudgetKinds)
    if (budgets[idx(kind)] && totalCost(kind, assignment) >
                                  *budgets[idx(kind)] + budgetTolerance(kind))
      return false;
  std::map<int, unsigned> tieWidth;
  for (auto [layer, choice] : llvm::zip_equal(layers, assignment)) {
    if (layer.tieGroup < 0)
      continue;
    unsigned bits = layer.choices[choice].bits;
    auto [it, inserted] = tieWidth.try_emplace(layer.tieGroup, bits);
    if (!inserted && it->second != bits)
      return false;
  }
  return true;
}

double BitAllocationProblem::allLowestCost(BudgetKind kind) const {
  double total = 0.0;
  for (const BitAllocationLayer &layer : layers)
    total += layer.choices.front().cost[idx(kind)];
  return total;
}

double BitAllocationProblem::allHighestCost(BudgetKind kind) const {
  double total = 0.0;
  for (const BitAllocationLayer &layer : layers)
    total += layer.choices.back().cost[idx(kind)];
  return total;
}

static bool isFiniteNonNegative(double x) {
  return std::isfinite(x) && x >= 0.0;
}

std::string BitAllocationProblem::validate() const {
  std::map<int, std::set<unsigned>> tieWidths;
  for (const BitAllocationLayer &layer : layers) {
    if (layer.choices.empty())
      return llvm::formatv("layer '{0}' has no candidate width", layer.name);
    for (auto [i, choice] : llvm::enumerate(layer.choices)) {
      if (i > 0 && layer.choices[i - 1].bits >= choice.bits)
        return llvm::formatv(
            "layer '{0}': widths are not ascending and distinct", layer.name);
      if (!isFiniteNonNegative(choice.omega))
        return llvm::formatv("layer '{0}': omega at {1} bits is {2}",
                             layer.name, choice.bits, choice.omega);
      for (BudgetKind kind : kAllBudgetKinds)
        if (!isFiniteNonNegative(choice.cost[idx(kind)]))
          return llvm::formatv("layer '{0}': {1} cost at {2} bits is {3}",
                               layer.name, getBudgetKindName(kind), choice.bits,
                               choice.cost[idx(kind)]);
    }
    if (layer.tieGroup < 0)
      continue;
    std::set<unsigned> widths;
    for (const BitChoice &choice : layer.choices)
      widths.insert(choice.bits);
    auto [it, inserted] = tieWidths.try_emplace(layer.tieGroup, widths);
    if (inserted)
      continue;
    std::set<unsigned> common;
    std::set_intersection(it->second.begin(), it->second.end(), widths.begin(),
                          widths.end(), std::inserter(common, common.begin()));
    if (common.empty())
      return llvm::formatv("layer '{0}' has no width in common with the layers "
                           "tied to it",
                           layer.name);
    it->second = std::move(common);
  }
  for (BudgetKind kind : kAllBudgetKinds)
    if (budgets[idx(kind)] && !std::isfinite(*budgets[idx(kind)]))
      return llvm::formatv("the {0} budget is not finite",
                           getBudgetKindName(kind));
  return "";
}

double BitAllocationResult::relativeGap() const {
  double gap = (objective - bestBound) / std::max(std::fabs(objective), 1e-12);
  return std::max(gap, 0.0);
}

//===----------------------------------------------------------------------===//
// CBC model
//===----------------------------------------------------------------------===//

namespace {
/// Owns a Cbc_Model.
struct CbcModelHandle {
  Cbc_Model *model = Cbc_newModel();
  CbcModelHandle() = default;
  CbcModelHandle(const CbcModelHandle &) = delete;
  CbcModelHandle &operator=(const CbcModelHandle &) = delete;
  ~CbcModelHandle() { Cbc_deleteModel(model); }
};

/// A column-major sparse matrix under construction, one column per
/// (layer, choice).
struct SparseColumns {
  std::vector<std::vector<std::pair<int, double>>> columns;
};
} // namespace

/// CBC's feasibility tolerance on the scaled rows. It is 1% of the budget
/// tolerance and the scaled right-hand side is lowered by the same amount,
/// so whatever CBC accepts satisfies `cost <= limit + kBudgetTolerance *
/// scale` exactly, which isFeasible re-checks.
static constexpr double kCbcPrimalTolerance = 1e-2 * kBudgetTolerance;
/// CBC's integrality tolerance. Columns are 0/1 and a choice is read as the
/// largest column of its layer, so this only has to keep CBC from accepting
/// a fractional split that the rounding would turn into a different cost.
static constexpr double kCbcIntegerTolerance = 1e-9;

/// `what` selects the minimized quantity: the omegas, or the cost of a kind.
static BitAllocationResult solveWithCbc(const BitAllocationProblem &problem,
                                        std::optional<BudgetKind> minimizeCost,
                                        const BitAllocationOptions &options) {
  BitAllocationResult result;
  if (std::string error = problem.validate(); !error.empty()) {
    result.status = BitAllocationStatus::Error;
    result.message = error;
    return result;
  }

  // CBC cannot load a model without columns; with no layers the only
  // assignment is the empty one, of cost 0.
  if (problem.layers.empty()) {
    BitAllocationProblem checked = problem;
    if (minimizeCost)
      checked.budgets[idx(*minimizeCost)].reset();
    result.status = checked.isFeasible({}) ? BitAllocationStatus::Optimal
                                           : BitAllocationStatus::Infeasible;
    return result;
  }

  // Column offsets: layer i's choices are columns first[i] .. first[i+1]-1.
  std::vector<int> first;
  int numCols = 0;
  for (const BitAllocationLayer &layer : problem.layers) {
    first.push_back(numCols);
    numCols += static_cast<int>(layer.choices.size());
  }
  first.push_back(numCols);

  auto objCoeff = [&](const BitChoice &choice) {
    return minimizeCost ? choice.cost[idx(*minimizeCost)] : choice.omega;
  };
  double objScale = 0.0;
  for (const BitAllocationLayer &layer : problem.layers)
    for (const BitChoice &choice : layer.choices)
      objScale = std::max(objScale, objCoeff(choice));
  if (objScale <= 0.0)
    objScale = 1.0;

  SparseColumns matrix;
  matrix.columns.resize(numCols);
  std::vector<double> rowLower, rowUpper;
  auto addRow = [&](double lower, double upper) {
    rowLower.push_back(lower);
    rowUpper.push_back(upper);
    return static_cast<int>(rowLower.size()) - 1;
  };

  // Exactly one choice per layer.
  for (auto [i, layer] : llvm::enumerate(problem.layers)) {
    int row = addRow(1.0, 1.0);
    for (int col = first[i]; col < first[i + 1]; ++col)
      matrix.columns[col].push_back({row, 1.0});
  }

  // Budgets, scaled to O(1) (see the file comment).
  for (BudgetKind kind : kAllBudgetKinds) {
    if (!problem.budgets[idx(kind)] || (minimizeCost && *minimizeCost == kind))
      continue;
    double scale = budgetScale(problem, kind);
    double rhs = *problem.budgets[idx(kind)] / scale + kBudgetTolerance -
                 kCbcPrimalTolerance;
    int row = addRow(-std::numeric_limits<double>::max(), rhs);
    for (auto [i, layer] : llvm::enumerate(problem.layers))
      for (auto [j, choice] : llvm::enumerate(layer.choices))
        if (double c = choice.cost[idx(kind)]; c != 0.0)
          matrix.columns[first[i] + j].push_back({row, c / scale});
  }

  // Ties: the first layer of a group and every other member choose the
  // same width, x_{first,w} = x_{j,w} for each width w of either (a width
  // only one of them has forces that column to 0).
  std::map<int, unsigned> groupLeader;
  for (auto [i, layer] : llvm::enumerate(problem.layers)) {
    if (layer.tieGroup < 0)
      continue;
    auto [it, inserted] = groupLeader.try_emplace(layer.tieGroup, i);
    if (inserted)
      continue;
    unsigned leader = it->second;
    std::map<unsigned, std::pair<int, int>> columnsByWidth; // width -> (a, b)
    for (auto [j, choice] : llvm::enumerate(problem.layers[leader].choices))
      columnsByWidth[choice.bits].first = first[leader] + j + 1;
    for (auto [j, choice] : llvm::enumerate(layer.choices))
      columnsByWidth[choice.bits].second = first[i] + j + 1;
    for (auto &[width, cols] : columnsByWidth) {
      int row = addRow(0.0, 0.0);
      if (cols.first)
        matrix.columns[cols.first - 1].push_back({row, 1.0});
      if (cols.second)
        matrix.columns[cols.second - 1].push_back({row, -1.0});
    }
  }

  std::vector<CoinBigIndex> starts;
  std::vector<int> indices;
  std::vector<double> values, colLower(numCols, 0.0), colUpper(numCols, 1.0),
      obj(numCols);
  for (auto [i, layer] : llvm::enumerate(problem.layers))
    for (auto [j, choice] : llvm::enumerate(layer.choices))
      obj[first[i] + j] = objCoeff(choice) / objScale;
  for (const auto &column : matrix.columns) {
    starts.push_back(static_cast<CoinBigIndex>(indices.size()));
    for (auto [row, value] : column) {
      indices.push_back(row);
      values.push_back(value);
    }
  }
  starts.push_back(static_cast<CoinBigIndex>(indices.size()));

  CbcModelHandle handle;
  Cbc_Model *model = handle.model;
  Cbc_loadProblem(model, numCols, static_cast<int>(rowLower.size()),
                  starts.data(), indices.data(), values.data(), colLower.data(),
                  colUpper.data(), obj.data(), rowLower.data(),
                  rowUpper.data());
  for (int col = 0; col < numCols; ++col)
    Cbc_setInteger(model, col);
  Cbc_setObjSense(model, 1.0);
  Cbc_setLogLevel(model, 0);
  // Proof of optimality up to kObjectiveTolerance (relative to the largest
  // omega): no relative gap, a tiny absolute one, and a cutoff increment
  // below it. CBC's default increment (1e-5) would let it discard nodes that
  // can improve the incumbent by less than that, i.e. call a solution
  // optimal that is not.
  Cbc_setAllowableGap(model, kObjectiveTolerance);
  Cbc_setAllowableFractionGap(model, 0.0);
  Cbc_setParameter(model, "increment", "1e-10");
  Cbc_setParameter(model, "primalTolerance",
                   llvm::formatv("{0:e}", kCbcPrimalTolerance).str().c_str());
  Cbc_setParameter(model, "integerTolerance",
                   llvm::formatv("{0:e}", kCbcIntegerTolerance).str().c_str());
  // CBC 2.10's preprocessing (CglPreProcess) is unsound on these models: on
  // a two-layer instance whose budget rows it "strengthens" and substitutes,
  // it reduces the model to nothing and reports a suboptimal assignment as
  // proven optimal (the 0.41 optimum comes back as 1.14). The unit test's
  // comparison with enumeration found it; without preprocessing CBC agrees
  // with enumeration on every instance. The model is small and already
  // tight (one equality row per layer), so little is lost.
  Cbc_setParameter(model, "preprocess", "off");
  // One thread: the result must not depend on scheduling.
  Cbc_setParameter(model, "threads", "0");
  if (options.timeLimitSeconds > 0.0)
    Cbc_setMaximumSeconds(model, options.timeLimitSeconds);

  auto start = std::chrono::steady_clock::now();
  Cbc_solve(model);
  result.solveSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  const double *solution = Cbc_bestSolution(model);
  bool proven = Cbc_isProvenOptimal(model);
  if (Cbc_isProvenInfeasible(model) && !solution) {
    result.status = BitAllocationStatus::Infeasible;
    return result;
  }
  if (Cbc_isAbandoned(model)) {
    result.status = BitAllocationStatus::Error;
    result.message = "CBC abandoned the search after numerical difficulties";
    return result;
  }
  if (!solution) {
    // With no solution and no proof of infeasibility, CBC stopped on a limit.
    result.status = BitAllocationStatus::NoSolution;
    result.message = "CBC stopped on its time limit before finding a feasible "
                     "assignment";
    return result;
  }

  // Read each layer's choice as its largest column; CBC's columns are 0/1
  // within kCbcIntegerTolerance.
  for (auto [i, layer] : llvm::enumerate(problem.layers)) {
    unsigned best = 0;
    for (unsigned j = 1; j < layer.choices.size(); ++j)
      if (solution[first[i] + j] > solution[first[i] + best])
        best = j;
    if (solution[first[i] + best] < 0.5) {
      result.status = BitAllocationStatus::Error;
      result.message = llvm::formatv("CBC returned a fractional choice for "
                                     "layer '{0}'",
                                     layer.name);
      return result;
    }
    result.assignment.push_back(best);
  }

  // Re-check the rounded assignment exactly; the budget of the minimized
  // kind, if any, is not a constraint of this problem.
  BitAllocationProblem checked = problem;
  if (minimizeCost)
    checked.budgets[idx(*minimizeCost)].reset();
  if (!checked.isFeasible(result.assignment)) {
    result.status = BitAllocationStatus::Error;
    result.message = "CBC returned an assignment that violates a budget or "
                     "tie when checked exactly";
    result.assignment.clear();
    return result;
  }

  result.objective = minimizeCost
                         ? problem.totalCost(*minimizeCost, result.assignment)
                         : problem.objective(result.assignment);
  if (proven) {
    result.status = BitAllocationStatus::Optimal;
    result.bestBound = result.objective;
  } else {
    result.status = BitAllocationStatus::Feasible;
    result.bestBound = std::min(result.objective,
                                Cbc_getBestPossibleObjValue(model) * objScale);
  }
  return result;
}

std::string mlir::qlp::getBitAllocationSolverName() {
  return std::string("CBC ") + Cbc_getVersion();
}

BitAllocationResult
mlir::qlp::solveBitAllocation(const BitAllocationProblem &problem,
                              const BitAllocationOptions &options) {
  return solveWithCbc(problem, std::nullopt, options);
}

BitAllocationResult
mlir::qlp::minimizeBudgetCost(const BitAllocationProblem &problem,
                              BudgetKind kind,
                              const BitAllocationOptions &options) {
  return solveWithCbc(problem, kind, options);
}

std::vector<ParetoPoint> mlir::qlp::sweepParetoFrontier(
    const BitAllocationProblem &problem, BudgetKind kind, unsigned numPoints,
    const BitAllocationOptions &options, std::string &error) {
  std::vector<ParetoPoint> points;
  if (numPoints == 0)
    return points;

  // The low end: the smallest cost of `kind` the other constraints allow.
  BitAllocationResult lowest = minimizeBudgetCost(problem, kind, options);
  if (!lowest.hasAssignment()) {
    error = lowest.status == BitAllocationStatus::Infeasible
                ? "the other budgets and ties are infeasible"
                : lowest.message;
    return points;
  }
  // The high end: the cost of `kind` of the optimum without a budget of
  // `kind`; a larger budget cannot lower the objective further.
  BitAllocationProblem unbounded = problem;
  unbounded.budgets[idx(kind)].reset();
  BitAllocationResult best = solveBitAllocation(unbounded, options);
  if (!best.hasAssignment()) {
    error = best.message.empty() ? "the sweep's upper end has no solution"
                                 : best.message;
    return points;
  }
  // The proven minimum, not the rounded-up cost of CBC's incumbent when it
  // was stopped early: the sweep must start at a feasible budget.
  double lo = lowest.objective;
  double hi = std::max(lo, unbounded.totalCost(kind, best.assignment));

  for (unsigned p = 0; p < numPoints; ++p) {
    double t = numPoints == 1 ? 1.0 : static_cast<double>(p) / (numPoints - 1);
    ParetoPoint point;
    point.budget = lo + t * (hi - lo);
    BitAllocationProblem atPoint = problem;
    atPoint.budgets[idx(kind)] = point.budget;
    point.result = solveBitAllocation(atPoint, options);
    if (!point.result.hasAssignment()) {
      error = llvm::formatv("no assignment at {0} budget {1}: {2}",
                            getBudgetKindName(kind), point.budget,
                            point.result.message);
      return {};
    }
    points.push_back(std::move(point));
  }
  return points;
}
