-- 74_checks_protection.sql — the compliance checks over the catalogs and the protected tables
-- (criteria V and I-2): privileged roles (their register, tmac.privileged_role), labelled and
-- protected tables, partitions and inheritance children, tables carrying tmac's policies,
-- views, schemas, functions over labels, foreign keys that cascade out of a protected table and
-- the code a protected table's owner attaches to it.
--
-- They are in one file of their own rather than next to protection (61_protect.sql): they read
-- PostgreSQL's catalogs, not one of tmac's registers, and concern the whole database; the
-- checks of tmac's own registers are at the end of each register's file (the registry:
-- 45_compliance_registry.sql).  Each check is one SQL function returning (subject, detail,
-- detected_at), registered at the end of this file with the population it looks at.  All are
-- SQL-standard bodies (BEGIN ATOMIC): what they read, tmac.protected_table and tmac.exposing_views
-- included, is defined before this file (61_protect.sql); those that read either still name it in
-- `requires`.

-- Privileged roles: superusers and BYPASSRLS roles must be registered with a reason.
CREATE TABLE tmac.privileged_role (
  role_name     name PRIMARY KEY,
  justification text NOT NULL CHECK (length(btrim(justification)) >= 10),
  registered_at timestamptz NOT NULL DEFAULT now(),
  registered_by name NOT NULL DEFAULT session_user,
  builtin       boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE tmac.privileged_role IS
  'Roles allowed to be superuser or BYPASSRLS (they see every protected row), each with a justification';
INSERT INTO tmac.privileged_role (role_name, justification, builtin)
  SELECT rolname, 'bootstrap superuser of the cluster (created by initdb)', true
    FROM pg_catalog.pg_roles WHERE oid = 10;
SELECT pg_catalog.pg_extension_config_dump('tmac.privileged_role', 'WHERE NOT builtin');

CREATE FUNCTION tmac.register_privileged_role(role_name name, justification text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('register_privileged_role', 'role_name', role_name::text, 'justification', justification);
  IF length(btrim(justification)) < 10 THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = tmac.message('the justification of a privileged role must say why, in at least 10 characters'),
            HINT = tmac.message('Say who uses the role and for what, e.g. ''nightly backup by the operations team''.');
  END IF;
  INSERT INTO tmac.privileged_role (role_name, justification) VALUES (role_name, justification)
  ON CONFLICT ON CONSTRAINT privileged_role_pkey DO UPDATE
     SET justification = EXCLUDED.justification, registered_at = now(), registered_by = session_user;
END
$$;
COMMENT ON FUNCTION tmac.register_privileged_role(name, text) IS
  'Records why a role may be superuser or BYPASSRLS, closing its privileged_role_unregistered finding';

CREATE FUNCTION tmac.unregister_privileged_role(role_name name) RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  BEGIN ATOMIC
    DELETE FROM tmac.privileged_role p WHERE p.role_name = unregister_privileged_role.role_name;
  END;
COMMENT ON FUNCTION tmac.unregister_privileged_role(name) IS 'Removes a role from the privileged-role register';

-- The checks that need only the catalogs and the SoD tables.
CREATE FUNCTION tmac.check_privileged_role_unregistered()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'role:' || r.rolname,
         tmac.message('Role %s is %s but not registered as privileged; it sees every protected row. Remove the attribute (ALTER ROLE %s NO%s) or record why with tmac.register_privileged_role.',
                r.rolname,
                CASE WHEN r.rolsuper AND r.rolbypassrls THEN tmac.message('SUPERUSER and BYPASSRLS')
                     WHEN r.rolsuper THEN 'SUPERUSER' ELSE 'BYPASSRLS' END,
                pg_catalog.quote_ident(r.rolname),
                CASE WHEN r.rolsuper THEN 'SUPERUSER' ELSE 'BYPASSRLS' END),
         NULL::timestamptz
    FROM pg_catalog.pg_roles r
   WHERE (r.rolsuper OR r.rolbypassrls)
     AND NOT EXISTS (SELECT 1 FROM tmac.privileged_role p WHERE p.role_name = r.rolname);
END;
COMMENT ON FUNCTION tmac.check_privileged_role_unregistered() IS
  'Check privileged_role_unregistered: superuser or BYPASSRLS roles missing from tmac.privileged_role';

CREATE FUNCTION tmac.check_label_column_unprotected()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- tmac.label, and any domain over it (at any depth): a domain hides no labelled rows
  WITH RECURSIVE label_type(oid) AS (
    SELECT 'tmac.label'::regtype::oid
    UNION
    SELECT t.oid FROM pg_catalog.pg_type t JOIN label_type l ON t.typbasetype = l.oid WHERE t.typtype = 'd'
  )
  SELECT 'table:' || c.oid::regclass::text,
         tmac.message('Table %s has labelled rows (column %s of type tmac.label or a domain over it) but row security is %s; every role with SELECT sees every row. Protect it (tmac.protect) or ALTER TABLE %s ENABLE and FORCE ROW LEVEL SECURITY.',
                c.oid::regclass, pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', '),
                CASE WHEN NOT c.relrowsecurity THEN tmac.message('disabled') ELSE tmac.message('not forced') END, c.oid::regclass),
         NULL::timestamptz
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
   WHERE a.atttypid IN (SELECT l.oid FROM label_type l)
     AND c.relkind IN ('r', 'p')
     AND c.relnamespace <> 'tmac'::regnamespace
     AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
   GROUP BY c.oid, c.relrowsecurity;
END;
COMMENT ON FUNCTION tmac.check_label_column_unprotected() IS
  'Check label_column_unprotected: user tables with a column of type tmac.label (or a domain over it) whose row security is disabled or not forced';

CREATE FUNCTION tmac.check_column_label_exceeds_table()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'table:' || col.objoid::regclass::text,
         tmac.message('Column %s.%s is labelled %s but its table is %s; the table''s label must dominate its columns'' (SECURITY LABEL FOR tmac ON TABLE %s IS ''…'').',
                col.objoid::regclass, quote_ident(a.attname), col.label::text,
                coalesce(tbl.label::text, tmac.message('unlabelled')), col.objoid::regclass),
         NULL::timestamptz
    FROM pg_catalog.pg_seclabel col
    JOIN pg_catalog.pg_attribute a ON a.attrelid = col.objoid AND a.attnum = col.objsubid
    LEFT JOIN pg_catalog.pg_seclabel tbl
           ON tbl.provider = 'tmac' AND tbl.classoid = col.classoid AND tbl.objoid = col.objoid AND tbl.objsubid = 0
   WHERE col.provider = 'tmac' AND col.classoid = 'pg_catalog.pg_class'::regclass AND col.objsubid > 0
     AND (tbl.label IS NULL OR NOT (tbl.label::tmac.label @> col.label::tmac.label));
END;
COMMENT ON FUNCTION tmac.check_column_label_exceeds_table() IS
  'Check column_label_exceeds_table: a column classified above (or outside) its table''s classification, or in an unlabelled table';

-- Checks over row-level enforcement (tmac.protect's registry, 61_protect.sql).
CREATE FUNCTION tmac.check_protected_table_unenforced()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'table:' || t.relid::text,
         tmac.message('Protected table %s has %s; its rows are not filtered by label as tmac.protect set it up. Run tmac.unprotect(%L) and tmac.protect(%L) again (for a partition or child: on its topmost protected parent).',
                t.relid::text,
                CASE WHEN NOT c.relrowsecurity THEN tmac.message('row security disabled')
                     WHEN NOT c.relforcerowsecurity THEN tmac.message('row security not forced')
                     WHEN lc.typ IS NULL THEN tmac.message('no label column %I', t.label_column)
                     WHEN lc.typ <> 'tmac.label'::regtype THEN tmac.message('its label column %I of type %s, not tmac.label', t.label_column, lc.typ)
                     WHEN pc.n < 5 THEN tmac.message('only %s of tmac''s 5 policies', pc.n)
                     ELSE tmac.message('tmac''s policies or declassification guard altered') END,
                t.relid::text, t.relid::text),
         t.protected_at
    FROM tmac.protected_table t
    JOIN pg_catalog.pg_class c ON c.oid = t.relid
    CROSS JOIN LATERAL (SELECT count(*) AS n FROM pg_catalog.pg_policy p
                         WHERE p.polrelid = t.relid
                           AND p.polname IN ('tmac_base', 'tmac_read', 'tmac_insert', 'tmac_update', 'tmac_delete')) pc
    LEFT JOIN LATERAL (SELECT a.atttypid::regtype AS typ FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = t.relid AND a.attname = t.label_column AND a.attnum > 0
                          AND NOT a.attisdropped) lc ON true
   WHERE NOT tmac.protection_in_place(t.relid, t.label_column)
  UNION ALL
  -- Citus (src/citus.c): a protected table Citus manages has shards whose tmac policies are
  -- permissive; on a worker, such a shard carries them under tmac's names (and a shard id)
  SELECT 'table:' || t.relid::text,
         tmac.message('Protected table %s is distributed by Citus: its shards carry tmac''s policies as permissive ones (Citus drops AS RESTRICTIVE), so on the workers every role would read every row. Undistribute it (SELECT undistribute_table(%L)) and keep it a local table on the coordinator.',
                t.relid::text, t.relid::text),
         t.protected_at
    FROM tmac.protected_table t
   WHERE tmac.citus_managed(t.relid)
  UNION ALL
  SELECT DISTINCT 'table:' || p.polrelid::regclass::text,
         tmac.message('Table %s carries tmac''s policies as permissive ones, the shape Citus gives the shards of a protected table distributed by force: they would let every role read every row, and tmac refuses every statement over it. Drop the table (on the coordinator, undistribute the protected table), or drop its tmac policies.',
                p.polrelid::regclass::text),
         NULL::timestamptz
    FROM pg_catalog.pg_policy p
   WHERE p.polpermissive AND p.polname ~ '^tmac_(read|insert|update|delete)(_[0-9]+)?$'
     AND EXISTS (SELECT FROM pg_catalog.pg_extension e WHERE e.extname = 'citus');
END;
COMMENT ON FUNCTION tmac.check_protected_table_unenforced() IS
  'Check protected_table_unenforced: tables registered by tmac.protect whose row security was disabled or not forced, whose label column is gone or no longer of type tmac.label, or whose tmac policies or declassification guard were dropped or altered; on Citus, a protected table Citus manages, and a table (a shard) carrying tmac''s policies as permissive ones';

-- A parent's policies filter its children's rows when the parent is read, a
-- child's own when the child is read: a link between a protected and an
-- unprotected table (or two tables protected on different label columns)
-- shows rows unfiltered.  tmac.protect and its event trigger refuse or repair
-- every such link they see; this finds those made while they could not see
-- (event triggers disabled, session_replication_role = replica, …).
CREATE FUNCTION tmac.check_protected_tree_inconsistent()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'table:' || i.inhrelid::regclass::text,
         CASE WHEN pc.relid IS NULL THEN
                tmac.message('Table %s is a partition or child of the protected table %s but is not protected itself: read directly, its rows are not filtered by label. Run tmac.protect(%L, %L).',
                       i.inhrelid::regclass, i.inhparent::regclass, i.inhrelid::regclass::text, pp.label_column)
              WHEN pp.relid IS NULL THEN
                tmac.message('The protected table %s is a partition or child of %s, which is not protected: read through %s, its rows are not filtered by label. Run tmac.protect(%L).',
                       i.inhrelid::regclass, i.inhparent::regclass, i.inhparent::regclass, i.inhparent::regclass::text)
              ELSE
                tmac.message('Table %s is protected on column %s but its parent %s on column %s: read through the parent, its rows are filtered by the other column. Detach it, unprotect it and attach it again (it is then protected on the parent''s column).',
                       i.inhrelid::regclass, quote_ident(pc.label_column), i.inhparent::regclass, quote_ident(pp.label_column))
         END,
         coalesce(pc.protected_at, pp.protected_at)
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid AND c.relkind IN ('r', 'p', 'f')
    LEFT JOIN tmac.protected_table pp ON pp.relid = i.inhparent
    LEFT JOIN tmac.protected_table pc ON pc.relid = i.inhrelid
   WHERE (pp.relid IS NULL) <> (pc.relid IS NULL) OR pp.label_column <> pc.label_column;
END;
COMMENT ON FUNCTION tmac.check_protected_tree_inconsistent() IS
  'Check protected_tree_inconsistent: a partition or inheritance child and its parent not protected alike (one unprotected, or on different label columns)';

-- tmac's policies or guard on a table that tmac.protected_table does not list: a table
-- restored from a partial dump by someone other than a superuser (61_protect.sql), or
-- policies its owner named like tmac's.  tmac does not treat it as protected (no handling
-- entries for copies into it, unprotect() refuses it).  The other way round (a registry row
-- whose policies are gone) is protected_table_unenforced.
CREATE FUNCTION tmac.check_protection_registry_mismatch()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'table:' || x.relid::regclass::text,
         CASE WHEN x.col IS NOT NULL THEN
                tmac.message('Table %s carries tmac''s protection on column %s (its five policies, forced row security and declassification guard) but has no row in tmac.protected_table, so tmac does not treat it as protected (copies into it are not recorded as handling; tmac.unprotect() refuses it). It was probably restored from a partial dump (pg_dump -t or -n) by a role that is not a superuser. Review it, then run SELECT tmac.protect(%L, %L): it adopts the protection in place.',
                       x.relid::regclass, quote_ident(x.col), x.relid::regclass::text, x.col)
              ELSE
                tmac.message('Table %s carries policies or triggers named like tmac''s (%s), but not tmac''s protection as tmac.protect() creates it, and has no row in tmac.protected_table: it looks protected but its rows are not filtered as tmac''s are. Drop them (DROP POLICY … / DROP TRIGGER …) and run SELECT tmac.protect(%L, label_column).',
                       x.relid::regclass, array_to_string(x.objs, ', '), x.relid::regclass::text)
         END,
         NULL::timestamptz
    FROM (SELECT c.oid AS relid, tmac.protection_objects(c.oid::regclass) AS objs,
                 tmac.protection_label_column(c.oid::regclass) AS col
            FROM pg_catalog.pg_class c
           WHERE c.relkind IN ('r', 'p')
             AND NOT EXISTS (SELECT FROM tmac.protected_table p WHERE p.relid = c.oid)
             AND (EXISTS (SELECT FROM pg_catalog.pg_policy p
                           WHERE p.polrelid = c.oid
                             AND p.polname IN ('tmac_base', 'tmac_read', 'tmac_insert', 'tmac_update', 'tmac_delete'))
                  OR EXISTS (SELECT FROM pg_catalog.pg_trigger t
                              WHERE t.tgrelid = c.oid AND t.tgname = 'zz_tmac_declassify'))) x
   ORDER BY 1;
END;
COMMENT ON FUNCTION tmac.check_protection_registry_mismatch() IS
  'Check protection_registry_mismatch: tables carrying tmac''s policies or declassification guard without a row in tmac.protected_table';

CREATE FUNCTION tmac.check_exposing_view()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'view:' || v.view::text,
         tmac.message('View %s reads protected table(s) %s with the access of its owner %s%s, not of its reader. Recreate it WITH (security_invoker = true) or confirm it is intended.',
                v.view::text, array_to_string(v.tables, ', '), v.owner,
                CASE WHEN v.acting_person IS NOT NULL THEN tmac.message(' (person %s)', v.acting_person) ELSE '' END),
         NULL::timestamptz
    FROM tmac.exposing_views v;
END;
COMMENT ON FUNCTION tmac.check_exposing_view() IS
  'Check exposing_view: views over protected tables without security_invoker (their readers see what the owner may see)';

-- Ways to plant code that runs in other people's sessions (issue: a trojan
-- <@ on the search_path).  A schema where everyone may create objects lets
-- anyone shadow a function or operator for whoever has it on their path; a
-- function or operator outside tmac that takes tmac.label, owned by someone
-- who is neither a superuser nor a tmac administrator, may be such a shadow.
CREATE FUNCTION tmac.check_schema_public_create()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'schema:' || quote_ident(n.nspname),
         tmac.message('Everyone (PUBLIC) may create objects in schema %s while this database has protected tables: anyone can plant a function or operator there (e.g. a <@ over tmac.label) that runs in the sessions of whoever has %s on their search_path. Run REVOKE CREATE ON SCHEMA %s FROM PUBLIC.',
                quote_ident(n.nspname), quote_ident(n.nspname), quote_ident(n.nspname)),
         NULL::timestamptz
    FROM pg_catalog.pg_namespace n
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
     AND EXISTS (SELECT 1 FROM pg_catalog.aclexplode(n.nspacl) a WHERE a.grantee = 0 AND a.privilege_type = 'CREATE')
     AND EXISTS (SELECT 1 FROM tmac.protected_table);
END;
COMMENT ON FUNCTION tmac.check_schema_public_create() IS
  'Check schema_public_create: schemas where PUBLIC has CREATE in a database with protected tables';

CREATE FUNCTION tmac.check_label_function_untrusted()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH label_types AS (
    SELECT t.oid FROM pg_catalog.pg_type t
     WHERE t.oid = 'tmac.label'::regtype OR t.typbasetype = 'tmac.label'::regtype
  ), admins AS (
    SELECT r.oid FROM pg_catalog.pg_roles r
     WHERE r.rolsuper OR pg_catalog.pg_has_role(r.oid, 'tmac_admin', 'MEMBER')
  )
  SELECT 'function:' || p.oid::regprocedure::text,
         tmac.message('Function %s takes tmac.label and is owned by %s, who is neither a superuser nor a tmac_admin: on a search_path before tmac it can shadow tmac''s own and run in other people''s sessions. Drop it, or have an administrator own it (ALTER FUNCTION … OWNER TO).',
                p.oid::regprocedure, pg_catalog.pg_get_userbyid(p.proowner)),
         NULL::timestamptz
    FROM pg_catalog.pg_proc p
   WHERE p.pronamespace <> 'tmac'::regnamespace
     AND EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proargtypes::oid[]) a WHERE a IN (SELECT l.oid FROM label_types l))
     AND p.proowner NOT IN (SELECT a.oid FROM admins a)
  UNION ALL
  SELECT 'operator:' || o.oid::regoperator::text,
         tmac.message('Operator %s takes tmac.label and is owned by %s, who is neither a superuser nor a tmac_admin: on a search_path before tmac it shadows tmac''s own and runs in other people''s sessions. Drop it (DROP OPERATOR %s).',
                o.oid::regoperator, pg_catalog.pg_get_userbyid(o.oprowner), o.oid::regoperator),
         NULL::timestamptz
    FROM pg_catalog.pg_operator o
   WHERE o.oprnamespace <> 'tmac'::regnamespace
     AND (o.oprleft IN (SELECT l.oid FROM label_types l) OR o.oprright IN (SELECT l.oid FROM label_types l))
     AND o.oprowner NOT IN (SELECT a.oid FROM admins a)
  UNION ALL
  -- a cast is found by its types alone, whatever the search_path: one to tmac.label from a type
  -- of the owner's runs the owner's function wherever such a value is passed as a label
  SELECT 'cast:' || pg_catalog.format_type(c.castsource, NULL) || ' AS ' || pg_catalog.format_type(c.casttarget, NULL),
         tmac.message('The %s cast from %s to %s runs %s, owned by %s, who is neither a superuser nor a tmac_admin: casts are found without a search_path, so it runs in the session of whoever passes such a value where a label is expected. Drop it (DROP CAST (%s AS %s)), or have an administrator own its function.',
                CASE c.castcontext WHEN 'i' THEN tmac.message('implicit') WHEN 'a' THEN tmac.message('assignment') ELSE tmac.message('explicit') END,
                pg_catalog.format_type(c.castsource, NULL), pg_catalog.format_type(c.casttarget, NULL),
                c.castfunc::regprocedure, pg_catalog.pg_get_userbyid(p.proowner),
                pg_catalog.format_type(c.castsource, NULL), pg_catalog.format_type(c.casttarget, NULL)),
         NULL::timestamptz
    FROM pg_catalog.pg_cast c
    JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc
   WHERE (c.castsource IN (SELECT l.oid FROM label_types l) OR c.casttarget IN (SELECT l.oid FROM label_types l))
     AND p.pronamespace <> 'tmac'::regnamespace
     AND p.proowner NOT IN (SELECT a.oid FROM admins a);
END;
COMMENT ON FUNCTION tmac.check_label_function_untrusted() IS
  'Check label_function_untrusted: functions, operators and casts outside schema tmac over tmac.label (a cast: to or from it), owned by a role that is neither superuser nor tmac_admin member';

-- Information flow the write-down rule cannot see (issue 17, items 2-3 follow-up): PostgreSQL's
-- referential actions run as the referencing table's owner without row security, so a foreign
-- key that cascades an update of a protected table's key writes that key into the referencing
-- rows — possibly of a lower label, possibly in an unprotected table — with no policy, no
-- refusal and no handling entry.  Catalogs only: no row of any table is read.
CREATE FUNCTION tmac.check_protected_fk_cascade()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'table:' || c.conrelid::regclass::text,
         tmac.message('Table %s has %s referencing %s with ON UPDATE CASCADE, SET NULL or SET DEFAULT: changing a referenced key writes into its rows as the table owner, without row security, whatever their label, unrefused and unrecorded. Use ON UPDATE RESTRICT or NO ACTION (ALTER TABLE … DROP CONSTRAINT, ADD CONSTRAINT), or keys that carry nothing secret.',
                c.conrelid::regclass::text,
                CASE WHEN count(*) > 1 THEN tmac.message('the foreign keys %s', string_agg(quote_ident(c.conname::text), ', ' ORDER BY c.conname))
                     ELSE tmac.message('the foreign key %s', string_agg(quote_ident(c.conname::text), ', ' ORDER BY c.conname)) END,
                CASE WHEN count(DISTINCT c.confrelid) > 1 THEN tmac.message('the protected tables %s', string_agg(DISTINCT c.confrelid::regclass::text, ', '))
                     ELSE tmac.message('the protected table %s', string_agg(DISTINCT c.confrelid::regclass::text, ', ')) END),
         max(p.protected_at)
    FROM pg_catalog.pg_constraint c
    JOIN tmac.protected_table p ON p.relid::oid = c.confrelid
   WHERE c.contype = 'f' AND c.conparentid = 0 AND c.confupdtype IN ('c', 'n', 'd')
   GROUP BY c.conrelid;
END;
COMMENT ON FUNCTION tmac.check_protected_fk_cascade() IS
  'Check protected_fk_cascade: foreign keys with ON UPDATE CASCADE, SET NULL or SET DEFAULT referencing a protected table (the referential action writes into the referencing rows without row security)';

-- protected_table_owner_code (criterion V).
--
-- Whoever owns a protected table controls it: code attached to the table runs on every row
-- it touches, hidden or not, with no policy in between — an index expression or predicate
-- (evaluated for every row written and at every rebuild), a trigger, a rule, a column
-- default or generated column, a check constraint, a policy of the owner's own.  Such code
-- calling a function its owner wrote can copy hidden rows anywhere (README, "Bypass tests":
-- an uncleared owner reads them all).  This check names, per protected table, each such
-- object whose function is owned by a role that is neither a superuser nor a tmac_admin
-- member (tmac's own functions, in schema tmac, are never named).  It finds what pg_depend
-- records: a function called only by name inside a PL/pgSQL body is not found (the trigger
-- calling it is).

CREATE FUNCTION tmac.check_protected_table_owner_code()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH admins AS (
    SELECT r.oid FROM pg_catalog.pg_roles r
     WHERE r.rolsuper OR pg_catalog.pg_has_role(r.oid, 'tmac_admin', 'MEMBER')
  ), attached AS (
    SELECT CASE d.classid
             WHEN 'pg_catalog.pg_class'::pg_catalog.regclass
               THEN (SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = d.objid)
             WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass
               THEN (SELECT g.tgrelid FROM pg_catalog.pg_trigger g WHERE g.oid = d.objid)
             WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass
               THEN (SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid = d.objid)
             WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass
               THEN (SELECT a.adrelid FROM pg_catalog.pg_attrdef a WHERE a.oid = d.objid)
             WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass
               THEN (SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.oid = d.objid)
             WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass
               THEN (SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid = d.objid)
           END AS relid,
           pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS what, d.refobjid AS fn
      FROM pg_catalog.pg_depend d
     WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
       AND d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_trigger'::pg_catalog.regclass,
                         'pg_catalog.pg_rewrite'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass,
                         'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_policy'::pg_catalog.regclass)
  )
  SELECT 'table:' || t.relid::text,
         tmac.message('Protected table %s runs code owned by a role that is neither a superuser nor a tmac_admin on every row it touches, hidden or not: %s. Such code can copy rows its owner may not read. Drop it or have an administrator own the function, and have protected tables owned by a dedicated role.',
                t.relid::text,
                pg_catalog.string_agg(tmac.message('%s calls %s (owned by %s)', x.what, f.oid::pg_catalog.regprocedure,
                                                        pg_catalog.pg_get_userbyid(f.proowner)),
                                      '; ' ORDER BY x.what, f.oid::pg_catalog.regprocedure::text)),
         NULL::timestamptz
    FROM tmac.protected_table t
    JOIN attached x ON x.relid = t.relid::pg_catalog.oid
    JOIN pg_catalog.pg_proc f ON f.oid = x.fn
   WHERE f.pronamespace <> 'tmac'::pg_catalog.regnamespace
     AND f.proowner NOT IN (SELECT a.oid FROM admins a)
   GROUP BY t.relid;
END;
COMMENT ON FUNCTION tmac.check_protected_table_owner_code() IS
  'Check protected_table_owner_code: protected tables with an index expression or predicate, trigger, rule, column default, constraint or policy calling a function owned by a role that is neither superuser nor tmac_admin member';

-- PostgreSQL's activity counters count the rows the policy hid.  pg_stat_get_tuples_returned(index),
-- pg_stat_get_xact_tuples_fetched(table) … (and the views over them: pg_stat_user_tables,
-- pg_stat_user_indexes, pg_stat_xact_user_tables, pg_statio_user_tables …) are executable by
-- PUBLIC, and their value right after one's own query tells how many hidden rows an index scan
-- or a bitmap heap scan went through: `WHERE secret = 'launch-3'` returns 0 rows while the index
-- counter says 216.  tmac cannot rewrite them; a superuser revokes them from PUBLIC (grant to
-- pg_read_all_stats, which pg_monitor is a member of) with tmac.restrict_activity_counters(), and
-- the check activity_counters_public reports each one PUBLIC can still execute.  The list: the
-- per-table/per-index counters of tuples or blocks, cumulative and of the current transaction
-- (taking one oid): pg_stat_get_[xact_]tuples_{returned,fetched,inserted,updated,deleted,hot_updated},
-- pg_stat_get_[xact_]blocks_{fetched,hit}, pg_stat_get_{live,dead}_tuples,
-- pg_stat_get_mod_since_analyze, pg_stat_get_ins_since_vacuum, and the database's totals of the
-- same (taking the database's oid: pg_stat_get_db_tuples_*, pg_stat_get_db_blocks_*, read by
-- pg_stat_database), which in a quiet database move by exactly one's own scan.  Not the scan
-- counts (numscans), the vacuum/analyze times and counts (README, Security notes).
CREATE FUNCTION tmac.activity_counter_functions() RETURNS SETOF regprocedure
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT p.oid::pg_catalog.regprocedure
    FROM pg_catalog.pg_proc p
   WHERE p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace
     AND p.proname OPERATOR(pg_catalog.~) '^pg_stat_get_(xact_|db_)?(tuples_(returned|fetched|inserted|updated|deleted|hot_updated)|blocks_(fetched|hit))$|^pg_stat_get_(live_tuples|dead_tuples|mod_since_analyze|ins_since_vacuum)$'
     AND p.proargtypes OPERATOR(pg_catalog.=) '26'::pg_catalog.oidvector
   ORDER BY p.proname;
END;
COMMENT ON FUNCTION tmac.activity_counter_functions() IS
  'Internal (restrict_activity_counters, check activity_counters_public): PostgreSQL''s per-table and per-index counters of tuples or blocks, cumulative and of the current transaction, and the database''s totals of them, which count the rows the row policy hid';

CREATE FUNCTION tmac.restrict_activity_counters() RETURNS SETOF regprocedure
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  f regprocedure;
  changed regprocedure[] := '{}';
BEGIN
  IF NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
          MESSAGE = tmac.message('only a superuser may restrict the activity counters'),
          DETAIL = tmac.message('It changes the privileges of functions in pg_catalog.'),
          HINT = tmac.message('Ask a superuser to run SELECT tmac.restrict_activity_counters().');
  END IF;
  FOR f IN
    SELECT a.f FROM tmac.activity_counter_functions() a(f)
      JOIN pg_catalog.pg_proc p ON p.oid = a.f::pg_catalog.oid
     WHERE EXISTS (SELECT FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x
                    WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE')
        OR NOT EXISTS (SELECT FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x
                        WHERE x.grantee = 'pg_read_all_stats'::pg_catalog.regrole AND x.privilege_type = 'EXECUTE')
  LOOP
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO pg_read_all_stats', f);
    changed := changed || f;
    RETURN NEXT f;
  END LOOP;
  IF pg_catalog.cardinality(changed) > 0 THEN
    PERFORM tmac.audit_append('hardening', 'restrict_activity_counters', 'pg_catalog',
                              pg_catalog.jsonb_build_object('functions', changed::text[], 'granted_to', 'pg_read_all_stats'));
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.restrict_activity_counters() IS
  'Superuser only: revokes EXECUTE from PUBLIC on PostgreSQL''s per-table and per-index tuple and block counters and the database''s totals of them (tmac.activity_counter_functions(), which count rows the policy hid) and grants it to pg_read_all_stats; ordinary logins then get permission denied from the tuple and block columns (and SELECT *) of pg_stat_user_tables, pg_stat_user_indexes, pg_statio_user_tables and their xact_ and all_ forms and of pg_stat_database, members of pg_read_all_stats or pg_monitor keep them; idempotent, audited; returns the functions changed';

CREATE FUNCTION tmac.check_activity_counters_public()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'function:' || a.f::text,
         tmac.message('Everyone (PUBLIC) may execute %s, which counts the rows an index or table scan went through, those the row policy hides included: right after a query that returns no row, it tells how many hidden rows matched. Run SELECT tmac.restrict_activity_counters().',
                a.f::text),
         NULL::timestamptz
    FROM tmac.activity_counter_functions() a(f)
    JOIN pg_catalog.pg_proc p ON p.oid = a.f::pg_catalog.oid
   WHERE EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x
                  WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE')
     AND EXISTS (SELECT 1 FROM tmac.protected_table);
END;
COMMENT ON FUNCTION tmac.check_activity_counters_public() IS
  'Check activity_counters_public: PostgreSQL''s per-table and per-index tuple and block counters (and the database''s totals of them) PUBLIC may execute in a database with protected tables';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('privileged_role_unregistered', 'V', 'high',
   tmac.msgid('Superuser or BYPASSRLS role not registered as privileged'),
   tmac.msgid('A role with SUPERUSER or BYPASSRLS bypasses row-level security and sees every protected row; each such role must be known and justified.'),
   tmac.msgid('Remove the attribute, or record the reason with tmac.register_privileged_role(role, justification).'),
   'tmac.check_privileged_role_unregistered', '{}', '{protected_tables}', true),
  ('label_column_unprotected', 'V', 'critical',
   tmac.msgid('Labelled rows without forced row security'),
   tmac.msgid('A user table stores row labels (a tmac.label column, or one of a domain over it) but row-level security is disabled or not forced, so labels are not enforced (seed ⑨).'),
   tmac.msgid('Run tmac.protect(table), or ALTER TABLE … ENABLE ROW LEVEL SECURITY and FORCE ROW LEVEL SECURITY.'),
   'tmac.check_label_column_unprotected', '{}', '{label_tables}', true),
  ('column_label_exceeds_table', 'I-2', 'low', tmac.msgid('Column classified above its table'),
   tmac.msgid('A column carries a tmac label its table''s label does not dominate (or the table has no label), so the table understates what it holds.'),
   tmac.msgid('Raise the table''s label (SECURITY LABEL FOR tmac ON TABLE …) or correct the column''s.'), 'tmac.check_column_label_exceeds_table', '{}', '{labelled_columns}', true),
  ('protected_table_unenforced', 'V', 'critical', tmac.msgid('Protected table with row security off or not forced'),
   tmac.msgid('A table tmac.protect registered has row-level security disabled or not forced, or tmac''s policies were dropped, so its rows are not filtered by label (seed ⑨).'),
   tmac.msgid('Run tmac.unprotect(table) and tmac.protect(table) again (for a partition or child: on its topmost protected parent); find who changed it in the PostgreSQL log.'), 'tmac.check_protected_table_unenforced', '{tmac.protected_table}', '{protected_tables}', true),
  ('protected_tree_inconsistent', 'V', 'critical', tmac.msgid('Partition or inheritance child protected differently from its parent'),
   tmac.msgid('A partition or inheritance child and its parent are not protected alike: reading the parent applies the parent''s policies to the child''s rows, reading the child its own, so an unprotected one (or one protected on another label column) shows rows unfiltered (seed ⑨).'),
   tmac.msgid('Protect the unprotected table (tmac.protect on the parent protects the whole tree), or detach the child.'), 'tmac.check_protected_tree_inconsistent', '{tmac.protected_table}', '{protected_tables}', true),
  ('protection_registry_mismatch', 'V', 'high', tmac.msgid('Table carrying tmac''s policies but not registered as protected'),
   tmac.msgid('A table carries tmac''s policies or declassification guard but has no row in tmac.protected_table (restored from a partial dump by a role that is not a superuser, or policies named like tmac''s): tmac does not treat it as protected.'),
   tmac.msgid('Review it, then run tmac.protect(table, label_column): it adopts a protection that is exactly tmac''s; otherwise drop the look-alike policies first.'), 'tmac.check_protection_registry_mismatch', '{tmac.protected_table}', '{protected_tables}', true),
  ('exposing_view', 'V', 'medium', tmac.msgid('View exposing protected rows with its owner''s access'),
   tmac.msgid('A view over a protected table without security_invoker shows its readers what its owner may see.'),
   tmac.msgid('Recreate the view WITH (security_invoker = true), or confirm the owner''s access is intended for every reader.'), 'tmac.check_exposing_view', '{tmac.exposing_views}', '{protected_tables}', true),
  ('schema_public_create', 'V', 'high', tmac.msgid('Schema where everyone may create objects'),
   tmac.msgid('PUBLIC has CREATE on a schema in a database with protected tables: anyone can plant functions or operators there that run in other people''s sessions (e.g. a trojan <@ over tmac.label).'),
   tmac.msgid('REVOKE CREATE ON SCHEMA … FROM PUBLIC, and put tmac before public on the search_path.'), 'tmac.check_schema_public_create', '{tmac.protected_table}', '{protected_tables}', true),
  ('label_function_untrusted', 'V', 'high', tmac.msgid('Function, operator or cast over tmac.label owned by a non-administrator'),
   tmac.msgid('A function or operator outside schema tmac takes tmac.label, or a cast to or from tmac.label runs a function, owned by a role that is neither a superuser nor a tmac_admin member; on a search_path before tmac it can shadow tmac''s own (a cast needs no search_path) and run in other people''s sessions.'),
   tmac.msgid('Drop it, or have an administrator own it; keep tmac before public on the search_path.'), 'tmac.check_label_function_untrusted', '{}', '{protected_tables}', true),
  ('protected_fk_cascade', 'V', 'medium', tmac.msgid('Foreign key cascading updates from a protected table'),
   tmac.msgid('A foreign key references a protected table with ON UPDATE CASCADE, SET NULL or SET DEFAULT: PostgreSQL''s referential actions run as the table owner without row security, so changing a referenced key writes it into referencing rows of any label, or of an unprotected table, with no write-down refusal and no handling entry.'),
   tmac.msgid('Recreate the foreign key with ON UPDATE RESTRICT or NO ACTION, or reference a key that carries nothing secret (a surrogate key).'),
   'tmac.check_protected_fk_cascade', '{tmac.protected_table}', '{protected_tables}', true),
  ('protected_table_owner_code', 'V', 'high', tmac.msgid('Protected table running its owner''s code on every row'),
   tmac.msgid('An index expression or predicate, trigger, rule, column default, constraint or policy of a protected table calls a function owned by a role that is neither a superuser nor a tmac_admin member; it runs on hidden rows too, with no policy in between, and can copy them.'),
   tmac.msgid('Drop the object, or have an administrator own the function; have protected tables owned by a dedicated role, not by people who use them.'),
   'tmac.check_protected_table_owner_code', '{tmac.protected_table}', '{protected_tables}', true),
  ('activity_counters_public', 'V', 'high', tmac.msgid('Activity counters that count hidden rows readable by everyone'),
   tmac.msgid('PostgreSQL''s per-table and per-index counters of tuples and blocks (pg_stat_user_tables, pg_stat_user_indexes, pg_stat_get_xact_tuples_returned …) are executable by PUBLIC and count the rows the row policy hid: right after a query that returns no row, anyone reads how many hidden rows matched it (a count of a compartment, or whether a hidden row holds a guessed value).'),
   tmac.msgid('SELECT tmac.restrict_activity_counters() (as a superuser): the counters are then for pg_read_all_stats and pg_monitor members only.'),
   'tmac.check_activity_counters_public', '{tmac.protected_table}', '{protected_tables}', true);

-- A setting that weakens protected tables (51_settings.sql): planner statistics, which count
-- hidden rows, reach the estimates (EXPLAIN) of persons who may not read every row.
INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('hide_statistics', 'protected_table_unenforced', 'off', NULL, false,
   tmac.msgid('the planner''s statistics of protected tables, which count hidden rows, show in the estimates (EXPLAIN) of persons who may not read every row'));
