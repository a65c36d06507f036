"""Inputs and the NumPy reference of int-program.mlir's @main.

  int_program.py gen DIR    writes a.npy ... s.npy (random, with edge values)
  int_program.py check DIR  compares quant-run's r0.npy ... r4.npy with NumPy
                            bit for bit (values, dtype and shape)
"""
import os
import sys

import numpy as np


def gen(d):
    rng = np.random.default_rng(20240611)
    a = rng.integers(-128, 128, (4, 8), dtype=np.int8)
    b = rng.integers(-128, 128, (8, 3), dtype=np.int8)
    # Edge values: the extremes of int8 meet in the matmul.
    a[0, :] = -128
    b[:, 0] = -128
    a[3, :] = 127
    b[:, 2] = 127
    c = rng.integers(-32768, 32768, (2, 3, 4), dtype=np.int16)
    e = rng.integers(-32768, 32768, (2, 3, 4), dtype=np.int16)
    c.flat[:4] = [-32768, 32767, 32767, -32768]
    e.flat[:4] = [-1, 1, 32767, -32768]
    s = np.array(3037000500, dtype=np.int64)  # s * s wraps past 2^63
    for name, v in dict(a=a, b=b, c=c, d=e, s=s).items():
        np.save(os.path.join(d, name + ".npy"), v)


def check(d):
    load = lambda n: np.load(os.path.join(d, n + ".npy"))
    a, b, c, e, s = (load(n) for n in "abcds")
    with np.errstate(over="ignore"):
        expected = [
            a.astype(np.int32) @ b.astype(np.int32),
            ((c + e) - c) * c,  # int16 arithmetic wraps, as arith's does
            c < e,
            np.array((int(s) * int(s) + 2**63) % 2**64 - 2**63, np.int64),
            a[1:4, 2:6],
        ]
    for i, want in enumerate(expected):
        got = load("r%d" % i)
        if got.dtype != want.dtype or got.shape != want.shape:
            sys.exit("result %d: got %s %s, expected %s %s"
                     % (i, got.dtype, got.shape, want.dtype, want.shape))
        if got.tobytes() != want.tobytes():
            sys.exit("result %d differs:\n%s\nexpected:\n%s" % (i, got, want))
    print("bit-exact results: %d of %d" % (len(expected), len(expected)))


if __name__ == "__main__":
    {"gen": gen, "check": check}[sys.argv[1]](sys.argv[2])
