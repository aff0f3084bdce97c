-- Hand-written part of sql/tmac--0.1.0--0.2.0.sql, run last, after the generated privileges
-- and comments (test/upgrade/make_upgrade.sh includes it).
-- A fresh install ends with the blanket revoke of sql/install/99_privileges.sql, which gives
-- every function, table and sequence of schema tmac an explicit ACL and so initial privileges
-- (pg_init_privs), also where the ACL equals the default.  Do the same here, keeping what
-- PUBLIC may do (the generated privileges above already match the fresh install's).
DO $final$
DECLARE
  pub_fn regprocedure[];
  pub_rel regclass[];
  f regprocedure;
  r regclass;
BEGIN
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  SELECT coalesce(array_agg(p.oid::regprocedure), '{}') INTO pub_fn FROM pg_proc p
   WHERE p.pronamespace = 'tmac'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE');
  SELECT coalesce(array_agg(c.oid::regclass), '{}') INTO pub_rel FROM pg_class c
   WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
     AND has_table_privilege('public', c.oid, 'SELECT');
  REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tmac FROM PUBLIC;
  REVOKE ALL ON ALL TABLES IN SCHEMA tmac FROM PUBLIC;
  REVOKE ALL ON ALL SEQUENCES IN SCHEMA tmac FROM PUBLIC;
  FOREACH f IN ARRAY pub_fn LOOP
    EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO PUBLIC', f);
  END LOOP;
  FOREACH r IN ARRAY pub_rel LOOP
    EXECUTE format('GRANT SELECT ON %s TO PUBLIC', r);
  END LOOP;
END
$final$;
-- tmac.end_restore() must have no initial privileges, so that every pg_dump writes its
-- REVOKE in the final privilege pass, which ends a restore window (sql/install/80_restore.sql).
DELETE FROM pg_catalog.pg_init_privs
 WHERE classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
   AND objoid = 'tmac.end_restore()'::pg_catalog.regprocedure;
