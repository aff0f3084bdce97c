-- person_login_refused.sql — pgTAP: a person's login role that later became what tmac refuses to
-- map (a member of tmac_admin or tmac_hr, CREATEROLE, a role with members) is a finding:
-- created, seen, fixed, gone. (Found by an insider review: a person made tmac_admin after
-- enrolment could apply their own due termination from their own session.)
BEGIN;
SELECT plan(8);
\i test/pgtap/people_fixture.psql
CREATE FUNCTION pg_temp.n(subj text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT count(*) FROM tmac.findings WHERE check_code = 'person_login_refused' AND subject = subj $$;

SELECT is((SELECT criterion || ' ' || severity || ' ' || population::text FROM tmac.compliance_check
            WHERE check_code = 'person_login_refused'), 'II high {persons}',
  'person_login_refused: criterion II, high, over persons');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'person_login_refused'), 0::bigint,
  'the fixture''s persons have plain logins: no finding');

GRANT tmac_admin TO t_alice;
SELECT is(pg_temp.n('person:A1'), 1::bigint, 'a person''s login made a member of tmac_admin after enrolment: found');
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'person_login_refused' AND subject = 'person:A1'),
  't_alice of A1 .*administers tmac', '... and the detail names the role, the person and why');
REVOKE tmac_admin FROM t_alice;
SELECT is(pg_temp.n('person:A1'), 0::bigint, 'the membership revoked: gone');

GRANT tmac_hr TO t_bob;
ALTER ROLE t_carol CREATEROLE;
CREATE ROLE t_shadow;
GRANT t_dave TO t_shadow;
SELECT is(ARRAY(SELECT subject FROM tmac.findings WHERE check_code = 'person_login_refused' ORDER BY subject),
  ARRAY['person:B1', 'person:C1', 'person:D1'], 'a member of tmac_hr, a CREATEROLE login, a login with members: each found');

INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('plr-1', 'B1', 'terminate');
SELECT is(pg_temp.n('person:B1'), 0::bigint, 'a terminated person is not (terminated_* checks cover them)');

REVOKE t_dave FROM t_shadow;
ALTER ROLE t_carol NOCREATEROLE;
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'person_login_refused'), 0::bigint, 'all fixed: gone');

SELECT * FROM finish();
ROLLBACK;
