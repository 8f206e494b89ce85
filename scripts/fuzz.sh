#!/usr/bin/env bash
# Builds and runs earshot's libFuzzer targets (fuzz/, docs/fuzzing.md) with ASan and UBSan.
#   scripts/fuzz.sh smoke [seconds]    every target for a short run (default 20 s each), from the
#                                      seeds; what scripts/test.sh runs. Fails on any finding.
#   scripts/fuzz.sh long [seconds]     every target for a long run (default 600 s each), keeping
#                                      its corpus in build/fuzz/corpus/<target> between runs
#   scripts/fuzz.sh build              only build build/fuzz (the targets and the earshot binary)
#   scripts/fuzz.sh repro TARGET FILE  run one input (a finding) through TARGET, with its report
# FUZZ_TARGETS="rules sse_framing" limits a run to some targets; FUZZ_JOBS sets how many run at
# once (default: the number of cores); FUZZ_SKIP_BUILD=1 runs what is already built. Findings go to build/fuzz/findings/<target>-crash-<sha>.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-smoke}
dir=${EARSHOT_FUZZ_BUILD_DIR:-build/fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}

# name  max_len  dictionary  fixture files the seeds start from (beside fuzz/seeds/<name>/)
targets=(
  "mastodon_statuses 16384 json tests/data/mastodon/*.json"
  "mastodon_html 4096 html"
  "bluesky_posts 16384 json tests/data/bluesky/*.json"
  "jetstream_events 8192 json"
  "x_tweets 16384 json tests/data/x/*.json"
  "reddit_listing 16384 json"
  "sse_framing 4096 sse"
  "rules 16384 rules rules/*.yaml"
  "config 16384 config systemd/earshot.yaml"
  "silences 4096 silences systemd/silences.yaml"
  "corpus 8192 json tests/data/mastodon/mastodon-status.json"
  "sentiment 2048 text"
  "complaint 2048 text"
  "console_requests 4096 http"
  "cluster_messages 16384 json"
)

build() {
  [[ -n "${FUZZ_SKIP_BUILD:-}" ]] && return 0
  if ! command -v clang++-14 >/dev/null || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
    echo "earshot fuzz: needs clang-14 and libclang-rt-14-dev (scripts/install-deps.sh --test)" >&2
    exit 1
  fi
  echo "== earshot fuzz: building in $dir" >&2
  # -O1 without NDEBUG: assertions stay on, and the build is quicker than -O2 for the same
  # speed of fuzzing under ASan.
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DEARSHOT_WERROR=ON \
    -DEARSHOT_FUZZ=ON -DEARSHOT_BUILD_TESTS=OFF -DEARSHOT_BUILD_BENCH=OFF >/dev/null
  # The earshot binary too: the fuzz targets already compile every library of the daemon, so
  # this adds main.cc and a link, and it is CI's clang build of the whole daemon, where
  # -Wthread-safety checks the locks (cmake/warnings.cmake; GCC has no such analysis).
  cmake --build "$dir" -j"$jobs" --target earshot_fuzz earshot
}

# Copies a target's seeds (fuzz/seeds/<name> and its fixtures) into one directory.
seeds() {  # <name> <fixture globs...>
  local name=$1
  shift
  local out="$dir/seeds/$name"
  rm -rf "$out"
  mkdir -p "$out"
  if [[ -d "fuzz/seeds/$name" ]]; then cp fuzz/seeds/"$name"/* "$out"/; fi
  local f
  for f in "$@"; do
    # shellcheck disable=SC2086  # the fixture globs expand here
    for g in $f; do [[ -f "$g" ]] && cp "$g" "$out/fixture-$(basename "$g")"; done
  done
  echo "$out"
}

selected() {  # <name>: true when FUZZ_TARGETS is unset or names it
  [[ -z "${FUZZ_TARGETS:-}" ]] && return 0
  [[ " $FUZZ_TARGETS " == *" $1 "* ]]
}

# Runs one target; its libFuzzer log goes to $dir/logs/<name>.log.
run_one() {  # <seconds> <corpus dir> <name> <max_len> <dict> <fixtures...>
  local seconds=$1 corpus=$2 name=$3 max_len=$4 dict=$5
  shift 5
  local seed_dir
  seed_dir=$(seeds "$name" "$@")
  mkdir -p "$corpus" "$dir/findings" "$dir/logs"
  local rc=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    timeout -k 10 $((seconds + 60)) \
    "$dir/fuzz/earshot_fuzz_$name" "$corpus" "$seed_dir" -dict="fuzz/dict/$dict.dict" "${extra[@]}" \
    -max_len="$max_len" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/findings/$name-" \
    >"$dir/logs/$name.log" 2>&1 || rc=$?
  echo "$rc" >"$dir/logs/$name.rc"
}

# One line per target: executions, coverage and findings, from libFuzzer's final lines.
report() {
  local failed=0 passed=0 line name execs covft findings rc
  printf '%-18s %12s %8s %8s %8s %s\n' target executions cov ft corpus findings
  for line in "${targets[@]}"; do
    read -r name _ <<<"$line"
    selected "$name" || continue
    local log="$dir/logs/$name.log"
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
    covft=$(grep -E '^#[0-9]+.* cov: ' "$log" | tail -1 || true)
    findings=$(find "$dir/findings" -name "$name-*" -newer "$dir/logs/$name.start" 2>/dev/null | wc -l)
    rc=$(cat "$dir/logs/$name.rc")
    printf '%-18s %12s %8s %8s %8s %s\n' "$name" "${execs:-?}" \
      "$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$covft")" \
      "$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$covft")" \
      "$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$covft")" "$findings"
    if [[ "$rc" == 0 && "$findings" == 0 ]]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "  $name failed (exit $rc); log: $log" >&2
      grep -E 'invariant broken|ERROR: (AddressSanitizer|libFuzzer)|runtime error|Test unit written' \
        "$log" | head -5 | sed 's/^/    /' >&2 || true
    fi
  done
  echo "fuzz: $passed passed, $failed failed"
  ((failed == 0))
}

run_all() {  # <seconds> <corpus root> 
  local seconds=$1 root=$2 line name running=0
  for line in "${targets[@]}"; do
    # shellcheck disable=SC2086  # the fields split here
    set -- $line
    selected "$1" || continue
    mkdir -p "$dir/logs"
    touch "$dir/logs/$1.start"
    echo "== earshot fuzz: $1 for ${seconds}s" >&2
    run_one "$seconds" "$root/$1" "$@" &
    running=$((running + 1))
    if ((running >= jobs)); then
      wait -n || true
      running=$((running - 1))
    fi
  done
  wait
  report
}

# libFuzzer flags for every run. The outer timeout above guards against a run that hangs in
# libFuzzer's own timeout handler, as one was seen to.
extra=()

case "$mode" in
  build)
    build
    ;;
  smoke)
    build
    # A fresh corpus each time: the smoke says what the seeds and this many seconds find.
    rm -rf "$dir/smoke"
    extra=(-seed=1)  # the same mutations each time, so a smoke that passed passes again
    run_all "${2:-20}" "$dir/smoke"
    ;;
  long)
    build
    run_all "${2:-600}" "$dir/corpus"
    ;;
  repro)
    [[ $# -eq 3 ]] || { echo "usage: scripts/fuzz.sh repro TARGET FILE" >&2; exit 2; }
    build
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$dir/fuzz/earshot_fuzz_$2" "$3"
    ;;
  *)
    echo "usage: scripts/fuzz.sh smoke|long [seconds] | build | repro TARGET FILE" >&2
    exit 2
    ;;
esac
