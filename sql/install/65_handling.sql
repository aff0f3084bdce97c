-- 65_handling.sql — 情報管理基準 (handling standard) and 取扱管理簿 (handling ledger), ④, Ⅰ-4.
--
-- The handling standard says, per classification level and action (作成 create,
-- 複製 copy, 持出 take out, 提供 provide, 廃棄 dispose, 返却 return), whether the
-- action is allowed (可), needs a manager's approval (要承認) or is forbidden
-- (禁止).  Shipped defaults (tmac.handling_rule_default) follow the seed's
-- 情報管理基準 example: 極秘 (and 秘) — copying, taking out, providing and
-- disposing need the manager's approval; 対外秘/社外秘 — copying is forbidden
-- in principle, providing needs approval; lower levels — everything allowed.
-- What an organisation changes lives in tmac.handling_rule (tmac.set_handling_rule);
-- tmac.handling_standard shows the rule in force for every level and action.
-- A level without a rule of its own follows the nearest level below it that
-- has one (a new level above 極秘 is as strict as 極秘).
--
-- The handling ledger (tmac.handling_entry) is the seed's 管理簿: what was
-- handled, when, by whom (担当者), approved by whom (承認者, never the handler:
-- four-eyes), media and copy serials, purpose, destination and recipient with
-- the NDA, due date, return (who, when) and disposal method.  Entries are made
-- by any person (tmac.record_handling, as the acting person: the ledger
-- records what people do, and a forbidden act is recorded, not refused — it
-- becomes a finding), approved by an approver (tmac.approve_handling), closed
-- by a return (tmac.return_handling), and a violation is acknowledged by a
-- manager (tmac.acknowledge_handling).  Inside the database, handling events
-- are recorded automatically (src/handling_events.c, tmac.record_handling_event):
-- COPY … TO from a protected table (持出), CREATE TABLE AS / SELECT INTO /
-- INSERT … SELECT / materialized views of protected rows into an unprotected
-- table (複製), and a DELETE or TRUNCATE of protected rows (廃棄, from
-- handling_delete_threshold rows on).  Entries are never deleted; every
-- change is audited.
--
-- Its compliance checks (check_handling), population, weakening setting and evidence of I-4 are
-- at the end of this file.

INSERT INTO tmac.setting_default VALUES
  ('handling_delete_threshold', '1', tmac.msgid('A DELETE of at least this many rows of a protected table is recorded in the handling ledger as a disposal (廃棄) (a positive integer)'));

CREATE TABLE tmac.handling_action (
  action   text PRIMARY KEY,
  ordinal  smallint NOT NULL UNIQUE,
  name_ja  text NOT NULL,
  name_en  text NOT NULL
);
COMMENT ON TABLE tmac.handling_action IS '取扱区分 (handling actions) of the handling standard and ledger: 作成, 複製, 持出, 提供, 廃棄, 返却';
COMMENT ON COLUMN tmac.handling_action.action IS 'Code of the action: create, copy, take_out, provide, dispose, return';
COMMENT ON COLUMN tmac.handling_action.name_ja IS 'Japanese name (作成, 複製, 持出, 提供, 廃棄, 返却)';
COMMENT ON COLUMN tmac.handling_action.name_en IS 'English name';
INSERT INTO tmac.handling_action VALUES
  ('create',   1, '作成', 'create'),
  ('copy',     2, '複製', 'copy'),
  ('take_out', 3, '持出', 'take out'),
  ('provide',  4, '提供', 'provide to a third party'),
  ('dispose',  5, '廃棄', 'dispose'),
  ('return',   6, '返却', 'return');

CREATE TABLE tmac.handling_rule_default (
  level_rank smallint NOT NULL,
  action     text NOT NULL REFERENCES tmac.handling_action,
  rule       text NOT NULL CHECK (rule IN ('allowed', 'approval', 'forbidden')),
  note       text,
  PRIMARY KEY (level_rank, action)
);
COMMENT ON TABLE tmac.handling_rule_default IS
  '情報管理基準の既定値 (shipped defaults of the handling standard), from the seed''s 極秘/対外秘 example; not user data';
COMMENT ON COLUMN tmac.handling_rule_default.level_rank IS 'Rank of the level (tmac.level.rank) the rule is for';
COMMENT ON COLUMN tmac.handling_rule_default.rule IS 'allowed (可), approval (要承認: needs a manager''s approval) or forbidden (禁止)';
INSERT INTO tmac.handling_rule_default
  SELECT r.rank, a.action, a.rule, a.note
    FROM (VALUES (40), (30)) r(rank),
         (VALUES ('create', 'allowed', '「極秘」「○○限り」の表示'),
                 ('copy', 'approval', '管理責任者のみ複製可'),
                 ('take_out', 'approval', '要管理責任者許可、暗号化・自らの携行・保管庫への保管'),
                 ('provide', 'approval', '要管理責任者許可・管理責任者下での開示・管理'),
                 ('dispose', 'approval', '管理責任者管理下、読取不可形式での廃棄'),
                 ('return', 'allowed', NULL)) a(action, rule, note)
  UNION ALL
  SELECT 20, a.action, a.rule, a.note
    FROM (VALUES ('create', 'allowed', '「対外秘」の表示'),
                 ('copy', 'forbidden', '複製の原則禁止、完了後の即座回収'),
                 ('take_out', 'allowed', '暗号化・自らの携行・保管庫への保管'),
                 ('provide', 'approval', '要管理責任者許可・管理責任者下での開示・管理'),
                 ('dispose', 'allowed', '読取不可形式での廃棄'),
                 ('return', 'allowed', NULL)) a(action, rule, note)
  UNION ALL
  SELECT r.rank, a.action, 'allowed', NULL
    FROM (VALUES (10), (0)) r(rank), tmac.handling_action a;

CREATE TABLE tmac.handling_rule (
  level_rank smallint NOT NULL,
  action     text NOT NULL REFERENCES tmac.handling_action,
  rule       text NOT NULL CHECK (rule IN ('allowed', 'approval', 'forbidden')),
  note       text,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by name NOT NULL DEFAULT tmac.invoker(),
  PRIMARY KEY (level_rank, action)
);
COMMENT ON TABLE tmac.handling_rule IS
  '情報管理基準 (handling standard): the rules an organisation set with tmac.set_handling_rule (kept by pg_dump); others follow the defaults';
COMMENT ON COLUMN tmac.handling_rule.level_rank IS 'Rank of the level (tmac.level.rank) the rule is for';
COMMENT ON COLUMN tmac.handling_rule.rule IS 'allowed (可), approval (要承認) or forbidden (禁止)';
COMMENT ON COLUMN tmac.handling_rule.note IS 'How the action is done at this level (e.g. 暗号化・自らの携行)';
SELECT tmac.add_audit_trigger('tmac.handling_rule', 'level_rank');
SELECT pg_catalog.pg_extension_config_dump('tmac.handling_rule', '');

-- The rule in force for a level rank and an action: the organisation's rule for
-- that rank, else its default, else that of the nearest lower rank that has
-- one; 'allowed' below every rule.  A NULL rank (the level of what was handled
-- is unknown) gets the strictest rule of any level.
CREATE FUNCTION tmac.handling_rule_for(level_rank integer, action text) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce(
    (SELECT r.rule
       FROM (SELECT u.level_rank, u.rule, u.own
               FROM (SELECT h.level_rank, h.rule, true AS own FROM tmac.handling_rule h
                      WHERE h.action = handling_rule_for.action
                     UNION ALL
                     SELECT d.level_rank, d.rule, false FROM tmac.handling_rule_default d
                      WHERE d.action = handling_rule_for.action) u
              WHERE handling_rule_for.level_rank IS NULL OR u.level_rank <= handling_rule_for.level_rank) r
      ORDER BY CASE WHEN handling_rule_for.level_rank IS NULL
                    THEN CASE r.rule WHEN 'forbidden' THEN 0 WHEN 'approval' THEN 1 ELSE 2 END END,
               r.level_rank DESC, r.own DESC
      LIMIT 1),
    'allowed');
COMMENT ON FUNCTION tmac.handling_rule_for(integer, text) IS 'The handling rule in force (allowed, approval, forbidden) for a level rank and an action; NULL rank: the strictest rule of any level';

CREATE VIEW tmac.handling_standard AS
  SELECT l.rank AS level_rank, l.code AS level, l.name AS level_name, a.action, a.name_ja AS action_ja,
         tmac.handling_rule_for(l.rank, a.action) AS rule,
         CASE tmac.handling_rule_for(l.rank, a.action) WHEN 'allowed' THEN '可' WHEN 'approval' THEN '要承認' ELSE '禁止' END AS rule_ja,
         coalesce(h.note, d.note) AS note,
         h.level_rank IS NOT NULL AS changed, h.changed_by, h.changed_at
    FROM tmac.level l CROSS JOIN tmac.handling_action a
    LEFT JOIN tmac.handling_rule h ON h.level_rank = l.rank AND h.action = a.action
    LEFT JOIN tmac.handling_rule_default d ON d.level_rank = l.rank AND d.action = a.action
   ORDER BY l.rank DESC, a.ordinal;
COMMENT ON VIEW tmac.handling_standard IS
  '情報管理基準 (handling standard): per level and action (作成, 複製, 持出, 提供, 廃棄, 返却) the rule in force — allowed 可, approval 要承認, forbidden 禁止 — and who changed it';

CREATE FUNCTION tmac.set_handling_rule(level text, action text, rule text, note text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  r smallint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('change the handling standard'));
  action := tmac.enum_code('handling_action', action); rule := tmac.enum_code('handling_rule', rule);
  PERFORM tmac.require_arguments('set_handling_rule', 'level', level, 'action', action, 'rule', rule);
  r := tmac.vocabulary_id('level', level);
  IF NOT EXISTS (SELECT 1 FROM tmac.handling_action a WHERE a.action = set_handling_rule.action) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown handling action "%s"', action),
      ERRCODE = 'invalid_parameter_value',
            HINT = tmac.message('Actions: create (作成), copy (複製), take_out (持出), provide (提供), dispose (廃棄), return (返却).');
  END IF;
  IF rule NOT IN ('allowed', 'approval', 'forbidden') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid handling rule "%s"', rule),
      ERRCODE = 'invalid_parameter_value', HINT = tmac.message('A rule is allowed, approval or forbidden.');
  END IF;
  INSERT INTO tmac.handling_rule AS h (level_rank, action, rule, note)
  VALUES (r, set_handling_rule.action, set_handling_rule.rule, set_handling_rule.note)
  ON CONFLICT ON CONSTRAINT handling_rule_pkey
  DO UPDATE SET rule = EXCLUDED.rule, note = EXCLUDED.note, changed_at = now(), changed_by = tmac.invoker();
END
$$;
COMMENT ON FUNCTION tmac.set_handling_rule(text, text, text, text) IS 'Sets the handling standard''s rule (allowed, approval, forbidden) for a level (code, name or alias) and an action, with how it is done (note)';

CREATE TABLE tmac.handling_entry (
  entry_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  asset_id        bigint REFERENCES tmac.asset (asset_id),
  action          text NOT NULL REFERENCES tmac.handling_action,
  level_rank      smallint,
  rule_applied    text NOT NULL CHECK (rule_applied IN ('allowed', 'approval', 'forbidden')),
  media           text CHECK (media IN ('paper', 'electronic', 'portable_media', 'prototype', 'equipment', 'database', 'other')),
  copy_serials    text[] NOT NULL DEFAULT '{}',
  purpose         text,
  destination     text,
  recipient       text,
  nda_reference   text,
  handler         text REFERENCES tmac.person,
  handler_role    name NOT NULL,
  handled_at      timestamptz NOT NULL,
  due_at          timestamptz,
  approver        text REFERENCES tmac.person,
  approved_at     timestamptz,
  approval_note   text,
  returned_at     timestamptz,
  returned_by     text REFERENCES tmac.person,
  return_note     text,
  disposal_method text CHECK (disposal_method IN ('shred', 'dissolve', 'incinerate', 'data_erase', 'other')),
  acknowledged_by text REFERENCES tmac.person,
  acknowledged_at timestamptz,
  acknowledgement text,
  automatic       boolean NOT NULL DEFAULT false,
  source_tables   text[],
  target_table    text,
  row_count       bigint,
  statement       text,
  return_reported_at timestamptz,
  return_reported_by text REFERENCES tmac.person,
  return_report_note text,
  CHECK (asset_id IS NOT NULL OR automatic),
  CHECK (approver IS NULL OR approver IS DISTINCT FROM handler),
  CHECK ((approver IS NULL) = (approved_at IS NULL)),
  CHECK ((returned_at IS NULL) = (returned_by IS NULL)),
  CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL)),
  CHECK (acknowledged_by IS NULL OR acknowledged_by IS DISTINCT FROM handler),
  CHECK (disposal_method IS NULL OR action = 'dispose'),
  CONSTRAINT handling_entry_returned_by_not_handler CHECK (returned_by IS NULL OR returned_by IS DISTINCT FROM handler),
  CONSTRAINT handling_entry_return_reported CHECK ((return_reported_at IS NULL) = (return_reported_by IS NULL)),
  CONSTRAINT handling_entry_return_reported_by_handler CHECK (return_reported_by IS NULL OR return_reported_by = handler)
);
COMMENT ON TABLE tmac.handling_entry IS
  '取扱管理簿 (handling ledger, ④): every creation, copy, take-out, provision, disposal and return of important information, by whom, approved by whom; never deleted';
COMMENT ON COLUMN tmac.handling_entry.entry_id IS '管理簿番号 (entry number)';
COMMENT ON COLUMN tmac.handling_entry.asset_id IS '対象情報No. (the asset of tmac.asset handled); NULL for an automatic entry, which names its tables';
COMMENT ON COLUMN tmac.handling_entry.action IS '取扱区分 (action): create, copy, take_out, provide, dispose, return';
COMMENT ON COLUMN tmac.handling_entry.level_rank IS '区分 (level rank) of what was handled: the asset''s label, or the highest label among the protected rows an automatic event read; NULL when unknown';
COMMENT ON COLUMN tmac.handling_entry.rule_applied IS 'The handling standard''s rule for this level and action when the entry was made: allowed, approval, forbidden';
COMMENT ON COLUMN tmac.handling_entry.media IS '媒体 (media): paper, electronic, portable_media, prototype, equipment, database, other';
COMMENT ON COLUMN tmac.handling_entry.copy_serials IS '通し番号 (serial numbers of the copies made, disposed of or returned)';
COMMENT ON COLUMN tmac.handling_entry.purpose IS '目的 (purpose)';
COMMENT ON COLUMN tmac.handling_entry.destination IS '保管・持出場所 (where it was taken or sent)';
COMMENT ON COLUMN tmac.handling_entry.recipient IS '提供先 (recipient)';
COMMENT ON COLUMN tmac.handling_entry.nda_reference IS '秘密保持契約 (the recipient''s NDA)';
COMMENT ON COLUMN tmac.handling_entry.handler IS '担当者 (the person who handled it; NULL when an automatic event''s role maps to no person)';
COMMENT ON COLUMN tmac.handling_entry.handler_role IS 'The PostgreSQL role that recorded or caused the entry';
COMMENT ON COLUMN tmac.handling_entry.handled_at IS '開始時 日付 (when it was handled)';
COMMENT ON COLUMN tmac.handling_entry.due_at IS '返却期限 (when a take-out or provision is due back)';
COMMENT ON COLUMN tmac.handling_entry.approver IS '承認者 (the approving person; never the handler)';
COMMENT ON COLUMN tmac.handling_entry.returned_at IS '終了時 日付 (returned or closed at)';
COMMENT ON COLUMN tmac.handling_entry.returned_by IS '終了時 担当者 (who closed the entry: the handler''s manager, an approver of the asset, or the second person who confirmed the handler''s report; never the handler)';
COMMENT ON COLUMN tmac.handling_entry.return_reported_at IS 'When the handler reported the return (tmac.return_handling); the entry stays open until a second person confirms it (tmac.confirm_return)';
COMMENT ON COLUMN tmac.handling_entry.return_reported_by IS 'The handler who reported the return (never anyone else)';
COMMENT ON COLUMN tmac.handling_entry.return_report_note IS 'The handler''s note on the reported return';
COMMENT ON COLUMN tmac.handling_entry.disposal_method IS '廃棄方法 (disposal method): shred 細断, dissolve 溶解, incinerate 焼却, data_erase データ消去, other';
COMMENT ON COLUMN tmac.handling_entry.acknowledged_by IS 'The manager who reviewed a forbidden or unapproved entry after the fact (never the handler)';
COMMENT ON COLUMN tmac.handling_entry.acknowledgement IS 'What the manager found and did about it';
COMMENT ON COLUMN tmac.handling_entry.automatic IS 'True when tmac recorded the event itself (COPY TO, CREATE TABLE AS, INSERT … SELECT, DELETE)';
COMMENT ON COLUMN tmac.handling_entry.source_tables IS 'Automatic entries: the protected tables read (or deleted from)';
COMMENT ON COLUMN tmac.handling_entry.target_table IS 'Automatic entries: the unprotected table written, or COPY''s destination';
COMMENT ON COLUMN tmac.handling_entry.row_count IS 'Automatic entries: rows exported, copied or deleted';
COMMENT ON COLUMN tmac.handling_entry.statement IS 'Automatic entries: the statement (first 500 characters)';
CREATE INDEX handling_entry_asset_idx ON tmac.handling_entry (asset_id, action);
CREATE INDEX handling_entry_open_idx ON tmac.handling_entry (due_at) WHERE returned_at IS NULL AND due_at IS NOT NULL;
CREATE INDEX handling_entry_disposal_idx ON tmac.handling_entry (asset_id) WHERE action = 'dispose';
COMMENT ON INDEX tmac.handling_entry_disposal_idx IS 'tmac compliance: disposals by asset (copies unaccounted for at disposal)';
CREATE INDEX handling_entry_review_idx ON tmac.handling_entry (entry_id)
  WHERE rule_applied <> 'allowed' AND approved_at IS NULL AND acknowledged_at IS NULL;
SELECT tmac.add_audit_trigger('tmac.handling_entry', 'entry_id');
SELECT tmac.keep_forever('tmac.handling_entry');

-- What a person may name in an act.  The acts every person may do (tmac_person: record_handling,
-- return_handling, confirm_return, report_incident, confirm_discovery) take asset numbers, person
-- ids and entry or incident numbers, while the registers behind them are read only by
-- tmac_approver, tmac_auditor and tmac_admin (persons also by tmac_hr and tmac_access_admin).  So
-- that an act is no probe of those registers, each act first validates every argument that needs
-- no lookup (enumerations, dates, formats), and then answers one error — 42501, "… is unknown or
-- not yours", the same message — whether the thing does not exist or exists but is not the
-- caller's.  Readers of the register get the precise errors they could find out by reading.

CREATE FUNCTION tmac.require_nameable(register regclass, present boolean, theirs boolean, what text, id text,
                                      missing text, missing_state text, hint text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  unknown text;
BEGIN
  IF pg_catalog.has_table_privilege(tmac.invoker(), register, 'SELECT') THEN
    IF NOT present THEN
      RAISE EXCEPTION USING MESSAGE = missing, ERRCODE = missing_state;
    END IF;
  ELSIF NOT (present AND coalesce(theirs, false)) THEN
    -- one sentence per kind of thing, so that a translation need not decline a noun
    unknown := CASE what
      WHEN 'asset' THEN tmac.message('asset "%s" is unknown or not yours', id)
      WHEN 'person' THEN tmac.message('person "%s" is unknown or not yours', id)
      WHEN 'handling entry' THEN tmac.message('handling entry "%s" is unknown or not yours', id)
      WHEN 'incident' THEN tmac.message('incident "%s" is unknown or not yours', id)
      ELSE tmac.message('%s "%s" is unknown or not yours', what, id) END;
    RAISE EXCEPTION USING MESSAGE = unknown,
      ERRCODE = 'insufficient_privilege',
            DETAIL = tmac.message('To those who cannot read the register, tmac does not say whether it exists.'),
            HINT = hint;
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.require_nameable(regclass, boolean, boolean, text, text, text, text, text) IS 'Internal (person acts): for a caller who reads the register, the error "missing" when the thing is not present; for everyone else the one error 42501 "<what> "<id>" is unknown or not yours" unless it is present and theirs';

-- A group and every group above it (a person's line: their department and the ones enclosing it).
CREATE FUNCTION tmac.group_lineage(group_id integer) RETURNS integer[]
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN ARRAY(WITH RECURSIVE up(id) AS (
                 SELECT group_lineage.group_id WHERE group_lineage.group_id IS NOT NULL
                 UNION
                 SELECT g.parent_id FROM up JOIN tmac.org_group g ON g.group_id = up.id WHERE g.parent_id IS NOT NULL)
               SELECT up.id FROM up);
COMMENT ON FUNCTION tmac.group_lineage(integer) IS 'Internal: a group''s id and the ids of every group enclosing it (empty for NULL)';

-- An asset is a person's when they are its 管理責任者, when it is managed by their department or
-- one enclosing it, or when they may read its label (the access decision, prerequisites included).
CREATE FUNCTION tmac.asset_is_theirs(a tmac.asset, person text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL RESTRICTED
  RETURN coalesce(
    (SELECT a.manager = p.person_id
            OR a.managing_group_id = ANY (tmac.group_lineage(p.org_group_id))
            OR (a.label IS NOT NULL AND p.login_role IS NOT NULL
                AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = p.login_role)
                AND tmac.deny_reason_as(p.login_role, a.label) IS NULL)
       FROM tmac.person p WHERE p.person_id = asset_is_theirs.person),
    false);
COMMENT ON FUNCTION tmac.asset_is_theirs(tmac.asset, text) IS 'Internal: true when the asset is the person''s to name: they manage it, their department (or one enclosing it) manages it, or they may read its label';

-- The asset an act names, by number, as its acting person may see it.
CREATE FUNCTION tmac.asset_named_by(asset_no text, person text) RETURNS tmac.asset
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  a tmac.asset;
BEGIN
  SELECT * INTO a FROM tmac.asset x WHERE x.asset_no = asset_named_by.asset_no;
  PERFORM tmac.require_nameable('tmac.asset', a.asset_id IS NOT NULL, tmac.asset_is_theirs(a, person), 'asset', asset_no,
    tmac.message('no asset "%s" in the inventory', asset_no), '42704',
    tmac.message('Name an asset you manage, that your department manages, or that you are cleared for; its 管理責任者 knows its number.'));
  RETURN a;
END
$$;
COMMENT ON FUNCTION tmac.asset_named_by(text, text) IS 'Internal (person acts): the asset of a number; for readers of tmac.asset error 42704 when there is none, for everyone else the one error 42501 unknown or not yours unless the asset is theirs';

-- The person an act names (reported to), as its acting person may see them: themselves, a
-- person of their department or of one enclosing it (their superiors), or a person appointed
-- (管理者の選任: appointments are made known to everyone, 周知).
CREATE FUNCTION tmac.person_named_by(other text, person text, what text) RETURNS text
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  o tmac.person;
BEGIN
  SELECT * INTO o FROM tmac.person x WHERE x.person_id = person_named_by.other;
  PERFORM tmac.require_nameable('tmac.person', o.person_id IS NOT NULL,
    o.person_id = person
    OR o.org_group_id = ANY (tmac.group_lineage((SELECT p.org_group_id FROM tmac.person p WHERE p.person_id = person_named_by.person)))
    OR EXISTS (SELECT 1 FROM tmac.appointment ap
                WHERE ap.person_id = o.person_id AND ap.ended_at IS NULL AND ap.valid_from <= tmac.today()
                  AND (ap.valid_until IS NULL OR ap.valid_until >= tmac.today())),
    'person', other, tmac.message('no person "%s" (%s)', other, what), '42704',
    tmac.message('%s names yourself, a person of your department or one above it, or an appointed manager (tmac.appoint).', what));
  RETURN o.person_id;
END
$$;
COMMENT ON FUNCTION tmac.person_named_by(text, text, text) IS 'Internal (person acts): a person id an act names; for readers of tmac.person error 42704 when there is none, for everyone else the one error 42501 unknown or not yours unless it is themselves, a person of their department or one above it, or an appointee';

-- Who closes a take-out, provision or copy (returned_by): the handler's manager — the 部門管理者
-- of the handler's department or one enclosing it, or the 情報管理責任者 — or an approver of the
-- asset — its 管理責任者, or the approver of the entry.  Never the handler.
CREATE FUNCTION tmac.may_close_handling(e tmac.handling_entry, person text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce(
    e.handler IS DISTINCT FROM person
    AND (e.approver = person
         OR EXISTS (SELECT 1 FROM tmac.asset a WHERE a.asset_id = e.asset_id AND a.manager = person)
         OR EXISTS (SELECT 1 FROM tmac.appointment ap
                     WHERE ap.person_id = may_close_handling.person AND ap.ended_at IS NULL
                       AND ap.valid_from <= tmac.today() AND (ap.valid_until IS NULL OR ap.valid_until >= tmac.today())
                       AND (ap.role = 'information_officer'
                            OR (ap.role = 'department_manager'
                                AND ap.scope_group_id = ANY (tmac.group_lineage(
                                      (SELECT h.org_group_id FROM tmac.person h WHERE h.person_id = e.handler))))))),
    false);
COMMENT ON FUNCTION tmac.may_close_handling(tmac.handling_entry, text) IS 'Internal: true when the person may close the entry: the handler''s 部門管理者 (their department or one above it) or the 情報管理責任者, the asset''s 管理責任者, or the entry''s approver; never the handler';

-- Who confirms a return the handler reported: whoever may close the entry, or a second person to
-- whom the asset is theirs (tmac.asset_is_theirs).  Never the handler.
CREATE FUNCTION tmac.may_confirm_return(e tmac.handling_entry, person text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL RESTRICTED
  RETURN tmac.may_close_handling(e, person)
         OR coalesce(e.handler IS DISTINCT FROM person
                     AND tmac.asset_is_theirs((SELECT a FROM tmac.asset a WHERE a.asset_id = e.asset_id), person), false);
COMMENT ON FUNCTION tmac.may_confirm_return(tmac.handling_entry, text) IS 'Internal: true when the person may confirm the return the handler reported: whoever may close the entry, or another person to whom its asset is theirs';

-- The entry a return names, locked, as its acting person may see it: readers of the ledger get
-- P0002 when there is none; everyone else the one error 42501 unless they are its handler or may
-- confirm its return.
CREATE FUNCTION tmac.handling_entry_of_person(entry_id bigint, person text) RETURNS tmac.handling_entry
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  e tmac.handling_entry;
BEGIN
  PERFORM tmac.require_arguments('handling entry', 'entry_id', entry_id::text);
  -- looked at first, locked only once it is the caller's to see: nobody waits on, or for, a
  -- lock over an entry they may not see
  SELECT * INTO e FROM tmac.handling_entry h WHERE h.entry_id = handling_entry_of_person.entry_id;
  PERFORM tmac.require_nameable('tmac.handling_entry', e.entry_id IS NOT NULL,
    e.handler IS NOT DISTINCT FROM person OR tmac.may_confirm_return(e, person), 'handling entry', entry_id::text,
    tmac.message('no handling entry %s', entry_id), 'P0002',
    tmac.message('The handler reports a return; the handler''s manager, an approver of the asset or a second person to whom the asset is theirs closes or confirms it.'));
  -- an entry's handler and asset never change and an approver is only ever added: what made it
  -- visible still holds; the checks that follow read the locked row
  SELECT * INTO e FROM tmac.handling_entry h WHERE h.entry_id = handling_entry_of_person.entry_id FOR UPDATE;
  RETURN e;
END
$$;
COMMENT ON FUNCTION tmac.handling_entry_of_person(bigint, text) IS 'Internal (return_handling, confirm_return): locks a handling entry; P0002 for readers of the ledger when there is none, else the one error 42501 unknown or not yours unless the person is its handler or may confirm its return';

-- A return is recorded only for a take-out, provision or copy that is still open.
CREATE FUNCTION tmac.handling_require_open(e tmac.handling_entry) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF e.action NOT IN ('take_out', 'provide', 'copy') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('entry %s is a %s, which is not returned', e.entry_id, e.action), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF e.returned_at IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('entry %s was returned at %s', e.entry_id, e.returned_at), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.handling_require_open(tmac.handling_entry) IS 'Internal: error 55000 unless the entry is a take-out, provision or copy not yet returned';

-- The acting person for a ledger act (any active person may record what they handle).
CREATE FUNCTION tmac.handling_entry_for_update(entry_id bigint) RETURNS tmac.handling_entry
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  e tmac.handling_entry;
BEGIN
  PERFORM tmac.require_arguments('handling entry', 'entry_id', entry_id::text);
  e := tmac.row_for_update(NULL::tmac.handling_entry, 'entry_id', entry_id, tmac.message('no handling entry %s', entry_id));
  RETURN e;
END
$$;
COMMENT ON FUNCTION tmac.handling_entry_for_update(bigint) IS 'Internal: locks a handling entry; error P0002 when there is none';

CREATE FUNCTION tmac.record_handling(asset_no text, action text, purpose text,
                                     media text DEFAULT NULL, copy_serials text[] DEFAULT '{}',
                                     destination text DEFAULT NULL, recipient text DEFAULT NULL,
                                     nda_reference text DEFAULT NULL, due_at timestamptz DEFAULT NULL,
                                     disposal_method text DEFAULT NULL, handled_at timestamptz DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record handling of information'));
  a tmac.asset;
  rk smallint;
  rl text;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('record_handling', 'asset_no', asset_no, 'action', action, 'purpose', purpose);
  action := tmac.enum_code('handling_action', action); media := tmac.enum_code('handling_media', media);
  disposal_method := tmac.enum_code('disposal_method', disposal_method);   -- 持出, 書類, 細断 … (81_enumerations.sql)
  -- everything that needs no lookup first: an act is no probe of the inventory
  IF asset_no !~ '^\S(.*\S)?$' OR length(asset_no) > 100 THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('malformed asset number "%s"', asset_no),
      ERRCODE = 'invalid_parameter_value', HINT = tmac.message('An asset number has at most 100 characters and no surrounding spaces.');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM tmac.handling_action x WHERE x.action = record_handling.action) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown handling action "%s"', action),
      ERRCODE = 'invalid_parameter_value',
            HINT = tmac.message('Actions: create (作成), copy (複製), take_out (持出), provide (提供), dispose (廃棄), return (返却).');
  END IF;
  IF media NOT IN ('paper', 'electronic', 'portable_media', 'prototype', 'equipment', 'database', 'other') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown media "%s"', media),
      ERRCODE = 'invalid_parameter_value', HINT = tmac.message('Media: paper, electronic, portable_media, prototype, equipment, database, other.');
  END IF;
  IF disposal_method NOT IN ('shred', 'dissolve', 'incinerate', 'data_erase', 'other') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown disposal method "%s"', disposal_method),
      ERRCODE = 'invalid_parameter_value', HINT = tmac.message('disposal_method: shred (細断), dissolve (溶解), incinerate (焼却), data_erase, other.');
  END IF;
  IF disposal_method IS NOT NULL AND action <> 'dispose' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a disposal method is recorded only for a disposal'), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF action = 'dispose' AND disposal_method IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a disposal needs its method'), ERRCODE = 'null_value_not_allowed',
      HINT = tmac.message('disposal_method: shred (細断), dissolve (溶解), incinerate (焼却), data_erase, other.');
  END IF;
  IF action = 'copy' AND cardinality(copy_serials) = 0 THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a copy needs the serial numbers of its copies'), ERRCODE = 'null_value_not_allowed',
      HINT = tmac.message('Number every copy (通し番号) so that its disposal or return can be accounted for.');
  END IF;
  IF action = 'provide' AND (recipient IS NULL OR nda_reference IS NULL) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a provision needs its recipient and the recipient''s NDA'), ERRCODE = 'null_value_not_allowed';
  END IF;
  IF due_at IS NOT NULL AND due_at <= coalesce(handled_at, now()) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the due date %s is not after the handling', due_at), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF handled_at > now() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('handling is recorded when it happened, not in advance'), ERRCODE = 'invalid_parameter_value';
  END IF;
  a := tmac.asset_named_by(asset_no, me);
  rk := tmac.label_rank(a.label);
  rl := tmac.handling_rule_for(rk, action);
  INSERT INTO tmac.handling_entry (asset_id, action, level_rank, rule_applied, media, copy_serials, purpose,
                                   destination, recipient, nda_reference, handler, handler_role, handled_at,
                                   due_at, disposal_method)
  VALUES (a.asset_id, action, rk, rl, media, coalesce(copy_serials, '{}'), purpose, destination, recipient,
          nda_reference, me, tmac.invoker(), coalesce(handled_at, now()), due_at, disposal_method)
  RETURNING handling_entry.entry_id INTO id;
  IF rl = 'forbidden' THEN
    RAISE WARNING USING MESSAGE = tmac.message('the handling standard forbids "%s" of %s at this level; entry %s is recorded and reported as a finding', action, asset_no, id);
  ELSIF rl = 'approval' THEN
    RAISE NOTICE USING MESSAGE = tmac.message('entry %s needs the approval of a manager (tmac.approve_handling)', id);
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_handling(text, text, text, text, text[], text, text, text, timestamptz, text, timestamptz) IS 'Records in the handling ledger (取扱管理簿) that the acting person (担当者) handled an asset: action, purpose, media, copy serials, destination, recipient with NDA, due date, disposal method; returns the entry number. A forbidden act is recorded with a warning and reported as a finding';

CREATE FUNCTION tmac.approve_handling(entry_id bigint, note text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('approve handling of information'));
  e tmac.handling_entry := tmac.handling_entry_for_update(entry_id);
BEGIN
  IF e.handler = me OR (e.handler IS NULL AND e.handler_role = tmac.invoker()) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the handler of entry %s cannot approve it', entry_id),
      ERRCODE = 'insufficient_privilege', DETAIL = tmac.message('Four-eyes: the approver (承認者) is never the handler (担当者).');
  END IF;
  IF e.approved_at IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('entry %s is already approved', entry_id), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF e.rule_applied = 'forbidden' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the handling standard forbids entry %s (%s at this level); it cannot be approved', entry_id, e.action),
      ERRCODE = 'object_not_in_prerequisite_state', HINT = tmac.message('Review it and record what was done with tmac.acknowledge_handling.');
  END IF;
  UPDATE tmac.handling_entry h SET approver = me, approved_at = now(), approval_note = note
   WHERE h.entry_id = approve_handling.entry_id;
END
$$;
COMMENT ON FUNCTION tmac.approve_handling(bigint, text) IS 'An approver (承認者, never the handler) approves a handling-ledger entry; closes its handling_unapproved finding';

-- Closing a take-out, provision or copy is four-eyes: the handler reports the return
-- (return_reported_*), a second person confirms it (tmac.confirm_return) and is recorded as
-- returned_by; the handler's manager or an approver of the asset (tmac.may_close_handling) closes
-- it in one step.  Anyone else is refused, and whoever cannot read the ledger gets the one error
-- "unknown or not yours" whether or not the entry exists.
CREATE FUNCTION tmac.return_handling(entry_id bigint, note text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record a return'));
  e tmac.handling_entry := tmac.handling_entry_of_person(entry_id, me);
BEGIN
  IF e.handler = me THEN
    PERFORM tmac.handling_require_open(e);
    IF e.return_reported_at IS NOT NULL THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('the return of entry %s was reported at %s and awaits a second person''s confirmation', entry_id, e.return_reported_at),
        ERRCODE = 'object_not_in_prerequisite_state', HINT = tmac.message('A second person confirms it with tmac.confirm_return.');
    END IF;
    UPDATE tmac.handling_entry h SET return_reported_at = now(), return_reported_by = me, return_report_note = note
     WHERE h.entry_id = return_handling.entry_id;
    RAISE NOTICE USING MESSAGE = tmac.message('the return of entry %s is recorded; the entry closes when a second person confirms it (tmac.confirm_return)', entry_id);
    RETURN;
  END IF;
  IF NOT tmac.may_close_handling(e, me) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('you may not close handling entry %s', entry_id),
      ERRCODE = 'insufficient_privilege',
            DETAIL = tmac.message('The handler''s manager (部門管理者 of their department, or the 情報管理責任者), the asset''s 管理責任者 or the entry''s approver closes an entry; the handler reports a return and a second person confirms it.'),
            HINT = CASE WHEN e.return_reported_at IS NOT NULL
                        THEN tmac.message('The handler reported the return: a second person to whom the asset is theirs confirms it with tmac.confirm_return.')
                        ELSE tmac.message('Ask the handler to report the return (tmac.return_handling).') END;
  END IF;
  PERFORM tmac.handling_require_open(e);
  UPDATE tmac.handling_entry h SET returned_at = now(), returned_by = me, return_note = note
   WHERE h.entry_id = return_handling.entry_id;
END
$$;
COMMENT ON FUNCTION tmac.return_handling(bigint, text) IS 'Records that what a take-out, provision or copy entry took out came back (終了時): the handler reports it and a second person confirms it (tmac.confirm_return); the handler''s manager or an approver of the asset closes it at once; closes its overdue finding';

CREATE FUNCTION tmac.confirm_return(entry_id bigint, note text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('confirm a return'));
  e tmac.handling_entry := tmac.handling_entry_of_person(entry_id, me);
BEGIN
  IF e.handler = me THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the handler of entry %s cannot confirm its return', entry_id),
      ERRCODE = 'insufficient_privilege', DETAIL = tmac.message('Four-eyes: a second person confirms the return the handler reported.');
  END IF;
  IF NOT tmac.may_confirm_return(e, me) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('you may not confirm the return of handling entry %s', entry_id),
      ERRCODE = 'insufficient_privilege',
            DETAIL = tmac.message('A second person confirms a return: the handler''s manager, an approver of the asset, or a person to whom the asset is theirs (they manage it, their department does, or they are cleared for it).');
  END IF;
  PERFORM tmac.handling_require_open(e);
  IF e.return_reported_at IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the handler has not reported the return of entry %s', entry_id),
      ERRCODE = 'object_not_in_prerequisite_state',
            HINT = tmac.message('The handler reports it first (tmac.return_handling); the handler''s manager or an approver of the asset may close the entry at once.');
  END IF;
  UPDATE tmac.handling_entry h SET returned_at = now(), returned_by = me, return_note = note
   WHERE h.entry_id = confirm_return.entry_id;
END
$$;
COMMENT ON FUNCTION tmac.confirm_return(bigint, text) IS 'A second person (never the handler: the handler''s manager, an approver of the asset, or a person to whom the asset is theirs) confirms the return the handler reported; closes the entry and its overdue finding';

CREATE FUNCTION tmac.acknowledge_handling(entry_id bigint, acknowledgement text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('acknowledge a handling violation'));
  e tmac.handling_entry := tmac.handling_entry_for_update(entry_id);
BEGIN
  PERFORM tmac.require_arguments('acknowledge_handling', 'acknowledgement', acknowledgement);
  IF length(btrim(acknowledgement)) < 10 THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('say what was found and done (at least 10 characters)'), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF e.handler = me OR (e.handler IS NULL AND e.handler_role = tmac.invoker()) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the handler of entry %s cannot acknowledge it', entry_id),
      ERRCODE = 'insufficient_privilege', DETAIL = tmac.message('A violation is reviewed by someone other than the handler.');
  END IF;
  IF e.rule_applied = 'allowed' OR e.approved_at IS NOT NULL OR e.acknowledged_at IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('entry %s has nothing to acknowledge', entry_id), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  UPDATE tmac.handling_entry h SET acknowledged_by = me, acknowledged_at = now(),
         acknowledgement = acknowledge_handling.acknowledgement
   WHERE h.entry_id = acknowledge_handling.entry_id;
END
$$;
COMMENT ON FUNCTION tmac.acknowledge_handling(bigint, text) IS 'A manager (never the handler) records the review of a forbidden or unapproved handling entry; closes its finding, the entry stays as it was';

-- Automatic handling events (src/handling_events.c calls this through
-- owner_query.c, as tmac's owner, in the user's transaction).  kind: export
-- (COPY … TO: 持出), copy (into an unprotected table: 複製), delete (DELETE or
-- TRUNCATE: 廃棄).  A DELETE below handling_delete_threshold rows is not
-- recorded.  max_rank: the highest level rank among the protected rows the
-- statement read (-1 unknown: a role that bypasses row security; the strictest
-- rule then applies).  Returns the entry, or NULL when nothing was recorded.
CREATE FUNCTION tmac.record_handling_event(kind text, sources text[], target text, row_count bigint,
                                           max_rank integer, statement text)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  act text := CASE kind WHEN 'export' THEN 'take_out' WHEN 'copy' THEN 'copy' WHEN 'delete' THEN 'dispose' END;
  rk smallint := CASE WHEN max_rank >= 0 THEN max_rank END;
  who name := tmac.invoker();
  id bigint;
BEGIN
  IF act IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown handling event kind "%s"', kind), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF tmac.restoring() THEN
    RETURN NULL;
  END IF;
  IF kind = 'delete' AND row_count IS NOT NULL
     AND row_count < tmac.setting_lookup('handling_delete_threshold')::bigint THEN
    RETURN NULL;
  END IF;
  INSERT INTO tmac.handling_entry (action, level_rank, rule_applied, media, purpose, destination, handler, handler_role,
                                   handled_at, automatic, source_tables, target_table, row_count, statement,
                                   disposal_method)
  VALUES (act, rk, tmac.handling_rule_for(rk, act), 'database',
          CASE kind WHEN 'export' THEN 'COPY … TO' WHEN 'copy' THEN 'copied into an unprotected table' ELSE 'rows deleted' END,
          target, tmac.person_of_role(who), who, statement_timestamp(), true, sources, target, row_count,
          left(statement, 500), CASE WHEN kind = 'delete' THEN 'data_erase' END)
  RETURNING handling_entry.entry_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_handling_event(text, text[], text, bigint, integer, text) IS 'Internal (src/handling_events.c): records an automatic handling event (export, copy, delete of protected rows) in the handling ledger';

COMMENT ON COLUMN tmac.handling_rule_default.note IS 'How the action is done at this level (the seed''s 情報管理基準 wording)';
COMMENT ON COLUMN tmac.handling_rule.changed_by IS 'Who set the rule';
COMMENT ON COLUMN tmac.handling_entry.recorded_at IS '記録日時 (when the entry was made)';
COMMENT ON COLUMN tmac.handling_entry.approved_at IS '承認日時 (approved at)';
COMMENT ON COLUMN tmac.handling_entry.approval_note IS '承認時の記録 (the approver''s note)';
COMMENT ON COLUMN tmac.handling_entry.return_note IS '返却時の記録 (note at the return)';
COMMENT ON COLUMN tmac.handling_entry.acknowledged_at IS 'When the manager reviewed the violation';


-- The handling ledger's checks (④, I-4) in the compliance registry (45_compliance_registry.sql): one
-- check function serving all its check codes (one pass over its tables), the population, the
-- setting that weakens them and the evidence of I-4.

-- Findings of ④.
CREATE FUNCTION tmac.check_handling() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT CASE WHEN e.rule_applied = 'forbidden' THEN 'handling_forbidden' ELSE 'handling_unapproved' END,
         'handling:' || e.entry_id,
         tmac.message('Handling entry %s: %s (%s) of %s at level %s by %s on %s %s. %s',
                e.entry_id, e.action, a.name_ja,
                coalesce(s.asset_no, pg_catalog.array_to_string(e.source_tables, ', ')),
                coalesce(l.code, tmac.message('unknown')), coalesce(e.handler, e.handler_role::text),
                e.handled_at,
                CASE WHEN e.automatic THEN tmac.message('(automatic: %s rows, %s)', e.row_count, coalesce(e.target_table, '')) ELSE '' END,
                CASE WHEN e.rule_applied = 'forbidden'
                     THEN tmac.message('The handling standard forbids this action at this level. A manager reviews it and records what was done (tmac.acknowledge_handling).')
                     ELSE tmac.message('The handling standard requires a manager''s approval, which is missing. An approver other than the handler approves it (tmac.approve_handling) or records the review (tmac.acknowledge_handling).') END),
         e.handled_at
    FROM tmac.handling_entry e
    JOIN tmac.handling_action a ON a.action = e.action
    LEFT JOIN tmac.asset s ON s.asset_id = e.asset_id
    LEFT JOIN tmac.level l ON l.rank = e.level_rank
   WHERE e.rule_applied <> 'allowed' AND e.approved_at IS NULL AND e.acknowledged_at IS NULL
  UNION ALL
  SELECT 'handling_not_returned', 'handling:' || e.entry_id,
         tmac.message('Handling entry %s: %s of %s by %s was due back on %s and has not been returned. %s',
                e.entry_id, e.action, s.asset_no, e.handler, e.due_at,
                CASE WHEN e.return_reported_at IS NOT NULL
                     THEN tmac.message('The handler reported the return on %s, which is not confirmed: a second person confirms it (tmac.confirm_return).',
                                            e.return_reported_at)
                     ELSE tmac.message('Get it back: the handler reports the return (tmac.return_handling) and a second person confirms it, or the handler''s manager or an approver of the asset records it.') END),
         e.due_at
    FROM tmac.handling_entry e
    LEFT JOIN tmac.asset s ON s.asset_id = e.asset_id
   WHERE e.returned_at IS NULL AND e.due_at IS NOT NULL AND e.due_at < now()
  UNION ALL
  SELECT 'handling_copies_unaccounted', 'asset:' || s.asset_no,
         tmac.message('Asset %s (%s) was disposed of, but copies %s made of it were neither disposed of nor returned. Find them and record their disposal (tmac.record_handling with action dispose and their serials).',
                s.asset_no, s.name, pg_catalog.array_to_string(u.serials, ', ')),
         d.disposed_at
    FROM (SELECT d.asset_id, max(d.handled_at) AS disposed_at      -- the disposed assets (few), then their copies
            FROM tmac.handling_entry d WHERE d.action = 'dispose' AND d.asset_id IS NOT NULL
           GROUP BY d.asset_id) d
    CROSS JOIN LATERAL (
          SELECT pg_catalog.array_agg(DISTINCT c.serial ORDER BY c.serial) AS serials
            FROM (SELECT pg_catalog.unnest(e.copy_serials) AS serial
                    FROM tmac.handling_entry e WHERE e.asset_id = d.asset_id AND e.action = 'copy') c
           WHERE NOT EXISTS (SELECT 1 FROM tmac.handling_entry x
                              WHERE x.asset_id = d.asset_id AND x.action IN ('dispose', 'return')
                                AND c.serial = ANY (x.copy_serials))
             AND NOT EXISTS (SELECT 1 FROM tmac.handling_entry x
                              WHERE x.asset_id = d.asset_id AND x.action = 'copy' AND x.returned_at IS NOT NULL
                                AND c.serial = ANY (x.copy_serials))) u
    JOIN tmac.asset s ON s.asset_id = d.asset_id
   WHERE u.serials IS NOT NULL;
END;
COMMENT ON FUNCTION tmac.check_handling() IS 'Checks handling_forbidden, handling_unapproved, handling_not_returned and handling_copies_unaccounted over the handling ledger (one pass)';

INSERT INTO tmac.compliance_population VALUES
  ('handling_entries', '取扱管理簿の記録', tmac.msgid('handling ledger entries'),     'SELECT count(*) FROM tmac.handling_entry');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.*, 'tmac.check_handling', '{}', '{handling_entries}', true FROM (VALUES
  ('handling_forbidden', 'I-4', 'high',
   tmac.msgid('Action the handling standard forbids'),
   tmac.msgid('The handling ledger records an action that the handling standard (情報管理基準) forbids at the level of what was handled, e.g. a copy of 対外秘 information, or protected rows copied into an unprotected table (seed ④).'),
   tmac.msgid('A manager reviews the entry, deals with the copy or export, and records it with tmac.acknowledge_handling.')),
  ('handling_unapproved', 'I-4', 'high',
   tmac.msgid('Handling that lacked its approval'),
   tmac.msgid('The handling standard requires a manager''s approval for this action at this level, and the ledger shows none: e.g. 極秘 taken out, or protected rows exported with COPY … TO, without 承認者 (seed ④).'),
   tmac.msgid('An approver other than the handler approves it (tmac.approve_handling), or a manager records the review (tmac.acknowledge_handling).')),
  ('handling_not_returned', 'I-4', 'medium',
   tmac.msgid('Take-out not returned by its due date'),
   tmac.msgid('Information taken out, provided or copied with a due date has not been returned by then (seed ④, 管理簿 終了時).'),
   tmac.msgid('Get it back: the handler reports the return (tmac.return_handling) and a second person confirms it (tmac.confirm_return), or the handler''s manager or an approver of the asset records it (tmac.return_handling).')),
  ('handling_copies_unaccounted', 'I-4', 'high',
   tmac.msgid('Copies not accounted for at disposal'),
   tmac.msgid('An asset was disposed of while copies made of it (by their serial numbers) were neither disposed of nor returned (seed ④, 廃棄).'),
   tmac.msgid('Find the copies and record their disposal (tmac.record_handling, action dispose, with their serials) or return.'))
) AS c(check_code, criterion, severity, title, description, remedy);

-- The write-down rule (src/information_flow.c): while write_down is anything but refuse, a
-- transaction that read protected rows may write them into lower rows of protected tables,
-- which the handling ledger never sees as a copy; that setting is a finding of handling_forbidden.
INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('write_down', 'handling_forbidden', 'other_than', 'refuse', false,
   tmac.msgid('protected rows read in a transaction may be written into lower-labelled rows (audited or not) instead of the write being refused'));

UPDATE tmac.criterion
   SET evidence = '情報管理基準 and 取扱管理簿: the handling standard (tmac.handling_standard, tmac.handling_rule) and the handling ledger (tmac.handling_entry), with entries tmac records by itself for COPY TO, copies into unprotected tables and deletions'
 WHERE criterion = 'I-4';
