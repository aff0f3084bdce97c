#!/usr/bin/env bash
# fuzz_sql.sh — tmac never crashes and answers bad input with errors of its own.
#
# On a scratch cluster of its own (what the fuzzing does is not confined to one database: an
# administrator's calls create and alter roles), with the demo's data (test/demo/*.sql):
#  1. every function and procedure of tmac that a role may execute, called with edge values by an
#     employee, an approver, an access administrator, the HR feed, an auditor and a tmac
#     administrator, in English and, the administrator again, in Japanese
#     (test/fuzz/sql_functions.sql): no call may crash the server or end in an
#     error tmac did not mean (an internal error; SQL tmac built that PostgreSQL could not run; a
#     constraint of tmac's tables reported by PostgreSQL instead of a message of tmac's);
#  2. the HR feed given edge events, strict and lenient (nothing lost in lenient mode);
#  3. sqlsmith's random queries (seeded, so a failure can be replayed) as an employee and as a
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
  -c "CREATE ROLE fuzz_admin LOGIN IN ROLE tmac_admin" -c "CREATE ROLE fuzz_admin_ja LOGIN IN ROLE tmac_admin" \
  -c "ALTER ROLE fuzz_admin_ja SET lc_messages = 'ja_JP.UTF-8'" -c "ALTER ROLE fuzz_admin_ja SET search_path = public, tmac" \
  -c "ALTER ROLE suzuki SET search_path = public, tmac" -c "ALTER ROLE fuzz_admin SET search_path = public, tmac" \
  -c "ALTER ROLE suzuki SET statement_timeout = '5s'" -c "ALTER ROLE fuzz_admin SET statement_timeout = '5s'" \
  || exit 1

echo "# the demo's data: ${SECONDS}s"

# 1. Every function, six roles.
# (sato: employee and access administrator; suzuki: approver; yamada: employee; hr_system: the HR
# feed; audit_kimura: auditor; fuzz_admin: tmac administrator)
# (the administrator twice: fuzz_admin_ja's messages are in Japanese (lc_messages), so every message
# tmac raises is formatted through its Japanese translation with the arguments the fuzzing gives)
for role in yamada suzuki sato hr_system audit_kimura fuzz_admin fuzz_admin_ja; do
  SECONDS=0
  psql -X -At -d tmac_test -U "$role" -v rounds="$rounds" -f "$top/test/fuzz/sql_functions.sql" >"$dir/functions_$role.out" 2>&1
  rc=$?
  bad=$(grep -c '^BAD ' "$dir/functions_$role.out")
  [ "$rc" = 0 ] && [ "$bad" = 0 ]
  ok $? "every function $role may execute, $rounds calls each: no crash, no error tmac did not mean" \
    || { grep '^BAD \|FATAL\|server closed\|lost' "$dir/functions_$role.out" | head -20; [ "$rc" = 0 ] || tail -5 "$dir/functions_$role.out"; }
  echo "# $role: ${SECONDS}s"
done
[ "$(psql -X -At -d tmac_test -U fuzz_admin_ja -c "SELECT tmac.message('unknown duty \"%s\"', 'x')")" = '職務 "x" は定義されていません' ]
ok $? "fuzz_admin_ja's pass had tmac's messages in Japanese"
calls=$(psql -X -At -d tmac_test -U fuzz_admin -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'tmac'::regnamespace AND has_function_privilege(oid, 'EXECUTE')")
[ "${calls:-0}" -gt 100 ]
ok $? "the administrator's pass reached more than 100 functions ($calls)"

# 2. The HR feed: edge events one by one and as sets, strict (a bad event refused) and lenient
#    (every event kept, a bad one as rejected with its reason).
for mode in strict lenient; do
  psql -X -q -d tmac_test -c "SELECT tmac.configure('hr_event_mode', '$mode')" >/dev/null || exit 1
  psql -X -At -d tmac_test -U hr_system -f "$top/test/fuzz/hr_feed.sql" >"$dir/hr_feed_$mode.out" 2>&1
  rc=$?
  [ "$rc" = 0 ] && ! grep -q '^BAD ' "$dir/hr_feed_$mode.out" && grep -q '^events tried: [1-9]' "$dir/hr_feed_$mode.out"
  ok $? "HR events with edge values ($mode, $(sed -n 's/^events tried: //p' "$dir/hr_feed_$mode.out") events, one by one and as sets): no crash, no error tmac did not mean" \
    || { grep '^BAD \|FATAL\|server closed\|lost' "$dir/hr_feed_$mode.out" | head -20; tail -3 "$dir/hr_feed_$mode.out"; }
done
# Strict kept the good events; lenient, run second with the same ids, every other one: so each
# event of the run (one by one, and as a set) is in tmac.hr_event once, and the bad ones are rejected.
tried=$(sed -n 's/^events tried: //p' "$dir/hr_feed_lenient.out")
[ -n "$tried" ] && [ "$(psql -X -At -d tmac_test -c "SELECT count(*) FROM tmac.hr_event WHERE event_id LIKE 'fz-%'")" = $((2 * tried)) ] \
  && [ "$(psql -X -At -d tmac_test -c "SELECT count(*) FROM tmac.hr_event WHERE event_id LIKE 'fz-%' AND outcome = 'rejected' AND error_message <> ''")" -gt 0 ]
ok $? "nothing lost: every event is kept once, the bad ones rejected with their reasons"

# 3. sqlsmith (seeded).
if ! command -v sqlsmith >/dev/null; then
  echo "FAIL: sqlsmith is not installed (test/setup.sh installs it)"; exit 1
fi
for who in suzuki:11 fuzz_admin:12; do
  role=${who%%:*} seed=${who##*:}
  SECONDS=0
  timeout 300 sqlsmith --target="host=$PGHOST port=$PGPORT dbname=tmac_test user=$role" --seed="$seed" \
      --max-queries="$smith_queries" --verbose >"$dir/sqlsmith_$role.out" 2>&1
  rc=$?
  # (sqlsmith ends early, and not by a fault of tmac's, when a query it made as the administrator
  # ended its own session, e.g. by terminating the sessions of a person)
  { [ "$rc" = 0 ] || grep -q 'terminating connection due to administrator command' "$dir/sqlsmith_$role.out"; } &&
    [ "$(psql -X -At -d postgres -c 'SELECT pg_postmaster_start_time()')" = "$started" ]
  ok $? "sqlsmith as $role (seed $seed, $smith_queries queries) ends and the server never restarted" \
    || tail -20 "$dir/sqlsmith_$role.out"
  echo "# sqlsmith as $role: ${SECONDS}s, $(grep -o 'error rate: [0-9.]*' "$dir/sqlsmith_$role.out" | tail -1)"
done

# Nothing crashed, nothing asserted, nothing panicked, at any time.
! grep -E 'terminated by signal|TRAP:|PANIC:|was terminated by exception' "$dir/server.log"
ok $? "the server log shows no crash"

echo "1..$n"
[ "$failed" -eq 0 ]
