#!/usr/bin/env bash
# run_demo.sh — `make demo`: a short, readable walk-through of tmac on a throwaway server.
#
# Installs what is missing, builds, installs tmac into a private copy of
# PostgreSQL 15, starts a server, and plays test/demo/[0-9]* in name order —
# *.sql with psql echoing each statement, *.sh with bash (for what needs more
# than one session) — under a banner taken from each file's first line, then
# stops the server.
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
# the demo counts who reads what (test.conf turns the access statistics off for the tests, so that
# one test file's counters cannot become another's findings): the auditor's I-6 leak signs run
psql -X -q -d tmac_test -c "ALTER DATABASE tmac_test SET tmac.access_stats = on"
# the demo speaks to the company as tmac does in Japan: every message of tmac (and of PostgreSQL)
# in Japanese, as README's 日本語ガイド sets it up (ALTER DATABASE … SET lc_messages)
psql -X -q -d tmac_test -c "ALTER DATABASE tmac_test SET lc_messages = 'ja_JP.UTF-8'"
rule=$(printf '%78s' '' | tr ' ' '#')
for f in test/demo/[0-9]*; do
  printf '\n%s\n## %s\n%s\n\n' "$rule" "$(grep -m 1 -v '^#!' "$f" | sed 's/^\(--\|#\) *//')" "$rule"
  case $f in
    *.sql) psql -X -q -d tmac_test -v ON_ERROR_STOP=1 --echo-queries -P pager=off -f "$f" ;;
    *.sh)  bash "$f" ;;
  esac
done
