#!/usr/bin/env bash
# Configures tests/thread_safety/probe with clang and builds one of its targets.
#   build_probe.sh <cmake> <generator> <probe source dir> <build dir> <earshot root> <target>
# Exits 77 (the test's SKIP_RETURN_CODE) when clang++-14 is not installed: GCC has no
# thread-safety analysis, so there is nothing to prove without it.
set -uo pipefail
cmake=$1 generator=$2 src=$3 bin=$4 root=$5 target=$6
clang=${EARSHOT_PROBE_CLANG:-clang++-14}
if ! command -v "$clang" >/dev/null; then
  echo "skipped: $clang is not installed (scripts/install-deps.sh --test installs it)"
  exit 77
fi
"$cmake" -S "$src" -B "$bin" -G "$generator" -DCMAKE_CXX_COMPILER="$(command -v "$clang")" \
  -DEARSHOT_ROOT="$root" >/dev/null || exit 1
exec "$cmake" --build "$bin" --target "$target" 2>&1
