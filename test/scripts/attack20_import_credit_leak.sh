#!/usr/bin/env bash
# attack20_import_credit_leak.sh — the plain-column HR import's trigger-level credit
# (tmac.hr_import_credit, own_act.c's depth_credit) must end with its INSERT, however that
# INSERT ends.  tmac.hr_import_end resets it in EXCEPTION WHEN OTHERS, which does not catch
# query_canceled (a statement_timeout): an import that times out inside a savepoint leaves the
# credit set for the rest of the transaction, and a trigger then feeds HR events (depth 2)
# although "an act is the role's own, never a side effect of another statement".
# Setup: another session holds the same event_id uncommitted, so the import's INSERT into
# tmac.hr_event waits on the primary key inside the credited INSERT until the timeout fires.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).
set -uo pipefail
db=tmac_attack20_credit roles="a20c_hr"
. "$(dirname "$0")/own_db.bash"

own_db
q -c "GRANT tmac_hr TO a20c_hr" || fail "setup"

# feeder EVENT PERSON NAME: the SQL of a temporary table side whose trigger feeds the HR event
# EVENT hiring PERSON (full name NAME) for each row inserted
feeder() {
  cat <<SQL
CREATE TEMP TABLE side (x int);
CREATE FUNCTION pg_temp.feed() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('$1', '$2', 'hire', '{"full_name":"$3"}');
  RETURN NEW;
END \$\$;
CREATE TRIGGER side_feed BEFORE INSERT ON pg_temp.side FOR EACH ROW EXECUTE FUNCTION pg_temp.feed();
SQL
}

# 0. Control: without the import, a trigger cannot feed an HR event.
out=$({ feeder ac-0 P0 Zero; echo "INSERT INTO pg_temp.side VALUES (0);"; } | psql -X -q -At -U a20c_hr -d "$db" 2>&1)
grep -q "cannot record an HR event from a trigger" <<<"$out" || fail "control: a trigger fed an HR event: $out"
echo "ok 1 - a trigger cannot feed an HR event"

# 1. Another session holds event_id ac-1 uncommitted for a few seconds.
( echo "BEGIN; INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('ac-1', 'P9', 'hire', '{\"full_name\":\"Nine\"}'); SELECT pg_sleep(8); ROLLBACK;" \
    | psql -X -q -U a20c_hr -d "$db" >/dev/null 2>&1 ) &
bg=$!
for i in $(seq 50); do
  [ "$(q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'a20c_hr' AND l.locktype = 'transactionid'")" -gt 0 ] && break
  sleep 0.1
done

# 2. The import of the same event_id times out inside a savepoint; then a trigger feeds an event.
out=$({ feeder ac-2 P8 Eight; cat <<'SQL'; } | psql -X -q -At -U a20c_hr -d "$db" 2>&1
BEGIN;
SAVEPOINT s;
SET LOCAL statement_timeout = '1500ms';
INSERT INTO tmac.hr_event_import (event_id, person_id, kind, full_name) VALUES ('ac-1', 'P9', 'hire', 'Nine');
ROLLBACK TO s;
RESET statement_timeout;
INSERT INTO pg_temp.side VALUES (1);
COMMIT;
SQL
)
wait "$bg"; bg=
grep -q "statement timeout" <<<"$out" || fail "the import did not time out (the setup failed): $out"
n=$(q -c "SELECT count(*) FROM tmac.hr_event WHERE event_id = 'ac-2'")
[ "$n" = 0 ] || fail "after a timed-out import in a savepoint, a trigger fed HR event ac-2 (the trigger-level credit leaked): $(q -c "SELECT event_id, person_id, outcome, received_by FROM tmac.hr_event WHERE event_id = 'ac-2'")"
grep -q "cannot record an HR event from a trigger" <<<"$out" || fail "the trigger's feed was not refused: $out"
echo "ok 2 - a timed-out import leaves no trigger-level credit behind"
cleanup
