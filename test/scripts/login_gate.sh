#!/usr/bin/env bash
# login_gate.sh — tmac's login gate (src/login_gate.c): a terminated person cannot connect
# even after ALTER ROLE … LOGIN PASSWORD … and a new membership; the refusal is FATAL with
# SQLSTATE 28000, is counted and is a finding; a person on leave is refused until they
# return; a rolled-back termination gates nothing; the gate survives a restart (its file)
# and converges from the persons (tmac.login_gate_sync) when the file is lost; a database
# without tmac is not affected; gate_prerequisites also refuses a missing pledge/training.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser) and TMAC_TEST_DIR
# (the server's log is $TMAC_TEST_DIR/server/server.log).  The roles lg_* authenticate with
# a password (a pg_hba.conf line this script adds and removes), so the gate is seen to act
# after a successful authentication.
set -uo pipefail
db=tmac_login_gate
db2=tmac_login_gate_noext
db3=tmac_login_gate_restored
n=0
log=${TMAC_TEST_DIR:-/nonexistent}/server/server.log
datadir=$(psql -X -At -d postgres -c "SHOW data_directory")
hba=$(psql -X -At -d postgres -c "SHOW hba_file")
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgctl=$(command -v pg_ctl)

cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP DATABASE IF EXISTS $db2 WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $db3 WITH (FORCE)" >/dev/null 2>&1
  for r in lg_alice lg_bob lg_carol lg_dave lg_audit; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
  if grep -q 'tmac login_gate.sh' "$hba" 2>/dev/null; then
    as_server sed -i '/tmac login_gate.sh/d' "$hba"
  fi
  psql -X -q -d postgres -c "ALTER SYSTEM RESET log_error_verbosity" -c "SELECT pg_reload_conf()" >/dev/null 2>&1
}
fail() { echo "not ok $((n + 1)) - $*"; cleanup; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# connect ROLE [DB]: prints the result of SELECT current_user, or the error
connect() { PGPASSWORD=pw psql -X -At -U "$1" -d "${2:-$db}" -c "SELECT current_user" 2>&1 || true; }
restart() {
  as_server "$pgctl" -D "$datadir" -l "$log" -w -m fast restart >/dev/null || fail "restart failed"
}

cleanup
# The lg_* roles authenticate with their password.
{ echo "local all lg_alice,lg_bob,lg_carol,lg_dave scram-sha-256   # tmac login_gate.sh"; cat "$hba"; } >"$hba.new" \
  && as_server cp "$hba.new" "$hba" && rm -f "$hba.new" || fail "cannot edit $hba"
psql -X -q -d postgres -c "ALTER SYSTEM SET log_error_verbosity = verbose" -c "SELECT pg_reload_conf()" >/dev/null \
  || fail "reload"
createdb "$db" || fail "createdb"
createdb "$db2" || fail "createdb $db2"
q <<'SQL' >/dev/null || fail "setup"
CREATE ROLE lg_alice LOGIN PASSWORD 'pw';
CREATE ROLE lg_bob LOGIN PASSWORD 'pw';
CREATE ROLE lg_carol LOGIN PASSWORD 'pw';
CREATE ROLE lg_dave LOGIN PASSWORD 'pw';
CREATE ROLE lg_audit;
CREATE EXTENSION tmac;
GRANT tmac_auditor TO lg_audit;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['lg_alice', 'lg_bob', 'lg_carol', 'lg_dave']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('lg-1', 'LG1', 'hire', '{"full_name":"Alice","login_role":"lg_alice"}'),
  ('lg-2', 'LG2', 'hire', '{"full_name":"Bob","login_role":"lg_bob"}'),
  ('lg-3', 'LG3', 'hire', '{"full_name":"Carol","login_role":"lg_carol"}'),
  ('lg-4', 'LG4', 'hire', '{"full_name":"Dave","login_role":"lg_dave"}');
SQL
[ "$(connect lg_alice)" = lg_alice ] || fail "alice cannot connect before anything happened: $(connect lg_alice)"
ok "an active person connects (password authentication)"

# 1. Terminated through the HR feed; then LOGIN, a new password and a membership are given back.
q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('lg-5', 'LG1', 'terminate')" || fail "terminate"
q -c "ALTER ROLE lg_alice LOGIN PASSWORD 'pw'" -c "GRANT pg_read_all_data TO lg_alice" || fail "re-enable"
[ "$(q -c "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'lg_alice'")" = t ] || fail "LOGIN not back"
out=$(connect lg_alice)
grep -q 'FATAL:  role "lg_alice" may not connect to database "tmac_login_gate": the person it belongs to is terminated' <<<"$out" \
  || fail "the leaver was not refused with the message: $out"
ok "a terminated person is refused after ALTER ROLE … LOGIN PASSWORD … and GRANT: $(echo "$out" | sed -n 's/.*FATAL:  //p' | head -1)"
sleep 0.2
grep -q 'FATAL:  28000: role "lg_alice" may not connect' "$log" || fail "no FATAL 28000 in the server log"
ok "the refusal is SQLSTATE 28000"

# 2. Counted, readable by tmac_auditor, and two findings.
[ "$(q -c "SET ROLE lg_audit" -c "SELECT reason || ':' || refused_count || ':' || (last_refused IS NOT NULL) FROM tmac.login_gate_refusals() WHERE role_name = 'lg_alice'")" = "terminated:1:true" ] \
  || fail "refusal not counted: $(q -c "SELECT * FROM tmac.login_gate_refusals()")"
ok "the refused attempt is counted (tmac.login_gate_refusals, as tmac_auditor)"
connect lg_alice >/dev/null
[ "$(q -c "SELECT refused_count FROM tmac.login_gate_refusals() WHERE role_name = 'lg_alice'")" = 2 ] || fail "second attempt not counted"
ok "each attempt is counted"
[ "$(q -c "SET ROLE lg_audit" -c "SELECT criterion FROM tmac.findings WHERE check_code = 'login_gate_refused' AND subject = 'person:LG1' AND detail LIKE '%2 time(s)%'")" = I-6 ] \
  || fail "no login_gate_refused finding: $(q -c "SELECT * FROM tmac.findings WHERE check_code = 'login_gate_refused'")"
ok "finding login_gate_refused (I-6) names the person and the count"
[ "$(q -c "SELECT criterion FROM tmac.findings WHERE check_code = 'terminated_login_enabled' AND subject = 'person:LG1'")" = II ] \
  || fail "no terminated_login_enabled finding"
ok "finding terminated_login_enabled (II): the leaver's role has LOGIN again"
[ "$(connect lg_alice postgres)" = lg_alice ] || fail "alice refused in a database where she is no person"
[ "$(connect lg_alice "$db2")" = lg_alice ] || fail "alice refused in the database without tmac: $(connect lg_alice "$db2")"
ok "a database without tmac (and one where the role is no person) is not affected"

# 3. Leave and return.
q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('lg-6', 'LG2', 'leave')" || fail "leave"
out=$(connect lg_bob)
grep -q 'may not connect to database "tmac_login_gate": the person it belongs to is on leave' <<<"$out" \
  || fail "the person on leave was let in: $out"
ok "a person on leave is refused"
out=$(q -c "BEGIN" -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('lg-7', 'LG2', 'return')" \
        -c "PREPARE TRANSACTION 'lg_return'" 2>&1)
psql -X -q -d "$db" -c "ROLLBACK PREPARED 'lg_return'" >/dev/null 2>&1
grep -q "cannot prepare a transaction that changes tmac's login gate" <<<"$out" || fail "a return was prepared: $out"
q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('lg-7', 'LG2', 'return')" || fail "return"
[ "$(connect lg_bob)" = lg_bob ] || fail "bob refused after his return: $(connect lg_bob)"
ok "and let in again on return (a transaction that changes the gate cannot be prepared)"

# 4. A termination that rolls back gates nothing.
q -c "BEGIN" -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('lg-8', 'LG3', 'terminate')" -c "ROLLBACK" \
  || fail "rolled-back termination"
[ "$(connect lg_carol)" = lg_carol ] || fail "a rolled-back termination gated carol: $(connect lg_carol)"
q -c "BEGIN" -c "SAVEPOINT s" -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('lg-9', 'LG3', 'terminate')" \
  -c "ROLLBACK TO SAVEPOINT s" -c "COMMIT" || fail "rolled-back subtransaction"
[ "$(connect lg_carol)" = lg_carol ] || fail "a termination rolled back to a savepoint gated carol: $(connect lg_carol)"
ok "a rolled-back termination (transaction or savepoint) does not gate"

# 5. A restart keeps the gate (loaded from its file, nothing recomputed).
restart
out=$(connect lg_alice)
grep -q 'the person it belongs to is terminated' <<<"$out" || fail "the gate opened at restart: $out"
[ "$(q -c "SELECT refused_count FROM tmac.login_gate_refusals() WHERE role_name = 'lg_alice'")" = 3 ] \
  || fail "counts lost at restart: $(q -c "SELECT * FROM tmac.login_gate_refusals()")"
ok "a restart keeps the gate and its counts"

# 6. A lost gate file: tmac.login_gate_sync() rebuilds the gate from the persons.
as_server "$pgctl" -D "$datadir" -w -m fast stop >/dev/null || fail "stop"
rm -f "$datadir/tmac_login_gate" || fail "rm"
as_server "$pgctl" -D "$datadir" -l "$log" -w start >/dev/null || fail "start"
[ "$(connect lg_alice)" = lg_alice ] || fail "expected the gate to be lost with its file"
[ "$(q -c "SELECT tmac.login_gate_sync()")" = 1 ] || fail "sync"
connect lg_alice | grep -q "the person it belongs to is terminated" || fail "sync did not rebuild the gate: $(connect lg_alice) $(q -c "SELECT * FROM tmac.login_gate_refusals()")"
q -c "SELECT tmac.run_maintenance()" >/dev/null || fail "maintenance"
connect lg_alice | grep -q 'the person it belongs to is terminated' || fail "the maintenance job opened the gate"
ok "without its file the gate is rebuilt by tmac.login_gate_sync() (also in run_maintenance)"

# 6b. A restored copy of the database gates its terminated persons (pg_dump -Fc, pg_restore).
dump=$(mktemp "${TMAC_TEST_DIR:-/tmp}/login_gate.XXXXXX")
pg_dump -Fc -f "$dump" "$db" 2>/dev/null || fail "pg_dump"
createdb "$db3" || fail "createdb $db3"
pg_restore --exit-on-error -d "$db3" "$dump" 2>/dev/null || fail "pg_restore"
rm -f "$dump"
out=$(connect lg_alice "$db3")
grep -q "may not connect to database \"$db3\": the person it belongs to is terminated" <<<"$out" \
  || fail "the restored database let the leaver in: $out"
[ "$(connect lg_bob "$db3")" = lg_bob ] || fail "the restored database refused an active person"
ok "a restored copy of the database gates its terminated persons"

# 7. gate_prerequisites: a person without a pledge or training is refused too.
[ "$(connect lg_dave)" = lg_dave ] || fail "dave refused before gate_prerequisites"
q -c "SELECT tmac.configure('gate_prerequisites', 'on')" >/dev/null || fail "configure"
connect lg_dave | grep -q 'the pledge of the person it belongs to has lapsed' || fail "no pledge, yet dave was let in: $(connect lg_dave)"
q -c "SELECT tmac.record_pledge('LG4', 'hire', current_date - 1)" >/dev/null || fail "pledge"
connect lg_dave | grep -q 'the training of the person it belongs to has lapsed' || fail "no training, yet dave was let in: $(connect lg_dave)"
q -c "SELECT tmac.record_training('LG4', 'basics', current_date - 1)" >/dev/null || fail "training"
[ "$(connect lg_dave)" = lg_dave ] || fail "dave refused with pledge and training: $(connect lg_dave)"
q -c "SELECT tmac.configure('gate_prerequisites', 'off')" >/dev/null || fail "configure off"
ok "gate_prerequisites on refuses a missing pledge, then training; recording them lets the person in"

# 8. Acknowledging the refusals closes the finding (audited); the gate stays.
q -c "BEGIN" -c "SAVEPOINT s" -c "SELECT tmac.login_gate_acknowledge('lg_alice', 'oops')" -c "ROLLBACK TO SAVEPOINT s" -c "COMMIT" >/dev/null \
  || fail "acknowledge in a savepoint"
[ "$(q -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'login_gate_refused' AND subject = 'person:LG1'")" = 1 ] \
  || fail "an acknowledgement rolled back to a savepoint closed the finding"
q -c "SELECT tmac.login_gate_acknowledge('lg_alice', 'HR called her: old bookmark')" >/dev/null || fail "acknowledge"
[ "$(q -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'login_gate_refused' AND subject = 'person:LG1'")" = 0 ] || fail "finding still open"
[ "$(q -c "SELECT count(*) FROM tmac.audit_log WHERE category = 'login_gate' AND action = 'ACKNOWLEDGE' AND subject = 'lg_alice'")" = 1 ] \
  || fail "acknowledgement not audited"
connect lg_alice | grep -q 'is terminated' || fail "acknowledging opened the gate"
ok "tmac.login_gate_acknowledge closes the finding, audited; the gate stays"

# 9. A superuser is gated too (only the bootstrap superuser, never a person's login, is not).
q -c "ALTER ROLE lg_alice SUPERUSER" || fail "superuser"
out=$(connect lg_alice)
q -c "ALTER ROLE lg_alice NOSUPERUSER" || fail "nosuperuser"
grep -q 'is terminated' <<<"$out" || fail "a terminated person's role made SUPERUSER was let in: $out"
ok "a terminated person's role is refused even as a superuser"

# 10. tmac.login_gate off (reload) opens the gate; DROP EXTENSION forgets the database's gate.
psql -X -q -d postgres -c "ALTER SYSTEM SET tmac.login_gate = off" -c "SELECT pg_reload_conf()" >/dev/null || fail "gate off"
sleep 0.5
r=$(connect lg_alice)
psql -X -q -d postgres -c "ALTER SYSTEM RESET tmac.login_gate" -c "SELECT pg_reload_conf()" >/dev/null
[ "$r" = lg_alice ] || fail "tmac.login_gate = off still refused: $r"
sleep 0.5
connect lg_alice | grep -q 'is terminated' || fail "the gate did not come back on"
q -c "BEGIN" -c "SAVEPOINT s" -c "DROP EXTENSION tmac CASCADE" -c "ROLLBACK TO SAVEPOINT s" -c "COMMIT" >/dev/null 2>&1 || fail "drop in savepoint"
connect lg_alice | grep -q 'is terminated' || fail "a rolled-back DROP EXTENSION opened the gate"
q -c "DROP EXTENSION tmac CASCADE" >/dev/null 2>&1 || fail "drop extension"
[ "$(connect lg_alice)" = lg_alice ] || fail "the gate outlived DROP EXTENSION tmac: $(connect lg_alice)"
ok "tmac.login_gate = off opens it; DROP EXTENSION tmac forgets it (not when rolled back)"

cleanup
echo "1..$n"
