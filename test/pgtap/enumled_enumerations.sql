-- enumled_enumerations.sql — pgTAP: enumerated values have Japanese names (issue 20 item 1):
-- the acts accept the Japanese name ('持出' for take_out) and store the code, a bad value gets
-- one error 22023 listing the allowed values in the session's language (Japanese under ja,
-- English under C), and a direct INSERT into a register table is normalised or refused the same
-- way — never a raw check-constraint failure.
BEGIN;
SELECT plan(34);
\i test/pgtap/people_fixture.psql
\i test/pgtap/dedupe_helpers.psql

-- SQLSTATE: message | hint of a statement's error ('no error' when it has none).
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE sql AS $$ SELECT pg_temp.error_text(q, '%1$s: %2$s | %4$s') $$;
SET LOCAL lc_messages = 'C';

-- the lookup: code, Japanese name, English name, alias; ASCII case, full width, spaces, hyphens
SELECT is(tmac.enum_code('handling_action', '持出'), 'take_out', 'the Japanese name 持出 is take_out');
SELECT is(ARRAY[tmac.enum_code('handling_action', 'take_out'), tmac.enum_code('handling_action', ' Take Out '),
                tmac.enum_code('handling_action', 'ＴＡＫＥ－ＯＵＴ'), tmac.enum_code('handling_action', '持ち出し')],
          ARRAY['take_out', 'take_out', 'take_out', 'take_out'], 'the code, the English name in any case or width, an alias');
SELECT is(tmac.enum_code('handling_action', NULL), NULL, 'NULL is NULL (the acts say which argument is missing)');
SELECT is(ARRAY(SELECT v.kind || ':' || tmac.enum_fold(s) FROM tmac.enum_value v,
                LATERAL unnest(ARRAY[v.code, v.name_en, v.name_ja] || v.aliases) s
                GROUP BY v.kind, tmac.enum_fold(s) HAVING count(DISTINCT v.code) > 1 ORDER BY 1),
          '{}'::text[], 'no spelling names two values of one kind');
SELECT is(ARRAY(SELECT kind || ':' || code || ':' || name_ja || ':' || name_en FROM tmac.enum_value
                 WHERE kind IN ('handling_action', 'appointment_role') ORDER BY 1),
          ARRAY(SELECT 'handling_action:' || action || ':' || name_ja || ':' || name_en FROM tmac.handling_action
                UNION ALL
                SELECT 'appointment_role:' || role || ':' || name_ja || ':' || name_en FROM tmac.appointment_role ORDER BY 1),
          'the handling actions and appointment roles are those of their own tables');
SELECT is(ARRAY(SELECT k.kind FROM tmac.enum_kind k WHERE NOT EXISTS (SELECT 1 FROM tmac.enum_value v WHERE v.kind = k.kind) ORDER BY 1),
          '{}'::text[], 'every kind has values');
-- every CHECK (x IN (…)) list of the registers is exactly its kind's codes
SELECT is(ARRAY(SELECT t || '.' || c FROM (VALUES
            ('handling_entry', 'media', 'handling_media'), ('handling_entry', 'disposal_method', 'disposal_method'),
            ('handling_entry', 'rule_applied', 'handling_rule'), ('asset', 'medium', 'asset_medium'),
            ('asset', 'origin', 'asset_origin'), ('asset', 'status', 'asset_status'),
            ('incident', 'category', 'incident_category'), ('incident', 'reported_to', 'reported_to'),
            ('incident', 'status', 'incident_status'), ('incident_notification', 'recipient_kind', 'recipient_kind'),
            ('container', 'lock_type', 'lock_type'), ('combination_change', 'reason', 'combination_reason'),
            ('provider', 'service', 'provider_service'), ('provider', 'evaluation', 'provider_evaluation'),
            ('provider', 'status', 'provider_status'), ('pledge', 'kind', 'pledge_kind'),
            ('training_course', 'audience', 'course_audience'), ('person', 'kind', 'person_kind'),
            ('person', 'status', 'person_status'), ('access_grant', 'mode', 'grant_mode'),
            ('access_grant', 'kind', 'grant_kind'), ('access_review_item', 'decision', 'review_decision'),
            ('grant_audit', 'outcome', 'grant_audit_outcome')) x(t, c, k)
          WHERE (SELECT array_agg(m[1] ORDER BY m[1]) FROM pg_constraint o,
                        regexp_matches(pg_get_constraintdef(o.oid), '''([a-z_]+)''::text', 'g') m
                  WHERE o.conrelid = ('tmac.' || t)::regclass AND o.contype = 'c'
                    AND pg_get_constraintdef(o.oid) ~ ('^CHECK \(\(' || c || ' = ANY'))
             IS DISTINCT FROM (SELECT array_agg(v.code ORDER BY v.code) FROM tmac.enum_value v WHERE v.kind = x.k)
          ORDER BY 1), '{}'::text[], 'each register''s allowed values are its kind''s codes');

-- a bad value: one error, the allowed values listed in the session's language
SELECT is(pg_temp.err($$SELECT tmac.enum_code('lock_type', 'magic')$$),
  '22023: unknown lock type "magic" | Lock types: key (差込み式の鍵), combination (文字盤鍵), keypad (キーパッド式の鍵), card (カード認証), biometric (生体認証).',
  'in English under C: the codes, each with its Japanese name');
SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT is(pg_temp.err($$SELECT tmac.enum_code('lock_type', 'magic')$$),
  '22023: 錠の種類 "magic" は定義されていません | 指定できる錠の種類: 差込み式の鍵 (key)、文字盤鍵 (combination)、キーパッド式の鍵 (keypad)、カード認証 (card)、生体認証 (biometric)。',
  'in Japanese under ja: the Japanese names, each with its code');
SELECT is(tmac.enum_name('handling_action', 'take_out'), '持出', 'a code named in Japanese');
SELECT is(pg_temp.err($$SELECT pg_temp.as_role('t_alice', 'SELECT tmac.record_handling(''DWG-9'', ''飛ばす'', ''x'')')$$),
  '22023: 取扱区分 "飛ばす" は定義されていません | 指定できる取扱区分: 作成 (create)、複製 (copy)、持出 (take_out)、提供 (provide)、廃棄 (dispose)、返却 (return)。',
  'an act refuses a bad value with that error, in Japanese');
SET LOCAL lc_messages = 'C';
SELECT is(tmac.enum_name('handling_action', 'take_out'), 'take out', 'and in English');
SELECT is(pg_temp.err($$SELECT tmac.enum_code('no_such_kind', 'x')$$),
  '22023: unknown kind of enumerated value ''no_such_kind'' | The kinds are listed in tmac.enum_kind.', 'an unknown kind');

-- the acts take the Japanese names and store the codes
INSERT INTO tmac.asset (asset_no, name, label, business_category, medium, registered_on, managing_group_id)
  VALUES ('DWG-9', '設計図', 'SECRET', '技術', 'paper', current_date, tmac.vocabulary_id('group', 'DEV'));
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.record_handling('DWG-9', '持出', '客先打合せ', media => '可搬電子媒体', due_at => now() + interval '1 day')$$)::bigint AS e1 \gset
SELECT is((SELECT action || '/' || media FROM tmac.handling_entry WHERE entry_id = :e1), 'take_out/portable_media',
  'record_handling(''持出'', media => ''可搬電子媒体'') stores take_out, portable_media');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.record_handling('DWG-9', '廃棄', '不要', disposal_method => '細断')$$)::bigint AS e2 \gset
SELECT is((SELECT action || '/' || disposal_method FROM tmac.handling_entry WHERE entry_id = :e2), 'dispose/shred', '廃棄 by 細断');
SELECT lives_ok($$SELECT tmac.set_handling_rule('SECRET', '複製', '禁止')$$, 'set_handling_rule(level, ''複製'', ''禁止'')');
SELECT is(tmac.handling_rule_for(30, 'copy'), 'forbidden', 'and it is the rule for copy');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.report_incident('外部者', '会議室で盗聴器を発見', reported_to => '上長')$$)::bigint AS i1 \gset
SELECT is((SELECT category || '/' || reported_to FROM tmac.incident WHERE incident_id = :i1), 'outsider/supervisor',
  'report_incident(''外部者'', reported_to => ''上長'')');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.notify_incident(%s, ''警察'', ''○○警察署'')')$$, :i1),
  'notify_incident(…, ''警察'', …)');
SELECT is((SELECT recipient_kind FROM tmac.incident_notification WHERE incident_id = :i1), 'police', 'stored as police');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.define_container(''SAFE-9'', ''金庫'', ''総務部'', ''文字盤鍵'', ''C1'')')$$,
  'define_container with the lock type 文字盤鍵');
SELECT lives_ok($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.record_combination_change(''保管容器'', ''SAFE-9'', ''定期変更'')')$$,
  'record_combination_change(''保管容器'', …, ''定期変更'')');
SELECT is((SELECT c.lock_type || '/' || x.reason FROM tmac.container c JOIN tmac.combination_change x USING (container_id) WHERE c.code = 'SAFE-9'),
  'combination/annual', 'stored as combination, annual');
SELECT lives_ok($$SELECT tmac.register_provider('CLOUD-9', 'Example Cloud', 'クラウド事業者')$$, 'register_provider with クラウド事業者');
SELECT lives_ok($$SELECT tmac.evaluate_provider('CLOUD-9', current_date, '条件付き可')$$, 'evaluate_provider with 条件付き可');
SELECT is((SELECT service || '/' || evaluation FROM tmac.provider WHERE provider_id = 'CLOUD-9'), 'cloud/conditional', 'stored as codes');
SELECT lives_ok($$SELECT pg_temp.as_role('t_hr', 'SELECT tmac.record_pledge(''A1'', ''退職時'', current_date)')$$, 'record_pledge with 退職時');
SELECT is((SELECT kind FROM tmac.pledge WHERE person_id = 'A1' ORDER BY pledge_id DESC LIMIT 1), 'termination', 'stored as termination');
SELECT lives_ok($$SELECT tmac.register_asset('DOC-9', '顧客名簿', '営業', '書類', origin => '預託', entrusted_by => 'A社',
                                             personal_info => '{個人情報,マイナンバー}')$$, 'register_asset with 書類, 預託 and personal information by name');
SELECT is((SELECT medium || '/' || origin || '/' || personal_info::text FROM tmac.asset WHERE asset_no = 'DOC-9'),
  'paper/entrusted/{personal,my_number}', 'stored as codes');
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', '設計', '閲覧・更新')$$) AS g1 \gset
SELECT is((SELECT mode FROM tmac.access_grant WHERE grant_id = :g1), 'write', 'request_access with the mode 閲覧・更新');

-- a direct INSERT into a register table (its owner): normalised, or the same error
INSERT INTO tmac.handling_entry (asset_id, action, rule_applied, media, handler, handler_role, handled_at)
  SELECT asset_id, '複製', '要承認', '書類', 'A1', 't_alice', now() FROM tmac.asset WHERE asset_no = 'DWG-9';
SELECT is((SELECT action || '/' || rule_applied || '/' || media FROM tmac.handling_entry ORDER BY entry_id DESC LIMIT 1),
  'copy/approval/paper', 'a direct INSERT of 複製, 要承認, 書類 stores the codes');
SELECT is(pg_temp.err($$INSERT INTO tmac.restricted_area (code, name, location, lock_type, custodian) VALUES ('LAB-9', 'x', 'y', 'magic', 'C1')$$),
  '22023: unknown lock type "magic" | Lock types: key (差込み式の鍵), combination (文字盤鍵), keypad (キーパッド式の鍵), card (カード認証), biometric (生体認証).',
  'a bad value in a direct INSERT: 22023 with the allowed values, not a check-constraint violation');
SELECT is(pg_temp.err($$UPDATE tmac.incident SET reported_to = 'ceo'$$),
  '22023: unknown reporting route "ceo" | Routes: supervisor (上長), manager (管理責任者).', 'and in a direct UPDATE');

SELECT * FROM finish();
ROLLBACK;
