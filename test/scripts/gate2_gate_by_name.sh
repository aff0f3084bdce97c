#!/usr/bin/env bash
# gate2_gate_by_name.sh — the login gate refuses the name HR mapped as well as the role (by OID),
# at once, with real connections (src/login_gate.c: each entry carries the mapped name).  Before,
# a role created, or renamed, under a terminated person's login name was let in until the next
# recomputation (tmac.login_gate_sync, run_maintenance every 5 minutes):
#  1. the terminated person's role is renamed away and a new role takes its name;
#  2. the recorded role is dropped and the gate rebuilt; a role created under the name later;
#  3. another role renamed onto the name.
# The name is refused only in the database that gates it, and a rehire opens it again.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser; local connections trust).
set -uo pipefail
db=tmac_gate2_names
n=0
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  for r in g3_gil g3_gil_tmp g3_other; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
fail() { echo "not ok $((n + 1)) - $*"; cleanup; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# connect ROLE [DB]: prints the result of SELECT current_user, or the error
connect() { psql -X -At -U "$1" -d "${2:-$db}" -c "SELECT current_user" 2>&1 || true; }
refused='may not connect to database "'$db'": the person it belongs to is terminated'

cleanup
createdb "$db" || fail "createdb"
q <<'SQL' >/dev/null || fail "setup"
CREATE ROLE g3_gil LOGIN;
CREATE EXTENSION tmac;
SELECT tmac.enrol_login('g3_gil');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('g3-1', 'G1', 'hire', '{"full_name":"Gil","login_role":"g3_gil"}');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('g3-2', 'G1', 'terminate');
SQL
connect g3_gil | grep -q "$refused" || fail "the terminated person was let in: $(connect g3_gil)"

# 1. Renamed away, a new role under the name: refused at once.
q -c "ALTER ROLE g3_gil RENAME TO g3_gil_tmp" -c "CREATE ROLE g3_gil LOGIN" >/dev/null || fail "squat"
out=$(connect g3_gil)
grep -q "$refused" <<<"$out" || fail "a new role under the terminated person's name was let in before any recomputation: $out"
ok "a role created under a terminated person's login name is refused at once"
[ "$(connect g3_gil postgres)" = g3_gil ] || fail "refused where the name is no person's: $(connect g3_gil postgres)"
ok "(and only in the database that gates the name)"

# 2. The recorded role dropped, the gate rebuilt: the name stays refused.
q -c "DROP ROLE g3_gil" -c "DROP ROLE g3_gil_tmp" >/dev/null || fail "drop"
q -c "SELECT tmac.login_gate_sync()" >/dev/null || fail "sync"
q -c "CREATE ROLE g3_gil LOGIN" >/dev/null || fail "create again"
out=$(connect g3_gil)
grep -q "$refused" <<<"$out" || fail "after the role was dropped and the gate rebuilt, a new role under the name was let in: $out"
ok "the recorded role dropped and the gate rebuilt, a role created under the name later is refused at once"
[ "$(q -c "SELECT role_name || ':' || reason FROM tmac.login_gate_refusals() WHERE refused_count > 0 ORDER BY role_name LIMIT 1")" = "g3_gil:terminated" ] \
  || fail "refusals: $(q -c "SELECT * FROM tmac.login_gate_refusals()")"
[ "$(q -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'login_gate_refused' AND subject = 'person:G1'")" = 1 ] \
  || fail "the refusals are not the person's: $(q -c "SELECT subject, detail FROM tmac.findings WHERE check_code = 'login_gate_refused'")"
ok "the attempts are counted and login_gate_refused names the person"

# 3. Another role renamed onto the name.
q -c "DROP ROLE g3_gil" -c "CREATE ROLE g3_other LOGIN" -c "ALTER ROLE g3_other RENAME TO g3_gil" >/dev/null || fail "rename onto"
out=$(connect g3_gil)
grep -q "$refused" <<<"$out" || fail "a role renamed onto the name was let in: $out"
ok "a role renamed onto a terminated person's login name is refused at once"

# HR reopens the person: mapped again by name, the gate opens.
q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('g3-3', 'G1', 'rehire')" >/dev/null || fail "rehire"
[ "$(connect g3_gil)" = g3_gil ] || fail "rehired, the name is still refused: $(connect g3_gil)"
ok "a rehire opens the name again"

cleanup
echo "1..$n"
