-- 76_checks_owner_code.sql — the compliance check protected_table_owner_code (criterion V).
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
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN QUERY
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
END
$$;
COMMENT ON FUNCTION tmac.check_protected_table_owner_code() IS
  'Check protected_table_owner_code: protected tables with an index expression or predicate, trigger, rule, column default, constraint or policy calling a function owned by a role that is neither superuser nor tmac_admin member';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('protected_table_owner_code', 'V', 'high', tmac.msgid('Protected table running its owner''s code on every row'),
   tmac.msgid('An index expression or predicate, trigger, rule, column default, constraint or policy of a protected table calls a function owned by a role that is neither a superuser nor a tmac_admin member; it runs on hidden rows too, with no policy in between, and can copy them.'),
   tmac.msgid('Drop the object, or have an administrator own the function; have protected tables owned by a dedicated role, not by people who use them.'),
   'tmac.check_protected_table_owner_code', '{tmac.protected_table}', '{protected_tables}', true);
