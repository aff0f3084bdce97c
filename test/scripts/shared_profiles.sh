#!/usr/bin/env bash
# shared_profiles.sh — the access profiles a preloaded tmac shares between backends
# (src/shared_profiles.c): the size setting, a full table, the table turned off, and tmac
# without preloading.  Runs its own throwaway server with shared_preload_libraries = 'tmac' and
# tmac.shared_profiles = 3 (a socket in its own directory, no TCP), then restarts it with
# tmac.shared_profiles = 0, then without preloading.  Every read is a new connection, as an
# application that connects per request; each person's rows are compared with what their grants
# allow.
set -uo pipefail
. "$(dirname "$0")/dedupe_scratch.bash"
fail() { echo "FAIL: $*"; stop; exit 1; }

scratch shared_profiles <<<"tmac.shared_profiles = 3"
stats() { q -c "SELECT concat_ws(' ', enabled, slots, used, hits, misses, stored, evicted) FROM tmac.shared_profile_cache()"; }

# five people p1..p5, person i cleared to level i-1 of PUBLIC < INTERNAL < CONFIDENTIAL < SECRET
# (p1 none: PUBLIC only), each reading a table of one row per level
out=$(q <<'SQL'
CREATE EXTENSION tmac;
CREATE ROLE sp_admin IN ROLE tmac_access_admin;
CREATE ROLE sp_appr IN ROLE tmac_approver;
SELECT tmac.enrol_login('sp_admin'), tmac.enrol_login('sp_appr');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('h-admin', 'ADM', 'hire', now() - interval '1 hour', '{"full_name": "A", "login_role": "sp_admin"}'),
  ('h-appr', 'APR', 'hire', now() - interval '1 hour', '{"full_name": "B", "login_role": "sp_appr"}');
CREATE TABLE doc (id integer PRIMARY KEY, label tmac.label NOT NULL);
INSERT INTO doc VALUES (1, 'PUBLIC'), (2, 'INTERNAL'), (3, 'CONFIDENTIAL'), (4, 'SECRET');
SELECT tmac.protect('doc');
SQL
) || fail "fixture: $out"
for i in 1 2 3 4 5; do
  out=$(q -c "CREATE ROLE sp_p$i LOGIN" -c "GRANT SELECT ON doc TO sp_p$i" -c "SELECT tmac.enrol_login('sp_p$i')" \
          -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
                ('h$i', 'P$i', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'P$i', 'login_role', 'sp_p$i'))" \
          -c "SELECT tmac.record_pledge('P$i', 'hire', current_date - 1), tmac.record_training('P$i', 'basics', current_date - 1)") \
    || fail "person $i: $out"
  level=$(echo "- INTERNAL CONFIDENTIAL SECRET SECRET" | cut -d' ' -f"$i")
  if [ "$level" != - ]; then
    out=$(q -c "SET ROLE sp_admin" -c "SELECT tmac.request_clearance('P$i', '$level', now() + interval '30 days', 'work')" \
            -c "SET ROLE sp_appr" -c "SELECT tmac.approve(max(grant_id)) FROM tmac.grants WHERE person_id = 'P$i'") \
      || fail "clearance $i: $out"
  fi
done
expect=(x 1 2 3 4 4)
reads() {                       # every person once, each in a new connection
  for i in 1 2 3 4 5; do
    n=$(q -U "sp_p$i" -c "SELECT count(*) FROM doc") || fail "read as sp_p$i: $n"
    [ "$n" = "${expect[$i]}" ] || fail "sp_p$i reads $n rows, expected ${expect[$i]} ($1)"
  done
}

out=$(q -c "SHOW tmac.shared_profiles")
[ "$out" = 3 ] || fail "SHOW tmac.shared_profiles: $out"
out=$(q -c "SET tmac.shared_profiles = 10")
grep -q 'parameter "tmac.shared_profiles" cannot be changed without restarting the server' <<<"$out" \
  || fail "SET tmac.shared_profiles: $out"
echo "ok 1 - tmac.shared_profiles is the size, set at server start"

before=$(stats)
[ "${before%% *}" = t ] || fail "shared cache not enabled: $before"
reads "first round"
reads "second round"
read -r en slots used hits misses stored evicted <<<"$(stats)"
[ "$slots" = 3 ] && [ "$used" -le 3 ] || fail "a full table holds more than its size: $(stats)"
[ "$evicted" -ge 2 ] || fail "five people in three entries evicted nothing: $(stats)"
echo "ok 2 - five people through a table of three: every read right, never more than three entries, the oldest replaced"

# the least recently used entry goes: p5 was read last, so a new connection of p5 takes it
h0=$hits
n=$(q -U sp_p5 -c "SELECT count(*) FROM doc"); [ "$n" = 4 ] || fail "sp_p5 again: $n"
read -r en slots used hits misses stored evicted <<<"$(stats)"
[ "$hits" -gt "$h0" ] || fail "the most recent entry was not used: $(stats)"
echo "ok 3 - the most recently used profile is still there and is taken"

# a revocation committed meanwhile: the next new connection does not take the old profile
out=$(q -c "SET ROLE sp_appr" -c "SELECT tmac.revoke(grant_id, 'ended') FROM tmac.grants WHERE person_id = 'P5'") \
  || fail "revoke: $out"
n=$(q -U sp_p5 -c "SELECT count(*) FROM doc"); [ "$n" = 1 ] || fail "sp_p5 after the revocation reads $n rows"
echo "ok 4 - after a revocation a new connection decides by it"

# tmac.shared_profiles = 0: no shared table, the same decisions
tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
sed -i "s/^tmac.shared_profiles = 3/tmac.shared_profiles = 0/" "$dir/data/postgresql.conf"
start
expect=(x 1 2 3 4 1)
reads "with tmac.shared_profiles = 0"
out=$(q -c "SELECT enabled, slots, used FROM tmac.shared_profile_cache()")
[ "$out" = "f|0|0" ] || fail "shared_profile_cache() with tmac.shared_profiles = 0: $out"
echo "ok 5 - with tmac.shared_profiles = 0 every read is still right, and nothing is shared"

# without preloading a protected table is not read at all (test/scripts/preload_refusal.sh)
tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
sed -i "s/^shared_preload_libraries = 'tmac'/shared_preload_libraries = ''/" "$dir/data/postgresql.conf"
start
out=$(q -U sp_p5 -c "SELECT count(*) FROM doc")
grep -q 'tmac must be loaded via shared_preload_libraries' <<<"$out" || fail "a read without preloading: $out"
echo "ok 6 - without preloading a read of a protected table is refused, not answered"

stop
rm -rf "$dir"
