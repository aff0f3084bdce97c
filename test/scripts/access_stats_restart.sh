#!/usr/bin/env bash
# access_stats_restart.sh — the access statistics survive a clean restart: the postmaster
# writes them to pg_stat/tmac_access_stats.stat at shutdown and reads (and removes) the file
# at the next start (a file whose CRC fails is ignored, with a warning); a full hash evicts, of the counters a snapshot has taken, those seen least
# recently (the server keeps at most tmac.access_stats_max = 100 here).  After a backend crash (the postmaster reinitialises shared memory) they
# start from zero, like pg_stat_statements.  Runs its own throwaway server that preloads tmac with the statistics on
# (the default; test.conf turns them off for the other tests).
set -uo pipefail
. "$(dirname "$0")/dedupe_scratch.bash"
fail() { echo "FAIL: $*"; stop; exit 1; }

scratch access_stats_restart <<<"tmac.access_stats_max = 100"
out=$({ alice_sql; cat <<'SQL'; } | q
CREATE TABLE doc (id integer, label tmac.label NOT NULL);
INSERT INTO doc SELECT i, 'PUBLIC' FROM generate_series(1, 10) i;
SELECT tmac.protect('doc');
GRANT SELECT ON doc TO r_alice;
SQL
) || fail "fixture: $out"
for i in 1 2 3 4 5; do
  n=$(q -U r_alice -c "SELECT count(*) FROM doc") || fail "read: $n"
  [ "$n" = 10 ] || fail "the person reads $n rows, not 10"
done
stats() { q -c "SELECT person_id, table_name, statements, rows_read FROM tmac.access_stats WHERE kind = 'table'"; }
[ "$(stats)" = "A1|doc|5|50" ] || fail "before the restart: $(stats)"
echo "ok 1 - five reads of ten rows are counted"

ctl -m fast stop || fail "clean stop"
[ -f "$dir/data/pg_stat/tmac_access_stats.stat" ] || fail "no statistics file written at shutdown"
echo "ok 2 - a clean shutdown writes pg_stat/tmac_access_stats.stat"
ctl start || { cat "$dir/server.log"; exit 1; }
[ "$(stats)" = "A1|doc|5|50" ] || fail "after a clean restart: $(stats)"
[ -f "$dir/data/pg_stat/tmac_access_stats.stat" ] && fail "the statistics file is left behind after loading"
echo "ok 3 - after a clean restart the counters are back (and the file is removed)"

n=$(q -U r_alice -c "SELECT count(*) FROM doc") || fail "read: $n"
[ "$(stats)" = "A1|doc|6|60" ] || fail "counting goes on: $(stats)"
echo "ok 4 - and counting goes on"

# a damaged file (one byte changed: a counter, say) is ignored, with a warning, never loaded
ctl -m fast stop || fail "clean stop"
f=$dir/data/pg_stat/tmac_access_stats.stat
[ -f "$f" ] || fail "no statistics file written at the second shutdown"
byte=$(od -An -tu1 -j 24 -N 1 "$f" | tr -d ' ')
printf "\\$(printf '%03o' $(( (byte + 1) % 256 )))" | dd of="$f" bs=1 seek=24 conv=notrunc status=none
ctl start || { cat "$dir/server.log"; exit 1; }
[ -z "$(stats)" ] || fail "a damaged statistics file was loaded: $(stats)"
grep -q 'ignoring the damaged file "pg_stat/tmac_access_stats.stat" of the access statistics' "$dir/server.log" \
  || fail "no warning about the damaged file in the server log"
[ -f "$f" ] && fail "the damaged statistics file is left behind"
echo "ok 5 - a damaged statistics file (its CRC fails) is ignored with a warning"

psql -X -q -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
for i in $(seq 50); do
  pid=$(q -c "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")
  [ -n "$pid" ] && break
  sleep 0.2
done
[ -n "$pid" ] || fail "no backend to crash"
tmac_as_server_user kill -9 "$pid"
for i in $(seq 100); do
  sleep 0.3
  out=$(q -c "SELECT count(*) FROM tmac.access_stats") && break
done
[ "$out" = 0 ] || fail "after a crash: $out $(stats)"
echo "ok 6 - after a backend crash they start from zero"

# a database without tmac: nothing is counted, nothing breaks
out=$(q -c "CREATE DATABASE plain" && q -d plain -c "CREATE TABLE t (x int); INSERT INTO t VALUES (1); SELECT count(*) FROM t") \
  || fail "a database without tmac: $out"
[ -z "$(stats)" ] || fail "counted elsewhere: $(stats)"
echo "ok 7 - a database without the extension is left alone"

# eviction: 120 more tables read one after another, a snapshot after the first 60; the hash
# keeps at most 100 counters and drops only counters the snapshot took (stats_overflow.sh
# shows what happens when there are none)
out=$(ev_tables 120 r_alice | q) || fail "eviction fixture: $out"
{ for i in $(seq 60); do echo "SELECT count(*) FROM ev$i; SELECT pg_sleep(0.001);"; done; } | q -U r_alice >/dev/null || fail "eviction reads"
q -c "SELECT tmac.snapshot_access_stats()" >/dev/null || fail "snapshot"
{ for i in $(seq 61 120); do echo "SELECT count(*) FROM ev$i; SELECT pg_sleep(0.001);"; done; } | q -U r_alice >/dev/null || fail "eviction reads"
info=$(q -c "SELECT counters <= 100 AND max_counters = 100 AND evicted >= 20 FROM tmac.access_stats_info()")
[ "$info" = t ] || fail "eviction: $(q -c "SELECT * FROM tmac.access_stats_info()")"
kept=$(q -c "SELECT count(*) FILTER (WHERE table_name::text IN ('ev1', 'ev2', 'ev3')) || ' ' ||
                    count(*) FILTER (WHERE table_name::text IN ('ev118', 'ev119', 'ev120'))
               FROM tmac.access_stats WHERE kind = 'table'")
[ "$kept" = "0 3" ] || fail "eviction should drop the least recently seen: first/last tables kept: $kept"
[ -z "$(q -c "SELECT * FROM tmac.access_stats_overflow_raw()")" ] || fail "nothing should be lost: $(q -c "SELECT * FROM tmac.access_stats_overflow_raw()")"
echo "ok 8 - a full hash evicts the snapshotted counters seen least recently (at most tmac.access_stats_max kept)"
stop
