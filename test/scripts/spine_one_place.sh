#!/usr/bin/env bash
# spine_one_place.sh — src/tmac.c is the only file that installs a hook or registers a
# callback (issue 19, "the spine"), and tmac registers exactly one relcache callback:
# PostgreSQL has 10 relcache callback slots per backend, shared by every extension loaded.
# Fails when any other file under src/ calls Register(Sub)XactCallback,
# CacheRegisterRelcacheCallback/CacheRegisterSyscacheCallback or assigns a PostgreSQL *_hook
# variable, and when src/tmac.c registers a relcache callback more than once.
set -uo pipefail
cd "$(dirname "$0")/../.."
fail=0
# (comments are stripped: a header may mention a hook; "prev_/next_*_hook" are not PostgreSQL's)
# (comments become blank lines, so line numbers stay those of the file)
strip() { perl -0777 -pe 's{/\*.*?\*/}{ (my $c = $&) =~ tr/\n//cd; $c }gse; s{//[^\n]*}{}g' "$1"; }
n=1
others=$(for f in src/*.c src/*.h; do
  [ "$f" = src/tmac.c ] && continue
  strip "$f" | grep -nE '\bRegister(Sub)?XactCallback[[:space:]]*\(|\bCacheRegister[A-Za-z]*Callback[[:space:]]*\(|(^|[^A-Za-z0-9_.>])[A-Za-z_]*_hook[[:space:]]*=[^=]|(^|[^A-Za-z0-9_.>])[A-Za-z_]*_hook[[:space:]]*=$' \
    | grep -vE '(^|[^A-Za-z0-9_])(prev|next)_[A-Za-z_]*_hook[[:space:]]*=' | sed "s|^|$f:|"
done)
if [ -z "$others" ]; then
  echo "ok $n - no file but src/tmac.c registers a callback or assigns a hook"
else
  printf '%s\n' "$others"
  echo "not ok $n - the files above register callbacks or assign hooks; install them from src/tmac.c"
  fail=1
fi
n=$((n + 1))
rel=$(strip src/tmac.c | grep -cE '\bCacheRegisterRelcacheCallback[[:space:]]*\(')
if [ "$rel" = 1 ]; then
  echo "ok $n - tmac registers one relcache callback"
else
  echo "not ok $n - src/tmac.c registers $rel relcache callbacks; tmac must use one slot of PostgreSQL's 10"
  fail=1
fi
n=$((n + 1))
xact=$(strip src/tmac.c | grep -cE '\bRegisterXactCallback[[:space:]]*\(')
sub=$(strip src/tmac.c | grep -cE '\bRegisterSubXactCallback[[:space:]]*\(')
if [ "$xact" = 1 ] && [ "$sub" = 1 ]; then
  echo "ok $n - one transaction and one subtransaction callback, whose steps are called in tmac.c's written order"
else
  echo "not ok $n - src/tmac.c registers $xact transaction and $sub subtransaction callbacks (want 1 and 1)"
  fail=1
fi
exit $fail
