/* C twin of bench/kernels/jacobi_2d.nk: PolyBench jacobi-2d on (250 * SCALE)^2 grids. */
#include "bench.h"

#define TSTEPS 20
#define REPEATS 7

KERNEL void jacobi_2d(double *A, double *B, int64_t n) {
  for (int64_t t = 0; t < TSTEPS; ++t) {
    for (int64_t i = 1; i < n - 1; ++i)
      for (int64_t j = 1; j < n - 1; ++j)
        B[i * n + j] = 0.2 * (A[i * n + j] + A[i * n + j - 1] + A[i * n + j + 1] +
                              A[(i + 1) * n + j] + A[(i - 1) * n + j]);
    for (int64_t i = 1; i < n - 1; ++i)
      for (int64_t j = 1; j < n - 1; ++j)
        A[i * n + j] = 0.2 * (B[i * n + j] + B[i * n + j - 1] + B[i * n + j + 1] +
                              B[(i + 1) * n + j] + B[(i - 1) * n + j]);
  }
}

static void init(double *A, double *B, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      A[i * n + j] = (double)(i * (j + 2) + 2) / (double)n;
      B[i * n + j] = (double)(i * (j + 3) + 3) / (double)n;
    }
}

static double checksum(const double *A, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) s += A[i * n + j];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 250 * scale;
  double *A = bench_alloc(n * n, sizeof *A);
  double *B = bench_alloc(n * n, sizeof *B);
  init(A, B, n);
  jacobi_2d(A, B, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    jacobi_2d(A, B, n);
    times[r] = bench_now() - start;
  }
  printf("jacobi_2d %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000, checksum(A, n));
  free(A);
  free(B);
  return 0;
}
