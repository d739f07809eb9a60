/* C twin of bench/kernels/nbody.nk: all-pairs n-body, STEPS steps of 256 * SCALE bodies. */
#include "bench.h"

#define STEPS 2
#define DT 0.001
#define SOFTENING 0.01
#define REPEATS 7

KERNEL void nbody(double *pos, double *vel, const double *mass, int64_t n) {
  for (int64_t step = 0; step < STEPS; ++step) {
    for (int64_t i = 0; i < n; ++i) {
      double xi = pos[i * 3 + 0], yi = pos[i * 3 + 1], zi = pos[i * 3 + 2];
      double ax = 0.0, ay = 0.0, az = 0.0;
      for (int64_t j = 0; j < n; ++j) {
        double dx = pos[j * 3 + 0] - xi;
        double dy = pos[j * 3 + 1] - yi;
        double dz = pos[j * 3 + 2] - zi;
        double r2 = dx * dx + dy * dy + dz * dz + SOFTENING;
        double f = mass[j] / (r2 * sqrt(r2));
        ax += dx * f;
        ay += dy * f;
        az += dz * f;
      }
      vel[i * 3 + 0] += DT * ax;
      vel[i * 3 + 1] += DT * ay;
      vel[i * 3 + 2] += DT * az;
    }
    for (int64_t i = 0; i < n; ++i) {
      pos[i * 3 + 0] += DT * vel[i * 3 + 0];
      pos[i * 3 + 1] += DT * vel[i * 3 + 1];
      pos[i * 3 + 2] += DT * vel[i * 3 + 2];
    }
  }
}

static void init(double *pos, double *vel, double *mass, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    pos[i * 3 + 0] = ((i * 37) % 101) * 0.1 - 5.0;
    pos[i * 3 + 1] = ((i * 53) % 103) * 0.1 - 5.0;
    pos[i * 3 + 2] = ((i * 71) % 107) * 0.1 - 5.0;
    vel[i * 3 + 0] = 0.0;
    vel[i * 3 + 1] = 0.0;
    vel[i * 3 + 2] = 0.0;
    mass[i] = 1.0 + (i % 5) * 0.25;
  }
}

static double checksum(const double *pos, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += pos[i * 3 + 0] + 2.0 * pos[i * 3 + 1] + 3.0 * pos[i * 3 + 2];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 256 * scale;
  double *pos = bench_alloc(n * 3, sizeof *pos);
  double *vel = bench_alloc(n * 3, sizeof *vel);
  double *mass = bench_alloc(n, sizeof *mass);
  init(pos, vel, mass, n);
  nbody(pos, vel, mass, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    nbody(pos, vel, mass, n);
    times[r] = bench_now() - start;
  }
  printf("nbody %.3f ms (check %.6e)\n", bench_median(times, REPEATS) * 1000, checksum(pos, n));
  free(pos);
  free(vel);
  free(mass);
  return 0;
}
