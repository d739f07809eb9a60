// Arrays at run time: one block holds a reference count and the data; descriptors
// ({meminfo, data, shape[n], strides[n]}, strides in bytes) point into it, so views
// share their base's block and keep it alive. runtime/array_block.h has the layout;
// device arrays (runtime/cuda_runtime.cpp) have a header-only block.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "runtime/array_block.h"
#include "runtime/cuda_driver.h"
#include "runtime/entry_points.h"
#include "runtime/errors.h"

namespace {

// The block: a 64-byte header (the count first, as compiled code expects), then data.
constexpr size_t kHeader = nk::runtime::kBlockHeaderBytes;

struct Desc {
  void* meminfo;
  char* data;
  int64_t dims[];  // shape[ndim], then strides[ndim]
};

int64_t* shape_of(void* desc) { return static_cast<Desc*>(desc)->dims; }
int64_t* strides_of(void* desc, int ndim) { return static_cast<Desc*>(desc)->dims + ndim; }

std::string human_bytes(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  if (u == 0) std::snprintf(buf, sizeof buf, "%.0f %s", bytes, units[u]);
  else std::snprintf(buf, sizeof buf, "%.3g %s", bytes, units[u]);
  return buf;
}

// Calls f(offset) for every element of an n-d strided array, in C order.
template <class F> void for_each_offset(int ndim, const int64_t* shape, const int64_t* strides, F f) {
  for (int k = 0; k < ndim; ++k)
    if (shape[k] == 0) return;
  int64_t index[64] = {0};
  int64_t offset = 0;
  for (;;) {
    f(offset);
    int k = ndim - 1;
    for (; k >= 0; --k) {
      ++index[k];
      offset += strides[k];
      if (index[k] < shape[k]) break;
      offset -= strides[k] * shape[k];
      index[k] = 0;
    }
    if (k < 0) return;
  }
}

// Large arrays may live on 2 MiB pages, as NumPy's do (it asks the same for arrays of
// 4 MiB and more): a loop streaming through a large array then misses the TLB once per
// 2 MiB instead of once per 4 KiB. Where transparent huge pages are "madvise" only (as
// on Debian's default kernels), 1-d streaming kernels ran 1.25-1.5x faster under Numba
// than under nk without this. Only the whole 4 KiB pages inside the data are advised.
void advise_huge_pages(char* data, int64_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr int64_t kLarge = int64_t{4} << 20;
  constexpr uintptr_t kPage = 4096;
  if (bytes < kLarge) return;
  uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kPage - 1) & ~(kPage - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(data) + static_cast<uintptr_t>(bytes)) & ~(kPage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint: errors ignored
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace

extern "C" int32_t nk_array_new(void* desc, int32_t ndim, int64_t itemsize, int32_t zero) {
  int64_t* shape = shape_of(desc);
  int64_t count = 1;
  bool overflow = false;
  for (int k = 0; k < ndim; ++k) {
    if (shape[k] < 0) {
      nk::runtime::raise("ValueError", "negative dimensions are not allowed", 0);
      return 1;
    }
    if (shape[k] != 0 && count > std::numeric_limits<int64_t>::max() / shape[k]) overflow = true;
    count *= shape[k];
  }
  int64_t bytes = 0;
  if (overflow || count > (std::numeric_limits<int64_t>::max() - static_cast<int64_t>(kHeader)) / itemsize) {
    nk::runtime::raise("ValueError", "array is too big; `arr.size * arr.dtype.itemsize` is larger than the maximum possible size.", 0);
    return 1;
  }
  bytes = count * itemsize;
  void* block = zero ? std::calloc(1, kHeader + static_cast<size_t>(bytes)) : std::malloc(kHeader + static_cast<size_t>(bytes));
  if (!block) {
    std::string shape_text = "(";
    for (int k = 0; k < ndim; ++k) shape_text += std::to_string(shape[k]) + (ndim == 1 ? "," : k + 1 < ndim ? ", " : "");
    shape_text += ")";
    nk::runtime::raise("MemoryError", "Unable to allocate " + human_bytes(static_cast<double>(bytes)) +
                                          " for an array with shape " + shape_text, 0);
    return 1;
  }
  nk::runtime::BlockHeader* header = nk::runtime::block_header(block);
  *header = nk::runtime::BlockHeader{};
  header->count = 1;
  header->tag = nk::runtime::kHostBlock;
  header->bytes = bytes;
  Desc* d = static_cast<Desc*>(desc);
  d->meminfo = block;
  d->data = static_cast<char*>(block) + kHeader;
  advise_huge_pages(d->data, bytes);
  int64_t* strides = strides_of(desc, ndim);
  int64_t stride = itemsize;
  for (int k = ndim - 1; k >= 0; --k) {
    strides[k] = stride;
    stride *= shape[k];
  }
  return 0;
}

extern "C" void nk_array_free(void* meminfo) {
  // A device array's header owns GPU memory as well.
  if (nk::runtime::is_device_block(meminfo))
    nk::runtime::cuda_free_device_memory(nk::runtime::block_header(meminfo)->device_ptr);
  std::free(meminfo);
}

extern "C" int32_t nk_array_copy(void* dst, void* src, int32_t ndim, int64_t itemsize) {
  std::memcpy(shape_of(dst), shape_of(src), sizeof(int64_t) * static_cast<size_t>(ndim));
  if (int32_t status = nk_array_new(dst, ndim, itemsize, 0)) return status;
  char* out = static_cast<Desc*>(dst)->data;
  const char* in = static_cast<Desc*>(src)->data;
  for_each_offset(ndim, shape_of(src), strides_of(src, ndim), [&](int64_t offset) {
    std::memcpy(out, in + offset, static_cast<size_t>(itemsize));
    out += itemsize;
  });
  return 0;
}

extern "C" void nk_array_fill(void* desc, int32_t ndim, int64_t itemsize, void* value) {
  char* data = static_cast<Desc*>(desc)->data;
  for_each_offset(ndim, shape_of(desc), strides_of(desc, ndim),
                  [&](int64_t offset) { std::memcpy(data + offset, value, static_cast<size_t>(itemsize)); });
}

// Parameter scopes (codegen/lower.cpp): whether any two of n arrays share memory, of
// which at least one is stored to. Each entry: a descriptor and its info, ndim | stored
// << 8 | item size << 16. An array's elements lie within [lowest, highest] byte; empty
// arrays overlap nothing; two 1-d arrays with the same stride whose ranges meet may
// still interleave without sharing a byte (a[::2] and a[1::2]).
extern "C" int32_t nk_arrays_overlap(void* entries, int32_t n) {
  struct Entry {
    const void* desc;
    int64_t info;
  };
  struct Extent {
    uintptr_t lo, hi;  // [lo, hi)
    uintptr_t data;
    int64_t item, step;  // step: the |stride| of a 1-d array, else 0
    bool stored, empty;
  };
  const auto* e = static_cast<const Entry*>(entries);
  Extent extents[64];
  if (n > 64) return 1;  // (codegen never asks for so many)
  for (int32_t k = 0; k < n; ++k) {
    auto* d = static_cast<const Desc*>(e[k].desc);
    int ndim = static_cast<int>(e[k].info & 0xff);
    int64_t item = e[k].info >> 16;
    const int64_t* shape = shape_of(const_cast<Desc*>(d));
    const int64_t* strides = strides_of(const_cast<Desc*>(d), ndim);
    int64_t lo = 0, hi = item;
    bool empty = false;
    for (int a = 0; a < ndim; ++a) {
      if (shape[a] < 1) empty = true;
      int64_t span = (shape[a] - 1) * strides[a];
      (span < 0 ? lo : hi) += span;
    }
    auto base = reinterpret_cast<uintptr_t>(d->data);
    int64_t step = ndim == 1 ? (strides[0] < 0 ? -strides[0] : strides[0]) : 0;
    extents[k] = {base + static_cast<uintptr_t>(lo), base + static_cast<uintptr_t>(hi), base, item, step,
                  (e[k].info & 0x100) != 0, empty};
  }
  for (int32_t i = 0; i < n; ++i)
    for (int32_t j = i + 1; j < n; ++j) {
      const Extent &a = extents[i], &b = extents[j];
      if (a.empty || b.empty || !(a.stored || b.stored)) continue;
      if (!(a.lo < b.hi && b.lo < a.hi)) continue;
      if (a.step > 0 && a.step == b.step) {
        // Elements at a.data + k * step and b.data + m * step: each of b's starts r
        // bytes past one of a's (mod step); no byte is shared when a's item ends by
        // then and b's before a's next element starts.
        int64_t r = static_cast<int64_t>(b.data - a.data) % a.step;
        if (r < 0) r += a.step;
        if (r >= a.item && r + b.item <= a.step) continue;
      }
      return 1;
    }
  return 0;
}

extern "C" int32_t nk_arange_len_i64(int64_t start, int64_t stop, int64_t step, void* out) {
  if (step == 0) {
    nk::runtime::raise("ZeroDivisionError", "division by zero", 0);
    return 1;
  }
  int64_t n = 0;
  if (step > 0 && start < stop) n = (stop - start + step - 1) / step;
  if (step < 0 && start > stop) n = (start - stop - step - 1) / -step;
  *static_cast<int64_t*>(out) = n;
  return 0;
}

extern "C" int32_t nk_arange_len_f64(double start, double stop, double step, void* out) {
  if (step == 0) {
    nk::runtime::raise("ZeroDivisionError", "division by zero", 0);
    return 1;
  }
  double n = std::ceil((stop - start) / step);
  if (!(n > 0)) n = 0;
  if (n > 9.2e18) {
    nk::runtime::raise("ValueError", "Maximum allowed size exceeded", 0);
    return 1;
  }
  *static_cast<int64_t*>(out) = static_cast<int64_t>(n);
  return 0;
}

extern "C" int32_t nk_linspace_check(int64_t num) {
  if (num >= 0) return 0;
  nk::runtime::raise("ValueError", "Number of samples, " + std::to_string(num) + ", must be non-negative.", 0);
  return 1;
}

// Python's slice.indices(len) and the element count (PySlice_AdjustIndices).
extern "C" int32_t nk_slice(int64_t len, int32_t has_lo, int64_t lo, int32_t has_hi, int64_t hi, int32_t has_step,
                            int64_t step, void* out) {
  if (!has_step) step = 1;
  if (step == 0) {
    nk::runtime::raise("ValueError", "slice step cannot be zero", 0);
    return 1;
  }
  auto adjust = [&](int64_t v) {
    if (v < 0) {
      v += len;
      if (v < 0) v = step < 0 ? -1 : 0;
    } else if (v >= len) {
      v = step < 0 ? len - 1 : len;
    }
    return v;
  };
  int64_t start = has_lo ? adjust(lo) : (step < 0 ? len - 1 : 0);
  int64_t stop = has_hi ? adjust(hi) : (step < 0 ? -1 : len);
  int64_t count = 0;
  if (step < 0) {
    if (stop < start) count = (start - stop - 1) / -step + 1;
  } else if (start < stop) {
    count = (stop - start - 1) / step + 1;
  }
  int64_t* o = static_cast<int64_t*>(out);
  o[0] = count > 0 ? start : 0;
  o[1] = step;
  o[2] = count;
  return 0;
}

extern "C" int64_t nk_ipow(int64_t base, int64_t exp) {
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  uint64_t e = static_cast<uint64_t>(exp);
  while (e) {
    if (e & 1) result *= b;
    b *= b;
    e >>= 1;
  }
  return static_cast<int64_t>(result);
}

// Python's round(x, n): correctly rounded through the decimal representation.
extern "C" double nk_round_digits(double x, int64_t n) {
  if (!std::isfinite(x) || x == 0) return x;
  if (n > 308) return x;
  if (n < -308) return std::copysign(0.0, x);
  if (n >= 0) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(std::min<int64_t>(n, 340)), x);
    return std::strtod(buf, nullptr);
  }
  double p = std::pow(10.0, static_cast<double>(-n));
  double y = x / p;
  double r = std::nearbyint(y);  // the default rounding mode: half to even
  return std::copysign(r * p, x);
}
