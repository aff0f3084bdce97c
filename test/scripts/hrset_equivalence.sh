#!/usr/bin/env bash
# hrset_equivalence.sh — a COPY of HR events is applied as a set with the same outcome as the
# same events sent one per statement (sql/install/54_hr_feed.sql, tmac.hr_event_apply).
# Two fresh databases get the same feed: in "one", every event is its own INSERT statement; in
# "set", each file is one COPY.  The feed: 120 hires (40 mapped to login roles), then grants for
# a third of the persons, then a file of mixed events in which many persons have several —
# transfers (one to a new login role), promotions, leaves, returns, terminations, rehires, and
# new hires transferred later in the same file.  Compared, with each database's own role names
# and receipt instants normalised: the persons, the grants, the LOGIN of every login role, what
# the login gate refuses after the commits (tmac.login_gate_refusals), and that the audit log
# names every event and verifies.  Also checked: the set database applied each COPY as a set
# (a few audit entries for persons, not one per event).  Then both get 250 more hires and a file
# of 200 terminations and 50 rehires (of persons it terminates), compared the same way; the set's
# terminations end their grants in one audit entry (one tmac.end_grants_of per round).
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser; local connections trust).
set -uo pipefail
n=0
dir=$(mktemp -d /tmp/hrset_equivalence.XXXXXX)
chmod 755 "$dir"
roles() { for r in $(seq 1 40) n8 n18 n28 n38 $(seq -f 'l%g' 1 25); do echo "$1_$r"; done; }
cleanup() {
  for w in one set; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS hrset_$w WITH (FORCE)" >/dev/null 2>&1; done
  for r in $(roles hs1) $(roles hs2); do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
  rm -rf "$dir"
}
fail() { echo "not ok $((n + 1)) - $*"; [ -n "${HRSET_KEEP:-}" ] || cleanup; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }
q() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "hrset_$db" "$@"; }
# load W P F [MIN]: the feed file F into database W with P's role names; "set" by one COPY, "one"
# by one INSERT statement per event in one transaction (at least MIN statements when given)
load() {
  local w=$1 p=$2 f=$3 min=${4:-0}
  sed "s/hsX_/${p}_/g" "$dir/$f.tsv" >"$dir/$f.$w.tsv"
  if [ $w = set ]; then
    q $w -c "\\copy tmac.hr_event (event_id, person_id, kind, effective_at, attributes) FROM '$dir/$f.$w.tsv'" >/dev/null \
      || fail "COPY of $f"
  else
    q $w >"$dir/$f.$w.sql" <<SQL || fail "statements of $f"
CREATE TEMP TABLE f (event_id text, person_id text, kind text, effective_at timestamptz, attributes jsonb);
\\copy f FROM '$dir/$f.$w.tsv'
SELECT format('INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES (%L, %L, %L, %L, %L);',
              event_id, person_id, kind, effective_at, attributes) FROM f;
SQL
    [ "$(wc -l <"$dir/$f.$w.sql")" -ge "$min" ] || fail "statements of $f: $(wc -l <"$dir/$f.$w.sql")"
    q $w -1 -f "$dir/$f.$w.sql" >/dev/null || fail "one statement per event: $f"
  fi
}
# grants W X REASON N: for every third person X<number> of database W, N grants of compartment
# HRSET: the first bound to their role and group, the second one that survives a change, the
# third (N = 3) pending
grants() {
  q $1 >/dev/null <<SQL || fail "grants $1 $2"
INSERT INTO tmac.access_grant (person_id, kind, compartment_id, mode, validity, status, reason, requested_by,
                               approved_by, approved_at, bound_job_role, bound_org_group_id, survives_role_change)
SELECT p.person_id, 'compartment', (SELECT compartment_id FROM tmac.compartment WHERE code = 'HRSET'), 'read',
       tstzrange(now() - interval '1 day', now() + interval '1 year'), CASE WHEN s = 3 THEN 'pending' ELSE 'active' END,
       '$3 ' || s, 'P1', CASE WHEN s = 3 THEN '{}'::text[] ELSE '{P2}' END, CASE WHEN s = 3 THEN NULL ELSE now() END,
       p.job_role, p.org_group_id, s = 2
  FROM tmac.person p, generate_series(1, $4) s
 WHERE p.person_id LIKE '$2%' AND substr(p.person_id, 2)::int % 3 = 0
 ORDER BY substr(p.person_id, 2)::int, s;
SQL
}
# audited W MATCH [WHEN]: the audit log of database W verifies, and every HR event is named by an
# INSERT entry of category hr_event: its subject, or MATCH (an SQL condition on a.detail and e)
audited() {
  local missing
  [ "$(q $1 -c "SELECT count(*) FROM tmac.verify_audit_log()")" = 0 ] || fail "the audit log of $1 does not verify${3:-}"
  missing=$(q $1 -c "SELECT count(*) FROM tmac.hr_event e
                      WHERE NOT EXISTS (SELECT 1 FROM tmac.audit_log a WHERE a.category = 'hr_event' AND a.action = 'INSERT'
                                          AND (a.subject = e.event_id OR $2))")
  [ "$missing" = 0 ] || fail "$missing events are not named in the audit log of $1${3:-}"
}

cleanup
dir=$(mktemp -d /tmp/hrset_equivalence.XXXXXX)
chmod 755 "$dir"

# The feed, with hsX_ where each database's own login roles go.
psql -X -q -At -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || fail "generating the feed"
CREATE TEMP TABLE ev AS
WITH p AS (SELECT i FROM generate_series(1, 120) i),
steps(i, step, kind, attributes) AS (
  -- the file of hires
  SELECT i, 0, 'hire', jsonb_strip_nulls(jsonb_build_object(
           'full_name', 'Person ' || i, 'title', 'staff', 'org_group', CASE WHEN i % 2 = 0 THEN 'DEV' ELSE 'SALES' END,
           'job_role', 'engineer', 'login_role', CASE WHEN i <= 40 THEN 'hsX_' || i END))
    FROM p
  UNION ALL
  -- the mixed file (steps 1..4: a person's events in this order)
  SELECT i, 1, 'transfer', '{"org_group":"SALES","job_role":"sales"}' FROM p WHERE i % 10 IN (1, 7)
  UNION ALL SELECT i, 1, 'promotion', '{"title":"lead"}' FROM p WHERE i % 10 = 2
  UNION ALL SELECT i, 1, 'leave', '{"note":"parental leave"}' FROM p WHERE i % 10 IN (3, 4, 9)
  UNION ALL SELECT i, 2, 'return', '{}' FROM p WHERE i % 10 IN (4, 9)
  UNION ALL SELECT i, 1, 'terminate', '{}' FROM p WHERE i % 10 IN (5, 6)
  UNION ALL SELECT i, 2, 'terminate', '{}' FROM p WHERE i % 10 = 7
  UNION ALL SELECT i, 3, 'terminate', '{}' FROM p WHERE i % 10 = 9
  UNION ALL SELECT i, 2, 'rehire', '{"title":"returner"}' FROM p WHERE i % 10 = 6
  UNION ALL SELECT i, 4, 'rehire', '{}' FROM p WHERE i % 10 = 9
  UNION ALL SELECT i, 1, 'transfer', jsonb_build_object('job_role', 'ops', 'login_role', 'hsX_n' || i)
    FROM p WHERE i % 10 = 8 AND i <= 40
  UNION ALL SELECT i, 1, 'transfer', '{"job_role":"ops"}' FROM p WHERE i % 10 = 8 AND i > 40
  UNION ALL SELECT 120 + j, 1, 'hire', jsonb_build_object('full_name', 'New ' || j, 'org_group', 'DEV', 'job_role', 'engineer',
                                                         'kind', CASE WHEN j % 5 = 0 THEN 'contractor' ELSE 'employee' END)
    FROM generate_series(1, 20) j
  UNION ALL SELECT 120 + j, 2, 'transfer', '{"org_group":"SALES"}' FROM generate_series(1, 20) j WHERE j % 2 = 0
  UNION ALL SELECT 130, 3, 'leave', '{}'
)
-- interleaved across persons, each person's own events in order
SELECT 'e-' || step || '-' || i AS event_id, 'P' || i AS person_id, kind,
       timestamptz '2026-01-05 09:00+09' + (step * 1000 + i) * interval '1 minute' AS effective_at, attributes,
       step > 0 AS mixed, (i * 17) % 150 + step * 150 AS ord
  FROM steps;
\copy (SELECT event_id, person_id, kind, effective_at, attributes FROM ev WHERE NOT mixed ORDER BY ord) TO '$dir/hires.tsv'
\copy (SELECT event_id, person_id, kind, effective_at, attributes FROM ev WHERE mixed ORDER BY ord) TO '$dir/mixed.tsv'
SQL
[ "$(wc -l <"$dir/hires.tsv")" = 120 ] && [ "$(wc -l <"$dir/mixed.tsv")" -ge 150 ] || fail "the feed files"

for w in one set; do
  p=$([ $w = one ] && echo hs1 || echo hs2)
  createdb "hrset_$w" || fail "createdb $w"
  for r in $(roles $p); do echo "CREATE ROLE $r LOGIN;"; done | psql -X -q -d postgres -v ON_ERROR_STOP=1 || fail "roles $w"
  q $w >/dev/null <<SQL || fail "setup $w"
CREATE EXTENSION tmac;
SELECT tmac.define_group('DEV', 'development'), tmac.define_group('SALES', 'sales');
SELECT tmac.define_compartment('HRSET', 'hrset compartment');
SELECT tmac.enrol_login(r::regrole) FROM unnest(string_to_array('$(roles $p | tr '\n' ' ')', ' ')) r WHERE r <> '';
SQL
  for f in hires mixed; do
    load $w $p $f 120
    if [ $f = hires ]; then
      # grants for a third of the persons: one bound to their role and group, one that survives a change
      grants $w P hrset 2
    fi
  done
done
ok "the same feed loaded one event per statement and by COPY"

# Each database's state, with its role prefix and its receipt instants (now() of each load) normalised.
state() {
  local w=$1 p; p=$([ $w = one ] && echo hs1 || echo hs2)
  q $w <<SQL
CREATE TEMP TABLE loads AS
  SELECT received_at AS t, 'load' || dense_rank() OVER (ORDER BY received_at) AS name
    FROM (SELECT DISTINCT received_at FROM tmac.hr_event) x;
CREATE FUNCTION pg_temp.t(ts timestamptz) RETURNS text LANGUAGE sql AS
  \$\$ SELECT coalesce((SELECT l.name FROM loads l WHERE l.t = ts), ts::text) \$\$;
CREATE FUNCTION pg_temp.r(x text) RETURNS text LANGUAGE sql AS \$\$ SELECT replace(x, '${p}_', 'hsX_') \$\$;
SELECT 'person', person_id, full_name, title, org_group_id, job_role, kind, pg_temp.r(login_role), status, hired_on,
       pg_temp.t(terminated_at), responsible_person, pg_temp.t(pledge_required_since), pg_temp.t(role_changed_at),
       login_disabled_by_tmac, login_role_oid = (SELECT oid FROM pg_roles WHERE rolname = login_role),
       pg_temp.t(updated_at), cron_jobs_disabled_by_tmac
  FROM tmac.person ORDER BY person_id;
SELECT 'grant', grant_id, person_id, status, pg_temp.t(ended_at), end_reason, ended_by, pg_temp.t(grace_until)
  FROM tmac.access_grant ORDER BY grant_id;
SELECT 'event', event_id, outcome, applied_at IS NOT NULL, error_sqlstate FROM tmac.hr_event ORDER BY event_id;
SELECT 'login', pg_temp.r(rolname), rolcanlogin,
       pg_has_role(rolname, 'tmac_person', 'MEMBER') FROM pg_roles WHERE rolname LIKE '${p}\_%' ORDER BY 2;
SELECT 'gate', pg_temp.r(role_name), reason FROM tmac.login_gate_refusals() WHERE role_name LIKE '${p}\_%' ORDER BY 2;
SQL
}
state one >"$dir/one.state" || fail "state of one"
state set >"$dir/set.state" || fail "state of set"
grep -q '^person|P9|.*|active|' "$dir/one.state" && grep -q '^gate|hsX_5|terminated' "$dir/one.state" \
  && grep -q '^grant|.*|ended|.*|role_change|' "$dir/one.state" || fail "the feed did not do what it should: $(head -5 "$dir/one.state")"
[ "$(grep -c . "$dir/one.state")" -gt 400 ] || fail "state too small: $(grep -c . "$dir/one.state")"
diff "$dir/one.state" "$dir/set.state" >"$dir/diff" || fail "the set differs from one event at a time: $(head -20 "$dir/diff")"
ok "persons, grants, events, LOGIN of the login roles and the login gate are the same both ways"

for w in one set; do
  audited $w "a.detail @> jsonb_build_object('rows', jsonb_build_array(
                jsonb_build_object('new', jsonb_build_object('event_id', e.event_id))))"
done
ok "the audit log names every event and verifies, both ways"

# The COPYs were applied as sets: the hires of each in one audit entry, the other kinds in one per
# pass (terminations and rehires go through tmac.hr_apply one by one: roles, sessions, pg_cron).
entries=$(q set -c "SELECT count(*) FILTER (WHERE action = 'INSERT') || '/' || count(*) FILTER (WHERE action = 'INSERT' AND subject IS NOT NULL)
                      FROM tmac.audit_log WHERE category = 'person'")
[ "$entries" = 2/0 ] || fail "the COPY was not applied as a set: $entries audit entries for inserted persons (all/by one)"
[ "$(q set -c "SELECT count(*) FROM tmac.audit_log WHERE category = 'hr_event'")" = 2 ] || fail "hr_event entries"
ok "each COPY was applied as a set (one audit entry for its hires)"

# Leavers: 250 more persons (L1..L250; every tenth mapped to a login role, a third holding grants), then a
# file of 200 terminations (L1..L200) and 50 rehires of persons terminated earlier in the same
# file (L1..L50, their second event), interleaved: the terminations of a round end their status
# and grants as a set, then each login role one by one.
psql -X -q -At -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || fail "generating the leavers' feed"
\\copy (SELECT 'm-0-' || i, 'L' || i, 'hire', timestamptz '2026-02-02 09:00+09' + i * interval '1 minute', jsonb_strip_nulls(jsonb_build_object('full_name', 'Leaver ' || i, 'org_group', CASE WHEN i % 2 = 0 THEN 'DEV' ELSE 'SALES' END, 'job_role', 'engineer', 'login_role', CASE WHEN i % 10 = 0 THEN 'hsX_l' || i / 10 END)) FROM generate_series(1, 250) i ORDER BY (i * 7) % 250, i) TO '$dir/more.tsv'
\\copy (SELECT 'm-' || step || '-' || i, 'L' || i, CASE step WHEN 1 THEN 'terminate' ELSE 'rehire' END, timestamptz '2026-03-02 09:00+09' + (step * 1000 + i) * interval '1 minute', CASE step WHEN 1 THEN '{}'::jsonb ELSE '{"title":"returner"}'::jsonb END FROM generate_series(1, 200) i, generate_series(1, 2) step WHERE step = 1 OR i <= 50 ORDER BY (i * 13) % 200 + step * 200) TO '$dir/leavers.tsv'
SQL
[ "$(wc -l <"$dir/more.tsv")" = 250 ] && [ "$(wc -l <"$dir/leavers.tsv")" = 250 ] || fail "the leavers' feed files"
for w in one set; do
  p=$([ $w = one ] && echo hs1 || echo hs2)
  for f in more leavers; do
    load $w $p $f
    if [ $f = more ]; then
      grants $w L leaver 3
    fi
  done
done
ok "250 more hires, then 200 terminations and 50 rehires, loaded both ways"
state one >"$dir/one.state" || fail "state of one after the leavers"
state set >"$dir/set.state" || fail "state of set after the leavers"
[ "$(grep -c '^person|L[0-9]*|.*|terminated|' "$dir/one.state")" = 150 ] \
  && [ "$(grep -c '^grant|[0-9]*|L[0-9]*|\(ended\|cancelled\)|.*|terminated|hr_event:m-1-' "$dir/one.state")" -ge 150 ] \
  && grep -q '^login|hsX_l7|f|' "$dir/one.state" && grep -q '^login|hsX_l3|t|' "$dir/one.state" \
  || fail "the leavers' feed did not do what it should"
diff "$dir/one.state" "$dir/set.state" >"$dir/diff" || fail "the leavers' set differs from one event at a time: $(head -20 "$dir/diff")"
ok "after 200 terminations and 50 rehires, persons, grants, events, LOGIN and the login gate are the same both ways"
for w in one set; do
  audited $w "a.detail @> jsonb_build_array(jsonb_build_object('new', jsonb_build_object('event_id', e.event_id)))
              OR a.detail -> 'rows' @> jsonb_build_array(jsonb_build_object('new', jsonb_build_object('event_id', e.event_id)))" \
    " after the leavers"
done
# the terminations of the leavers' COPY ended their grants in one entry per round (not one per person)
ends=$(q set -c "SELECT count(*) FROM tmac.audit_log WHERE category = 'access_grant' AND action = 'UPDATE'
                   AND detail::text LIKE '%hr_event:m-1-%'")
[ "$ends" = 1 ] || fail "the leavers' terminations ended their grants in $ends audit entries, not one"
ok "the audit log names every event and verifies; the 200 terminations ended their grants in one entry"

cleanup
echo "1..$n"
