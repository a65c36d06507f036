"""Drives import-tosa-exec.test: builds a runnable module around an int8
TOSA function and compares two runs' printed outputs element by element.

  int8-tosa-exec.py driver MODEL.mlir ENTRY SEED   (prints the module)
  int8-tosa-exec.py compare RUN_A RUN_B            (prints the count)

The driver appends the inputs as mutable memref globals (so that no pass
can constant-fold the computation away) and an @main that calls ENTRY and
prints every result, widened to i32, with printMemrefI32.
"""

import re
import sys

import numpy as np

# Entry name -> (input types, result types), each (shape, element type).
SIGNATURES = {
    "model": ([((1, 8, 8, 4), "i8")], [((1, 10), "i8")]),
    "rescales": ([((32, 4), "i32"), ((32, 4), "i8")],
                 [((32, 4), "i32"), ((32, 4), "i32"), ((32, 4), "i8"),
                  ((32, 4), "i32")]),
}

# (multiplier, shift) per column of @rescales' %x.
RESCALE_COLUMNS = [(1610612736, 40), (1518500250, 33), (1073741824, 31),
                   (1431655765, 20)]


def tensor_type(shape, elem):
    return "tensor<" + "x".join(map(str, shape)) + "x" + elem + ">"


def memref_type(shape, elem):
    return "memref<" + "x".join(map(str, shape)) + "x" + elem + ">"


def random_i8(rng, shape):
    """Uniform int8 values with a quarter replaced by edge values."""
    values = rng.integers(-128, 128, size=shape)
    edges = np.array([-128, 127, -127, 126, 0, 1, -1, 5, -3])
    mask = rng.random(shape) < 0.25
    values[mask] = rng.choice(edges, size=int(mask.sum()))
    return values


def tie_values(m, s, lo, hi):
    """Values x in [lo, hi] whose product x * m lies exactly halfway
    between two multiples of 2^s, i.e. x * m = 2^(s-1) (mod 2^s)."""
    t = (m & -m).bit_length() - 1  # trailing zeros of m
    if t > s - 1:
        return []
    period = 1 << (s - t)
    x0 = ((1 << (s - 1 - t)) * pow(m >> t, -1, period)) % period
    result = []
    for k in range(-3, 4):
        for base in (lo, 0, hi):
            x = x0 + (base // period + k) * period
            if lo <= x <= hi:
                result.append(x)
    return sorted(set(result))


def rescale_column(rng, m, s, rows):
    """Values for one column, inside TOSA's valid range for shift s."""
    bound = min(1 << (s - 1), 1 << 31)
    lo, hi = -bound, bound - 1
    picks = [lo, hi, 0, 1, -1, lo + 1, hi - 1]
    for x in tie_values(m, s, lo, hi):
        picks += [x, x - 1, x + 1]
    picks = [x for x in picks if lo <= x <= hi]
    picks = picks[:rows // 2]
    rest = rng.integers(lo, hi + 1, size=rows - len(picks), dtype=np.int64)
    return np.concatenate([np.array(picks, dtype=np.int64), rest])


def make_inputs(entry, rng):
    if entry == "model":
        return [random_i8(rng, (1, 8, 8, 4))]
    x = np.stack([rescale_column(rng, m, s, 32) for m, s in RESCALE_COLUMNS],
                 axis=1)
    return [x, random_i8(rng, (32, 4))]


def driver(model_path, entry, seed):
    rng = np.random.default_rng(seed)
    inputs, results = SIGNATURES[entry]
    values = make_inputs(entry, rng)
    out = [open(model_path).read()]
    for i, ((shape, elem), v) in enumerate(zip(inputs, values)):
        literal = np.array2string(v, separator=", ", threshold=1 << 30,
                                  max_line_width=1 << 30).replace("\n", "")
        out.append(f'memref.global "private" @input{i} : '
                   f"{memref_type(shape, elem)} = dense<{literal}>\n")
    out.append("func.func private @printMemrefI32(memref<*xi32>)\n")
    out.append("func.func @main() {\n")
    args = []
    for i, (shape, elem) in enumerate(inputs):
        out.append(f"  %g{i} = memref.get_global @input{i} : "
                   f"{memref_type(shape, elem)}\n")
        out.append(f"  %x{i} = bufferization.to_tensor %g{i} restrict : "
                   f"{memref_type(shape, elem)} to {tensor_type(shape, elem)}\n")
        args.append(f"%x{i}")
    in_types = ", ".join(tensor_type(*t) for t in inputs)
    out_types = ", ".join(tensor_type(*t) for t in results)
    names = ", ".join(f"%r{j}" for j in range(len(results)))
    out.append(f"  {names} = call @{entry}({', '.join(args)}) : "
               f"({in_types}) -> ({out_types})\n")
    for j, (shape, elem) in enumerate(results):
        value = f"%r{j}"
        if elem != "i32":
            # An integer tosa.cast sign-extends.
            out.append(f"  %w{j} = tosa.cast %r{j} : ({tensor_type(shape, elem)})"
                       f" -> {tensor_type(shape, 'i32')}\n")
            value = f"%w{j}"
        out.append(f"  %b{j} = bufferization.to_buffer {value} : "
                   f"{tensor_type(shape, 'i32')} to {memref_type(shape, 'i32')}\n")
        out.append(f"  %u{j} = memref.cast %b{j} : {memref_type(shape, 'i32')}"
                   " to memref<*xi32>\n")
        out.append(f"  call @printMemrefI32(%u{j}) : (memref<*xi32>) -> ()\n")
    out.append("  return\n}\n")
    sys.stdout.write("".join(out))


def read_values(path):
    """The integers printed by printMemrefI32, one list per memref."""
    text = open(path).read()
    blocks = re.split(r"Unranked Memref[^\n]*data = \n", text)[1:]
    return [[int(v) for v in re.findall(r"-?\d+", b)] for b in blocks]


def compare(path_a, path_b):
    a, b = read_values(path_a), read_values(path_b)
    if not a or len(a) != len(b):
        sys.exit(f"error: {len(a)} vs {len(b)} printed results")
    count = 0
    for k, (x, y) in enumerate(zip(a, b)):
        if len(x) != len(y) or not x:
            sys.exit(f"error: result {k} has {len(x)} vs {len(y)} values")
        for i, (u, v) in enumerate(zip(x, y)):
            if u != v:
                sys.exit(f"error: result {k} element {i}: {u} != {v}")
        count += len(x)
    print(f"bit-exact: {len(a)} results, {count} values")


if __name__ == "__main__":
    if sys.argv[1] == "driver":
        driver(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        compare(sys.argv[2], sys.argv[3])
