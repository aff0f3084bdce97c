-- leave_acts.sql — pgTAP: an act dated while its person was on leave is a finding of its check
-- across registers (tmac.leave_spans, from the HR feed's history: attack25).  A1 is cleared SECRET
-- and was on leave from three days ago to yesterday: a key borrowed then is key_loan_without_access
-- ("A1 was on leave"); the same loan after the return is not; a leave without a return is open.
BEGIN;
SELECT plan(5);
\i test/pgtap/people_fixture.psql
UPDATE tmac.pledge SET signed_on = current_date - 10 WHERE person_id = 'A1';
UPDATE tmac.training_completion SET completed_on = current_date - 10 WHERE person_id = 'A1';
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'design')$$);
UPDATE tmac.access_grant SET requested_at = now() - interval '8 days', approved_at = now() - interval '8 days',
       validity = tstzrange(now() - interval '8 days', upper(validity)) WHERE person_id = 'A1';
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('X-K', '図面', '技術', 'paper', label => 'SECRET',
  managing_group => 'DEV', manager => 'C1', location => '金庫')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_container('CAB-K', '図面キャビネット', '開発部', 'key', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.store_asset('CAB-K', 'X-K')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_key('K-K', 'container', 'CAB-K', 'C1')$$);
UPDATE tmac.container_asset SET stored_at = now() - interval '9 days';
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('la-1', 'A1', 'leave', now() - interval '3 days', '{}'), ('la-2', 'A1', 'return', now() - interval '1 day', '{}');
SELECT results_eq($$SELECT person_id, lower(span) < now() - interval '2 days', upper(span) < now() FROM tmac.leave_spans()$$,
                  $$VALUES ('A1'::text, true, true)$$, 'leave_spans: A1''s leave, from the leave to the return');
INSERT INTO tmac.key_loan (key_id, borrower, approved_by, lent_at, due_at, returned_at, received_by)
  SELECT key_id, 'A1', 'C1', now() - interval '2 days', now() - interval '2 days' + interval '2 hours',
         now() - interval '2 days' + interval '1 hour', 'C1' FROM tmac.physical_key WHERE code = 'K-K'
  RETURNING loan_id AS on_leave \gset
INSERT INTO tmac.key_loan (key_id, borrower, approved_by, lent_at, due_at, returned_at, received_by)
  SELECT key_id, 'A1', 'C1', now() - interval '12 hours', now() - interval '10 hours',
         now() - interval '11 hours', 'C1' FROM tmac.physical_key WHERE code = 'K-K'
  RETURNING loan_id AS back \gset
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'key_loan_without_access' AND subject = 'key_loan:' || :on_leave
             AND detail LIKE '%A1 was on leave%'), 1::bigint, 'a key borrowed during the leave is key_loan_without_access');
SELECT is((SELECT count(*) FROM tmac.findings WHERE subject = 'key_loan:' || :back), 0::bigint, 'the same key borrowed after the return is not');
-- a leave without a return: open (the fixture hired A1 an hour ago)
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES ('la-3', 'A1', 'leave', now() - interval '30 minutes', '{}');
SELECT is((SELECT count(*) FROM tmac.leave_spans() WHERE upper_inf(span)), 1::bigint, 'a leave not ended is open-ended');
SELECT is(tmac.on_leave_failure(ARRAY[tstzrange(now() - interval '1 hour', NULL)], now()), ARRAY['active'], 'on_leave_failure: active inside a span');
SELECT * FROM finish();
ROLLBACK;
