// The exceptions of nk's C++ API: CompileError (with the structured diagnostics),
// RuntimeError (a Python-style exception raised by compiled code), TypeError (a call
// or a typed handle whose C++ types do not fit the function).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace nk {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CompileDiagnostic {
  std::string severity;  // "error", "warning", "note", "fatal error"
  std::string message;
  std::string file;
  int line = 0;
  int column = 0;
};

class CompileError : public Error {
 public:
  CompileError(std::vector<CompileDiagnostic> diagnostics, const std::string& rendered)
      : Error(rendered), diagnostics_(std::move(diagnostics)) {}
  const std::vector<CompileDiagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<CompileDiagnostic> diagnostics_;
};

class RuntimeError : public Error {
 public:
  RuntimeError(std::string kind, std::string message, std::string file, int line)
      : Error(file + ":" + std::to_string(line) + ": " + kind + (message.empty() ? "" : ": " + message)),
        kind_(std::move(kind)), message_(std::move(message)), file_(std::move(file)), line_(line) {}
  const std::string& kind() const { return kind_; }        // "IndexError", ...
  const std::string& message() const { return message_; }  // without the kind
  const std::string& file() const { return file_; }
  int line() const { return line_; }

 private:
  std::string kind_, message_, file_;
  int line_;
};

class TypeError : public Error {
 public:
  using Error::Error;
};

}  // namespace nk
