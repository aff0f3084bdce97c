-- 84_electronic_measures.sql — ⑨ 電子的保管: the electronic measures outside the database
-- (issue 21 item 4).
--
-- The seed's electronic measures — terminals, external media, the network boundary (firewall),
-- malware protection, backup, log retention, remote access, vulnerability and software
-- management — live outside PostgreSQL, but a certifier asks for them.  tmac.electronic_measure
-- lists them (shipped, with the seed's words and the lowest level — rank — for which the company
-- needs each); tmac.electronic_measure_declaration keeps the company's declarations: what is in
-- place, who checked it when, what they saw, a reference to the evidence, and when it is to be
-- checked again.  The latest declaration of a measure is the one in force.  tmac.electronic_measures
-- shows each measure with its state, and tmac's own database-side evidence (row-level enforcement,
-- the audit chain) beside them, not instead of them.  Declarations are recorded by tmac_admin
-- (naming the person who checked), audited, never deleted.  Findings (V):
--   electronic_measure_missing         a measure required for the company's highest level (the
--                                      highest label among its active assets) has no declaration
--                                      (once persons exist, as document_missing)
--   electronic_measure_review_overdue  a measure's declaration in force is past its review date

INSERT INTO tmac.setting_default VALUES
  ('electronic_measure_review_interval', '1 year', tmac.msgid('A declaration of an electronic measure is to be checked again within this interval unless it names its own review date (a positive interval)'));

CREATE TABLE tmac.electronic_measure (
  measure        text PRIMARY KEY CHECK (tmac.valid_code(measure)),
  ordinal        smallint NOT NULL UNIQUE,
  name_ja        text NOT NULL,
  name_en        text NOT NULL,
  min_rank       smallint NOT NULL,
  seed_reference text NOT NULL
);
COMMENT ON TABLE tmac.electronic_measure IS
  '電子的保管の対策 / the seed''s electronic measures outside the database (shipped with tmac), each required from a level rank up';
COMMENT ON COLUMN tmac.electronic_measure.measure IS 'Code of the measure';
COMMENT ON COLUMN tmac.electronic_measure.ordinal IS 'Order of listing';
COMMENT ON COLUMN tmac.electronic_measure.name_ja IS 'Japanese name';
COMMENT ON COLUMN tmac.electronic_measure.name_en IS 'English name (translated when read: tmac.message)';
COMMENT ON COLUMN tmac.electronic_measure.min_rank IS 'Required when the company''s highest level (the highest label of its active assets) has at least this rank (20 社外秘, 30 秘)';
COMMENT ON COLUMN tmac.electronic_measure.seed_reference IS 'Where the seed asks for it, quoted';
INSERT INTO tmac.electronic_measure VALUES
  ('terminals', 1, '端末の管理（操作手順書・タイムアウト・クリアスクリーン）', tmac.msgid('electronic measure: terminals'), 20,
   '⑨ セキュリティに配慮した利用者の操作手順書の作成（情報セキュリティポリシー：端末のタイムアウト機能、クリアデスク・クリアスクリーン）'),
  ('external_media', 2, '可搬式記録媒体（PC・USBメモリ等）の持出管理', tmac.msgid('electronic measure: external media'), 20,
   '⑨ 管理対象情報が電子情報である場合には、可搬式記録媒体（PC、USBメモリ等）の持ち出しを管理する。'),
  ('network_boundary', 3, 'ファイアウォールの導入', tmac.msgid('electronic measure: network boundary (firewall)'), 20,
   '⑨ ファイアウォールの導入'),
  ('malware_protection', 4, 'ウィルス対策ソフトウェア等の導入・定期的な更新', tmac.msgid('electronic measure: malware protection'), 20,
   '⑨ ウィルス対策ソフトウェア等の導入・定期的な更新'),
  ('backup', 5, 'バックアップ', tmac.msgid('electronic measure: backup'), 20, '⑨ バックアップ'),
  ('log_retention', 6, 'ログの取得・保存', tmac.msgid('electronic measure: log retention'), 20, '⑨ ログの取得・保存'),
  ('remote_access', 7, 'リモートアクセスの管理（ID・パスワード等による認証）', tmac.msgid('electronic measure: remote access'), 20,
   '⑨ 内部サーバ等で記録している場合は、ID・パスワード等によりアクセス制限を行い、必要な対策を行う。'),
  ('vulnerability_management', 8, '脆弱性情報管理', tmac.msgid('electronic measure: vulnerability management'), 30, '⑨ 脆弱性情報管理'),
  ('software_management', 9, 'ソフトウェアの導入管理', tmac.msgid('electronic measure: software installation control'), 30,
   '⑨ ソフトウェアの導入管理');

CREATE TABLE tmac.electronic_measure_declaration (
  declaration_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  measure        text NOT NULL REFERENCES tmac.electronic_measure,
  description    text NOT NULL CHECK (length(btrim(description)) >= 5),
  checked_by     text NOT NULL REFERENCES tmac.person,
  checked_on     date NOT NULL,
  observed       text NOT NULL CHECK (length(btrim(observed)) >= 5),
  evidence_ref   text NOT NULL CHECK (btrim(evidence_ref) <> ''),
  review_due     date NOT NULL CHECK (review_due > checked_on),
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  recorded_by    name NOT NULL DEFAULT tmac.invoker()
);
CREATE INDEX electronic_measure_declaration_measure_idx ON tmac.electronic_measure_declaration (measure, checked_on);
COMMENT ON TABLE tmac.electronic_measure_declaration IS
  '電子的対策の申告 / declarations of the electronic measures: what is in place, who checked it when, what was seen, the evidence, the next review; the latest of a measure is in force; never deleted';
COMMENT ON COLUMN tmac.electronic_measure_declaration.declaration_id IS 'Identifies the declaration';
COMMENT ON COLUMN tmac.electronic_measure_declaration.measure IS 'The measure (tmac.electronic_measure)';
COMMENT ON COLUMN tmac.electronic_measure_declaration.description IS '対策の内容 / what is in place';
COMMENT ON COLUMN tmac.electronic_measure_declaration.checked_by IS '確認者 / the person who checked it';
COMMENT ON COLUMN tmac.electronic_measure_declaration.checked_on IS '確認日 / when';
COMMENT ON COLUMN tmac.electronic_measure_declaration.observed IS '確認結果 / what they saw';
COMMENT ON COLUMN tmac.electronic_measure_declaration.evidence_ref IS '証跡 / where the evidence is (a ticket, a report, a screenshot''s location)';
COMMENT ON COLUMN tmac.electronic_measure_declaration.review_due IS '次回確認期限 / when it is to be checked again';
COMMENT ON COLUMN tmac.electronic_measure_declaration.recorded_at IS 'When it was recorded';
COMMENT ON COLUMN tmac.electronic_measure_declaration.recorded_by IS 'The tmac_admin role that recorded it';

-- The company's highest level: the highest rank among the labels of its active assets (NULL: none).
CREATE FUNCTION tmac.highest_asset_rank() RETURNS integer
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (SELECT max(tmac.label_rank(a.label)) FROM tmac.asset a WHERE a.status = 'active' AND a.label IS NOT NULL);
COMMENT ON FUNCTION tmac.highest_asset_rank() IS
  'Internal: the highest level rank among the labels of the active assets of the inventory, or NULL';

CREATE FUNCTION tmac.declare_electronic_measure(measure text, description text, checked_by text, observed text,
                                                evidence_ref text, checked_on date DEFAULT NULL, review_due date DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role('declare an electronic measure');
  st text;
  co date := coalesce(checked_on, tmac.today());
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('declare_electronic_measure', 'measure', measure, 'description', description,
            'checked_by', checked_by, 'observed', observed, 'evidence_ref', evidence_ref);
  IF NOT EXISTS (SELECT 1 FROM tmac.electronic_measure m WHERE m.measure = declare_electronic_measure.measure) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('unknown electronic measure %L', measure),
      HINT = tmac.message('Electronic measures: %s.', (SELECT pg_catalog.string_agg(m.measure, ', ' ORDER BY m.ordinal) FROM tmac.electronic_measure m));
  END IF;
  IF length(btrim(description)) < 5 OR length(btrim(observed)) < 5 OR btrim(evidence_ref) = '' OR co > tmac.today() THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('a declaration of an electronic measure says what is in place, what was seen and where the evidence is, checked on a day not in the future');
  END IF;
  IF review_due <= co THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('the review date %s of an electronic measure is not after its check', review_due);
  END IF;
  SELECT p.status INTO st FROM tmac.person p WHERE p.person_id = declare_electronic_measure.checked_by;
  IF st IS DISTINCT FROM 'active' THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('the person who checked an electronic measure is an active person; %s is not', checked_by);
  END IF;
  INSERT INTO tmac.electronic_measure_declaration (measure, description, checked_by, checked_on, observed, evidence_ref, review_due, recorded_by)
  VALUES (measure, btrim(description), checked_by, co, btrim(observed), btrim(evidence_ref),
          coalesce(review_due, (co + tmac.setting_value('electronic_measure_review_interval')::interval)::date), me)
  RETURNING declaration_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.declare_electronic_measure(text, text, text, text, text, date, date) IS
  '電子的対策の申告 / records a declaration of an electronic measure (tmac_admin): what is in place, the person who checked it, what they saw, the evidence, when checked (default today) and when to check again (default electronic_measure_review_interval later); returns the declaration_id';

SELECT tmac.add_audit_trigger('tmac.electronic_measure_declaration', 'declaration_id', 'measure');
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.electronic_measure_declaration FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.electronic_measure_declaration FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete();
SELECT pg_catalog.pg_extension_config_dump('tmac.electronic_measure_declaration', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.electronic_measure_declaration_declaration_id_seq', '');

-- Each measure with its declaration in force and its state; tmac's own evidence beside them.
CREATE VIEW tmac.electronic_measures AS
  WITH d AS (SELECT (pg_catalog.now() AT TIME ZONE tmac.company_time_zone())::date AS today,   -- tmac.today(), as its readers may not execute it
                    (SELECT max(tmac.label_rank(a.label)) FROM tmac.asset a          -- tmac.highest_asset_rank()
                      WHERE a.status = 'active' AND a.label IS NOT NULL) AS top)
  SELECT m.ordinal, m.measure, m.name_ja, m.min_rank, coalesce(m.min_rank <= d.top, false) AS required,
         CASE WHEN x.declaration_id IS NULL THEN CASE WHEN m.min_rank <= d.top THEN 'missing' ELSE 'not_required' END
              WHEN x.review_due < d.today THEN 'review_overdue' ELSE 'declared' END AS state,
         x.description, x.checked_by, x.checked_on, x.observed, x.evidence_ref, x.review_due
    FROM tmac.electronic_measure m CROSS JOIN d
    LEFT JOIN LATERAL (SELECT * FROM tmac.electronic_measure_declaration e WHERE e.measure = m.measure
                        ORDER BY e.checked_on DESC, e.declaration_id DESC LIMIT 1) x ON true
  UNION ALL
  SELECT 100, 'database_row_security', 'データベースの行レベルアクセス制御（tmac）', NULL, true, 'tmac',
         'tmac.protected_table: ' || (SELECT count(*) FROM tmac.protected_table) || ' protected table(s)', NULL, d.today,
         NULL, 'tmac.protected_table', NULL
    FROM d
  UNION ALL
  SELECT 101, 'database_audit_log', '監査ログ（ハッシュチェーン、tmac）', NULL, true, 'tmac',
         'tmac.audit_log: ' || (SELECT coalesce(max(l.entry_id), 0) FROM tmac.audit_log l) || ' entries, verified by tmac.verify_audit_log()',
         NULL, d.today, NULL, 'tmac.audit_log', NULL
    FROM d;
COMMENT ON VIEW tmac.electronic_measures IS
  'The electronic measures (⑨) with the declaration in force of each — state missing, declared, review_overdue or not_required (below the company''s highest level) — and tmac''s own database-side evidence (row-level enforcement, the audit log) listed beside them (state tmac)';

CREATE FUNCTION tmac.check_electronic_measures()
  RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT CASE x.state WHEN 'missing' THEN 'electronic_measure_missing' ELSE 'electronic_measure_review_overdue' END,
         'electronic_measure:' || x.measure,
         CASE x.state
           WHEN 'missing' THEN tmac.message('No declaration of the electronic measure %s (%s, %s), which the seed lists for information at the company''s highest level (rank %s): %s. Check it and declare it with its evidence (tmac.declare_electronic_measure).',
                                            x.measure, x.name_ja, tmac.message(m.name_en), tmac.highest_asset_rank(), m.seed_reference)
           ELSE tmac.message('The electronic measure %s (%s) was last checked on %s by %s and was to be checked again by %s. Check it and declare it again (tmac.declare_electronic_measure).',
                             x.measure, x.name_ja, x.checked_on, x.checked_by, x.review_due) END,
         CASE WHEN x.state = 'review_overdue' THEN tmac.day_start(x.review_due + 1) END
    FROM tmac.electronic_measures x JOIN tmac.electronic_measure m ON m.measure = x.measure
   WHERE x.state = 'review_overdue'
      OR (x.state = 'missing' AND EXISTS (SELECT 1 FROM tmac.person p WHERE p.status = 'active'));   -- once persons exist
END;
COMMENT ON FUNCTION tmac.check_electronic_measures() IS
  'Checks of the electronic measures (V), one pass: electronic_measure_missing, electronic_measure_review_overdue';

INSERT INTO tmac.compliance_population VALUES
  ('electronic_measures', '必要な電子的対策', tmac.msgid('electronic measures required for the company''s highest level'),
   'SELECT count(*) FROM tmac.electronic_measure WHERE min_rank <= tmac.highest_asset_rank()');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('electronic_measure_missing', 'V', 'high',
   tmac.msgid('電子的対策の申告漏れ (an electronic measure is not declared)'),
   tmac.msgid('An electronic measure the seed lists (⑨: terminals, external media, firewall, malware protection, backup, log retention, remote access; vulnerability and software management from 秘 up) is required for the company''s highest level — the highest label among its active assets — and has no declaration. tmac''s own evidence (row-level enforcement, the audit log) is listed beside the measures (tmac.electronic_measures), not instead of them.'),
   tmac.msgid('Check the measure and declare it with who checked it, what was seen and the evidence (tmac.declare_electronic_measure).'),
   'tmac.check_electronic_measures', '{}', '{electronic_measures}', true),
  ('electronic_measure_review_overdue', 'V', 'medium',
   tmac.msgid('電子的対策の確認期限切れ (an electronic measure not checked again in time)'),
   tmac.msgid('The declaration in force of an electronic measure is past its review date (electronic_measure_review_interval, 1 year, unless the declaration names its own).'),
   tmac.msgid('Check the measure again and declare it (tmac.declare_electronic_measure).'),
   'tmac.check_electronic_measures', '{}', '{electronic_measures}', true);

INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('electronic_measure_review_interval', 'electronic_measure_review_overdue', 'longer_than', '1 year', false,
   tmac.msgid('electronic measures may go longer than a year without being checked again'));

UPDATE tmac.criterion
   SET evidence = evidence || '; the electronic measures outside the database, declared with evidence and review dates (tmac.electronic_measure, tmac.electronic_measure_declaration, tmac.electronic_measures)'
 WHERE criterion = 'V';
