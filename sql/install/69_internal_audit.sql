-- 69_internal_audit.sql — 内部監査・マネジメントレビュー and 是正処置 (issue 21 item 2).
--
-- The 情報管理規程 of the seed has its 第14条 監査 (監査実施・報告), and the manager's role is to
-- know how the measures are carried out (③ 管理者の役割 (3) その実施状況を把握する; (5) 記録を取得し、
-- 保管する).  tmac.internal_audit keeps each internal audit (内部監査) and management review
-- (マネジメントレビュー): the plan (when, scope — the criteria it covers — the audited department,
-- the auditor), when it was performed and its report (URI and SHA-256); tmac.audit_finding its
-- findings (指摘事項); tmac.corrective_action the corrective actions (是正処置) with owner and due
-- date, and their closure with evidence.
--
-- Segregation of duties, refused when recorded (42501) and again when the audit is performed: the
-- auditor of an internal audit is not a manager of the audited department — a 部門管理者 appointed
-- for it or for a department above it — nor, for an audit of the whole company, the 情報管理責任者.
-- A management review is held by 経営層 (its "auditor" is a person of 経営層).
--
-- Closure is four-eyes, as the return of a take-out is: the owner reports the action done with
-- its evidence (tmac.complete_corrective_action), and a second person — the audit's auditor, the
-- 情報管理責任者 or 経営層, never the owner — confirms and closes it (tmac.close_corrective_action);
-- the table refuses closed_by = owner.  Plans are recorded by tmac_admin (as appointments are); the
-- results, findings and actions are the acts of the persons concerned.  Audited; never deleted.
-- Findings: internal_audit_missing, corrective_action_overdue (registered at the end of this file).
--
-- Its compliance checks, population, weakening setting and evidence of I-4 are registered at the
-- end of this file.

INSERT INTO tmac.setting_default VALUES
  ('internal_audit_interval', '12 months', tmac.msgid('Every criterion must be covered by an internal audit performed within this interval (a positive interval)'));

CREATE TABLE tmac.internal_audit (
  audit_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind              text NOT NULL CHECK (kind IN ('internal_audit', 'management_review')),
  title             text NOT NULL CHECK (btrim(title) <> ''),
  criteria          text[] NOT NULL CHECK (cardinality(criteria) > 0
                                           AND criteria <@ tmac.criterion_codes()),
  audited_group_id  integer,            -- (no foreign key: groups are never deleted; NULL: the whole company)
  auditor           text NOT NULL REFERENCES tmac.person,
  planned_on        date NOT NULL,
  planned_at        timestamptz NOT NULL DEFAULT now(),
  planned_by        name NOT NULL DEFAULT tmac.invoker(),
  performed_on      date,
  summary           text,
  report_uri        text,
  report_sha256     bytea CHECK (octet_length(report_sha256) = 32),
  recorded_at       timestamptz,
  CHECK ((performed_on IS NULL) = (summary IS NULL) AND (performed_on IS NULL) = (recorded_at IS NULL)),
  CHECK ((report_uri IS NULL) = (report_sha256 IS NULL))
);
COMMENT ON TABLE tmac.internal_audit IS
  '内部監査・マネジメントレビュー / internal audits and management reviews: plan (when, scope, audited department, auditor), when performed, summary and report; never deleted';
COMMENT ON COLUMN tmac.internal_audit.audit_id IS 'Identifies the audit';
COMMENT ON COLUMN tmac.internal_audit.kind IS 'internal_audit (内部監査) or management_review (マネジメントレビュー, held by 経営層)';
COMMENT ON COLUMN tmac.internal_audit.title IS '表題 / what the audit is';
COMMENT ON COLUMN tmac.internal_audit.criteria IS '範囲 / the criteria (I-1 … V) it covers';
COMMENT ON COLUMN tmac.internal_audit.audited_group_id IS '被監査部署 / the audited department (tmac.org_group.group_id); NULL for the whole company';
COMMENT ON COLUMN tmac.internal_audit.auditor IS '監査員 / the auditor (never a manager of the audited department; 経営層 for a management review)';
COMMENT ON COLUMN tmac.internal_audit.planned_on IS '実施予定日 / when it is planned';
COMMENT ON COLUMN tmac.internal_audit.planned_at IS 'When the plan was recorded';
COMMENT ON COLUMN tmac.internal_audit.planned_by IS 'The tmac_admin role that recorded the plan';
COMMENT ON COLUMN tmac.internal_audit.performed_on IS '実施日 / when it was performed (recorded by the auditor)';
COMMENT ON COLUMN tmac.internal_audit.summary IS '結果の要旨 / what it found, in short';
COMMENT ON COLUMN tmac.internal_audit.report_uri IS '監査報告書 / where the report is (its text is not stored)';
COMMENT ON COLUMN tmac.internal_audit.report_sha256 IS 'SHA-256 of the report';
COMMENT ON COLUMN tmac.internal_audit.recorded_at IS 'When the result was recorded';
CREATE INDEX internal_audit_auditor_idx ON tmac.internal_audit (auditor);

CREATE TABLE tmac.audit_finding (
  finding_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  audit_id     bigint NOT NULL REFERENCES tmac.internal_audit,
  criterion    text NOT NULL CHECK (criterion = ANY (tmac.criterion_codes())),
  grade        text NOT NULL CHECK (grade IN ('major', 'minor', 'observation')),
  description  text NOT NULL CHECK (length(btrim(description)) >= 10),
  recorded_by  text NOT NULL REFERENCES tmac.person,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tmac.audit_finding IS
  '指摘事項 / what an internal audit found, per criterion: major (重大な指摘), minor (軽微な指摘), observation (観察事項); never deleted';
COMMENT ON COLUMN tmac.audit_finding.finding_id IS 'Identifies the finding';
COMMENT ON COLUMN tmac.audit_finding.audit_id IS 'The audit that found it';
COMMENT ON COLUMN tmac.audit_finding.criterion IS 'The criterion it concerns (one of the audit''s)';
COMMENT ON COLUMN tmac.audit_finding.grade IS 'major, minor or observation';
COMMENT ON COLUMN tmac.audit_finding.description IS 'What was found';
COMMENT ON COLUMN tmac.audit_finding.recorded_by IS 'The auditor who recorded it';
COMMENT ON COLUMN tmac.audit_finding.recorded_at IS 'When';
CREATE INDEX audit_finding_audit_idx ON tmac.audit_finding (audit_id);

CREATE TABLE tmac.corrective_action (
  action_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  finding_id     bigint NOT NULL REFERENCES tmac.audit_finding,
  description    text NOT NULL CHECK (length(btrim(description)) >= 10),
  owner          text NOT NULL REFERENCES tmac.person,
  due_on         date NOT NULL,
  assigned_by    text NOT NULL REFERENCES tmac.person,
  assigned_at    timestamptz NOT NULL DEFAULT now(),
  completed_at   timestamptz,
  evidence       text,
  evidence_uri   text,
  closed_at      timestamptz,
  closed_by      text REFERENCES tmac.person,
  closure_note   text,
  CHECK ((completed_at IS NULL) = (evidence IS NULL)),
  CHECK (closed_at IS NULL OR completed_at IS NOT NULL),
  CHECK ((closed_at IS NULL) = (closed_by IS NULL)),
  CHECK (closed_by IS DISTINCT FROM owner)
);
COMMENT ON TABLE tmac.corrective_action IS
  '是正処置 / corrective actions of audit findings: what, owner, due date; the owner reports it done with evidence, a second person (never the owner) closes it; never deleted';
COMMENT ON COLUMN tmac.corrective_action.action_id IS 'Identifies the action';
COMMENT ON COLUMN tmac.corrective_action.finding_id IS 'The audit finding it corrects';
COMMENT ON COLUMN tmac.corrective_action.description IS '是正内容 / what is to be done';
COMMENT ON COLUMN tmac.corrective_action.owner IS '担当者 / who does it';
COMMENT ON COLUMN tmac.corrective_action.due_on IS '期限 / by when';
COMMENT ON COLUMN tmac.corrective_action.assigned_by IS 'Who assigned it (the auditor or the 情報管理責任者)';
COMMENT ON COLUMN tmac.corrective_action.assigned_at IS 'When';
COMMENT ON COLUMN tmac.corrective_action.completed_at IS '完了報告 / when the owner reported it done';
COMMENT ON COLUMN tmac.corrective_action.evidence IS '証跡 / what was done and what shows it';
COMMENT ON COLUMN tmac.corrective_action.evidence_uri IS 'Where the evidence is, if a document';
COMMENT ON COLUMN tmac.corrective_action.closed_at IS '完了確認 / when a second person confirmed and closed it';
COMMENT ON COLUMN tmac.corrective_action.closed_by IS 'Who closed it (the auditor, the 情報管理責任者 or 経営層; never the owner)';
COMMENT ON COLUMN tmac.corrective_action.closure_note IS 'What the closer checked';
CREATE INDEX corrective_action_finding_idx ON tmac.corrective_action (finding_id);
CREATE INDEX corrective_action_open_idx ON tmac.corrective_action (due_on) WHERE closed_at IS NULL;

-- Why a person may not audit a department (NULL: they may): they manage it — a 部門管理者 of it or
-- of a department above it — or, for the whole company, they are the 情報管理責任者.
CREATE FUNCTION tmac.auditor_conflict(auditor text, audited_group_id integer) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (SELECT pg_catalog.string_agg(ap.role || ':' || ap.appointment_id, ', ' ORDER BY ap.appointment_id)
            FROM tmac.appointment ap
           WHERE ap.person_id = auditor_conflict.auditor AND ap.ended_at IS NULL
             AND ap.valid_from <= tmac.today() AND (ap.valid_until IS NULL OR ap.valid_until >= tmac.today())
             AND CASE WHEN auditor_conflict.audited_group_id IS NULL
                      THEN ap.role IN ('information_officer', 'department_manager')   -- the whole company: every manager
                      ELSE ap.role = 'department_manager'
                           AND (ap.scope_group_id IS NULL                -- a department written only as text: any
                                OR ap.scope_group_id = ANY (tmac.group_lineage(auditor_conflict.audited_group_id))   -- it or above
                                OR auditor_conflict.audited_group_id = ANY (tmac.group_lineage(ap.scope_group_id)))  -- inside it
                 END);
COMMENT ON FUNCTION tmac.auditor_conflict(text, integer) IS 'Internal: the appointments that make a person a manager of what is audited (部門管理者 of the audited department, of one above it or of one inside it, or of a department named only as text; for the whole company, every 部門管理者 and the 情報管理責任者), or NULL when they may audit it (attack21_audit_*.sql)';

CREATE FUNCTION tmac.require_independent_auditor(kind text, auditor text, audited_group_id integer) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  why text;
BEGIN
  IF kind = 'management_review' THEN
    IF NOT tmac.is_executive(auditor) THEN
      RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = tmac.message('a management review is held by 経営層, and %s is not', auditor),
        HINT = tmac.message('Name a person appointed with role executive (tmac.appoint).');
    END IF;
    RETURN;
  END IF;
  why := tmac.auditor_conflict(auditor, audited_group_id);
  IF why IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('%s manages the audited department and may not audit it', auditor),
      DETAIL = tmac.message('Segregation of duties: the auditor is not a manager of the audited department (appointments %s).', why),
      HINT = tmac.message('Name an auditor from another department, or an external auditor registered as a person.');
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.require_independent_auditor(text, text, integer) IS 'Internal: error 42501 when the auditor of an internal audit manages the audited department (tmac.auditor_conflict), or the holder of a management review is not 経営層';

CREATE FUNCTION tmac.plan_internal_audit(title text, criteria text[], auditor text, planned_on date,
                                         audited_group text DEFAULT NULL, kind text DEFAULT 'internal_audit')
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('plan an internal audit'));
  st text;
  gid integer;
  bad text;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('plan_internal_audit', 'title', title, 'criteria', criteria::text,
                                 'auditor', auditor, 'planned_on', planned_on::text, 'kind', kind);
  IF kind NOT IN ('internal_audit', 'management_review') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('unknown audit kind %L', kind),
      HINT = tmac.message('Kinds: internal_audit (内部監査), management_review (マネジメントレビュー).');
  END IF;
  SELECT pg_catalog.string_agg(coalesce(c, 'NULL'), ', ') INTO bad FROM unnest(criteria) c
   WHERE c IS NULL OR NOT c = ANY (tmac.criterion_codes());
  IF bad IS NOT NULL OR cardinality(criteria) = 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('an audit covers criteria I-1 … I-6, II, III, IV, V: unknown %s', coalesce(bad, '{}'));
  END IF;
  st := (tmac.row_by_key(NULL::tmac.person, 'person_id', auditor, tmac.message('no person %s (the auditor)', auditor),
                         'foreign_key_violation')).status;
  IF st <> 'active' THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('the auditor %s is %s', auditor, st);
  END IF;
  gid := tmac.vocabulary_id('group', audited_group);
  PERFORM tmac.require_independent_auditor(kind, auditor, gid);
  INSERT INTO tmac.internal_audit (kind, title, criteria, audited_group_id, auditor, planned_on, planned_by)
  VALUES (kind, btrim(title), ARRAY(SELECT DISTINCT c FROM unnest(criteria) c ORDER BY 1), gid, auditor, planned_on, me)
  RETURNING audit_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.plan_internal_audit(text, text[], text, date, text, text) IS '監査計画 / records the plan of an internal audit (tmac_admin): title, the criteria it covers, the auditor (never a manager of the audited department), the day, the audited department (NULL: the whole company), kind internal_audit or management_review (held by 経営層); returns the audit_id';

-- The audit an act names, locked, as its acting person may see it.
CREATE FUNCTION tmac.audit_of_person(audit_id bigint, person text) RETURNS tmac.internal_audit
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  a tmac.internal_audit;
BEGIN
  PERFORM tmac.require_arguments('internal audit', 'audit_id', audit_id::text);
  SELECT * INTO a FROM tmac.internal_audit x WHERE x.audit_id = audit_of_person.audit_id;
  PERFORM tmac.require_nameable('tmac.internal_audit', a.audit_id IS NOT NULL, a.auditor = person,
    'internal audit', audit_id::text, tmac.message('no internal audit %s', audit_id), 'P0002',
    tmac.message('The auditor of an audit records its result, findings and corrective actions.'));
  IF a.auditor <> person THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('only the auditor %s records the result of internal audit %s', a.auditor, audit_id);
  END IF;
  SELECT * INTO a FROM tmac.internal_audit x WHERE x.audit_id = audit_of_person.audit_id FOR UPDATE;
  -- still independent: an auditor appointed a manager of the audited department since the plan
  -- records nothing more on it (attack21_audit_manager_closes.sql)
  PERFORM tmac.require_independent_auditor(a.kind, person, a.audited_group_id);
  RETURN a;
END
$$;
COMMENT ON FUNCTION tmac.audit_of_person(bigint, text) IS 'Internal (the auditor''s acts): locks an internal audit; P0002 for readers of the register when there is none, 42501 unless the person is its auditor (the one error unknown or not yours for everyone else)';

CREATE FUNCTION tmac.record_audit_result(audit_id bigint, performed_on date, summary text,
                                         report_uri text DEFAULT NULL, report_sha256 text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record the result of an internal audit'));
  a tmac.internal_audit;
BEGIN
  PERFORM tmac.require_arguments('record_audit_result', 'performed_on', performed_on::text, 'summary', summary);
  IF length(btrim(summary)) < 10 OR performed_on > tmac.today() THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('an audit result needs the day it was performed (not in the future) and a summary of at least 10 characters');
  END IF;
  IF (report_uri IS NULL) <> (report_sha256 IS NULL) OR report_sha256 !~ '^[0-9A-Fa-f]{64}$' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('an audit report is given by its URI and its SHA-256 (64 hexadecimal digits) together');
  END IF;
  a := tmac.audit_of_person(audit_id, me);
  IF a.performed_on IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('the result of internal audit %s is recorded already', audit_id);
  END IF;
  -- the auditor may have been appointed the department's manager since the plan
  PERFORM tmac.require_independent_auditor(a.kind, me, a.audited_group_id);
  UPDATE tmac.internal_audit x
     SET performed_on = record_audit_result.performed_on, summary = btrim(record_audit_result.summary),
         report_uri = record_audit_result.report_uri, report_sha256 = pg_catalog.decode(record_audit_result.report_sha256, 'hex'),
         recorded_at = now()
   WHERE x.audit_id = a.audit_id;
END
$$;
COMMENT ON FUNCTION tmac.record_audit_result(bigint, date, text, text, text) IS '監査結果 / the auditor records that the audit was performed: the day, a summary, the report''s URI and SHA-256; the auditor is checked again against the audited department (SoD)';

CREATE FUNCTION tmac.record_audit_finding(audit_id bigint, criterion text, grade text, description text)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record a finding of an internal audit'));
  a tmac.internal_audit;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('record_audit_finding', 'criterion', criterion, 'grade', grade, 'description', description);
  IF grade NOT IN ('major', 'minor', 'observation') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('unknown audit finding grade %L', grade),
      HINT = tmac.message('Grades: major (重大な指摘), minor (軽微な指摘), observation (観察事項).');
  END IF;
  IF length(btrim(description)) < 10 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('say what the audit found (at least 10 characters)');
  END IF;
  a := tmac.audit_of_person(audit_id, me);
  IF NOT criterion = ANY (a.criteria) THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('internal audit %s does not cover criterion %s', audit_id, criterion),
      HINT = tmac.message('Its scope: %s.', pg_catalog.array_to_string(a.criteria, ', '));
  END IF;
  INSERT INTO tmac.audit_finding (audit_id, criterion, grade, description, recorded_by)
  VALUES (a.audit_id, criterion, grade, btrim(description), me)
  RETURNING finding_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_audit_finding(bigint, text, text, text) IS '指摘事項 / the auditor records a finding of the audit: the criterion (within its scope), grade (major, minor, observation), what was found; returns the finding_id';

CREATE FUNCTION tmac.assign_corrective_action(finding_id bigint, description text, owner text, due_on date)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('assign a corrective action'));
  a tmac.internal_audit;
  aid bigint;
  st text;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('assign_corrective_action', 'finding_id', finding_id::text, 'description', description,
                                 'owner', owner, 'due_on', due_on::text);
  IF length(btrim(description)) < 10 OR due_on < tmac.today() THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('a corrective action needs what is to be done (at least 10 characters) and a due date not in the past');
  END IF;
  SELECT f.audit_id INTO aid FROM tmac.audit_finding f WHERE f.finding_id = assign_corrective_action.finding_id;
  IF aid IS NULL THEN
    PERFORM tmac.require_nameable('tmac.audit_finding', false, false, 'audit finding', finding_id::text,
      tmac.message('no audit finding %s', finding_id), 'P0002',
      tmac.message('The auditor of an audit records its result, findings and corrective actions.'));
  END IF;
  a := tmac.audit_of_person(aid, me);
  SELECT p.status INTO st FROM tmac.person p WHERE p.person_id = assign_corrective_action.owner;
  IF st IS DISTINCT FROM 'active' THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('the owner of a corrective action is an active person; %s is not', owner);
  END IF;
  INSERT INTO tmac.corrective_action (finding_id, description, owner, due_on, assigned_by)
  VALUES (finding_id, btrim(description), owner, due_on, me)
  RETURNING action_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.assign_corrective_action(bigint, text, text, date) IS '是正処置 / the auditor assigns a corrective action to a finding of their audit: what, the owner (an active person), the due date; returns the action_id';

-- Who may close a corrective action: the audit's auditor, the 情報管理責任者 or 経営層 — never its owner.
CREATE FUNCTION tmac.may_close_action(c tmac.corrective_action, person text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN c.owner IS DISTINCT FROM person
         AND EXISTS (SELECT 1 FROM tmac.audit_finding f JOIN tmac.internal_audit a ON a.audit_id = f.audit_id
                      WHERE f.finding_id = c.finding_id
                        AND (a.auditor = person OR tmac.holds_appointment(person, ARRAY['information_officer', 'executive']))
                        -- never a manager of what was audited, whoever they are (attack21_audit_manager_closes.sql)
                        AND (a.kind <> 'internal_audit' OR tmac.auditor_conflict(person, a.audited_group_id) IS NULL));
COMMENT ON FUNCTION tmac.may_close_action(tmac.corrective_action, text) IS 'Internal: whether the person may close the corrective action: its audit''s auditor, the 情報管理責任者 or 経営層 — never its owner, never a manager of the audited department (tmac.auditor_conflict)';

CREATE FUNCTION tmac.corrective_action_of_person(action_id bigint, person text) RETURNS tmac.corrective_action
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  c tmac.corrective_action;
BEGIN
  PERFORM tmac.require_arguments('corrective action', 'action_id', action_id::text);
  SELECT * INTO c FROM tmac.corrective_action x WHERE x.action_id = corrective_action_of_person.action_id;
  PERFORM tmac.require_nameable('tmac.corrective_action', c.action_id IS NOT NULL,
    c.owner = person OR tmac.may_close_action(c, person), 'corrective action', action_id::text,
    tmac.message('no corrective action %s', action_id), 'P0002',
    tmac.message('The owner of a corrective action reports it done; its auditor, the 情報管理責任者 or 経営層 closes it.'));
  SELECT * INTO c FROM tmac.corrective_action x WHERE x.action_id = corrective_action_of_person.action_id FOR UPDATE;
  IF c.closed_at IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('corrective action %s is closed already', action_id);
  END IF;
  RETURN c;
END
$$;
COMMENT ON FUNCTION tmac.corrective_action_of_person(bigint, text) IS 'Internal: locks an open corrective action; P0002 for readers of the register when there is none, else the one error unknown or not yours unless the person owns it or may close it';

CREATE FUNCTION tmac.complete_corrective_action(action_id bigint, evidence text, evidence_uri text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('report a corrective action done'));
  c tmac.corrective_action;
BEGIN
  PERFORM tmac.require_arguments('complete_corrective_action', 'evidence', evidence);
  IF length(btrim(evidence)) < 10 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('say what was done and what shows it (at least 10 characters)');
  END IF;
  c := tmac.corrective_action_of_person(action_id, me);
  IF c.owner <> me THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('only the owner %s reports corrective action %s done', c.owner, action_id);
  END IF;
  UPDATE tmac.corrective_action x SET completed_at = now(), evidence = btrim(complete_corrective_action.evidence),
                                      evidence_uri = complete_corrective_action.evidence_uri
   WHERE x.action_id = c.action_id;
  RAISE NOTICE USING MESSAGE = tmac.message('corrective action %s is reported done; it closes when its auditor, the 情報管理責任者 or 経営層 confirms it (tmac.close_corrective_action)', action_id);
END
$$;
COMMENT ON FUNCTION tmac.complete_corrective_action(bigint, text, text) IS '完了報告 / the owner reports a corrective action done, with its evidence; it stays open until a second person closes it (tmac.close_corrective_action)';

CREATE FUNCTION tmac.close_corrective_action(action_id bigint, note text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('close a corrective action'));
  c tmac.corrective_action;
BEGIN
  PERFORM tmac.require_arguments('close_corrective_action', 'note', note);
  IF length(btrim(note)) < 10 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('say what was checked before closing (at least 10 characters)');
  END IF;
  c := tmac.corrective_action_of_person(action_id, me);
  IF NOT tmac.may_close_action(c, me) THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('the owner of corrective action %s may not close it', action_id),
      DETAIL = tmac.message('Four eyes: the owner reports the action done with its evidence; the audit''s auditor, the 情報管理責任者 or 経営層 closes it.');
  END IF;
  IF c.completed_at IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
      MESSAGE = tmac.message('the owner has not reported corrective action %s done', action_id),
      HINT = tmac.message('The owner reports it done with its evidence first (tmac.complete_corrective_action).');
  END IF;
  UPDATE tmac.corrective_action x SET closed_at = now(), closed_by = me, closure_note = btrim(note)
   WHERE x.action_id = c.action_id;
END
$$;
COMMENT ON FUNCTION tmac.close_corrective_action(bigint, text) IS '完了確認 / a second person (the audit''s auditor, the 情報管理責任者 or 経営層; never the owner) confirms the evidence and closes a corrective action; closes its corrective_action_overdue finding';

SELECT tmac.add_audit_trigger('tmac.internal_audit', 'audit_id', 'auditor');
SELECT tmac.add_audit_trigger('tmac.audit_finding', 'finding_id', 'audit_id');
SELECT tmac.add_audit_trigger('tmac.corrective_action', 'action_id', 'owner');
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.internal_audit FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.internal_audit FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.audit_finding FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.audit_finding FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.corrective_action FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.corrective_action FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete();
SELECT pg_catalog.pg_extension_config_dump('tmac.internal_audit', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.internal_audit_audit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.audit_finding', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.audit_finding_finding_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.corrective_action', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.corrective_action_action_id_seq', '');

-- The last internal audit performed that covered a criterion (tmac.compliance_status shows it).
CREATE FUNCTION tmac.last_internal_audit(criterion text) RETURNS date
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (SELECT max(a.performed_on) FROM tmac.internal_audit a
           WHERE a.kind = 'internal_audit' AND a.performed_on IS NOT NULL AND last_internal_audit.criterion = ANY (a.criteria));
COMMENT ON FUNCTION tmac.last_internal_audit(text) IS 'The day of the last internal audit performed that covered the criterion, or NULL';

-- The findings of the internal audit register (registered at the end of this file):
--   internal_audit_missing     a criterion no internal audit performed within internal_audit_interval
--                              covered (once persons exist)
--   corrective_action_overdue  a corrective action not closed by its due date
CREATE FUNCTION tmac.check_internal_audits() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH cfg AS MATERIALIZED (
    SELECT tmac.today() AS today, tmac.setting_value('internal_audit_interval')::interval AS period
  )
  SELECT 'internal_audit_missing', 'criterion:' || c.criterion,
         CASE WHEN l.last IS NULL
              THEN tmac.message('No internal audit has covered criterion %s. Plan one (tmac.plan_internal_audit) with an auditor who does not manage the audited department, and record its result (tmac.record_audit_result).', c.criterion)
              ELSE tmac.message('The last internal audit covering criterion %s was performed on %s, more than %s ago. Plan the next one (tmac.plan_internal_audit) and record its result (tmac.record_audit_result).', c.criterion, l.last, cfg.period::text) END,
         CASE WHEN l.last IS NOT NULL THEN tmac.day_start((l.last + cfg.period)::date) END
    FROM unnest(tmac.criterion_codes()) c(criterion)
    CROSS JOIN cfg
    CROSS JOIN LATERAL (SELECT tmac.last_internal_audit(c.criterion) AS last) l
   WHERE (l.last IS NULL OR l.last + cfg.period < cfg.today)
     AND EXISTS (SELECT 1 FROM tmac.person p WHERE p.status = 'active')
  UNION ALL
  SELECT 'corrective_action_overdue', 'corrective_action:' || x.action_id,
         CASE WHEN x.completed_at IS NULL
              THEN tmac.message('Corrective action %s (%s), owned by %s, was due on %s and is not done. The owner carries it out and reports it (tmac.complete_corrective_action).', x.action_id, x.description, x.owner, x.due_on)
              ELSE tmac.message('Corrective action %s (%s), owned by %s, was due on %s; it was reported done at %s but nobody has confirmed it. Its auditor, the 情報管理責任者 or 経営層 checks the evidence and closes it (tmac.close_corrective_action).', x.action_id, x.description, x.owner, x.due_on, tmac.company_time(x.completed_at)) END,
         tmac.day_start(x.due_on + 1)
    FROM tmac.corrective_action x CROSS JOIN cfg
   WHERE x.closed_at IS NULL AND x.due_on < cfg.today;
END;
COMMENT ON FUNCTION tmac.check_internal_audits() IS 'Checks of the internal audit register (I-4), one pass: internal_audit_missing, corrective_action_overdue';


-- The internal audits' checks (I-4; check_internal_audits above) in the compliance registry
-- (45_compliance_registry.sql): the population, the checks, the setting that weakens them and the
-- evidence of I-4.

INSERT INTO tmac.compliance_population VALUES
  ('corrective_actions', '是正処置', tmac.msgid('corrective actions of internal audits'),
   'SELECT count(*) FROM tmac.corrective_action');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.check_code, c.criterion, c.severity, c.title, c.description, c.remedy, 'tmac.check_internal_audits', '{}', c.population::text[], true
  FROM (VALUES
  ('internal_audit_missing', 'I-4', 'high',
   tmac.msgid('内部監査の未実施 (a criterion not covered by an internal audit)'),
   tmac.msgid('No internal audit performed within internal_audit_interval (12 months) covered the criterion (seed: 情報管理規程 第14条 監査; ③ 管理者の役割: その実施状況を把握する). The finding names the criterion and its last audit.'),
   tmac.msgid('Plan an internal audit covering it (tmac.plan_internal_audit) with an auditor who does not manage the audited department, and record its result (tmac.record_audit_result).'), '{persons}'),
  ('corrective_action_overdue', 'I-4', 'high',
   tmac.msgid('是正処置の期限超過 (a corrective action past its due date)'),
   tmac.msgid('A corrective action (是正処置) of an internal audit finding is not closed by its due date: not done, or reported done and not confirmed by a second person.'),
   tmac.msgid('The owner carries it out and reports it with evidence (tmac.complete_corrective_action); its auditor, the 情報管理責任者 or 経営層 closes it (tmac.close_corrective_action).'), '{corrective_actions}')
) AS c(check_code, criterion, severity, title, description, remedy, population);

INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('internal_audit_interval', 'internal_audit_missing', 'longer_than', '12 months', false,
   tmac.msgid('criteria may go longer than 12 months without an internal audit'));

UPDATE tmac.criterion
   SET evidence = evidence || '; internal audits and management reviews, their findings and corrective actions (tmac.internal_audit, tmac.audit_finding, tmac.corrective_action)'
 WHERE criterion = 'I-4';
