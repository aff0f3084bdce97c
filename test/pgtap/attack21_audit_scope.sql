-- attack21_audit_scope.sql — pgTAP (insider review of issue 21): "the auditor is never the audited
-- department's manager" holds only for the audited group and the groups ABOVE it.  A 部門管理者 of
-- a department BELOW the audited one (C1 manages DEV-QA, which is part of DEV) can be planned as
-- the auditor of DEV, and any 部門管理者 can audit the whole company (audited_group NULL: only the
-- 情報管理責任者 is refused) — in both cases auditing the department they manage, whose internal
-- audit then counts for the criteria (tmac.last_internal_audit).  Fails today; passes once the
-- conflict covers the departments under the audited one (and every 部門管理者 for a whole-company
-- audit).
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql

SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('D1', 'executive', 'D1', scope => '代表取締役', announced_how => '社内掲示', announced_on => current_date)$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('C1', 'department_manager', 'D1', scope_group => 'DEV-QA', announced_how => '社内掲示', announced_on => current_date)$$);

-- the rule as it is enforced today (control): C1 may not audit DEV-QA itself
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.plan_internal_audit('品質保証課の内部監査', '{I-4}', 'C1', current_date, audited_group => 'DEV-QA')$q$)$$,
  '42501', NULL, 'control: the 部門管理者 of DEV-QA does not audit DEV-QA');

-- exploit 1: audit the parent department, which contains DEV-QA
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.plan_internal_audit('開発部の内部監査', '{I-4}', 'C1', current_date, audited_group => 'DEV')$q$)$$,
  '42501', NULL, 'the 部門管理者 of DEV-QA does not audit DEV, which DEV-QA is part of');

-- exploit 2: audit the whole company, which contains DEV-QA
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.plan_internal_audit('全社の内部監査', '{I-4}', 'C1', current_date)$q$)$$,
  '42501', NULL, 'a 部門管理者 does not audit the whole company, their own department included');

-- the consequence: the audit C1 performs of their own department counts as I-4's internal audit
SELECT is((SELECT count(*) FROM tmac.internal_audit WHERE auditor = 'C1'), 0::bigint,
  'no internal audit has the 部門管理者 of DEV-QA as auditor of a scope containing DEV-QA');

SELECT * FROM finish();
ROLLBACK;
