#!/usr/bin/env bash
# gate3_capacity.sh — the login gate never blocks a termination and never loses one
# (src/login_gate.c).  A throwaway server whose gate starts with room for 16 entries
# (tmac.login_gate_initial_entries; the old fixed table was tmac.login_gate_max_entries, set
# to 16 as well, which the gate no longer knows): 40 persons in each of two databases are
# terminated one transaction each, the two databases' terminations committing side by side.
# (Each database has its own login roles: PostgreSQL refuses two concurrent ALTER ROLE of one
# role, "tuple concurrently updated", so one person terminated in two databases at the same
# instant fails in one of them whatever the gate does.)
# Every termination commits and every leaver is refused in both databases (80 entries, five
# times what the gate held at start: it grew in dynamic shared memory), with LOGIN turned back
# on; after a restart too (the first connection loads the file into a gate that must grow).
set -uo pipefail
. "$(dirname "$0")/dedupe_scratch.bash"
persons=40

scratch gate3_capacity <<CONF
tmac.login_gate_initial_entries = 16
tmac.login_gate_max_entries = 16
CONF
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" "${@:2}" 2>&1; }
# connect ROLE DB: SELECT current_user as ROLE, or the error
connect() { psql -X -At -U "$1" -d "$2" -c "SELECT current_user" 2>&1 || true; }

echo "SELECT format('CREATE ROLE g3_%s_%s LOGIN', d, g) FROM generate_series(1, $persons) g, unnest('{one,two}'::text[]) d \gexec" \
  | q postgres >/dev/null || fail "roles"
for db in g3_one g3_two; do
  q postgres -c "CREATE DATABASE $db" >/dev/null || fail "createdb $db"
  out=$(q "$db" <<SQL
CREATE EXTENSION tmac;
SELECT tmac.enrol_login(format('${db}_%s', g)::regrole) FROM generate_series(1, $persons) g;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  SELECT 'h' || g, 'P' || g, 'hire', now() - interval '1 day',
         jsonb_build_object('full_name', 'Person ' || g, 'login_role', '${db}_' || g)
    FROM generate_series(1, $persons) g;
SQL
) || fail "fixture in $db: $out"
done
[ "$(connect g3_one_1 g3_one)" = g3_one_1 ] || fail "an active person cannot connect: $(connect g3_one_1 g3_one)"

# One termination a transaction, both databases at once.
for db in g3_one g3_two; do
  for g in $(seq $persons); do
    out=$(q "$db" -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('t$g', 'P$g', 'terminate')") \
      || echo "$db P$g: $out" >>"$dir/failed"
  done &
done
wait
[ ! -s "$dir/failed" ] || fail "terminations failed: $(head -3 "$dir/failed")"
for db in g3_one g3_two; do
  [ "$(q "$db" -c "SELECT count(*) FROM tmac.person WHERE status = 'terminated'")" = $persons ] \
    || fail "not all terminated in $db: $(q "$db" -c "SELECT count(*) FROM tmac.person WHERE status = 'terminated'")"
done
grep -q 'is not gated\|login gate is full' "$dir/server.log" && fail "the server log says a leaver was not gated: $(grep -m1 'not gated\|is full' "$dir/server.log")"
ok "$((2 * persons)) terminations in two databases side by side all commit (the gate started with room for 16)"

refused() {
  local db=$1 r=0 g out
  for g in $(seq $persons); do
    out=$(connect "${db}_$g" "$db")
    if grep -q "may not connect to database \"$db\": the person it belongs to is terminated" <<<"$out"; then
      r=$((r + 1))
    else
      echo "# ${db}_$g let into $db: $out" >&2
    fi
  done
  echo $r
}
echo "SELECT format('ALTER ROLE g3_%s_%s LOGIN', d, g) FROM generate_series(1, $persons) g, unnest('{one,two}'::text[]) d \gexec" \
  | q postgres >/dev/null || fail "LOGIN again"
for db in g3_one g3_two; do
  [ "$(refused $db)" = $persons ] || fail "not every leaver refused in $db"
  [ "$(q "$db" -c "SELECT count(*) FROM tmac.login_gate_refusals() WHERE reason = 'terminated' AND refused_count = 1")" = $persons ] \
    || fail "refusals in $db: $(q "$db" -c "SELECT count(*) FROM tmac.login_gate_refusals()")"
done
ok "every leaver is refused in both databases ($((2 * persons)) entries), LOGIN turned back on"

ctl -m fast restart || fail "restart"
for db in g3_two g3_one; do
  [ "$(refused $db)" = $persons ] || fail "after a restart not every leaver refused in $db"
  [ "$(q "$db" -c "SELECT count(*) FROM tmac.login_gate_refusals() WHERE refused_count = 2")" = $persons ] \
    || fail "counts lost at restart in $db: $(q "$db" -c "SELECT refused_count, count(*) FROM tmac.login_gate_refusals() GROUP BY 1")"
done
ok "after a restart (the file loaded into a gate that grew again) still refused, counts kept"

stop
echo "1..$n"
