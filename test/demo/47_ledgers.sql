-- 47_ledgers.sql — demo: the ledgers: 取扱管理簿, 保管容器と鍵の貸出し, 立入制限区域, 事故報告 — the seed's examples as data.
-- Every act is made by the person who does it (SET ROLE to their login): 山田 handles, 鈴木 and 高橋
-- approve and lend, 田中 (no tmac role at all) reports a leak sign.
SET search_path = public, tmac;
\set SHOW_CONTEXT never

\echo '== 1. ② 識別: beside the table (社外秘, chapter 10), a column of document is classified too'
SECURITY LABEL FOR tmac ON COLUMN document.title IS '社内限';
SELECT object_type, object_identity, label FROM tmac.object_label ORDER BY object_identity;

\echo '== 2. ⑧ Ⅲ 保管容器: the 開発部 safe (文字盤鍵) holds the paper parts list (目録 T-003); 営業部''s cabinet has a key'
SELECT tmac.register_asset('T-003', '試作品 部品表（紙）', '技術', 'paper', label => '秘', manager => 'E1002',
         managing_group => '開発部', user_scope => '開発部', location => '開発部 金庫 SAFE-1',
         designated_by => 'E1000', designated_on => current_date);
SELECT tmac.define_container('SAFE-1', '開発部 金庫', '本社 3F 設計室', 'combination', 'E1002');
SELECT tmac.define_container('CAB-1', '営業部 書庫キャビネット', '本社 2F 営業部', 'key', 'E1003');
SELECT tmac.store_asset('SAFE-1', 'T-003'), tmac.store_asset('CAB-1', 'S-001');
-- who can open a container must be able to read what it holds: 鈴木 (the safe's custodian, who
-- knows its combination) is cleared 秘 and 高橋 (the cabinet's and its key's custodian) 社内限 first
-- (佐藤 requests; 高橋 and 鈴木 approve each other's); 山田 is cleared 秘 already
SET ROLE sato;
SELECT tmac.request_clearance('E1002', '秘', now() + interval '1 year', '金庫の管理') AS suzuki_clearance,
       tmac.request_clearance('E1003', '社内限', now() + interval '1 year', '書庫の管理') AS takahashi_clearance \gset
SET ROLE takahashi;
SELECT tmac.approve(:suzuki_clearance) AS status;
SET ROLE suzuki;
SELECT tmac.approve(:takahashi_clearance) AS status;
RESET ROLE;
SELECT tmac.add_holder('container', 'SAFE-1', p) AS holder FROM unnest(ARRAY['E1002', 'E1005']) p;
SELECT tmac.define_key('KEY-CAB-1', 'container', 'CAB-1', 'E1003');
SET ROLE suzuki;
SELECT tmac.record_combination_change('container', 'SAFE-1', 'installed', '備え付け時に設定');
RESET ROLE;

\echo '== 3. 鍵の貸出し管理簿: 高橋 lends the cabinet key to 田中 and takes it back (the borrower never lends to himself)'
SET ROLE takahashi;
SELECT tmac.lend_key('KEY-CAB-1', 'E1006', now() + interval '2 hours', '製品カタログの取出し');
SELECT tmac.return_key('KEY-CAB-1');
RESET ROLE;
SELECT k.code AS 鍵, b.full_name AS 借用者, a.full_name AS 承認者, l.due_at - l.lent_at AS 貸出期間,
       r.full_name AS 受領者, l.purpose AS 目的
  FROM tmac.key_loan l JOIN tmac.physical_key k USING (key_id)
  JOIN tmac.person b ON b.person_id = l.borrower JOIN tmac.person a ON a.person_id = l.approved_by
  LEFT JOIN tmac.person r ON r.person_id = l.received_by;

\echo '== 4. 鍵番号の変更: 山田 handed the design over (chapter 40), so he no longer holds the combination ...'
SELECT tmac.end_holder(holder_id) FROM tmac.container_holder WHERE person_id = 'E1005';
SELECT check_code, subject, detail FROM tmac.findings WHERE criterion = 'III';
\echo '   ... until 鈴木 changes it (管理者やアクセス権者が替わった場合): the finding is gone'
SET ROLE suzuki;
SELECT tmac.record_combination_change('container', 'SAFE-1', 'holder_changed', '山田 引継ぎのため');
RESET ROLE;
SELECT count(*) AS open_findings_iii FROM tmac.findings WHERE criterion = 'III';

\echo '== 5. ⑧ Ⅳ 立入制限区域: the prototype line; a visitor enters with an escort, a badge and an approved camera'
SELECT tmac.define_area('AREA-1', '試作ライン', '本社工場 1F', 'card', 'E1002',
         open_hours => '平日 8:30–17:30', equipment => ARRAY['試作機 A-1', '金型']);
SET ROLE suzuki;
SELECT tmac.record_entry('AREA-1', visitor_name => '渡辺 一郎', visitor_company => 'Example 工業株式会社',
         escort => 'E1005', badge => '来訪者 V-07', devices => ARRAY['カメラ'], devices_approved_by => 'E1002',
         purpose => '試作機の立会検査') AS area_entry \gset
SELECT tmac.record_exit(:area_entry);
RESET ROLE;
SELECT a.code AS 区域, e.visitor_name AS 立入者, e.visitor_company AS 会社, s.full_name AS 立会者, e.badge AS 標識,
       e.devices AS 持込機器, d.full_name AS 持込承認, e.left_at IS NOT NULL AS 退室済
  FROM tmac.area_entry e JOIN tmac.restricted_area a USING (area_id)
  LEFT JOIN tmac.person s ON s.person_id = e.escort LEFT JOIN tmac.person d ON d.person_id = e.devices_approved_by;

\echo '== 6. ④ 取扱管理簿: 山田 takes the 秘 parts list out (持出 needs approval), 鈴木 approves, 山田 reports its return, 鈴木 confirms it'
SET ROLE yamada;
SELECT tmac.record_handling('T-003', 'take_out', '部品メーカーとの打合せ', media => 'paper',
         destination => 'Example 工業株式会社', due_at => now() + interval '2 days') AS take_out \gset
SET ROLE suzuki;
SELECT tmac.approve_handling(:take_out, '打合せ後ただちに返却');
SET ROLE yamada;
SELECT tmac.return_handling(:take_out, '金庫に返却');
SET ROLE suzuki;
SELECT tmac.confirm_return(:take_out, '金庫で現物を確認');
SET ROLE yamada;
\echo '   and copies it for a review (複製 with serial numbers), then shreds both copies (廃棄, 細断)'
SELECT tmac.record_handling('T-003', 'copy', '設計レビュー配布', media => 'paper',
         copy_serials => ARRAY['T-003-C1', 'T-003-C2']) AS copy \gset
SET ROLE suzuki;
SELECT tmac.approve_handling(:copy);
SET ROLE yamada;
SELECT tmac.record_handling('T-003', 'dispose', 'レビュー終了', media => 'paper',
         copy_serials => ARRAY['T-003-C1', 'T-003-C2'], disposal_method => 'shred') AS disposal \gset
SET ROLE suzuki;
SELECT tmac.approve_handling(:disposal);
\echo '   Inside the database tmac records handling by itself: 山田 exports the rows he may see (COPY … TO)'
SET ROLE yamada;
COPY (SELECT id, title, label FROM design_doc ORDER BY id) TO STDOUT;
RESET ROLE;
SELECT h.entry_id AS "No.", coalesce(a.asset_no, array_to_string(h.source_tables, ',')) AS 対象情報,
       x.name_ja AS 取扱区分, h.media AS 媒体, h.purpose AS 目的, h.destination AS 持出先, hp.full_name AS 担当者,
       ap.full_name AS 承認者, h.rule_applied AS 基準, h.copy_serials AS 通し番号,
       h.disposal_method AS 廃棄方法, rp.full_name AS 返却
  FROM tmac.handling_entry h JOIN tmac.handling_action x USING (action) LEFT JOIN tmac.asset a USING (asset_id)
  LEFT JOIN tmac.person hp ON hp.person_id = h.handler LEFT JOIN tmac.person ap ON ap.person_id = h.approver
  LEFT JOIN tmac.person rp ON rp.person_id = h.returned_by
 ORDER BY h.entry_id;

\echo '== 7. ⑥ 事故報告: 田中 (no tmac role) reports a sign from the seed to his superior 高橋, who reports to 経営層'
SET ROLE tanaka;
SELECT tmac.report_incident('leaver', '退職した木村氏の転職先が、当社の現役製品と同等の機能の試作品を展示会に出展していた',
         sign_code => 'leaver_competitor_product', asset_nos => ARRAY['T-001'],
         reported_to => 'supervisor', reported_to_person => 'E1003') AS incident \gset
SET ROLE takahashi;
SELECT tmac.escalate_incident(:incident, '伊藤 社長（経営層）');
SELECT tmac.update_incident(:incident, first_response => '木村氏の在職中のアクセス記録・取扱管理簿を確認、証拠を保全',
         evidence_refs => ARRAY['tmac.audit_log', 'tmac.handling_entry']);
RESET ROLE;
SELECT i.incident_id, s.example_ja AS 兆候, r.full_name AS 報告者, t.full_name AS 報告先,
       e.full_name AS 経営層へ報告, i.status
  FROM tmac.incident i JOIN tmac.leak_sign s USING (sign_code) JOIN tmac.person r ON r.person_id = i.reported_by
  LEFT JOIN tmac.person t ON t.person_id = i.reported_to_person LEFT JOIN tmac.person e ON e.person_id = i.escalated_by;
\echo '   its timeline (時系列), every change with who made it'
SELECT event_id, actor, what FROM tmac.incident_event WHERE incident_id = :incident ORDER BY event_id;

\echo '== 8. What the ledgers show the auditor: nothing open in their checks under Ⅰ-4, Ⅰ-6, Ⅲ and Ⅳ'
\echo '   (the checks that examine the handling ledger, the incidents, containers, keys and areas)'
\set ledgers '''{handling_entries,incidents,containers,key_loans,areas,area_entries,area_hours,visitor_entries}'''
SELECT c.criterion, c.title_ja, count(f.check_code) AS open_findings
  FROM tmac.criterion c
  LEFT JOIN (tmac.findings f JOIN tmac.compliance_check k USING (check_code))
         ON f.criterion = c.criterion AND k.population && :ledgers::text[]
 WHERE c.criterion IN ('I-4', 'I-6', 'III', 'IV') GROUP BY c.criterion, c.title_ja ORDER BY c.criterion;
\echo '   What else is open under them is not about the ledgers: the documents and internal audits not yet'
\echo '   recorded (48_documents records them), and leak signs in the access statistics of 30_enforcement'
\echo '   and 40_two_sessions (see 50_compliance)'
SELECT f.criterion, f.check_code, k.population, k.population && :ledgers::text[] AS ledger, count(*) AS open_findings
  FROM tmac.findings f JOIN tmac.compliance_check k USING (check_code)
 WHERE f.criterion IN ('I-4', 'I-6', 'III', 'IV') GROUP BY 1, 2, 3, 4 ORDER BY 1, 2;

\echo '== 9. Checks across registers: the prototype line is 秘; 田中 (社外秘 clearance) is refused at reception'
SELECT tmac.set_area_label('AREA-1', '秘');
SET ROLE suzuki;
\set ON_ERROR_STOP 0
SELECT tmac.record_entry('AREA-1', person_id => 'E1006', purpose => '部品の受取り');   -- expect-error
\set ON_ERROR_STOP 1
RESET ROLE;
\echo '   and the inventory understated design_doc: T-001 (極秘:製品設計図) is bound to it, which also holds a プロジェクトA proposal'
SELECT check_code, subject, detail FROM tmac.findings WHERE check_code = 'rows_above_asset_label';
\echo '   経営層 widens the entry to what the table holds: the finding is gone'
SELECT tmac.update_asset('T-001', '{"label":"極秘:製品設計図,プロジェクトA"}');
SELECT count(*) AS rows_above_asset_label FROM tmac.findings WHERE check_code = 'rows_above_asset_label';
