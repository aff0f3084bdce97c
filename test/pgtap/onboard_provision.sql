-- onboard_provision.sql — pgTAP: tmac.provision_logins() creates, enrols and maps the login roles
-- of hired persons who have none, in one call, audited, and never a privileged role.
BEGIN;
SELECT plan(19);
\i test/pgtap/people_fixture.psql
CREATE ROLE p5 LOGIN SUPERUSER;           -- a role of the name a person id would give, already there
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('pv-1', 'P1', 'hire', now() - interval '1 hour', '{"full_name":"Pat","org_group":"DEV"}'),
  ('pv-2', 'P2', 'hire', now() - interval '1 hour', '{"full_name":"Kim","kind":"contractor"}'),
  ('pv-3', 'P3', 'hire', now() - interval '1 hour', '{"full_name":"Guest","kind":"visitor","responsible_person":"A1"}'),
  ('pv-4', 'P4', 'hire', now() - interval '1 hour', '{"full_name":"Gone"}'),
  ('pv-5', 'P5', 'hire', now() - interval '1 hour', '{"full_name":"Taken"}');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('pv-6', 'P4', 'terminate');
SELECT max(entry_id) AS mark FROM tmac.audit_log \gset
-- the rows a query returns, as text, in its order
\i test/pgtap/dedupe_helpers.psql

SET ROLE t_hr;
SELECT throws_ok($$SELECT * FROM tmac.provision_logins()$$, '42501', NULL, 'the HR feed cannot provision logins');
RESET ROLE;
SET ROLE t_adm;
SELECT is(pg_temp.rows($$SELECT person_id, login_role, action FROM tmac.provision_logins() ORDER BY 1$$),
          '(P1,p1,created) (P2,p2,created) (P5,,skipped)',
                  'employees and contractors without a login get one; an existing role of the name is not taken over');
RESET ROLE;
SELECT is(pg_temp.rows($$SELECT rolname, rolcanlogin, rolinherit, rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls,
                           rolpassword IS NULL FROM pg_authid WHERE rolname IN ('p1', 'p2') ORDER BY 1$$),
          '(p1,t,t,f,t) (p2,t,t,f,t)',
                  'each new role is an ordinary LOGIN INHERIT role without a password');
SELECT is((SELECT string_agg(m.roleid::regrole::text || '>' || m.member::regrole::text, ',' ORDER BY 1) FROM pg_auth_members m
            WHERE m.member IN ('p1'::regrole, 'p2'::regrole) OR m.roleid IN ('p1'::regrole, 'p2'::regrole)),
          'tmac_person>p1,tmac_person>p2', 'it has no members and is a member of tmac_person only');
SELECT is((SELECT tmac.login_role_refusal('p1')), NULL, 'it is a role that can be a person''s login');
SELECT is(pg_temp.rows($$SELECT person_id, login_role, login_role_oid = (SELECT oid FROM pg_roles WHERE rolname = login_role)
                      FROM tmac.person WHERE person_id IN ('P1', 'P2') ORDER BY 1$$),
          '(P1,p1,t) (P2,p2,t)', 'each person is mapped to their new role');
SELECT is(pg_temp.rows($$SELECT login_role, enrolled_by FROM tmac.login_enrolment WHERE login_role IN ('p1', 'p2') ORDER BY 1$$),
          '(p1,t_adm) (p2,t_adm)', 'and it is enrolled by the tmac_admin who provisioned it');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'p5'), true, 'the existing superuser p5 is left as it was');
SELECT is((SELECT login_role FROM tmac.person WHERE person_id = 'P5'), NULL, 'and is not mapped to P5');
SELECT ok(NOT tmac.login_enrolled('p5'), 'nor enrolled');
SELECT is(pg_temp.rows($$SELECT actor, action, subject, detail ->> 'person_id' FROM tmac.audit_log
                     WHERE entry_id > $$ || :mark || $$ AND category = 'role' ORDER BY entry_id$$),
          '(t_adm,CREATE,p1,P1) (t_adm,CREATE,p2,P2)',
                  'each creation is audited, by the administrator, naming the person');
SELECT is(pg_temp.rows($$SELECT subject, detail -> 'new' ->> 'login_role' FROM tmac.audit_log
                     WHERE entry_id > $$ || :mark || $$ AND category = 'person' AND action = 'UPDATE' ORDER BY entry_id$$),
          '(P1,p1) (P2,p2)', 'and so is each person''s new login role');

SET ROLE t_adm;
SELECT is(pg_temp.rows($$SELECT person_id, action FROM tmac.provision_logins()$$), '(P5,skipped)',
                  'a second call creates nothing more');
SELECT is(pg_temp.rows($$SELECT person_id, login_role, action FROM tmac.provision_logins(ARRAY['P3', 'p4', 'nobody']) ORDER BY 1$$),
          '(P3,p3,created) (P4,,skipped) (nobody,,skipped)',
                  'listed persons: a visitor too (and p4 names P4), never a terminated person or an unknown one');
RESET ROLE;
SET LOCAL lc_messages = 'ja_JP.UTF-8';
SET ROLE t_adm;
SELECT is((SELECT detail FROM tmac.provision_logins(ARRAY['P4'])), '払い出していません: この人員は退職済みです',
          'what it did is said in the session''s language: Japanese');
RESET ROLE;
SET LOCAL lc_messages = 'C';
SET ROLE t_adm;
SELECT is((SELECT detail FROM tmac.provision_logins(ARRAY['P4'])), 'not provisioned: the person is terminated',
          'or English');
RESET ROLE;
SELECT ok(pg_has_role('p3', 'tmac_person', 'MEMBER') AND NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'p4'),
          'the visitor''s role is made, the leaver gets none');

-- an act of the administrator's own: not from someone else's SECURITY DEFINER function
CREATE FUNCTION public.pv_launder() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS $$ SELECT count(*) FROM tmac.provision_logins() $$;
ALTER FUNCTION public.pv_launder() OWNER TO t_adm;
GRANT EXECUTE ON FUNCTION public.pv_launder() TO t_alice;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('pv-7', 'P7', 'hire', now() - interval '1 hour', '{"full_name":"Later"}');
SET ROLE t_alice;
SELECT throws_ok($$SELECT public.pv_launder()$$, '42501', NULL,
                 'provisioning through an administrator''s SECURITY DEFINER function is refused');
RESET ROLE;
SELECT ok(NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'p7'), 'and made no role');

SELECT * FROM finish();
ROLLBACK;
