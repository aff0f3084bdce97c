-- compscale_checks.sql — pgTAP: the compliance checks stay linear in the number of persons
-- (issue 23 item 3).  What makes a check quadratic is a plan shape, not a timing, so these
-- assert the shape: no per-person subplan over every holder in the one rule of current training,
-- and no scan of a whole ledger per leaver in leaver_activity (the number of scans of each
-- ledger during a run of the checks across registers does not grow with the number of leavers).
BEGIN;
SELECT plan(6);
\i test/pgtap/people_fixture.psql

-- training_status_all: "p IN (SELECT holders)" under an OR is a subplan, hashed only while every
-- holder fits in work_mem and else rescanned for every person; the holders are joined instead
CREATE FUNCTION pg_temp.explain_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS
  $$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END $$;
SET LOCAL work_mem = '64kB';
CREATE TEMP TABLE plan_lines AS SELECT * FROM pg_temp.explain_lines('SELECT * FROM tmac.training_status_all(now())') l(line);
SELECT is((SELECT count(*) FROM plan_lines WHERE line ~ 'SubPlan'), 0::bigint,
  'training_status_all: the holders are joined, never a subplan per person (work_mem 64kB)');
SELECT ok((SELECT count(*) FROM plan_lines WHERE line ~ 'training_completion') > 0, '... (the plan is the inlined query)');
RESET work_mem;

-- leaver_activity: each leaver's acts by index
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('CS-001', '図面', '技術', 'paper', label => 'SECRET',
  managing_group => 'DEV', manager => 'C1', location => '金庫')$$);
INSERT INTO tmac.handling_entry (asset_id, action, level_rank, rule_applied, handler, handler_role, handled_at, purpose)
  SELECT asset_id, 'create', 40, 'allowed', p, 't_bob', now() - interval '5 days', '作成'
    FROM tmac.asset, unnest(ARRAY['A1', 'B1', 'D1', 'E1']) p WHERE asset_no = 'CS-001';
CREATE FUNCTION pg_temp.ledger_scans() RETURNS TABLE (relname name, seq_scan bigint) LANGUAGE plpgsql AS
$$
DECLARE
  before jsonb;
BEGIN
  SET LOCAL enable_seqscan = off;   -- a scan that remains is one no index can replace
  before := (SELECT jsonb_object_agg(s.relname, s.seq_scan) FROM pg_stat_xact_user_tables s WHERE s.schemaname = 'tmac');
  PERFORM count(*) FROM tmac.check_cross_registers();
  RETURN QUERY SELECT s.relname, s.seq_scan - coalesce((before ->> s.relname)::bigint, 0)
                 FROM pg_stat_xact_user_tables s
                WHERE s.schemaname = 'tmac' AND s.relname IN ('handling_entry', 'key_loan', 'area_entry', 'appointment');
  RESET enable_seqscan;
END
$$;
CREATE TEMP TABLE scans_0 AS SELECT * FROM pg_temp.ledger_scans();
UPDATE tmac.person SET status = 'terminated', terminated_at = now() - interval '1 day' WHERE person_id IN ('B1', 'D1', 'E1');
CREATE TEMP TABLE scans_3 AS SELECT * FROM pg_temp.ledger_scans();
SELECT is((SELECT n.seq_scan FROM scans_3 n WHERE n.relname = 'handling_entry'),
          (SELECT z.seq_scan FROM scans_0 z WHERE z.relname = 'handling_entry'),
  'leaver_activity: three leavers scan the handling ledger no more often than none (by handler and approver index)');
SELECT is((SELECT n.seq_scan FROM scans_3 n WHERE n.relname = 'handling_entry'), 0::bigint,
  'handling_without_access reads the handling entries in handler order by index, without a scan and a sort');
SELECT is(ARRAY(SELECT n.relname || ' ' || (n.seq_scan - z.seq_scan) FROM scans_3 n JOIN scans_0 z USING (relname)
                 WHERE n.seq_scan <> z.seq_scan ORDER BY 1), '{}'::text[],
  'nor the key loans, the area entries or the appointments');
SELECT is((SELECT count(*) FROM tmac.cross_register_findings() WHERE check_code = 'leaver_activity'), 0::bigint,
  '(no act after leaving, so no finding)');

SELECT * FROM finish();
ROLLBACK;
