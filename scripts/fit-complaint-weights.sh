#!/usr/bin/env bash
# Refits the complaint scorer's weights (rules/lexicon/complaint_weights.tsv) to the labelled
# development sets, after a change to the cue lexicon. See docs/complaints.md.
#   bash scripts/fit-complaint-weights.sh [--airline DIR] [--c C] [--dry-run]
# --airline adds a folder of posts.jsonl + labels.tsv (the airline-dev set, which is not in this
# repository: its licence is non-commercial); --dry-run prints the weights instead of writing.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
out=(--out rules/lexicon/complaint_weights.tsv)
while (($#)); do
  case "$1" in
    --airline) args+=(--airline "$2"); shift 2 ;;
    --c) args+=(--c "$2"); shift 2 ;;
    --dry-run) out=(); shift ;;
    *) echo "fit-complaint-weights: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

bash scripts/install-deps.sh
if ! /usr/bin/python3 -c "import sklearn" 2>/dev/null; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "fit-complaint-weights: installing python3-sklearn" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    python3-sklearn >/dev/null
fi
cmake -S . -B build/fit -G Ninja -DCMAKE_BUILD_TYPE=Release -DEARSHOT_BUILD_TESTS=OFF \
  -DEARSHOT_BUILD_BENCH=OFF >/dev/null
cmake --build build/fit --target earshot
# Debian's python3 (scikit-learn lives there, not in another python3 on PATH).
exec /usr/bin/python3 scripts/fit_complaint_weights.py --earshot build/fit/daemon/earshot \
  "${args[@]}" "${out[@]}" tests/data/complaints/dev-a.jsonl tests/data/complaints/dev-b.jsonl
