/* Shared helpers of the C versions of bench/kernels/NAME.nk: each C file runs the same
 * algorithm on the same sizes and data as its .nk twin, times a warm-up call and then
 * REPEATS calls with clock_gettime(CLOCK_MONOTONIC), and prints the same line:
 *   NAME <median ms> ms (check <checksum>)
 * Built by bench/run.py with clang-19 -O3 -march=native -ffp-contract=off (no FMA
 * contraction, as nk and Numba without fastmath), -fopenmp for the prange kernels. */
#ifndef NK_BENCH_H
#define NK_BENCH_H
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A timed kernel: external linkage and never inlined, so that, like a JIT-compiled
 * function called from the host program, it is compiled without knowing its callers'
 * arguments (no interprocedural constant propagation of sizes or parameters). */
#if defined(__GNUC__) || defined(__clang__)
#define KERNEL __attribute__((noinline))
#else
#define KERNEL
#endif

/* `for i in prange(n)` of an @njit(parallel=True) function: an OpenMP loop when built
 * with -fopenmp, else serial. */
#ifdef _OPENMP
#define PARALLEL_FOR _Pragma("omp parallel for")
#else
#define PARALLEL_FOR
#endif

/* timeit.default_timer in the .nk files. */
static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The .nk files' median(): an insertion sort, then the middle element. */
static inline double bench_median(double *t, int n) {
  for (int i = 1; i < n; ++i) {
    int j = i;
    while (j > 0 && t[j - 1] > t[j]) {
      double x = t[j - 1];
      t[j - 1] = t[j];
      t[j] = x;
      --j;
    }
  }
  return t[n / 2];
}

/* SCALE = int(sys.argv[1]) if len(sys.argv) > 1 else dflt */
static inline int64_t bench_scale(int argc, char **argv, int64_t dflt) {
  return argc > 1 ? (int64_t)strtoll(argv[1], NULL, 10) : dflt;
}

/* Publishes a buffer so the compiler must assume the timer calls may read or write it:
 * no repeated kernel call can be merged or dropped. */
static void *volatile bench_sink_ptr;
static volatile double bench_sink_f64;
static inline void bench_escape(void *p) {
  bench_sink_ptr = p;
  atomic_signal_fence(memory_order_seq_cst);
}
/* Keeps a scalar result of a timed call alive. */
static inline void bench_use(double x) { bench_sink_f64 = x; }

static inline void *bench_alloc(size_t n, size_t size) {
  void *p = malloc(n * size);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  bench_escape(p);
  return p;
}

#endif
