"""A small float CNN in TOSA and its NumPy reference, for `quant-run --float`.

  tosa_float.py gen DIR    writes DIR/model.mlir and DIR/x.npy
  tosa_float.py check DIR  compares DIR/y.npy with the float64 NumPy model

conv2d 3x3 (pad 1) + bias -> ReLU (clamp) -> max_pool2d 2x2 -> a residual
tosa.mul/tosa.add -> avg_pool2d 4x4 -> reshape -> matmul (fully connected) +
bias -> sigmoid. float32 kernels sum in a different order than NumPy, so the
comparison allows a relative error of 1e-5 (plus 1e-6 absolute).
"""
import os
import sys

import numpy as np

RNG_SEED = 7


def weights():
    rng = np.random.default_rng(RNG_SEED)
    w = (rng.standard_normal((4, 3, 3, 3)) * 0.5).astype(np.float32)  # OHWI
    b = (rng.standard_normal(4) * 0.1).astype(np.float32)
    scale = (rng.uniform(0.5, 1.5, (1, 1, 1, 4))).astype(np.float32)
    fw = (rng.standard_normal((1, 4, 5)) * 0.5).astype(np.float32)
    fb = (rng.standard_normal((1, 5)) * 0.1).astype(np.float32)
    x = rng.standard_normal((1, 8, 8, 3)).astype(np.float32)
    return w, b, scale, fw, fb, x


def dense(a):
    """An MLIR dense literal of a float32 array."""
    def rec(v):
        if v.ndim == 0:
            return repr(float(v))
        return "[" + ", ".join(rec(s) for s in v) + "]"
    return "dense<%s>" % rec(a)


def ttype(shape):
    return "tensor<%sxf32>" % "x".join(str(d) for d in shape)


def gen(d):
    w, b, scale, fw, fb, x = weights()
    model = f"""
func.func @net(%x: tensor<1x8x8x3xf32>) -> tensor<1x5xf32> {{
  %w = "tosa.const"() {{values = {dense(w)} : {ttype(w.shape)}}} : () -> {ttype(w.shape)}
  %b = "tosa.const"() {{values = {dense(b)} : {ttype(b.shape)}}} : () -> {ttype(b.shape)}
  %s = "tosa.const"() {{values = {dense(scale)} : {ttype(scale.shape)}}} : () -> {ttype(scale.shape)}
  %fw = "tosa.const"() {{values = {dense(fw)} : {ttype(fw.shape)}}} : () -> {ttype(fw.shape)}
  %fb = "tosa.const"() {{values = {dense(fb)} : {ttype(fb.shape)}}} : () -> {ttype(fb.shape)}
  %zp = "tosa.const"() {{values = dense<0.0> : tensor<1xf32>}} : () -> tensor<1xf32>
  %shift = "tosa.const"() {{values = dense<0> : tensor<1xi8>}} : () -> tensor<1xi8>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {{acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}}
      : (tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x4xf32>
  %r = tosa.clamp %c {{min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32}} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  %p = tosa.max_pool2d %r {{kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>}}
      : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  %m = tosa.mul %p, %s, %shift : (tensor<1x4x4x4xf32>, tensor<1x1x1x4xf32>, tensor<1xi8>) -> tensor<1x4x4x4xf32>
  %res = tosa.add %p, %m : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %g = tosa.avg_pool2d %res, %zp, %zp {{acc_type = f32, kernel = array<i64: 4, 4>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>}}
      : (tensor<1x4x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %shape3 = tosa.const_shape {{values = dense<[1, 1, 4]> : tensor<3xindex>}} : () -> !tosa.shape<3>
  %f = tosa.reshape %g, %shape3 : (tensor<1x1x1x4xf32>, !tosa.shape<3>) -> tensor<1x1x4xf32>
  %mm = tosa.matmul %f, %fw, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x5xf32>
  %shape2 = tosa.const_shape {{values = dense<[1, 5]> : tensor<2xindex>}} : () -> !tosa.shape<2>
  %flat = tosa.reshape %mm, %shape2 : (tensor<1x1x5xf32>, !tosa.shape<2>) -> tensor<1x5xf32>
  %logits = tosa.add %flat, %fb : (tensor<1x5xf32>, tensor<1x5xf32>) -> tensor<1x5xf32>
  %y = tosa.sigmoid %logits : (tensor<1x5xf32>) -> tensor<1x5xf32>
  return %y : tensor<1x5xf32>
}}
"""
    with open(os.path.join(d, "model.mlir"), "w") as f:
        f.write(model)
    np.save(os.path.join(d, "x.npy"), x)


def reference():
    w, b, scale, fw, fb, x = (a.astype(np.float64) for a in weights())
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    c = np.zeros((1, 8, 8, 4))
    for i in range(8):
        for j in range(8):
            patch = xp[0, i:i + 3, j:j + 3, :]
            c[0, i, j, :] = np.tensordot(w, patch, axes=([1, 2, 3], [0, 1, 2]))
    c += b
    r = np.maximum(c, 0)
    p = r.reshape(1, 4, 2, 4, 2, 4).max(axis=(2, 4))
    res = p + p * scale
    g = res.mean(axis=(1, 2))  # 1x4
    logits = g @ fw[0] + fb
    return 1 / (1 + np.exp(-logits))


def check(d):
    y = np.load(os.path.join(d, "y.npy"))
    want = reference()
    if y.dtype != np.float32 or y.shape != want.shape:
        sys.exit("got %s %s, expected float32 %s" % (y.dtype, y.shape,
                                                     want.shape))
    err = np.abs(y.astype(np.float64) - want)
    if not np.all(err <= 1e-5 * np.abs(want) + 1e-6):
        sys.exit("mismatch:\n%s\nexpected:\n%s" % (y, want))
    print("float model matches NumPy: %d values, max abs error %.1e"
          % (y.size, err.max()))


if __name__ == "__main__":
    {"gen": gen, "check": check}[sys.argv[1]](sys.argv[2])
