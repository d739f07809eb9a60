/* C twin of bench/kernels/saxpy.nk: y = a * x + y over 10^7 * SCALE float32 elements. */
#include "bench.h"

#define REPEATS 9

KERNEL void saxpy(float a, const float *x, float *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = a * x[i] + y[i];
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 10000000 * scale;
  float *x = bench_alloc(n, sizeof *x);
  float *y = bench_alloc(n, sizeof *y);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = 1.0f;
    y[i] = 0.0f;
  }
  float a = 0.5f;
  saxpy(a, x, y, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    saxpy(a, x, y, n);
    times[r] = bench_now() - start;
  }
  printf("saxpy %.3f ms (check %.1f %.1f)\n", bench_median(times, REPEATS) * 1000, (double)y[0],
         (double)y[n - 1]);
  free(x);
  free(y);
  return 0;
}
