// print() and f-strings for compiled code: values formatted by runtime/format.h,
// written to a buffered stdout; f-string results live until the program ends.
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>

#include "runtime/entry_points.h"
#include "runtime/errors.h"
#include "runtime/format.h"

namespace {

struct Desc {
  void* meminfo;
  char* data;
  int64_t dims[];
};

void out(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

// f-string results are small and few; they are kept (per thread) until exit.
std::deque<std::string>& string_pool() {
  thread_local std::deque<std::string> pool;
  return pool;
}

std::string array_text(void* desc, int32_t ndim, int32_t dtype) {
  Desc* d = static_cast<Desc*>(desc);
  return nk::runtime::format_array(d->data, static_cast<nk::runtime::DType>(dtype), ndim, d->dims, d->dims + ndim);
}

// Appends what a formatter produced to the builder, or raises its ValueError.
bool fail(bool ok, const std::string& error, int32_t line, void* builder, const std::string& text) {
  if (ok) {
    static_cast<std::string*>(builder)->append(text);
    return false;
  }
  nk::runtime::raise("ValueError", error, line);
  return true;
}

}  // namespace

namespace nk::runtime {
void flush_output() { std::fflush(stdout); }
}  // namespace nk::runtime

extern "C" void nk_print_str(void* s, int64_t len) { std::fwrite(s, 1, static_cast<size_t>(len), stdout); }
extern "C" void nk_print_i64(int64_t v) { std::fprintf(stdout, "%lld", static_cast<long long>(v)); }
extern "C" void nk_print_u64(int64_t v) { std::fprintf(stdout, "%llu", static_cast<unsigned long long>(v)); }
extern "C" void nk_print_f64(double v) { out(nk::runtime::repr_float64(v)); }
extern "C" void nk_print_f32(float v) { out(nk::runtime::repr_float32(v)); }
extern "C" void nk_print_bool(bool v) { out(v ? "True" : "False"); }
extern "C" void nk_print_array(void* desc, int32_t ndim, int32_t dtype) { out(array_text(desc, ndim, dtype)); }

extern "C" void* nk_fmt_begin() { return new std::string(); }

extern "C" int32_t nk_fmt_str(void* b, void* s, int64_t len, void* spec, int64_t spec_len, int32_t line) {
  std::string error;
  std::string_view v(static_cast<const char*>(s), static_cast<size_t>(len));
  if (spec_len == 0) {
    static_cast<std::string*>(b)->append(v);
    return 0;
  }
  std::string text;
  bool ok = nk::runtime::format_str(text, v, std::string_view(static_cast<const char*>(spec), static_cast<size_t>(spec_len)), error);
  return fail(ok, error, line, b, text);
}

extern "C" int32_t nk_fmt_i64(void* b, int64_t v, bool is_unsigned, void* spec, int64_t spec_len, int32_t line) {
  std::string error;
  std::string text;
  bool ok = nk::runtime::format_int(text, v, is_unsigned, std::string_view(static_cast<const char*>(spec), static_cast<size_t>(spec_len)), error);
  return fail(ok, error, line, b, text);
}

extern "C" int32_t nk_fmt_f64(void* b, double v, bool is_f32, void* spec, int64_t spec_len, int32_t line) {
  std::string error;
  std::string text;
  bool ok = nk::runtime::format_float(text, v, is_f32, std::string_view(static_cast<const char*>(spec), static_cast<size_t>(spec_len)), error);
  return fail(ok, error, line, b, text);
}

extern "C" int32_t nk_fmt_bool(void* b, bool v, void* spec, int64_t spec_len, int32_t line) {
  std::string error;
  std::string text;
  bool ok = nk::runtime::format_bool(text, v, std::string_view(static_cast<const char*>(spec), static_cast<size_t>(spec_len)), error);
  return fail(ok, error, line, b, text);
}

extern "C" void nk_fmt_array(void* b, void* desc, int32_t ndim, int32_t dtype) {
  static_cast<std::string*>(b)->append(array_text(desc, ndim, dtype));
}

extern "C" void nk_fmt_end(void* b, void* result) {
  std::string* s = static_cast<std::string*>(b);
  std::deque<std::string>& pool = string_pool();
  pool.push_back(std::move(*s));
  delete s;
  struct Str {
    const char* data;
    int64_t len;
  };
  *static_cast<Str*>(result) = {pool.back().data(), static_cast<int64_t>(pool.back().size())};
}
