-- employee_reference_lists.sql — pgTAP: an employee (a person's login holding no tmac role
-- but tmac_person) reads the lists the README sends them to when they record handling or
-- report a leak sign: the seed's leak signs (tmac.leak_sign) and the handling actions.
BEGIN;
SELECT plan(3);
SET LOCAL search_path = public, tmac;
\i test/pgtap/people_fixture.psql
SELECT ok(pg_has_role('t_alice', 'tmac_person', 'USAGE') AND NOT pg_has_role('t_alice', 'tmac_approver', 'USAGE'),
          't_alice is an enrolled employee holding no other tmac role');
SELECT cmp_ok(pg_temp.as_role('t_alice', 'SELECT count(*) FROM tmac.leak_sign')::int, '>', 10,
              'the employee reads the seed''s leak signs');
SELECT cmp_ok(pg_temp.as_role('t_alice', 'SELECT count(*) FROM tmac.handling_action')::int, '>', 3,
              'the employee reads the handling actions');
SELECT * FROM finish();
ROLLBACK;
