-- 82_ledgers_ja.sql — the ledgers an auditor reads, in Japanese, and their CSV export.
--
-- The certification asks a company to keep nine registers and ledgers.  Each is a view in schema
-- tmac named as the seed names it (管理対象情報の目録, 取扱管理簿, 鍵の管理台帳, 入退室記録,
-- アクセス権者管理簿, 教育の記録, 誓約書の記録, 委託先一覧, 事故・兆候の記録 — Japanese names need
-- no quotes: SELECT * FROM tmac.取扱管理簿), with Japanese column names in the order of the seed's
-- examples where it gives one (the 目録's 業務分類 … 登録日; the アクセス権者管理簿's 氏名, 役職,
-- アクセス権の設定年月日, トレーニングの受講状況), enumerated values by their Japanese names
-- (tmac.enum_ja, 81_enumerations.sql), persons by name, times in the company's zone with the
-- zone written (tmac.company_time: 2026-12-07 09:52:00 JST) and dates as dates.  Each view is
-- read with its owner's rights over the registers, like every register view; only tmac_auditor
-- and tmac_admin may SELECT them (99_privileges.sql).
--
-- tmac.ledger_csv(ledger) returns one of these views as CSV for Excel: a UTF-8 byte-order mark,
-- a header row of the column names, CRLF line ends, every value in double quotes (a quote
-- doubled), a NULL as an empty unquoted field, and — against spreadsheet formula injection — a
-- value beginning with = + - @ (or their full-width forms), a tab or a carriage return written
-- with an apostrophe before it, so that Excel shows it as text and never evaluates it.  It runs
-- with its caller's rights (SECURITY INVOKER): whoever may not SELECT the view gets the
-- permission error, and anything that is not one of the nine views is refused (22023).

CREATE VIEW tmac.管理対象情報の目録 AS
  SELECT a.asset_no AS 管理番号,
         a.business_category AS 業務分類,
         a.name AS 情報資産名称,
         a.notes AS 備考,
         a.user_scope AS 利用者範囲,
         g.name AS 管理部署,
         tmac.enum_ja('asset_medium', a.medium) || coalesce('・' || a.location, '') AS "媒体・保存先",
         CASE WHEN 'personal' = ANY (a.personal_info) THEN '○' ELSE '' END AS 個人情報,
         CASE WHEN 'sensitive' = ANY (a.personal_info) THEN '○' ELSE '' END AS 要配慮個人情報,
         CASE WHEN 'my_number' = ANY (a.personal_info) THEN '○' ELSE '' END AS 特定個人情報,
         a.retain_until AS 保存期限,
         a.registered_on AS 登録日,
         tmac.marking(a.label) AS 表示,
         m.full_name AS 管理責任者,
         tmac.enum_ja('asset_origin', a.origin) AS 由来,
         a.entrusted_by AS 預託元,
         d.full_name AS 指定者,
         a.designated_on AS 指定日,
         tmac.company_time(a.reviewed_at) AS 最終確認日時,
         tmac.enum_ja('asset_status', a.status) AS 状態
    FROM tmac.asset a
    LEFT JOIN tmac.org_group g ON g.group_id = a.managing_group_id
    LEFT JOIN tmac.person m ON m.person_id = a.manager
    LEFT JOIN tmac.person d ON d.person_id = a.designated_by
   ORDER BY a.asset_no;
COMMENT ON VIEW tmac.管理対象情報の目録 IS
  'Ledger: the inventory of managed information (目録, ①) in the seed''s column order — asset number, business category, name, notes, user scope, managing department, medium and location, personal information (○), retention, registered on — then marking, manager, origin, status';

CREATE VIEW tmac.取扱管理簿 AS
  SELECT e.entry_id AS 番号,
         tmac.company_time(e.handled_at) AS 日時,
         a.asset_no AS 管理番号,
         a.name AS 情報資産名称,
         tmac.enum_ja('handling_action', e.action) AS 取扱区分,
         l.name AS 秘密区分,
         tmac.enum_ja('handling_rule', e.rule_applied) AS 取扱基準,
         tmac.enum_ja('handling_media', e.media) AS 媒体,
         pg_catalog.array_to_string(e.copy_serials, '、') AS 複製番号,
         e.purpose AS 目的,
         e.destination AS "持出先・提供先",
         e.recipient AS 受領者,
         e.nda_reference AS 秘密保持契約,
         coalesce(h.full_name, e.handler_role::text) AS 担当者,
         ap.full_name AS 承認者,
         tmac.company_time(e.approved_at) AS 承認日時,
         tmac.company_time(e.due_at) AS 返却予定,
         tmac.company_time(e.returned_at) AS 返却日時,
         r.full_name AS 返却確認者,
         tmac.enum_ja('disposal_method', e.disposal_method) AS 廃棄方法,
         CASE WHEN e.automatic THEN '○' ELSE '' END AS 自動記録,
         pg_catalog.array_to_string(e.source_tables, '、') AS 対象テーブル,
         e.row_count AS 行数
    FROM tmac.handling_entry e
    LEFT JOIN tmac.asset a ON a.asset_id = e.asset_id
    LEFT JOIN tmac.level l ON l.rank = e.level_rank
    LEFT JOIN tmac.person h ON h.person_id = e.handler
    LEFT JOIN tmac.person ap ON ap.person_id = e.approver
    LEFT JOIN tmac.person r ON r.person_id = e.returned_by
   ORDER BY e.entry_id;
COMMENT ON VIEW tmac.取扱管理簿 IS
  'Ledger: the handling ledger (管理簿, ④) — when, what, action (作成, 複製, 持出, 提供, 廃棄, 返却), level, rule, media, copy serials, purpose, destination, recipient, NDA, handler, approver, due, returned, disposal method';

CREATE VIEW tmac.鍵の管理台帳 AS
  SELECT x.区分, x.保管容器・区域 AS "保管容器・区域", x.鍵, x.日時, x.氏名, x.承認者, x.返却予定, x.返却日時, x.受領者, x.目的・理由 AS "目的・理由"
    FROM (SELECT tmac.enum_ja('key_event', 'loan') AS 区分,
                 coalesce(c.name, ar.name) AS 保管容器・区域,
                 k.code AS 鍵,
                 k2.lent_at AS at,
                 tmac.company_time(k2.lent_at) AS 日時,
                 b.full_name AS 氏名,
                 ap.full_name AS 承認者,
                 tmac.company_time(k2.due_at) AS 返却予定,
                 tmac.company_time(k2.returned_at) AS 返却日時,
                 rc.full_name AS 受領者,
                 k2.purpose AS 目的・理由
            FROM tmac.key_loan k2
            JOIN tmac.physical_key k ON k.key_id = k2.key_id
            LEFT JOIN tmac.container c ON c.container_id = k.container_id
            LEFT JOIN tmac.restricted_area ar ON ar.area_id = k.area_id
            LEFT JOIN tmac.person b ON b.person_id = k2.borrower
            LEFT JOIN tmac.person ap ON ap.person_id = k2.approved_by
            LEFT JOIN tmac.person rc ON rc.person_id = k2.received_by
          UNION ALL
          SELECT tmac.enum_ja('key_event', 'combination_change'),
                 coalesce(c.name, ar.name),
                 NULL,
                 cc.changed_at,
                 tmac.company_time(cc.changed_at),
                 p.full_name,
                 NULL, NULL, NULL, NULL,
                 tmac.enum_ja('combination_reason', cc.reason) || coalesce('：' || cc.note, '')
            FROM tmac.combination_change cc
            LEFT JOIN tmac.container c ON c.container_id = cc.container_id
            LEFT JOIN tmac.restricted_area ar ON ar.area_id = cc.area_id
            LEFT JOIN tmac.person p ON p.person_id = cc.changed_by) x
   ORDER BY x.at, x.区分, x.鍵;
COMMENT ON VIEW tmac.鍵の管理台帳 IS
  'Ledger: the key ledger (鍵の管理簿, ⑧) — key loans (貸出し: container or area, key, when, borrower, approver, due, returned, received by, purpose) and combination changes (鍵番号の変更: when, by whom, why; never the number)';

CREATE VIEW tmac.入退室記録 AS
  SELECT e.entry_id AS 番号,
         ar.name AS 立入制限区域,
         tmac.company_time(e.entered_at) AS 入室日時,
         tmac.company_time(e.left_at) AS 退室日時,
         coalesce(p.full_name, e.visitor_name) AS 氏名,
         coalesce(e.visitor_company, g.name) AS 所属,
         CASE WHEN e.person_id IS NULL THEN tmac.enum_ja('person_kind', 'visitor') ELSE tmac.enum_ja('person_kind', p.kind) END AS 区分,
         es.full_name AS 同行者,
         e.badge AS 入館証,
         pg_catalog.array_to_string(e.devices, '、') AS 持込機器,
         da.full_name AS 持込承認者,
         e.purpose AS 目的,
         rb.full_name AS 記録者
    FROM tmac.area_entry e
    JOIN tmac.restricted_area ar ON ar.area_id = e.area_id
    LEFT JOIN tmac.person p ON p.person_id = e.person_id
    LEFT JOIN tmac.org_group g ON g.group_id = p.org_group_id
    LEFT JOIN tmac.person es ON es.person_id = e.escort
    LEFT JOIN tmac.person da ON da.person_id = e.devices_approved_by
    LEFT JOIN tmac.person rb ON rb.person_id = e.recorded_by
   ORDER BY e.entry_id;
COMMENT ON VIEW tmac.入退室記録 IS
  'Ledger: entries into restricted areas (入退室記録, ⑧) — area, entered, left, name, company or department, kind, escort, badge, devices brought in and who approved them, purpose, recorded by';

CREATE VIEW tmac.アクセス権者管理簿 AS
  SELECT l.full_name AS 氏名,
         l.title AS 役職,
         (l.granted_on AT TIME ZONE tmac.company_time_zone())::date AS アクセス権の設定年月日,
         tmac.enum_ja('training_status', l.training_status) AS トレーニングの受講状況,
         (l.training_valid_until AT TIME ZONE tmac.company_time_zone())::date AS 受講の有効期限,
         l.access AS アクセス権,
         tmac.enum_ja('grant_kind', l.access_kind) AS 種類,
         tmac.enum_ja('grant_mode', l.mode) AS アクセスの範囲,
         l.approved_by_names AS 承認者,
         tmac.company_time(l.valid_until) AS 有効期限,
         tmac.enum_ja('pledge_status', l.pledge_status) AS 誓約書,
         (l.pledge_valid_until AT TIME ZONE tmac.company_time_zone())::date AS 誓約書の有効期限,
         (l.last_reviewed AT TIME ZONE tmac.company_time_zone())::date AS 最終見直し日,
         g.name AS 所属,
         l.person_id AS 社員番号
    FROM tmac.access_rights_ledger l
    LEFT JOIN tmac.org_group g ON g.code = l.org_group
   ORDER BY l.person_id, l.grant_id;
COMMENT ON VIEW tmac.アクセス権者管理簿 IS
  'Ledger: the access-rights ledger (アクセス権者管理簿, Ⅱ) in the seed''s order — name, title, date access was set, training status — then the access, approver, valid until, pledge, last review, department, person id';

CREATE VIEW tmac.教育の記録 AS
  SELECT t.completed_on AS 受講日,
         p.full_name AS 氏名,
         g.name AS 所属,
         coalesce(c.title_ja, t.course) AS 教育の名称,
         tmac.enum_ja('course_audience', c.audience) AS 対象者,
         CASE WHEN c.mandatory THEN '○' ELSE '' END AS 必須,
         tmac.company_time(t.recorded_at) AS 記録日時,
         p.person_id AS 社員番号
    FROM tmac.training_completion t
    JOIN tmac.person p ON p.person_id = t.person_id
    LEFT JOIN tmac.org_group g ON g.group_id = p.org_group_id
    LEFT JOIN tmac.training_course c ON c.course = t.course
   ORDER BY t.completed_on, p.person_id, t.course;
COMMENT ON VIEW tmac.教育の記録 IS
  'Ledger: training completions (教育の記録, ⑤) — completed on, name, department, course, audience, mandatory, recorded at, person id';

CREATE VIEW tmac.誓約書の記録 AS
  SELECT s.signed_on AS 提出日,
         p.full_name AS 氏名,
         g.name AS 所属,
         tmac.enum_ja('pledge_kind', s.kind) AS 誓約書の種類,
         s.project AS プロジェクト,
         s.valid_until AS 有効期限,
         s.template_version AS 様式の版,
         pg_catalog.encode(s.document_sha256, 'hex') AS "文書のSHA-256",
         tmac.company_time(s.recorded_at) AS 記録日時,
         p.person_id AS 社員番号
    FROM tmac.pledge s
    JOIN tmac.person p ON p.person_id = s.person_id
    LEFT JOIN tmac.org_group g ON g.group_id = p.org_group_id
   ORDER BY s.signed_on, p.person_id, s.pledge_id;
COMMENT ON VIEW tmac.誓約書の記録 IS
  'Ledger: pledges (誓約書, Ⅱ) — signed on, name, department, kind (入社時, 退職時, 訪問者 …), project, valid until, template version, SHA-256 of the signed document, recorded at';

CREATE VIEW tmac.委託先一覧 AS
  SELECT v.provider_id AS 委託先コード,
         v.name AS 委託先名称,
         tmac.enum_ja('provider_service', v.service) AS 委託の種類,
         v.description AS 委託内容,
         v.nda_signed_on AS 秘密保持契約の締結日,
         v.nda_expires_on AS 秘密保持契約の期限,
         v.nda_ref AS 契約番号,
         v.evaluated_on AS 評価日,
         tmac.enum_ja('provider_evaluation', v.evaluation) AS 評価,
         v.evaluation_note AS 評価の所見,
         (SELECT pg_catalog.string_agg(pa.asset_no, '、' ORDER BY pa.asset_no) FROM tmac.provider_asset pa
           WHERE pa.provider_id = v.provider_id) AS 預けている情報,
         tmac.enum_ja('provider_status', v.status) AS 状態
    FROM tmac.provider v
   ORDER BY v.provider_id;
COMMENT ON VIEW tmac.委託先一覧 IS
  'Ledger: external providers (委託先, V) — code, name, service, description, NDA signed, expires, reference, evaluated on, evaluation, note, assets entrusted, status';

CREATE VIEW tmac.事故・兆候の記録 AS
  SELECT i.incident_id AS 番号,
         tmac.company_time(i.detected_at) AS 発見日時,
         coalesce(d.full_name, i.discoverer_claimed) AS 発見者,
         tmac.enum_ja('incident_category', i.category) AS 区分,
         s.example_ja AS 兆候,
         i.description AS 内容,
         rp.full_name AS 報告者,
         tmac.company_time(i.reported_at) AS 報告日時,
         tmac.enum_ja('reported_to', i.reported_to) AS 報告先,
         rt.full_name AS 報告を受けた者,
         tmac.company_time(i.escalated_at) AS 経営層への報告日時,
         i.first_response AS 初動対応,
         i.impact AS 影響,
         (SELECT pg_catalog.string_agg(tmac.enum_ja('recipient_kind', n.recipient_kind) || '：' || n.recipient
                                       || '（' || tmac.company_time(n.notified_at) || '）', '、' ORDER BY n.notified_at, n.notification_id)
            FROM tmac.incident_notification n WHERE n.incident_id = i.incident_id) AS 通知,
         i.cause AS 原因,
         i.corrective_action AS 是正処置,
         tmac.company_time(i.due_by) AS 対応期限,
         tmac.enum_ja('incident_status', i.status) AS 状態,
         tmac.company_time(i.closed_at) AS 完了日時,
         pg_catalog.array_to_string(i.reported_asset_nos, '、') AS 対象情報
    FROM tmac.incident i
    LEFT JOIN tmac.leak_sign s ON s.sign_code = i.sign_code
    LEFT JOIN tmac.person d ON d.person_id = i.discovered_by
    LEFT JOIN tmac.person rp ON rp.person_id = i.reported_by
    LEFT JOIN tmac.person rt ON rt.person_id = i.reported_to_person
   ORDER BY i.incident_id;
COMMENT ON VIEW tmac.事故・兆候の記録 IS
  'Ledger: incidents and leak signs (事故・兆候, ⑥) — detected, discoverer, category, sign, description, reporter, reported, route, escalation, response, impact, notifications, cause, corrective action, due, status, closed, assets named';

-- One CSV field: NULL as nothing; else in double quotes, a quote doubled, and a value that a
-- spreadsheet would take for a formula (= + - @, full-width too, tab, CR first) after an apostrophe.
CREATE FUNCTION tmac.csv_field(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN value IS NULL THEN ''
              ELSE '"' || pg_catalog.replace(CASE WHEN value ~ '^[=+@＝＋－＠\t\r-]'
                                                       AND value !~ '^[-+]?[0-9]+([.][0-9]+)?$'   -- a signed number is data
                                                  THEN '''' || value ELSE value END,
                                             '"', '""') || '"' END;
COMMENT ON FUNCTION tmac.csv_field(text) IS 'One CSV field for Excel: empty for NULL, else double-quoted with quotes doubled; a value beginning with = + - @ (or full-width), tab or CR gets an apostrophe first (no formula injection), but a plain signed number (-1, +2.5) stays a number';

CREATE FUNCTION tmac.ledger_csv(ledger regclass) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  ledgers constant regclass[] := ARRAY['tmac.管理対象情報の目録', 'tmac.取扱管理簿', 'tmac.鍵の管理台帳',
    'tmac.入退室記録', 'tmac.アクセス権者管理簿', 'tmac.教育の記録', 'tmac.誓約書の記録', 'tmac.委託先一覧',
    'tmac.事故・兆候の記録']::regclass[];
  header text;
  body text;
BEGIN
  PERFORM tmac.require_arguments('ledger_csv', 'ledger', ledger::text);
  IF NOT ledger = ANY (ledgers) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('%s is not one of tmac''s ledgers', ledger::text),
      HINT = tmac.message('The ledgers: %s.', array_to_string(ledgers::text[], ', '));
  END IF;
  SELECT string_agg(tmac.csv_field(a.attname), ',' ORDER BY a.attnum) INTO header
    FROM pg_catalog.pg_attribute a WHERE a.attrelid = ledger AND a.attnum > 0 AND NOT a.attisdropped;
  -- the caller's own SELECT on the view (SECURITY INVOKER); json keeps the columns' order and
  -- writes dates and numbers the same whatever the session's DateStyle
  EXECUTE format('SELECT string_agg(q.line, E''\r\n'' ORDER BY q.n)
                    FROM (SELECT row_number() OVER () AS n,
                                 (SELECT string_agg(tmac.csv_field(f.value), '','' ORDER BY f.ord)
                                    FROM json_each_text(row_to_json(v)) WITH ORDINALITY f(key, value, ord)) AS line
                            FROM %s v) q', ledger)
    INTO body;
  RETURN chr(65279) || header || E'\r\n' || coalesce(body || E'\r\n', '');
END
$$;
COMMENT ON FUNCTION tmac.ledger_csv(regclass) IS 'One of the ledger views (tmac.取扱管理簿 …) as CSV for Excel: UTF-8 byte-order mark, header row, CRLF, every value quoted, values beginning with = + - @ prefixed with an apostrophe; read with the caller''s rights; 22023 for anything else';
