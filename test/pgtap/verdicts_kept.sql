-- verdicts_kept.sql — pgTAP: the kept verdicts (86_verdicts.sql) follow every governance change.
-- Each act's verdict is written by the act; a change of its person's grants, HR state (a grant
-- ended retroactively, a termination, a rehire, a leave dated in the past), of an asset's label
-- or of a setting marks the persons concerned; readers decide the marked persons' acts again, and
-- after tmac.fold_verdicts (and the markers consumed) the stored verdicts alone answer.  At every step the
-- failing acts read from the kept verdicts are those of the full recomputation
-- (tmac.act_failures(true)), before the fold and after it.
BEGIN;
SELECT plan(39);
\i test/pgtap/people_fixture.psql
UPDATE tmac.pledge SET signed_on = current_date - 20 WHERE person_id IN ('A1', 'B1', 'E1');
UPDATE tmac.training_completion SET completed_on = current_date - 20 WHERE person_id IN ('A1', 'B1', 'E1');
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'design')$$);
SELECT pg_temp.granted($$SELECT tmac.request_clearance('E1', 'SECRET', now() + interval '30 days', 'design')$$);
UPDATE tmac.access_grant SET requested_at = now() - interval '15 days', approved_at = now() - interval '15 days',
       validity = tstzrange(now() - interval '15 days', upper(validity)) WHERE person_id IN ('A1', 'E1');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('V-S', '図面', '技術', 'paper', label => 'SECRET',
  managing_group => 'DEV', manager => 'D1', location => '金庫')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('V-C', '議事録', '技術', 'paper', label => 'CONFIDENTIAL',
  managing_group => 'DEV', manager => 'D1', location => '書庫')$$);

-- (One transaction: a fold stores the verdicts its markers call for but consumes none of its own
-- transaction's markers (attack27_fold_own_markers); consume_markers removes them as the fold
-- after the commit would, so that the stored verdicts alone answer.)
CREATE FUNCTION pg_temp.consume_markers() RETURNS bigint LANGUAGE sql AS
$$ WITH d AS (DELETE FROM tmac.verdict_mark RETURNING 1) SELECT count(*) FROM d $$;
CREATE FUNCTION pg_temp.kept_is_recomputed(what text) RETURNS text LANGUAGE sql AS
$$ SELECT set_eq('SELECT act, act_id, failed FROM tmac.act_failures()', 'SELECT act, act_id, failed FROM tmac.act_failures(true)', what) $$;
CREATE FUNCTION pg_temp.failing(person text) RETURNS bigint LANGUAGE sql AS
$$ SELECT count(*) FROM tmac.act_failures() f JOIN tmac.handling_entry e ON f.act = 'handling' AND e.entry_id = f.act_id WHERE e.handler = person $$;
CREATE FUNCTION pg_temp.stored_failing(person text) RETURNS bigint LANGUAGE sql AS
$$ SELECT count(*) FROM tmac.act_verdict v WHERE v.person_id = person AND v.failed <> '{}' $$;

-- the acts: one a day for 14 days by A1 and E1 (cleared), three by B1 (not cleared)
INSERT INTO tmac.handling_entry (asset_id, action, rule_applied, handler, handler_role, handled_at)
SELECT a.asset_id, 'create', 'allowed', p, 'bench', now() - interval '1 day' * d - interval '1 hour'
  FROM tmac.asset a, unnest(ARRAY['A1', 'E1']) p, generate_series(1, 14) d WHERE a.asset_no = 'V-S';
INSERT INTO tmac.handling_entry (asset_id, action, rule_applied, handler, handler_role, handled_at)
SELECT a.asset_id, 'create', 'allowed', 'B1', 'bench', now() - interval '1 day' * d
  FROM tmac.asset a, generate_series(1, 3) d WHERE a.asset_no = 'V-S';
SELECT is((SELECT count(*) FROM tmac.act_verdict WHERE act = 'handling'), 31::bigint, 'every act recorded has its verdict, written by the act');
SELECT is((SELECT array_agg(DISTINCT array_to_string(failed, ',')) FROM tmac.act_verdict WHERE person_id = 'B1'), ARRAY['clearance'],
          'B1''s acts are decided as they are recorded: no clearance');
SELECT pg_temp.kept_is_recomputed('kept = recomputed, with the markers of the set-up');
SELECT is(tmac.fold_verdicts(), 0::bigint, 'the fold consumes none of its own transaction''s markers');
SELECT isnt(pg_temp.consume_markers(), 0::bigint, 'they are left for the fold after the commit');
SELECT is((SELECT count(*) FROM tmac.verdict_mark), 0::bigint, 'none is left');
SELECT pg_temp.kept_is_recomputed('kept = recomputed, from the stored verdicts alone');
SELECT is(pg_temp.failing('B1'), 3::bigint, 'B1''s three acts fail');

-- a grant ended retroactively: A1's clearance ended 5 days ago (a data correction)
UPDATE tmac.access_grant SET status = 'ended', ended_at = now() - interval '5 days', end_reason = 'revoked'
 WHERE person_id = 'A1' AND kind = 'clearance';
SELECT ok(EXISTS (SELECT 1 FROM tmac.verdict_mark WHERE 'A1' = ANY (person_ids)), 'the grant''s change marks A1');
SELECT throws_ok($$UPDATE tmac.verdict_mark SET why = 'x'$$, '42501', NULL, 'markers are insert-only');
SELECT is(pg_temp.failing('A1'), 4::bigint, 'A1''s four acts after the end fail, read before any fold');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the retroactive end');
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT is(pg_temp.stored_failing('A1'), 4::bigint, 'the fold stored them');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the fold');

-- a grant approved late, valid from before: E1's clearance's approval moved to 2 days ago
UPDATE tmac.access_grant SET approved_at = now() - interval '2 days' WHERE person_id = 'E1' AND kind = 'clearance';
SELECT is(pg_temp.failing('E1'), 13::bigint, 'E1''s acts before the approval fail');
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT is(pg_temp.stored_failing('E1'), 13::bigint, 'stored by the fold');
UPDATE tmac.access_grant SET approved_at = now() - interval '15 days' WHERE person_id = 'E1' AND kind = 'clearance';
SELECT is(pg_temp.failing('E1'), 0::bigint, 'and pass again when the approval is put back');

-- a leave dated in the past: E1 on leave from 6 to 4 days ago (read each time, not stored)
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('vk-1', 'E1', 'leave', now() - interval '6 days', '{}'), ('vk-2', 'E1', 'return', now() - interval '4 days', '{}');
SELECT is(pg_temp.failing('E1'), 2::bigint, 'E1''s two acts during the leave fail (active)');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the leave');
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT is(pg_temp.failing('E1'), 2::bigint, 'and still after the fold');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the leave and the fold');

-- a termination and a rehire of B1 (hr feed); then B1 cleared from 10 days ago
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('vk-3', 'B1', 'terminate');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the termination');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('vk-4', 'B1', 'rehire', '{"org_group":"DEV","job_role":"engineer"}');
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the rehire and the fold');
INSERT INTO tmac.access_grant (person_id, kind, level_rank, validity, status, reason, requested_by, requested_at,
                               approved_by, approved_at, bound_job_role, bound_org_group_id)
SELECT 'B1', 'clearance', l.rank, tstzrange(now() - interval '10 days', now() + interval '10 days'), 'active', 'retro',
       'B1', now() - interval '10 days', ARRAY['D1'], now() - interval '10 days', 'engineer', tmac.vocabulary_id('group', 'DEV')
  FROM tmac.level l WHERE l.code = 'SECRET';
SELECT is((SELECT count(*) FROM tmac.act_failures() f JOIN tmac.handling_entry e ON f.act = 'handling' AND e.entry_id = f.act_id
            WHERE e.handler = 'B1' AND 'clearance' = ANY (f.failed)), 0::bigint, 'B1 cleared retroactively: no act fails for want of clearance');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the retroactive clearance');
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT is((SELECT count(*) FROM tmac.act_verdict v WHERE v.person_id = 'B1' AND 'clearance' = ANY (v.failed)), 0::bigint, 'stored by the fold');

-- an asset's label lowered: the handlers of its acts are marked
SELECT is(pg_temp.failing('A1'), 4::bigint, 'A1''s acts after the end of the clearance still fail');
UPDATE tmac.asset SET label = 'CONFIDENTIAL' WHERE asset_no = 'V-S';
SELECT ok(EXISTS (SELECT 1 FROM tmac.verdict_mark WHERE 'A1' = ANY (person_ids) AND why = 'asset'), 'the label''s change marks the handlers');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the label changed');

-- a setting marks everyone: training no longer required
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
UPDATE tmac.training_completion SET completed_on = current_date - 900 WHERE person_id = 'A1';
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT ok(pg_temp.stored_failing('A1') > 4, 'A1''s training lapsed: more acts fail');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('require_training', 'off')$$);
SELECT ok(EXISTS (SELECT 1 FROM tmac.verdict_mark WHERE num_nonnulls(person_ids, asset_id, area_id) = 0), 'a setting marks everyone');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the setting');

-- a vocabulary change marks everyone: D1 (SALES) handled a document restricted to DEV-QA, which
-- SALES does not reach; moved under SALES, it does
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('V-Q', '試験成績', '技術', 'paper', label => 'CONFIDENTIAL::DEV-QA',
  managing_group => 'DEV', manager => 'E1', location => '書庫')$$);
INSERT INTO tmac.access_grant (person_id, kind, level_rank, validity, status, reason, requested_by, requested_at,
                               approved_by, approved_at, bound_job_role, bound_org_group_id)
SELECT 'D1', 'clearance', l.rank, tstzrange(now() - interval '10 days', now() + interval '10 days'), 'active', 'retro',
       'B1', now() - interval '10 days', ARRAY['E1'], now() - interval '10 days', 'manager', tmac.vocabulary_id('group', 'SALES')
  FROM tmac.level l WHERE l.code = 'SECRET';
INSERT INTO tmac.handling_entry (asset_id, action, rule_applied, handler, handler_role, handled_at)
SELECT a.asset_id, 'create', 'allowed', 'D1', 'bench', now() - interval '30 minutes' FROM tmac.asset a WHERE a.asset_no = 'V-Q';
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT is((SELECT array_agg(array_to_string(v.failed, ',')) FROM tmac.act_verdict v WHERE v.person_id = 'D1'), ARRAY['group'],
          'D1 does not reach DEV-QA');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.move_group('DEV-QA', 'SALES')$$);
SELECT ok(EXISTS (SELECT 1 FROM tmac.verdict_mark WHERE num_nonnulls(person_ids, asset_id, area_id) = 0 AND why = 'org_group'), 'a vocabulary change marks everyone');
SELECT is(pg_temp.failing('D1'), 0::bigint, 'D1 reaches DEV-QA under SALES: the act passes, read before any fold');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the vocabulary changed');
SELECT tmac.fold_verdicts(), pg_temp.consume_markers();
SELECT is(pg_temp.stored_failing('D1'), 0::bigint, 'stored by the fold');
SELECT pg_temp.kept_is_recomputed('kept = recomputed after the vocabulary changed and the fold');

-- every table whose change tells the caches governance data changed (the one list) marks the
-- verdicts, but the restore window (no verdict reads it)
SELECT is(ARRAY(SELECT DISTINCT t.tgrelid::regclass::text FROM pg_trigger t
                 WHERE t.tgname = 'invalidate_caches' AND t.tgrelid <> 'tmac.restore_window'::regclass
                   AND NOT EXISTS (SELECT 1 FROM pg_trigger m WHERE m.tgrelid = t.tgrelid AND m.tgname LIKE 'mark\_verdicts%')
                 ORDER BY 1), '{}'::text[],
          'every governance table marks the kept verdicts');
SELECT * FROM finish();
ROLLBACK;
