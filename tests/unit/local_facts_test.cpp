// Unit tests of the typed IR's local-variable facts: ir/nonnegative.h (int64 locals
// never negative), ir/private_arrays.h (arrays no other array can overlap) and
// ir/dimension_locals.h (locals that always hold a dimension of an unchanged array).
#include <gtest/gtest.h>

#include <set>

#include "frontend/parser.h"
#include "ir/check.h"
#include "ir/dimension_locals.h"
#include "ir/nonnegative.h"
#include "ir/private_arrays.h"

namespace nk::ir {
namespace {

using Analysis = std::vector<bool> (*)(const Function&);

// The names of f's locals that `analysis` proves, for a function checked from `text`
// with the signature in its annotations.
std::set<std::string> proven(const std::string& text, const std::string& name,
                             Analysis analysis = nonnegative_locals) {
  static std::vector<std::unique_ptr<SourceFile>> files;  // the AST refers to them
  static std::vector<std::unique_ptr<ast::Module>> modules;
  static std::vector<Program> programs;
  files.push_back(std::make_unique<SourceFile>("t.nk", text));
  Diagnostics diags(*files.back());
  modules.push_back(std::make_unique<ast::Module>(parse_source(*files.back(), diags)));
  programs.push_back(check(*modules.back(), *files.back(), diags, {}));
  EXPECT_TRUE(diags.all().empty()) << text;
  std::set<std::string> out;
  for (const auto& f : programs.back().functions) {
    if (f->name != name) continue;
    std::vector<bool> in = analysis(*f);
    for (size_t l = 0; l < in.size(); ++l)
      if (in[l]) out.insert(f->locals[l].name);
  }
  return out;
}

TEST(Nonnegative, RangeLoopVariables) {
  auto p = proven(
      "def f(a: float64[:, ::1], n: int64):\n"
      "    for i in range(n):\n"              // start 0, step 1
      "        for j in range(1, a.shape[1], 2):\n"
      "            a[i, j] = 0.0\n"
      "    for k in range(n, 0, -1):\n"        // runs down: not proven
      "        a[0, k] = 1.0\n"
      "    for m in range(n, n + 4):\n"        // starts at a parameter: not proven
      "        a[0, m] = 1.0\n",
      "f");
  EXPECT_EQ(p, (std::set<std::string>{"i", "j"}));
}

TEST(Nonnegative, AssignedValues) {
  auto p = proven(
      "def f(a: float64[::1], x: int64):\n"
      "    s = len(a)\n"                      // an array size
      "    t = s + 1\n"                       // a sum of proven values
      "    h = t // 2\n"                      // // by a positive constant
      "    r = x % 3\n"                       // % by a positive constant: [0, 3)
      "    d = s - 1\n"                       // a difference may be negative
      "    q = x // 2\n"                      // of a parameter: not proven
      "    a[h + r] = 0.0\n"
      "    a[d + q] = 0.0\n",
      "f");
  EXPECT_EQ(p, (std::set<std::string>{"s", "t", "h", "r"}));
}

TEST(Nonnegative, EveryDefinitionCounts) {
  auto p = proven(
      "def f(a: float64[::1]):\n"
      "    k = 0\n"
      "    while k < len(a):\n"
      "        k = k + 1\n"                   // defined from itself: not proven
      "    j = 0\n"
      "    if a[0] > 0.0:\n"
      "        j = -1\n"                      // one negative definition is enough
      "    i = 0\n"
      "    for i in range(3):\n"
      "        a[i] = 1.0\n"
      "    a[i + j + k] = 0.0\n",
      "f");
  EXPECT_EQ(p, (std::set<std::string>{"i"}));
}

TEST(Nonnegative, ParametersNever) {
  auto p = proven(
      "def f(a: float64[::1], n: int64):\n"
      "    n = 3\n"
      "    a[n] = 0.0\n",
      "f");
  EXPECT_TRUE(p.empty());
}

TEST(PrivateArrays, NewAndOnlyIndexed) {
  auto p = proven(
      "import numpy as np\n"
      "def f(a: float64[::1], n: int64) -> float64:\n"
      "    t = np.zeros(n)\n"                 // new, indexed, sized: private
      "    u = np.empty((n, 2))\n"
      "    u = np.ones((n, 2))\n"             // two new arrays, one at a time
      "    v = np.empty(n)\n"
      "    w = v[1:]\n"                       // viewed: not private (nor is the view)
      "    x = np.empty(n)\n"
      "    y = x\n"                           // copied to another name: not private
      "    z = np.empty(n)\n"
      "    for i in range(len(t)):\n"
      "        t[i] = a[i] + u[i, 0] + w[0] + y[i]\n"
      "        z[i] = 1.0\n"
      "    if n > 2:\n"
      "        z = a\n"                       // one definition is a parameter
      "    return t[0] + z[0] + x.shape[0]\n",
      "f", private_arrays);
  EXPECT_EQ(p, (std::set<std::string>{"t", "u"}));
}

TEST(PrivateArrays, PassedOrReturnedIsNot) {
  auto p = proven(
      "import numpy as np\n"
      "def g(b: float64[::1]) -> float64:\n"
      "    return b[0]\n"
      "def f(n: int64):\n"
      "    t = np.zeros(n)\n"
      "    r = np.zeros(n)\n"
      "    s = np.zeros(n)\n"
      "    s[0] = g(t)\n"                     // t passed to a call
      "    return r\n",                       // r returned
      "f", private_arrays);
  EXPECT_EQ(p, (std::set<std::string>{"s"}));
}

std::vector<bool> dimension_locals_as_set(const Function& f) {
  std::vector<bool> in(f.locals.size());
  for (const auto& [local, dim] : dimension_locals(f)) in[static_cast<size_t>(local)] = true;
  return in;
}

TEST(DimensionLocals, OnlyLocalsThatAlwaysHoldOneDimensionOfAnUnchangedParameter) {
  auto p = proven(
      "def f(X: float64[:, ::1], Y: float64[::1], k: int64):\n"
      "    n = X.shape[0]\n"            // yes
      "    d = len(X)\n"                 // yes (len is the first dimension)
      "    m = Y.shape[0]\n"             // Y is reassigned below: no
      "    w = X.shape[1]\n"             // assigned something else too: no
      "    if k > 0:\n"
      "        w = k\n"
      "    t = X.shape[0]\n"             // reassigned to the same dimension: yes
      "    t = X.shape[0]\n"
      "    s = X.shape[0] + 1\n"         // not a dimension itself: no
      "    Y = Y[1:]\n"
      "    for i in range(n):\n"
      "        X[i, 0] = float(d + m + w + t + s)\n",
      "f", dimension_locals_as_set);
  EXPECT_EQ(p, (std::set<std::string>{"n", "d", "t"}));
}

TEST(DimensionLocals, NotLoopVariablesNorParameters) {
  auto p = proven(
      "def f(X: float64[::1], n: int64):\n"
      "    n = X.shape[0]\n"             // a parameter: callers pass any value first
      "    for j in range(3):\n"
      "        X[j] = 1.0\n"
      "    j = X.shape[0]\n",            // also a loop variable: no
      "f", dimension_locals_as_set);
  EXPECT_TRUE(p.empty());
}

TEST(UnchangedArrayParams, ArraysTheFunctionNeverAssigns) {
  auto p = proven(
      "def f(a: float64[::1], b: float64[::1], k: int64):\n"
      "    b = b[1:]\n"                  // reassigned: no
      "    c = a\n"                      // a local, not a parameter: no
      "    c[0] = b[0] + float(k)\n",    // a store into an array is not an assignment
      "f", unchanged_array_params);
  EXPECT_EQ(p, (std::set<std::string>{"a"}));
}

}  // namespace
}  // namespace nk::ir
