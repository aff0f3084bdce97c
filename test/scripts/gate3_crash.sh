#!/usr/bin/env bash
# gate3_crash.sh — a crash between a termination's commit and the login gate's update does not
# let the leaver in after crash recovery (src/login_gate.c: gate first, open after).  A
# throwaway server; the development build's fault-injection point tmac.dev_crash_after_commit
# kills the backend right after the commit record of a transaction that changes the gate.
#  1. A termination crashes there; the server recovers; the termination is committed, and with
#     LOGIN turned back on the leaver is refused (the gate was written before the commit record).
#  2. A rehire crashes there: the gate that should open stays shut after recovery (too much,
#     never too little) until tmac.login_gate_sync() recomputes it; then the person gets in.
#  3. The same for a person on leave who returns, opened by tmac.run_maintenance().
#  4. A termination that fails after the gate was set (tmac.dev_fail_before_commit, before its
#     commit record) gates nothing, now or after a crash; a failed tmac.login_gate_sync() opens
#     nothing a committed termination gated.
set -uo pipefail
. "$(dirname "$0")/dedupe_scratch.bash"

scratch gate3_crash g3c <<<"restart_after_crash = on"
connect() { psql -X -At -U "$1" -c "SELECT current_user" 2>&1 || true; }
# crash SQL: run SQL with the fault-injection point armed; the backend must die at its commit
crash() {
  local out
  out=$(printf 'SET tmac.dev_crash_after_commit = on;\n%s\n' "$1" | psql -X -q -At -v ON_ERROR_STOP=1 2>&1)
  grep -q 'server closed the connection unexpectedly\|terminated abnormally\|connection to server was lost' <<<"$out" \
    || fail "the backend did not crash: $out"
  for _ in $(seq 60); do psql -X -At -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.5; done
  grep -q 'all server processes terminated; reinitializing' "$dir/server.log" || fail "no crash recovery in the server log"
  psql -X -At -c "SELECT 1" >/dev/null 2>&1 || fail "the server did not come back"
}

q -d postgres -c "CREATE DATABASE g3c" >/dev/null || fail "createdb"
out=$(q <<'SQL'
CREATE EXTENSION tmac;
CREATE ROLE g3c_alice LOGIN;
CREATE ROLE g3c_bob LOGIN;
CREATE ROLE g3c_carol LOGIN;
CREATE ROLE g3c_dave LOGIN;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['g3c_alice', 'g3c_bob', 'g3c_carol', 'g3c_dave']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('h1', 'A', 'hire', now() - interval '1 day', '{"full_name":"Alice","login_role":"g3c_alice"}'),
  ('h2', 'B', 'hire', now() - interval '1 day', '{"full_name":"Bob","login_role":"g3c_bob"}'),
  ('h3', 'C', 'hire', now() - interval '1 day', '{"full_name":"Carol","login_role":"g3c_carol"}'),
  ('h4', 'D', 'hire', now() - interval '1 day', '{"full_name":"Dave","login_role":"g3c_dave"}');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('t2', 'B', 'terminate'), ('l3', 'C', 'leave');
SQL
) || fail "fixture: $out"
[ "$(connect g3c_alice)" = g3c_alice ] || fail "alice cannot connect: $(connect g3c_alice)"

# 1. The termination's backend dies right after its commit record.
crash "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('t1', 'A', 'terminate');"
[ "$(q -c "SELECT status FROM tmac.person WHERE person_id = 'A'")" = terminated ] \
  || fail "the termination did not commit: $(q -c "SELECT status FROM tmac.person WHERE person_id = 'A'")"
q -c "ALTER ROLE g3c_alice LOGIN" >/dev/null || fail "LOGIN again"
out=$(connect g3c_alice)
grep -q 'FATAL:  role "g3c_alice" may not connect to database "g3c": the person it belongs to is terminated' <<<"$out" \
  || fail "after the crash the leaver was let in: $out"
ok "a termination that crashed right after its commit record is gated after crash recovery (LOGIN turned back on)"

# 2. A rehire's backend dies there: still refused (too much, never too little); a sync opens it.
crash "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('r2', 'B', 'rehire');"
[ "$(q -c "SELECT status FROM tmac.person WHERE person_id = 'B'")" = active ] || fail "the rehire did not commit"
connect g3c_bob | grep -q 'the person it belongs to is terminated' \
  || fail "the crashed rehire's gate opened without a sync: $(connect g3c_bob)"
[ "$(q -c "SELECT tmac.login_gate_sync()")" = 2 ] || fail "sync (Alice and Carol): $(q -c "SELECT tmac.login_gate_sync()")"
[ "$(connect g3c_bob)" = g3c_bob ] || fail "after tmac.login_gate_sync() the rehired person is still refused: $(connect g3c_bob)"
ok "a rehire that crashed there leaves the gate shut until tmac.login_gate_sync() opens it"

# 3. A return: opened by tmac.run_maintenance().
crash "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('b3', 'C', 'return');"
connect g3c_carol | grep -q 'the person it belongs to is on leave' || fail "the crashed return's gate opened: $(connect g3c_carol)"
q -c "SELECT tmac.run_maintenance()" >/dev/null || fail "maintenance"
[ "$(connect g3c_carol)" = g3c_carol ] || fail "after tmac.run_maintenance() the returned person is still refused: $(connect g3c_carol)"
connect g3c_alice | grep -q 'is terminated' || fail "the maintenance opened the leaver's gate"
ok "a return that crashed there stays shut until tmac.run_maintenance(); the leaver stays refused"

# 4. Failing after the gate was set: nothing gated; a failed sync opens nothing.
out=$(printf "SET tmac.dev_fail_before_commit = on;\nINSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('t4', 'D', 'terminate');\n" | q)
grep -q 'tmac.dev_fail_before_commit: failing after the login gate was set' <<<"$out" || fail "the termination did not fail there: $out"
[ "$(q -c "SELECT status FROM tmac.person WHERE person_id = 'D'")" = active ] || fail "the failed termination committed"
[ "$(connect g3c_dave)" = g3c_dave ] || fail "the failed termination gated dave: $(connect g3c_dave)"
[ "$(q -c "SELECT count(*) FROM tmac.login_gate_refusals() WHERE role_name = 'g3c_dave'")" = 0 ] || fail "dave has an entry"
out=$(printf "SET tmac.dev_fail_before_commit = on;\nSELECT tmac.login_gate_sync();\n" | q)
grep -q 'failing after the login gate was set' <<<"$out" || fail "the sync did not fail there: $out"
connect g3c_alice | grep -q 'is terminated' || fail "a failed sync opened the leaver's gate"
crash "SELECT tmac.login_gate_sync();"
[ "$(connect g3c_dave)" = g3c_dave ] || fail "after a crash the failed termination gates dave: $(connect g3c_dave)"
connect g3c_alice | grep -q 'is terminated' || fail "after a crash the leaver was let in"
ok "a termination failing after the gate was set (before its commit record) gates nothing, after a crash neither; a failed sync opens nothing"

stop
echo "1..$n"
