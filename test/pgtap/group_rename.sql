-- group_rename.sql — pgTAP: renaming a group keeps persons, grant bindings and group-based access.
BEGIN;
SELECT plan(5);
\i test/pgtap/people_fixture.psql
SELECT tmac.define_compartment('PRJ-G', 'Group rename project');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('A1', 'PRJ-G', now() + interval '30 days', 'rename test')$$) AS gid \gset
SELECT pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)', :gid));
SELECT tmac.rename_group('DEV', 'R-AND-D');
SELECT is((SELECT g.code FROM tmac.person p JOIN tmac.org_group g ON g.group_id = p.org_group_id WHERE p.person_id = 'A1'), 'R-AND-D',
          'the person''s group follows the rename');
SELECT is((SELECT g.code FROM tmac.access_grant a JOIN tmac.org_group g ON g.group_id = a.bound_org_group_id WHERE a.grant_id = :gid), 'R-AND-D',
          'the grant''s binding follows the rename');
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :gid), 'active',
          'a rename is not a role change: the grant stays active');
SELECT is((SELECT org_group_id FROM tmac.access_profile_of('A1', now())),
          (SELECT group_id FROM tmac.org_group WHERE code = 'R-AND-D'),
          'the access profile still resolves the person''s group');
SELECT is((SELECT count(*)::int FROM tmac.person p JOIN tmac.org_group g ON g.group_id = p.org_group_id WHERE g.code = 'DEV'), 0, 'no person keeps the old code');
SELECT * FROM finish();
ROLLBACK;
