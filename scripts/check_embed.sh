#!/usr/bin/env bash
# Installs nk from a build tree into a prefix, builds examples/embed against the
# installed CMake package from a separate build tree, and runs it (a CTest test).
#   bash scripts/check_embed.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$(cd "${1:-build}" && pwd)
prefix="$build_dir/install"
embed_build="$build_dir/embed-build"
cmake --install "$build_dir" --prefix "$prefix" > /dev/null
cmake -S examples/embed -B "$embed_build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
ninja -C "$embed_build" > /dev/null
"$embed_build/embed" examples/embed/kernels.nk
