#!/usr/bin/env bash
# `earshot demo` keeps its promises: every network's complaint pages, the thank-you resolves,
# the silenced post stays quiet and the storm becomes a surge incident. Usage: demo_test.sh EARSHOT
set -uo pipefail
earshot=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! timeout 180 "$earshot" demo >"$out" 2>&1; then
  echo "earshot demo failed:"; cat "$out"; exit 1
fi
fail=0
expect() {  # <what> <extended regex a line of the output must match>
  if ! grep -Eq -- "$2" "$out"; then echo "demo output lacks $1 (/$2/)"; fail=1; fi
}
expect "Jane's lost-bag page" '^(HIGH|CRITICAL) +open .*@jane@travel\.example'
expect "the resolve of Jane's incident" '^(HIGH|CRITICAL) +resolve .*@jane@travel\.example'
expect "the X complaint's page" '^HIGH +open .*@dana_flies .*charged me twice'
expect "the Bluesky complaint's page" '^[A-Z]+ +open .*@lee\.bsky\.social .*cancelled'
expect "the Reddit complaint's page, as u/name" '^[A-Z]+ +open .*u/suitcase_sam: "AcmeAir lost my luggage'
expect "the surge incident" '^[A-Z]+ +open .*surge on rule brand-sucks-hashtag'
expect "posts fetched from every network" 'earshot_posts_fetched_total\{source="reddit:acmeair"\} [1-9]'
if grep -Eq '^[A-Z]+ +open .*@ivy@social\.example' "$out"; then
  echo "the silenced post paged"; fail=1
fi
if grep -Eq '^[A-Z]+ +open .*@hal@social\.example' "$out"; then
  echo "praise paged"; fail=1
fi
[[ $fail == 0 ]] || { echo "--- demo output:"; cat "$out"; }
exit $fail
