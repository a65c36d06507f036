//===- FakeCudaDriver.cpp - A CUDA driver stand-in for unit tests ---------===//
//
// See FakeCudaDriver.h. Signatures follow cuda.h (handles are pointers,
// CUdeviceptr is 64-bit, enums are int).
//
//===----------------------------------------------------------------------===//

#include "FakeCudaDriver.h"
#include "PTXEmulator.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <unordered_set>

namespace {
FakeCudaState state;
int contextObject, moduleObject, streamObjects[64], eventObjects[64];
void *currentContext = nullptr;

/// With QLP_FAKE_CUDA_EXECUTE set, PTX modules are parsed by the PTX
/// emulator and launches run the kernels on the host; each load gets its own
/// module (a pipeline's output loads one per gpu.module).
struct EmulatedModule {
  qlp_ptx_module *ptx = nullptr;
};
// Deques: the handles handed out are pointers to the elements, which must
// stay valid as more are added.
std::deque<EmulatedModule> emulatedModules;
std::unordered_set<void *> emulatedModuleHandles;

bool executing() { return getenv("QLP_FAKE_CUDA_EXECUTE") != nullptr; }

bool isEmulatedModule(void *module) {
  return emulatedModuleHandles.count(module) != 0;
}

/// The functions handed out, one per (module, kernel name).
struct FakeFunction {
  char name[256];
  void *module = nullptr;
  /// The emulator's kernel when the module is emulated.
  const void *emulated = nullptr;
};
std::deque<FakeFunction> functions;
std::unordered_set<void *> functionHandles;

bool isFunction(void *function) { return functionHandles.count(function); }

/// With QLP_FAKE_CUDA_TRACE set, module loads and launches are printed to
/// stderr, for lit tests of quant-run --device=gpu.
bool tracing() { return getenv("QLP_FAKE_CUDA_TRACE") != nullptr; }

/// An integer from the environment, or `otherwise`.
int envInt(const char *name, int otherwise) {
  const char *text = getenv(name);
  return text ? atoi(text) : otherwise;
}

using CUresult = int;
using CUdeviceptr = unsigned long long;
constexpr CUresult kSuccess = 0, kInvalidValue = 1, kInvalidDevice = 101,
                   kInvalidImage = 200, kInvalidPTX = 218, kNotFound = 500;

struct LaunchAttribute {
  int id;
  char pad[4];
  union {
    char pad[64];
    struct {
      unsigned x, y, z;
    } clusterDim;
  } value;
};
struct LaunchConfig {
  unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ,
      sharedMemBytes;
  void *hStream;
  LaunchAttribute *attrs;
  unsigned numAttrs;
};
} // namespace

#define FAKE_API extern "C" __attribute__((visibility("default")))

FAKE_API FakeCudaState *fake_cuda_state() { return &state; }

FAKE_API CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
  case 1:
    *name = "CUDA_ERROR_INVALID_VALUE";
    return kSuccess;
  case 200:
    *name = "CUDA_ERROR_INVALID_IMAGE";
    return kSuccess;
  case 218:
    *name = "CUDA_ERROR_INVALID_PTX";
    return kSuccess;
  case 500:
    *name = "CUDA_ERROR_NOT_FOUND";
    return kSuccess;
  case 700:
    *name = "CUDA_ERROR_ILLEGAL_ADDRESS";
    return kSuccess;
  case 719:
    *name = "CUDA_ERROR_LAUNCH_FAILED";
    return kSuccess;
  default:
    // Like the real driver for codes it does not know.
    *name = nullptr;
    return kInvalidValue;
  }
}

FAKE_API CUresult cuInit(unsigned flags) {
  return flags == 0 ? kSuccess : kInvalidValue;
}

FAKE_API CUresult cuDeviceGetCount(int *count) {
  *count = envInt("QLP_FAKE_CUDA_DEVICES", 1);
  return kSuccess;
}

FAKE_API CUresult cuDeviceGet(int *device, int ordinal) {
  int count = 0;
  cuDeviceGetCount(&count);
  if (ordinal < 0 || ordinal >= count)
    return kInvalidDevice;
  *device = ordinal;
  return kSuccess;
}

FAKE_API CUresult cuDeviceGetAttribute(int *value, int attribute, int) {
  switch (attribute) {
  // QLP_FAKE_CUDA_CC=XY overrides the compute capability X.Y.
  case 75:
    *value = envInt("QLP_FAKE_CUDA_CC",
                    state.computeMajor * 10 + state.computeMinor) /
             10;
    return kSuccess;
  case 76:
    *value = envInt("QLP_FAKE_CUDA_CC",
                    state.computeMajor * 10 + state.computeMinor) %
             10;
    return kSuccess;
  case 97:
    *value = state.maxSharedOptin;
    return kSuccess;
  default:
    return kInvalidValue;
  }
}

FAKE_API CUresult cuDevicePrimaryCtxRetain(void **context, int) {
  *context = &contextObject;
  return kSuccess;
}

FAKE_API CUresult cuCtxGetCurrent(void **context) {
  *context = currentContext;
  return kSuccess;
}

FAKE_API CUresult cuCtxSetCurrent(void *context) {
  currentContext = context;
  ++state.contextSets;
  return kSuccess;
}

FAKE_API CUresult cuCtxSynchronize() {
  ++state.contextSyncs;
  if (tracing())
    fprintf(stderr, "fake-cuda: synchronize\n");
  return kSuccess;
}

FAKE_API CUresult cuModuleLoadData(void **module, const void *image) {
  if (strcmp(static_cast<const char *>(image), kFakeCubin) != 0)
    return kInvalidImage;
  *module = &moduleObject;
  return kSuccess;
}

FAKE_API CUresult cuModuleLoadDataEx(void **module, const void *image,
                                     unsigned numOptions, int *options,
                                     void **values) {
  char *log = nullptr;
  size_t logSize = 0;
  for (unsigned i = 0; i < numOptions; ++i) {
    if (options[i] == 5)
      log = static_cast<char *>(values[i]);
    else if (options[i] == 6)
      logSize = reinterpret_cast<uintptr_t>(values[i]);
    else if (options[i] == 7)
      state.jitOptLevel =
          static_cast<int>(reinterpret_cast<intptr_t>(values[i]));
  }
  const char *ptx = static_cast<const char *>(image);
  if (tracing()) {
    const char *target = strstr(ptx, ".target ");
    int length = target ? static_cast<int>(strcspn(target, "\n")) : 0;
    fprintf(stderr, "fake-cuda: load PTX (%.*s) at -O%d\n", length,
            target ? target : "", state.jitOptLevel);
  }
  if (strstr(ptx, kFakePTXError)) {
    const char *text = "ptxas: line 3: syntax error\nptxas fatal: failed\n";
    if (log && logSize > strlen(text))
      strcpy(log, text);
    return kInvalidPTX;
  }
  if (!executing()) {
    *module = &moduleObject;
    return kSuccess;
  }
  // The emulator's parse errors play the part of ptxas's log.
  char error[512];
  qlp_ptx_module *parsed = qlp_ptx_load(ptx, strlen(ptx), error, sizeof error);
  if (!parsed) {
    if (log && logSize > 0)
      snprintf(log, logSize, "ptx emulator: %s\n", error);
    return kInvalidPTX;
  }
  emulatedModules.push_back({parsed});
  *module = &emulatedModules.back();
  emulatedModuleHandles.insert(*module);
  return kSuccess;
}

FAKE_API CUresult cuModuleUnload(void *module) {
  if (isEmulatedModule(module)) {
    auto *emulated = static_cast<EmulatedModule *>(module);
    if (!emulated->ptx)
      return kInvalidValue;
    // Functions of the module become invalid, as with the real driver.
    for (FakeFunction &function : functions)
      if (function.module == module)
        function.emulated = nullptr;
    qlp_ptx_unload(emulated->ptx);
    emulated->ptx = nullptr;
    ++state.moduleUnloads;
    return kSuccess;
  }
  if (module != &moduleObject)
    return kInvalidValue;
  ++state.moduleUnloads;
  return kSuccess;
}

FAKE_API CUresult cuModuleGetFunction(void **function, void *module,
                                      const char *name) {
  const void *emulated = nullptr;
  if (isEmulatedModule(module)) {
    auto *owner = static_cast<EmulatedModule *>(module);
    if (!owner->ptx || !(emulated = qlp_ptx_function(owner->ptx, name)))
      return kNotFound;
  } else if (module != &moduleObject || strcmp(name, kFakeMissingKernel) == 0) {
    return kNotFound;
  }
  for (FakeFunction &known : functions)
    if (known.module == module && strcmp(known.name, name) == 0) {
      known.emulated = emulated;
      *function = &known;
      return kSuccess;
    }
  if (strlen(name) >= sizeof(FakeFunction::name))
    return kInvalidValue;
  FakeFunction &created = functions.emplace_back();
  strcpy(created.name, name);
  created.module = module;
  created.emulated = emulated;
  *function = &created;
  functionHandles.insert(*function);
  return kSuccess;
}

FAKE_API CUresult cuFuncSetAttribute(void *function, int attribute, int value) {
  if (!isFunction(function))
    return kInvalidValue;
  ++state.funcAttributeCalls;
  state.funcAttribute = attribute;
  state.funcAttributeValue = value;
  return kSuccess;
}

FAKE_API CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy,
                                 unsigned gz, unsigned bx, unsigned by,
                                 unsigned bz, unsigned shared, void *stream,
                                 void **params, void **) {
  if (!isFunction(function))
    return kInvalidValue;
  // A kernel of an unloaded emulated module is a dangling handle.
  auto *fake = static_cast<FakeFunction *>(function);
  if (isEmulatedModule(fake->module) && !fake->emulated)
    return kInvalidValue;
  ++state.launches;
  if (tracing())
    fprintf(stderr,
            "fake-cuda: launch %s grid (%u, %u, %u) block (%u, %u, %u) "
            "shared %u\n",
            static_cast<FakeFunction *>(function)->name, gx, gy, gz, bx, by, bz,
            shared);
  state.grid[0] = gx, state.grid[1] = gy, state.grid[2] = gz;
  state.block[0] = bx, state.block[1] = by, state.block[2] = bz;
  state.sharedBytes = shared;
  state.stream = stream;
  state.params = params;
  CUresult result = envInt("QLP_FAKE_CUDA_LAUNCH_RESULT", state.launchResult);
  const void *emulated = static_cast<FakeFunction *>(function)->emulated;
  if (result != kSuccess || !emulated)
    return result;
  // Launches are synchronous here; the real driver would report a kernel's
  // fault at the next synchronization, the emulator at the launch.
  char error[512];
  if (qlp_ptx_launch(emulated, gx, gy, gz, bx, by, bz, shared, params, error,
                     sizeof error) != 0) {
    fprintf(stderr, "fake-cuda: kernel %s failed: %s\n",
            static_cast<FakeFunction *>(function)->name, error);
    return 719;
  }
  return kSuccess;
}

FAKE_API CUresult cuLaunchKernelEx(const LaunchConfig *config, void *function,
                                   void **params, void **extra) {
  CUresult result = cuLaunchKernel(
      function, config->gridDimX, config->gridDimY, config->gridDimZ,
      config->blockDimX, config->blockDimY, config->blockDimZ,
      config->sharedMemBytes, config->hStream, params, extra);
  if (result != kSuccess)
    return result;
  ++state.clusterLaunches;
  state.numLaunchAttributes = config->numAttrs;
  for (unsigned i = 0; i < config->numAttrs; ++i)
    if (config->attrs[i].id == 4) {
      state.cluster[0] = config->attrs[i].value.clusterDim.x;
      state.cluster[1] = config->attrs[i].value.clusterDim.y;
      state.cluster[2] = config->attrs[i].value.clusterDim.z;
    }
  return kSuccess;
}

FAKE_API CUresult cuStreamCreate(void **stream, unsigned flags) {
  *stream = &streamObjects[state.streamsCreated++ % 64];
  state.streamFlags = flags;
  return kSuccess;
}
FAKE_API CUresult cuStreamDestroy_v2(void *) {
  ++state.streamsDestroyed;
  return kSuccess;
}
FAKE_API CUresult cuStreamSynchronize(void *) {
  ++state.streamSyncs;
  return kSuccess;
}
FAKE_API CUresult cuStreamWaitEvent(void *, void *, unsigned) {
  ++state.streamWaits;
  return kSuccess;
}
FAKE_API CUresult cuEventCreate(void **event, unsigned flags) {
  *event = &eventObjects[state.eventsCreated++ % 64];
  state.eventFlags = flags;
  return kSuccess;
}
FAKE_API CUresult cuEventDestroy_v2(void *) {
  ++state.eventsDestroyed;
  return kSuccess;
}
FAKE_API CUresult cuEventSynchronize(void *) {
  ++state.eventSyncs;
  return kSuccess;
}
FAKE_API CUresult cuEventRecord(void *, void *) {
  ++state.eventRecords;
  return kSuccess;
}

FAKE_API CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  ++state.deviceAllocs;
  *pointer = reinterpret_cast<uintptr_t>(malloc(bytes));
  return kSuccess;
}
FAKE_API CUresult cuMemAllocManaged(CUdeviceptr *pointer, size_t bytes,
                                    unsigned flags) {
  ++state.managedAllocs;
  state.managedFlags = flags;
  *pointer = reinterpret_cast<uintptr_t>(malloc(bytes));
  return kSuccess;
}
FAKE_API CUresult cuMemFree_v2(CUdeviceptr pointer) {
  ++state.frees;
  free(reinterpret_cast<void *>(pointer));
  return kSuccess;
}
FAKE_API CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                                void *) {
  memcpy(reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src), bytes);
  return kSuccess;
}
FAKE_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src,
                                  size_t bytes) {
  memcpy(reinterpret_cast<void *>(dst), src, bytes);
  return kSuccess;
}
FAKE_API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value,
                                   size_t count, void *) {
  auto *out = reinterpret_cast<uint32_t *>(dst);
  for (size_t i = 0; i < count; ++i)
    out[i] = value;
  return kSuccess;
}
FAKE_API CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value,
                                   size_t count, void *) {
  auto *out = reinterpret_cast<uint16_t *>(dst);
  for (size_t i = 0; i < count; ++i)
    out[i] = value;
  return kSuccess;
}
FAKE_API CUresult cuMemHostRegister_v2(void *pointer, size_t bytes, unsigned) {
  state.registered = pointer;
  state.registeredBytes = bytes;
  return kSuccess;
}
FAKE_API CUresult cuMemHostUnregister(void *pointer) {
  state.unregistered = pointer;
  return kSuccess;
}

FAKE_API CUresult cuTensorMapEncodeTiled(
    void *map, int dataType, uint32_t rank, void *address,
    const uint64_t *globalDim, const uint64_t *globalStrides,
    const uint32_t *box, const uint32_t *elementStrides, int, int, int, int) {
  if (rank < 1 || rank > 5)
    return kInvalidValue;
  for (uint32_t r = 0; r < rank; ++r)
    if (elementStrides[r] != 1)
      return kInvalidValue;
  state.mapRank = rank;
  state.mapDataType = dataType;
  state.mapAddress = address;
  for (uint32_t r = 0; r < rank; ++r) {
    state.mapGlobalDim[r] = globalDim[r];
    state.mapBox[r] = box[r];
    if (r + 1 < rank)
      state.mapGlobalStrides[r] = globalStrides[r];
  }
  memset(map, kFakeMapByte, 128);
  return kSuccess;
}

// Legacy entry points, which cuda.h's macros never select: the runtime must
// not call them either.
FAKE_API CUresult cuMemAlloc(unsigned *, unsigned) {
  ++state.legacyCalls;
  return kInvalidValue;
}
FAKE_API CUresult cuMemFree(unsigned) {
  ++state.legacyCalls;
  return kInvalidValue;
}
FAKE_API CUresult cuStreamDestroy(void *) {
  ++state.legacyCalls;
  return kInvalidValue;
}
FAKE_API CUresult cuEventDestroy(void *) {
  ++state.legacyCalls;
  return kInvalidValue;
}
FAKE_API CUresult cuMemHostRegister(void *, size_t, unsigned) {
  ++state.legacyCalls;
  return kInvalidValue;
}
FAKE_API CUresult cuMemcpyHtoD(unsigned, const void *, unsigned) {
  ++state.legacyCalls;
  return kInvalidValue;
}
