#!/usr/bin/env bash
# The demo command: install what is missing, build earshot, and run `earshot demo`, which
# starts a fake Mastodon on loopback, plays a scripted scenario through the whole pipeline
# (poll, detect, escalate, deliver) and prints the escalations as on-call staff would see them.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEARSHOT_BUILD_TESTS=OFF >/dev/null
cmake --build build --target earshot -j"$(nproc)"
exec ./build/daemon/earshot demo "$@"
