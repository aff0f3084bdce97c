-- sqla_japanese.sql — pgTAP: the core SQL's messages (vocabulary, settings, persons, HR feed,
-- grants, audit log, protect: sql/install/10_…61_) speak the session's language (lc_messages):
-- under ja_JP.UTF-8 an error's message, detail and hint are Japanese and its SQLSTATE the same
-- as in English; a setting's description (tmac.settings, configure's hint) is Japanese; an HR
-- event rejected in lenient mode keeps its error in the language of the session that loaded it.
-- Under C the same errors are English, word for word as before the catalog.
BEGIN;
SELECT plan(39);
\i test/pgtap/people_fixture.psql

-- The error a statement raises: {SQLSTATE, message, detail, hint} ('' for none).
CREATE FUNCTION pg_temp.err(q text) RETURNS text[] LANGUAGE plpgsql AS
$$
DECLARE
  st text; msg text; det text; hnt text;
BEGIN
  EXECUTE q;
  RETURN ARRAY['no error', '', '', ''];
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
  RETURN ARRAY[st, msg, coalesce(det, ''), coalesce(hnt, '')];
END
$$;
CREATE TABLE pg_temp.sqla_plain (a int, lbl text);
CREATE VIEW pg_temp.sqla_view AS SELECT 1 AS a;
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design', 'write')$$)::bigint AS g1 \gset
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'erin asks')$$)::bigint AS g2 \gset

SET LOCAL lc_messages = 'ja_JP.UTF-8';

-- vocabulary
SELECT pg_temp.err($$SELECT tmac.define_level('bad code!', 50, '悪い')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['22023', '区分コード "bad code!" は不正です', '',
          'コードは ASCII の英字・数字・"_"・"."・"-" による 1～63 文字で、英字か数字で始めてください。日本語は名称に記入してください。'],
          'ja: an invalid level code, with its hint');
SELECT pg_temp.err($$SELECT tmac.define_group('QA2', '品質', 'NOPE')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['42704', '親の組織グループ "NOPE" は定義されていません', '',
          '先に tmac.define_group で親の組織グループを定義してください。'], 'ja: an unknown parent group');
SELECT pg_temp.err($$SELECT tmac.define_compartment('PRJ-C', 'Project A')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['42710', '表記 "Project A" は既にコンパートメント "PRJ-A" の表記です', '',
          'コード・名称・別名は、区分、コンパートメント、組織グループのそれぞれの中で一意にしてください（ASCII の大文字・小文字は区別しません）。'],
          'ja: a spelling that names another compartment (the vocabulary''s trigger)');
SELECT pg_temp.err($$SELECT tmac.rename_level('NOPE', 'X')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['42704', '区分 "NOPE" は定義されていません', '',
          '名前を変更する項目のコード、名称または別名を指定してください。'], 'ja: renaming an unknown level');

-- settings: a bad value, with the setting's description as its hint; the settings view
SELECT pg_temp.err($$SELECT tmac.configure('review_period', '-1 day')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['22023', '値 "-1 day" は tmac の設定 "review_period" に使えません'],
          'ja: a bad setting value');
SELECT ok((:'e'::text[])[4] LIKE '有効なアクセス権はすべて、この期間内のアクセス権の棚卸しで継続が確認されていなければなりません（正の interval）_',
          'ja: its hint is the setting''s description in Japanese');
SELECT pg_temp.err($$SELECT tmac.configure('no_such_key', '1')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['42704', 'tmac の設定 "no_such_key" はありません'], 'ja: an unknown setting');
SELECT ok((:'e'::text[])[4] LIKE '設定項目: %review_period%。', 'ja: its hint lists the settings');
SELECT is((SELECT description FROM tmac.settings WHERE key = 'require_pledge'),
          'アクセスには有効な誓約書が必要です: on または off', 'ja: tmac.settings describes a setting in Japanese');
SELECT is((SELECT description FROM tmac.settings WHERE key = 'training_new_hire_grace'),
          '採用からこの期間内の人員は、未修了の教育コースがあっても training_overdue の指摘事項になりません（0 以上の interval）',
          'ja: a setting defined in another file too');

-- grants: refusals with detail and hint
SELECT pg_temp.err(format($$SELECT pg_temp.as_role('t_erin', 'SELECT tmac.approve(%s)')$$, :g2)) AS e \gset
SELECT is(:'e'::text[], ARRAY['42501', '人員 "E1" は自分が行った申請を承認できません', '',
          '別の承認者が判断してください（二者確認の原則）。'], 'ja: four eyes: the requester cannot approve');
SELECT pg_temp.err($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''A1'', ''PRJ-A'', now() + interval ''10 days'', ''again'', ''write'')')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['23P01', format('人員 "A1" のアクセス権 %s と期間が重なっています', :g1)],
          'ja: an overlapping request (the translation reorders the arguments)');
SELECT ok((:'e'::text[])[3] LIKE format('アクセス権 %s が、期間 [%% の一部で同じコンパートメントを付与しています。', :g1),
          'ja: its detail');
SELECT is((:'e'::text[])[4], '既存のアクセス権を tmac.extend(grant_id, valid_until) で延長するか、先に取り消してください。', 'ja: its hint');
SELECT pg_temp.err($$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '1 day', 'x')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['42501', format('ロール "%s" は人員に対応付けられていないため、アクセスを申請することはできません', current_user), '',
          '人事フィードが人員に対応付けたログインロール（採用イベントの属性 login_role）で操作してください。'],
          'ja: a role that is no person cannot request (the duty in Japanese)');
SELECT pg_temp.err($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''A1'', ''PRJ-B'', now() + interval ''1 day'', ''x'', ''delete'')')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['22023', 'アクセスの範囲 "delete" は定義されていません', '', '指定できるアクセスの範囲: 閲覧 (read)、閲覧・更新 (write)。'],
          'ja: an invalid mode (the enumerations'' error, listing the allowed values)');
SELECT is((SELECT reason FROM tmac.access_prerequisites('nobody')), '人員 "nobody" は登録されていません',
          'ja: access_prerequisites words an unknown person in Japanese');

-- the HR feed: strict errors, then an event rejected in lenient mode
SELECT pg_temp.err($$SELECT pg_temp.as_role('t_hr', 'INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES (''sqla-1'', ''Z1'', ''bogus'')')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['22023', '人事イベント "sqla-1"（bogus）: 種類 ''bogus'' は不正です', '',
          '種類: hire（採用）、transfer（異動）、promotion（昇進）、leave（休職）、return（復職）、terminate（退職）、rehire（再雇用）。'],
          'ja: an HR event of an invalid kind');
SELECT pg_temp.err($$SELECT pg_temp.as_role('t_hr', 'INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES (''sqla-2'', ''Z2'', ''hire'', ''{"full_name": "Zed", "login_role": "tmac_admin"}'')')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['22023', '人事イベント "sqla-2"（hire）: ログインロール "tmac_admin" は人員に対応付けられません: tmac のロール、定義済みロール、またはブートストラップロールです'],
          'ja: an HR event mapping a tmac role, with the reason in Japanese');
SELECT pg_temp.err($$SELECT pg_temp.as_role('t_hr', 'INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES (''sqla-3'', ''A1'', ''leave''), (''sqla-4'', ''A1'', ''return''), (''sqla-5'', ''A1'', ''return'')')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['55000', '人事イベント "sqla-5"（return）: 人員 "A1" の状態は active で、休職中ではありません'],
          'ja: an HR event that does not fit the person''s state (the set path falls back to one by one)');
SELECT tmac.configure('hr_event_mode', 'lenient');
SELECT pg_temp.as_role('t_hr', $$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('sqla-6', 'Z1', 'bogus') RETURNING event_id$$);
SELECT is((SELECT ARRAY[outcome, error_sqlstate, error_message] FROM tmac.hr_event WHERE event_id = 'sqla-6'),
          ARRAY['rejected', '22023', '人事イベント "sqla-6"（bogus）: 種類 ''bogus'' は不正です'],
          'ja: a rejected HR event keeps its error in the language of the session that loaded it');

-- the audit log, protect
SELECT pg_temp.err($$UPDATE tmac.audit_log SET subject = 'changed' WHERE entry_id = (SELECT min(entry_id) FROM tmac.audit_log)$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['42501', 'tmac.audit_log は追記専用です', '監査ログに対する UPDATE は拒否されます。',
          '記録は tmac 自身または tmac.audit_record() によって追加され、変更も削除もされません。'], 'ja: the audit log is append-only');
SELECT pg_temp.err($$SELECT tmac.protect('pg_temp.sqla_plain', 'lbl')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['42804', format('テーブル "%s" の列 "lbl" の型は text で、tmac.label ではありません', 'pg_temp.sqla_plain'::regclass)],
          'ja: protecting a column that is no label (the translation reorders three arguments)');
SELECT is((:'e'::text[])[4], format('先に型を変換してください: ALTER TABLE %s ALTER COLUMN lbl TYPE tmac.label USING lbl::text::tmac.label;', 'pg_temp.sqla_plain'::regclass),
          'ja: its hint, with the statement to run');
SELECT pg_temp.err($$SELECT tmac.protect('pg_temp.sqla_view')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['42809', format('"%s" はビューです。保護できるのはテーブルだけです', 'pg_temp.sqla_view'::regclass), '',
          'ビューが読むテーブルを保護し、ビューは WITH (security_invoker = true) で作成して、読む人自身のアクセス権が適用されるようにしてください。'],
          'ja: protecting a view');

-- the same in English (lc_messages C): word for word as before, the same SQLSTATEs
SET LOCAL lc_messages = 'C';
SELECT pg_temp.err($$SELECT tmac.define_level('bad code!', 50, '悪い')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['22023', 'invalid level code "bad code!"', '',
          'A code is 1–63 ASCII letters, digits, "_", "." or "-", starting with a letter or digit; put Japanese in the name.'],
          'C: an invalid level code, with its hint');
SELECT pg_temp.err($$SELECT tmac.define_compartment('PRJ-C', 'Project A')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['42710', 'the spelling "Project A" already names the compartment "PRJ-A"'], 'C: a spelling that names another compartment');
SELECT pg_temp.err($$SELECT tmac.configure('review_period', '-1 day')$$) AS e \gset
SELECT is(:'e'::text[], ARRAY['22023', 'invalid value "-1 day" for tmac setting "review_period"', '',
          'Every active grant must have been kept by an access review within this interval (a positive interval).'],
          'C: a bad setting value, its hint the description');
SELECT is((SELECT description FROM tmac.settings WHERE key = 'require_pledge'),
          'Access requires a valid pledge (誓約書): on or off', 'C: tmac.settings describes a setting in English');
SELECT pg_temp.err(format($$SELECT pg_temp.as_role('t_erin', 'SELECT tmac.approve(%s)')$$, :g2)) AS e \gset
SELECT is(:'e'::text[], ARRAY['42501', 'person "E1" cannot approve their own request', '', 'Another approver must decide (four-eyes rule).'],
          'C: four eyes');
SELECT pg_temp.err($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''A1'', ''PRJ-A'', now() + interval ''10 days'', ''again'', ''write'')')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['23P01', format('overlaps grant %s for person "A1"', :g1)], 'C: an overlapping request');
SELECT ok((:'e'::text[])[3] LIKE format('Grant %s covers the same compartment during part of [%%).', :g1), 'C: its detail');
SELECT pg_temp.err($$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '1 day', 'x')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['42501', format('role "%s" is not mapped to a person and cannot request access', current_user)],
          'C: a role that is no person cannot request');
SELECT pg_temp.as_role('t_hr', $$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('sqla-7', 'Z1', 'bogus') RETURNING event_id$$);
SELECT is((SELECT ARRAY[error_sqlstate, error_message] FROM tmac.hr_event WHERE event_id = 'sqla-7'),
          ARRAY['22023', 'HR event "sqla-7" (bogus): invalid kind ''bogus'''], 'C: a rejected HR event keeps its error in English');
SELECT is((SELECT error_message FROM tmac.hr_event WHERE event_id = 'sqla-6'),
          '人事イベント "sqla-6"（bogus）: 種類 ''bogus'' は不正です', 'the event rejected in Japanese stays as it was written');
SELECT tmac.configure('hr_event_mode', 'strict');
SELECT pg_temp.err($$SELECT pg_temp.as_role('t_hr', 'INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES (''sqla-8'', ''Z2'', ''hire'', ''{"full_name": "Zed", "login_role": "tmac_admin"}'')')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['22023', 'HR event "sqla-8" (hire): login role "tmac_admin" cannot be mapped to a person: it is a tmac, predefined or bootstrap role'],
          'C: an HR event mapping a tmac role');
SELECT pg_temp.err($$UPDATE tmac.audit_log SET subject = 'changed' WHERE entry_id = (SELECT min(entry_id) FROM tmac.audit_log)$$) AS e \gset
SELECT is((:'e'::text[])[1:3], ARRAY['42501', 'tmac.audit_log is append-only', 'UPDATE on the audit log is refused.'], 'C: the audit log is append-only');
SELECT pg_temp.err($$SELECT tmac.protect('pg_temp.sqla_plain', 'lbl')$$) AS e \gset
SELECT is((:'e'::text[])[1:2], ARRAY['42804', format('column "lbl" of table "%s" has type text, not tmac.label', 'pg_temp.sqla_plain'::regclass)],
          'C: protecting a column that is no label');
SELECT is((SELECT reason FROM tmac.access_prerequisites('nobody')), 'no person "nobody"', 'C: access_prerequisites in English');

SELECT * FROM finish();
ROLLBACK;
