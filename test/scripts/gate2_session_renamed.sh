#!/usr/bin/env bash
# gate2_session_renamed.sh — a termination ends the sessions of the person's role by its OID,
# with real sessions: a role with CREATEROLE renames an active person's login role while the
# person has a session open; HR's termination still ends that session (tmac.queue_session_end of
# the role recorded when mapped, by its current name).  And terminated_session_open matches the
# sessions by the recorded OID: a terminated person's session under a renamed role is reported.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser; local connections trust).
set -uo pipefail
db=tmac_gate2_sessions roles="g2_gil g2_gil_tmp g2_hal g2_hal2 g2_cr"
. "$(dirname "$0")/own_db.bash"
n=0
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  drop_own_db
}
fail() { echo "not ok $((n + 1)) - $*"; cleanup; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
# sessions ROLE: how many client sessions of the role (by OID) are open
sessions() { q -c "SELECT count(*) FROM pg_stat_activity WHERE usesysid = '$1'::regrole AND backend_type = 'client backend'"; }
# wait_sessions ROLE N: up to 10 s for the role to have N sessions
wait_sessions() {
  local i
  for i in $(seq 100); do [ "$(sessions "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}

own_db g2_gil g2_hal
q <<'SQL' >/dev/null || fail "setup"
CREATE ROLE g2_cr CREATEROLE;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['g2_gil', 'g2_hal']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('g2s-1', 'G1', 'hire', '{"full_name":"Gil","login_role":"g2_gil"}'),
  ('g2s-2', 'G2', 'hire', '{"full_name":"Hal","login_role":"g2_hal"}');
SQL

# 1. Gil has a session open; his role is renamed; HR terminates him.
psql -X -q -U g2_gil -d "$db" -c "SELECT pg_sleep(25)" >/dev/null 2>&1 &
pids+=($!)
wait_sessions g2_gil 1 || fail "gil's session did not open"
q -c "SET ROLE g2_cr" -c "ALTER ROLE g2_gil RENAME TO g2_gil_tmp" >/dev/null || fail "rename"
q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('g2s-3', 'G1', 'terminate')" >/dev/null || fail "terminate"
wait_sessions g2_gil_tmp 0 || fail "the session of the renamed role survived the termination"
ok "the termination ends the session of the person's role renamed while they were active"
[ "$(q -c "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'g2_gil_tmp'")" = f ] || fail "the renamed role kept LOGIN"
ok "and makes it NOLOGIN"

# 2. A terminated person's session under a renamed role is the finding terminated_session_open.
psql -X -q -U g2_hal -d "$db" -c "SELECT pg_sleep(25)" >/dev/null 2>&1 &
pids+=($!)
wait_sessions g2_hal 1 || fail "hal's session did not open"
# (as if the termination could not end it: the person's row changed without the HR feed)
q -c "ALTER ROLE g2_hal RENAME TO g2_hal2" \
  -c "UPDATE tmac.person SET status = 'terminated', terminated_at = now() WHERE person_id = 'G2'" >/dev/null || fail "mark"
out=$(q -c "SELECT detail FROM tmac.findings WHERE check_code = 'terminated_session_open' AND subject = 'person:G2'")
grep -q '1 session(s) of g2_hal2 (renamed from g2_hal) are open' <<<"$out" \
  || fail "terminated_session_open is silent about the renamed role's session: '$out'"
ok "terminated_session_open reports the session of the renamed role, by its recorded OID"

cleanup
echo "1..$n"
