-- 30_enforcement.sql — demo: row-level need-to-know on a protected table.
-- Two employees run the same query and see different rows; tmac.explain_access says why; a
-- revocation applies to the very next query.
\set SHOW_CONTEXT never

\echo '== 1. Two more hires: 山田 (開発部, engineer) and 田中 (営業部, sales), with pledge and training'
CREATE ROLE yamada LOGIN;
CREATE ROLE tanaka LOGIN;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['yamada', 'tanaka']::regrole[]) r \g /dev/null
SET ROLE hr_system;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('HR-0006', 'E1005', 'hire', '{"full_name": "山田 太郎", "title": "主任", "org_group": "開発部", "job_role": "engineer", "login_role": "yamada"}'),
  ('HR-0007', 'E1006', 'hire', '{"full_name": "田中 健", "org_group": "営業部", "job_role": "sales", "login_role": "tanaka"}');
SELECT person_id,
       tmac.record_pledge(person_id, 'hire', current_date) IS NOT NULL AS pledge_recorded,
       tmac.record_training(person_id, '情報管理の基本', current_date) IS NOT NULL AS training_recorded
  FROM (VALUES ('E1005'), ('E1006')) AS hired(person_id);
RESET ROLE;

\echo '== 2. 佐藤 requests, 鈴木 approves: 山田 秘 (SECRET) + 製品設計図; 田中 社外秘 (CONFIDENTIAL) + プロジェクトA'
SET ROLE sato;
SELECT tmac.request_clearance('E1005', '秘', now() + interval '1 year', '製品設計') AS yamada_clearance,
       tmac.request_access('E1005', '製品設計図', now() + interval '1 year', '製品設計') AS yamada_blueprint,
       tmac.request_clearance('E1006', '社外秘', now() + interval '1 year', '営業') AS tanaka_clearance,
       tmac.request_access('E1006', 'プロジェクトA', now() + interval '1 year', '顧客提案') AS tanaka_project
\gset
SET ROLE suzuki;
SELECT tmac.approve(g) AS status
  FROM unnest(ARRAY[:yamada_clearance, :yamada_blueprint, :tanaka_clearance, :tanaka_project]) AS g;
RESET ROLE;
SELECT p.full_name, og.code AS org_group, g.kind, g.level, g.compartment, g.status
  FROM tmac.grants g JOIN tmac.person p USING (person_id) LEFT JOIN tmac.org_group og ON og.group_id = p.org_group_id
 WHERE g.person_id IN ('E1005', 'E1006') ORDER BY g.grant_id;

\echo '== 3. A table of design documents, protected by tmac (row-level security on the label column)'
CREATE TABLE design_doc (id int PRIMARY KEY, title text NOT NULL, label tmac.label NOT NULL);
INSERT INTO design_doc VALUES
  (1, '製品カタログ',         '公開'),
  (2, '営業日報',             '社内限::営業部'),
  (3, '開発部 週報',          '社内限::開発部'),
  (4, '見積書',               '社外秘'),
  (5, '試作品 部品表',        '社外秘:製品設計図'),
  (6, 'プロジェクトA 提案書', '社外秘:プロジェクトA'),
  (7, '設計レビュー議事録',   '秘:製品設計図:開発部'),
  (8, '製品設計図 v3',        '極秘:製品設計図:開発部');
SELECT tmac.protect('design_doc')\g /dev/null
SELECT relid, label_column FROM tmac.protected_table;
GRANT SELECT ON design_doc TO yamada, tanaka;

\echo '== 4. 山田 (開発部, SECRET, 製品設計図) runs the query ...'
SET ROLE yamada;
SELECT id, title, label FROM design_doc ORDER BY id;
\echo '   (hidden from 山田: 2 is 営業部 only, 6 needs プロジェクトA, 8 is 極秘 — above his clearance)'
\echo '   ... and 田中 (営業部, CONFIDENTIAL, プロジェクトA) runs the same query'
SET ROLE tanaka;
SELECT id, title, label FROM design_doc ORDER BY id;
\echo '   (hidden from 田中: 3 is 開発部 only, 5 needs 製品設計図, 7 and 8 are above his clearance)'

\echo '== 5. Why can 田中 not see 試作品 部品表 (社外秘:製品設計図)? He asks tmac.explain_access'
SELECT * FROM tmac.explain_access('E1006', '社外秘:製品設計図');
RESET ROLE;

\echo '== 6. The project ends: 佐藤 revokes 田中''s プロジェクトA grant; his very next query no longer shows it'
SET ROLE sato;
SELECT tmac.revoke(:tanaka_project, 'プロジェクトA 終了')\g /dev/null
RESET ROLE;
SELECT grant_id, person_id, compartment, status, end_reason FROM tmac.grants WHERE grant_id = :tanaka_project;
SET ROLE tanaka;
SELECT id, title, label FROM design_doc ORDER BY id;
