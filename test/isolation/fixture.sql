-- fixture.sql — the isolation database: tmac installed once, its fresh state put back cheaply.
--
-- Run by `make installcheck` (the Makefile's tmac-isolation-db) in a database it has just
-- created, before the isolation tester runs test/isolation/specs against it.  Re-creating the
-- extension in every permutation's setup cost ~3 s each (most of the isolation time); instead
-- each spec's setup calls tmac_isolation.reset(), which returns every table of the tmac schema
-- to what CREATE EXTENSION left (kept here in the schema tmac_isolation), sets every tmac
-- sequence back, and fires the cache-invalidation triggers, so that the spec's sessions, which
-- live across permutations, read the restored state.  The reset refuses (TRUNCATE does) while
-- a table outside tmac still references tmac's rows; each spec's teardown drops what it made.
CREATE EXTENSION tmac;
CREATE SCHEMA tmac_isolation;
COMMENT ON SCHEMA tmac_isolation IS 'The isolation tests'' copy of a fresh tmac and tmac_isolation.reset()';

DO $$
DECLARE t regclass;
BEGIN
  FOR t IN SELECT c.oid FROM pg_catalog.pg_class c
            WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind = 'r' LOOP
    EXECUTE format('CREATE TABLE tmac_isolation.%I AS TABLE %s', (SELECT relname FROM pg_class WHERE oid = t), t);
  END LOOP;
END $$;

CREATE TABLE tmac_isolation.sequence_state AS
  SELECT c.oid::regclass AS seq, s.seqstart, pg_catalog.pg_sequence_last_value(c.oid) AS last_value
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
   WHERE c.relnamespace = 'tmac'::regnamespace;

-- The copy back, with tmac's guard triggers (append-only, forbid_truncate) and foreign-key
-- checks off for the function's duration: the rows are the ones CREATE EXTENSION wrote.
CREATE FUNCTION tmac_isolation.restore() RETURNS void LANGUAGE plpgsql
SET session_replication_role = replica AS $$
DECLARE
  t record;
BEGIN
  EXECUTE (SELECT 'TRUNCATE ' || string_agg(c.oid::regclass::text, ', ')
             FROM pg_class c WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind = 'r');
  FOR t IN SELECT c.oid::regclass AS rel, c.relname,
                  (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                     FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                      AND a.attgenerated = '') AS cols
             FROM pg_class c WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind = 'r' LOOP
    EXECUTE format('INSERT INTO %s %s OVERRIDING SYSTEM VALUE SELECT %s FROM tmac_isolation.%I',
                   t.rel, '(' || t.cols || ')', t.cols, t.relname);   -- a table of no columns too
  END LOOP;
  PERFORM CASE WHEN s.last_value IS NULL THEN setval(s.seq, s.seqstart, false)
               ELSE setval(s.seq, s.last_value, true) END
    FROM tmac_isolation.sequence_state s;
END
$$;

CREATE PROCEDURE tmac_isolation.reset() LANGUAGE plpgsql AS $$
DECLARE
  t regclass;
BEGIN
  PERFORM tmac_isolation.restore();
  -- an empty UPDATE runs the statement triggers that tell every backend the governance data changed
  FOR t IN SELECT DISTINCT g.tgrelid::regclass FROM pg_trigger g
            WHERE g.tgfoid = 'tmac.cache_invalidate'::regproc LOOP
    EXECUTE format('UPDATE %s SET %I = %2$I WHERE false', t,
                   (SELECT attname FROM pg_attribute WHERE attrelid = t AND attnum > 0 AND NOT attisdropped
                      AND attidentity = '' AND attgenerated = '' ORDER BY attnum LIMIT 1));
  END LOOP;
END
$$;
COMMENT ON PROCEDURE tmac_isolation.reset() IS
  'Puts tmac back as CREATE EXTENSION left it: a spec''s setup calls it instead of re-creating the extension';
