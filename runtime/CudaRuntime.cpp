//===- CudaRuntime.cpp - mgpu* functions on the CUDA driver API -----------===//
//
// The host runtime of GPU programs (see qlp_cuda.h): the mgpu* functions
// that MLIR 22's GPU lowering calls, on the CUDA driver API loaded with
// dlopen at the first call. No CUDA header is included and nothing links
// against CUDA: the few driver types, enum values and structures used are
// declared below with the values of cuda.h (CUDA 12/13; they are part of
// the driver's stable ABI). Entry points are looked up under the names
// cuda.h's macros select (cuMemAlloc_v2, cuStreamDestroy_v2, ...), i.e. the
// current versions, not the legacy symbols of the same name.
//
// Like qlp_runtime, this is C++ behind a C ABI without the C++ runtime (no
// exceptions, RTTI, operator new or guarded statics): all state lives in
// namespace-scope PODs guarded by one mutex.
//
//===----------------------------------------------------------------------===//

#include "runtime/qlp_cuda.h"

#include <dlfcn.h>
#include <pthread.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

//===----------------------------------------------------------------------===//
// The slice of the driver API in use
//===----------------------------------------------------------------------===//

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = void *;
using CUmodule = void *;
using CUfunction = void *;
using CUstream = void *;
using CUevent = void *;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_DEINITIALIZED = 4;

constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr int CU_JIT_OPTIMIZATION_LEVEL = 7;
constexpr unsigned CU_STREAM_NON_BLOCKING = 0x1;
constexpr unsigned CU_EVENT_DISABLE_TIMING = 0x2;
constexpr unsigned CU_MEM_ATTACH_GLOBAL = 0x1;
constexpr int CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION = 4;
constexpr int CU_LAUNCH_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE = 5;
constexpr int CU_CLUSTER_SCHEDULING_POLICY_SPREAD = 1;

/// Dynamic shared memory a kernel may use without opting in.
constexpr int32_t kDefaultMaxDynamicSharedBytes = 48 * 1024;

/// CUlaunchAttribute: an id, padding to 8 bytes, a 64-byte value union.
struct CULaunchAttribute {
  int id;
  char pad[4];
  union {
    char pad[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
    int clusterSchedulingPolicyPreference;
  } value;
};
static_assert(sizeof(CULaunchAttribute) == 72, "CUlaunchAttribute layout");

/// CUlaunchConfig.
struct CULaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ;
  unsigned blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  CUstream hStream;
  CULaunchAttribute *attrs;
  unsigned numAttrs;
};

/// CUtensorMap: 128 opaque bytes, 128-byte aligned.
struct alignas(128) CUTensorMap {
  uint64_t opaque[16];
};

/// Every driver entry point: member, symbol, whether the runtime cannot
/// work without it, parameter types (all return CUresult). The optional ones
/// are CUDA 12 additions, checked where they are used.
#define QLP_CUDA_DRIVER_FUNCTIONS(X)                                           \
  X(getErrorName, "cuGetErrorName", true, (CUresult, const char **))           \
  X(init, "cuInit", true, (unsigned))                                          \
  X(deviceGetCount, "cuDeviceGetCount", true, (int *))                         \
  X(deviceGet, "cuDeviceGet", true, (CUdevice *, int))                         \
  X(deviceGetAttribute, "cuDeviceGetAttribute", true, (int *, int, CUdevice))  \
  X(devicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", true,                  \
    (CUcontext *, CUdevice))                                                   \
  X(ctxGetCurrent, "cuCtxGetCurrent", true, (CUcontext *))                     \
  X(ctxSetCurrent, "cuCtxSetCurrent", true, (CUcontext))                       \
  X(ctxSynchronize, "cuCtxSynchronize", true, ())                              \
  X(moduleLoadData, "cuModuleLoadData", true, (CUmodule *, const void *))      \
  X(moduleLoadDataEx, "cuModuleLoadDataEx", true,                              \
    (CUmodule *, const void *, unsigned, int *, void **))                      \
  X(moduleUnload, "cuModuleUnload", true, (CUmodule))                          \
  X(moduleGetFunction, "cuModuleGetFunction", true,                            \
    (CUfunction *, CUmodule, const char *))                                    \
  X(funcSetAttribute, "cuFuncSetAttribute", true, (CUfunction, int, int))      \
  X(launchKernel, "cuLaunchKernel", true,                                      \
    (CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,   \
     unsigned, CUstream, void **, void **))                                    \
  X(launchKernelEx, "cuLaunchKernelEx", false,                                 \
    (const CULaunchConfig *, CUfunction, void **, void **))                    \
  X(streamCreate, "cuStreamCreate", true, (CUstream *, unsigned))              \
  X(streamDestroy, "cuStreamDestroy_v2", true, (CUstream))                     \
  X(streamSynchronize, "cuStreamSynchronize", true, (CUstream))                \
  X(streamWaitEvent, "cuStreamWaitEvent", true, (CUstream, CUevent, unsigned)) \
  X(eventCreate, "cuEventCreate", true, (CUevent *, unsigned))                 \
  X(eventDestroy, "cuEventDestroy_v2", true, (CUevent))                        \
  X(eventSynchronize, "cuEventSynchronize", true, (CUevent))                   \
  X(eventRecord, "cuEventRecord", true, (CUevent, CUstream))                   \
  X(memAlloc, "cuMemAlloc_v2", true, (CUdeviceptr *, size_t))                  \
  X(memAllocManaged, "cuMemAllocManaged", true,                                \
    (CUdeviceptr *, size_t, unsigned))                                         \
  X(memFree, "cuMemFree_v2", true, (CUdeviceptr))                              \
  X(memcpyAsync, "cuMemcpyAsync", true,                                        \
    (CUdeviceptr, CUdeviceptr, size_t, CUstream))                              \
  X(memcpyHtoD, "cuMemcpyHtoD_v2", true, (CUdeviceptr, const void *, size_t))  \
  X(memsetD32Async, "cuMemsetD32Async", true,                                  \
    (CUdeviceptr, unsigned, size_t, CUstream))                                 \
  X(memsetD16Async, "cuMemsetD16Async", true,                                  \
    (CUdeviceptr, unsigned short, size_t, CUstream))                           \
  X(memHostRegister, "cuMemHostRegister_v2", true, (void *, size_t, unsigned)) \
  X(memHostUnregister, "cuMemHostUnregister", true, (void *))                  \
  X(tensorMapEncodeTiled, "cuTensorMapEncodeTiled", false,                     \
    (CUTensorMap *, int, uint32_t, void *, const uint64_t *, const uint64_t *, \
     const uint32_t *, const uint32_t *, int, int, int, int))

struct Driver {
#define QLP_DECLARE_MEMBER(member, symbol, required, params)                   \
  CUresult(*member) params;
  QLP_CUDA_DRIVER_FUNCTIONS(QLP_DECLARE_MEMBER)
#undef QLP_DECLARE_MEMBER
};

/// CUresult names, for drivers whose cuGetErrorName fails (the toolkit's
/// stub library) and for errors before cuGetErrorName is loaded.
struct ErrorName {
  CUresult code;
  const char *name;
};
const ErrorName kErrorNames[] = {
    {1, "CUDA_ERROR_INVALID_VALUE"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY"},
    {3, "CUDA_ERROR_NOT_INITIALIZED"},
    {4, "CUDA_ERROR_DEINITIALIZED"},
    {34, "CUDA_ERROR_STUB_LIBRARY"},
    {35, "CUDA_ERROR_INSUFFICIENT_DRIVER"},
    {36, "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER"},
    {46, "CUDA_ERROR_DEVICE_UNAVAILABLE"},
    {100, "CUDA_ERROR_NO_DEVICE"},
    {101, "CUDA_ERROR_INVALID_DEVICE"},
    {200, "CUDA_ERROR_INVALID_IMAGE"},
    {201, "CUDA_ERROR_INVALID_CONTEXT"},
    {209, "CUDA_ERROR_NO_BINARY_FOR_GPU"},
    {218, "CUDA_ERROR_INVALID_PTX"},
    {221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"},
    {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"},
    {400, "CUDA_ERROR_INVALID_HANDLE"},
    {500, "CUDA_ERROR_NOT_FOUND"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS"},
    {701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"},
    {702, "CUDA_ERROR_LAUNCH_TIMEOUT"},
    {715, "CUDA_ERROR_ILLEGAL_INSTRUCTION"},
    {716, "CUDA_ERROR_MISALIGNED_ADDRESS"},
    {719, "CUDA_ERROR_LAUNCH_FAILED"},
    {803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"},
    {804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"},
    {912, "CUDA_ERROR_INVALID_CLUSTER_SIZE"},
    {999, "CUDA_ERROR_UNKNOWN"},
};

//===----------------------------------------------------------------------===//
// State
//===----------------------------------------------------------------------===//

/// Enough for any device count a machine has; a larger ordinal is an error.
constexpr int kMaxDevices = 64;

/// Guards everything below. Recursive, because recording an error happens
/// while loading the driver under the same lock.
pthread_mutex_t stateLock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void *driverHandle = nullptr;
Driver driver;
/// Set once the driver is loaded, initialized and has a device.
bool driverReady = false;
int deviceCount = 0;
CUcontext primaryContexts[kMaxDevices];

/// The sticky error: its code (0: none), message, and whether it was printed.
int errorCode = QLP_CUDA_OK;
bool errorPrinted = false;
char errorMessage[2048];

/// gpu.set_default_device is per thread, as upstream's.
thread_local int32_t defaultDevice = 0;

class LockGuard {
public:
  LockGuard() { pthread_mutex_lock(&stateLock); }
  ~LockGuard() { pthread_mutex_unlock(&stateLock); }
  LockGuard(const LockGuard &) = delete;
  LockGuard &operator=(const LockGuard &) = delete;
};

bool hasError() { return __atomic_load_n(&errorCode, __ATOMIC_ACQUIRE) != 0; }

/// Records the first error; later ones are consequences and are dropped.
/// With `print`, the message goes to stderr now; otherwise it is printed by
/// the first mgpu* call that finds it (see failedBefore).
__attribute__((format(printf, 3, 4))) void
recordError(int code, bool print, const char *format, ...) {
  LockGuard guard;
  if (errorCode != QLP_CUDA_OK)
    return;
  va_list args;
  va_start(args, format);
  vsnprintf(errorMessage, sizeof(errorMessage), format, args);
  va_end(args);
  __atomic_store_n(&errorCode, code, __ATOMIC_RELEASE);
  errorPrinted = print;
  if (print)
    fprintf(stderr, "quant-lp: CUDA error: %s\n", errorMessage);
}

/// Whether the sticky error is set; with `print`, prints it if nobody has.
bool failedBefore(bool print) {
  if (!hasError())
    return false;
  if (print) {
    LockGuard guard;
    if (!errorPrinted) {
      errorPrinted = true;
      fprintf(stderr, "quant-lp: CUDA error: %s\n", errorMessage);
    }
  }
  return true;
}

const char *errorName(CUresult result) {
  const char *name = nullptr;
  if (driver.getErrorName && driver.getErrorName(result, &name) == 0 && name)
    return name;
  for (const ErrorName &entry : kErrorNames)
    if (entry.code == result)
      return entry.name;
  return "CUDA_ERROR_<unknown>";
}

/// Checks the result of driver call `call`.
bool check(CUresult result, const char *call, bool print = true) {
  if (result == CUDA_SUCCESS)
    return true;
  recordError(result, print, "%s failed: %s (%d)", call, errorName(result),
              result);
  return false;
}

const char *driverPath() {
  const char *path = getenv("QLP_CUDA_LIBRARY");
  return path && *path ? path : "libcuda.so.1";
}

void unloadDriver() {
  if (driverHandle)
    dlclose(driverHandle);
  driverHandle = nullptr;
  memset(&driver, 0, sizeof(driver));
  driverReady = false;
  deviceCount = 0;
  memset(primaryContexts, 0, sizeof(primaryContexts));
}

/// Loads and initializes the driver once. A failure leaves nothing loaded,
/// so that after qlp_cuda_clear_error() the next call starts over.
bool loadDriver(bool print) {
  LockGuard guard;
  if (driverReady)
    return true;
  if (failedBefore(print))
    return false;
  const char *path = driverPath();
  dlerror();
  driverHandle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!driverHandle) {
    const char *why = dlerror();
    recordError(QLP_CUDA_ERROR_DRIVER_NOT_FOUND, print,
                "cannot load the CUDA driver library '%s': %s", path,
                why ? why : "unknown error");
    return false;
  }
#define QLP_LOAD_MEMBER(member, symbol, required, params)                      \
  {                                                                            \
    void *address = dlsym(driverHandle, symbol);                               \
    if (!address && required) {                                                \
      unloadDriver();                                                          \
      recordError(QLP_CUDA_ERROR_DRIVER_SYMBOL, print,                         \
                  "the CUDA driver library '%s' has no '%s'", path, symbol);   \
      return false;                                                            \
    }                                                                          \
    memcpy(&driver.member, &address, sizeof(address));                         \
  }
  QLP_CUDA_DRIVER_FUNCTIONS(QLP_LOAD_MEMBER)
#undef QLP_LOAD_MEMBER
  int count = 0;
  if (!check(driver.init(0), "cuInit", print) ||
      !check(driver.deviceGetCount(&count), "cuDeviceGetCount", print)) {
    unloadDriver();
    return false;
  }
  if (count <= 0) {
    unloadDriver();
    recordError(QLP_CUDA_ERROR_NO_DEVICE, print,
                "the CUDA driver '%s' reports no device", path);
    return false;
  }
  deviceCount = count;
  driverReady = true;
  return true;
}

/// The primary context of device `ordinal`, retained at first use.
CUcontext primaryContext(int32_t ordinal, bool print) {
  if (!loadDriver(print))
    return nullptr;
  LockGuard guard;
  if (ordinal < 0 || ordinal >= deviceCount || ordinal >= kMaxDevices) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, print,
                "the default device %d does not exist (devices: %d)", ordinal,
                deviceCount);
    return nullptr;
  }
  if (!primaryContexts[ordinal]) {
    CUdevice device = 0;
    CUcontext context = nullptr;
    if (!check(driver.deviceGet(&device, ordinal), "cuDeviceGet", print) ||
        !check(driver.devicePrimaryCtxRetain(&context, device),
               "cuDevicePrimaryCtxRetain", print))
      return nullptr;
    primaryContexts[ordinal] = context;
  }
  return primaryContexts[ordinal];
}

/// Prepares an mgpu* call: false (after printing the error) when CUDA is
/// unusable, else the default device's primary context is current.
bool enter(bool print = true) {
  if (failedBefore(print))
    return false;
  CUcontext context = primaryContext(defaultDevice, print);
  if (!context)
    return false;
  CUcontext current = nullptr;
  if (!check(driver.ctxGetCurrent(&current), "cuCtxGetCurrent", print))
    return false;
  return current == context ||
         check(driver.ctxSetCurrent(context), "cuCtxSetCurrent", print);
}

/// A launch dimension as the driver takes it: in [1, 2^32).
bool launchDimension(intptr_t value, const char *function, const char *what,
                     unsigned *out) {
  if (value < 1 || static_cast<uint64_t>(value) > UINT32_MAX) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                "%s: %s is %lld, outside [1, 4294967295]", function, what,
                static_cast<long long>(value));
    return false;
  }
  *out = static_cast<unsigned>(value);
  return true;
}

/// Lets `function` use `smem` bytes of dynamic shared memory: above the
/// 48 KiB every kernel may use, the kernel must opt in, up to the device's
/// limit.
bool prepareSharedMemory(CUfunction function, int32_t smem,
                         const char *caller) {
  if (smem < 0) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                "%s: negative dynamic shared memory size %d", caller, smem);
    return false;
  }
  if (smem <= kDefaultMaxDynamicSharedBytes)
    return true;
  CUdevice device = 0;
  int maxBytes = 0;
  if (!check(driver.deviceGet(&device, defaultDevice), "cuDeviceGet") ||
      !check(driver.deviceGetAttribute(
                 &maxBytes,
                 CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, device),
             "cuDeviceGetAttribute"))
    return false;
  if (smem > maxBytes) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                "%s: %d bytes of dynamic shared memory exceed the device's "
                "limit of %d bytes per block",
                caller, smem, maxBytes);
    return false;
  }
  return check(
      driver.funcSetAttribute(
          function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
      "cuFuncSetAttribute");
}

/// The leading fields of a ranked memref descriptor
/// (StridedMemRefType<T, rank>); sizes and strides follow `offset`.
struct MemRefDescriptorHead {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t sizesAndStrides[1];
};

/// The bytes of a row-major memref; false (with an error) for any other
/// layout.
bool denseMemRefBytes(int64_t rank, void *descriptor, int64_t elementSize,
                      const char *caller, char **data, uint64_t *bytes) {
  auto *head = static_cast<MemRefDescriptorHead *>(descriptor);
  if (!head || rank < 0 || elementSize <= 0) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                "%s: invalid memref (rank %lld, element size %lld)", caller,
                static_cast<long long>(rank),
                static_cast<long long>(elementSize));
    return false;
  }
  const int64_t *sizes = head->sizesAndStrides;
  const int64_t *strides = sizes + rank;
  int64_t count = 1;
  for (int64_t dim = rank - 1; dim >= 0; --dim) {
    if (sizes[dim] != 1 && strides[dim] != count) {
      recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                  "%s: only row-major memrefs can be registered (dimension "
                  "%lld has stride %lld, expected %lld)",
                  caller, static_cast<long long>(dim),
                  static_cast<long long>(strides[dim]),
                  static_cast<long long>(count));
      return false;
    }
    count *= sizes[dim];
  }
  *data = head->aligned + head->offset * elementSize;
  *bytes = static_cast<uint64_t>(count) * static_cast<uint64_t>(elementSize);
  return true;
}

} // namespace

//===----------------------------------------------------------------------===//
// Status API
//===----------------------------------------------------------------------===//

extern "C" int qlp_cuda_available(void) {
  return enter(/*print=*/false) ? 1 : 0;
}

extern "C" int qlp_cuda_status(void) {
  return __atomic_load_n(&errorCode, __ATOMIC_ACQUIRE);
}

extern "C" const char *qlp_cuda_last_error(void) {
  return hasError() ? errorMessage : "";
}

extern "C" void qlp_cuda_clear_error(void) {
  LockGuard guard;
  __atomic_store_n(&errorCode, QLP_CUDA_OK, __ATOMIC_RELEASE);
  errorPrinted = false;
  errorMessage[0] = '\0';
}

extern "C" int qlp_cuda_device_chip(char *buf, size_t n) {
  if (!buf || n == 0)
    return QLP_CUDA_ERROR_INVALID_ARGUMENT;
  buf[0] = '\0';
  if (!enter(/*print=*/false))
    return qlp_cuda_status();
  CUdevice device = 0;
  int major = 0, minor = 0;
  if (!check(driver.deviceGet(&device, defaultDevice), "cuDeviceGet", false) ||
      !check(driver.deviceGetAttribute(
                 &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
             "cuDeviceGetAttribute", false) ||
      !check(driver.deviceGetAttribute(
                 &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
             "cuDeviceGetAttribute", false))
    return qlp_cuda_status();
  char chip[32];
  int length = snprintf(chip, sizeof(chip), "sm_%d%d", major, minor);
  if (length < 0 || static_cast<size_t>(length) >= n)
    return QLP_CUDA_ERROR_INVALID_ARGUMENT;
  memcpy(buf, chip, static_cast<size_t>(length) + 1);
  return QLP_CUDA_OK;
}

extern "C" int qlp_cuda_synchronize(void) {
  if (enter(/*print=*/false))
    check(driver.ctxSynchronize(), "cuCtxSynchronize", false);
  return qlp_cuda_status();
}

//===----------------------------------------------------------------------===//
// Modules and launches
//===----------------------------------------------------------------------===//

extern "C" void *mgpuModuleLoad(void *data, size_t /*gpuBlobSize*/) {
  CUmodule module = nullptr;
  if (enter() &&
      !check(driver.moduleLoadData(&module, data), "cuModuleLoadData"))
    module = nullptr;
  return module;
}

extern "C" void *mgpuModuleLoadJIT(void *data, int optLevel) {
  if (!enter())
    return nullptr;
  // The driver compiles the PTX now; its error log is the only place that
  // says what is wrong with it, so it joins the message.
  char log[4096] = {0};
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                   CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, reinterpret_cast<void *>(uintptr_t{sizeof(log)}),
                    reinterpret_cast<void *>(static_cast<intptr_t>(optLevel))};
  CUmodule module = nullptr;
  CUresult result = driver.moduleLoadDataEx(&module, data, 3, options, values);
  if (result == CUDA_SUCCESS)
    return module;
  log[sizeof(log) - 1] = '\0';
  // One line: the log's line breaks become "; ".
  char flat[sizeof(log) * 2];
  size_t out = 0;
  for (const char *c = log; *c && out + 3 < sizeof(flat); ++c) {
    if (*c == '\n') {
      if (c[1] == '\0')
        break;
      flat[out++] = ';';
      flat[out++] = ' ';
    } else {
      flat[out++] = *c;
    }
  }
  flat[out] = '\0';
  recordError(result, true, "cuModuleLoadDataEx failed: %s (%d)%s%s",
              errorName(result), result, out ? ": " : "", flat);
  return nullptr;
}

extern "C" void mgpuModuleUnload(void *module) {
  // Runs from a global destructor; a failed program has nothing to unload.
  if (!module || hasError() || !enter())
    return;
  CUresult result = driver.moduleUnload(module);
  // At process exit the driver may be torn down before the destructors of
  // JIT-compiled code run: the module is gone with it.
  if (result != CUDA_ERROR_DEINITIALIZED)
    check(result, "cuModuleUnload");
}

extern "C" void *mgpuModuleGetFunction(void *module, const char *name) {
  CUfunction function = nullptr;
  if (enter() && !check(driver.moduleGetFunction(&function, module, name),
                        "cuModuleGetFunction"))
    function = nullptr;
  return function;
}

extern "C" void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                                 intptr_t gridZ, intptr_t blockX,
                                 intptr_t blockY, intptr_t blockZ, int32_t smem,
                                 void *stream, void **params, void **extra,
                                 size_t /*paramsCount*/) {
  if (!enter())
    return;
  const char *self = "mgpuLaunchKernel";
  unsigned dims[6];
  if (!launchDimension(gridX, self, "grid x", &dims[0]) ||
      !launchDimension(gridY, self, "grid y", &dims[1]) ||
      !launchDimension(gridZ, self, "grid z", &dims[2]) ||
      !launchDimension(blockX, self, "block x", &dims[3]) ||
      !launchDimension(blockY, self, "block y", &dims[4]) ||
      !launchDimension(blockZ, self, "block z", &dims[5]) ||
      !prepareSharedMemory(function, smem, self))
    return;
  check(driver.launchKernel(function, dims[0], dims[1], dims[2], dims[3],
                            dims[4], dims[5], static_cast<unsigned>(smem),
                            stream, params, extra),
        "cuLaunchKernel");
}

extern "C" void
mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                        intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                        intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                        intptr_t blockZ, int32_t smem, void *stream,
                        void **params, void **extra, size_t /*paramsCount*/) {
  if (!enter())
    return;
  const char *self = "mgpuLaunchClusterKernel";
  if (!driver.launchKernelEx) {
    recordError(QLP_CUDA_ERROR_DRIVER_SYMBOL, true,
                "the CUDA driver library '%s' has no 'cuLaunchKernelEx' "
                "(cluster launches need CUDA 12 or newer)",
                driverPath());
    return;
  }
  unsigned cluster[3];
  CULaunchConfig config;
  memset(&config, 0, sizeof(config));
  if (!launchDimension(clusterX, self, "cluster x", &cluster[0]) ||
      !launchDimension(clusterY, self, "cluster y", &cluster[1]) ||
      !launchDimension(clusterZ, self, "cluster z", &cluster[2]) ||
      !launchDimension(gridX, self, "grid x", &config.gridDimX) ||
      !launchDimension(gridY, self, "grid y", &config.gridDimY) ||
      !launchDimension(gridZ, self, "grid z", &config.gridDimZ) ||
      !launchDimension(blockX, self, "block x", &config.blockDimX) ||
      !launchDimension(blockY, self, "block y", &config.blockDimY) ||
      !launchDimension(blockZ, self, "block z", &config.blockDimZ) ||
      !prepareSharedMemory(function, smem, self))
    return;
  config.sharedMemBytes = static_cast<unsigned>(smem);
  config.hStream = stream;
  CULaunchAttribute attributes[2];
  memset(attributes, 0, sizeof(attributes));
  attributes[0].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attributes[0].value.clusterDim.x = cluster[0];
  attributes[0].value.clusterDim.y = cluster[1];
  attributes[0].value.clusterDim.z = cluster[2];
  attributes[1].id = CU_LAUNCH_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE;
  attributes[1].value.clusterSchedulingPolicyPreference =
      CU_CLUSTER_SCHEDULING_POLICY_SPREAD;
  config.attrs = attributes;
  config.numAttrs = 2;
  check(driver.launchKernelEx(&config, function, params, extra),
        "cuLaunchKernelEx");
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

extern "C" void *mgpuStreamCreate(void) {
  CUstream stream = nullptr;
  if (enter() && !check(driver.streamCreate(&stream, CU_STREAM_NON_BLOCKING),
                        "cuStreamCreate"))
    stream = nullptr;
  return stream;
}

extern "C" void mgpuStreamDestroy(void *stream) {
  if (enter())
    check(driver.streamDestroy(stream), "cuStreamDestroy");
}

extern "C" void mgpuStreamSynchronize(void *stream) {
  if (enter())
    check(driver.streamSynchronize(stream), "cuStreamSynchronize");
}

extern "C" void mgpuStreamWaitEvent(void *stream, void *event) {
  if (enter())
    check(driver.streamWaitEvent(stream, event, /*flags=*/0),
          "cuStreamWaitEvent");
}

extern "C" void *mgpuEventCreate(void) {
  CUevent event = nullptr;
  if (enter() && !check(driver.eventCreate(&event, CU_EVENT_DISABLE_TIMING),
                        "cuEventCreate"))
    event = nullptr;
  return event;
}

extern "C" void mgpuEventDestroy(void *event) {
  if (enter())
    check(driver.eventDestroy(event), "cuEventDestroy");
}

extern "C" void mgpuEventSynchronize(void *event) {
  if (enter())
    check(driver.eventSynchronize(event), "cuEventSynchronize");
}

extern "C" void mgpuEventRecord(void *event, void *stream) {
  if (enter())
    check(driver.eventRecord(event, stream), "cuEventRecord");
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, void * /*stream*/,
                              bool isHostShared) {
  if (sizeBytes == 0 || !enter())
    return nullptr;
  CUdeviceptr pointer = 0;
  // Device memory, unless the program asked for memory the host can touch
  // too (gpu.alloc host_shared): then managed memory, as upstream.
  bool ok = isHostShared
                ? check(driver.memAllocManaged(&pointer, sizeBytes,
                                               CU_MEM_ATTACH_GLOBAL),
                        "cuMemAllocManaged")
                : check(driver.memAlloc(&pointer, sizeBytes), "cuMemAlloc");
  return ok ? reinterpret_cast<void *>(static_cast<uintptr_t>(pointer))
            : nullptr;
}

extern "C" void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (ptr && enter())
    check(driver.memFree(reinterpret_cast<uintptr_t>(ptr)), "cuMemFree");
}

extern "C" void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                           void *stream) {
  if (sizeBytes && enter())
    check(driver.memcpyAsync(reinterpret_cast<uintptr_t>(dst),
                             reinterpret_cast<uintptr_t>(src), sizeBytes,
                             stream),
          "cuMemcpyAsync");
}

extern "C" void mgpuMemset32(void *dst, unsigned int value, size_t count,
                             void *stream) {
  if (count && enter())
    check(driver.memsetD32Async(reinterpret_cast<uintptr_t>(dst), value, count,
                                stream),
          "cuMemsetD32Async");
}

extern "C" void mgpuMemset16(void *dst, unsigned short value, size_t count,
                             void *stream) {
  if (count && enter())
    check(driver.memsetD16Async(reinterpret_cast<uintptr_t>(dst), value, count,
                                stream),
          "cuMemsetD16Async");
}

extern "C" void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  if (sizeBytes && enter())
    check(driver.memHostRegister(ptr, sizeBytes, /*flags=*/0),
          "cuMemHostRegister");
}

extern "C" void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                          int64_t elementSizeBytes) {
  if (failedBefore(true))
    return;
  char *data = nullptr;
  uint64_t bytes = 0;
  if (denseMemRefBytes(rank, descriptor, elementSizeBytes,
                       "mgpuMemHostRegisterMemRef", &data, &bytes))
    mgpuMemHostRegister(data, bytes);
}

extern "C" void mgpuMemHostUnregister(void *ptr) {
  if (ptr && enter())
    check(driver.memHostUnregister(ptr), "cuMemHostUnregister");
}

extern "C" void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                            int64_t elementSizeBytes) {
  if (failedBefore(true))
    return;
  // Only the start address matters: the driver knows the registered range.
  auto *head = static_cast<MemRefDescriptorHead *>(descriptor);
  if (!head || elementSizeBytes <= 0) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                "mgpuMemHostUnregisterMemRef: invalid memref (rank %lld, "
                "element size %lld)",
                static_cast<long long>(rank),
                static_cast<long long>(elementSizeBytes));
    return;
  }
  mgpuMemHostUnregister(head->aligned + head->offset * elementSizeBytes);
}

extern "C" void mgpuSetDefaultDevice(int32_t device) {
  // Checked when the next call needs the device's context.
  defaultDevice = device;
}

//===----------------------------------------------------------------------===//
// TMA descriptors
//===----------------------------------------------------------------------===//

extern "C" void
mgpuTensorMapEncodeTiled(void *tensorMap, int tensorDataType,
                         uint32_t tensorRank, void *globalAddress,
                         const uint64_t *globalDim,
                         const uint64_t *globalStrides, const uint32_t *boxDim,
                         const uint32_t *elementStrides, int interleave,
                         int swizzle, int l2Promotion, int oobFill) {
  if (!enter())
    return;
  if (!driver.tensorMapEncodeTiled) {
    recordError(QLP_CUDA_ERROR_DRIVER_SYMBOL, true,
                "the CUDA driver library '%s' has no 'cuTensorMapEncodeTiled' "
                "(TMA needs CUDA 12 or newer)",
                driverPath());
    return;
  }
  check(driver.tensorMapEncodeTiled(
            static_cast<CUTensorMap *>(tensorMap), tensorDataType, tensorRank,
            globalAddress, globalDim, globalStrides, boxDim, elementStrides,
            interleave, swizzle, l2Promotion, oobFill),
        "cuTensorMapEncodeTiled");
}

extern "C" void *
mgpuTensorMapEncodeTiledMemref(int64_t tensorRank, void *descriptor,
                               int64_t tensorDataType, int64_t interleave,
                               int64_t swizzle, int64_t l2Promotion,
                               int64_t oobFill, int64_t *inputBoxDims) {
  if (!enter())
    return nullptr;
  const char *self = "mgpuTensorMapEncodeTiledMemref";
  // Bytes per element of CU_TENSOR_MAP_DATA_TYPE_UINT8 .. _TFLOAT32_FTZ.
  static const int kElementBytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  constexpr int64_t kTypes = sizeof(kElementBytes) / sizeof(kElementBytes[0]);
  if (tensorRank < 1 || tensorRank > 5 || !descriptor || !inputBoxDims) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                "%s: a tensor map needs a memref of rank 1 to 5 and box "
                "sizes (rank %lld)",
                self, static_cast<long long>(tensorRank));
    return nullptr;
  }
  if (tensorDataType < 0 || tensorDataType >= kTypes) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                "%s: unsupported tensor map data type %lld", self,
                static_cast<long long>(tensorDataType));
    return nullptr;
  }
  auto *head = static_cast<MemRefDescriptorHead *>(descriptor);
  const int64_t *sizes = head->sizesAndStrides;
  const int64_t *strides = sizes + tensorRank;
  const int64_t elementBytes = kElementBytes[tensorDataType];
  // The driver lists dimensions innermost first, and the byte strides of
  // all but the innermost, which must be contiguous.
  if (strides[tensorRank - 1] != 1) {
    recordError(QLP_CUDA_ERROR_INVALID_ARGUMENT, true,
                "%s: the innermost dimension has stride %lld; TMA needs it "
                "contiguous",
                self, static_cast<long long>(strides[tensorRank - 1]));
    return nullptr;
  }
  uint64_t globalDim[5] = {0}, globalStrides[5] = {0};
  uint32_t boxDim[5] = {0}, elementStrides[5] = {0};
  for (int64_t r = 0; r < tensorRank; ++r) {
    globalDim[r] = static_cast<uint64_t>(sizes[tensorRank - 1 - r]);
    boxDim[r] = static_cast<uint32_t>(inputBoxDims[tensorRank - 1 - r]);
    elementStrides[r] = 1;
  }
  for (int64_t r = 0; r + 1 < tensorRank; ++r)
    globalStrides[r] =
        static_cast<uint64_t>(strides[tensorRank - 2 - r] * elementBytes);
  CUTensorMap tensorMap;
  memset(&tensorMap, 0, sizeof(tensorMap));
  mgpuTensorMapEncodeTiled(
      &tensorMap, static_cast<int>(tensorDataType),
      static_cast<uint32_t>(tensorRank),
      head->aligned + head->offset * elementBytes, globalDim, globalStrides,
      boxDim, elementStrides, static_cast<int>(interleave),
      static_cast<int>(swizzle), static_cast<int>(l2Promotion),
      static_cast<int>(oobFill));
  if (hasError())
    return nullptr;
  // Kernels read the map as a kernel parameter pointing to device memory.
  CUdeviceptr deviceMap = 0;
  if (!check(driver.memAlloc(&deviceMap, sizeof(tensorMap)), "cuMemAlloc"))
    return nullptr;
  if (!check(driver.memcpyHtoD(deviceMap, &tensorMap, sizeof(tensorMap)),
             "cuMemcpyHtoD")) {
    driver.memFree(deviceMap);
    return nullptr;
  }
  return reinterpret_cast<void *>(static_cast<uintptr_t>(deviceMap));
}

//===----------------------------------------------------------------------===//
// Symbol table
//===----------------------------------------------------------------------===//

namespace {
#define QLP_SYMBOL(name)                                                       \
  { #name, reinterpret_cast < void *>(&name) }
const qlp_cuda_symbol kSymbols[] = {
    QLP_SYMBOL(mgpuModuleLoad),
    QLP_SYMBOL(mgpuModuleLoadJIT),
    QLP_SYMBOL(mgpuModuleUnload),
    QLP_SYMBOL(mgpuModuleGetFunction),
    QLP_SYMBOL(mgpuLaunchKernel),
    QLP_SYMBOL(mgpuLaunchClusterKernel),
    QLP_SYMBOL(mgpuStreamCreate),
    QLP_SYMBOL(mgpuStreamDestroy),
    QLP_SYMBOL(mgpuStreamSynchronize),
    QLP_SYMBOL(mgpuStreamWaitEvent),
    QLP_SYMBOL(mgpuEventCreate),
    QLP_SYMBOL(mgpuEventDestroy),
    QLP_SYMBOL(mgpuEventSynchronize),
    QLP_SYMBOL(mgpuEventRecord),
    QLP_SYMBOL(mgpuMemAlloc),
    QLP_SYMBOL(mgpuMemFree),
    QLP_SYMBOL(mgpuMemcpy),
    QLP_SYMBOL(mgpuMemset32),
    QLP_SYMBOL(mgpuMemset16),
    QLP_SYMBOL(mgpuMemHostRegister),
    QLP_SYMBOL(mgpuMemHostRegisterMemRef),
    QLP_SYMBOL(mgpuMemHostUnregister),
    QLP_SYMBOL(mgpuMemHostUnregisterMemRef),
    QLP_SYMBOL(mgpuSetDefaultDevice),
    QLP_SYMBOL(mgpuTensorMapEncodeTiled),
    QLP_SYMBOL(mgpuTensorMapEncodeTiledMemref),
};
#undef QLP_SYMBOL
} // namespace

extern "C" const qlp_cuda_symbol *qlp_cuda_runtime_symbols(size_t *count) {
  if (count)
    *count = sizeof(kSymbols) / sizeof(kSymbols[0]);
  return kSymbols;
}
