-- ledger_appointments.sql — pgTAP: appointments (管理者の選任, ③, I-3): the API and its errors,
-- HR termination ending a person's appointments and duties, and every finding: created, seen,
-- fixed, gone.
BEGIN;
SELECT plan(28);
\i test/pgtap/people_fixture.psql
\i test/pgtap/dedupe_helpers.psql

-- officer_missing: persons exist, nobody is appointed
SELECT is(pg_temp.n('officer_missing', 'appointment:information_officer'), 1::bigint, 'officer_missing: persons but no 情報管理責任者');
SELECT is((SELECT criterion FROM tmac.findings WHERE check_code = 'officer_missing'), 'I-3', '... under criterion I-3');
SELECT throws_ok($$SELECT tmac.appoint('C1', 'emperor', 'D1')$$, '22023', NULL, 'an unknown role is refused');
SELECT throws_ok($$SELECT tmac.appoint('ZZ', 'information_officer', 'D1')$$, '23503', NULL, 'an unknown person is refused');
SELECT throws_ok($$SELECT tmac.appoint('C1', 'information_officer', 'ZZ')$$, '23503', NULL, 'an unknown appointer is refused');
SELECT throws_ok($$SELECT tmac.appoint('C1', 'information_officer', 'D1', announced_how => '掲示')$$, '22023', NULL,
  'announced_how without announced_on is refused');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', 'SELECT tmac.appoint(''C1'', ''information_officer'', ''D1'')')$$, '42501', NULL,
  'HR cannot record appointments');
SELECT tmac.appoint('C1', 'information_officer', 'D1', scope => '全社') AS officer \gset
SELECT is(pg_temp.n('officer_missing'), 0::bigint, 'appointed: officer_missing gone');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'appointment' AND subject = 'C1'), 1::bigint, 'the appointment is audited');
SELECT is(pg_temp.as_role('t_aud', 'SELECT count(*) FROM tmac.appointment'), '1', 'the auditor reads the appointments');

-- appointment_not_announced
SELECT is(pg_temp.n('appointment_not_announced', 'appointment:' || :officer), 1::bigint, 'appointment_not_announced: never made known');
SELECT tmac.announce_appointment(:officer, '情報管理規程・社内研修', current_date);
SELECT is(pg_temp.n('appointment_not_announced'), 0::bigint, 'announced: gone');

-- officer_multiple: the API refuses a second one; a direct write shows the finding
SELECT throws_ok($$SELECT tmac.appoint('A1', 'information_officer', 'D1')$$, '23505', NULL, 'a second information officer is refused');
INSERT INTO tmac.appointment (role, person_id, appointed_by, valid_from, announced_how, announced_on)
  VALUES ('information_officer', 'A1', 'D1', current_date, '朝礼', current_date) RETURNING appointment_id AS second \gset
SELECT is(pg_temp.n('officer_multiple', 'appointment:information_officer'), 1::bigint, 'officer_multiple: two in force');
SELECT tmac.end_appointment(:second, 'entered by mistake');
SELECT is(pg_temp.n('officer_multiple'), 0::bigint, 'one ended: gone');
SELECT throws_ok(format('SELECT tmac.end_appointment(%s, %L)', :second, 'again'), '42704', NULL, 'an ended appointment cannot be ended again');

-- appointee_unavailable: on leave, moved
SELECT tmac.appoint('A1', 'department_manager', 'D1', scope_group => 'DEV', announced_how => '掲示', announced_on => current_date) AS dm \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('ap-1', 'A1', 'leave');
SELECT is(pg_temp.n('appointee_unavailable', 'appointment:' || :dm), 1::bigint, 'appointee_unavailable: the appointee is on leave');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('ap-2', 'A1', 'return');
SELECT is(pg_temp.n('appointee_unavailable'), 0::bigint, 'back from leave: gone');
-- (the appointment was made a day earlier: within one test transaction now() does not move)
UPDATE tmac.appointment SET started_at = now() - interval '1 day' WHERE appointment_id = :dm;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('ap-3', 'A1', 'transfer', '{"org_group":"SALES"}');
SELECT is(pg_temp.n('appointee_unavailable', 'appointment:' || :dm), 1::bigint, 'appointee_unavailable: the appointee moved after the appointment');
SELECT tmac.end_appointment(:dm, 'moved to sales');
SELECT is(pg_temp.n('appointee_unavailable'), 0::bigint, 'ended: gone');

-- HR termination ends appointments and assigned duties (key custody)
SELECT tmac.appoint('C1', 'key_custodian', 'D1', scope => '金庫A', announced_how => '掲示', announced_on => current_date) AS kc \gset
SELECT tmac.assign_duty('C1', 'key_custodian');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('ap-4', 'C1', 'terminate');
SELECT is((SELECT count(*) FROM tmac.appointment WHERE person_id = 'C1' AND ended_at IS NULL), 0::bigint,
  'termination ends every appointment of the person');
SELECT is((SELECT end_reason || ' ' || ended_by FROM tmac.appointment WHERE appointment_id = :kc), 'terminated hr_event:ap-4',
  '... with reason terminated, by the HR event');
SELECT is((SELECT count(*) FROM tmac.duty_assignment WHERE person_id = 'C1' AND ended_at IS NULL), 0::bigint,
  '... and their assigned duties (key custody)');
SELECT is(pg_temp.n('officer_missing'), 1::bigint, 'the officer left: officer_missing again');

-- appointee_unavailable for a termination the feed did not apply (a direct write)
SELECT tmac.appoint('E1', 'information_officer', 'D1', announced_how => '掲示', announced_on => current_date) AS o2 \gset
SELECT is(pg_temp.n('officer_missing'), 0::bigint, 'a new officer: gone');
UPDATE tmac.person SET status = 'terminated', terminated_at = now() WHERE person_id = 'E1';
SELECT is(pg_temp.n('appointee_unavailable', 'appointment:' || :o2), 1::bigint, 'appointee_unavailable: a terminated appointee');
UPDATE tmac.person SET status = 'active', terminated_at = NULL WHERE person_id = 'E1';
SELECT is(pg_temp.n('appointee_unavailable'), 0::bigint, 'active again: gone');
SELECT throws_ok($$DELETE FROM tmac.appointment$$, '0A000', NULL, 'appointments are never deleted');

SELECT * FROM finish();
ROLLBACK;
