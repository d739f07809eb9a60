// Compile time of the first call of each benchmark kernel through nk's C++ API, in a
// process where the JIT is already warm (SPEC 6: "first call of a typical kernel, parse to
// machine code, -O3, <= 10 ms"). Each sample loads the kernel's .nk file afresh (a comment
// with the sample's number makes the source, and so every symbol, new) and times
// load_source + the first Module::call on tiny arrays: parse, type-check, lower,
// optimise, machine code, link and a negligible run.
//   build/bench/nk_compile_time [--samples N] [--only K1,K2] [--kernels DIR] [-O0..-O3] [--no-boundscheck]
#include <nk/nk.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Kernel {
  const char* file;  // bench/kernels/FILE.nk
  const char* function;
  std::function<void(nk::Module&)> first_call;  // calls `function` once on tiny arrays
};

template <class T> std::vector<T> filled(size_t n, T v) { return std::vector<T>(n, v); }

template <class T, int N> nk::ArrayRef<T, N> grid(std::vector<T>& v, const std::array<int64_t, N>& shape) {
  return nk::ArrayRef<T, N>(v.data(), shape);
}

std::vector<Kernel> kernels() {
  // Each call owns its data: the arrays live for the call only.
  return {
      {"inc", "inc", [](nk::Module& m) { auto a = filled(8, 1.0); m.call("inc", nk::view(a)); }},
      {"saxpy", "saxpy", [](nk::Module& m) {
         auto x = filled(8, 1.0f), y = filled(8, 0.0f);
         m.call("saxpy", 0.5f, nk::view(x), nk::view(y));
       }},
      {"dot", "dot", [](nk::Module& m) {
         auto x = filled(8, 1.0), y = filled(8, 2.0);
         (void)m.call<double>("dot", nk::view(x), nk::view(y));
       }},
      {"prefix_sum", "prefix_sum", [](nk::Module& m) {
         auto a = filled<int64_t>(8, 1), out = filled<int64_t>(8, 0);
         m.call("prefix_sum", nk::view(a), nk::view(out));
       }},
      {"histogram", "histogram", [](nk::Module& m) {
         auto data = filled(8, 0.5);
         auto bins = filled<int64_t>(4, 0);
         m.call("histogram", nk::view(data), nk::view(bins), 0.0, 1.0);
       }},
      {"matmul", "matmul", [](nk::Module& m) {
         auto a = filled(16, 1.0), b = filled(16, 1.0), c = filled(16, 0.0);
         m.call("matmul", grid<double, 2>(a, {4, 4}), grid<double, 2>(b, {4, 4}), grid<double, 2>(c, {4, 4}));
       }},
      {"atax", "atax", [](nk::Module& m) {
         auto A = filled(16, 1.0), x = filled(4, 1.0), y = filled(4, 0.0), tmp = filled(4, 0.0);
         m.call("atax", grid<double, 2>(A, {4, 4}), nk::view(x), nk::view(y), nk::view(tmp));
       }},
      {"gesummv", "gesummv", [](nk::Module& m) {
         auto A = filled(16, 1.0), B = filled(16, 1.0), x = filled(4, 1.0), y = filled(4, 0.0), tmp = filled(4, 0.0);
         m.call("gesummv", grid<double, 2>(A, {4, 4}), grid<double, 2>(B, {4, 4}), nk::view(x), nk::view(y), nk::view(tmp));
       }},
      {"jacobi_2d", "jacobi_2d", [](nk::Module& m) {
         auto A = filled(16, 1.0), B = filled(16, 1.0);
         m.call("jacobi_2d", grid<double, 2>(A, {4, 4}), grid<double, 2>(B, {4, 4}));
       }},
      {"seidel_2d", "seidel_2d", [](nk::Module& m) {
         auto A = filled(16, 1.0);
         m.call("seidel_2d", grid<double, 2>(A, {4, 4}));
       }},
      {"heat_3d", "heat_3d", [](nk::Module& m) {
         auto A = filled(64, 1.0), B = filled(64, 1.0);
         m.call("heat_3d", grid<double, 3>(A, {4, 4, 4}), grid<double, 3>(B, {4, 4, 4}));
       }},
      {"fdtd_2d", "fdtd_2d", [](nk::Module& m) {
         auto ex = filled(16, 1.0), ey = filled(16, 1.0), hz = filled(16, 1.0);
         m.call("fdtd_2d", grid<double, 2>(ex, {4, 4}), grid<double, 2>(ey, {4, 4}), grid<double, 2>(hz, {4, 4}));
       }},
      {"mandelbrot", "mandelbrot", [](nk::Module& m) {
         auto counts = filled<int64_t>(16, 0);
         m.call("mandelbrot", grid<int64_t, 2>(counts, {4, 4}), int64_t{10});
       }},
      {"nbody", "nbody", [](nk::Module& m) {
         auto pos = filled(12, 1.0), vel = filled(12, 0.0), mass = filled(4, 1.0);
         for (size_t i = 0; i < pos.size(); ++i) pos[i] = static_cast<double>(i);
         m.call("nbody", grid<double, 2>(pos, {4, 3}), grid<double, 2>(vel, {4, 3}), nk::view(mass));
       }},
      {"blackscholes", "blackscholes", [](nk::Module& m) {
         auto price = filled(4, 10.0), strike = filled(4, 9.0), years = filled(4, 1.0), call = filled(4, 0.0),
              put = filled(4, 0.0);
         m.call("blackscholes", nk::view(price), nk::view(strike), nk::view(years), nk::view(call), nk::view(put));
       }},
      {"pairwise_par", "pairwise", [](nk::Module& m) {
         auto X = filled(32, 1.0), D = filled(16, 0.0);
         m.call("pairwise", grid<double, 2>(X, {4, 8}), grid<double, 2>(D, {4, 4}));
       }},
      {"mandelbrot_par", "mandelbrot", [](nk::Module& m) {
         auto counts = filled<int64_t>(16, 0);
         m.call("mandelbrot", grid<int64_t, 2>(counts, {4, 4}));
       }},
  };
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool read(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int samples = 11;
  int opt_level = 3;
  bool boundscheck = true;
  std::string only;  // ",a,b," or empty: all
  std::string dir = NK_BENCH_KERNELS_DIR;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--samples") && i + 1 < argc) samples = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--kernels") && i + 1 < argc) dir = argv[++i];
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = "," + std::string(argv[++i]) + ",";
    else if (!std::strcmp(argv[i], "--no-boundscheck")) boundscheck = false;
    else if (argv[i][0] == '-' && argv[i][1] == 'O' && argv[i][2] >= '0' && argv[i][2] <= '3' && !argv[i][3]) opt_level = argv[i][2] - '0';
    else {
      std::fprintf(stderr, "usage: %s [--samples N] [--only K1,K2] [--kernels DIR] [-O0..-O3] [--no-boundscheck]\n", argv[0]);
      return 2;
    }
  }
  nk::Options options;
  options.opt_level = opt_level;
  options.boundscheck = boundscheck;
  nk::Jit jit(options);

  // Warm the process once (LLVM's one-time set-up), as a long-running application would be.
  {
    nk::Module warm = jit.load_source("def warm(a):\n    for i in range(len(a)):\n        a[i] += 1\n", "<warm-up>");
    std::vector<double> a(4, 0.0);
    warm.call("warm", nk::view(a));
  }

  std::printf("| kernel | first call ms (median of %d) | min ms | max ms |\n|---|---:|---:|---:|\n", samples);
  double log_sum = 0;
  int count = 0, failed = 0;
  for (const Kernel& k : kernels()) {
    if (!only.empty() && only.find("," + std::string(k.file) + ",") == std::string::npos) continue;
    std::string path = dir + "/" + k.file + ".nk", source;
    if (!read(path, source)) {
      std::fprintf(stderr, "cannot read %s\n", path.c_str());
      return 2;
    }
    std::vector<double> ms;
    try {
      for (int s = 0; s < samples; ++s) {
        std::string text = source + "\n# sample " + std::to_string(s) + "\n";
        auto start = Clock::now();
        nk::Module m = jit.load_source(text, path);
        k.first_call(m);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
    } catch (const nk::Error& e) {
      std::fprintf(stderr, "%s: %s\n", k.file, e.what());
      ++failed;
      continue;
    }
    double med = median(ms);
    log_sum += std::log(med);
    ++count;
    std::printf("| %s | %.2f | %.2f | %.2f |\n", k.file, med, *std::min_element(ms.begin(), ms.end()),
                *std::max_element(ms.begin(), ms.end()));
  }
  if (count) std::printf("| **geomean** | **%.2f** | | |\n", std::exp(log_sum / count));
  return failed ? 1 : 0;
}
