#!/usr/bin/env bash
# The shipped alert rules load in Prometheus (`promtool check rules`) and behave as their
# summaries say (`promtool test rules` on docs/ops/prometheus-alerts.test.yml: each alert fires
# when it should and stays quiet when it should not), a test case exists for every alert, and the
# scrape config in docs/ops.md is valid and names the jobs the alerts use. Exits 77 (skipped)
# without promtool.
#   promtool_rules_test.sh <source dir>
set -euo pipefail
src=$(cd "$1" && pwd)
if ! command -v promtool >/dev/null; then
  echo "SKIP: promtool not found; install the Debian package prometheus (scripts/install-deps.sh --test)"
  exit 77
fi
promtool check rules "$src/docs/ops/prometheus-alerts.yml"
promtool test rules "$src/docs/ops/prometheus-alerts.test.yml"
# Every alert the file ships has a test case: an alert added without one fails here.
shipped=$(sed -n 's/^ *- alert: *//p' "$src/docs/ops/prometheus-alerts.yml" | sort -u)
tested=$(sed -n 's/^ *alertname: *//p' "$src/docs/ops/prometheus-alerts.test.yml" | sort -u)
missing=$(comm -23 <(echo "$shipped") <(echo "$tested"))
if [[ -n $missing ]]; then
  echo "alerts without a test case in prometheus-alerts.test.yml: $missing" >&2
  exit 1
fi
# The scrape config docs/ops.md gives ("Prometheus scrape config") is valid, and defines exactly
# the jobs the alerts select on, so the alerts watch series that exist.
doc=$(mktemp)
trap 'rm -f "$doc"' EXIT
awk '/^# prometheus.yml$/ {on=1; next} on && /^```/ {exit} on' "$src/docs/ops.md" |
  sed "s|/etc/prometheus/earshot-alerts.yml|$src/docs/ops/prometheus-alerts.yml|" >"$doc"
[[ -s $doc ]] || { echo "docs/ops.md holds no '# prometheus.yml' block" >&2; exit 1; }
promtool check config "$doc"
documented=$(sed -n 's/^ *- job_name: *//p' "$doc" | sort -u)
alerted=$(grep -o 'job="[^"]*"' "$src/docs/ops/prometheus-alerts.yml" | sed 's/job="\(.*\)"/\1/' | sort -u)
if [[ $documented != "$alerted" ]]; then
  echo "docs/ops.md scrapes jobs [$documented] but the alerts select [$alerted]" >&2
  exit 1
fi
