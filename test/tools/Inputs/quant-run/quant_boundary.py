"""NumPy side of quant-run-quant.test.

  quant_boundary.py gen DIR    writes float and storage inputs
  quant_boundary.py check DIR  checks quant-run's outputs bit for bit against
                               an independent NumPy model of the host-side
                               quantization, the function body and the
                               dequantization
"""
import os
import sys

import numpy as np


def quantize(x, scale, zp, lo, hi):
    """q = clamp(round_half_away_from_zero(x / S) + zp, lo, hi)."""
    v = x.astype(np.float64) / scale
    r = np.sign(v) * np.floor(np.abs(v) + 0.5)
    return np.clip(r + zp, lo, hi)


def gen(d):
    # x / 0.5 hits the .5 ties in both directions (round half away from zero
    # gives 1, -1, 2, -2, 3, -3 where NumPy's np.round would give 0, 0, 2,
    # -2, 2, -2), and the extremes saturate.
    x = np.array([[0.25, -0.25, 0.75, -0.75, 1.25, -1.25],
                  [0.0, 1e9, -1e9, np.inf, -np.inf, 31.0]], np.float32)
    np.save(os.path.join(d, "x.npy"), x)
    # Per-axis input (axis 1, scales 0.5 / 0.25, zero points 128 / 0, u8).
    p = np.array([[-64.0, 0.125], [0.0, 63.75], [63.75, -1.0]], np.float32)
    np.save(os.path.join(d, "p.npy"), p)


def check(d):
    load = lambda n: np.load(os.path.join(d, n + ".npy"))
    x = load("x")
    q_in = quantize(x, 0.5, 3, -128, 127).astype(np.int8)
    with np.errstate(over="ignore"):
        q_out = (q_in * np.int8(2) - np.int8(8)).astype(np.int8)
    deq = ((q_out.astype(np.float64) + 2) * 0.25).astype(np.float32)
    p = load("p")
    scales = np.array([0.5, 0.25])
    zps = np.array([128, 0])
    p_q = quantize(p, scales, zps, 0, 255).astype(np.uint8)
    p_deq = ((p_q.astype(np.float64) - zps) * scales).astype(np.float32)
    checks = [("requant", load("y"), q_out), ("requant --dequantize",
              load("y_deq"), deq), ("per_axis", load("p_out"), p_q),
              ("per_axis --dequantize", load("p_deq"), p_deq)]
    for name, got, want in checks:
        if (got.dtype != want.dtype or got.shape != want.shape
                or got.tobytes() != want.tobytes()):
            sys.exit("%s: got %s %s\n%s\nexpected %s %s\n%s" % (
                name, got.dtype, got.shape, got, want.dtype, want.shape,
                want))
    print("bit-exact outputs: %d of %d" % (len(checks), len(checks)))


if __name__ == "__main__":
    {"gen": gen, "check": check}[sys.argv[1]](sys.argv[2])
