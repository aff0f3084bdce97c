#!/usr/bin/env bash
# compliance_export.sh — the evidence export of test/README-auditor.md works as the auditor:
# CSV of the findings, the ledger and a review's evidence with psql \copy, and the HTML report.
# Runs inside one transaction that is rolled back (run by test/run_tests.sh; PGHOST/PGPORT set).
set -euo pipefail
. "$(dirname "$0")/checks.bash"
cd "$(dirname "$0")/../.."
out=${TMAC_TEST_DIR:-/tmp}/export
mkdir -p "$out"
psql -X -q -v ON_ERROR_STOP=1 -d tmac_test >/dev/null <<SQL
BEGIN;
SET search_path = public, tmac;
\i test/pgtap/people_fixture.psql
SELECT pg_temp.granted(\$\$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', 'design')\$\$);
SELECT pg_temp.as_role('t_bob', \$\$SELECT tmac.start_review('export test')\$\$)::bigint AS r \gset
SET ROLE t_aud;
\copy (SELECT * FROM tmac.findings ORDER BY criterion, check_code, subject) TO '$out/findings.csv' CSV HEADER
\copy (SELECT * FROM tmac.compliance_status) TO '$out/compliance_status.csv' CSV HEADER
\copy (SELECT * FROM tmac.access_rights_ledger ORDER BY person_id, grant_id) TO '$out/ledger.csv' CSV HEADER
\copy (SELECT * FROM tmac.review_evidence WHERE review_id = (SELECT max(review_id) FROM tmac.access_review)) TO '$out/review.csv' CSV HEADER
\copy (SELECT * FROM tmac.access_review_item WHERE review_id = (SELECT max(review_id) FROM tmac.access_review) ORDER BY grant_id) TO '$out/review_items.csv' CSV HEADER
\pset format unaligned
\pset tuples_only on
\o $out/report.html
SELECT tmac.compliance_report_html();
\o
ROLLBACK;
SQL
hold <<CHECKS
findings.csv has the findings header
  head -1 '$out/findings.csv' | grep -q '^criterion,check_code,severity,subject,detail,detected_at,accepted_by,title,remedy$'
compliance_status.csv has 10 criteria
  [ \$(wc -l < '$out/compliance_status.csv') -eq 11 ]
ledger.csv lists Alice's grant
  grep -q '^A1,Alice,主任' '$out/ledger.csv'
review.csv has the population hash
  grep -Eq ',[0-9a-f]{64},t,' '$out/review.csv'
review_items.csv has one item
  [ \$(wc -l < '$out/review_items.csv') -eq 2 ]
the report is one HTML page with every criterion
  grep -q '</html>' '$out/report.html' && [ \$(grep -c 'class="code">' '$out/report.html') -ge 10 ]
CHECKS
exit $fail
