#!/usr/bin/env python3
"""Randomized bit-exactness tests of quant-lp's CPU kernels.

    kernel_exec.py --quant-run PATH --quant-opt PATH --family FAMILY
                   --cases N --tmp DIR [--seed S] [--only I,J,...]

Generates N random layers of one kernel path family (see FAMILIES) and puts
them all in ONE module whose entry function @kernels takes every case's
activations as arguments and returns every case's result, so each mode costs
one quant-run compilation. Then:

  1. `quant-opt --qlp-cpu-pipeline=to-llvm=false` (the flow quant-run
     compiles) must turn every case's layer into a kernel call (one
     `call @qlp_rt_gemm` / `call @qlp_rt_conv2d` per case), so the test
     cannot pass by silently keeping the reference lowering; the binary
     families draw a per-channel bias for about half the layers, applied as
     qlp-quantize does (an i32 `tosa.add` of a constant between the layer
     and its rescale), and every such add must be fused into the call;
  2. `quant-run --kernels=false` (the reference lowering, the oracle) runs
     the module, and its results must equal an independent NumPy / Python
     integer model of the op definitions in dialect/QLPOps.td (so the two
     runs below cannot agree on something wrong by construction);
  3. `quant-run --kernels=true --isa=avx512` (when the CPU has AVX-512 VNNI
     and VPOPCNTDQ; otherwise the mode is reported as skipped), for 8-bit
     weights `--isa=amx` (when the CPU has AMX-INT8), and
     `quant-run --kernels=true --isa=generic` (the forced portable fallback)
     must equal the reference lowering's results element for element.

With --device=gpu the same cases test the GPU lowering instead (steps 1 and
3 change; step 2, the reference lowering against NumPy, stays):

  1. for every chip of --chips, `quant-opt --qlp-gpu-pipeline="chip=C
     to-llvm=false"` must turn every case's layer into a launch of a
     quant-lp GEMM kernel (`gpu.launch_func @qlp_kernels::@qlp_gemm_N`),
     and with --ptxas, the full pipeline's PTX (`quant-translate
     --qlp-emit-ptx`) must assemble with `ptxas -arch=C`;
  3. with --execute, `quant-run --device=gpu --chip=C` must equal the
     reference lowering's results element for element (this needs a CUDA
     GPU of that chip or newer, or the runtime's emulator).

--large draws layers past the GPU kernels' largest blocks (M up to 400
rows, N up to 400 columns, K up to 1000; convolutions up to 20 x 20 pixels
and 200 filters) instead of the default sizes, which center on the CPU
kernels' vector widths and tiles; use it with few cases.

The run's seed comes from --seed, else the environment variable
QLP_KERNEL_SEED, else os.urandom, and is printed first. Case I draws
everything (shapes, attributes, weights, data) from its own generator seeded
with (seed, I), so `--seed S --only I` replays one failing case alone.
The script exits with status 1 on any mismatch or failure, after printing
the failing case's parameters, the seed and the first differing elements.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def smin(bits):
    return -(1 << (bits - 1))


def smax(bits):
    return (1 << (bits - 1)) - 1


def ttype(shape, elem):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


def dense(values):
    return json.dumps(np.asarray(values).tolist()).replace(" ", "")


#===------------------------------------------------------------------------===#
# Random choices
#===------------------------------------------------------------------------===#

# Sizes around the kernels' vector widths and tiles (16 i32 lanes, 64-column
# panels, 4-byte VNNI quads, 32/64-bit binary words) are drawn more often.
N_EDGES = [1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 79, 80]
K_EDGES = [1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 63, 64, 65, 127, 128, 129,
           191, 255, 256, 257, 299, 300]
# --large: around the GPU blocks (128 x 128 outputs, 16 x 32 for few rows,
# 64-deep K steps).
LARGE_MN_EDGES = [65, 127, 128, 129, 255, 256, 257, 383, 384, 400]
LARGE_K_EDGES = [127, 128, 129, 511, 512, 513, 959, 960, 1000]
EDGE_SHIFTS = [0, 1, 31, 32, 62]
ROUNDINGS = ["single_round", "double_round", "tflite"]


class Rng:
    def __init__(self, seed, index, large=False):
        self.g = np.random.default_rng([seed, index])
        self.large = large

    def int(self, lo, hi):
        """Uniform integer in [lo, hi]."""
        return int(self.g.integers(lo, hi, endpoint=True))

    def chance(self, p):
        return bool(self.g.random() < p)

    def pick(self, items):
        return items[int(self.g.integers(0, len(items)))]

    def size(self, lo, hi, edges, p_edge=0.4):
        if self.chance(p_edge):
            candidates = [e for e in edges if lo <= e <= hi]
            if candidates:
                return self.pick(candidates)
        return self.int(lo, hi)

    def zero_point(self, bits):
        """A zero point of a `bits`-wide operand, often at the range ends."""
        lo, hi = smin(bits), smax(bits)
        if self.chance(0.45):
            return self.pick([lo, hi, 0, lo + 1, hi - 1])
        return self.int(lo, hi)

    def values(self, shape, lo, hi, mode):
        """Random integers in [lo, hi] of `shape`. mode 'full': uniform with
        the extremes, 0 and +-1 planted; 'extreme': every element at lo or
        hi (largest accumulators); 'const': one value everywhere."""
        if mode == "extreme":
            return np.where(self.g.random(shape) < 0.5, lo, hi).astype(np.int64)
        if mode == "const":
            return np.full(shape, self.pick([lo, hi, self.int(lo, hi)]),
                           dtype=np.int64)
        a = self.g.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64)
        flat = a.reshape(-1)
        specials = [v for v in [lo, hi, 0, -1, 1, lo + 1, hi - 1] if lo <= v <= hi]
        count = min(flat.size // 3, len(specials))
        if count:
            idx = self.g.choice(flat.size, size=count, replace=False)
            flat[idx] = specials[:count]
        return a

    def data_mode(self):
        return self.pick(["full"] * 8 + ["extreme", "const"])


#===------------------------------------------------------------------------===#
# Packing (qlp.pack's layout, dialect/QLPOps.td)
#===------------------------------------------------------------------------===#

def pack_words(values, bits, word_bits, axis):
    """Packs `values` (i2/i4 as two's complement fields; binary -1/+1 as bit
    1/0) along `axis` into signed `word_bits` integers: element j lands in
    word floor(j * bits / word_bits) at bit (j * bits) mod word_bits."""
    v = np.moveaxis(np.asarray(values, dtype=np.int64), axis, -1)
    n = v.shape[-1]
    per = word_bits // bits
    nwords = -(-n * bits // word_bits)
    fields = (v == -1).astype(object) if bits == 1 else (v & ((1 << bits) - 1)).astype(object)
    words = np.zeros(v.shape[:-1] + (nwords,), dtype=object)
    for j in range(n):
        words[..., j // per] += fields[..., j] << ((j % per) * bits)
    # As signed word_bits integers, the way arith.constant prints them.
    half = 1 << (word_bits - 1)
    words = np.where(words >= half, words - (1 << word_bits), words)
    return np.moveaxis(words.astype(np.int64), -1, axis)


def unpack_bytes(words, bits, n):
    """qlp.unpack of i8 words along the last axis into n sign-extended
    `bits`-wide values."""
    w = np.asarray(words, dtype=np.int64) & 0xFF
    per = 8 // bits
    out = np.empty(w.shape[:-1] + (n,), dtype=np.int64)
    for j in range(n):
        f = (w[..., j // per] >> ((j % per) * bits)) & ((1 << bits) - 1)
        out[..., j] = np.where(f >= (1 << (bits - 1)), f - (1 << bits), f)
    return out


#===------------------------------------------------------------------------===#
# The NumPy model (dialect/QLPOps.td), in int64 and Python integers
#===------------------------------------------------------------------------===#

def rescale_model(acc, ep):
    """qlp.rescale along the last axis, then the optional qlp.clamp."""
    x = np.asarray(acc, dtype=np.int64).astype(object) - ep["input_zp"]
    n = acc.shape[-1]
    mults = ep["multipliers"] if len(ep["multipliers"]) == n else ep["multipliers"] * n
    shifts = ep["shifts"] if len(ep["shifts"]) == n else ep["shifts"] * n
    out = np.empty(acc.shape, dtype=object)
    for c in range(n):
        xc = x[..., c]
        m, s = mults[c], shifts[c]
        p = xc * m
        if s == 0:
            r = p
        elif ep["rounding"] == "single_round" or s <= 31:
            r = (p + (1 << (s - 1))) >> s
        else:
            # double_round and tflite (the same function, QLPOps.td) add
            # +-2^30 before the shift when s > 31.
            corr = np.where(xc >= 0, 1 << 30, -(1 << 30)).astype(object)
            r = (p + (1 << (s - 1)) + corr) >> s
        out[..., c] = r
    y = out + ep["output_zp"]
    y = np.minimum(np.maximum(y, ep["clamp"][0]), ep["clamp"][1])
    if ep["extra_clamp"] is not None:
        lo, hi = ep["extra_clamp"]
        y = np.minimum(np.maximum(y, lo), hi)
    return y.astype(np.int64)


def conv_model(x, w_hwcf, zp, wzp, strides, dils, pad, pad_value):
    """qlp.conv2d's sum of (in - zp) * (w - wzp) over the window, NHWC input
    `x` and hwcf weights, with `pad_value` read outside the input (zp for
    integer inputs; +-1 for binary ones, given as -1/+1 values with zp 0)."""
    n, h, wd, c = x.shape
    kh, kw, _, f = w_hwcf.shape
    xp = np.full((n, h + pad[0] + pad[1], wd + pad[2] + pad[3], c), pad_value,
                 dtype=np.int64)
    xp[:, pad[0]:pad[0] + h, pad[2]:pad[2] + wd, :] = x
    oh = (h + pad[0] + pad[1] - dils[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (wd + pad[2] + pad[3] - dils[1] * (kw - 1) - 1) // strides[1] + 1
    acc = np.zeros((n, oh, ow, f), dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dils[0], j * dils[1]
            patch = xp[:, r0:r0 + (oh - 1) * strides[0] + 1:strides[0],
                       c0:c0 + (ow - 1) * strides[1] + 1:strides[1], :]
            acc += np.einsum("nhwc,cf->nhwf", patch - zp,
                             w_hwcf[i, j].astype(np.int64) - wzp)
    return acc


#===------------------------------------------------------------------------===#
# Case generation
#===------------------------------------------------------------------------===#

class Case:
    """One layer with its epilogue: the entry's argument(s) for it, the MLIR
    lines, the result it returns and the NumPy model's value of it."""

    def __init__(self, index):
        self.index = index
        self.params = {}
        self.arg = None        # (np array, MLIR element type)
        self.body = []         # MLIR lines, using %a<index>, defining the result
        self.result = None     # (SSA name, MLIR type, np dtype)
        self.expected = None   # np array, as quant-run writes the result
        self.decode = None     # (bits, n) when the result is packed i8 words

    def v(self, name):
        return f"%c{self.index}_{name}"


def weight_constant(case, rng, values, bits, elem, shape, unpack_axes):
    """Emits the constant weights: a plain arith.constant (i8/i4/i2 only) or
    a qlp.unpack of an arith.constant word tensor (always for binary)."""
    if bits == 8 or (bits in (4, 2) and rng.chance(0.5)):
        case.body.append(f"{case.v('w')} = arith.constant dense<{dense(values)}> : "
                         f"{ttype(shape, elem)}")
        case.params["weights"] = "constant"
        return
    axis = rng.pick(unpack_axes)
    # The storage contract of qlp.pack: i4 / i2 in bytes, binary in 32- or
    # 64-bit words.
    word_bits = rng.pick([32, 64]) if bits == 1 else 8
    words = pack_words(values, bits, word_bits, axis)
    case.body.append(f"{case.v('words')} = arith.constant dense<{dense(words)}> : "
                     f"{ttype(words.shape, f'i{word_bits}')}")
    case.body.append(f"{case.v('w')} = qlp.unpack {case.v('words')} axis {axis} : "
                     f"{ttype(words.shape, f'i{word_bits}')} -> {ttype(shape, elem)}")
    case.params["weights"] = f"unpack axis {axis} of i{word_bits} words"


def random_bias(rng, n, limit):
    """Per-column int32 bias with |bias| <= limit (the verifier's headroom),
    or None."""
    if limit < 1 or not rng.chance(0.5):
        return None
    bound = min(limit, rng.pick([1 << 7, 1 << 15, 1 << 24, limit]))
    b = rng.values((n,), -bound, bound, "full")
    return b


def binary_bias(case, rng, n, k, rank):
    """A binary layer's per-channel bias, as qlp-quantize applies it (the
    binary ops have no bias attribute): an i32 `tosa.add` of a constant on
    the accumulator, which qlp-lower-to-kernels fuses into the kernel call.
    Returns None, or (values broadcastable to the accumulator, constant
    shape). The constant holds one value per output channel, shape
    [1, ..., 1, n], or one value for all of them (every dimension 1).
    |bias| <= 2^31 - 1 - K, the most the kernels fuse, so the exact sum fits
    i32 and every drawn add must be fused."""
    if not rng.chance(0.5):
        return None
    limit = INT32_MAX - k
    bound = min(limit, rng.pick([1 << 7, 1 << 15, 1 << 24, limit]))
    per_channel = n > 1 and rng.chance(0.75)
    count = n if per_channel else 1
    values = rng.values((count,), -bound, bound, "full")
    if not per_channel and rng.chance(0.3):
        values[0] = rng.pick([-bound, bound])
    shape = [1] * (rank - 1) + [count]
    return values.reshape(shape), shape


def emit_bias_add(case, rng, acc_name, acc_shape, bias):
    """Emits the `tosa.add` of `bias` (from binary_bias) on the accumulator
    and returns the sum's SSA name. The constant is an arith.constant (what
    qlp-quantize writes) or a tosa.const, on either side of the add."""
    values, shape = bias
    cname = case.v("bias")
    if rng.chance(0.3):
        case.body.append(f'{cname} = "tosa.const"() {{values = dense<{dense(values)}> : '
                         f'{ttype(shape, "i32")}}} : () -> {ttype(shape, "i32")}')
    else:
        case.body.append(f"{cname} = arith.constant dense<{dense(values)}> : "
                         f"{ttype(shape, 'i32')}")
    operands = [(acc_name, ttype(acc_shape, "i32")), (cname, ttype(shape, "i32"))]
    if rng.chance(0.3):
        operands.reverse()
    case.body.append(f"{case.v('sum')} = tosa.add {operands[0][0]}, {operands[1][0]} : "
                     f"({operands[0][1]}, {operands[1][1]}) -> {ttype(acc_shape, 'i32')}")
    case.params["bias"] = f"tosa.add of {ttype(shape, 'i32')}"
    return case.v("sum")


def random_epilogue(case, rng, n, acc_max, binary):
    """Draws the epilogue: none, or a qlp.rescale (per tensor or per output
    channel) with optional clamp attributes and an optional qlp.clamp."""
    if rng.chance(0.15):
        case.params["epilogue"] = "none"
        return None
    out_bits = rng.pick([8, 8, 8, 16, 16, 4, 4, 2, 32])
    channels = n if rng.chance(0.5 if not binary else 0.7) else 1
    mults, shifts = [], []
    for _ in range(channels):
        kind = rng.int(0, 9)
        if kind == 0:
            mult = rng.pick([1, 3, INT32_MAX, 1 << 30])
        elif kind <= 4:
            mult = rng.int(1 << 30, INT32_MAX)   # normalized, as folding makes
        else:
            mult = rng.int(1, INT32_MAX)
        # A shift that maps the accumulator range onto the output range (the
        # interesting, mostly unsaturated case), a realistic one, or an edge.
        kind = rng.int(0, 9)
        if kind <= 4:
            target = acc_max.bit_length() + mult.bit_length() - out_bits + rng.int(-3, 3)
            shift = min(max(target, 0), 62)
        elif kind <= 7:
            shift = rng.int(20, 45)
        else:
            shift = rng.pick(EDGE_SHIFTS + [rng.int(0, 62)])
        mults.append(mult)
        shifts.append(shift)
    lo, hi = smin(out_bits), smax(out_bits)
    input_zp = 0
    if rng.chance(0.25):
        input_zp = rng.pick([rng.int(-1000, 1000), rng.int(INT32_MIN, INT32_MAX),
                             INT32_MIN, INT32_MAX])
    output_zp = rng.zero_point(out_bits) if rng.chance(0.5) else 0
    clamp = None
    if rng.chance(0.3):
        a, b = sorted([rng.int(lo, hi), rng.int(lo, hi)])
        clamp = (a, b)
    extra = None
    if rng.chance(0.3):
        a, b = sorted([rng.int(lo, hi), rng.int(lo, hi)])
        extra = (a, b)
    ep = {"out_bits": out_bits, "multipliers": mults, "shifts": shifts,
          "axis": None if channels == 1 else "last", "rounding": rng.pick(ROUNDINGS),
          "input_zp": input_zp, "output_zp": output_zp,
          "clamp_attr": clamp, "clamp": clamp or (lo, hi), "extra_clamp": extra}
    case.params["epilogue"] = {k: ep[k] for k in ("out_bits", "axis", "rounding",
                                                  "input_zp", "output_zp",
                                                  "clamp_attr", "extra_clamp")}
    case.params["scale"] = {"multipliers": mults, "shifts": shifts}
    return ep


def emit_epilogue(case, acc_name, acc_shape, ep, acc_model):
    """Appends the epilogue ops after the layer and sets the case's result
    and expected value."""
    if ep is None:
        case.result = (acc_name, ttype(acc_shape, "i32"), np.int32)
        case.expected = acc_model
        return
    out_elem = f"i{ep['out_bits']}"
    scale = f"<[{', '.join(map(str, ep['multipliers']))}], " \
            f"[{', '.join(map(str, ep['shifts']))}]"
    if ep["axis"] is not None:
        scale += f", axis = {len(acc_shape) - 1}"
    scale += ">"
    text = f"{case.v('s')} = qlp.rescale {acc_name}"
    if ep["input_zp"]:
        text += f" zp {ep['input_zp']}"
    text += f" scale {scale}"
    if ep["output_zp"]:
        text += f" output_zp {ep['output_zp']}"
    if ep["clamp_attr"] is not None:
        text += f" clamp [{ep['clamp_attr'][0]}, {ep['clamp_attr'][1]}]"
    text += f" rounding {ep['rounding']} : {ttype(acc_shape, 'i32')} -> " \
            f"{ttype(acc_shape, out_elem)}"
    case.body.append(text)
    name = case.v("s")
    if ep["extra_clamp"] is not None:
        lo, hi = ep["extra_clamp"]
        case.body.append(f"{case.v('cl')} = qlp.clamp {name} [{lo}, {hi}] : "
                         f"{ttype(acc_shape, out_elem)}")
        name = case.v("cl")
    expected = rescale_model(acc_model, ep)
    bits = ep["out_bits"]
    if bits in (4, 2):
        # quant-run exchanges i8 and wider: i4 / i2 results leave packed into
        # i8 words along the last axis (qlp.pack, reference-lowered).
        n = acc_shape[-1]
        words = pack_words(expected, bits, 8, len(acc_shape) - 1)
        wshape = list(acc_shape[:-1]) + [words.shape[-1]]
        case.body.append(f"{case.v('p')} = qlp.pack {name} axis {len(acc_shape) - 1} : "
                         f"{ttype(acc_shape, out_elem)} -> {ttype(wshape, 'i8')}")
        case.result = (case.v("p"), ttype(wshape, "i8"), np.int8)
        case.expected = words
        case.decode = (bits, n)
    else:
        dtype = {8: np.int8, 16: np.int16, 32: np.int32}[bits]
        case.result = (name, ttype(acc_shape, out_elem), dtype)
        case.expected = expected


def act_range(bits):
    return smin(bits), smax(bits)


def act_input(case, rng, x, bits, shape):
    """Sets the case's argument for activations `x` of `bits` width and
    returns the SSA name of the activation tensor. quant-run exchanges i8 and
    wider, so i4 / i2 activations enter as i8: either packed two or four per
    byte along the last axis and unpacked (qlp.unpack), or one per byte and
    narrowed by an exact qlp.rescale (multiplier 1, shift 0)."""
    a_name = f"%a{case.index}"
    if bits == 8:
        case.arg = (x, "i8")
        return a_name
    elem = f"i{bits}"
    if rng.chance(0.5):
        words = pack_words(x, bits, 8, len(shape) - 1)
        case.arg = (words, "i8")
        case.params["activations"] = "unpack"
        case.body.append(f"{case.v('x')} = qlp.unpack {a_name} axis {len(shape) - 1} : "
                         f"{ttype(words.shape, 'i8')} -> {ttype(shape, elem)}")
    else:
        case.arg = (x, "i8")
        case.params["activations"] = "rescale"
        case.body.append(f"{case.v('x')} = qlp.rescale {a_name} scale <[1], [0]> "
                         f"rounding single_round : {ttype(shape, 'i8')} -> "
                         f"{ttype(shape, elem)}")
    return case.v("x")


def gen_matmul(case, rng, a_bits, b_bits):
    if rng.large:
        m = rng.size(65, 400, LARGE_MN_EDGES)
        n = rng.size(81, 400, LARGE_MN_EDGES)
        k = rng.size(100, 1000, LARGE_K_EDGES)
    else:
        m = 1 if rng.chance(0.15) else rng.int(2, 70)
        n = rng.size(1, 80, N_EDGES)
        k = 1 if rng.chance(0.05) else rng.size(1, 300, K_EDGES)
    rank3 = rng.chance(0.15)
    binary = a_bits == 1
    case.params.update(kind="binary_matmul" if binary else "matmul", M=m, N=n, K=k,
                       a_bits=a_bits, b_bits=b_bits, rank=3 if rank3 else 2)
    lead = [1] if rank3 else []
    a_shape, w_shape, c_shape = lead + [m, k], lead + [k, n], lead + [m, n]
    a_name = f"%a{case.index}"
    if binary:
        x = rng.values(a_shape, -128, 127, rng.data_mode())
        thr = rng.pick([rng.int(-128, 127), 0, -128, 127, int(np.median(x))])
        case.arg = (x, "i8")
        case.params["threshold"] = thr
        case.body.append(f"{case.v('b')} = qlp.binarize {a_name} threshold {thr} : "
                         f"{ttype(a_shape, 'i8')} -> {ttype(a_shape, '!qlp.binary')}")
        w = np.where(rng.g.random(w_shape) < 0.5, -1, 1).astype(np.int64)
        if rng.chance(0.1):
            w[...] = rng.pick([-1, 1])
        weight_constant(case, rng, w, 1, "!qlp.binary", w_shape,
                        [len(w_shape) - 2, len(w_shape) - 1])
        acc = np.where(x >= thr, 1, -1) @ w
        bias = binary_bias(case, rng, n, k, len(c_shape))
        acc_max = k
        if bias is not None:
            acc = acc + bias[0]
            acc_max += int(np.abs(bias[0]).max())
        ep = random_epilogue(case, rng, n, acc_max, True)
        case.body.append(f"{case.v('acc')} = qlp.binary_matmul {case.v('b')}, {case.v('w')} : "
                         f"{ttype(a_shape, '!qlp.binary')}, {ttype(w_shape, '!qlp.binary')}"
                         f" -> {ttype(c_shape, 'i32')}")
        acc_name = case.v("acc")
        if bias is not None:
            acc_name = emit_bias_add(case, rng, acc_name, c_shape, bias)
        emit_epilogue(case, acc_name, c_shape, ep, acc)
        return
    azp, bzp = rng.zero_point(a_bits), rng.zero_point(b_bits)
    alo, ahi = act_range(a_bits)
    blo, bhi = act_range(b_bits)
    x = rng.values(a_shape, alo, ahi, rng.data_mode())
    w = rng.values(w_shape, blo, bhi, rng.data_mode())
    a_name = act_input(case, rng, x, a_bits, a_shape)
    max_a = max(ahi - azp, azp - alo)
    max_b = max(bhi - bzp, bzp - blo)
    bias = random_bias(rng, n, INT32_MAX - k * max_a * max_b)
    case.params.update(a_zp=azp, b_zp=bzp, bias=None if bias is None else "yes")
    weight_constant(case, rng, w, b_bits, f"i{b_bits}", w_shape,
                    [len(w_shape) - 2, len(w_shape) - 1])
    acc = (x - azp) @ (w - bzp)
    if bias is not None:
        acc = acc + bias
    acc_max = k * max_a * max_b + (0 if bias is None else int(np.abs(bias).max()))
    ep = random_epilogue(case, rng, n, acc_max, False)
    text = f"{case.v('acc')} = qlp.matmul {a_name}"
    if azp:
        text += f" lhs_zp {azp}"
    text += f", {case.v('w')}"
    if bzp:
        text += f" rhs_zp {bzp}"
    if bias is not None:
        text += f" bias dense<{dense(bias)}> : {ttype([n], 'i32')}"
    text += f" : {ttype(a_shape, f'i{a_bits}')}, {ttype(w_shape, f'i{b_bits}')} -> " \
            f"{ttype(c_shape, 'i32')}"
    case.body.append(text)
    emit_epilogue(case, case.v("acc"), c_shape, ep, acc)


def gen_conv(case, rng, a_bits, b_bits):
    binary = a_bits == 1
    while True:
        batch = rng.int(1, 2)
        if rng.large:
            h, w_ = rng.int(8, 20), rng.int(8, 20)
            c = rng.size(16, 80, [31, 32, 33, 63, 64, 65])
            f = rng.size(81, 200, [127, 128, 129])
        else:
            h, w_ = rng.int(1, 9), rng.int(1, 9)
            c = rng.size(1, 40, [1, 2, 3, 4, 8, 16, 31, 32, 33])
            f = rng.size(1, 40, [1, 2, 15, 16, 17, 31, 32, 33])
        kh, kw = rng.int(1, 3), rng.int(1, 3)
        strides = [rng.int(1, 2), rng.int(1, 2)]
        dils = [rng.int(1, 2), rng.int(1, 2)]
        pad = [rng.int(0, 2) for _ in range(4)]
        oh = (h + pad[0] + pad[1] - dils[0] * (kh - 1) - 1) // strides[0] + 1
        ow = (w_ + pad[2] + pad[3] - dils[1] * (kw - 1) - 1) // strides[1] + 1
        if oh >= 1 and ow >= 1:
            break
    layout = rng.pick(["hwcf", "fhwc"])
    case.params.update(kind="binary_conv2d" if binary else "conv2d", batch=batch, H=h,
                       W=w_, C=c, F=f, KH=kh, KW=kw, strides=strides,
                       dilations=dils, padding=pad, layout=layout,
                       a_bits=a_bits, b_bits=b_bits)
    in_shape = [batch, h, w_, c]
    out_shape = [batch, oh, ow, f]
    hwcf_shape = [kh, kw, c, f]
    w_shape = hwcf_shape if layout == "hwcf" else [f, kh, kw, c]
    k = kh * kw * c
    a_name = f"%a{case.index}"
    attrs = f"layout {layout}"
    if strides != [1, 1]:
        attrs += f" strides [{strides[0]}, {strides[1]}]"
    if dils != [1, 1]:
        attrs += f" dilations [{dils[0]}, {dils[1]}]"
    if pad != [0, 0, 0, 0]:
        attrs += f" padding [{', '.join(map(str, pad))}]"
    if binary:
        x = rng.values(in_shape, -128, 127, rng.data_mode())
        thr = rng.pick([rng.int(-128, 127), 0, -128, 127])
        pad_value = rng.pick([1, -1])
        case.arg = (x, "i8")
        case.params.update(threshold=thr, pad_value=pad_value)
        case.body.append(f"{case.v('b')} = qlp.binarize {a_name} threshold {thr} : "
                         f"{ttype(in_shape, 'i8')} -> {ttype(in_shape, '!qlp.binary')}")
        wt = np.where(rng.g.random(hwcf_shape) < 0.5, -1, 1).astype(np.int64)
        w_const = wt if layout == "hwcf" else np.transpose(wt, (3, 0, 1, 2))
        weight_constant(case, rng, w_const, 1, "!qlp.binary", w_shape, [0, 1, 2, 3])
        acc = conv_model(np.where(x >= thr, 1, -1), wt, 0, 0, strides, dils, pad,
                         pad_value)
        bias = binary_bias(case, rng, f, k, len(out_shape))
        acc_max = k
        if bias is not None:
            acc = acc + bias[0]
            acc_max += int(np.abs(bias[0]).max())
        ep = random_epilogue(case, rng, f, acc_max, True)
        if pad_value != 1:
            attrs += f" pad_value {pad_value}"
        case.body.append(f"{case.v('acc')} = qlp.binary_conv2d {case.v('b')}, {case.v('w')} "
                         f"{attrs} : {ttype(in_shape, '!qlp.binary')}, "
                         f"{ttype(w_shape, '!qlp.binary')} -> {ttype(out_shape, 'i32')}")
        acc_name = case.v("acc")
        if bias is not None:
            acc_name = emit_bias_add(case, rng, acc_name, out_shape, bias)
        emit_epilogue(case, acc_name, out_shape, ep, acc)
        return
    azp, bzp = rng.zero_point(a_bits), rng.zero_point(b_bits)
    alo, ahi = act_range(a_bits)
    blo, bhi = act_range(b_bits)
    x = rng.values(in_shape, alo, ahi, rng.data_mode())
    wt = rng.values(hwcf_shape, blo, bhi, rng.data_mode())
    w_const = wt if layout == "hwcf" else np.transpose(wt, (3, 0, 1, 2))
    a_name = act_input(case, rng, x, a_bits, in_shape)
    max_a = max(ahi - azp, azp - alo)
    max_b = max(bhi - bzp, bzp - blo)
    bias = random_bias(rng, f, INT32_MAX - k * max_a * max_b)
    case.params.update(a_zp=azp, b_zp=bzp, bias=None if bias is None else "yes")
    weight_constant(case, rng, w_const, b_bits, f"i{b_bits}", w_shape, [0, 1, 2, 3])
    acc = conv_model(x, wt, azp, bzp, strides, dils, pad, azp)
    if bias is not None:
        acc = acc + bias
    acc_max = k * max_a * max_b + (0 if bias is None else int(np.abs(bias).max()))
    ep = random_epilogue(case, rng, f, acc_max, False)
    text = f"{case.v('acc')} = qlp.conv2d {a_name}"
    if azp:
        text += f" zp {azp}"
    text += f", {case.v('w')}"
    if bzp:
        text += f" zp {bzp}"
    text += f" {attrs}"
    if bias is not None:
        text += f" bias dense<{dense(bias)}> : {ttype([f], 'i32')}"
    text += f" : {ttype(in_shape, f'i{a_bits}')}, {ttype(w_shape, f'i{b_bits}')} -> " \
            f"{ttype(out_shape, 'i32')}"
    case.body.append(text)
    emit_epilogue(case, case.v("acc"), out_shape, ep, acc)


# Each family: (generator, [(a_bits, b_bits), ...] drawn uniformly per case).
FAMILIES = {
    "int8": (gen_matmul, [(8, 8), (8, 8), (4, 8), (2, 8)]),
    "w4a8": (gen_matmul, [(8, 4), (8, 4), (8, 2)]),
    "int4": (gen_matmul, [(4, 4), (4, 4), (4, 2), (2, 4), (2, 2)]),
    "binary": (gen_matmul, [(1, 1)]),
    "conv-int8": (gen_conv, [(8, 8), (8, 8), (4, 8), (2, 8)]),
    "conv-int4": (gen_conv, [(8, 4), (8, 4), (8, 2), (4, 4), (2, 2)]),
    "conv-binary": (gen_conv, [(1, 1)]),
}


def make_case(family, seed, index, large=False):
    gen, widths = FAMILIES[family]
    rng = Rng(seed, index, large)
    case = Case(index)
    a_bits, b_bits = rng.pick(widths)
    gen(case, rng, a_bits, b_bits)
    return case


#===------------------------------------------------------------------------===#
# Module, runs and comparison
#===------------------------------------------------------------------------===#

def emit_module(cases):
    params = ", ".join(f"%a{c.index}: {ttype(c.arg[0].shape, c.arg[1])}" for c in cases)
    results = ", ".join(c.result[1] for c in cases)
    lines = [f"func.func @kernels({params}) -> ({results}) {{"]
    for c in cases:
        lines += ["  " + l for l in c.body]
    lines.append(f"  return {', '.join(c.result[0] for c in cases)} : {results}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_has_avx512():
    return {"avx512f", "avx512bw", "avx512vl", "avx512_vnni",
            "avx512_vpopcntdq"} <= cpu_flags()


def cpu_has_amx():
    return cpu_has_avx512() and {"amx_tile", "amx_int8"} <= cpu_flags()


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    return proc.returncode, proc.stdout


def describe(case):
    return json.dumps(case.params, sort_keys=True)


def decoded(case, values):
    if case.decode is None:
        return values
    bits, n = case.decode
    return unpack_bytes(values, bits, n)


MAX_REPORTED = 10


def compare(family, label, oracle_name, cases, got, want, seed):
    """Compares case by case; prints the first failures in detail, the list
    of failing cases and the summary line."""
    failing, elements = [], 0
    for c in cases:
        g, w = got[c.index], want[c.index]
        elements += w.size
        if g.shape == w.shape and np.array_equal(g, w):
            continue
        failing.append(c.index)
        if len(failing) > MAX_REPORTED:
            continue
        print(f"MISMATCH {family} {label} case {c.index} (seed {seed}; replay with "
              f"QLP_KERNEL_SEED={seed} and --only {c.index}): {describe(c)}")
        if g.shape != w.shape:
            print(f"  result shape {g.shape}, expected {w.shape}")
            continue
        gd, wd = decoded(c, g), decoded(c, w)
        diff = np.argwhere(gd != wd)
        if len(diff) == 0:
            # Only bits past the last packed value differ (qlp.pack zeroes
            # them): show the words.
            print("  the values are equal; the packed i8 words differ")
            gd, wd = g, w
            diff = np.argwhere(gd != wd)
        print(f"  {len(diff)} of {wd.size} elements differ; the first ones "
              f"(index: {oracle_name} / got):")
        for idx in diff[:8]:
            t = tuple(int(i) for i in idx)
            print(f"    {list(t)}: {int(wd[t])} / {int(gd[t])}")
    if failing:
        print(f"{family} {label}: failing cases (seed {seed}): "
              f"{','.join(map(str, failing))}")
    print(f"{family} {label}: {len(cases) - len(failing)} of {len(cases)} cases equal "
          f"the {oracle_name} ({elements} elements), seed {seed}")
    return not failing


def cpu_modes(family):
    """The CPU kernel modes this machine can run, as (label, flags)."""
    modes = []
    if cpu_has_avx512():
        modes.append(("avx512", ["--kernels=true", "--isa=avx512"]))
    else:
        print(f"{family} avx512: skipped, this CPU lacks AVX-512 VNNI/VPOPCNTDQ")
    # AMX tiles run the 8-bit-weight (S8) layers; the other formats keep
    # their AVX-512 kernels under AMX, which the avx512 mode already covers.
    if family in ("int8", "conv-int8"):
        if cpu_has_amx():
            modes.append(("amx", ["--kernels=true", "--isa=amx"]))
        else:
            print(f"{family} amx: skipped, this CPU lacks AMX-INT8")
    modes.append(("generic", ["--kernels=true", "--isa=generic"]))
    return modes


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quant-run", required=True)
    p.add_argument("--quant-opt", required=True)
    p.add_argument("--family", required=True, choices=sorted(FAMILIES))
    p.add_argument("--cases", type=int, default=200)
    p.add_argument("--tmp", required=True, help="directory for the module and .npy files")
    p.add_argument("--seed", type=int, help="default: $QLP_KERNEL_SEED, else random")
    p.add_argument("--only", help="comma-separated case indices to run (replay)")
    p.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
    p.add_argument("--chips", default="sm_75,sm_80,sm_86,sm_89,sm_90",
                   help="GPU chips to compile for (--device=gpu); `native` is "
                        "the chip of the GPU quant-run finds (execution only)")
    p.add_argument("--quant-translate", help="for --ptxas (--device=gpu)")
    p.add_argument("--ptxas", help="assemble each chip's PTX (--device=gpu)")
    p.add_argument("--execute", action="store_true",
                   help="run the GPU programs (--device=gpu)")
    p.add_argument("--large", action="store_true",
                   help="draw layers past the GPU kernels' largest blocks")
    p.add_argument("--run-flags", default="",
                   help="extra quant-run flags of the GPU runs")
    args = p.parse_args()

    if args.seed is not None:
        seed = args.seed
    elif os.environ.get("QLP_KERNEL_SEED"):
        seed = int(os.environ["QLP_KERNEL_SEED"])
    else:
        seed = int.from_bytes(os.urandom(8), "little") >> 1
    family = args.family
    indices = (sorted({int(i) for i in args.only.split(",")}) if args.only
               else list(range(args.cases)))
    print(f"seed {seed}: {len(indices)} cases ({family}{', large' if args.large else ''})",
          flush=True)

    start = time.time()
    cases = [make_case(family, seed, i, args.large) for i in indices]
    os.makedirs(args.tmp, exist_ok=True)
    module = os.path.join(args.tmp, "kernels.mlir")
    with open(module, "w") as f:
        f.write(emit_module(cases))
    inputs = []
    for c in cases:
        path = os.path.join(args.tmp, f"in{c.index}.npy")
        np.save(path, c.arg[0].astype(np.int8))
        inputs.append(f"--input={path}")
    ok = True
    timings = [f"generation {time.time() - start:.1f}s"]

    chips = [c for c in args.chips.split(",") if c]
    if args.device == "gpu":
        # 1. Every case's layer becomes a quant-lp GEMM kernel launch on
        # every chip, and the PTX assembles.
        for chip in chips:
            if chip == "native":
                continue
            t = time.time()
            rc, out = run([args.quant_opt,
                           f"--qlp-gpu-pipeline=chip={chip} to-llvm=false", module])
            if rc != 0:
                print(f"FAILURE: quant-opt --qlp-gpu-pipeline=chip={chip} "
                      f"to-llvm=false failed (seed {seed}):\n{out[-4000:]}")
                ok = False
                continue
            launches = out.count("gpu.launch_func  @qlp_kernels::@qlp_gemm_") + \
                out.count("gpu.launch_func @qlp_kernels::@qlp_gemm_")
            print(f"{family} {chip} kernel launches: {launches} for {len(cases)} layers")
            if launches != len(cases):
                print(f"FAILURE: {len(cases) - launches} layers kept the generic "
                      f"GPU lowering on {chip} (seed {seed})")
                ok = False
            if args.ptxas:
                binary = os.path.join(args.tmp, f"{chip}.mlir")
                ptx = os.path.join(args.tmp, f"{chip}.ptx")
                rc, out = run([args.quant_opt, f"--qlp-gpu-pipeline=chip={chip}",
                               module, "-o", binary])
                if rc == 0:
                    rc, out = run([args.quant_translate, "--qlp-emit-ptx", binary,
                                   "-o", ptx])
                if rc == 0:
                    # One PTX module per gpu.binary, each after its comment
                    # line; ptxas takes one module per file.
                    with open(ptx) as f:
                        parts = f.read().split("// gpu.binary ")[1:]
                    for i, part in enumerate(parts):
                        path = os.path.join(args.tmp, f"{chip}.{i}.ptx")
                        with open(path, "w") as f:
                            f.write(part.split("\n", 1)[1])
                        rc, out = run([args.ptxas, f"-arch={chip}", path, "-o",
                                       os.devnull])
                        if rc != 0:
                            break
                if rc != 0:
                    print(f"FAILURE: the {chip} PTX does not assemble (seed {seed}):"
                          f"\n{out[-4000:]}")
                    ok = False
                else:
                    print(f"{family} {chip} ptxas: {len(parts)} modules assemble")
            timings.append(f"{chip} {time.time() - t:.1f}s")
    else:
        # 1. Every case's layer becomes a kernel call in the flow quant-run
        # compiles (the integer-program passes, qlp-lower-to-kernels and the
        # reference lowering): one call per case, or the comparisons below could
        # pass on the reference lowering alone.
        t = time.time()
        rc, out = run([args.quant_opt, "--qlp-cpu-pipeline=to-llvm=false", module])
        if rc != 0:
            print(f"FAILURE: quant-opt --qlp-cpu-pipeline=to-llvm=false failed "
                  f"(seed {seed}):\n{out[-4000:]}")
            ok = False
        else:
            calls = out.count("call @qlp_rt_gemm(") + out.count("call @qlp_rt_conv2d(")
            print(f"{family} kernel calls: {calls} for {len(cases)} layers")
            if calls != len(cases):
                print(f"FAILURE: {len(cases) - calls} layers kept the reference lowering "
                      f"(seed {seed})")
                ok = False
            # Every binary bias add drawn is within the kernels' bound, so each
            # must be fused into its layer's call (none reaches the reference
            # lowering, which would leave it as tosa.add in this output).
            adds = sum(1 for c in cases if str(c.params.get("bias", "")).startswith("tosa.add"))
            if adds:
                left = out.count("tosa.add")
                print(f"{family} bias adds: {adds - left} of {adds} fused")
                if left:
                    print(f"FAILURE: {left} binary bias adds were not fused (seed {seed})")
                    ok = False
        timings.append(f"quant-opt {time.time() - t:.1f}s")

    def quant_run(label, flags):
        t = time.time()
        outputs = [os.path.join(args.tmp, f"{label}{c.index}.npy") for c in cases]
        cmd = [args.quant_run, "-O0", module, "--entry=kernels"] + flags + inputs + \
              [f"--output={o}" for o in outputs]
        rc, out = run(cmd)
        timings.append(f"{label} {time.time() - t:.1f}s")
        if rc != 0:
            print(f"FAILURE: quant-run {' '.join(flags)} failed (seed {seed}):\n"
                  f"{out[-4000:]}")
            return None
        return {c.index: np.load(o) for c, o in zip(cases, outputs)}

    # 2. The reference lowering against the NumPy model.
    reference = quant_run("reference", ["--kernels=false"])
    if reference is None:
        return 1
    model = {c.index: c.expected.astype(c.result[2]) for c in cases}
    ok &= compare(family, "reference", "NumPy model", cases, reference, model, seed)

    # 3. The kernels, fast path and forced fallback, against the reference.
    modes = []
    if args.device == "gpu":
        if args.execute:
            extra = args.run_flags.split()
            modes = [(chip, ["--device=gpu"] +
                      ([] if chip == "native" else [f"--chip={chip}"]) + extra)
                     for chip in chips]
        else:
            print(f"{family} gpu execution: skipped (no --execute)")
    else:
        modes = cpu_modes(family)
    for label, flags in modes:
        got = quant_run(label, flags)
        if got is None:
            ok = False
            continue
        ok &= compare(family, label, "reference lowering", cases, got, reference, seed)
    print(f"{family} times: {', '.join(timings)}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
