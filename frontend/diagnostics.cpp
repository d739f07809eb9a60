// The diagnostic list and its clang-style renderer.
#include "frontend/diagnostics.h"

#include <algorithm>

namespace nk {
namespace {

struct DiagInfo {
  const char* name;
  Severity severity;
  const char* format;
};

const DiagInfo kDiagInfo[] = {
#define DIAG(id, severity, format) {#id, Severity::severity, format},
#include "frontend/diagnostics.def"
#undef DIAG
};

}  // namespace

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
    case Severity::Fatal: return "fatal error";
  }
  return "error";
}

namespace {

// Lines longer than this are shown as a window around the caret.
constexpr size_t kMaxShownLine = 160;

size_t utf8_width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

const char* diag_name(DiagId id) { return kDiagInfo[static_cast<int>(id)].name; }

std::string format_message(const char* format, std::initializer_list<std::string> args) {
  std::string out;
  for (const char* p = format; *p; ++p) {
    if (*p == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}') {
      size_t index = static_cast<size_t>(p[1] - '0');
      if (index < args.size()) out += *(args.begin() + index);
      p += 2;
    } else {
      out += *p;
    }
  }
  return out;
}

std::string quote_excerpt(std::string_view text) {
  constexpr size_t kMax = 40;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, 16)) + "..." + std::string(text.substr(text.size() - 16)) + " (" +
         std::to_string(text.size()) + " characters)";
}

Diagnostic& Diagnostics::report(DiagId id, SourceRange range,
                                std::initializer_list<std::string> args) {
  const DiagInfo& info = kDiagInfo[static_cast<int>(id)];
  if (saturated_) {
    dropped_last_ = true;
    return sink_;
  }
  dropped_last_ = false;
  if (info.severity >= Severity::Error) ++errors_;
  diags_.push_back({id, info.severity, range, format_message(info.format, args), {}});
  if (errors_ >= max_errors_ && info.severity != Severity::Fatal) {
    saturated_ = true;
    const DiagInfo& fatal = kDiagInfo[static_cast<int>(DiagId::TooManyErrors)];
    Diagnostic d{DiagId::TooManyErrors, fatal.severity, range, fatal.format, {}};
    diags_.push_back(std::move(d));
    // Return the real diagnostic so a caller can still attach notes to it.
    return diags_[diags_.size() - 2];
  }
  return diags_.back();
}

void Diagnostics::note(DiagId id, SourceRange range, std::initializer_list<std::string> args) {
  if (dropped_last_ || diags_.empty()) return;
  const DiagInfo& info = kDiagInfo[static_cast<int>(id)];
  Diagnostic* target = &diags_.back();
  if (target->id == DiagId::TooManyErrors && diags_.size() >= 2) target = &diags_[diags_.size() - 2];
  target->notes.push_back({range, true, format_message(info.format, args)});
}

void Diagnostics::render_one(std::ostream& out, const SourceFile& file, Severity sev,
                             SourceRange range, const std::string& message) {
  LineColumn lc = file.line_column(range.begin);
  out << file.name() << ':' << lc.line << ':' << lc.column << ": " << severity_name(sev) << ": "
      << message << '\n';
  std::string_view line = file.line_text(lc.line);
  size_t start = lc.column - 1;
  if (start > line.size()) start = line.size();
  // The caret covers the range, clipped to the first line.
  size_t len = range.end > range.begin ? range.end - range.begin : 1;
  if (start + len > line.size()) len = line.size() > start ? line.size() - start : 1;
  size_t window_begin = 0;
  if (line.size() > kMaxShownLine) {
    window_begin = start > kMaxShownLine / 2 ? start - kMaxShownLine / 2 : 0;
    line = line.substr(window_begin, kMaxShownLine);
    start -= window_begin;
    if (start + len > line.size()) len = line.size() > start ? line.size() - start : 1;
  }
  std::string shown;
  std::string pad;
  for (size_t i = 0; i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    char shown_char = c == '\t' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    shown += shown_char;
  }
  // Tabs are shown as single spaces so the caret column matches.
  pad.assign(utf8_width(line.substr(0, start)), ' ');
  size_t width = std::max<size_t>(1, utf8_width(line.substr(start, len)));
  out << shown << '\n';
  out << pad << '^' << std::string(width - 1, '~') << '\n';
}

void Diagnostics::render(std::ostream& out) const {
  // In source order (stages report in their own order); "too many errors" stays last.
  std::vector<const Diagnostic*> sorted;
  for (const Diagnostic& d : diags_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    bool fa = a->id == DiagId::TooManyErrors, fb = b->id == DiagId::TooManyErrors;
    if (fa != fb) return fb;
    return a->range.begin < b->range.begin;
  });
  for (const Diagnostic* dp : sorted) {
    const Diagnostic& d = *dp;
    render_one(out, *file_, d.severity, d.range, d.message);
    for (const DiagNote& n : d.notes) {
      if (n.has_range) render_one(out, *file_, Severity::Note, n.range, n.message);
      else out << file_->name() << ": note: " << n.message << '\n';
    }
  }
}

}  // namespace nk
