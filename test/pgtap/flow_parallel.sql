-- flow_parallel.sql — pgTAP: rows read by parallel workers count for the write-down rule
-- (issue 17, item 2).  Workers cannot hand their reads back to the leader, so a parallel plan over
-- a protected table raises the transaction's mark to everything its role may read: a write-down
-- after a read made only by workers is refused, never let through.
BEGIN;
SELECT plan(6);
\i test/pgtap/people_fixture.psql
CREATE TABLE flow_par (id integer, body text, label tmac.label NOT NULL);
INSERT INTO flow_par SELECT i, 'body ' || i, (CASE WHEN i % 2 = 0 THEN 'SECRET' ELSE 'PUBLIC' END)::tmac.label
  FROM generate_series(1, 30000) i;
SELECT tmac.protect('flow_par');
ANALYZE flow_par;
GRANT SELECT, INSERT ON flow_par TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'flow')$$);

CREATE FUNCTION pg_temp.parallel_count(q text, OUT n bigint, OUT workers int) LANGUAGE plpgsql AS
$$
DECLARE
  plan json;
BEGIN
  SET LOCAL parallel_setup_cost = 0;
  SET LOCAL parallel_tuple_cost = 0;
  SET LOCAL min_parallel_table_scan_size = 0;
  SET LOCAL max_parallel_workers_per_gather = 2;
  SET LOCAL parallel_leader_participation = off;   -- only the workers read
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) ' || q INTO plan;
  workers := coalesce((plan -> 0 -> 'Plan' ->> 'Workers Launched')::int,
                      (plan -> 0 -> 'Plan' -> 'Plans' -> 0 ->> 'Workers Launched')::int, 0);
  RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
  RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.parallel_count(text) TO PUBLIC;

SET LOCAL ROLE t_alice;
SELECT lives_ok($$INSERT INTO flow_par VALUES (-1, 'log', 'PUBLIC')$$, 'before any read a PUBLIC row is written');
SELECT is(tmac.can_read('SECRET'), true, 'alice may read SECRET (a question, not a read)');
SELECT ok((pg_temp.parallel_count($$SELECT count(*) FROM flow_par WHERE label = 'SECRET'::tmac.label$$)).workers > 0,
          'SECRET rows are read by parallel workers only');
SELECT throws_ok($$INSERT INTO flow_par VALUES (-2, 'log', 'PUBLIC')$$, '42501', NULL,
                 'after the parallel read (the leader read no row) a PUBLIC row is refused: the workers'' reads count');
SELECT throws_ok($$INSERT INTO flow_par VALUES (-3, 'log', 'SECRET')$$, '42501', NULL,
                 '... and so is an ungrouped SECRET row: the bound is everything alice may read, her group DEV included');
SELECT lives_ok($$INSERT INTO flow_par VALUES (-4, 'log', 'SECRET::DEV')$$,
                'a row at her clearance naming her group dominates the bound');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
