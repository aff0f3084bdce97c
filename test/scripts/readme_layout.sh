#!/usr/bin/env bash
# readme_layout.sh — the README's layout table names every C file in src/, and every file it
# names exists (a newcomer follows it to find a concept).  Needs no server.
set -uo pipefail
cd "$(dirname "$0")/../.."
fail=0
for f in src/*.c; do
  grep -q "\`$(basename "$f")\`" README.md || { echo "not ok - README's layout does not name $f"; fail=1; }
done
# every `something.c` the layout table names exists in src/
layout=$(sed -n '/^Layout: `src\/`/,/^$/p; /^| file | concept |/,/^$/p' README.md)
for f in $(printf '%s\n' "$layout" | grep -o '`[a-z_]*\.c`' | tr -d '`' | sort -u); do
  [ -f "src/$f" ] || { echo "not ok - README's layout names src/$f, which does not exist"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok 1 - README's layout names every C file of src/ and only those"
exit $fail
