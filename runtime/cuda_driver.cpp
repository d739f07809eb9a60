// Loads libcuda with dlopen, resolves the entry points of cuda_driver_functions.def,
// initialises device 0 (or $NK_CUDA_DEVICE) once per process and keeps its primary
// context; every failure becomes one sentence that says why there is no GPU.
#include "runtime/cuda_driver.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "runtime/errors.h"

namespace nk::runtime {
namespace {

struct DriverState {
  CudaDriver driver;
  bool usable = false;
  std::string failure;  // why not, when !usable
};

std::once_flag init_once;
DriverState* state = nullptr;              // set once by initialise(); never freed
std::atomic<bool> driver_loaded{false};    // the driver is usable (for cuda_free_device_memory)
std::atomic<int64_t> module_load_nanoseconds{0};

// The error's name and description as the driver spells them; a driver too broken to
// name its own errors still gets a number.
std::string error_text(const CudaDriver& d, CUresult r) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (d.cuGetErrorName && d.cuGetErrorName(r, &name) != CUDA_SUCCESS) name = nullptr;
  if (d.cuGetErrorString && d.cuGetErrorString(r, &text) != CUDA_SUCCESS) text = nullptr;
  std::string out = name ? name : "CUDA error " + std::to_string(r);
  if (text) out += std::string(" (") + text + ")";
  return out;
}

// Fills s; on failure leaves s.usable false with the reason.
void initialise(DriverState& s) {
  CudaDriver& d = s.driver;
  const char* env = std::getenv("NK_CUDA_DRIVER");
  std::string library = env && *env ? env : "libcuda.so.1";
  d.library = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!d.library) {
    const char* why = dlerror();
    s.failure = "no CUDA driver: cannot load " + library + " (" + (why ? why : "unknown reason") + ")";
    return;
  }
#define CUDA_FN(name, ret, params)                                                   \
  d.name = reinterpret_cast<decltype(d.name)>(dlsym(d.library, #name));              \
  if (!d.name) {                                                                     \
    s.failure = "no CUDA driver: " + library + " lacks " #name;                      \
    return;                                                                          \
  }
#include "runtime/cuda_driver_functions.def"
#undef CUDA_FN

  if (CUresult r = d.cuInit(0); r != CUDA_SUCCESS) {
    s.failure = "no CUDA device: cuInit failed: " + error_text(d, r);
    return;
  }
  if (d.cuDriverGetVersion(&d.driver_version) != CUDA_SUCCESS) d.driver_version = 0;
  int count = 0;
  if (CUresult r = d.cuDeviceGetCount(&count); r != CUDA_SUCCESS) {
    s.failure = "no CUDA device: cuDeviceGetCount failed: " + error_text(d, r);
    return;
  }
  if (count <= 0) {
    s.failure = "no CUDA device: the driver reports no GPU";
    return;
  }
  int ordinal = 0;
  if (const char* choice = std::getenv("NK_CUDA_DEVICE"); choice && *choice) {
    char* end = nullptr;
    long v = std::strtol(choice, &end, 10);
    if (*end != '\0' || v < 0 || v >= count) {
      s.failure = std::string("no CUDA device: NK_CUDA_DEVICE is '") + choice + "', but the driver reports " +
                  std::to_string(count) + (count == 1 ? " GPU (number 0)" : " GPUs (0 to " + std::to_string(count - 1) + ")");
      return;
    }
    ordinal = static_cast<int>(v);
  }
  if (CUresult r = d.cuDeviceGet(&d.device, ordinal); r != CUDA_SUCCESS) {
    s.failure = "no CUDA device: cannot open GPU " + std::to_string(ordinal) + ": " + error_text(d, r);
    return;
  }
  char name[256] = {0};
  if (d.cuDeviceGetName(name, sizeof name - 1, d.device) == CUDA_SUCCESS) d.device_name = name;
  if (d.device_name.empty()) d.device_name = "GPU " + std::to_string(ordinal);
  CUresult r = d.cuDeviceGetAttribute(&d.arch_major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d.device);
  if (r == CUDA_SUCCESS) r = d.cuDeviceGetAttribute(&d.arch_minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d.device);
  if (r != CUDA_SUCCESS) {
    s.failure = "no CUDA device: cannot read the compute capability of " + d.device_name + ": " + error_text(d, r);
    return;
  }
  if (d.cuDeviceGetAttribute(&d.multiprocessors, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d.device) != CUDA_SUCCESS)
    d.multiprocessors = 0;
  // The primary context is the one the runtime API (and so every other CUDA library in
  // the process) shares; it stays retained until the process ends.
  if (CUresult rc = d.cuDevicePrimaryCtxRetain(&d.context, d.device); rc != CUDA_SUCCESS) {
    s.failure = "no CUDA device: cannot create a context on " + d.device_name + ": " + error_text(d, rc);
    return;
  }
  s.usable = true;
}

DriverState& initialised_state() {
  std::call_once(init_once, [] {
    auto* s = new DriverState;
    initialise(*s);
    state = s;
    if (s->usable) driver_loaded.store(true, std::memory_order_release);
  });
  return *state;
}

}  // namespace

const CudaDriver* cuda_driver(std::string* why) {
  DriverState& s = initialised_state();
  if (!s.usable) {
    if (why) *why = s.failure;
    return nullptr;
  }
  // Cheap, and needed: the context is current per thread, and compiled code calls in
  // from the main thread and from prange workers alike.
  if (CUresult r = s.driver.cuCtxSetCurrent(s.driver.context); r != CUDA_SUCCESS) {
    if (why) *why = "cannot make the context of " + s.driver.device_name + " current: " + error_text(s.driver, r);
    return nullptr;
  }
  return &s.driver;
}

const CudaDriver* cuda_driver_or_raise(int32_t line) {
  std::string why;
  const CudaDriver* d = cuda_driver(&why);
  if (!d) raise("CudaError", why, line);
  return d;
}

std::string cuda_error_text(const CudaDriver& driver, CUresult result) { return error_text(driver, result); }

void cuda_free_device_memory(CUdeviceptr pointer) {
  if (pointer == 0 || !driver_loaded.load(std::memory_order_acquire)) return;
  const CudaDriver& d = state->driver;
  if (d.cuCtxSetCurrent(d.context) != CUDA_SUCCESS) return;
  d.cuMemFree_v2(pointer);  // fails only with a broken context, and then there is nothing to do
}

bool cuda_device_arch(int& major, int& minor, std::string& why) {
  const CudaDriver* d = cuda_driver(&why);
  if (!d) return false;
  major = d->arch_major;
  minor = d->arch_minor;
  return true;
}

double cuda_module_load_seconds() { return static_cast<double>(module_load_nanoseconds.load()) * 1e-9; }

void add_cuda_module_load_seconds(double seconds) {
  module_load_nanoseconds.fetch_add(static_cast<int64_t>(seconds * 1e9));
}

std::string cuda_device_name() {
  const CudaDriver* d = cuda_driver(nullptr);
  return d ? d->device_name : "";
}

}  // namespace nk::runtime
