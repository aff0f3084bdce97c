-- search_path_findings.sql — pgTAP: the planted-operator channel.  With tmac
-- before public on the search_path (the README's recommendation) tmac's operators win over a
-- user's; schemas where everyone may create objects, and functions or operators over
-- tmac.label owned by non-administrators, are findings.
BEGIN;
SELECT plan(12);
CREATE ROLE t_sp_mallory;
CREATE ROLE t_sp_adm IN ROLE tmac_admin;
CREATE TABLE sp_doc (id int, label tmac.label);
-- (a protected table is an inventory entry: bound to an asset, it is no asset_table_unbound finding;
-- this database has no persons, so the asset has no manager: asset_no_manager, the one other finding)
SELECT tmac.register_asset('SP-1', 'search_path test documents', 'test', 'electronic');
SELECT tmac.protect('sp_doc');
SELECT tmac.bind_table('SP-1', 'sp_doc');
SELECT tmac.update_asset('SP-1', '{"label":"CONFIDENTIAL"}');   -- a marked asset: no asset_unlabelled
SELECT count(*) FROM tmac.restrict_activity_counters();   -- the DBA guide's hardening: no activity_counters_public

-- schema_public_create
CREATE SCHEMA sp_open;
GRANT CREATE ON SCHEMA sp_open TO PUBLIC;
SELECT results_eq($$SELECT criterion, severity, subject FROM tmac.findings WHERE check_code = 'schema_public_create'$$,
                  $$VALUES ('V'::text, 'high'::text, 'schema:sp_open'::text)$$,
                  'a schema where PUBLIC may create objects is a finding while tables are protected');
REVOKE CREATE ON SCHEMA sp_open FROM PUBLIC;
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'schema_public_create'), 0, 'fixed: CREATE revoked');
GRANT CREATE ON SCHEMA sp_open TO PUBLIC;
SELECT tmac.unprotect('sp_doc');
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'schema_public_create'), 0,
          'without protected tables it is not a finding');
SELECT tmac.protect('sp_doc');
REVOKE CREATE ON SCHEMA sp_open FROM PUBLIC;

-- label_function_untrusted: a trojan <@ planted by an employee
CREATE SCHEMA sp_mal AUTHORIZATION t_sp_mallory;
SET ROLE t_sp_mallory;
CREATE FUNCTION sp_mal.spy(tmac.label, tmac.label) RETURNS boolean LANGUAGE sql AS 'SELECT false';
CREATE OPERATOR sp_mal.<@ (LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = sp_mal.spy);
RESET ROLE;
SELECT results_eq($$SELECT severity, subject FROM tmac.findings WHERE check_code = 'label_function_untrusted' ORDER BY subject$$,
                  $$VALUES ('high'::text, 'function:sp_mal.spy(tmac.label,tmac.label)'::text),
                           ('high', 'operator:sp_mal.<@(tmac.label,tmac.label)')$$,
                  'a function and an operator over tmac.label owned by a non-administrator are findings');
SET LOCAL search_path = sp_mal, public, tmac;
SELECT is('INTERNAL'::tmac.label <@ 'SECRET'::tmac.label, false, 'with the schema before tmac, its <@ shadows tmac''s');
SET LOCAL search_path = "$user", tmac, sp_mal, public;
SELECT is('INTERNAL'::tmac.label <@ 'SECRET'::tmac.label, true, 'with tmac first (the README''s search_path), tmac''s <@ is used');
RESET search_path;
ALTER FUNCTION sp_mal.spy(tmac.label, tmac.label) OWNER TO t_sp_adm;
SELECT results_eq($$SELECT subject FROM tmac.findings WHERE check_code = 'label_function_untrusted'$$,
                  $$VALUES ('operator:sp_mal.<@(tmac.label,tmac.label)'::text)$$,
                  'one owned by a tmac_admin member is not');
DROP OPERATOR sp_mal.<@ (tmac.label, tmac.label);
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'label_function_untrusted'), 0, 'fixed: operator dropped');
CREATE DOMAIN sp_mal.lbl AS tmac.label;
CREATE FUNCTION sp_mal.f(sp_mal.lbl) RETURNS text LANGUAGE sql AS 'SELECT ''x''';
ALTER FUNCTION sp_mal.f(sp_mal.lbl) OWNER TO t_sp_mallory;
SELECT is((SELECT subject FROM tmac.findings WHERE check_code = 'label_function_untrusted'), 'function:sp_mal.f(sp_mal.lbl)',
          'a function over a domain over tmac.label counts too');
DROP FUNCTION sp_mal.f(sp_mal.lbl);
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'label_function_untrusted'), 0, 'fixed');
SELECT ok(NOT EXISTS (SELECT 1 FROM tmac.findings WHERE subject LIKE 'function:tmac.%' OR subject LIKE 'operator:tmac.%'),
          'tmac''s own functions and operators are not findings');
SELECT results_eq($$SELECT check_code, subject FROM tmac.findings$$, $$VALUES ('asset_no_manager'::text, 'asset:SP-1'::text)$$,
                  'nothing else is found (but the test asset''s missing manager)');

SELECT * FROM finish();
ROLLBACK;
