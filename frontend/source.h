// A source file held in memory, and positions inside it.
// Locations are byte offsets; line and column are computed on demand for diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nk {

// A half-open byte range [begin, end) in one source file.
struct SourceRange {
  uint32_t begin = 0;
  uint32_t end = 0;
  static SourceRange merge(SourceRange a, SourceRange b) {
    return {a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
};

struct LineColumn {
  uint32_t line;    // 1-based
  uint32_t column;  // 1-based, in bytes (as clang prints)
};

class SourceFile {
 public:
  SourceFile(std::string name, std::string text);

  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }
  LineColumn line_column(uint32_t offset) const;
  // The text of 1-based line `line`, without its line break.
  std::string_view line_text(uint32_t line) const;
  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  std::string_view slice(SourceRange r) const;

 private:
  std::string name_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
};

// Reads a whole file; returns false (and leaves `error` set) when it cannot.
bool read_file(const std::string& path, std::string& contents, std::string& error);

}  // namespace nk
