/* The device half of nk's runtime: what GPU code calls where CPU code calls the
 * runtime's C entry points (codegen/runtime_functions.def). Compiled at build time with
 * clang for nvptx64 to LLVM bitcode, embedded in nk, and linked into every GPU module
 * (only what a module uses is kept).
 *
 * GPU code cannot print or unwind to the host, so raising an exception records the
 * first error of a launch in `nk_gpu_error`; the host reads the record after the launch
 * and raises it there (runtime/cuda_runtime.cpp reads the same layout). The raising
 * thread then returns status 1 up its call chain, as on the CPU. */
typedef long long i64;
typedef int i32;
typedef unsigned long long u64;

struct NkGpuError {
  i32 flag; /* 0 none; 1 raise (kind, message); 2 IndexError; 3 ZeroDivisionError */
  i32 line;
  i64 a, b, c;
  u64 kind, message;
  i32 kind_len, message_len;
  i64 reserved; /* 64 bytes, as runtime/cuda_runtime.h reads them */
};

struct NkGpuError nk_gpu_error;

/* Only the first error of a launch is kept. */
static int claim(void) {
  i32 expected = 0;
  return __atomic_compare_exchange_n(&nk_gpu_error.flag, &expected, -1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* The host reads the record after the kernel has finished: a plain store will do (and
 * NVPTX in LLVM 19 cannot select a release store). */
static void publish(i32 flag) { *(volatile i32*)&nk_gpu_error.flag = flag; }

static i32 length(const char* s) {
  i32 n = 0;
  while (s[n]) ++n;
  return n;
}

void nk_raise(const char* kind, const char* message, i64 len, i32 line) {
  if (!claim()) return;
  nk_gpu_error.line = line;
  nk_gpu_error.kind = (u64)kind;
  nk_gpu_error.kind_len = length(kind);
  nk_gpu_error.message = (u64)message;
  nk_gpu_error.message_len = (i32)len;
  publish(1);
}

void nk_raise_index(i64 index, i32 axis, i64 size, i32 line) {
  if (!claim()) return;
  nk_gpu_error.line = line;
  nk_gpu_error.a = index;
  nk_gpu_error.b = axis;
  nk_gpu_error.c = size;
  publish(2);
}

void nk_raise_zero_division(i32 which, i32 line) {
  if (!claim()) return;
  nk_gpu_error.line = line;
  nk_gpu_error.a = which;
  publish(3);
}

/* GPU code holds only borrowed arrays (null meminfo): nothing is ever freed here. */
void nk_array_free(void* meminfo) { (void)meminfo; }

/* The host adds the calling chain of the launch; lines inside GPU code are exact. */
void nk_traceback(const char* function, i32 line) {
  (void)function;
  (void)line;
}

void nk_error_line(i32 line) {
  if (nk_gpu_error.line == 0) nk_gpu_error.line = line;
}

i64 nk_ipow(i64 base, i64 exp) {
  u64 result = 1, b = (u64)base, e = (u64)exp;
  while (e) {
    if (e & 1) result *= b;
    b *= b;
    e >>= 1;
  }
  return (i64)result;
}

/* Python's slice.indices(len) and the element count, as the CPU runtime's nk_slice. */
i32 nk_slice(i64 len, i32 has_lo, i64 lo, i32 has_hi, i64 hi, i32 has_step, i64 step, i64* out) {
  if (!has_step) step = 1;
  if (step == 0) {
    static const char kind[] = "ValueError";
    static const char message[] = "slice step cannot be zero";
    nk_raise(kind, message, sizeof message - 1, 0);
    return 1;
  }
  i64 start, stop, count = 0;
  if (has_lo) {
    start = lo;
    if (start < 0) {
      start += len;
      if (start < 0) start = step < 0 ? -1 : 0;
    } else if (start >= len) {
      start = step < 0 ? len - 1 : len;
    }
  } else {
    start = step < 0 ? len - 1 : 0;
  }
  if (has_hi) {
    stop = hi;
    if (stop < 0) {
      stop += len;
      if (stop < 0) stop = step < 0 ? -1 : 0;
    } else if (stop >= len) {
      stop = step < 0 ? len - 1 : len;
    }
  } else {
    stop = step < 0 ? -1 : len;
  }
  if (step < 0) {
    if (stop < start) count = (start - stop - 1) / -step + 1;
  } else if (start < stop) {
    count = (stop - start - 1) / step + 1;
  }
  out[0] = count > 0 ? start : 0;
  out[1] = step;
  out[2] = count;
  return 0;
}
