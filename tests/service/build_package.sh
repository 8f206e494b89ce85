#!/usr/bin/env bash
# Builds earshot's .deb and its dbgsym package from an already built tree into <out dir>, once
# for the packaging tests that inspect it (package_test.sh, lintian_test.sh): cpack strips and
# compresses the whole binary, which costs more than either inspection.
#   build_package.sh <build dir> <out dir>
set -euo pipefail
build=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
if ! (cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1); then
  cat "$out/cpack.log" >&2
  echo "cpack failed to build the .deb from $build (its log is above)" >&2
  exit 1
fi
ls "$out"/earshot_*.deb >/dev/null
