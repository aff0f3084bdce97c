#!/usr/bin/env bash
# preload_refusal.sh — tmac runs only preloaded (shared_preload_libraries), like pgaudit and
# sepgsql.  Runs its own throwaway server (a socket in its own directory, no TCP): first with
# shared_preload_libraries = 'tmac', to install tmac in one database; then restarted
# without it, where every way of loading tmac — CREATE EXTENSION, a call of a tmac function in a
# database that has tmac, LOAD, session_preload_libraries — is refused with 55000 and the line
# to add, the server stays up, and DROP EXTENSION tmac still works.
set -uo pipefail
. "$(dirname "$0")/dedupe_scratch.bash"
fail() { echo "FAIL: $*"; stop; exit 1; }

scratch preload_refusal </dev/null
schemas() { q -d "$1" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'tmac'"; }

out=$(q -c "CREATE DATABASE pr_one" -c "CREATE DATABASE pr_two") || fail "createdb: $out"
out=$(q -d pr_one -c "CREATE EXTENSION tmac") || fail "CREATE EXTENSION: $out"

# restarted without preloading
tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
sed -i "s/^shared_preload_libraries = 'tmac'/shared_preload_libraries = ''/" "$dir/data/postgresql.conf"
start
refused() {   # refused WHAT OUTPUT: the error, its SQLSTATE and the line to add
  grep -q "ERROR:  55000: tmac must be loaded via shared_preload_libraries" <<<"$2" \
    || fail "$1: expected 55000 'tmac must be loaded via shared_preload_libraries', got: $2"
  grep -q "HINT:  Add the line shared_preload_libraries = 'tmac' to postgresql.conf .* and restart the server." <<<"$2" \
    || fail "$1: no hint with the line to add: $2"
}
out=$(psql -X -q -d pr_two -v VERBOSITY=verbose -c "CREATE EXTENSION tmac" 2>&1)
refused "CREATE EXTENSION" "$out"
[ "$(schemas pr_two)|$(q -d pr_two -c "SELECT count(*) FROM pg_extension WHERE extname = 'tmac'")" = "0|0" ] \
  || fail "a refused CREATE EXTENSION left something behind"
echo "ok 1 - CREATE EXTENSION tmac without preloading: 55000, the line to add, nothing left behind"

# the same error at every call in the session, not only the first (the library never half-loads)
out=$(psql -X -q -d pr_one -v VERBOSITY=verbose -c "SELECT tmac.can_read('PUBLIC')" -c "SELECT tmac.configure('require_pledge', 'on')" 2>&1)
refused "a call of a tmac function" "$out"
[ "$(echo "$out" | grep -c 'ERROR:  55000: tmac must be loaded via shared_preload_libraries')" = 2 ] \
  || fail "the second call in the session: $out"
echo "ok 2 - a call of a tmac function where tmac is installed: 55000 with the line to add, at every call"

out=$(psql -X -q -d pr_one -v VERBOSITY=verbose -c "LOAD 'tmac'" 2>&1)
refused "LOAD" "$out"
out=$(PGOPTIONS='-c session_preload_libraries=tmac' psql -X -q -d pr_one -c "SELECT 1" 2>&1)
grep -q "tmac must be loaded via shared_preload_libraries" <<<"$out" \
  || fail "session_preload_libraries = 'tmac': $out"
echo "ok 3 - LOAD 'tmac' and session_preload_libraries are refused the same way"

[ "$(q -d pr_one -c "SELECT 1")" = 1 ] || fail "the server is down"
grep -q "terminated by signal\|server process .* was terminated" "$dir/server.log" && fail "a backend crashed: $(cat "$dir/server.log")"
echo "ok 4 - the server stays up, no backend crashed"

out=$(q -d pr_one -c "DROP EXTENSION tmac") || fail "DROP EXTENSION without preloading: $out"
[ "$(q -d pr_one -c "SELECT count(*) FROM pg_extension WHERE extname = 'tmac'")" = 0 ] || fail "tmac still installed"
echo "ok 5 - DROP EXTENSION tmac works without preloading (it loads nothing)"

stop
rm -rf "$dir"
