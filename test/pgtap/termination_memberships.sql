-- termination_memberships.sql — pgTAP: termination removes every membership that leads to a tmac
-- role (tmac_declassifier and memberships through intermediate roles included).
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
CREATE ROLE t_leads NOLOGIN IN ROLE tmac_approver;
GRANT t_leads TO t_alice;
GRANT tmac_declassifier TO t_alice;
CREATE ROLE t_club NOLOGIN;
GRANT t_club TO t_alice;
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('tm-1', 'A1', 'terminate');
SELECT ok(NOT pg_has_role('t_alice', 'tmac_approver', 'MEMBER'), 'no longer an approver through t_leads');
SELECT ok(NOT pg_has_role('t_alice', 'tmac_declassifier', 'MEMBER'), 'no longer a declassifier');
SELECT ok(pg_has_role('t_alice', 't_club', 'MEMBER'), 'a membership unrelated to tmac is left alone');
SELECT ok(pg_has_role('t_carol', 'tmac_approver', 'MEMBER'), 'other people keep their roles');
SELECT * FROM finish();
ROLLBACK;
