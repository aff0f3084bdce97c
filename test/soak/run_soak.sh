#!/usr/bin/env bash
# run_soak.sh — `make soak`: a bounded soak test of row-level enforcement under churn.
#
# Usage: SOAK_SECONDS=180 bash test/soak/run_soak.sh
# Starts its own throwaway PostgreSQL 15 with tmac (like make test; port
# TMAC_SOAK_PORT, default 55495), loads test/soak/setup.sql (16 readers, a
# protected table of 120 rows over every level, compartment and group), then
# for SOAK_SECONDS runs at once:
#   - 16 pgbench processes, one per reader, each statement recording what it
#     saw: INSERT INTO soak_seen SELECT statement_timestamp(), current_user,
#     ids FROM doc (a full scan, or an id range).  Readers R01–R12 connect as
#     their own login role (pgbench -U).  R13–R16 are the ones the driver
#     terminates: tmac ends a terminated person's own sessions (that would
#     abort pgbench), so they read as a pooled connection does — logged in as
#     another role, SET ROLE to the person's role before each statement —
#     which tmac cannot disconnect and must still decide for correctly.
#   - a driver loop that requests and approves compartment grants and
#     clearances (some valid for only 2–12 seconds, so they expire during the
#     run), revokes grants, terminates R13–R16 and rehires them; every change
#     is recorded with the instant before it began and after its commit
#     returned (soak_change).
# Afterwards test/soak/check.sql compares every recorded statement with the
# history (tmac.access_as_of and the HR events): a violation is a row seen
# that the person could not read at the statement's start.  Passes when
# there were no errors (pgbench, driver, server log), no violations and no
# mismatches; prints statements, errors, violations and tps.
#
# The check can fail: SOAK_BREAK=stale replaces tmac's read policy on the
# table with one that also shows what the reader could read two seconds
# earlier (a revocation, expiry or termination honoured late, as a stale
# cache would), and SOAK_BREAK=wide lets everyone read INTERNAL rows.  Both
# make the run fail with violations (tried: SOAK_SECONDS=30 SOAK_BREAK=stale).
# Environment: SOAK_SECONDS (180), SOAK_RATE (per-reader statements per
# second, 40), SOAK_BREAK (unset), TMAC_SOAK_PORT (55495), TMAC_KEEP (keep
# the scratch directory).
set -uo pipefail
cd "$(dirname "$0")/../.."
SECONDS_RUN=${SOAK_SECONDS:-180}
RATE=${SOAK_RATE:-40}

bash test/setup.sh || exit 1
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config || { echo "build failed"; exit 1; }
. test/server.sh
work=$(mktemp -d /tmp/tmac-soak.XXXXXX)
chmod 755 "$work"
pids=()
finish() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  tmac_server_stop
  [ -n "${TMAC_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap finish EXIT
tmac_private_install "$work/install" || { echo "install failed"; exit 1; }
tmac_server_start "$work/server" "${TMAC_SOAK_PORT:-55495}" || exit 1

db=soak
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
createdb "$db" || exit 1
q -f test/soak/setup.sql >/dev/null || { echo "setup failed"; exit 1; }
case ${SOAK_BREAK:-} in
  '') ;;
  stale) q -c "ALTER POLICY tmac_read ON doc USING (tmac.row_readable(label) OR id = ANY ((SELECT soak_stale_ids())::int[]))" || exit 1 ;;
  wide) q -c "ALTER POLICY tmac_read ON doc USING (tmac.row_readable(label) OR tmac.label_rank(label) <= 10)" || exit 1 ;;
  *) echo "SOAK_BREAK is stale or wide"; exit 1 ;;
esac
[ -n "${SOAK_BREAK:-}" ] && echo "== SOAK_BREAK=$SOAK_BREAK: the read policy is deliberately broken; the check must fail"

# The reading statements: a full scan (3 in 4) or a range of 10 ids (an index scan).
mkdir -p "$work/scripts"
for i in $(seq -w 1 16); do
  pre=
  [ "$i" -gt 12 ] && pre="SET ROLE soak_r$i;"
  printf '%s\nINSERT INTO soak_seen (at, who, lo, hi, ids) SELECT statement_timestamp(), current_user, 1, 2147483647, coalesce(array_agg(id ORDER BY id), %s) FROM doc;\n' \
    "$pre" "'{}'" >"$work/scripts/full_$i.sql"
  printf '%s\n\\set lo random(1, 120)\nINSERT INTO soak_seen (at, who, lo, hi, ids) SELECT statement_timestamp(), current_user, :lo, :lo + 9, coalesce(array_agg(id ORDER BY id), %s) FROM doc WHERE id BETWEEN :lo AND :lo + 9;\n' \
    "$pre" "'{}'" >"$work/scripts/range_$i.sql"
done
chmod -R a+rX "$work/scripts"

echo "== soak: 16 readers at up to $RATE statements/s each, changes in a loop, for ${SECONDS_RUN}s"
for i in $(seq -w 1 16); do
  user=soak_r$i
  [ "$i" -gt 12 ] && user=postgres
  pgbench -n -c 1 -T "$SECONDS_RUN" -R "$RATE" -U "$user" \
    -f "$work/scripts/full_$i.sql@3" -f "$work/scripts/range_$i.sql@1" "$db" >"$work/pgbench_$i.log" 2>&1 &
  pids+=($!)
done
readers=("${pids[@]}")

# The driver.  Each change runs in its own psql; t0 is read before its first
# statement, ack after its last commit returned.
driver_errors=0
change() {   # change KIND PERSON SQL... (SQL may set :gid)
  local kind=$1 person=$2; shift 2
  if ! q >>"$work/driver.log" 2>&1 <<SQL
SELECT clock_timestamp() AS t0 \gset
\set gid NULL
$*
RESET ROLE;
INSERT INTO soak_change (kind, person_id, grant_id, t0, ack) VALUES ('$kind', '$person', :gid, :'t0', clock_timestamp());
SQL
  then
    driver_errors=$((driver_errors + 1))
    echo "driver: $kind of $person failed" >>"$work/driver.log"
  fi
}
pick() { q -c "$1" 2>>"$work/driver.log"; }
duration() { if [ $((RANDOM % 2)) = 0 ]; then echo '1 hour'; else echo "$((2 + RANDOM % 11)) seconds"; fi; }
end=$((SECONDS + SECONDS_RUN))
while [ "$SECONDS" -lt "$end" ]; do
  r=$((RANDOM % 100))
  if [ "$r" -lt 40 ]; then          # a compartment grant, read or write
    sel=$(pick "SELECT p.person_id || ' ' || c.code FROM tmac.person p CROSS JOIN tmac.compartment c
                 WHERE p.person_id LIKE 'R%' AND p.status = 'active'
                   AND NOT EXISTS (SELECT 1 FROM tmac.grants g WHERE g.person_id = p.person_id AND g.compartment = c.code
                                      AND g.status IN ('pending', 'active'))
                 ORDER BY random() LIMIT 1")
    [ -n "$sel" ] && set -- $sel && change approve "$1" "
      SET ROLE soak_adm;
      SELECT tmac.request_access('$1', '$2', now() + interval '$(duration)', 'soak', '$( ((RANDOM % 2)) && echo write || echo read)') AS gid \gset
      SET ROLE soak_apr;
      SELECT tmac.approve(:gid);"
  elif [ "$r" -lt 52 ]; then        # a clearance below TOP_SECRET (one approver)
    sel=$(pick "SELECT p.person_id || ' ' || l.code FROM tmac.person p CROSS JOIN tmac.level l
                 WHERE p.person_id LIKE 'R%' AND p.status = 'active' AND l.rank BETWEEN 10 AND 30
                   AND NOT EXISTS (SELECT 1 FROM tmac.grants g WHERE g.person_id = p.person_id AND g.level = l.code
                                      AND g.status IN ('pending', 'active'))
                 ORDER BY random() LIMIT 1")
    [ -n "$sel" ] && set -- $sel && change approve "$1" "
      SET ROLE soak_adm;
      SELECT tmac.request_clearance('$1', '$2', now() + interval '$(duration)', 'soak') AS gid \gset
      SET ROLE soak_apr;
      SELECT tmac.approve(:gid);"
  elif [ "$r" -lt 88 ]; then        # revoke a grant or clearance that is not about to expire
    sel=$(pick "SELECT grant_id || ' ' || person_id FROM tmac.grants
                 WHERE person_id LIKE 'R%' AND status = 'active' AND valid_until > now() + interval '3 seconds'
                 ORDER BY random() LIMIT 1")
    [ -n "$sel" ] && set -- $sel && change revoke "$2" "
      SET ROLE soak_adm;
      SELECT tmac.revoke($1, 'soak');
      \set gid $1"
  elif [ "$r" -lt 95 ]; then        # terminate one of R13–R16
    sel=$(pick "SELECT person_id FROM tmac.person WHERE person_id IN ('R13', 'R14', 'R15', 'R16') AND status = 'active'
                 ORDER BY random() LIMIT 1")
    [ -n "$sel" ] && change terminate "$sel" "
      SET ROLE soak_hr;
      INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('soak-' || gen_random_uuid(), '$sel', 'terminate');"
  else                              # rehire one terminated a while ago, with the new pledge a rehire needs
    sel=$(pick "SELECT person_id FROM tmac.person WHERE status = 'terminated' AND terminated_at < now() - interval '3 seconds'
                 ORDER BY random() LIMIT 1")
    [ -n "$sel" ] && change rehire "$sel" "
      SELECT (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date AS today \gset
      SET ROLE soak_hr;
      BEGIN;
      INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('soak-' || gen_random_uuid(), '$sel', 'rehire');
      SELECT tmac.record_pledge('$sel', 'hire', :'today');
      COMMIT;"
  fi
  sleep 0.$((1 + RANDOM % 2))
done

reader_errors=0
for p in "${readers[@]}"; do wait "$p" || reader_errors=$((reader_errors + 1)); done
pids=()
total=0 tps=0 failed=0
for i in $(seq -w 1 16); do
  f=$work/pgbench_$i.log
  n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$f"); total=$((total + ${n:-0}))
  x=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$f"); failed=$((failed + ${x:-0}))
  t=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$f"); tps=$(awk "BEGIN { print $tps + ${t:-0} }")
  grep -q -i -e 'error' -e 'abort' "$f" && { reader_errors=$((reader_errors + 1)); sed 's/^/  pgbench '"$i"': /' "$f" | grep -i -e error -e abort | head -3; }
done
# pg_cron (preloaded by test/test.conf) looks for make test's database, which is not here
grep -E 'ERROR|FATAL|PANIC' "$work/server/server.log" | grep -v 'database "tmac_test" does not exist' >"$work/server_errors"
server_errors=$(wc -l <"$work/server_errors")
head -5 "$work/server_errors"
[ "$driver_errors" -gt 0 ] && tail -20 "$work/driver.log"

echo "== checking every recorded statement against the history"
psql -X -q -v ON_ERROR_STOP=1 -P pager=off -d "$db" -f test/soak/check.sql >"$work/check.out" 2>&1 || echo "the check failed to run"
grep -v '^RESULT' "$work/check.out"
result=$(grep '^RESULT' "$work/check.out")
audit=$(q -c "SELECT count(*) FROM tmac.verify_audit_log()")
echo
echo "soak: ${SECONDS_RUN}s, 16 readers, $total transactions ($(printf '%.0f' "$tps") tps), ${result#RESULT }"
echo "soak: errors: readers $reader_errors (failed transactions $failed), driver $driver_errors, server log $server_errors; audit chain breaks $audit"
v=$(echo "$result" | sed 's/.*violations=\([0-9]*\).*/\1/')
m=$(echo "$result" | sed 's/.*mismatches=\([0-9]*\).*/\1/')
u=$(echo "$result" | sed 's/.*unmatched=\([0-9]*\).*/\1/')
s=$(echo "$result" | sed 's/.*statements=\([0-9]*\).*/\1/')
if [ "$reader_errors" = 0 ] && [ "$failed" = 0 ] && [ "$driver_errors" = 0 ] && [ "$server_errors" = 0 ] \
   && [ "$audit" = 0 ] && [ "$v" = 0 ] && [ "$m" = 0 ] && [ "$u" = 0 ] && [ "${s:-0}" -gt 0 ]; then
  echo "soak: PASS"
else
  echo "soak: FAIL"
  exit 1
fi
