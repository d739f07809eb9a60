// The parser: tokens -> AST, by recursive descent with a precedence table for binary
// operators. Python constructs outside nk's subset are parsed far enough to be named in
// a diagnostic, then skipped (panic mode: resume at the next statement).
#pragma once

#include <vector>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "frontend/token.h"

namespace nk {

// Brackets, unary operators and other recursive forms nested deeper than this are an
// error (CPython's parser stops at 200 as well).
constexpr unsigned kMaxParseNesting = 200;
// No expression tree may be deeper than this (long operator chains included), so the
// later stages can recurse over it safely.
constexpr unsigned kMaxExprDepth = 1000;

ast::Module parse(const std::vector<Token>& tokens, const SourceFile& file, Diagnostics& diags);

// Parses `text` (e.g. the contents of a signature string that starts at byte `base`
// of `file`) as one expression.
ast::ExprPtr parse_expression_text(std::string_view text, uint32_t base, const SourceFile& file, Diagnostics& diags);

// Lexes and parses a whole file.
ast::Module parse_source(const SourceFile& file, Diagnostics& diags);

}  // namespace nk
