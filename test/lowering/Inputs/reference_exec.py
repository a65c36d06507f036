#!/usr/bin/env python3
"""Execution tests of qlp-lower-to-reference.

`reference_exec.py gen FAMILY EXPECTED` prints a module of qlp test cases on
random inputs (always with edge values) and writes the expected results to
EXPECTED; `reference_exec.py check FAMILY EXPECTED OUTPUT` compares the
printMemrefI64 output of the lowered, executed module with them bit for bit.

The expected values are computed here, from the op definitions in
dialect/QLPOps.td and the packed layout of runtime/qlp_runtime.h, with Python
integers (arbitrary precision, so nothing can wrap) and NumPy. Nothing here
calls quant-lp code.

Each case is a function @caseN taking its inputs as arguments (so no folder
sees constants) and returning the result widened to i64; @main calls every
case with constant inputs and prints the results.
"""

import json
import re
import sys

import numpy as np

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def smin(bits):
    return -(1 << (bits - 1))


def smax(bits):
    return (1 << (bits - 1)) - 1


def tensor_type(shape, elem):
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


class Module:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.cases = []

    def rand_int(self, shape, bits, edges=True):
        """Random signed `bits`-wide values, with the type's extremes, 0 and
        +-1 planted at random positions."""
        lo, hi = smin(bits), smax(bits)
        a = self.rng.integers(lo, hi, size=shape, endpoint=True, dtype=np.int64)
        if edges and a.size >= 4:
            flat = a.reshape(-1)
            specials = [lo, hi, 0, -1 if bits > 1 else 0, 1 if bits > 2 else 0,
                        lo + 1, hi - 1]
            idx = self.rng.choice(flat.size, size=min(flat.size // 2, len(specials)),
                                  replace=False)
            for i, v in zip(idx, specials):
                flat[i] = v
        return a

    def add(self, args, body, result, expected):
        """args: list of (numpy array, element type); body: MLIR lines using
        %a0, %a1, ... and defining %r of type `result` (shape, elem)."""
        self.cases.append((args, body, result, np.asarray(expected, dtype=object)))

    def emit(self):
        out = []
        for i, (args, body, (shape, elem), expected) in enumerate(self.cases):
            assert tuple(expected.shape) == tuple(shape), (i, expected.shape, shape)
            params = ", ".join(f"%a{j}: {tensor_type(a.shape, e)}"
                               for j, (a, e) in enumerate(args))
            wide = tensor_type(shape, "i64")
            out.append(f"func.func @case{i}({params}) -> {wide} {{")
            out.extend("  " + line for line in body)
            if elem == "i64":
                out.append(f"  return %r : {wide}")
            else:
                rank = len(shape)
                dims = ", ".join(f"d{k}" for k in range(rank))
                ident = f"affine_map<({dims}) -> ({dims})>"
                parallel = ", ".join(['"parallel"'] * rank)
                out.append(f"  %empty = tensor.empty() : {wide}")
                out.append(
                    f"  %wide = linalg.generic {{indexing_maps = [{ident}, {ident}], "
                    f"iterator_types = [{parallel}]}} "
                    f"ins(%r : {tensor_type(shape, elem)}) outs(%empty : {wide}) {{")
                out.append(f"  ^bb0(%narrow_elem: {elem}, %unused: i64):")
                out.append(f"    %wide_elem = arith.extsi %narrow_elem : {elem} to i64")
                out.append("    linalg.yield %wide_elem : i64")
                out.append(f"  }} -> {wide}")
                out.append(f"  return %wide : {wide}")
            out.append("}")
        out.append("func.func private @printMemrefI64(tensor<*xi64>)")
        out.append("func.func @main() {")
        for i, (args, _, (shape, _), _) in enumerate(self.cases):
            names = []
            for j, (a, e) in enumerate(args):
                t = tensor_type(a.shape, e)
                out.append(f"  %c{i}_{j} = arith.constant dense<{json.dumps(np.asarray(a).tolist())}> : {t}")
                names.append((f"%c{i}_{j}", t))
            wide = tensor_type(shape, "i64")
            out.append(f"  %r{i} = call @case{i}({', '.join(n for n, _ in names)}) : "
                       f"({', '.join(t for _, t in names)}) -> {wide}")
            out.append(f"  %u{i} = tensor.cast %r{i} : {wide} to tensor<*xi64>")
            out.append(f"  call @printMemrefI64(%u{i}) : (tensor<*xi64>) -> ()")
        out.append("  return")
        out.append("}")
        return "\n".join(out) + "\n"

    def expected_json(self):
        return json.dumps([{"shape": list(exp.shape),
                            "values": [int(v) for v in exp.reshape(-1)]}
                           for (_, _, _, exp) in self.cases])


#===------------------------------------------------------------------------===#
# Rescale arithmetic, straight from qlp.rescale's description
#===------------------------------------------------------------------------===#

def c_div(a, b):
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def round_dyadic(xp, m, s, mode):
    """round(x' * m / 2^s) by `mode`; Python's >> is floor division by 2^s."""
    p = xp * m
    if mode == "single_round" or (mode == "double_round" and s <= 31):
        return p if s == 0 else (p + (1 << (s - 1))) >> s
    if mode == "double_round":
        c = (1 << 30) if xp >= 0 else -(1 << 30)
        return (p + (1 << (s - 1)) + c) >> s
    assert mode == "tflite"
    # TFLite's MultiplyByQuantizedMultiplier(x', m, 31 - s) as gemmlowp writes
    # it, in unbounded integers.
    exponent = 31 - s
    left, right = max(exponent, 0), max(-exponent, 0)
    a = xp * (1 << left)
    ab = a * m
    nudge = (1 << 30) if ab >= 0 else 1 - (1 << 30)
    high = c_div(ab + nudge, 1 << 31)
    mask = (1 << right) - 1
    remainder = high & mask
    threshold = (mask >> 1) + (1 if high < 0 else 0)
    result = (high >> right) + (1 if remainder > threshold else 0)
    # The description says tflite computes the same function as double_round.
    assert result == round_dyadic(xp, m, s, "double_round"), (xp, m, s)
    return result


def rescale_ref(x, izp, scale, ozp, lo, hi, mode):
    """scale: (multipliers, shifts, axis or None)."""
    mults, shifts, axis = scale
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(x.shape):
        ch = idx[axis] if axis is not None else 0
        r = round_dyadic(int(x[idx]) - izp, mults[ch], shifts[ch], mode)
        out[idx] = min(max(r + ozp, lo), hi)
    return out


def scale_attr(scale):
    mults, shifts, axis = scale
    text = f"<[{', '.join(map(str, mults))}], [{', '.join(map(str, shifts))}]"
    return text + (f", axis = {axis}>" if axis is not None else ">")


EDGE_SHIFTS = [0, 1, 31, 32, 62]


def random_scale(m, channels, axis, shifts=None):
    """Per-channel scales mixing tie-producing multipliers (powers of two,
    3) with random ones; shifts cycle through the edge shifts."""
    shifts = shifts or EDGE_SHIFTS + [int(v) for v in m.rng.integers(2, 40, size=4)]
    mults, shs = [], []
    for c in range(channels):
        s = shifts[c % len(shifts)]
        kind = c % 4
        if kind == 0:
            mult = 1 << 30
        elif kind == 1:
            mult = 3
        elif kind == 2:
            mult = INT32_MAX
        else:
            mult = int(m.rng.integers(1, INT32_MAX, endpoint=True))
        mults.append(mult)
        shs.append(s)
    return (mults, shs, axis)


def gen_rescale(m):
    modes = ["single_round", "double_round", "tflite"]
    for mode in modes:
        # Per-tensor, every edge shift, i32 input with zero points at both
        # ends (|x - zp| up to 2^32 - 1), saturating outputs.
        for s in EDGE_SHIFTS:
            for mult in [1 << 30, 3, INT32_MAX]:
                for izp in [0, INT32_MIN, INT32_MAX]:
                    x = m.rand_int((24,), 32)
                    # Ties: x' = odd multiples of small powers of two.
                    x[:6] = np.array([1, -1, 3, -3, 2, -2]) + izp if abs(izp) < 2**30 else x[:6]
                    scale = ([mult], [s], None)
                    ozp = -3
                    exp = rescale_ref(x, izp, scale, ozp, -128, 127, mode)
                    m.add([(x, "i32")], [
                        f"%r = qlp.rescale %a0 zp {izp} scale {scale_attr(scale)} "
                        f"output_zp {ozp} rounding {mode} : tensor<24xi32> -> tensor<24xi8>"],
                        ((24,), "i8"), exp)
        # Ties at the rounding boundaries: every x' in a small range, for
        # shifts where m / 2^s leaves halves and quarters.
        x = np.arange(-40, 41, dtype=np.int64)
        for mult, s in [(1, 1), (3, 1), (1 << 30, 31), (1 << 30, 32), (INT32_MAX, 33),
                        (5, 2), (1 << 30, 62), (1518500250, 32), (1, 0)]:
            scale = ([mult], [s], None)
            exp = rescale_ref(x, 0, scale, 0, INT32_MIN, INT32_MAX, mode)
            m.add([(x, "i32")], [
                f"%r = qlp.rescale %a0 scale {scale_attr(scale)} rounding {mode} "
                f": tensor<81xi32> -> tensor<81xi32>"], ((81,), "i32"), exp)
        # double_round's correction: p just around (k + 1/2) * 2^s +- 2^30
        # for s = 32..40, x' = 2^k +- small, m = 2^31 - 1.
        for s in [32, 33, 40, 62]:
            base = []
            for k in range(0, 32):
                for d in (-2, -1, 0, 1, 2):
                    v = (1 << k) + d
                    if -(2**32) < v < 2**32 and abs(v) <= INT32_MAX:
                        base.extend([v, -v])
            x = np.array(base[:128], dtype=np.int64)
            mult = INT32_MAX if s < 62 else 1 << 30
            scale = ([mult], [s], None)
            exp = rescale_ref(x, 0, scale, 0, INT32_MIN, INT32_MAX, mode)
            m.add([(x, "i32")], [
                f"%r = qlp.rescale %a0 scale {scale_attr(scale)} rounding {mode} "
                f": tensor<{len(x)}xi32> -> tensor<{len(x)}xi32>"], ((len(x),), "i32"), exp)
        # Per-channel along every axis, all input and output widths, clamp.
        for axis in range(3):
            for in_bits, out_bits in [(32, 8), (16, 4), (8, 2), (32, 16), (8, 32)]:
                shape = (3, 4, 5)
                x = m.rand_int(shape, in_bits)
                scale = random_scale(m, shape[axis], axis)
                izp = [smin(in_bits), smax(in_bits), 7][axis]
                ozp = [smax(out_bits), smin(out_bits), 0][axis]
                clamp = axis == 2 and out_bits > 2
                lo, hi = smin(out_bits), smax(out_bits)
                clamp_text = ""
                if clamp:
                    lo, hi = 0, min(6, smax(out_bits))
                    clamp_text = f" clamp [{lo}, {hi}]"
                exp = rescale_ref(x, izp, scale, ozp, lo, hi, mode)
                m.add([(x, f"i{in_bits}")], [
                    f"%r = qlp.rescale %a0 zp {izp} scale {scale_attr(scale)} "
                    f"output_zp {ozp}{clamp_text} rounding {mode} : "
                    f"{tensor_type(shape, f'i{in_bits}')} -> {tensor_type(shape, f'i{out_bits}')}"],
                    (shape, f"i{out_bits}"), exp)


def gen_add(m):
    for mode in ["single_round", "double_round", "tflite"]:
        for lbits, rbits, obits in [(8, 8, 8), (16, 8, 16), (4, 2, 8), (16, 16, 32), (8, 4, 4)]:
            shape = (2, 3, 6)
            a, b = m.rand_int(shape, lbits), m.rand_int(shape, rbits)
            lscale = random_scale(m, shape[2], 2)
            rscale = random_scale(m, shape[1], 1) if obits != 8 else (
                [1 << 30], [31], None)
            lzp, rzp = smin(lbits), smax(rbits)
            ozp = smin(obits) + 1
            lo, hi = smin(obits), smax(obits)
            exp = np.empty(shape, dtype=object)
            for idx in np.ndindex(shape):
                ta = round_dyadic(int(a[idx]) - lzp, lscale[0][idx[2]], lscale[1][idx[2]], mode)
                rc = idx[1] if rscale[2] is not None else 0
                tb = round_dyadic(int(b[idx]) - rzp, rscale[0][rc], rscale[1][rc], mode)
                exp[idx] = min(max(ta + tb + ozp, lo), hi)
            m.add([(a, f"i{lbits}"), (b, f"i{rbits}")], [
                f"%r = qlp.add %a0 zp {lzp} scale {scale_attr(lscale)}, %a1 zp {rzp} "
                f"scale {scale_attr(rscale)} output_zp {ozp} rounding {mode} : "
                f"{tensor_type(shape, f'i{lbits}')}, {tensor_type(shape, f'i{rbits}')} -> "
                f"{tensor_type(shape, f'i{obits}')}"], (shape, f"i{obits}"), exp)
        # A clamp on the sum, and the default zero points.
        a, b = m.rand_int((40,), 8), m.rand_int((40,), 8)
        s1, s2 = ([1 << 30], [30], None), ([3], [1], None)
        exp = [min(max(round_dyadic(int(u), 1 << 30, 30, mode) +
                       round_dyadic(int(v), 3, 1, mode), -5), 100) for u, v in zip(a, b)]
        m.add([(a, "i8"), (b, "i8")], [
            f"%r = qlp.add %a0 scale {scale_attr(s1)}, %a1 scale {scale_attr(s2)} "
            f"clamp [-5, 100] rounding {mode} : tensor<40xi8>, tensor<40xi8> -> tensor<40xi8>"],
            ((40,), "i8"), exp)
    # qlp.clamp on every width.
    for bits, lo, hi in [(8, -5, 127), (4, -8, 3), (2, -1, 1), (16, -300, 300), (32, INT32_MIN, 0)]:
        x = m.rand_int((5, 7), bits)
        exp = np.minimum(np.maximum(x, lo), hi)
        m.add([(x, f"i{bits}")], [
            f"%r = qlp.clamp %a0 [{lo}, {hi}] : {tensor_type((5, 7), f'i{bits}')}"],
            ((5, 7), f"i{bits}"), exp)


#===------------------------------------------------------------------------===#
# Matmul and convolution
#===------------------------------------------------------------------------===#

def gen_matmul(m):
    configs = [
        # (batch, M, K, N, lhs bits, rhs bits, lhs_zp, rhs_zp, bias)
        (None, 5, 16, 7, 8, 8, -128, 127, True),
        (None, 4, 33, 3, 8, 4, 0, -8, False),
        (None, 3, 64, 5, 4, 4, 7, 0, True),
        (None, 6, 20, 4, 2, 2, -2, 1, True),
        (None, 2, 9, 6, 2, 8, 0, -128, False),
        (3, 4, 12, 5, 8, 8, 5, -3, True),
        (2, 3, 17, 2, 4, 2, -8, -2, False),
        (None, 16, 64, 12, 8, 4, -128, 7, True),
        (4, 8, 40, 9, 4, 8, -8, 127, True),
        (None, 1, 1, 1, 8, 8, 127, -128, True),
    ]
    for batch, M, K, N, lb, rb, lzp, rzp, with_bias in configs:
        lshape = (M, K) if batch is None else (batch, M, K)
        rshape = (K, N) if batch is None else (batch, K, N)
        oshape = (M, N) if batch is None else (batch, M, N)
        a, w = m.rand_int(lshape, lb), m.rand_int(rshape, rb)
        exp = np.matmul(a - lzp, w - rzp)
        attrs = ""
        if with_bias:
            bias = m.rng.integers(-(2**20), 2**20, size=N)
            bias[0] = -(2**20)
            exp = exp + bias
            attrs = f" bias dense<{json.dumps(bias.tolist())}> : tensor<{N}xi32>"
        lz = f" lhs_zp {lzp}" if lzp else ""
        rz = f" rhs_zp {rzp}" if rzp else ""
        m.add([(a, f"i{lb}"), (w, f"i{rb}")], [
            f"%r = qlp.matmul %a0{lz}, %a1{rz}{attrs} : {tensor_type(lshape, f'i{lb}')}, "
            f"{tensor_type(rshape, f'i{rb}')} -> {tensor_type(oshape, 'i32')}"],
            (oshape, "i32"), exp)


def conv_ref(x, w_hwcf, pad_value, strides, dilations, padding, groups):
    """sum over (kh, kw, c) of in(...) * w, reading pad_value outside the
    input; x and w already centered (zero points subtracted)."""
    N, H, W, C = x.shape
    KH, KW, Cg, F = w_hwcf.shape
    pt, pb, pl, pr = padding
    sh, sw = strides
    dh, dw = dilations
    OH = (H + pt + pb - dh * (KH - 1) - 1) // sh + 1
    OW = (W + pl + pr - dw * (KW - 1) - 1) // sw + 1
    Fg = F // groups
    out = np.zeros((N, OH, OW, F), dtype=np.int64)
    for n in range(N):
        for oh in range(OH):
            for ow in range(OW):
                for f in range(F):
                    g = f // Fg
                    acc = 0
                    for kh in range(KH):
                        for kw in range(KW):
                            ih = oh * sh + kh * dh - pt
                            iw = ow * sw + kw * dw - pl
                            inside = 0 <= ih < H and 0 <= iw < W
                            for c in range(Cg):
                                v = x[n, ih, iw, g * Cg + c] if inside else pad_value
                                acc += int(v) * int(w_hwcf[kh, kw, c, f])
                    out[n, oh, ow, f] = acc
    return out


CONV_CONFIGS = [
    # (N, H, W, C, KH, KW, F, strides, dilations, padding, groups)
    (1, 6, 7, 4, 3, 3, 5, (1, 1), (1, 1), (1, 1, 1, 1), 1),
    (2, 7, 6, 4, 3, 2, 6, (2, 1), (1, 2), (0, 2, 1, 0), 2),
    (1, 8, 8, 6, 3, 3, 6, (2, 2), (1, 1), (1, 0, 0, 1), 6),    # depthwise
    (1, 5, 9, 3, 2, 3, 6, (1, 3), (2, 1), (2, 1, 0, 2), 3),    # depthwise x2
    (1, 4, 4, 8, 1, 1, 4, (1, 1), (1, 1), (0, 0, 0, 0), 1),
]


def gen_conv(m):
    widths = [(8, 8, -128, 127), (8, 4, 127, -8), (4, 2, -8, 1), (2, 8, 1, 0), (8, 2, 0, -2)]
    for i, (N, H, W, C, KH, KW, F, st, dil, pad, groups) in enumerate(CONV_CONFIGS):
        for layout in ["hwcf", "fhwc"]:
            ib, wb, izp, wzp = widths[(i + (layout == "fhwc")) % len(widths)]
            x = m.rand_int((N, H, W, C), ib)
            w = m.rand_int((KH, KW, C // groups, F), wb)
            exp = conv_ref(x - izp, w - wzp, 0, st, dil, pad, groups)
            with_bias = (i + (layout == "fhwc")) % 2 == 0
            attrs = ""
            if with_bias:
                bias = m.rng.integers(-(2**24), 2**24, size=F)
                exp = exp + bias
                attrs = f" bias dense<{json.dumps(bias.tolist())}> : tensor<{F}xi32>"
            wt = w if layout == "hwcf" else np.transpose(w, (3, 0, 1, 2))
            oshape = exp.shape
            m.add([(x, f"i{ib}"), (wt, f"i{wb}")], [
                f"%r = qlp.conv2d %a0 zp {izp}, %a1 zp {wzp} layout {layout} "
                f"strides [{st[0]}, {st[1]}] dilations [{dil[0]}, {dil[1]}] "
                f"padding [{', '.join(map(str, pad))}] groups {groups}{attrs} : "
                f"{tensor_type(x.shape, f'i{ib}')}, {tensor_type(wt.shape, f'i{wb}')} -> "
                f"{tensor_type(oshape, 'i32')}"], (oshape, "i32"), exp)


#===------------------------------------------------------------------------===#
# Binary layers
#===------------------------------------------------------------------------===#

def binarize_ref(x, threshold):
    return np.where(x >= threshold, 1, -1)


def pack_ref(values, bits, word_bits, axis, binary=False):
    """runtime/qlp_runtime.h's layout: value j in word j // F at bit
    (j % F) * bits, fields hold the low bits (binary: 1 for -1); tail zero.
    Words are returned as signed integers of word_bits bits."""
    v = np.moveaxis(values, axis, -1)
    F = word_bits // bits
    n = v.shape[-1]
    P = -(-n * bits // word_bits)
    out = np.zeros(v.shape[:-1] + (P,), dtype=object)
    for idx in np.ndindex(v.shape[:-1]):
        for p in range(P):
            word = 0
            for f in range(F):
                j = p * F + f
                if j >= n:
                    break
                val = int(v[idx + (j,)])
                field = (1 if val == -1 else 0) if binary else val & ((1 << bits) - 1)
                word |= field << (f * bits)
            if word >= 1 << (word_bits - 1):
                word -= 1 << word_bits
            out[idx + (p,)] = word
    return np.moveaxis(out, -1, axis)


def unpack_ref(words, bits, word_bits, axis, n, binary=False):
    w = np.moveaxis(words, axis, -1)
    F = word_bits // bits
    out = np.zeros(w.shape[:-1] + (n,), dtype=np.int64)
    for idx in np.ndindex(w.shape[:-1]):
        for j in range(n):
            field = (int(w[idx + (j // F,)]) >> ((j % F) * bits)) & ((1 << bits) - 1)
            if binary:
                out[idx + (j,)] = -1 if field else 1
            else:
                out[idx + (j,)] = field - (1 << bits) if field >= 1 << (bits - 1) else field
    return np.moveaxis(out, -1, axis)


def gen_binary(m):
    # binarize, observed through pack (the binary type has no integer view).
    for bits, thr, shape, axis, wb in [(8, -3, (3, 70), 1, 32), (16, 0, (65, 2), 0, 64),
                                       (32, INT32_MIN, (2, 33), 1, 32), (8, 127, (4, 40), 1, 64),
                                       (32, INT32_MAX, (5, 31), 1, 32)]:
        x = m.rand_int(shape, bits)
        b = binarize_ref(x, thr)
        exp = pack_ref(b, 1, wb, axis, binary=True)
        m.add([(x, f"i{bits}")], [
            f"%b = qlp.binarize %a0 threshold {thr} : {tensor_type(shape, f'i{bits}')} -> "
            f"{tensor_type(shape, '!qlp.binary')}",
            f"%r = qlp.pack %b axis {axis} : {tensor_type(shape, '!qlp.binary')} -> "
            f"{tensor_type(exp.shape, f'i{wb}')}"], (exp.shape, f"i{wb}"), exp)
    # binary_matmul, rank 2 and 3.
    for lshape, rshape in [((5, 70), (70, 6)), ((2, 3, 33), (2, 33, 4)), ((1, 1), (1, 1))]:
        x, y = m.rand_int(lshape, 8), m.rand_int(rshape, 8)
        tx, ty = -1, 2
        exp = np.matmul(binarize_ref(x, tx), binarize_ref(y, ty))
        bl, br = tensor_type(lshape, "!qlp.binary"), tensor_type(rshape, "!qlp.binary")
        m.add([(x, "i8"), (y, "i8")], [
            f"%l = qlp.binarize %a0 threshold {tx} : {tensor_type(lshape, 'i8')} -> {bl}",
            f"%w = qlp.binarize %a1 threshold {ty} : {tensor_type(rshape, 'i8')} -> {br}",
            f"%r = qlp.binary_matmul %l, %w : {bl}, {br} -> {tensor_type(exp.shape, 'i32')}"],
            (exp.shape, "i32"), exp)
    # binary_conv2d: both pad values, layouts, groups, strides, dilations.
    for i, (N, H, W, C, KH, KW, F, st, dil, pad, groups) in enumerate(CONV_CONFIGS):
        for pad_value in (1, -1):
            layout = "hwcf" if (i + pad_value) % 2 else "fhwc"
            x = m.rand_int((N, H, W, C), 8)
            w = m.rand_int((KH, KW, C // groups, F), 8)
            bx, bw = binarize_ref(x, 0), binarize_ref(w, 0)
            exp = conv_ref(bx, bw, pad_value, st, dil, pad, groups)
            wt = w if layout == "hwcf" else np.transpose(w, (3, 0, 1, 2))
            tx, tw = tensor_type(x.shape, "!qlp.binary"), tensor_type(wt.shape, "!qlp.binary")
            m.add([(x, "i8"), (wt, "i8")], [
                f"%x = qlp.binarize %a0 threshold 0 : {tensor_type(x.shape, 'i8')} -> {tx}",
                f"%w = qlp.binarize %a1 threshold 0 : {tensor_type(wt.shape, 'i8')} -> {tw}",
                f"%r = qlp.binary_conv2d %x, %w layout {layout} strides [{st[0]}, {st[1]}] "
                f"dilations [{dil[0]}, {dil[1]}] padding [{', '.join(map(str, pad))}] "
                f"groups {groups} pad_value {pad_value} : {tx}, {tw} -> "
                f"{tensor_type(exp.shape, 'i32')}"], (exp.shape, "i32"), exp)


#===------------------------------------------------------------------------===#
# Pooling
#===------------------------------------------------------------------------===#

POOL_CONFIGS = [
    # (N, H, W, C, kernel, strides, padding)
    (1, 6, 6, 3, (3, 3), (2, 2), (1, 1, 1, 1)),
    (2, 5, 7, 2, (2, 3), (1, 2), (1, 0, 2, 1)),
    (1, 4, 4, 4, (2, 2), (2, 2), (0, 0, 0, 0)),
    (1, 7, 5, 1, (4, 3), (3, 1), (3, 2, 0, 2)),
    (1, 1, 1, 2, (1, 1), (1, 1), (0, 0, 0, 0)),
]


def pool_windows(x, kernel, strides, padding):
    """Yields (n, oh, ow, c, list of in-bounds values)."""
    N, H, W, C = x.shape
    pt, pb, pl, pr = padding
    OH = (H + pt + pb - kernel[0]) // strides[0] + 1
    OW = (W + pl + pr - kernel[1]) // strides[1] + 1
    for n in range(N):
        for oh in range(OH):
            for ow in range(OW):
                for c in range(C):
                    vals = []
                    for kh in range(kernel[0]):
                        for kw in range(kernel[1]):
                            ih, iw = oh * strides[0] + kh - pt, ow * strides[1] + kw - pl
                            if 0 <= ih < H and 0 <= iw < W:
                                vals.append(int(x[n, ih, iw, c]))
                    yield (n, oh, ow, c), vals, (N, OH, OW, C)


def gen_pool(m):
    for i, (N, H, W, C, kernel, st, pad) in enumerate(POOL_CONFIGS):
        for bits in [8, 16, 4, 2]:
            x = m.rand_int((N, H, W, C), bits)
            results = list(pool_windows(x, kernel, st, pad))
            oshape = results[0][2]
            exp = np.zeros(oshape, dtype=np.int64)
            for idx, vals, _ in results:
                exp[idx] = max(vals)
            t_in, t_out = tensor_type(x.shape, f"i{bits}"), tensor_type(oshape, f"i{bits}")
            m.add([(x, f"i{bits}")], [
                f"%r = qlp.max_pool2d %a0 kernel [{kernel[0]}, {kernel[1]}] strides [{st[0]}, {st[1]}] "
                f"padding [{', '.join(map(str, pad))}] : {t_in} -> {t_out}"], (oshape, f"i{bits}"), exp)
        for bits, izp, ozp in [(8, -128, -128), (8, 127, 5), (16, smin(16), smax(16)), (16, 3, -7)]:
            x = m.rand_int((N, H, W, C), bits)
            results = list(pool_windows(x, kernel, st, pad))
            oshape = results[0][2]
            exp = np.zeros(oshape, dtype=np.int64)
            for idx, vals, _ in results:
                acc = sum(v - izp for v in vals)
                count = len(vals)
                k = 32 - (32 - (count - 1).bit_length())  # 32 - clz32(count - 1)
                mult = ((2**30 + 1) << k) // count
                r = (acc * mult + (1 << (29 + k))) >> (30 + k)
                exp[idx] = min(max(r + ozp, smin(bits)), smax(bits))
            t_in, t_out = tensor_type(x.shape, f"i{bits}"), tensor_type(oshape, f"i{bits}")
            m.add([(x, f"i{bits}")], [
                f"%r = qlp.avg_pool2d %a0 zp {izp} kernel [{kernel[0]}, {kernel[1]}] "
                f"strides [{st[0]}, {st[1]}] padding [{', '.join(map(str, pad))}] output_zp {ozp} "
                f": {t_in} -> {t_out}"], (oshape, f"i{bits}"), exp)


#===------------------------------------------------------------------------===#
# Packing
#===------------------------------------------------------------------------===#

def gen_pack(m):
    # pack i4 / i2 along every axis, lengths with and without a tail.
    for bits, shape, axis in [(4, (3, 7), 1), (4, (8, 2), 0), (2, (2, 3, 9), 2),
                              (2, (5, 4, 3), 1), (4, (1, 1), 1), (2, (4, 2), 0)]:
        x = m.rand_int(shape, bits)
        exp = pack_ref(x, bits, 8, axis)
        m.add([(x, f"i{bits}")], [
            f"%r = qlp.pack %a0 axis {axis} : {tensor_type(shape, f'i{bits}')} -> "
            f"{tensor_type(exp.shape, 'i8')}"], (exp.shape, "i8"), exp)
    # unpack random bytes (tail bits are garbage and must be ignored).
    for bits, n, shape, axis in [(4, 7, (3, 4), 1), (2, 9, (3, 2), 0), (4, 8, (2, 4, 3), 1),
                                 (2, 3, (2, 1), 1)]:
        words = m.rand_int(shape, 8)
        exp = unpack_ref(words, bits, 8, axis, n)
        oshape = exp.shape
        m.add([(words, "i8")], [
            f"%r = qlp.unpack %a0 axis {axis} : {tensor_type(shape, 'i8')} -> "
            f"{tensor_type(oshape, f'i{bits}')}"], (oshape, f"i{bits}"), exp)
    # Binary: unpack random i32 / i64 words (garbage tails), repack into the
    # other word size; and unpack into a binary_matmul.
    for wb_in, wb_out, n, shape, axis in [(32, 64, 70, (2, 3), 1), (64, 32, 65, (2, 3), 0),
                                          (32, 32, 31, (4, 1), 1)]:
        words = m.rand_int(shape, wb_in)
        vals = unpack_ref(words, 1, wb_in, axis, n, binary=True)
        exp = pack_ref(vals, 1, wb_out, axis, binary=True)
        tb = tensor_type(vals.shape, "!qlp.binary")
        m.add([(words, f"i{wb_in}")], [
            f"%b = qlp.unpack %a0 axis {axis} : {tensor_type(shape, f'i{wb_in}')} -> {tb}",
            f"%r = qlp.pack %b axis {axis} : {tb} -> {tensor_type(exp.shape, f'i{wb_out}')}"],
            (exp.shape, f"i{wb_out}"), exp)
    lw, rw = m.rand_int((4, 3), 32), m.rand_int((2, 5), 64)
    lv = unpack_ref(lw, 1, 32, 1, 70, binary=True)
    rv = unpack_ref(rw, 1, 64, 0, 70, binary=True)
    exp = np.matmul(lv, rv)
    tl, tr = tensor_type((4, 70), "!qlp.binary"), tensor_type((70, 5), "!qlp.binary")
    m.add([(lw, "i32"), (rw, "i64")], [
        f"%l = qlp.unpack %a0 axis 1 : tensor<4x3xi32> -> {tl}",
        f"%w = qlp.unpack %a1 axis 0 : tensor<2x5xi64> -> {tr}",
        f"%r = qlp.binary_matmul %l, %w : {tl}, {tr} -> tensor<4x5xi32>"], ((4, 5), "i32"), exp)


FAMILIES = {"rescale": gen_rescale, "add": gen_add, "matmul": gen_matmul,
            "conv": gen_conv, "binary": gen_binary, "pool": gen_pool, "pack": gen_pack}


def parse_output(text):
    """The data of every printMemrefI64 block, flattened, with its sizes."""
    blocks = []
    for chunk in text.split("Unranked Memref")[1:]:
        sizes = [int(v) for v in re.search(r"sizes = \[([^\]]*)\]", chunk).group(1).split(",")
                 if v.strip()]
        data = chunk.split("data =", 1)[1]
        blocks.append((sizes, [int(v) for v in re.findall(r"-?\d+", data)]))
    return blocks


def main():
    mode, family = sys.argv[1], sys.argv[2]
    if mode == "gen":
        m = Module(seed=sum(map(ord, family)))
        FAMILIES[family](m)
        sys.stdout.write(m.emit())
        with open(sys.argv[3], "w") as f:
            f.write(m.expected_json())
        return 0
    expected = json.load(open(sys.argv[3]))
    blocks = parse_output(open(sys.argv[4]).read())
    if len(blocks) != len(expected):
        print(f"error: expected {len(expected)} results, the program printed {len(blocks)}")
        return 1
    elements = 0
    for i, (case, (sizes, data)) in enumerate(zip(expected, blocks)):
        if sizes != case["shape"] or len(data) != len(case["values"]):
            print(f"error: case{i}: shape {sizes} with {len(data)} values, expected {case['shape']}")
            return 1
        bad = [j for j, (a, b) in enumerate(zip(data, case["values"])) if a != b]
        if bad:
            j = bad[0]
            print(f"error: case{i}: {len(bad)} of {len(data)} elements differ; first at flat "
                  f"index {j}: got {data[j]}, expected {case['values'][j]}")
            return 1
        elements += len(data)
    print(f"{family}: {len(expected)} cases, {elements} elements bit-exact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
