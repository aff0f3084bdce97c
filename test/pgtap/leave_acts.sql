-- leave_acts.sql — pgTAP: an act dated while its person was on leave is a finding of its check
-- across registers (tmac.leave_spans, from the HR feed's history: attack25).  A1 is cleared SECRET
-- and was on leave from three days ago to yesterday: a key borrowed then is key_loan_without_access
-- ("A1 was on leave"); the same loan after the return is not; a leave without a return is open.
BEGIN;
SELECT plan(5);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.cleared_since('A1', 'SECRET', 10, 8);
SELECT pg_temp.secret_drawing('X-K', '図面', 'DEV');
SELECT pg_temp.key_cabinet('CAB-K', 'X-K', 'K-K', 'C1');
UPDATE tmac.container_asset SET stored_at = now() - interval '9 days';
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('la-1', 'A1', 'leave', now() - interval '3 days', '{}'), ('la-2', 'A1', 'return', now() - interval '1 day', '{}');
SELECT results_eq($$SELECT person_id, lower(span) < now() - interval '2 days', upper(span) < now() FROM tmac.leave_spans()$$,
                  $$VALUES ('A1'::text, true, true)$$, 'leave_spans: A1''s leave, from the leave to the return');
SELECT pg_temp.returned_loan('K-K', 'A1', 'C1', now() - interval '2 days') AS on_leave \gset
SELECT pg_temp.returned_loan('K-K', 'A1', 'C1', now() - interval '12 hours') AS back \gset
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'key_loan_without_access' AND subject = 'key_loan:' || :on_leave
             AND detail LIKE '%A1 was on leave%'), 1::bigint, 'a key borrowed during the leave is key_loan_without_access');
SELECT is((SELECT count(*) FROM tmac.findings WHERE subject = 'key_loan:' || :back), 0::bigint, 'the same key borrowed after the return is not');
-- a leave without a return: open (the fixture hired A1 an hour ago)
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES ('la-3', 'A1', 'leave', now() - interval '30 minutes', '{}');
SELECT is((SELECT count(*) FROM tmac.leave_spans() WHERE upper_inf(span)), 1::bigint, 'a leave not ended is open-ended');
SELECT is(tmac.on_leave_failure(ARRAY[tstzrange(now() - interval '1 hour', NULL)], now()), ARRAY['active'], 'on_leave_failure: active inside a span');
SELECT * FROM finish();
ROLLBACK;
