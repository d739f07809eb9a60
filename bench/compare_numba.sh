#!/usr/bin/env bash
# Kernel times of nk against Numba, side by side in one run: each bench/kernels/*.nk
# is run under `nk run` and under Debian's /usr/bin/python3 with python3-numba
# (`apt-get install python3-numba`), alternating, ROUNDS times; each run prints its own
# median kernel time (after a warm-up call, so compile time is excluded).
#   bash bench/compare_numba.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
nk=${NK:-build/bin/nk}
python=${NUMBA_PYTHON:-/usr/bin/python3}
"$python" -c 'import numba' 2>/dev/null || { echo "compare_numba: $python has no numba (apt-get install python3-numba)" >&2; exit 1; }
echo "numba $("$python" -c 'import numba; print(numba.__version__)'), $("$nk" --version)"
for kernel in bench/kernels/*.nk; do
  for ((r = 1; r <= rounds; ++r)); do
    echo "nk    $("$nk" run "$kernel")"
    echo "numba $("$python" "$kernel")"
  done
done
