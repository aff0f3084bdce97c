-- 45_registers.sql — demo: the certification registers: the seed's 目録, the 情報管理責任者, training, pledges, a cloud provider.
SET search_path = public, tmac;
\echo '== 1. 経営層: the president, who has no database login, is a person too (HR feed)'
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('HR-0100', 'E1000', 'hire', '2010-04-01', '{"full_name": "伊藤 社長", "title": "代表取締役", "org_group": "総務部", "job_role": "executive"}');

\echo '== 2. ① 重要情報目録: the seed''s example rows, designated by 経営層; the protected tables are entries'
SELECT tmac.register_asset('S-001', '現役製品カタログ一式', '営業', 'paper', label => '社内限', manager => 'E1003',
         managing_group => '営業部', user_scope => '営業部', location => '営業部 書庫', designated_by => 'E1000',
         designated_on => date '2016-07-01', registered_on => date '2016-07-01', notes => '製品カタログ');
SELECT tmac.register_asset('S-002', '現役製品カタログ一式', '営業', 'electronic', label => '社内限', manager => 'E1003',
         managing_group => '営業部', user_scope => '営業部', location => '可搬電子媒体（USB 保管庫）',
         designated_by => 'E1000', designated_on => date '2016-07-01', registered_on => date '2016-07-01', notes => '製品カタログ');
SELECT tmac.register_asset('T-001', '現役製品の設計図', '技術', 'electronic', label => '極秘:製品設計図', manager => 'E1002',
         managing_group => '開発部', user_scope => '開発部', designated_by => 'E1000', designated_on => date '2016-07-01',
         registered_on => date '2016-07-01', notes => '製品設計図');
SELECT tmac.bind_table('T-001', 'design_doc');
SELECT tmac.register_asset('T-002', '社内文書（分類済み）', '技術', 'electronic', label => '社外秘', manager => 'E1002',
         managing_group => '開発部', designated_by => 'E1000', designated_on => current_date);
SELECT tmac.bind_table('T-002', 'document');
SELECT asset_no, business_category AS 業務分類, name AS 名称, label, medium AS 媒体,
       coalesce(location, (SELECT string_agg(b.relid::text, ', ') FROM tmac.asset_binding b WHERE b.asset_no = a.asset_no)) AS 保存先,
       manager AS 管理責任者, registered_on AS 登録日
  FROM tmac.asset a ORDER BY asset_no;

\echo '== 3. ③ 管理者の選任: 経営層 appoints the 情報管理責任者 and makes it known'
SELECT tmac.appoint('E1001', 'information_officer', 'E1000', scope => '全社',
         announced_how => '情報管理規程・社内研修', announced_on => current_date) AS appointment_id;

\echo '== 4. ⑤ 教育: HR adopts the seed''s course for everyone; the president has not taken it yet'
SELECT tmac.define_course('basics');
SELECT course, title_ja, audience, cardinality(topics) AS topics FROM tmac.training_course;
SELECT tmac.record_training(p, 'basics', current_date) IS NOT NULL AS trained
  FROM unnest(ARRAY['E1001', 'E1002', 'E1003', 'E1004', 'E1005', 'E1006']) p;

\echo '== 5. ⑨ 委託先: the cloud storage that keeps the blueprints has an NDA but was never evaluated'
SELECT tmac.register_provider('CLOUD-1', 'Example Cloud 株式会社', 'cloud');
SELECT tmac.record_provider_nda('CLOUD-1', current_date - 30, current_date + 335, 'NDA-2026-001');
SELECT tmac.entrust_asset('CLOUD-1', 'T-001', 'バックアップ');

\echo '== 6. ⑨ 電子的対策: IT checks the measures around the database; the backup was last checked 14 months ago'
SELECT tmac.declare_electronic_measure('firewall', 'UTM を本社境界に設置、既定は拒否', 'E1002',
         '設定を確認: 443 と VPN のみ開放', evidence_uri => 'https://intra.example/fw-2026.pdf');
SELECT tmac.declare_electronic_measure('backup', 'NAS へ毎晩、週1回遠隔地へ', 'E1002',
         'ファイルサーバの復元テストに成功', checked_at => now() - interval '14 months');
SELECT count(tmac.declare_electronic_measure(k.measure, 'IT点検表 2026 のとおり実施', 'E1002',
         '情報システム担当と項目ごとに確認', evidence_uri => 'https://intra.example/it-checklist-2026.pdf')) AS declared
  FROM tmac.electronic_measures k WHERE k.declaration_id IS NULL;
SELECT ordinal, name_ja, status, checked_by FROM tmac.electronic_measures ORDER BY ordinal LIMIT 4;

\echo '== 7. What the registers show the auditor'
SELECT criterion, check_code, severity, subject FROM tmac.findings
 WHERE check_code IN (SELECT check_code FROM tmac.compliance_check
                       WHERE function_name IN ('tmac.check_inventory', 'tmac.check_appointments',
                                               'tmac.check_training_pledges', 'tmac.check_providers',
                                               'tmac.check_electronic_measures'))
 ORDER BY criterion, check_code, subject;
\echo '   (the president is overdue for training; 木村, who left, signed no termination pledge; the cloud provider was never evaluated; the backup is due for a check)'
