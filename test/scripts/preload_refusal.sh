#!/usr/bin/env bash
# preload_refusal.sh — tmac runs only preloaded (shared_preload_libraries), like pgaudit and
# sepgsql; and DROP EXTENSION tmac takes the schema tmac with it.  Runs its own throwaway server
# (a socket in its own directory, no TCP): first with shared_preload_libraries = 'tmac', where
# DROP EXTENSION leaves no schema tmac behind (unless it holds someone else's objects), CREATE
# EXTENSION works again and so does pg_restore --clean --if-exists; then restarted
# without it, where every way of loading tmac — CREATE EXTENSION, a call of a tmac function in a
# database that has tmac, LOAD, session_preload_libraries — is refused with 55000 and the line
# to add, the server stays up, and DROP EXTENSION tmac still works.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/server.sh"
bin=$(dirname "$(command -v pg_ctl)")
dir=$(mktemp -d "${TMAC_TEST_DIR:-/tmp}/preload_refusal.XXXXXX")
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
stop() { tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; }
start() { tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null \
            || { cat "$dir/server.log"; exit 1; }; }
fail() { echo "FAIL: $*"; stop; exit 1; }

tmac_as_server_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log"; exit 1; }
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
lc_messages = 'C'
shared_preload_libraries = 'tmac'
CONF
start
export PGHOST=$dir PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@" 2>&1; }
schemas() { q -d "$1" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'tmac'"; }

# 1. DROP EXTENSION tmac leaves no schema tmac; CREATE EXTENSION works again
out=$(q -c "CREATE DATABASE pr_one" -c "CREATE DATABASE pr_two") || fail "createdb: $out"
out=$(q -d pr_one -c "CREATE EXTENSION tmac" -c "DROP EXTENSION tmac") || fail "CREATE, DROP EXTENSION: $out"
[ "$(schemas pr_one)" = 0 ] || fail "DROP EXTENSION tmac left a schema tmac behind"
out=$(q -d pr_one -c "CREATE EXTENSION tmac" -c "SELECT tmac.can_read('PUBLIC')") || fail "CREATE EXTENSION again: $out"
[ "$out" = t ] || fail "tmac after a second CREATE EXTENSION: $out"
echo "ok 1 - DROP EXTENSION tmac drops the schema tmac, and CREATE EXTENSION tmac works again"

# a schema tmac holding someone else's table is kept (with a notice); the extension still goes
out=$(q -d pr_one -c "CREATE TABLE tmac.mine (id int)" -c "DROP EXTENSION tmac") || fail "DROP EXTENSION over a table of mine: $out"
echo "$out" | grep -q 'schema "tmac" is kept: it holds objects that were not tmac' || fail "no notice: $out"
[ "$(q -d pr_one -c "SELECT count(*) FROM pg_extension WHERE extname = 'tmac'")|$(schemas pr_one)" = "0|1" ] \
  || fail "the extension or the schema: $(q -d pr_one -c "SELECT count(*) FROM pg_extension WHERE extname = 'tmac'")|$(schemas pr_one)"
out=$(q -d pr_one -c "DROP SCHEMA tmac CASCADE" -c "CREATE EXTENSION tmac") || fail "reinstall: $out"
echo "ok 2 - a schema tmac that holds objects that were not tmac's is kept, with a notice"

# pg_restore --clean --if-exists over the same database: DROP EXTENSION took the schema, the
# dump's own DROP SCHEMA IF EXISTS finds none, and the restore creates both again
out=$(q -d pr_one -c "CREATE TABLE doc (id int, label tmac.label)" -c "INSERT INTO doc VALUES (1, 'PUBLIC')" \
        -c "SELECT tmac.protect('doc')") || fail "fixture: $out"
pg_dump -Fc -f "$dir/pr_one.dump" pr_one 2>/dev/null || fail "pg_dump"
out=$(pg_restore --clean --if-exists -d pr_one "$dir/pr_one.dump" 2>&1) || fail "pg_restore --clean --if-exists: $out"
[ "$(q -d pr_one -c "SELECT count(*) FROM doc")|$(schemas pr_one)" = "1|1" ] || fail "after pg_restore --clean"
echo "ok 3 - pg_restore --clean --if-exists over a database with tmac restores it"

# 2. restarted without preloading
tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
sed -i "s/^shared_preload_libraries = 'tmac'/shared_preload_libraries = ''/" "$dir/data/postgresql.conf"
start
refused() {   # refused WHAT OUTPUT: the error, its SQLSTATE and the line to add
  echo "$2" | grep -q "ERROR:  55000: tmac must be loaded via shared_preload_libraries" \
    || fail "$1: expected 55000 'tmac must be loaded via shared_preload_libraries', got: $2"
  echo "$2" | grep -q "HINT:  Add the line shared_preload_libraries = 'tmac' to postgresql.conf .* and restart the server." \
    || fail "$1: no hint with the line to add: $2"
}
out=$(psql -X -q -d pr_two -v VERBOSITY=verbose -c "CREATE EXTENSION tmac" 2>&1)
refused "CREATE EXTENSION" "$out"
[ "$(schemas pr_two)|$(q -d pr_two -c "SELECT count(*) FROM pg_extension WHERE extname = 'tmac'")" = "0|0" ] \
  || fail "a refused CREATE EXTENSION left something behind"
echo "ok 4 - CREATE EXTENSION tmac without preloading: 55000, the line to add, nothing left behind"

# the same error at every call in the session, not only the first (the library never half-loads)
out=$(psql -X -q -d pr_one -v VERBOSITY=verbose -c "SELECT tmac.can_read('PUBLIC')" -c "SELECT tmac.configure('require_pledge', 'on')" 2>&1)
refused "a call of a tmac function" "$out"
[ "$(echo "$out" | grep -c 'ERROR:  55000: tmac must be loaded via shared_preload_libraries')" = 2 ] \
  || fail "the second call in the session: $out"
echo "ok 5 - a call of a tmac function where tmac is installed: 55000 with the line to add, at every call"

out=$(psql -X -q -d pr_one -v VERBOSITY=verbose -c "LOAD 'tmac'" 2>&1)
refused "LOAD" "$out"
out=$(PGOPTIONS='-c session_preload_libraries=tmac' psql -X -q -d pr_one -c "SELECT 1" 2>&1)
echo "$out" | grep -q "tmac must be loaded via shared_preload_libraries" \
  || fail "session_preload_libraries = 'tmac': $out"
echo "ok 6 - LOAD 'tmac' and session_preload_libraries are refused the same way"

[ "$(q -d pr_one -c "SELECT 1")" = 1 ] || fail "the server is down"
grep -q "terminated by signal\|server process .* was terminated" "$dir/server.log" && fail "a backend crashed: $(cat "$dir/server.log")"
echo "ok 7 - the server stays up, no backend crashed"

out=$(q -d pr_one -c "DROP EXTENSION tmac CASCADE") || fail "DROP EXTENSION without preloading: $out"
[ "$(q -d pr_one -c "SELECT count(*) FROM pg_extension WHERE extname = 'tmac'")|$(q -d pr_one -c "SELECT count(*) FROM doc")" = "0|1" ] \
  || fail "tmac still installed, or the table lost"
echo "ok 8 - DROP EXTENSION tmac CASCADE works without preloading (it loads nothing), the protected table stays"

stop
rm -rf "$dir"
