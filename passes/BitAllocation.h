//===- BitAllocation.h - Mixed-precision bit allocation ILP ------*- C++
//-*-===//
//
// The optimization problem behind qlp-allocate-bits, independent of MLIR so
// that the unit test and the benchmark solve exactly what the pass solves.
//
// Layer i chooses one candidate width b from its choices. Each choice has a
// perturbation omega_i(b) (already multiplied by the Hessian trace) and one
// cost per budget kind: model size in bits, bit operations, latency. The
// integer linear program, with one binary x_{i,b} per layer and choice, is
//
//   minimize    sum_{i,b} omega_i(b) x_{i,b}
//   subject to  sum_b x_{i,b} = 1                          for every layer i
//               sum_{i,b} cost_k(i,b) x_{i,b} <= limit_k    for every budget k
//               x_{i,b} = x_{j,b}                          for tied layers i, j
//
// A pinned layer is a layer with a single choice. The solver is COIN-OR CBC
// (branch and cut); `optimal` is reported only when CBC proved optimality.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_PASSES_BITALLOCATION_H
#define QLP_PASSES_BITALLOCATION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace qlp {

/// The resources a budget can bound.
enum class BudgetKind : unsigned { Size = 0, Bops = 1, Latency = 2 };
constexpr unsigned kNumBudgetKinds = 3;
constexpr std::array<BudgetKind, kNumBudgetKinds> kAllBudgetKinds = {
    BudgetKind::Size, BudgetKind::Bops, BudgetKind::Latency};

/// "size", "bops" or "latency": the option and JSON spelling.
llvm::StringRef getBudgetKindName(BudgetKind kind);
/// Parses getBudgetKindName's spellings.
std::optional<BudgetKind> parseBudgetKind(llvm::StringRef name);

/// Relative tolerance of budget comparisons. An assignment meets a budget
/// `limit` when its cost is at most `limit + kBudgetTolerance * scale`, where
/// `scale` is the larger of |limit| and the largest single cost of that kind
/// (so that a budget of 0 still has a meaningful tolerance). Size and BOPs
/// costs are integers below 2^53 and sums of them are exact in double, so for
/// budgets below 10^9 bits or BOPs this accepts exactly the assignments that
/// meet the budget; it only absorbs the rounding of fractional budgets
/// (`size-frac`, latency tables written in decimal). CBC's own feasibility
/// tolerance is set two orders of magnitude tighter (see BitAllocation.cpp)
/// so that the solver never accepts an assignment this test rejects.
constexpr double kBudgetTolerance = 1e-9;

/// Absolute optimality tolerance of the solver, relative to the largest
/// omega of the problem: CBC's objective is scaled so that the largest omega
/// is 1, and it may stop when its incumbent is within this of the proven
/// bound. Objectives that differ by less than `kObjectiveTolerance *
/// max_omega * number_of_layers` are equal for every purpose of the pass.
constexpr double kObjectiveTolerance = 1e-9;

/// One candidate width of one layer.
struct BitChoice {
  unsigned bits = 8;
  /// hessian_trace * ||Q_b(W) - W||^2; finite and non-negative.
  double omega = 0.0;
  /// Cost per BudgetKind: size in bits, BOPs, latency units. Finite and
  /// non-negative. A cost of a kind that has no budget is ignored.
  std::array<double, kNumBudgetKinds> cost = {0.0, 0.0, 0.0};
};

struct BitAllocationLayer {
  std::string name;
  /// At least one; pinned layers have exactly one.
  std::vector<BitChoice> choices;
  /// Layers with the same non-negative tie group choose the same width.
  int tieGroup = -1;
};

struct BitAllocationProblem {
  std::vector<BitAllocationLayer> layers;
  /// Limit per BudgetKind, in cost units; none where unset.
  std::array<std::optional<double>, kNumBudgetKinds> budgets;

  /// Sum of the costs of kind `kind` of the choices `assignment` (one choice
  /// index per layer).
  double totalCost(BudgetKind kind, llvm::ArrayRef<unsigned> assignment) const;
  /// Sum of the omegas of `assignment`.
  double objective(llvm::ArrayRef<unsigned> assignment) const;
  /// The tolerance of budget `kind` (kBudgetTolerance times its scale).
  double budgetTolerance(BudgetKind kind) const;
  /// Whether `assignment` meets every budget (within budgetTolerance) and
  /// every tie.
  bool isFeasible(llvm::ArrayRef<unsigned> assignment) const;
  /// Cost of kind `kind` with every layer at its lowest / highest width:
  /// the end points of the `-frac` budgets.
  double allLowestCost(BudgetKind kind) const;
  double allHighestCost(BudgetKind kind) const;
  /// Checks the structural invariants (non-empty, ascending distinct widths,
  /// finite non-negative numbers, tie groups with a common width). Returns
  /// an explanation of the first violation, or an empty string.
  std::string validate() const;
};

enum class BitAllocationStatus {
  /// CBC proved the returned assignment optimal.
  Optimal,
  /// A limit stopped CBC with a feasible assignment that is not proven
  /// optimal; `bestBound` bounds how far from optimal it can be.
  Feasible,
  /// CBC proved that no assignment meets the budgets and ties.
  Infeasible,
  /// A limit stopped CBC before it found any feasible assignment.
  NoSolution,
  /// CBC failed (numerical trouble) or returned an assignment that violates
  /// a constraint when checked exactly; `message` says which.
  Error,
};

struct BitAllocationResult {
  BitAllocationStatus status = BitAllocationStatus::Error;
  /// For Optimal and Feasible: the chosen choice index of every layer.
  std::vector<unsigned> assignment;
  /// The minimized quantity of the assignment, recomputed exactly from it
  /// (the sum of omegas, or the cost being minimized).
  double objective = 0.0;
  /// CBC's proven lower bound on the minimized quantity.
  double bestBound = 0.0;
  double solveSeconds = 0.0;
  std::string message;

  bool hasAssignment() const {
    return status == BitAllocationStatus::Optimal ||
           status == BitAllocationStatus::Feasible;
  }
  /// (objective - bestBound) / max(|objective|, 1e-12), at least 0.
  double relativeGap() const;
};

struct BitAllocationOptions {
  /// Wall-clock limit of one CBC solve in seconds; 0 for none.
  double timeLimitSeconds = 0.0;
};

/// "CBC <version>": the solver behind solveBitAllocation, for reports.
std::string getBitAllocationSolverName();

/// Minimizes the sum of omegas subject to the budgets and ties.
BitAllocationResult solveBitAllocation(const BitAllocationProblem &problem,
                                       const BitAllocationOptions &options);

/// Minimizes the total cost of kind `kind` subject to the other budgets and
/// the ties; the budget of `kind` itself, if any, is dropped. This is "the
/// smallest value the budget can take under the other constraints".
BitAllocationResult minimizeBudgetCost(const BitAllocationProblem &problem,
                                       BudgetKind kind,
                                       const BitAllocationOptions &options);

/// One point of a Pareto sweep.
struct ParetoPoint {
  /// The budget of the swept kind at this point, in cost units.
  double budget = 0.0;
  BitAllocationResult result;
};

/// Sweeps the budget of `kind` over `numPoints` evenly spaced values from
/// the smallest feasible cost of `kind` under the other constraints to the
/// cost of `kind` of the optimum without a budget of `kind` (past which the
/// objective cannot improve), and solves at each. The other budgets and the
/// ties stay in force. Returns no points, with `error` set, when the other
/// constraints are infeasible or a solve fails.
std::vector<ParetoPoint>
sweepParetoFrontier(const BitAllocationProblem &problem, BudgetKind kind,
                    unsigned numPoints, const BitAllocationOptions &options,
                    std::string &error);

} // namespace qlp
} // namespace mlir

#endif // QLP_PASSES_BITALLOCATION_H
