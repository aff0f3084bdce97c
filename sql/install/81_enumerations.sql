-- 81_enumerations.sql — the enumerated values of the registers, with their Japanese names.
--
-- Every fixed set of values a register stores or an act takes (handling actions, media, lock
-- types, reported_to, recipient kinds, statuses, …) is one kind of tmac.enum_kind, and each of
-- its values one row of tmac.enum_value: the code the tables store, its Japanese name (the
-- seed's word: 持出, 細断, 文字盤鍵, 委託元 …), its English name, and other spellings people
-- write (持ち出し).  tmac.enum_code(kind, input) turns what someone typed — the code, the
-- Japanese or English name or an alias; ASCII case, full-width letters and digits, spaces,
-- hyphens and underscores do not matter — into the code, and refuses anything else with one
-- error 22023 that lists the allowed values in the session's language.  Every act taking such
-- a value calls it first (one line at its entry), so '持出' is take_out everywhere; and the
-- register tables normalise through it too (tmac.enum_normalise, a BEFORE trigger), so a direct
-- INSERT by the tables' owner gets the same error instead of a raw check-constraint failure.
-- tmac.enum_name(kind, code) names a code in the session's language (the ledgers of
-- 82_ledgers_ja.sql always show the Japanese name).
--
-- The session's language is the message catalog's: tmac.message('en') is "ja" in the Japanese
-- catalog (po/ja/ledgers.po), so lc_messages chooses names exactly as it chooses messages.

CREATE TABLE tmac.enum_kind (
  kind     text PRIMARY KEY,
  name_ja  text NOT NULL,
  name_en  text NOT NULL,
  list_ja  text NOT NULL,
  list_en  text NOT NULL
);
COMMENT ON TABLE tmac.enum_kind IS
  '列挙値の種類 / the kinds of enumerated values (shipped with tmac): each kind''s name in Japanese and English, as errors name it';
COMMENT ON COLUMN tmac.enum_kind.kind IS 'Code of the kind (handling_action, handling_media, lock_type, …)';
COMMENT ON COLUMN tmac.enum_kind.name_ja IS 'Japanese name of the kind (取扱区分)';
COMMENT ON COLUMN tmac.enum_kind.name_en IS 'English name of the kind, as in "unknown handling action"';
COMMENT ON COLUMN tmac.enum_kind.list_ja IS 'Japanese heading of the list of allowed values';
COMMENT ON COLUMN tmac.enum_kind.list_en IS 'English heading of the list of allowed values (Actions)';

CREATE TABLE tmac.enum_value (
  kind     text NOT NULL REFERENCES tmac.enum_kind,
  code     text NOT NULL,
  ordinal  smallint NOT NULL,
  name_ja  text NOT NULL,
  name_en  text NOT NULL,
  aliases  text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (kind, code),
  UNIQUE (kind, ordinal),
  UNIQUE (kind, name_ja)
);
COMMENT ON TABLE tmac.enum_value IS
  '列挙値 / the enumerated values of the registers (shipped with tmac): code, Japanese name (the seed''s word), English name, other accepted spellings';
COMMENT ON COLUMN tmac.enum_value.kind IS 'The kind (tmac.enum_kind)';
COMMENT ON COLUMN tmac.enum_value.code IS 'The code the tables store (take_out)';
COMMENT ON COLUMN tmac.enum_value.ordinal IS 'Order of the values in lists';
COMMENT ON COLUMN tmac.enum_value.name_ja IS 'Japanese name (持出), shown by the ledgers and accepted as input';
COMMENT ON COLUMN tmac.enum_value.name_en IS 'English name (take out), accepted as input';
COMMENT ON COLUMN tmac.enum_value.aliases IS 'Other spellings accepted as input (持ち出し)';

INSERT INTO tmac.enum_kind VALUES
  ('handling_action',    '取扱区分',           'handling action',        '取扱区分',         'Actions'),
  ('handling_rule',      '取扱基準',           'handling rule',          '取扱基準',         'Rules'),
  ('handling_media',     '媒体',               'media',                  '媒体',             'Media'),
  ('disposal_method',    '廃棄方法',           'disposal method',        '廃棄方法',         'Disposal methods'),
  ('asset_medium',       '媒体・保存先',       'medium',                 '媒体',             'Media'),
  ('asset_origin',       '情報の由来',         'origin',                 '由来',             'Origins'),
  ('asset_status',       '目録の状態',         'asset status',           '状態',             'Statuses'),
  ('personal_info',      '個人情報の種類',     'kind of personal information', '個人情報の種類', 'Kinds'),
  ('incident_category',  '兆候の区分',         'sign category',          '区分',             'Categories'),
  ('reported_to',        '報告先',             'reporting route',        '報告先',           'Routes'),
  ('incident_status',    '事故の状態',         'incident status',        '状態',             'Statuses'),
  ('recipient_kind',     '通知先の区分',       'recipient kind',         '通知先の区分',     'Recipient kinds'),
  ('lock_type',          '錠の種類',           'lock type',              '錠の種類',         'Lock types'),
  ('facility_kind',      '施錠対象',           'kind',                   '施錠対象',         'Kinds'),
  ('combination_reason', '鍵番号の変更理由',   'reason',                 '変更理由',         'Reasons'),
  ('key_event',          '鍵の記録の区分',     'key ledger event',       '区分',             'Events'),
  ('provider_service',   '委託の種類',         'service',                '委託の種類',       'Services'),
  ('provider_evaluation', '委託先の評価',      'evaluation',             '評価',             'Evaluations'),
  ('provider_status',    '委託先の状態',       'provider status',        '状態',             'Statuses'),
  ('pledge_kind',        '誓約書の種類',       'pledge kind',            '誓約書の種類',     'Kinds'),
  ('course_audience',    '教育の対象者',       'audience',               '対象者',           'Audiences'),
  ('appointment_role',   '選任される役割',     'appointment role',       '役割',             'Roles'),
  ('person_kind',        '従業員等の区分',     'person kind',            '区分',             'Kinds'),
  ('person_status',      '在籍状況',           'person status',          '在籍状況',         'Statuses'),
  ('grant_kind',         'アクセス権の種類',   'access kind',            '種類',             'Kinds'),
  ('grant_mode',         'アクセスの範囲',     'mode',                   'アクセスの範囲',   'Modes'),
  ('grant_status',       'アクセス権の状態',   'grant status',           '状態',             'Statuses'),
  ('review_decision',    '見直しの判断',       'decision',               '判断',             'Decisions'),
  ('grant_audit_outcome', 'アクセス権設定の監査結果', 'outcome',        '監査結果',         'Outcomes'),
  ('training_status',    '教育の受講状況',     'training status',        '受講状況',         'Statuses'),
  ('pledge_status',      '誓約書の提出状況',   'pledge status',          '提出状況',         'Statuses');

INSERT INTO tmac.enum_value (kind, code, ordinal, name_ja, name_en, aliases)
  SELECT 'handling_action', a.action, a.ordinal, a.name_ja, a.name_en,
         CASE a.action WHEN 'take_out' THEN '{持ち出し,持出し,社外への持出し}'::text[]
                       WHEN 'provide' THEN '{第三者への提供}'::text[] ELSE '{}'::text[] END
    FROM tmac.handling_action a
  UNION ALL
  SELECT 'appointment_role', r.role, (row_number() OVER (ORDER BY r.role <> 'information_officer', r.role = 'other', r.role))::smallint, r.name_ja, r.name_en, '{}'
    FROM tmac.appointment_role r;
INSERT INTO tmac.enum_value (kind, code, ordinal, name_ja, name_en, aliases) VALUES
  ('handling_rule', 'allowed', 1, '可', 'allowed', '{}'),
  ('handling_rule', 'approval', 2, '要承認', 'needs approval', '{承認}'),
  ('handling_rule', 'forbidden', 3, '禁止', 'forbidden', '{不可}'),
  ('handling_media', 'paper', 1, '書類', 'paper', '{紙}'),
  ('handling_media', 'electronic', 2, '電子情報', 'electronic', '{電子}'),
  ('handling_media', 'portable_media', 3, '可搬電子媒体', 'portable media', '{可搬式記録媒体,USBメモリ}'),
  ('handling_media', 'prototype', 4, '試作品', 'prototype', '{}'),
  ('handling_media', 'equipment', 5, '製造装置', 'equipment', '{}'),
  ('handling_media', 'database', 6, 'データベース', 'database', '{}'),
  ('handling_media', 'other', 7, 'その他', 'other', '{}'),
  ('disposal_method', 'shred', 1, '細断', 'shred', '{シュレッダー}'),
  ('disposal_method', 'dissolve', 2, '溶解', 'dissolve', '{}'),
  ('disposal_method', 'incinerate', 3, '焼却', 'incinerate', '{}'),
  ('disposal_method', 'data_erase', 4, 'データ消去', 'data erasure', '{消去}'),
  ('disposal_method', 'other', 5, 'その他', 'other', '{}'),
  ('asset_medium', 'paper', 1, '書類', 'paper', '{紙}'),
  ('asset_medium', 'electronic', 2, '電子情報', 'electronic', '{電子}'),
  ('asset_medium', 'prototype', 3, '試作品', 'prototype', '{}'),
  ('asset_medium', 'equipment', 4, '製造装置', 'equipment', '{}'),
  ('asset_medium', 'other', 5, 'その他', 'other', '{}'),
  ('asset_origin', 'own', 1, '自社', 'own', '{}'),
  ('asset_origin', 'entrusted', 2, '預託', 'entrusted', '{他社から預けられた情報}'),
  ('asset_status', 'active', 1, '管理中', 'active', '{}'),
  ('asset_status', 'retired', 2, '管理終了', 'retired', '{}'),
  ('personal_info', 'personal', 1, '個人情報', 'personal information', '{}'),
  ('personal_info', 'sensitive', 2, '要配慮個人情報', 'sensitive personal information', '{}'),
  ('personal_info', 'my_number', 3, '特定個人情報', 'specific personal information (My Number)', '{マイナンバー}'),
  ('incident_category', 'employee', 1, '従業員等', 'employee', '{従業員}'),
  ('incident_category', 'leaver', 2, '退職者等', 'leaver', '{退職者}'),
  ('incident_category', 'partner', 3, '取引先', 'partner', '{}'),
  ('incident_category', 'outsider', 4, '外部者', 'outsider', '{}'),
  ('reported_to', 'supervisor', 1, '上長', 'supervisor', '{上司}'),
  ('reported_to', 'manager', 2, '管理責任者', 'manager', '{}'),
  ('incident_status', 'open', 1, '対応中', 'open', '{}'),
  ('incident_status', 'closed', 2, '完了', 'closed', '{}'),
  ('recipient_kind', 'entrusting_company', 1, '委託元', 'entrusting company', '{}'),
  ('recipient_kind', 'authority', 2, '監督官庁', 'authority', '{}'),
  ('recipient_kind', 'police', 3, '警察', 'police', '{}'),
  ('recipient_kind', 'customer', 4, '顧客', 'customer', '{}'),
  ('recipient_kind', 'public', 5, '公表', 'public', '{}'),
  ('recipient_kind', 'other', 6, 'その他', 'other', '{}'),
  ('lock_type', 'key', 1, '差込み式の鍵', 'key', '{鍵}'),
  ('lock_type', 'combination', 2, '文字盤鍵', 'combination', '{}'),
  ('lock_type', 'keypad', 3, 'キーパッド式の鍵', 'keypad', '{}'),
  ('lock_type', 'card', 4, 'カード認証', 'card', '{}'),
  ('lock_type', 'biometric', 5, '生体認証', 'biometric', '{}'),
  ('facility_kind', 'container', 1, '保管容器', 'container', '{金庫,キャビネット}'),
  ('facility_kind', 'area', 2, '立入制限区域', 'restricted area', '{}'),
  ('facility_kind', 'key', 3, '鍵', 'key', '{}'),
  ('combination_reason', 'installed', 1, '備え付け時', 'installed', '{購入後の備え付け時}'),
  ('combination_reason', 'annual', 2, '定期変更（年1回以上）', 'annual', '{定期変更,年1回}'),
  ('combination_reason', 'moved', 3, '使用場所変更時', 'moved', '{}'),
  ('combination_reason', 'holder_changed', 4, '管理者・アクセス権者の交替', 'holder changed', '{}'),
  ('combination_reason', 'leak_suspected', 5, '鍵番号の漏えい（恐れ）', 'leak suspected', '{鍵番号の漏えい}'),
  ('combination_reason', 'other', 6, 'その他', 'other', '{}'),
  ('key_event', 'loan', 1, '貸出し', 'key loan', '{貸出}'),
  ('key_event', 'combination_change', 2, '鍵番号の変更', 'combination change', '{}'),
  ('provider_service', 'cloud', 1, 'クラウド事業者', 'cloud', '{クラウド}'),
  ('provider_service', 'data_centre', 2, 'データセンター事業者', 'data centre', '{データセンター,data_center}'),
  ('provider_service', 'carrier', 3, '運搬事業者', 'carrier', '{輸送機関}'),
  ('provider_service', 'staffing_agency', 4, '派遣元', 'staffing agency', '{}'),
  ('provider_service', 'subcontractor', 5, '業務委託先', 'subcontractor', '{}'),
  ('provider_service', 'other', 6, 'その他', 'other', '{}'),
  ('provider_evaluation', 'approved', 1, '可', 'approved', '{}'),
  ('provider_evaluation', 'conditional', 2, '条件付き可', 'conditional', '{}'),
  ('provider_evaluation', 'rejected', 3, '不可', 'rejected', '{}'),
  ('provider_status', 'active', 1, '委託中', 'active', '{}'),
  ('provider_status', 'ended', 2, '委託終了', 'ended', '{}'),
  ('pledge_kind', 'hire', 1, '入社時', 'on hiring', '{入社}'),
  ('pledge_kind', 'promotion', 2, '昇格・昇進時', 'on promotion', '{昇格,昇進}'),
  ('pledge_kind', 'project', 3, 'プロジェクト参加時', 'on joining a project', '{プロジェクト}'),
  ('pledge_kind', 'termination', 4, '退職時', 'on leaving', '{退職}'),
  ('pledge_kind', 'visitor', 5, '訪問者', 'visitor', '{工場見学時,見学}'),
  ('pledge_kind', 'periodic', 6, '定期', 'periodic', '{}'),
  ('course_audience', 'everyone', 1, '全ての従業員等', 'everyone', '{全員}'),
  ('course_audience', 'access_holders', 2, 'アクセス権を有する者', 'access holders', '{アクセス権者}'),
  ('person_kind', 'employee', 1, '従業員', 'employee', '{}'),
  ('person_kind', 'contractor', 2, '派遣・委託社員', 'contractor', '{}'),
  ('person_kind', 'visitor', 3, '訪問者', 'visitor', '{}'),
  ('person_kind', 'service', 4, 'サービスアカウント', 'service account', '{}'),
  ('person_status', 'active', 1, '在籍', 'active', '{}'),
  ('person_status', 'on_leave', 2, '休職中', 'on leave', '{}'),
  ('person_status', 'terminated', 3, '退職', 'terminated', '{}'),
  ('grant_kind', 'clearance', 1, '秘密区分', 'clearance', '{}'),
  ('grant_kind', 'compartment', 2, '区画', 'compartment', '{}'),
  ('grant_mode', 'read', 1, '閲覧', 'read', '{}'),
  ('grant_mode', 'write', 2, '閲覧・更新', 'read and write', '{}'),
  ('grant_status', 'pending', 1, '承認待ち', 'pending', '{}'),
  ('grant_status', 'active', 2, '有効', 'active', '{}'),
  ('grant_status', 'rejected', 3, '却下', 'rejected', '{}'),
  ('grant_status', 'ended', 4, '終了', 'ended', '{}'),
  ('grant_status', 'expired', 5, '期限切れ', 'expired', '{}'),
  ('grant_status', 'cancelled', 6, '取消', 'cancelled', '{}'),
  ('review_decision', 'keep', 1, '継続', 'keep', '{}'),
  ('review_decision', 'revoke', 2, '失効', 'revoke', '{取消}'),
  ('grant_audit_outcome', 'confirmed', 1, '確認済', 'confirmed', '{}'),
  ('grant_audit_outcome', 'questioned', 2, '要確認', 'questioned', '{}'),
  ('training_status', 'current', 1, '受講済', 'current', '{}'),
  ('training_status', 'lapsed', 2, '受講期限切れ', 'lapsed', '{}'),
  ('training_status', 'none', 3, '未受講', 'none', '{}'),
  ('pledge_status', 'valid', 1, '提出済', 'valid', '{}'),
  ('pledge_status', 'missing', 2, '未提出', 'missing', '{}');

-- The one folding rule of enumerated input, independent of the collation: surrounding spaces
-- dropped, full-width ASCII letters, digits, space and underscore as their ASCII selves, ASCII
-- A-Z as a-z, and every run of spaces, hyphens and underscores as one underscore.  Japanese is
-- compared exactly.
CREATE FUNCTION tmac.enum_fold(spelling text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  RETURN pg_catalog.regexp_replace(
           pg_catalog.translate(pg_catalog.btrim(pg_catalog.translate(spelling,
             'ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ０１２３４５６７８９＿－　',
             'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_- ')),
             'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
           '[-_[:space:]]+', '_', 'g');
COMMENT ON FUNCTION tmac.enum_fold(text) IS 'An enumerated value as input compares it: trimmed, full-width ASCII as ASCII, A-Z as a-z, runs of spaces, hyphens and underscores as _ (independent of the collation)';

-- True when the session's language (the message catalog's, chosen by lc_messages) is Japanese.
CREATE FUNCTION tmac.enum_in_japanese() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN tmac.message('en') = 'ja';
COMMENT ON FUNCTION tmac.enum_in_japanese() IS 'True when the session''s language is Japanese: the message catalog in use translates its language code "en" as "ja" (lc_messages chooses, as for every message)';

CREATE FUNCTION tmac.enum_code(kind text, value text) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  f text := tmac.enum_fold(value);
  c text;
  k tmac.enum_kind;
  ja boolean;
BEGIN
  IF value IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT v.code INTO c FROM tmac.enum_value v
   WHERE v.kind = enum_code.kind
     AND (f IN (tmac.enum_fold(v.code), tmac.enum_fold(v.name_en), tmac.enum_fold(v.name_ja))
          OR EXISTS (SELECT 1 FROM unnest(v.aliases) a WHERE tmac.enum_fold(a) = f))
   ORDER BY v.ordinal LIMIT 1;
  IF c IS NOT NULL THEN
    RETURN c;
  END IF;
  SELECT * INTO k FROM tmac.enum_kind x WHERE x.kind = enum_code.kind;
  PERFORM tmac.require_found(FOUND, tmac.message('unknown kind of enumerated value %L', kind), 'invalid_parameter_value', tmac.message('The kinds are listed in tmac.enum_kind.'));
  ja := tmac.enum_in_japanese();
  -- the allowed values: under Japanese 持出 (take_out)、…; else take_out (持出), …
  SELECT string_agg(CASE WHEN ja THEN v.name_ja || ' (' || v.code || ')' ELSE v.code || ' (' || v.name_ja || ')' END,
                    CASE WHEN ja THEN '、' ELSE ', ' END ORDER BY v.ordinal)
    INTO c FROM tmac.enum_value v WHERE v.kind = enum_code.kind;
  RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
    MESSAGE = tmac.message('unknown %s "%s"', CASE WHEN ja THEN k.name_ja ELSE k.name_en END, value),
    HINT = tmac.message('%s: %s.', CASE WHEN ja THEN k.list_ja ELSE k.list_en END, c);
END
$$;
COMMENT ON FUNCTION tmac.enum_code(text, text) IS 'The code of an enumerated value given by its code, Japanese name (持出), English name or an alias (ASCII case, full-width letters, spaces, hyphens and underscores ignored); NULL for NULL; error 22023 listing the allowed values in the session''s language otherwise';

CREATE FUNCTION tmac.enum_name(kind text, code text) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce((SELECT CASE WHEN tmac.enum_in_japanese() THEN v.name_ja ELSE v.name_en END
                     FROM tmac.enum_value v WHERE v.kind = enum_name.kind AND v.code = enum_name.code), code);
COMMENT ON FUNCTION tmac.enum_name(text, text) IS 'The name of an enumerated value''s code in the session''s language (Japanese under a Japanese lc_messages, else English); the code itself when it is not one of the kind''s';

-- The Japanese name of a code, as the ledgers show it whatever the session's language.
CREATE FUNCTION tmac.enum_ja(kind text, code text) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce((SELECT v.name_ja FROM tmac.enum_value v WHERE v.kind = enum_ja.kind AND v.code = enum_ja.code), code);
COMMENT ON FUNCTION tmac.enum_ja(text, text) IS 'The Japanese name of an enumerated value''s code (the ledgers show it); the code itself when it is not one of the kind''s';

-- The register tables normalise their enumerated columns too: TG_ARGV is pairs of column and
-- kind.  The trigger's WHEN clause, written below from tmac.enum_value, calls it only for a row
-- holding something other than a code (tmac's acts have normalised already, a restore loads
-- codes: neither pays for a function call); a direct INSERT or UPDATE by the tables' owner gets
-- '持出' stored as take_out, and a bad value the error of tmac.enum_code instead of a
-- check-constraint violation.  A release that changes a kind's codes recreates these triggers.
CREATE FUNCTION tmac.enum_normalise() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  row jsonb := to_jsonb(NEW);
  changes jsonb := '{}';
  v text;
  i integer := 0;
BEGIN
  WHILE i < TG_NARGS LOOP
    v := row ->> TG_ARGV[i];
    IF v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tmac.enum_value e WHERE e.kind = TG_ARGV[i + 1] AND e.code = v) THEN
      changes := changes || jsonb_build_object(TG_ARGV[i], tmac.enum_code(TG_ARGV[i + 1], v));
    END IF;
    i := i + 2;
  END LOOP;
  IF changes <> '{}' THEN
    NEW := jsonb_populate_record(NEW, changes);
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.enum_normalise() IS 'Trigger (BEFORE INSERT OR UPDATE on the register tables; arguments: column, kind, …): stores the code of each enumerated column given by a Japanese or English name, and refuses a bad value with tmac.enum_code''s error (22023) instead of a check-constraint failure';

DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('tmac.handling_entry', ARRAY['action', 'handling_action', 'rule_applied', 'handling_rule', 'media', 'handling_media',
                                    'disposal_method', 'disposal_method']),
      ('tmac.handling_rule', ARRAY['action', 'handling_action', 'rule', 'handling_rule']),
      ('tmac.asset', ARRAY['medium', 'asset_medium', 'origin', 'asset_origin', 'status', 'asset_status']),
      ('tmac.incident', ARRAY['category', 'incident_category', 'reported_to', 'reported_to', 'status', 'incident_status']),
      ('tmac.incident_notification', ARRAY['recipient_kind', 'recipient_kind']),
      ('tmac.container', ARRAY['lock_type', 'lock_type']),
      ('tmac.restricted_area', ARRAY['lock_type', 'lock_type']),
      ('tmac.combination_change', ARRAY['reason', 'combination_reason']),
      ('tmac.provider', ARRAY['service', 'provider_service', 'evaluation', 'provider_evaluation', 'status', 'provider_status']),
      ('tmac.pledge', ARRAY['kind', 'pledge_kind']),
      ('tmac.training_course', ARRAY['audience', 'course_audience']),
      ('tmac.access_review_item', ARRAY['decision', 'review_decision']),
      ('tmac.grant_audit', ARRAY['outcome', 'grant_audit_outcome'])) x(tbl, args)
  LOOP
    EXECUTE format('CREATE TRIGGER a_enum_normalise BEFORE INSERT OR UPDATE OF %s ON %s FOR EACH ROW WHEN (%s) EXECUTE FUNCTION tmac.enum_normalise(%s)',
                   (SELECT string_agg(quote_ident(t.args[i]), ', ') FROM generate_subscripts(t.args, 1) i WHERE i % 2 = 1),
                   t.tbl,
                   (SELECT string_agg(format('NEW.%I <> ALL (%L::text[])', t.args[i],
                                             (SELECT array_agg(v.code ORDER BY v.ordinal) FROM tmac.enum_value v WHERE v.kind = t.args[i + 1])),
                                      ' OR ')
                      FROM generate_subscripts(t.args, 1) i WHERE i % 2 = 1),
                   (SELECT string_agg(quote_literal(a), ', ') FROM unnest(t.args) a));
  END LOOP;
END
$$;
