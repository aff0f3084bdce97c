#!/usr/bin/env bash
# session_end.sh — a terminated person's open sessions end after the termination
# commits, and only then: a rolled-back termination leaves them connected.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).
set -uo pipefail
db=tmac_session_end roles="se_alice se_bob"
. "$(dirname "$0")/own_db.bash"
sessions() { psql -X -At -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'se_alice'"; }

own_db
q -c "SELECT tmac.enrol_login('se_alice')" \
  -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('se-1', 'A1', 'hire', '{\"full_name\":\"Alice\",\"login_role\":\"se_alice\"}')" \
  || fail "setup"

# Alice is connected, idle in a long statement.
psql -X -q -U se_alice -d "$db" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
bg=$!
for i in $(seq 50); do [ "$(sessions)" = 1 ] && break; sleep 0.1; done
[ "$(sessions)" = 1 ] || fail "alice's session did not start"

# 1. A termination that rolls back ends nothing.
q -c "BEGIN" -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('se-2', 'A1', 'terminate')" -c "ROLLBACK" \
  || fail "rolled-back termination"
sleep 1
[ "$(sessions)" = 1 ] || fail "a rolled-back termination ended alice's session"
[ "$(q -c "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'se_alice'")" = t ] || fail "a rolled-back termination changed the role"
echo "ok 1 - a rolled-back termination leaves the session and the role alone"

# 2. Queued but not yet committed: the session survives until COMMIT.
coproc TX { psql -X -q -At -d "$db" 2>&1; }
echo "BEGIN; INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('se-3', 'A1', 'terminate'); SELECT 'inserted';" >&"${TX[1]}"
read -r -t 10 line <&"${TX[0]}" || fail "termination did not run"
[ "$line" = inserted ] || fail "termination failed: $line"
sleep 1
[ "$(sessions)" = 1 ] || fail "the session ended before the termination committed"
echo "ok 2 - before commit the session is still there"
echo "COMMIT; SELECT 'committed';" >&"${TX[1]}"
read -r -t 10 line <&"${TX[0]}" || fail "commit did not return"
[ "$line" = committed ] || fail "commit failed: $line"
echo "\\q" >&"${TX[1]}"

# 3. After commit the session is ended.
for i in $(seq 50); do [ "$(sessions)" = 0 ] && break; sleep 0.1; done
[ "$(sessions)" = 0 ] || fail "alice's session survived the committed termination"
wait "$bg"; rc=$?; bg=
[ "$rc" != 0 ] || fail "alice's statement was not interrupted"
echo "ok 3 - after commit the terminated person's session is ended"
[ "$(q -c "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'se_alice'")" = f ] || fail "role still LOGIN"
echo "ok 4 - the login role is NOLOGIN"
psql -X -q -U se_alice -d "$db" -c "SELECT 1" >/dev/null 2>&1 && fail "alice can still log in"
echo "ok 5 - and cannot log in again"

# 6. A person whose own session commits their termination (made a tmac administrator after
#    enrolment, they apply their own due termination with tmac.run_maintenance()) is not spared:
#    that session ends right after the commit, and with it a cursor it held open.
q -c "SELECT tmac.enrol_login('se_bob')" \
  -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('se-4', 'B1', 'hire', '{\"full_name\":\"Bob\",\"login_role\":\"se_bob\"}')" \
  -c "GRANT tmac_admin TO se_bob" \
  -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at) VALUES ('se-5', 'B1', 'terminate', now() + interval '2 seconds')" \
  >/dev/null || fail "setup of bob"
sleep 3
out=$(psql -X -At -U se_bob -d "$db" -c "BEGIN" -c "DECLARE c CURSOR WITH HOLD FOR SELECT 1" -c "COMMIT" \
        -c "SELECT tmac.run_maintenance() IS NOT NULL" -c "SELECT 'still connected'" -c "FETCH ALL FROM c" 2>&1)
[ "$(q -c "SELECT status FROM tmac.person WHERE person_id = 'B1'")" = terminated ] || fail "bob's termination was not applied: $out"
case "$out" in *"still connected"*) fail "bob's own session survived his termination: $out" ;; esac
case "$out" in *"terminating connection"*) ;; *) fail "bob's session did not end: $out" ;; esac
echo "ok 6 - a person's own session that commits their termination ends right after the commit"
cleanup
