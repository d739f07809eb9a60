#!/usr/bin/env bash
# GPU benchmarks: saxpy and a 2-d 5-point stencil on device arrays (1e8 float32
# elements each by default) under nk (explicit @cuda.jit kernels and
# @jit(target="cuda") functions), numba.cuda and CUDA C++ (nvcc -O3), then
# examples/seed.nk three times (and once with --time --no-cache); ends with a markdown table of median times, GB/s and
# ratios against the CUDA C++ build, and a check that every run computed the same
# values. See bench/gpu/README.md.
#
#     bash bench/gpu/run.sh                 # from anywhere; needs a GPU
#
# Environment (all optional):
#   NK=build/bin/nk      the nk driver          PYTHON=python3   Python with numba-cuda
#   NVCC=...             default: PATH, $CUDA_HOME/bin, /usr/local/cuda/bin
#   REPS=20              timed launches per variant (after one warm-up launch)
#   SAXPY_N=100000000    saxpy length           STENCIL_N=10000  stencil grid side
#   LOG_DIR=DIR          keep each program's output there (default: a temporary folder)
#   RUN_TIMEOUT=150      seconds allowed per program
# A missing nvcc or numba-cuda skips that implementation with a "skipped: ..." line.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)

NK=${NK:-build/bin/nk}
PYTHON=${PYTHON:-python3}
REPS=${REPS:-20}
SAXPY_N=${SAXPY_N:-100000000}
STENCIL_N=${STENCIL_N:-10000}
RUN_TIMEOUT=${RUN_TIMEOUT:-150}
TMP=$(mktemp -d /tmp/nk-gpu-bench.XXXXXX)
LOG_DIR=${LOG_DIR:-$TMP/logs}
mkdir -p "$LOG_DIR"
trap 'rm -rf "$TMP"' EXIT

section() { printf '\n===== %s =====\n' "$*"; }

# run LOG CMD...: runs CMD with a time limit, output to LOG and to stdout.
run() {
  local log=$1
  shift
  echo "\$ $*"
  local start=$SECONDS
  timeout "$RUN_TIMEOUT" "$@" >"$log" 2>&1
  local rc=$?
  cat "$log"
  echo "(exit $rc, $((SECONDS - start)) s)"
  [ $rc -eq 124 ] && echo "!!! timed out after $RUN_TIMEOUT s"
  return $rc
}

# ---- CUDA toolkit ----
if [ -z "${NVCC:-}" ]; then
  NVCC=$(command -v nvcc 2>/dev/null || true)
  [ -z "$NVCC" ] && [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ] && NVCC=$CUDA_HOME/bin/nvcc
  [ -z "$NVCC" ] && [ -x /usr/local/cuda/bin/nvcc ] && NVCC=/usr/local/cuda/bin/nvcc
fi
if [ -n "$NVCC" ] && [ -z "${CUDA_HOME:-}" ]; then
  CUDA_HOME=$(cd "$(dirname "$NVCC")/.." && pwd)
  export CUDA_HOME  # numba-cuda and nk (libdevice) look there too
fi

section "setup"
echo "nk: $NK ($("$NK" --version 2>&1 | head -1))"
echo "sizes: saxpy n=$SAXPY_N, stencil ${STENCIL_N}x${STENCIL_N}, $REPS timed launches per variant"
command -v nvidia-smi >/dev/null &&
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv,noheader

HAVE_CU=0
if [ -z "$NVCC" ]; then
  echo "skipped: CUDA C++: no nvcc (PATH, \$CUDA_HOME/bin, /usr/local/cuda/bin)"
else
  echo "nvcc: $NVCC ($("$NVCC" --version | tail -1))"
  # The GPU's own architecture first (nvidia-smi's compute_cap, e.g. 9.0 -> sm_90), then
  # -arch=native (which falls back to a default arch, with a warning, when it sees no
  # GPU: refused here), then sm_90 (H100).
  cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
  archs="native sm_90"
  case $cc in [0-9][0-9]*) archs="sm_$cc $archs" ;; esac
  for arch in $archs; do
    ok=1
    for k in saxpy stencil2d; do
      "$NVCC" -O3 -arch=$arch -o "$TMP/$k" bench/gpu/$k.cu >"$TMP/nvcc-$k.log" 2>&1 || ok=0
      grep -q "Cannot find valid GPU" "$TMP/nvcc-$k.log" && ok=0
    done
    if [ $ok = 1 ]; then
      echo "built bench/gpu/{saxpy,stencil2d}.cu with nvcc -O3 -arch=$arch"
      HAVE_CU=1
      break
    fi
    echo "nvcc -O3 -arch=$arch failed:"
    cat "$TMP"/nvcc-*.log
  done
  [ $HAVE_CU = 1 ] || echo "skipped: CUDA C++: nvcc could not build the benchmarks"
fi

HAVE_NUMBA=0
if probe=$("$PYTHON" -c 'from numba import cuda; import numba, sys
ok = cuda.is_available()
print("numba", numba.__version__, "cuda available:", ok)
sys.exit(0 if ok else 3)' 2>&1); then
  HAVE_NUMBA=1
  echo "$probe" | tail -1
else
  echo "skipped: numba.cuda: $(echo "$probe" | tail -1)"
fi

# ---- the benchmarks ----
declare -a TABLE_ARGS
bench_kernel() {  # NAME ARGS...
  local k=$1
  shift
  section "$k"
  if [ $HAVE_CU = 1 ]; then
    run "$LOG_DIR/$k.cu.txt" "$TMP/$k" "$@"
    TABLE_ARGS+=("CUDA C++ (nvcc -O3)=$LOG_DIR/$k.cu.txt")
  fi
  if [ $HAVE_NUMBA = 1 ]; then
    run "$LOG_DIR/$k.numba.txt" "$PYTHON" bench/gpu/${k}_numba.py "$@"
    TABLE_ARGS+=("numba.cuda=$LOG_DIR/$k.numba.txt")
  fi
  run "$LOG_DIR/$k.nk.txt" "$NK" run --time bench/gpu/$k.nk "$@"
  TABLE_ARGS+=("nk=$LOG_DIR/$k.nk.txt")
  run "$LOG_DIR/$k.nk-nobc.txt" "$NK" run --no-boundscheck bench/gpu/$k.nk "$@"
  TABLE_ARGS+=("nk --no-boundscheck=$LOG_DIR/$k.nk-nobc.txt")
}

bench_kernel saxpy "$REPS" "$SAXPY_N"
bench_kernel stencil2d "$REPS" "$STENCIL_N" "$STENCIL_N"

section "examples/seed.nk, 3 runs (the first may compile; later ones hit the cache)"
: >"$LOG_DIR/seed.txt"
for i in 1 2 3; do
  run "$TMP/seed$i.txt" "$NK" run examples/seed.nk
  { echo "run $i:"; cat "$TMP/seed$i.txt"; } >>"$LOG_DIR/seed.txt"
done
run "$TMP/seed-time.txt" "$NK" run --time --no-cache examples/seed.nk
{ echo "run 4 (--time --no-cache):"; cat "$TMP/seed-time.txt"; } >>"$LOG_DIR/seed.txt"

section "summary"
echo "GPU: $(nvidia-smi -L 2>/dev/null | head -1)"
echo "saxpy: n=$SAXPY_N float32, 12 n bytes per call; stencil2d: ${STENCIL_N}x${STENCIL_N} float32, 8 bytes per point per call."
echo "median of $REPS launches after a warm-up; each timed around launch + synchronize (host clock)."
echo
python3 bench/gpu/table.py "${TABLE_ARGS[@]}" | tee "$LOG_DIR/table.md"
status=${PIPESTATUS[0]}
echo
echo "examples/seed.nk:"
grep -h "GPU" "$TMP"/seed[123].txt | sed 's/^/  /'
exit "$status"
