#!/usr/bin/env bash
# registers_readme.sh — the README's example of the certification registers runs as written:
# the SQL block after the "registers-example" marker, inside the people fixture's organisation
# (one transaction, rolled back), leaves the asset, its bound table, the officer and the provider
# in place, every electronic measure declared, and no open finding under I-1, I-3 and V (run by test/run_tests.sh; PGHOST/PGPORT set).
set -euo pipefail
. "$(dirname "$0")/checks.bash"
cd "$(dirname "$0")/../.."
example=$(awk '/<!-- registers-example/ { on = 1; next } on && /^```sql/ { inside = 1; next }
               inside && /^```/ { exit } inside { print }' README.md)
[ -n "$example" ] || { echo "not ok - the README has no registers example"; exit 1; }
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d tmac_test <<SQL
BEGIN;
SET search_path = public, tmac;
\i test/pgtap/people_fixture.psql
\o /dev/null
SELECT tmac.restrict_activity_counters();   -- the install's hardening step (README: Install)
$example
\o
SELECT 'findings=' || count(*) FROM tmac.findings WHERE criterion IN ('I-1', 'I-3', 'V');
SELECT 'bound=' || asset_no FROM tmac.asset_binding WHERE relid = 'public.blueprint'::regclass;
SELECT 'officer=' || person_id FROM tmac.appointment WHERE role = 'information_officer' AND ended_at IS NULL;
SELECT 'held=' || provider_id || ':' || asset_no FROM tmac.provider_asset;
SELECT 'undeclared=' || count(*) FROM tmac.electronic_measures WHERE declaration_id IS NULL;
SET ROLE t_aud;
SELECT 'auditor=' || count(*) FROM tmac.asset JOIN tmac.asset_binding USING (asset_no);
ROLLBACK;
SQL
)
expect_lines <<'CHECKS'
no open finding under I-1, I-3 and V
  findings=0
protect(…, asset) bound the table to the asset
  bound=T-001
the information officer is appointed
  officer=C1
the provider holds the asset
  held=CLOUD-1:T-001
every electronic measure is declared
  undeclared=0
the auditor reads the inventory and its binding
  auditor=1
CHECKS
exit $fail
