#!/bin/sh
# Make a seed corpus for the libFuzzer targets (fuzz_frontend, fuzz_codegen): copies
# examples/*.nk, tests/lit/**/*.nk and tests/diff/*.nk into DIR, one file per input,
# named after its path (tests/lit/parse/x.nk -> tests_lit_parse_x.nk).
#
#   tests/fuzz/make_corpus.sh CORPUS_DIR
#   build-fuzz/tests/fuzz/fuzz_frontend -max_total_time=600 CORPUS_DIR
set -eu
if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$dir"
count=0
cd "$root"
for f in examples/*.nk tests/diff/*.nk $(find tests/lit -name '*.nk' | sort); do
  [ -f "$f" ] || continue
  cp "$f" "$dir/$(printf '%s' "$f" | tr '/' '_')"
  count=$((count + 1))
done
echo "copied $count files to $dir"
