#!/usr/bin/env bash
# `earshot demo` keeps its promises: every network's complaint pages, the thank-you resolves,
# the care team's reply resolves Gus's incident as its first response, the Bluesky firehose is
# heard whole and only its complaint pages, with its author looked up, the lost bag nobody
# answers reaches team-lead at level 1, the silenced post stays quiet and the storm becomes a
# surge incident. Usage: demo_test.sh EARSHOT
set -uo pipefail
earshot=$1
dir=$(mktemp -d)
out=$dir/demo.out
trap 'rm -rf "$dir"' EXIT
if ! timeout 180 "$earshot" demo --keep "$dir/state" >"$out" 2>&1; then
  echo "earshot demo failed:"; cat "$out"; exit 1
fi
fail=0
expect() {  # <what> <extended regex a line of the output must match>
  if ! grep -Eq -- "$2" "$out"; then echo "demo output lacks $1 (/$2/)"; fail=1; fi
}
staff='@acmeair_care@mastodon\.example'
expect "Jane's lost-bag page" '^(HIGH|CRITICAL) +open .*@jane@travel\.example'
expect "the resolve of Jane's incident" '^(HIGH|CRITICAL) +resolve .*@jane@travel\.example'
expect "the staff reply's resolve of Gus's incident, answered" \
  "^(HIGH|CRITICAL) +resolve .*@gus@mastodon\\.example.*\\[staff replied \\($staff\\)\\] \\[answered by $staff after [0-9]+s\\]"
expect "the X complaint's page" '^HIGH +open .*@dana_flies .*charged me twice'
expect "the Bluesky complaint's page, heard on the firehose" '^[A-Z]+ +open .*@lee\.bsky\.social .*cancelled'
expect "the firehose author's reach, looked up" '@lee\.bsky\.social \(Lee, 1900 followers\)'
expect "every firehose post heard (60 chatter + 1 complaint)" \
  'earshot_posts_fetched_total\{source="jetstream:bluesky-firehose"\} 61$'
expect "the Reddit complaint's page, as u/name" '^[A-Z]+ +open .*u/suitcase_sam: "AcmeAir lost my luggage'
expect "the unanswered lost bag's level-1 update" \
  '^[A-Z]+ +update .*u/suitcase_sam: .*\[unanswered for [0-9]+s \(level 1\)\]'
expect "team-lead's pager ringing" '^-- team-lead.s pager .* rings: inc-[0-9a-f]+ \[unanswered for [0-9]+s \(level 1\)\]'
expect "the surge incident" '^[A-Z]+ +open .*surge on rule brand-sucks-hashtag'
expect "posts fetched from every network" 'earshot_posts_fetched_total\{source="reddit:acmeair"\} [1-9]'
expect "the summary's answered incident" \
  "^answered +inc-[0-9a-f]+ +@gus@mastodon\\.example: answered by $staff after [0-9]+s"
expect "the summary's unanswered incident" \
  '^unanswered +inc-[0-9a-f]+ +u/suitcase_sam: unanswered for [0-9]+s \(level 1\), so team-lead heard'
# What team-lead's own sink wrote: the level's update about the lost bag, and nothing else.
lead=$dir/state/team-lead.jsonl
if [[ $(grep -c . "$lead" 2>/dev/null) != 1 ]] ||
   ! grep -q '"kind":"update".*"unanswered_level":"1".*"author":"suitcase_sam"' "$lead"; then
  echo "team-lead's sink should hold exactly the lost bag's level-1 update:"; cat "$lead"; fail=1
fi
if grep -Eq '^[A-Z]+ +open .*@ivy@social\.example' "$out"; then
  echo "the silenced post paged"; fail=1
fi
if grep -Eq '^[A-Z]+ +open .*@hal@social\.example' "$out"; then
  echo "praise paged"; fail=1
fi
if grep -Eq '^[A-Z]+ +open .*someone[0-9]+\.bsky\.social' "$out"; then
  echo "firehose chatter paged"; fail=1
fi
if grep -Eq '^[A-Z]+ +open .*@acmeair_care' "$out"; then
  echo "the staff reply paged"; fail=1
fi
[[ $fail == 0 ]] || { echo "--- demo output:"; cat "$out"; }
exit $fail
