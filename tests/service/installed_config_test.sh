#!/usr/bin/env bash
# A fresh install passes its own check and starts: `cmake --install` into a scratch DESTDIR, the
# shipped /etc/earshot/earshot.yaml with its absolute paths moved under that DESTDIR (and nothing
# else changed), then `earshot check` must exit 0 and `earshot run` must serve /metrics, both
# without $CREDENTIALS_DIRECTORY, as on a host where no LoadCredential= line is enabled yet.
# With --promtool the running daemon's /metrics must also pass `promtool check metrics`; without
# promtool (Debian package prometheus) that run exits 77, which ctest reports as skipped.
#   installed_config_test.sh <build dir> [--promtool]
set -euo pipefail
build=$1
promtool=${2:-}
if [[ $promtool == --promtool ]] && ! command -v promtool >/dev/null; then
  echo "SKIP: promtool not found; install the Debian package prometheus (scripts/install-deps.sh --test)"
  exit 77
fi
root=$(mktemp -d)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$root"
}
trap cleanup EXIT

DESTDIR=$root cmake --install "$build" --prefix /usr >"$root/install.log" 2>&1 ||
  { cat "$root/install.log"; exit 1; }
config=$root/etc/earshot/earshot.yaml
earshot=$root/usr/bin/earshot
[[ -f $config && -x $earshot ]] || { echo "install put no earshot.yaml or earshot binary" >&2; exit 1; }
# The paths an installed host has, relocated: rule packs, state, the bus socket. The metrics
# listener gets a free port so parallel runs do not collide.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$root/var/lib/earshot" "$root/run/earshot"
sed -i -e "s|/usr/share/earshot/|$root/usr/share/earshot/|g" \
       -e "s|/var/lib/earshot|$root/var/lib/earshot|g" \
       -e "s|ipc:///run/earshot/|ipc://$root/run/earshot/|g" \
       -e "s|127.0.0.1:9464|127.0.0.1:$port|" "$config"

unset CREDENTIALS_DIRECTORY NOTIFY_SOCKET
status=0
"$earshot" check --config "$config" >"$root/check.log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  echo "earshot check on the installed earshot.yaml exited $status:" >&2
  cat "$root/check.log" >&2
  exit 1
fi
echo "earshot check: exit 0"

"$earshot" run --config "$config" >"$root/run.log" 2>&1 &
pid=$!
ready=
for _ in $(seq 1 100); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if curl -fsS "http://127.0.0.1:$port/metrics" -o "$root/metrics.txt" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.2
done
if [[ -z $ready ]]; then
  echo "earshot run on the installed earshot.yaml never served /metrics:" >&2
  cat "$root/run.log" >&2
  exit 1
fi
echo "earshot run: serving /metrics on 127.0.0.1:$port"
if [[ $promtool == --promtool ]]; then
  promtool check metrics <"$root/metrics.txt" || {
    echo "promtool check metrics rejects the scrape" >&2; exit 1; }
  echo "promtool check metrics: the live scrape passes"
fi
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
if [[ $status -ne 0 ]]; then
  echo "earshot run exited $status on SIGTERM:" >&2
  cat "$root/run.log" >&2
  exit 1
fi
