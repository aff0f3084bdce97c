-- verdicts_planted.sql — pgTAP: failures planted among many clean acts are found from the kept
-- verdicts exactly as the full recomputation finds them.  300 persons cleared SECRET, 10 handling
-- entries and 2 area entries each (one escorted), all clean and folded; then, in one go, failures
-- of every kind are planted: clearances ended retroactively, pledges signed later, training
-- lapsed, leaves dated in the past, a compartment the area now names, a person moved out of a
-- group an asset is restricted to.  The findings of the checks across registers read from the
-- kept verdicts (markers pending, then folded) equal those of the full recomputation (a marker
-- for everyone makes every reader decide every act again).
BEGIN;
SELECT plan(10);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('PL-S', '図面', '技術', 'paper', label => 'SECRET',
  managing_group => 'DEV', manager => 'D1', location => '金庫')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('PL-G', '設計書', '技術', 'paper', label => 'CONFIDENTIAL::DEV',
  managing_group => 'DEV', manager => 'D1', location => '金庫')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_area('AREA-P', '試作室', '本社2F', 'card', 'D1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('AREA-P', 'SECRET')$$);

INSERT INTO tmac.person (person_id, full_name, org_group_id, job_role, kind, status, hired_on)
SELECT format('PP%s', lpad(i::text, 4, '0')), 'Planted ' || i, tmac.vocabulary_id('group', 'DEV'), 'engineer', 'employee', 'active',
       current_date - 400
  FROM generate_series(1, 300) i;
INSERT INTO tmac.pledge (person_id, kind, signed_on)
SELECT format('PP%s', lpad(i::text, 4, '0')), 'hire', current_date - 300 FROM generate_series(1, 300) i;
INSERT INTO tmac.training_completion (person_id, course, completed_on)
SELECT format('PP%s', lpad(i::text, 4, '0')), 'security basics', current_date - 100 FROM generate_series(1, 300) i;
INSERT INTO tmac.access_grant (person_id, kind, level_rank, validity, status, reason, requested_by, requested_at,
                               approved_by, approved_at, bound_job_role, bound_org_group_id)
SELECT format('PP%s', lpad(i::text, 4, '0')), 'clearance', 30, tstzrange(now() - interval '200 days', now() + interval '100 days'),
       'active', 'planted', 'B1', now() - interval '200 days', ARRAY['D1'], now() - interval '200 days', 'engineer',
       tmac.vocabulary_id('group', 'DEV')
  FROM generate_series(1, 300) i;
INSERT INTO tmac.handling_entry (asset_id, action, rule_applied, handler, handler_role, handled_at)
SELECT a.asset_id, 'create', 'allowed', format('PP%s', lpad(i::text, 4, '0')), 'bench', now() - interval '1 day' * (i % 50 + d) - interval '1 hour'
  FROM generate_series(1, 300) i, generate_series(1, 10) d
  JOIN tmac.asset a ON a.asset_no = CASE WHEN d % 2 = 0 THEN 'PL-G' ELSE 'PL-S' END;
INSERT INTO tmac.area_entry (area_id, person_id, escort, entered_at, left_at, recorded_by)
SELECT r.area_id, format('PP%s', lpad(i::text, 4, '0')), CASE WHEN k = 2 THEN format('PP%s', lpad((i % 300 + 1)::text, 4, '0')) END,
       now() - interval '1 day' * (i % 40 + k) - interval '2 hours', now() - interval '1 day' * (i % 40 + k) - interval '1 hour', 'D1'
  FROM generate_series(1, 300) i, generate_series(1, 2) k, tmac.restricted_area r WHERE r.code = 'AREA-P';
SELECT tmac.fold_verdicts(everything => true);
SELECT is((SELECT count(*) FROM tmac.act_verdict), 3900::bigint, 'every act has its verdict');
SELECT is((SELECT count(*) FROM tmac.act_verdict WHERE failed <> '{}'), 0::bigint, 'all of them clean');

-- the plants
UPDATE tmac.access_grant SET ended_at = now() - interval '20 days', status = 'ended', end_reason = 'revoked'
 WHERE person_id IN ('PP0007', 'PP0042', 'PP0133', 'PP0250');
UPDATE tmac.pledge SET signed_on = current_date - 15 WHERE person_id IN ('PP0011', 'PP0099');
UPDATE tmac.training_completion SET completed_on = current_date - 800 WHERE person_id IN ('PP0013', 'PP0200');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('pl-1', 'PP0021', 'leave', now() - interval '30 days', '{}'), ('pl-2', 'PP0021', 'return', now() - interval '10 days', '{}'),
  ('pl-3', 'PP0222', 'leave', now() - interval '45 days', '{}');
UPDATE tmac.person SET org_group_id = tmac.vocabulary_id('group', 'SALES') WHERE person_id IN ('PP0031', 'PP0032');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('AREA-P', 'SECRET:PRJ-A')$$);

-- (One transaction: a fold stores the verdicts its markers call for but consumes none of its own
-- transaction's markers (attack27_fold_own_markers); consume_markers removes them as the fold
-- after the commit would, so that the stored verdicts alone answer.)
CREATE FUNCTION pg_temp.consume_markers() RETURNS bigint LANGUAGE sql AS
$$ WITH d AS (DELETE FROM tmac.verdict_mark RETURNING 1) SELECT count(*) FROM d $$;
CREATE TEMP TABLE kept AS SELECT * FROM tmac.cross_register_findings();
SELECT ok((SELECT count(*) FROM kept WHERE check_code = 'handling_without_access') >= 20, 'the planted handling findings show');
SELECT ok((SELECT count(*) FROM kept WHERE check_code = 'area_entry_without_access') = 600, 'the area''s new compartment fails every entrant');
SAVEPOINT everyone;
INSERT INTO tmac.verdict_mark (person_ids, why) VALUES (NULL, 'test');
SELECT set_eq('SELECT * FROM tmac.cross_register_findings()', 'SELECT * FROM kept',
              'the findings from the kept verdicts and the markers are those of the full recomputation');
ROLLBACK TO SAVEPOINT everyone;
SELECT is(tmac.fold_verdicts(), 0::bigint, 'the fold consumes none of its own transaction''s markers');
SELECT isnt(pg_temp.consume_markers(), 0::bigint, 'they are left for the fold after the commit');
SELECT set_eq('SELECT * FROM tmac.cross_register_findings()', 'SELECT * FROM kept', 'the same from the stored verdicts alone');
SELECT set_eq('SELECT act, act_id, failed FROM tmac.act_failures()', 'SELECT act, act_id, failed FROM tmac.act_failures(true)',
              'tmac.act_failures: kept = recomputed');
SELECT ok((SELECT count(*) FROM tmac.act_verdict WHERE failed <> '{}') < 3900, 'the stored failing verdicts are fewer than the acts');
SELECT * FROM finish();
ROLLBACK;
