/* C twin of bench/kernels/mandelbrot.nk: escape counts of a (100 * SCALE) x (75 * SCALE)
 * grid, a helper function per point. */
#include "bench.h"

#define MAX_ITER 200
#define REPEATS 7

static int64_t escape(double cr, double ci, int64_t max_iter) {
  double zr = 0.0, zi = 0.0;
  int64_t n = 0;
  while (n < max_iter && zr * zr + zi * zi <= 4.0) {
    double t = zr * zr - zi * zi + cr;
    zi = 2.0 * zr * zi + ci;
    zr = t;
    n += 1;
  }
  return n;
}

KERNEL void mandelbrot(int64_t *counts, int64_t h, int64_t w, int64_t max_iter) {
  for (int64_t i = 0; i < h; ++i) {
    double ci = -1.2 + 2.4 * (double)i / (double)h;
    for (int64_t j = 0; j < w; ++j) {
      double cr = -2.0 + 3.0 * (double)j / (double)w;
      counts[i * w + j] = escape(cr, ci, max_iter);
    }
  }
}

static int64_t checksum(const int64_t *counts, int64_t h, int64_t w) {
  int64_t s = 0;
  for (int64_t i = 0; i < h; ++i)
    for (int64_t j = 0; j < w; ++j) s += counts[i * w + j];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t w = 100 * scale, h = 75 * scale;
  int64_t *counts = bench_alloc(h * w, sizeof *counts);
  for (int64_t i = 0; i < h * w; ++i) counts[i] = 0;
  mandelbrot(counts, h, w, MAX_ITER);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    mandelbrot(counts, h, w, MAX_ITER);
    times[r] = bench_now() - start;
  }
  printf("mandelbrot %.3f ms (check %lld %lld)\n", bench_median(times, REPEATS) * 1000,
         (long long)counts[(h / 2) * w + w / 2], (long long)checksum(counts, h, w));
  free(counts);
  return 0;
}
