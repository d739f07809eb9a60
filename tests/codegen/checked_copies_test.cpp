// The checked copies of versioned loops (codegen/checked_copies.h): moved out of the
// compiled object into a lazy entry, compiled by the JIT only when a loop first needs
// its checks, and then raising exactly where the inline copy would have.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codegen/checked_copies.h"
#include "runtime/entry_points.h"
#include "runtime/errors.h"
#include "tests/codegen/compile_helpers.h"

namespace {

using nk::test::compile;
using nk::test::Compiled;
using nk::test::Descriptor1d;

// b[i] = a[i - 1] + a[i + 1]: in bounds for i in 1..n-2; i = 0 wraps around to a[-1].
const char* kShift = R"(
def shift(a, b, lo, hi):
    for i in range(lo, hi):
        b[i] = a[i - 1] + a[i + 1]
)";
const char* kShiftSig = "(float64[::1], float64[::1], int64, int64)";
const char* kCopy = "nk.fn.shift.0.checked.0";

using ShiftFn = int32_t (*)(Descriptor1d*, Descriptor1d*, int64_t, int64_t);

struct Linked {
  std::unique_ptr<nk::codegen::Engine> engine;
  ShiftFn shift = nullptr;
};

Linked link(const Compiled& c) {
  Linked l;
  std::string error;
  l.engine = nk::codegen::Engine::create(3, nk::runtime::entry_points(), error);
  EXPECT_TRUE(l.engine) << error;
  EXPECT_TRUE(l.engine->add_object(c.object, error)) << error;
  l.shift = reinterpret_cast<ShiftFn>(l.engine->lookup("nk.fn.shift.0", error));
  EXPECT_NE(l.shift, nullptr) << error;
  return l;
}

// The lazy entry of a bundle (the entry that is not an object file).
std::vector<std::string> lazy_names(const std::string& bundle) {
  std::vector<std::string> names;
  size_t at = bundle.find("!<nk-lazy>\n");
  if (at == std::string::npos) return names;
  std::string bitcode;
  EXPECT_TRUE(nk::codegen::parse_lazy_entry(bundle.substr(at), names, bitcode));
  EXPECT_EQ(bitcode.substr(0, 2), "BC");
  return names;
}

TEST(CheckedCopies, LeaveTheObjectForALazyEntry) {
  Compiled c = compile(kShift, "shift", kShiftSig);
  ASSERT_TRUE(c.ok);
  EXPECT_EQ(lazy_names(c.object), std::vector<std::string>{kCopy});
  // Without lazy copies the object is one plain ELF file that defines the copy.
  Compiled plain = compile(kShift, "shift", kShiftSig, false);
  ASSERT_TRUE(plain.ok);
  EXPECT_EQ(plain.object.substr(0, 4), std::string("\x7f" "ELF"));
  Linked l = link(plain);
  std::string error;
  EXPECT_NE(l.engine->lookup(kCopy, error), nullptr) << error;
}

TEST(CheckedCopies, CompiledOnlyWhenALoopNeedsItsChecks) {
  Compiled c = compile(kShift, "shift", kShiftSig);
  ASSERT_TRUE(c.ok);
  Linked l = link(c);
  ASSERT_TRUE(l.shift);
  std::vector<double> a = {1, 2, 3, 4, 5}, b(5, 0.0);
  Descriptor1d da{nullptr, a.data(), 5, 8}, db{nullptr, b.data(), 5, 8};
  std::string error;

  // In bounds: the unchecked loop runs, and the copy is not even compiled.
  EXPECT_EQ(l.shift(&da, &db, 1, 4), 0);
  EXPECT_EQ(b, (std::vector<double>{0, 4, 6, 8, 0}));
  EXPECT_EQ(l.engine->lookup(kCopy, error), nullptr);

  // i = 0 reads a[-1] (Python wraps it): the checked copy runs, compiled now.
  EXPECT_EQ(l.shift(&da, &db, 0, 2), 0);
  EXPECT_EQ(b, (std::vector<double>{7, 4, 6, 8, 0}));
  EXPECT_NE(l.engine->lookup(kCopy, error), nullptr) << error;

  // Past the end: IndexError at the first bad iteration, after the good ones ran.
  b.assign(5, 0.0);
  nk::runtime::clear_error();
  EXPECT_EQ(l.shift(&da, &db, 2, 5), 1);
  EXPECT_EQ(b, (std::vector<double>{0, 0, 6, 8, 0}));
  const nk::runtime::PendingError& e = nk::runtime::pending_error();
  EXPECT_TRUE(e.set);
  EXPECT_EQ(e.kind, "IndexError");
  EXPECT_EQ(e.message, "index 5 is out of bounds for axis 0 with size 5");
  EXPECT_EQ(e.line, 4);
  nk::runtime::clear_error();
}

TEST(CheckedCopies, EachEngineCompilesItsOwn) {
  // Two JITs linking the same bundle each compile the copy for themselves.
  Compiled c = compile(kShift, "shift", kShiftSig);
  ASSERT_TRUE(c.ok);
  Linked first = link(c), second = link(c);
  std::vector<double> a = {1, 2, 3}, b(3, 0.0);
  Descriptor1d da{nullptr, a.data(), 3, 8}, db{nullptr, b.data(), 3, 8};
  EXPECT_EQ(first.shift(&da, &db, 0, 1), 0);
  EXPECT_EQ(second.shift(&da, &db, 0, 1), 0);
  EXPECT_EQ(b[0], 5.0);
  std::string error;
  EXPECT_NE(first.engine->lookup(kCopy, error), nullptr) << error;
  EXPECT_NE(second.engine->lookup(kCopy, error), nullptr) << error;
}

}  // namespace
