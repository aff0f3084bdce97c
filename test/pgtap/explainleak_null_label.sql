-- explainleak_null_label.sql — pgTAP: EXPLAIN ANALYZE does not count the rows with a NULL label,
-- which nobody may read.  The policy functions were STRICT, so such a row was hidden without a
-- call and without being noted (src/explain_withhold.c): a person cleared for every labelled row
-- read the number of unlabelled rows in "Rows Removed by Filter".  Now row_readable/row_writable
-- are called on NULL, refuse it and note the hidden row; can_read/can_write stay STRICT.
BEGIN;
SELECT plan(7);
\i test/pgtap/people_fixture.psql

CREATE TABLE nl_doc (id integer, label tmac.label, body text);
INSERT INTO nl_doc SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE 'PUBLIC'::tmac.label END, 'x'
  FROM generate_series(1, 1000) i;
SELECT tmac.protect('nl_doc');
GRANT SELECT, INSERT, UPDATE, DELETE ON nl_doc TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'design')$$);

CREATE FUNCTION pg_temp.removed(q text) RETURNS numeric LANGUAGE plpgsql AS
$$
DECLARE
  plan json;
BEGIN
  SET LOCAL max_parallel_workers_per_gather = 0;
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) ' || q INTO plan;
  RESET max_parallel_workers_per_gather;
  RETURN (SELECT coalesce(sum(coalesce(n ->> 'Rows Removed by Filter', '0')::numeric), 0)
            FROM jsonb_path_query(plan::jsonb, 'strict $.** ? (exists (@."Actual Loops"))') n);
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.removed(text) TO PUBLIC;

SET ROLE t_alice;
SELECT is((SELECT count(*) FROM nl_doc), 900::bigint, 'Alice reads every labelled row, no unlabelled one');
SELECT is(pg_temp.removed('SELECT count(*) FROM nl_doc'), 0::numeric,
          'EXPLAIN ANALYZE does not count the 100 unlabelled rows as removed by the filter');
SELECT is(pg_temp.removed('SELECT count(*) FROM nl_doc WHERE label IS NULL'), 0::numeric,
          'nor when the query asks for them');
SELECT throws_ok($$INSERT INTO nl_doc VALUES (1001, NULL, 'y')$$, '42501', NULL,
                 'a row without a label is refused on INSERT');
WITH d AS (DELETE FROM nl_doc WHERE label IS NULL RETURNING 1)
SELECT is((SELECT count(*) FROM d), 0::bigint, 'and nobody deletes one');
RESET ROLE;
SELECT is(tmac.can_read(NULL), NULL::boolean, 'can_read of NULL is NULL (strict)');
SELECT ok(NOT p.proisstrict, 'row_readable is called on NULL (to note the hidden row)')
  FROM pg_proc p WHERE p.oid = 'tmac.row_readable(tmac.label)'::regprocedure;
SELECT * FROM finish();
ROLLBACK;
