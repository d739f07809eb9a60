// The pending exception, and error entry points of compiled code.
#include "runtime/errors.h"

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
  for (const auto& [caller, line] : e.callers) out << "  called from " << caller << " at " << file_name << ':' << line << '\n';
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

extern "C" void nk_traceback(void* function, int32_t line) {
  nk::runtime::pending_error().callers.push_back({static_cast<const char*>(function), line});
}

extern "C" void nk_cuda_unavailable(void* function, int32_t line) {
  raise("RuntimeError",
        std::string("cannot run '") + static_cast<const char*>(function) +
            "' on a GPU: this nk has no CUDA backend yet; run with --target=cpu to run it on the CPU",
        line);
}
