-- roles.sql — tmac's roles (cluster-wide) as JSON, for gen_upgrade.py.
SELECT coalesce(json_agg(json_build_object(
         'name', r.rolname, 'login', r.rolcanlogin, 'inherit', r.rolinherit,
         'member_of', (SELECT coalesce(json_agg(g.rolname ORDER BY g.rolname), '[]')
                         FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                        WHERE m.member = r.oid),
         'comment', pg_catalog.shobj_description(r.oid, 'pg_authid')) ORDER BY r.rolname), '[]')
  FROM pg_catalog.pg_roles r WHERE r.rolname LIKE 'tmac\_%';
