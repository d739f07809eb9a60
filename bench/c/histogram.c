/* C twin of bench/kernels/histogram.nk: a 256-bin histogram of 2.5 * 10^6 * SCALE
 * float64 values in [0, 1) drawn from an integer LCG. */
#include "bench.h"

#define NBINS 256
#define REPEATS 9

KERNEL void histogram(const double *data, int64_t n, int64_t *bins, int64_t nb, double lo,
                      double hi) {
  for (int64_t b = 0; b < nb; ++b) bins[b] = 0;
  double scale = (double)nb / (hi - lo);
  for (int64_t i = 0; i < n; ++i) {
    int64_t b = (int64_t)((data[i] - lo) * scale);
    if (0 <= b && b < nb) bins[b] += 1;
  }
}

static void init(double *data, int64_t n) {
  int64_t x = 12345;
  for (int64_t i = 0; i < n; ++i) {
    x = (x * 1103515245 + 12345) % 2147483648;
    data[i] = (double)x / 2147483648.0;
  }
}

static int64_t checksum(const int64_t *bins, int64_t nb) {
  int64_t s = 0;
  for (int64_t b = 0; b < nb; ++b) s += b * bins[b];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 2500000 * scale;
  double *data = bench_alloc(n, sizeof *data);
  int64_t *bins = bench_alloc(NBINS, sizeof *bins);
  for (int64_t b = 0; b < NBINS; ++b) bins[b] = 0;
  init(data, n);
  histogram(data, n, bins, NBINS, 0.0, 1.0);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    histogram(data, n, bins, NBINS, 0.0, 1.0);
    times[r] = bench_now() - start;
  }
  printf("histogram %.3f ms (check %lld %lld)\n", bench_median(times, REPEATS) * 1000,
         (long long)bins[0], (long long)checksum(bins, NBINS));
  free(data);
  free(bins);
  return 0;
}
