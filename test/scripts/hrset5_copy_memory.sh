#!/usr/bin/env bash
# hrset5_copy_memory.sh — a bulk load of HR events keeps its rows for the statement triggers in
# memory (src/hr_feed_flag.c, tmac_hr_feed_work_mem_copy / _insert): PostgreSQL sizes the store of
# a statement's rows (a_apply's new_events, the audit entry's new_rows) by work_mem when the
# statement starts, and with the default 4MB a COPY of 25,000 events wrote it to a temporary file
# and read it back in every pass.  Checked, with work_mem at its default: a COPY and an
# INSERT … SELECT of 25,000 events each write no temporary file (pg_stat_database.temp_files)
# and are applied as a set; work_mem is back at 4MB after each; a higher work_mem set for the
# transaction is left as it is; a COPY into another table is not touched (it still spills).
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser; local connections trust).
set -uo pipefail
n=0
db=hrset5_copy_memory
dir=$(mktemp -d /tmp/hrset5_copy_memory.XXXXXX)
chmod 755 "$dir"
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; rm -rf "$dir"; }
fail() { echo "not ok $((n + 1)) - $*"; cleanup; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db "$@"; }
# the temporary files this database's backends wrote so far (flushed by the statement before)
temp_files() { q -c "SELECT pg_stat_force_next_flush()" -c "SELECT temp_files FROM pg_stat_database WHERE datname = current_database()" | tail -1; }

cleanup
dir=$(mktemp -d /tmp/hrset5_copy_memory.XXXXXX)
chmod 755 "$dir"
psql -X -q -d postgres -c "CREATE DATABASE $db" >/dev/null || fail "creating the database"
q >/dev/null <<'SQL' || fail "installing tmac"
ALTER DATABASE hrset5_copy_memory SET work_mem = '4MB';
CREATE EXTENSION tmac;
SELECT tmac.define_group('DEV', 'development');
CREATE TABLE plain_event (LIKE tmac.hr_event INCLUDING DEFAULTS);
SQL
q -c "COPY (SELECT 'c5-' || i, 'C5-' || i, 'hire', now() - interval '1 day',
                   jsonb_build_object('full_name', 'Person ' || i, 'title', 'staff', 'org_group', 'DEV',
                                      'job_role', 'engineer', 'note', repeat('n', 200))
              FROM generate_series(1, 25000) i) TO STDOUT" >"$dir/events.tsv" || fail "writing the events"

before=$(temp_files)
out=$(q -c "\\copy tmac.hr_event (event_id, person_id, kind, effective_at, attributes) FROM '$dir/events.tsv'" \
        -c "SHOW work_mem" -c "SELECT pg_stat_force_next_flush()") || fail "COPY of 25,000 events"
after=$(temp_files)
[ "$(echo "$out" | head -1)" = 4MB ] || fail "work_mem after the COPY: $(echo "$out" | head -1)"
[ "$(q -c "SELECT count(*) FROM tmac.person WHERE person_id LIKE 'C5-%'")" = 25000 ] || fail "the COPY's hires"
[ "$(q -c "SELECT count(*) FROM tmac.audit_log WHERE category = 'person' AND action = 'INSERT'")" = 1 ] \
  || fail "the COPY was not applied as a set"
[ "$after" = "$before" ] || fail "the COPY of 25,000 events wrote $((after - before)) temporary files"
ok "a COPY of 25,000 events (work_mem 4MB) is applied as a set without a temporary file, and work_mem is 4MB again"

before=$after
out=$(q -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
            SELECT 'i5-' || i, 'I5-' || i, 'hire', now() - interval '1 day',
                   jsonb_build_object('full_name', 'Person ' || i, 'note', repeat('n', 200))
              FROM generate_series(1, 25000) i" -c "SHOW work_mem" -c "SELECT pg_stat_force_next_flush()") \
  || fail "INSERT of 25,000 events"
after=$(temp_files)
[ "$(echo "$out" | head -1)" = 4MB ] || fail "work_mem after the INSERT: $(echo "$out" | head -1)"
[ "$(q -c "SELECT count(*) FROM tmac.person WHERE person_id LIKE 'I5-%'")" = 25000 ] || fail "the INSERT's hires"
[ "$after" = "$before" ] || fail "the INSERT of 25,000 events wrote $((after - before)) temporary files"
ok "an INSERT … SELECT of 25,000 events writes no temporary file either, and work_mem is 4MB again"

out=$(q -c "BEGIN" -c "SET LOCAL work_mem = '200MB'" \
        -c "\\copy tmac.hr_event (event_id, person_id, kind, effective_at, attributes) FROM '$dir/events.tsv'" \
        -c "SHOW work_mem" -c "ROLLBACK") || fail "COPY with work_mem 200MB"
[ "$out" = 200MB ] || fail "a work_mem above 64MB after the COPY: $out"
ok "a work_mem set above 64MB for the transaction is left as it is"

before=$(temp_files)
q -c "\\copy plain_event (event_id, person_id, kind, effective_at, attributes) FROM '$dir/events.tsv'" \
  -c "SELECT pg_stat_force_next_flush()" >/dev/null || fail "COPY into another table"
after=$(temp_files)
[ "$(q -c "SHOW work_mem")" = 4MB ] || fail "work_mem after the other COPY"
ok "a COPY into another table is left alone ($((after - before)) temporary files: no trigger reads its rows)"

cleanup
echo "1..$n"
