#!/usr/bin/env bash
# The test command: install what is missing, build with warnings as errors, and pass the whole
# suite under ctest; then build and test again under ASan+UBSan and under TSan; then build the
# libFuzzer targets with clang and run each for a short smoke (scripts/fuzz.sh).
#   scripts/test.sh           everything (what CI runs)
#   scripts/test.sh --quick   the plain build and suite only
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test
jobs=$(nproc)

run_suite() {  # <build dir> <extra cmake args...>
  local dir=$1
  shift
  echo "== earshot: building in $dir $*" >&2
  cmake -S . -B "$dir" -G Ninja -DEARSHOT_WERROR=ON -DEARSHOT_BUILD_BENCH=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "== earshot: testing in $dir" >&2
  ctest --test-dir "$dir" --output-on-failure -j"$jobs"
}

run_suite build/ci -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [[ "${1:-}" == "--quick" ]]; then
  exit 0
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_suite build/asan -DCMAKE_BUILD_TYPE=Debug -DEARSHOT_SANITIZE=address,undefined \
  -DEARSHOT_BUILD_BENCH=OFF
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/.ci/tsan.supp" \
  run_suite build/tsan -DCMAKE_BUILD_TYPE=Debug -DEARSHOT_SANITIZE=thread -DEARSHOT_BUILD_BENCH=OFF
bash scripts/fuzz.sh smoke
