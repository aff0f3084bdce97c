-- enforce.sql — pgTAP: protect()'s errors, the policy functions' properties, declassification.
-- The grantee is A1 (t_alice) of the shared people fixture: hired through the HR feed,
-- requested by t_bob (access admin), approved by t_carol (approver).
BEGIN;
SELECT plan(22);
\i test/pgtap/people_fixture.psql

SELECT has_function('tmac', 'protect', ARRAY['regclass', 'name', 'text'], 'tmac.protect exists');
SELECT has_function('tmac', 'unprotect', ARRAY['regclass'], 'tmac.unprotect exists');
SELECT has_function('tmac', 'explain_access', ARRAY['text', 'tmac.label'], 'tmac.explain_access exists');
SELECT is((SELECT proparallel::text FROM pg_proc WHERE oid = 'tmac.row_readable(tmac.label)'::regprocedure),
          's', 'row_readable is PARALLEL SAFE');
SELECT is((SELECT provolatile::text FROM pg_proc WHERE oid = 'tmac.row_readable(tmac.label)'::regprocedure),
          's', 'row_readable is STABLE');
SELECT ok(NOT has_function_privilege('public', 'tmac.access_profile(name, timestamptz)', 'EXECUTE')
          OR NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'access_profile' AND 'PUBLIC' = ANY (coalesce(proacl::text[], '{}'))),
          'access_profile is not executable by PUBLIC');
SELECT ok(NOT has_function_privilege('tmac_auditor', 'tmac.protect(regclass, name, text)', 'EXECUTE'), 'only tmac_admin may protect');
SELECT ok(pg_has_role('tmac_declassifier', 'tmac_declassifier', 'USAGE'), 'the role tmac_declassifier exists');

SELECT tmac.define_compartment('TAP-A', 'tap A');
CREATE TABLE tap_doc (id integer PRIMARY KEY, note text, label tmac.label);
CREATE VIEW tap_view AS SELECT * FROM tap_doc;
CREATE TABLE tap_parted (id integer, label tmac.label) PARTITION BY RANGE (id);

SELECT throws_ok($$SELECT tmac.protect('tap_view')$$, '42809', NULL, 'a view is refused');
SELECT lives_ok($$SELECT tmac.protect('tap_parted')$$, 'a partitioned table is protected (with its partitions)');
SELECT throws_ok($$SELECT tmac.protect('tap_doc', 'nope')$$, '42703', NULL, 'a missing column is refused');
SELECT throws_ok($$SELECT tmac.protect('tap_doc', 'note')$$, '42804', NULL, 'a column that is not tmac.label is refused');
SELECT throws_ok($$SELECT tmac.unprotect('tap_doc')$$, '42704', NULL, 'unprotect of an unprotected table');
SELECT lives_ok($$SELECT tmac.protect('tap_doc')$$, 'protect');
SELECT throws_ok($$SELECT tmac.protect('tap_doc')$$, '42710', NULL, 'protecting twice is refused');
SELECT is((SELECT relforcerowsecurity FROM pg_class WHERE oid = 'tap_doc'::regclass), true, 'row security is forced');

INSERT INTO tap_doc VALUES (1, 'x', 'SECRET:TAP-A'), (2, 'y', 'INTERNAL');
GRANT SELECT, UPDATE ON tap_doc TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'tap')$$) AS clearance_id \gset
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'TAP-A', now() + interval '30 days', 'tap', 'write')$$) AS tap_grant_id \gset
SET LOCAL ROLE t_alice;
SELECT results_eq('SELECT id FROM tap_doc ORDER BY id', ARRAY[1, 2], 'alice sees both rows');
SELECT throws_ok($$UPDATE tap_doc SET label = 'SECRET' WHERE id = 1$$, '42501', NULL,
                 'removing a compartment needs tmac_declassifier');
SELECT throws_ok($$SELECT * FROM tmac.explain_access('NOBODY', 'INTERNAL')$$, '42501', NULL,
                 'alice may not ask about another person');
RESET ROLE;
GRANT tmac_declassifier TO t_alice;
SET LOCAL ROLE t_alice;
SELECT lives_ok($$UPDATE tap_doc SET label = 'SECRET' WHERE id = 1$$, 'a declassifier may declassify');
RESET ROLE;
SELECT is((SELECT count(*)::integer FROM tmac.audit_log WHERE category = 'declassification' AND detail->>'by' = 't_alice'),
          1, 'the declassification is audited');
SELECT pg_temp.as_role('t_carol', format('SELECT tmac.revoke(%s, %L)', :tap_grant_id, 'tap done')) IS NULL AS revoked \gset
SET LOCAL ROLE t_alice;
SELECT results_eq('SELECT id FROM tap_doc ORDER BY id', ARRAY[1, 2], 'a declassified row stays visible without the grant');

SELECT * FROM finish();
ROLLBACK;
