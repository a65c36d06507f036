#!/usr/bin/env python3
"""Drives the end-to-end check of examples/cnn.mlir with binary layers.

Two configurations:
  * all:   every layer binary (quant-run --weight-bits=1 --act-bits=1), the
           first conv included, whose input is the image;
  * conv1: only the first conv binary (qlp.bits = 1, qlp.act_bits = 1 added
           to it in a copy of the model), the rest int8. Every layer input
           after the first is a ReLU output, which binarizes to all +1, so
           in "all" only conv1's binarization depends on the input; here its
           sign patterns, +1 padding and packed weights reach the output.

For each configuration, input (the bundled one, all zero, beyond the
calibration range, random) and rounding mode, runs quant-run with the
runtime's kernels (--kernels=true, the best ISA of this CPU), with the
portable kernels (--isa=generic) and with the reference lowering only
(--kernels=false), and the independent NumPy model
(cnn_binary_reference.py); all four must agree bit for bit. It then reports
the binary CNN's error against the float model, in the output's real units.

Usage: check_cnn_binary.py QUANT_RUN EXAMPLES_DIR WORK_DIR
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


def conv1_binary_model(examples, work):
    """A copy of cnn.mlir whose first conv carries qlp.bits/act_bits = 1."""
    text = open(os.path.join(examples, "cnn.mlir")).read()
    anchor = "%c1 = tosa.conv2d %x, %conv1_w, %conv1_b, %zp, %zp {"
    if text.count(anchor) != 1:
        sys.exit("cnn.mlir changed: cannot find the first conv")
    text = text.replace(anchor, anchor + "qlp.bits = 1 : i64, qlp.act_bits = 1 : i64, ")
    path = os.path.join(work, "cnn_conv1_binary.mlir")
    open(path, "w").write(text)
    return path


def main():
    quant_run, examples, work = sys.argv[1:4]
    ranges = os.path.join(examples, "cnn.calibration.json")
    weights = os.path.join(examples, "cnn.weights.npz")
    rng = np.random.default_rng(11)
    inputs = [np.load(os.path.join(examples, "cnn_input.npy")),
              np.zeros((1, 8, 8, 3), np.float32),
              rng.uniform(-1.5, 1.5, (1, 8, 8, 3)).astype(np.float32)]
    inputs += [rng.uniform(-1.0, 1.0, (1, 8, 8, 3)).astype(np.float32) for _ in range(3)]

    lo, hi = json.load(open(ranges))["fc"]
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0
    zp = -128 - np.sign(lo / scale) * np.floor(abs(lo / scale) + 0.5)

    configs = [
        ("all", os.path.join(examples, "cnn.mlir"), ["--weight-bits=1", "--act-bits=1"],
         "conv1,conva,convb,down,fc"),
        ("conv1", conv1_binary_model(examples, work), [], "conv1"),
    ]
    lowerings = {"kernels": ["--kernels=true"],
                 "generic": ["--kernels=true", "--isa=generic"],
                 "reference": ["--kernels=false"]}
    errors = []
    for name, model, options, binary in configs:
        compared = 0
        distinct = set()
        for mode in ("single_round", "double_round"):
            for i, x in enumerate(inputs):
                xin = os.path.join(work, f"x{i}.npy")
                np.save(xin, x)
                outs = {}
                for lowering, flags in lowerings.items():
                    got = os.path.join(work, f"{name}_{lowering}_{mode}_{i}.npy")
                    run([quant_run, model, "--entry=cnn", f"--calibration={ranges}",
                         f"--rounding={mode}", f"--input={xin}", f"--output={got}"]
                        + options + flags)
                    outs[lowering] = np.load(got)
                ref = os.path.join(work, f"{name}_numpy_{mode}_{i}.npy")
                run([sys.executable, os.path.join(HERE, "cnn_binary_reference.py"),
                     weights, ranges, xin, ref, f"--rounding={mode}", f"--binary={binary}"])
                outs["numpy"] = np.load(ref)
                base = outs["reference"]
                for key, out in outs.items():
                    if out.dtype != np.int8 or out.shape != base.shape or \
                            not np.array_equal(out, base):
                        print(f"MISMATCH {name} input {i} ({mode}):")
                        for k, o in outs.items():
                            print(f"  {k:9} {o.ravel()}")
                        sys.exit(1)
                compared += base.size
                distinct.add(base.tobytes())
                if name == "all" and mode == "single_round":
                    flt = os.path.join(work, f"float_{i}.npy")
                    run([quant_run, os.path.join(examples, "cnn.mlir"), "--entry=cnn",
                         "--float", f"--input={xin}", f"--output={flt}"])
                    real = (base.astype(np.float64) - zp) * scale
                    errors.append(np.abs(real - np.load(flt).astype(np.float64)))
        print(f"{name}: bit-exact: kernels, generic kernels, reference lowering "
              f"and NumPy agree on {compared} of {compared} int8 outputs "
              f"({len(inputs)} inputs x 2 rounding modes, {len(distinct)} "
              f"distinct results)")
    errors = np.concatenate([e.ravel() for e in errors])
    print(f"float error (all binary): max {errors.max():.4f} mean "
          f"{errors.mean():.4f} (output scale {scale:.4f}, range "
          f"[{lo:.3f}, {hi:.3f}])")


if __name__ == "__main__":
    main()
