#!/usr/bin/env python3
"""An independent NumPy model of the integer program quant-lp makes of
examples/cnn.mlir when some or all of its layers are binary (1-bit weights
and 1-bit input activations), for bit-exact comparison.

The int8 layers, requantizations, residual add and pooling are those of
cnn_reference.py (imported). A binary layer follows the qlp-quantize
description (passes/Passes.td) and the qlp op definitions, re-derived here
rather than taken from the compiler:

  * the layer's 8-bit input q (scale S, zero point z) is binarized:
    +1 where q >= z, else -1 (qlp.binarize threshold z);
  * beta = E|x| for x uniform over [lo, hi] = [(-128 - z) S, (127 - z) S]:
    (lo^2 + hi^2) / (2 (hi - lo));
  * weights sign(W) (+1 for W >= 0) with alpha[c] = mean|W[c]| per output
    channel, the sum taken in the weights' memory order as the pass does;
  * the binary convolution pads with +1 (qlp.binary_conv2d pad_value);
  * accumulator scale alpha[c] * beta; bias round(b / (alpha[c] * beta))
    added to the accumulator; requantized like an int8 layer's accumulator.

Usage: cnn_binary_reference.py WEIGHTS.npz RANGES.json INPUT.npy OUTPUT.npy
           [--rounding=single_round|double_round] [--binary=LAYERS]
LAYERS is a comma-separated subset of conv1,conva,convb,down,fc (default:
all of them, i.e. quant-run --weight-bits=1 --act-bits=1).
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cnn_reference import (Layer, act_params, apply_dyadic, avg_pool_2x2,  # noqa: E402
                           dyadic, quantize_weight, requant, round_half_away)

ALL_LAYERS = ("conv1", "conva", "convb", "down", "fc")


def binarize(q, zp):
    """qlp.binarize with threshold zp: +1 / -1."""
    return np.where(q >= zp, 1, -1).astype(np.int64)


def beta(scale, zp):
    """XNOR-Net's activation scale over the range the i8 activation holds."""
    lo = float(-128 - zp) * scale
    hi = float(127 - zp) * scale
    return (lo * lo + hi * hi) / (2.0 * (hi - lo))


def alpha(blocks):
    """mean|w| of each channel's weights (a list of 1-D float32 arrays),
    summed left to right in double as qlp-quantize does."""
    out = []
    for block in blocks:
        total = 0.0
        for v in block:
            total += abs(float(v))
        out.append(total / len(block) if total > 0.0 else 1.0)
    return np.array(out)


def sign(w):
    return np.where(np.asarray(w) >= 0, 1, -1).astype(np.int64)


def binary_conv(xb, wb, stride, pad):
    """qlp.binary_conv2d: NHWC +-1 input, FHWC +-1 weight, padding +1."""
    t, b, l, r = pad
    xp = np.pad(xb, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=1)
    n, h, wd, _ = xb.shape
    f, kh, kw, _ = wb.shape
    oh = (h + t + b - kh) // stride + 1
    ow = (wd + l + r - kw) // stride + 1
    out = np.zeros((n, oh, ow, f), np.int64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.einsum("nhwc,fhwc->nf", patch, wb)
    return out


class ConvLayer(Layer):
    """A folded conv + batch norm layer, int8 (cnn_reference.Layer) or
    binary."""

    def __init__(self, w, g, h, binary):
        super().__init__(w, g, h)
        self.binary = binary
        if binary:
            f = self.w.shape[0]
            self.w_b = sign(self.w)
            self.alpha = alpha([self.w[c].ravel() for c in range(f)])

    def run(self, x, x_scale, x_zp, stride, pad):
        if not self.binary:
            return super().run(x, x_scale, x_zp, stride, pad)
        acc_scales = self.alpha * beta(x_scale, x_zp)
        bias = round_half_away(self.b.astype(np.float64) / acc_scales).astype(np.int64)
        acc = binary_conv(binarize(x, x_zp), self.w_b, stride, pad)
        assert np.abs(acc + bias).max() < 2**31
        return acc + bias, acc_scales


def main():
    weights, ranges_path, input_path, output_path = sys.argv[1:5]
    mode = "single_round"
    binary = set(ALL_LAYERS)
    for arg in sys.argv[5:]:
        if arg.startswith("--rounding="):
            mode = arg.split("=", 1)[1]
        elif arg.startswith("--binary="):
            binary = set(filter(None, arg.split("=", 1)[1].split(",")))
            assert binary <= set(ALL_LAYERS), binary
    p = np.load(weights)
    ranges = json.load(open(ranges_path))
    act = {k: act_params(*v) for k, v in ranges.items()}

    x = np.load(input_path)
    s_in, z_in = act["input"]
    if x.dtype == np.float32:
        x = np.clip(round_half_away(x.astype(np.float64) / s_in) + z_in, -128, 127)
    x = x.astype(np.int64)

    def conv(name):
        return ConvLayer(p[name + "_w"], p[name + "_g"], p[name + "_h"], name in binary)

    # conv1 + BN + ReLU, max pool 2x2.
    acc, sc = conv("conv1").run(x, s_in, z_in, 1, (1, 1, 1, 1))
    s1, z1 = act["conv1.relu"]
    y = requant(acc, sc, s1, z1, mode, relu=True)
    n, h, w, c = y.shape
    y = y.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))

    # Residual block.
    acc, sc = conv("conva").run(y, s1, z1, 2, (1, 0, 1, 0))
    sa, za = act["block.conv_a.relu"]
    a = requant(acc, sc, sa, za, mode, relu=True)
    acc, sc = conv("convb").run(a, sa, za, 1, (1, 1, 1, 1))
    sb, zb = act["block.conv_b.bn"]
    b = requant(acc, sc, sb, zb, mode)
    acc, sc = conv("down").run(y, s1, z1, 2, (0, 0, 0, 0))
    sd, zd = act["block.down.bn"]
    d = requant(acc, sc, sd, zd, mode)
    sr, zr = act["block.relu"]
    mb, shb = dyadic(sb / sr)
    md, shd = dyadic(sd / sr)
    r = np.vectorize(lambda u, v: min(max(
        apply_dyadic(int(u) - zb, mb, shb, mode) +
        apply_dyadic(int(v) - zd, md, shd, mode) + zr, max(zr, -128)), 127))(b, d)

    # Global average pooling, classifier.
    pooled = avg_pool_2x2(r, zr).reshape(1, 16)
    fc_w = np.asarray(p["fc_w"], np.float32)  # [K, N]
    fc_b = np.asarray(p["fc_b"], np.float32).astype(np.float64)
    if "fc" in binary:
        acc_scales = alpha([fc_w[:, j] for j in range(fc_w.shape[1])]) * beta(sr, zr)
        bias = round_half_away(fc_b / acc_scales).astype(np.int64)
        acc = binarize(pooled, zr) @ sign(fc_w) + bias
    else:
        w_q, w_s = quantize_weight(fc_w, 1)
        acc_scales = w_s * sr
        bias = round_half_away(fc_b / acc_scales).astype(np.int64)
        acc = (pooled - zr) @ w_q + bias
    sf, zf = act["fc"]
    out = requant(acc.reshape(1, 1, 10), acc_scales, sf, zf, mode)
    np.save(output_path, out.astype(np.int8))


if __name__ == "__main__":
    main()
