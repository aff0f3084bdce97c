#!/usr/bin/env bash
# connect_bench.sh — cold start: a new connection's first statement on a protected table.
#
# An application that connects per request pays tmac's first-use cost every time: finding
# tmac in the database, the person's access profile (taken from the profiles shared between
# backends, src/shared_profiles.c, or else fetched), and (to print a label, on both tables)
# reading the vocabulary.  pgbench -C (connect, one point select, disconnect) against a protected
# table and against the same table unprotected, as the same login role, in short runs alternating
# (BENCH_PAIRS pairs, which goes first alternating too); prints the median tps of each and, as the
# ratio, the median of the pairs' ratios of the time per connection: on the shared 2-core machine
# the load moves within seconds, and three 10-second runs of each side gave 0.83x-1.57x.
# Ratios only; nothing passes or fails on time.
# Environment: BENCH_SECONDS (3 per run), BENCH_PAIRS (10), TMAC_BENCH_PORT (55494).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
PAIRS=${BENCH_PAIRS:-10}

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
tps() { pgbench -n -C -c 1 -T "$SECONDS_PER_RUN" -U bench_conn -f "$work/$1.sql" bench 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\) .*/\1/p'; }
prot=(); plain=(); pair=()
for i in $(seq "$PAIRS"); do
  if [ $((i % 2)) = 1 ]; then u=$(tps plain); p=$(tps protected); else p=$(tps protected); u=$(tps plain); fi
  plain+=("$u"); prot+=("$p"); pair+=("$(awk -v p="$p" -v u="$u" 'BEGIN { printf "%.4f", u / p }')")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { printf "%s", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
p=$(median "${prot[@]}"); u=$(median "${plain[@]}"); r=$(median "${pair[@]}")
echo "== cold start: pgbench -C, one point select per connection ($SECONDS_PER_RUN s runs, $PAIRS pairs alternating)"
echo "unprotected: ${plain[*]} tps (median $u)"
echo "protected:   ${prot[*]} tps (median $p)"
echo "pairs' ratios of the time per connection: ${pair[*]}"
awk -v p="$p" -v u="$u" -v r="$r" 'BEGIN { printf "time per connection, protected / unprotected: %.2fx, median of the pairs (medians: %.2f ms vs %.2f ms; target <= 1.2x)\n", r, 1000 / p, 1000 / u }'
bench_ratio connect.cold_start "$(awk -v r="$r" 'BEGIN { printf "%.2f", r }')" "<= 1.2" \
  "new connection's first statement, protected / unprotected table (pgbench -C, runs alternating, median of the pairs' ratios of the time per connection)"
q -c "SELECT format('shared profiles (tmac.shared_profiles = %s): %s taken, %s computed by a new backend itself', slots, hits, misses) FROM tmac.shared_profile_cache()"

