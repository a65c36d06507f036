//===- FakeCudaDriver.h - A CUDA driver stand-in for unit tests -*- C++ -*-===//
//
// libqlp_fake_cuda_driver.so exports the driver entry points that
// qlp_cuda_runtime loads, implemented on host memory: "device" pointers are
// malloc'ed, copies and memsets really move bytes, and every call is
// recorded in one FakeCudaState that a test reads with dlsym
// ("fake_cuda_state"). It lets the runtime's success paths (launch
// arguments, shared memory opt-in, module loading, memory, TMA maps) be
// tested on machines without a GPU.
//
// The environment configures it for tools run by lit tests:
//   QLP_FAKE_CUDA_DEVICES=N         the device count (default 1)
//   QLP_FAKE_CUDA_CC=XY             compute capability X.Y (default 8.0)
//   QLP_FAKE_CUDA_LAUNCH_RESULT=E   every launch returns CUresult E
//   QLP_FAKE_CUDA_TRACE=1           print PTX loads, launches and device
//                                   synchronizations to stderr
//   QLP_FAKE_CUDA_EXECUTE=1         parse loaded PTX with the PTX emulator
//                                   (runtime/PTXEmulator.h) and run launched
//                                   kernels on it; a parse error fails the
//                                   load with the emulator's message in the
//                                   JIT log, a kernel fault fails the launch
//                                   (CUDA_ERROR_LAUNCH_FAILED)
// Otherwise kernels do not run: launches are only recorded.
//
//===----------------------------------------------------------------------===//

#ifndef QLP_TEST_UNIT_FAKECUDADRIVER_H
#define QLP_TEST_UNIT_FAKECUDADRIVER_H

#include <cstddef>
#include <cstdint>

struct FakeCudaState {
  // Configuration (set by the test).
  int computeMajor = 8, computeMinor = 0;
  int maxSharedOptin = 101376;
  /// The result cuLaunchKernel / cuLaunchKernelEx return.
  int launchResult = 0;

  // Records.
  /// Calls of legacy entry points (cuMemAlloc instead of cuMemAlloc_v2).
  int legacyCalls = 0;
  int contextSets = 0;
  int launches = 0;
  unsigned grid[3] = {0, 0, 0}, block[3] = {0, 0, 0}, sharedBytes = 0;
  void *stream = nullptr;
  void **params = nullptr;
  int funcAttributeCalls = 0, funcAttribute = -1, funcAttributeValue = -1;
  int clusterLaunches = 0;
  unsigned cluster[3] = {0, 0, 0};
  unsigned numLaunchAttributes = 0;
  int deviceAllocs = 0, managedAllocs = 0, frees = 0;
  unsigned managedFlags = 0;
  int jitOptLevel = -1;
  int moduleUnloads = 0;
  int streamsCreated = 0, streamsDestroyed = 0, streamSyncs = 0;
  unsigned streamFlags = 0;
  int eventsCreated = 0, eventsDestroyed = 0, eventRecords = 0, eventSyncs = 0,
      streamWaits = 0;
  unsigned eventFlags = 0;
  int contextSyncs = 0;
  void *registered = nullptr;
  size_t registeredBytes = 0;
  void *unregistered = nullptr;
  uint32_t mapRank = 0;
  int mapDataType = -1;
  void *mapAddress = nullptr;
  uint64_t mapGlobalDim[5] = {0, 0, 0, 0, 0};
  uint64_t mapGlobalStrides[5] = {0, 0, 0, 0, 0};
  uint32_t mapBox[5] = {0, 0, 0, 0, 0};
};

/// The image mgpuModuleLoad accepts; anything else is CUDA_ERROR_INVALID_IMAGE.
constexpr const char kFakeCubin[] = "FAKE-CUBIN";
/// PTX that contains this word fails to compile, with a two-line log.
constexpr const char kFakePTXError[] = "syntax-error";
/// mgpuModuleGetFunction finds every kernel name but this one.
constexpr const char kFakeKernel[] = "kernel";
constexpr const char kFakeMissingKernel[] = "missing";
/// The bytes cuTensorMapEncodeTiled writes into the map.
constexpr unsigned char kFakeMapByte = 0x5a;

#endif // QLP_TEST_UNIT_FAKECUDADRIVER_H
