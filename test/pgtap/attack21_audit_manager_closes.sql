-- attack21_audit_manager_closes.sql — pgTAP (insider review of issue 21): the auditor's
-- independence ("never the audited department's manager") is checked when the audit is planned
-- and when its result is recorded, but not for what the auditor does afterwards.  An auditor
-- appointed 部門管理者 of the audited department after the result keeps recording findings and
-- assigning corrective actions for it, and closes the corrective actions of their own
-- department (tmac.may_close_action: "the audit's auditor") — the manager confirms the
-- remediation of their own department.  Fails today; passes once the finding, assignment and
-- closure acts refuse an auditor who manages the audited department (as record_audit_result does).
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql

SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('D1', 'executive', 'D1', scope => '代表取締役', announced_how => '社内掲示', announced_on => current_date)$$);
-- B1 (of DEV, not its manager) audits DEV and records the result with one finding
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.plan_internal_audit('開発部の内部監査', '{I-4,II}', 'B1', current_date, audited_group => 'DEV')$$)::bigint AS a1 \gset
SELECT pg_temp.as_role('t_bob', format($$SELECT tmac.record_audit_result(%s, current_date, '開発部の台帳と記録を監査した')$$, :a1));
SELECT pg_temp.as_role('t_bob', format($$SELECT tmac.record_audit_finding(%s, 'I-4', 'major', '持出の承認記録が欠けていた')$$, :a1))::bigint AS f1 \gset
SELECT pg_temp.as_role('t_bob', format($$SELECT tmac.assign_corrective_action(%s, '持出の承認手順を再周知し、記録を補完する', 'A1', current_date + 14)$$, :f1))::bigint AS c1 \gset

-- B1 becomes the 部門管理者 of DEV
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('B1', 'department_manager', 'D1', scope_group => 'DEV', announced_how => '社内掲示', announced_on => current_date)$$);
SELECT pg_temp.as_role('t_alice', format($$SELECT tmac.complete_corrective_action(%s, '手順書を配布したことにする')$$, :c1));

-- control: the result is refused to the new manager (record_audit_result re-checks)
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.record_audit_result(%s, current_date, '開発部の台帳と記録を監査した')$q$)$$, :a1),
  NULL, NULL, 'control: the result cannot be recorded again');

-- exploit: the manager of DEV closes the corrective action of DEV's finding as "the audit's auditor"
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.close_corrective_action(%s, '自部門の是正を自分で確認した')$q$)$$, :c1),
  '42501', NULL, 'the 部門管理者 of the audited department does not close its corrective action as the auditor');
SELECT is((SELECT closed_by FROM tmac.corrective_action WHERE action_id = :c1), NULL,
  '... and the action stays open');

-- ... nor records findings on their own department
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.record_audit_finding(%s, 'II', 'observation', '特に問題は見当たらなかった')$q$)$$, :a1),
  '42501', NULL, 'the 部門管理者 of the audited department does not record findings of its audit');

SELECT * FROM finish();
ROLLBACK;
