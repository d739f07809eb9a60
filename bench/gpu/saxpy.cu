// saxpy (y = a * x + y, float32, device arrays) in CUDA C++: the twin of saxpy.nk and
// saxpy_numba.py, built by bench/gpu/run.sh with `nvcc -O3 -arch=native` (or sm_90).
//
//     saxpy [REPS] [N]        (defaults 20, 100000000)
//
// Same data, variants and output as saxpy.nk: one warm-up launch, then REPS launches
// each timed with std::chrono::steady_clock around the launch and
// cudaDeviceSynchronize() (the same method as nk's timer() + cuda.synchronize()); the
// median is the middle element of the sorted times (the upper one for an even REPS).
//
//   saxpy/thread      one thread per element, 256 per block
//   saxpy/gridstride  grid-stride loop, 4096 x 256 threads
//   saxpy/auto        the kernel nk makes of a @jit(target="cuda") loop, by hand: a
//                     grid-stride loop on min(ceil(n / 256), 1024) blocks of 256 threads
//
// Prints, per variant:
//   RESULT <name> <median ms> <GB/s>      12 n bytes per call (read x, read y, write y)
//   CHECK <name> <y[0]> <y[1]> <y[n-1]> <sum of y>
//   EVENT <name> <median ms> <GB/s>       REPS more launches timed with cudaEvents: the
//                                         kernel alone, without launch and sync overhead
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CUDA_CHECK(call)                                                                         \
  do {                                                                                           \
    cudaError_t err_ = (call);                                                                   \
    if (err_ != cudaSuccess) {                                                                   \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(err_)); \
      std::exit(1);                                                                              \
    }                                                                                            \
  } while (0)

constexpr int kThreads = 256;
constexpr int kStrideBlocks = 4096;
constexpr long long kLoopBlocks = 1024;  // nk's auto-parallel loops: at most 1024 blocks of 256

__global__ void saxpy_thread(float a, const float* __restrict__ x, float* __restrict__ y, long long n) {
  long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) y[i] = a * x[i] + y[i];
}

__global__ void saxpy_gridstride(float a, const float* __restrict__ x, float* __restrict__ y, long long n) {
  long long stride = static_cast<long long>(blockDim.x) * gridDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    y[i] = a * x[i] + y[i];
}

static double median(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <class Launch>
static void bench(const char* name, Launch launch, const std::vector<float>& hy, float* dy, long long n, int reps) {
  const double bytes = 12.0 * static_cast<double>(n);
  CUDA_CHECK(cudaMemcpy(dy, hy.data(), sizeof(float) * n, cudaMemcpyHostToDevice));
  launch();  // warm-up
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<double> times(reps);
  for (int r = 0; r < reps; ++r) {
    auto start = std::chrono::steady_clock::now();
    launch();
    CUDA_CHECK(cudaDeviceSynchronize());
    times[r] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  CUDA_CHECK(cudaGetLastError());
  double ms = median(times) * 1000.0;
  std::printf("RESULT %s %.4f %.1f\n", name, ms, bytes / ms / 1e6);

  std::vector<float> y(n);
  CUDA_CHECK(cudaMemcpy(y.data(), dy, sizeof(float) * n, cudaMemcpyDeviceToHost));
  double total = 0.0;
  for (long long i = 0; i < n; ++i) total += static_cast<double>(y[i]);
  std::printf("CHECK %s %.1f %.1f %.1f %.1f\n", name, static_cast<double>(y[0]), static_cast<double>(y[1]),
              static_cast<double>(y[n - 1]), total);

  cudaEvent_t e0, e1;
  CUDA_CHECK(cudaEventCreate(&e0));
  CUDA_CHECK(cudaEventCreate(&e1));
  for (int r = 0; r < reps; ++r) {
    CUDA_CHECK(cudaEventRecord(e0));
    launch();
    CUDA_CHECK(cudaEventRecord(e1));
    CUDA_CHECK(cudaEventSynchronize(e1));
    float t = 0.0f;
    CUDA_CHECK(cudaEventElapsedTime(&t, e0, e1));
    times[r] = t / 1000.0;
  }
  CUDA_CHECK(cudaGetLastError());
  ms = median(times) * 1000.0;
  std::printf("EVENT %s %.4f %.1f\n", name, ms, bytes / ms / 1e6);
  CUDA_CHECK(cudaEventDestroy(e0));
  CUDA_CHECK(cudaEventDestroy(e1));
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 20;
  long long n = argc > 2 ? std::atoll(argv[2]) : 100000000LL;
  if (reps < 1 || n < 2) {
    std::fprintf(stderr, "usage: saxpy [REPS >= 1] [N >= 2]\n");
    return 2;
  }
  const float a = 2.0f;
  std::vector<float> hx(n), hy(n, 1.0f);
  for (long long i = 0; i < n; ++i) hx[i] = static_cast<float>(i % 1000);
  float *dx = nullptr, *dy = nullptr;
  CUDA_CHECK(cudaMalloc(&dx, sizeof(float) * n));
  CUDA_CHECK(cudaMalloc(&dy, sizeof(float) * n));
  CUDA_CHECK(cudaMemcpy(dx, hx.data(), sizeof(float) * n, cudaMemcpyHostToDevice));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("saxpy n=%lld reps=%d float32 cuda-c++ device=\"%s\" sm_%d%d\n", n, reps, prop.name, prop.major,
              prop.minor);

  const unsigned blocks = static_cast<unsigned>((n + kThreads - 1) / kThreads);
  const unsigned loop_blocks = static_cast<unsigned>(std::min((n + kThreads - 1) / kThreads, kLoopBlocks));
  bench("saxpy/thread", [&] { saxpy_thread<<<blocks, kThreads>>>(a, dx, dy, n); }, hy, dy, n, reps);
  bench("saxpy/gridstride", [&] { saxpy_gridstride<<<kStrideBlocks, kThreads>>>(a, dx, dy, n); }, hy, dy, n, reps);
  bench("saxpy/auto", [&] { saxpy_gridstride<<<loop_blocks, kThreads>>>(a, dx, dy, n); }, hy, dy, n, reps);

  CUDA_CHECK(cudaFree(dx));
  CUDA_CHECK(cudaFree(dy));
  return 0;
}
