#!/usr/bin/env bash
# readme_ledgers.sh — the ledgers example of README.md ("Ledgers: handling, incidents,
# containers, keys and areas") runs as written: it is cut out of the README between its
# markers and run after a fixture (the people fixture, asset DWG-001, a protected table
# blueprint with 3 SECRET rows readable by t_alice), in one transaction that is rolled back.
# Run by test/run_tests.sh (PGHOST/PGPORT set).
set -euo pipefail
. "$(dirname "$0")/checks.bash"
cd "$(dirname "$0")/../.."
root=$(pwd)
out=${TMAC_TEST_DIR:-/tmp}/readme_ledgers
mkdir -p "$out"
sed -n '/^<!-- example: ledgers/,/^<!-- \/example -->/p' README.md | grep -v '^<!--' | grep -v '^```' > "$out/example.sql"
[ -s "$out/example.sql" ] || { echo "not ok - the README's ledgers example was not found"; exit 1; }
cd "$out"
psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -d tmac_test > "$out/result.txt" 2> "$out/stderr.txt" <<SQL
BEGIN;
SET search_path = public, tmac;
\o /dev/null
\i $root/test/pgtap/people_fixture.psql
INSERT INTO tmac.asset (asset_no, name, label, business_category, medium, registered_on) VALUES ('DWG-001', '製品設計図', 'SECRET', '技術', 'paper', current_date);
CREATE TABLE blueprint (id integer, body text, label tmac.label);
SELECT tmac.protect('blueprint');
INSERT INTO blueprint VALUES (1, 'a', 'SECRET'), (2, 'b', 'SECRET'), (3, 'c', 'SECRET');
GRANT SELECT ON blueprint TO t_alice;
SELECT pg_temp.granted(\$\$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'readme')\$\$);
\o
\i $out/example.sql
ROLLBACK;
SQL
hold <<CHECKS
the manual take-out is approved by C1
  grep -Eq '^[0-9]+\|take_out\|f\|\|30\|approval\|C1$' '$out/result.txt'
the \\copy of 3 SECRET rows is an automatic take-out needing approval
  grep -Eq '^[0-9]+\|take_out\|t\|3\|30\|approval\|$' '$out/result.txt'
which is a handling_unapproved finding
  grep -Eq '^handling_unapproved\|handling:[0-9]+$' '$out/result.txt'
the exported file has the 3 rows
  [ \$(wc -l < '$out/blueprint.csv') -eq 3 ]
CHECKS
exit $fail
