/* C twin of bench/kernels/seidel_2d.nk: PolyBench seidel-2d on a (100 * SCALE)^2 grid. */
#include "bench.h"

#define TSTEPS 10
#define REPEATS 7

KERNEL void seidel_2d(double *A, int64_t n) {
  for (int64_t t = 0; t < TSTEPS; ++t)
    for (int64_t i = 1; i < n - 1; ++i)
      for (int64_t j = 1; j < n - 1; ++j)
        A[i * n + j] = (A[(i - 1) * n + j - 1] + A[(i - 1) * n + j] + A[(i - 1) * n + j + 1] +
                        A[i * n + j - 1] + A[i * n + j] + A[i * n + j + 1] +
                        A[(i + 1) * n + j - 1] + A[(i + 1) * n + j] + A[(i + 1) * n + j + 1]) /
                       9.0;
}

static void init(double *A, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) A[i * n + j] = (double)(i * (j + 2) + 2) / (double)n;
}

static double checksum(const double *A, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) s += A[i * n + j];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 100 * scale;
  double *A = bench_alloc(n * n, sizeof *A);
  init(A, n);
  seidel_2d(A, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    seidel_2d(A, n);
    times[r] = bench_now() - start;
  }
  printf("seidel_2d %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000, checksum(A, n));
  free(A);
  return 0;
}
