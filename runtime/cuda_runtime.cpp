// The CUDA entry points of codegen/runtime_functions.def: device arrays, the host <->
// device mirrors of one GPU call (sessions), PTX modules loaded on first use, kernel
// launches, and the device's error record turned into the Python exception it stands
// for. Every driver failure becomes one CudaError that names the operation.
#include "runtime/cuda_runtime.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/array_block.h"
#include "runtime/cuda_driver.h"
#include "runtime/entry_points.h"
#include "runtime/errors.h"

namespace nk::runtime {
namespace {

int32_t cuda_fail(const std::string& message, int32_t line) {
  raise("CudaError", message, line);
  return 1;
}

// "800000000 bytes (763 MiB)": the exact count, and a size a person can read.
std::string size_text(int64_t bytes) {
  std::string out = std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  if (bytes < 1024) return out;
  const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, " (%.3g %s)", v, units[u]);
  return out + buf;
}

// ---- shapes, strides and the bytes a view covers ----

// The byte count of a C-contiguous array of this shape; false with a ValueError (as
// nk_array_new raises it) for a negative or overflowing shape.
bool array_bytes(const int64_t* shape, int ndim, int64_t itemsize, int64_t& bytes, int32_t line) {
  int64_t count = 1;
  bool overflow = false;
  for (int k = 0; k < ndim; ++k) {
    if (shape[k] < 0) {
      raise("ValueError", "negative dimensions are not allowed", line);
      return false;
    }
    if (shape[k] != 0 && count > std::numeric_limits<int64_t>::max() / shape[k]) overflow = true;
    count *= shape[k];
  }
  if (overflow || (itemsize > 0 && count > std::numeric_limits<int64_t>::max() / itemsize)) {
    raise("ValueError", "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.", line);
    return false;
  }
  bytes = count * itemsize;
  return true;
}

void set_c_strides(int64_t* strides, const int64_t* shape, int ndim, int64_t itemsize) {
  int64_t stride = itemsize;
  for (int k = ndim - 1; k >= 0; --k) {
    strides[k] = stride;
    stride *= shape[k];
  }
}

bool has_elements(const int64_t* shape, int ndim) {
  for (int k = 0; k < ndim; ++k)
    if (shape[k] == 0) return false;
  return true;
}

// True when the elements lie in C order with no gaps (length-1 axes may have any stride).
bool is_c_contiguous(const int64_t* shape, const int64_t* strides, int ndim, int64_t itemsize) {
  if (!has_elements(shape, ndim)) return true;
  int64_t expected = itemsize;
  for (int k = ndim - 1; k >= 0; --k) {
    if (shape[k] != 1 && strides[k] != expected) return false;
    expected *= shape[k];
  }
  return true;
}

// The bytes [lo, hi) a view with elements touches, as offsets from its data pointer
// (lo <= 0 with negative strides).
struct Span {
  int64_t lo = 0, hi = 0;
};

Span view_span(const int64_t* shape, const int64_t* strides, int ndim, int64_t itemsize) {
  Span s{0, itemsize};
  for (int k = 0; k < ndim; ++k) {
    int64_t extent = (shape[k] - 1) * strides[k];
    if (extent < 0) s.lo += extent;
    else s.hi += extent;
  }
  return s;
}

// Copies the elements of a strided view at `base` into `out` in C order.
void gather(const char* base, const int64_t* shape, const int64_t* strides, int ndim, int64_t itemsize, char* out) {
  if (!has_elements(shape, ndim)) return;
  std::vector<int64_t> index(static_cast<size_t>(ndim), 0);
  int64_t offset = 0;
  for (;;) {
    std::memcpy(out, base + offset, static_cast<size_t>(itemsize));
    out += itemsize;
    int k = ndim - 1;
    for (; k >= 0; --k) {
      ++index[static_cast<size_t>(k)];
      offset += strides[k];
      if (index[static_cast<size_t>(k)] < shape[k]) break;
      offset -= strides[k] * shape[k];
      index[static_cast<size_t>(k)] = 0;
    }
    if (k < 0) return;
  }
}

// A snapshot of a descriptor, so that the output descriptor may be the input one.
struct ViewCopy {
  void* meminfo;
  char* data;
  std::vector<int64_t> shape, strides;
  ViewCopy(void* desc, int ndim) {
    ArrayDesc* d = array_desc(desc);
    meminfo = d->meminfo;
    data = d->data;
    shape.assign(d->shape(), d->shape() + ndim);
    strides.assign(d->strides(ndim), d->strides(ndim) + ndim);
  }
};

// ---- driver calls that name what failed ----

int32_t check(const CudaDriver& d, CUresult r, const std::string& what, int32_t line) {
  if (r == CUDA_SUCCESS) return 0;
  return cuda_fail(what + ": " + cuda_error_text(d, r), line);
}

int32_t device_alloc(const CudaDriver& d, int64_t bytes, CUdeviceptr& out, int32_t line) {
  out = 0;
  if (bytes == 0) return 0;  // cuMemAlloc rejects 0 bytes; nothing is ever read there
  CUresult r = d.cuMemAlloc_v2(&out, static_cast<size_t>(bytes));
  if (r == CUDA_ERROR_OUT_OF_MEMORY) {
    out = 0;
    return cuda_fail("out of memory: cannot allocate " + size_text(bytes) + " on the GPU", line);
  }
  if (r != CUDA_SUCCESS) out = 0;
  return check(d, r, "cannot allocate " + size_text(bytes) + " on the GPU", line);
}

int32_t upload(const CudaDriver& d, CUdeviceptr to, const void* from, int64_t bytes, int32_t line) {
  if (bytes == 0) return 0;
  return check(d, d.cuMemcpyHtoD_v2(to, from, static_cast<size_t>(bytes)), "cannot copy " + size_text(bytes) + " to the GPU",
               line);
}

int32_t download(const CudaDriver& d, void* to, CUdeviceptr from, int64_t bytes, int32_t line) {
  if (bytes == 0) return 0;
  return check(d, d.cuMemcpyDtoH_v2(to, from, static_cast<size_t>(bytes)),
               "cannot copy " + size_text(bytes) + " from the GPU", line);
}

// A host buffer for compacting or gathering; null with a MemoryError.
std::unique_ptr<char, decltype(&std::free)> host_buffer(int64_t bytes, int32_t line) {
  std::unique_ptr<char, decltype(&std::free)> p(static_cast<char*>(std::malloc(static_cast<size_t>(std::max<int64_t>(bytes, 1)))),
                                                &std::free);
  if (!p) raise("MemoryError", "cannot allocate a host buffer of " + size_text(bytes) + " for a GPU copy", line);
  return p;
}

// Downloads the elements of a device view into `out` in C order.
int32_t download_view(const CudaDriver& d, const ViewCopy& v, int ndim, int64_t itemsize, char* out, int32_t line) {
  const int64_t* shape = v.shape.data();
  const int64_t* strides = v.strides.data();
  if (!has_elements(shape, ndim)) return 0;
  CUdeviceptr data = reinterpret_cast<CUdeviceptr>(v.data);
  if (is_c_contiguous(shape, strides, ndim, itemsize)) {
    int64_t bytes = 0;
    array_bytes(shape, ndim, itemsize, bytes, line);
    return download(d, out, data, bytes, line);
  }
  // Strided: bring the whole span over, then pick the elements out on the host.
  Span s = view_span(shape, strides, ndim, itemsize);
  auto span = host_buffer(s.hi - s.lo, line);
  if (!span) return 1;
  if (download(d, span.get(), data + static_cast<CUdeviceptr>(s.lo), s.hi - s.lo, line)) return 1;
  gather(span.get() - s.lo, shape, strides, ndim, itemsize, out);
  return 0;
}

// ---- device blocks ----

// A device block owning `bytes` of uninitialised GPU memory.
int32_t new_device_block(const CudaDriver& d, int64_t bytes, void*& meminfo, int32_t line) {
  CUdeviceptr memory = 0;
  if (device_alloc(d, bytes, memory, line)) return 1;
  meminfo = std::calloc(1, kBlockHeaderBytes);
  if (!meminfo) {
    if (memory) d.cuMemFree_v2(memory);
    raise("MemoryError", "cannot allocate the header of a device array", line);
    return 1;
  }
  BlockHeader* h = block_header(meminfo);
  h->count = 1;
  h->tag = kDeviceBlock;
  h->bytes = bytes;
  h->device_ptr = memory;
  return 0;
}

void set_device_desc(void* desc, void* meminfo, const int64_t* shape, int ndim, int64_t itemsize) {
  ArrayDesc* d = array_desc(desc);
  d->meminfo = meminfo;
  d->data = reinterpret_cast<char*>(block_header(meminfo)->device_ptr);
  std::memmove(d->shape(), shape, sizeof(int64_t) * static_cast<size_t>(ndim));
  set_c_strides(d->strides(ndim), d->shape(), ndim, itemsize);
}

// ---- PTX modules ----

struct LoadedModule {
  CUmodule module = nullptr;
  std::unordered_map<std::string, CUfunction> functions;
  CUdeviceptr error_record = 0;  // the global nk_gpu_error; 0: the module has none
};

// Guards every CudaModuleRef::loaded, the function caches and loaded_modules().
std::mutex module_mutex;

// Every module loaded in this process (cuda.synchronize() checks all their error
// records). They stay loaded until the process ends, so the list is never destroyed.
std::vector<LoadedModule*>& loaded_modules() {
  static auto* modules = new std::vector<LoadedModule*>;
  return *modules;
}

// The trimmed text of a JIT log buffer.
std::string log_text(const std::vector<char>& buffer, size_t size) {
  std::string s(buffer.data(), std::min(size, buffer.size()));
  s = s.c_str();  // up to the NUL the driver wrote
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// Under module_mutex: the loaded module of `ref`, loading its PTX on first use.
LoadedModule* module_of(const CudaDriver& d, CudaModuleRef* ref, int32_t line) {
  if (!ref || !ref->ptx) {
    cuda_fail("internal error: a GPU launch without a PTX module", line);
    return nullptr;
  }
  if (ref->loaded) return static_cast<LoadedModule*>(ref->loaded);
  constexpr size_t kLogBytes = 16384;
  std::vector<char> info(kLogBytes, 0), error(kLogBytes, 0);
  CUjit_option options[] = {CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  // The size options are unsigned ints passed in the pointer's place; the driver writes
  // the lengths it used back there.
  void* values[] = {info.data(), reinterpret_cast<void*>(static_cast<uintptr_t>(kLogBytes - 1)), error.data(),
                    reinterpret_cast<void*>(static_cast<uintptr_t>(kLogBytes - 1))};
  auto module = std::make_unique<LoadedModule>();
  auto start = std::chrono::steady_clock::now();
  CUresult r = d.cuModuleLoadDataEx(&module->module, ref->ptx, 4, options, values);
  add_cuda_module_load_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (r != CUDA_SUCCESS) {
    std::string log = log_text(error, static_cast<size_t>(reinterpret_cast<uintptr_t>(values[3])));
    if (log.empty()) log = log_text(info, static_cast<size_t>(reinterpret_cast<uintptr_t>(values[1])));
    cuda_fail("cannot load the PTX module: " + cuda_error_text(d, r) + (log.empty() ? "" : ": " + log), line);
    return nullptr;
  }
  size_t record_bytes = 0;
  CUdeviceptr record = 0;
  if (d.cuModuleGetGlobal_v2(&record, &record_bytes, module->module, "nk_gpu_error") == CUDA_SUCCESS &&
      record_bytes >= sizeof(NkGpuError))
    module->error_record = record;
  LoadedModule* m = module.release();
  loaded_modules().push_back(m);
  ref->loaded = m;
  return m;
}

// The kernel `name` of `ref`'s module (loaded on first use), with its module.
int32_t find_kernel(const CudaDriver& d, void* ref, const char* name, CUfunction& f, LoadedModule*& m, int32_t line) {
  std::lock_guard<std::mutex> lock(module_mutex);
  m = module_of(d, static_cast<CudaModuleRef*>(ref), line);
  if (!m) return 1;
  auto it = m->functions.find(name);
  if (it != m->functions.end()) {
    f = it->second;
    return 0;
  }
  CUresult r = d.cuModuleGetFunction(&f, m->module, name);
  if (r == CUDA_ERROR_NOT_FOUND) return cuda_fail(std::string("kernel '") + name + "' not found in the PTX module", line);
  if (check(d, r, std::string("cannot find kernel '") + name + "' in the PTX module", line)) return 1;
  m->functions.emplace(name, f);
  return 0;
}

// ---- launches and the device's error record ----

// Serialises launch + synchronise + error-record check (+ the loop scratch buffer): all
// launches share the context's default stream, and a record must be read by the
// launch that filled it.
std::mutex launch_mutex;

// Reads the module's error record after a synchronisation; a reported error becomes
// the pending exception (at the record's line when it has one), and the record is
// cleared for the next launch.
int32_t check_error_record(const CudaDriver& d, const LoadedModule& m, int32_t line) {
  if (!m.error_record) return 0;
  NkGpuError e{};
  if (check(d, d.cuMemcpyDtoH_v2(&e, m.error_record, sizeof e), "cannot read the GPU's error record", line)) return 1;
  if (e.flag == kGpuErrorNone) return 0;
  int32_t where = e.line != 0 ? e.line : line;
  auto text = [&](uint64_t address, int32_t length) {
    std::string s(static_cast<size_t>(std::clamp(length, 0, 4096)), '\0');
    if (!s.empty() && (address == 0 || d.cuMemcpyDtoH_v2(s.data(), address, s.size()) != CUDA_SUCCESS)) s.clear();
    return s;
  };
  switch (e.flag) {
    case kGpuErrorRaise: {
      std::string kind = text(e.kind, e.kind_len);
      raise(kind.empty() ? "Exception" : kind, text(e.message, e.message_len), where);
      break;
    }
    case kGpuErrorIndex: nk_raise_index(e.a, static_cast<int32_t>(e.b), e.c, where); break;
    case kGpuErrorZeroDivision: nk_raise_zero_division(static_cast<int32_t>(e.a), where); break;
    default: raise("CudaError", "the GPU reported an unknown error (code " + std::to_string(e.flag) + ")", where); break;
  }
  d.cuMemsetD8_v2(m.error_record, 0, static_cast<size_t>(kGpuErrorRecordBytes));
  return 1;
}

// Under launch_mutex: launches, waits for the kernel and checks its error record.
int32_t run_kernel(const CudaDriver& d, const LoadedModule& m, CUfunction f, const char* name, const unsigned grid[3],
                   const unsigned block[3], void* params, int64_t params_size, int32_t line) {
  // The parameters are one struct passed by value: kernelParams[0] points at its bytes.
  void* arguments[1] = {params};
  std::string what = std::string("kernel '") + name + "' failed";
  CUresult r = d.cuLaunchKernel(f, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, nullptr,
                                params_size > 0 ? arguments : nullptr, nullptr);
  if (check(d, r, what, line)) return 1;
  // Faults inside the kernel (an illegal address, a trap) surface here.
  if (check(d, d.cuCtxSynchronize(), what, line)) return 1;
  return check_error_record(d, m, line);
}

// The grid and block limits every GPU since compute capability 3.0 has.
std::string launch_problem(const int64_t* dims) {
  const char* axis[] = {"x", "y", "z"};
  for (int k = 0; k < 6; ++k)
    if (dims[k] < 1) return "every dimension must be at least 1";
  if (dims[0] > 2147483647) return "grid x is " + std::to_string(dims[0]) + "; at most 2147483647 is allowed";
  for (int k = 1; k < 3; ++k)
    if (dims[k] > 65535)
      return std::string("grid ") + axis[k] + " is " + std::to_string(dims[k]) + "; at most 65535 is allowed";
  for (int k = 0; k < 3; ++k) {
    int64_t limit = k == 2 ? 64 : 1024;
    if (dims[3 + k] > limit)
      return std::string("block ") + axis[k] + " is " + std::to_string(dims[3 + k]) + "; at most " + std::to_string(limit) +
             " is allowed";
  }
  int64_t threads = dims[3] * dims[4] * dims[5];
  if (threads > 1024) return "a block of " + std::to_string(threads) + " threads; at most 1024 are allowed";
  return "";
}

// The buffer auto-parallel loops write their per-block results to; grown as needed and
// kept for the process. Guarded by launch_mutex.
CUdeviceptr loop_scratch = 0;
int64_t loop_scratch_bytes = 0;

// ---- sessions: the host arrays one GPU call uses, mirrored on the device ----

struct Mirror {
  char* host;            // the mirrored host bytes
  int64_t bytes;
  void* block;           // the host block keyed by (null: a borrowed span)
  CUdeviceptr device;    // 0 when bytes is 0
  bool host_dirty;       // the host may have changed since the upload
  int64_t written_lo;    // bytes [written_lo, written_hi) of the region that kernels
  int64_t written_hi;    //   may have written and that go back to the host
};

struct Session {
  std::vector<Mirror> mirrors;
};

void free_mirrors(Session& s) {
  for (const Mirror& m : s.mirrors) cuda_free_device_memory(m.device);
  s.mirrors.clear();
}

}  // namespace
}  // namespace nk::runtime

using namespace nk::runtime;

extern "C" bool nk_cuda_is_available() { return cuda_driver(nullptr) != nullptr; }

extern "C" int32_t nk_cuda_synchronize(int32_t line) {
  const CudaDriver* d = cuda_driver_or_raise(line);
  if (!d) return 1;
  std::vector<LoadedModule*> modules;
  {
    std::lock_guard<std::mutex> lock(module_mutex);
    modules = loaded_modules();
  }
  std::lock_guard<std::mutex> lock(launch_mutex);
  if (check(*d, d->cuCtxSynchronize(), "cuda.synchronize() failed", line)) return 1;
  for (const LoadedModule* m : modules)
    if (check_error_record(*d, *m, line)) return 1;
  return 0;
}

extern "C" int32_t nk_cuda_to_device(void* host, void* out, int32_t ndim, int64_t itemsize, int32_t line) {
  ViewCopy src(host, ndim);
  int64_t bytes = 0;
  if (!array_bytes(src.shape.data(), ndim, itemsize, bytes, line)) return 1;
  const CudaDriver* d = cuda_driver_or_raise(line);
  if (!d) return 1;
  void* meminfo = nullptr;
  if (new_device_block(*d, bytes, meminfo, line)) return 1;
  CUdeviceptr to = block_header(meminfo)->device_ptr;
  int32_t status = 0;
  const int64_t* shape = src.shape.data();
  if (bytes > 0 && is_device_block(src.meminfo)) {
    // A device array: copied on the device when its elements are contiguous.
    if (is_c_contiguous(shape, src.strides.data(), ndim, itemsize)) {
      status = check(*d, d->cuMemcpyDtoD_v2(to, reinterpret_cast<CUdeviceptr>(src.data), static_cast<size_t>(bytes)),
                     "cannot copy " + size_text(bytes) + " on the GPU", line);
    } else if (auto buffer = host_buffer(bytes, line)) {
      status = download_view(*d, src, ndim, itemsize, buffer.get(), line) || upload(*d, to, buffer.get(), bytes, line);
    } else {
      status = 1;
    }
  } else if (bytes > 0 && is_c_contiguous(shape, src.strides.data(), ndim, itemsize)) {
    status = upload(*d, to, src.data, bytes, line);
  } else if (bytes > 0) {
    // A strided host view is compacted first: the device array is C-contiguous.
    if (auto buffer = host_buffer(bytes, line)) {
      gather(src.data, shape, src.strides.data(), ndim, itemsize, buffer.get());
      status = upload(*d, to, buffer.get(), bytes, line);
    } else {
      status = 1;
    }
  }
  if (status) {
    nk_array_free(meminfo);
    return 1;
  }
  set_device_desc(out, meminfo, shape, ndim, itemsize);
  return 0;
}

extern "C" int32_t nk_cuda_device_array(void* desc, int32_t ndim, int64_t itemsize, int32_t line) {
  ArrayDesc* a = array_desc(desc);
  int64_t bytes = 0;
  if (!array_bytes(a->shape(), ndim, itemsize, bytes, line)) return 1;
  const CudaDriver* d = cuda_driver_or_raise(line);
  if (!d) return 1;
  void* meminfo = nullptr;
  if (new_device_block(*d, bytes, meminfo, line)) return 1;
  CUdeviceptr memory = block_header(meminfo)->device_ptr;
  if (bytes > 0 && check(*d, d->cuMemsetD8_v2(memory, 0, static_cast<size_t>(bytes)),
                         "cannot clear " + size_text(bytes) + " on the GPU", line)) {
    nk_array_free(meminfo);
    return 1;
  }
  set_device_desc(desc, meminfo, a->shape(), ndim, itemsize);
  return 0;
}

extern "C" int32_t nk_cuda_copy_to_host(void* device, void* out, int32_t ndim, int64_t itemsize, int32_t line) {
  ViewCopy src(device, ndim);
  ArrayDesc* dst = array_desc(out);
  std::memcpy(dst->shape(), src.shape.data(), sizeof(int64_t) * static_cast<size_t>(ndim));
  if (nk_array_new(out, ndim, itemsize, 0)) {
    nk_error_line(line);
    return 1;
  }
  if (!has_elements(src.shape.data(), ndim)) return 0;
  if (src.meminfo && !is_device_block(src.meminfo)) {
    // A host array: a plain copy (compiled code should not get here, but it is harmless).
    gather(src.data, src.shape.data(), src.strides.data(), ndim, itemsize, dst->data);
    return 0;
  }
  const CudaDriver* d = cuda_driver_or_raise(line);
  if (!d || download_view(*d, src, ndim, itemsize, dst->data, line)) {
    nk_array_free(dst->meminfo);
    dst->meminfo = nullptr;
    return 1;
  }
  return 0;
}

extern "C" void* nk_cuda_session_new() { return new Session; }

extern "C" int32_t nk_cuda_mirror(void* session, void* desc, void* out, int32_t ndim, int64_t itemsize, int32_t written,
                                  int32_t line) {
  Session& s = *static_cast<Session*>(session);
  ViewCopy view(desc, ndim);
  ArrayDesc* k = array_desc(out);
  k->meminfo = nullptr;
  std::memmove(k->shape(), view.shape.data(), sizeof(int64_t) * static_cast<size_t>(ndim));
  std::memmove(k->strides(ndim), view.strides.data(), sizeof(int64_t) * static_cast<size_t>(ndim));
  if (is_device_block(view.meminfo)) {  // already on the device
    k->data = view.data;
    return 0;
  }
  if (!has_elements(view.shape.data(), ndim)) {  // nothing to read or write
    k->data = nullptr;
    return 0;
  }
  Span span = view_span(view.shape.data(), view.strides.data(), ndim, itemsize);
  char* view_lo = view.data + span.lo;
  char* view_hi = view.data + span.hi;
  // The region to mirror: a host block's whole data, so that every view of the block
  // shares one mirror and sees the others' writes; else the bytes the view covers.
  char* region = view_lo;
  int64_t region_bytes = span.hi - span.lo;
  void* block = nullptr;
  if (view.meminfo) {
    char* data = host_block_data(view.meminfo);
    int64_t bytes = block_header(view.meminfo)->bytes;
    if (view_lo >= data && view_hi <= data + bytes) {
      region = data;
      region_bytes = bytes;
      block = view.meminfo;
    }
  }
  const CudaDriver* d = cuda_driver_or_raise(line);
  if (!d) return 1;
  // A borrowed span that only partly overlaps an earlier mirror gets its own (as
  // Numba's argument copies do): overlapping borrowed views do not alias on the GPU.
  Mirror* m = nullptr;
  for (Mirror& candidate : s.mirrors) {
    bool match = block ? candidate.block == block
                       : candidate.host <= view_lo && view_hi <= candidate.host + candidate.bytes;
    if (match) {
      m = &candidate;
      break;
    }
  }
  if (!m) {
    CUdeviceptr memory = 0;
    if (device_alloc(*d, region_bytes, memory, line)) return 1;
    s.mirrors.push_back(Mirror{region, region_bytes, block, memory, true, 0, 0});
    m = &s.mirrors.back();
  }
  if (m->host_dirty) {
    if (upload(*d, m->device, m->host, m->bytes, line)) return 1;
    m->host_dirty = false;
  }
  k->data = reinterpret_cast<char*>(m->device + static_cast<CUdeviceptr>(view.data - m->host));
  if (written) {
    int64_t lo = view_lo - m->host, hi = view_hi - m->host;
    if (m->written_lo == m->written_hi) {
      m->written_lo = lo;
      m->written_hi = hi;
    } else {
      m->written_lo = std::min(m->written_lo, lo);
      m->written_hi = std::max(m->written_hi, hi);
    }
  }
  return 0;
}

extern "C" int32_t nk_cuda_session_sync(void* session, int32_t line) {
  Session& s = *static_cast<Session*>(session);
  if (s.mirrors.empty()) return 0;
  const CudaDriver* d = cuda_driver_or_raise(line);
  if (!d) return 1;
  for (Mirror& m : s.mirrors) {
    // Only the bytes of views the kernels could write come back: the rest of the host
    // block may be changing under other threads' GPU calls.
    if (m.written_hi > m.written_lo &&
        download(*d, m.host + m.written_lo, m.device + static_cast<CUdeviceptr>(m.written_lo), m.written_hi - m.written_lo,
                 line))
      return 1;
    m.written_lo = m.written_hi = 0;
    m.host_dirty = true;  // host code runs next and may change any of them
  }
  return 0;
}

extern "C" void nk_cuda_session_free(void* session) {
  if (!session) return;
  Session* s = static_cast<Session*>(session);
  free_mirrors(*s);
  delete s;
}

extern "C" int32_t nk_cuda_launch(void* ref, void* kernel, void* dims, void* params, int64_t params_size, int32_t line) {
  const char* name = static_cast<const char*>(kernel);
  const int64_t* v = static_cast<const int64_t*>(dims);
  if (std::string problem = launch_problem(v); !problem.empty())
    return cuda_fail("invalid launch configuration: grid (" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ", " +
                         std::to_string(v[2]) + ") and block (" + std::to_string(v[3]) + ", " + std::to_string(v[4]) +
                         ", " + std::to_string(v[5]) + "): " + problem,
                     line);
  const CudaDriver* d = cuda_driver_or_raise(line);
  if (!d) return 1;
  CUfunction f = nullptr;
  LoadedModule* m = nullptr;
  if (find_kernel(*d, ref, name, f, m, line)) return 1;
  const unsigned grid[3] = {static_cast<unsigned>(v[0]), static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2])};
  const unsigned block[3] = {static_cast<unsigned>(v[3]), static_cast<unsigned>(v[4]), static_cast<unsigned>(v[5])};
  std::lock_guard<std::mutex> lock(launch_mutex);
  return run_kernel(*d, *m, f, name, grid, block, params, params_size, line);
}

extern "C" int32_t nk_cuda_launch_loop(void* ref, void* kernel, int64_t count, void* params, int64_t params_size,
                                       int64_t tail_bytes, int64_t slot_bytes, void* out, void* out_blocks, int32_t line) {
  int64_t blocks = count <= 0 ? 0 : std::min(count / kLoopThreadsPerBlock + (count % kLoopThreadsPerBlock != 0), kMaxLoopBlocks);
  *static_cast<int64_t*>(out_blocks) = blocks;
  if (blocks == 0) return 0;  // no iterations: no launch, and no GPU needed
  const char* name = static_cast<const char*>(kernel);
  int64_t result_bytes = tail_bytes + blocks * slot_bytes;
  if (tail_bytes < 0 || slot_bytes < 0 || (result_bytes > 0 && params_size < 8))
    return cuda_fail(std::string("internal error: bad result layout for kernel '") + name + "'", line);
  const CudaDriver* d = cuda_driver_or_raise(line);
  if (!d) return 1;
  CUfunction f = nullptr;
  LoadedModule* m = nullptr;
  if (find_kernel(*d, ref, name, f, m, line)) return 1;
  std::lock_guard<std::mutex> lock(launch_mutex);
  CUdeviceptr scratch = 0;
  if (result_bytes > 0) {
    if (result_bytes > loop_scratch_bytes) {
      cuda_free_device_memory(loop_scratch);
      loop_scratch = 0;
      loop_scratch_bytes = 0;
      int64_t want = std::max<int64_t>(result_bytes, 64 * 1024);
      if (device_alloc(*d, want, loop_scratch, line)) return 1;
      loop_scratch_bytes = want;
    }
    scratch = loop_scratch;
    // Blocks that combine into the buffer start from zeros, not the last loop's results.
    if (check(*d, d->cuMemsetD8_v2(scratch, 0, static_cast<size_t>(result_bytes)), "cannot clear the loop's result buffer",
              line))
      return 1;
  }
  if (params_size >= 8) std::memcpy(params, &scratch, sizeof scratch);  // the params struct's first field
  const unsigned grid[3] = {static_cast<unsigned>(blocks), 1, 1};
  const unsigned block[3] = {static_cast<unsigned>(kLoopThreadsPerBlock), 1, 1};
  if (run_kernel(*d, *m, f, name, grid, block, params, params_size, line)) return 1;
  return download(*d, out, scratch, result_bytes, line);
}
