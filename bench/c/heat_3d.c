/* C twin of bench/kernels/heat_3d.nk: PolyBench heat-3d on (30 * SCALE)^3 grids. */
#include "bench.h"

#define TSTEPS 10
#define REPEATS 7

#define AT(X, i, j, k) X[((i)*n + (j)) * n + (k)]

KERNEL void heat_3d(double *A, double *B, int64_t n) {
  for (int64_t t = 0; t < TSTEPS; ++t) {
    for (int64_t i = 1; i < n - 1; ++i)
      for (int64_t j = 1; j < n - 1; ++j)
        for (int64_t k = 1; k < n - 1; ++k)
          AT(B, i, j, k) =
              0.125 * (AT(A, i + 1, j, k) - 2.0 * AT(A, i, j, k) + AT(A, i - 1, j, k)) +
              0.125 * (AT(A, i, j + 1, k) - 2.0 * AT(A, i, j, k) + AT(A, i, j - 1, k)) +
              0.125 * (AT(A, i, j, k + 1) - 2.0 * AT(A, i, j, k) + AT(A, i, j, k - 1)) +
              AT(A, i, j, k);
    for (int64_t i = 1; i < n - 1; ++i)
      for (int64_t j = 1; j < n - 1; ++j)
        for (int64_t k = 1; k < n - 1; ++k)
          AT(A, i, j, k) =
              0.125 * (AT(B, i + 1, j, k) - 2.0 * AT(B, i, j, k) + AT(B, i - 1, j, k)) +
              0.125 * (AT(B, i, j + 1, k) - 2.0 * AT(B, i, j, k) + AT(B, i, j - 1, k)) +
              0.125 * (AT(B, i, j, k + 1) - 2.0 * AT(B, i, j, k) + AT(B, i, j, k - 1)) +
              AT(B, i, j, k);
  }
}

static void init(double *A, double *B, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < n; ++k) {
        AT(A, i, j, k) = ((i * 7 + j * 13 + k * 29) % 17) * 0.5;
        AT(B, i, j, k) = AT(A, i, j, k);
      }
}

static double checksum(const double *A, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < n; ++k) s += AT(A, i, j, k);
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 30 * scale;
  double *A = bench_alloc(n * n * n, sizeof *A);
  double *B = bench_alloc(n * n * n, sizeof *B);
  init(A, B, n);
  heat_3d(A, B, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    heat_3d(A, B, n);
    times[r] = bench_now() - start;
  }
  printf("heat_3d %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000, checksum(A, n));
  free(A);
  free(B);
  return 0;
}
