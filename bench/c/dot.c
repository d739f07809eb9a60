/* C twin of bench/kernels/dot.nk: a serial float64 dot product, 2 * 10^6 * SCALE. */
#include "bench.h"

#define REPEATS 9

KERNEL double dot(const double *x, const double *y, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

static void init(double *x, double *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    x[i] = (i % 7) * 0.5;
    y[i] = (double)(i % 11) - 3.0;
  }
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 2000000 * scale;
  double *x = bench_alloc(n, sizeof *x);
  double *y = bench_alloc(n, sizeof *y);
  init(x, y, n);
  double s = dot(x, y, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    s = dot(x, y, n);
    times[r] = bench_now() - start;
    bench_use(s);
  }
  printf("dot %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000, s);
  free(x);
  free(y);
  return 0;
}
