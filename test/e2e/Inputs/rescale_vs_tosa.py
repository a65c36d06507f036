#!/usr/bin/env python3
"""Checks qlp.rescale against upstream's lowering of tosa.rescale, bit for bit.

For each TOSA rounding mode (SINGLE_ROUND, DOUBLE_ROUND) and input type
(i32 per channel, i16 and i8 with zero points), writes a TOSA function with
one tosa.rescale and random parameters (shifts from 2 to 62, including 31
and 32 where DOUBLE_ROUND's correction starts), and inputs with edge values:
0, +-1, the extremes of the range where upstream's lowering stays inside the
TOSA specification (a result that fits i32), and exact .5 ties. It runs the
file twice with quant-run: as is (qlp-import-tosa makes it a qlp.rescale,
lowered by quant-lp's reference lowering) and with --float (no quant-lp
pass: upstream's tosa-to-linalg lowering). The outputs must be equal.

Usage: rescale_vs_tosa.py QUANT_RUN WORK_DIR
"""

import os
import subprocess
import sys

import numpy as np

LIMIT = (1 << 31) - 256  # |result before clamping| stays inside i32


def ties(m, s, cap):
    """Inputs x with x * m exactly halfway between two multiples of 2^s."""
    if s == 0 or s > 31 or m % 2 == 0:
        return []
    mod = 1 << s
    x = ((1 << (s - 1)) * pow(m, -1, mod)) % mod
    return [v for v in (x, x - mod, -x, mod - x) if abs(v) <= cap]


def make_case(rng, name, in_bits, channels, rows, mode, in_zp, out_zp):
    in_min, in_max = -(1 << (in_bits - 1)), (1 << (in_bits - 1)) - 1
    mults, shifts = [], []
    x = np.zeros((rows, channels), np.int64)
    for c in range(channels):
        s = int(rng.choice([2, 3, 15, 30, 31, 32, 33, 40, 47, 62]) if c < 20
                else rng.integers(2, 63))
        m = int(rng.integers(1, 1 << 31)) if c % 3 else int(rng.integers(1 << 30, 1 << 31))
        # Largest |x - zp| whose scaled value stays inside i32.
        cap = min(max(in_max - in_zp, in_zp - in_min), (LIMIT << s) // m)
        lo, hi = max(in_min, in_zp - cap), min(in_max, in_zp + cap)
        edge = [in_zp, in_zp + 1, in_zp - 1, lo, hi] + [in_zp + t for t in ties(m, s, cap)]
        col = rng.integers(lo, hi + 1, rows)
        edge = [v for v in edge if lo <= v <= hi][:rows]
        col[:len(edge)] = edge
        x[:, c] = col
        mults.append(m)
        shifts.append(s)
    ity = f"i{in_bits}"
    per_channel = "true"
    text = f"""func.func @{name}(%x: tensor<{rows}x{channels}x{ity}>) -> tensor<{rows}x{channels}xi8> {{
  %m = "tosa.const"() {{values = dense<{mults}> : tensor<{channels}xi32>}} : () -> tensor<{channels}xi32>
  %s = "tosa.const"() {{values = dense<{shifts}> : tensor<{channels}xi8>}} : () -> tensor<{channels}xi8>
  %izp = "tosa.const"() {{values = dense<{in_zp}> : tensor<1x{ity}>}} : () -> tensor<1x{ity}>
  %ozp = "tosa.const"() {{values = dense<{out_zp}> : tensor<1xi8>}} : () -> tensor<1xi8>
  %y = tosa.rescale %x, %m, %s, %izp, %ozp {{scale32 = true, rounding_mode = {mode}, per_channel = {per_channel}, input_unsigned = false, output_unsigned = false}} : (tensor<{rows}x{channels}x{ity}>, tensor<{channels}xi32>, tensor<{channels}xi8>, tensor<1x{ity}>, tensor<1xi8>) -> tensor<{rows}x{channels}xi8>
  return %y : tensor<{rows}x{channels}xi8>
}}
"""
    return text, x.astype({32: np.int32, 16: np.int16, 8: np.int8}[in_bits])


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(" ".join(cmd) + "\n" + result.stdout + result.stderr)
        sys.exit(1)


def main():
    quant_run, work = sys.argv[1:3]
    rng = np.random.default_rng(20251122)
    total = 0
    for mode in ("SINGLE_ROUND", "DOUBLE_ROUND"):
        for in_bits, in_zp, out_zp in ((32, 0, -3), (16, 0, 5), (8, -7, 11)):
            name = f"rescale_i{in_bits}_{mode.lower()}"
            text, x = make_case(rng, name, in_bits, 48, 64, mode, in_zp, out_zp)
            model = os.path.join(work, name + ".mlir")
            xin = os.path.join(work, name + "_x.npy")
            open(model, "w").write(text)
            np.save(xin, x)
            ours = os.path.join(work, name + "_qlp.npy")
            theirs = os.path.join(work, name + "_upstream.npy")
            run([quant_run, model, f"--entry={name}", f"--input={xin}", f"--output={ours}"])
            run([quant_run, model, f"--entry={name}", "--float", f"--input={xin}", f"--output={theirs}"])
            a, b = np.load(ours), np.load(theirs)
            if a.shape != b.shape or not np.array_equal(a, b):
                bad = np.argwhere(a != b)[:5]
                print(f"MISMATCH {name} at {bad.tolist()}: qlp {a[tuple(bad.T)]} upstream {b[tuple(bad.T)]}")
                sys.exit(1)
            total += a.size
    print(f"rescale: {total} of {total} outputs equal upstream's tosa.rescale lowering")


if __name__ == "__main__":
    main()
