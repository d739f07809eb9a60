#!/usr/bin/env bash
# Fresh Debian 12 to a working nk in one command: installs the packages that are
# missing (apt, as root), configures and builds, then runs examples/seed.nk (its
# @jit(target="cuda") function on the CPU). Safe to re-run; the build directory is
# $NK_BUILD_DIR (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache hits across clones in different directories (CI clones afresh each time).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
build_dir=${NK_BUILD_DIR:-build}

# clang-19, libclang-rt-19-dev and libomp-19-dev build the fuzzers and the C benchmarks;
# python3-numba is the benchmarks' fallback peer (bench/run.py prefers the current Numba from PyPI); libbenchmark-dev measures the API's overhead.
packages=(cmake ninja-build g++ python3 python3-venv llvm-19-dev llvm-19-tools clang-19 libclang-rt-19-dev
          libomp-19-dev libgtest-dev googletest libbenchmark-dev ccache valgrind python3-numba)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: installing packages needs root (run as root, or install: ${missing[*]})" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
ninja -C "$build_dir" -j2

echo "setup: $build_dir/bin/nk run --target=cpu examples/seed.nk"
"$build_dir/bin/nk" run --target=cpu examples/seed.nk
