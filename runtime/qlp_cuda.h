/*===- qlp_cuda.h - quant-lp's CUDA runtime (C ABI) ---------------*- C -*-===*
 *
 * libqlp_cuda_runtime.a runs the host side of programs that
 * `--qlp-gpu-pipeline` (or upstream's gpu-to-llvm) compiled: it defines the
 * `mgpu*` functions that MLIR 22's lowering of gpu.binary, gpu.launch_func,
 * gpu.alloc, gpu.memcpy, ... calls, on the CUDA driver API.
 *
 * The driver is not linked: it is loaded with dlopen at the first call, from
 * "libcuda.so.1" or the file named by the environment variable
 * QLP_CUDA_LIBRARY, so the library builds and links on machines without
 * CUDA. It uses the primary context of the default device (device 0 unless
 * mgpuSetDefaultDevice says otherwise) and makes it current on the calling
 * thread.
 *
 * Errors. Every driver call is checked. The first failure (the driver
 * library cannot be loaded, has no such entry point, or a call returns an
 * error) prints one line to stderr,
 *
 *   quant-lp: CUDA error: <call> failed: <CUDA error name> (<code>)
 *
 * (or the loader's message naming the library) and sets a sticky error:
 * every later mgpu* call does nothing and returns NULL, so a failed program
 * runs to its end without touching the device again, and its caller asks
 * qlp_cuda_status() afterwards. Nothing aborts.
 *
 *===----------------------------------------------------------------------===*/

#ifndef QLP_RUNTIME_QLP_CUDA_H
#define QLP_RUNTIME_QLP_CUDA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#else
#include <stdbool.h>
#endif

/*===----------------------------------------------------------------------===*
 * Status
 *===----------------------------------------------------------------------===*/

/* qlp_cuda_status() codes. A positive code is the CUresult of the driver
 * call that failed (CUDA_ERROR_NO_DEVICE = 100, ...). */
enum {
  QLP_CUDA_OK = 0,
  /* The driver library could not be loaded (dlopen failed). */
  QLP_CUDA_ERROR_DRIVER_NOT_FOUND = -1,
  /* The driver library lacks an entry point this runtime needs. */
  QLP_CUDA_ERROR_DRIVER_SYMBOL = -2,
  /* The driver loaded but reports no device. */
  QLP_CUDA_ERROR_NO_DEVICE = -3,
  /* An mgpu* call got an argument the driver cannot take (a grid dimension
   * outside [1, 2^32), a negative shared memory size, a tensor map of an
   * unknown element type, ...). */
  QLP_CUDA_ERROR_INVALID_ARGUMENT = -4
};

/* 1 when the driver loads, initializes and reports at least one device
 * (then the default device's primary context is retained), else 0. Prints
 * nothing: on 0, qlp_cuda_status() and qlp_cuda_last_error() say why (the
 * first mgpu* call afterwards prints it). */
int qlp_cuda_available(void);

/* QLP_CUDA_OK, or the code of the first error since the start or since
 * qlp_cuda_clear_error(). */
int qlp_cuda_status(void);

/* The message of the first error ("" when there is none). The string stays
 * valid until qlp_cuda_clear_error(). */
const char *qlp_cuda_last_error(void);

/* Forgets the sticky error, so that mgpu* calls reach the driver again. If
 * the driver library failed to load, the next call tries again (reading
 * QLP_CUDA_LIBRARY anew). An error that broke the CUDA context (an illegal
 * address in a kernel, ...) stays broken in the driver. */
void qlp_cuda_clear_error(void);

/* Writes the default device's architecture as NVVM and ptxas name it
 * ("sm_80", "sm_90", "sm_120") from its compute capability into `buf` (of
 * `n` bytes, NUL-terminated). Returns QLP_CUDA_OK, the status when CUDA is
 * unusable (buf is then ""), or QLP_CUDA_ERROR_INVALID_ARGUMENT when `buf`
 * is NULL or too small (this does not set the sticky error). */
int qlp_cuda_device_chip(char *buf, size_t n);

/* Waits until all work on the default device's primary context has
 * finished (cuCtxSynchronize). Returns qlp_cuda_status() afterwards. */
int qlp_cuda_synchronize(void);

/* Every mgpu* function below by name, for a JIT's symbol table (the
 * ExecutionEngine cannot see a static library's symbols). `*count` receives
 * the number of entries. */
typedef struct qlp_cuda_symbol {
  const char *name;
  void *address;
} qlp_cuda_symbol;
const qlp_cuda_symbol *qlp_cuda_runtime_symbols(size_t *count);

/*===----------------------------------------------------------------------===*
 * The mgpu* ABI of MLIR 22's GPU lowering
 *
 * Names and signatures are those that gpu-to-llvm, the gpu.binary /
 * gpu.launch_func translation (#gpu.select_object) and nvgpu-to-nvvm emit
 * calls to, and that upstream's mlir/lib/ExecutionEngine/
 * CudaRuntimeWrappers.cpp defines (cuSPARSE wrappers excepted). Handles
 * (CUmodule, CUfunction, CUstream, CUevent) are opaque pointers here; index
 * operands are intptr_t (MLIR's index is 64-bit). A call made while the
 * sticky error is set does nothing and returns NULL.
 *===----------------------------------------------------------------------===*/

/* Module load and unload: emitted in a global constructor / destructor per
 * gpu.binary. mgpuModuleLoad takes a cubin or fatbin (format=bin|fatbin) and
 * its size; mgpuModuleLoadJIT takes NUL-terminated PTX (format=isa) that the
 * driver compiles at `optLevel`; its compile log joins the error message. */
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);

/* cuLaunchKernel. Above 48 KiB of dynamic shared memory the kernel's
 * CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES is raised first (after
 * checking the device's opt-in limit). `paramsCount` is unused. */
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
/* cuLaunchKernelEx with a cluster dimension (sm_90+). */
void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t smem, void *stream, void **params,
                             void **extra, size_t paramsCount);

/* Streams (non-blocking) and events (without timing). */
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);

/* Device memory: cuMemAlloc, or cuMemAllocManaged (attached globally) when
 * `isHostShared` (gpu.alloc host_shared). Zero bytes give NULL; freeing NULL
 * does nothing. mgpuMemcpy copies in any direction (unified addressing);
 * the memsets fill `count` 32- or 16-bit elements. */
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count,
                  void *stream);

/* Page-locks host memory (gpu.host_register / host_unregister). The MemRef
 * forms take a ranked memref descriptor (StridedMemRefType<T, rank>) of a
 * row-major memref and register its data. */
void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes);
void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                               int64_t elementSizeBytes);
void mgpuMemHostUnregister(void *ptr);
void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                 int64_t elementSizeBytes);

/* Selects the device of later calls on this thread (gpu.set_default_device). */
void mgpuSetDefaultDevice(int32_t device);

/* TMA descriptors (nvgpu.tma.create.descriptor, sm_90+). The enum operands
 * are CUtensorMapDataType, CUtensorMapInterleave, CUtensorMapSwizzle,
 * CUtensorMapL2promotion and CUtensorMapFloatOOBfill values. The MemRef form
 * builds the map of a ranked memref descriptor (rank 1-5, box sizes
 * outermost first) and returns a device copy of it (128 bytes). */
void mgpuTensorMapEncodeTiled(void *tensorMap, int tensorDataType,
                              uint32_t tensorRank, void *globalAddress,
                              const uint64_t *globalDim,
                              const uint64_t *globalStrides,
                              const uint32_t *boxDim,
                              const uint32_t *elementStrides, int interleave,
                              int swizzle, int l2Promotion, int oobFill);
void *mgpuTensorMapEncodeTiledMemref(int64_t tensorRank, void *descriptor,
                                     int64_t tensorDataType,
                                     int64_t interleave, int64_t swizzle,
                                     int64_t l2Promotion, int64_t oobFill,
                                     int64_t *inputBoxDims);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* QLP_RUNTIME_QLP_CUDA_H */
