#!/usr/bin/env python3
"""Feeds malformed .mlir inputs to quant-opt and checks that none crashes.

Deterministic: every input derives from the seed files and one fixed random
seed (printed). Five generators:

  truncate  byte prefixes of each seed file, cut at token boundaries and
            inside tokens: identifiers, integers, strings, `<[...]>` dyadic
            attributes, `dense<...>` literals, shapes, attribute dictionaries;
  garbage   random bytes (binary, NULs, invalid UTF-8), seeds with spans
            overwritten or bytes spliced in, token soup, long tokens,
            moderately deep nesting;
  mutate    1 to 3 token-level edits of a valid seed: delete, duplicate or
            swap tokens and lines; huge, negative and out-of-range integers;
            mismatched element types, ranks and dynamic dims; unbalanced
            brackets; wrong enum keywords, op names and attribute keywords;
            broken dyadic scales and attribute dictionaries; one type
            changed at every use, so that the op verifiers see it;
  fold      small programs whose constants feed the qlp folders (pack,
            unpack, rescale, clamp), run with --canonicalize; shapes are
            mostly small, now and then empty or huge;
  pipeline  more mutations, each run through one qlp pass or pipeline
            (--pipelines of them; PIPELINE_FLAG_SETS), which the verifier
            alone never reaches;
and, with --reproducers, saved inputs that once crashed (a `// FLAGS:`
first line gives their quant-opt flags).

Each input runs through quant-opt on stdin (a third of the mutations with
--canonicalize, to reach the folders, and some with the generic printer),
under an address-space limit, and is classified:

  valid             exit 0; the output must parse again with exit 0
  rejected cleanly  exit > 0 with "error" on stderr
  crash             killed by a signal, "PLEASE submit a bug report",
                    "Stack dump", "LLVM ERROR" or an assertion message
  timeout           ran longer than --timeout seconds
  silent            exit > 0 without any "error" diagnostic
  bad round-trip    exit 0, but the printed output does not parse again
  not lowered       a --qlp-*-pipeline exited 0 but left an op outside the
                    LLVM dialect (other than the GPU binaries and launches)

Anything but the first two is a failure: the offending input is saved under
--crash-dir, its path and stderr printed, and the script exits 1.
"""

import argparse
import concurrent.futures
import os
import random
import re
import resource
import subprocess
import sys
import time

CRASH_MARKERS = ("PLEASE submit a bug report", "Stack dump", "LLVM ERROR",
                 "Assertion `", "UNREACHABLE executed")

# Values that stress integer attributes: i32 / i64 edges, beyond i64, the
# shift limit (62) and negative counts.
INTERESTING_INTS = [
    "0", "1", "-1", "2", "62", "63", "64", "-63", "127", "128", "-129", "255",
    "32767", "32768", "-32769", "65536", "2147483647", "2147483648",
    "-2147483648", "-2147483649", "4294967295", "4294967296",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    "99999999999999999999", "-99999999999999999999", "1" + "0" * 40,
    "0x7FFFFFFF", "0xFFFFFFFFFFFFFFFFFF", "1.5", "-0", "1e9", "true", "--1",
]

ELEMENT_TYPES = [
    "i1", "i2", "i3", "i4", "i7", "i8", "i16", "i32", "i64", "i128", "i0",
    "i16777215", "ui8", "si8", "f16", "f32", "bf16", "index", "!qlp.binary",
    "!qlp.binary<4>", "!qlp.bogus", "!qlp", "complex<i8>", "tensor<2xi8>",
    "none", "f8E4M3FN",
]

DIMS = ["?", "0", "1", "3", "-1", "2147483648", "9223372036854775807",
        "99999999999999999999", "65536", "??", ""]

ENUM_WORDS = ["single_round", "double_round", "tflite", "hwcf", "fhwc",
              "nearest", "chwf", "SINGLE_ROUND", "TFLite", '"tflite"', "0",
              "3", "-1", "single_round_", "", "<single_round>"]

OP_NAMES = ["rescale", "add", "clamp", "matmul", "conv2d", "binarize",
            "binary_matmul", "binary_conv2d", "max_pool2d", "avg_pool2d",
            "pack", "unpack"]
OP_REPLACEMENTS = ["qlp." + n for n in OP_NAMES] + [
    "qlp.bogus", "qlp.", "qlp", "arith.addi", "tosa.rescale", "func.return",
    "qlp.dyadic", "qlp.binary", "builtin.module"]

KEYWORDS = ["zp", "scale", "output_zp", "clamp", "rounding", "lhs_zp",
            "rhs_zp", "layout", "strides", "dilations", "padding", "groups",
            "pad_value", "threshold", "kernel", "axis", "input_zp",
            "weight_zp", "clamp_min", "clamp_max", "lhs_scale", "rhs_scale",
            "min", "max"]

BRACKETS = "()[]{}<>"

TOKEN_RE = re.compile(
    r'\s+|//[^\n]*|"(?:[^"\\\n]|\\.)*"|->|[%#!^@]?[A-Za-z0-9_.$?\-]+|.',
    re.S)

INT_RE = re.compile(r"(?<![\w.])-?\d+(?![\w.])")
DIM_RE = re.compile(r"(?<=[<x])(?:\d+|\?)(?=x)")
ELTYPE_RE = re.compile(
    r"(?:(?<=x)|(?<![\w.!]))(?:i\d+|!qlp\.binary|f32|index)(?![\w.])")
SHAPE_RE = re.compile(r"tensor<([^<>]*(?:<[^<>]*>[^<>]*)?)>")
ENUM_RE = re.compile(r"\b(?:single_round|double_round|tflite|hwcf|fhwc)\b")
OP_RE = re.compile(r"\bqlp\.(?:%s)\b" % "|".join(
    sorted(OP_NAMES, key=len, reverse=True)))
KEYWORD_RE = re.compile(r"\b(?:%s)\b" % "|".join(
    sorted(KEYWORDS, key=len, reverse=True)))
ARRAY_RE = re.compile(r"\[([^\[\]\n]*)\]")
DYADIC_RE = re.compile(r"<\[[^\]]*\], \[[^\]]*\](?:, axis = \d+)?>")
ATTR_ENTRY_RE = re.compile(r"(\w+) = (-?\d+ : i64|#[^,}]+|array<[^>]*>)")
VALUE_RE = re.compile(r"%[\w$.]+(?:#\d+)?")


# --------------------------------------------------------------------------
# Generators
# --------------------------------------------------------------------------

def tokens(text):
    """(start, end) of every non-whitespace token of `text`."""
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)
            if not m.group().isspace()]


def truncations(name, data, rng, per_seed):
    """Byte prefixes of `data`: forced cuts inside the constructs that have
    their own parsers, then token boundaries and token interiors, sampled
    down to `per_seed` cut points (plus the empty prefix)."""
    text = data.decode("utf-8")
    forced = set()
    # Just after every opener of a nested construct, and just inside each
    # string, dyadic attribute and dense literal.
    for m in re.finditer(r'<\[|dense<|"|<\{|array<|#qlp|!qlp|\^bb|->', text):
        forced.update((m.start() + 1, m.end()))
    for m in DYADIC_RE.finditer(text):
        forced.update(m.start() + rng.randrange(len(m.group()))
                      for _ in range(2))
    for m in re.finditer(r"tensor<[^>]*>", text):
        forced.add(m.start() + rng.randrange(len(m.group())))
    ordinary = set()
    for start, end in tokens(text):
        ordinary.update((start, end))
        if end - start > 1:
            ordinary.add(rng.randrange(start + 1, end))
    # Byte offsets (the seeds are ASCII, so character offsets are bytes).
    forced = sorted(c for c in forced if 0 < c < len(data))
    ordinary = sorted(c for c in ordinary - set(forced) if 0 < c < len(data))
    n_forced = min(len(forced), per_seed // 2)
    cuts = rng.sample(forced, n_forced)
    cuts += rng.sample(ordinary, min(len(ordinary), per_seed - n_forced))
    cuts = [0] + sorted(cuts)
    return [("truncate %s @%d" % (name, c), data[:c], []) for c in cuts]


def garbage(seeds, rng, count):
    """`count` inputs of random bytes and damaged seeds."""
    vocab = sorted({text[s:e] for _, text in seeds for s, e in tokens(text)})
    punct = list("{}()<>[]%#!^:,=\"@?*-+") + ["->", "x", "\n", " "]
    fixed = [
        b"", b"\n", b"   \t\n", b"\x00", b"\xef\xbb\xbf", b"\xef\xbb\xbfmodule {}",
        b"\xff\xfe", b"\xc0\x80", b"\xed\xa0\x80", b"\x80\x80\x80",
        b'"\xff"', b"module {\x00}", b"func.func @\xff() { return }",
        b"%" * 4096, b"a" * 100000, b"9" * 10000,
        b"func.func @f(%a: tensor<" + b"9" * 5000 + b"xi8>) { return }",
        b"#a = #qlp.dyadic<[" + b"1, " * 20000 + b"1], [0]>",
        b"#a = #qlp.dyadic<[" + b"9" * 3000 + b"], [0]>",
        b"!a = !qlp.binary\n!a = !qlp.binary\n",
        b"#qlp.dyadic<[1], [0]>", b"!qlp.binary", b"qlp.rescale",
        b'"qlp.pack"() : () -> ()', b'"qlp.rescale"() : () -> ()',
        b'"qlp.rescale"() <{}> : () -> tensor<i8>',
        # Nesting stays moderate: MLIR's recursive-descent parser itself
        # overflows the stack near 10^4 nested regions or 10^5 nested
        # dense brackets, upstream and outside quant-lp's reach.
        b"(" * 500 + b")" * 500, b"[" * 1000, b"<" * 1000, b"{" * 200,
        b"tensor<" * 200 + b"i8" + b">" * 200,
        b"%x = arith.constant dense<" + b"[" * 800 + b"1" + b"]" * 800
        + b"> : tensor<i8>",
    ]
    out = [("garbage fixed #%d" % i, d, []) for i, d in enumerate(fixed)]
    kinds = ["bytes", "nul-bytes", "utf8", "overwrite", "splice", "soup",
             "punct"]
    for i in range(max(0, count - len(out))):
        kind = kinds[i % len(kinds)]
        name, text = seeds[rng.randrange(len(seeds))]
        data = text.encode("utf-8")
        if kind == "bytes":
            d = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        elif kind == "nul-bytes":
            d = bytes(rng.choice((0, 0, 0, 10, 32, 34, 37, 60, 62, 91, 93,
                                  rng.randrange(256)))
                      for _ in range(rng.randrange(1, 400)))
        elif kind == "utf8":
            bad = rng.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80",
                              b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80",
                              b"\x00", b"\xef\xbf\xbe"])
            pos = rng.randrange(len(data) + 1)
            d = data[:pos] + bad * rng.randrange(1, 4) + data[pos:]
        elif kind == "overwrite":
            pos = rng.randrange(len(data))
            n = rng.randrange(1, 64)
            d = (data[:pos] + bytes(rng.randrange(256) for _ in range(n))
                 + data[pos + n:])
        elif kind == "splice":
            a, b = sorted(rng.randrange(len(data)) for _ in range(2))
            other = seeds[rng.randrange(len(seeds))][1].encode("utf-8")
            c = rng.randrange(len(other))
            d = data[:a] + other[c:c + rng.randrange(1, 200)] + data[b:]
        elif kind == "soup":
            d = " ".join(rng.choice(vocab)
                         for _ in range(rng.randrange(1, 80))).encode()
        else:
            d = "".join(rng.choice(punct + vocab[:50])
                        for _ in range(rng.randrange(1, 200))).encode()
        out.append(("garbage %s #%d (%s)" % (kind, i, name), d, []))
    return out


def _sub_random(rng, regex, text, repl):
    """Replace one random match of `regex` in `text` by repl(match)."""
    ms = list(regex.finditer(text))
    if not ms:
        return None
    m = rng.choice(ms)
    return text[:m.start()] + repl(m) + text[m.end():]


def _mutate_tokens(rng, text):
    toks = tokens(text)
    op = rng.choice(("delete", "duplicate", "swap", "swap-adjacent"))
    i = rng.randrange(len(toks))
    s, e = toks[i]
    if op == "delete":
        return text[:s] + text[e:]
    if op == "duplicate":
        return text[:e] + " " + text[s:e] + text[e:]
    j = min(i + 1, len(toks) - 1) if op == "swap-adjacent" else \
        rng.randrange(len(toks))
    (s1, e1), (s2, e2) = sorted([toks[i], toks[j]])
    if s2 < e1:
        return None
    return (text[:s1] + text[s2:e2] + text[e1:s2] + text[s1:e1] + text[e2:])


def _mutate_lines(rng, text):
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    op = rng.choice(("delete", "duplicate", "swap"))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(j, lines[i])
    else:
        lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _mutate_shape(rng, m):
    dims = m.group(1).split("x")
    elt, dims = dims[-1], dims[:-1]
    # Re-join an element type that itself contains an `x` (none today).
    op = rng.choice(("drop", "add", "unranked", "rank0", "other", "empty"))
    if op == "drop" and dims:
        del dims[rng.randrange(len(dims))]
    elif op == "add":
        dims.insert(rng.randrange(len(dims) + 1), rng.choice(DIMS[:5]))
    elif op == "unranked":
        return "tensor<*x%s>" % elt
    elif op == "rank0":
        return "tensor<%s>" % elt
    elif op == "empty":
        return rng.choice(["tensor<>", "tensor", "tensor<x>", "tensor<4x>"])
    else:
        return rng.choice(["vector<%s>", "memref<%s>", "tensor<%s, 1>",
                           "tensor<%s, #qlp.dyadic<[1], [0]>>"]) % \
            "x".join(dims + [elt])
    return "tensor<%s>" % "x".join(dims + [elt])


def _mutate_array(rng, m):
    vals = [v.strip() for v in m.group(1).split(",") if v.strip()]
    op = rng.choice(("empty", "drop", "add", "negate", "huge", "zero"))
    if op == "empty":
        vals = []
    elif op == "drop" and vals:
        del vals[rng.randrange(len(vals))]
    elif op == "add":
        vals.append(rng.choice(INTERESTING_INTS[:12]))
    elif op == "negate" and vals:
        k = rng.randrange(len(vals))
        vals[k] = "-" + vals[k]
    elif op == "huge" and vals:
        vals[rng.randrange(len(vals))] = rng.choice(INTERESTING_INTS)
    elif vals:
        vals[rng.randrange(len(vals))] = "0"
    return "[" + ", ".join(vals) + "]"


def _mutate_dyadic(rng, m):
    return rng.choice([
        "<[], []>", "<[1], []>", "<[], [0]>", "<[1, 2], [3]>",
        "<[1], [2, 3]>", "<[0], [0]>", "<[-1], [0]>", "<[2147483648], [0]>",
        "<[1], [-1]>", "<[1], [63]>", "<[1], [62]>", "<[1], [64]>",
        "<[1], [2147483647]>", "<[1], [0], axis = -1>",
        "<[1], [0], axis = 99>", "<[1], [0], axis = 9223372036854775807>",
        "<[1], [0], axis = 99999999999999999999>", "<[1], [0], axis>",
        "<[1], [0], axis = >", "<[1], [0],>", "<[1] [0]>", "<[1], [0]",
        "<[1, 1], [0, 0], axis = 0>", "<[1, 1], [0, 0], axis = 3>",
        "<[1], [0], axis = 1, axis = 1>", "<[1.5], [0]>", "<[\"1\"], [0]>",
        "<[1073741824], [31], axis = 0>", "<>", "<[[1]], [[0]]>",
    ])


def _mutate_attr_entry(rng, m):
    key = m.group(1)
    return rng.choice([
        "", key, key + " = ", key + " = unit", key + ' = "x"',
        key + " = 1 : i32", key + " = 1 : i1", key + " = 1 : index",
        key + " = -1 : i64", key + " = 99999999999999999999 : i64",
        key + " = 1.0 : f32", key + " = array<i64>", key + " = array<i64: 1>",
        key + " = array<i32: 1, 1>", key + " = #qlp<rounding tflite>",
        key + " = #qlp<layout hwcf>", key + " = #qlp<rounding hwcf>",
        key + " = #qlp<layout>", key + " = #qlp<bogus 1>",
        key + " = #qlp.dyadic<[1], [0]>", key + " = [1, 2]",
        key + " = {}", key + " = dense<1> : tensor<2xi64>",
        "bogus = 1 : i64", key + " = " + m.group(2) + ", " + m.group(0),
    ])


def _mutate_value(rng, m, values):
    return rng.choice(values + ["%nope", "%0#5", "%", "%1:2", "%arg99"])


def _retype_all(rng, text):
    """Change one tensor type at every use, so that the values stay
    consistent and the op verifiers, not the parser, see the new type."""
    types = sorted(set(m.group() for m in SHAPE_RE.finditer(text)))
    old = rng.choice(types)
    what = rng.choice(("eltype", "dim", "dim", "shape"))
    if what == "eltype":
        new = _sub_random(rng, ELTYPE_RE, old,
                          lambda m: rng.choice(ELEMENT_TYPES[:19]))
    elif what == "dim":
        new = _sub_random(rng, DIM_RE, old, lambda m: rng.choice(DIMS[:10]))
    else:
        new = _mutate_shape(rng, SHAPE_RE.match(old))
    return None if new is None else text.replace(old, new)


def mutate(rng, text):
    """One random mutation of `text`, or None when it did not apply."""
    op = rng.choice((
        "tokens", "tokens", "tokens", "lines", "int", "int", "dim",
        "eltype", "shape", "retype", "retype", "retype", "bracket", "enum",
        "opname", "keyword", "array", "dyadic", "attr", "attr", "value"))
    if op == "retype":
        return op, _retype_all(rng, text)
    if op == "tokens":
        return op, _mutate_tokens(rng, text)
    if op == "lines":
        return op, _mutate_lines(rng, text)
    if op == "int":
        return op, _sub_random(rng, INT_RE, text,
                               lambda m: rng.choice(INTERESTING_INTS))
    if op == "dim":
        return op, _sub_random(rng, DIM_RE, text, lambda m: rng.choice(DIMS))
    if op == "eltype":
        return op, _sub_random(rng, ELTYPE_RE, text,
                               lambda m: rng.choice(ELEMENT_TYPES))
    if op == "shape":
        return op, _sub_random(rng, SHAPE_RE, text,
                               lambda m: _mutate_shape(rng, m))
    if op == "bracket":
        positions = [i for i, c in enumerate(text) if c in BRACKETS]
        i = rng.choice(positions)
        what = rng.choice(("delete", "insert", "flip"))
        if what == "delete":
            return op, text[:i] + text[i + 1:]
        if what == "insert":
            j = rng.randrange(len(text) + 1)
            return op, text[:j] + rng.choice(BRACKETS) + text[j:]
        return op, text[:i] + rng.choice(BRACKETS) + text[i + 1:]
    if op == "enum":
        return op, _sub_random(rng, ENUM_RE, text,
                               lambda m: rng.choice(ENUM_WORDS))
    if op == "opname":
        return op, _sub_random(rng, OP_RE, text,
                               lambda m: rng.choice(OP_REPLACEMENTS))
    if op == "keyword":
        return op, _sub_random(rng, KEYWORD_RE, text,
                               lambda m: rng.choice(KEYWORDS + [""]))
    if op == "array":
        return op, _sub_random(rng, ARRAY_RE, text,
                               lambda m: _mutate_array(rng, m))
    if op == "dyadic":
        return op, _sub_random(rng, DYADIC_RE, text,
                               lambda m: _mutate_dyadic(rng, m))
    if op == "attr":
        return op, _sub_random(rng, ATTR_ENTRY_RE, text,
                               lambda m: _mutate_attr_entry(rng, m))
    values = sorted(set(VALUE_RE.findall(text)))
    return op, _sub_random(rng, VALUE_RE, text,
                           lambda m: _mutate_value(rng, m, values))


# Passes and pipelines the "pipeline" generator runs mutated inputs through.
PIPELINE_FLAG_SETS = [
    ["--qlp-cpu-pipeline"], ["--qlp-lower-to-reference"],
    ["--qlp-lower-to-kernels"], ["--qlp-gpu-pipeline=chip=sm_80"],
    ["--qlp-fold-scales"], ["--qlp-verify-integer-only"],
    ["--qlp-gpu-pipeline=chip=sm_90"],
]


def mutations(seeds, rng, count, flag_sets=None, label="mutate"):
    out = []
    if flag_sets is None:
        flag_sets = [[], [], ["--canonicalize"], ["--mlir-print-op-generic"],
                     [], ["--canonicalize"]]
    while len(out) < count:
        name, text = seeds[rng.randrange(len(seeds))]
        applied = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            op, new = mutate(rng, text)
            if new is not None and new != text:
                text = new
                applied.append(op)
        if not applied:
            continue
        flags = flag_sets[len(out) % len(flag_sets)]
        out.append(("%s %s #%d (%s)%s" % (
            label, name, len(out), "+".join(applied),
            "".join(" " + f for f in flags)), text.encode("utf-8"), flags))
    return out


FOLD_DIMS = [1, 1, 2, 3, 4, 7, 8, 9, 31, 32, 33, 64, 65, 100]
HUGE_DIMS = [0, 1 << 20, 1 << 31, 1 << 32, 1 << 40, 1 << 62,
             (1 << 63) - 1]


def _dense(rng, shape, lo, hi):
    """A dense literal for `shape`: a splat, or the full nested list when it
    is small, with values in [lo, hi] (now and then just outside)."""
    def value():
        if rng.random() < 0.05:
            return rng.choice((lo - 1, hi + 1, 99999999999999999999))
        return rng.randint(lo, hi)
    total = 1
    for d in shape:
        total *= d
    if total > 64 or max(shape) > 64 or rng.random() < 0.4:
        return "dense<%d>" % value()

    def nest(dims):
        if not dims:
            return str(value())
        return "[" + ", ".join(nest(dims[1:]) for _ in range(dims[0])) + "]"
    return "dense<%s>" % nest(list(shape))


def _tensor(shape, elt):
    return "tensor<%s>" % "x".join([str(d) for d in shape] + [elt])


def fold_program(rng):
    """A constant feeding the qlp folders (pack, unpack, rescale, clamp),
    with shapes that are mostly small and now and then huge or empty."""
    rank = rng.randint(1, 3)
    shape = [rng.choice(FOLD_DIMS) for _ in range(rank)]
    if rng.random() < 0.15:
        shape[rng.randrange(rank)] = rng.choice(HUGE_DIMS)
    axis = rng.randrange(rank)
    kind = rng.choice(("pack", "pack", "pack-binary", "unpack-pack",
                       "pack-unpack", "rescale", "clamp"))
    if kind in ("pack", "unpack-pack", "pack-unpack"):
        bits, wbits, elt = rng.choice(((4, 8, "i4"), (2, 8, "i2")))
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        bits, wbits, elt = 1, rng.choice((32, 64)), "!qlp.binary"
        lo, hi = -128, 127
    n = shape[axis]
    words = list(shape)
    words[axis] = -(-n * bits // wbits)
    if rng.random() < 0.1:
        words[axis] += rng.choice((-1, 1))
    wt = _tensor(words, "i%d" % wbits)
    lines = []
    if kind in ("pack", "unpack-pack"):
        vt = _tensor(shape, elt)
        lines.append("%%c = arith.constant %s : %s" % (
            _dense(rng, shape, lo, hi), vt))
        lines.append("%%p = qlp.pack %%c axis %d : %s -> %s" % (axis, vt, wt))
        ret = (["%p"], [wt])
        if kind == "unpack-pack":
            lines.append("%%u = qlp.unpack %%p axis %d : %s -> %s"
                         % (axis, wt, vt))
            ret = (["%u"], [vt])
    elif kind == "pack-binary":
        it = _tensor(shape, "i8")
        vt = _tensor(shape, elt)
        lines.append("%%c = arith.constant %s : %s" % (
            _dense(rng, shape, lo, hi), it))
        lines.append("%%b = qlp.binarize %%c threshold %d : %s -> %s" % (
            rng.randint(-3, 3), it, vt))
        lines.append("%%p = qlp.pack %%b axis %d : %s -> %s" % (axis, vt, wt))
        ret = (["%p"], [wt])
    elif kind == "pack-unpack":
        vt = _tensor(shape, elt)
        lines.append("%%w = arith.constant %s : %s" % (
            _dense(rng, words, -128, 127), wt))
        lines.append("%%u = qlp.unpack %%w axis %d : %s -> %s"
                     % (axis, wt, vt))
        lines.append("%%p = qlp.pack %%u axis %d : %s -> %s" % (axis, vt, wt))
        ret = (["%p", "%u"], [wt, vt])
    elif kind == "rescale":
        elt = rng.choice(("i8", "i16", "i32"))
        w = int(elt[1:])
        it = _tensor(shape, elt)
        k = rng.choice((0, 1, 30, 31))
        lines.append("%%c = arith.constant %s : %s" % (
            _dense(rng, shape, -(1 << (w - 1)), (1 << (w - 1)) - 1), it))
        clamp = rng.choice(("", " clamp [%d, %d]" % (
            -(1 << (w - 1)), (1 << (w - 1)) - 1)))
        lines.append("%%r = qlp.rescale %%c zp 3 scale <[%d], [%d]> "
                     "output_zp 3%s rounding %s : %s -> %s" % (
                         1 << k, k, clamp, rng.choice(("single_round",
                                                       "double_round",
                                                       "tflite")), it, it))
        ret = (["%r"], [it])
    else:
        elt = rng.choice(("i2", "i4", "i8", "i16", "i32"))
        w = int(elt[1:])
        it = _tensor(shape, elt)
        lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
        lines.append("%%c = arith.constant %s : %s" % (
            _dense(rng, shape, lo, hi), it))
        lines.append("%%y = qlp.clamp %%c [%d, %d] : %s" % (
            rng.choice((lo, lo + 1)), rng.choice((hi, hi - 1)), it))
        ret = (["%y"], [it])
    types = ", ".join(ret[1])
    return kind, "func.func @fold() -> (%s) {\n  %s\n  return %s : %s\n}\n" % (
        types, "\n  ".join(lines), ", ".join(ret[0]), types)


def folds(rng, count):
    out = []
    for i in range(count):
        kind, text = fold_program(rng)
        out.append(("fold %s #%d --canonicalize" % (kind, i),
                    text.encode("utf-8"), ["--canonicalize"]))
    return out


def reproducers(folder):
    """Saved inputs of fixed bugs; a `// FLAGS:` first line gives the
    quant-opt flags."""
    out = []
    if not folder or not os.path.isdir(folder):
        return out
    for fn in sorted(os.listdir(folder)):
        if not fn.endswith(".mlir"):
            continue
        with open(os.path.join(folder, fn), "rb") as f:
            data = f.read()
        first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
        flags = first.split("FLAGS:", 1)[1].split() if "FLAGS:" in first \
            else []
        out.append(("reproducer %s%s" % (fn, "".join(" " + f for f in flags)),
                    data, flags))
    return out


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def run_tool(tool, flags, data, timeout):
    """(returncode or None on timeout, stdout, stderr)."""
    env = dict(os.environ, LLVM_DISABLE_SYMBOLIZATION="1",
               LLVM_DISABLE_CRASH_REPORT="1")
    for attempt in range(20):
        try:
            p = subprocess.run([tool] + flags, input=data, capture_output=True,
                               timeout=timeout, env=env)
            return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            return None, b"", (e.stderr or b"").decode("utf-8", "replace")
        except (FileNotFoundError, PermissionError, OSError):
            # The binary may be mid-relink; wait for it.
            time.sleep(0.5)
    raise RuntimeError("cannot run %s" % tool)


# An operation's name at the start of a line of printed IR, after its
# results if any: `%0 = arith.addi ...`, `"func.func"() ...`, `llvm.return`.
OP_NAME_RE = re.compile(r'^\s*(?:%[^=]*=\s*)?"?([a-z_][a-z0-9_]*)\.([a-z_.0-9]+)',
                        re.M)
# What a complete pipeline may leave: the LLVM dialect, the GPU modules'
# serialized binaries, and their launches (lowered by LLVM translation).
LOWERED_OPS = ("llvm.", "gpu.binary", "gpu.launch_func", "builtin.module")


def not_lowered(out):
    """The first op a `--qlp-*-pipeline` left outside the LLVM dialect."""
    for m in OP_NAME_RE.finditer(out.decode("utf-8", "replace")):
        op = "%s.%s" % (m.group(1), m.group(2))
        if not op.startswith(LOWERED_OPS):
            return op
    return None


def classify(tool, item, timeout):
    name, data, flags = item
    rc, out, err = run_tool(tool, flags, data, timeout)
    if rc is None:
        return "timeout", err
    if rc < 0 or any(m in err for m in CRASH_MARKERS):
        return "crash", "exit %d\n%s" % (rc, err)
    if rc == 0:
        rc2, _, err2 = run_tool(tool, [], out, timeout)
        if rc2 != 0:
            return "bad round-trip", "re-parse exit %s\n%s" % (rc2, err2)
        if any(f.endswith("-pipeline") or "-pipeline=" in f for f in flags):
            op = not_lowered(out)
            if op:
                return "not lowered", "the output still holds %s" % op
        return "valid", ""
    if "error" not in err:
        return "silent", "exit %d without an error diagnostic\n%s" % (rc, err)
    return "rejected", ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quant-opt", default="quant-opt")
    ap.add_argument("--seeds", required=True, help="folder of seed .mlir files")
    ap.add_argument("--count", type=int, default=400,
                    help="number of mutated inputs")
    ap.add_argument("--garbage", type=int, default=150,
                    help="number of garbage inputs")
    ap.add_argument("--cuts-per-seed", type=int, default=100,
                    help="truncation points per seed file")
    ap.add_argument("--folds", type=int, default=100,
                    help="number of constant-folding programs")
    ap.add_argument("--pipelines", type=int, default=0,
                    help="number of mutated inputs run through the qlp "
                    "passes and pipelines (PIPELINE_FLAG_SETS)")
    ap.add_argument("--reproducers",
                    help="folder of saved inputs that once crashed")
    ap.add_argument("--memory-limit-mb", type=int, default=1024,
                    help="address-space limit of each quant-opt (0: none)")
    ap.add_argument("--seed", type=int, default=20251122)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--crash-dir", default="fuzz-crashes",
                    help="where failing inputs are saved")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.memory_limit_mb:
        # Inherited by every quant-opt: a runaway allocation fails fast
        # (and counts as a crash) instead of swapping the machine.
        limit = args.memory_limit_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    seeds = []
    for fn in sorted(os.listdir(args.seeds)):
        if fn.endswith(".mlir"):
            with open(os.path.join(args.seeds, fn), encoding="utf-8") as f:
                seeds.append((fn, f.read()))
    if not seeds:
        sys.exit("no seed files in %s" % args.seeds)

    # Each seed must be valid, or the mutations test nothing.
    for fn, text in seeds:
        rc, _, err = run_tool(args.quant_opt, [], text.encode(), args.timeout)
        if rc != 0:
            sys.exit("seed %s does not parse (exit %s):\n%s" % (fn, rc, err))

    rng = random.Random(args.seed)
    items = []
    for fn, text in seeds:
        items += truncations(fn, text.encode(), rng, args.cuts_per_seed)
    n_trunc = len(items)
    items += garbage(seeds, rng, args.garbage)
    n_garbage = len(items) - n_trunc
    items += mutations(seeds, rng, args.count)
    n_mut = len(items) - n_trunc - n_garbage
    items += folds(rng, args.folds)
    n_fold = len(items) - n_trunc - n_garbage - n_mut
    items += mutations(seeds, rng, args.pipelines, PIPELINE_FLAG_SETS,
                       "pipeline")
    n_pipe = len(items) - n_trunc - n_garbage - n_mut - n_fold
    repro = reproducers(args.reproducers)
    items += repro

    print("random seed: %d" % args.seed)
    print("seed files: %d (%s)" % (len(seeds), ", ".join(f for f, _ in seeds)))
    print("inputs: %d truncations, %d garbage, %d mutations, %d folds, "
          "%d through pipelines, %d reproducers" % (
              n_trunc, n_garbage, n_mut, n_fold, n_pipe, len(repro)))
    sys.stdout.flush()

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(
            lambda it: classify(args.quant_opt, it, args.timeout), items))
    elapsed = time.time() - start

    counts = {}
    per_gen = {}
    failures = []
    for i, (item, (kind, detail)) in enumerate(zip(items, results)):
        counts[kind] = counts.get(kind, 0) + 1
        gen = item[0].split()[0]
        per_gen.setdefault(gen, {}).setdefault(kind, 0)
        per_gen[gen][kind] += 1
        if args.verbose:
            print("%-14s %s" % (kind, item[0]))
        if kind not in ("valid", "rejected"):
            failures.append((i, item, kind, detail))

    for gen in ("truncate", "garbage", "mutate", "fold", "pipeline",
                "reproducer"):
        print("%s: %s" % (gen, ", ".join(
            "%s %d" % kv for kv in sorted(per_gen.get(gen, {}).items()))))

    if failures:
        os.makedirs(args.crash_dir, exist_ok=True)
    for i, (name, data, flags), kind, detail in failures:
        path = os.path.join(args.crash_dir, "input-%04d.mlir" % i)
        with open(path, "wb") as f:
            f.write(data)
        print("FAIL (%s): %s\n  input: %s\n  run: %s %s < %s\n%s" % (
            kind, name, path, args.quant_opt, " ".join(flags), path,
            "\n".join("  | " + l for l in detail.splitlines()[:40])))

    tried = len(items)
    valid = counts.get("valid", 0)
    rejected = counts.get("rejected", 0)
    print("tried: %d" % tried)
    print("valid: %d" % valid)
    print("rejected cleanly: %d of %d" % (rejected, tried - valid))
    print("signals: %d" % counts.get("crash", 0))
    print("timeouts: %d" % counts.get("timeout", 0))
    print("silent failures: %d" % counts.get("silent", 0))
    print("bad round-trips: %d" % counts.get("bad round-trip", 0))
    print("not lowered: %d" % counts.get("not lowered", 0))
    print("time: %.1f s" % elapsed, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
