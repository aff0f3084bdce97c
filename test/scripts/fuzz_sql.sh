#!/usr/bin/env bash
# fuzz_sql.sh — tmac never crashes and answers bad input with errors of its own.
#
# On a scratch cluster of its own (what the fuzzing does is not confined to one database: an
# administrator's calls create and alter roles), with the demo's data (test/demo/*.sql):
#  1. every function and procedure of tmac that a role may execute, called with edge values by an
#     employee, an approver, an access administrator, the HR feed, an auditor and a tmac
#     administrator (test/fuzz/sql_functions.sql): no call may crash the server or end in an
#     error tmac did not mean (an internal error; SQL tmac built that PostgreSQL could not run; a
#     constraint of tmac's tables reported by PostgreSQL instead of a message of tmac's);
#  2. sqlsmith's random queries (seeded, so a failure can be replayed) as an employee and as a
#     tmac administrator, with tmac on their search path so that its operators are chosen: the
#     server must not crash.
# Run by test/run_tests.sh (PATH holds the private installation's binaries).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/server.sh"
rounds=${TMAC_FUZZ_ROUNDS:-8}
smith_queries=${TMAC_FUZZ_SQLSMITH_QUERIES:-400}
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; return "$1"; }

tmac_scratch_cluster fuzz_sql < <(grep -v -E '^(listen_addresses|lc_messages)' "$top/test/test.conf") || exit 1
trap 'tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1' EXIT
tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null || { cat "$dir/server.log"; exit 1; }
export PGHOST=$dir PGPORT=5432 PGUSER=postgres
started=$(psql -X -At -d postgres -c 'SELECT pg_postmaster_start_time()')

SECONDS=0
# The demo's company: vocabulary, persons and logins, grants, protected tables, registers.
createdb tmac_test || exit 1
for f in "$top"/test/demo/[0-9]*.sql; do
  psql -X -q -d tmac_test -v ON_ERROR_STOP=1 -f "$f" >"$dir/fixture.out" 2>&1 || { echo "FAIL: fixture $f"; cat "$dir/fixture.out"; exit 1; }
done
psql -X -q -d tmac_test -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE fuzz_admin LOGIN IN ROLE tmac_admin" \
  -c "ALTER ROLE suzuki SET search_path = public, tmac" -c "ALTER ROLE fuzz_admin SET search_path = public, tmac" \
  || exit 1

echo "# the demo's data: ${SECONDS}s"

# 1. Every function, six roles.
# (sato: employee and access administrator; suzuki: approver; yamada: employee; hr_system: the HR
# feed; audit_kimura: auditor; fuzz_admin: tmac administrator)
for role in yamada suzuki sato hr_system audit_kimura fuzz_admin; do
  SECONDS=0
  psql -X -At -d tmac_test -U "$role" -v rounds="$rounds" -f "$top/test/fuzz/sql_functions.sql" >"$dir/functions_$role.out" 2>&1
  rc=$?
  bad=$(grep -c '^BAD ' "$dir/functions_$role.out")
  [ "$rc" = 0 ] && [ "$bad" = 0 ]
  ok $? "every function $role may execute, $rounds calls each: no crash, no error tmac did not mean" \
    || { grep '^BAD \|FATAL\|server closed\|lost' "$dir/functions_$role.out" | head -20; [ "$rc" = 0 ] || tail -5 "$dir/functions_$role.out"; }
  echo "# $role: ${SECONDS}s"
done
calls=$(psql -X -At -d tmac_test -U fuzz_admin -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'tmac'::regnamespace AND has_function_privilege(oid, 'EXECUTE')")
[ "${calls:-0}" -gt 100 ]
ok $? "the administrator's pass reached more than 100 functions ($calls)"

# 2. sqlsmith (seeded).
if ! command -v sqlsmith >/dev/null; then
  echo "FAIL: sqlsmith is not installed (test/setup.sh installs it)"; exit 1
fi
for who in suzuki:11 fuzz_admin:12; do
  role=${who%%:*} seed=${who##*:}
  SECONDS=0
  timeout 300 sqlsmith --target="host=$PGHOST port=$PGPORT dbname=tmac_test user=$role" --seed="$seed" \
      --max-queries="$smith_queries" --verbose >"$dir/sqlsmith_$role.out" 2>&1
  rc=$?
  [ "$rc" = 0 ] && [ "$(psql -X -At -d postgres -c 'SELECT pg_postmaster_start_time()')" = "$started" ]
  ok $? "sqlsmith as $role (seed $seed, $smith_queries queries) ends and the server never restarted" \
    || tail -20 "$dir/sqlsmith_$role.out"
  echo "# sqlsmith as $role: ${SECONDS}s, $(grep -o 'error rate: [0-9.]*' "$dir/sqlsmith_$role.out" | tail -1)"
done

# Nothing crashed, nothing asserted, nothing panicked, at any time.
! grep -E 'terminated by signal|TRAP:|PANIC:|was terminated by exception' "$dir/server.log"
ok $? "the server log shows no crash"

echo "1..$n"
[ "$failed" -eq 0 ]
