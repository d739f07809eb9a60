/* C twin of bench/kernels/fdtd_2d.nk: PolyBench fdtd-2d on (250 * SCALE)^2 grids. */
#include "bench.h"

#define TSTEPS 10
#define REPEATS 7

KERNEL void fdtd_2d(double *ex, double *ey, double *hz, int64_t nx, int64_t ny) {
  for (int64_t t = 0; t < TSTEPS; ++t) {
    for (int64_t j = 0; j < ny; ++j) ey[j] = (double)t;
    for (int64_t i = 1; i < nx; ++i)
      for (int64_t j = 0; j < ny; ++j)
        ey[i * ny + j] = ey[i * ny + j] - 0.5 * (hz[i * ny + j] - hz[(i - 1) * ny + j]);
    for (int64_t i = 0; i < nx; ++i)
      for (int64_t j = 1; j < ny; ++j)
        ex[i * ny + j] = ex[i * ny + j] - 0.5 * (hz[i * ny + j] - hz[i * ny + j - 1]);
    for (int64_t i = 0; i < nx - 1; ++i)
      for (int64_t j = 0; j < ny - 1; ++j)
        hz[i * ny + j] = hz[i * ny + j] - 0.7 * (ex[i * ny + j + 1] - ex[i * ny + j] +
                                                 ey[(i + 1) * ny + j] - ey[i * ny + j]);
  }
}

static void init(double *ex, double *ey, double *hz, int64_t nx, int64_t ny) {
  for (int64_t i = 0; i < nx; ++i)
    for (int64_t j = 0; j < ny; ++j) {
      ex[i * ny + j] = (double)(i * (j + 1)) / (double)nx;
      ey[i * ny + j] = (double)(i * (j + 2)) / (double)ny;
      hz[i * ny + j] = (double)(i * (j + 3)) / (double)nx;
    }
}

static double checksum(const double *A, int64_t nx, int64_t ny) {
  double s = 0.0;
  for (int64_t i = 0; i < nx; ++i)
    for (int64_t j = 0; j < ny; ++j) s += A[i * ny + j];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t nx = 250 * scale, ny = 250 * scale;
  double *ex = bench_alloc(nx * ny, sizeof *ex);
  double *ey = bench_alloc(nx * ny, sizeof *ey);
  double *hz = bench_alloc(nx * ny, sizeof *hz);
  init(ex, ey, hz, nx, ny);
  fdtd_2d(ex, ey, hz, nx, ny);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    fdtd_2d(ex, ey, hz, nx, ny);
    times[r] = bench_now() - start;
  }
  printf("fdtd_2d %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000,
         checksum(hz, nx, ny));
  free(ex);
  free(ey);
  free(hz);
  return 0;
}
