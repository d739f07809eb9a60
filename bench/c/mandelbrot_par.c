/* C twin of bench/kernels/mandelbrot_par.nk: escape counts of a (200 * SCALE) x
 * (150 * SCALE) grid; the prange over rows is an OpenMP loop when built with -fopenmp. */
#include "bench.h"

#define MAX_ITER 100
#define REPEATS 7

KERNEL void mandelbrot(int64_t *counts, int64_t h, int64_t w) {
  PARALLEL_FOR
  for (int64_t i = 0; i < h; ++i) {
    double ci = -1.2 + 2.4 * (double)i / (double)h;
    for (int64_t j = 0; j < w; ++j) {
      double cr = -2.0 + 3.0 * (double)j / (double)w;
      double zr = 0.0, zi = 0.0;
      int64_t n = 0;
      while (n < MAX_ITER && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        n += 1;
      }
      counts[i * w + j] = n;
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
  int64_t w = 200 * scale, h = 150 * scale;
  int64_t *counts = bench_alloc(h * w, sizeof *counts);
  for (int64_t i = 0; i < h * w; ++i) counts[i] = 0;
  mandelbrot(counts, h, w);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    mandelbrot(counts, h, w);
    times[r] = bench_now() - start;
  }
  printf("mandelbrot_par %.3f ms (check %lld)\n", bench_median(times, REPEATS) * 1000,
         (long long)checksum(counts, h, w));
  free(counts);
  return 0;
}
