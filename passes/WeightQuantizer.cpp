//===- WeightQuantizer.cpp - Per-channel symmetric weight quantizer -------===//

#include "passes/WeightQuantizer.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace mlir;
using namespace mlir::qlp;

QuantizedWeights mlir::qlp::quantizeWeightsPerChannel(
    llvm::ArrayRef<double> weights, int64_t numChannels,
    llvm::function_ref<int64_t(int64_t)> channelOf, unsigned bits) {
  assert((bits == 1 || bits == 2 || bits == 4 || bits == 8) &&
         "unsupported weight width");
  QuantizedWeights result;
  result.values.resize(weights.size());
  result.scales.assign(numChannels, 0.0);

  if (bits == 1) {
    std::vector<int64_t> counts(numChannels, 0);
    for (auto [i, w] : llvm::enumerate(weights)) {
      int64_t c = channelOf(i);
      result.scales[c] += std::fabs(w);
      ++counts[c];
    }
    for (int64_t c = 0; c < numChannels; ++c)
      result.scales[c] = counts[c] && result.scales[c] > 0.0
                             ? result.scales[c] / counts[c]
                             : 1.0;
    for (auto [i, w] : llvm::enumerate(weights)) {
      int8_t q = w >= 0.0 ? 1 : -1;
      result.values[i] = q;
      double err = q * result.scales[channelOf(i)] - w;
      result.squaredError += err * err;
    }
    return result;
  }

  const double qmax = static_cast<double>((1 << (bits - 1)) - 1);
  for (auto [i, w] : llvm::enumerate(weights)) {
    double &maxAbs = result.scales[channelOf(i)];
    maxAbs = std::max(maxAbs, std::fabs(w));
  }
  for (double &scale : result.scales)
    scale = scale > 0.0 ? scale / qmax : 1.0;
  for (auto [i, w] : llvm::enumerate(weights)) {
    double scale = result.scales[channelOf(i)];
    // std::round rounds half away from zero.
    double q = std::clamp(std::round(w / scale), -qmax, qmax);
    result.values[i] = static_cast<int8_t>(q);
    double err = q * scale - w;
    result.squaredError += err * err;
  }
  return result;
}
