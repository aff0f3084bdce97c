-- spine_trigger_coverage.sql — pgTAP: every table the access profile and the login gate read
-- carries the invalidate_caches statement trigger (the one list:
-- tmac.install_invalidation_triggers() in sql/install/10_vocabulary.sql).
--
-- The tables read are derived, not listed: starting from tmac.access_profile_of() and
-- tmac.login_gate_wanted(), every function and view they reach is followed — through pg_depend
-- for SQL-standard bodies (BEGIN ATOMIC) and views' rules, and through every "tmac.name" the
-- text of a LANGUAGE sql or plpgsql body mentions (their search_path is pg_catalog, pg_temp,
-- so every tmac object in them is qualified).  A C function's reads cannot be derived from the
-- catalog: the C functions reached must appear in the small map below with the tables they read,
-- and an unmapped one fails test 3.  A table read that nothing but the install can write (no
-- function of tmac writes it, and no role but its owner may) needs no trigger: its data changes
-- only with ALTER EXTENSION, which counts as a governance change (src/governance_change.c).
BEGIN;
SELECT plan(5);

CREATE TEMP TABLE c_reads (fn regprocedure, tbl regclass);
INSERT INTO c_reads VALUES
  -- the per-backend vocabulary cache (src/vocabulary.c), the same the profile fetch reads
  ('tmac.vocabulary_id(text, text, boolean)', 'tmac.level'),
  ('tmac.vocabulary_id(text, text, boolean)', 'tmac.compartment'),
  ('tmac.vocabulary_id(text, text, boolean)', 'tmac.org_group'),
  ('tmac.decision_reason(text, boolean)', NULL),   -- pure
  -- the message catalog (src/message_catalog.c): gettext and its arguments, no table
  ('tmac.message(text)', NULL),
  ('tmac.message(text, "any")', NULL);

CREATE TEMP VIEW reached AS
WITH RECURSIVE edge(kind, oid, to_kind, to_oid) AS (
  SELECT 'proc', d.objid, CASE d.refclassid WHEN 'pg_class'::regclass THEN 'rel' ELSE 'proc' END, d.refobjid
    FROM pg_depend d
   WHERE d.classid = 'pg_proc'::regclass AND d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass)
  UNION ALL
  SELECT 'rel', w.ev_class, CASE d.refclassid WHEN 'pg_class'::regclass THEN 'rel' ELSE 'proc' END, d.refobjid
    FROM pg_rewrite w JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
   WHERE d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass) AND d.refobjid <> w.ev_class
  UNION ALL
  SELECT 'proc', p.oid, CASE WHEN c.oid IS NOT NULL THEN 'rel' ELSE 'proc' END, coalesce(c.oid, fp.oid)
    FROM pg_proc p
    JOIN pg_language l ON l.oid = p.prolang AND l.lanname IN ('sql', 'plpgsql')
    CROSS JOIN LATERAL regexp_matches(p.prosrc, 'tmac\.([a-z_][a-z0-9_]*)', 'g') m
    LEFT JOIN pg_class c ON c.relname = m[1] AND c.relnamespace = 'tmac'::regnamespace
    LEFT JOIN pg_proc fp ON c.oid IS NULL AND fp.proname = m[1] AND fp.pronamespace = 'tmac'::regnamespace
   WHERE p.pronamespace = 'tmac'::regnamespace AND coalesce(c.oid, fp.oid) IS NOT NULL
  UNION ALL
  SELECT 'proc', r.fn, 'rel', r.tbl FROM c_reads r WHERE r.tbl IS NOT NULL
), reach(kind, oid) AS (
  SELECT 'proc', p.oid FROM pg_proc p
   WHERE p.oid IN ('tmac.access_profile_of(text, timestamptz)'::regprocedure,
                   'tmac.login_gate_wanted(text[], text[], boolean, oid[])'::regprocedure)
  UNION
  SELECT e.to_kind, e.to_oid FROM reach r JOIN edge e ON e.kind = r.kind AND e.oid = r.oid
)
SELECT kind, oid FROM reach;

CREATE TEMP VIEW tables_read AS
SELECT c.oid::regclass AS tbl, c.relname::text AS name
  FROM reached r JOIN pg_class c ON r.kind = 'rel' AND c.oid = r.oid AND c.relkind IN ('r', 'p')
 WHERE c.relnamespace = 'tmac'::regnamespace;

-- written only by the install: no tmac function writes it, no role but its owner may
CREATE TEMP VIEW install_only AS
SELECT t.tbl, t.name
  FROM tables_read t JOIN pg_class c ON c.oid = t.tbl
 WHERE NOT EXISTS (SELECT FROM pg_proc p
                    WHERE p.pronamespace = 'tmac'::regnamespace
                      AND p.prosrc ~* ('(insert\s+into|update|delete\s+from|truncate)\s+(only\s+)?tmac\.'
                                       || c.relname || '\M'))
   AND NOT EXISTS (SELECT FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                    WHERE a.grantee <> c.relowner
                      AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'));

CREATE TEMP VIEW triggered AS
SELECT t.tgrelid::regclass AS tbl
  FROM pg_trigger t
 WHERE t.tgfoid = 'tmac.cache_invalidate()'::regprocedure AND t.tgname = 'invalidate_caches'
   AND t.tgenabled <> 'D'
   AND (t.tgtype & 1) = 0                -- FOR EACH STATEMENT
   AND (t.tgtype & 2) = 0                -- AFTER
   AND (t.tgtype & (4 | 8 | 16 | 32)) = (4 | 8 | 16 | 32);   -- INSERT, DELETE, UPDATE, TRUNCATE

SELECT ok((SELECT count(*) FROM tables_read) >= 5
          AND 'tmac.person'::regclass IN (SELECT tbl FROM tables_read)
          AND 'tmac.access_grant'::regclass IN (SELECT tbl FROM tables_read)
          AND 'tmac.hr_event'::regclass IN (SELECT tbl FROM tables_read)
          AND 'tmac.level'::regclass IN (SELECT tbl FROM tables_read),
          'the tables the access profile and the login gate read are found (person, access_grant, hr_event, the vocabulary, ...)');

SELECT is((SELECT coalesce(array_agg(name ORDER BY name), '{}') FROM tables_read
            WHERE tbl NOT IN (SELECT tbl FROM triggered) AND tbl NOT IN (SELECT tbl FROM install_only)),
          '{}'::text[],
          'every table the access profile and the login gate read carries the invalidate_caches statement trigger');

SELECT is((SELECT coalesce(array_agg(r.oid::regprocedure::text ORDER BY 1), '{}')
             FROM reached r JOIN pg_proc p ON r.kind = 'proc' AND p.oid = r.oid
             JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'c'
            WHERE p.pronamespace = 'tmac'::regnamespace
              AND p.oid NOT IN (SELECT fn FROM c_reads)),
          '{}'::text[],
          'every C function they reach is in this file''s map of the tables C functions read');

SELECT is((SELECT coalesce(array_agg(name ORDER BY name), '{}') FROM install_only),
          '{setting_default}'::text[],
          'the only table read without the trigger is written by the install alone (tmac.setting_default)');

-- the check bites: without one trigger, test 2's query names the table
DROP TRIGGER invalidate_caches ON tmac.pledge;
SELECT is((SELECT coalesce(array_agg(name ORDER BY name), '{}') FROM tables_read
            WHERE tbl NOT IN (SELECT tbl FROM triggered) AND tbl NOT IN (SELECT tbl FROM install_only)),
          '{pledge}'::text[],
          'a governance table read without the trigger is found');

SELECT * FROM finish();
ROLLBACK;
