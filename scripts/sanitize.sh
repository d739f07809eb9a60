#!/usr/bin/env bash
# The sanitizer builds (CMakePresets.json), each in its own build tree:
#   bash scripts/sanitize.sh asan   # AddressSanitizer + UBSan: the whole test suite
#   bash scripts/sanitize.sh tsan   # ThreadSanitizer: the concurrency tests (C++ API
#                                   # threads, prange thread pool, cache races)
# scripts/test.sh runs both when CI=true (or NK_SANITIZERS=1).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones in different directories (CI clones afresh each time).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
kind=${1:?usage: sanitize.sh asan|tsan}
reference_python="$PWD/${NK_BUILD_DIR:-build}/venv/bin/python"
case "$kind" in
  asan)
    # A failed allocation must reach nk's MemoryError path, not abort inside ASan.
    export ASAN_OPTIONS="allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
    cmake --preset asan -DNK_REFERENCE_PYTHON="$reference_python" > /dev/null
    ninja -C build-asan -j2
    ctest --test-dir build-asan --output-on-failure -j2
    ;;
  tsan)
    cmake --preset tsan > /dev/null
    ninja -C build-tsan -j2 nk_cli nk_api_tests nk_unit_tests
    # TSan reports make the process exit non-zero (halt_on_error); each run must pass.
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 allocator_may_return_null=1"
    export XDG_CACHE_HOME="$PWD/build-tsan/cache"
    build-tsan/tests/nk_api_tests
    build-tsan/tests/nk_unit_tests --gtest_filter='DiskCache.*'
    for threads in 2 4; do
      # checked_copy_runs.nk: prange chunks compile and fill a checked copy's slot at once.
      # split_loop_nests.nk, module_split.nk: modules compiled as two parts on two threads.
      for program in tests/lit/parallel/reduction_threads.nk bench/kernels/prange_sum.nk tests/diff/checked_copy_runs.nk \
                     tests/diff/split_loop_nests.nk tests/lit/codegen/module_split.nk; do
        [ -f "$program" ] || continue
        NK_NUM_THREADS=$threads build-tsan/bin/nk run --no-cache "$program" > /dev/null
      done
      # This one raises in a worker: nk exits 3 (TSan would exit 66).
      status=0
      NK_NUM_THREADS=$threads build-tsan/bin/nk run --no-cache tests/lit/parallel/worker_exception.nk > /dev/null 2>&1 || status=$?
      test "$status" -eq 3
    done
    echo "tsan: no data race reported"
    ;;
  *) echo "sanitize.sh: unknown kind '$kind' (asan or tsan)" >&2; exit 2 ;;
esac
