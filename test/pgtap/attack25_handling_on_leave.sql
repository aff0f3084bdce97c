-- attack25_handling_on_leave.sql — pgTAP: handling_without_access asks whether the handler
-- "could read the asset's label when they handled it", but decides the past instant without the
-- *active* check (the profile takes the status from today's state).  A1, cleared SECRET, was on
-- leave from two days ago to yesterday — access suspended, no read of anything — and records a
-- take-out of a SECRET drawing dated 36 hours ago, in the middle of the leave: no finding.  The
-- same entry dated before A1's pledge is one (the check does look at that instant).
BEGIN;
SELECT plan(3);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.cleared_since('A1', 'SECRET', 7, 6);
SELECT pg_temp.secret_drawing('X-L', '図面', 'DEV');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('hl-1', 'A1', 'leave', now() - interval '2 days', '{}'), ('hl-2', 'A1', 'return', now() - interval '1 day', '{}');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.record_handling('X-L', 'take_out', '持出', due_at => now() + interval '1 day',
  handled_at => now() - interval '36 hours')$$)::bigint AS h_leave \gset
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.record_handling('X-L', 'take_out', '持出', due_at => now() + interval '1 day',
  handled_at => now() - interval '10 days')$$)::bigint AS h_early \gset
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'handling_without_access' AND subject = 'handling:' || :h_early), 1::bigint,
  'a take-out dated before the pledge is handling_without_access');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'handling_without_access' AND subject = 'handling:' || :h_leave), 1::bigint,
  'a take-out dated in the middle of A1''s leave (access suspended) is handling_without_access');
SELECT is((SELECT count(*) FROM tmac.access_as_of('A1', now() - interval '36 hours')), (SELECT count(*) FROM tmac.access_as_of('A1', now())),
  '(A1''s grants then and now are the same: only the leave differs)');
SELECT * FROM finish();
ROLLBACK;
