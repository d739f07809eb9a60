// The pending exception, and error entry points of compiled code.
#include "runtime/errors.h"

#include <pthread.h>

#include <algorithm>

#include "runtime/entry_points.h"

namespace nk::runtime {

PendingError& pending_error() {
  thread_local PendingError error;
  return error;
}

void raise(const std::string& kind, const std::string& message, int32_t line) {
  PendingError& e = pending_error();
  e.set = true;
  e.kind = kind;
  e.message = message;
  e.line = line;
  e.callers.clear();
}

void clear_error() { pending_error() = PendingError{}; }

void print_error(std::ostream& out, const std::string& file_name) {
  const PendingError& e = pending_error();
  out << file_name << ':' << e.line << ": " << e.kind;
  if (!e.message.empty()) out << ": " << e.message;
  out << '\n';
  out << caller_chain(file_name);
}

std::string caller_chain(const std::string& file_name) {
  const PendingError& e = pending_error();
  std::string out;
  // Repeated frames (deep recursion) collapse as in Python's tracebacks.
  for (size_t i = 0; i < e.callers.size();) {
    size_t j = i + 1;
    while (j < e.callers.size() && e.callers[j] == e.callers[i]) ++j;
    size_t shown = std::min<size_t>(j - i, 3);
    for (size_t k = 0; k < shown; ++k)
      out += "  called from " + e.callers[i].first + " at " + file_name + ":" + std::to_string(e.callers[i].second) + "\n";
    if (j - i > shown) out += "  [previous line repeated " + std::to_string(j - i - shown) + " more times]\n";
    i = j;
  }
  return out;
}

}  // namespace nk::runtime

using nk::runtime::raise;

extern "C" void nk_raise(void* kind, void* msg, int64_t len, int32_t line) {
  raise(static_cast<const char*>(kind), std::string(static_cast<const char*>(msg), static_cast<size_t>(len)), line);
}

extern "C" void nk_raise_index(int64_t index, int32_t axis, int64_t size, int32_t line) {
  raise("IndexError",
        "index " + std::to_string(index) + " is out of bounds for axis " + std::to_string(axis) + " with size " +
            std::to_string(size),
        line);
}

extern "C" void nk_raise_zero_division(int32_t which, int32_t line) {
  static const char* messages[] = {"integer division or modulo by zero", "division by zero", "float division by zero",
                                   "float floor division by zero",       "float modulo",     "integer modulo by zero"};
  raise("ZeroDivisionError", messages[which >= 0 && which < 6 ? which : 1], line);
}

extern "C" void nk_error_line(int32_t line) {
  nk::runtime::PendingError& e = nk::runtime::pending_error();
  if (e.line == 0) e.line = line;
}

extern "C" void nk_traceback(void* function, int32_t line) {
  nk::runtime::pending_error().callers.push_back({static_cast<const char*>(function), line});
}

// Recursive functions compare their frame with this address on entry: below it, the
// thread's stack is nearly exhausted and the call raises RecursionError instead of
// crashing. The margin leaves room for the runtime's own calls (printing, errors).
extern "C" void* nk_stack_limit() {
  thread_local char* limit = [] {
    constexpr size_t kMargin = 256 * 1024;
    pthread_attr_t attr;
    void* base = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &base, &size);
      pthread_attr_destroy(&attr);
    }
    if (!base || size <= 2 * kMargin) return static_cast<char*>(nullptr);
    return static_cast<char*>(base) + kMargin;
  }();
  return limit;
}

extern "C" void nk_raise_recursion(void* function, int32_t line) {
  raise("RecursionError",
        std::string("maximum recursion depth exceeded in '") + static_cast<const char*>(function) + "'", line);
}
