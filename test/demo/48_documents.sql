-- 48_documents.sql — demo: 規程・基準・手順・様式 approved by 経営層 and acknowledged; an internal audit and its corrective action.
SET search_path = public, tmac;
\echo '== 1. 経営層: the president appoints 鈴木 (開発部長) a director; tmac knows 経営層 by that appointment'
SELECT tmac.appoint('E1002', 'executive', 'E1000', scope => '取締役', announced_how => '取締役会議事録',
         announced_on => current_date) AS appointment_id;

\echo '== 2. The 情報管理責任者 (佐藤) drafts the documents the seed asks for: one per requirement, the text by URI and SHA-256'
SELECT requirement, criterion, name_ja AS 文書 FROM tmac.document_requirement ORDER BY criterion, requirement;
-- (as each person: the statements are generated from the requirements, which persons do not read)
SELECT format('SET ROLE sato; SELECT tmac.record_document(%L, %L, %L, %L, %L, %L, %L, acknowledgement => %L); RESET ROLE',
              'DOC-' || upper(replace(r.requirement, '_', '-')), '第1版', r.kind, r.name_ja, ARRAY[r.requirement],
              'https://intra.example.co.jp/rules/' || r.requirement || '.pdf', encode(sha256(convert_to(r.name_ja, 'UTF8')), 'hex'),
              CASE WHEN r.requirement = 'information_rules' THEN 'all' ELSE 'none' END)
  FROM tmac.document_requirement r ORDER BY r.requirement \gexec
SET ROLE sato;
\echo '   佐藤 may not approve what she wrote, nor is she 経営層:'
\set ON_ERROR_STOP 0
SELECT tmac.approve_document('DOC-INFORMATION-RULES', '第1版');   -- expect-error
\set ON_ERROR_STOP 1

\echo '== 3. 鈴木 of 経営層 approves them; 佐藤 records how the 情報管理規程 was made known (周知)'
RESET ROLE;
SELECT format('SET ROLE suzuki; SELECT tmac.approve_document(%L, %L, note => %L); RESET ROLE', doc_no, version, '取締役会で承認')
  FROM tmac.document ORDER BY doc_no \gexec
SET ROLE sato;
SELECT tmac.announce_document('DOC-INFORMATION-RULES', '第1版', '社内研修・イントラネット掲載');

\echo '== 4. Each employee acknowledges the 情報管理規程 as themselves'
SET ROLE takahashi;
SELECT tmac.acknowledge_document('DOC-INFORMATION-RULES') AS acknowledged_version;
RESET ROLE;
SELECT doc_no, version, kind, title, approved_by, effective_from, announced_how,
       (SELECT count(*) FROM tmac.document_acknowledgement a WHERE a.document_id = d.document_id) AS acknowledged
  FROM tmac.document_in_force d ORDER BY doc_no;

\echo '== 5. 内部監査: the plan (tmac_admin); 高橋 (営業部) audits the whole company, 佐藤 (情報管理責任者) may not'
\set ON_ERROR_STOP 0
SELECT tmac.plan_internal_audit('2026年度 全社内部監査', '{I-1}', 'E1001', current_date);   -- expect-error
\set ON_ERROR_STOP 1
SELECT tmac.plan_internal_audit('2026年度 全社内部監査', '{I-1,I-2,I-3,I-4,I-5,I-6,II,III,IV,V}', 'E1003', current_date) AS audit \gset
SET ROLE takahashi;
SELECT tmac.record_audit_result(:audit, current_date, '規程・台帳・記録を確認し、軽微な指摘1件');
SELECT tmac.record_audit_finding(:audit, 'I-4', 'minor', '持出の承認記録が一部欠けていた') AS finding \gset
SELECT tmac.assign_corrective_action(:finding, '持出の承認手順を再周知し、台帳の記録を補完する', 'E1002', current_date + 14) AS action \gset

\echo '== 6. 是正処置: 鈴木 reports it done with its evidence; 高橋, the auditor, checks it and closes it (never the owner)'
SET ROLE suzuki;
SELECT tmac.complete_corrective_action(:action, '手順書を全員に配布し、台帳の記録を補完した', 'https://intra.example.co.jp/ca/2026-1');
SET ROLE takahashi;
SELECT tmac.close_corrective_action(:action, '配布記録と補完された台帳を確認した');
RESET ROLE;
SELECT c.action_id, f.criterion, f.grade, c.description, c.owner, c.due_on, c.closed_by
  FROM tmac.corrective_action c JOIN tmac.audit_finding f USING (finding_id) ORDER BY c.action_id;
SELECT criterion, last_internal_audit FROM tmac.compliance_status ORDER BY criterion;
\echo '   (no document_missing, internal_audit_missing or corrective_action_overdue finding is left)'
SELECT count(*) AS open_findings FROM tmac.findings
 WHERE check_code IN ('document_missing', 'document_review_overdue', 'document_not_acknowledged',
                      'internal_audit_missing', 'corrective_action_overdue');
