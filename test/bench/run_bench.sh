#!/usr/bin/env bash
# run_bench.sh — `make bench`: tmac's benchmarks, printed as ratios measured in one run.
#
# Sets up like test/run_tests.sh (installs what is missing, builds, installs
# tmac into a private copy of PostgreSQL 15, starts a throwaway server) and
# runs each benchmark section.  A section is a shell function bench_<name>
# that loads its data and prints its timings; add new ones below and list them
# in SECTIONS.  Benchmarks never pass or fail on time: the exit status is
# non-zero only when something broke (e.g. two filters disagreeing on a count).
#
# Environment: TMAC_BENCH_ROWS (default 2000000), TMAC_BENCH_REPS (default 7),
# TMAC_BENCH_PORT (default 55471), TMAC_BENCH_SECTIONS (default: all sections),
# TMAC_BENCH_KEEP=1 keeps the server running and its directory for profiling.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
bench=$top/test/bench

ROWS=${TMAC_BENCH_ROWS:-2000000}
REPS=${TMAC_BENCH_REPS:-7}
SECTIONS=${TMAC_BENCH_SECTIONS:-label_dominance}

. test/bench/bench_server.sh
bench_server "${TMAC_BENCH_PORT:-55471}"
# enough shared buffers to hold the tables, so timings measure evaluation, not I/O
bench_server_conf <<CONF
shared_buffers = '1GB'
max_parallel_workers_per_gather = 2
CONF

createdb tmac_bench || exit 1
export PGDATABASE=tmac_bench
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -v reps="$REPS" "$@"; }
psql_bench -c "CREATE EXTENSION tmac" -c "ALTER DATABASE tmac_bench SET search_path = public, tmac" -c "CREATE EXTENSION pg_prewarm" -f "$bench/bench_lib.sql" || exit 1

echo "tmac benchmarks: $ROWS rows, $REPS timed runs per query (median; min–max)"
echo "PostgreSQL: $(psql -X -At -c 'SHOW server_version'), $(nproc) CPUs"

# Section: dominance filter on tmac.label vs the same filter on plain columns.
bench_label_dominance() {
  echo
  echo "== label dominance scan"
  local t0 t1
  t0=$(date +%s%N)
  psql_bench -f "$bench/label_dominance_setup.sql" || return 1
  t1=$(date +%s%N)
  echo "load of $ROWS rows (generate, parse labels, insert, VACUUM ANALYZE): $(( (t1 - t0) / 1000000 )) ms"
  psql_bench -At -c "SELECT 'prewarmed blocks: ' || pg_prewarm('bench.doc')" || return 1
  psql_bench -v parallel=0 -f "$bench/label_dominance.sql" || return 1
  psql_bench -v parallel=2 -f "$bench/label_dominance.sql" || return 1
}

status=0
for s in $SECTIONS; do
  "bench_$s" || { echo "benchmark section $s FAILED"; status=1; }
done
exit $status
