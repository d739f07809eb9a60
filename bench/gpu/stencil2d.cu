// The 5-point float32 stencil of stencil2d.nk in CUDA C++, on device arrays:
//   b[i][j] = 0.5 a[i][j] + 0.125 (a[i-1][j] + a[i+1][j] + a[i][j-1] + a[i][j+1])
// for the interior points; the border of b keeps a's values. Built by bench/gpu/run.sh
// with `nvcc -O3 -arch=native` (or sm_90).
//
//     stencil2d [REPS] [N] [M]        (defaults 20, 10000, N)
//
// Same data, variants and output as stencil2d.nk: one warm-up launch, then REPS
// launches each timed with std::chrono::steady_clock around the launch and
// cudaDeviceSynchronize(); the median is the middle element of the sorted times.
//
//   stencil2d/thread     one thread per point, 2-d grid of 32 x 8 blocks (x along j)
//   stencil2d/auto       the kernel nk makes of the flat @jit(target="cuda") loop, by
//                        hand: a grid-stride loop over the interior points (k -> i, j
//                        with / and %) on min(ceil(count / 256), 1024) blocks of 256
//   stencil2d/auto_rows  the kernel nk makes of the nested loops: one thread per
//                        interior row, its points serially, same launch shape
//
// Prints, per variant:
//   RESULT <name> <median ms> <GB/s>      8 n m bytes per call (read a, write b)
//   CHECK <name> <b[1][1]> <b[n/2][m/2]> <b[n-2][m-2]> <sum of b>
//   EVENT <name> <median ms> <GB/s>       REPS more launches timed with cudaEvents
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

constexpr int kBx = 32;
constexpr int kBy = 8;
constexpr int kThreads = 256;
constexpr long long kLoopBlocks = 1024;

__device__ __forceinline__ float point(const float* __restrict__ a, long long i, long long j, long long m) {
  long long c = i * m + j;
  return 0.5f * a[c] + 0.125f * (a[c - m] + a[c + m] + a[c - 1] + a[c + 1]);
}

__global__ void stencil_thread(const float* __restrict__ a, float* __restrict__ b, long long n, long long m) {
  long long j = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  long long i = static_cast<long long>(blockIdx.y) * blockDim.y + threadIdx.y;
  if (i >= 1 && i < n - 1 && j >= 1 && j < m - 1) b[i * m + j] = point(a, i, j, m);
}

__global__ void stencil_flat(const float* __restrict__ a, float* __restrict__ b, long long n, long long m) {
  long long w = m - 2;
  long long count = (n - 2) * w;
  long long stride = static_cast<long long>(blockDim.x) * gridDim.x;
  for (long long k = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; k < count; k += stride) {
    long long i = k / w + 1;
    long long j = k % w + 1;
    b[i * m + j] = point(a, i, j, m);
  }
}

__global__ void stencil_rows(const float* __restrict__ a, float* __restrict__ b, long long n, long long m) {
  long long stride = static_cast<long long>(blockDim.x) * gridDim.x;
  for (long long r = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; r < n - 2; r += stride) {
    long long i = r + 1;
    for (long long j = 1; j < m - 1; ++j) b[i * m + j] = point(a, i, j, m);
  }
}

static double median(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

static unsigned loop_blocks(long long count) {
  return static_cast<unsigned>(std::max(1LL, std::min((count + kThreads - 1) / kThreads, kLoopBlocks)));
}

template <class Launch>
static void bench(const char* name, Launch launch, const std::vector<float>& ha, float* db, long long n, long long m,
                  int reps) {
  const long long count = n * m;
  const double bytes = 8.0 * static_cast<double>(count);
  CUDA_CHECK(cudaMemcpy(db, ha.data(), sizeof(float) * count, cudaMemcpyHostToDevice));  // b's border = a's
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

  std::vector<float> b(count);
  CUDA_CHECK(cudaMemcpy(b.data(), db, sizeof(float) * count, cudaMemcpyDeviceToHost));
  double total = 0.0;
  for (long long k = 0; k < count; ++k) total += static_cast<double>(b[k]);
  std::printf("CHECK %s %.3f %.3f %.3f %.3f\n", name, static_cast<double>(b[1 * m + 1]),
              static_cast<double>(b[(n / 2) * m + m / 2]), static_cast<double>(b[(n - 2) * m + (m - 2)]), total);

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
  long long n = argc > 2 ? std::atoll(argv[2]) : 10000LL;
  long long m = argc > 3 ? std::atoll(argv[3]) : n;
  if (reps < 1 || n < 3 || m < 3) {
    std::fprintf(stderr, "usage: stencil2d [REPS >= 1] [N >= 3] [M >= 3]\n");
    return 2;
  }
  const long long count = n * m;
  std::vector<float> ha(count);
  for (long long i = 0; i < n; ++i)
    for (long long j = 0; j < m; ++j) ha[i * m + j] = static_cast<float>((7 * i + 13 * j) % 64);
  float *da = nullptr, *db = nullptr;
  CUDA_CHECK(cudaMalloc(&da, sizeof(float) * count));
  CUDA_CHECK(cudaMalloc(&db, sizeof(float) * count));
  CUDA_CHECK(cudaMemcpy(da, ha.data(), sizeof(float) * count, cudaMemcpyHostToDevice));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("stencil2d n=%lld m=%lld reps=%d float32 cuda-c++ device=\"%s\" sm_%d%d\n", n, m, reps, prop.name,
              prop.major, prop.minor);

  const dim3 block(kBx, kBy);
  const dim3 grid(static_cast<unsigned>((m + kBx - 1) / kBx), static_cast<unsigned>((n + kBy - 1) / kBy));
  const unsigned flat_blocks = loop_blocks((n - 2) * (m - 2));
  const unsigned row_blocks = loop_blocks(n - 2);
  bench("stencil2d/thread", [&] { stencil_thread<<<grid, block>>>(da, db, n, m); }, ha, db, n, m, reps);
  bench("stencil2d/auto", [&] { stencil_flat<<<flat_blocks, kThreads>>>(da, db, n, m); }, ha, db, n, m, reps);
  bench("stencil2d/auto_rows", [&] { stencil_rows<<<row_blocks, kThreads>>>(da, db, n, m); }, ha, db, n, m, reps);

  CUDA_CHECK(cudaFree(da));
  CUDA_CHECK(cudaFree(db));
  return 0;
}
