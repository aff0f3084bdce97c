#!/usr/bin/env bash
# onboard_readme.sh — the README's onboarding examples run as written: the SQL blocks after the
# "onboard-example: import", "provision" and "approvals" markers, inside the people fixture's
# organisation (one transaction, rolled back), as the HR feed (t_hr), an administrator (t_adm) and
# an approver (t_carol): the plain-column CSV is applied, the hired persons get their logins, and
# the approver's queue is approved but for the request whose grantee lacks a pledge (run by
# test/run_tests.sh; PGHOST/PGPORT set).
set -euo pipefail
cd "$(dirname "$0")/../.."
block() { awk -v m="<!-- onboard-example: $1 -->" '$0 == m { on = 1; next } on && /^```sql/ { inside = 1; next }
                                                 inside && /^```/ { exit } inside { print }' README.md; }
import=$(block import); provision=$(block provision); approvals=$(block approvals)
for b in import provision approvals; do
  [ -n "${!b}" ] || { echo "not ok - the README has no onboarding example '$b'"; exit 1; }
done
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d tmac_test <<SQL
BEGIN;
SET search_path = public, tmac;
\i test/pgtap/people_fixture.psql
\o /dev/null
SET ROLE t_hr;
$import
RESET ROLE;
SET ROLE t_adm;
$provision
RESET ROLE;
SET ROLE t_bob;
SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', '設計レビュー');
SELECT tmac.request_access('e2001', 'PRJ-B', now() + interval '90 days', '営業資料');
RESET ROLE;
SET ROLE t_carol;
$approvals
RESET ROLE;
\o
SELECT 'applied=' || count(*) FROM tmac.hr_event WHERE event_id LIKE 'HR-2026-01%' AND outcome = 'applied';
SELECT 'group=' || g.code FROM tmac.person p JOIN tmac.org_group g ON g.group_id = p.org_group_id WHERE p.person_id = 'E2001';
SELECT 'kind=' || kind FROM tmac.person WHERE person_id = 'E2002';
SELECT 'logins=' || string_agg(person_id || ':' || login_role, ',' ORDER BY person_id) FROM tmac.person WHERE person_id LIKE 'E200_';
SELECT 'enrolled=' || count(*) FROM tmac.login_enrolment WHERE login_role IN ('e2001', 'e2002') AND withdrawn_at IS NULL;
SELECT 'grants=' || string_agg(person_id || ':' || status, ',' ORDER BY person_id) FROM tmac.grants;
ROLLBACK;
SQL
)
out=$(grep -E '^[a-z]+=' <<<"$out")
# applied: the CSV's three events; group: the transfer moved E2001; kind: E2002 is a contractor;
# logins, enrolled: both hires got a login of their lower-cased id, enrolled; grants: the approver
# approved what waited for her but the grant of E2001, who has no pledge
expected='applied=3
group=SALES
kind=contractor
logins=E2001:e2001,E2002:e2002
enrolled=2
grants=A1:active,E2001:pending'
if [ "$out" = "$expected" ]; then
  echo "ok - the README's onboarding examples run as written and do what it says"
else
  echo "not ok - the README's onboarding examples:"; diff <(echo "$expected") <(echo "$out") || true
  exit 1
fi
