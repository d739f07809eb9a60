// The lexer: source bytes -> tokens, with Python's INDENT/DEDENT/NEWLINE structure,
// implicit line joining inside brackets and backslash continuation.
#pragma once

#include <vector>

#include "frontend/diagnostics.h"
#include "frontend/token.h"

namespace nk {

// Indentation deeper than this is an error (CPython's limit is 100 too).
constexpr unsigned kMaxIndentDepth = 100;
// Larger sources are rejected up front.
constexpr size_t kMaxSourceBytes = 64u << 20;

// Lexes the whole file. Always ends with Newline? and EndOfFile; errors are reported to
// `diags` and the offending bytes skipped.
std::vector<Token> lex(const SourceFile& file, Diagnostics& diags);

// Lexes an expression embedded in an f-string: `text` starts at byte `base` of the
// file; no NEWLINE or INDENT tokens are produced.
std::vector<Token> lex_fragment(std::string_view text, uint32_t base, Diagnostics& diags);

// Decodes the backslash escapes of a string body (the literal parts of f-strings).
std::string decode_escapes(std::string_view text, uint32_t base, Diagnostics& diags);

}  // namespace nk
