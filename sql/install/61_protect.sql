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
-- Partitions and inheritance children.  PostgreSQL applies the policies of
-- the table a query names: reading a parent filters its children's rows by
-- the parent's policies, reading a child by the child's own.  So a table and
-- everything below it are protected together, on the same label column:
--   - protect() of a parent protects it with all its partitions and children,
--     at any depth; protect() of a child whose parent is not protected is
--     refused (the parent would show its rows unfiltered);
--   - unprotect() of a parent unprotects the whole tree; unprotect() of a
--     child of a protected parent is refused (detach it first);
--   - an event trigger (tmac.protect_new_children) protects every table that
--     becomes a partition or child of a protected table (CREATE TABLE ...
--     PARTITION OF / INHERITS, ALTER TABLE ... ATTACH PARTITION / INHERIT)
--     and refuses to put a protected table under an unprotected parent;
--   - the check protected_tree_inconsistent reports what these cannot
--     prevent (e.g. DDL run while event triggers were disabled).
-- A partitioned table holds no rows: it gets the policies, its leaf
-- partitions also the declassification guard.
--
-- The policies, the RLS flags and the trigger are ordinary catalog objects of
-- the table, so pg_dump/pg_restore carry them; tmac.protected_table (a
-- config-dumped registry) records which tables tmac protects.  Nobody writes
-- the registry directly: protect() and unprotect() record what they did
-- through tmac.protection_register / protection_unregister, which accept
-- only what the catalogs show, and every change of it is audited.
--
-- protect() runs as the caller (SECURITY INVOKER): PostgreSQL requires the
-- caller to own every table it changes, as for ALTER TABLE; EXECUTE is
-- granted to tmac_admin.

CREATE TABLE tmac.protected_table (
  relid         regclass PRIMARY KEY,
  label_column  name NOT NULL,
  protected_at  timestamptz NOT NULL DEFAULT now(),
  protected_by  name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE tmac.protected_table IS 'Tables protected by tmac.protect(), with their label column';
SELECT pg_catalog.pg_extension_config_dump('tmac.protected_table', '');
SELECT tmac.add_audit_trigger('tmac.protected_table', 'relid');

-- A table and everything below it (partitions and inheritance children at any
-- depth), each once, parents before children.
CREATE FUNCTION tmac.relation_tree(tbl regclass)
  RETURNS TABLE (relid regclass, depth integer)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH RECURSIVE t(relid, depth) AS (
    SELECT tbl::oid, 0
    UNION ALL
    SELECT i.inhrelid, t.depth + 1 FROM t JOIN pg_catalog.pg_inherits i ON i.inhparent = t.relid
  )
  SELECT t.relid::regclass, max(t.depth) FROM t GROUP BY t.relid ORDER BY 2, 1;
END;
COMMENT ON FUNCTION tmac.relation_tree(regclass) IS
  'A table with all its partitions and inheritance children, at any depth (depth 0 is the table)';

-- True when a table carries exactly tmac's protection on a label column: the
-- column is of type tmac.label itself, row security is enabled and forced,
-- the five policies are as protect() creates them (for everyone, with
-- tmac's expressions), and on a table that holds rows the declassification
-- guard is there, firing always (not only in replica mode, no WHEN condition).  The type is checked on its own, not left to how
-- pg_get_expr() prints a coercion: over a domain, or over a type of the
-- owner's with an implicit cast to tmac.label, tmac.row_readable(label)
-- would decide on what the owner's code makes of the column.
CREATE FUNCTION tmac.protection_in_place(tbl regclass, label_column name) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT c.relrowsecurity AND c.relforcerowsecurity
     AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attname = label_column AND a.attnum > 0
                    AND NOT a.attisdropped AND a.atttypid = 'tmac.label'::pg_catalog.regtype)
     AND (SELECT count(*) FROM pg_catalog.pg_policy p
           WHERE p.polrelid = c.oid AND p.polroles = '{0}'
             AND (p.polname, p.polpermissive, p.polcmd::text,
                  coalesce(pg_catalog.pg_get_expr(p.polqual, p.polrelid), ''),
                  coalesce(pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid), ''))
                 IN (('tmac_base', true, '*', 'true', 'true'),
                     ('tmac_read', false, 'r', pg_catalog.format('tmac.row_readable(%I)', label_column), ''),
                     ('tmac_insert', false, 'a', '', pg_catalog.format('tmac.row_writable(%I)', label_column)),
                     ('tmac_update', false, 'w', pg_catalog.format('tmac.row_writable(%I)', label_column),
                                                 pg_catalog.format('tmac.row_writable(%I)', label_column)),
                     ('tmac_delete', false, 'd', pg_catalog.format('tmac.row_writable(%I)', label_column), ''))) = 5
     AND (c.relkind = 'p'
          OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = label_column
                      WHERE t.tgrelid = c.oid AND t.tgname = 'zz_tmac_declassify' AND t.tgenabled IN ('O', 'A') AND t.tgqual IS NULL
                        AND t.tgfoid = 'tmac.declassify_guard()'::pg_catalog.regprocedure
                        AND t.tgtype = 19             -- BEFORE UPDATE, FOR EACH ROW
                        AND pg_catalog.cardinality(t.tgattr::pg_catalog.int2[]) = 1 AND t.tgattr[0] = a.attnum
                        AND t.tgargs = pg_catalog.convert_to(label_column, 'UTF8') || '\x00'::bytea))
    FROM pg_catalog.pg_class c WHERE c.oid = tbl;
END;
COMMENT ON FUNCTION tmac.protection_in_place(regclass, name) IS
  'True when a table''s label column is of type tmac.label (no domain, no other type), row security is enabled and forced, tmac''s five policies on the label column as protect() creates them, and (tables with rows) the declassification guard';

-- tmac's objects on a table, by name: the five policies and the declassification guard
-- (exactly as protect() made them or not).
CREATE FUNCTION tmac.protection_objects(tbl regclass) RETURNS name[]
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT ARRAY(SELECT o.n FROM (SELECT p.polname FROM pg_catalog.pg_policy p
                                 WHERE p.polrelid = tbl
                                   AND p.polname IN ('tmac_base', 'tmac_read', 'tmac_insert', 'tmac_update', 'tmac_delete')
                                UNION ALL
                                SELECT t.tgname FROM pg_catalog.pg_trigger t
                                 WHERE t.tgrelid = tbl AND t.tgname = 'zz_tmac_declassify') o(n)
                ORDER BY 1);
END;
COMMENT ON FUNCTION tmac.protection_objects(regclass) IS
  'The names of tmac''s policies and declassification guard that a table carries (as protect() made them or not)';

-- The label column on which a table carries exactly tmac's protection (NULL: none).
CREATE FUNCTION tmac.protection_label_column(tbl regclass) RETURNS name
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT a.attname FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
     AND a.atttypid = 'tmac.label'::pg_catalog.regtype
     AND tmac.protection_in_place(tbl, a.attname)
   ORDER BY a.attnum LIMIT 1;
END;
COMMENT ON FUNCTION tmac.protection_label_column(regclass) IS
  'The tmac.label column on which a table carries exactly tmac''s protection, or NULL';

-- The codes of the vocabulary, as each protected table carries them for a partial dump
-- (security label provider tmac_vocabulary_needed, src/vocabulary_needed.c): restoring the
-- table checks them before its rows and stops with one error naming what is missing.
CREATE FUNCTION tmac.vocabulary_needed_text() RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT 'tmac vocabulary needed 1'
      || coalesce((SELECT pg_catalog.string_agg(E'\nL\t' || l.code, '' ORDER BY l.rank) FROM tmac.level l), '')
      || coalesce((SELECT pg_catalog.string_agg(E'\nC\t' || c.code, '' ORDER BY c.code COLLATE "C") FROM tmac.compartment c), '')
      || coalesce((SELECT pg_catalog.string_agg(E'\nG\t' || g.code, '' ORDER BY g.code COLLATE "C") FROM tmac.org_group g), '');
END;
COMMENT ON FUNCTION tmac.vocabulary_needed_text() IS
  'The codes of the vocabulary that each protected table carries as its tmac_vocabulary_needed security label (checked when a partial dump of it is restored)';

-- The registry's only writers besides the extension owner.  They record what
-- the catalogs show and nothing else, so the registry cannot claim a table is
-- protected when it is not, nor forget one that still is.
CREATE FUNCTION tmac.protection_register(tbl regclass, label_column name) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('protection_register', 'tbl', tbl::text, 'label_column', label_column);
  IF NOT coalesce(tmac.protection_in_place(tbl, label_column), false) THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = tmac.message('table "%s" does not carry tmac''s protection on column "%s"', tbl, label_column),
            HINT = tmac.message('Protect tables with tmac.protect(); tmac.protected_table records what it did.');
  END IF;
  INSERT INTO tmac.protected_table (relid, label_column, protected_by) VALUES (tbl, label_column, tmac.invoker());
  PERFORM tmac.vocabulary_needed_label(tbl);
END
$$;
COMMENT ON FUNCTION tmac.protection_register(regclass, name) IS
  'Internal (protect): records a table in tmac.protected_table, only if it carries tmac''s protection on that column, and gives it the codes of the vocabulary (tmac_vocabulary_needed label)';

CREATE FUNCTION tmac.protection_unregister(tbl regclass) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('protection_unregister', 'tbl', tbl::text);
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_policy p
              WHERE p.polrelid = tbl AND p.polname IN ('tmac_base', 'tmac_read', 'tmac_insert', 'tmac_update', 'tmac_delete'))
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = tbl AND t.tgname = 'zz_tmac_declassify') THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = tmac.message('table "%s" still carries tmac''s policies', tbl),
            HINT = tmac.message('Remove the protection with tmac.unprotect().');
  END IF;
  DELETE FROM tmac.protected_table p WHERE p.relid = tbl;
  PERFORM tmac.vocabulary_needed_label(tbl);
END
$$;
COMMENT ON FUNCTION tmac.protection_unregister(regclass) IS
  'Internal (unprotect): removes a table from tmac.protected_table, only once tmac''s policies and trigger are gone';

-- Enables tmac's protection on one table (no checks, no registry): the caller
-- must own it.
CREATE FUNCTION tmac.apply_protection(tbl regclass, label_column name) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('apply_protection', 'tbl', tbl::text, 'label_column', label_column);
  EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_base ON %s AS PERMISSIVE FOR ALL USING (true) WITH CHECK (true)', tbl);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_read ON %s AS RESTRICTIVE FOR SELECT USING (tmac.row_readable(%I))', tbl, label_column);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_insert ON %s AS RESTRICTIVE FOR INSERT WITH CHECK (tmac.row_writable(%I))', tbl, label_column);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_update ON %s AS RESTRICTIVE FOR UPDATE USING (tmac.row_writable(%I)) WITH CHECK (tmac.row_writable(%I))', tbl, label_column, label_column);
  EXECUTE pg_catalog.format('CREATE POLICY tmac_delete ON %s AS RESTRICTIVE FOR DELETE USING (tmac.row_writable(%I))', tbl, label_column);
  IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = tbl) = 'r' THEN
    EXECUTE pg_catalog.format('CREATE TRIGGER zz_tmac_declassify BEFORE UPDATE OF %I ON %s FOR EACH ROW EXECUTE FUNCTION tmac.declassify_guard(%L)',
                              label_column, tbl, label_column);
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.apply_protection(regclass, name) IS
  'Internal (protect): enables and forces row security on one table and creates tmac''s policies and declassification guard';

-- Removes tmac's protection from one table (row security stays on if other policies remain).
CREATE FUNCTION tmac.remove_protection(tbl regclass) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  pol text;
BEGIN
  PERFORM tmac.require_arguments('remove_protection', 'tbl', tbl::text);
  FOREACH pol IN ARRAY ARRAY['tmac_base', 'tmac_read', 'tmac_insert', 'tmac_update', 'tmac_delete'] LOOP
    EXECUTE pg_catalog.format('DROP POLICY IF EXISTS %I ON %s', pol, tbl);
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = tbl AND t.tgname = 'zz_tmac_declassify') THEN
    EXECUTE pg_catalog.format('DROP TRIGGER zz_tmac_declassify ON %s', tbl);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy WHERE polrelid = tbl) THEN
    EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY', tbl);
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.remove_protection(regclass) IS
  'Internal (unprotect): drops tmac''s policies and declassification guard from one table';

-- Protects every table of a tree that is not protected yet, on one label
-- column; refuses a tree part of which is protected on another column or
-- cannot carry row security (a foreign table), or is temporary.  `what` says in errors where a
-- table of the tree stands.
CREATE FUNCTION tmac.protect_tree(tbl regclass, label_column name, what text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  r record;
  todo regclass[] := '{}';
  adopt regclass[] := '{}';
  t regclass;
  drops text;
BEGIN
  FOR r IN
    SELECT x.relid, c.relkind, c.relpersistence, p.label_column AS registered
      FROM tmac.relation_tree(tbl) x
      JOIN pg_catalog.pg_class c ON c.oid = x.relid
      LEFT JOIN tmac.protected_table p ON p.relid = x.relid
     ORDER BY x.depth, x.relid
  LOOP
    IF r.registered = label_column THEN
      CONTINUE;
    ELSIF r.registered IS NULL AND coalesce(tmac.protection_in_place(r.relid, label_column), false) THEN
      -- it carries exactly tmac's protection but no registry row (restored from a partial
      -- dump): adopted, after the same ownership check as ALTER TABLE
      EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', r.relid);
      adopt := adopt || r.relid;
      CONTINUE;
    ELSIF r.registered IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
              MESSAGE = tmac.message('"%s" (%s) is protected on column "%s", not "%s"', r.relid, what, r.registered, label_column),
              HINT = tmac.message('A table and its partitions and children are protected on one label column: detach it, or unprotect it first.');
    ELSIF r.relkind = 'f' THEN
      RAISE EXCEPTION USING ERRCODE = 'wrong_object_type',
              MESSAGE = tmac.message('"%s" (%s) is a foreign table, which cannot carry row security', r.relid, what),
              HINT = tmac.message('A foreign table cannot be a partition or child of a protected table: detach it (ALTER TABLE … DETACH PARTITION, or ALTER TABLE … NO INHERIT), and protect its data where it is stored.');
    ELSIF r.relkind NOT IN ('r', 'p') THEN
      RAISE EXCEPTION USING ERRCODE = 'wrong_object_type', MESSAGE = tmac.message('"%s" (%s) is not a table', r.relid, what);
    ELSIF tmac.citus_managed(r.relid) THEN
      RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
              MESSAGE = tmac.message('"%s" (%s) is distributed by Citus and cannot be protected', r.relid, what),
              DETAIL = tmac.message('Citus copies a table''s row-level security policies to its shards without AS RESTRICTIVE, so on the shards tmac''s policies would let every role read every row.'),
              HINT = tmac.message('Protect a local table on the coordinator: undistribute it first (SELECT undistribute_table(%L)).', r.relid::text);
    ELSIF r.registered IS NULL AND tmac.protection_label_column(r.relid) IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
              MESSAGE = tmac.message('"%s" (%s) carries tmac''s protection on column "%s", not "%s"', r.relid, what,
                                     tmac.protection_label_column(r.relid), label_column),
              HINT = tmac.message('Protect it on that column (tmac.protect(%L, %L) adopts it), or drop tmac''s policies and trigger first.',
                                  r.relid::text, tmac.protection_label_column(r.relid));
    ELSIF r.registered IS NULL AND tmac.protection_objects(r.relid) <> '{}' THEN
      drops := (SELECT pg_catalog.string_agg(CASE WHEN o = 'zz_tmac_declassify' THEN 'DROP TRIGGER ' ELSE 'DROP POLICY ' END
                                             || o || ' ON ' || r.relid::text, '; ')
                  FROM pg_catalog.unnest(tmac.protection_objects(r.relid)) o);
      RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
              MESSAGE = tmac.message('"%s" (%s) already carries policies or triggers named like tmac''s (%s), not as tmac.protect() creates them on column "%s"',
                                     r.relid, what, pg_catalog.array_to_string(tmac.protection_objects(r.relid), ', '), label_column),
              HINT = tmac.message('Drop them (%s), then protect the table again.', drops);
    ELSIF r.relpersistence = 't' THEN
      -- it would vanish at the end of the session without leaving the registry
      RAISE EXCEPTION USING ERRCODE = 'wrong_object_type',
              MESSAGE = tmac.message('"%s" (%s) is a temporary table', r.relid, what),
              HINT = tmac.message('Temporary tables cannot be protected, nor be children of a protected table; use an ordinary table.');
    END IF;
    todo := todo || r.relid;
  END LOOP;
  FOREACH t IN ARRAY todo LOOP
    PERFORM tmac.apply_protection(t, label_column);
  END LOOP;
  FOREACH t IN ARRAY todo || adopt LOOP
    -- (a superuser's protect() is registered already, by tmac_register_restored_protection)
    IF NOT EXISTS (SELECT FROM tmac.protected_table p WHERE p.relid = t) THEN
      PERFORM tmac.protection_register(t, label_column);
    END IF;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.protect_tree(regclass, name, text) IS
  'Internal (protect, event trigger): protects a table and all its partitions and children not protected yet, on one label column; registers those that already carry exactly tmac''s protection on it (restored from a partial dump)';

CREATE FUNCTION tmac.protect(tbl regclass, label_column name DEFAULT 'label', asset text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  kind "char";
  ns oid;
  coltype oid;
  parent record;
BEGIN
  PERFORM tmac.require_arguments('protect', 'tbl', tbl::text, 'label_column', label_column);
  SELECT c.relkind, c.relnamespace INTO kind, ns FROM pg_catalog.pg_class c WHERE c.oid = tbl;
  IF kind IN ('v', 'm') THEN
    RAISE EXCEPTION USING ERRCODE = 'wrong_object_type',
            MESSAGE = tmac.message('"%s" is a view, and only tables can be protected', tbl),
            HINT = tmac.message('Protect the table the view reads, and create the view WITH (security_invoker = true) so that its readers'' own access applies.');
  ELSIF kind = 'f' THEN
    RAISE EXCEPTION USING ERRCODE = 'wrong_object_type',
            MESSAGE = tmac.message('"%s" is a foreign table, which cannot carry row security', tbl),
            HINT = tmac.message('Protect the data where it is stored.');
  ELSIF kind IS DISTINCT FROM 'r' AND kind IS DISTINCT FROM 'p' THEN
    RAISE EXCEPTION USING ERRCODE = 'wrong_object_type', MESSAGE = tmac.message('"%s" is not a table', tbl),
            HINT = tmac.message('Only ordinary and partitioned tables can be protected.');
  END IF;
  -- tmac's own tables and the system catalogs: read through tmac's views and functions (which
  -- decide who sees what) and PostgreSQL's, never under row security of their own
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
              WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = tbl AND d.deptype = 'e'
                AND d.refclassid = 'pg_catalog.pg_extension'::regclass)
     OR ns IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace, 'tmac'::regnamespace) THEN
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',
            MESSAGE = tmac.message('"%s" belongs to tmac, to another extension or to the system catalogs, and cannot be protected', tbl),
            HINT = tmac.message('Protect your own tables; tmac''s registers are read through its views and functions, which decide who sees what.');
  END IF;
  IF EXISTS (SELECT 1 FROM tmac.protected_table p WHERE p.relid = tbl) THEN
    RAISE EXCEPTION USING ERRCODE = 'duplicate_object', MESSAGE = tmac.message('table "%s" is already protected', tbl),
            HINT = tmac.message('Run tmac.unprotect() first to protect it with another label column.');
  END IF;
  SELECT a.atttypid INTO coltype FROM pg_catalog.pg_attribute a
   WHERE a.attrelid = tbl AND a.attname = label_column AND a.attnum > 0 AND NOT a.attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_column',
            MESSAGE = tmac.message('column "%s" of table "%s" does not exist', label_column, tbl),
            HINT = tmac.message('Name the label column: tmac.protect(''t'', ''my_label_column'').');
  END IF;
  IF coltype <> 'tmac.label'::regtype THEN
    RAISE EXCEPTION USING ERRCODE = 'datatype_mismatch',
            MESSAGE = tmac.message('column "%s" of table "%s" has type %s, not tmac.label', label_column, tbl, coltype::regtype),
            HINT = tmac.message('Convert it first: ALTER TABLE %s ALTER COLUMN %I TYPE tmac.label USING %I::text::tmac.label;',
                                tbl, label_column, label_column);
  END IF;
  -- Reading a parent applies the parent's policies to this table's rows.
  FOR parent IN
    SELECT i.inhparent::regclass AS relid, p.label_column
      FROM pg_catalog.pg_inherits i LEFT JOIN tmac.protected_table p ON p.relid = i.inhparent
     WHERE i.inhrelid = tbl ORDER BY i.inhseqno
  LOOP
    IF parent.label_column IS NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
              MESSAGE = tmac.message('table "%s" is a partition or child of "%s", which is not protected', tbl, parent.relid),
              DETAIL = tmac.message('Reading the parent applies the parent''s policies, so it would show this table''s rows unfiltered.'),
              HINT = tmac.message('Protect the parent: tmac.protect(%L) protects it with all its partitions and children.', parent.relid::text);
    ELSIF parent.label_column <> label_column THEN
      RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
              MESSAGE = tmac.message('the parent "%s" of table "%s" is protected on column "%s"', parent.relid, tbl, parent.label_column),
              HINT = tmac.message('A table and its partitions and children are protected on one label column.');
    END IF;
  END LOOP;
  PERFORM tmac.protect_tree(tbl, label_column, tmac.message('in the tree of "%s"', tbl));
  -- The protected table is an inventory entry: bound to its asset (62_inventory.sql).
  IF asset IS NOT NULL THEN
    PERFORM tmac.bind_table(asset, tbl);
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.protect(regclass, name, text) IS
  'Enables and forces row-level security on a table, and all its partitions and inheritance children, with tmac''s read and write policies on its tmac.label column; with asset, also binds the table to that asset of the inventory (tmac.bind_table)';

CREATE FUNCTION tmac.unprotect(tbl regclass)
  RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  parent regclass;
  t regclass;
BEGIN
  PERFORM tmac.require_arguments('unprotect', 'tbl', tbl::text);
  IF NOT EXISTS (SELECT 1 FROM tmac.protected_table p WHERE p.relid = tbl) THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = tmac.message('table "%s" is not protected by tmac', tbl),
            HINT = tmac.message('tmac.protected_table lists the protected tables.');
  END IF;
  SELECT i.inhparent INTO parent FROM pg_catalog.pg_inherits i JOIN tmac.protected_table p ON p.relid = i.inhparent
   WHERE i.inhrelid = tbl ORDER BY i.inhseqno LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = tmac.message('table "%s" is a partition or child of the protected table "%s"', tbl, parent),
            DETAIL = tmac.message('Unprotected, it would show its rows unfiltered to anyone reading it directly.'),
            HINT = tmac.message('Unprotect the parent (which unprotects all its partitions and children), or detach this table first (ALTER TABLE … DETACH PARTITION, or ALTER TABLE … NO INHERIT).');
  END IF;
  FOR t IN SELECT x.relid FROM tmac.relation_tree(tbl) x JOIN tmac.protected_table p ON p.relid = x.relid
            ORDER BY x.depth DESC, x.relid LOOP
    PERFORM tmac.remove_protection(t);
    PERFORM tmac.protection_unregister(t);
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.unprotect(regclass) IS
  'Removes tmac''s policies and declassification guard from a table and all its partitions and inheritance children (row security stays on where other policies remain)';

-- The event trigger: a table that becomes a partition or child of a protected
-- table is protected like it, in the same statement; a protected table cannot
-- become a partition or child of an unprotected one.  It runs as the
-- extension owner (the DDL's author owns both tables anyway), and the
-- registry's audit trigger records the protection with the DDL's author as actor.
CREATE FUNCTION tmac.ddl_inheritance_links(command pg_ddl_command)
  RETURNS TABLE (parent oid, child oid)
  AS 'MODULE_PATHNAME', 'tmac_ddl_inheritance_links' LANGUAGE C STRICT;
COMMENT ON FUNCTION tmac.ddl_inheritance_links(pg_ddl_command) IS
  'Internal (event trigger): the partition and inheritance links an ALTER TABLE command added (ATTACH PARTITION, INHERIT)';

CREATE FUNCTION tmac.protect_new_children() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  lnk record;
BEGIN
  IF tmac.restoring() THEN
    RETURN;
  END IF;
  FOR lnk IN
    WITH links AS (
      SELECT i.inhparent AS parent, i.inhrelid AS child
        FROM pg_catalog.pg_event_trigger_ddl_commands() c
        JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.objid
       WHERE c.command_tag IN ('CREATE TABLE', 'CREATE FOREIGN TABLE')
         AND c.classid = 'pg_catalog.pg_class'::regclass AND c.objsubid = 0
      UNION
      SELECT e.parent, e.child
        FROM pg_catalog.pg_event_trigger_ddl_commands() c,
             LATERAL tmac.ddl_inheritance_links(c.command) e
       WHERE c.command_tag IN ('ALTER TABLE', 'ALTER FOREIGN TABLE'))
    SELECT l.parent::regclass AS parent, l.child::regclass AS child,
           pp.label_column AS parent_column, pc.label_column AS child_column
      FROM links l
      JOIN pg_catalog.pg_class c ON c.oid = l.parent AND c.relkind IN ('r', 'p', 'f')
      LEFT JOIN tmac.protected_table pp ON pp.relid = l.parent
      LEFT JOIN tmac.protected_table pc ON pc.relid = l.child
     ORDER BY l.parent, l.child
  LOOP
    IF lnk.parent_column IS NULL AND lnk.child_column IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
              MESSAGE = tmac.message('the protected table "%s" cannot become a partition or child of "%s", which is not protected', lnk.child, lnk.parent),
              DETAIL = tmac.message('Reading the parent applies the parent''s policies, so it would show the rows of the protected table unfiltered.'),
              HINT = tmac.message('Protect the parent first (SELECT tmac.protect(%L, %L)), then attach the table.',
                                  lnk.parent::text, lnk.child_column);
    ELSIF lnk.parent_column IS NOT NULL AND lnk.child_column IS NULL THEN
      PERFORM tmac.protect_tree(lnk.child, lnk.parent_column,
                                tmac.message('attached below the protected table "%s"', lnk.parent));
    ELSIF lnk.parent_column <> lnk.child_column THEN
      RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
              MESSAGE = tmac.message('the table "%s", protected on column "%s", cannot become a partition or child of "%s", protected on column "%s"',
                                     lnk.child, lnk.child_column, lnk.parent, lnk.parent_column),
              HINT = tmac.message('A table and its partitions and children are protected on one label column.');
    END IF;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.protect_new_children() IS
  'Event trigger (CREATE/ALTER TABLE): protects a new partition or inheritance child of a protected table, and refuses a protected table under an unprotected parent';
CREATE EVENT TRIGGER tmac_protect_new_children ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE', 'CREATE FOREIGN TABLE', 'ALTER TABLE', 'ALTER FOREIGN TABLE')
  EXECUTE FUNCTION tmac.protect_new_children();
COMMENT ON EVENT TRIGGER tmac_protect_new_children IS
  'Protects a table that becomes a partition or inheritance child of a protected table; refuses a protected table under an unprotected parent';

-- A partial dump (pg_dump -t, pg_dump -n) carries a protected table's policies, FORCE ROW
-- LEVEL SECURITY and guard, but not its row of tmac.protected_table (schema tmac is not in
-- it).  The registry is derived again where it is restored: when a superuser's DDL (the
-- restore's CREATE POLICY, CREATE TRIGGER or ALTER TABLE … ENABLE ROW LEVEL SECURITY, in any
-- order, pg_restore -j too) completes exactly tmac's protection on a table that is not
-- registered, the table is registered (audited, with the superuser as actor).  Only a
-- superuser's: a table owner can create the same policies on a table of their own, and
-- "protected" (copies into it are moves between protected tables, not copies in the
-- handling ledger) is for tables tmac.protect() or a superuser put under protection; the
-- owner's own DDL leaves the table unregistered, which the check protection_registry_mismatch
-- reports, and tmac.protect() by a tmac_admin who owns the table adopts it.  The role is
-- current_user at the DDL (this function runs as its caller): a superuser's DDL run inside
-- someone else's SECURITY DEFINER function is that someone's.  Not while a restore window is
-- open: a full dump carries the registry itself.
CREATE FUNCTION tmac.register_restored_protection() RETURNS event_trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  tbl regclass;
  col name;
BEGIN
  IF NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) THEN
    RETURN;
  END IF;
  FOR tbl IN
    SELECT DISTINCT x.relid::regclass
      FROM (SELECT CASE c.classid
                     WHEN 'pg_catalog.pg_class'::regclass THEN c.objid
                     WHEN 'pg_catalog.pg_policy'::regclass THEN (SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid = c.objid)
                     WHEN 'pg_catalog.pg_trigger'::regclass THEN (SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid = c.objid)
                   END AS relid
              FROM pg_catalog.pg_event_trigger_ddl_commands() c
             WHERE c.objsubid = 0 AND NOT c.in_extension) x
      JOIN pg_catalog.pg_class k ON k.oid = x.relid AND k.relkind IN ('r', 'p') AND k.relpersistence <> 't'
     WHERE NOT EXISTS (SELECT FROM tmac.protected_table p WHERE p.relid = x.relid)
     ORDER BY 1
  LOOP
    IF EXISTS (SELECT FROM tmac.restore_window) THEN
      RETURN;
    END IF;
    col := tmac.protection_label_column(tbl);
    IF col IS NOT NULL THEN
      PERFORM tmac.protection_register(tbl, col);
    END IF;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.register_restored_protection() IS
  'Event trigger (CREATE POLICY, CREATE TRIGGER, ALTER TABLE): registers a table on which a superuser''s DDL completed exactly tmac''s protection (a table restored from a partial dump)';
CREATE EVENT TRIGGER tmac_register_restored_protection ON ddl_command_end
  WHEN TAG IN ('CREATE POLICY', 'CREATE TRIGGER', 'ALTER TABLE')
  EXECUTE FUNCTION tmac.register_restored_protection();
COMMENT ON EVENT TRIGGER tmac_register_restored_protection IS
  'Registers in tmac.protected_table a table on which a superuser''s DDL completed exactly tmac''s protection (restored from a partial dump)';

-- Every protected table carries the codes of the current vocabulary: rewritten after each
-- change of it (not while a restore window is open: the dump carries the tables' labels).
-- Written in the catalog without locking the tables, so that no lock on a protected table
-- (LOCK TABLE … IN SHARE MODE, a long VACUUM) stalls a vocabulary change; serialised with
-- protect/unprotect/DROP by a SHARE lock on tmac.protected_table (src/vocabulary_needed.c).
CREATE FUNCTION tmac.vocabulary_needed_sync() RETURNS trigger
  AS 'MODULE_PATHNAME', 'tmac_vocabulary_needed_sync' LANGUAGE C;
COMMENT ON FUNCTION tmac.vocabulary_needed_sync() IS
  'Statement trigger: rewrites the tmac_vocabulary_needed label of every protected table after a change of the vocabulary, waiting for no lock on them';
CREATE FUNCTION tmac.vocabulary_needed_label(tbl regclass) RETURNS void
  AS 'MODULE_PATHNAME', 'tmac_vocabulary_needed_label' LANGUAGE C STRICT;
COMMENT ON FUNCTION tmac.vocabulary_needed_label(regclass) IS
  'Internal (protect, unprotect): gives a table the tmac_vocabulary_needed label of the latest vocabulary if it is in tmac.protected_table, removes it if not';
-- (its triggers on the three vocabulary tables are created with the copy's, 80_restore.sql)

-- A dropped table leaves the registry with it (audited like any change).
-- The table's name is gone with it: an entry records which table it was.
CREATE FUNCTION tmac.forget_dropped_tables() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  gone record;
BEGIN
  FOR gone IN SELECT o.object_identity, p.relid::oid AS relid, p.label_column
             FROM pg_catalog.pg_event_trigger_dropped_objects() o
             JOIN tmac.protected_table p ON p.relid::oid = o.objid
            WHERE o.classid = 'pg_catalog.pg_class'::regclass AND o.objsubid = 0
            ORDER BY 2 LOOP
    PERFORM tmac.audit_append('protected_table', 'DROP TABLE', gone.object_identity,
              pg_catalog.jsonb_build_object('relid', gone.relid::bigint, 'label_column', gone.label_column));
  END LOOP;
  DELETE FROM tmac.protected_table p
   USING pg_catalog.pg_event_trigger_dropped_objects() d
   WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0 AND d.objid = p.relid::oid;
END
$$;
COMMENT ON FUNCTION tmac.forget_dropped_tables() IS
  'Event trigger (DROP TABLE): removes dropped tables from tmac.protected_table';
CREATE EVENT TRIGGER tmac_forget_dropped_tables ON sql_drop
  WHEN TAG IN ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED')
  EXECUTE FUNCTION tmac.forget_dropped_tables();
COMMENT ON EVENT TRIGGER tmac_forget_dropped_tables IS
  'Removes dropped tables from tmac.protected_table (audited)';

-- How many rows of a protected table a role cannot see, by reason.  Counting
-- hidden rows reads past the policies, a table someone else owns, so it is
-- granted only to the roles that may ask (tmac_admin, tmac_access_admin,
-- tmac_auditor), and it is no query over that table: src/owner_scan.c reads
-- the heap itself, only the column tmac_read decides on (found by attribute
-- number, of exactly type tmac.label), so none of the owner's casts,
-- operators, domains, policies or rules can run with tmac's rights.
-- tmac.hidden_rows(tbl) asks for the acting role.
CREATE FUNCTION tmac.hidden_rows_for(tbl regclass, login_role name)
  RETURNS TABLE (reason text, hidden bigint)
  AS 'MODULE_PATHNAME', 'tmac_hidden_rows_for' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION tmac.hidden_rows_for(regclass, name) IS
  'For a role: how many rows of a protected table it cannot see, by the first failing check; for tmac_admin, tmac_access_admin, tmac_auditor';

CREATE FUNCTION tmac.hidden_rows(tbl regclass)
  RETURNS TABLE (reason text, hidden bigint)
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$ SELECT * FROM tmac.hidden_rows_for(tbl, current_user) $$;
COMMENT ON FUNCTION tmac.hidden_rows(regclass) IS
  'How many rows of a protected table the acting role cannot see, by the first failing check; for tmac_admin, tmac_access_admin, tmac_auditor';

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
