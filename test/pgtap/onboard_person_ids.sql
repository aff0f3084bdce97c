-- onboard_person_ids.sql — pgTAP: one person, two spellings.  A person id is HR's (E004); a login
-- role is what sessions run as (e004).  Functions that take a person accept either where it is
-- unambiguous (tmac.resolve_person): the exact id first, else the one person with that login role
-- or with that id up to case; two candidates are an error; an unknown one stays unknown.
BEGIN;
SELECT plan(8);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.enrolled('e004', 'x8');
SELECT pg_temp.hire('pi-1', 'E004', '{"full_name":"山田 太郎","org_group":"DEV","login_role":"e004"}');
SELECT pg_temp.hire('pi-2', 'X7', '{"full_name":"Seven","login_role":"x8"}', pledged => false);
SELECT pg_temp.hire('pi-3', 'X8', '{"full_name":"Eight"}', pledged => false);
-- the person a request names, as recorded on its grant
CREATE FUNCTION pg_temp.grantee(q text) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
  id bigint;
BEGIN
  EXECUTE q INTO id;
  RETURN (SELECT g.person_id FROM tmac.grants g WHERE g.grant_id = id);
END
$$;

SET ROLE t_bob;
SELECT is(pg_temp.grantee($$SELECT tmac.request_access('e004', 'PRJ-A', now() + interval '30 days', 'design')$$),
          'E004', 'a request for the login role e004 is a request for person E004');
SELECT is(pg_temp.grantee($$SELECT tmac.request_clearance('t_alice', 'SECRET', now() + interval '30 days', 'design')$$),
          'A1', 'so is a clearance requested by login role');
SELECT is(pg_temp.grantee($$SELECT tmac.request_access('c1', 'PRJ-B', now() + interval '30 days', 'review')$$),
          'C1', 'an id written in another case names the one person it fits');
SELECT is(pg_temp.grantee($$SELECT tmac.request_access('E004', 'PRJ-B', now() + interval '30 days', 'design')$$),
          'E004', 'the id as HR writes it still works');
SELECT throws_ok($$SELECT tmac.request_access('x8', 'PRJ-A', now() + interval '30 days', 'x')$$, '22023',
                 '"x8" could name more than one person',
                 'x8 is X7''s login role and X8''s id up to case: refused, not guessed');
SELECT throws_ok($$SELECT tmac.request_access('nobody', 'PRJ-A', now() + interval '30 days', 'x')$$, '23503',
                 'unknown person "nobody"', 'an unknown person is reported as before');
RESET ROLE;
SELECT is(tmac.resolve_person('X8'), 'X8', 'an exact id wins over another person''s login role');
SELECT is(tmac.resolve_person('E004 '), 'E004 ', 'nothing else is guessed (spaces are not trimmed)');
SELECT * FROM finish();
ROLLBACK;
