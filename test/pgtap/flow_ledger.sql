-- flow_ledger.sql — pgTAP: the handling ledger sees every copy (issue 17, item 3).  A transaction
-- that read protected rows and wrote to unprotected tables or large objects records one entry per
-- target with the label it read, whatever the statement shape; MERGE … DELETE and a deleting CTE
-- of protected rows are disposals.
BEGIN;
SELECT plan(10);
\i test/pgtap/people_fixture.psql

SELECT pg_temp.labelled_doc('flow_doc', 'SECRET', 20);
CREATE TABLE flow_merge (id integer PRIMARY KEY, body text);
CREATE TABLE flow_cte (id integer, body text);
CREATE TABLE flow_cte0 (id integer, body text);
CREATE TABLE flow_zero (id integer, body text);
CREATE TABLE flow_loop (id integer, body text);
GRANT DELETE ON flow_doc TO t_alice;
GRANT SELECT, INSERT, UPDATE ON flow_merge, flow_cte, flow_cte0, flow_zero, flow_loop TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'flow')$$);
CREATE FUNCTION flow_copy_loop() RETURNS void LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT id, body FROM flow_doc WHERE id <= 3 LOOP
    INSERT INTO flow_loop VALUES (r.id, r.body);
  END LOOP;
END $$;
CREATE FUNCTION pg_temp.copies(target text) RETURNS text LANGUAGE sql AS
  $$ SELECT string_agg(action || '/' || level_rank || '/' || array_to_string(source_tables, ','), '; ')
       FROM tmac.handling_entry WHERE automatic AND target_table = target $$;

SET LOCAL ROLE t_alice;
MERGE INTO flow_merge m USING (SELECT id, body FROM flow_doc WHERE id <= 5) s ON m.id = s.id
  WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.body);
WITH c AS (INSERT INTO flow_cte SELECT id, body FROM flow_doc WHERE id <= 2 RETURNING id) SELECT count(*) FROM c;
WITH c AS (INSERT INTO flow_cte0 SELECT id, body FROM flow_doc WHERE id <= 2 RETURNING id)
  INSERT INTO flow_zero SELECT id, NULL FROM c WHERE false;
SELECT flow_copy_loop();
SAVEPOINT lo;
SELECT lo_from_bytea(0, convert_to(body, 'UTF8')) IS NOT NULL FROM flow_doc WHERE id = 1;
RESET ROLE;
SELECT pg_temp.copies('large objects') AS lo_first \gset
ROLLBACK TO SAVEPOINT lo;   -- back to t_alice; the large object and its entry are gone
SELECT lo_put(lo_create(0), 0, convert_to(body, 'UTF8')) FROM flow_doc WHERE id = 2;
RESET ROLE;
SELECT is(pg_temp.copies('public.flow_merge'), 'copy/30/(protected rows read in this transaction, up to SECRET)',
          'MERGE … INSERT of protected rows into an unprotected table: a copy at SECRET');
SELECT is(pg_temp.copies('public.flow_cte'), 'copy/30/(protected rows read in this transaction, up to SECRET)',
          'a data-modifying CTE under a SELECT: a copy');
SELECT is(pg_temp.copies('public.flow_cte0'), 'copy/30/(protected rows read in this transaction, up to SECRET)',
          'a CTE under an INSERT that itself inserts 0 rows: the CTE''s copy is recorded');
SELECT is(pg_temp.copies('public.flow_zero'), NULL, '... and the 0-row target is not');
SELECT is(pg_temp.copies('public.flow_loop'), 'copy/30/(protected rows read in this transaction, up to SECRET)',
          'a PL/pgSQL loop inserting row by row: one copy');
SELECT is(:'lo_first'::text, 'copy/30/(protected rows read in this transaction, up to SECRET)',
          'lo_from_bytea of protected content: a copy into large objects');
SELECT is(pg_temp.copies('large objects'), 'copy/30/(protected rows read in this transaction, up to SECRET)',
          'rolled back to a savepoint, that entry is gone, and lo_create + lo_put records one again');

-- Disposals: MERGE … WHEN MATCHED THEN DELETE and WITH d AS (DELETE …) SELECT.
SELECT count(*) AS before FROM tmac.handling_entry WHERE action = 'dispose' \gset
SET LOCAL ROLE t_alice;
MERGE INTO flow_doc d USING (SELECT g AS id FROM generate_series(1, 4) g) s ON d.id = s.id
  WHEN MATCHED THEN DELETE;
WITH d AS (DELETE FROM flow_doc WHERE id BETWEEN 5 AND 7 RETURNING id) SELECT count(*) FROM d;
RESET ROLE;
SELECT is((SELECT row_count FROM tmac.handling_entry WHERE action = 'dispose' AND statement LIKE 'MERGE%'), 4::bigint,
          'MERGE … WHEN MATCHED THEN DELETE of protected rows: a disposal of 4 rows');
SELECT is((SELECT array_to_string(source_tables, ',') FROM tmac.handling_entry WHERE action = 'dispose' AND statement LIKE 'WITH d%'),
          'public.flow_doc', 'WITH d AS (DELETE …) SELECT: a disposal');
SELECT is((SELECT count(*) FROM tmac.handling_entry WHERE action = 'dispose') - :before, 2::bigint, 'two disposals');

SELECT * FROM finish();
ROLLBACK;
