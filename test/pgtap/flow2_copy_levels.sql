-- flow2_copy_levels.sql — pgTAP: the handling ledger records a copy once per target and level
-- reached (issue 17 items 2-3, follow-up of the insider review).  A transaction that copied
-- PUBLIC rows into a table and then SECRET ones records the target again at SECRET; and every
-- utility statement that writes rows after a protected read — COPY FROM, CREATE TABLE AS,
-- SELECT INTO, REFRESH MATERIALIZED VIEW, ALTER TABLE filling or rewriting a column — records
-- its target like the executor's writes do (a default reading protected rows raises the mark).
BEGIN;
SELECT plan(14);
\i test/pgtap/people_fixture.psql

SELECT pg_temp.labelled_doc('f2_pub', 'PUBLIC', 3), pg_temp.labelled_doc('f2_doc', 'SECRET', 3);
CREATE SCHEMA f2_alice AUTHORIZATION t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'flow2')$$);
CREATE FUNCTION f2_secret_body() RETURNS text LANGUAGE sql AS $$ SELECT body FROM f2_doc WHERE id = 1 $$;
CREATE FUNCTION pg_temp.copies(target text) RETURNS text LANGUAGE sql AS
  $$ SELECT string_agg(action || '/' || level_rank, '; ' ORDER BY level_rank)
       FROM tmac.handling_entry WHERE automatic AND target_table = target $$;

SET LOCAL ROLE t_alice;
CREATE TABLE f2_alice.e12 (body text);
CREATE TABLE f2_alice.e1b (body text);
CREATE TABLE f2_alice.copied (id integer, body text DEFAULT public.f2_secret_body());
CREATE TABLE f2_alice.filled (id integer);
CREATE TABLE f2_alice.retyped (id integer, body text);
INSERT INTO f2_alice.filled VALUES (1);
INSERT INTO f2_alice.retyped VALUES (1, 'x');
CREATE MATERIALIZED VIEW f2_alice.mv AS SELECT current_setting('f2.stash', true) AS body WITH NO DATA;
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT body FROM f2_pub LOOP INSERT INTO f2_alice.e12 VALUES (r.body); END LOOP;
END $$;
INSERT INTO f2_alice.e1b SELECT body FROM f2_pub;
-- the only protected read of this statement is its column default's
COPY f2_alice.copied (id) FROM STDIN;
1
\.
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT body FROM f2_doc LOOP
    INSERT INTO f2_alice.e12 VALUES (r.body);
    INSERT INTO f2_alice.e1b VALUES (r.body);
  END LOOP;
END $$;
DO $$ DECLARE v text; BEGIN
  SELECT body INTO v FROM f2_doc WHERE id = 2;
  EXECUTE format('CREATE TABLE f2_alice.ctas AS SELECT %L AS body', v);
  CREATE TEMP TABLE f2_stash AS SELECT v AS body;
  PERFORM set_config('f2.stash', v, true);
END $$;
SELECT body INTO f2_alice.selinto FROM f2_stash;
CREATE TABLE f2_alice.fromtemp AS SELECT * FROM f2_stash;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE f2_alice.explained AS SELECT * FROM f2_stash;
REFRESH MATERIALIZED VIEW f2_alice.mv;
ALTER TABLE f2_alice.filled ADD COLUMN body text DEFAULT public.f2_secret_body();
ALTER TABLE f2_alice.retyped ALTER COLUMN body TYPE varchar USING public.f2_secret_body();
CREATE TABLE f2_alice.nodata AS SELECT * FROM f2_stash WITH NO DATA;
ALTER TABLE f2_alice.nodata ADD COLUMN n integer;
RESET ROLE;

SELECT is(pg_temp.copies('f2_alice.e12'), 'copy/0; copy/30',
          'a PUBLIC loop then a SECRET loop into one table: an entry at each level');
SELECT is(pg_temp.copies('f2_alice.e1b'), 'copy/0; copy/30',
          'INSERT … SELECT of PUBLIC rows then a SECRET loop: an entry at each level');
SELECT is(pg_temp.copies('f2_alice.copied'), 'copy/30',
          'COPY FROM whose column default reads a SECRET row: the mark rises, a copy at SECRET');
SELECT is(pg_temp.copies('f2_alice.ctas'), 'copy/30', 'CREATE TABLE AS SELECT of a value read into a variable');
SELECT is(pg_temp.copies('f2_alice.selinto'), 'copy/30', 'SELECT INTO from a temporary stash');
SELECT is(pg_temp.copies('f2_alice.fromtemp'), 'copy/30', 'CREATE TABLE AS SELECT * FROM a temporary stash');
SELECT is(pg_temp.copies('f2_alice.explained'), 'copy/30', 'EXPLAIN ANALYZE CREATE TABLE AS from a temporary stash');
SELECT is(pg_temp.copies('f2_alice.mv'), 'copy/30', 'REFRESH MATERIALIZED VIEW of a stashed setting');
SELECT is(pg_temp.copies('f2_alice.filled'), 'copy/30', 'ALTER TABLE … ADD COLUMN … DEFAULT f() fills every row');
SELECT is(pg_temp.copies('f2_alice.retyped'), 'copy/30', 'ALTER TABLE … ALTER COLUMN … TYPE … USING f() rewrites every row');
SELECT is(pg_temp.copies('f2_alice.nodata'), NULL, 'WITH NO DATA, and a column added without a default, write nothing');
SELECT is(pg_temp.copies('f2_stash'), NULL, 'a temporary table is no target');
SELECT is((SELECT count(*)::integer FROM tmac.handling_entry WHERE automatic AND target_table = 'f2_alice.ctas'), 1,
          'one entry per target and level');
SELECT is((SELECT body FROM f2_alice.mv), 'secret 2', '(the stash did reach the materialized view)');

SELECT * FROM finish();
ROLLBACK;
