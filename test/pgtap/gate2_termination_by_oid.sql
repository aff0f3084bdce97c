-- gate2_termination_by_oid.sql — pgTAP: a termination acts on the role by its OID, not its name.
--
-- The insider review's exploits (issue 17, item 5 follow-up):
--  1. a role with CREATEROLE renames an ACTIVE person's login role before HR's termination: the
--     termination still makes that role NOLOGIN, revokes its tmac roles, disables its pg_cron
--     jobs (scheduled under the old name and the new one) and audits it all under the new name;
--  2. a job scheduled for a terminated person afterwards (GRANT the role to oneself, SET ROLE,
--     cron.schedule) is the finding terminated_cron_job_active (II, high) until
--     tmac.run_maintenance() disables it, audited; a rehire never re-enables it;
--  4. a renamed role is still taken: neither enrolled again under its new name nor mapped to
--     another person by a hire.
-- (test/scripts/gate2_session_renamed.sh makes the real sessions.)  Runs in tmac_test, where
-- pg_cron keeps its jobs.
BEGIN;
SELECT plan(25);
\i test/pgtap/people_fixture.psql
CREATE FUNCTION pg_temp.n(code text, subj text DEFAULT NULL) RETURNS bigint LANGUAGE sql AS
  $$SELECT count(*) FROM tmac.findings f WHERE f.check_code = code AND (subj IS NULL OR f.subject = subj)$$;
CREATE FUNCTION pg_temp.active(j bigint) RETURNS boolean LANGUAGE sql AS $$SELECT active FROM cron.job WHERE jobid = j$$;
CREATE FUNCTION pg_temp.audited(cat text, act text, subj text) RETURNS text LANGUAGE sql AS
  $$SELECT string_agg(concat_ws('/', detail ->> 'role', detail ->> 'person_id', detail ->> 'event_id', detail ->> 'mapped_as'), ';' ORDER BY entry_id)
      FROM tmac.audit_log WHERE category = cat AND action = act AND subject = subj$$;
CREATE ROLE t_cr CREATEROLE;
GRANT USAGE ON SCHEMA cron TO PUBLIC;      -- (a DBA lets users schedule their own jobs)

-- 1. Carol's role is renamed while she is active; a job runs under each name.
SELECT cron.schedule_in_database('g2-carol-old', '0 3 * * *', 'SELECT 1', current_database(), 't_carol') AS c_old \gset
ALTER ROLE t_carol RENAME TO t_carol_tmp;
SELECT cron.schedule_in_database('g2-carol-new', '0 3 * * *', 'SELECT 2', current_database(), 't_carol_tmp') AS c_new \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('g2-1', 'C1', 'terminate');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_carol_tmp'), false,
          'the termination makes the renamed role NOLOGIN');
SELECT ok(NOT pg_has_role('t_carol_tmp', 'tmac_approver', 'MEMBER') AND NOT pg_has_role('t_carol_tmp', 'tmac_person', 'MEMBER'),
          'and revokes its tmac roles (tmac_approver, tmac_person)');
SELECT is((SELECT login_disabled_by_tmac FROM tmac.person WHERE person_id = 'C1'), true, 'the person records that tmac disabled the login');
SELECT is(pg_temp.audited('role', 'NOLOGIN', 't_carol_tmp'), 'C1/g2-1/t_carol',
          'NOLOGIN is audited under the role''s current name, with the name HR mapped');
SELECT is(pg_temp.audited('role', 'REVOKE', 't_carol_tmp'), 'tmac_approver/C1/g2-1/t_carol;tmac_person/C1/g2-1/t_carol',
          'each revocation is audited');
SELECT ok(NOT pg_temp.active(:c_old) AND NOT pg_temp.active(:c_new),
          'the jobs under the old name and under the new name are disabled');
SELECT is((SELECT cron_jobs_disabled_by_tmac FROM tmac.person WHERE person_id = 'C1'), ARRAY[:c_old, :c_new]::bigint[],
          'and recorded on the person');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'cron' AND action = 'DISABLE' AND detail ->> 'event_id' = 'g2-1'),
          2::bigint, 'each disabled job is audited');
SELECT is(pg_temp.n('terminated_login_enabled', 'person:C1'), 0::bigint, 'terminated_login_enabled is clear');

-- the same for a role renamed by someone else while active, and the name taken by a new role:
-- the termination acts on the recorded role, not on the squatter
ALTER ROLE t_dave RENAME TO t_dave_tmp;
CREATE ROLE t_dave LOGIN;
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('g2-2', 'D1', 'terminate');
SELECT is((SELECT string_agg(rolname || '=' || rolcanlogin, ' ' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('t_dave', 't_dave_tmp')),
          't_dave=true t_dave_tmp=false', 'the recorded role is made NOLOGIN, the role that took its name is not HR''s');
SELECT is(pg_temp.n('terminated_login_enabled', 'person:D1'), 1::bigint,
          '(the role under the old name is reported, as before: the login gate refuses it)');
DROP ROLE t_dave;

-- 2. A job created for the terminated person afterwards.
SET ROLE t_cr;
GRANT t_carol_tmp TO t_cr;
SET ROLE t_carol_tmp;
SELECT cron.schedule('g2-late', '* * * * *', 'SELECT 3') AS late \gset
RESET ROLE;
SELECT is(pg_temp.n('terminated_cron_job_active', 'person:C1'), 1::bigint, 'finding terminated_cron_job_active for the person');
SELECT ok((SELECT criterion = 'II' AND severity = 'high' AND detail LIKE '%' || :late || ' (g2-late, as t_carol_tmp)%'
             FROM tmac.findings WHERE check_code = 'terminated_cron_job_active' AND subject = 'person:C1'),
          'it is II, high, and names the job and its role');
SELECT is(pg_temp.n('terminated_cron_job_active', 'person:A1'), 0::bigint, 'nobody else is reported');
SELECT is((SELECT criterion FROM tmac.compliance_check WHERE check_code = 'terminated_cron_job_active'), 'II', 'the check is registered under II');
SELECT is((tmac.run_maintenance() ->> 'cron_jobs_disabled')::int, 1, 'run_maintenance disables it');
SELECT ok(NOT pg_temp.active(:late), 'the job is inactive');
SELECT is((SELECT detail ->> 'person_id' FROM tmac.audit_log WHERE category = 'cron' AND action = 'DISABLE' AND subject = :late::text),
          'C1', 'audited for the person');
SELECT is(pg_temp.n('terminated_cron_job_active'), 0::bigint, 'the finding is cleared');
-- a job re-enabled by hand is found and disabled again
SELECT cron.alter_job(:late, active => true);
SELECT is(pg_temp.n('terminated_cron_job_active', 'person:C1'), 1::bigint, 'a job turned on again is found again');
SELECT is((tmac.run_maintenance() ->> 'cron_jobs_disabled')::int, 1, 'and disabled again');
-- a rehire re-enables only what the termination disabled
ALTER ROLE t_carol_tmp RENAME TO t_carol;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('g2-3', 'C1', 'rehire', '{"restore_cron_jobs": true}');
SELECT ok(pg_temp.active(:c_old) AND NOT pg_temp.active(:late),
          'a rehire with restore_cron_jobs re-enables the person''s jobs, never the one scheduled after they left');

-- 4. A renamed role is still its person's.
ALTER ROLE t_alice RENAME TO t_alice_tmp;
SELECT throws_ok($$SELECT tmac.enrol_login('t_alice_tmp')$$, '23505',
                 'role "t_alice_tmp" is the login role of person "A1", mapped as "t_alice"',
                 'enrolling the renamed role under its new name is refused');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('g2-4', 'P9', 'hire', '{"full_name":"Peter","login_role":"t_alice_tmp"}')$$, '23505',
                 'HR event "g2-4" (hire): login role "t_alice_tmp" is already mapped to person "A1"',
                 'a hire mapping another person to it is refused');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('g2-5', 'A1', 'terminate');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('g2-6', 'E1', 'transfer', '{"login_role":"t_alice_tmp","title":"x"}')$$, '23505',
                 'HR event "g2-6" (transfer): login role "t_alice_tmp" is already mapped to person "A1"',
                 'so is a transfer, after the person was terminated');

SELECT * FROM finish();
ROLLBACK;
