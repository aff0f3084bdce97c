-- dedupe_keep_forever.sql — pgTAP: the registers kept as evidence have one shape (tmac.keep_forever).
--
-- Every table of schema tmac whose rows are never deleted (a forbid_delete trigger) is registered
-- for pg_dump, and so is the sequence behind each of its identity or serial columns: otherwise a
-- dump and restore keeps the rows but restarts the sequence, and the next row collides with a
-- restored one (tmac.asset's asset_id did).  The helper is install-time only: nobody may call it.
BEGIN;
SELECT plan(4);
SET LOCAL search_path = pg_catalog, public;

CREATE TEMP VIEW kept AS
  SELECT t.tgrelid::regclass AS rel
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE t.tgname = 'forbid_delete' AND c.relnamespace = 'tmac'::regnamespace;
CREATE TEMP VIEW dumped AS
  SELECT c.rel::regclass AS rel FROM pg_extension e CROSS JOIN LATERAL unnest(e.extconfig) c(rel) WHERE e.extname = 'tmac';

SELECT cmp_ok((SELECT count(*) FROM kept), '>=', 30::bigint, 'the registers kept as evidence are found');
SELECT is_empty($$SELECT rel::text FROM kept EXCEPT SELECT rel::text FROM dumped$$,
  'every register whose rows are never deleted is dumped with the extension''s data');
SELECT is_empty($$SELECT d.objid::regclass::text
                    FROM kept k JOIN pg_depend d ON d.refobjid = k.rel AND d.refclassid = 'pg_class'::regclass
                         AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                    JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                   EXCEPT SELECT rel::text FROM dumped$$,
  'so is the sequence of each of their identity columns (a restore continues it)');
SELECT ok(NOT has_function_privilege('public', 'tmac.keep_forever(regclass, boolean)', 'EXECUTE'),
  'tmac.keep_forever is not executable by PUBLIC');
SELECT * FROM finish();
ROLLBACK;
