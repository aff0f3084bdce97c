#!/usr/bin/env bash
# explainleak_cursor.sh — auto_explain of a cursor does not count the rows the policy hid
# (src/explain_withhold.c).  A cursor's rows are fetched by several ExecutorRun calls and
# auto_explain prints at ExecutorEnd: the rows hidden in every fetch count, and "Rows Removed by
# Filter" of a person cleared SECRET without PRJ-B, reading WHERE label = 'SECRET:PRJ-B', is not
# the number of SECRET:PRJ-B rows; a person cleared for them keeps the real number.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser), in the pgTAP database
# (the fixture's roles live in one transaction, rolled back).
set -uo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "FAIL: $*"; exit 1; }

out=$(psql -X -q -At -v ON_ERROR_STOP=1 -d tmac_test 2>&1 <<'SQL'
BEGIN;
\i test/pgtap/people_fixture.psql
CREATE TABLE elc_doc (id integer, label tmac.label NOT NULL, body text);
INSERT INTO elc_doc
  SELECT i, (CASE WHEN i % 50 = 0 THEN 'SECRET:PRJ-B' ELSE 'PUBLIC' END)::tmac.label, 'x' FROM generate_series(1, 3000) i;
CREATE INDEX elc_doc_label ON elc_doc (label);
SELECT tmac.protect('elc_doc');
GRANT SELECT ON elc_doc TO t_alice, t_dave;
ANALYZE elc_doc;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('D1', 'SECRET', now() + interval '30 days', 'design')$$);
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'design')$$);
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'design')$$);
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_format = json;
SET auto_explain.log_level = notice;
SET max_parallel_workers_per_gather = 0;
SET enable_indexonlyscan = off; SET enable_bitmapscan = off;
\warn ==dave-index
SET ROLE t_dave;
SET enable_seqscan = off;
DECLARE c1 CURSOR FOR SELECT id FROM elc_doc WHERE label = 'SECRET:PRJ-B';
FETCH 5 FROM c1;
FETCH 5 FROM c1;
CLOSE c1;
RESET enable_seqscan;
SET enable_indexscan = off;
\warn ==dave-seq
DECLARE c2 CURSOR FOR SELECT id FROM elc_doc WHERE label = 'SECRET:PRJ-B';
FETCH 5 FROM c2;
FETCH 5 FROM c2;
CLOSE c2;
RESET ROLE;
\warn ==alice-seq
SET ROLE t_alice;
DECLARE c3 CURSOR FOR SELECT id FROM elc_doc WHERE label = 'SECRET:PRJ-B';
FETCH 50 FROM c3;
FETCH ALL FROM c3;
CLOSE c3;
RESET ROLE;
\warn ==end
ROLLBACK;
SQL
) || fail "the session failed: $(echo "$out" | grep -m3 ERROR)"

# "Rows Removed by Filter" values auto_explain printed, between two markers, for the cursor's
# query (tmac's own queries run at the top level too when a label is parsed: not those)
removed() {
  echo "$out" | sed -n "/^==$1\$/,/^==/p" | awk '
    /^NOTICE:  duration/ { mine = 0 }
    /"Query Text": "DECLARE c[0-9] CURSOR FOR SELECT id FROM elc_doc/ { mine = 1 }
    mine && /"Rows Removed by Filter"/ { sub(/.*: /, ""); sub(/,$/, ""); printf "%s ", $0 }'
}
dave_index=$(removed dave-index); dave_seq=$(removed dave-seq); alice=$(removed alice-seq)
[ -n "$dave_index" ] || fail "auto_explain printed no plan for Dave's index scan cursor: $out"
[ "$dave_index" = "0 " ] || fail "Dave's index scan cursor counts the hidden rows: Rows Removed by Filter $dave_index"
echo "ok 1 - a cursor through the label index: no count of the 60 rows hidden from Dave"
[ "$dave_seq" = "0 " ] || fail "Dave's sequential cursor counts the hidden rows: Rows Removed by Filter $dave_seq"
echo "ok 2 - a sequential cursor: no count of them either"
[ "$alice" = "2940 " ] || fail "Alice (cleared) should see the 2,940 rows her condition removed, saw: $alice"
echo "ok 3 - a person cleared for the rows keeps the real number"
