#!/usr/bin/env bash
# benchfix_cold_start.sh — a new connection's first protected statement runs no PL/pgSQL
# (issue 23, connect.cold_start).  Planning it for a person who may not read every label asks
# the hide_statistics setting; tmac read it through tmac.setting_value(), a PL/pgSQL function,
# so every new connection loaded and compiled PL/pgSQL for it (about 80 % of the instructions
# protection added to a connection, callgrind).  With the person's profile taken from the
# profiles shared between backends, the statement must leave no PL/pgSQL function compiled in
# the backend (pg_backend_memory_contexts), and still read what the person may read, with the
# statistics hidden.
set -uo pipefail
db=benchfix_cold
roles="bfx_reader"
. "$(dirname "$0")/own_db.bash"
own_db

out=$(q <<'SQL' 2>&1
SELECT tmac.define_group('DEV', 'development');
SELECT tmac.enrol_login('bfx_reader');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  VALUES ('bfx-1', 'BFX1', 'hire', now() - interval '1 day',
          '{"full_name": "R", "org_group": "DEV", "job_role": "engineer", "login_role": "bfx_reader"}');
SELECT tmac.record_pledge('BFX1', 'hire', current_date - 1), tmac.record_training('BFX1', 'basics', current_date - 1);
-- a fixture's grant, written as approved (as the benchmarks do)
INSERT INTO tmac.access_grant (person_id, kind, level_rank, compartment_id, mode, validity, status, reason,
                               requested_by, approved_by, approved_at, bound_job_role, bound_org_group_id)
  VALUES ('BFX1', 'clearance', 30, NULL, NULL, tstzrange(now() - interval '1 hour', now() + interval '30 days'),
          'active', 'fixture', 'BFX-ADMIN', '{BFX-APPROVER}', now() - interval '1 hour', 'engineer',
          tmac.vocabulary_id('group', 'DEV'));
CREATE TABLE doc (id integer PRIMARY KEY, body text NOT NULL, kind text NOT NULL DEFAULT 'x', label tmac.label NOT NULL);
INSERT INTO doc (id, body, label) VALUES (1, 'a', 'PUBLIC'), (2, 'b', 'INTERNAL'), (3, 'c', 'CONFIDENTIAL'),
                                 (4, 'd', 'SECRET'), (5, 'e', 'TOP_SECRET');
SELECT tmac.protect('doc');
GRANT SELECT ON doc TO bfx_reader;
ANALYZE doc;
SQL
) || fail "fixture: $out"

# the first connection computes the person's profile and shares it
out=$(q -U bfx_reader -c "SELECT string_agg(body, ',' ORDER BY id) FROM doc") || fail "first read: $out"
[ "$out" = "a,b,c,d" ] || fail "first read as bfx_reader: $out"
hits0=$(q -c "SELECT hits FROM tmac.shared_profile_cache()") || fail "shared_profile_cache: $hits0"

# a new connection: its first protected statement (a point lookup, planned with hidden statistics)
out=$(q -c "SET ROLE bfx_reader" \
        -c "SELECT body FROM doc WHERE id = 4" \
        -c "SELECT count(*) FROM doc WHERE id = 5" \
        -c "EXPLAIN SELECT * FROM doc WHERE kind = 'x'" \
        -c "RESET ROLE" \
        -c "SELECT 'plpgsql: ' || count(*) || ' ' || coalesce(string_agg(ident, ', '), '')
              FROM pg_backend_memory_contexts WHERE name = 'PL/pgSQL function'") || fail "new connection: $out"
hits1=$(q -c "SELECT hits FROM tmac.shared_profile_cache()") || fail "shared_profile_cache: $hits1"
[ "$hits1" -gt "$hits0" ] || fail "the new connection did not take the shared profile (hits $hits0 -> $hits1)"
[ "$(sed -n 1p <<<"$out")" = d ] || fail "SECRET row as bfx_reader: $out"
[ "$(sed -n 2p <<<"$out")" = 0 ] || fail "TOP_SECRET row as bfx_reader: $out"
# hidden statistics: the default estimate of an equality (0.5 % of 5 rows: 1), not the 5 rows the
# most common value says
grep -q 'Seq Scan on doc .*rows=1 ' <<<"$out" || fail "statistics not hidden: $out"
plp=$(grep '^plpgsql: ' <<<"$out")
[ "$plp" = "plpgsql: 0 " ] || fail "the first protected statement of a connection compiled PL/pgSQL: $plp"
echo "ok 1 - a new connection's first protected statement takes the shared profile, hides the statistics and runs no PL/pgSQL"

cleanup
