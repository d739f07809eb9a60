// Broken compiler invariants (never user mistakes): NK_CHECK(cond) << "why" throws
// nk::InternalError, which the CLI and API report as an internal error, never a crash.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace nk {

class InternalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
class CheckFailure {
 public:
  CheckFailure(const char* cond, const char* file, int line) {
    stream_ << file << ':' << line << ": check failed: " << cond << ": ";
  }
  [[noreturn]] ~CheckFailure() noexcept(false) { throw InternalError(stream_.str()); }
  template <class T> CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};
}  // namespace detail

}  // namespace nk

#define NK_CHECK(cond) \
  if (cond) {          \
  } else               \
    ::nk::detail::CheckFailure(#cond, __FILE__, __LINE__)
