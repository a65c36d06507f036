//===- WeightQuantizer.h - Per-channel symmetric weight quantizer -*- C++ -*-===//
//
// The one weight quantizer of quant-lp. qlp-quantize uses it to produce the
// integer weights, and qlp-allocate-bits uses it to measure the perturbation
// ||Q_b(W) - W||^2 of each candidate width, so both agree by construction.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_PASSES_WEIGHTQUANTIZER_H
#define QLP_PASSES_WEIGHTQUANTIZER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <vector>

namespace mlir {
namespace qlp {

/// The result of quantizing a weight tensor per output channel.
struct QuantizedWeights {
  /// One integer per weight, in the order of the input. For widths 2..8 in
  /// [-(2^(b-1) - 1), 2^(b-1) - 1]; for width 1 (binary) -1 or +1.
  std::vector<int8_t> values;
  /// One real scale per channel: W ~= values * scales[channel]. Always
  /// finite and positive (an all-zero channel gets scale 1 and values 0).
  std::vector<double> scales;
  /// ||Q_b(W) - W||^2: the sum over all weights of
  /// (values[i] * scales[channel(i)] - W[i])^2.
  double squaredError = 0.0;
};

/// Quantizes `weights` per output channel at `bits` (1, 2, 4 or 8).
/// `channelOf(i)` gives the output channel, in [0, numChannels), of the
/// weight at flat index `i`.
///
/// Widths 2..8 are symmetric and narrow-range: S[c] = max|W[c]| / qmax with
/// qmax = 2^(b-1) - 1, q = clamp(round(W / S[c]), -qmax, qmax), rounding half
/// away from zero. Width 1 is XNOR-Net's binarization: q = sign(W) (+1 for
/// W >= 0) and S[c] = mean|W[c]|, the scale that minimizes the error of a
/// sign code.
///
/// The weights must be finite; callers diagnose non-finite weights first.
QuantizedWeights
quantizeWeightsPerChannel(llvm::ArrayRef<double> weights, int64_t numChannels,
                          llvm::function_ref<int64_t(int64_t)> channelOf,
                          unsigned bits);

} // namespace qlp
} // namespace mlir

#endif // QLP_PASSES_WEIGHTQUANTIZER_H
