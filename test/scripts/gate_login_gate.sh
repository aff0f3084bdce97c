#!/usr/bin/env bash
# gate_login_gate.sh — the login gate follows the role, not its name (src/login_gate.c,
# sql/install/76_login_gate.sql), with real connections: a role with CREATEROLE renames a
# terminated person's login role and turns LOGIN back on; after tmac.login_gate_sync() and
# tmac.run_maintenance() the role is still refused under its new name (and under the old name,
# should someone take it); the findings gated_role_renamed and terminated_login_enabled name it.
# A role gated in more than 8 databases is refused in every one of them (the hook once looked
# at the first 8 only).  In a database where pg_cron does not keep its jobs the termination
# audits that they were not checked, and a cron schema someone planted there is never used.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).  The roles gt_* log in
# with a password (a pg_hba.conf line this script adds and removes).
set -uo pipefail
db=tmac_gate_rename
many=10                                   # databases gating one role (more than the old 8)
n=0
hba=$(psql -X -At -d postgres -c "SHOW hba_file")
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  for i in $(seq $many); do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${db}_$i WITH (FORCE)" >/dev/null 2>&1; done
  for r in gt_alice gt_alias gt_many gt_mallory; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
  if grep -q 'tmac gate_login_gate.sh' "$hba" 2>/dev/null; then
    as_server sed -i '/tmac gate_login_gate.sh/d' "$hba"
    psql -X -q -d postgres -c "SELECT pg_reload_conf()" >/dev/null 2>&1
  fi
}
fail() { echo "not ok $((n + 1)) - $*"; cleanup; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "${DB:-$db}" "$@"; }
# connect ROLE [DB]: prints the result of SELECT current_user, or the error
connect() { PGPASSWORD=pw psql -X -At -U "$1" -d "${2:-$db}" -c "SELECT current_user" 2>&1 || true; }

cleanup
{ echo "local all gt_alice,gt_alias,gt_many scram-sha-256   # tmac gate_login_gate.sh"; cat "$hba"; } >"$hba.new" \
  && as_server cp "$hba.new" "$hba" && rm -f "$hba.new" || fail "cannot edit $hba"
psql -X -q -d postgres -c "SELECT pg_reload_conf()" >/dev/null || fail "reload"
createdb "$db" || fail "createdb"
q <<'SQL' >/dev/null || fail "setup"
CREATE ROLE gt_alice LOGIN PASSWORD 'pw';
CREATE ROLE gt_many LOGIN PASSWORD 'pw';
CREATE ROLE gt_mallory;
CREATE EXTENSION tmac;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['gt_alice', 'gt_many']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('gt-1', 'GT1', 'hire', '{"full_name":"Alice","login_role":"gt_alice"}'),
  ('gt-2', 'GT2', 'hire', '{"full_name":"Many","login_role":"gt_many"}');
SQL
[ "$(connect gt_alice)" = gt_alice ] || fail "alice cannot connect before anything happened: $(connect gt_alice)"
ok "an active person connects (password authentication)"

# 0. A cron schema planted in a database without pg_cron: the termination must not use it.
q <<'SQL' >/dev/null || fail "plant"
GRANT CREATE ON DATABASE tmac_gate_rename TO gt_mallory;
SET ROLE gt_mallory;
CREATE SCHEMA cron;
CREATE TABLE cron.job (jobid bigint, jobname text, username text, database text, active boolean);
INSERT INTO cron.job VALUES (1, 'planted', 'gt_alice', 'tmac_gate_rename', true);
CREATE TABLE cron.seen (who name, superuser text);
CREATE FUNCTION cron.alter_job(job_id bigint, schedule text DEFAULT NULL, command text DEFAULT NULL, database text DEFAULT NULL,
                               username text DEFAULT NULL, active boolean DEFAULT NULL) RETURNS void LANGUAGE sql AS
  $$INSERT INTO cron.seen VALUES (current_user, current_setting('is_superuser'))$$;
GRANT USAGE ON SCHEMA cron TO PUBLIC;
GRANT INSERT ON cron.seen TO PUBLIC;
RESET ROLE;
SQL

# 1. Terminated; then renamed, LOGIN and a password given back, the gate rebuilt.
q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('gt-3', 'GT1', 'terminate')" >/dev/null || fail "terminate"
connect gt_alice | grep -q 'may not connect to database "tmac_gate_rename": the person it belongs to is terminated' \
  || fail "the leaver was let in: $(connect gt_alice)"
[ "$(q -c "SELECT count(*) FROM cron.seen")" = 0 ] && [ "$(q -c "SELECT active FROM cron.job")" = t ] \
  || fail "the termination used a planted cron schema: $(q -c "SELECT * FROM cron.seen")"
[ "$(q -c "SELECT detail ->> 'cron_database' FROM tmac.audit_log WHERE category = 'cron' AND action = 'NOT_CHECKED' AND subject = 'gt_alice' AND detail ->> 'person_id' = 'GT1'")" \
  = "$(psql -X -At -d postgres -c "SHOW cron.database_name")" ] \
  || fail "the termination did not audit that pg_cron's jobs (in another database) were not checked: $(q -c "SELECT * FROM tmac.audit_log WHERE category = 'cron'")"
ok "where pg_cron keeps its jobs elsewhere the termination audits that they were not checked, and never runs a planted cron schema"
q -c "ALTER ROLE gt_alice RENAME TO gt_alias" -c "ALTER ROLE gt_alias LOGIN PASSWORD 'pw'" >/dev/null 2>&1 || fail "rename"
out=$(connect gt_alias)
grep -q 'FATAL:  role "gt_alias" may not connect to database "tmac_gate_rename": the person it belongs to is terminated' <<<"$out" \
  || fail "the renamed role was let in: $out"
ok "the renamed role is refused at once"
[ "$(q -c "SELECT tmac.login_gate_sync()")" = 1 ] || fail "sync"
out=$(connect gt_alias)
grep -q 'may not connect to database "tmac_gate_rename": the person it belongs to is terminated' <<<"$out" \
  || fail "after tmac.login_gate_sync() the renamed role was let in: $out"
q -c "SELECT tmac.run_maintenance()" >/dev/null || fail "maintenance"
connect gt_alias | grep -q 'the person it belongs to is terminated' || fail "after tmac.run_maintenance() the renamed role was let in"
ok "and after tmac.login_gate_sync() and tmac.run_maintenance() (which recompute the whole gate) still refused"
[ "$(q -c "SELECT role_name || ':' || reason || ':' || refused_count FROM tmac.login_gate_refusals() WHERE role_name = 'gt_alias'")" = "gt_alias:terminated:4" ] \
  || fail "refusals: $(q -c "SELECT * FROM tmac.login_gate_refusals()")"
[ "$(q -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'login_gate_refused' AND subject = 'person:GT1'")" = 1 ] \
  || fail "the refusals of the renamed role are not the person's: $(q -c "SELECT subject FROM tmac.findings WHERE check_code = 'login_gate_refused'")"
ok "the refused attempts are counted on the role whatever its name (4) and the login_gate_refused finding names the person"
[ "$(q -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'gated_role_renamed' AND subject = 'person:GT1' AND detail LIKE '%renamed to gt_alias%'")" = 1 ] \
  || fail "no gated_role_renamed finding: $(q -c "SELECT check_code, subject FROM tmac.findings")"
[ "$(q -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'terminated_login_enabled' AND subject = 'person:GT1' AND detail LIKE '%gt_alias (renamed from gt_alice)%'")" = 1 ] \
  || fail "terminated_login_enabled is silent about the renamed role"
ok "findings gated_role_renamed and terminated_login_enabled name the renamed role"

# 2. Someone creates a role under the old name: refused too.
q -c "CREATE ROLE gt_alice LOGIN PASSWORD 'pw'" -c "SELECT tmac.login_gate_sync()" >/dev/null || fail "squat"
connect gt_alice | grep -q 'the person it belongs to is terminated' || fail "a new role under the old name was let in: $(connect gt_alice)"
q -c "DROP ROLE gt_alice" || fail "drop"
ok "a new role under the old name is refused too"

# 3. Renamed back: the finding closes, the gate stays; HR's rehire opens it.
q -c "ALTER ROLE gt_alias RENAME TO gt_alice" -c "ALTER ROLE gt_alice PASSWORD 'pw'" >/dev/null 2>&1 || fail "rename back"
[ "$(q -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'gated_role_renamed'")" = 0 ] || fail "finding not cleared"
connect gt_alice | grep -q 'is terminated' || fail "renamed back, the role was let in"
q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('gt-4', 'GT1', 'rehire')" >/dev/null || fail "rehire"
[ "$(connect gt_alice)" = gt_alice ] || fail "rehired, alice is still refused: $(connect gt_alice)"
ok "renamed back the finding closes (the gate stays); a rehire opens the gate"

# 4. One role gated in $many databases: refused in each.
q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('gt-5', 'GT2', 'terminate')" -c "ALTER ROLE gt_many LOGIN" >/dev/null \
  || fail "terminate GT2"
for i in $(seq $many); do
  psql -X -q -d postgres -c "CREATE DATABASE ${db}_$i TEMPLATE $db" >/dev/null || fail "copy $i"
  [ "$(DB=${db}_$i q -c "SELECT tmac.login_gate_sync()")" -ge 1 ] || fail "sync in ${db}_$i"
done
[ "$(q -c "SELECT count(*) FROM tmac.login_gate_refusals() WHERE role_name = 'gt_many' AND reason = 'terminated'")" = 1 ] || fail "not gated here"
refused=0
for d in "$db" $(for i in $(seq $many); do echo "${db}_$i"; done); do
  out=$(connect gt_many "$d")
  if grep -q "may not connect to database \"$d\": the person it belongs to is terminated" <<<"$out"; then
    refused=$((refused + 1))
  else
    echo "# let into $d: $out"
  fi
done
[ "$refused" = $((many + 1)) ] || fail "gt_many was refused in $refused of $((many + 1)) databases that gate it"
[ "$(connect gt_many postgres)" = gt_many ] || fail "gt_many refused where it is no person"
ok "a role gated in $((many + 1)) databases is refused in every one of them (and not elsewhere)"

cleanup
echo "1..$n"
