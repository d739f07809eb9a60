// Tests of the in-process compile pipeline (codegen/jit.h): a host compiler's object
// emitter is built once and runs every module after, so nothing of one module may leak
// into the next one's object code.
#include <gtest/gtest.h>

#include <string>

#include "runtime/entry_points.h"
#include "tests/codegen/compile_helpers.h"

namespace {

using nk::test::compile;
using nk::test::Compiled;
using nk::test::Descriptor1d;

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
  for (bool lazy : {false, true}) {
    Compiled first = compile(kInc, "inc", "(float64[::1],)", lazy);
    Compiled other = compile(kStencil, "smooth", "(float64[:, ::1], float64[:, ::1])", lazy);
    Compiled again = compile(kInc, "inc", "(float64[::1],)", lazy);
    ASSERT_TRUE(first.ok && other.ok && again.ok);
    EXPECT_GT(first.object.size(), 64u);
    if (!lazy) {
      EXPECT_EQ(first.object.substr(0, 4), std::string("\x7f" "ELF"));
    }
    EXPECT_TRUE(first.object != other.object);
    EXPECT_TRUE(first.object == again.object) << (lazy ? "lazy" : "plain") << " objects differ";
  }
}

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
