/* C twin of bench/kernels/inc.nk: a[i] += 1 over 5 * 10^6 * SCALE float64 elements. */
#include "bench.h"

#define REPEATS 9

KERNEL void inc(double *a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] += 1;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 5000000 * scale;
  double *a = bench_alloc(n, sizeof *a);
  for (int64_t i = 0; i < n; ++i) a[i] = 1.0;
  inc(a, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    inc(a, n);
    times[r] = bench_now() - start;
  }
  printf("inc %.3f ms (check %.1f %.1f)\n", bench_median(times, REPEATS) * 1000, a[0], a[n - 1]);
  free(a);
  return 0;
}
