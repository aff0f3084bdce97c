-- xreg_checks.sql — pgTAP: the checks across registers (87_checks_cross.sql).  For each finding:
-- its code and population, the condition created, the finding seen, fixed (or reviewed) and
-- cleared; for each refusal: the error with its SQLSTATE, and the legitimate variant accepted.
BEGIN;
SELECT plan(61);
\i test/pgtap/people_fixture.psql

\i test/pgtap/dedupe_helpers.psql

-- A1 is cleared for SECRET (approved now); D1 (営業部) is not.  The asset is SECRET, managed by 営業部.
-- Keys are lent and entries recorded by t_erin: t_carol approved the clearance, and a role that
-- changed governance data is decided on the committed state until it commits (as the row
-- policies decide), where the fixture's persons do not exist yet.
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'design')$$);
SELECT pg_temp.secret_drawing('X-001', '試作品図面', 'SALES');

-- handling_without_access: the ledger records what was done; the handler could not read it then
SELECT is(pg_temp.pop('handling_without_access'), 'I-4 high {handling_entries}', 'handling_without_access: I-4, over the handling entries');
SELECT pg_temp.as_role('t_dave', $$SELECT tmac.record_handling('X-001', 'create', '見積用の図面作成')$$)::bigint AS h1 \gset
SELECT is(pg_temp.n('handling_without_access', 'handling:' || :h1), 1::bigint,
  'handling_without_access: D1, not cleared, recorded a handling of SECRET (recorded, not refused)');
SELECT alike((SELECT detail FROM tmac.findings WHERE check_code = 'handling_without_access'),
  '%X-001%by D1%asset X-001 labelled SECRET (failing: clearance)%', '... naming the asset, the handler and the failing check');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.record_handling('X-001', 'create', '設計図の作成')$$);
SELECT is(pg_temp.n('handling_without_access'), 1::bigint, 'A1, cleared, handles it: no finding');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.record_handling('X-001', 'create', '設計図の作成', handled_at => now() - interval '2 days')$$)::bigint AS h2 \gset
SELECT is(pg_temp.n('handling_without_access', 'handling:' || :h2), 1::bigint,
  'at that time: A1 handled it two days ago, before the clearance was approved');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', $q$SELECT tmac.acknowledge_cross_finding('handling_without_access', 'handling:%s', 'reviewed by myself')$q$)$$, :h1),
  '42501', NULL, 'the handler does not review their own finding');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.acknowledge_cross_finding('handling_without_access', 'handling:0', 'nothing to see here')$q$)$$,
  'P0002', NULL, 'no such finding');
SELECT pg_temp.as_role('t_carol', format($$SELECT tmac.acknowledge_cross_finding('handling_without_access', 'handling:%s', '図面を回収し、D1 に指導した')$$, :h1));
SELECT pg_temp.as_role('t_carol', format($$SELECT tmac.acknowledge_cross_finding('handling_without_access', 'handling:%s', '承認前の作成を確認した')$$, :h2));
SELECT is(pg_temp.n('handling_without_access'), 0::bigint, 'reviewed by a manager: gone');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.acknowledge_cross_finding('handling_without_access', 'handling:%s', 'once more, with feeling')$q$)$$, :h1),
  '23505', NULL, 'a finding is reviewed once');

-- key_loan_without_access: refused when lent; loans recorded before are found
SELECT is(pg_temp.pop('key_loan_without_access'), 'III high {key_loans}', 'key_loan_without_access: III, over the key loans');
SELECT pg_temp.key_cabinet('CAB-X', 'X-001', 'K-X', 'C1');
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.lend_key('K-X', 'D1', now() + interval '1 hour')$q$)$$,
  '42501', 'person "D1" may not access what key "K-X" opens', 'lending the key of a SECRET cabinet to D1 is refused');
SELECT lives_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.lend_key('K-X', 'A1', now() + interval '1 hour')$q$)$$,
  'lending it to A1, who is cleared, is accepted');
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.return_key('K-X')$$);
-- a loan recorded before the refusal existed (the asset was in the cabinet then)
UPDATE tmac.container_asset SET stored_at = now() - interval '10 days';
SELECT pg_temp.returned_loan('K-X', 'D1', 'C1', now() - interval '3 days') AS l1 \gset
SELECT is(pg_temp.n('key_loan_without_access', 'key_loan:' || :l1), 1::bigint, 'key_loan_without_access: the old loan to D1');
SELECT is(pg_temp.n('key_loan_without_access'), 1::bigint, '... and not A1''s');
-- (reviewed by a manager other than C1, who lent the key: attack25_cross_review_self.sql)
SELECT pg_temp.as_role('t_erin', format($$SELECT tmac.acknowledge_cross_finding('key_loan_without_access', 'key_loan:%s', '鍵を回収済み、中身を確認した')$$, :l1));
SELECT is(pg_temp.n('key_loan_without_access'), 0::bigint, 'reviewed: gone');

-- area_entry_without_access: refused as it happens; an escorted visitor enters; late records found
SELECT is(pg_temp.pop('area_entry_without_access'), 'IV high {area_entries}', 'area_entry_without_access: IV, over the entries');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_area('AREA-X', '試作室', '本社2F', 'card', 'C1')$$);
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.set_area_label('AREA-X', 'NO SUCH LEVEL')$q$)$$,
  '42704', NULL, 'an area''s label is a label');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('AREA-X', 'SECRET')$$);
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-X', person_id => 'D1')$q$)$$,
  '42501', 'person "D1" may not enter restricted area "AREA-X"', 'D1 entering the SECRET area is refused');
SELECT lives_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-X', person_id => 'A1')$q$)$$,
  'A1, cleared, enters');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  VALUES ('xr-1', 'V1', 'hire', '{"full_name":"見学者 甲","kind":"visitor","responsible_person":"C1"}'),
         ('xr-2', 'V2', 'hire', '{"full_name":"見学者 乙","kind":"visitor","responsible_person":"C1"}');
SELECT tmac.today() AS today \gset
SELECT pg_temp.as_role('t_hr', format($$SELECT tmac.record_pledge('V1', 'visitor', %L, %L)$$, :'today', :'today'));
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-X', person_id => 'V1')$q$)$$,
  '42501', NULL, 'a visitor without an escort is refused');
SELECT lives_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-X', person_id => 'V1', escort => 'A1')$q$)$$,
  'an escorted visitor with a pledge enters (no access of their own needed)');
SELECT is(pg_temp.n('area_entry_without_access'), 0::bigint, 'no finding for A1 or the escorted visitor');
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-X', person_id => 'D1', entered_at => now() - interval '2 hours')$$)::bigint AS e1 \gset
SELECT is(pg_temp.n('area_entry_without_access', 'area_entry:' || :e1), 1::bigint,
  'an entry recorded late is accepted, and is a finding');
SELECT pg_temp.as_role('t_carol', format($$SELECT tmac.acknowledge_cross_finding('area_entry_without_access', 'area_entry:%s', '清掃立会い、記録を訂正指導')$$, :e1));
SELECT is(pg_temp.n('area_entry_without_access'), 0::bigint, 'reviewed: gone');

-- visitor_entry_without_pledge
SELECT is(pg_temp.pop('visitor_entry_without_pledge'), 'IV high {visitor_entries}', 'visitor_entry_without_pledge: IV, over visitors'' entries');
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-X', person_id => 'V2', escort => 'A1')$q$)$$,
  '42501', NULL, 'a visitor without a visitor pledge is refused, escorted or not');
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-X', person_id => 'V2', escort => 'A1', entered_at => now() - interval '1 minute')$$)::bigint AS v2 \gset
SELECT is(pg_temp.n('visitor_entry_without_pledge', 'area_entry:' || :v2), 1::bigint,
  'visitor_entry_without_pledge: recorded late, a finding');
SELECT is(pg_temp.n('visitor_entry_without_pledge'), 1::bigint, '... V1 had one');
SELECT pg_temp.as_role('t_hr', format($$SELECT tmac.record_pledge('V2', 'visitor', %L::date - 1, %L::date + 1)$$, :'today', :'today'));
SELECT is(pg_temp.n('visitor_entry_without_pledge'), 0::bigint, 'the pledge in force that day recorded: gone');
SELECT lives_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-X', person_id => 'V2', escort => 'A1')$q$)$$,
  'pledged, V2 enters escorted');

-- leaver_activity
SELECT is(pg_temp.pop('leaver_activity'), 'II high {leavers}', 'leaver_activity: II, over the persons who left');
UPDATE tmac.person SET status = 'terminated', terminated_at = now() - interval '1 day' WHERE person_id = 'B1';
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-X', person_id => 'B1')$q$)$$,
  '42501', NULL, 'a terminated person''s entry is refused');
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-X', person_id => 'V1', escort => 'B1')$q$)$$,
  '42501', NULL, 'a terminated escort is refused');
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.lend_key('K-X', 'B1', now() + interval '1 hour')$q$)$$,
  '55000', NULL, 'a key is not lent to a terminated person (as before)');
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-X', person_id => 'B1', entered_at => now() - interval '2 days')$$)::bigint AS e_before \gset
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-X', person_id => 'V1', escort => 'B1', entered_at => now() - interval '3 hours')$$)::bigint AS e_after \gset
SELECT is(pg_temp.n('leaver_activity', 'area_entry:' || :e_after), 1::bigint, 'leaver_activity: B1 escorted a visitor after leaving');
SELECT is(pg_temp.n('leaver_activity', 'area_entry:' || :e_before), 0::bigint, '... not the entry before leaving');
INSERT INTO tmac.handling_entry (asset_id, action, level_rank, rule_applied, handler, handler_role, handled_at, purpose)
  SELECT asset_id, 'take_out', 40, 'approval', 'B1', 't_bob', now() - interval '1 hour', '持出' FROM tmac.asset WHERE asset_no = 'X-001'
  RETURNING entry_id AS h_after \gset
SELECT is(pg_temp.n('leaver_activity', 'handling:' || :h_after), 1::bigint, 'leaver_activity: a handling entry by B1 after leaving');
SELECT alike((SELECT detail FROM tmac.findings WHERE check_code = 'leaver_activity' AND subject = 'handling:' || :h_after),
  'B1 (Bob), terminated on %, handled handling entry%', '... saying who, when they left and what they did');
SELECT pg_temp.as_role('t_carol', format($$SELECT tmac.acknowledge_cross_finding('leaver_activity', 'area_entry:%s', '退職者の入室を調査し報告した')$$, :e_after));
SELECT pg_temp.as_role('t_carol', format($$SELECT tmac.acknowledge_cross_finding('leaver_activity', 'handling:%s', '退職後の持出を事故として報告')$$, :h_after));
SELECT is(pg_temp.n('leaver_activity'), 0::bigint, 'reviewed: gone');
UPDATE tmac.person SET status = 'active', terminated_at = NULL WHERE person_id = 'B1';

-- area_exit_missing
SELECT is(pg_temp.pop('area_exit_missing'), 'IV medium {area_entries}', 'area_exit_missing: IV, over the entries');
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-X', person_id => 'A1', entered_at => now() - interval '3 days')$$)::bigint AS e3 \gset
SELECT is(pg_temp.n('area_exit_missing', 'area_entry:' || :e3), 1::bigint, 'area_exit_missing: no exit by the end of that day');
SELECT pg_temp.as_role('t_erin', format($$SELECT tmac.record_exit(%s)$$, :e3));
SELECT is(pg_temp.n('area_exit_missing', 'area_entry:' || :e3), 0::bigint, 'the exit recorded: gone');

-- area_entry_outside_hours
SELECT is(pg_temp.pop('area_entry_outside_hours'), 'IV medium {area_entries,area_hours}', 'area_entry_outside_hours: IV, over entries and areas with hours');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.set_area_hours('AREA-X', '18:00', '09:00')$q$)$$,
  '22023', NULL, 'hours open before they close');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.set_area_hours('AREA-X', '09:00', '18:00', ARRAY[8])$q$)$$,
  '22023', NULL, 'ISO weekdays 1 to 7');
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-X', person_id => 'A1', entered_at => '2026-01-04 03:00+09')$$)::bigint AS sun \gset
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-X', person_id => 'A1', entered_at => '2026-01-05 10:00+09')$$)::bigint AS mon \gset
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-X', person_id => 'A1', entered_at => '2026-01-05 19:30+09')$$)::bigint AS eve \gset
SELECT is(pg_temp.n('area_entry_outside_hours'), 0::bigint, 'an area without hours: no finding');
SELECT is((SELECT count(*) FROM tmac.compliance_status_of(tmac.compliance_run()) s
            WHERE s.criterion = 'IV' AND (s.population ->> 'area_hours')::int = 0), 1::bigint,
  '... and the population of areas with hours is empty');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_hours('AREA-X', '08:30', '18:00', ARRAY[1, 2, 3, 4, 5])$$);
SELECT is(ARRAY(SELECT subject FROM tmac.findings WHERE check_code = 'area_entry_outside_hours'
                   AND subject IN ('area_entry:' || :sun, 'area_entry:' || :mon, 'area_entry:' || :eve) ORDER BY subject),
  ARRAY(SELECT e FROM unnest(ARRAY['area_entry:' || :eve, 'area_entry:' || :sun]) e ORDER BY e), 'area_entry_outside_hours: a Sunday and an evening, not Monday 10:00 (Asia/Tokyo)');
INSERT INTO tmac.holiday VALUES ('2026-01-05', '振替休日');
SELECT is(pg_temp.n('area_entry_outside_hours', 'area_entry:' || :mon), 1::bigint, 'a company holiday is closed');
SELECT pg_temp.as_role('t_carol', format($$SELECT tmac.acknowledge_cross_finding('area_entry_outside_hours', 'area_entry:%s', '休日保守作業、事前承認あり')$$, :mon));
SELECT is(pg_temp.n('area_entry_outside_hours', 'area_entry:' || :mon), 0::bigint, 'reviewed: gone');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_hours('AREA-X', NULL, NULL)$$);
SELECT is(pg_temp.n('area_entry_outside_hours'), 0::bigint, 'the hours removed: gone');

-- rows_above_asset_label: read from the heap, never running the owner's code
SELECT is(pg_temp.pop('rows_above_asset_label'), 'I-2 high {label_tables}', 'rows_above_asset_label: I-2, over the tables with labelled rows');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('X-002', '顧客台帳', '営業', 'electronic', label => 'CONFIDENTIAL', manager => 'C1')$$);
CREATE TABLE public.xr_doc (id int, lbl tmac.label);
SELECT tmac.protect('public.xr_doc', 'lbl', 'X-002');
-- (a row naming a group is not above: groups say who, not how secret)
INSERT INTO public.xr_doc VALUES (1, 'CONFIDENTIAL'), (2, 'SECRET'), (3, 'SECRET:PRJ-A'), (4, NULL), (5, 'CONFIDENTIAL::DEV');
SELECT is(pg_temp.n('rows_above_asset_label', 'table:public.xr_doc'), 1::bigint, 'rows_above_asset_label: SECRET rows in a table bound to a CONFIDENTIAL asset');
SELECT alike((SELECT detail FROM tmac.findings WHERE check_code = 'rows_above_asset_label'),
  'Table public.xr_doc, bound to asset X-002 labelled CONFIDENTIAL, holds 2 row(s) labelled above it (e.g. SECRET)%', '... with the count and an example');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.update_asset('X-002', '{"label":"SECRET:PRJ-A"}')$$);
SELECT is(pg_temp.n('rows_above_asset_label'), 0::bigint, 'the asset''s label raised: gone');

-- asset_unlabelled
SELECT is(pg_temp.pop('asset_unlabelled'), 'I-2 medium {assets}', 'asset_unlabelled: I-2, over the inventory');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('X-003', '営業資料', '営業', 'paper', manager => 'C1', location => '書庫')$$);
SELECT is(pg_temp.n('asset_unlabelled', 'asset:X-003'), 1::bigint, 'asset_unlabelled: an asset without a label');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.update_asset('X-003', '{"label":"CONFIDENTIAL"}')$$);
SELECT is(pg_temp.n('asset_unlabelled'), 0::bigint, 'labelled: gone');

-- who may do what
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.set_area_label('AREA-X', 'PUBLIC')$q$)$$,
  '42501', NULL, 'only tmac_admin sets an area''s label');
SELECT ok(has_function_privilege('tmac_auditor', 'tmac.check_cross_registers()', 'EXECUTE')
          AND NOT has_function_privilege('tmac_auditor', 'tmac.acknowledge_cross_finding(text,text,text)', 'EXECUTE')
          AND NOT has_function_privilege('public', 'tmac.access_failures_at(text,tmac.label,timestamptz,boolean)', 'EXECUTE'),
  'the auditor runs the checks and reviews nothing; the decision at an instant is internal');
SELECT throws_ok($$DELETE FROM tmac.cross_finding_review$$, '0A000', NULL, 'reviews are never deleted');

SELECT * FROM finish();
ROLLBACK;
