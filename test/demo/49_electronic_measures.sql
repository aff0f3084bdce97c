-- 49_electronic_measures.sql — demo: ⑨ the electronic measures outside the database, declared with evidence, beside tmac's own.
SET search_path = public, tmac;
\echo '== 1. The company''s highest level is 極秘 (the blueprints): the seed''s electronic measures it asks for'
SELECT ordinal, measure, name_ja, required, state FROM tmac.electronic_measures ORDER BY ordinal;

\echo '== 2. The 情報管理責任者''s team checks each measure and declares it: who checked, what was seen, the evidence'
SELECT tmac.declare_electronic_measure(measure, d.description, 'E1001', d.observed, d.evidence) AS declaration_id
  FROM (VALUES ('terminals',                '全端末に操作手順書を配布、10分でスクリーンロック', '抜き取り5台で設定を確認', 'IT-2026-101'),
               ('external_media',           'USBメモリは登録制、持出は管理簿に記録',           '登録台帳と持出記録を照合', 'IT-2026-102'),
               ('network_boundary',         'UTM によるファイアウォール、外部公開なし',         'ルール一覧と外部スキャン結果を確認', 'IT-2026-103'),
               ('malware_protection',       '全端末・サーバにウィルス対策ソフト、定義は自動更新', '管理コンソールで全台の更新日を確認', 'IT-2026-104'),
               ('backup',                   '夜間バックアップ、週次で別拠点へ',                 '月次の復元テストの記録を確認', 'IT-2026-105'),
               ('log_retention',            'サーバ・UTM のログを1年保存',                     '保存期間の設定と最古のログを確認', 'IT-2026-106'),
               ('remote_access',            'VPN と多要素認証、利用者は申請制',                 '利用者一覧と申請記録を照合', 'IT-2026-107'),
               ('vulnerability_management', '月次で脆弱性情報を確認しパッチを適用',             '適用記録を確認', 'IT-2026-108'),
               ('software_management',      'ソフトウェアの導入は申請・承認制',                 '導入台帳と端末の一覧を照合', 'IT-2026-109')) AS d(measure, description, observed, evidence);

\echo '== 3. What the auditor sees: each measure declared, and tmac''s own evidence listed beside them (not instead)'
SELECT measure, name_ja, state, checked_by, checked_on, evidence_ref, review_due, description
  FROM tmac.electronic_measures ORDER BY ordinal;
SELECT count(*) AS open_findings FROM tmac.findings
 WHERE check_code IN ('electronic_measure_missing', 'electronic_measure_review_overdue');
