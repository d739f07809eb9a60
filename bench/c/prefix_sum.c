/* C twin of bench/kernels/prefix_sum.nk: an inclusive int64 prefix sum, 2.5 * 10^6 * SCALE. */
#include "bench.h"

#define REPEATS 9

KERNEL void prefix_sum(const int64_t *a, int64_t *out, int64_t n) {
  int64_t s = 0;
  for (int64_t i = 0; i < n; ++i) {
    s += a[i];
    out[i] = s;
  }
}

static void init(int64_t *a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) a[i] = (i * 7919) % 1000 - 500;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 2500000 * scale;
  int64_t *a = bench_alloc(n, sizeof *a);
  int64_t *out = bench_alloc(n, sizeof *out);
  init(a, n);
  prefix_sum(a, out, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    prefix_sum(a, out, n);
    times[r] = bench_now() - start;
  }
  printf("prefix_sum %.3f ms (check %lld %lld)\n", bench_median(times, REPEATS) * 1000,
         (long long)out[n / 2], (long long)out[n - 1]);
  free(a);
  free(out);
  return 0;
}
