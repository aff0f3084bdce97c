-- 68_documents.sql — 規程・基準・手順・様式: the documents register (issue 21 item 1).
--
-- The scheme asks for written rules, approved by 経営層 and made known (周知): the 情報管理規程,
-- the 情報管理基準 (取扱基準), the incident reporting rule (報告ルール), the pledge forms
-- (誓約書様式), the education plan, the procedures of ⑧ and ⑨.  tmac.document keeps one row per
-- version of a document: its number and version, kind, title, the requirements
-- (tmac.document_requirement) and criteria it serves, where its text is (URI and SHA-256 — the text
-- itself is not stored), its author, who of 経営層 approved it and when, the day it takes effect,
-- its last review, how and when it was announced, whether it was superseded.  Persons in its scope
-- acknowledge the version in force (tmac.document_acknowledgement) when it asks for it.
--
-- 経営層 is who tmac.appointment says it is: a person holding an appointment in force of the
-- role executive (経営層, appointed with tmac.appoint like every other role).
--
-- Every act is a person's own (tmac.acting_person): the author records a draft (an appointee —
-- 経営層, 情報管理責任者, 部門管理者, 情報管理委員), a member of 経営層 who is not the author
-- approves it (four eyes; the table refuses approved_by = author), the author, the 情報管理責任者 or
-- 経営層 records its announcement, 経営層 or the 情報管理責任者 records a review, 経営層 supersedes
-- it, and each person acknowledges as themselves.  Audited; never deleted.  Findings:
-- document_missing, document_review_overdue, document_not_acknowledged (registered at
-- the end of this file).
--
-- Its compliance checks, populations, weakening settings and evidence of I-4 are registered at
-- the end of this file.

INSERT INTO tmac.setting_default VALUES
  ('document_review_interval',       '1 year',  tmac.msgid('A document in force must have been reviewed (tmac.review_document; its approval counts) within this interval (a positive interval)')),
  ('document_acknowledgement_grace', '30 days', tmac.msgid('A person in a document''s scope acknowledges the version in force within this time of its effective date or of their hiring, whichever is later (an interval, 0 or more)'));

-- The criterion codes (tmac.criterion, 45_compliance_registry.sql, holds their titles; the registers
-- before it check codes against this list).
CREATE FUNCTION tmac.criterion_codes() RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ARRAY['I-1', 'I-2', 'I-3', 'I-4', 'I-5', 'I-6', 'II', 'III', 'IV', 'V'];
COMMENT ON FUNCTION tmac.criterion_codes() IS 'Internal: the criterion codes I-1 … V, in order';

-- 経営層: the appointment role tmac knows top management by.
INSERT INTO tmac.appointment_role VALUES ('executive', '経営層', 'member of top management (経営層)', false);

CREATE FUNCTION tmac.is_executive(person_id text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN EXISTS (SELECT 1 FROM tmac.appointment a
                  WHERE a.person_id = is_executive.person_id AND a.role = 'executive' AND a.ended_at IS NULL
                    AND a.valid_from <= tmac.today() AND (a.valid_until IS NULL OR a.valid_until >= tmac.today()));
COMMENT ON FUNCTION tmac.is_executive(text) IS 'Internal: whether the person holds an appointment of role executive (経営層) in force today';

-- Whether the person holds an appointment in force of one of these roles.
CREATE FUNCTION tmac.holds_appointment(person_id text, roles text[]) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN EXISTS (SELECT 1 FROM tmac.appointment a
                  WHERE a.person_id = holds_appointment.person_id AND a.role = ANY (holds_appointment.roles)
                    AND a.ended_at IS NULL
                    AND a.valid_from <= tmac.today() AND (a.valid_until IS NULL OR a.valid_until >= tmac.today()));
COMMENT ON FUNCTION tmac.holds_appointment(text, text[]) IS 'Internal: whether the person holds an appointment in force today of one of the roles';

-- What the seed asks to be written down, per criterion (shipped with tmac).
CREATE TABLE tmac.document_requirement (
  requirement    text PRIMARY KEY CHECK (tmac.valid_code(requirement)),
  criterion      text NOT NULL CHECK (criterion = ANY (tmac.criterion_codes())),
  kind           text NOT NULL,
  name_ja        text NOT NULL,
  name_en        text NOT NULL,
  seed_reference text NOT NULL
);
COMMENT ON TABLE tmac.document_requirement IS
  'The documents the seed requires, per criterion (shipped with tmac): document_missing reports each one no approved document in force serves';
COMMENT ON COLUMN tmac.document_requirement.requirement IS 'Code of the requirement; a document names the requirements it serves';
COMMENT ON COLUMN tmac.document_requirement.criterion IS 'The criterion (I-1 … V) the document is evidence for';
COMMENT ON COLUMN tmac.document_requirement.kind IS 'The usual kind of such a document (regulation, standard, procedure, form, plan)';
COMMENT ON COLUMN tmac.document_requirement.name_ja IS 'Japanese name of the document';
COMMENT ON COLUMN tmac.document_requirement.name_en IS 'English name of the document (translated when read: tmac.message)';
COMMENT ON COLUMN tmac.document_requirement.seed_reference IS 'Where the seed asks for it, quoted';
INSERT INTO tmac.document_requirement VALUES
  ('information_rules', 'I-3', 'regulation', '情報管理規程', tmac.msgid('required document: information-management rules'),
   '③ 管理者の選任：「情報管理規程」にて、情報管理責任者を定め、社内研修にて周知する。（④ 情報管理規程の記載事項（例））'),
  ('handling_standard', 'I-4', 'standard', '情報管理基準（取扱基準）', tmac.msgid('required document: handling standard'),
   '④ 情報管理プロセス：重要情報の作成から廃棄までの情報管理プロセスを作成する必要があります。（情報管理基準の記載事項（例））'),
  ('education_plan', 'I-5', 'plan', '教育計画', tmac.msgid('required document: education plan'),
   '⑤ 従業員教育：従業員教育は、1回実施するだけではなく、定期的に実施することが望ましいです。教育は1年に1回以上定期的に行うことが効果的です。'),
  ('incident_reporting_rule', 'I-6', 'regulation', '情報漏えい等事故発生時の報告ルール', tmac.msgid('required document: incident reporting rule'),
   '⑥ 事故等発生時の報告ルールを策定し、従業員等に周知する必要があります。'),
  ('employee_pledge_form', 'II', 'form', '秘密保持誓約書の様式（入社時・退職時等）', tmac.msgid('required document: pledge form for employees'),
   '⑦ 従業員の秘密保持契約・誓約書（例）＜入社時＞'),
  ('visitor_pledge_form', 'II', 'form', '訪問者の秘密保持誓約書の様式', tmac.msgid('required document: pledge form for visitors'),
   '⑦ 従業員以外（訪問者等）の秘密保持誓約書（例）＜工場見学時＞'),
  ('container_procedure', 'III', 'procedure', '保管容器・鍵の管理手順（運搬を含む）', tmac.msgid('required document: procedure for containers, keys and transport'),
   '⑧ 保管容器に求められる要件：鍵の管理手順を定める。保管容器の運搬：…手順を定める。'),
  ('area_procedure', 'IV', 'procedure', '立入制限区域の運用手順', tmac.msgid('required document: procedure for restricted areas'),
   '⑧ 立ち入り制限区域への立ち入り：持ち込む場合には、予め管理者の承認を得る手順を定める。'),
  ('electronic_procedure', 'V', 'procedure', '電子情報の取扱手順（操作手順書・持出手順・不正アクセス時の対応手順）', tmac.msgid('required document: procedure for electronic information'),
   '⑨ 電子情報に対する主な対策：セキュリティに配慮した利用者の操作手順書の作成、不正アクセス検知時の対応手順の策定、持ち出し手順の作成');

CREATE TABLE tmac.document (
  document_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  doc_no          text NOT NULL CHECK (doc_no ~ '^\S(.*\S)?$' AND length(doc_no) <= 100),
  version         text NOT NULL CHECK (version ~ '^\S(.*\S)?$' AND length(version) <= 50),
  kind            text NOT NULL CHECK (kind IN ('regulation', 'standard', 'procedure', 'form', 'plan')),
  title           text NOT NULL CHECK (btrim(title) <> ''),
  requirements    text[] NOT NULL DEFAULT '{}',
  criteria        text[] NOT NULL CHECK (cardinality(criteria) > 0),
  uri             text NOT NULL CHECK (btrim(uri) <> ''),
  sha256          bytea NOT NULL CHECK (octet_length(sha256) = 32),
  acknowledgement text NOT NULL DEFAULT 'none' CHECK (acknowledgement IN ('none', 'all', 'access_holders')),
  author          text NOT NULL REFERENCES tmac.person,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  recorded_by     name NOT NULL DEFAULT tmac.invoker(),
  approved_by     text REFERENCES tmac.person,
  approved_at     timestamptz,
  approval_note   text,
  effective_from  date,
  reviewed_on     date,
  reviewed_by     text REFERENCES tmac.person,
  review_note     text,
  announced_how   text,
  announced_on    date,
  superseded_at   timestamptz,
  superseded_by   text REFERENCES tmac.person,
  supersede_reason text,
  successor_doc_no text,
  UNIQUE (doc_no, version),
  CHECK (approved_by IS DISTINCT FROM author),
  CHECK ((approved_by IS NULL) = (approved_at IS NULL) AND (approved_by IS NULL) = (effective_from IS NULL)),
  CHECK ((announced_how IS NULL) = (announced_on IS NULL)),
  CHECK ((superseded_at IS NULL) = (supersede_reason IS NULL))
);
COMMENT ON TABLE tmac.document IS
  '規程・基準・手順・様式 / the documents register: one row per version — kind, title, the requirements and criteria it serves, its text by URI and SHA-256, author, approval by 経営層 (never the author), effective date, review, announcement (周知), supersession; never deleted';
COMMENT ON COLUMN tmac.document.document_id IS 'Identifies the version';
COMMENT ON COLUMN tmac.document.doc_no IS '文書番号 / the document''s number, the same for all its versions';
COMMENT ON COLUMN tmac.document.version IS '版 / the version (第2版, 2026.1, …)';
COMMENT ON COLUMN tmac.document.kind IS '種別 / regulation (規程), standard (基準), procedure (手順), form (様式), plan (計画)';
COMMENT ON COLUMN tmac.document.title IS '表題 / the title';
COMMENT ON COLUMN tmac.document.requirements IS 'The requirements of tmac.document_requirement the document serves';
COMMENT ON COLUMN tmac.document.criteria IS 'The criteria (I-1 … V) the document serves (those of its requirements included)';
COMMENT ON COLUMN tmac.document.uri IS 'Where the text is (the text is not stored in tmac)';
COMMENT ON COLUMN tmac.document.sha256 IS 'SHA-256 of the text at that URI, as approved';
COMMENT ON COLUMN tmac.document.acknowledgement IS '確認 / who acknowledges the version in force: none, all (every active employee and contractor), access_holders (active persons holding an active clearance or grant)';
COMMENT ON COLUMN tmac.document.author IS '作成者 / the person who recorded the draft';
COMMENT ON COLUMN tmac.document.recorded_at IS 'When the draft was recorded';
COMMENT ON COLUMN tmac.document.recorded_by IS 'The login role of the author';
COMMENT ON COLUMN tmac.document.approved_by IS '承認者 / the person of 経営層 who approved it (never the author)';
COMMENT ON COLUMN tmac.document.approved_at IS '承認日時 / when it was approved';
COMMENT ON COLUMN tmac.document.approval_note IS 'The approver''s note';
COMMENT ON COLUMN tmac.document.effective_from IS '施行日 / the day it takes effect (set when approved)';
COMMENT ON COLUMN tmac.document.reviewed_on IS '見直し日 / the last review (the approval counts as one)';
COMMENT ON COLUMN tmac.document.reviewed_by IS 'Who recorded the last review (経営層 or the 情報管理責任者)';
COMMENT ON COLUMN tmac.document.review_note IS 'What the last review found';
COMMENT ON COLUMN tmac.document.announced_how IS '周知の方法 / how it was made known (社内研修, 掲示, イントラネット, 朝礼, …)';
COMMENT ON COLUMN tmac.document.announced_on IS '周知日 / when it was made known';
COMMENT ON COLUMN tmac.document.superseded_at IS '廃止 / when 経営層 withdrew it (a later version replaces an earlier one on its effective date without this)';
COMMENT ON COLUMN tmac.document.superseded_by IS 'The person of 経営層 who withdrew it';
COMMENT ON COLUMN tmac.document.supersede_reason IS 'Why it was withdrawn';
COMMENT ON COLUMN tmac.document.successor_doc_no IS 'The document that replaces it, if another number';
CREATE INDEX document_doc_no_idx ON tmac.document (doc_no);

-- The version of each document in force today: approved, effective, not withdrawn, and no later
-- approved version in effect.
CREATE VIEW tmac.document_in_force AS
  SELECT DISTINCT ON (d.doc_no) d.*
    FROM tmac.document d
   WHERE d.approved_at IS NOT NULL AND d.superseded_at IS NULL
     -- today in the company's zone, as tmac.today() (which its readers may not execute)
     AND d.effective_from <= (pg_catalog.now() AT TIME ZONE tmac.company_time_zone())::date
   ORDER BY d.doc_no, d.effective_from DESC, d.approved_at DESC;
COMMENT ON VIEW tmac.document_in_force IS
  'The version in force today of each document: approved, effective, not withdrawn; of several, the latest effective (then the latest approved)';

CREATE TABLE tmac.document_acknowledgement (
  document_id     bigint NOT NULL REFERENCES tmac.document,
  person_id       text NOT NULL REFERENCES tmac.person,
  acknowledged_at timestamptz NOT NULL DEFAULT now(),
  login_role      name NOT NULL DEFAULT tmac.invoker(),
  PRIMARY KEY (document_id, person_id)
);
COMMENT ON TABLE tmac.document_acknowledgement IS
  '確認の記録 / each person''s acknowledgement of a version of a document, made by the person themselves; never deleted';
COMMENT ON COLUMN tmac.document_acknowledgement.document_id IS 'The version acknowledged';
COMMENT ON COLUMN tmac.document_acknowledgement.person_id IS 'The person who acknowledged it (the acting person)';
COMMENT ON COLUMN tmac.document_acknowledgement.acknowledged_at IS 'When';
COMMENT ON COLUMN tmac.document_acknowledgement.login_role IS 'The login role they acted as';
CREATE INDEX document_acknowledgement_person_idx ON tmac.document_acknowledgement (person_id);

-- A version of a document, locked; NULL version: the latest recorded.
CREATE FUNCTION tmac.document_for_update(doc_no text, version text) RETURNS tmac.document
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  d tmac.document;
BEGIN
  SELECT * INTO d FROM tmac.document x
   WHERE x.doc_no = document_for_update.doc_no AND (document_for_update.version IS NULL OR x.version = document_for_update.version)
   ORDER BY x.recorded_at DESC, x.document_id DESC LIMIT 1 FOR UPDATE;
  PERFORM tmac.require_found(FOUND, tmac.message('no document %s version %s', doc_no, coalesce(version, '*')), 'undefined_object');
  RETURN d;
END
$$;
COMMENT ON FUNCTION tmac.document_for_update(text, text) IS 'Internal: locks a version of a document (NULL version: the latest recorded); error 42704 when there is none';

CREATE FUNCTION tmac.record_document(doc_no text, version text, kind text, title text, serves text[],
                                     uri text, sha256 text, acknowledgement text DEFAULT 'none')
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record a document'));
  reqs text[];
  crits text[];
  bad text;
  h bytea;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('record_document', 'doc_no', doc_no, 'version', version, 'kind', kind,
            'title', title, 'serves', serves::text, 'uri', uri, 'sha256', sha256, 'acknowledgement', acknowledgement);
  IF kind NOT IN ('regulation', 'standard', 'procedure', 'form', 'plan') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('unknown document kind %L', kind),
      HINT = tmac.message('Kinds: regulation (規程), standard (基準), procedure (手順), form (様式), plan (計画).');
  END IF;
  IF acknowledgement NOT IN ('none', 'all', 'access_holders') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('unknown acknowledgement scope %L', acknowledgement),
      HINT = tmac.message('acknowledgement: none, all (every active employee and contractor) or access_holders (persons holding an active clearance or grant).');
  END IF;
  IF sha256 !~ '^[0-9A-Fa-f]{64}$' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('malformed SHA-256 %L of document %s', sha256, doc_no),
      HINT = tmac.message('Give the SHA-256 of the document''s text as 64 hexadecimal digits (sha256sum).');
  END IF;
  h := pg_catalog.decode(sha256, 'hex');
  -- serves: requirement codes (their criteria come with them) and criterion codes
  SELECT pg_catalog.string_agg(s, ', ' ORDER BY s) INTO bad FROM unnest(serves) s
   WHERE s IS NULL OR (NOT EXISTS (SELECT 1 FROM tmac.document_requirement r WHERE r.requirement = s)
                       AND NOT s = ANY (tmac.criterion_codes()));
  IF bad IS NOT NULL OR cardinality(serves) = 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('a document serves requirements or criteria it names: unknown %s', coalesce(bad, '{}')),
      HINT = tmac.message('Requirements: %s; criteria: I-1 … I-6, II, III, IV, V.',
                          (SELECT pg_catalog.string_agg(r.requirement, ', ' ORDER BY r.requirement) FROM tmac.document_requirement r));
  END IF;
  reqs := ARRAY(SELECT DISTINCT s FROM unnest(serves) s JOIN tmac.document_requirement r ON r.requirement = s ORDER BY 1);
  crits := ARRAY(SELECT DISTINCT c FROM (SELECT s AS c FROM unnest(serves) s
                                          WHERE s = ANY (tmac.criterion_codes())
                                          UNION SELECT r.criterion FROM tmac.document_requirement r WHERE r.requirement = ANY (serves)) x
                 ORDER BY 1);
  IF NOT tmac.holds_appointment(me, ARRAY['executive', 'information_officer', 'department_manager', 'committee_member']) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('person %s may not record a document', me),
      DETAIL = tmac.message('Documents are drafted by an appointee: 経営層, the 情報管理責任者, a 部門管理者 or a member of the 情報管理委員会.'),
      HINT = tmac.message('Ask tmac_admin to record the appointment (tmac.appoint), or ask an appointee to record the draft.');
  END IF;
  INSERT INTO tmac.document (doc_no, version, kind, title, requirements, criteria, uri, sha256, acknowledgement, author)
  VALUES (btrim(doc_no), btrim(version), kind, btrim(title), reqs, crits, btrim(uri), h, acknowledgement, me)
  ON CONFLICT ON CONSTRAINT document_doc_no_version_key DO NOTHING
  RETURNING document_id INTO id;
  IF id IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
      MESSAGE = tmac.message('document %s version %s is recorded already', doc_no, version),
      HINT = tmac.message('Record a new version under another version name.');
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_document(text, text, text, text, text[], text, text, text) IS '文書の登録 / the acting person (an appointee: 経営層, 情報管理責任者, 部門管理者, 情報管理委員) records a draft version of a document as its author: number, version, kind, title, the requirements or criteria it serves, the URI and SHA-256 of its text, who acknowledges it; returns the document_id';

CREATE FUNCTION tmac.approve_document(doc_no text, version text, effective_from date DEFAULT NULL, note text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('approve a document'));
  d tmac.document;
  ef date := coalesce(effective_from, tmac.today());
BEGIN
  PERFORM tmac.require_arguments('approve_document', 'doc_no', doc_no, 'version', version);
  IF NOT tmac.is_executive(me) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('person %s is not 経営層 and may not approve a document', me),
      HINT = tmac.message('Documents are approved by 経営層: a person appointed with role executive (tmac.appoint).');
  END IF;
  d := tmac.document_for_update(doc_no, version);
  IF d.author = me THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('the author of document %s version %s may not approve it', doc_no, version),
      DETAIL = tmac.message('Four eyes: a document is approved by a member of 経営層 other than its author.');
  END IF;
  IF d.approved_at IS NOT NULL OR d.superseded_at IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('document %s version %s is approved or withdrawn already', doc_no, version);
  END IF;
  IF ef < tmac.today() THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('a document takes effect on the day of its approval or later, not on %s', ef);
  END IF;
  UPDATE tmac.document x SET approved_by = me, approved_at = now(), approval_note = note, effective_from = ef,
                             reviewed_on = tmac.today(), reviewed_by = me
   WHERE x.document_id = d.document_id;
END
$$;
COMMENT ON FUNCTION tmac.approve_document(text, text, date, text) IS '承認 / a member of 経営層 (appointed executive), never the author, approves a version of a document; it takes effect on effective_from (default today) and replaces the earlier version then';

CREATE FUNCTION tmac.announce_document(doc_no text, version text, announced_how text, announced_on date DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record how a document was announced'));
  d tmac.document;
  ao date := coalesce(announced_on, tmac.today());
BEGIN
  PERFORM tmac.require_arguments('announce_document', 'doc_no', doc_no, 'version', version, 'announced_how', announced_how);
  IF btrim(announced_how) = '' OR ao > tmac.today() THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('an announcement of a document needs how it was made known and a day not in the future');
  END IF;
  d := tmac.document_for_update(doc_no, version);
  IF d.author <> me AND NOT tmac.is_executive(me) AND NOT tmac.holds_appointment(me, ARRAY['information_officer']) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('person %s may not record the announcement of document %s', me, doc_no),
      HINT = tmac.message('The author, the 情報管理責任者 or 経営層 records how a document was made known.');
  END IF;
  IF d.approved_at IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('document %s version %s is not approved yet', doc_no, version);
  END IF;
  UPDATE tmac.document x SET announced_how = btrim(announce_document.announced_how), announced_on = ao
   WHERE x.document_id = d.document_id;
END
$$;
COMMENT ON FUNCTION tmac.announce_document(text, text, text, date) IS '周知 / the author, the 情報管理責任者 or 経営層 records how and when an approved version of a document was made known (社内研修, 掲示, イントラネット, 朝礼)';

CREATE FUNCTION tmac.review_document(doc_no text, note text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('review a document'));
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('review_document', 'doc_no', doc_no, 'note', note);
  IF length(btrim(note)) < 10 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('say what the review of the document found (at least 10 characters)');
  END IF;
  IF NOT tmac.is_executive(me) AND NOT tmac.holds_appointment(me, ARRAY['information_officer']) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('person %s may not record the review of a document', me),
      HINT = tmac.message('経営層 or the 情報管理責任者 reviews the documents; a change is a new version, approved again.');
  END IF;
  SELECT f.document_id INTO id FROM tmac.document_in_force f WHERE f.doc_no = review_document.doc_no;
  IF id IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = tmac.message('no document %s in force', doc_no);
  END IF;
  UPDATE tmac.document x SET reviewed_on = tmac.today(), reviewed_by = me, review_note = btrim(note)
   WHERE x.document_id = id;
END
$$;
COMMENT ON FUNCTION tmac.review_document(text, text) IS '見直し / 経営層 or the 情報管理責任者 records that the version in force of a document was reviewed and still holds (what the review found); closes its document_review_overdue finding';

CREATE FUNCTION tmac.supersede_document(doc_no text, reason text, successor_doc_no text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('withdraw a document'));
BEGIN
  PERFORM tmac.require_arguments('supersede_document', 'doc_no', doc_no, 'reason', reason);
  IF length(btrim(reason)) < 5 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('withdrawing a document needs a reason');
  END IF;
  IF NOT tmac.is_executive(me) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('person %s is not 経営層 and may not withdraw a document', me);
  END IF;
  IF successor_doc_no IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tmac.document_in_force f WHERE f.doc_no = supersede_document.successor_doc_no) THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = tmac.message('no document %s in force', successor_doc_no);
  END IF;
  UPDATE tmac.document x SET superseded_at = now(), superseded_by = me, supersede_reason = btrim(reason),
                             successor_doc_no = supersede_document.successor_doc_no
   WHERE x.doc_no = supersede_document.doc_no AND x.superseded_at IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('no document %s that is not withdrawn', doc_no), 'undefined_object');
END
$$;
COMMENT ON FUNCTION tmac.supersede_document(text, text, text) IS '廃止 / a member of 経営層 withdraws every version of a document, with the reason and the document that replaces it (a new version of the same number replaces the old on its effective date without this)';

CREATE FUNCTION tmac.acknowledge_document(doc_no text) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('acknowledge a document'));
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('acknowledge_document', 'doc_no', doc_no);
  -- documents in force are made known to everyone (周知): naming one probes nothing
  SELECT f.document_id INTO id FROM tmac.document_in_force f WHERE f.doc_no = acknowledge_document.doc_no;
  IF id IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = tmac.message('no document %s in force', doc_no);
  END IF;
  INSERT INTO tmac.document_acknowledgement (document_id, person_id) VALUES (id, me)
  ON CONFLICT ON CONSTRAINT document_acknowledgement_pkey DO NOTHING;
  PERFORM tmac.require_found(FOUND, tmac.message('you acknowledged the version in force of document %s already', doc_no), 'unique_violation');
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.acknowledge_document(text) IS '確認 / the acting person acknowledges, as themselves, that they read the version in force of a document; returns the document_id of that version';

SELECT tmac.add_audit_trigger('tmac.document', 'document_id', 'doc_no');
SELECT tmac.add_audit_trigger('tmac.document_acknowledgement', 'document_id', 'person_id');
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.document FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.document FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.document_acknowledgement FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.document_acknowledgement FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete();
SELECT pg_catalog.pg_extension_config_dump('tmac.document', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.document_document_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.document_acknowledgement', '');

-- The findings of the documents register (registered at the end of this file):
--   document_missing          a requirement of the seed no approved document in force serves
--                             (once persons exist: an empty database asks for nothing)
--   document_review_overdue   a document in force not reviewed within document_review_interval
--   document_not_acknowledged a document in force asking for acknowledgements that persons in its
--                             scope have not given past document_acknowledgement_grace (one finding
--                             per document, naming them)
CREATE FUNCTION tmac.check_documents() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH cfg AS MATERIALIZED (
    SELECT tmac.today() AS today, tmac.setting_value('document_review_interval')::interval AS review,
           tmac.setting_value('document_acknowledgement_grace')::interval AS grace
  ), f AS MATERIALIZED (SELECT * FROM tmac.document_in_force)
  SELECT 'document_missing', 'document_requirement:' || r.requirement,
         tmac.message('No approved document in force serves %s: the %s (%s) the seed asks for under %s (%s). Record it (tmac.record_document(…, serves => ''{%s}'', …)) and have 経営層 approve it (tmac.approve_document).',
                      r.requirement, r.name_ja, tmac.message(r.name_en), r.criterion, r.seed_reference, r.requirement),
         NULL::timestamptz
    FROM tmac.document_requirement r
   WHERE NOT EXISTS (SELECT 1 FROM f WHERE r.requirement = ANY (f.requirements))
     AND EXISTS (SELECT 1 FROM tmac.person p WHERE p.status = 'active')
  UNION ALL
  SELECT 'document_review_overdue', 'document:' || f.doc_no,
         tmac.message('Document %s (%s) version %s was last reviewed on %s; the company reviews its documents every %s. Review it and record it (tmac.review_document(%L, note)), or approve a new version.',
                      f.doc_no, f.title, f.version, coalesce(f.reviewed_on, f.approved_at::date), cfg.review::text, f.doc_no),
         tmac.day_start((coalesce(f.reviewed_on, f.approved_at::date) + cfg.review)::date)
    FROM f CROSS JOIN cfg
   WHERE coalesce(f.reviewed_on, f.approved_at::date) + cfg.review < cfg.today
  UNION ALL
  SELECT 'document_not_acknowledged', 'document:' || f.doc_no,
         tmac.message('%s person(s) in the scope of document %s (%s) version %s have not acknowledged it: %s. Each acknowledges it as themselves (tmac.acknowledge_document(%L)).',
                      m.n, f.doc_no, f.title, f.version, m.who, f.doc_no),
         tmac.day_start((f.effective_from + cfg.grace)::date)
    FROM f CROSS JOIN cfg
    CROSS JOIN LATERAL (
      SELECT count(*) AS n,
             pg_catalog.array_to_string((pg_catalog.array_agg(p.person_id ORDER BY p.person_id))[1:20], ', ')
               || CASE WHEN count(*) > 20 THEN ', …' ELSE '' END AS who
        FROM tmac.person p
       WHERE p.status = 'active' AND p.kind IN ('employee', 'contractor')
         AND greatest(f.effective_from, coalesce(p.hired_on, f.effective_from)) + cfg.grace < cfg.today
         AND (f.acknowledgement = 'all'
              OR EXISTS (SELECT 1 FROM tmac.access_grant g
                          WHERE g.person_id = p.person_id AND g.status = 'active' AND g.validity @> now()))
         AND NOT EXISTS (SELECT 1 FROM tmac.document_acknowledgement a
                          WHERE a.document_id = f.document_id AND a.person_id = p.person_id)) m
   WHERE f.acknowledgement <> 'none' AND m.n > 0;
END;
COMMENT ON FUNCTION tmac.check_documents() IS 'Checks of the documents register (I-4), one pass: document_missing, document_review_overdue, document_not_acknowledged';


-- The documents register's checks (I-4; check_documents above) in the compliance registry
-- (45_compliance_registry.sql): the populations, the checks, the settings that weaken them and the
-- evidence of I-4.

INSERT INTO tmac.compliance_population VALUES
  ('documents',         '施行中の文書',   tmac.msgid('documents in force (documents register)'),
   'SELECT count(*) FROM tmac.document_in_force'),
  ('acknowledged_documents', '確認を求める施行中の文書', tmac.msgid('documents in force that ask for acknowledgements (documents register)'),
   'SELECT count(*) FROM tmac.document_in_force WHERE acknowledgement <> ''none''');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.check_code, c.criterion, c.severity, c.title, c.description, c.remedy, 'tmac.check_documents', '{}', c.population::text[], true
  FROM (VALUES
  ('document_missing', 'I-4', 'high',
   tmac.msgid('規程・基準・手順・様式の欠落 (a document the seed requires is missing)'),
   tmac.msgid('A document the seed asks for (tmac.document_requirement: 情報管理規程, 情報管理基準, 教育計画, 報告ルール, 誓約書の様式, the procedures of ⑧ and ⑨) has no version approved by 経営層 and in force. The finding names the requirement, its criterion and the seed''s words.'),
   tmac.msgid('Record the document (tmac.record_document) and have a member of 経営層 other than its author approve it (tmac.approve_document).'), '{persons}'),
  ('document_review_overdue', 'I-4', 'medium',
   tmac.msgid('文書の見直し期限切れ (a document not reviewed in time)'),
   tmac.msgid('A document in force was not reviewed (its approval counts as a review) within document_review_interval (1 year).'),
   tmac.msgid('経営層 or the 情報管理責任者 reviews it and records it (tmac.review_document), or a new version is approved.'), '{documents}'),
  ('document_not_acknowledged', 'I-4', 'medium',
   tmac.msgid('文書の確認漏れ (persons in scope have not acknowledged a document)'),
   tmac.msgid('A document in force asks its scope (every employee and contractor, or the holders of access) to acknowledge it, and active persons in that scope have not acknowledged the version in force within document_acknowledgement_grace (30 days) of its effective date or their hiring.'),
   tmac.msgid('Each person acknowledges it as themselves (tmac.acknowledge_document).'), '{acknowledged_documents}')
) AS c(check_code, criterion, severity, title, description, remedy, population);

INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('document_review_interval', 'document_review_overdue', 'longer_than', '1 year', false,
   tmac.msgid('documents in force may go unreviewed for longer than a year')),
  ('document_acknowledgement_grace', 'document_not_acknowledged', 'longer_than', '30 days', false,
   tmac.msgid('persons may go longer than 30 days without acknowledging a document in force'));

UPDATE tmac.criterion
   SET evidence = evidence || '; the documents register: 規程, 基準, 手順, 様式 approved by 経営層, announced and acknowledged (tmac.document, tmac.document_in_force, tmac.document_requirement, tmac.document_acknowledgement)'
 WHERE criterion = 'I-4';
