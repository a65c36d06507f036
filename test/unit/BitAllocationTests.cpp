//===- BitAllocationTests.cpp - CBC bit allocation vs. enumeration -*- C++
//-*-===//
//
// Checks passes/BitAllocation.{h,cpp} (the ILP that qlp-allocate-bits solves
// with CBC) against enumeration written independently in this file:
//   * a brute force over every assignment, for instances with at most 2^18
//     assignments;
//   * a depth-first enumeration that skips only subtrees that provably hold
//     no better feasible assignment (costs and omegas are non-negative, so a
//     partial sum already over a budget, or a partial objective plus the
//     remaining layers' smallest omegas already above the incumbent, cannot
//     be completed into a better assignment). It reaches 4^16 assignments,
//     and is itself checked against the brute force.
// Objective values are compared, never assignments: random instances often
// have several optimal assignments (the generator makes many omegas equal on
// purpose), and any of them is a correct answer.
//
// The random tests use std::mt19937_64 with a fixed seed, reported in every
// failure message. QLP_BITALLOC_SEED=<n> in the environment varies it.
//
//===----------------------------------------------------------------------===//

#include "passes/BitAllocation.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace mlir::qlp;

namespace {

uint64_t testSeed() {
  if (const char *env = std::getenv("QLP_BITALLOC_SEED"))
    return std::strtoull(env, nullptr, 10);
  return 0x5eed0b17a110c;
}

unsigned kindIndex(BudgetKind kind) { return static_cast<unsigned>(kind); }

//===----------------------------------------------------------------------===//
// Reference enumeration (independent of BitAllocation.cpp except for the
// documented budget tolerance, which defines what "meets a budget" means).
//===----------------------------------------------------------------------===//

struct Reference {
  bool feasible = false;
  double best = std::numeric_limits<double>::infinity();
};

/// The minimized quantity: the omegas, or the cost of one kind.
double termOf(const BitChoice &choice, std::optional<BudgetKind> minimize) {
  return minimize ? choice.cost[kindIndex(*minimize)] : choice.omega;
}

/// Budget limits plus tolerance, as BitAllocation.h documents them; the
/// budget of the minimized kind is dropped.
std::vector<std::pair<unsigned, double>>
activeBudgets(const BitAllocationProblem &p,
              std::optional<BudgetKind> minimize) {
  std::vector<std::pair<unsigned, double>> active;
  for (BudgetKind kind : kAllBudgetKinds) {
    unsigned k = kindIndex(kind);
    if (!p.budgets[k] || (minimize && *minimize == kind))
      continue;
    double scale = std::fabs(*p.budgets[k]);
    for (const BitAllocationLayer &layer : p.layers)
      for (const BitChoice &c : layer.choices)
        scale = std::max(scale, c.cost[k]);
    if (scale <= 0.0)
      scale = 1.0;
    active.push_back({k, *p.budgets[k] + kBudgetTolerance * scale});
  }
  return active;
}

bool tiesHold(const BitAllocationProblem &p, const std::vector<unsigned> &a) {
  std::map<int, unsigned> width;
  for (size_t i = 0; i < a.size(); ++i) {
    int g = p.layers[i].tieGroup;
    if (g < 0)
      continue;
    unsigned bits = p.layers[i].choices[a[i]].bits;
    auto [it, inserted] = width.insert({g, bits});
    if (!inserted && it->second != bits)
      return false;
  }
  return true;
}

/// Every assignment, no pruning at all.
Reference bruteForce(const BitAllocationProblem &p,
                     std::optional<BudgetKind> minimize) {
  auto budgets = activeBudgets(p, minimize);
  Reference ref;
  size_t n = p.layers.size();
  std::vector<unsigned> a(n, 0);
  while (true) {
    bool ok = tiesHold(p, a);
    for (auto [k, limit] : budgets) {
      double total = 0.0;
      for (size_t i = 0; i < n; ++i)
        total += p.layers[i].choices[a[i]].cost[k];
      ok = ok && total <= limit;
    }
    if (ok) {
      double value = 0.0;
      for (size_t i = 0; i < n; ++i)
        value += termOf(p.layers[i].choices[a[i]], minimize);
      ref.feasible = true;
      ref.best = std::min(ref.best, value);
    }
    // Odometer increment.
    size_t i = 0;
    while (i < n && ++a[i] == p.layers[i].choices.size())
      a[i++] = 0;
    if (i == n)
      break;
  }
  return ref;
}

/// Depth-first enumeration with exact pruning (see the file comment).
class PrunedEnumeration {
public:
  PrunedEnumeration(const BitAllocationProblem &p,
                    std::optional<BudgetKind> minimize)
      : p(p), minimize(minimize), budgets(activeBudgets(p, minimize)) {
    size_t n = p.layers.size();
    minTermSuffix.assign(n + 1, 0.0);
    minCostSuffix.assign(budgets.size(), std::vector<double>(n + 1, 0.0));
    for (size_t i = n; i-- > 0;) {
      double minTerm = std::numeric_limits<double>::infinity();
      for (const BitChoice &c : p.layers[i].choices)
        minTerm = std::min(minTerm, termOf(c, minimize));
      minTermSuffix[i] = minTermSuffix[i + 1] + minTerm;
      for (size_t b = 0; b < budgets.size(); ++b) {
        double minCost = std::numeric_limits<double>::infinity();
        for (const BitChoice &c : p.layers[i].choices)
          minCost = std::min(minCost, c.cost[budgets[b].first]);
        minCostSuffix[b][i] = minCostSuffix[b][i + 1] + minCost;
      }
    }
  }

  Reference run() {
    std::vector<double> partialCost(budgets.size(), 0.0);
    visit(0, 0.0, partialCost);
    return ref;
  }

private:
  void visit(size_t i, double partial, std::vector<double> &partialCost) {
    size_t n = p.layers.size();
    if (i == n) {
      ref.feasible = true;
      ref.best = std::min(ref.best, partial);
      return;
    }
    // Only strictly worse subtrees are skipped; the margin covers the
    // rounding of the two ways of summing the same terms.
    if (ref.feasible &&
        partial + minTermSuffix[i] > ref.best + 1e-12 * (1.0 + ref.best))
      return;
    const BitAllocationLayer &layer = p.layers[i];
    for (const BitChoice &c : layer.choices) {
      // A tie already fixed by an earlier layer of the group.
      if (layer.tieGroup >= 0) {
        auto it = tieWidth.find(layer.tieGroup);
        if (it != tieWidth.end() && it->second != c.bits)
          continue;
      }
      bool ok = true;
      for (size_t b = 0; b < budgets.size(); ++b)
        ok = ok && partialCost[b] + c.cost[budgets[b].first] +
                           minCostSuffix[b][i + 1] <=
                       budgets[b].second * (1.0 + 1e-15);
      if (!ok)
        continue;
      for (size_t b = 0; b < budgets.size(); ++b)
        partialCost[b] += c.cost[budgets[b].first];
      bool setsTie = layer.tieGroup >= 0 && !tieWidth.count(layer.tieGroup);
      if (setsTie)
        tieWidth[layer.tieGroup] = c.bits;
      visit(i + 1, partial + termOf(c, minimize), partialCost);
      if (setsTie)
        tieWidth.erase(layer.tieGroup);
      for (size_t b = 0; b < budgets.size(); ++b)
        partialCost[b] -= c.cost[budgets[b].first];
    }
  }

  const BitAllocationProblem &p;
  std::optional<BudgetKind> minimize;
  std::vector<std::pair<unsigned, double>> budgets;
  std::vector<double> minTermSuffix;
  std::vector<std::vector<double>> minCostSuffix;
  std::map<int, unsigned> tieWidth;
  Reference ref;
};

double numAssignments(const BitAllocationProblem &p) {
  double count = 1.0;
  for (const BitAllocationLayer &layer : p.layers)
    count *= layer.choices.size();
  return count;
}

/// A brute force when affordable, otherwise the pruned enumeration.
Reference enumerate(const BitAllocationProblem &p,
                    std::optional<BudgetKind> minimize = std::nullopt) {
  if (numAssignments(p) <= (1 << 18))
    return bruteForce(p, minimize);
  return PrunedEnumeration(p, minimize).run();
}

//===----------------------------------------------------------------------===//
// Random instances shaped like real networks
//===----------------------------------------------------------------------===//

struct InstanceShape {
  unsigned maxLayers = 16;
  unsigned maxWidths = 4;
};

BitAllocationProblem randomProblem(std::mt19937_64 &rng,
                                   InstanceShape shape = {}) {
  auto uniformInt = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto chance = [&](double p) { return uniform(0.0, 1.0) < p; };

  BitAllocationProblem p;
  // Half the instances are near the largest size, where enumeration is
  // hardest and a wrong solver is most likely to show.
  unsigned n = chance(0.5) ? uniformInt(1, shape.maxLayers)
                           : uniformInt(std::max(1u, shape.maxLayers - 4),
                                        shape.maxLayers);
  // The instance's widths: 1 to 4 of {1, 2, 4, 8}.
  std::vector<unsigned> all = {1, 2, 4, 8};
  std::shuffle(all.begin(), all.end(), rng);
  std::vector<unsigned> widths(all.begin(),
                               all.begin() + uniformInt(1, shape.maxWidths));
  std::sort(widths.begin(), widths.end());
  // Small integer omegas make many assignments tie on the objective.
  bool integerOmegas = chance(0.3);
  int numTieGroups = chance(0.4) ? uniformInt(1, 3) : 0;

  for (unsigned i = 0; i < n; ++i) {
    BitAllocationLayer layer;
    layer.name = "l" + std::to_string(i);
    std::vector<unsigned> mine = widths;
    if (chance(0.1)) {
      // Pinned.
      mine = {widths[uniformInt(0, widths.size() - 1)]};
    } else if (widths.size() > 1 && chance(0.2)) {
      // A per-layer subset (qlp.bit_choices).
      std::vector<unsigned> subset;
      for (unsigned w : widths)
        if (chance(0.6))
          subset.push_back(w);
      if (!subset.empty())
        mine = subset;
    }
    double params = uniformInt(1, 5000);
    double macs = params * uniformInt(1, 64);
    double hessian = integerOmegas ? 1.0 : std::exp(uniform(-5.0, 3.0));
    unsigned actBits = chance(0.5) ? 0 : (chance(0.5) ? 8 : 4);
    double latencyBase = uniform(0.01, 2.0);
    for (unsigned b : mine) {
      BitChoice c;
      c.bits = b;
      // Quantization error falls about 4x per added bit pair; noise breaks
      // the pattern so that the greedy order is not always optimal.
      c.omega = integerOmegas
                    ? static_cast<double>(uniformInt(0, 5) * (8 / b))
                    : hessian * params * std::pow(4.0, -std::log2(b)) *
                          uniform(0.5, 1.5);
      c.cost[kindIndex(BudgetKind::Size)] = params * b;
      c.cost[kindIndex(BudgetKind::Bops)] = macs * b * (actBits ? actBits : b);
      c.cost[kindIndex(BudgetKind::Latency)] =
          latencyBase * (0.3 + 0.7 * b / 8.0) * uniform(0.8, 1.2);
      layer.choices.push_back(c);
    }
    if (numTieGroups && chance(0.5))
      layer.tieGroup = uniformInt(0, numTieGroups - 1);
    p.layers.push_back(std::move(layer));
  }

  // 1 to 3 budgets.
  std::vector<BudgetKind> kinds(kAllBudgetKinds.begin(), kAllBudgetKinds.end());
  std::shuffle(kinds.begin(), kinds.end(), rng);
  kinds.resize(uniformInt(1, 3));
  for (BudgetKind kind : kinds) {
    double lo = p.allLowestCost(kind), hi = p.allHighestCost(kind);
    if (kind != BudgetKind::Latency && chance(0.25)) {
      // Exactly the cost of a random assignment: the boundary case.
      double total = 0.0;
      for (const BitAllocationLayer &layer : p.layers)
        total += layer.choices[uniformInt(0, layer.choices.size() - 1)]
                     .cost[kindIndex(kind)];
      p.budgets[kindIndex(kind)] = total;
    } else {
      // Slightly below all-lowest at times, to exercise infeasibility.
      double r = uniform(-0.1, 1.0);
      double limit = lo + r * (hi - lo);
      if (kind != BudgetKind::Latency)
        limit = std::floor(limit);
      p.budgets[kindIndex(kind)] = limit;
    }
  }
  return p;
}

double maxOmega(const BitAllocationProblem &p) {
  double m = 0.0;
  for (const BitAllocationLayer &layer : p.layers)
    for (const BitChoice &c : layer.choices)
      m = std::max(m, c.omega);
  return m;
}

std::string describe(const BitAllocationProblem &p) {
  std::string s = std::to_string(p.layers.size()) + " layers, budgets:";
  for (BudgetKind kind : kAllBudgetKinds)
    if (p.budgets[kindIndex(kind)])
      s += " " + getBudgetKindName(kind).str() + "=" +
           std::to_string(*p.budgets[kindIndex(kind)]);
  return s;
}

bool hasUnsatisfiableTies(const BitAllocationProblem &p) {
  return !p.validate().empty();
}

//===----------------------------------------------------------------------===//
// Tests
//===----------------------------------------------------------------------===//

// The enumerator with pruning must agree with the plain brute force, or it
// cannot stand in for it on the large instances.
TEST(BitAllocationReference, PrunedEnumerationMatchesBruteForce) {
  uint64_t seed = testSeed();
  std::mt19937_64 rng(seed);
  unsigned compared = 0;
  for (unsigned t = 0; compared < 2000 && t < 20000; ++t) {
    BitAllocationProblem p = randomProblem(rng, {9, 4});
    if (hasUnsatisfiableTies(p) || numAssignments(p) > (1 << 18))
      continue;
    Reference brute = bruteForce(p, std::nullopt);
    Reference pruned = PrunedEnumeration(p, std::nullopt).run();
    ASSERT_EQ(brute.feasible, pruned.feasible) << "seed " << seed << ", " << t;
    if (brute.feasible) {
      ASSERT_NEAR(brute.best, pruned.best, 1e-9 * (1.0 + brute.best))
          << "seed " << seed << ", " << t;
    }
    ++compared;
  }
  EXPECT_EQ(compared, 2000u);
}

// The pass's optimum equals the enumerated one on random instances of up to
// 16 layers, 4 widths and 3 budgets: same feasibility, same objective.
TEST(BitAllocation, MatchesExhaustiveEnumeration) {
  constexpr unsigned kInstances = 1500;
  uint64_t seed = testSeed();
  std::mt19937_64 rng(seed);
  unsigned feasible = 0, infeasible = 0, sixteen = 0, multiBudget = 0;
  unsigned compared = 0;
  for (unsigned t = 0; compared < kInstances; ++t) {
    BitAllocationProblem p = randomProblem(rng);
    // Ties without a common width are rejected before solving (the pass
    // diagnoses them); validate() is tested separately below.
    if (hasUnsatisfiableTies(p))
      continue;
    ++compared;
    Reference ref = enumerate(p);
    BitAllocationResult r = solveBitAllocation(p, {});
    std::string where = "seed " + std::to_string(seed) + ", instance " +
                        std::to_string(t) + " (" + describe(p) + ")";
    ASSERT_NE(r.status, BitAllocationStatus::Error)
        << r.message << "; " << where;
    ASSERT_NE(r.status, BitAllocationStatus::Feasible) << where;
    ASSERT_EQ(ref.feasible, r.status == BitAllocationStatus::Optimal) << where;
    if (!ref.feasible) {
      ++infeasible;
      continue;
    }
    ++feasible;
    sixteen += p.layers.size() == 16;
    unsigned numBudgets = 0;
    for (const auto &b : p.budgets)
      numBudgets += b.has_value();
    multiBudget += numBudgets > 1;
    ASSERT_TRUE(p.isFeasible(r.assignment)) << where;
    ASSERT_EQ(r.objective, p.objective(r.assignment)) << where;
    double tolerance =
        kObjectiveTolerance * maxOmega(p) * p.layers.size() + 1e-12;
    ASSERT_NEAR(r.objective, ref.best, tolerance) << where;
  }
  RecordProperty("instances", compared);
  RecordProperty("feasible", feasible);
  RecordProperty("infeasible", infeasible);
  std::printf("compared %u instances with enumeration: %u feasible (objective "
              "equal), %u infeasible (both), %u with 16 layers, %u with 2-3 "
              "budgets\n",
              compared, feasible, infeasible, sixteen, multiBudget);
  EXPECT_GT(infeasible, kInstances / 50);
  EXPECT_GT(feasible, kInstances / 2);
}

// The smallest cost of one kind under the other budgets (the infeasibility
// diagnostic and the Pareto sweep's low end) matches enumeration.
TEST(BitAllocation, MinimizeBudgetCostMatchesEnumeration) {
  uint64_t seed = testSeed() + 1;
  std::mt19937_64 rng(seed);
  unsigned compared = 0;
  for (unsigned t = 0; compared < 400; ++t) {
    BitAllocationProblem p = randomProblem(rng, {12, 4});
    if (hasUnsatisfiableTies(p))
      continue;
    ++compared;
    BudgetKind kind = kAllBudgetKinds[t % kNumBudgetKinds];
    Reference ref = enumerate(p, kind);
    BitAllocationResult r = minimizeBudgetCost(p, kind, {});
    std::string where = "seed " + std::to_string(seed) + ", instance " +
                        std::to_string(t) + " minimizing " +
                        getBudgetKindName(kind).str();
    ASSERT_NE(r.status, BitAllocationStatus::Error)
        << r.message << "; " << where;
    ASSERT_EQ(ref.feasible, r.status == BitAllocationStatus::Optimal) << where;
    if (ref.feasible) {
      ASSERT_NEAR(r.objective, ref.best, 1e-9 * (1.0 + ref.best)) << where;
    }
  }
}

// A hand-checked instance: two layers of 100 and 300 parameters at 4 or 8
// bits, omega 10 / 1 and 6 / 2 (at 4 / 8 bits). A 2800-bit size budget
// admits (8, 4) = 2000 bits with omega 1 + 6 = 7, (4, 8) = 2800 bits with
// 10 + 2 = 12 and (4, 4) = 1600 bits with 16, but not (8, 8) = 3200 bits.
// So (8, 4) wins with 7.
TEST(BitAllocation, HandWorkedOptimum) {
  BitAllocationProblem p;
  auto layer = [](std::string name, double params, double o4, double o8) {
    BitAllocationLayer l;
    l.name = std::move(name);
    for (auto [b, o] : {std::pair<unsigned, double>{4, o4}, {8, o8}}) {
      BitChoice c;
      c.bits = b;
      c.omega = o;
      c.cost[kindIndex(BudgetKind::Size)] = params * b;
      l.choices.push_back(c);
    }
    return l;
  };
  p.layers = {layer("a", 100, 10, 1), layer("b", 300, 6, 2)};
  p.budgets[kindIndex(BudgetKind::Size)] = 2800;
  BitAllocationResult r = solveBitAllocation(p, {});
  ASSERT_EQ(r.status, BitAllocationStatus::Optimal);
  EXPECT_EQ(p.layers[0].choices[r.assignment[0]].bits, 8u);
  EXPECT_EQ(p.layers[1].choices[r.assignment[1]].bits, 4u);
  EXPECT_EQ(r.objective, 7.0);

  // Exactly at the boundary: 1600 bits admits only (4, 4).
  p.budgets[kindIndex(BudgetKind::Size)] = 1600;
  r = solveBitAllocation(p, {});
  ASSERT_EQ(r.status, BitAllocationStatus::Optimal);
  EXPECT_EQ(r.objective, 16.0);
  // One bit less is infeasible, and the smallest size is 1600 bits.
  p.budgets[kindIndex(BudgetKind::Size)] = 1599;
  EXPECT_EQ(solveBitAllocation(p, {}).status, BitAllocationStatus::Infeasible);
  r = minimizeBudgetCost(p, BudgetKind::Size, {});
  ASSERT_EQ(r.status, BitAllocationStatus::Optimal);
  EXPECT_EQ(r.objective, 1600.0);

  // Tied, the layers can only be (4, 4) or (8, 8): 2800 bits forces (4, 4).
  p.layers[0].tieGroup = p.layers[1].tieGroup = 0;
  p.budgets[kindIndex(BudgetKind::Size)] = 2800;
  r = solveBitAllocation(p, {});
  ASSERT_EQ(r.status, BitAllocationStatus::Optimal);
  EXPECT_EQ(r.objective, 16.0);
}

TEST(BitAllocation, ValidateRejectsMalformedProblems) {
  BitAllocationProblem p;
  BitAllocationLayer a;
  a.name = "a";
  a.choices.resize(2);
  a.choices[0].bits = 8;
  a.choices[1].bits = 4;
  p.layers = {a};
  EXPECT_NE(p.validate().find("ascending"), std::string::npos);
  p.layers[0].choices[0].bits = 2;
  EXPECT_EQ(p.validate(), "");
  p.layers[0].choices[0].omega = std::nan("");
  EXPECT_NE(p.validate().find("omega"), std::string::npos);
  p.layers[0].choices[0].omega = 0.0;
  // Tied layers without a common width.
  BitAllocationLayer b;
  b.name = "b";
  b.choices.resize(1);
  b.choices[0].bits = 8;
  p.layers.push_back(b);
  p.layers[0].tieGroup = p.layers[1].tieGroup = 3;
  EXPECT_NE(p.validate().find("no width in common"), std::string::npos);
  EXPECT_EQ(solveBitAllocation(p, {}).status, BitAllocationStatus::Error);
}

// The Pareto sweep starts at the smallest feasible budget, ends where the
// objective stops improving, and its objective never increases.
TEST(BitAllocation, ParetoSweepIsMonotone) {
  uint64_t seed = testSeed() + 2;
  std::mt19937_64 rng(seed);
  for (unsigned t = 0; t < 30; ++t) {
    BitAllocationProblem p = randomProblem(rng, {10, 4});
    if (hasUnsatisfiableTies(p))
      continue;
    BudgetKind kind = kAllBudgetKinds[t % kNumBudgetKinds];
    p.budgets = {};
    std::string error;
    std::vector<ParetoPoint> points =
        sweepParetoFrontier(p, kind, 7, {}, error);
    ASSERT_EQ(points.size(), 7u) << error;
    Reference low = enumerate(p, kind);
    EXPECT_NEAR(points.front().budget, low.best, 1e-9 * (1.0 + low.best));
    Reference unbounded = enumerate(p);
    EXPECT_NEAR(points.back().result.objective, unbounded.best,
                1e-9 * (1.0 + unbounded.best));
    for (size_t i = 1; i < points.size(); ++i) {
      EXPECT_GE(points[i].budget, points[i - 1].budget);
      EXPECT_LE(points[i].result.objective,
                points[i - 1].result.objective + 1e-9 * (1 + maxOmega(p)));
    }
  }
}

} // namespace
