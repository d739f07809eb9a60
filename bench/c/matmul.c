/* C twin of bench/kernels/matmul.nk: naive i-k-j product of (128 * SCALE)^2 matrices. */
#include "bench.h"

#define REPEATS 7

KERNEL void matmul(const double *a, const double *b, double *c, int64_t n, int64_t kk, int64_t m) {
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < m; ++j) c[i * m + j] = 0.0;
    for (int64_t k = 0; k < kk; ++k) {
      double aik = a[i * kk + k];
      for (int64_t j = 0; j < m; ++j) c[i * m + j] += aik * b[k * m + j];
    }
  }
}

static void fill(double *a, int64_t rows, int64_t cols, int64_t seed) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) a[i * cols + j] = ((i * 31 + j * 17 + seed) % 13) * 0.25;
}

static double checksum(const double *c, int64_t rows, int64_t cols) {
  double s = 0.0;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) s += c[i * cols + j];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 128 * scale;
  double *a = bench_alloc(n * n, sizeof *a);
  double *b = bench_alloc(n * n, sizeof *b);
  double *c = bench_alloc(n * n, sizeof *c);
  fill(a, n, n, 1);
  fill(b, n, n, 2);
  matmul(a, b, c, n, n, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    matmul(a, b, c, n, n, n);
    times[r] = bench_now() - start;
  }
  printf("matmul %.3f ms (check %.2f %.6e)\n", bench_median(times, REPEATS) * 1000, c[3 * n + 5],
         checksum(c, n, n));
  free(a);
  free(b);
  free(c);
  return 0;
}
