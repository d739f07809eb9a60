#!/usr/bin/env bash
# Builds nk and runs the whole test suite (GoogleTest units and the lit suite) through
# CTest. Expects the packages that scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${NK_BUILD_DIR:-build}

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
ninja -C "$build_dir" -j2
ctest --test-dir "$build_dir" --output-on-failure -j2
