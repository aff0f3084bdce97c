-- 89_electronic_measures.sql — ⑨ the electronic measures beyond the database (V): what the
-- company declares it has in place, who checked it, when, what they saw, and when it is due again.
--
-- The seed's "電子情報に対する主な対策" and "電子情報の保管について" list measures that live outside
-- PostgreSQL — the firewall, malware protection, backups, logs, terminals, portable media.  A
-- certifier asks for them all the same, so each is declared here with its evidence: a person (not
-- a role) who checked it, when, what they saw, and a reference to the evidence (URI and SHA-256;
-- the evidence itself is not stored).  A measure that does not apply (no cloud service) is
-- declared not_applicable with the reason, which the auditor reads.  A new declaration of a
-- measure supersedes the one in force; a re-check is a new declaration
-- (tmac.recheck_electronic_measure copies what is in place and records the new check).
--
-- Findings (V):
--   electronic_measure_missing         a measure the seed lists has no declaration in force while
--                                      the company (once persons exist, as officer_missing) holds
--                                      important information electronically (an
--                                      active asset on an electronic medium, or a protected table);
--                                      the detail names the highest level so held
--   electronic_measure_review_overdue  the last check of a declaration is older than the setting
--                                      electronic_measure_review (default 1 year)
-- tmac's own database-side evidence (row security on protected tables, the hash-chained audit log,
-- the login gate) is listed beside the declarations by tmac.electronic_measures, never instead of
-- them: the seed's measures are about the systems around the database too.

CREATE TABLE tmac.electronic_measure_kind (
  measure        text PRIMARY KEY CHECK (measure ~ '^[a-z][a-z0-9_]{0,62}$'),
  ordinal        smallint NOT NULL UNIQUE,
  name_ja        text NOT NULL,
  name_en        text NOT NULL,
  seed_reference text NOT NULL
);
COMMENT ON TABLE tmac.electronic_measure_kind IS
  'The electronic measures the seed lists (V, ⑨), shipped with tmac: each must be declared, in place or not applicable, while important information is held electronically';
INSERT INTO tmac.electronic_measure_kind VALUES
  ('operating_procedures',  1, 'セキュリティに配慮した利用者の操作手順書の作成', tmac.msgid('user operating procedures written with security in mind'), '電子情報に対する主な対策'),
  ('firewall',              2, 'ファイアウォールの導入', tmac.msgid('a firewall at the network boundary'), '電子情報に対する主な対策'),
  ('log_retention',         3, 'ログの取得・保存', tmac.msgid('logs collected and kept'), '電子情報に対する主な対策'),
  ('intrusion_response',    4, '不正アクセス検知時の対応手順の策定', tmac.msgid('a procedure for when unauthorised access is detected'), '電子情報に対する主な対策'),
  ('vulnerability_management', 5, '脆弱性情報管理', tmac.msgid('vulnerability information managed'), '電子情報に対する主な対策'),
  ('system_register',       6, 'システム構成要素の管理簿の作成・管理', tmac.msgid('a register of the system''s components'), '電子情報に対する主な対策'),
  ('malware_protection',    7, 'ウィルス対策ソフトウェア等の導入・定期的な更新', tmac.msgid('malware protection installed and kept up to date'), '電子情報に対する主な対策'),
  ('software_control',      8, 'ソフトウェアの導入管理', tmac.msgid('control of the software installed'), '電子情報に対する主な対策'),
  ('backup',                9, 'バックアップ', tmac.msgid('backups'), '電子情報に対する主な対策'),
  ('account_management',   10, 'アクセス権管理（一意のID、適切な利用権限、パスワード管理）', tmac.msgid('access rights (unique IDs, fitting privileges, passwords)'), '電子情報に対する主な対策'),
  ('clear_desk',           11, 'クリアデスク', tmac.msgid('clear desk and clear screen'), '電子情報に対する主な対策'),
  ('take_out_procedure',   12, '持ち出し手順の作成', tmac.msgid('a procedure for taking information out'), '電子情報に対する主な対策'),
  ('outsourcing_control',  13, '外部委託管理', tmac.msgid('control of outsourcing'), '電子情報に対する主な対策'),
  ('portable_media',       14, '可搬式記録媒体（PC、USBメモリ等）の持ち出しの管理', tmac.msgid('portable media (PCs, USB memory) taken out under control'), '電子情報の保管について'),
  ('server_access_control', 15, '内部サーバ等のID・パスワード等によるアクセス制限', tmac.msgid('access to internal servers restricted by ID and password'), '電子情報の保管について'),
  ('external_storage_trust', 16, 'クラウド・データセンター事業者の信頼性の確認と秘密保持契約', tmac.msgid('cloud and data-centre providers checked and bound by confidentiality agreements'), '電子情報の保管について'),
  ('terminal_timeout',     17, '端末のタイムアウト機能', tmac.msgid('terminals lock after a time-out'), 'アクセス制御及び認証 8');

CREATE TABLE tmac.electronic_measure (
  declaration_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  measure         text NOT NULL REFERENCES tmac.electronic_measure_kind,
  status          text NOT NULL CHECK (status IN ('in_place', 'not_applicable')),
  description     text NOT NULL CHECK (length(btrim(description)) >= 10),
  checked_by      text NOT NULL REFERENCES tmac.person,
  checked_at      timestamptz NOT NULL,
  observation     text NOT NULL CHECK (length(btrim(observation)) >= 10),
  evidence_uri    text CHECK (btrim(evidence_uri) <> ''),
  evidence_sha256 text CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  recorded_by     name NOT NULL DEFAULT tmac.invoker(),
  superseded_by   bigint REFERENCES tmac.electronic_measure,
  superseded_at   timestamptz,
  CHECK ((superseded_by IS NULL) = (superseded_at IS NULL))
);
COMMENT ON TABLE tmac.electronic_measure IS
  '⑨ Declarations of the electronic measures (V): what is in place (or why it does not apply), who checked it when and what they saw, a reference to the evidence; one in force per measure, earlier ones superseded';
COMMENT ON COLUMN tmac.electronic_measure.description IS 'What is in place (product, configuration, procedure), or why the measure does not apply';
COMMENT ON COLUMN tmac.electronic_measure.checked_by IS 'The person who checked it (a person of tmac.person, not a role)';
COMMENT ON COLUMN tmac.electronic_measure.observation IS 'What the checker saw';
COMMENT ON COLUMN tmac.electronic_measure.evidence_uri IS 'Where the evidence is (a document, a screenshot, a report); tmac does not store it';
COMMENT ON COLUMN tmac.electronic_measure.evidence_sha256 IS 'SHA-256 of the evidence, 64 lower-case hex digits, so it can be shown unchanged';
CREATE UNIQUE INDEX electronic_measure_in_force ON tmac.electronic_measure (measure) WHERE superseded_by IS NULL;
SELECT tmac.add_audit_trigger('tmac.electronic_measure', 'declaration_id');
SELECT pg_catalog.pg_extension_config_dump('tmac.electronic_measure', '');

INSERT INTO tmac.setting_default VALUES
  ('electronic_measure_review', '1 year',
   tmac.msgid('A declared electronic measure must have been checked again within this interval (a positive interval)'));

-- Declare a measure in place (or not applicable), superseding the declaration in force.
CREATE FUNCTION tmac.declare_electronic_measure(measure text, description text, checked_by text, observation text,
                                                status text DEFAULT 'in_place', evidence_uri text DEFAULT NULL,
                                                evidence_sha256 text DEFAULT NULL, checked_at timestamptz DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('declare an electronic measure'));
  m text := lower(btrim(measure));
  s text := lower(btrim(status));
  st text;
  at timestamptz := coalesce(checked_at, pg_catalog.now());
  old bigint;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('declare_electronic_measure', 'measure', measure, 'description', description,
                                 'checked_by', checked_by, 'observation', observation, 'status', status);
  IF NOT EXISTS (SELECT 1 FROM tmac.electronic_measure_kind k WHERE k.measure = m) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('unknown electronic measure "%s"', measure),
      HINT = tmac.message('Measures: %s.', (SELECT string_agg(k.measure, ', ' ORDER BY k.ordinal) FROM tmac.electronic_measure_kind k));
  END IF;
  IF s NOT IN ('in_place', 'not_applicable') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('status must be in_place or not_applicable, not "%s"', status);
  END IF;
  st := (tmac.row_by_key(NULL::tmac.person, 'person_id', checked_by, tmac.message('unknown person "%s" (checked_by)', checked_by),
                         'foreign_key_violation', tmac.message('The one who checked is a person of tmac.person, not a role.'))).status;
  IF st = 'terminated' THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('person "%s" (checked_by) has left', checked_by);
  END IF;
  IF length(btrim(description)) < 10 OR length(btrim(observation)) < 10 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('say what is in place and what was seen (description and observation, at least 10 characters each)');
  END IF;
  IF at > pg_catalog.now() THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('checked_at %s is in the future', at);
  END IF;
  IF evidence_sha256 IS NOT NULL AND lower(btrim(evidence_sha256)) !~ '^[0-9a-f]{64}$' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('evidence_sha256 must be 64 hexadecimal digits');
  END IF;
  -- one declaration in force per measure: concurrent declarations of one measure take turns on its
  -- row of the shipped list (a row lock needs UPDATE on it, which nobody but tmac has; an advisory
  -- key anyone could hold: attack20_measure_lock.sh)
  PERFORM 1 FROM tmac.electronic_measure_kind k WHERE k.measure = m FOR NO KEY UPDATE;
  SELECT e.declaration_id INTO old FROM tmac.electronic_measure e WHERE e.measure = m AND e.superseded_by IS NULL;
  IF FOUND THEN   -- the unique index allows one in force: end the old one first, then link it
    UPDATE tmac.electronic_measure e SET superseded_by = e.declaration_id, superseded_at = pg_catalog.now()
     WHERE e.declaration_id = old;
  END IF;
  INSERT INTO tmac.electronic_measure (measure, status, description, checked_by, checked_at, observation,
                                       evidence_uri, evidence_sha256, recorded_by)
  VALUES (m, s, btrim(description), declare_electronic_measure.checked_by, at, btrim(observation),
          nullif(btrim(evidence_uri), ''), lower(btrim(evidence_sha256)), me)
  RETURNING declaration_id INTO id;
  IF old IS NOT NULL THEN
    UPDATE tmac.electronic_measure e SET superseded_by = id WHERE e.declaration_id = old;
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.declare_electronic_measure(text, text, text, text, text, text, text, timestamptz) IS '⑨ Declares an electronic measure (tmac_admin): the measure (tmac.electronic_measure_kind), what is in place or why it does not apply, the person who checked it, what they saw, status in_place or not_applicable, a reference to the evidence (URI, SHA-256), when it was checked (default now); supersedes the declaration in force; returns the declaration_id';

-- A re-check: the same declaration, checked again.
CREATE FUNCTION tmac.recheck_electronic_measure(measure text, checked_by text, observation text,
                                                evidence_uri text DEFAULT NULL, evidence_sha256 text DEFAULT NULL,
                                                checked_at timestamptz DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  cur tmac.electronic_measure;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('re-check an electronic measure'));
  PERFORM tmac.require_arguments('recheck_electronic_measure', 'measure', measure, 'checked_by', checked_by,
                                 'observation', observation);
  SELECT * INTO cur FROM tmac.electronic_measure e
   WHERE e.measure = lower(btrim(recheck_electronic_measure.measure)) AND e.superseded_by IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('electronic measure "%s" has no declaration in force', measure), 'no_data_found', tmac.message('Declare it first: tmac.declare_electronic_measure(measure, description, checked_by, observation).'));
  RETURN tmac.declare_electronic_measure(cur.measure, cur.description, checked_by, observation, cur.status,
                                         coalesce(evidence_uri, cur.evidence_uri),
                                         CASE WHEN evidence_uri IS NULL THEN coalesce(evidence_sha256, cur.evidence_sha256)
                                              ELSE evidence_sha256 END,
                                         checked_at);
END
$$;
COMMENT ON FUNCTION tmac.recheck_electronic_measure(text, text, text, text, text, timestamptz) IS '⑨ Records a new check of the electronic measure in force (tmac_admin): who checked, what they saw, new evidence if any (else the old reference); what is in place stays; returns the new declaration_id';

-- The register as the auditor reads it: every measure of the seed, with its declaration in force
-- (or none), and tmac's own database-side evidence beside it.
CREATE VIEW tmac.electronic_measures AS
  SELECT k.ordinal, k.measure, k.name_ja, k.name_en, k.seed_reference,
         e.declaration_id, e.status, e.description, e.checked_by, e.checked_at, e.observation,
         e.evidence_uri, e.evidence_sha256,
         (e.checked_at + (SELECT s.value FROM tmac.settings s WHERE s.key = 'electronic_measure_review')::interval) AS review_due,
         CASE k.measure
           WHEN 'account_management' THEN
             (SELECT tmac.message('In the database: %s tables protected by tmac row security (need-to-know by label, grants that expire and end with the person).', count(*))
                FROM tmac.protected_table)
           WHEN 'log_retention' THEN
             tmac.message('In the database: tmac''s hash-chained audit log, latest entry %s (tmac.verify_audit_log verifies the chain).',
                          (SELECT l.logged_at FROM tmac.audit_log l ORDER BY l.entry_id DESC LIMIT 1))
           WHEN 'server_access_control' THEN
             tmac.message('In the database: the login gate refuses the logins of terminated and absent persons.')
         END AS database_evidence
    FROM tmac.electronic_measure_kind k
    LEFT JOIN tmac.electronic_measure e ON e.measure = k.measure AND e.superseded_by IS NULL;
COMMENT ON VIEW tmac.electronic_measures IS
  '⑨ The electronic measures register (V): every measure the seed lists, its declaration in force (none: not declared), when it is due to be checked again, and beside it what tmac itself evidences in the database';

CREATE FUNCTION tmac.check_electronic_measures() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH held AS MATERIALIZED (   -- important information held electronically, and its highest level
    SELECT count(*) AS n, tmac.lub(x.label) AS top
      FROM (SELECT a.label FROM tmac.asset a
             WHERE a.status = 'active'
               AND (a.medium = 'electronic' OR EXISTS (SELECT 1 FROM tmac.asset_binding b WHERE b.asset_no = a.asset_no))
            UNION ALL
            SELECT NULL::tmac.label FROM tmac.protected_table) x
  ), review AS MATERIALIZED (SELECT tmac.setting_value('electronic_measure_review')::interval AS every)
  SELECT 'electronic_measure_missing', 'electronic_measure:' || k.measure,
         CASE WHEN held.top IS NULL
              THEN tmac.message('The electronic measure "%s" has no declaration, while important information is held electronically. Check it and declare it: tmac.declare_electronic_measure(''%s'', description, checked_by, observation), or declare it not_applicable with the reason.',
                                tmac.message(k.name_en), k.measure)
              ELSE tmac.message('The electronic measure "%s" has no declaration, while important information up to %s is held electronically. Check it and declare it: tmac.declare_electronic_measure(''%s'', description, checked_by, observation), or declare it not_applicable with the reason.',
                                tmac.message(k.name_en), tmac.label_level(held.top), k.measure) END,
         NULL::timestamptz
    FROM tmac.electronic_measure_kind k CROSS JOIN held
   WHERE held.n > 0
     AND EXISTS (SELECT 1 FROM tmac.person p WHERE p.status = 'active')   -- a company of persons, as officer_missing
     AND NOT EXISTS (SELECT 1 FROM tmac.electronic_measure e WHERE e.measure = k.measure AND e.superseded_by IS NULL)
  UNION ALL
  SELECT 'electronic_measure_review_overdue', 'electronic_measure:' || e.measure,
         tmac.message('The electronic measure "%s" was last checked on %s by %s; it was due again on %s. Check it and record it: tmac.recheck_electronic_measure(''%s'', checked_by, observation).',
                      tmac.message(k.name_en), e.checked_at, e.checked_by, e.checked_at + review.every, e.measure),
         e.checked_at + review.every
    FROM tmac.electronic_measure e JOIN tmac.electronic_measure_kind k USING (measure) CROSS JOIN review
   WHERE e.superseded_by IS NULL AND e.checked_at + review.every < pg_catalog.now();
END;
COMMENT ON FUNCTION tmac.check_electronic_measures() IS 'Checks of the electronic measures register (V, ⑨), one pass: electronic_measure_missing, electronic_measure_review_overdue';

-- What the measures protect: important information held electronically (without it the check
-- demands nothing, and is no evidence).
INSERT INTO tmac.compliance_population VALUES
  ('electronic_information', '電子的に保管する管理対象情報', tmac.msgid('important information held electronically (active electronic assets, protected tables)'),
   'SELECT (SELECT count(*) FROM tmac.asset a WHERE a.status = ''active'' AND (a.medium = ''electronic'' OR EXISTS (SELECT 1 FROM tmac.asset_binding b WHERE b.asset_no = a.asset_no))) + (SELECT count(*) FROM tmac.protected_table)');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.*, 'tmac.check_electronic_measures', '{}', '{electronic_information}', true FROM (VALUES
  ('electronic_measure_missing', 'V', 'high', tmac.msgid('Electronic measure not declared'),
   tmac.msgid('A measure the seed lists for electronic information (firewall, malware protection, backup, logs, terminals, portable media, …) has no declaration in force, while the company holds important information electronically: nothing shows it is in place, or that it does not apply.'),
   tmac.msgid('Have a person check the measure and declare it with tmac.declare_electronic_measure (in_place, or not_applicable with the reason), with a reference to the evidence.')),
  ('electronic_measure_review_overdue', 'V', 'medium', tmac.msgid('Electronic measure not checked again in time'),
   tmac.msgid('The declaration of an electronic measure was last checked longer ago than the electronic_measure_review setting (1 year unless set).'),
   tmac.msgid('Have a person check it again and record it with tmac.recheck_electronic_measure.'))
) AS c(check_code, criterion, severity, title, description, remedy);
