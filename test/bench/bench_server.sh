# bench_server.sh — sourced by the benchmarks that need a server of their own.
#
# bench_server PORT: installs what is missing, builds tmac, installs it into a private copy of
# PostgreSQL 15 under a fresh directory $work, starts a throwaway server there on PORT (stopped
# and removed when the script exits); q runs psql on the database bench (the script creates it).
bench_server() {
  bash test/setup.sh
  make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
  . test/server.sh
  work=$(mktemp -d /tmp/tmac-bench.XXXXXX)
  chmod 755 "$work"
  trap 'tmac_server_stop; rm -rf "$work"' EXIT
  tmac_private_install "$work/install"
  tmac_server_start "$work/server" "$1"
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }
