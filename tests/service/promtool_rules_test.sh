#!/usr/bin/env bash
# The shipped alert rules load in Prometheus (`promtool check rules`) and behave as their
# summaries say (`promtool test rules` on docs/ops/prometheus-alerts.test.yml: each alert fires
# when it should and stays quiet when it should not). Exits 77 (skipped) without promtool.
#   promtool_rules_test.sh <source dir>
set -euo pipefail
src=$1
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
