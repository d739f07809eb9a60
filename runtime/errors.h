// Python-style exceptions raised by compiled code: the pending exception of this
// thread (kind, message, source line) and the chain of calls it passed through.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace nk::runtime {

struct PendingError {
  bool set = false;
  std::string kind;     // "IndexError", ...
  std::string message;
  int32_t line = 0;
  std::vector<std::pair<std::string, int32_t>> callers;  // (calling function, call line), innermost first
};

PendingError& pending_error();  // this thread's
void raise(const std::string& kind, const std::string& message, int32_t line);
void clear_error();
// Prints `file:LINE: Kind: message` and the calling chain (SPEC 2.9).
void print_error(std::ostream& out, const std::string& file_name);
// The calling chain alone: one "  called from F at file:LINE" line per frame, repeats
// collapsed as in Python's tracebacks.
std::string caller_chain(const std::string& file_name);

// Program arguments as sys.argv sees them (set by `nk run`).
void set_argv(std::vector<std::string> args);
// Flushes what print() buffered.
void flush_output();

}  // namespace nk::runtime
