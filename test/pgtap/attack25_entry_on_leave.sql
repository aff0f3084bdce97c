-- attack25_entry_on_leave.sql — pgTAP: an entry to a restricted area by a person on leave is
-- refused when recorded as it happens, and must be a finding when recorded "late".  The guard
-- (tmac_approver) records it with entered_at one second before the transaction: record_entry
-- then skips every live check (a late record), and area_entry_without_access decides the past
-- instant without its *active* check (the profile takes the status from today's state), while
-- leaver_activity looks only at terminated persons.  So a person on leave walks into a
-- CONFIDENTIAL lab with no refusal and no finding of any check.
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
-- A1 cleared CONFIDENTIAL two days ago; the lab is CONFIDENTIAL.
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'CONFIDENTIAL', now() + interval '30 days', 'design')$$);
UPDATE tmac.access_grant SET requested_at = now() - interval '2 days', approved_at = now() - interval '2 days',
       validity = tstzrange(now() - interval '2 days', upper(validity)) WHERE person_id = 'A1';
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_area('LAB-L', '試作室', '本社2F', 'card', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('LAB-L', 'CONFIDENTIAL')$$);
-- before the leave: an ordinary entry, no finding
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('LAB-L', person_id => 'A1', entered_at => now() - interval '1 hour')$$) AS e0 \gset
SELECT pg_temp.as_role('t_erin', format($$SELECT tmac.record_exit(%s)$$, :e0));
-- HR: A1 is on leave since 30 minutes ago
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  VALUES ('al-1', 'A1', 'leave', now() - interval '30 minutes', '{}');
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('LAB-L', person_id => 'A1')$q$)$$,
  '42501', 'person "A1" may not enter restricted area "LAB-L"', 'recorded as it happens, the entry of A1 on leave is refused');
SELECT lives_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('LAB-L', person_id => 'A1', entered_at => now() - interval '1 second')$q$)$$,
  'the same entry, entered_at one second before the transaction, is recorded (a late record)');
SELECT max(entry_id) AS e1 FROM tmac.area_entry \gset
SELECT pg_temp.as_role('t_erin', format($$SELECT tmac.record_exit(%s)$$, :e1));
SELECT cmp_ok((SELECT count(*) FROM tmac.findings WHERE subject = 'area_entry:' || :e1), '>', 0::bigint,
  'the entry of a person on leave is a finding (area_entry_without_access or another)');
SELECT is((SELECT count(*) FROM tmac.findings WHERE subject = 'area_entry:' || :e0), 0::bigint,
  'the entry before the leave is not');
SELECT * FROM finish();
ROLLBACK;
