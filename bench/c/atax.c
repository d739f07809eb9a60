/* C twin of bench/kernels/atax.nk: PolyBench atax, y = A^T (A x), (800 * SCALE)^2. */
#include "bench.h"

#define REPEATS 9

KERNEL void atax(const double *A, const double *x, double *y, double *tmp, int64_t m, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = 0.0;
  for (int64_t i = 0; i < m; ++i) {
    tmp[i] = 0.0;
    for (int64_t j = 0; j < n; ++j) tmp[i] = tmp[i] + A[i * n + j] * x[j];
    for (int64_t j = 0; j < n; ++j) y[j] = y[j] + A[i * n + j] * tmp[i];
  }
}

static void init(double *A, double *x, int64_t m, int64_t n) {
  double fn = (double)n;
  for (int64_t i = 0; i < n; ++i) x[i] = 1.0 + (double)i / fn;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) A[i * n + j] = (double)((i + j) % n) / (5.0 * (double)m);
}

static double checksum(const double *y, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += y[i];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t m = 800 * scale, n = 800 * scale;
  double *A = bench_alloc(m * n, sizeof *A);
  double *x = bench_alloc(n, sizeof *x);
  double *y = bench_alloc(n, sizeof *y);
  double *tmp = bench_alloc(m, sizeof *tmp);
  init(A, x, m, n);
  atax(A, x, y, tmp, m, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    atax(A, x, y, tmp, m, n);
    times[r] = bench_now() - start;
  }
  printf("atax %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000, checksum(y, n));
  free(A);
  free(x);
  free(y);
  free(tmp);
  return 0;
}
