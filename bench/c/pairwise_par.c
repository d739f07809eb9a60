/* C twin of bench/kernels/pairwise_par.nk: pairwise Euclidean distances of 512 * SCALE
 * points in 8-D; the prange over rows is an OpenMP loop when built with -fopenmp. */
#include "bench.h"

#define DIMS 8
#define REPEATS 7

KERNEL void pairwise(const double *X, double *D, int64_t n, int64_t d) {
  PARALLEL_FOR
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (int64_t k = 0; k < d; ++k) {
        double t = X[i * d + k] - X[j * d + k];
        s += t * t;
      }
      D[i * n + j] = sqrt(s);
    }
  }
}

static void init(double *X, int64_t n, int64_t d) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < d; ++k) X[i * d + k] = ((i * (k + 3) * 7) % 101) * 0.01;
}

static double checksum(const double *D, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) s += D[i * n + j];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 512 * scale;
  double *X = bench_alloc(n * DIMS, sizeof *X);
  double *D = bench_alloc(n * n, sizeof *D);
  init(X, n, DIMS);
  pairwise(X, D, n, DIMS);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    pairwise(X, D, n, DIMS);
    times[r] = bench_now() - start;
  }
  printf("pairwise_par %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000,
         checksum(D, n));
  free(X);
  free(D);
  return 0;
}
