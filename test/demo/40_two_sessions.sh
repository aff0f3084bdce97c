#!/usr/bin/env bash
# 40_two_sessions.sh — demo: a revocation committed in one session is seen at once in another.
#
# Run by run_demo.sh (bash, with PGHOST/PGPORT/PGUSER of the demo server exported) after
# 30_enforcement.sql.  Session 1 is one psql process logged in as yamada, kept open as a
# coprocess: each step writes SQL to it and prints its output up to a marker line.  Session 2
# is a separate psql logged in as suzuki.  Every wait is bounded (read -t, timeout), so a
# failure ends the demo with an error instead of hanging.
set -euo pipefail

psql_opts=(-X -q -d tmac_test -v ON_ERROR_STOP=1 -v SHOW_CONTEXT=never --echo-queries -P pager=off)
query='SELECT id, title, label FROM design_doc ORDER BY id;'

coproc S1 { exec timeout 60 psql "${psql_opts[@]}" -U yamada 2>&1; }
# shellcheck disable=SC2153  # S1_PID is set by coproc
s1_pid=$S1_PID
trap 'kill "$s1_pid" 2>/dev/null || true' EXIT
# Own copies of the pipes (bash drops S1 when the coprocess exits), and no SIGPIPE, so a
# session that ended early is reported instead of silently ending this script.
exec {s1_out}>&"${S1[1]}" {s1_in}<&"${S1[0]}"
trap '' PIPE

# Runs SQL in session 1 and prints what it prints, up to the marker.
s1() {
  local line
  printf '%s\n\\echo __s1_done__\n' "$1" >&"$s1_out" || true
  while IFS= read -r -t 10 line <&"$s1_in"; do
    [ "$line" = __s1_done__ ] && return 0
    printf '%s\n' "$line"
  done
  echo "40_two_sessions.sh: session 1 ended or did not answer within 10 s" >&2
  return 1
}

echo '== 1. Session 1: 山田 logs in (as yamada) and queries; the session stays open'
s1 "SELECT current_user, pg_backend_pid();
$query"

echo "== 2. Session 2: 鈴木 logs in (as suzuki) and revokes 山田's 製品設計図 grant"
timeout 30 psql "${psql_opts[@]}" -U suzuki <<'SQL'
SELECT tmac.revoke(grant_id, '設計を引き継ぎ') FROM tmac.grants
 WHERE person_id = 'E1005' AND compartment = 'BLUEPRINT'\g /dev/null
\echo '   (committed; session 2 ends)'
SQL
echo

echo '== 3. Session 1 again — same backend, no reconnect: its next statement no longer sees the 製品設計図 rows'
s1 "SELECT current_user, pg_backend_pid();
$query"

printf '\\q\n' >&"$s1_out"
wait "$s1_pid"
