"""saxpy (y = a * x + y, float32, device arrays) with numba.cuda: the twin of saxpy.nk.

    python3 bench/gpu/saxpy_numba.py [REPS] [N]        (defaults 20, 100000000)

Same data, variants, timing and output as saxpy.nk: one warm-up launch (JIT compile
and module load), then REPS launches each timed with time.perf_counter() around the
launch and cuda.synchronize(); the median is the middle element of the sorted times
(the upper one for an even REPS), as in the .nk and .cu versions.

  saxpy/thread      one thread per element, 256 per block
  saxpy/gridstride  grid-stride loop, 4096 x 256 threads
  saxpy/auto        what nk makes of a @jit(target="cuda") loop, written by hand: a
                    grid-stride loop on min(ceil(n / 256), 1024) blocks of 256 threads

Prints `RESULT <name> <median ms> <GB/s>` (12 n bytes per call) and
`CHECK <name> <y[0]> <y[1]> <y[n-1]> <sum of y>` per variant.
"""
import sys
import time

import numpy as np
from numba import cuda

TPB = 256
STRIDE_BLOCKS = 4096
LOOP_BLOCKS = 1024  # nk's auto-parallel loops: at most 1024 blocks of 256 threads


@cuda.jit
def saxpy_thread(a, x, y):
    i = cuda.grid(1)
    if i < y.shape[0]:
        y[i] = a * x[i] + y[i]


@cuda.jit
def saxpy_gridstride(a, x, y):
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, y.shape[0], stride):
        y[i] = a * x[i] + y[i]


def median(times):
    return sorted(times)[len(times) // 2]


def bench(name, launch, dy, reps, nbytes):
    launch()  # warm-up: compile + module load
    cuda.synchronize()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        launch()
        cuda.synchronize()
        times.append(time.perf_counter() - start)
    ms = median(times) * 1000.0
    print(f"RESULT {name} {ms:.4f} {nbytes / ms / 1e6:.1f}")
    y = dy.copy_to_host()
    n = y.shape[0]
    total = float(y.astype(np.float64).sum())
    print(f"CHECK {name} {float(y[0]):.1f} {float(y[1]):.1f} {float(y[n - 1]):.1f} {total:.1f}")
    sys.stdout.flush()


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000000
    a = np.float32(2.0)
    hx = (np.arange(n, dtype=np.int64) % 1000).astype(np.float32)
    hy = np.ones(n, dtype=np.float32)
    nbytes = 12.0 * n
    dx = cuda.to_device(hx)
    print(f"saxpy n={n} reps={reps} float32 numba")

    blocks = (n + TPB - 1) // TPB
    dy = cuda.to_device(hy)
    bench("saxpy/thread", lambda: saxpy_thread[blocks, TPB](a, dx, dy), dy, reps, nbytes)

    dy = cuda.to_device(hy)
    bench("saxpy/gridstride", lambda: saxpy_gridstride[STRIDE_BLOCKS, TPB](a, dx, dy), dy, reps, nbytes)

    loop_blocks = max(1, min(blocks, LOOP_BLOCKS))
    dy = cuda.to_device(hy)
    bench("saxpy/auto", lambda: saxpy_gridstride[loop_blocks, TPB](a, dx, dy), dy, reps, nbytes)


if __name__ == "__main__":
    main()
