#!/usr/bin/env bash
# compliance_dump_restore.sh — SoD rules, exceptions, duty assignments, registered checks,
# privileged roles, settings, reviews, grant audits and disabled built-in checks (who disabled
# them, when) survive pg_dump / pg_restore, and the restored database reports the same findings,
# compliance status and review evidence.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${TMAC_TEST_DIR:-/tmp}/cdr
mkdir -p "$dir"
for db in tmac_cdr_src tmac_cdr_dst; do dropdb --if-exists "$db"; done
createdb tmac_cdr_src
psql -X -q -v ON_ERROR_STOP=1 -d tmac_cdr_src >/dev/null <<'SQL'
CREATE EXTENSION tmac;
SET search_path = public, tmac;
-- the people fixture without its roles (they exist cluster-wide only for pgTAP's transaction)
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cdr_bob') THEN
    CREATE ROLE cdr_bob LOGIN IN ROLE tmac_access_admin;
    CREATE ROLE cdr_carol LOGIN IN ROLE tmac_approver;
    CREATE ROLE cdr_dave LOGIN IN ROLE tmac_approver, tmac_access_admin;   -- an SoD conflict
  END IF;
END $$;
SELECT tmac.define_compartment('PRJ-A', 'Project A');
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['cdr_bob', 'cdr_carol', 'cdr_dave']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('cdr-1', 'A1', 'hire', now() - interval '1 hour', '{"full_name":"Alice","title":"主任"}'),
  ('cdr-2', 'B1', 'hire', now() - interval '1 hour', '{"full_name":"Bob","login_role":"cdr_bob"}'),
  ('cdr-3', 'C1', 'hire', now() - interval '1 hour', '{"full_name":"Carol","login_role":"cdr_carol"}'),
  ('cdr-4', 'D1', 'hire', now() - interval '1 hour', '{"full_name":"Dave","login_role":"cdr_dave"}');
SELECT tmac.record_pledge(p, 'hire', current_date - 1), tmac.record_training(p, 'basics', current_date - 1)
  FROM unnest(ARRAY['A1', 'B1', 'C1', 'D1']) p;
SET ROLE cdr_bob;
SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design') AS g \gset
SET ROLE cdr_carol;
SELECT tmac.approve(:g);
RESET ROLE;
SELECT tmac.define_sod_rule('custodian vs requester', 'key_custodian', 'requester', 'medium');
SELECT tmac.assign_duty('A1', 'key_custodian');
SELECT tmac.grant_sod_exception(1, 'D1', 'two-person office until the new hire starts', now() + interval '30 days');
SELECT tmac.configure('review_period', '3 months');
SELECT tmac.register_privileged_role('postgres', 'bootstrap superuser, break-glass only');
SELECT tmac.set_check_enabled('exposing_view', true);
SELECT tmac.set_check_enabled('terminated_session_open', false);   -- a built-in check the company disabled
SET ROLE cdr_bob;
SELECT tmac.start_review('restore test') AS r \gset
SET ROLE cdr_carol;
SELECT tmac.review_decide(:r, :g, 'keep');
RESET ROLE;
SQL
q="SELECT (SELECT string_agg(name, ',' ORDER BY rule_id) FROM tmac.sod_rule),
          (SELECT count(*) FROM tmac.sod_exception), (SELECT count(*) FROM tmac.duty_assignment),
          (SELECT value || ' by ' || changed_by FROM tmac.settings WHERE key = 'review_period'),
          (SELECT string_agg(check_code || '=' || subject, ',' ORDER BY check_code, subject) FROM tmac.findings),
          (SELECT population_count || ':' || population_intact || ':' || kept FROM tmac.review_evidence),
          (SELECT count(*) FROM tmac.verify_audit_log()),
          (SELECT string_agg(check_code || ' by ' || disabled_by || ' at ' || disabled_at, ',' ORDER BY check_code)
             FROM tmac.compliance_check WHERE NOT enabled),
          (SELECT count(*) FROM tmac.compliance_check WHERE builtin),
          (SELECT builtin_disabled || ':' || array_to_string(disabled_checks, ',') FROM tmac.compliance_status WHERE criterion = 'II')"
before=$(psql -X -At -d tmac_cdr_src -c "$q")
# a built-in check this tmac does not have, as a dump of another version would carry it (disabled)
psql -X -q -v ON_ERROR_STOP=1 -d tmac_cdr_src -c "INSERT INTO tmac.compliance_check (check_code, criterion, severity,
  title, description, remedy, function_name, builtin, enabled, disabled_at, disabled_by)
  VALUES ('retired_check', 'II', 'low', 'x', 'x', 'x', 'tmac.check_retired', true, false, now(), 'postgres')"
pg_dump -Fc -d tmac_cdr_src -f "$dir/dump"
createdb tmac_cdr_dst
# A plain pg_restore, as a DBA runs it (README: Backup and restore); every error fails the test.
pg_restore --exit-on-error -d tmac_cdr_dst "$dir/dump" || { echo "not ok - restore failed"; exit 1; }
after=$(psql -X -At -d tmac_cdr_dst -c "$q")
next=$(psql -X -At -d tmac_cdr_dst -c "SELECT tmac.define_sod_rule('after restore', 'key_custodian', 'auditor')")
fail=0
case $before in *"terminated_session_open by postgres at "*) ;; *) echo "not ok - the disabled check is not in: $before"; fail=1 ;; esac
if [ "$before" = "$after" ]; then echo "ok - SoD, exceptions, settings, findings, review evidence and disabled built-in checks (who, when) survive dump/restore"; else
  echo "not ok - dump/restore changed the compliance state"; echo "before: $before"; echo "after:  $after"; fail=1; fi
gone=$(psql -X -At -d tmac_cdr_dst -c "SELECT (SELECT count(*) FROM tmac.compliance_check WHERE check_code = 'retired_check'),
  (SELECT count(*) FROM tmac.audit_log WHERE category = 'compliance_check' AND action = 'DELETE' AND subject = 'retired_check'),
  (SELECT count(*) FROM tmac.verify_audit_log())")
if [ "$gone" = "0|1|0" ]; then echo "ok - a built-in check this tmac does not have is dropped when the restore ends, audited"; else
  echo "not ok - unknown built-in check after restore (rows|audit entries|audit problems): $gone"; fail=1; fi
if [ "$next" -gt 100 ]; then echo "ok - new SoD rules continue the restored numbering ($next)"; else echo "not ok - rule id $next"; fail=1; fi
for db in tmac_cdr_src tmac_cdr_dst; do dropdb "$db"; done
exit $fail
