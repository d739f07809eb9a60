// libFuzzer target: source bytes -> typed IR -> verified, optimised LLVM IR (and object
// code). Inputs that do not type-check stop early; for the rest, lowering, the LLVM
// verifier and the optimiser must never fail. Built with -DNK_FUZZ=ON and clang-19.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codegen/jit.h"
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
    if (diags.has_errors()) return 0;
    nk::ir::Program program = nk::ir::check(module, file, diags, {});
    if (diags.has_errors()) return 0;
    nk::codegen::CompileOptions options;
    options.opt_level = 1;  // the optimiser runs; -O1 keeps executions fast
    options.lower.source = &file;
    std::string object, error;
    nk::codegen::PhaseTimes times;
    if (!nk::codegen::compile_object(program, options, object, times, error)) __builtin_trap();
  } catch (const nk::InternalError&) {
    __builtin_trap();
  }
  return 0;
}
