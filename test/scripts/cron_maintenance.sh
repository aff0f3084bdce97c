#!/usr/bin/env bash
# cron_maintenance.sh — tmac.schedule_jobs() schedules tmac.run_maintenance() with
# pg_cron and the job really runs (pg_cron 1.4 has minute granularity: polls
# cron.job_run_details for up to 75 s); in a database without pg_cron it
# explains what to do instead.  Run with PGHOST/PGPORT/PGUSER set; uses the
# pgTAP database tmac_test, where test.conf points cron.database_name.
set -uo pipefail
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS tmac_nocron" >/dev/null 2>&1
createdb tmac_nocron || fail "createdb"
q -d tmac_nocron -c "CREATE EXTENSION tmac" || fail "create extension"
out=$(psql -X -q -d tmac_nocron -c "SELECT tmac.schedule_jobs()" 2>&1)
grep -q 'pg_cron runs in database "tmac_test", not in "tmac_nocron"' <<<"$out" || fail "no clear error: $out"
grep -q "cron.schedule_in_database('tmac-maintenance-tmac_nocron'" <<<"$out" || fail "no hint: $out"
echo "ok 1 - schedule_jobs in a database without pg_cron explains how to schedule from tmac_test"
psql -X -q -d postgres -c "DROP DATABASE tmac_nocron" >/dev/null

db=tmac_test
q -d $db -c "SELECT tmac.unschedule_jobs()" >/dev/null || fail "unschedule"
q -d $db -c "UPDATE tmac.maintenance_state SET last_run_at = NULL" >/dev/null 2>&1 || true
jobid=$(q -d $db -c "SELECT tmac.schedule_jobs('* * * * *')" 2>/dev/null) || fail "schedule_jobs"
[ -n "$jobid" ] || fail "no job id"
echo "ok 2 - schedule_jobs created pg_cron job $jobid"
[ "$(q -d $db -c "SELECT command FROM cron.job WHERE jobid = $jobid")" = "SELECT tmac.run_maintenance()" ] || fail "job command"
[ "$(q -d $db -c "SELECT schedule || ' ' || command FROM cron.job WHERE jobname = 'tmac-access-stats'")" = "0 * * * * SELECT tmac.snapshot_access_stats()" ] \
  || fail "no hourly access-statistics snapshot job"
echo "ok - schedule_jobs also snapshots the access statistics hourly (job tmac-access-stats)"
for i in $(seq 75); do
  n=$(q -d $db -c "SELECT count(*) FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded'")
  [ "$n" -gt 0 ] && break
  sleep 1
done
[ "$n" -gt 0 ] || { q -d $db -c "SELECT status, return_message FROM cron.job_run_details WHERE jobid = $jobid"; fail "the job did not run within 75 s"; }
echo "ok 3 - pg_cron ran tmac.run_maintenance() (after ${i}s)"
[ -n "$(q -d $db -c "SELECT last_run_at FROM tmac.maintenance_state")" ] || fail "maintenance_state not updated"
echo "ok 4 - tmac.maintenance_state records the run"
[ "$(q -d $db -c "SELECT tmac.unschedule_jobs()")" = t ] || fail "unschedule_jobs"
[ "$(q -d $db -c "SELECT count(*) FROM cron.job WHERE jobname LIKE 'tmac-%'")" = 0 ] || fail "jobs left after unschedule_jobs"
echo "ok 5 - unschedule_jobs removes the job"
