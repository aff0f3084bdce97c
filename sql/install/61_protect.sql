-- 61_protect.sql — protect() and unprotect(): row-level security with tmac's policies.
--
-- protect() enables and forces row-level security and creates five
-- policies: tmac_base (PERMISSIVE, FOR ALL, true) and four RESTRICTIVE ones
-- calling the C checks with the label column.  Because tmac's checks are
-- restrictive, another permissive policy on the table can never widen what
-- tmac allows; a restrictive one can narrow it.  It also installs the
-- BEFORE UPDATE declassification guard, named so that it fires after the
-- table's other BEFORE UPDATE triggers (they fire in name order).
--
-- The policies, the RLS flags and the trigger are ordinary catalog objects of
-- the table, so pg_dump/pg_restore carry them; tmac.protected_table (a
-- config-dumped registry) records which tables tmac protects.
--
-- protect() runs as the caller (SECURITY INVOKER): PostgreSQL requires the
-- caller to own the table, as for ALTER TABLE; EXECUTE is granted to tmac_admin.

CREATE TABLE tmac.protected_table (
  relid         regclass PRIMARY KEY,
  label_column  name NOT NULL,
  protected_at  timestamptz NOT NULL DEFAULT now(),
  protected_by  name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE tmac.protected_table IS 'Tables protected by tmac.protect(), with their label column';
SELECT pg_catalog.pg_extension_config_dump('tmac.protected_table', '');
GRANT SELECT ON tmac.protected_table TO PUBLIC;
GRANT INSERT, DELETE ON tmac.protected_table TO tmac_admin;

CREATE FUNCTION tmac.protect(tbl regclass, label_column name DEFAULT 'label')
  RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  kind "char";
  coltype oid;
BEGIN
  PERFORM tmac.require_arguments('protect', 'tbl', tbl::text, 'label_column', label_column);
  SELECT c.relkind INTO kind FROM pg_catalog.pg_class c WHERE c.oid = tbl;
  IF kind IN ('v', 'm') THEN
    RAISE EXCEPTION '"%" is a view, and only tables can be protected', tbl
      USING ERRCODE = 'wrong_object_type',
            HINT = 'Protect the table the view reads, and create the view WITH (security_invoker = true) so that its readers'' own access applies.';
  ELSIF kind = 'p' THEN
    RAISE EXCEPTION '"%" is a partitioned table', tbl
      USING ERRCODE = 'wrong_object_type',
            HINT = 'Protect each partition: queries that name a partition directly do not see the parent''s policies.';
  ELSIF kind IS DISTINCT FROM 'r' THEN
    RAISE EXCEPTION '"%" is not a table', tbl
      USING ERRCODE = 'wrong_object_type',
            HINT = 'Only ordinary tables can be protected.';
  END IF;
  IF EXISTS (SELECT 1 FROM tmac.protected_table p WHERE p.relid = tbl) THEN
    RAISE EXCEPTION 'table "%" is already protected', tbl
      USING ERRCODE = 'duplicate_object',
            HINT = 'Run tmac.unprotect() first to protect it with another label column.';
  END IF;
  SELECT a.atttypid INTO coltype FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = tbl AND a.attname = label_column AND a.attnum > 0 AND NOT a.attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'column "%" of table "%" does not exist', label_column, tbl
      USING ERRCODE = 'undefined_column',
            HINT = 'Name the label column: tmac.protect(''t'', ''my_label_column'').';
  END IF;
  IF coltype <> 'tmac.label'::regtype THEN
    RAISE EXCEPTION 'column "%" of table "%" has type %, not tmac.label', label_column, tbl, coltype::regtype
      USING ERRCODE = 'datatype_mismatch',
            HINT = pg_catalog.format('Convert it first: ALTER TABLE %s ALTER COLUMN %I TYPE tmac.label USING %I::text::tmac.label;',
                                     tbl, label_column, label_column);
  END IF;

  EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_base ON %s AS PERMISSIVE FOR ALL USING (true) WITH CHECK (true)', tbl);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_read ON %s AS RESTRICTIVE FOR SELECT USING (tmac.row_readable(%I))', tbl, label_column);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_insert ON %s AS RESTRICTIVE FOR INSERT WITH CHECK (tmac.row_writable(%I))', tbl, label_column);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_update ON %s AS RESTRICTIVE FOR UPDATE USING (tmac.row_writable(%I)) WITH CHECK (tmac.row_writable(%I))', tbl, label_column, label_column);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_delete ON %s AS RESTRICTIVE FOR DELETE USING (tmac.row_writable(%I))', tbl, label_column);
  EXECUTE pg_catalog.format('CREATE TRIGGER zz_tmac_declassify BEFORE UPDATE OF %I ON %s FOR EACH ROW EXECUTE FUNCTION tmac.declassify_guard(%L)',
                            label_column, tbl, label_column);
  INSERT INTO tmac.protected_table (relid, label_column) VALUES (tbl, label_column);
END
$$;
COMMENT ON FUNCTION tmac.protect(regclass, name) IS
  'Enables and forces row-level security on a table with tmac''s read and write policies on its tmac.label column';

CREATE FUNCTION tmac.unprotect(tbl regclass)
  RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  pol text;
BEGIN
  PERFORM tmac.require_arguments('unprotect', 'tbl', tbl::text);
  IF NOT EXISTS (SELECT 1 FROM tmac.protected_table p WHERE p.relid = tbl) THEN
    RAISE EXCEPTION 'table "%" is not protected by tmac', tbl
      USING ERRCODE = 'undefined_object',
            HINT = 'tmac.protected_table lists the protected tables.';
  END IF;
  FOREACH pol IN ARRAY ARRAY['tmac_base', 'tmac_read', 'tmac_insert', 'tmac_update', 'tmac_delete'] LOOP
    EXECUTE pg_catalog.format('DROP POLICY IF EXISTS %I ON %s', pol, tbl);
  END LOOP;
  EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS zz_tmac_declassify ON %s', tbl);
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = tbl) THEN
    EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY', tbl);
  END IF;
  DELETE FROM tmac.protected_table p WHERE p.relid = tbl;
END
$$;
COMMENT ON FUNCTION tmac.unprotect(regclass) IS
  'Removes tmac''s policies and declassification guard from a table (row-level security stays on if other policies remain)';

-- How many rows of a protected table a role cannot see, by reason.  Counting
-- hidden rows reads past the policies, so it runs as the extension owner and
-- is granted only to the roles that may ask (tmac_admin, tmac_access_admin,
-- tmac_auditor); tmac.hidden_rows(tbl) asks for the acting role.
CREATE FUNCTION tmac.hidden_rows_for(tbl regclass, login_role name)
  RETURNS TABLE (reason text, hidden bigint)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  col name;
BEGIN
  SELECT p.label_column INTO col FROM tmac.protected_table p WHERE p.relid = tbl;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'table "%" is not protected by tmac', tbl
      USING ERRCODE = 'undefined_object', HINT = 'tmac.protected_table lists the protected tables.';
  END IF;
  RETURN QUERY EXECUTE pg_catalog.format(
    'SELECT r, pg_catalog.count(*) FROM (SELECT tmac.deny_reason_as($1, %I) AS r FROM %s) s
      WHERE r IS NOT NULL GROUP BY r ORDER BY r', col, tbl) USING login_role;
END
$$;
COMMENT ON FUNCTION tmac.hidden_rows_for(regclass, name) IS
  'For a role: how many rows of a protected table it cannot see, by the first failing check; for tmac_admin, tmac_access_admin, tmac_auditor';

CREATE FUNCTION tmac.hidden_rows(tbl regclass)
  RETURNS TABLE (reason text, hidden bigint)
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$ SELECT * FROM tmac.hidden_rows_for(tbl, current_user) $$;
COMMENT ON FUNCTION tmac.hidden_rows(regclass) IS
  'How many rows of a protected table the acting role cannot see, by the first failing check; for tmac_admin, tmac_access_admin, tmac_auditor';

REVOKE ALL ON FUNCTION tmac.protect(regclass, name), tmac.unprotect(regclass),
  tmac.hidden_rows_for(regclass, name), tmac.hidden_rows(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tmac.protect(regclass, name), tmac.unprotect(regclass) TO tmac_admin;
-- protect() runs as its caller, and CREATE TRIGGER needs EXECUTE on the trigger function.
GRANT EXECUTE ON FUNCTION tmac.declassify_guard() TO tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.hidden_rows_for(regclass, name), tmac.hidden_rows(regclass),
  tmac.deny_reason_as(name, tmac.label) TO tmac_admin, tmac_access_admin, tmac_auditor;

-- Views that read a protected table with their owner's access (no
-- security_invoker): anyone allowed to select from the view sees what the
-- owner may see.  This is PostgreSQL's rule; tmac lists them so that an
-- information manager can review each one (or recreate it WITH
-- (security_invoker = true)).
CREATE VIEW tmac.exposing_views AS
  SELECT DISTINCT v.oid::regclass AS view,
         pg_catalog.pg_get_userbyid(v.relowner) AS owner,
         (SELECT p.person_id FROM tmac.person p WHERE p.login_role = pg_catalog.pg_get_userbyid(v.relowner)) AS acting_person,
         ARRAY(SELECT DISTINCT d2.refobjid::regclass::text
                 FROM pg_catalog.pg_rewrite r2 JOIN pg_catalog.pg_depend d2
                   ON d2.classid = 'pg_catalog.pg_rewrite'::regclass AND d2.objid = r2.oid
                 JOIN tmac.protected_table t2 ON t2.relid = d2.refobjid
                WHERE r2.ev_class = v.oid ORDER BY 1) AS tables
    FROM pg_catalog.pg_class v
    JOIN pg_catalog.pg_rewrite r ON r.ev_class = v.oid
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
    JOIN tmac.protected_table t ON t.relid = d.refobjid
   WHERE v.relkind = 'v'
     AND NOT coalesce(v.reloptions @> ARRAY['security_invoker=true'], false)
     AND NOT coalesce(v.reloptions @> ARRAY['security_invoker=on'], false);
COMMENT ON VIEW tmac.exposing_views IS
  'Views over protected tables without security_invoker: their readers see what the view owner may see; review or recreate them WITH (security_invoker = true)';
REVOKE ALL ON tmac.exposing_views FROM PUBLIC;
GRANT SELECT ON tmac.exposing_views TO tmac_admin, tmac_access_admin, tmac_auditor;
