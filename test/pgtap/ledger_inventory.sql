-- ledger_inventory.sql — pgTAP: the inventory of important information (重要情報目録, ①, I-1):
-- its API and errors, bindings of tables and schemas (tmac.protect(..., asset)), the audit
-- trail, privileges, and every finding: created, seen, fixed, gone.
BEGIN;
SELECT plan(43);
\i test/pgtap/people_fixture.psql
CREATE FUNCTION pg_temp.n(code text, subj text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT count(*) FROM tmac.findings WHERE check_code = code AND subject = subj $$;

-- API and errors
SELECT is(tmac.register_asset('A-001', '現役製品の設計図', '技術', 'paper', label => '極秘', manager => 'C1',
            managing_group => '開発部', user_scope => '開発部', location => '開発部キャビネットA',
            designated_by => 'D1', designated_on => current_date), 'A-001', 'register_asset returns the asset number');
SELECT results_eq($$SELECT name, label::text, medium, manager, (SELECT code FROM tmac.org_group g WHERE g.group_id = managing_group_id), origin, status
                      FROM tmac.asset WHERE asset_no = 'A-001'$$,
  $$VALUES ('現役製品の設計図'::text, 'TOP_SECRET'::text, 'paper'::text, 'C1'::text, 'DEV'::text, 'own'::text, 'active'::text)$$,
  'the 目録 row: name, label, medium, manager, managing group (by id), origin, status');
SELECT throws_ok($$SELECT tmac.register_asset('A-001', 'x', 'y', 'paper')$$, '23505', NULL, 'a duplicate asset number is refused');
SELECT throws_ok($$SELECT tmac.register_asset('A-002', 'x', 'y', 'floppy')$$, '22023', NULL, 'an unknown medium is refused');
SELECT throws_ok($$SELECT tmac.register_asset('A-002', 'x', 'y', 'paper', manager => 'ZZ')$$, '23503', NULL, 'an unknown manager is refused');
SELECT throws_ok($$SELECT tmac.register_asset('A-002', 'x', 'y', 'paper', managing_group => 'NOPE')$$, '42704', NULL, 'an unknown group is refused');
SELECT throws_ok($$SELECT tmac.register_asset('A-002', 'x', 'y', 'paper', label => 'NOPE')$$, '42704', NULL, 'an unknown label level is refused');
SELECT throws_ok($$SELECT tmac.register_asset('A-002', 'x', 'y', 'paper', origin => 'entrusted')$$, '22023', NULL, 'an entrusted asset must name its entrusting company');
SELECT throws_ok($$SELECT tmac.register_asset(NULL, 'x', 'y', 'paper')$$, '22004', NULL, 'a null asset number is refused');
SELECT throws_ok($$SELECT tmac.update_asset('A-001', '{"status":"retired"}')$$, '22023', NULL, 'update_asset refuses fields it does not change');
SELECT throws_ok($$SELECT tmac.update_asset('A-404', '{"name":"x"}')$$, '42704', NULL, 'update_asset of an unknown asset');
SELECT throws_ok($$SELECT tmac.update_asset('A-001', '{"manager":"ZZ"}')$$, '23503', NULL, 'update_asset validates the manager');
SELECT throws_ok($$SELECT pg_temp.as_role('t_aud', 'SELECT tmac.register_asset(''A-9'', ''x'', ''y'', ''paper'')')$$, '42501', NULL,
  'the auditor cannot register assets');
SELECT is(pg_temp.as_role('t_aud', 'SELECT count(*) FROM tmac.asset'), '1', 'the auditor reads the inventory');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'UPDATE tmac.asset SET name = ''x''')$$, '42501', NULL,
  'nobody writes the inventory table directly');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'asset' AND subject = 'A-001' AND action = 'INSERT'), 1::bigint,
  'registering an asset is audited');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code LIKE 'asset%'), 0::bigint, 'a complete entry has no finding');

-- asset_no_manager, asset_no_location
SELECT tmac.register_asset('A-002', '製品カタログ', '営業', 'electronic');
SELECT is(pg_temp.n('asset_no_manager', 'asset:A-002'), 1::bigint, 'asset_no_manager: an asset without a manager');
SELECT is(pg_temp.n('asset_no_location', 'asset:A-002'), 1::bigint, 'asset_no_location: neither location nor binding');
SELECT is((SELECT criterion FROM tmac.findings WHERE subject = 'asset:A-002' LIMIT 1), 'I-1', '... under criterion I-1');
SELECT tmac.update_asset('A-002', '{"manager":"D1"}');
SELECT is(pg_temp.n('asset_no_manager', 'asset:A-002'), 0::bigint, 'manager named: gone');

-- asset_table_unbound; binding through protect(…, asset), through a schema, through a parent
CREATE TABLE public.inv_docs (id int, label tmac.label);
SELECT tmac.protect('public.inv_docs');
SELECT is(pg_temp.n('asset_table_unbound', 'table:public.inv_docs'), 1::bigint, 'asset_table_unbound: a protected table bound to no asset');
SELECT tmac.unprotect('public.inv_docs');
SELECT is(pg_temp.n('asset_table_unbound', 'table:public.inv_docs'), 0::bigint, 'unprotected and unlabelled: not a finding');
SELECT throws_ok($$SELECT tmac.protect('public.inv_docs', 'label', 'A-404')$$, '42704', NULL, 'protect with an unknown asset fails');
SELECT is((SELECT count(*) FROM tmac.protected_table WHERE relid = 'public.inv_docs'::regclass), 0::bigint, '... and protects nothing');
SELECT tmac.protect('public.inv_docs', 'label', 'A-002');
SELECT is(pg_temp.n('asset_table_unbound', 'table:public.inv_docs'), 0::bigint, 'protect(table, column, asset) binds it: no finding');
SELECT is(pg_temp.n('asset_no_location', 'asset:A-002'), 0::bigint, 'a bound table is the asset''s location: asset_no_location gone');
SELECT is((SELECT asset_no FROM tmac.asset_binding WHERE relid = 'public.inv_docs'::regclass), 'A-002', 'the binding is recorded');
SELECT throws_ok($$SELECT tmac.bind_table('A-001', 'public.inv_docs')$$, '23505', NULL, 'a table belongs to one asset');
CREATE TABLE public.inv_parts (id int, label tmac.label) PARTITION BY RANGE (id);
CREATE TABLE public.inv_parts_1 PARTITION OF public.inv_parts FOR VALUES FROM (0) TO (100);
SELECT tmac.protect('public.inv_parts');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'asset_table_unbound'), 2::bigint, 'a protected partitioned table and its partition: two findings');
SELECT tmac.bind_table('A-001', 'public.inv_parts');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'asset_table_unbound'), 0::bigint, 'binding the parent binds its partitions');
CREATE SCHEMA inv_s;
CREATE TABLE inv_s.memo (id int);
SECURITY LABEL FOR tmac ON TABLE inv_s.memo IS '社外秘';
SELECT is(pg_temp.n('asset_table_unbound', 'table:inv_s.memo'), 1::bigint, 'a labelled table bound to no asset is a finding');
SELECT tmac.bind_schema('A-001', 'inv_s');
SELECT is(pg_temp.n('asset_table_unbound', 'table:inv_s.memo'), 0::bigint, 'binding its schema binds it');
SELECT tmac.retire_asset('A-001', 'product discontinued');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'asset_table_unbound'), 3::bigint, 'tables of a retired asset are unbound again');
DROP SCHEMA inv_s CASCADE;
DROP TABLE public.inv_parts;
SELECT is((SELECT count(*) FROM tmac.asset_binding), 1::bigint, 'dropped tables and schemas leave their bindings');

-- asset_manager_left
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('inv-1', 'D1', 'terminate');
SELECT is(pg_temp.n('asset_manager_left', 'asset:A-002'), 1::bigint, 'asset_manager_left: the manager was terminated');
SELECT tmac.update_asset('A-002', '{"manager":"C1"}');
SELECT is(pg_temp.n('asset_manager_left', 'asset:A-002'), 0::bigint, 'a new manager: gone');

-- asset_review_overdue (inventory_review_interval)
UPDATE tmac.asset SET reviewed_at = now() - interval '13 months' WHERE asset_no = 'A-002';
SELECT is(pg_temp.n('asset_review_overdue', 'asset:A-002'), 1::bigint, 'asset_review_overdue: not reviewed for 13 months');
SELECT tmac.configure('inventory_review_interval', '2 years');
SELECT is(pg_temp.n('asset_review_overdue', 'asset:A-002'), 0::bigint, 'the interval is a setting');
SELECT tmac.configure('inventory_review_interval', '12 months');
SELECT is(tmac.review_assets(NULL, 'annual review'), 1, 'review_assets reviews every active asset');
SELECT is(pg_temp.n('asset_review_overdue', 'asset:A-002'), 0::bigint, 'reviewed: gone');

-- asset_contract_measures_missing
SELECT tmac.register_asset('C-001', '顧客Xの預託図面', '技術', 'electronic', manager => 'C1', location => 'file server',
                           origin => 'entrusted', entrusted_by => 'X社');
SELECT is(pg_temp.n('asset_contract_measures_missing', 'asset:C-001'), 1::bigint, 'asset_contract_measures_missing: entrusted without its contract measures');
SELECT tmac.update_asset('C-001', '{"contract_ref":"NDA-X-2026","contract_measures":"暗号化保管、複製禁止、契約終了時返却"}');
SELECT is(pg_temp.n('asset_contract_measures_missing', 'asset:C-001'), 0::bigint, 'recorded: gone');

SELECT * FROM finish();
ROLLBACK;
