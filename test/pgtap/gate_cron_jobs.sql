-- gate_cron_jobs.sql — pgTAP: a terminated person's pg_cron jobs stop, audited.
--
-- pg_cron runs a job through a background worker that never passes the login gate, so the
-- termination disables (cron.alter_job) every active job that runs as the person's login role,
-- records each (job id, name, owner) in the audit log and on the person; a rehire re-enables
-- only those jobs, and only when the event says "restore_cron_jobs": true.  Runs in tmac_test,
-- the database where pg_cron keeps its jobs (cron.database_name in test/test.conf).
BEGIN;
SELECT plan(16);
\i test/pgtap/people_fixture.psql
CREATE FUNCTION pg_temp.active(j bigint) RETURNS boolean LANGUAGE sql AS $$SELECT active FROM cron.job WHERE jobid = j$$;
CREATE FUNCTION pg_temp.audited(act text, j bigint) RETURNS text LANGUAGE sql AS
  $$SELECT string_agg(concat_ws('/', detail ->> 'job_name', detail ->> 'owner', detail ->> 'person_id', detail ->> 'event_id'), ';')
      FROM tmac.audit_log WHERE category = 'cron' AND action = act AND subject = j::text$$;

SELECT ok(tmac.pg_cron_here(), 'pg_cron is created in this database');
SELECT cron.schedule_in_database('gate-alice-1', '0 3 * * *', 'SELECT 1', current_database(), 't_alice') AS a1 \gset
SELECT cron.schedule_in_database('gate-alice-2', '0 4 * * *', 'SELECT 2', current_database(), 't_alice') AS a2 \gset
SELECT cron.schedule_in_database('gate-alice-off', '0 5 * * *', 'SELECT 3', current_database(), 't_alice', false) AS a3 \gset
SELECT cron.schedule_in_database('gate-bob', '0 3 * * *', 'SELECT 4', current_database(), 't_bob') AS b1 \gset

INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('gc-1', 'A1', 'terminate');
SELECT ok(NOT pg_temp.active(:a1) AND NOT pg_temp.active(:a2), 'the termination disabled the person''s active jobs');
SELECT ok(pg_temp.active(:b1), 'another person''s job runs on');
SELECT is((SELECT cron_jobs_disabled_by_tmac FROM tmac.person WHERE person_id = 'A1'), ARRAY[:a1, :a2]::bigint[],
          'the person records the jobs tmac disabled (not the one that was inactive already)');
SELECT is(pg_temp.audited('DISABLE', :a1), 'gate-alice-1/t_alice/A1/gc-1', 'each disabled job is audited: name, owner, person, event');
SELECT is(pg_temp.audited('DISABLE', :a2), 'gate-alice-2/t_alice/A1/gc-1', '(the second one too)');
SELECT is(pg_temp.audited('DISABLE', :a3), NULL, 'the job that was inactive already is not');

-- a rehire without restore_cron_jobs leaves them disabled, audited
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('gc-2', 'A1', 'rehire');
SELECT ok(NOT pg_temp.active(:a1) AND NOT pg_temp.active(:a2), 'a rehire without restore_cron_jobs leaves the jobs disabled');
SELECT is(pg_temp.audited('LEFT_DISABLED', :a1), 'gate-alice-1/t_alice/A1/gc-2', 'and audits that it left each one so');
SELECT is((SELECT cron_jobs_disabled_by_tmac FROM tmac.person WHERE person_id = 'A1'), '{}'::bigint[], 'the person''s list is cleared');

-- terminated again; rehired with restore_cron_jobs: only tmac's jobs come back
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('gc-3', 'B1', 'terminate');
SELECT ok(NOT pg_temp.active(:b1), 'another termination disables that person''s job');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('gc-4', 'B1', 'rehire', '{"restore_cron_jobs": true}');
SELECT ok(pg_temp.active(:b1), 'a rehire with "restore_cron_jobs": true re-enables it');
SELECT is(pg_temp.audited('ENABLE', :b1), 'gate-bob/t_bob/B1/gc-4', 'audited');
SELECT ok(NOT pg_temp.active(:a3), 'a job tmac did not disable is never enabled by a rehire');

-- the attribute belongs to a rehire and is a boolean
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('gc-5', 'C1', 'terminate', '{"restore_cron_jobs": true}')$$,
                 '22023', NULL, 'restore_cron_jobs on a termination is refused');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('gc-6', 'A1', 'rehire', '{"restore_cron_jobs": "yes"}')$$,
                 '22023', NULL, 'restore_cron_jobs is true or false');

SELECT * FROM finish();
ROLLBACK;
