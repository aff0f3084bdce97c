-- compscale2_findings.sql — pgTAP: the checks over every act (handling_without_access,
-- area_entry_without_access) read every profile they need in one set-based query
-- (tmac.access_profiles_at) and decide each act with the one decision (tmac.read_failures, C) —
-- issue 23 item 3.  Planted findings among many clean acts come out exactly as the per-person
-- decision over tmac.access_profile_of words them; the set-based profiles equal the per-person
-- ones (clearance, compartments, groups reached, pledge, training) at every instant asked; and no
-- profile is fetched per person (on 0.2.0 each handler cost one query: 100,000 handlers, 100,000).
BEGIN;
SELECT plan(11);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('access_holders')$$);   -- mandatory for holders only

-- 80 persons Q001..Q080: DEV (Q061..Q070 in DEV-QA, Q071..Q080 in SALES); hire pledge; the
-- access holders' course; a SECRET clearance and a read grant of PRJ-A bound to engineer in their
-- group, approved 60 days ago.  Planted (what fails 5 days ago, when they handled):
--   i % 10 = 3 no pledge; 13 pledge lapsed 7 days ago; 23 pledge signed 2 days ago
--   i % 10 = 4 no training; 14 training lapsed; 24 trained 2 days ago
--   i % 10 = 5 no clearance; 25 clearance approved a day ago; 35 ended 6 days ago; 45 expired 6 days ago
--   i % 10 = 6 no PRJ-A grant; 16 a PRJ-A write grant (reads too)
--   i = 7 transferred to SALES 8 days ago, scheduled but not yet applied (bound grants out, grace 0);
--   i = 17 the same transfer due 2 days ago (after the act: no finding)
--   i = 80 no grant at all (not an access holder: no course required, the decision says untrained)
SET LOCAL session_replication_role = replica;
INSERT INTO tmac.person (person_id, full_name, org_group_id, job_role, kind, status, hired_on)
SELECT format('Q%s', lpad(i::text, 3, '0')), 'Q ' || i,
       tmac.vocabulary_id('group', CASE WHEN i BETWEEN 61 AND 70 THEN 'DEV-QA' WHEN i > 70 THEN 'SALES' ELSE 'DEV' END),
       'engineer', 'employee', 'active', date '2020-04-01'
  FROM generate_series(1, 80) i;
INSERT INTO tmac.pledge (person_id, kind, signed_on, valid_until)
SELECT format('Q%s', lpad(i::text, 3, '0')), 'hire',
       CASE WHEN i = 23 THEN current_date - 2 ELSE current_date - 300 END,
       CASE WHEN i = 13 THEN current_date - 7 END
  FROM generate_series(1, 80) i WHERE i % 10 <> 3;
INSERT INTO tmac.training_completion (person_id, course, completed_on)
SELECT format('Q%s', lpad(i::text, 3, '0')), 'access_holders',
       current_date - CASE WHEN i = 14 THEN 400 WHEN i = 24 THEN 2 ELSE 100 END
  FROM generate_series(1, 80) i WHERE i % 10 <> 4;
INSERT INTO tmac.access_grant (person_id, kind, level_rank, compartment_id, mode, validity, status, reason,
                               requested_by, requested_at, approved_by, approved_at, bound_job_role, bound_org_group_id,
                               ended_at, end_reason)
SELECT format('Q%s', lpad(i::text, 3, '0')), k, CASE WHEN k = 'clearance' THEN 30 END,
       CASE WHEN k = 'compartment' THEN tmac.vocabulary_id('compartment', 'PRJ-A') END,
       CASE WHEN k = 'compartment' THEN CASE WHEN i = 16 THEN 'write' ELSE 'read' END END,
       tstzrange(now() - interval '60 days', CASE WHEN k = 'clearance' AND i = 45 THEN now() - interval '6 days' ELSE now() + interval '60 days' END),
       CASE WHEN k = 'clearance' AND i = 35 THEN 'ended' WHEN k = 'clearance' AND i = 45 THEN 'expired' ELSE 'active' END,
       'test', 'B1', now() - interval '61 days', ARRAY['C1'],
       CASE WHEN k = 'clearance' AND i = 25 THEN now() - interval '1 day' ELSE now() - interval '60 days' END,
       'engineer', tmac.vocabulary_id('group', CASE WHEN i BETWEEN 61 AND 70 THEN 'DEV-QA' WHEN i > 70 THEN 'SALES' ELSE 'DEV' END),
       CASE WHEN k = 'clearance' AND i = 35 THEN now() - interval '6 days' WHEN k = 'clearance' AND i = 45 THEN now() - interval '6 days' END,
       CASE WHEN k = 'clearance' AND i = 35 THEN 'revoked' WHEN k = 'clearance' AND i = 45 THEN 'expired' END
  FROM generate_series(1, 79) i, unnest(ARRAY['clearance', 'compartment']) k
 WHERE NOT (k = 'clearance' AND i % 10 = 5 AND i NOT IN (25, 35, 45))
   AND NOT (k = 'compartment' AND i % 10 = 6 AND i <> 16);
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes, outcome)
SELECT 'cs2-' || i, format('Q%s', lpad(i::text, 3, '0')), 'transfer', now() - interval '1 day' * CASE WHEN i = 7 THEN 8 ELSE 2 END,
       '{"org_group":"SALES"}', 'scheduled'
  FROM unnest(ARRAY[7, 17]) i;
RESET session_replication_role;

-- two assets (no group; DEV-QA, which DEV reaches and SALES does not), four acts of each person
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('CS2-A', '図面', '技術', 'paper', label => 'SECRET:PRJ-A',
  managing_group => 'DEV', manager => 'C1', location => '金庫')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('CS2-B', '試験成績', '技術', 'paper', label => 'SECRET:PRJ-A:DEV-QA',
  managing_group => 'DEV', manager => 'C1', location => '金庫')$$);
SET LOCAL session_replication_role = replica;
INSERT INTO tmac.handling_entry (asset_id, action, level_rank, rule_applied, handler, handler_role, handled_at, purpose, automatic)
SELECT a.asset_id, 'create', 30, 'allowed', p, 't_bob', t, '作成', false
  FROM generate_series(1, 80) i, LATERAL (SELECT format('Q%s', lpad(i::text, 3, '0')) AS p) x,
       tmac.asset a, unnest(ARRAY[now() - interval '5 days', now() - interval '5 days' + interval '1 hour', now() - interval '1 hour']) t
 WHERE a.asset_no = 'CS2-A' OR (a.asset_no = 'CS2-B' AND t = now() - interval '5 days')
UNION ALL   -- an unknown handler, and an automatic entry of a person who could not read it: neither is a finding
SELECT a.asset_id, 'create', 30, 'allowed', 'NOBODY', 't_bob', now() - interval '5 days', '作成', false FROM tmac.asset a WHERE a.asset_no = 'CS2-A'
UNION ALL
SELECT a.asset_id, 'read', 30, 'allowed', 'Q005', 't_bob', now() - interval '5 days', '閲覧', true FROM tmac.asset a WHERE a.asset_no = 'CS2-A';
-- entries to a restricted area labelled SECRET:PRJ-A, one per person 5 days ago
INSERT INTO tmac.restricted_area (code, name, location, lock_type, custodian, label) VALUES ('CS2-R', '設計室', '3F', 'card', 'C1', 'SECRET:PRJ-A');
INSERT INTO tmac.area_entry (area_id, person_id, entered_at, left_at, recorded_by)
SELECT r.area_id, format('Q%s', lpad(i::text, 3, '0')), now() - interval '5 days', now() - interval '5 days' + interval '1 hour', 'C1'
  FROM generate_series(1, 80) i, tmac.restricted_area r WHERE r.code = 'CS2-R';
RESET session_replication_role;

-- The per-person decision (tmac.access_refused over tmac.access_profile_of), entry by entry: the oracle
CREATE TEMP TABLE oracle AS
SELECT 'handling_without_access' AS check_code, 'handling:' || e.entry_id AS subject, w.why
  FROM tmac.handling_entry e JOIN tmac.asset a ON a.asset_id = e.asset_id
  CROSS JOIN LATERAL (SELECT tmac.access_refused(e.handler, ARRAY[tmac.message('asset %s', a.asset_no)], ARRAY[a.label], e.handled_at, true) AS why) w
 WHERE a.asset_no LIKE 'CS2-%' AND NOT e.automatic AND w.why IS NOT NULL
UNION ALL
SELECT 'area_entry_without_access', 'area_entry:' || e.entry_id, w.why
  FROM tmac.area_entry e JOIN tmac.restricted_area r ON r.area_id = e.area_id
  CROSS JOIN LATERAL (SELECT tmac.access_refused(e.person_id, ARRAY[tmac.message('area %s', r.code)], ARRAY[r.label], e.entered_at, true) AS why) w
 WHERE r.code = 'CS2-R' AND w.why IS NOT NULL;
SELECT cmp_ok((SELECT count(*) FROM oracle WHERE check_code = 'handling_without_access'), '>=', 50::bigint,
  '(the planted failures are many: every kind of failure, at two assets)');
SELECT cmp_ok((SELECT count(*) FROM tmac.handling_entry e JOIN tmac.asset a USING (asset_id) WHERE a.asset_no LIKE 'CS2-%')
              - (SELECT count(*) FROM oracle WHERE check_code = 'handling_without_access'), '>=', 150::bigint,
  '(among many more clean entries)');

-- the checks themselves, counting the profile queries they make
CREATE FUNCTION pg_temp.calls(f regprocedure) RETURNS bigint LANGUAGE sql AS
  $$ SELECT coalesce((SELECT calls FROM pg_stat_xact_user_functions WHERE funcid = f), 0) $$;
SET LOCAL track_functions = 'all';
CREATE TEMP TABLE before AS SELECT pg_temp.calls('tmac.access_profile_of(text, timestamptz)') AS n;
CREATE TEMP TABLE found AS
SELECT f.check_code, f.subject, f.detail FROM tmac.cross_register_findings() f
 WHERE f.check_code IN ('handling_without_access', 'area_entry_without_access');
SELECT is(pg_temp.calls('tmac.access_profile_of(text, timestamptz)') - (SELECT n FROM before), 0::bigint,
  'the checks over every act fetch no profile per person (one set-based query, tmac.access_profiles_at)');
SELECT set_eq($$SELECT check_code, subject FROM found WHERE check_code = 'handling_without_access'$$,
              $$SELECT check_code, subject FROM oracle WHERE check_code = 'handling_without_access'$$,
  'handling_without_access: exactly the entries the per-person decision refuses');
SELECT set_eq($$SELECT check_code, subject FROM found WHERE check_code = 'area_entry_without_access'$$,
              $$SELECT check_code, subject FROM oracle WHERE check_code = 'area_entry_without_access'$$,
  'area_entry_without_access: exactly the entries the per-person decision refuses');
SELECT is((SELECT count(*) FROM found f JOIN oracle o USING (check_code, subject) WHERE strpos(f.detail, o.why) = 0), 0::bigint,
  '... each worded with the same failing checks');
SELECT is(ARRAY(SELECT DISTINCT c FROM oracle o, regexp_split_to_table(substring(o.why FROM '\(failing: (.*)\)'), ', ') c ORDER BY 1),
          ARRAY['clearance', 'compartment', 'group', 'pledge', 'training'],
  '(every check fails somewhere: clearance, compartment, group, pledge, training)');

-- the set-based profiles equal the per-person ones (as the row policies read them), at several instants
CREATE TEMP TABLE pairs AS
SELECT p.person_id, t.at FROM tmac.person p,
       unnest(ARRAY[now() - interval '8 days', now() - interval '5 days', now() - interval '1 hour', now()]) t(at)
 WHERE p.person_id LIKE 'Q%' OR p.person_id IN ('A1', 'B1', 'D1');
CREATE TEMP TABLE set_based AS
SELECT * FROM tmac.access_profiles_at(ARRAY(SELECT person_id FROM pairs ORDER BY person_id, at),
                                      ARRAY(SELECT at FROM pairs ORDER BY person_id, at));
SELECT is((SELECT count(*) FROM set_based), (SELECT count(*) FROM pairs), 'a profile for every pair');
SELECT is((SELECT count(*) FROM pairs x
             CROSS JOIN LATERAL tmac.access_profile_fetch(NULL, x.person_id, x.at) f
             JOIN set_based s ON s.person_id = x.person_id AND s.at = x.at
            WHERE coalesce(f.clearance_rank, f.lowest_rank) IS DISTINCT FROM s.clearance_rank
               OR ARRAY(SELECT DISTINCT c FROM unnest(f.read_compartments) c ORDER BY 1)
                  IS DISTINCT FROM ARRAY(SELECT DISTINCT c FROM unnest(s.read_compartments) c ORDER BY 1)
               OR ARRAY(SELECT DISTINCT c FROM unnest(f.reach) c ORDER BY 1)
                  IS DISTINCT FROM ARRAY(SELECT DISTINCT c FROM unnest(s.reach) c ORDER BY 1)
               OR f.pledge_ok IS DISTINCT FROM s.pledge_ok OR f.training_ok IS DISTINCT FROM s.training_ok), 0::bigint,
  'tmac.access_profiles_at: the same clearance, compartments, groups reached, pledge and training as tmac.access_profile_of');
SELECT is((SELECT count(*) FROM tmac.access_profiles_at(ARRAY['NOBODY', NULL], ARRAY[now(), now()])), 0::bigint,
  'an unknown person has no profile');

-- check_access_without_training as check_training_pledges: without JIT and with 64MB for its hash
-- joins (at 1,000,000 persons the default 4MB split them into thousands of temporary files: > 400 s)
SELECT ok((SELECT p.proconfig @> ARRAY['jit=off', 'work_mem=64MB'] FROM pg_proc p
            WHERE p.oid = 'tmac.check_access_without_training()'::regprocedure),
  'check_access_without_training: jit off, work_mem 64MB');

SELECT * FROM finish();
ROLLBACK;
