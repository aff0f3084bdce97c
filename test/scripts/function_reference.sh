#!/usr/bin/env bash
# function_reference.sh — README.md's FUNCTION REFERENCE is what
# test/docs/function_reference.sh generates from a fresh install's COMMENT ONs:
# a function added, removed, re-commented or granted differently without
# regenerating the section fails here, with the command that regenerates it.
set -uo pipefail
cd "$(dirname "$0")/../.."
db=tmac_function_reference
dropdb --if-exists $db >/dev/null 2>&1; createdb $db || exit 1
psql -X -q -d $db -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION tmac' || exit 1
tmp=$(mktemp); trap 'rm -f "$tmp" "$tmp.diff"; dropdb --if-exists $db >/dev/null 2>&1' EXIT
cp README.md "$tmp"
PGDATABASE=$db bash test/docs/function_reference.sh --update "$tmp" || { echo "not ok 1 - generator failed"; exit 1; }
if cmp -s README.md "$tmp"; then
  echo "ok 1 - README.md's function reference matches the installed functions and their comments"
elif [ -n "${TMAC_UPDATE_README:-}" ]; then
  cp "$tmp" README.md
  echo "ok 1 - README.md's function reference regenerated (TMAC_UPDATE_README=1): review and commit it"
else
  diff -u README.md "$tmp" | head -60
  echo "not ok 1 - README.md's FUNCTION REFERENCE is out of date (diff above: README.md vs generated)."
  echo "  Regenerate it with:"
  echo "    TMAC_UPDATE_README=1 TMAC_REGRESS=none TMAC_SPECS=none TMAC_PGTAP=none TMAC_SCRIPTS=function_reference make test"
  echo "  (or, against any database with tmac installed: PGDATABASE=<db> bash test/docs/function_reference.sh --update README.md)"
  exit 1
fi
