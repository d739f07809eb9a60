// Tests of the in-process compile pipeline (codegen/jit.h): a host compiler's object
// emitter is built once and runs every module after, so nothing of one module may leak
// into the next one's object code.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "codegen/jit.h"
#include "frontend/lexer.h"
#include "frontend/parser.h"
#include "ir/check.h"
#include "runtime/entry_points.h"

namespace {

struct Compiled {
  std::string object;
  bool ok = false;
};

Compiled compile(const std::string& source, const std::string& function, const std::string& sig) {
  nk::SourceFile file("test.nk", source);
  nk::Diagnostics diags(file);
  std::vector<nk::Token> tokens = nk::lex(file, diags);
  nk::ast::Module module = nk::parse(tokens, file, diags);
  nk::ir::CheckOptions check;
  check.function = function;
  check.signature = sig;
  check.host = false;
  nk::ir::Program program = nk::ir::check(module, file, diags, check);
  EXPECT_FALSE(diags.has_errors());
  nk::codegen::CompileOptions options;
  options.opt_level = 3;
  options.lower.source = &file;
  std::string error;
  nk::codegen::PhaseTimes times;
  Compiled c;
  c.ok = nk::codegen::compile_object(program, options, c.object, times, error);
  EXPECT_TRUE(c.ok) << error;
  return c;
}

const char* kInc = R"(
def inc(a):
    for i in range(len(a)):
        a[i] += 1
)";

const char* kStencil = R"(
def smooth(a, b):
    for i in range(1, a.shape[0] - 1):
        for j in range(1, a.shape[1] - 1):
            b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])
    print("done", a.shape[0])
)";

TEST(ObjectEmission, SameModuleSameBytesWhateverWasCompiledBefore) {
  Compiled first = compile(kInc, "inc", "(float64[::1],)");
  Compiled other = compile(kStencil, "smooth", "(float64[:, ::1], float64[:, ::1])");
  Compiled again = compile(kInc, "inc", "(float64[::1],)");
  ASSERT_TRUE(first.ok && other.ok && again.ok);
  EXPECT_GT(first.object.size(), 64u);
  EXPECT_EQ(first.object.substr(0, 4), std::string("\x7f" "ELF"));
  EXPECT_NE(first.object, other.object);
  EXPECT_EQ(first.object, again.object);
}

// A 1-d float64 array as compiled code takes it (runtime/array_block.h, ArrayDesc):
// no owner block, the data, the shape and the byte strides.
struct Descriptor1d {
  void* block;
  double* data;
  int64_t shape, stride;
};

TEST(ObjectEmission, EachObjectLinksAndRuns) {
  // Objects emitted one after another by the same emitter each link on their own.
  for (int round = 0; round < 3; ++round) {
    Compiled c = compile(round % 2 ? kStencil : kInc, round % 2 ? "smooth" : "inc",
                         round % 2 ? "(float64[:, ::1], float64[:, ::1])" : "(float64[::1],)");
    ASSERT_TRUE(c.ok);
    std::string error;
    auto engine = nk::codegen::Engine::create(3, nk::runtime::entry_points(), error);
    ASSERT_TRUE(engine) << error;
    ASSERT_TRUE(engine->add_object(c.object, error)) << error;
    std::string name = round % 2 ? "nk.fn.smooth.0" : "nk.fn.inc.0";
    void* fn = engine->lookup(name, error);
    ASSERT_NE(fn, nullptr) << error;
    if (round % 2) continue;
    double data[5] = {1, 2, 3, 4, 5};
    Descriptor1d a{nullptr, data, 5, sizeof(double)};
    EXPECT_EQ(reinterpret_cast<int32_t (*)(Descriptor1d*)>(fn)(&a), 0);
    EXPECT_EQ(data[0], 2.0);
    EXPECT_EQ(data[4], 6.0);
  }
}

}  // namespace
