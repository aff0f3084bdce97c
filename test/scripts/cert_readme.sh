#!/usr/bin/env bash
# cert_readme.sh — the README's examples of the documents register and the internal audits run as
# written: the officer's block (after the "cert-officer-example" marker) inside the people
# fixture's organisation, then the auditor's block (after "cert-auditor-example") as tmac_auditor,
# in one transaction, rolled back.  The document is approved by 経営層 and in force, A1's
# acknowledgement and the closed corrective action are there, the auditor sees them and each
# audited criterion's last internal audit, and the electronic measure declared beside tmac's own
# evidence (run by test/run_tests.sh; PGHOST/PGPORT set).
set -euo pipefail
. "$(dirname "$0")/checks.bash"
cd "$(dirname "$0")/../.."
block() { awk -v m="$1" 'index($0, "<!-- " m) { on = 1; next } on && /^```sql/ { inside = 1; next }
                          inside && /^```/ { exit } inside { print }' README.md; }
officer=$(block cert-officer-example); auditor=$(block cert-auditor-example); electronic=$(block cert-electronic-example)
[ -n "$officer" ] && [ -n "$auditor" ] && [ -n "$electronic" ] || { echo "not ok - the README has no documents or internal audit example"; exit 1; }
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d tmac_test <<SQL
BEGIN;
SET search_path = public, tmac;
SET client_min_messages = warning;
\i test/pgtap/people_fixture.psql
\o /dev/null
$officer
$electronic
\o
SELECT 'in_force=' || doc_no || ':' || version || ':' || approved_by FROM tmac.document_in_force;
SELECT 'missing=' || count(*) FROM tmac.findings WHERE check_code = 'document_missing' AND subject = 'document_requirement:information_rules';
SELECT 'audit_missing=' || string_agg(subject, ',' ORDER BY subject) FROM tmac.findings WHERE check_code = 'internal_audit_missing';
SET ROLE t_aud;
\o /dev/null
$auditor
\o
SELECT 'auditor_ack=' || count(*) FROM tmac.document_acknowledgement WHERE person_id = 'A1';
SELECT 'auditor_action=' || owner || ':' || closed_by FROM tmac.corrective_action;
SELECT 'auditor_backup=' || status || ':' || checked_by FROM tmac.electronic_measures WHERE measure = 'backup';
SELECT 'auditor_tmac=' || count(*) FROM tmac.electronic_measures WHERE database_evidence IS NOT NULL;
SELECT 'auditor_audited=' || count(*) FROM tmac.compliance_status WHERE last_internal_audit = current_date;
ROLLBACK;
SQL
)
expect_lines <<'CHECKS'
the 情報管理規程 is in force, approved by D1 of 経営層
  in_force=REG-001:第1版:D1
so the requirement is no longer missing
  missing=0
the criteria the audit did not cover are still missing an internal audit
  audit_missing=criterion:I-5,criterion:I-6,criterion:III,criterion:IV
the auditor reads A1's acknowledgement
  auditor_ack=1
and the corrective action A1 owned, closed by D1
  auditor_action=A1:D1
and the last internal audit of the six audited criteria
  auditor_audited=6
and the backup declared, checked by C1
  auditor_backup=in_place:C1
with tmac's own evidence beside the measures
  auditor_tmac=3
CHECKS
exit $fail
