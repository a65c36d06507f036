"""Inputs and the NumPy reference of the entry points of dynamic.mlir.

  dynamic_shapes.py gen DIR    writes x.npy, w.npy, hw.npy (conv), a.npy,
                               b.npy, m.npy (matmul): random, with the int8
                               extremes, and the sizes to slice them to
  dynamic_shapes.py check DIR  compares quant-run's conv.npy, matmul.npy,
                               conv_dynamic_result.npy and
                               matmul_dynamic_result.npy with the qlp.conv2d
                               / qlp.matmul definitions bit for bit (values,
                               dtype and shape)
"""
import os
import sys

import numpy as np

# The attributes of dynamic.mlir.
CONV_X_ZP, CONV_W_ZP = -5, 2
STRIDES = (2, 1)
PADDING = (1, 0, 1, 2)  # top, bottom, left, right
MM_A_ZP, MM_B_ZP = 3, -1


def gen(d):
    rng = np.random.default_rng(20261122)
    x = rng.integers(-128, 128, (1, 9, 7, 16), dtype=np.int8)
    w = rng.integers(-128, 128, (4, 3, 3, 16), dtype=np.int8)
    x[0, 0, :, :] = -128
    x[0, -1, :, :] = 127
    w[0] = -128
    w[3] = 127
    a = rng.integers(-128, 128, (5, 24), dtype=np.int8)
    b = rng.integers(-128, 128, (24, 8), dtype=np.int8)
    a[0, :] = -128
    b[:, 0] = -128
    # The sizes the entry points slice with: the whole of x and of a.
    hw = np.array(x.shape[1:3], np.int64)
    m = np.array(a.shape[:1], np.int64)
    for name, v in dict(x=x, w=w, hw=hw, a=a, b=b, m=m).items():
        np.save(os.path.join(d, name + ".npy"), v)


def conv(x, w):
    top, bottom, left, right = PADDING
    sh, sw = STRIDES
    # Padding holds input_zp, so it contributes exactly zero.
    xp = np.pad(x.astype(np.int64) - CONV_X_ZP,
                ((0, 0), (top, bottom), (left, right), (0, 0)))
    wk = w.astype(np.int64) - CONV_W_ZP  # F x KH x KW x C
    f, kh, kw, _ = w.shape
    oh = (xp.shape[1] - kh) // sh + 1
    ow = (xp.shape[2] - kw) // sw + 1
    y = np.zeros((1, oh, ow, f), np.int64)
    for i in range(oh):
        for j in range(ow):
            window = xp[0, i * sh:i * sh + kh, j * sw:j * sw + kw, :]
            y[0, i, j, :] = np.tensordot(wk, window, axes=([1, 2, 3],
                                                           [0, 1, 2]))
    return y


def check(d):
    load = lambda name: np.load(os.path.join(d, name + ".npy"))
    # The constant weights of @matmul_dynamic_result.
    k, n = np.meshgrid(np.arange(24), np.arange(8), indexing="ij")
    const_b = (7 * (8 * k + n)) % 23 - 11
    a = load("a").astype(np.int64) - MM_A_ZP
    want = {
        "conv": conv(load("x"), load("w")),
        "matmul": a @ (load("b").astype(np.int64) - MM_B_ZP),
        "conv_dynamic_result": conv(load("x"), load("w")),
        "matmul_dynamic_result": a @ (const_b - MM_B_ZP),
    }
    exact = 0
    for name, ref in want.items():
        got = load(name)
        if got.dtype != np.int32 or got.shape != ref.shape:
            print("%s: got %s %s, want int32 %s" % (name, got.dtype,
                                                    got.shape, ref.shape))
            continue
        bad = np.argwhere(got.astype(np.int64) != ref)
        if len(bad):
            i = tuple(bad[0])
            print("%s: %d mismatches, first at %s: got %d, want %d" %
                  (name, len(bad), i, got[i], ref[i]))
            continue
        exact += 1
    print("bit-exact results: %d of %d" % (exact, len(want)))


if __name__ == "__main__":
    {"gen": gen, "check": check}[sys.argv[1]](sys.argv[2])
