// The CUDA driver, loaded with dlopen on first use (no CUDA headers or libraries at
// build time): the few types of cuda.h that nk needs, the table of entry points from
// runtime/cuda_driver_functions.def, and one initialisation per process whose outcome
// (a usable device, or the sentence that says why not) is cached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nk::runtime {

// ---- cuda.h, as much as nk uses (values as in cuda.h of CUDA 12/13) ----
using CUresult = int;  // enum cudaError_enum; 0 is CUDA_SUCCESS
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st*;
using CUmodule = struct CUmod_st*;
using CUfunction = struct CUfunc_st*;
using CUstream = struct CUstream_st*;

enum CUjit_option : int {
  CU_JIT_INFO_LOG_BUFFER = 3,
  CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
};

enum CUdevice_attribute : int {
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_OUT_OF_MEMORY = 2;
constexpr CUresult CUDA_ERROR_NOT_FOUND = 500;

// ---- the loaded driver ----
struct CudaDriver {
#define CUDA_FN(name, ret, params) ret(*name) params = nullptr;
#include "runtime/cuda_driver_functions.def"
#undef CUDA_FN
  void* library = nullptr;      // the dlopen handle
  int driver_version = 0;       // e.g. 12040 for CUDA 12.4
  CUdevice device = 0;
  CUcontext context = nullptr;  // the device's primary context, retained for the process
  std::string device_name;
  int arch_major = 0, arch_minor = 0;
  int multiprocessors = 0;
};

// The driver with its context current on the calling thread (every entry point calls
// this before driver calls: threads differ). Loads and initialises it on the first
// call. Null when no GPU is usable, with the reason in *why ("no CUDA driver: ...",
// "no CUDA device: ...") if why is not null.
const CudaDriver* cuda_driver(std::string* why);
// As cuda_driver, but raises CudaError at `line` when no GPU is usable.
const CudaDriver* cuda_driver_or_raise(int32_t line);
// "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)".
std::string cuda_error_text(const CudaDriver& driver, CUresult result);

// Frees GPU memory if the driver was ever loaded; errors are ignored (called while
// releasing arrays, which cannot fail). A zero pointer is ignored.
void cuda_free_device_memory(CUdeviceptr pointer);

// The device's compute capability (initialises the driver); false with the reason.
bool cuda_device_arch(int& major, int& minor, std::string& why);
// Seconds spent loading PTX modules (cuModuleLoadDataEx) so far, for `nk run --time`.
double cuda_module_load_seconds();
void add_cuda_module_load_seconds(double seconds);
// The device's name ("NVIDIA H100 80GB HBM3"); "" when no GPU is usable.
std::string cuda_device_name();

}  // namespace nk::runtime
