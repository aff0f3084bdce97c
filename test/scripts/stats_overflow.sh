#!/usr/bin/env bash
# stats_overflow.sh — no access counter is lost before a snapshot has put it into the history.
# A throwaway server keeps at most tmac.access_stats_max = 100 counters.  An employee calling
# tmac.row_readable over hundreds of temporary tables creates none.  A person reading 120
# protected tables fills the hash: the 99 counters that fit are all kept (none evicted), and
# what the other 21 would have counted is the overflow record, persisted over a clean restart,
# kept by a snapshot that rolls back, moved by one that commits into tmac.access_stats_overflow, and the high finding
# access_stats_overflow (I-6) naming when and how much until tmac_admin acknowledges it (the
# row stays).  Counters a snapshot took are evicted as before.  A restart with a smaller
# tmac.access_stats_max than the saved file needs records what did not fit.
set -uo pipefail
. "$(dirname "$0")/dedupe_scratch.bash"
fail() { echo "FAIL: $*"; stop; exit 1; }

scratch stats_overflow <<CONF
tmac.access_stats_max = 100
include_if_exists = 'stats_max.conf'
CONF
# max N: tmac.access_stats_max = N from the next start on (stats_max.conf overrides the 100 above)
max() { echo "tmac.access_stats_max = $1" >"$dir/data/stats_max.conf"; }
out=$({ alice_sql; echo "CREATE ROLE r_admin LOGIN IN ROLE tmac_admin;"; ev_tables 150 r_alice; } | q) || fail "fixture: $out"
info() { q -c "SELECT counters, evicted FROM tmac.access_stats_info()"; }
lost() { q -c "SELECT counters_refused, rows_read, rows_written FROM tmac.access_stats_overflow_raw()"; }
finding() { q -c "SELECT subject || ' ' || detail FROM tmac.findings WHERE check_code = 'access_stats_overflow' ORDER BY subject"; }
kept() { q -c "SELECT count(*) FROM tmac.access_stats WHERE kind = 'table' AND table_name::text IN ($(for i in $(seq "$1" "$2"); do printf "'ev%s'," "$i"; done | sed 's/,$//'))"; }
reads() { { for i in $(seq "$1" "$2"); do echo "SELECT count(*) FROM ev$i;"; done; } | q -U r_alice >/dev/null || fail "reads $1..$2"; }

# an employee's own calls of the PUBLIC policy function, over 300 throw-away temporary tables
out=$({ cat "$(dirname "$0")/../pgtap/own_temp_reads.psql"; echo "SELECT pg_temp.own_temp_reads(300, 'PUBLIC');"; } |
  q -U r_alice) || fail "the employee's temporary tables: $out"
[ "$(info)" = "0|0" ] || fail "an employee's own calls made counters: $(info)"
[ -z "$(lost)" ] || fail "an employee's own calls made an overflow: $(lost)"
echo "ok 1 - an employee's row_readable over 300 temporary tables creates no counter and no overflow"

# 120 protected tables: 99 table counters and the one label counter fill the hash
reads 1 120
[ "$(info)" = "100|0" ] || fail "counters and evictions: $(info)"
[ "$(kept 1 99)" = 99 ] || fail "unsnapshotted counters lost: only $(kept 1 99) of ev1..ev99 kept"
echo "ok 2 - a full hash of unsnapshotted counters keeps every one of them (none evicted)"
[ "$(lost)" = "21|21|0" ] || fail "the overflow record: $(lost)"
echo "ok 3 - what did not fit is recorded: 21 counter updates refused, 21 rows read"
f=$(finding)
case "$f" in
  "access_stats_overflow:live Between "*" the access statistics were full (tmac.access_stats_max = 100 counters, each holding counts no snapshot had taken yet) and could not count 21 rows read and 0 rows written of protected tables (21 counter updates refused)"*) ;;
  *) fail "the finding: $f" ;;
esac
[ "$(q -c "SELECT severity || ' ' || criterion FROM tmac.findings WHERE check_code = 'access_stats_overflow'")" = "high I-6" ] \
  || fail "severity and criterion"
echo "ok 4 - the high finding access_stats_overflow (I-6) names when and how much"

ctl -m fast stop || fail "clean stop"
ctl start || { cat "$dir/server.log"; exit 1; }
[ "$(lost)" = "21|21|0" ] || fail "the overflow record after a restart: $(lost)"
[ "$(info)" = "100|0" ] || fail "the counters after a restart: $(info)"
reads 121 121
[ "$(lost)" = "22|22|0" ] || fail "still full after a restart (nothing snapshotted): $(lost)"
echo "ok 5 - the record and the counters' snapshot state survive a clean restart"

# a snapshot that rolls back (or whose subtransaction does) marks nothing and keeps the record
out=$(q <<'SQL'
BEGIN;
SELECT tmac.snapshot_access_stats();
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT tmac.snapshot_access_stats();
ROLLBACK TO s;
COMMIT;
SQL
) || fail "rolled-back snapshots: $out"
reads 122 122
[ "$(lost)" = "23|23|0" ] && [ "$(info)" = "100|0" ] || fail "after rolled-back snapshots: $(lost) $(info)"
[ "$(q -c "SELECT count(*) FROM tmac.access_stats_overflow")" = 0 ] || fail "a rolled-back snapshot recorded the overflow"
echo "ok 6 - a snapshot that rolls back, or whose subtransaction does, lets no counter go and keeps the record"

# the snapshot takes the counters and the record; the finding stays until acknowledged
q -c "SELECT tmac.snapshot_access_stats()" >/dev/null || fail "snapshot"
[ -z "$(lost)" ] || fail "the snapshot should take the record: $(lost)"
[ "$(q -c "SELECT counters_refused, rows_read, rows_written, max_counters, first_at <= last_at, acknowledged_at IS NULL FROM tmac.access_stats_overflow")" = "23|23|0|100|t|t" ] \
  || fail "tmac.access_stats_overflow: $(q -c "SELECT * FROM tmac.access_stats_overflow")"
case "$(finding)" in
  "access_stats_overflow:$(q -c "SELECT overflow_id FROM tmac.access_stats_overflow") Between "*"could not count 23 rows read and 0 rows written"*) ;;
  *) fail "the finding after the snapshot: $(finding)" ;;
esac
echo "ok 7 - the snapshot moves the record into tmac.access_stats_overflow; the finding stays"

# snapshotted counters make room again, least recently seen first
reads 100 121
[ -z "$(lost)" ] || fail "room should be made by evicting snapshotted counters: $(lost)"
[ "$(kept 100 121)" = 22 ] || fail "the new reads: $(kept 100 121)"
[ "$(kept 1 20)" = 0 ] && [ "$(kept 80 99)" = 20 ] || fail "evicted should be the least recently seen: $(kept 1 20) $(kept 80 99)"
echo "ok 8 - counters the snapshot took are evicted (least recently seen first) to make room"

# acknowledged by tmac_admin: the finding closes, the row stays
out=$(q -U r_alice -c "SELECT tmac.acknowledge_access_stats_overflow('x')") && fail "an employee acknowledged: $out"
n=$(q -U r_admin -c "SELECT tmac.acknowledge_access_stats_overflow('raised tmac.access_stats_max to 20000')") \
  || fail "acknowledge: $n"
[ "$n" = 1 ] || fail "acknowledged $n"
[ -z "$(finding)" ] || fail "the finding after the acknowledgement: $(finding)"
[ "$(q -c "SELECT acknowledged_by || ': ' || note FROM tmac.access_stats_overflow")" = "r_admin: raised tmac.access_stats_max to 20000" ] \
  || fail "the acknowledged row: $(q -c "SELECT * FROM tmac.access_stats_overflow")"
[ "$(q -c "SELECT count(*) FROM tmac.audit_log WHERE category = 'access_stats_overflow'")" -ge 2 ] \
  || fail "not audited: $(q -c "SELECT category, action FROM tmac.audit_log ORDER BY 1 DESC LIMIT 5")"
out=$(q -U r_admin -c "SELECT tmac.acknowledge_access_stats_overflow('again')") && fail "acknowledged nothing: $out"
echo "ok 9 - tmac_admin acknowledges it (audited): the finding closes and the row stays; an employee cannot"

# a restart with less room than the saved counters need
q -c "SELECT tmac.snapshot_access_stats(); SELECT tmac.reset_access_stats()" >/dev/null || fail "reset"
ctl -m fast stop || fail "clean stop"
max 200
ctl start || { cat "$dir/server.log"; exit 1; }
reads 1 150
[ "$(info)" = "151|0" ] || fail "with room for 200: $(info)"
ctl -m fast stop || fail "clean stop"
max 100
ctl start || { cat "$dir/server.log"; exit 1; }
[ "$(q -c "SELECT counters FROM tmac.access_stats_info()")" = 100 ] || fail "loaded: $(info)"
# 51 counters did not fit; the rows of those that were table counters (one row each) are lost
[ "$(q -c "SELECT o.counters_refused || '|' || (o.rows_read = 150 - (SELECT count(*) FROM tmac.access_stats WHERE kind = 'table'))
             FROM tmac.access_stats_overflow_raw() o")" = "51|true" ] || fail "what did not fit at start: $(lost) $(info)"
echo "ok 10 - a restart with a smaller tmac.access_stats_max records the unsnapshotted counters that did not fit"
stop
