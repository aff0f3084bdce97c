#!/usr/bin/env bash
# attack20_measure_lock.sh — tmac.declare_electronic_measure serialises the declarations of one
# measure with pg_advisory_xact_lock(hashtext('tmac.electronic_measure:' || measure)): an
# ordinary advisory-lock key, which every role (PUBLIC may call pg_advisory_lock) can name.  Any
# login, with no tmac role at all, holds that key in an idle session and no declaration or
# re-check of the measure can be recorded any more (each waits forever, or fails at lock_timeout):
# the register of electronic measures (⑨) is frozen at will, its findings (missing, overdue) stay.
# (The login gate takes its lock in an advisory class no SQL function can name; this must too.)
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).
set -uo pipefail
db=tmac_attack20_measure roles="a20m_adm a20m_nobody"
. "$(dirname "$0")/own_db.bash"

own_db
q -c "GRANT tmac_admin TO a20m_adm" \
  -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES ('am-1', 'P1', 'hire', now() - interval '1 day', '{\"full_name\":\"Checker\"}')" \
  || fail "setup"

declare_firewall() {
  psql -X -q -At -U a20m_adm -d "$db" 2>&1 <<'SQL'
SET lock_timeout = '3s';
SELECT 'declared ' || (tmac.declare_electronic_measure('firewall', 'Perimeter firewall FW-1, deny by default',
                                                      'P1', 'Rule base reviewed against the network diagram') IS NOT NULL);
SQL
}

# 0. Control: the admin declares the firewall.
out=$(declare_firewall)
grep -q "declared true" <<<"$out" || fail "control: the declaration failed: $out"
echo "ok 1 - tmac_admin declares an electronic measure"

# 1. A login with no tmac role holds the measure's advisory key in an idle session.
psql -X -q -U a20m_nobody -d "$db" -c "SELECT pg_advisory_lock(hashtext('tmac.electronic_measure:firewall')), pg_sleep(10)" >/dev/null 2>&1 &
bg=$!
for i in $(seq 50); do
  [ "$(q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'a20m_nobody' AND l.locktype = 'advisory' AND l.granted")" -gt 0 ] && break
  sleep 0.1
done
[ "$(q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'a20m_nobody' AND l.locktype = 'advisory' AND l.granted")" -gt 0 ] \
  || fail "setup: the advisory lock was not taken"

# 2. The re-check / new declaration must still go through.
out=$(declare_firewall)
kill "$bg" 2>/dev/null; wait "$bg" 2>/dev/null; bg=
grep -q "declared true" <<<"$out" \
  || fail "a login without any tmac role blocks tmac.declare_electronic_measure by holding pg_advisory_lock(hashtext('tmac.electronic_measure:firewall')): $out"
echo "ok 2 - nobody outside tmac can block the declarations of a measure"
cleanup
