#!/usr/bin/env bash
# handling_server_log.sh — a COPY … TO of protected rows has sent them before its transaction
# ends: it is written to the server log when it happens, so that a rolled-back export leaves a
# trace (the handling-ledger entry is rolled back with the transaction), and an export in a
# read-only transaction (pg_dump, a standby) works and is logged (src/handling_events.c).
# Run by test/run_tests.sh (PGHOST/PGPORT, TMAC_TEST_DIR set).
set -euo pipefail
. "$(dirname "$0")/checks.bash"
cd "$(dirname "$0")/../.."
log=${TMAC_TEST_DIR:?}/server/server.log
db=tmac_handling_log
dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION tmac;
CREATE TABLE hl_doc (id integer, label tmac.label);
SELECT tmac.protect('hl_doc');
INSERT INTO hl_doc VALUES (1, 'SECRET'), (2, 'SECRET'), (3, 'INTERNAL');
SQL
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL'
BEGIN;
COPY (SELECT id FROM hl_doc WHERE id < 3) TO STDOUT;
ROLLBACK;
SQL
ro_ok=1
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null 2>&1 <<'SQL' || ro_ok=0
BEGIN READ ONLY;
COPY hl_doc TO STDOUT;
COMMIT;
SQL
entries=$(psql -X -At -d "$db" -c "SELECT count(*) FROM tmac.handling_entry")
sleep 1
hold <<CHECKS
a rolled-back export leaves no ledger entry
  [ '$entries' = 0 ]
but its line in the server log
  grep -q 'tmac: handling event export of 2 rows of protected public.hl_doc by role postgres to COPY TO STDOUT' '$log'
an export in a read-only transaction works
  [ $ro_ok = 1 ]
and is in the server log
  grep -q 'tmac: handling event export of 3 rows of protected public.hl_doc by role postgres' '$log'
CHECKS
dropdb "$db"
exit $fail
