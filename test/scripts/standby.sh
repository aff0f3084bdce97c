#!/usr/bin/env bash
# standby.sh — protected reads on a streaming hot standby decide as on the
# primary; a revocation and a termination committed on the primary are
# honoured by already open standby sessions at their next statement after
# replay; an expiry is honoured on the standby at its instant, with replay
# paused (no write, no job).
#
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser of the
# running test server, which is the primary), the private install's bin on
# PATH and TMAC_TEST_DIR a scratch directory.  The standby is a
# pg_basebackup -R copy of the test server (test/server.sh,
# tmac_standby_start) on port TMAC_STANDBY_PORT (default PGPORT + 1; its
# socket is in its own directory).  Standby sessions are psql processes
# reading from a fifo, so one session runs many statements.
set -uo pipefail
PGBIN=$(dirname "$(command -v pg_ctl)")
. "$(dirname "$0")/../server.sh"

db=tmac_standby
roles="sb_alice sb_bob sb_carol sb_adm sb_apr sb_nobody"
dir=${TMAC_TEST_DIR:-$(mktemp -d)}/standby
sb_port=${TMAC_STANDBY_PORT:-$((PGPORT + 1))}
n=0
pids=()

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  tmac_standby_stop "$dir"
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  for p in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $p" >/dev/null 2>&1; done
}
fail() { echo "not ok $((n + 1)) - $*"; cleanup; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
pq() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }                  # primary
sq() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$dir" -p "$sb_port" "$@"; }  # standby

# Wait until the standby has replayed everything the primary has logged so
# far, so every transaction committed before this call is replayed, its
# invalidations included.  The insert position can sit just past a page
# header when the last record ended on a page boundary; a small WAL record
# logged after it makes sure replay can get there.
wait_replay() {
  local lsn i
  lsn=$(psql -X -At -d postgres -c "SELECT pg_current_wal_insert_lsn()") || return 1
  psql -X -q -At -d postgres -c "SELECT pg_logical_emit_message(false, 'tmac_standby', 'mark')" >/dev/null || return 1
  for i in $(seq 300); do
    [ "$(sq -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && return 0
    sleep 0.05
  done
  return 1
}

# A standby session: a psql logged in as ROLE, reading statements from a fifo.
# open_session NAME ROLE; ask NAME SQL prints the result rows on one line.
open_session() {
  local fin fout
  mkfifo "$dir/$1.in" "$dir/$1.out" || return 1
  psql -X -q -At -h "$dir" -p "$sb_port" -U "$2" -d "$db" <"$dir/$1.in" >"$dir/$1.out" 2>&1 &
  pids+=($!)
  exec {fin}>"$dir/$1.in" {fout}<"$dir/$1.out"
  eval "in_$1=$fin out_$1=$fout"
}
ask() {
  local fin fout line res=
  eval "fin=\$in_$1 fout=\$out_$1"
  printf '%s;\n\\echo __end__\n' "$2" >&"$fin" || return 1
  while IFS= read -r -t 30 line <&"$fout"; do
    [ "$line" = __end__ ] && { echo "$res"; return 0; }
    res+="${res:+ }$line"
  done
  echo "$res (no answer)"
  return 1
}
visible="SELECT coalesce(string_agg(id::text, ',' ORDER BY id), 'none') FROM doc"

cleanup
rm -rf "$dir"; mkdir -p "$dir"; chmod 777 "$dir"
[ "$(psql -X -At -d postgres -c "SELECT current_setting('wal_level') <> 'minimal' AND current_setting('max_wal_senders')::int > 0")" = t ] \
  || fail "the primary does not allow replication (wal_level, max_wal_senders)"

# The standby is cloned before the database exists: everything below reaches it by streaming.
tmac_standby_start "$dir" "$sb_port" >"$dir/start.log" 2>&1 || { cat "$dir/start.log"; fail "standby did not start"; }
[ "$(sq -d postgres -c "SELECT pg_is_in_recovery()")" = t ] || fail "the standby is not in recovery"
ok "a streaming hot standby of the test server is up"

createdb "$db" || fail "createdb"
pq >/dev/null <<'SQL' || fail "setup on the primary"
CREATE EXTENSION tmac;
SELECT tmac.define_group('DEV', '開発部');
SELECT tmac.define_group('SALES', '営業部');
SELECT tmac.define_compartment('PA', 'Project A');
SELECT tmac.define_compartment('PB', 'Project B');
SELECT tmac.define_compartment('PC', 'Project C');
CREATE ROLE sb_alice LOGIN;
CREATE ROLE sb_bob LOGIN;
CREATE ROLE sb_carol LOGIN;
CREATE ROLE sb_nobody LOGIN;
CREATE ROLE sb_adm LOGIN IN ROLE tmac_access_admin;
CREATE ROLE sb_apr LOGIN IN ROLE tmac_approver;
SELECT tmac.enrol_login(r::regrole) FROM unnest(ARRAY['sb_alice', 'sb_bob', 'sb_carol', 'sb_adm', 'sb_apr']) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('sb-1', 'SB-A', 'hire', '{"full_name":"Alice","org_group":"DEV","job_role":"engineer","login_role":"sb_alice"}'),
  ('sb-2', 'SB-B', 'hire', '{"full_name":"Bob","org_group":"SALES","job_role":"sales","login_role":"sb_bob"}'),
  ('sb-3', 'SB-C', 'hire', '{"full_name":"Carol","org_group":"DEV","job_role":"engineer","login_role":"sb_carol"}'),
  ('sb-4', 'SB-ADM', 'hire', '{"full_name":"Adam","org_group":"DEV","job_role":"access admin","login_role":"sb_adm"}'),
  ('sb-5', 'SB-APR', 'hire', '{"full_name":"April","org_group":"DEV","job_role":"manager","login_role":"sb_apr"}');
SELECT tmac.record_pledge(p, 'hire', current_date - 1), tmac.record_training(p, 'security basics', current_date - 1)
  FROM unnest(ARRAY['SB-A', 'SB-B', 'SB-C', 'SB-ADM', 'SB-APR']) p;
CREATE TABLE doc (id int PRIMARY KEY, label tmac.label NOT NULL);
INSERT INTO doc VALUES (1, 'PUBLIC'), (2, 'INTERNAL'), (3, 'CONFIDENTIAL'), (4, 'CONFIDENTIAL:PA'),
  (5, 'SECRET:PA'), (6, 'CONFIDENTIAL:PB'), (7, 'CONFIDENTIAL:PC'), (8, 'INTERNAL::SALES'),
  (9, 'SECRET::DEV'), (10, 'TOP_SECRET');
SELECT tmac.protect('doc');
GRANT SELECT ON doc TO sb_alice, sb_bob, sb_carol, sb_nobody;
-- Alice: DEV, SECRET and PA; Bob: SALES, CONFIDENTIAL and PB; Carol: DEV, CONFIDENTIAL.
SET ROLE sb_adm;
SELECT tmac.request_clearance('SB-A', 'SECRET', now() + interval '1 day', 'standby test') AS a_clr,
       tmac.request_access('SB-A', 'PA', now() + interval '1 day', 'standby test') AS a_pa,
       tmac.request_clearance('SB-B', 'CONFIDENTIAL', now() + interval '1 day', 'standby test') AS b_clr,
       tmac.request_access('SB-B', 'PB', now() + interval '1 day', 'standby test') AS b_pb,
       tmac.request_clearance('SB-C', 'CONFIDENTIAL', now() + interval '1 day', 'standby test') AS c_clr
\gset
SET ROLE sb_apr;
SELECT tmac.approve(g) FROM unnest(ARRAY[:a_clr, :a_pa, :b_clr, :b_pb, :c_clr]) g;
RESET ROLE;
SQL
wait_replay || fail "the standby did not replay the setup"

# Same decisions on both sides, person by person (and for a role mapped to nobody).
expect_alice=1,2,3,4,5,9 expect_bob=1,2,3,6,8 expect_carol=1,2,3 expect_nobody=1
for r in alice bob carol nobody; do
  p=$(pq -U "sb_$r" -c "$visible") || fail "read as sb_$r on the primary"
  s=$(sq -U "sb_$r" -d "$db" -c "$visible") || fail "read as sb_$r on the standby"
  eval "want=\$expect_$r"
  [ "$p" = "$want" ] || fail "sb_$r on the primary sees $p, expected $want"
  [ "$s" = "$p" ] || fail "sb_$r sees $s on the standby but $p on the primary"
done
ok "protected reads on the standby show each person the same rows as the primary"
s=$(sq -U sb_alice -d "$db" -c "SELECT tmac.can_read('SECRET:PA'), tmac.can_read('SECRET:PB')") \
  || fail "can_read on the standby"
[ "$s" = "t|f" ] || fail "can_read on the standby: $s"
s=$(sq -d "$db" -c "SELECT sum(hidden) FROM tmac.hidden_rows_for('doc', 'sb_alice')") || fail "hidden_rows_for on the standby"
[ "$s" = 4 ] || fail "hidden_rows_for on the standby: $s"
s=$(sq -d "$db" -c "SELECT string_agg(e.check || '=' || passed, ',' ORDER BY e.check) FROM tmac.explain_access('SB-A', 'SECRET:PB') e") \
  || fail "explain_access on the standby"
case $s in *compartment*=false*) ;; *) fail "explain_access on the standby: $s" ;; esac
ok "can_read, hidden_rows and explain_access answer on the standby"

# Revocation: Alice's open standby session loses PA at its next statement after replay.
open_session alice sb_alice || fail "alice's standby session"
a_pid=$(ask alice "SELECT pg_backend_pid()")
s=$(ask alice "$visible"); [ "$s" = 1,2,3,4,5,9 ] || fail "alice's standby session sees $s before the revocation"
pq -U sb_adm -c "SELECT tmac.revoke(grant_id, 'project ended') FROM tmac.grants WHERE person_id = 'SB-A' AND compartment = 'PA'" >/dev/null \
  || fail "revocation on the primary"
wait_replay || fail "the standby did not replay the revocation"
s=$(ask alice "$visible"); [ "$s" = 1,2,3,9 ] || fail "alice's standby session sees $s after the revocation was replayed"
[ "$(ask alice "SELECT pg_backend_pid()")" = "$a_pid" ] || fail "alice's session was replaced"
ok "a revocation committed on the primary is honoured by an open standby session's next statement"

# Termination: Bob's open standby session (nobody ends it there) sees nothing any more.
open_session bob sb_bob || fail "bob's standby session"
b_pid=$(ask bob "SELECT pg_backend_pid()")
s=$(ask bob "$visible"); [ "$s" = 1,2,3,6,8 ] || fail "bob's standby session sees $s before the termination"
pq -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('sb-6', 'SB-B', 'terminate')" || fail "termination on the primary"
wait_replay || fail "the standby did not replay the termination"
s=$(ask bob "SELECT pg_backend_pid(), ($visible)")
[ "$s" = "$b_pid|none" ] || fail "bob's open standby session after the termination was replayed: $s (pid was $b_pid)"
ok "a termination committed on the primary is honoured by an open standby session's next statement"
sq -U sb_bob -d "$db" -c "SELECT 1" >/dev/null 2>&1 && fail "bob can still log in to the standby"
ok "the terminated person cannot log in to the standby"

# Expiry: Carol gets PC for a few seconds.  With replay paused the standby
# receives no write at all; her open session loses row 7 at the grant's instant.
vu=$(pq -U sb_adm -c "SELECT tmac.request_access('SB-C', 'PC', now() + interval '6 seconds', 'standby test')") \
  || fail "request on the primary"
pq -U sb_apr -c "SELECT tmac.approve($vu)" >/dev/null || fail "approval on the primary"
vu=$(pq -c "SELECT valid_until FROM tmac.grants WHERE grant_id = $vu")
wait_replay || fail "the standby did not replay the approval"
open_session carol sb_carol || fail "carol's standby session"
s=$(ask carol "$visible"); [ "$s" = 1,2,3,7 ] || fail "carol's standby session sees $s before the expiry"
sq -d postgres -c "SELECT pg_wal_replay_pause()" >/dev/null || fail "pause replay"
for i in $(seq 100); do
  [ "$(sq -d postgres -c "SELECT pg_get_wal_replay_pause_state()")" = paused ] && break
  sleep 0.05
done
paused_at=$(sq -d postgres -c "SELECT pg_last_wal_replay_lsn()")
before=0 after=0
while :; do
  s=$(ask carol "SELECT statement_timestamp() >= '$vu', ($visible)") || fail "carol's session: $s"
  case $s in
    f\|1,2,3,7) before=$((before + 1)) ;;
    t\|1,2,3) after=$((after + 1)) ;;
    *) fail "carol's standby session around the expiry at $vu: $s" ;;
  esac
  [ "$after" -ge 5 ] && break
  sleep 0.1
done
[ "$before" -ge 1 ] || fail "no statement of carol's ran before the expiry (machine too slow?)"
[ "$(sq -d postgres -c "SELECT pg_get_wal_replay_pause_state() = 'paused' AND pg_last_wal_replay_lsn() = '$paused_at'")" = t ] \
  || fail "replay was not paused throughout"
ok "an expiry is honoured on the standby at its instant with replay paused ($before statements before, $after after)"
sq -d postgres -c "SELECT pg_wal_replay_resume()" >/dev/null

# Nothing above made the standby fail: no error in its log from tmac's sessions.
if grep -E 'ERROR|FATAL|PANIC' "$dir/server.log" | grep -v -e 'role "sb_bob" is not permitted to log in' >"$dir/errors"; then
  cat "$dir/errors"; fail "errors in the standby's log"
fi
ok "no errors in the standby's log"
cleanup
