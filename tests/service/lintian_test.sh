#!/usr/bin/env bash
# Holds the .deb and its -dbgsym package that build_package.sh made to Debian policy as lintian
# reads it: no error and no warning on either package (info tags are printed, not failed). Also
# checks what lintian does not: the shipped binary is stripped and the dbgsym package carries its
# symbols under the binary's build id, and the changelog's newest entry is the package's version.
#   lintian_test.sh <build dir> <package dir>
# Exits 77 (ctest SKIP_RETURN_CODE) when lintian is not installed.
set -euo pipefail
build=$1
packages=$2
if ! command -v lintian >/dev/null; then
  echo "SKIP: lintian is not installed (scripts/install-deps.sh --test installs it)"
  exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
deb=$(ls "$packages"/earshot_*.deb)
fail=0

# --fail-on error,warning: exit non-zero on any E: or W: tag; -I also lists the info tags.
echo "lintian --fail-on error,warning -I $(basename "$deb")"
if ! lintian --fail-on error,warning -I --tag-display-limit 0 "$deb"; then
  echo "lintian reports errors or warnings on $(basename "$deb") (the E: and W: lines above)" >&2
  fail=1
fi

# The binary as shipped has no symbol table left; the dbgsym package has its debug file, named
# by the build id that gdb looks it up by.
dbgsym=$(ls "$packages"/earshot-dbgsym_*.ddeb 2>/dev/null || true)
unpacked=$out/unpacked
dpkg-deb -x "$deb" "$unpacked"
if [[ -z "$dbgsym" ]]; then
  echo "no earshot-dbgsym package next to $(basename "$deb"): $(ls "$packages")" >&2
  fail=1
else
  build_id=$(readelf -n "$unpacked/usr/bin/earshot" | awk '/Build ID:/ {print $3}')
  debug_file=./usr/lib/debug/.build-id/${build_id:0:2}/${build_id:2}.debug
  if [[ -z "$build_id" ]] || ! dpkg-deb -c "$dbgsym" | awk '{print $6}' | grep -qx "$debug_file"; then
    echo "$(basename "$dbgsym") lacks $debug_file (build id '$build_id'):" >&2
    dpkg-deb -c "$dbgsym" >&2
    fail=1
  fi
  # The dbgsym package is held to the same bar. A tree built without -g (Release, MinSizeRel)
  # gives it a symbol table but no DWARF, which lintian rightly warns about; only there is that
  # one tag let through.
  suppress=()
  build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
  if [[ "$build_type" == Release || "$build_type" == MinSizeRel ]]; then
    echo "($build_type tree, no -g: debug-file-with-no-debug-symbols is not failed on)"
    suppress=(--suppress-tags debug-file-with-no-debug-symbols)
  fi
  echo "lintian --fail-on error,warning -I ${suppress[*]:+${suppress[*]} }$(basename "$dbgsym")"
  if ! lintian --fail-on error,warning -I --tag-display-limit 0 "${suppress[@]}" "$dbgsym"; then
    echo "lintian reports errors or warnings on $(basename "$dbgsym") (the E: and W: lines above)" >&2
    fail=1
  fi
fi
if readelf -S "$unpacked/usr/bin/earshot" | grep -qE '\.symtab|\.debug_'; then
  echo "usr/bin/earshot in the package is not stripped" >&2
  fail=1
fi

version=$(dpkg-deb -f "$deb" Version)
changelog_head=$(gzip -dc "$unpacked/usr/share/doc/earshot/changelog.gz" | head -1)
if [[ "$changelog_head" != "earshot ($version) "* ]]; then
  echo "changelog.gz's newest entry is not version $version: $changelog_head" >&2
  fail=1
fi
exit $fail
