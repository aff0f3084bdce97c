-- ledger_facilities.sql — pgTAP: containers, keys, combinations, restricted areas, entry log and
-- sealed transports (⑧, Ⅲ, Ⅳ); every finding: create the condition, see it, fix it, see it clear.
BEGIN;
SELECT plan(40);
\i test/pgtap/people_fixture.psql

\i test/pgtap/dedupe_helpers.psql
INSERT INTO tmac.asset (asset_no, name, label, business_category, medium, registered_on) VALUES ('F-001', '試作品図面', 'SECRET', '技術', 'paper', current_date);
-- the holders of SAFE-1's combination below (A1, B1) are cleared for the SECRET drawing it holds
-- (an uncleared holder is refused: facility_access_check.sql)
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'safe')$$);
SELECT pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)',
  pg_temp.as_role('t_erin', $$SELECT tmac.request_clearance('B1', 'SECRET', now() + interval '30 days', 'safe')$$)));

-- registering, as tmac_admin
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.define_area('LAB-1', '試作室', '本社2F', 'card', 'C1',
  '平日 8:30-17:30', ARRAY['試作ライン'])$q$)$$, 'an area is registered');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.define_container('SAFE-1', '金庫1', '総務部', 'combination', 'C1', 'LAB-1')$q$)$$,
  'a combination safe is registered');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.define_container('CAB-1', 'キャビネット1', '開発部', 'key', 'E1')$q$)$$,
  'a key cabinet is registered');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.define_container('CAB-1', 'x', 'y', 'key', 'E1')$q$)$$, '42710', NULL,
  'a duplicate container');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.define_container('CAB-2', 'x', 'y', 'magic', 'E1')$q$)$$, '22023', NULL,
  'an unknown lock type');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.define_container('CAB-2', 'x', 'y', 'key', 'NOBODY')$q$)$$, '42704', NULL,
  'an unknown custodian');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.define_container('CAB-2', 'x', 'y', 'key', 'E1')$q$)$$, '42501', NULL,
  'only tmac_admin registers containers');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.store_asset('SAFE-1', 'F-001')$q$)$$, 'an asset is stored');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.define_key('K-CAB-1', 'container', 'CAB-1', 'E1')$q$)$$, 'a key is registered');
SELECT ok(EXISTS (SELECT 1 FROM tmac.audit_log WHERE category = 'container'), 'registrations are audited');

-- combination_stale: never changed, then changed long ago
SELECT is(pg_temp.n('combination_stale', 'container:SAFE-1'), 1::bigint, 'combination_stale: never changed');
SELECT is(pg_temp.n('combination_stale'), 1::bigint, '... the key cabinet has no combination');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_combination_change('container', 'SAFE-1', 'installed')$$);
SELECT is(pg_temp.n('combination_stale'), 0::bigint, 'changed: combination_stale gone');
UPDATE tmac.combination_change SET changed_at = now() - interval '13 months';
SELECT is(pg_temp.n('combination_stale', 'container:SAFE-1'), 1::bigint, 'combination_stale: older than 12 months');
SELECT tmac.configure('combination_max_age', '2 years');
SELECT is(pg_temp.n('combination_stale'), 0::bigint, 'the age is a setting');
SELECT tmac.configure('combination_max_age', '12 months');
SELECT throws_ok($$SELECT tmac.configure('combination_max_age', '-1 day')$$, '22023', NULL, 'a positive interval');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.record_combination_change('container', 'SAFE-1', 'whim')$q$)$$,
  '22023', NULL, 'an unknown reason');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_combination_change('container', 'SAFE-1', 'annual')$$);
SELECT is(pg_temp.n('combination_stale'), 0::bigint, 'the annual change: gone');

-- combination_holder_left: a holder leaves after the last change
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.add_holder('container', 'SAFE-1', 'A1')$$)::bigint AS h1 \gset
SELECT is(pg_temp.n('combination_holder_left'), 0::bigint, 'a current holder is no finding');
-- (a transaction's now() never moves: the earlier changes are dated back)
UPDATE tmac.combination_change SET changed_at = changed_at - interval '1 day';
SELECT pg_temp.as_role('t_adm', format('SELECT tmac.end_holder(%s)', :h1));
SELECT is(pg_temp.n('combination_holder_left', 'container:SAFE-1'), 1::bigint, 'combination_holder_left: A1 stopped holding it');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_combination_change('container', 'SAFE-1', 'holder_changed')$$);
SELECT is(pg_temp.n('combination_holder_left'), 0::bigint, 'changed after: gone');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.add_holder('container', 'SAFE-1', 'B1')$$);
UPDATE tmac.combination_change SET changed_at = changed_at - interval '1 day';
UPDATE tmac.person SET status = 'terminated', terminated_at = now() WHERE person_id = 'B1';
SELECT is(pg_temp.n('combination_holder_left', 'container:SAFE-1'), 1::bigint, 'combination_holder_left: a holder was terminated');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_combination_change('container', 'SAFE-1', 'holder_changed')$$);
SELECT is(pg_temp.n('combination_holder_left'), 0::bigint, 'changed after: gone');
UPDATE tmac.person SET status = 'active', terminated_at = NULL WHERE person_id = 'B1';

-- key_not_returned: the key ledger, with its approver never the borrower
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.lend_key('K-CAB-1', 'C1', now() + interval '1 hour')$q$)$$,
  '42501', NULL, 'nobody lends a key to themselves');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.lend_key('K-CAB-1', 'A1', now() + interval '1 hour', '図面取出')$$)::bigint AS l1 \gset
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.lend_key('K-CAB-1', 'D1', now() + interval '1 hour')$q$)$$,
  '55000', NULL, 'a key lent out is not lent again');
SELECT is(pg_temp.n('key_not_returned'), 0::bigint, 'not yet due');
UPDATE tmac.key_loan SET lent_at = now() - interval '3 hours', due_at = now() - interval '1 hour' WHERE loan_id = :l1;
SELECT is(pg_temp.n('key_not_returned', 'key:K-CAB-1'), 1::bigint, 'key_not_returned');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.return_key('K-CAB-1')$$);
SELECT is(pg_temp.n('key_not_returned'), 0::bigint, 'returned: gone');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.return_key('K-CAB-1')$q$)$$, '55000', NULL, 'not lent out');

-- visitor_without_escort: the entry log
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.record_entry('LAB-1', visitor_name => '見学者 甲')$q$)$$,
  '22004', NULL, 'a visitor''s company is recorded');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.record_entry('LAB-1', person_id => 'A1', devices => ARRAY['camera'])$q$)$$,
  '22004', NULL, 'devices brought in need an approver');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_entry('LAB-1', visitor_name => '見学者 甲', visitor_company => '乙社',
  badge => 'V-12', devices => ARRAY['smartphone'], devices_approved_by => 'C1', purpose => '工場見学')$$)::bigint AS v1 \gset
SELECT is(pg_temp.n('visitor_without_escort', 'area_entry:' || :v1), 1::bigint, 'visitor_without_escort');
SELECT pg_temp.as_role('t_carol', format($$SELECT tmac.record_exit(%s, 'E1')$$, :v1));
SELECT is(pg_temp.n('visitor_without_escort'), 0::bigint, 'the escort recorded: gone');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_entry('LAB-1', person_id => 'A1')$$);
SELECT is(pg_temp.n('visitor_without_escort'), 0::bigint, 'an employee needs no escort');

-- custodian_terminated
UPDATE tmac.person SET status = 'terminated', terminated_at = now() WHERE person_id = 'E1';
SELECT is(pg_temp.n('custodian_terminated'), 2::bigint, 'custodian_terminated: the cabinet and its key');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_custodian('container', 'CAB-1', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_custodian('key', 'K-CAB-1', 'C1')$$);
SELECT is(pg_temp.n('custodian_terminated'), 0::bigint, 'handed over: gone');

-- transport_receipt_missing: a sealed transport without its 受領証
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_transport('F-001', 'SEAL-77', '運送会社B', '協力工場C', 'NDA-2026-3')$$)::bigint AS t1 \gset
UPDATE tmac.sealed_transport SET sent_at = now() - interval '10 days' WHERE transport_id = :t1;
SELECT is(pg_temp.n('transport_receipt_missing', 'transport:' || :t1), 1::bigint, 'transport_receipt_missing');
SELECT pg_temp.as_role('t_carol', format($$SELECT tmac.record_receipt(%s, 'RCPT-0091')$$, :t1));
SELECT is(pg_temp.n('transport_receipt_missing'), 0::bigint, 'the receipt recorded: gone');

SELECT ok(has_table_privilege('tmac_auditor', 'tmac.key_loan', 'SELECT') AND NOT has_table_privilege('tmac_auditor', 'tmac.key_loan', 'UPDATE'),
  'the auditor reads the key ledger, never writes it');
SELECT throws_ok($$DELETE FROM tmac.key_loan$$, '0A000', NULL, 'the key ledger is never deleted from');

SELECT * FROM finish();
ROLLBACK;
