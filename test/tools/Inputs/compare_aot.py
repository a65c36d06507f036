"""Compares the outputs the AOT-compiled C program printed (fast kernels and
the forced portable path) with quant-run's JIT result for the same model and
input; prints one summary line per run."""
import sys

import numpy as np


def read_int8_line(path):
    with open(path) as f:
        for line in f:
            if line.startswith("int8:"):
                return np.array([int(v) for v in line.split()[1:]], np.int64)
    sys.exit(f"{path}: no 'int8:' line")


jit = np.load(sys.argv[1]).astype(np.int64).ravel()
for label, path in zip(["fast", "generic"], sys.argv[2:]):
    aot = read_int8_line(path)
    equal = int(np.sum(aot == jit)) if aot.shape == jit.shape else 0
    print(f"aot {label}: {equal} of {jit.size} outputs equal quant-run")
