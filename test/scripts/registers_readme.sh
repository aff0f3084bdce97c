#!/usr/bin/env bash
# registers_readme.sh — the README's example of the certification registers runs as written:
# the SQL block after the "registers-example" marker, inside the people fixture's organisation
# (one transaction, rolled back), leaves the asset, its bound table, the officer and the provider
# in place and no open finding under I-1, I-3 and V (run by test/run_tests.sh; PGHOST/PGPORT set).
set -euo pipefail
cd "$(dirname "$0")/../.."
example=$(awk '/<!-- registers-example/ { on = 1; next } on && /^```sql/ { inside = 1; next }
               inside && /^```/ { exit } inside { print }' README.md)
[ -n "$example" ] || { echo "not ok - the README has no registers example"; exit 1; }
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d tmac_test <<SQL
BEGIN;
SET search_path = public, tmac;
\i test/pgtap/people_fixture.psql
\o /dev/null
\i test/pgtap/cert_electronic_fixture.psql
$example
\o
SELECT 'findings=' || count(*) FROM tmac.findings WHERE criterion IN ('I-1', 'I-3', 'V');
SELECT 'bound=' || asset_no FROM tmac.asset_binding WHERE relid = 'public.blueprint'::regclass;
SELECT 'officer=' || person_id FROM tmac.appointment WHERE role = 'information_officer' AND ended_at IS NULL;
SELECT 'held=' || provider_id || ':' || asset_no FROM tmac.provider_asset;
SET ROLE t_aud;
SELECT 'auditor=' || count(*) FROM tmac.asset JOIN tmac.asset_binding USING (asset_no);
ROLLBACK;
SQL
)
fail=0
check() { if grep -qx "$2" <<<"$out"; then echo "ok - $1"; else echo "not ok - $1 (got: $(tr '\n' ' ' <<<"$out"))"; fail=1; fi; }
check "no open finding under I-1, I-3 and V" "findings=0"
check "protect(…, asset) bound the table to the asset" "bound=T-001"
check "the information officer is appointed" "officer=C1"
check "the provider holds the asset" "held=CLOUD-1:T-001"
check "the auditor reads the inventory and its binding" "auditor=1"
exit $fail
