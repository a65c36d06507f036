#!/usr/bin/env python3
"""Drives the end-to-end check of examples/cnn.mlir.

For each of several inputs (random, beyond the calibration range, all zero,
and the bundled one) and each rounding mode, runs
  * quant-run on the float model with calibration (the integer program),
  * the independent NumPy integer model (cnn_reference.py),
  * quant-run --float on the float model,
and requires the integer program to equal the NumPy model bit for bit. It
then reports the integer program's error against the float model, in the
output's real units: max and mean absolute error over all outputs.

Usage: check_cnn.py QUANT_RUN EXAMPLES_DIR WORK_DIR
"""

import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(" ".join(cmd) + "\n" + result.stdout + result.stderr)
        sys.exit(1)
    return result.stdout


def main():
    quant_run, examples, work = sys.argv[1:4]
    model = os.path.join(examples, "cnn.mlir")
    ranges = os.path.join(examples, "cnn.calibration.json")
    weights = os.path.join(examples, "cnn.weights.npz")
    rng = np.random.default_rng(7)
    inputs = [np.load(os.path.join(examples, "cnn_input.npy")),
              np.zeros((1, 8, 8, 3), np.float32),
              rng.uniform(-1.5, 1.5, (1, 8, 8, 3)).astype(np.float32)]
    inputs += [rng.uniform(-1.0, 1.0, (1, 8, 8, 3)).astype(np.float32) for _ in range(5)]

    lo, hi = json.load(open(ranges))["fc"]
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0
    zp = -128 - np.sign(lo / scale) * np.floor(abs(lo / scale) + 0.5)

    compared = 0
    errors = []
    for mode in ("single_round", "double_round"):
        for i, x in enumerate(inputs):
            xin = os.path.join(work, f"x{i}.npy")
            np.save(xin, x)
            got = os.path.join(work, f"int_{mode}_{i}.npy")
            ref = os.path.join(work, f"ref_{mode}_{i}.npy")
            run([quant_run, model, "--entry=cnn", f"--calibration={ranges}",
                 f"--rounding={mode}", f"--input={xin}", f"--output={got}"])
            run([sys.executable, os.path.join(HERE, "cnn_reference.py"), weights,
                 ranges, xin, ref, f"--rounding={mode}"])
            a, b = np.load(got), np.load(ref)
            if a.dtype != np.int8 or a.shape != b.shape or not np.array_equal(a, b):
                print(f"MISMATCH input {i} ({mode}):\n  quant-run {a.ravel()}\n  numpy     {b.ravel()}")
                sys.exit(1)
            compared += a.size
            if mode == "single_round":
                flt = os.path.join(work, f"float_{i}.npy")
                run([quant_run, model, "--entry=cnn", "--float", f"--input={xin}",
                     f"--output={flt}"])
                real = (a.astype(np.float64) - zp) * scale
                errors.append(np.abs(real - np.load(flt).astype(np.float64)))
    errors = np.concatenate([e.ravel() for e in errors])
    print(f"bit-exact: {compared} of {compared} int8 outputs equal the NumPy "
          f"integer model ({len(inputs)} inputs x 2 rounding modes)")
    print(f"float error: max {errors.max():.4f} mean {errors.mean():.4f} "
          f"(output scale {scale:.4f}, range [{lo:.3f}, {hi:.3f}])")


if __name__ == "__main__":
    main()
