#!/usr/bin/env bash
# run_bench.sh — `make bench`: tmac's benchmarks, and at the end ONE table of every ratio.
#
# Sets up like test/run_tests.sh (installs what is missing, builds, installs
# tmac into a private copy of PostgreSQL 15, starts a throwaway server) and
# runs each benchmark section.  A section is a shell function bench_<name>
# that loads its data and prints its timings; add new ones below and list them
# in SECTIONS.  Then it stops that server and runs every standalone
# test/bench/*_bench.sh (each starts its own server).  Benchmarks never pass or
# fail on time: the exit status is non-zero only when something broke (e.g. two
# filters disagreeing on a count, a benchmark script failing).
#
# The table of ratios: every benchmark appends `name<TAB>ratio<TAB>goal<TAB>what`
# lines to the file $TMAC_BENCH_RATIOS names (bench_ratio in bench_server.sh does it
# for a shell script); this script points it at a fresh file unless it is set,
# and prints the table with test/bench/ratio_table.sh at the end, with the load
# average beside it.
#
# Environment: TMAC_BENCH_ROWS (default 2000000), TMAC_BENCH_REPS (default 7),
# TMAC_BENCH_PORT (default 55471), TMAC_BENCH_SECTIONS (default: all sections),
# TMAC_BENCH_STANDALONE (a glob of the standalone benches' basenames without .sh,
# default `*_bench`; `none` runs none), TMAC_BENCH_RATIOS (the file of ratios; kept
# when given), TMAC_BENCH_KEEP=1 keeps the server running and its directory for
# profiling.
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
bench=$top/test/bench

ROWS=${TMAC_BENCH_ROWS:-2000000}
REPS=${TMAC_BENCH_REPS:-7}
SECTIONS=${TMAC_BENCH_SECTIONS:-label_dominance}

if [ -z "${TMAC_BENCH_RATIOS:-}" ]; then
  TMAC_BENCH_RATIOS=$(mktemp /tmp/tmac-bench-ratios.XXXXXX)
  ratios_own=1
fi
export TMAC_BENCH_RATIOS
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

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
  local name ratio goal what
  while IFS=$'\t' read -r name ratio goal what; do
    bench_ratio "$name" "$ratio" "$goal" "$what"
  done < <(psql_bench -At -F $'\t' -c "
    SELECT 'label.dominance' || CASE WHEN section LIKE '%=0' THEN '' ELSE '.parallel' END || m.suffix,
           m.ratio, '<= 1.3',
           format('count(*) WHERE ''SECRET:PRJ-A,PRJ-B'' @> label, %s rows, vs the same filter on plain integer/bitmap columns (%s%s)',
                  $ROWS, m.kind, CASE WHEN section LIKE '%=0' THEN ', serial' ELSE ', 2 parallel workers' END)
      FROM bench.result r,
           LATERAL (VALUES ('', r.ratio_to_first, 'wall-clock'), ('.cpu', r.cpu_ratio_to_first, 'CPU time')) AS m(suffix, ratio, kind)
     WHERE r.query = 'tmac @>' AND (section LIKE '%=0' OR m.suffix = '')
     ORDER BY section, m.suffix")
}

status=0
for s in $SECTIONS; do
  "bench_$s" || { echo "benchmark section $s FAILED"; status=1; }
done

# the standalone benchmarks, each with a server of its own: stop this one first
if [ "${TMAC_BENCH_STANDALONE:-*_bench}" != none ]; then
  [ "${TMAC_BENCH_KEEP:-0}" = 1 ] || tmac_server_stop
  for b in $(set -f; for g in ${TMAC_BENCH_STANDALONE:-*_bench}; do set +f; ls "$bench"/$g.sh 2>/dev/null; set -f; done | grep -v '/run_bench\.sh$' | sort -u); do
    echo
    echo "== $(basename "$b")"
    bash "$b" || { echo "benchmark $(basename "$b") FAILED"; status=1; }
  done
fi

echo
echo "== every ratio of this run (goal met or not; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
bash "$bench/ratio_table.sh" "$TMAC_BENCH_RATIOS"
[ -z "${ratios_own:-}" ] || rm -f "$TMAC_BENCH_RATIOS"
exit $status
