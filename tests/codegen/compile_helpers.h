// Helpers for the codegen tests: a program's source compiled for one specialisation to
// an object (or bundle) with compile_object, and the array descriptors compiled code
// takes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "codegen/jit.h"
#include "frontend/lexer.h"
#include "frontend/parser.h"
#include "ir/check.h"

namespace nk::test {

struct Compiled {
  std::string object;
  bool ok = false;
};

// `sig` as the C++ API writes it: "(float64[::1],)".
inline Compiled compile(const std::string& source, const std::string& function, const std::string& sig,
                        bool lazy_checked_copies = true) {
  SourceFile file("test.nk", source);
  Diagnostics diags(file);
  std::vector<Token> tokens = lex(file, diags);
  ast::Module module = parse(tokens, file, diags);
  ir::CheckOptions check;
  check.function = function;
  check.signature = sig;
  check.host = false;
  ir::Program program = ir::check(module, file, diags, check);
  EXPECT_FALSE(diags.has_errors());
  codegen::CompileOptions options;
  options.opt_level = 3;
  options.lower.source = &file;
  options.lazy_checked_copies = lazy_checked_copies;
  std::string error;
  codegen::PhaseTimes times;
  Compiled c;
  c.ok = codegen::compile_object(program, options, c.object, times, error);
  EXPECT_TRUE(c.ok) << error;
  return c;
}

// A 1-d float64 array as compiled code takes it (runtime/array_block.h, ArrayDesc): no
// owner block, the data, the shape and the byte strides.
struct Descriptor1d {
  void* block;
  double* data;
  int64_t shape, stride;
};

}  // namespace nk::test
