// Tokens produced by the lexer: a kind from tokens.def, a source range, and for
// literals their decoded value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/source.h"

namespace nk {

enum class Tok : uint8_t {
#define TOKEN(kind, desc) kind,
#define KEYWORD(kind, spelling) kw_##kind,
#define PUNCT(kind, spelling) kind,
#include "frontend/tokens.def"
#undef TOKEN
#undef KEYWORD
#undef PUNCT
};

// "identifier", "'def'", "'+='": how a token kind is named in messages.
std::string tok_description(Tok kind);
// The exact spelling of keywords and punctuators; the description for the others.
const char* tok_spelling(Tok kind);
const char* tok_name(Tok kind);  // the enumerator's name, for --emit=tokens

struct Token {
  Tok kind = Tok::EndOfFile;
  SourceRange range;
  // Literal payloads. text: identifier spelling or decoded string contents (for
  // f-strings: the raw body between the quotes, parsed later by the parser).
  std::string text;
  int64_t int_value = 0;
  double float_value = 0;
  uint32_t body_offset = 0;  // f-strings: offset of the body in the source
  bool raw = false;          // f-strings: r prefix
};

std::string describe_token(const Token& t);  // for "expected X, found Y"

}  // namespace nk
