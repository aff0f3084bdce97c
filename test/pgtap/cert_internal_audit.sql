-- cert_internal_audit.sql — pgTAP: internal audits and corrective actions (69_internal_audit.sql):
-- the auditor is never the audited department's manager (refused when the plan is recorded and
-- when the result is), a management review is held by 経営層, the auditor records the result,
-- findings and corrective actions, the owner reports an action done and a second person closes it;
-- the findings internal_audit_missing and corrective_action_overdue created, seen, fixed and
-- cleared; tmac.compliance_status shows each criterion's last internal audit.
BEGIN;
SELECT plan(31);
\i test/pgtap/people_fixture.psql
\i test/pgtap/dedupe_helpers.psql


-- C1 manages DEV (部門管理者), E1 is the 情報管理責任者, D1 is 経営層.  A1 works in DEV-QA (under DEV).
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('D1', 'executive', 'D1', scope => '代表取締役', announced_how => '社内掲示', announced_on => current_date)$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('C1', 'department_manager', 'D1', scope_group => 'DEV', announced_how => '社内掲示', announced_on => current_date)$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('E1', 'information_officer', 'D1', scope => '全社', announced_how => '情報管理規程', announced_on => current_date)$$);

-- internal_audit_missing: every criterion, once persons exist
SELECT is(pg_temp.pop('internal_audit_missing'), 'I-4 high {persons}', 'internal_audit_missing: I-4, high, over the persons');
SELECT is(pg_temp.n('internal_audit_missing'), 10::bigint, 'no internal audit yet: all ten criteria are missing one');
SELECT is((SELECT count(*) FROM tmac.compliance_status WHERE last_internal_audit IS NOT NULL), 0::bigint,
  'compliance_status: no criterion has a last internal audit');

-- SoD: refused when the plan is recorded
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.plan_internal_audit('開発部の内部監査', '{I-4,II}', 'C1', current_date, audited_group => 'DEV')$q$)$$,
  '42501', 'C1 manages the audited department and may not audit it', 'the 部門管理者 of DEV does not audit DEV');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.plan_internal_audit('品質保証課の内部監査', '{I-4}', 'C1', current_date, audited_group => 'DEV-QA')$q$)$$,
  '42501', NULL, '... nor DEV-QA, a department under DEV');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.plan_internal_audit('全社の内部監査', '{I-1}', 'E1', current_date)$q$)$$,
  '42501', NULL, 'the 情報管理責任者 does not audit the whole company');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.plan_internal_audit('マネジメントレビュー', '{I-1}', 'A1', current_date, kind => 'management_review')$q$)$$,
  '42501', NULL, 'a management review is held by 経営層');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.plan_internal_audit('監査', '{I-9}', 'D1', current_date)$q$)$$,
  '22023', NULL, 'an unknown criterion is refused');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.plan_internal_audit('監査', '{I-1}', 'D1', current_date)$q$)$$,
  '42501', NULL, 'an employee does not plan audits');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.plan_internal_audit('営業部による開発部の内部監査', '{I-1,I-2,I-3,I-4,I-5,I-6,II,III,IV,V}', 'D1', current_date, audited_group => 'DEV')$$)::bigint AS a1 \gset
SELECT ok(:a1 > 0, 'D1, of SALES, audits DEV: planned');
SELECT is(pg_temp.n('internal_audit_missing'), 10::bigint, 'a plan is not an audit: still missing');

-- the auditor records the result
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.record_audit_result(%s, current_date, '全項目を確認し、記録を残した')$q$)$$, :a1),
  '42501', NULL, 'only the auditor records the result');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.record_audit_result(999999, current_date, '全項目を確認し、記録を残した')$q$)$$,
  '42501', 'internal audit "999999" is unknown or not yours', 'a person who cannot read the register learns nothing about an audit that does not exist');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_dave', $q$SELECT tmac.record_audit_result(%s, current_date - 1, '規程・台帳・記録を確認し、指摘1件', 'https://intra.example/audit-2026.pdf', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')$q$)$$, :a1),
  'D1 records that the audit was performed yesterday, with its report');
SELECT is(pg_temp.n('internal_audit_missing'), 0::bigint, 'every criterion covered: internal_audit_missing cleared');
SELECT is((SELECT count(*) FROM tmac.compliance_status WHERE last_internal_audit = current_date - 1), 10::bigint,
  'compliance_status shows each criterion''s last internal audit');

-- findings and corrective actions
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.record_audit_finding(%s, 'I-4', 'minor', '持出の承認記録が一部欠けていた')$q$)$$, :a1),
  '42501', NULL, 'only the auditor records a finding');
SELECT pg_temp.as_role('t_dave', format($$SELECT tmac.record_audit_finding(%s, 'I-4', 'minor', '持出の承認記録が一部欠けていた')$$, :a1))::bigint AS f1 \gset
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', $q$SELECT tmac.assign_corrective_action(%s, '承認手順を周知する', 'A1', current_date - 1)$q$)$$, :f1),
  '22023', NULL, 'a corrective action is not due in the past');
SELECT pg_temp.as_role('t_dave', format($$SELECT tmac.assign_corrective_action(%s, '持出の承認手順を再周知し、記録を補完する', 'A1', current_date + 14)$$, :f1))::bigint AS c1 \gset
SELECT is(pg_temp.pop('corrective_action_overdue'), 'I-4 high {corrective_actions}', 'corrective_action_overdue: I-4, over the corrective actions');
SELECT is(pg_temp.n('corrective_action_overdue'), 0::bigint, 'not due yet: no finding');
UPDATE tmac.corrective_action SET due_on = current_date - 3 WHERE action_id = :c1;
SELECT is(pg_temp.n('corrective_action_overdue', 'corrective_action:' || :c1), 1::bigint, 'past its due date and not done: a finding');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.complete_corrective_action(%s, '手順書を配布し記録を補完した')$q$)$$, :c1),
  '42501', NULL, 'only the owner reports it done');
SELECT pg_temp.as_role('t_alice', format($$SELECT tmac.complete_corrective_action(%s, '手順書を配布し記録を補完した', 'https://intra.example/ca-1')$$, :c1));
SELECT alike((SELECT detail FROM tmac.findings WHERE check_code = 'corrective_action_overdue'), '%reported done%nobody has confirmed%',
  'reported done: still open until a second person confirms it');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.close_corrective_action(%s, '自分で確認しました。')$q$)$$, :c1),
  '42501', NULL, 'the owner does not close their own corrective action');
SELECT throws_ok(format($$UPDATE tmac.corrective_action SET closed_at = now(), closed_by = owner WHERE action_id = %s$$, :c1),
  '23514', NULL, 'the table itself refuses closed_by = owner');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.close_corrective_action(%s, '確認しました。問題なし。')$q$)$$, :c1),
  '42501', NULL, 'nor does a person who is neither its auditor, the 情報管理責任者 nor 経営層');
SELECT pg_temp.as_role('t_dave', format($$SELECT tmac.close_corrective_action(%s, '配布記録と補完された台帳を確認した')$$, :c1));
SELECT is(pg_temp.n('corrective_action_overdue'), 0::bigint, 'the auditor checks the evidence and closes it: cleared');
SELECT is((SELECT closed_by || ' ' || (evidence IS NOT NULL) FROM tmac.corrective_action WHERE action_id = :c1), 'D1 true',
  'the closure and its evidence are recorded');

-- an audit a year old no longer counts
UPDATE tmac.internal_audit SET performed_on = current_date - 400 WHERE audit_id = :a1;
SELECT is(pg_temp.n('internal_audit_missing', 'criterion:II'), 1::bigint, 'performed 400 days ago: missing again (internal_audit_interval 12 months)');
SELECT alike((SELECT detail FROM tmac.findings WHERE subject = 'criterion:II'), '%was performed on%', '... naming the last audit');

-- SoD again when the result is recorded: the auditor became the department's manager since the plan
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.plan_internal_audit('開発部の内部監査 2027', '{II}', 'B1', current_date, audited_group => 'DEV')$$)::bigint AS a2 \gset
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('B1', 'department_manager', 'D1', scope_group => 'DEV-QA', announced_how => '社内掲示', announced_on => current_date)$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('B1', 'department_manager', 'D1', scope_group => 'DEV', announced_how => '社内掲示', announced_on => current_date)$$);
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.record_audit_result(%s, current_date, '開発部の台帳と記録を監査した')$q$)$$, :a2),
  '42501', 'B1 manages the audited department and may not audit it', 'an auditor appointed the audited department''s manager since the plan cannot record the result');

SELECT * FROM finish();
ROLLBACK;
