//===- CudaRuntimeTests.cpp - qlp_cuda_runtime without a usable driver ----===//
//
// How the mgpu* runtime behaves when CUDA cannot be used: no driver library,
// a library that is not a driver, the toolkit's stub library, a driver
// without devices. Every case must end in a clean error (one line on stderr,
// a sticky status, NULL from every later call), never in a crash. The
// success paths are in CudaRuntimeFakeDriverTests.cpp: this binary never
// loads a working driver, so the runtime's process-wide state stays
// unloaded between tests.
//
//===----------------------------------------------------------------------===//

#include "runtime/qlp_cuda.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

using ::testing::HasSubstr;

/// Points the runtime at `library` (nullptr: the default libcuda.so.1) and
/// forgets earlier errors, so the next call loads the driver again.
void useDriver(const char *library) {
  if (library)
    setenv("QLP_CUDA_LIBRARY", library, 1);
  else
    unsetenv("QLP_CUDA_LIBRARY");
  unsetenv("QLP_FAKE_CUDA_DEVICES");
  qlp_cuda_clear_error();
}

/// Calls every kind of mgpu* function once; none may touch the device.
void callEverything() {
  char data[16] = "not a binary";
  void *params[1] = {data};
  EXPECT_EQ(mgpuModuleLoad(data, sizeof(data)), nullptr);
  EXPECT_EQ(mgpuModuleLoadJIT(data, 2), nullptr);
  EXPECT_EQ(mgpuModuleGetFunction(nullptr, "kernel"), nullptr);
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(mgpuEventCreate(), nullptr);
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, false), nullptr);
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, true), nullptr);
  mgpuLaunchKernel(nullptr, 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr, 1);
  mgpuLaunchClusterKernel(nullptr, 2, 1, 1, 2, 1, 1, 32, 1, 1, 0, nullptr,
                          params, nullptr, 1);
  // Pointers that would crash a real driver call if one were made.
  void *bogus = reinterpret_cast<void *>(uintptr_t{0x10});
  mgpuMemcpy(bogus, data, sizeof(data), nullptr);
  mgpuMemset32(bogus, 7, 4, nullptr);
  mgpuMemset16(bogus, 7, 4, nullptr);
  mgpuMemFree(bogus, nullptr);
  mgpuStreamSynchronize(bogus);
  mgpuStreamWaitEvent(bogus, bogus);
  mgpuStreamDestroy(bogus);
  mgpuEventRecord(bogus, bogus);
  mgpuEventSynchronize(bogus);
  mgpuEventDestroy(bogus);
  mgpuMemHostRegister(data, sizeof(data));
  mgpuMemHostUnregister(data);
  mgpuModuleUnload(bogus);
  int64_t box[2] = {8, 8};
  EXPECT_EQ(mgpuTensorMapEncodeTiledMemref(2, nullptr, 0, 0, 0, 0, 0, box),
            nullptr);
}

TEST(CudaRuntimeNoDriver, MissingLibraryIsACleanError) {
  useDriver("/nonexistent/libcuda.so.1");
  testing::internal::CaptureStderr();
  EXPECT_EQ(qlp_cuda_available(), 0);
  // The query is quiet: its caller decides how to report.
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_DRIVER_NOT_FOUND);
  std::string message = qlp_cuda_last_error();
  EXPECT_THAT(message, HasSubstr("cannot load the CUDA driver library "
                                 "'/nonexistent/libcuda.so.1'"));

  // The first mgpu* call prints the error once; later calls are no-ops.
  testing::internal::CaptureStderr();
  callEverything();
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: " + message + "\n");
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_DRIVER_NOT_FOUND);
  EXPECT_EQ(qlp_cuda_last_error(), message);
}

TEST(CudaRuntimeNoDriver, FirstMgpuCallPrintsTheLoadError) {
  useDriver("/nonexistent/libcuda.so.1");
  testing::internal::CaptureStderr();
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(mgpuMemAlloc(16, nullptr, false), nullptr);
  std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_EQ(printed, std::string("quant-lp: CUDA error: ") +
                         qlp_cuda_last_error() + "\n");
  EXPECT_EQ(qlp_cuda_available(), 0);
}

TEST(CudaRuntimeNoDriver, ClearErrorRetriesTheLoad) {
  useDriver("/nonexistent/first.so");
  EXPECT_EQ(qlp_cuda_available(), 0);
  EXPECT_THAT(qlp_cuda_last_error(), HasSubstr("first.so"));
  // Without clearing, the sticky error stands even if the setting changes.
  setenv("QLP_CUDA_LIBRARY", "/nonexistent/second.so", 1);
  EXPECT_EQ(qlp_cuda_available(), 0);
  EXPECT_THAT(qlp_cuda_last_error(), HasSubstr("first.so"));

  qlp_cuda_clear_error();
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
  EXPECT_STREQ(qlp_cuda_last_error(), "");
  EXPECT_EQ(qlp_cuda_available(), 0);
  EXPECT_THAT(qlp_cuda_last_error(), HasSubstr("second.so"));
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_DRIVER_NOT_FOUND);
}

TEST(CudaRuntimeNoDriver, DeviceChipWithoutDriver) {
  useDriver("/nonexistent/libcuda.so.1");
  char chip[16] = "garbage";
  EXPECT_EQ(qlp_cuda_device_chip(chip, sizeof(chip)),
            QLP_CUDA_ERROR_DRIVER_NOT_FOUND);
  EXPECT_STREQ(chip, "");
  // Bad buffers are the caller's mistake, not a CUDA error.
  qlp_cuda_clear_error();
  EXPECT_EQ(qlp_cuda_device_chip(nullptr, 16), QLP_CUDA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_cuda_device_chip(chip, 0), QLP_CUDA_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
  EXPECT_EQ(qlp_cuda_synchronize(), QLP_CUDA_ERROR_DRIVER_NOT_FOUND);
}

TEST(CudaRuntimeNoDriver, LibraryWithoutDriverEntryPoints) {
  // A loadable library that is not a CUDA driver.
  useDriver("libm.so.6");
  EXPECT_EQ(qlp_cuda_available(), 0);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_DRIVER_SYMBOL);
  EXPECT_STREQ(qlp_cuda_last_error(),
               "the CUDA driver library 'libm.so.6' has no 'cuGetErrorName'");
  testing::internal::CaptureStderr();
  callEverything();
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: the CUDA driver library 'libm.so.6' has "
            "no 'cuGetErrorName'\n");
}

TEST(CudaRuntimeNoDriver, ToolkitStubLibraryFailsCleanly) {
  // The CUDA toolkit's link-time stub exports every entry point, and each
  // returns CUDA_ERROR_STUB_LIBRARY (its cuGetErrorName fails too).
  const char *stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  if (access(stub, R_OK) != 0)
    GTEST_SKIP() << stub << " is not installed";
  useDriver(stub);
  EXPECT_EQ(qlp_cuda_available(), 0);
  EXPECT_EQ(qlp_cuda_status(), 34);
  EXPECT_STREQ(qlp_cuda_last_error(),
               "cuInit failed: CUDA_ERROR_STUB_LIBRARY (34)");
  testing::internal::CaptureStderr();
  callEverything();
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "quant-lp: CUDA error: cuInit failed: CUDA_ERROR_STUB_LIBRARY "
            "(34)\n");
}

TEST(CudaRuntimeNoDriver, DriverWithoutDevices) {
  useDriver(QLP_FAKE_CUDA_DRIVER);
  setenv("QLP_FAKE_CUDA_DEVICES", "0", 1);
  EXPECT_EQ(qlp_cuda_available(), 0);
  EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_ERROR_NO_DEVICE);
  EXPECT_THAT(qlp_cuda_last_error(), HasSubstr("reports no device"));
  EXPECT_THAT(qlp_cuda_last_error(), HasSubstr(QLP_FAKE_CUDA_DRIVER));
  testing::internal::CaptureStderr();
  callEverything();
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            std::string("quant-lp: CUDA error: ") + qlp_cuda_last_error() +
                "\n");
  unsetenv("QLP_FAKE_CUDA_DEVICES");
}

TEST(CudaRuntimeNoDriver, SystemDriverIsUsableOrAnError) {
  // The machine's own driver: usable on a GPU machine, else a clean error
  // (on a machine without the driver, one naming libcuda.so.1).
  useDriver(nullptr);
  int available = qlp_cuda_available();
  char chip[16];
  if (available) {
    EXPECT_EQ(qlp_cuda_status(), QLP_CUDA_OK);
    EXPECT_EQ(qlp_cuda_device_chip(chip, sizeof(chip)), QLP_CUDA_OK);
    EXPECT_EQ(std::string(chip).rfind("sm_", 0), 0u) << chip;
    return;
  }
  EXPECT_NE(qlp_cuda_status(), QLP_CUDA_OK);
  EXPECT_STRNE(qlp_cuda_last_error(), "");
  if (qlp_cuda_status() == QLP_CUDA_ERROR_DRIVER_NOT_FOUND) {
    EXPECT_THAT(qlp_cuda_last_error(), HasSubstr("'libcuda.so.1'"));
  }
  EXPECT_NE(qlp_cuda_device_chip(chip, sizeof(chip)), QLP_CUDA_OK);
  testing::internal::CaptureStderr();
  callEverything();
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            std::string("quant-lp: CUDA error: ") + qlp_cuda_last_error() +
                "\n");
}

} // namespace
