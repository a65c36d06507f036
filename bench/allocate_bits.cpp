//===- allocate_bits.cpp - Solve time of the bit-allocation ILP ----------===//
//
// Measures how long CBC takes to solve the qlp-allocate-bits program
// (passes/BitAllocation.h) on synthetic networks of 50, 200 and 1000 layers,
// widths {1, 2, 4, 8}, and three budgets at once (size, BOPs, latency), and
// whether it proves optimality within the time limit (else the gap).
//
//   qlp-bench-allocate-bits [--layers=50,200,1000] [--seeds=3]
//                           [--time-limit=60] [--size-frac=0.5]
//                           [--bops-frac=0.4] [--latency-frac=0.45]
//
// The networks are ResNet-like: parameter counts and spatial sizes drawn per
// stage, residual downsample convolutions tied to their block's first
// convolution, omega falling about 4x per extra bit with layer-to-layer
// noise, and a roofline latency (the slower of weight traffic and
// compute, with 1-bit and 4-bit compute faster than 8-bit).
//
//===----------------------------------------------------------------------===//

#include "passes/BitAllocation.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace mlir::qlp;

namespace {

struct Config {
  std::vector<unsigned> layerCounts = {50, 200, 1000};
  unsigned seeds = 3;
  double timeLimit = 60.0;
  double sizeFrac = 0.5, bopsFrac = 0.4, latencyFrac = 0.45;
};

unsigned k(BudgetKind kind) { return static_cast<unsigned>(kind); }

BitAllocationProblem makeNetwork(unsigned numLayers, uint64_t seed,
                                 const Config &config) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  BitAllocationProblem p;
  int nextTie = 0;
  for (unsigned i = 0; i < numLayers; ++i) {
    // Four stages: channels double and the feature map halves per stage.
    unsigned stage = std::min(3u, 4 * i / numLayers);
    double channels = 64.0 * (1 << stage);
    double spatial = 56.0 / (1 << stage);
    double kernel = uniform(0, 1) < 0.7 ? 9.0 : 1.0;
    double params =
        std::round(channels * channels * kernel * uniform(0.5, 1.0));
    double macs = params * spatial * spatial;
    double hessian = std::exp(uniform(-6.0, 0.0));
    double weightScale = uniform(0.5, 2.0);

    BitAllocationLayer layer;
    layer.name = "layer" + std::to_string(i);
    for (unsigned b : {1u, 2u, 4u, 8u}) {
      BitChoice c;
      c.bits = b;
      double err = params * weightScale * std::pow(4.0, -std::log2(b)) *
                   uniform(0.7, 1.3);
      c.omega = hessian * err;
      c.cost[k(BudgetKind::Size)] = params * b;
      c.cost[k(BudgetKind::Bops)] = macs * b * b; // W4A4 / W8A8 pairing
      // Roofline in microseconds: bytes at 1 TB/s vs. ops at a rate that
      // doubles per halving of the width below 8 bits.
      double memory = params * b / 8.0 / 1e6;
      double compute = macs / (1e7 * (8.0 / b));
      c.cost[k(BudgetKind::Latency)] =
          std::max(memory, compute) * uniform(0.9, 1.1) + 0.002;
      layer.choices.push_back(c);
    }
    // Every 8th layer is a downsample tied to the layer before it.
    if (i > 0 && i % 8 == 0) {
      p.layers.back().tieGroup = nextTie;
      layer.tieGroup = nextTie++;
    }
    p.layers.push_back(std::move(layer));
  }
  for (auto [kind, frac] :
       {std::pair{BudgetKind::Size, config.sizeFrac},
        std::pair{BudgetKind::Bops, config.bopsFrac},
        std::pair{BudgetKind::Latency, config.latencyFrac}}) {
    double lo = p.allLowestCost(kind), hi = p.allHighestCost(kind);
    p.budgets[k(kind)] = lo + frac * (hi - lo);
  }
  return p;
}

std::vector<unsigned> parseList(llvm::StringRef text) {
  std::vector<unsigned> values;
  llvm::SmallVector<llvm::StringRef> parts;
  text.split(parts, ',', -1, false);
  for (llvm::StringRef part : parts) {
    unsigned v;
    if (part.getAsInteger(10, v) || v == 0) {
      std::fprintf(stderr, "bad layer count '%s'\n", part.str().c_str());
      std::exit(2);
    }
    values.push_back(v);
  }
  return values;
}

double parseDouble(llvm::StringRef text) {
  double v;
  if (text.getAsDouble(v)) {
    std::fprintf(stderr, "bad number '%s'\n", text.str().c_str());
    std::exit(2);
  }
  return v;
}

} // namespace

int main(int argc, char **argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg(argv[i]), value;
    if (arg.consume_front("--layers="))
      config.layerCounts = parseList(arg);
    else if (arg.consume_front("--seeds="))
      config.seeds = parseList(arg).front();
    else if (arg.consume_front("--time-limit="))
      config.timeLimit = parseDouble(arg);
    else if (arg.consume_front("--size-frac="))
      config.sizeFrac = parseDouble(arg);
    else if (arg.consume_front("--bops-frac="))
      config.bopsFrac = parseDouble(arg);
    else if (arg.consume_front("--latency-frac="))
      config.latencyFrac = parseDouble(arg);
    else {
      std::fprintf(stderr,
                   "usage: %s [--layers=50,200,1000] [--seeds=3] "
                   "[--time-limit=60] [--size-frac=R] [--bops-frac=R] "
                   "[--latency-frac=R]\n",
                   argv[0]);
      return 2;
    }
  }

  std::printf("%s, widths {1,2,4,8}, budgets size-frac=%g bops-frac=%g "
              "latency-frac=%g, time limit %g s\n\n",
              getBitAllocationSolverName().c_str(), config.sizeFrac,
              config.bopsFrac, config.latencyFrac, config.timeLimit);
  std::printf(
      "| layers | binaries | seed | solve s | result         | "
      "objective      | gap       | size used | bops used | lat used |\n");
  std::printf(
      "|-------:|---------:|-----:|--------:|----------------|"
      "---------------:|----------:|----------:|----------:|---------:|\n");
  int failures = 0;
  for (unsigned n : config.layerCounts) {
    for (unsigned s = 0; s < config.seeds; ++s) {
      BitAllocationProblem p = makeNetwork(n, 1000 * n + s, config);
      BitAllocationOptions options;
      options.timeLimitSeconds = config.timeLimit;
      BitAllocationResult r = solveBitAllocation(p, options);
      const char *result = "error";
      switch (r.status) {
      case BitAllocationStatus::Optimal:
        result = "proven optimal";
        break;
      case BitAllocationStatus::Feasible:
        result = "time limit";
        break;
      case BitAllocationStatus::Infeasible:
        result = "infeasible";
        break;
      case BitAllocationStatus::NoSolution:
        result = "no solution";
        break;
      case BitAllocationStatus::Error:
        result = "error";
        break;
      }
      if (!r.hasAssignment()) {
        ++failures;
        std::printf("| %6u | %8u | %4u | %7.3f | %-14s | %14s | %9s | %9s | "
                    "%9s | %8s |\n",
                    n, 4 * n, s, r.solveSeconds, result, "-", "-", "-", "-",
                    "-");
        continue;
      }
      // Fraction of each budget used by the assignment.
      auto used = [&](BudgetKind kind) {
        return p.totalCost(kind, r.assignment) / *p.budgets[k(kind)];
      };
      std::printf("| %6u | %8u | %4u | %7.3f | %-14s | %14.8g | %9.2e | "
                  "%8.4f%% | %8.4f%% | %7.3f%% |\n",
                  n, 4 * n, s, r.solveSeconds, result, r.objective,
                  r.relativeGap(), 100 * used(BudgetKind::Size),
                  100 * used(BudgetKind::Bops),
                  100 * used(BudgetKind::Latency));
    }
  }
  return failures ? 1 : 0;
}
