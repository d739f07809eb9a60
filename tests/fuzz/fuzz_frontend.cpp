// libFuzzer target: source bytes -> tokens -> AST -> typed IR. Any crash, sanitizer
// report or internal error (a broken invariant, NK_CHECK) is a bug; diagnostics are
// fine. Built with -DNK_FUZZ=ON and clang-19 (tests/fuzz/README.md).
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/internal_error.h"
#include "frontend/lexer.h"
#include "frontend/parser.h"
#include "ir/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nk::SourceFile file("fuzz.nk", std::string(reinterpret_cast<const char*>(data), size));
  nk::Diagnostics diags(file);
  try {
    std::vector<nk::Token> tokens = nk::lex(file, diags);
    nk::ast::Module module = nk::parse(tokens, file, diags);
    nk::ir::CheckOptions options;
    options.after_syntax_errors = diags.has_errors();
    nk::ir::Program program = nk::ir::check(module, file, diags, options);
  } catch (const nk::InternalError&) {
    __builtin_trap();
  }
  return 0;
}
