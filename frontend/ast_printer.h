// Prints an AST: one statement per line, indented by nesting, expressions as
// s-expressions. `nk compile --emit=ast` and the parse tests read this form.
#pragma once

#include <ostream>
#include <string>

#include "frontend/ast.h"

namespace nk::ast {

void print(std::ostream& out, const Module& module);
std::string to_string(const Expr& expr);

}  // namespace nk::ast
