-- fuzz_found.sql — pgTAP: what test/scripts/fuzz_sql.sh found, each answered now by tmac itself.
--  * A statement that changes several rows of a register with a label column (tmac.asset) is
--    summarised by the audit trigger, whose search_path holds only pg_catalog: it compared the
--    labels with an = it could not find, so reviewing the whole inventory (tmac.review_assets()
--    with two assets or more) failed with "operator does not exist: tmac.label = tmac.label".
--  * tmac.grant_role('', …) ran GRANT "" and failed with a syntax error; a privileged role's short
--    justification was refused by the table's CHECK constraint (23514, now with tmac's message); the
--    internal protection functions given NULL built broken DDL; set_sod_rule_enabled(id, NULL) met
--    the NOT NULL constraint; tmac.protect accepted tmac's own asset register (a superuser's call put
--    it under row security) and advised converting a column of pg_class to tmac.label; a recorded
--    duty given to a person who does not exist met the foreign key (found in Japanese).
BEGIN;
SELECT plan(12);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('FZ-1', '設計図A', '技術', 'paper', label => 'SECRET',
  managing_group => 'SALES', manager => 'C1', location => '金庫')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('FZ-2', '設計図B', '技術', 'paper', label => 'CONFIDENTIAL',
  managing_group => 'SALES', manager => 'C1', location => '金庫')$$);
SELECT cmp_ok(pg_temp.as_role('t_adm', $$SELECT tmac.review_assets(NULL, 'annual review')$$)::int, '>=', 2,
  'reviewing the whole inventory (several assets with labels) works');
SELECT is((SELECT detail ->> 'count' FROM tmac.audit_log WHERE category = 'asset' AND action = 'REVIEW'), '2',
  'and the review is in the audit log');
-- a label changed in a multi-row UPDATE is recorded as changed (compared as text)
UPDATE tmac.asset SET label = 'TOP_SECRET', updated_at = now() WHERE asset_no IN ('FZ-1', 'FZ-2');
SELECT is((SELECT array_agg((c ->> 'old') || ' -> ' || (c ->> 'new') ORDER BY (c ->> 'old'))
             FROM tmac.audit_log l, jsonb_array_elements(l.detail -> 'changes') e,
                  LATERAL (SELECT jsonb_build_object('old', e -> 'old' ->> 'label', 'new', e -> 'new' ->> 'label')) x(c)
            WHERE l.entry_id = (SELECT max(entry_id) FROM tmac.audit_log WHERE category = 'asset' AND action = 'UPDATE')),
  ARRAY['CONFIDENTIAL -> TOP_SECRET', 'SECRET -> TOP_SECRET'],
  'labels several rows change are compared and recorded, old and new');
SELECT throws_ok($$SELECT tmac.grant_role('', 'postgres')$$, '42704', 'role "" does not exist',
  'grant_role names a role that does not exist instead of failing on GRANT ""');
SELECT throws_ok($$SELECT tmac.grant_role('tmac_auditor', 'no_such_member')$$, '42704', 'role "no_such_member" does not exist',
  'and a member that does not exist');
SELECT throws_ok($$SELECT tmac.register_privileged_role('postgres', ' ok ')$$, '23514',
  'the justification of a privileged role must say why, in at least 10 characters',
  'a privileged role''s justification too short is refused by tmac, not by a CHECK constraint');
SELECT throws_ok($$SELECT tmac.apply_protection(NULL, 'label')$$, '22004', NULL, 'apply_protection(NULL) is refused as such');
SELECT throws_ok($$SELECT tmac.remove_protection(NULL)$$, '22004', NULL, 'remove_protection(NULL) too');
SELECT throws_ok($$SELECT tmac.set_sod_rule_enabled(1, NULL)$$, '22004', 'set_sod_rule_enabled: enabled must not be null',
  'an SoD rule set neither on nor off is refused by tmac, not by a NOT NULL constraint');
SELECT throws_ok($$SELECT tmac.protect('tmac.asset')$$, '0A000',
  '"tmac.asset" belongs to tmac, to another extension or to the system catalogs, and cannot be protected',
  'tmac''s own register with a label column is not put under row security (it was, and its rows then hid from tmac''s own readers)');
SELECT throws_ok($$SELECT tmac.protect('pg_catalog.pg_class', 'relname')$$, '0A000', NULL,
  'nor a system catalog (the answer was advice to ALTER pg_class''s column to tmac.label)');
SELECT tmac.define_duty('fz_duty', 'a duty recorded, not a role', NULL, 'fuzz_found');
SELECT throws_ok($$SELECT tmac.assign_duty('NO-SUCH-PERSON', 'fz_duty')$$, '42704', 'no person "NO-SUCH-PERSON"',
  'a duty given to a person who does not exist is refused by tmac, not by a foreign key');
SELECT * FROM finish();
ROLLBACK;
