#!/usr/bin/env bash
# connect_bench.sh — cold start: a new connection's first statement on a protected table.
#
# An application that connects per request pays tmac's first-use cost every time: finding
# tmac in the database, the person's access profile (taken from the profiles shared between
# backends, src/shared_profiles.c, or else fetched), and (to print a label, on both tables)
# reading the vocabulary.  pgbench -C (connect, one point select, disconnect) against a protected
# table and against the same table unprotected, as the same login role, in runs of BENCH_CONNS
# connections alternating (BENCH_PAIRS pairs, which goes first alternating too).  The ratio is the
# server's CPU time per connection — the postmaster's own and its reaped backends' (utime, stime,
# cutime, cstime of /proc/<postmaster>/stat: the fork, the backend's start, the statement, its
# exit) — protected / unprotected, the median of the pairs' ratios; the wall-clock time per
# connection is printed beside it.  On the shared 2-core machine the wall-clock time mostly
# measured the load (three 10-second runs of each side gave 0.83x-1.57x for one build, and the
# pairs' wall-clock ratios of one run 0.77x-1.99x), which the CPU time of the server's processes
# is spared.
# Ratios only; nothing passes or fails on time.
# Environment: BENCH_CONNS (200 per run), BENCH_PAIRS (8), TMAC_BENCH_PORT (55494).
set -euo pipefail
cd "$(dirname "$0")/../.."
CONNS=${BENCH_CONNS:-200}
PAIRS=${BENCH_PAIRS:-8}

. test/bench/bench_server.sh
bench_server "${TMAC_BENCH_PORT:-55494}"
createdb bench
q >/dev/null <<'SQL'
\i test/bench/dedupe_bench_conn.sql
CREATE TABLE conn_protected (id integer PRIMARY KEY, body text NOT NULL, label tmac.label NOT NULL);
INSERT INTO conn_protected
  SELECT g, md5(g::text), (ARRAY['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'SECRET'])[1 + g % 4]::tmac.label
    FROM generate_series(1, 10000) g;
CREATE TABLE conn_plain AS SELECT * FROM conn_protected;
ALTER TABLE conn_plain ADD PRIMARY KEY (id);
SELECT tmac.protect('conn_protected');
GRANT SELECT ON conn_protected, conn_plain TO bench_conn;
VACUUM ANALYZE conn_protected, conn_plain;
SQL
for t in protected plain; do
  printf '\\set id random(1, 10000)\nSELECT id, body, label FROM conn_%s WHERE id = :id;\n' "$t" >"$work/$t.sql"
done
pm=$(head -1 "$work/server/data/postmaster.pid")
ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"; }   # utime stime cutime cstime
hz=$(getconf CLK_TCK)
run() { # TABLE: "tps cpu-ms-per-connection"
  local t0 t1 tps
  t0=$(ticks)
  tps=$(pgbench -n -C -c 1 -t "$CONNS" -U bench_conn -f "$work/$1.sql" bench 2>/dev/null | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
  sleep 0.2   # the last backend reaped
  t1=$(ticks)
  echo "$tps $(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$CONNS" 'BEGIN { printf "%.3f", d * 1000 / hz / n }')"
}
prot=(); plain=(); pair=(); wall=()
for i in $(seq "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then u=$(run plain); p=$(run protected); else p=$(run protected); u=$(run plain); fi
  plain+=("$u"); prot+=("$p")
  pair+=("$(awk -v p="${p#* }" -v u="${u#* }" 'BEGIN { printf "%.4f", p / u }')")
  wall+=("$(awk -v p="${p% *}" -v u="${u% *}" 'BEGIN { printf "%.4f", u / p }')")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { printf "%s", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
r=$(median "${pair[@]}"); w=$(median "${wall[@]}")
echo "== cold start: pgbench -C, one point select per connection ($CONNS connections a run, $PAIRS pairs alternating)"
echo "unprotected (tps, server CPU ms per connection): ${plain[*]}"
echo "protected   (tps, server CPU ms per connection): ${prot[*]}"
echo "pairs' ratios of the server's CPU time per connection: ${pair[*]}"
echo "pairs' ratios of the wall-clock time per connection:   ${wall[*]}"
echo "server CPU time per connection, protected / unprotected: ${r}x, median of the pairs (wall-clock ${w}x; target <= 1.2x)"
bench_ratio connect.cold_start "$(awk -v r="$r" 'BEGIN { printf "%.2f", r }')" "<= 1.2" \
  "new connection's first statement, protected / unprotected table (pgbench -C, the server's CPU time per connection, runs alternating, median of the pairs; wall-clock $(awk -v w="$w" 'BEGIN { printf "%.2f", w }'))"
q -c "SELECT format('shared profiles (tmac.shared_profiles = %s): %s taken, %s computed by a new backend itself', slots, hits, misses) FROM tmac.shared_profile_cache()"

