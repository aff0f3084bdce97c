# bench_server.sh — sourced by the benchmarks that need a server of their own.
#
# bench_server PORT: installs what is missing, builds tmac, installs it into a private copy of
# PostgreSQL 15 under a fresh directory $work, starts a throwaway server there ($work/server) on
# PORT, stopped and removed when the script exits (TMAC_BENCH_KEEP=1 leaves it running, for
# profiling); q runs psql on the database bench (the script creates it).
# bench_ratio (below) records a ratio for the table `make bench` prints at the end.
# bench_server_conf: appends the postgresql.conf lines on stdin and restarts the server.
bench_server() {
  bash test/setup.sh || exit 1
  make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config || { echo "build failed"; exit 1; }
  . test/server.sh
  work=$(mktemp -d /tmp/tmac-bench.XXXXXX)
  chmod 755 "$work"
  if [ "${TMAC_BENCH_KEEP:-0}" = 1 ]; then
    trap 'echo "server left running: PGHOST=$PGHOST PGPORT=$PGPORT ($work)"' EXIT
  else
    trap 'tmac_server_stop; rm -rf "$work"' EXIT
  fi
  tmac_private_install "$work/install" || { echo "install failed"; exit 1; }
  tmac_server_start "$work/server" "$1" || exit 1
}
bench_server_conf() {
  cat >>"$work/server/data/postgresql.conf"
  tmac_as_server_user "$PGBIN/pg_ctl" -D "$work/server/data" -l "$work/server/server.log" -w restart >/dev/null \
    || { cat "$work/server/server.log"; exit 1; }
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }
# bench_ratio NAME RATIO GOAL WHAT: one line for the table of ratios `make bench` prints at the
# end (test/bench/ratio_table.sh), appended to $TMAC_BENCH_RATIOS when that is set (run_bench.sh
# sets it); RATIO a decimal (1.07), GOAL like `<= 1.2`, `>= 30`, `0.90-1.10` or `-` for none.
# Tabs and newlines inside a field become spaces.
bench_ratio() {
  [ -n "${TMAC_BENCH_RATIOS:-}" ] || return 0
  local f out=()
  for f in "$1" "$2" "${3:--}" "${4:-}"; do out+=("$(printf '%s' "$f" | tr '\t\n\r' '   ')"); done
  printf '%s\t%s\t%s\t%s\n' "${out[@]}" >>"$TMAC_BENCH_RATIOS"
}
