#!/usr/bin/env python3
"""An independent NumPy model of the integer program quant-lp makes of
examples/cnn.mlir, for bit-exact comparison.

It re-derives every integer from the float parameters (cnn.weights.npz) and
the calibration ranges, following the documented semantics of the passes
and ops rather than the compiler's code:

  * batch norm folded in double, rounded to float32 (qlp-fold-batchnorm);
  * weights per output channel, symmetric, S = max|W| / 127, rounding half
    away from zero; activations per tensor over [min(lo, 0), max(hi, 0)],
    S = (hi - lo) / 255, zp = -128 - round(lo / S); bias round(b / (S_w S_x))
    (qlp-quantize);
  * requantization ratios as dyadic numbers, power-of-two ratios as pure
    shifts, ReLU as clamp bounds (qlp-fold-scales);
  * qlp.conv2d / matmul / rescale / add / max_pool2d / avg_pool2d as their
    op descriptions define them, in exact Python integers.

Usage: cnn_reference.py WEIGHTS.npz RANGES.json INPUT.npy OUTPUT.npy
           [--rounding=single_round|double_round]
INPUT is float32 (quantized here with the input's range) or int8.
"""

import json
import math
import sys

import numpy as np


def round_half_away(x):
    """Rounds half away from zero, elementwise, in double."""
    x = np.asarray(x, np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def act_params(lo, hi, bits=8):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / float((1 << bits) - 1)
    qmin = -(1 << (bits - 1))
    zp = int(qmin - round_half_away(lo / scale))
    return scale, max(qmin, min((1 << (bits - 1)) - 1, zp))


def quantize_weight(w, channel_axis):
    """Per-output-channel symmetric 8-bit quantization."""
    w = np.asarray(w, np.float64)
    moved = np.moveaxis(w, channel_axis, 0)
    max_abs = np.abs(moved.reshape(moved.shape[0], -1)).max(axis=1)
    scales = np.where(max_abs > 0, max_abs / 127.0, 1.0)
    shape = [1] * w.ndim
    shape[channel_axis] = -1
    q = np.clip(round_half_away(w / scales.reshape(shape)), -127, 127)
    return q.astype(np.int64), scales


def dyadic(ratio):
    """The dyadic number m * 2^-s that qlp-fold-scales uses for a ratio."""
    mant, exp = math.frexp(ratio)
    if mant == 0.5:  # a power of two: a pure shift
        power = exp - 1
        if power <= 0:
            return 1, -power
        return 1 << power, 0
    shift = 31 - exp
    if shift <= 62:
        m = int(round_half_away(math.ldexp(mant, 31)))
        if m == 1 << 31:
            if shift == 0:
                m = (1 << 31) - 1
            else:
                m, shift = 1 << 30, shift - 1
        return m, shift
    return int(round_half_away(math.ldexp(ratio, 62))), 62


def apply_dyadic(x, m, s, mode):
    """round(x * m / 2^s) by the rounding mode, exactly (Python ints)."""
    p = x * m
    if s == 0:
        return p
    c = 0
    if mode == "double_round" and s > 31:
        c = (1 << 30) if x >= 0 else -(1 << 30)
    return (p + (1 << (s - 1)) + c) >> s


def rescale(acc, in_zp, dyadics, out_zp, lo, hi, mode):
    """qlp.rescale with per-channel (last axis) dyadic scales."""
    out = np.empty(acc.shape, np.int64)
    flat, res = acc.reshape(-1, acc.shape[-1]), out.reshape(-1, acc.shape[-1])
    for c, (m, s) in enumerate(dyadics):
        for i in range(flat.shape[0]):
            v = apply_dyadic(int(flat[i, c]) - in_zp, m, s, mode) + out_zp
            res[i, c] = min(max(v, lo), hi)
    return out


def conv(x, x_zp, w_q, bias, stride, pad):
    """qlp.conv2d: NHWC input, FHWC weight, padding holds the zero point."""
    t, b, l, r = pad
    xp = np.pad(x - x_zp, ((0, 0), (t, b), (l, r), (0, 0)))
    n, h, wd, _ = x.shape
    f, kh, kw, _ = w_q.shape
    oh = (h + t + b - kh) // stride + 1
    ow = (wd + l + r - kw) // stride + 1
    out = np.zeros((n, oh, ow, f), np.int64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.einsum("nhwc,fhwc->nf", patch, w_q)
    assert np.abs(out).max() < 2**31
    return out + bias


def avg_pool_2x2(x, zp):
    """TOSA AVG_POOL2D over whole 2x2 windows (count 4)."""
    n, h, w, c = x.shape
    acc = (x - zp).reshape(n, h // 2, 2, w // 2, 2, c).sum(axis=(2, 4))
    count = 4
    k = (count - 1).bit_length()
    m = (((1 << 30) + 1) << k) // count
    out = np.vectorize(lambda a: (int(a) * m + (1 << (29 + k))) >> (30 + k))(acc)
    return np.clip(out + zp, -128, 127)


class Layer:
    """A folded float layer and its quantized form."""

    def __init__(self, w, g, h, bias=None):
        w = np.asarray(w, np.float32)
        g64, h64 = np.asarray(g, np.float64), np.asarray(h, np.float64)
        f = w.shape[0]
        b = np.zeros(f) if bias is None else np.asarray(bias, np.float64)
        # qlp-fold-batchnorm: W' = W * g, b' = b * g + h, in double, stored
        # as float32.
        self.w = (w.astype(np.float64) * g64.reshape(f, 1, 1, 1)).astype(np.float32)
        self.b = (b * g64 + h64).astype(np.float32)
        self.w_q, self.w_s = quantize_weight(self.w, 0)

    def run(self, x, x_scale, x_zp, stride, pad):
        acc_scales = self.w_s * x_scale
        bias = round_half_away(self.b.astype(np.float64) / acc_scales).astype(np.int64)
        return conv(x, x_zp, self.w_q, bias, stride, pad), acc_scales


def requant(acc, acc_scales, out_scale, out_zp, mode, relu=False):
    dy = [dyadic(s / out_scale) for s in acc_scales]
    lo = out_zp if relu else -128
    return rescale(acc, 0, dy, out_zp, max(lo, -128), 127, mode)


def main():
    weights, ranges_path, input_path, output_path = sys.argv[1:5]
    mode = "single_round"
    for arg in sys.argv[5:]:
        if arg.startswith("--rounding="):
            mode = arg.split("=", 1)[1]
    p = np.load(weights)
    ranges = json.load(open(ranges_path))
    act = {k: act_params(*v) for k, v in ranges.items()}

    x = np.load(input_path)
    s_in, z_in = act["input"]
    if x.dtype == np.float32:
        x = np.clip(round_half_away(x.astype(np.float64) / s_in) + z_in, -128, 127)
    x = x.astype(np.int64)

    # conv1 + BN + ReLU, max pool 2x2.
    conv1 = Layer(p["conv1_w"], p["conv1_g"], p["conv1_h"])
    acc, sc = conv1.run(x, s_in, z_in, 1, (1, 1, 1, 1))
    s1, z1 = act["conv1.relu"]
    y = requant(acc, sc, s1, z1, mode, relu=True)
    n, h, w, c = y.shape
    y = y.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))

    # Residual block.
    conva = Layer(p["conva_w"], p["conva_g"], p["conva_h"])
    acc, sc = conva.run(y, s1, z1, 2, (1, 0, 1, 0))
    sa, za = act["block.conv_a.relu"]
    a = requant(acc, sc, sa, za, mode, relu=True)
    convb = Layer(p["convb_w"], p["convb_g"], p["convb_h"])
    acc, sc = convb.run(a, sa, za, 1, (1, 1, 1, 1))
    sb, zb = act["block.conv_b.bn"]
    b = requant(acc, sc, sb, zb, mode)
    down = Layer(p["down_w"], p["down_g"], p["down_h"])
    acc, sc = down.run(y, s1, z1, 2, (0, 0, 0, 0))
    sd, zd = act["block.down.bn"]
    d = requant(acc, sc, sd, zd, mode)
    # qlp.add: each input aligned to the output scale by its own rescale.
    sr, zr = act["block.relu"]
    mb, shb = dyadic(sb / sr)
    md, shd = dyadic(sd / sr)
    r = np.vectorize(lambda u, v: min(max(
        apply_dyadic(int(u) - zb, mb, shb, mode) +
        apply_dyadic(int(v) - zd, md, shd, mode) + zr, max(zr, -128)), 127))(b, d)

    # Global average pooling, classifier.
    pooled = avg_pool_2x2(r, zr).reshape(1, 16)
    w_q, w_s = quantize_weight(np.asarray(p["fc_w"], np.float32), 1)
    acc_scales = w_s * sr
    bias = round_half_away(np.asarray(p["fc_b"], np.float32).astype(np.float64) /
                           acc_scales).astype(np.int64)
    acc = (pooled - zr) @ w_q + bias
    sf, zf = act["fc"]
    out = requant(acc.reshape(1, 1, 10), acc_scales, sf, zf, mode)
    np.save(output_path, out.astype(np.int8))


if __name__ == "__main__":
    main()
