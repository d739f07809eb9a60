// Tests of the public C++ API (include/nk/nk.h), linked against the shared libnk as an
// application would be: every entry point, the error paths, typed handles, threads.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cmath>
#include <fstream>
#include <nk/nk.h>
#include <numeric>
#include <span>
#include <thread>
#include <vector>

namespace {

const char* kKernels = R"(
from nk import njit
import math
import numpy as np

SCALE = 2.0

@njit
def saxpy(a, x, y):
    for i in range(len(x)):
        y[i] = a * x[i] + y[i]

def total(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i]
    return s

def norm(a):
    return math.sqrt(total2(a))

def total2(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i] * a[i]
    return s

def get(a, i):
    return a[i]

def trace(m):
    t = 0.0
    for i in range(min(m.shape[0], m.shape[1])):
        t += m[i, i]
    return t

def scaled(x):
    return x * SCALE

def fails(n):
    assert n > 0, "n must be positive"
    return n

def count_true(b):
    c = 0
    for i in range(len(b)):
        if b[i]:
            c += 1
    return c

def empty():
    pass

def huge(n):
    a = np.empty(n)
    return a.size

def idiv(a, b):
    return a // b
)";

TEST(Api, CallWithVectorsAndSpans) {
  nk::Jit jit;
  nk::Module m = jit.load_source(kKernels, "kernels.nk");
  std::vector<float> x(100, 1.0f), y(100, 2.0f);
  m.call("saxpy", 2.0f, nk::view(x), nk::view(y));
  EXPECT_EQ(y[0], 4.0f);
  EXPECT_EQ(y[99], 4.0f);
  std::vector<double> v(10);
  std::iota(v.begin(), v.end(), 1.0);
  EXPECT_EQ(m.call<double>("total", nk::view(v)), 55.0);
  EXPECT_EQ(m.call<double>("total", nk::view(std::span<double>(v).subspan(0, 3))), 6.0);
  EXPECT_NEAR(m.call<double>("norm", nk::view(v)), std::sqrt(385.0), 1e-12);
  EXPECT_EQ(m.call<double>("scaled", 4.0), 8.0);
  m.call("empty");
  bool flags[4] = {true, false, true, true};
  EXPECT_EQ(m.call<int64_t>("count_true", nk::view(flags, 4)), 3);
}

TEST(Api, RawPointerShapeAndStrides) {
  nk::Jit jit;
  nk::Module m = jit.load_source(kKernels);
  double matrix[3][4];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) matrix[i][j] = i * 10 + j;
  EXPECT_EQ(m.call<double>("trace", nk::view(&matrix[0][0], {3, 4})), 0 + 11 + 22);
  // Every other element of a vector, through explicit byte strides.
  std::vector<double> v = {1, 100, 2, 100, 3, 100};
  EXPECT_EQ(m.call<double>("total", nk::view(v.data(), {3}, {2 * int64_t{sizeof(double)}})), 6.0);
}

TEST(Api, TypedHandles) {
  nk::Jit jit;
  nk::Module m = jit.load_source(kKernels);
  auto total = m.function<double(nk::ArrayRef<const double>)>("total");
  std::vector<double> v(1000, 0.5);
  EXPECT_EQ(total(nk::view(v)), 500.0);
  auto scaled = m.function<double(double)>("scaled");
  EXPECT_EQ(scaled(1.5), 3.0);
  auto trace = m.function<double(nk::ArrayRef<double, 2>)>("trace");
  std::vector<double> id(9, 0.0);
  id[0] = id[4] = id[8] = 1.0;
  EXPECT_EQ(trace(nk::view(id.data(), {3, 3})), 3.0);
}

TEST(Api, TypedHandleWithWrongResultTypeIsRejectedAtCreation) {
  nk::Jit jit;
  nk::Module m = jit.load_source(kKernels);
  EXPECT_THROW(m.function<int64_t(nk::ArrayRef<const double>)>("total"), nk::TypeError);
  EXPECT_THROW(m.function<void(double)>("scaled"), nk::TypeError);
  EXPECT_THROW(m.call<float>("scaled", 1.0), nk::TypeError);
  // A function that does not compile for the argument types is a CompileError.
  EXPECT_THROW(m.function<double(double)>("total"), nk::CompileError);
}

TEST(Api, CompileErrorsCarryDiagnostics) {
  nk::Jit jit;
  try {
    jit.load_source("def f(x):\n    return x +\n", "bad.nk");
    FAIL() << "no CompileError";
  } catch (const nk::CompileError& e) {
    ASSERT_FALSE(e.diagnostics().empty());
    EXPECT_EQ(e.diagnostics()[0].line, 2);
    EXPECT_EQ(e.diagnostics()[0].column, 15);
    EXPECT_EQ(e.diagnostics()[0].severity, "error");
    EXPECT_NE(std::string(e.what()).find("bad.nk:2:15: error: expected an expression"), std::string::npos);
  }
  nk::Module m = jit.load_source("def g(a, x):\n    return a[0] * x\n", "typed.nk");
  try {
    m.call<double>("g", 2.0, 1.0);
    FAIL() << "no CompileError";
  } catch (const nk::CompileError& e) {
    EXPECT_EQ(e.diagnostics()[0].message, "cannot index a value of type 'float64'");
    EXPECT_EQ(e.diagnostics()[0].line, 2);
  }
  EXPECT_THROW(m.call("no_such_function"), nk::CompileError);
}

TEST(Api, RuntimeErrorsAreExceptionsAndTheJitStaysUsable) {
  nk::Jit jit;
  nk::Module m = jit.load_source(kKernels, "kernels.nk");
  std::vector<double> v(10, 1.0);
  try {
    m.call<double>("get", nk::view(v), int64_t{10});
    FAIL() << "no RuntimeError";
  } catch (const nk::RuntimeError& e) {
    EXPECT_EQ(e.kind(), "IndexError");
    EXPECT_EQ(e.message(), "index 10 is out of bounds for axis 0 with size 10");
    EXPECT_EQ(e.line(), 29);
  }
  try {
    m.call<int64_t>("fails", int64_t{-1});
    FAIL() << "no RuntimeError";
  } catch (const nk::RuntimeError& e) {
    EXPECT_EQ(e.kind(), "AssertionError");
    EXPECT_EQ(e.message(), "n must be positive");
  }
  EXPECT_EQ(m.call<double>("get", nk::view(v), int64_t{-1}), 1.0);
  EXPECT_EQ(m.call<int64_t>("fails", int64_t{3}), 3);
}

TEST(Api, RuntimeFaultsKeepTheProcessAndTheJitUsable) {
  nk::Jit jit;
  nk::Module m = jit.load_source(kKernels, "kernels.nk");
  // Allocation failure: a huge np.empty is a MemoryError at its line, not a crash.
  try {
    m.call<int64_t>("huge", int64_t{1} << 40);  // 8 TiB
    FAIL() << "no RuntimeError";
  } catch (const nk::RuntimeError& e) {
    EXPECT_EQ(e.kind(), "MemoryError");
    EXPECT_NE(e.message().find("Unable to allocate 8 TiB"), std::string::npos) << e.message();
    EXPECT_EQ(e.line(), 55);
  }
  try {
    m.call<int64_t>("huge", int64_t{1} << 62);  // more bytes than an int64 holds
    FAIL() << "no RuntimeError";
  } catch (const nk::RuntimeError& e) {
    EXPECT_EQ(e.kind(), "ValueError");
    EXPECT_NE(e.message().find("array is too big"), std::string::npos);
  }
  try {
    m.call<int64_t>("huge", int64_t{-1});
    FAIL() << "no RuntimeError";
  } catch (const nk::RuntimeError& e) {
    EXPECT_EQ(e.kind(), "ValueError");
    EXPECT_EQ(e.message(), "negative dimensions are not allowed");
  }
  try {
    m.call<int64_t>("idiv", int64_t{7}, int64_t{0});
    FAIL() << "no RuntimeError";
  } catch (const nk::RuntimeError& e) {
    EXPECT_EQ(e.kind(), "ZeroDivisionError");
    EXPECT_EQ(e.line(), 59);
  }
  // Everything still works afterwards.
  EXPECT_EQ(m.call<int64_t>("huge", int64_t{1000}), 1000);
  EXPECT_EQ(m.call<int64_t>("idiv", int64_t{-7}, int64_t{2}), -4);
}

TEST(Api, LoadFile) {
  std::string path = testing::TempDir() + "/nk_api_kernels.nk";
  std::ofstream(path) << kKernels;
  nk::Jit jit;
  nk::Module m = jit.load_file(path);
  EXPECT_EQ(m.name(), path);
  EXPECT_EQ(m.call<double>("scaled", 1.0), 2.0);
  EXPECT_THROW(jit.load_file("/nonexistent/x.nk"), nk::Error);
}

TEST(Api, OptionsAndCache) {
  nk::Options options;
  options.boundscheck = false;
  options.opt_level = 1;
  options.cache = true;
  options.cache_dir = testing::TempDir() + "/nk_api_cache";
  for (int round = 0; round < 2; ++round) {  // the second round loads from the cache
    nk::Jit jit(options);
    nk::Module m = jit.load_source(kKernels);
    std::vector<double> v(4, 2.0);
    EXPECT_EQ(m.call<double>("total", nk::view(v)), 8.0);
  }
}

const char* kGpuKernels = R"(
from nk import jit, cuda

@jit(target="cuda")
def double_all(a):
    for i in range(len(a)):
        a[i] *= 2.0

@cuda.jit
def kernel(a):
    a[cuda.grid(1)] = 1.0
)";

// Target::Cpu runs @jit(target="cuda") functions on the CPU; Target::Cuda on the GPU,
// which fails with a CudaError without a driver (forced here, so also on a GPU machine).
TEST(Api, CudaTargets) {
  std::vector<double> v(5, 1.5);
  nk::Jit cpu;
  nk::Module m = cpu.load_source(kGpuKernels);
  m.call("double_all", nk::view(v));
  EXPECT_EQ(v[4], 3.0);
  EXPECT_THROW(m.call("kernel", nk::view(v)), nk::Error);
  setenv("NK_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  nk::Options options;
  options.target = nk::Target::Cuda;
  nk::Jit gpu(options);
  nk::Module g = gpu.load_source(kGpuKernels);
  try {
    g.call("double_all", nk::view(v));
    ADD_FAILURE() << "expected a CudaError";
  } catch (const nk::RuntimeError& e) {
    EXPECT_EQ(e.kind(), "CudaError");
    EXPECT_NE(e.message().find("no CUDA driver"), std::string::npos) << e.message();
  }
  EXPECT_EQ(v[4], 3.0);
}

TEST(Api, ManyThreadsCompileAndCallAtOnce) {
  nk::Jit jit;
  nk::Module shared = jit.load_source(kKernels);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      // Each thread loads its own module too, and compiles several signatures.
      nk::Module own = jit.load_source(kKernels, "thread" + std::to_string(t) + ".nk");
      for (int i = 0; i < 20; ++i) {
        std::vector<double> v(16 + t, 1.0);
        std::vector<float> f(8, 1.0f);
        if (shared.call<double>("total", nk::view(v)) != 16 + t) ++failures;
        if (own.call<double>("total", nk::view(f)) != 8.0) ++failures;
        if (own.call<double>("scaled", static_cast<double>(i)) != 2.0 * i) ++failures;
        try {
          shared.call<double>("get", nk::view(v), int64_t{1000});
          ++failures;
        } catch (const nk::RuntimeError& e) {
          if (e.kind() != "IndexError") ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
