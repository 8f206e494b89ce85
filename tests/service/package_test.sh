#!/usr/bin/env bash
# Checks the .deb build_package.sh made, for what an operator would get:
# the binary, the unit, the annotated config and the silences file as conffiles, the rule packs,
# the lexicon with its license, the copyright file and changelog, and Depends computed from the
# linked libraries. lintian_test.sh holds the same package to Debian policy.
#   package_test.sh <package dir>
set -euo pipefail
out=$1
deb=$(ls "$out"/earshot_*.deb)
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
fail=0
for path in ./usr/bin/earshot ./usr/lib/systemd/system/earshot.service ./etc/earshot/earshot.yaml \
            ./etc/earshot/silences.yaml \
            ./usr/share/earshot/rules/complaints.yaml \
            ./usr/share/earshot/rules/resolution.yaml ./usr/share/earshot/rules/praise.yaml \
            ./usr/share/earshot/rules/lexicon/vader_lexicon.txt \
            ./usr/share/earshot/rules/lexicon/emoji_utf8_lexicon.txt \
            ./usr/share/earshot/rules/lexicon/complaint_cues.tsv \
            ./usr/share/earshot/rules/lexicon/complaint_weights.tsv \
            ./usr/share/earshot/rules/lexicon/LICENSE.txt ./usr/share/doc/earshot/README.md \
            ./usr/share/doc/earshot/copyright ./usr/share/doc/earshot/changelog.gz; do
  if ! grep -qx "$path" <<<"$contents"; then
    echo "package lacks $path" >&2
    fail=1
  fi
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libcurl4 libre2 libzmq5 libsqlite3 libyaml-cpp; do
  if ! grep -q "$lib" <<<"$depends"; then
    echo "Depends lacks $lib: $depends" >&2
    fail=1
  fi
done
for conffile in /etc/earshot/earshot.yaml /etc/earshot/silences.yaml; do
  if ! dpkg-deb --info "$deb" conffiles | grep -qx "$conffile"; then
    echo "$conffile is not a conffile" >&2
    fail=1
  fi
done
if grep -q "^./usr/share/earshot/rules/tests" <<<"$contents"; then
  echo "rule tests should not ship" >&2
  fail=1
fi
exit $fail
