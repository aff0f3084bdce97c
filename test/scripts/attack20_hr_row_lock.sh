#!/usr/bin/env bash
# attack20_hr_row_lock.sh — a person delays their own termination (and stalls the HR feed) by
# leaving a transaction open.  tmac.hr_apply locks the person's row FOR UPDATE, which conflicts
# with the FOR KEY SHARE lock that every foreign key to tmac.person takes: a person who reports an
# incident (tmac.report_incident: reported_by references tmac.person) and keeps the transaction
# open makes every HR event about them wait — their termination too, so their access, grants and
# login stay until they let go; with a bulk load (tmac.hr_event_import, one INSERT) the whole
# batch waits.  reported_to_person => 'X' does the same to any other person X.  An act of
# tmac_person must not be able to hold the HR feed: the apply needs a lock that a key-share
# does not block (FOR NO KEY UPDATE), as the UPDATE it makes does.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).
set -uo pipefail
db=tmac_attack20_rowlock roles="a20r_hr a20r_leaver"
. "$(dirname "$0")/own_db.bash"

own_db
q -c "GRANT tmac_hr TO a20r_hr" -c "SELECT FROM tmac.enrol_login('a20r_leaver')" \
  -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES ('ar-1', 'L1', 'hire', now() - interval '1 day', '{\"full_name\":\"Leaver\",\"login_role\":\"a20r_leaver\"}')" \
  || fail "setup"

# 1. The leaver reports an incident and keeps the transaction open.
psql -X -q -U a20r_leaver -d "$db" -c "BEGIN" \
  -c "SELECT tmac.report_incident('employee', 'A colleague copied the design files onto a USB stick')" \
  -c "SELECT pg_sleep(10)" -c "ROLLBACK" >/dev/null 2>&1 &
bg=$!
for i in $(seq 50); do
  [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'a20r_leaver' AND query LIKE '%pg_sleep%'")" -gt 0 ] && break
  sleep 0.1
done

# 2. HR terminates the leaver (the plain-column import, as a nightly load would).
out=$(psql -X -q -At -U a20r_hr -d "$db" 2>&1 <<'SQL'
SET lock_timeout = '3s';
INSERT INTO tmac.hr_event_import (event_id, person_id, kind) VALUES ('ar-2', 'L1', 'terminate');
SELECT 'status ' || status FROM tmac.person WHERE person_id = 'L1';
SQL
)
kill "$bg" 2>/dev/null; wait "$bg" 2>/dev/null; bg=
grep -q "status terminated" <<<"$out" \
  || fail "a person's open transaction (tmac.report_incident) holds off their own termination: $out"
echo "ok 1 - a person's open transaction does not hold off the HR feed"
cleanup
