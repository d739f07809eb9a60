// What compiled code and the CUDA runtime entry points (runtime/cuda_runtime.cpp) agree
// on: the module reference a program owns, the error record a kernel fills, and the
// launch shape of auto-parallel loops. Device arrays are descriptors whose meminfo is a
// device block (runtime/array_block.h: tag kDeviceBlock, the CUdeviceptr at offset 24).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nk::runtime {

// A host global of the compiled program, one per PTX module: the PTX text (NUL-
// terminated) and the runtime's loaded module, null until the first launch.
struct CudaModuleRef {
  const char* ptx;
  void* loaded;
};

// The PTX module's global `nk_gpu_error` (64 bytes, little-endian), read after every
// launch and synchronisation and zeroed after it reported something.
struct NkGpuError {
  int32_t flag;       // kGpuError*
  int32_t line;       // source line of the failure (0: unknown)
  int64_t a, b, c;    // IndexError: index, axis, size; ZeroDivisionError: a = which message
  uint64_t kind;      // raise: device addresses of the kind and message text,
  uint64_t message;   //   kind_len and message_len bytes, not NUL-terminated
  int32_t kind_len;
  int32_t message_len;
};
static_assert(sizeof(NkGpuError) == 56 && offsetof(NkGpuError, kind) == 32 && offsetof(NkGpuError, kind_len) == 48,
              "the fields of the 64-byte record, as compiled code writes them");
constexpr int64_t kGpuErrorRecordBytes = 64;
constexpr int32_t kGpuErrorNone = 0, kGpuErrorRaise = 1, kGpuErrorIndex = 2, kGpuErrorZeroDivision = 3;

// Auto-parallel loops run as a grid-stride loop: kLoopThreadsPerBlock threads per block
// and at most kMaxLoopBlocks blocks, so per-block results (reductions) fit a buffer of
// tail + kMaxLoopBlocks * slot bytes that the host sizes at compile time.
constexpr int64_t kLoopThreadsPerBlock = 256;
constexpr int64_t kMaxLoopBlocks = 1024;

}  // namespace nk::runtime
