#!/usr/bin/env bash
# Installs the Debian bookworm packages earshot builds (and, with --test, tests) with, and
# nothing else.
# Idempotent: packages already present are not fetched again, and apt-get update runs only
# when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libsimdjson-dev libre2-dev libzmq3-dev cppzmq-dev libfmt-dev
  libyaml-cpp-dev libsqlite3-dev libssl-dev libboost-dev catch2 libnats-dev
  python3 python3-zmq sqlite3
  # Business hours read zones from /usr/share/zoneinfo, which a fresh bookworm container lacks.
  tzdata
)
# Only the test command needs these: systemd-analyze checks the shipped unit; clang and its
# runtime build and run the libFuzzer targets (scripts/fuzz.sh); lintian checks the .deb;
# promtool (prometheus) lints the metrics and unit-tests the shipped alert rules; headless
# Chromium, its driver and Selenium test the web console in a real browser; nats-server runs the
# cluster's tests on loopback.
if [[ "${1:-}" == "--test" ]]; then
  packages+=(systemd clang-14 libclang-rt-14-dev lintian prometheus groff-base man-db zsh
             chromium chromium-driver python3-selenium nats-server)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "earshot: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
