-- due_events_duties.sql — pgTAP: a termination that has come due stops the person's duties at
-- its instant, before any job applies it; exposing_views is readable by its readers.
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'work')$$) AS gid \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at)
VALUES ('due-1', 'C1', 'terminate', statement_timestamp() + interval '1 second');
SELECT is((SELECT outcome FROM tmac.hr_event WHERE event_id = 'due-1'), 'scheduled', 'the termination is scheduled');
SELECT pg_sleep(1.2);
SELECT is((SELECT status FROM tmac.person WHERE person_id = 'C1'), 'active', 'no job has applied it yet');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.approve(%s)')$$, :gid), '42501', NULL,
                 'the terminated approver can no longer approve once the termination is due');
SELECT lives_ok($$SELECT pg_temp.as_role('t_aud', 'SELECT count(*) FROM tmac.exposing_views')$$,
                'an auditor reads tmac.exposing_views');
SELECT * FROM finish();
ROLLBACK;
