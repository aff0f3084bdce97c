-- Hand-written part of sql/tmac--0.1.0--0.2.0.sql, run last, after the generated privileges
-- and comments (test/upgrade/make_upgrade.sh includes it).
-- tmac.end_restore() must have no initial privileges, so that every pg_dump writes its
-- REVOKE in the final privilege pass, which ends a restore window (sql/install/80_restore.sql).
DELETE FROM pg_catalog.pg_init_privs
 WHERE classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
   AND objoid = 'tmac.end_restore()'::pg_catalog.regprocedure;
