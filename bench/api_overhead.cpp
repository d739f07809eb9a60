// The per-call cost of nk's C++ API: a typed handle (Module::function<>) and a call by
// name (Module::call) against a direct call of an empty C++ function, on an empty
// kernel and on one that takes an array.
//   build/bench/nk_api_overhead --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>
#include <nk/nk.h>

#include <vector>

namespace {

const char* kSource = R"(
def empty():
    pass

def first(a):
    return a[0]
)";

__attribute__((noinline)) void empty_cpp() { benchmark::ClobberMemory(); }
__attribute__((noinline)) double first_cpp(const double* a) { return a[0]; }

void DirectCall(benchmark::State& state) {
  for (auto _ : state) empty_cpp();
}
BENCHMARK(DirectCall);

void TypedHandleEmpty(benchmark::State& state) {
  static nk::Jit jit;
  static nk::Module m = jit.load_source(kSource);
  auto empty = m.function<void()>("empty");
  for (auto _ : state) empty();
}
BENCHMARK(TypedHandleEmpty);

void CallByNameEmpty(benchmark::State& state) {
  static nk::Jit jit;
  static nk::Module m = jit.load_source(kSource);
  for (auto _ : state) m.call("empty");
}
BENCHMARK(CallByNameEmpty);

void DirectCallArray(benchmark::State& state) {
  std::vector<double> v(16, 1.0);
  for (auto _ : state) benchmark::DoNotOptimize(first_cpp(v.data()));
}
BENCHMARK(DirectCallArray);

void TypedHandleArray(benchmark::State& state) {
  static nk::Jit jit;
  static nk::Module m = jit.load_source(kSource);
  auto first = m.function<double(nk::ArrayRef<const double>)>("first");
  std::vector<double> v(16, 1.0);
  for (auto _ : state) benchmark::DoNotOptimize(first(nk::view(v)));
}
BENCHMARK(TypedHandleArray);

}  // namespace

BENCHMARK_MAIN();
