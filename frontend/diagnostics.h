// Diagnostics as data: an id from diagnostics.def, a severity, a formatted message, a
// source range and notes. One renderer prints them in clang's format.
#pragma once

#include <initializer_list>
#include <ostream>
#include <string>
#include <vector>

#include "frontend/source.h"

namespace nk {

enum class Severity { Note, Warning, Error, Fatal };

enum class DiagId {
#define DIAG(id, severity, format) id,
#include "frontend/diagnostics.def"
#undef DIAG
};

const char* diag_name(DiagId id);
const char* severity_name(Severity s);  // "error", "note", ...

struct DiagNote {
  SourceRange range;
  bool has_range;
  std::string message;
};

struct Diagnostic {
  DiagId id;
  Severity severity;
  SourceRange range;
  std::string message;
  std::vector<DiagNote> notes;
};

// Collects diagnostics for one source file. After `max_errors` errors it records one
// fatal "too many errors" and ignores the rest, so pathological inputs stay bounded.
class Diagnostics {
 public:
  explicit Diagnostics(const SourceFile& file, unsigned max_errors = 50)
      : file_(&file), max_errors_(max_errors) {}

  // Reports `id` at `range`; {0}, {1}, ... in the message are replaced by `args`.
  Diagnostic& report(DiagId id, SourceRange range, std::initializer_list<std::string> args = {});
  // Adds a note (formatted from its own DiagId) to the most recent diagnostic.
  void note(DiagId id, SourceRange range, std::initializer_list<std::string> args = {});

  unsigned error_count() const { return errors_; }
  bool has_errors() const { return errors_ > 0; }
  bool saturated() const { return saturated_; }
  const std::vector<Diagnostic>& all() const { return diags_; }
  const SourceFile& file() const { return *file_; }

  void render(std::ostream& out) const;
  static void render_one(std::ostream& out, const SourceFile& file, Severity sev,
                         SourceRange range, const std::string& message);

 private:
  const SourceFile* file_;
  unsigned max_errors_;
  unsigned errors_ = 0;
  bool saturated_ = false;
  bool dropped_last_ = false;
  Diagnostic sink_;  // receives reports after saturation
  std::vector<Diagnostic> diags_;
};

std::string format_message(const char* format, std::initializer_list<std::string> args);

// Source text quoted in a message, shortened in the middle when it is long (a
// 100,000-digit literal is shown as its ends and its length).
std::string quote_excerpt(std::string_view text);

}  // namespace nk
