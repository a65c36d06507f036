//===- CudaRuntimeFakeDriverTests.cpp - qlp_cuda_runtime's success paths --===//
//
// The mgpu* runtime on libqlp_fake_cuda_driver.so (FakeCudaDriver.h), which
// records what the runtime asks of the driver: launch dimensions, the
// shared memory opt-in, the module loaders, memory operations, TMA maps, and
// which entry points are used (the current `_v2` ones, never the legacy
// symbols). Also the symbol table quant-run registers with its JIT, against
// the functions MLIR 22's GPU lowering calls.
//
//===----------------------------------------------------------------------===//

#include "FakeCudaDriver.h"
#include "runtime/qlp_cuda.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using ::testing::HasSubstr;

class CudaRuntimeFakeDriver : public ::testing::Test {
protected:
  void SetUp() override {
    setenv("QLP_CUDA_LIBRARY", QLP_FAKE_CUDA_DRIVER, 1);
    unsetenv("QLP_FAKE_CUDA_DEVICES");
    qlp_cuda_clear_error();
    // The runtime opened the same file (or will): dlopen returns the same
    // instance, whose state the test reads.
    handle = dlopen(QLP_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle, nullptr) << dlerror();
    auto *get = reinterpret_cast<FakeCudaState *(*)()>(
        dlsym(handle, "fake_cuda_state"));
    ASSERT_NE(get, nullptr);
    fake = get();
    *fake = FakeCudaState();
    ASSERT_EQ(qlp_cuda_available(), 1) << qlp_cuda_last_error();
  }

  void TearDown() override {
    // No test may leave legacy calls or an error behind by accident.
    EXPECT_EQ(fake->legacyCalls, 0);
    mgpuSetDefaultDevice(0);
    qlp_cuda_clear_error();
    dlclose(handle);
  }

  void *handle = nullptr;
  FakeCudaState *fake = nullptr;
};

TEST_F(CudaRuntimeFakeDriver, DeviceChipFromComputeCapability) {
  char chip[16];
  ASSERT_EQ(qlp_cuda_device_chip(chip, sizeof(chip)), QLP_CUDA_OK);
  EXPECT_STREQ(chip, "sm_80");
  fake->computeMajor = 9;
  fake->computeMinor = 0;
  ASSERT_EQ(qlp_cuda_device_chip(chip, sizeof(chip)), QLP_CUDA_OK);
  EXPECT_STREQ(chip, "sm_90");
  fake->computeMajor = 12;
  ASSERT_EQ(qlp_cuda_device_chip(chip, sizeof(chip)), QLP_CUDA_OK);
  EXPECT_STREQ(chip, "sm_120");
  // "sm_120" needs 7 bytes; a short buffer is refused, not truncated.
  EXPECT_EQ(qlp_cuda_device_chip(chip, 6), QLP_CUDA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
}

TEST_F(CudaRuntimeFakeDriver, PrimaryContextIsMadeCurrentOnce) {
  void *stream = mgpuStreamCreate();
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  // The context was current after the first call (or after SetUp): later
  // calls find it and do not set it again.
  EXPECT_LE(fake->contextSets, 1);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
}

TEST_F(CudaRuntimeFakeDriver, LoadAndLaunch) {
  char cubin[sizeof(kFakeCubin)];
  memcpy(cubin, kFakeCubin, sizeof(kFakeCubin));
  void *module = mgpuModuleLoad(cubin, sizeof(cubin));
  ASSERT_NE(module, nullptr);
  void *function = mgpuModuleGetFunction(module, kFakeKernel);
  ASSERT_NE(function, nullptr);
  void *stream = mgpuStreamCreate();
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(fake->streamFlags, 1u) << "streams are CU_STREAM_NON_BLOCKING";
  int argument = 42;
  void *params[1] = {&argument};
  mgpuLaunchKernel(function, 2, 3, 4, 32, 2, 1, 1024, stream, params, nullptr,
                   1);
  EXPECT_EQ(fake->launches, 1);
  EXPECT_EQ(fake->grid[0], 2u);
  EXPECT_EQ(fake->grid[1], 3u);
  EXPECT_EQ(fake->grid[2], 4u);
  EXPECT_EQ(fake->block[0], 32u);
  EXPECT_EQ(fake->block[1], 2u);
  EXPECT_EQ(fake->block[2], 1u);
  EXPECT_EQ(fake->sharedBytes, 1024u);
  EXPECT_EQ(fake->stream, stream);
  EXPECT_EQ(fake->params, params);
  // Up to 48 KiB needs no opt-in.
  EXPECT_EQ(fake->funcAttributeCalls, 0);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
  EXPECT_EQ(fake->streamSyncs, 1);
  EXPECT_EQ(fake->streamsDestroyed, 1);
  EXPECT_EQ(fake->moduleUnloads, 1);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
  EXPECT_EQ(qlp_cuda_synchronize(), QLP_CUDA_OK);
  EXPECT_EQ(fake->contextSyncs, 1);
}

TEST_F(CudaRuntimeFakeDriver, SharedMemoryAbove48KiBOptsIn) {
  char cubin[sizeof(kFakeCubin)];
  memcpy(cubin, kFakeCubin, sizeof(kFakeCubin));
  void *function =
      mgpuModuleGetFunction(mgpuModuleLoad(cubin, sizeof(cubin)), kFakeKernel);
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, 48 * 1024, nullptr, nullptr,
                   nullptr, 0);
  EXPECT_EQ(fake->funcAttributeCalls, 0);
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, 64 * 1024, nullptr, nullptr,
                   nullptr, 0);
  EXPECT_EQ(fake->funcAttributeCalls, 1);
  EXPECT_EQ(fake->funcAttribute, 8)
      << "CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES";
  EXPECT_EQ(fake->funcAttributeValue, 64 * 1024);
  EXPECT_EQ(fake->launches, 2);
  EXPECT_EQ(fake->sharedBytes, 64u * 1024u);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);

  // More than the device allows: an error, and no launch.
  testing::internal::CaptureStderr();
  mgpuLaunchKernel(function, 1, 1, 1, 128, 1, 1, fake->maxSharedOptin + 1,
                   nullptr, nullptr, nullptr, 0);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: mgpuLaunchKernel: 101377 bytes of dynamic "
            "shared memory exceed the device's limit of 101376 bytes per "
            "block\n");
  EXPECT_EQ(fake->launches, 2);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_INVALID_ARGUMENT);
}

TEST_F(CudaRuntimeFakeDriver, LaunchDimensionsAreChecked) {
  char cubin[sizeof(kFakeCubin)];
  memcpy(cubin, kFakeCubin, sizeof(kFakeCubin));
  void *function =
      mgpuModuleGetFunction(mgpuModuleLoad(cubin, sizeof(cubin)), kFakeKernel);
  testing::internal::CaptureStderr();
  mgpuLaunchKernel(function, 0, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: mgpuLaunchKernel: grid x is 0, outside "
            "[1, 4294967295]\n");
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_INVALID_ARGUMENT);
  qlp_cuda_clear_error();
  // 2^32 would wrap to 0 as the driver's unsigned int.
  testing::internal::CaptureStderr();
  mgpuLaunchKernel(function, 1, 1, 1, 1, 1, intptr_t{1} << 32, 0, nullptr,
                   nullptr, nullptr, 0);
  testing::internal::GetCapturedStderr();
  EXPECT_THAT(qlp_cuda_last_error(), HasSubstr("block z is 4294967296"));
  qlp_cuda_clear_error();
  testing::internal::CaptureStderr();
  mgpuLaunchKernel(function, 1, 1, 1, 1, 1, 1, -4, nullptr, nullptr, nullptr,
                   0);
  testing::internal::GetCapturedStderr();
  EXPECT_THAT(qlp_cuda_last_error(),
              HasSubstr("negative dynamic shared memory size -4"));
  EXPECT_EQ(fake->launches, 0);
}

TEST_F(CudaRuntimeFakeDriver, DriverErrorsAreStickyAndPrintedOnce) {
  char cubin[sizeof(kFakeCubin)];
  memcpy(cubin, kFakeCubin, sizeof(kFakeCubin));
  void *function =
      mgpuModuleGetFunction(mgpuModuleLoad(cubin, sizeof(cubin)), kFakeKernel);
  fake->launchResult = 700;
  testing::internal::CaptureStderr();
  mgpuLaunchKernel(function, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  int allocs = fake->deviceAllocs;
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, false), nullptr);
  mgpuLaunchKernel(function, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: cuLaunchKernel failed: "
            "CUDA_ERROR_ILLEGAL_ADDRESS (700)\n");
  EXPECT_EQ(qlp_cuda_status(), 700);
  EXPECT_EQ(fake->deviceAllocs, allocs);
  EXPECT_EQ(fake->launches, 1);
  EXPECT_EQ(qlp_cuda_available(), 0);
  EXPECT_EQ(qlp_cuda_synchronize(), 700);

  // Codes the driver cannot name still get their name.
  qlp_cuda_clear_error();
  fake->launchResult = 719;
  testing::internal::CaptureStderr();
  mgpuLaunchKernel(function, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  testing::internal::GetCapturedStderr();
  EXPECT_STREQ(qlp_cuda_last_error(),
               "cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED (719)");
}

TEST_F(CudaRuntimeFakeDriver, ModuleLoadErrors) {
  char image[] = "not a cubin";
  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuModuleLoad(image, sizeof(image)), nullptr);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: cuModuleLoadData failed: "
            "CUDA_ERROR_INVALID_IMAGE (200)\n");
  qlp_cuda_clear_error();

  char cubin[sizeof(kFakeCubin)];
  memcpy(cubin, kFakeCubin, sizeof(kFakeCubin));
  void *module = mgpuModuleLoad(cubin, sizeof(cubin));
  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuModuleGetFunction(module, kFakeMissingKernel), nullptr);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: cuModuleGetFunction failed: "
            "CUDA_ERROR_NOT_FOUND (500)\n");
}

TEST_F(CudaRuntimeFakeDriver, JITLoadPassesTheOptLevelAndReportsTheLog) {
  char ptx[] = ".version 8.0\n.target sm_80\n.visible .entry kernel() {}\n";
  EXPECT_NE(mgpuModuleLoadJIT(ptx, 3), nullptr);
  EXPECT_EQ(fake->jitOptLevel, 3);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);

  std::string bad = std::string(".version 8.0\n") + kFakePTXError + "\n";
  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuModuleLoadJIT(bad.data(), 2), nullptr);
  // The compiler log, on the same line.
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: cuModuleLoadDataEx failed: "
            "CUDA_ERROR_INVALID_PTX (218): ptxas: line 3: syntax error; "
            "ptxas fatal: failed\n");
  EXPECT_EQ(qlp_cuda_status(), 218);
}

// With QLP_FAKE_CUDA_EXECUTE the stand-in runs kernels on the PTX emulator:
// results land in "device" memory, the emulator's parse errors are the JIT
// log, and a kernel fault fails the launch.
TEST_F(CudaRuntimeFakeDriver, ExecutesKernelsOnThePTXEmulator) {
  setenv("QLP_FAKE_CUDA_EXECUTE", "1", 1);
  std::string ptx = ".version 8.0\n.target sm_80\n.address_size 64\n"
                    ".visible .entry increment(.param .u64 p, .param .u32 n)\n"
                    "{\n  .reg .pred %p1;\n  .reg .b32 %r<5>;\n"
                    "  .reg .b64 %rd<4>;\n  .shared .align 4 .b8 sm[16];\n"
                    "  ld.param.u64 %rd1, [p];\n  ld.param.u32 %r1, [n];\n"
                    "  mov.u32 %r2, %tid.x;\n  setp.ge.u32 %p1, %r2, %r1;\n"
                    "  @%p1 bra $done;\n  mul.wide.u32 %rd2, %r2, 4;\n"
                    "  add.s64 %rd3, %rd1, %rd2;\n"
                    "  ld.global.u32 %r3, [%rd3];\n  add.s32 %r4, %r3, 1;\n"
                    "  st.global.u32 [%rd3], %r4;\n$done:\n  ret;\n}\n"
                    ".visible .entry fault(.param .u64 p)\n{\n"
                    "  .reg .b32 %r<2>;\n  .shared .align 4 .b8 sm[16];\n"
                    "  mov.u32 %r1, %tid.x;\n  st.shared.u32 [sm+16], %r1;\n"
                    "  ret;\n}\n";
  void *module = mgpuModuleLoadJIT(ptx.data(), 2);
  ASSERT_NE(module, nullptr) << qlp_cuda_last_error();
  void *increment = mgpuModuleGetFunction(module, "increment");
  ASSERT_NE(increment, nullptr);
  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuModuleGetFunction(module, "absent"), nullptr);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("CUDA_ERROR_NOT_FOUND"));
  qlp_cuda_clear_error();

  auto *data = static_cast<uint32_t *>(mgpuMemAlloc(40, nullptr, false));
  uint32_t host[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  mgpuMemcpy(data, host, sizeof host, nullptr);
  uint32_t count = 7;
  void *params[2] = {&data, &count};
  mgpuLaunchKernel(increment, 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr,
                   2);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK) << qlp_cuda_last_error();
  uint32_t back[10];
  mgpuMemcpy(back, data, sizeof back, nullptr);
  EXPECT_THAT(back, testing::ElementsAre(1, 2, 3, 4, 5, 6, 7, 7, 8, 9));

  void *fault = mgpuModuleGetFunction(module, "fault");
  ASSERT_NE(fault, nullptr);
  void *faultParams[1] = {&data};
  testing::internal::CaptureStderr();
  mgpuLaunchKernel(fault, 1, 1, 1, 32, 1, 1, 0, nullptr, faultParams, nullptr,
                   1);
  std::string faultLog = testing::internal::GetCapturedStderr();
  EXPECT_THAT(faultLog, HasSubstr("fake-cuda: kernel fault failed: "));
  EXPECT_THAT(faultLog, HasSubstr("out-of-bounds shared memory"));
  EXPECT_THAT(faultLog,
              HasSubstr("quant-lp: CUDA error: cuLaunchKernel failed: "
                        "CUDA_ERROR_LAUNCH_FAILED (719)"));
  EXPECT_EQ(qlp_cuda_status(), 719);
  qlp_cuda_clear_error();
  mgpuModuleUnload(module);
  EXPECT_EQ(fake->moduleUnloads, 1);
  // The module's kernels are gone with it.
  testing::internal::CaptureStderr();
  mgpuLaunchKernel(increment, 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr,
                   2);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE"));
  qlp_cuda_clear_error();
  mgpuMemFree(data, nullptr);

  std::string unsupported = ".version 8.0\n.target sm_80\n"
                            ".visible .entry k()\n{\n  trap;\n}\n";
  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuModuleLoadJIT(unsupported.data(), 2), nullptr);
  EXPECT_THAT(testing::internal::GetCapturedStderr(),
              HasSubstr("CUDA_ERROR_INVALID_PTX (218): ptx emulator: ptx line "
                        "5: unsupported instruction 'trap'"));
  unsetenv("QLP_FAKE_CUDA_EXECUTE");
}

TEST_F(CudaRuntimeFakeDriver, DeviceMemory) {
  EXPECT_EQ(mgpuMemAlloc(0, nullptr, false), nullptr);
  EXPECT_EQ(fake->deviceAllocs, 0);
  auto *device = static_cast<uint32_t *>(mgpuMemAlloc(16, nullptr, false));
  ASSERT_NE(device, nullptr);
  EXPECT_EQ(fake->deviceAllocs, 1);
  EXPECT_EQ(fake->managedAllocs, 0) << "plain allocations are device memory";

  uint32_t host[4] = {1, 2, 3, 4};
  mgpuMemcpy(device, host, sizeof(host), nullptr);
  EXPECT_EQ(memcmp(device, host, sizeof(host)), 0);
  // Memsets count elements, not bytes.
  mgpuMemset32(device, 0xdeadbeefu, 3, nullptr);
  EXPECT_EQ(device[0], 0xdeadbeefu);
  EXPECT_EQ(device[2], 0xdeadbeefu);
  EXPECT_EQ(device[3], 4u);
  mgpuMemset16(device, 0x1234, 2, nullptr);
  EXPECT_EQ(device[0], 0x12341234u);
  EXPECT_EQ(device[1], 0xdeadbeefu);
  uint32_t back[4];
  mgpuMemcpy(back, device, sizeof(back), nullptr);
  EXPECT_EQ(back[3], 4u);
  mgpuMemFree(device, nullptr);
  mgpuMemFree(nullptr, nullptr);
  EXPECT_EQ(fake->frees, 1);

  void *shared = mgpuMemAlloc(32, nullptr, true);
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(fake->managedAllocs, 1);
  EXPECT_EQ(fake->managedFlags, 1u) << "CU_MEM_ATTACH_GLOBAL";
  mgpuMemFree(shared, nullptr);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
}

/// A rank-2 memref descriptor (StridedMemRefType<T, 2>).
struct Descriptor2D {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
};

TEST_F(CudaRuntimeFakeDriver, HostRegisterMemRef) {
  int32_t data[20];
  Descriptor2D memref = {data, data, 2, {3, 6}, {6, 1}};
  mgpuMemHostRegisterMemRef(2, &memref, sizeof(int32_t));
  EXPECT_EQ(fake->registered, data + 2);
  EXPECT_EQ(fake->registeredBytes, 3u * 6u * sizeof(int32_t));
  mgpuMemHostUnregisterMemRef(2, &memref, sizeof(int32_t));
  EXPECT_EQ(fake->unregistered, data + 2);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);

  // A strided view is not one range of memory.
  Descriptor2D view = {data, data, 0, {3, 2}, {6, 1}};
  testing::internal::CaptureStderr();
  mgpuMemHostRegisterMemRef(2, &view, sizeof(int32_t));
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(qlp_cuda_last_error(),
              HasSubstr("dimension 0 has stride 6, expected 2"));
}

TEST_F(CudaRuntimeFakeDriver, TensorMapOfAMemRef) {
  uint16_t data[64 * 128 + 8];
  // 64x128 f16 (CU_TENSOR_MAP_DATA_TYPE_FLOAT16 = 6), starting 8 elements in.
  Descriptor2D memref = {data, data, 8, {64, 128}, {128, 1}};
  int64_t box[2] = {16, 32};
  void *map = mgpuTensorMapEncodeTiledMemref(2, &memref, 6, 0, 0, 0, 0, box);
  ASSERT_NE(map, nullptr) << qlp_cuda_last_error();
  EXPECT_EQ(fake->mapRank, 2u);
  EXPECT_EQ(fake->mapDataType, 6);
  EXPECT_EQ(fake->mapAddress, data + 8);
  // Innermost first.
  EXPECT_EQ(fake->mapGlobalDim[0], 128u);
  EXPECT_EQ(fake->mapGlobalDim[1], 64u);
  EXPECT_EQ(fake->mapGlobalStrides[0], 256u);
  EXPECT_EQ(fake->mapBox[0], 32u);
  EXPECT_EQ(fake->mapBox[1], 16u);
  // The map was copied to device memory.
  auto *bytes = static_cast<unsigned char *>(map);
  EXPECT_EQ(bytes[0], kFakeMapByte);
  EXPECT_EQ(bytes[127], kFakeMapByte);
  mgpuMemFree(map, nullptr);

  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, &memref, 13, 0, 0, 0, 0, box),
            nullptr);
  testing::internal::GetCapturedStderr();
  EXPECT_THAT(qlp_cuda_last_error(),
              HasSubstr("unsupported tensor map data type 13"));
  qlp_cuda_clear_error();
  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(6, &memref, 6, 0, 0, 0, 0, box),
            nullptr);
  testing::internal::GetCapturedStderr();
  EXPECT_THAT(qlp_cuda_last_error(), HasSubstr("rank 1 to 5"));
}

TEST_F(CudaRuntimeFakeDriver, ClusterLaunch) {
  char cubin[sizeof(kFakeCubin)];
  memcpy(cubin, kFakeCubin, sizeof(kFakeCubin));
  void *function =
      mgpuModuleGetFunction(mgpuModuleLoad(cubin, sizeof(cubin)), kFakeKernel);
  mgpuLaunchClusterKernel(function, 2, 1, 1, 4, 2, 1, 128, 1, 1, 0, nullptr,
                          nullptr, nullptr, 0);
  EXPECT_EQ(fake->clusterLaunches, 1);
  EXPECT_EQ(fake->cluster[0], 2u);
  EXPECT_EQ(fake->cluster[1], 1u);
  EXPECT_EQ(fake->grid[0], 4u);
  EXPECT_EQ(fake->grid[1], 2u);
  EXPECT_EQ(fake->block[0], 128u);
  EXPECT_EQ(fake->numLaunchAttributes, 2u);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
}

TEST_F(CudaRuntimeFakeDriver, StreamsAndEvents) {
  void *stream = mgpuStreamCreate();
  void *other = mgpuStreamCreate();
  void *event = mgpuEventCreate();
  EXPECT_EQ(fake->eventFlags, 2u) << "CU_EVENT_DISABLE_TIMING";
  mgpuEventRecord(event, stream);
  mgpuStreamWaitEvent(other, event);
  mgpuEventSynchronize(event);
  mgpuEventDestroy(event);
  mgpuStreamDestroy(stream);
  mgpuStreamDestroy(other);
  EXPECT_EQ(fake->eventRecords, 1);
  EXPECT_EQ(fake->streamWaits, 1);
  EXPECT_EQ(fake->eventSyncs, 1);
  EXPECT_EQ(fake->eventsDestroyed, 1);
  EXPECT_EQ(fake->streamsDestroyed, 2);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
}

TEST_F(CudaRuntimeFakeDriver, DefaultDeviceMustExist) {
  mgpuSetDefaultDevice(3);
  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: the default device 3 does not exist "
            "(devices: 1)\n");
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_INVALID_ARGUMENT);
}

TEST(CudaRuntimeSymbols, TableHasEveryFunctionTheLoweringCalls) {
  // Every mgpu* function that MLIR 22's gpu-to-llvm, gpu.binary /
  // gpu.launch_func translation and nvgpu-to-nvvm emit calls to (cuSPARSE
  // wrappers excepted), plus the two non-MemRef forms upstream defines.
  std::map<std::string, void *> expected = {
      {"mgpuModuleLoad", reinterpret_cast<void *>(&mgpuModuleLoad)},
      {"mgpuModuleLoadJIT", reinterpret_cast<void *>(&mgpuModuleLoadJIT)},
      {"mgpuModuleUnload", reinterpret_cast<void *>(&mgpuModuleUnload)},
      {"mgpuModuleGetFunction",
       reinterpret_cast<void *>(&mgpuModuleGetFunction)},
      {"mgpuLaunchKernel", reinterpret_cast<void *>(&mgpuLaunchKernel)},
      {"mgpuLaunchClusterKernel",
       reinterpret_cast<void *>(&mgpuLaunchClusterKernel)},
      {"mgpuStreamCreate", reinterpret_cast<void *>(&mgpuStreamCreate)},
      {"mgpuStreamDestroy", reinterpret_cast<void *>(&mgpuStreamDestroy)},
      {"mgpuStreamSynchronize",
       reinterpret_cast<void *>(&mgpuStreamSynchronize)},
      {"mgpuStreamWaitEvent", reinterpret_cast<void *>(&mgpuStreamWaitEvent)},
      {"mgpuEventCreate", reinterpret_cast<void *>(&mgpuEventCreate)},
      {"mgpuEventDestroy", reinterpret_cast<void *>(&mgpuEventDestroy)},
      {"mgpuEventSynchronize", reinterpret_cast<void *>(&mgpuEventSynchronize)},
      {"mgpuEventRecord", reinterpret_cast<void *>(&mgpuEventRecord)},
      {"mgpuMemAlloc", reinterpret_cast<void *>(&mgpuMemAlloc)},
      {"mgpuMemFree", reinterpret_cast<void *>(&mgpuMemFree)},
      {"mgpuMemcpy", reinterpret_cast<void *>(&mgpuMemcpy)},
      {"mgpuMemset32", reinterpret_cast<void *>(&mgpuMemset32)},
      {"mgpuMemset16", reinterpret_cast<void *>(&mgpuMemset16)},
      {"mgpuMemHostRegister", reinterpret_cast<void *>(&mgpuMemHostRegister)},
      {"mgpuMemHostRegisterMemRef",
       reinterpret_cast<void *>(&mgpuMemHostRegisterMemRef)},
      {"mgpuMemHostUnregister",
       reinterpret_cast<void *>(&mgpuMemHostUnregister)},
      {"mgpuMemHostUnregisterMemRef",
       reinterpret_cast<void *>(&mgpuMemHostUnregisterMemRef)},
      {"mgpuSetDefaultDevice", reinterpret_cast<void *>(&mgpuSetDefaultDevice)},
      {"mgpuTensorMapEncodeTiled",
       reinterpret_cast<void *>(&mgpuTensorMapEncodeTiled)},
      {"mgpuTensorMapEncodeTiledMemref",
       reinterpret_cast<void *>(&mgpuTensorMapEncodeTiledMemref)},
  };
  size_t count = 0;
  const qlp_cuda_symbol *symbols = qlp_cuda_runtime_symbols(&count);
  std::map<std::string, void *> actual;
  for (size_t i = 0; i < count; ++i)
    EXPECT_TRUE(actual.emplace(symbols[i].name, symbols[i].address).second)
        << "duplicate " << symbols[i].name;
  EXPECT_EQ(actual, expected);
}

} // namespace
