// Type checking: AST -> typed IR. Starts from the host program (and from functions
// with eager signatures), specialising each called function once per distinct
// argument-type signature, as Numba does.
#pragma once

#include <string>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "ir/ir.h"

namespace nk::ir {

struct CheckOptions {
  // Also specialise this function for this signature ("float64(float64[:], int64)"),
  // as `nk types --function NAME --sig SIG` asks.
  std::string function;
  std::string signature;
  // Type the host program (off: only eager signatures and `function` are roots).
  bool host = true;
  // The module had syntax errors (the statements they skipped may have defined names):
  // do not report undefined names, which would only be their consequences.
  bool after_syntax_errors = false;
};

Program check(const ast::Module& module, const SourceFile& file, Diagnostics& diags,
              const CheckOptions& options = {});

}  // namespace nk::ir
