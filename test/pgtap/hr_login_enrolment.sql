-- hr_login_enrolment.sql — pgTAP: the HR feed maps persons only to login roles a DBA enrolled.
--
-- Mapping a person hands the login role to the HR feed (a termination makes it NOLOGIN and
-- ends its sessions, a rehire turns LOGIN back on), so HR may map only roles that tmac_admin
-- enrolled with tmac.enrol_login, and never its own role, a tmac_hr or tmac_admin member, a
-- tmac role or a privileged role.
BEGIN;
SELECT plan(36);
\i test/pgtap/people_fixture.psql

CREATE ROLE t_svc LOGIN;                 -- a service account nobody enrolled
CREATE ROLE t_new LOGIN;
CREATE ROLE t_app NOLOGIN;               -- an application owner, normally without LOGIN
CREATE ROLE t_late LOGIN;
CREATE ROLE t_m LOGIN;
CREATE ROLE t_feeder LOGIN;              -- feeds HR events with a direct grant, not through tmac_hr
GRANT INSERT (event_id, person_id, kind, effective_at, attributes) ON tmac.hr_event TO t_feeder;
CREATE ROLE t_hr2 LOGIN IN ROLE tmac_hr;
CREATE ROLE t_adm2 LOGIN IN ROLE tmac_admin;
CREATE ROLE t_cr LOGIN CREATEROLE;
CREATE ROLE t_grp NOLOGIN;
CREATE ROLE t_in_grp LOGIN IN ROLE t_grp;

-- The hint of the error a query raises as a role.
CREATE FUNCTION pg_temp.hint_of(r name, q text) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
  h text;
BEGIN
  PERFORM pg_temp.as_role(r, q);
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
  RETURN h;
END
$$;

-- enrolment
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', 'SELECT tmac.enrol_login(''t_new'')')$$, '42501', NULL,
                 'the HR feed cannot enrol login roles');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.enrol_login(''t_new'')')$$,
                'tmac_admin enrols a login role');
SELECT is((SELECT enrolled_by::text FROM tmac.login_enrolment WHERE login_role = 't_new'), 't_adm',
          'the enrolment records who enrolled it');
SELECT is(pg_temp.as_role('t_adm', 'SELECT tmac.enrol_login(''t_new'')')::bigint,
          (SELECT enrolment_id FROM tmac.login_enrolment WHERE login_role = 't_new'), 'enrolling again is a no-op');
SELECT throws_ok($$SELECT tmac.enrol_login('no_such_role')$$, '42704', NULL, 'an unknown role cannot be enrolled');
SELECT throws_ok(format('SELECT tmac.enrol_login(%L)', r), '22023',
                 format('role "%s" cannot be enrolled as a person''s login: %s', r, why), what)
  FROM (VALUES ('t_cr', 'it is a superuser, BYPASSRLS or CREATEROLE role', 'a CREATEROLE role cannot be enrolled'),
               ('t_grp', 'other roles are members of it (they could SET ROLE to it)', 'a role others are members of cannot be enrolled'),
               ('t_hr2', 'it feeds HR events (a member of tmac_hr)', 'an HR feed role cannot be enrolled'),
               ('t_adm2', 'it administers tmac (a member of tmac_admin)', 'a tmac_admin member cannot be enrolled')) v(r, why, what);
SELECT throws_ok($$SELECT tmac.enrol_login('tmac_approver')$$, '22023', NULL, 'a tmac role cannot be enrolled');
SELECT is((SELECT count(*)::integer FROM tmac.audit_log WHERE category = 'login_enrolment' AND subject = 't_new'), 1,
          'the enrolment is in the audit log');
SELECT lives_ok($$SELECT pg_temp.as_role('t_aud', 'SELECT count(*) FROM tmac.login_enrolment')$$,
                'tmac_auditor reads the enrolments');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'DELETE FROM tmac.login_enrolment RETURNING 1')$$, '42501', NULL,
                 'nobody deletes enrolments');

SELECT is((SELECT count(*)::integer FROM information_schema.role_routine_grants g
            WHERE g.routine_schema = 'tmac' AND g.grantee = 'PUBLIC'
              AND g.routine_name IN ('enrol_login', 'withdraw_login', 'acting_role', 'login_role_refusal',
                                     'login_enrolled', 'hr_validate_login_role')), 0,
          'none of the enrolment functions is granted to PUBLIC');

-- the HR feed refuses what is not enrolled
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('le-1', 'G1', 'hire', '{"full_name":"Ghost","login_role":"t_svc"}')$$, '42501',
                 'HR event "le-1" (hire): login role "t_svc" is not enrolled as a person''s login',
                 'a ghost hire mapped to a service account is refused');
SELECT is(pg_temp.hint_of('t_hr', $q$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                                     VALUES ('le-1', 'G1', 'hire', '{"full_name":"Ghost","login_role":"t_svc"}')$q$),
          'Ask a DBA to run tmac.enrol_login(''t_svc'') first; the HR feed maps persons only to enrolled login roles.',
          'the hint says how to enrol it');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('le-2', 'A1', 'transfer', '{"login_role":"t_svc","title":"主任"}')$$, '42501', NULL,
                 'a transfer to a role that is not enrolled is refused');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_svc'), true, 'the service account keeps its LOGIN');
SELECT lives_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                  VALUES ('le-3', 'N1', 'hire', '{"full_name":"Nao","login_role":"t_new"}')$$,
                'a hire mapped to an enrolled role works');

-- never the HR role itself, a tmac_hr or tmac_admin member
SELECT tmac.enrol_login('t_feeder') IS NOT NULL AS enrolled \gset
SELECT throws_ok($$SELECT pg_temp.as_role('t_feeder', $q$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                     VALUES ('le-4', 'F1', 'hire', '{"full_name":"Feeder","login_role":"t_feeder"}') RETURNING 1$q$)$$, '22023',
                 'HR event "le-4" (hire): login role "t_feeder" cannot be mapped to a person: it is the role that feeds this HR event',
                 'the HR feed cannot map a person to its own role');
SELECT tmac.enrol_login('t_late') IS NOT NULL AS enrolled \gset
GRANT tmac_admin TO t_late;
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('le-5', 'L1', 'hire', '{"full_name":"Late","login_role":"t_late"}')$$, '22023',
                 'HR event "le-5" (hire): login role "t_late" cannot be mapped to a person: it administers tmac (a member of tmac_admin)',
                 'a role that became a tmac_admin member after its enrolment is refused');
REVOKE tmac_admin FROM t_late;
GRANT tmac_hr TO t_late;
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('le-6', 'L1', 'hire', '{"full_name":"Late","login_role":"t_late"}')$$, '22023', NULL,
                 'so is a tmac_hr member');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('le-7', 'L1', 'hire', '{"full_name":"Late","login_role":"tmac_admin"}')$$, '22023', NULL,
                 'and a tmac role');

-- a rehire turns LOGIN back on only on the role tmac disabled, if still enrolled
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('le-8', 'N1', 'terminate');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_new'), false, 'the termination disables the enrolled login');
SELECT tmac.enrol_login('t_app') IS NOT NULL AS enrolled \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('le-9', 'N1', 'rehire', '{"login_role":"t_app"}');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_app'), false,
          'a rehire naming another role does not switch LOGIN on for it');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_new'), false, '... nor for the old one');

-- withdrawal
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.withdraw_login(''t_app'')')$$, '55000', NULL,
                 'an enrolment cannot be withdrawn while a person who is not terminated is mapped to it');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.withdraw_login(''t_new'')')$$,
                'a login no current person uses is withdrawn');
SELECT is((SELECT withdrawn_by::text FROM tmac.login_enrolment WHERE login_role = 't_new'), 't_adm', 'the withdrawal is recorded');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.withdraw_login(''t_new'')')$$, '42704', NULL,
                 'withdrawing twice is an error');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('le-10', 'N1', 'transfer', '{"login_role":"t_new","title":"主任"}')$$, '42501', NULL,
                 'a withdrawn role cannot be mapped again');

-- a termination touches only an enrolled role (here a mapping from before enrolment existed)
SELECT tmac.enrol_login('t_m') IS NOT NULL AS enrolled \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('le-11', 'M1', 'hire', '{"full_name":"Mio","login_role":"t_m"}');
UPDATE tmac.login_enrolment SET withdrawn_by = 'legacy', withdrawn_at = now() WHERE login_role = 't_m';
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('le-12', 'M1', 'terminate');
SELECT is((SELECT status FROM tmac.person WHERE person_id = 'M1'), 'terminated', 'the person is terminated');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_m'), true, 'but a login role that is not enrolled keeps LOGIN');
SELECT is((SELECT count(*)::integer FROM tmac.audit_log WHERE category = 'role' AND action = 'NOT_ENROLLED' AND subject = 't_m'), 1,
          'and the audit log says why it was left alone');

-- a scheduled event is checked again when it is applied
CREATE ROLE t_sched LOGIN;
SELECT tmac.enrol_login('t_sched') IS NOT NULL AS enrolled \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
VALUES ('le-13', 'S1', 'hire', now() + interval '1 day', '{"full_name":"Sora","login_role":"t_sched"}');
SELECT lives_ok($$SELECT tmac.withdraw_login('t_sched')$$, 'the enrolment of a role only a scheduled hire names can be withdrawn');
SELECT throws_ok($$SELECT tmac.hr_apply(e) FROM tmac.hr_event e WHERE e.event_id = 'le-13'$$, '42501', NULL,
                 'and the scheduled hire is refused when it comes due');

SELECT * FROM finish();
ROLLBACK;
