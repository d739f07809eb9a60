// The lexer. One pass over the bytes; indentation is measured at the start of each
// logical line with tab sizes 8 and 1 (CPython's rule: both must agree, else TabError).
#include "frontend/lexer.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

namespace nk {
namespace {

struct Punct {
  const char* spelling;
  Tok kind;
};

const Punct kPuncts[] = {
#define TOKEN(kind, desc)
#define KEYWORD(kind, spelling)
#define PUNCT(kind, spelling) {spelling, Tok::kind},
#include "frontend/tokens.def"
#undef TOKEN
#undef KEYWORD
#undef PUNCT
};

struct Keyword {
  const char* spelling;
  Tok kind;
};

const Keyword kKeywords[] = {
#define TOKEN(kind, desc)
#define KEYWORD(kind, spelling) {spelling, Tok::kw_##kind},
#define PUNCT(kind, spelling)
#include "frontend/tokens.def"
#undef TOKEN
#undef KEYWORD
#undef PUNCT
};

bool is_ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool is_ident_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

uint32_t decode_utf8(std::string_view s, size_t i, size_t n) {
  uint32_t cp = static_cast<unsigned char>(s[i]) & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// Python allows letters (and marks, digits) of any script in names; these ranges hold
// spaces, punctuation, symbols and emoji, which it rejects. (An approximation of
// Unicode's XID classes that needs no tables.)
bool is_identifier_code_point(uint32_t cp) {
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;
  if (cp >= 0x3000 && cp <= 0x3003) return false;
  if (cp >= 0xE000 && cp <= 0xF8FF) return false;
  if ((cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF) return false;
  if (cp >= 0x1F000 && cp <= 0x1FFFF) return false;
  return true;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  Lexer(std::string_view src, uint32_t base, bool fragment, Diagnostics& diags)
      : src_(src), diags_(diags), base_(base), fragment_(fragment) {
    if (fragment) line_start_ = false;
  }

  std::vector<Token> run();
  std::string decode_all();

 private:
  struct IndentLevel {
    uint32_t col8, col1;
  };
  struct OpenBracket {
    char ch;
    uint32_t offset;
  };

  bool at_end() const { return pos_ >= src_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  uint32_t pos32() const { return base_ + static_cast<uint32_t>(pos_); }
  uint32_t at(size_t p) const { return base_ + static_cast<uint32_t>(p); }

  void emit(Tok kind, uint32_t begin, uint32_t end) {
    Token t;
    t.kind = kind;
    t.range = {begin, end};
    tokens_.push_back(std::move(t));
  }
  void error(DiagId id, uint32_t begin, uint32_t end, std::initializer_list<std::string> args = {}) {
    diags_.report(id, {begin, end}, args);
  }

  void lex_line_start();
  void lex_identifier_or_string();
  void lex_number();
  void lex_string(size_t prefix_begin, bool raw, bool fstring);
  void lex_punct();
  bool check_bad_byte();
  // Skips a comment; NUL bytes and invalid UTF-8 are errors there too (as in Python).
  void skip_comment() {
    while (!at_end() && peek() != '\n' && peek() != '\r') {
      if ((peek() == '\0' || static_cast<unsigned char>(peek()) >= 0x80) && check_bad_byte()) continue;
      pos_ += static_cast<unsigned char>(peek()) >= 0x80 ? utf8_sequence_length(src_, pos_) : 1;
    }
  }
  bool decode_escape(std::string& out);

  std::string_view src_;
  Diagnostics& diags_;
  size_t pos_ = 0;
  bool line_start_ = true;
  std::vector<IndentLevel> indents_{{0, 0}};
  std::vector<OpenBracket> brackets_;
  std::vector<Token> tokens_;
  uint32_t base_ = 0;
  bool fragment_ = false;
};

std::vector<Token> Lexer::run() {
  if (src_.size() > kMaxSourceBytes) {
    error(DiagId::FileTooLarge, 0, 0, {std::to_string(src_.size()), std::to_string(kMaxSourceBytes)});
    emit(Tok::EndOfFile, 0, 0);
    return std::move(tokens_);
  }
  while (!diags_.saturated()) {
    if (line_start_) {
      lex_line_start();
      if (at_end()) break;
      continue;
    }
    if (at_end()) break;
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\f') {
      ++pos_;
    } else if (c == '#') {
      skip_comment();
    } else if (c == '\n' || c == '\r') {
      uint32_t b = pos32();
      pos_ += (c == '\r' && peek(1) == '\n') ? 2 : 1;
      if (brackets_.empty() && !fragment_) {
        emit(Tok::Newline, b, pos32());
        line_start_ = true;
      }
    } else if (c == '\\') {
      size_t after = pos_ + 1;
      if (after < src_.size() && (src_[after] == '\n' || src_[after] == '\r')) {
        pos_ = after + ((src_[after] == '\r' && after + 1 < src_.size() && src_[after + 1] == '\n') ? 2 : 1);
      } else if (after >= src_.size()) {
        error(DiagId::BadContinuation, pos32(), pos32() + 1);
        ++pos_;
      } else {
        error(DiagId::BadContinuation, pos32(), pos32() + 1);
        ++pos_;
      }
    } else if (is_ident_start(static_cast<unsigned char>(c))) {
      if (static_cast<unsigned char>(c) >= 0x80 && check_bad_byte()) continue;
      lex_identifier_or_string();
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
      lex_number();
    } else if (c == '"' || c == '\'') {
      lex_string(pos_, false, false);
    } else {
      if (check_bad_byte()) continue;
      lex_punct();
    }
  }
  uint32_t end = at(src_.size());
  if (!brackets_.empty()) {
    const OpenBracket& open = brackets_.back();
    error(DiagId::UnclosedBracket, open.offset, open.offset + 1, {std::string(1, open.ch)});
  }
  if (!fragment_ && !tokens_.empty() && tokens_.back().kind != Tok::Newline && tokens_.back().kind != Tok::Dedent &&
      tokens_.back().kind != Tok::Indent)
    emit(Tok::Newline, end, end);
  while (indents_.size() > 1) {
    indents_.pop_back();
    emit(Tok::Dedent, end, end);
  }
  emit(Tok::EndOfFile, end, end);
  return std::move(tokens_);
}

// NUL bytes and invalid UTF-8 are reported once per line and skipped.
bool Lexer::check_bad_byte() {
  unsigned char c = static_cast<unsigned char>(peek());
  if (c == 0) {
    error(DiagId::NullByte, pos32(), pos32() + 1);
    emit(Tok::Error, pos32(), pos32() + 1);
    ++pos_;
    return true;
  }
  if (c >= 0x80) {
    size_t n = utf8_sequence_length(src_, pos_);
    if (n == 0) {
      error(DiagId::InvalidUtf8, pos32(), pos32() + 1);
      emit(Tok::Error, pos32(), pos32() + 1);
      ++pos_;
      while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++pos_;
      return true;
    }
  }
  return false;
}

void Lexer::lex_line_start() {
  // Measure indentation; blank and comment-only lines do not count.
  for (;;) {
    uint32_t col8 = 0, col1 = 0;
    bool saw_tab = false, saw_space = false;
    size_t begin = pos_;
    while (!at_end()) {
      char c = peek();
      if (c == ' ') { ++col8; ++col1; saw_space = true; }
      else if (c == '\t') { col8 = (col8 / 8 + 1) * 8; ++col1; saw_tab = true; }
      else if (c == '\f') { col8 = col1 = 0; }
      else break;
      ++pos_;
    }
    if (at_end()) return;
    char c = peek();
    if (c == '#') {
      skip_comment();
      continue;
    }
    if (c == '\n' || c == '\r') {
      pos_ += (c == '\r' && peek(1) == '\n') ? 2 : 1;
      continue;
    }
    if (c == '\\' && (peek(1) == '\n' || peek(1) == '\r')) {
      // A continuation on an otherwise empty line joins it with the next.
      pos_ += (peek(1) == '\r' && peek(2) == '\n') ? 3 : 2;
      continue;
    }
    line_start_ = false;
    uint32_t here = pos32();
    (void)begin;
    (void)saw_tab;
    (void)saw_space;
    const IndentLevel& top = indents_.back();
    if (col8 == top.col8) {
      if (col1 != top.col1) error(DiagId::TabsAndSpaces, at(begin), here);
      return;
    }
    if (col8 > top.col8) {
      if (col1 <= top.col1) {
        error(DiagId::TabsAndSpaces, at(begin), here);
        return;
      }
      if (indents_.size() > kMaxIndentDepth) {
        error(DiagId::TooDeepIndent, here, here + 1, {std::to_string(kMaxIndentDepth)});
        return;
      }
      indents_.push_back({col8, col1});
      emit(Tok::Indent, here, here);
      return;
    }
    while (indents_.size() > 1 && col8 < indents_.back().col8) {
      indents_.pop_back();
      emit(Tok::Dedent, here, here);
    }
    if (col8 != indents_.back().col8) {
      error(DiagId::UnindentMismatch, at(begin), here);
    } else if (col1 != indents_.back().col1) {
      error(DiagId::TabsAndSpaces, at(begin), here);
    }
    return;
  }
}

void Lexer::lex_identifier_or_string() {
  size_t begin = pos_;
  while (!at_end()) {
    unsigned char c = static_cast<unsigned char>(peek());
    if (c >= 0x80) {
      size_t n = utf8_sequence_length(src_, pos_);
      if (n == 0) break;
      uint32_t cp = decode_utf8(src_, pos_, n);
      if (!is_identifier_code_point(cp)) {
        if (pos_ > begin) break;  // end the name here; the character is reported next
        char hex[16];
        std::snprintf(hex, sizeof hex, "%04X", cp);
        error(DiagId::InvalidIdentifierChar, pos32(), pos32() + static_cast<uint32_t>(n),
              {std::string(src_.substr(pos_, n)), hex});
        emit(Tok::Error, pos32(), pos32() + static_cast<uint32_t>(n));
        pos_ += n;
        return;
      }
      pos_ += n;
    } else if (is_ident_char(c)) {
      ++pos_;
    } else {
      break;
    }
  }
  std::string_view word = src_.substr(begin, pos_ - begin);
  char next = peek();
  if ((next == '"' || next == '\'') && word.size() <= 2) {
    bool raw = false, fstr = false, bytes = false, known = true;
    for (char ch : word) {
      switch (ch) {
        case 'r': case 'R': raw = true; break;
        case 'f': case 'F': fstr = true; break;
        case 'b': case 'B': bytes = true; break;
        case 'u': case 'U': if (word.size() != 1) known = false; break;
        default: known = false;
      }
    }
    if (!known || (bytes && fstr)) {
      error(DiagId::UnknownStringPrefix, at(begin), pos32(), {std::string(word)});
    } else if (bytes) {
      error(DiagId::BytesLiteral, at(begin), pos32());
    }
    lex_string(begin, raw, fstr);
    return;
  }
  Token t;
  t.kind = Tok::Identifier;
  t.range = {at(begin), pos32()};
  for (const Keyword& k : kKeywords) {
    if (word == k.spelling) {
      t.kind = k.kind;
      break;
    }
  }
  if (t.kind == Tok::Identifier) t.text = std::string(word);
  tokens_.push_back(std::move(t));
}

void Lexer::lex_number() {
  size_t begin = pos_;
  auto digits = [&](auto is_digit) {
    // digits separated by single underscores; returns false on a misplaced '_'.
    bool ok = true;
    bool last_underscore = false;
    bool any = false;
    while (!at_end()) {
      char c = peek();
      if (c == '_') {
        if (last_underscore || !any) ok = false;
        last_underscore = true;
      } else if (is_digit(c)) {
        last_underscore = false;
        any = true;
      } else {
        break;
      }
      ++pos_;
    }
    return ok && !last_underscore && any;
  };
  auto is_dec = [](char c) { return c >= '0' && c <= '9'; };
  auto finish_bad = [&](const char* what) {
    while (!at_end() && is_ident_char(static_cast<unsigned char>(peek()))) ++pos_;
    error(DiagId::InvalidNumber, at(begin), pos32(),
          {what, quote_excerpt(src_.substr(begin, pos_ - begin))});
    emit(Tok::Error, at(begin), pos32());
  };

  char c0 = peek(), c1 = static_cast<char>(std::tolower(static_cast<unsigned char>(peek(1))));
  if (c0 == '0' && (c1 == 'x' || c1 == 'o' || c1 == 'b')) {
    int base = c1 == 'x' ? 16 : c1 == 'o' ? 8 : 2;
    const char* what = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
    pos_ += 2;
    if (peek() == '_') ++pos_;  // 0x_ff is valid Python
    size_t digits_begin = pos_;
    bool ok = digits([&](char c) {
      int v = hex_value(c);
      return v >= 0 && v < base;
    });
    if (!ok || (!at_end() && is_ident_char(static_cast<unsigned char>(peek())))) {
      finish_bad(what);
      return;
    }
    uint64_t value = 0;
    bool overflow = false;
    for (size_t i = digits_begin; i < pos_; ++i) {
      if (src_[i] == '_') continue;
      uint64_t d = static_cast<uint64_t>(hex_value(src_[i]));
      if (value > (std::numeric_limits<uint64_t>::max() - d) / static_cast<uint64_t>(base)) overflow = true;
      value = value * static_cast<uint64_t>(base) + d;
    }
    std::string spelling(src_.substr(begin, pos_ - begin));
    if (overflow || value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      error(DiagId::IntegerTooLarge, at(begin), pos32(), {quote_excerpt(spelling)});
      value = 0;
    }
    Token t;
    t.kind = Tok::IntLiteral;
    t.range = {at(begin), pos32()};
    t.int_value = static_cast<int64_t>(value);
    tokens_.push_back(std::move(t));
    return;
  }

  bool is_float = false;
  bool ok = true;
  if (peek() != '.') ok = digits(is_dec);
  if (peek() == '.' && !(peek(1) == '.' && peek(2) == '.')) {
    is_float = true;
    ++pos_;
    if (is_dec(peek())) ok = digits(is_dec) && ok;
    else if (peek() == '_') ok = false;
  }
  if (peek() == 'e' || peek() == 'E') {
    char s = peek(1);
    if (is_dec(s) || ((s == '+' || s == '-') && is_dec(peek(2)))) {
      is_float = true;
      pos_ += (s == '+' || s == '-') ? 2 : 1;
      ok = digits(is_dec) && ok;
    } else {
      ++pos_;
      ok = false;
    }
  }
  if (peek() == 'j' || peek() == 'J') {
    ++pos_;
    error(DiagId::ComplexLiteral, at(begin), pos32());
    emit(Tok::Error, at(begin), pos32());
    return;
  }
  if (!ok || (!at_end() && is_ident_char(static_cast<unsigned char>(peek())))) {
    finish_bad(is_float ? "float" : "decimal");
    return;
  }
  std::string spelling;
  for (size_t i = begin; i < pos_; ++i)
    if (src_[i] != '_') spelling += src_[i];
  Token t;
  t.range = {at(begin), pos32()};
  if (is_float) {
    t.kind = Tok::FloatLiteral;
    t.float_value = std::strtod(spelling.c_str(), nullptr);
  } else {
    t.kind = Tok::IntLiteral;
    if (spelling.size() > 1 && spelling[0] == '0' && spelling.find_first_not_of('0') != std::string::npos) {
      error(DiagId::LeadingZero, t.range.begin, t.range.end);
    }
    uint64_t value = 0;
    bool overflow = false;
    for (char c : spelling) {
      uint64_t d = static_cast<uint64_t>(c - '0');
      if (value > (std::numeric_limits<uint64_t>::max() - d) / 10) overflow = true;
      value = value * 10 + d;
    }
    // 9223372036854775808 is accepted so that -9223372036854775808 can be written;
    // the parser rejects it when it is not negated.
    if (overflow || value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      error(DiagId::IntegerTooLarge, t.range.begin, t.range.end, {quote_excerpt(src_.substr(begin, pos_ - begin))});
      value = 0;
    }
    t.int_value = static_cast<int64_t>(value);
  }
  tokens_.push_back(std::move(t));
}

// Decodes one escape sequence after a backslash (pos_ is at the character after it).
bool Lexer::decode_escape(std::string& out) {
  size_t esc_begin = pos_ - 1;
  char c = peek();
  ++pos_;
  switch (c) {
    case '\n': return true;
    case '\r': if (peek() == '\n') ++pos_; return true;
    case '\\': out += '\\'; return true;
    case '\'': out += '\''; return true;
    case '"': out += '"'; return true;
    case 'a': out += '\a'; return true;
    case 'b': out += '\b'; return true;
    case 'f': out += '\f'; return true;
    case 'n': out += '\n'; return true;
    case 'r': out += '\r'; return true;
    case 't': out += '\t'; return true;
    case 'v': out += '\v'; return true;
    case 'x': case 'u': case 'U': {
      int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      uint32_t cp = 0;
      for (int i = 0; i < n; ++i) {
        int v = hex_value(peek());
        if (v < 0) {
          error(DiagId::InvalidEscape, at(esc_begin), pos32(),
                {std::string(src_.substr(esc_begin, pos_ - esc_begin))});
          return false;
        }
        cp = cp * 16 + static_cast<uint32_t>(v);
        ++pos_;
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        error(DiagId::InvalidEscape, at(esc_begin), pos32(),
              {std::string(src_.substr(esc_begin, pos_ - esc_begin))});
        return false;
      }
      append_utf8(out, cp);
      return true;
    }
    case 'N':
      error(DiagId::NamedEscape, at(esc_begin), pos32());
      return false;
    default:
      if (c >= '0' && c <= '7') {
        uint32_t v = static_cast<uint32_t>(c - '0');
        for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; ++i, ++pos_) v = v * 8 + static_cast<uint32_t>(peek() - '0');
        append_utf8(out, v);
        return true;
      }
      // Unknown escapes keep their backslash, as in Python.
      out += '\\';
      --pos_;
      return true;
  }
}

void Lexer::lex_string(size_t prefix_begin, bool raw, bool fstring) {
  char quote = peek();
  bool triple = peek(1) == quote && peek(2) == quote;
  size_t open_len = triple ? 3 : 1;
  pos_ += open_len;
  size_t body_begin = pos_;
  std::string value;
  bool closed = false;
  while (!at_end()) {
    char c = peek();
    if (c == quote && (!triple || (peek(1) == quote && peek(2) == quote))) {
      closed = true;
      break;
    }
    if (!triple && (c == '\n' || c == '\r')) break;
    if (c == '\0') {
      error(DiagId::NullByte, pos32(), pos32() + 1);
      ++pos_;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
      size_t n = utf8_sequence_length(src_, pos_);
      if (n == 0) {
        error(DiagId::InvalidUtf8, pos32(), pos32() + 1);
        ++pos_;
        while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++pos_;
        continue;
      }
      value.append(src_.substr(pos_, n));
      pos_ += n;
      continue;
    }
    if (c == '\\') {
      if (pos_ + 1 >= src_.size()) {
        ++pos_;
        break;
      }
      if (raw || fstring) {
        // Keep the escape as written; f-string bodies are decoded by the parser.
        value += c;
        value += src_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      ++pos_;
      decode_escape(value);
      continue;
    }
    value += c;
    ++pos_;
  }
  size_t body_end = pos_;
  if (!closed) {
    error(triple ? DiagId::UnterminatedTripleString : DiagId::UnterminatedString,
          at(prefix_begin), at(prefix_begin + open_len));
    Token t;
    t.kind = Tok::Error;
    t.range = {at(prefix_begin), pos32()};
    tokens_.push_back(std::move(t));
    return;
  }
  pos_ += open_len;
  Token t;
  t.kind = fstring ? Tok::FStringLiteral : Tok::StringLiteral;
  t.range = {at(prefix_begin), pos32()};
  t.raw = raw;
  if (fstring) {
    t.text = std::string(src_.substr(body_begin, body_end - body_begin));
    t.body_offset = at(body_begin);
  } else {
    t.text = std::move(value);
  }
  tokens_.push_back(std::move(t));
}

void Lexer::lex_punct() {
  for (const Punct& p : kPuncts) {
    size_t n = std::strlen(p.spelling);
    if (src_.compare(pos_, n, p.spelling) != 0) continue;
    uint32_t b = pos32();
    pos_ += n;
    char c = p.spelling[0];
    if (n == 1 && (c == '(' || c == '[' || c == '{')) {
      // Brackets deeper than this are certainly an attack; the parser limits nesting anyway.
      brackets_.push_back({c, b});
    } else if (n == 1 && (c == ')' || c == ']' || c == '}')) {
      char want = c == ')' ? '(' : c == ']' ? '[' : '{';
      if (brackets_.empty()) {
        error(DiagId::UnbalancedBracket, b, b + 1, {std::string(1, c)});
        emit(Tok::Error, b, b + 1);
        return;
      }
      Tok kind = p.kind;
      if (brackets_.back().ch != want) {
        error(DiagId::MismatchedBracket, b, b + 1, {std::string(1, c), std::string(1, brackets_.back().ch)});
        // Close what is open, so the parser does not report the same mistake again.
        char open = brackets_.back().ch;
        kind = open == '(' ? Tok::RParen : open == '[' ? Tok::RBracket : Tok::RBrace;
      }
      brackets_.pop_back();
      emit(kind, b, pos32());
      return;
    }
    emit(p.kind, b, pos32());
    return;
  }
  uint32_t b = pos32();
  char c = peek();
  std::string shown = (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                          ? "\\x" + std::string(1, "0123456789abcdef"[(c >> 4) & 15]) + "0123456789abcdef"[c & 15]
                          : std::string(1, c);
  error(DiagId::InvalidCharacter, b, b + 1, {shown});
  emit(Tok::Error, b, b + 1);
  ++pos_;
}

}  // namespace

std::string Lexer::decode_all() {
  std::string out;
  while (!at_end()) {
    if (peek() == '\\' && pos_ + 1 < src_.size()) {
      ++pos_;
      decode_escape(out);
    } else {
      out += peek();
      ++pos_;
    }
  }
  return out;
}

std::vector<Token> lex(const SourceFile& file, Diagnostics& diags) {
  return Lexer(file.text(), 0, false, diags).run();
}

std::vector<Token> lex_fragment(std::string_view text, uint32_t base, Diagnostics& diags) {
  return Lexer(text, base, true, diags).run();
}

std::string decode_escapes(std::string_view text, uint32_t base, Diagnostics& diags) {
  return Lexer(text, base, true, diags).decode_all();
}

}  // namespace nk
