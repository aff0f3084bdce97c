-- hr_login_role.sql — pgTAP: the HR feed cannot hand a person's access to another role.
BEGIN;
SELECT plan(5);
\i test/pgtap/people_fixture.psql
CREATE ROLE t_super LOGIN SUPERUSER;
CREATE ROLE t_team LOGIN;
CREATE ROLE t_member LOGIN IN ROLE t_team;
CREATE ROLE t_newlogin LOGIN;
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('lr-1', 'S1', 'hire', '{"full_name":"Super","login_role":"t_super"}')$$,
                 '22023', NULL, 'a person cannot be mapped to a superuser role');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('lr-2', 'T1', 'hire', '{"full_name":"Team","login_role":"t_team"}')$$,
                 '22023', NULL, 'a person cannot be mapped to a role that others are members of');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'work')$$) AS gid \gset
SELECT pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)', :gid));
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :gid), 'active', 'the grant is in force');
SELECT tmac.enrol_login('t_newlogin') IS NOT NULL AS enrolled \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
VALUES ('lr-3', 'A1', 'transfer', '{"login_role":"t_newlogin","title":"主任"}');  -- title unchanged
SELECT is((SELECT status || '/' || end_reason FROM tmac.grants WHERE grant_id = :gid), 'ended/role_change',
          'a new login role ends every grant in force: the new identity must be approved again');
SELECT is((SELECT login_role::text FROM tmac.person WHERE person_id = 'A1'), 't_newlogin', 'the person is mapped to the new role');
SELECT * FROM finish();
ROLLBACK;
