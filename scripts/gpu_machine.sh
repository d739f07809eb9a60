#!/usr/bin/env bash
# What to run, in one call, on a machine with an NVIDIA GPU (the device tool's H100),
# from the repository root there:
#
#     bash scripts/gpu_machine.sh [DEBS_DIR]
#
# It prints (and copies into $OUT) the environment, examples/seed.nk's two times, the
# GPU benchmarks of bench/gpu (saxpy and a 2-d stencil on 1e8 float32 elements: nk vs
# numba.cuda vs CUDA C++ built with nvcc -O3, with GB/s) and the GPU test suite
# (tests/gpu/run_gpu.py --run, --ptx, --error-paths). It ends with a summary.
#
# That machine has no Debian packages of ours and no network, and nk is linked against
# Debian 12's LLVM 19 (libLLVM.so.19.1 and what it needs). Prepare, HERE, before the call
# (the device tool sends at most 64 MiB of working tree + carried paths, so send a
# stripped nk, not build/bin/nk with its 31 MB of debug info, and not the whole build/):
#
#     mkdir -p build/gpu/debs                                      # build/ is git-ignored
#     (cd build/gpu/debs && apt-get download libllvm19 libz3-4 libedit2 libffi8 \
#          libxml2 libicu72 libbsd0 libmd0 libtinfo6 libzstd1 liblzma5 zlib1g)
#     strip -o build/gpu/nk build/bin/nk                           # about 1.2 MB
#     du -sh build/gpu                                             # about 45 MB
#
# The package list is every library `ldd build/bin/nk` shows except glibc's (libc, libm,
# ld-linux) and GCC's (libstdc++, libgcc_s), which the machine has (Ubuntu 24.04 there:
# glibc 2.39 >= the 2.36 that Debian 12's libLLVM needs; its libstdc++ is newer). If
# `ldd build/bin/nk` here ever lists another library, add its package
# (`dpkg -S /path/of/lib`). Then the device call:
#
#     run(command="bash scripts/gpu_machine.sh build/gpu/debs", carry=["build/gpu"],
#         timeout_s=600)
#
# DEBS_DIR defaults to shared/debs when that exists, else build/gpu/debs. The nk binary
# is $NK, else build/gpu/nk, else build/bin/nk. The .debs are unpacked with dpkg -x into
# /tmp/nkdeps (never into /), and their library folders are put on LD_LIBRARY_PATH for nk
# alone, through the wrapper /tmp/nkdeps/bin/nk: python3, nvcc and numba keep the
# machine's own libraries. build/'s other files have /work/main paths baked in
# (lit.site.cfg, CTest files): nothing here uses ctest, only the binary and scripts.
# Total run time on an H100: about 2-3 minutes; every step has its own time limit.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
OUT=${OUT:-/tmp/nk-gpu-out}
mkdir -p "$OUT"
# Everything printed also goes to $OUT/all.txt. The device tool returns at most 8 files
# from $OUT: all.txt, summary.md, bench.txt, bench_logs.tar.gz, gpu_run.txt,
# gpu_ptx.txt, gpu_error_paths.txt.
exec > >(tee -a "$OUT/all.txt") 2>&1
TEE_PID=$!
export PYTHONUNBUFFERED=1
section() { printf '\n########## %s ##########\n' "$*"; }
T0=$SECONDS

DEBS=${1:-}
if [ -z "$DEBS" ]; then
  if [ -d shared/debs ]; then DEBS=shared/debs; else DEBS=build/gpu/debs; fi
fi
NKBIN=${NK:-}
if [ -z "$NKBIN" ]; then
  if [ -x build/gpu/nk ]; then NKBIN=build/gpu/nk; else NKBIN=build/bin/nk; fi
fi
case $NKBIN in /*) ;; *) NKBIN=$ROOT/$NKBIN ;; esac

section "nk's libraries"
DEPS=/tmp/nkdeps
mkdir -p "$DEPS/bin"
n=0
for f in "$DEBS"/*.deb; do
  [ -e "$f" ] || continue
  if command -v dpkg >/dev/null; then
    dpkg -x "$f" "$DEPS" || echo "!!! dpkg -x $f failed"
  else  # no dpkg: a .deb is an ar archive holding data.tar.{xz,zst,gz}
    member=$(ar t "$f" | grep '^data\.tar')
    case $member in *.xz) z=-J ;; *.zst) z=--zstd ;; *.gz) z=-z ;; *) z= ;; esac
    ar p "$f" "$member" | tar -x $z -C "$DEPS" || echo "!!! cannot unpack $f"
  fi
  n=$((n + 1))
done
echo "unpacked $n .deb files from $DEBS into $DEPS"
LIBS=$DEPS/usr/lib/x86_64-linux-gnu:$DEPS/lib/x86_64-linux-gnu:$DEPS/usr/lib/llvm-19/lib
# libnk: build/bin/nk does not link it (checked with ldd and readelf -d: RUNPATH is
# /usr/lib/llvm-19/lib only), but a build that does finds it next to the binary.
for d in "$(dirname "$NKBIN")" "$ROOT/build/api" "$ROOT/build/lib"; do
  [ -d "$d" ] && LIBS=$LIBS:$d
done
cat >"$DEPS/bin/nk" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH=$LIBS\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec "$NKBIN" "\$@"
WRAP
chmod +x "$DEPS/bin/nk"
NK=$DEPS/bin/nk
export NK
echo "nk binary: $NKBIN"
echo "wrapper:   $NK (LD_LIBRARY_PATH=$LIBS)"
readelf -d "$NKBIN" 2>/dev/null | grep -iE "rpath|runpath" || true
echo "--- libraries not found (should be empty):"
LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} ldd "$NKBIN" | grep -i "not found"
echo "--- ldd:"
LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} ldd "$NKBIN"
"$NK" --version || echo "!!! nk does not start"

section "machine"
uname -a
grep PRETTY_NAME /etc/os-release 2>/dev/null
ldd --version 2>&1 | head -1
nvidia-smi -L
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv
NVCC=$(command -v nvcc 2>/dev/null || true)
[ -z "$NVCC" ] && [ -x /usr/local/cuda/bin/nvcc ] && NVCC=/usr/local/cuda/bin/nvcc
if [ -n "$NVCC" ]; then
  "$NVCC" --version | tail -2
  if [ -z "${CUDA_HOME:-}" ]; then
    CUDA_HOME=$(cd "$(dirname "$NVCC")/.." && pwd)
    export CUDA_HOME
  fi
  export PATH=$PATH:$(dirname "$NVCC")  # ptxas for run_gpu.py --ptx
else
  echo "no nvcc found"
fi
echo "CUDA_HOME=${CUDA_HOME:-}"
ls "${CUDA_HOME:-/usr/local/cuda}"/nvvm/libdevice/libdevice.10.bc 2>/dev/null ||
  echo "no libdevice under ${CUDA_HOME:-/usr/local/cuda} (nk needs it only for math functions on the GPU)"
echo "python3: $(command -v python3) $(python3 --version 2>&1)"
NPV=$(python3 -c 'import numpy; print(numpy.__version__)' 2>&1 | tail -1)
echo "numpy: $NPV"
case $NPV in
  [2-9].*) ;;
  *) echo "WARNING: python3's NumPy is '$NPV', not >= 2: the reference runs of tests/gpu (CPython + python/nk) follow NumPy 2's promotion rules (NEP 50); some may differ. Running anyway." ;;
esac
python3 -c 'import numba; print("numba", numba.__version__)' 2>&1 | tail -1
python3 -m pip show numba-cuda 2>/dev/null | grep -i '^version' | sed 's/^/numba-cuda /'

section "examples/seed.nk"
timeout 60 "$NK" run examples/seed.nk
echo "(exit $?)"

section "bench/gpu/run.sh"
BLOGS=/tmp/nk-bench-logs
rm -rf "$BLOGS"
mkdir -p "$BLOGS"
LOG_DIR=$BLOGS timeout 280 bash bench/gpu/run.sh 2>&1 | tee "$OUT/bench.txt"
echo "(bench/gpu/run.sh exit ${PIPESTATUS[0]})"
tar -czf "$OUT/bench_logs.tar.gz" -C /tmp nk-bench-logs 2>/dev/null

section "tests/gpu: run_gpu.py --run"
timeout 150 python3 tests/gpu/run_gpu.py --run --nk "$NK" --python python3 --timeout 60 2>&1 | tee "$OUT/gpu_run.txt"
echo "(exit ${PIPESTATUS[0]})"

section "tests/gpu: run_gpu.py --ptx"
timeout 90 python3 tests/gpu/run_gpu.py --ptx --nk "$NK" --timeout 60 2>&1 | tee "$OUT/gpu_ptx.txt"
echo "(exit ${PIPESTATUS[0]})"

section "tests/gpu: run_gpu.py --error-paths"
timeout 60 python3 tests/gpu/run_gpu.py --error-paths --nk "$NK" --timeout 30 2>&1 | tee "$OUT/gpu_error_paths.txt"
echo "(exit ${PIPESTATUS[0]})"

section "summary"
{
  echo "# nk on $(nvidia-smi -L 2>/dev/null | head -1)"
  echo
  echo "## examples/seed.nk"
  echo
  echo '```'
  cat "$BLOGS/seed.txt" 2>/dev/null
  echo '```'
  echo
  echo "## bench/gpu"
  echo
  cat "$BLOGS/table.md" 2>/dev/null || echo "(no table: see bench.txt)"
  echo
  echo "## tests/gpu"
  echo
  for m in run ptx error_paths; do
    echo "- $m: $(grep -E '^[0-9]+ passed' "$OUT/gpu_$m.txt" 2>/dev/null | tail -1) $(grep -m1 '^SKIP' "$OUT/gpu_$m.txt" 2>/dev/null)"
  done
  grep -h '^FAIL' "$OUT"/gpu_*.txt 2>/dev/null | head -40 | sed 's/^/    /'
  echo
  echo "total $((SECONDS - T0)) s"
} >"$OUT/summary.md"
cat "$OUT/summary.md"
exec 1>&- 2>&-
wait "$TEE_PID" 2>/dev/null
exit 0
