/* C twin of bench/kernels/gesummv.nk: PolyBench gesummv, y = alpha A x + beta B x. */
#include "bench.h"

#define ALPHA 1.5
#define BETA 1.2
#define REPEATS 9

KERNEL void gesummv(const double *A, const double *B, const double *x, double *y, double *tmp,
                    int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    tmp[i] = 0.0;
    y[i] = 0.0;
    for (int64_t j = 0; j < n; ++j) {
      tmp[i] = A[i * n + j] * x[j] + tmp[i];
      y[i] = B[i * n + j] * x[j] + y[i];
    }
    y[i] = ALPHA * tmp[i] + BETA * y[i];
  }
}

static void init(double *A, double *B, double *x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    x[i] = (double)(i % n) / (double)n;
    for (int64_t j = 0; j < n; ++j) {
      A[i * n + j] = (double)((i * j + 1) % n) / (double)n;
      B[i * n + j] = (double)((i * j + 2) % n) / (double)n;
    }
  }
}

static double checksum(const double *y, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += y[i];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 500 * scale;
  double *A = bench_alloc(n * n, sizeof *A);
  double *B = bench_alloc(n * n, sizeof *B);
  double *x = bench_alloc(n, sizeof *x);
  double *y = bench_alloc(n, sizeof *y);
  double *tmp = bench_alloc(n, sizeof *tmp);
  init(A, B, x, n);
  gesummv(A, B, x, y, tmp, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    gesummv(A, B, x, y, tmp, n);
    times[r] = bench_now() - start;
  }
  printf("gesummv %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000, checksum(y, n));
  free(A);
  free(B);
  free(x);
  free(y);
  free(tmp);
  return 0;
}
