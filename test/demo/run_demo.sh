#!/usr/bin/env bash
# run_demo.sh — `make demo`: a short, readable walk-through of tmac on a throwaway server.
#
# Installs what is missing, builds, installs tmac into a private copy of
# PostgreSQL 15, starts a server, and plays test/demo/*.sql in name order with
# psql echoing each statement, then stops the server.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/setup.sh
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null
. test/server.sh
work=$(mktemp -d /tmp/tmac-demo.XXXXXX); chmod 755 "$work"
trap 'tmac_server_stop; rm -rf "$work"' EXIT
tmac_private_install "$work/install"
tmac_server_start "$work/server" "${TMAC_DEMO_PORT:-55433}"
createdb tmac_test      # the database pg_cron is configured for
for f in test/demo/*.sql; do
  psql -X -q -d tmac_test -v ON_ERROR_STOP=1 --echo-queries -P pager=off -f "$f"
done
