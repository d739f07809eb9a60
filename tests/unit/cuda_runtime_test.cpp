// Unit tests of the CUDA runtime layer without a GPU: the driver cannot be loaded, so
// every call that needs it fails with one clear CudaError, and what needs no driver
// (empty loops, launch checks, array blocks, device blocks being freed) still works.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "runtime/array_block.h"
#include "runtime/cuda_driver.h"
#include "runtime/cuda_runtime.h"
#include "runtime/entry_points.h"
#include "runtime/errors.h"

namespace nk::runtime {
namespace {

// gtest_discover_tests runs each test in its own process, so each one points the
// loader at a library that does not exist before its first CUDA call (the outcome of
// loading is cached per process). Nothing else in the unit tests touches CUDA.
void without_driver() { setenv("NK_CUDA_DRIVER", "/nonexistent/nk-test/libcuda.so.1", 1); }

// A 1-d descriptor: {meminfo, data, shape[1], strides[1]}.
struct Desc1 {
  void* meminfo = nullptr;
  char* data = nullptr;
  int64_t shape[1] = {0};
  int64_t strides[1] = {0};
};

TEST(CudaRuntime, NotAvailableWithoutADriver) {
  without_driver();
  clear_error();
  EXPECT_FALSE(nk_cuda_is_available());
  EXPECT_FALSE(pending_error().set);
  EXPECT_EQ(cuda_device_name(), "");
  int major = 0, minor = 0;
  std::string why;
  EXPECT_FALSE(cuda_device_arch(major, minor, why));
  EXPECT_EQ(why.rfind("no CUDA driver: cannot load /nonexistent/nk-test/libcuda.so.1 (", 0), 0u) << why;
  EXPECT_EQ(cuda_module_load_seconds(), 0.0);
}

TEST(CudaRuntime, SynchronizeRaisesCudaError) {
  without_driver();
  clear_error();
  EXPECT_EQ(nk_cuda_synchronize(7), 1);
  const PendingError& e = pending_error();
  ASSERT_TRUE(e.set);
  EXPECT_EQ(e.kind, "CudaError");
  EXPECT_EQ(e.message.rfind("no CUDA driver", 0), 0u) << e.message;
  EXPECT_EQ(e.line, 7);
  clear_error();
  // The cached outcome gives the same answer the second time.
  EXPECT_EQ(nk_cuda_synchronize(8), 1);
  EXPECT_EQ(pending_error().line, 8);
  EXPECT_EQ(pending_error().message.rfind("no CUDA driver", 0), 0u);
  clear_error();
}

TEST(CudaRuntime, EmptyLoopNeedsNoDriver) {
  without_driver();
  clear_error();
  int64_t params[2] = {-1, -1};
  char out[16] = {0};
  int64_t blocks = -1;
  EXPECT_EQ(nk_cuda_launch_loop(nullptr, const_cast<char*>("k"), 0, params, sizeof params, 8, 8, out, &blocks, 3), 0);
  EXPECT_EQ(blocks, 0);
  blocks = -1;
  EXPECT_EQ(nk_cuda_launch_loop(nullptr, const_cast<char*>("k"), -5, params, sizeof params, 8, 8, out, &blocks, 3), 0);
  EXPECT_EQ(blocks, 0);
  EXPECT_FALSE(pending_error().set);
  // A loop with iterations needs the GPU.
  EXPECT_EQ(nk_cuda_launch_loop(nullptr, const_cast<char*>("k"), 10, params, sizeof params, 8, 8, out, &blocks, 4), 1);
  EXPECT_EQ(pending_error().kind, "CudaError");
  EXPECT_EQ(pending_error().line, 4);
  clear_error();
}

TEST(CudaRuntime, LaunchConfigurationIsCheckedFirst) {
  without_driver();
  clear_error();
  int64_t dims[6] = {1, 1, 1, 1024, 2, 1};
  EXPECT_EQ(nk_cuda_launch(nullptr, const_cast<char*>("kern"), dims, nullptr, 0, 12), 1);
  EXPECT_EQ(pending_error().kind, "CudaError");
  EXPECT_EQ(pending_error().message,
            "invalid launch configuration: grid (1, 1, 1) and block (1024, 2, 1): a block of 2048 threads; at most 1024 "
            "are allowed");
  EXPECT_EQ(pending_error().line, 12);
  clear_error();
  int64_t zero[6] = {0, 1, 1, 32, 1, 1};
  EXPECT_EQ(nk_cuda_launch(nullptr, const_cast<char*>("kern"), zero, nullptr, 0, 12), 1);
  EXPECT_NE(pending_error().message.find("at least 1"), std::string::npos) << pending_error().message;
  clear_error();
  int64_t fine[6] = {4, 1, 1, 256, 1, 1};
  EXPECT_EQ(nk_cuda_launch(nullptr, const_cast<char*>("kern"), fine, nullptr, 0, 13), 1);
  EXPECT_EQ(pending_error().message.rfind("no CUDA driver", 0), 0u) << pending_error().message;
  clear_error();
}

TEST(CudaRuntime, DeviceArraysNeedTheDriver) {
  without_driver();
  clear_error();
  Desc1 d;
  d.shape[0] = -1;
  EXPECT_EQ(nk_cuda_device_array(&d, 1, 8, 5), 1);
  EXPECT_EQ(pending_error().kind, "ValueError");
  clear_error();
  d.shape[0] = 10;
  EXPECT_EQ(nk_cuda_device_array(&d, 1, 8, 5), 1);
  EXPECT_EQ(pending_error().kind, "CudaError");
  EXPECT_EQ(d.meminfo, nullptr);
  clear_error();

  Desc1 host, out;
  host.shape[0] = 4;
  ASSERT_EQ(nk_array_new(&host, 1, 8, 1), 0);
  EXPECT_EQ(nk_cuda_to_device(&host, &out, 1, 8, 6), 1);
  EXPECT_EQ(pending_error().kind, "CudaError");
  EXPECT_EQ(pending_error().line, 6);
  clear_error();
  nk_array_free(host.meminfo);
}

TEST(CudaRuntime, SessionWithoutDriver) {
  without_driver();
  clear_error();
  void* session = nk_cuda_session_new();
  ASSERT_NE(session, nullptr);
  Desc1 host, kernel_view;
  host.shape[0] = 16;
  ASSERT_EQ(nk_array_new(&host, 1, 4, 1), 0);
  EXPECT_EQ(nk_cuda_mirror(session, &host, &kernel_view, 1, 4, 1, 9), 1);
  EXPECT_EQ(pending_error().kind, "CudaError");
  EXPECT_EQ(pending_error().message.rfind("no CUDA driver", 0), 0u);
  EXPECT_EQ(pending_error().line, 9);
  clear_error();
  // Nothing was mirrored, so there is nothing to bring back.
  EXPECT_EQ(nk_cuda_session_sync(session, 9), 0);
  EXPECT_FALSE(pending_error().set);

  // A device array is passed through as it is, with no driver call.
  BlockHeader* device_block = static_cast<BlockHeader*>(std::calloc(1, kBlockHeaderBytes));
  device_block->count = 1;
  device_block->tag = kDeviceBlock;
  device_block->bytes = 64;
  device_block->device_ptr = 0x7000000;
  Desc1 device;
  device.meminfo = device_block;
  device.data = reinterpret_cast<char*>(0x7000010);
  device.shape[0] = 6;
  device.strides[0] = 8;
  EXPECT_EQ(nk_cuda_mirror(session, &device, &kernel_view, 1, 8, 1, 10), 0);
  EXPECT_EQ(kernel_view.meminfo, nullptr);
  EXPECT_EQ(kernel_view.data, device.data);
  EXPECT_EQ(kernel_view.shape[0], 6);
  EXPECT_EQ(kernel_view.strides[0], 8);
  std::free(device_block);

  nk_cuda_session_free(session);
  nk_cuda_session_free(nullptr);
  nk_array_free(host.meminfo);
}

TEST(CudaRuntime, ArrayBlockHeader) {
  without_driver();
  Desc1 a;
  a.shape[0] = 5;
  ASSERT_EQ(nk_array_new(&a, 1, 8, 0), 0);
  BlockHeader* h = block_header(a.meminfo);
  EXPECT_EQ(h->count, 1);
  EXPECT_EQ(h->tag, kHostBlock);
  EXPECT_EQ(h->bytes, 40);
  EXPECT_EQ(a.data, host_block_data(a.meminfo));
  EXPECT_EQ(a.strides[0], 8);
  EXPECT_FALSE(is_device_block(a.meminfo));
  nk_array_free(a.meminfo);

  Desc1 empty;
  ASSERT_EQ(nk_array_new(&empty, 1, 8, 1), 0);
  EXPECT_EQ(block_header(empty.meminfo)->bytes, 0);
  nk_array_free(empty.meminfo);

  // A device block is released without touching a driver that was never loaded.
  EXPECT_FALSE(nk_cuda_is_available());
  void* device_block = std::calloc(1, kBlockHeaderBytes);
  block_header(device_block)->count = 1;
  block_header(device_block)->tag = kDeviceBlock;
  block_header(device_block)->bytes = 80;
  block_header(device_block)->device_ptr = 0x1234000;
  EXPECT_TRUE(is_device_block(device_block));
  nk_array_free(device_block);
}

TEST(CudaRuntime, LoopBlockLimit) { EXPECT_EQ(kMaxLoopBlocks, 1024); }

}  // namespace
}  // namespace nk::runtime
