-- enumled_ledgers.sql — pgTAP: the nine ledgers an auditor reads (issue 20 item 4): a view each
-- with Japanese column names in the seed's order, enumerated values by their Japanese names,
-- times in the company's zone; tmac.ledger_csv with a UTF-8 BOM, a header row and quoting that
-- is right for commas, quotes, newlines and formula injection; who may read them.
BEGIN;
SELECT plan(36);
\i test/pgtap/people_fixture.psql
SET LOCAL lc_messages = 'C';
SELECT tmac.configure('date_time_zone', 'Asia/Tokyo');   -- the company's zone, whatever the default

CREATE FUNCTION pg_temp.cols(v regclass) RETURNS text[] LANGUAGE sql AS
  $$ SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = v AND a.attnum > 0 AND NOT a.attisdropped $$;
\i test/pgtap/dedupe_helpers.psql
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE sql AS $$ SELECT pg_temp.error_text(q, '%1$s: %2$s') $$;

-- each ledger's columns, in order (the seed's where it gives one)
SELECT is(pg_temp.cols('tmac.管理対象情報の目録'),
  '{管理番号,業務分類,情報資産名称,備考,利用者範囲,管理部署,媒体・保存先,個人情報,要配慮個人情報,特定個人情報,保存期限,登録日,表示,管理責任者,由来,預託元,指定者,指定日,最終確認日時,状態}',
  '管理対象情報の目録: the seed''s 目録 columns 業務分類 … 登録日, in its order');
SELECT is(pg_temp.cols('tmac.取扱管理簿'),
  '{番号,日時,管理番号,情報資産名称,取扱区分,秘密区分,取扱基準,媒体,複製番号,目的,持出先・提供先,受領者,秘密保持契約,担当者,承認者,承認日時,返却予定,返却日時,返却確認者,廃棄方法,自動記録,対象テーブル,行数}',
  '取扱管理簿');
SELECT is(pg_temp.cols('tmac.鍵の管理台帳'), '{区分,保管容器・区域,鍵,日時,氏名,承認者,返却予定,返却日時,受領者,目的・理由}', '鍵の管理台帳');
SELECT is(pg_temp.cols('tmac.入退室記録'),
  '{番号,立入制限区域,入室日時,退室日時,氏名,所属,区分,同行者,入館証,持込機器,持込承認者,目的,記録者}', '入退室記録');
SELECT is(pg_temp.cols('tmac.アクセス権者管理簿'),
  '{氏名,役職,アクセス権の設定年月日,トレーニングの受講状況,受講の有効期限,アクセス権,種類,アクセスの範囲,承認者,有効期限,誓約書,誓約書の有効期限,最終見直し日,所属,社員番号}',
  'アクセス権者管理簿: the seed''s 氏名, 役職, アクセス権の設定年月日, トレーニングの受講の状況 first');
SELECT is(pg_temp.cols('tmac.教育の記録'), '{受講日,氏名,所属,教育の名称,対象者,必須,記録日時,社員番号}', '教育の記録');
SELECT is(pg_temp.cols('tmac.誓約書の記録'),
  '{提出日,氏名,所属,誓約書の種類,プロジェクト,有効期限,様式の版,文書のSHA-256,記録日時,社員番号}', '誓約書の記録');
SELECT is(pg_temp.cols('tmac.委託先一覧'),
  '{委託先コード,委託先名称,委託の種類,委託内容,秘密保持契約の締結日,秘密保持契約の期限,契約番号,評価日,評価,評価の所見,預けている情報,状態}',
  '委託先一覧');
SELECT is(pg_temp.cols('tmac.事故・兆候の記録'),
  '{番号,発見日時,発見者,区分,兆候,内容,報告者,報告日時,報告先,報告を受けた者,経営層への報告日時,初動対応,影響,通知,原因,是正処置,対応期限,状態,完了日時,対象情報}',
  '事故・兆候の記録');

-- one row of each, through tmac's acts
SELECT tmac.register_asset('T-001', '現役製品の設計図', '技術', 'paper', label => 'SECRET', manager => 'C1',
         managing_group => 'DEV', user_scope => '開発部', location => '金庫A', personal_info => '{personal}');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.record_handling('T-001', 'take_out', '客先打合せ', media => 'paper',
         handled_at => '2026-04-01 01:30:00+00')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_area('LAB-1', '試作室', '本社2F', 'card', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_container('SAFE-1', '金庫A', '総務部', 'combination', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_key('K-1', 'area', 'LAB-1', 'C1')$$);
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.lend_key('K-1', 'A1', now() + interval '1 hour', '試作品確認')$$);
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_combination_change('container', 'SAFE-1', 'annual')$$);
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_entry('LAB-1', person_id => 'A1')$$);
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'design')$$);
SELECT tmac.register_provider('EVIL', E'Evil, "Co"\nLtd', 'other', '=1+2');
SELECT tmac.record_provider_nda('EVIL', '2026-01-05', NULL, '@SUM(A1)');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.report_incident('outsider', '会議室で盗聴器を発見', sign_code => 'outsider_bugging_device')$$);

SELECT is((SELECT 媒体・保存先 || '/' || 管理部署 || '/' || 個人情報 || 要配慮個人情報 || '/' || 管理責任者 || '/' || 状態
             FROM tmac.管理対象情報の目録 WHERE 管理番号 = 'T-001'), '書類・金庫A/開発部/○/Carol/管理中',
  '目録: medium and location, department, personal information marked, manager by name, status in Japanese');
SELECT is((SELECT 日時 || '/' || 取扱区分 || '/' || 媒体 || '/' || 取扱基準 || '/' || 担当者 FROM tmac.取扱管理簿),
  '2026-04-01 10:30:00 JST/持出/書類/要承認/Alice', '取扱管理簿: the time in the company''s zone, the action, media and rule in Japanese');
SELECT is(ARRAY(SELECT 区分 || '/' || coalesce(鍵, '-') || '/' || 氏名 || '/' || coalesce(承認者, '-') || '/' || 目的・理由 FROM tmac.鍵の管理台帳),
  '{貸出し/K-1/Alice/Carol/試作品確認,鍵番号の変更/-/Carol/-/定期変更（年1回以上）}',
  '鍵の管理台帳: loans and combination changes, in Japanese');
SELECT is((SELECT 立入制限区域 || '/' || 氏名 || '/' || 所属 || '/' || 区分 || '/' || 記録者 FROM tmac.入退室記録), '試作室/Alice/開発部/従業員/Carol',
  '入退室記録');
SELECT is((SELECT 氏名 || '/' || 役職 || '/' || トレーニングの受講状況 || '/' || アクセス権 || '/' || 種類 || '/' || 誓約書
             FROM tmac.アクセス権者管理簿), 'Alice/主任/受講済/SECRET (秘)/秘密区分/提出済', 'アクセス権者管理簿');
SELECT is((SELECT count(*) FROM tmac.教育の記録 WHERE 教育の名称 = 'security basics'), 5::bigint, '教育の記録: the fixture''s completions');
SELECT is((SELECT string_agg(DISTINCT 誓約書の種類, ',') FROM tmac.誓約書の記録), '入社時', '誓約書の記録: the kind in Japanese');
SELECT is((SELECT 委託の種類 || '/' || 状態 FROM tmac.委託先一覧), 'その他/委託中', '委託先一覧');
SELECT is((SELECT 区分 || '/' || 兆候 || '/' || 報告先 || '/' || 状態 || '/' || 報告者 FROM tmac.事故・兆候の記録),
  '外部者/' || (SELECT example_ja FROM tmac.leak_sign WHERE sign_code = 'outsider_bugging_device') || '/管理責任者/対応中/Alice',
  '事故・兆候の記録');

-- the CSV: byte-order mark, header, CRLF, quoting, no formula, dates whatever the DateStyle
SET LOCAL DateStyle = 'SQL, DMY';
SELECT tmac.ledger_csv('tmac.委託先一覧') AS csv \gset
SELECT is(left(:'csv', 1), chr(65279), 'ledger_csv begins with the UTF-8 byte-order mark');
SELECT is(convert_to(left(:'csv', 1), 'UTF8'), '\xefbbbf'::bytea, '(EF BB BF)');
SELECT is(split_part(substr(:'csv', 2), E'\r\n', 1),
  '"委託先コード","委託先名称","委託の種類","委託内容","秘密保持契約の締結日","秘密保持契約の期限","契約番号","評価日","評価","評価の所見","預けている情報","状態"',
  'then the header row of the Japanese column names');
SELECT is(substr(:'csv', 2),
  '"委託先コード","委託先名称","委託の種類","委託内容","秘密保持契約の締結日","秘密保持契約の期限","契約番号","評価日","評価","評価の所見","預けている情報","状態"' || E'\r\n'
  || '"EVIL","Evil, ""Co""' || E'\n' || 'Ltd","その他","''=1+2","2026-01-05",,"''@SUM(A1)",,,,,"委託中"' || E'\r\n',
  'a row: commas, quotes and newlines quoted, = and @ behind an apostrophe, NULL empty, ISO dates, CRLF');
SELECT is(tmac.csv_field(x), y, 'field ' || coalesce(x, 'NULL')) FROM (VALUES
  ('-1+2', '"''-1+2"'), ('+A1', '"''+A1"'), ('-', '"''-"'), ('＝1', '"''＝1"'), (E'\tx', E'"''\tx"'),
  ('-1', '"-1"'), ('+2.5', '"+2.5"')) t(x, y);   -- a plain signed number is data, not a formula
SELECT is((SELECT count(*) FROM regexp_matches(tmac.ledger_csv('tmac.取扱管理簿'), E'\r\n', 'g')), 2::bigint,
  'the handling ledger: the header and its one row');

-- who may read them
SELECT is(ARRAY(SELECT v FROM unnest(ARRAY['tmac.管理対象情報の目録', 'tmac.取扱管理簿', 'tmac.鍵の管理台帳', 'tmac.入退室記録',
                  'tmac.アクセス権者管理簿', 'tmac.教育の記録', 'tmac.誓約書の記録', 'tmac.委託先一覧', 'tmac.事故・兆候の記録']) v
                 WHERE has_table_privilege('public', v, 'SELECT') OR has_table_privilege('tmac_approver', v, 'SELECT')
                    OR NOT has_table_privilege('tmac_auditor', v, 'SELECT') OR NOT has_table_privilege('tmac_admin', v, 'SELECT')
                    OR length(pg_temp.as_role('t_aud', format('SELECT tmac.ledger_csv(%L)', v))) < 10),
          '{}'::text[], 'auditors and administrators read every ledger and its CSV; PUBLIC and approvers none');
SELECT is(pg_temp.err($$SELECT pg_temp.as_role('t_alice', 'SELECT count(*) FROM tmac.取扱管理簿')$$),
  '42501: permission denied for view 取扱管理簿', 'an employee may not read a ledger');
SELECT is(pg_temp.err($$SELECT pg_temp.as_role('t_alice', 'SELECT tmac.ledger_csv(''tmac.取扱管理簿'')')$$),
  '42501: permission denied for function ledger_csv', 'nor export it');
CREATE ROLE t_csv_only;
GRANT EXECUTE ON FUNCTION tmac.ledger_csv(regclass), tmac.csv_field(text) TO t_csv_only;
SELECT is(pg_temp.err($$SELECT pg_temp.as_role('t_csv_only', 'SELECT tmac.ledger_csv(''tmac.取扱管理簿'')')$$),
  '42501: permission denied for view 取扱管理簿', 'ledger_csv reads with its caller''s rights: no SELECT on the view, no CSV');
SELECT is(pg_temp.err($$SELECT pg_temp.as_role('t_aud', 'SELECT tmac.ledger_csv(''tmac.handling_entry'')')$$),
  '22023: tmac.handling_entry is not one of tmac''s ledgers', 'a table that is no ledger is refused');
SELECT is(pg_temp.err($$SELECT tmac.ledger_csv('pg_authid')$$), '22023: pg_authid is not one of tmac''s ledgers',
  'also for a superuser');

SELECT * FROM finish();
ROLLBACK;
