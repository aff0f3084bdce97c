#!/usr/bin/env bash
# pg_upgrade.sh — a cluster using tmac moves with pg_dumpall | psql and with pg_upgrade (15 → 15
# here, with the private install's binaries), with labels in DDL and nothing lost.  pg_upgrade used to stop at the first label literal in a DEFAULT, a partition bound
# or a view: relation "tmac.org_group" does not exist.
#
# Three throwaway clusters beside the test server (sockets in their own directories, ports
# PGPORT+1..+3): "old" holds test/scripts/restore_fixture.sql; pg_dumpall of it is loaded into
# "all"; then "old" is upgraded into "new".  Each is compared with the old one through
# test/scripts/restore_snapshot.sql.  Run by test/run_tests.sh with the private install's bin on
# PATH and TMAC_TEST_DIR a scratch directory.  Prints TAP lines; exits non-zero on a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../server.sh"
bin=$(dirname "$(command -v pg_ctl)")
base=${TMAC_TEST_DIR:-$(mktemp -d)}/pg_upgrade
port=${PGPORT:-55432}
old_port=$((port + 1)); all_port=$((port + 2)); new_port=$((port + 3))
rm -rf "$base"; mkdir -p "$base"
[ "$(id -u)" = 0 ] && chown postgres: "$base"
as_server() { (cd "$base" && tmac_as_server_user "$@"); }
stop_all() {
  for c in old all new; do
    [ -f "$base/$c/postmaster.pid" ] && as_server "$bin/pg_ctl" -D "$base/$c" -m immediate -w stop >/dev/null 2>&1
  done
}
trap stop_all EXIT

n=0; failed=0
ok() {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
cluster() {   # cluster NAME: initdb with tmac preloaded (not pg_cron: the fixture does not need it)
  as_server "$bin/initdb" -D "$base/$1" -U postgres --encoding=UTF8 --locale=C.UTF-8 --auth=trust \
    >"$base/$1.initdb.log" 2>&1 || { cat "$base/$1.initdb.log"; return 1; }
  printf "shared_preload_libraries = 'tmac'\nlisten_addresses = ''\nunix_socket_directories = '%s'\nfsync = off\nlc_messages = 'C'\ntimezone = 'UTC'\n" \
    "$base" >>"$base/$1/postgresql.conf"
}
start() { as_server "$bin/pg_ctl" -D "$base/$1" -o "-p $2" -l "$base/$1.log" -w start >/dev/null || cat "$base/$1.log"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$base" "$@"; }

cluster old && cluster all && cluster new || exit 1
start old $old_port
createdb -h "$base" -p $old_port tmac_up || exit 1
q -p $old_port -d tmac_up -f "$here/restore_fixture.sql" >/dev/null || { echo "not ok - fixture"; exit 1; }
q -p $old_port -d tmac_up -f "$here/restore_snapshot.sql" >"$base/before.txt"
[ "$(grep -c '^doc|' "$base/before.txt")" -eq 8 ] || { echo "not ok - the fixture is incomplete"; exit 1; }

# 1. pg_dumpall | psql into a fresh cluster: roles first, then the database.
start all $all_port
pg_dumpall -h "$base" -p $old_port >"$base/all.sql" 2>"$base/pg_dumpall.err"
psql -X -q -h "$base" -p $all_port -d postgres -f "$base/all.sql" >/dev/null 2>"$base/all.err"
! grep -v 'role "postgres" already exists' "$base/all.err" | grep -q 'ERROR'
ok $? "pg_dumpall | psql runs with no error (but the usual role \"postgres\" already exists)"
grep -v 'role "postgres" already exists' "$base/all.err" | grep -B1 -A3 'ERROR'
q -p $all_port -d tmac_up -f "$here/restore_snapshot.sql" >"$base/all.txt"
diff -u "$base/before.txt" "$base/all.txt"
ok $? "pg_dumpall | psql: vocabulary, rows, DDL labels, object labels, people, grants, protection and the audit chain as they were"
[ "$(q -p $all_port -d tmac_up -c "SELECT count(*) FROM tmac.restore_window" -c "SELECT count(*) FROM tmac.audit_log WHERE category = 'restore'")" = $'0\n1' ]
ok $? "pg_dumpall | psql: the restore window closed by itself, and the restore is recorded"

# 2. pg_upgrade: --check, then the upgrade itself.
as_server "$bin/pg_ctl" -D "$base/old" -m fast -w stop >/dev/null
as_server "$bin/pg_upgrade" -b "$bin" -B "$bin" -d "$base/old" -D "$base/new" -p $old_port -P $new_port \
  -s "$base" --check >"$base/check.log" 2>&1
ok $? "pg_upgrade --check passes"; grep -q 'Clusters are compatible' "$base/check.log" || cat "$base/check.log"
as_server "$bin/pg_upgrade" -b "$bin" -B "$bin" -d "$base/old" -D "$base/new" -p $old_port -P $new_port \
  -s "$base" >"$base/upgrade.log" 2>&1
rc=$?
ok $rc "pg_upgrade succeeds"
if [ $rc -ne 0 ]; then
  tail -20 "$base/upgrade.log"
  cat "$base"/new/pg_upgrade_output.d/*/log/pg_upgrade_dump_*.log 2>/dev/null | grep -B2 -A5 ERROR | head -30
fi
start new $new_port
q -p $new_port -d tmac_up -f "$here/restore_snapshot.sql" >"$base/new.txt"
diff -u "$base/before.txt" "$base/new.txt"
ok $? "pg_upgrade: vocabulary, rows, DDL labels, object labels, people, grants, protection and the audit chain as they were"
[ "$(q -p $new_port -d tmac_up <<'SQL'
SELECT tmac.define_compartment('AFTER-UPGRADE', 'after the upgrade');
SELECT 'SECRET:AFTER-UPGRADE,PRJ-A:DEV'::tmac.label;
SELECT count(*) FROM tmac.verify_audit_log();
SELECT label = tmac.vocabulary_copy_text() FROM pg_seclabel WHERE objoid = 'tmac'::regnamespace AND provider = 'tmac_vocabulary';
SELECT count(*) FROM tmac.audit_log WHERE category = 'restore';
SQL
)" = $'\nSECRET:AFTER-UPGRADE,PRJ-A:DEV\n0\nt\n0' ]
ok $? "pg_upgrade: the upgraded cluster works on (vocabulary, labels, audit chain, the copy); no restore window was involved"

stop_all
echo "1..$n"
[ "$failed" -eq 0 ]
