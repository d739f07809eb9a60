// Unit tests of type inference through ir::check(): the types of locals and returns
// for small programs, and the diagnostics of ill-typed ones.
#include <gtest/gtest.h>

#include "frontend/parser.h"
#include "ir/check.h"

namespace nk::ir {
namespace {

struct Checked {
  Program program;
  std::vector<Diagnostic> diags;
};

Checked check_text(const std::string& text, const CheckOptions& options = {}) {
  static std::vector<std::unique_ptr<SourceFile>> files;  // the AST refers to them
  files.push_back(std::make_unique<SourceFile>("t.nk", text));
  SourceFile& file = *files.back();
  Diagnostics diags(file);
  static std::vector<std::unique_ptr<ast::Module>> modules;
  modules.push_back(std::make_unique<ast::Module>(parse_source(file, diags)));
  Program p = check(*modules.back(), file, diags, options);
  return {std::move(p), diags.all()};
}

const Function* find(const Program& p, const std::string& name, size_t nth = 0) {
  for (const auto& f : p.functions)
    if (f->name == name && nth-- == 0) return f.get();
  return nullptr;
}

std::string local_type(const Function* f, const std::string& name) {
  for (const Local& l : f->locals)
    if (l.name == name) return l.type->str();
  return "<none>";
}

TEST(Check, SeedProgram) {
  Checked c = check_text(
      "from nk import jit\nimport numpy as np\n"
      "def func(a):\n    for i in range(10):\n        a[i] += 1\n"
      "@jit(target=\"cuda\")\ndef func2(a):\n    for i in range(10):\n        a[i] += 1\n"
      "if __name__ == \"__main__\":\n    a = np.ones(10, dtype=np.float64)\n    func(a)\n    func2(a)\n");
  ASSERT_TRUE(c.diags.empty()) << c.diags[0].message;
  const Function* f = find(c.program, "func");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->signature(), "(array(float64, 1d, C)) -> none");
  EXPECT_EQ(local_type(f, "i"), "int64");
  EXPECT_EQ(find(c.program, "func2")->target, Target::CudaAuto);
  EXPECT_EQ(local_type(c.program.host, "a"), "array(float64, 1d, C)");
}

TEST(Check, WeakLiteralsKeepFloat32) {
  Checked c = check_text(
      "import numpy as np\n"
      "def f(x):\n    y = x[0] * 2.0\n    s = 0.0\n    s += x[0]\n    return y\n"
      "f(np.zeros(3, dtype=np.float32))\n");
  ASSERT_TRUE(c.diags.empty());
  const Function* f = find(c.program, "f");
  EXPECT_EQ(local_type(f, "y"), "float32");
  EXPECT_EQ(local_type(f, "s"), "float64");
  EXPECT_EQ(f->return_type->str(), "float32");
}

TEST(Check, IntThenFloatUnifiesToFloat) {
  Checked c = check_text("def f(n):\n    s = 0\n    for i in range(n):\n        s += 0.5\n    return s\nf(3)\n");
  ASSERT_TRUE(c.diags.empty());
  EXPECT_EQ(local_type(find(c.program, "f"), "s"), "float64");
}

TEST(Check, OneSpecialisationPerSignature) {
  Checked c = check_text(
      "import numpy as np\n"
      "def f(x):\n    return x[0]\n"
      "f(np.zeros(3, dtype=np.float32))\nf(np.zeros(3))\nf(np.zeros(4))\n");
  ASSERT_TRUE(c.diags.empty());
  ASSERT_TRUE(find(c.program, "f", 1));
  EXPECT_FALSE(find(c.program, "f", 2));
  EXPECT_EQ(find(c.program, "f", 0)->return_type->str(), "float32");
  EXPECT_EQ(find(c.program, "f", 1)->return_type->str(), "float64");
}

TEST(Check, EagerSignatureWithoutCall) {
  Checked c = check_text("from nk import njit\n@njit(\"float64(float64[:], int64)\")\ndef f(a, n):\n    return a[n]\n");
  ASSERT_TRUE(c.diags.empty());
  const Function* f = find(c.program, "f");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->signature(), "(array(float64, 1d, A), int64) -> float64");
}

TEST(Check, AnnotatedRecursion) {
  Checked c = check_text("def fib(n: int64) -> int64:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n");
  ASSERT_TRUE(c.diags.empty());
  EXPECT_EQ(find(c.program, "fib")->return_type->str(), "int64");
}

TEST(Check, ViewsAndLayouts) {
  Checked c = check_text(
      "import numpy as np\n"
      "def f(a, b):\n    u = a[1:-1]\n    v = a[::2]\n    w = b[1]\n    z = b[:, 0]\n    n, m = b.shape\n"
      "f(np.zeros(8), np.zeros((2, 3)))\n");
  ASSERT_TRUE(c.diags.empty());
  const Function* f = find(c.program, "f");
  EXPECT_EQ(local_type(f, "u"), "array(float64, 1d, C)");
  EXPECT_EQ(local_type(f, "v"), "array(float64, 1d, A)");
  EXPECT_EQ(local_type(f, "w"), "array(float64, 1d, C)");
  EXPECT_EQ(local_type(f, "z"), "array(float64, 1d, A)");
  EXPECT_EQ(local_type(f, "m"), "int64");
}

TEST(Check, MathResultTypes) {
  Checked c = check_text(
      "import math\nimport numpy as np\n"
      "def f(x):\n    a = math.sqrt(x)\n    b = math.floor(x)\n    c = np.floor(x)\n    d = math.sqrt(2)\n"
      "    e = round(x)\n    g = abs(-3)\n    h = max(1, x)\n    k = math.isnan(x)\n"
      "f(np.float32(1.5))\n");
  ASSERT_TRUE(c.diags.empty()) << c.diags[0].message;
  const Function* f = find(c.program, "f");
  EXPECT_EQ(local_type(f, "a"), "float32");
  EXPECT_EQ(local_type(f, "b"), "int64");
  EXPECT_EQ(local_type(f, "c"), "float32");
  EXPECT_EQ(local_type(f, "d"), "float64");
  EXPECT_EQ(local_type(f, "e"), "int64");
  EXPECT_EQ(local_type(f, "g"), "int64");
  EXPECT_EQ(local_type(f, "h"), "float32");
  EXPECT_EQ(local_type(f, "k"), "bool");
}

TEST(Check, IncompatibleAssignmentNamesBothPlaces) {
  Checked c = check_text("import numpy as np\ndef f(a):\n    t = a\n    t = 1\nf(np.zeros(2))\n");
  ASSERT_FALSE(c.diags.empty());
  EXPECT_EQ(c.diags[0].id, DiagId::IncompatibleAssign);
  ASSERT_FALSE(c.diags[0].notes.empty());
  EXPECT_EQ(c.diags[0].notes[0].message, "'t' was given type 'array(float64, 1d, C)' here");
}

TEST(Check, CannotIndexScalar) {
  Checked c = check_text("def f(a, x):\n    return a[0] * x\nf(2.0, 1.0)\n");
  ASSERT_FALSE(c.diags.empty());
  EXPECT_EQ(c.diags[0].message, "cannot index a value of type 'float64'");
}

TEST(Check, HostOnlyFeaturesInsideFunctions) {
  Checked c = check_text("from timeit import default_timer as timer\ndef f():\n    return timer()\nf()\n");
  ASSERT_FALSE(c.diags.empty());
  EXPECT_EQ(c.diags[0].id, DiagId::HostOnly);
}

TEST(Check, NonConstantGlobalInFunction) {
  Checked c = check_text("import numpy as np\nN = 4\nA = np.zeros(N)\ndef f():\n    return A[0] + N\nf()\n");
  ASSERT_FALSE(c.diags.empty());
  EXPECT_EQ(c.diags[0].id, DiagId::GlobalNotConstant);
}

TEST(Check, MissingReturnOnAPath) {
  Checked c = check_text("def f(x):\n    if x > 0:\n        return 1\nf(1)\n");
  ASSERT_FALSE(c.diags.empty());
  EXPECT_EQ(c.diags[0].id, DiagId::MissingReturn);
}

}  // namespace
}  // namespace nk::ir
