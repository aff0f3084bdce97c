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

\i test/pgtap/parallel_count.psql

SET LOCAL ROLE t_alice;
SELECT lives_ok($$INSERT INTO flow_par VALUES (-1, 'log', 'PUBLIC')$$, 'before any read a PUBLIC row is written');
SELECT is(tmac.can_read('SECRET'), true, 'alice may read SECRET (a question, not a read)');
SELECT ok((pg_temp.parallel_count($$SELECT count(*) FROM flow_par WHERE label = 'SECRET'::tmac.label$$, false, false)).workers > 0,
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
