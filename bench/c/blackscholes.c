/* C twin of bench/kernels/blackscholes.nk: Black-Scholes call and put prices of
 * 10^5 * SCALE options with log, exp, sqrt and erf. */
#include "bench.h"

#define RISKFREE 0.02
#define VOLATILITY 0.30
#define SQRT_HALF 0.7071067811865476
#define REPEATS 7

static double cnd(double d) { return 0.5 * (1.0 + erf(d * SQRT_HALF)); }

KERNEL void blackscholes(const double *price, const double *strike, const double *years,
                         double *call, double *put, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    double s = price[i], x = strike[i], t = years[i];
    double sqrt_t = sqrt(t);
    double d1 =
        (log(s / x) + (RISKFREE + 0.5 * VOLATILITY * VOLATILITY) * t) / (VOLATILITY * sqrt_t);
    double d2 = d1 - VOLATILITY * sqrt_t;
    double cnd1 = cnd(d1), cnd2 = cnd(d2);
    double exp_rt = exp(-RISKFREE * t);
    call[i] = s * cnd1 - x * exp_rt * cnd2;
    put[i] = x * exp_rt * (1.0 - cnd2) - s * (1.0 - cnd1);
  }
}

static void init(double *price, double *strike, double *years, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    price[i] = 10.0 + (i % 97) * 0.5;
    strike[i] = 10.0 + (i % 89) * 0.5;
    years[i] = 0.25 + (i % 13) * 0.25;
  }
}

static double checksum(const double *a, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += a[i];
  return s;
}

int main(int argc, char **argv) {
  int64_t scale = bench_scale(argc, argv, 4);
  int64_t n = 100000 * scale;
  double *price = bench_alloc(n, sizeof *price);
  double *strike = bench_alloc(n, sizeof *strike);
  double *years = bench_alloc(n, sizeof *years);
  double *call = bench_alloc(n, sizeof *call);
  double *put = bench_alloc(n, sizeof *put);
  init(price, strike, years, n);
  blackscholes(price, strike, years, call, put, n);
  double times[REPEATS];
  for (int r = 0; r < REPEATS; ++r) {
    double start = bench_now();
    blackscholes(price, strike, years, call, put, n);
    times[r] = bench_now() - start;
  }
  printf("blackscholes %.3f ms (check %.6e %.6e)\n", bench_median(times, REPEATS) * 1000,
         checksum(call, n), checksum(put, n));
  free(price);
  free(strike);
  free(years);
  free(call);
  free(put);
  return 0;
}
