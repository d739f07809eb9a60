"""The 5-point float32 stencil of stencil2d.nk with numba.cuda, on device arrays:

    b[i, j] = 0.5 * a[i, j] + 0.125 * (a[i-1, j] + a[i+1, j] + a[i, j-1] + a[i, j+1])   (float32)

    python3 bench/gpu/stencil2d_numba.py [REPS] [N] [M]    (defaults 20, 10000, N)

Same data, variants, timing and output as stencil2d.nk: one warm-up launch, then REPS
launches each timed with time.perf_counter() around the launch and
cuda.synchronize(); the median is the middle element of the sorted times.

  stencil2d/thread     one thread per point, 2-d grid of 32 x 8 blocks (x along j)
  stencil2d/auto       what nk makes of the flat @jit(target="cuda") loop, by hand: a
                       grid-stride loop over the interior points (k -> i, j with // and
                       %) on min(ceil(count / 256), 1024) blocks of 256 threads
  stencil2d/auto_rows  what nk makes of the nested loops: one thread per interior row,
                       the row's points serially in it, same launch shape

Prints `RESULT <name> <median ms> <GB/s>` (8 n m bytes per call) and
`CHECK <name> <b[1,1]> <b[n/2,m/2]> <b[n-2,m-2]> <sum of b>` per variant.
"""
import sys
import time

import numpy as np
from numba import cuda

BX = 32
BY = 8
TPB = 256
LOOP_BLOCKS = 1024
# float32 constants: a bare 0.5 would make Numba compute in float64 (nk keeps float32,
# SPEC 2.3: Python literals are weak), as the .cu does with 0.5f
HALF = np.float32(0.5)
EIGHTH = np.float32(0.125)


@cuda.jit
def stencil_thread(a, b):
    j, i = cuda.grid(2)
    if i >= 1 and i < a.shape[0] - 1 and j >= 1 and j < a.shape[1] - 1:
        b[i, j] = HALF * a[i, j] + EIGHTH * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])


@cuda.jit
def stencil_flat(a, b):
    w = a.shape[1] - 2
    count = (a.shape[0] - 2) * w
    for k in range(cuda.grid(1), count, cuda.gridsize(1)):
        i = k // w + 1
        j = k % w + 1
        b[i, j] = HALF * a[i, j] + EIGHTH * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])


@cuda.jit
def stencil_rows(a, b):
    for r in range(cuda.grid(1), a.shape[0] - 2, cuda.gridsize(1)):
        i = r + 1
        for j in range(1, a.shape[1] - 1):
            b[i, j] = HALF * a[i, j] + EIGHTH * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])


def median(times):
    return sorted(times)[len(times) // 2]


def loop_blocks(count):
    return max(1, min((count + TPB - 1) // TPB, LOOP_BLOCKS))


def bench(name, launch, db, reps, nbytes):
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
    b = db.copy_to_host()
    n, m = b.shape
    total = float(b.astype(np.float64).sum())
    print(f"CHECK {name} {float(b[1, 1]):.3f} {float(b[n // 2, m // 2]):.3f} "
          f"{float(b[n - 2, m - 2]):.3f} {total:.3f}")
    sys.stdout.flush()


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    m = int(sys.argv[3]) if len(sys.argv) > 3 else n
    i = np.arange(n, dtype=np.int64).reshape(n, 1)
    j = np.arange(m, dtype=np.int64).reshape(1, m)
    ha = ((7 * i + 13 * j) % 64).astype(np.float32)
    nbytes = 8.0 * n * m
    da = cuda.to_device(ha)
    print(f"stencil2d n={n} m={m} reps={reps} float32 numba")

    blocks = ((m + BX - 1) // BX, (n + BY - 1) // BY)
    db = cuda.to_device(ha)  # the border of b keeps a's values
    bench("stencil2d/thread", lambda: stencil_thread[blocks, (BX, BY)](da, db), db, reps, nbytes)

    flat_blocks = loop_blocks((n - 2) * (m - 2))
    db = cuda.to_device(ha)
    bench("stencil2d/auto", lambda: stencil_flat[flat_blocks, TPB](da, db), db, reps, nbytes)

    row_blocks = loop_blocks(n - 2)
    db = cuda.to_device(ha)
    bench("stencil2d/auto_rows", lambda: stencil_rows[row_blocks, TPB](da, db), db, reps, nbytes)


if __name__ == "__main__":
    main()
