//===- Passes.td - quant-lp lowering passes ----------------*- tablegen -*-===//
//
// Lowerings of qlp programs towards executable code.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_LOWERING_PASSES_TD
#define QLP_LOWERING_PASSES_TD

include "mlir/Pass/PassBase.td"

def QLPLowerToReference : Pass<"qlp-lower-to-reference", "ModuleOp"> {
  let summary = "Lower qlp ops to plain linalg, arith and tensor ops";
  let description = [{
    Rewrites every qlp op into upstream `linalg.generic`, `linalg.fill`,
    `tensor.pad`, `tensor.empty` and `arith` ops on tensors (plus one
    `math.ctlz` in `qlp.avg_pool2d`), written for obviousness rather than
    speed: each body spells out the formula of the op's description in
    `dialect/QLPOps.td`, step by step. This lowering is the oracle that the
    fast CPU and GPU lowerings are checked against, so it must equal the op
    definitions bit for bit; its result bufferizes and lowers to LLVM with
    upstream passes. Ops of other dialects are left untouched (TOSA is
    lowered by upstream later), and qlp folders are not run: the conversion
    never evaluates an op on constants through `dialect/Dyadic.cpp`.

    What each op becomes:

    * `qlp.rescale`, `qlp.add`: one elementwise `linalg.generic` computing
      in `i64`: `x' = x - zp`, `p = x' * m`, the rounding of the mode,
      `clamp(r + output_zp, lo, hi)`, then `arith.trunci`. A per-channel
      scale is two `i64` constant tensors (multipliers, shifts) read through
      the indexing map `(d0, ..., dn) -> (d_axis)`; a per-tensor scale is two
      scalar constants. `single_round` is `floor(p / 2^s) + bit (s-1) of p`
      (equal to `floor((p + 2^(s-1)) / 2^s)` without forming a sum that can
      leave `i64`; `p` for `s = 0`). `double_round` adds the `+-2^30`
      correction for `s > 31` the same way. `tflite` is TFLite's
      `MultiplyByQuantizedMultiplier` as gemmlowp writes it (`x' * 2^(31-s)`,
      the rounding doubling high multiply in `i128` with C's truncating
      division, then `RoundingDivideByPOT`), deliberately not rewritten into
      `double_round`'s form, so that the two modes check each other.
    * `qlp.clamp`: an elementwise `arith.maxsi` / `arith.minsi`.
    * `qlp.matmul`: a `linalg.generic` over `(b,) m, n, k` adding
      `(extsi(lhs) - lhs_zp) * (extsi(rhs) - rhs_zp)` in `i32` to an
      accumulator initialized with the broadcast `bias` (or zero).
    * `qlp.conv2d`: `tensor.pad` of the input with `input_zp`, then a
      `linalg.generic` over `n, oh, ow, f, kh, kw, c` reading input
      `(n, oh * sh + kh * dh, ow * sw + kw * dw, (f floordiv (F/groups)) *
      C/groups + c)`, so groups and depthwise convolutions are the same loop
      nest; bias as for matmul.
    * `qlp.binarize`: `arith.cmpi slt, x, threshold` into `i1`.
    * `qlp.binary_matmul`, `qlp.binary_conv2d`: as matmul / conv2d on the
      decoded values (`select(bit, -1, +1)`), multiplied and summed in
      `i32`: the definition, not the xnor-popcount identity that fast
      kernels use. Padding holds `pad_value` in the `i1` encoding.
    * `qlp.max_pool2d`: `tensor.pad` with the type's minimum and an
      `arith.maxsi` window reduction from the minimum. Since every window
      holds an input element and no element is below the minimum, padded
      positions are ignored exactly.
    * `qlp.avg_pool2d`: `tensor.pad` with `input_zp` and a window sum of
      `x - input_zp` in `i32`, then an elementwise `linalg.generic` that
      derives the in-bounds count of each window from `linalg.index` and
      applies TOSA's reciprocal multiply in `i64`:
      `k = 32 - ctlz(count - 1)`, `m = ((2^30 + 1) << k) / count`,
      `r = (acc * m + 2^(29 + k)) >> (30 + k)`.
    * `qlp.pack`: the values, zero-padded along the axis to whole words,
      reduced over the field index `f` of each word:
      `word |= zext(value) << (f * bits)`. The pad makes the tail zero.
    * `qlp.unpack`: `trunci(word >> ((j mod F) * bits))` reading word
      `j floordiv F`; truncation to `i2` / `i4` keeps the two's-complement
      field, i.e. the sign-extended value.

    Storage types: `!qlp.binary` is not an integer type, so binary tensors
    become `i1` tensors holding the type's documented bit encoding, `true`
    (1) for -1 and `false` (0) for +1. Function signatures, calls, returns,
    `scf` control flow and region-free `tensor` ops (reshapes, slices) are
    converted with it. Quantized element types (`!quant.uniform`, per
    tensor or per axis) in function signatures and calls become their
    storage integer type, and the `quant.scast` ops between a boundary value
    and its storage integers are dropped, so the result holds no quant type.
    A quantized boundary value used by anything other than `quant.scast`,
    `func.return` or `func.call` is reported as an error.

    Exactness. Every step is exact in the type it is computed in: in a
    rescale `|x'| <= 2^32 - 1` and `m <= 2^31 - 1`, so
    `|p| <= 2^63 - 2^32 - 2^31 + 1` fits `i64`, as does `r + output_zp`
    (`|output_zp| <= 2^31`); `a * m` in `tflite` is below `2^94` in `i128`;
    every shift amount is kept in `[0, 62]`, so no `arith` shift is poison.
    The `i32` accumulations of matmul, conv2d, the binary ops and average
    pooling are bounded by the ops' verifiers (every partial sum is bounded
    by the same worst case), and `acc * m + 2^(29 + k)` of average pooling is
    below `2^62`. Narrow values are sign-extended (`arith.extsi`) before any
    arithmetic, and the result is clamped before `arith.trunci`, so nothing
    wraps.

    Example:

    ```mlir
    %y = qlp.rescale %acc scale <[1073741824], [31]> output_zp 3
        rounding single_round : tensor<16xi32> -> tensor<16xi8>
    ```

    becomes (after `-canonicalize`, which folds the constant shift)

    ```mlir
    %e = tensor.empty() : tensor<16xi8>
    %y = linalg.generic {indexing_maps = [#id, #id],
                         iterator_types = ["parallel"]}
        ins(%acc : tensor<16xi32>) outs(%e : tensor<16xi8>) {
    ^bb0(%x: i32, %out: i8):
      %x64 = arith.extsi %x : i32 to i64
      %p = arith.muli %x64, %c1073741824 : i64
      %q = arith.shrsi %p, %c31 : i64
      %h = arith.shrsi %p, %c30 : i64
      %half = arith.andi %h, %c1 : i64
      %r = arith.addi %q, %half : i64
      %z = arith.addi %r, %c3 : i64
      %lo = arith.maxsi %z, %c-128 : i64
      %hi = arith.minsi %lo, %c127 : i64
      %t = arith.trunci %hi : i64 to i8
      linalg.yield %t : i8
    } -> tensor<16xi8>
    ```

    A binary layer's signature changes with its storage type:

    ```mlir
    func.func @sign(%x: tensor<4x64xi8>) -> tensor<4x64x!qlp.binary>
    // becomes
    func.func @sign(%x: tensor<4x64xi8>) -> tensor<4x64xi1>
    ```
  }];
  let dependentDialects = ["arith::ArithDialect", "linalg::LinalgDialect",
                           "math::MathDialect", "tensor::TensorDialect"];
}

def QLPLowerToKernels : Pass<"qlp-lower-to-kernels", "ModuleOp"> {
  let summary = "Lower qlp layers with constant weights to fast runtime kernels";
  let description = [{
    Replaces each `qlp.matmul` (rank 2), `qlp.conv2d` (`groups = 1`),
    `qlp.binary_matmul` (rank 2) and `qlp.binary_conv2d` (`groups = 1`)
    whose weights are constants (an `arith.constant`, or a `qlp.unpack` of
    one) with a call to quant-lp's CPU kernels, `qlp_rt_gemm` or
    `qlp_rt_conv2d` of `runtime/qlp_kernels.h`. Only the leading (batch)
    dimension of the activations may be dynamic.

    The call fuses the layer's epilogue: a `qlp.rescale` that is the layer's
    only user, with a per-tensor scale or one scale per output channel (the
    last dimension), and a `qlp.clamp` that is the rescale's only user and
    whose range meets the rescale's.

    The binary ops have no bias attribute: `qlp-quantize` applies a binary
    layer's per-channel bias as an `i32` `tosa.add` of a constant on the
    accumulator, before the rescale. The pass fuses that add too (into the
    kernel's bias) when it is the layer's only user, produces the
    accumulator's type, and its other operand is a constant `i32` tensor
    with one value per output channel (shape `[1, ..., 1, C]` or `[C]`) or
    one value for all of them (every dimension 1); the rescale and clamp are
    then matched after it. So

    ```mlir
    %acc = qlp.binary_conv2d %x, %w layout fhwc : ... -> tensor<1x8x8x16xi32>
    %sum = tosa.add %acc, %bias : (tensor<1x8x8x16xi32>, tensor<1x1x1x16xi32>)
        -> tensor<1x8x8x16xi32>
    %y = qlp.rescale %sum scale <...> rounding single_round
        : tensor<1x8x8x16xi32> -> tensor<1x8x8x16xi8>
    ```

    is one `qlp_rt_conv2d` call. The kernel's accumulator, `bias + K - 2 *
    popcount` for a reduction of length `K`, must be exact in `i32` for
    every input, so an add whose bias has `|bias| + K > 2^31 - 1` is not
    fused: the layer runs on the kernel with an `i32` result and the add
    and rescale keep the reference lowering.

    The kernels compute the `i32`
    accumulators, add the bias and the zero-point corrections, rescale,
    clamp and store the narrow result from registers: the `i32` tensor never
    exists in memory. Results equal the reference lowering bit for bit (the
    definitions in `dialect/QLPOps.td`).

    At compile time the pass calls the runtime's plan builder, which packs
    the weights into the layout the kernels read (VNNI quads for 8-bit
    weights, packed nibbles for 4- and 2-bit weights, 64-bit words for
    binary weights) and folds bias and zero points into per-column
    constants. The plan is a private `memref.global` constant aligned to 64
    bytes. `fhwc` convolution weights are transposed to `hwcf` on the way.

    The call runs on tensors, so the rest of the pipeline is unchanged:

    ```mlir
    %y = qlp.matmul %x, %w : tensor<?x256xi8>, tensor<256x64xi4> -> tensor<?x64xi32>
    %z = qlp.rescale %y scale <[1073741824], [36]> rounding single_round
        : tensor<?x64xi32> -> tensor<?x64xi8>
    ```

    becomes

    ```mlir
    memref.global "private" constant @__qlp_kernel_plan_0
        : memref<13184xi8> = dense<"0x514C504B..."> {alignment = 64 : i64}
    func.func private @qlp_rt_gemm(!llvm.ptr, !llvm.ptr, i64, i64, !llvm.ptr, i64) -> i32
    ...
    %plan = memref.get_global @__qlp_kernel_plan_0 : memref<13184xi8>
    %a = bufferization.to_buffer %x read_only : tensor<?x256xi8> to memref<?x256xi8>
    %c = memref.alloc(%m) {alignment = 64 : i64} : memref<?x64xi8>
    ...
    %status = call @qlp_rt_gemm(%pplan, %pa, %rows, %c256, %pc, %c64)
        : (!llvm.ptr, !llvm.ptr, i64, i64, !llvm.ptr, i64) -> i32
    cf.assert %ok, "qlp_rt_gemm rejected its arguments"
    %z = bufferization.to_tensor %c restrict writable : memref<?x64xi8> to tensor<?x64xi8>
    ```

    Binary activations are passed in their storage type, `i1` (one byte per
    element in memory), through an `unrealized_conversion_cast` that
    `qlp-lower-to-reference` and the canonicalizer fold away.

    The kernel is chosen when the program runs, from the host CPU's features:
    AMX-INT8 tiles where the CPU has them (int8 x int8 from 8 rows, binary
    layers as +-1 bytes from 256 rows), AVX-512 VNNI for the integer layers
    (int8 x int8 with the unsigned-offset trick and zero-point corrections;
    int4 and int2 weights unpacked in registers), AVX-512 VPOPCNTDQ for the
    binary ones, and a portable path on any other CPU. The environment
    variable `QLP_RT_ISA=generic` forces the portable path and
    `QLP_RT_ISA=avx512` rules out AMX.

    Layers that do not match are left unchanged for `qlp-lower-to-reference`.
    A layer the runtime's plan builder rejects (its validation repeats the
    verifier's rules) keeps the reference lowering with a remark.
  }];
  let dependentDialects = ["arith::ArithDialect",
                           "bufferization::BufferizationDialect",
                           "cf::ControlFlowDialect", "func::FuncDialect",
                           "LLVM::LLVMDialect", "memref::MemRefDialect",
                           "tensor::TensorDialect"];
}

def QLPLowerToGPU : Pass<"qlp-lower-to-gpu", "ModuleOp"> {
  let summary = "Lower qlp layers with constant weights to tensor-core GPU kernels";
  let description = [{
    Replaces each `qlp.matmul` (rank 2, or rank 3 with batch 1),
    `qlp.conv2d` (`groups = 1`), `qlp.binary_matmul` and
    `qlp.binary_conv2d` (`groups = 1`) whose weights are constants, together
    with the epilogue that `qlp-lower-to-kernels` fuses (a binary layer's
    bias `tosa.add`, a per-tensor or per-output-channel `qlp.rescale`, a
    `qlp.clamp`), by two kernels that the pass generates into
    `gpu.module @qlp_kernels` and launches with `gpu.launch_func`:

    - a staging kernel (one warp per row) that writes the activations, or
      the im2col rows of a convolution with the input zero point (or the
      binary pad value) in the padding, into the operand layout of the GEMM:
      int8 bytes, int4 nibbles (low nibble first) or 32 binary values per
      word, zero-padded to whole tiles; with a weight zero point it also
      writes each row's sum;
    - a GEMM kernel. Integer layers run on `mma.sync`, chosen by `chip`:

      | chip | int4 x int4 (and int2) | int8 x int8 | int8 x int4 (W4A8) |
      |---|---|---|---|
      | sm_75 | m8n8k32 s4 | m8n8k16 s8 | m8n8k16 s8, weights unpacked |
      | sm_80, sm_86, sm_89 | m16n8k64 s4 | m16n8k32 s8 | m16n8k32 s8, weights unpacked |
      | sm_90 | m16n8k32 s8, activations staged as int8, weights unpacked | m16n8k32 s8 | m16n8k32 s8, weights unpacked |

      sm_90 has no int4 tensor cores, so every layer with 4-bit weights
      takes the W4A8 path there: the weights stay packed int4 in global and
      shared memory and are unpacked to int8 in registers. Both operands are
      staged through XOR-swizzled shared memory (no bank conflicts for
      `ldmatrix` and the 16-byte stores) and read with `ldmatrix`; from
      sm_80 the tiles are fetched with `cp.async` into a 2-stage (4-stage
      for layers of at most 64 rows) pipeline. Thread blocks cover 128 x 128
      outputs with 8 warps (16 x 32 with 2 warps for few rows). Binary
      layers run on xor + `popc` over 32-bit words, one thread per output.

    The epilogue runs on the accumulator registers: the exact `i32` result
    is `sum(a * w) + col[n] + row_coefficient * rowsum[m]`, where the
    per-column constant folds the bias and the zero-point terms (`bias -
    lhs_zp * colsum(w) + K * lhs_zp * rhs_zp`, or `bias + K` for a binary
    layer, whose kernel accumulates `-2 * popcount`); the wrapping `i32`
    sum of these terms equals the accumulator, which the verifiers proved
    fits. The dyadic rescale, clamp and narrowing are then emitted by the
    same code as `qlp-lower-to-reference`'s, so the two agree bit for bit.
    The `i32` tensor never reaches global memory.

    Weights are packed at compile time into the `[N][K]` word layout the
    GEMM streams (for W4A8 the nibbles of each 32-value group are permuted
    so that one 32-bit word holds both B registers of an `mma` step) and
    become private `memref.global` constants of `@qlp_kernels`, with the
    per-column constants and per-channel scales; the GEMM kernel reads them
    with `memref.get_global`. The driver loads them into device memory once,
    with the module, so a call copies no weights.

    The launches take the buffers of the layer's activations and result, as
    the CPU kernel lowering does:

    ```mlir
    %a = bufferization.to_buffer %x read_only : tensor<200x96xi4> to memref<200x96xi4>
    %staged = memref.alloc(%rows) {alignment = 16 : i64} : memref<?x16xi32>
    %sums = memref.alloc(%rows) {alignment = 16 : i64} : memref<?xi32>
    gpu.launch_func @qlp_kernels::@qlp_stage_0 blocks in (%sb, %c1, %c1)
        threads in (%c256, %c1, %c1) args(%a : memref<200x96xi4>, %staged : memref<?x16xi32>, %sums : memref<?xi32>)
    %c = memref.alloc() {alignment = 16 : i64} : memref<200x40xi8>
    %out = memref.cast %c : memref<200x40xi8> to memref<?x40xi8>
    gpu.launch_func @qlp_kernels::@qlp_gemm_0 blocks in (%c1, %mb, %c1)
        threads in (%c256, %c1, %c1) args(%staged : memref<?x16xi32>, %sums : memref<?xi32>, %out : memref<?x40xi8>)
    %y = bufferization.to_tensor %c restrict writable : memref<200x40xi8> to tensor<200x40xi8>
    ```

    so that `--qlp-gpu-pipeline` bufferizes and places the whole program
    on the device afterwards. Layers that do not match keep the reference
    lowering (and run through the generic GPU mapping of the pipeline). An
    unknown `chip` is an error.
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_80\"",
           "the NVIDIA chip: sm_75, sm_80, sm_86, sm_89 or sm_90">,
  ];
  let dependentDialects = ["arith::ArithDialect",
                           "bufferization::BufferizationDialect",
                           "gpu::GPUDialect", "LLVM::LLVMDialect",
                           "memref::MemRefDialect", "NVVM::NVVMDialect",
                           "nvgpu::NVGPUDialect", "scf::SCFDialect",
                           "tensor::TensorDialect", "vector::VectorDialect"];
}

def QLPPrepareCInterface : Pass<"qlp-prepare-c-interface", "ModuleOp"> {
  let summary = "Give public functions a C interface whose tensor arguments "
                "are read-only";
  let description = [{
    Stage 3 of the lowering to LLVM (`lowering/LLVMLowering.h`), before
    one-shot bufferization. Every public function with a body gets
    `llvm.emit_c_interface`, so that it can be called with plain memref
    descriptors from C (quant-compile's header, quant-run's JIT), and each
    of its tensor arguments gets `bufferization.writable = false`: they are
    the caller's buffers (quant-run reads the same `.npy` inputs again on
    every `--repeat` run) and must never be updated in place. An explicit
    `bufferization.writable` written by the producer of the IR is kept. The
    `qlp.*` argument and result attributes of every function (`qlp.name`,
    `qlp.range`) are compile-time metadata and are removed, since the LLVM
    dialect has no use for them.

    ```mlir
    func.func @model(%x: tensor<4xi8> {qlp.range = [-1.0, 1.0]}) -> tensor<4xi8>
    // becomes
    func.func @model(%x: tensor<4xi8> {bufferization.writable = false}) -> tensor<4xi8>
        attributes {llvm.emit_c_interface}
    ```

    The pass declares the bufferization and deallocation interfaces of the
    dialects the following stages meet, so that the CPU and GPU pipelines
    work in any context, not only in tools that registered every upstream
    extension.
  }];
  let dependentDialects = ["bufferization::BufferizationDialect",
                           "func::FuncDialect", "LLVM::LLVMDialect"];
}

def QLPStridedCopyToLinalg : Pass<"qlp-strided-copy-to-linalg"> {
  let summary = "Turn memref.copy between non-contiguous memrefs into "
                "linalg.copy";
  let description = [{
    After bufferization, slices, concatenations and pads copy through
    memrefs with strided layouts. The LLVM lowering of such a `memref.copy`
    calls `memrefCopy` from `libmlir_c_runner_utils`, and quant-lp's
    generated code depends on no runtime library for plain data movement;
    on the GPU it would be a host access to device memory. Each
    `memref.copy` whose source or target layout is not the identity becomes
    a `linalg.copy` of the same operands, which the CPU pipeline lowers to
    loops and the GPU pipeline to a kernel. Contiguous copies are left
    alone (they lower to `memcpy`, or to `gpu.memcpy` on the GPU), and so
    are unranked ones, which the pipelines never produce.
  }];
  let dependentDialects = ["linalg::LinalgDialect"];
}

def QLPGPURecordInputs : Pass<"qlp-gpu-record-inputs", "ModuleOp"> {
  let summary = "Record how many arguments each public function takes "
                "before its results become out-params";
  let description = [{
    `buffer-results-to-out-params` appends one argument per memref result,
    which the caller allocates and the function fills.
    `qlp-gpu-place-buffers` must know which arguments are inputs (copied
    host to device at entry) and which are out-params (copied device to host
    before returning), and the signature alone cannot tell. Run just before
    `buffer-results-to-out-params` in `--qlp-gpu-pipeline`, this pass puts
    `qlp.num_inputs = N : i64`, the current argument count, on every public
    function with a body; the placement pass consumes and removes it.

    ```mlir
    func.func @f(%a: memref<4xi32>) -> memref<4xi32>
    // becomes
    func.func @f(%a: memref<4xi32>) -> memref<4xi32> attributes {qlp.num_inputs = 1 : i64}
    ```

    The pass also declares the interfaces of the GPU lowering, among them
    the memory effects of `gpu.launch_func` that the ownership-based
    deallocation after it needs.
  }];
}

def QLPGPUMapLoops : Pass<"qlp-gpu-map-loops", "ModuleOp"> {
  let summary = "Turn the linalg ops of host functions into scf.parallel "
                "loops collapsed to one dimension and mapped to GPU blocks "
                "and threads";
  let description = [{
    Step 5a of `--qlp-gpu-pipeline`, on buffers after deallocation: the
    layers that `qlp-lower-to-gpu` matched are already `gpu.launch_func`
    ops, and every other op of a host function (functions outside
    `gpu.module` ops) is a linalg op on memrefs. For each:

    - if its iterators are one or more parallel dimensions followed only by
      reductions (elementwise ops, pooling, matmul, convolution, copies), it
      becomes one `scf.parallel` over the parallel dimensions with the
      reductions as sequential `scf.for` loops in each iteration (linalg's
      parallel-loop lowering);
    - otherwise (rank 0, a full reduction, or a reduction before a parallel
      dimension) it becomes a sequential `scf.for` nest inside a
      one-iteration `scf.parallel`: one GPU thread computes it. Slow but
      exact, and it keeps the op on the device instead of touching device
      buffers on the host.

    Then every outermost `scf.parallel` without a mapping is collapsed into
    one dimension, so that any rank (including more than 3 dimensions) uses
    all threads and consecutive threads touch consecutive elements of the
    innermost dimension; it is tiled by `block-size` with a guard instead of
    min/max bounds, and mapped: the tile loop to block x, the intra-tile loop
    to thread x. Upstream's `scf-parallel-loop-tiling` and
    `gpu-map-parallel-loops` tile and map leading dimensions, which leaves
    the dimensions past the third sequential inside each thread; collapsing
    first avoids that. A loop with dynamic bounds is guarded by an `scf.if`,
    since CUDA rejects an empty grid; an empty static loop is erased.
    `convert-parallel-loops-to-gpu` then turns each mapped nest into
    `gpu.launch`.

    An `scf.parallel` with reductions is an error (no linalg lowering makes
    one), and so is a `block-size` outside [1, 1024].
  }];
  let options = [
    Option<"blockSize", "block-size", "unsigned", /*default=*/"256",
           "threads per block (the tile size of the collapsed loop)">,
  ];
  let dependentDialects = ["affine::AffineDialect", "arith::ArithDialect",
                           "gpu::GPUDialect", "memref::MemRefDialect",
                           "scf::SCFDialect"];
}

def QLPGPUPlaceBuffers : Pass<"qlp-gpu-place-buffers", "ModuleOp"> {
  let summary = "Place every buffer a GPU kernel uses in device memory, with "
                "explicit copies at the host/device boundary";
  let description = [{
    Step 5b of `--qlp-gpu-pipeline`, after kernel outlining, on host
    functions whose kernels are `gpu.launch_func` ops. A buffer is placed
    on the device when a kernel uses it: as a launch operand, through any
    chain of views, and through calls to private functions of the module,
    whose arguments then are device buffers that their callers provide.
    Buffers that no kernel uses stay in host memory (e.g. the index arrays
    of the deallocation helpers). By the root of the buffer:

    - `memref.alloc` becomes `gpu.alloc` (identity layouts only), and every
      `memref.dealloc` of it or of a view of it becomes `gpu.dealloc`;
    - `memref.get_global` of a constant global: one `gpu.alloc` and a
      `gpu.memcpy` from the global at the function entry, freed before every
      return; every use except a host-side `memref.load` reads the copy. A
      mutable global is an error (writes on the device would be lost).
      Copying per call keeps the host program free of hidden device state.
      The tables of quant-lp's own GEMM kernels (packed weights, scales) are
      not among these: `qlp-lower-to-gpu` makes them globals of the kernel
      module, which live in device memory for as long as the module;
    - an argument of a public function: `gpu.alloc` at entry, a
      `gpu.memcpy` from the argument if it is an input, and a `gpu.memcpy`
      back to the argument before every return if it is an out-param (the
      arguments from `qlp.num_inputs` on, see `qlp-gpu-record-inputs`;
      without that attribute every argument is both), then `gpu.dealloc`.
      `gpu.memcpy` infers the direction from the pointers (CUDA unified
      addressing), so a caller in this module may pass a device buffer too;
    - anything else (`memref.alloca`, a block argument of a loop or branch,
      a result of a call or `scf.if`) cannot be moved and is an error.

    Then a `memref.copy` with a device buffer on either side becomes
    `gpu.memcpy` when both sides have identity layouts; a strided copy must
    already have become a kernel (`qlp-strided-copy-to-linalg` runs before
    the mapping) and is an error here. Finally every host op that reads,
    writes or frees a device buffer (`memref.load`/`store`, a linalg op or
    loop nest left on the host, a call to an external function, an op with
    unknown effects) is an error naming the op, with a note at the buffer:
    executing it would crash or read garbage. `qlp.num_inputs` is removed.

    The host/device boundary is explicit in the IR afterwards: the only host
    ops that touch a device buffer are `gpu.alloc`, `gpu.dealloc`,
    `gpu.memcpy` and `gpu.launch_func`. Besides its own dialects, the pass
    declares the interfaces of the GPU lowering that follows it (NVVM
    conversion, `#nvvm.target` serialization), so that the pipeline works in
    any context.
  }];
  let dependentDialects = ["gpu::GPUDialect", "memref::MemRefDialect"];
}

#endif // QLP_LOWERING_PASSES_TD
