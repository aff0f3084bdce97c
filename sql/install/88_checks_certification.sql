-- 88_checks_certification.sql — the checks of the documents register (68_documents.sql) and of
-- the internal audits (69_internal_audit.sql), registered with the compliance machinery of
-- 71_compliance.sql: their populations, the checks, the settings that weaken them, and the
-- evidence each criterion names.  Titles, descriptions and remedies are translated when read
-- (tmac.msgid marks them).

INSERT INTO tmac.compliance_population VALUES
  ('documents',         '施行中の文書',   tmac.msgid('documents in force (documents register)'),
   'SELECT count(*) FROM tmac.document_in_force'),
  ('acknowledged_documents', '確認を求める施行中の文書', tmac.msgid('documents in force that ask for acknowledgements (documents register)'),
   'SELECT count(*) FROM tmac.document_in_force WHERE acknowledgement <> ''none'''),
  ('corrective_actions', '是正処置', tmac.msgid('corrective actions of internal audits'),
   'SELECT count(*) FROM tmac.corrective_action');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('document_missing', 'I-4', 'high',
   tmac.msgid('規程・基準・手順・様式の欠落 (a document the seed requires is missing)'),
   tmac.msgid('A document the seed asks for (tmac.document_requirement: 情報管理規程, 情報管理基準, 教育計画, 報告ルール, 誓約書の様式, the procedures of ⑧ and ⑨) has no version approved by 経営層 and in force. The finding names the requirement, its criterion and the seed''s words.'),
   tmac.msgid('Record the document (tmac.record_document) and have a member of 経営層 other than its author approve it (tmac.approve_document).'),
   'tmac.check_documents', '{}', '{persons}', true),
  ('document_review_overdue', 'I-4', 'medium',
   tmac.msgid('文書の見直し期限切れ (a document not reviewed in time)'),
   tmac.msgid('A document in force was not reviewed (its approval counts as a review) within document_review_interval (1 year).'),
   tmac.msgid('経営層 or the 情報管理責任者 reviews it and records it (tmac.review_document), or a new version is approved.'),
   'tmac.check_documents', '{}', '{documents}', true),
  ('document_not_acknowledged', 'I-4', 'medium',
   tmac.msgid('文書の確認漏れ (persons in scope have not acknowledged a document)'),
   tmac.msgid('A document in force asks its scope (every employee and contractor, or the holders of access) to acknowledge it, and active persons in that scope have not acknowledged the version in force within document_acknowledgement_grace (30 days) of its effective date or their hiring.'),
   tmac.msgid('Each person acknowledges it as themselves (tmac.acknowledge_document).'),
   'tmac.check_documents', '{}', '{acknowledged_documents}', true),
  ('internal_audit_missing', 'I-4', 'high',
   tmac.msgid('内部監査の未実施 (a criterion not covered by an internal audit)'),
   tmac.msgid('No internal audit performed within internal_audit_interval (12 months) covered the criterion (seed: 情報管理規程 第14条 監査; ③ 管理者の役割: その実施状況を把握する). The finding names the criterion and its last audit.'),
   tmac.msgid('Plan an internal audit covering it (tmac.plan_internal_audit) with an auditor who does not manage the audited department, and record its result (tmac.record_audit_result).'),
   'tmac.check_internal_audits', '{}', '{persons}', true),
  ('corrective_action_overdue', 'I-4', 'high',
   tmac.msgid('是正処置の期限超過 (a corrective action past its due date)'),
   tmac.msgid('A corrective action (是正処置) of an internal audit finding is not closed by its due date: not done, or reported done and not confirmed by a second person.'),
   tmac.msgid('The owner carries it out and reports it with evidence (tmac.complete_corrective_action); its auditor, the 情報管理責任者 or 経営層 closes it (tmac.close_corrective_action).'),
   'tmac.check_internal_audits', '{}', '{corrective_actions}', true);

INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('document_review_interval', 'document_review_overdue', 'longer_than', '1 year', false,
   tmac.msgid('documents in force may go unreviewed for longer than a year')),
  ('document_acknowledgement_grace', 'document_not_acknowledged', 'longer_than', '30 days', false,
   tmac.msgid('persons may go longer than 30 days without acknowledging a document in force')),
  ('internal_audit_interval', 'internal_audit_missing', 'longer_than', '12 months', false,
   tmac.msgid('criteria may go longer than 12 months without an internal audit'));

UPDATE tmac.criterion
   SET evidence = evidence || '; the documents register: 規程, 基準, 手順, 様式 approved by 経営層, announced and acknowledged (tmac.document, tmac.document_in_force, tmac.document_requirement, tmac.document_acknowledgement); internal audits and management reviews, their findings and corrective actions (tmac.internal_audit, tmac.audit_finding, tmac.corrective_action)'
 WHERE criterion = 'I-4';
