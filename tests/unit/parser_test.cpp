// Unit tests of the parser: the printed AST of small programs, precedence, and error
// recovery (one diagnostic per bad statement, parsing goes on).
#include <gtest/gtest.h>

#include <sstream>

#include "frontend/ast_printer.h"
#include "frontend/parser.h"

namespace nk {
namespace {

struct Parsed {
  std::string ast;
  std::vector<Diagnostic> diags;
};

Parsed parse_text(const std::string& text) {
  SourceFile file("t.nk", text);
  Diagnostics diags(file);
  ast::Module m = parse_source(file, diags);
  std::ostringstream out;
  ast::print(out, m);
  return {out.str(), diags.all()};
}

std::string expr_of(const std::string& source) {
  Parsed p = parse_text("x = " + source + "\n");
  EXPECT_TRUE(p.diags.empty()) << source;
  const std::string prefix = "module\n  assign (name x) = ";
  EXPECT_EQ(p.ast.rfind(prefix, 0), 0u) << p.ast;
  return p.ast.substr(prefix.size(), p.ast.size() - prefix.size() - 1);
}

TEST(Parser, Precedence) {
  EXPECT_EQ(expr_of("a + b * c"), "(+ (name a) (* (name b) (name c)))");
  EXPECT_EQ(expr_of("-x ** 2"), "(- (** (name x) (int 2)))");
  EXPECT_EQ(expr_of("a ** -b ** c"), "(** (name a) (- (** (name b) (name c))))");
  EXPECT_EQ(expr_of("a - b - c"), "(- (- (name a) (name b)) (name c))");
  EXPECT_EQ(expr_of("a | b ^ c & d << e"), "(| (name a) (^ (name b) (& (name c) (<< (name d) (name e)))))");
  EXPECT_EQ(expr_of("not a and b or c"), "(or (and (not (name a)) (name b)) (name c))");
  EXPECT_EQ(expr_of("0 <= i < n"), "(compare (int 0) <= (name i) < (name n))");
  EXPECT_EQ(expr_of("a if c else b"), "(ifexp (name c) (name a) (name b))");
}

TEST(Parser, Subscripts) {
  EXPECT_EQ(expr_of("a[1:-1]"), "(index (name a) (slice (int 1) (- (int 1)) _))");
  EXPECT_EQ(expr_of("a[::2]"), "(index (name a) (slice _ _ (int 2)))");
  EXPECT_EQ(expr_of("a[:, j]"), "(index (name a) (slice _ _ _) (name j))");
  EXPECT_EQ(expr_of("a[i, j]"), "(index (name a) (name i) (name j))");
}

TEST(Parser, NegativeInt64Min) { EXPECT_EQ(expr_of("-9223372036854775808"), "(int -9223372036854775808)"); }

TEST(Parser, FString) {
  EXPECT_EQ(expr_of("f\"t={t:.3f} s {x!r}{{\""), "(fstring \"t=\" {(name t) :\".3f\"} \" s \" {(name x) !r} \"{\")");
}

TEST(Parser, AdjacentStringsConcatenate) { EXPECT_EQ(expr_of("'a' \"b\""), "(str \"ab\")"); }

TEST(Parser, Statements) {
  Parsed p = parse_text(
      "@njit(parallel=True)\n"
      "def f(a: float64[:], n) -> float64:\n"
      "    s = t = 0.0\n"
      "    a, b = b, a\n"
      "    for i in prange(n):\n"
      "        s += a[i]\n"
      "    return s, n\n");
  EXPECT_TRUE(p.diags.empty());
  EXPECT_EQ(p.ast,
            "module\n"
            "  @(call (name njit) parallel=(bool True))\n"
            "  def f(a: (index (name float64) (slice _ _ _)), n) -> (name float64)\n"
            "    assign (name s) (name t) = (float 0)\n"
            "    assign (tuple (name a) (name b)) = (tuple (name b) (name a))\n"
            "    for (name i) in (call (name prange) (name n))\n"
            "      augassign (name s) += (index (name a) (name i))\n"
            "    return (tuple (name s) (name n))\n");
}

TEST(Parser, RecoversAfterEachBadStatement) {
  Parsed p = parse_text(
      "x = (1 +\n"
      "    )\n"
      "class A:\n"
      "    pass\n"
      "y = lambda: 1\n"
      "z = 3\n");
  ASSERT_EQ(p.diags.size(), 3u);
  EXPECT_EQ(p.diags[0].id, DiagId::ExpectedExpression);
  EXPECT_EQ(p.diags[1].id, DiagId::Unsupported);
  EXPECT_EQ(p.diags[1].message, "class definitions are not supported");
  EXPECT_EQ(p.diags[2].message, "lambda expressions are not supported");
  EXPECT_NE(p.ast.find("assign (name z) = (int 3)"), std::string::npos);
}

TEST(Parser, UnsupportedConstructsAreNamed) {
  auto first_message = [](const std::string& src) {
    Parsed p = parse_text(src);
    return p.diags.empty() ? std::string() : p.diags[0].message;
  };
  EXPECT_EQ(first_message("with a as b:\n    pass\n"), "'with' statements are not supported");
  EXPECT_EQ(first_message("try:\n    pass\nexcept:\n    pass\n"), "'try' statements are not supported");
  EXPECT_EQ(first_message("x = [i for i in y]\n"), "list comprehensions are not supported");
  EXPECT_EQ(first_message("x = {1: 2}\n"), "dict and set literals are not supported");
  EXPECT_EQ(first_message("global x\n"), "'global' declarations are not supported");
  EXPECT_EQ(first_message("def f(*a):\n    pass\n"), "'*args' parameters are not supported");
  EXPECT_EQ(first_message("x = a @ b\n"), "the matrix multiplication operator '@' is not supported");
  EXPECT_EQ(first_message("if (n := 1):\n    pass\n"), "assignment expressions (':=') are not supported");
  EXPECT_EQ(first_message("def f():\n    def g():\n        pass\n"), "nested functions are not supported");
}

TEST(Parser, DeepNestingIsAnErrorNotACrash) {
  Parsed p = parse_text("x = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\n");
  ASSERT_FALSE(p.diags.empty());
  EXPECT_EQ(p.diags[0].id, DiagId::NestingTooDeep);
  std::string chain = "x = 1";
  for (int i = 0; i < 50000; ++i) chain += " + 1";
  p = parse_text(chain + "\n");
  ASSERT_FALSE(p.diags.empty());
  EXPECT_EQ(p.diags[0].id, DiagId::NestingTooDeep);
}

}  // namespace
}  // namespace nk
