-- 00_schema_and_roles.sql — the install guard, the schema comment and tmac's roles.
--
-- The tmac roles (tmac_admin, tmac_access_admin, tmac_approver, tmac_hr,
-- tmac_auditor, tmac_declassifier, tmac_person) are cluster-wide, so they are created only when
-- missing and are not dropped by DROP EXTENSION (another database may use
-- them).  Each later file grants each role exactly what its job needs.

\echo Use "CREATE EXTENSION tmac" to load this file. \quit

COMMENT ON SCHEMA tmac IS
  'tmac: classification labels, need-to-know grants and compliance evidence (技術情報管理認証制度)';

DO $roles$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT * FROM (VALUES
      ('tmac_admin',        'tmac: administrator (a role for the DBA side, never a person''s login); defines the vocabulary, protects tables, configures tmac'),
      ('tmac_access_admin', 'tmac: access administrator; requests clearances and need-to-know grants, runs access reviews'),
      ('tmac_approver',     'tmac: approver (information manager); approves or rejects requests made by someone else'),
      ('tmac_hr',           'tmac: the HR system; feeds hire, transfer, leave and termination events'),
      ('tmac_auditor',      'tmac: auditor; reads compliance views, findings and the audit log, changes nothing'),
      ('tmac_declassifier', 'tmac: may declassify rows of protected tables (lower a level, remove a compartment or group); each use is audited'),
      ('tmac_person',       'tmac: every enrolled person login (granted by tmac.enrol_login); records what the person handles and reports leak signs, as that person')
    ) AS v(rolname, description)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.rolname) THEN
      EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.rolname);
      EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.rolname, r.description);
    END IF;
  END LOOP;
END
$roles$;

-- The governance sentinel: never holds a row.  A change to any governance table
-- queues one relcache invalidation of this table (tmac.cache_invalidate()),
-- which is what every backend's caches listen for (src/profile_cache.c).
CREATE TABLE tmac.cache_sentinel ();
COMMENT ON TABLE tmac.cache_sentinel IS
  'Never holds rows: its relcache invalidation tells every backend that tmac''s governance data changed (src/profile_cache.c)';
