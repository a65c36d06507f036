/*===- runtime/PTXEmulator.h - CPU interpreter for generated PTX --*- C -*-===//
 *
 * An interpreter for the integer subset of PTX that LLVM's NVPTX backend
 * emits for quant-lp's kernels (tensor-core mma.sync, ldmatrix, cp.async,
 * bar.sync, shfl.sync, ...). It lets the GPU pipeline run on machines with
 * no GPU: "device memory" is ordinary host memory and device pointers are
 * host pointers. Every instruction is implemented from the PTX ISA; anything
 * else is rejected with an error naming the instruction and its line, never
 * guessed.
 *
 * All functions are thread-compatible: one module may be used by one thread
 * at a time. Errors are reported through return values and the err buffer
 * (always NUL-terminated when err_size > 0).
 *
 *===----------------------------------------------------------------------===*/

#ifndef QLP_RUNTIME_PTXEMULATOR_H
#define QLP_RUNTIME_PTXEMULATOR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qlp_ptx_module qlp_ptx_module;

/// Parses PTX text (size bytes, not necessarily NUL-terminated). On failure
/// returns NULL and writes a message (line number, what is unsupported) to
/// err.
qlp_ptx_module *qlp_ptx_load(const char *ptx, size_t size, char *err,
                             size_t err_size);

/// Frees a module returned by qlp_ptx_load (NULL is ignored). Functions
/// obtained from it become invalid.
void qlp_ptx_unload(qlp_ptx_module *m);

/// The kernel entry `name` (a .visible .entry), or NULL.
const void *qlp_ptx_function(qlp_ptx_module *m, const char *name);

/// Runs the kernel over the grid; params[i] points to the i-th parameter's
/// value (as cuLaunchKernel's kernelParams). dynamic_smem bytes of extern
/// shared memory. Returns 0 on success, else writes err (out-of-bounds shared
/// access, a warp-collective instruction reached by a partial warp, a barrier
/// deadlock, an unsupported construct, ...) and returns nonzero. Memory
/// written before the error stays written.
int qlp_ptx_launch(const void *fn, unsigned gx, unsigned gy, unsigned gz,
                   unsigned bx, unsigned by, unsigned bz, unsigned dynamic_smem,
                   void **params, char *err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif /* QLP_RUNTIME_PTXEMULATOR_H */
