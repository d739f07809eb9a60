#!/usr/bin/env bash
# Builds nk and runs the whole test suite through CTest: GoogleTest units, the lit
# suite, the differential suite (every tests/diff program under CPython + NumPy 2 and
# under `nk run`), the leak check and a fuzz smoke test. The reference interpreter is
# Debian's /usr/bin/python3 with NumPy >= 2 from PyPI, in a venv inside the build tree.
# Expects the packages that scripts/setup.sh installs. With CI=true (or NK_SANITIZERS=1)
# it then runs the sanitizer builds too (scripts/sanitize.sh asan, tsan).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones in different directories (CI clones afresh each time).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
build_dir=${NK_BUILD_DIR:-build}

venv="$build_dir/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import numpy, sys; sys.exit(int(numpy.__version__.split(".")[0]) < 2)' 2>/dev/null; then
  echo "test: creating $venv with NumPy >= 2 (the reference interpreter)"
  mkdir -p "$build_dir"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q 'numpy>=2' || echo "test: could not install NumPy; the differential suite will be skipped" >&2
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNK_REFERENCE_PYTHON="$PWD/$venv/bin/python" > /dev/null
ninja -C "$build_dir" -j2
ctest --test-dir "$build_dir" --output-on-failure -j2

# CI also runs the sanitizer builds: ASan+UBSan over the whole suite, TSan over the
# concurrency tests (scripts/sanitize.sh).
if [ "${CI:-}" = "true" ] || [ "${NK_SANITIZERS:-}" = "1" ]; then
  bash scripts/sanitize.sh asan
  bash scripts/sanitize.sh tsan
fi
