-- attack21_audit_unscoped_manager.sql — pgTAP (insider review of issue 21): a 部門管理者 appointed
-- with the department written only as text (scope => '開発部', no scope_group) is invisible to the
-- auditor's independence check (tmac.auditor_conflict compares scope_group_id only), so tmac_admin
-- can appoint the manager of DEV this way and then plan them as the auditor of DEV; the audit
-- counts as DEV's internal audit.  Fails today; passes once either a department_manager
-- appointment must name its department (scope_group), or the plan is refused.
BEGIN;
SELECT plan(2);
\i test/pgtap/people_fixture.psql

SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('D1', 'executive', 'D1', scope => '代表取締役', announced_how => '社内掲示', announced_on => current_date)$$);

CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_temp.as_role('t_adm', q);
  RETURN 'done';
EXCEPTION WHEN OTHERS THEN
  RETURN 'refused ' || SQLSTATE;
END $$;

-- C1 is made 部門管理者 of 開発部 (DEV) with the department as text only
SELECT pg_temp.try($$SELECT tmac.appoint('C1', 'department_manager', 'D1', scope => '開発部', announced_how => '社内掲示', announced_on => current_date)$$) AS appointed \gset
SELECT pg_temp.try($$SELECT tmac.plan_internal_audit('開発部の内部監査', '{I-4}', 'C1', current_date, audited_group => 'DEV')$$) AS planned \gset

SELECT ok(:'appointed' LIKE 'refused%' OR :'planned' = 'refused 42501',
  'a 部門管理者 of DEV (appointed with scope 開発部) is not planned as the auditor of DEV: appointed ' || :'appointed' || ', planned ' || :'planned');
SELECT is((SELECT count(*) FROM tmac.internal_audit i JOIN tmac.appointment a ON a.person_id = i.auditor AND a.role = 'department_manager' AND a.ended_at IS NULL
            WHERE i.audited_group_id = tmac.vocabulary_id('group', 'DEV')), 0::bigint,
  'no internal audit of DEV has a 部門管理者 as auditor');

SELECT * FROM finish();
ROLLBACK;
