-- 66_incidents.sql — 情報漏えい等の事故・兆候の報告 (incidents and leak signs), ⑥, Ⅰ-6.
--
-- The seed's reporting rule: whoever notices a sign (兆候) or a leak reports it
-- to their superior (上長) or the information manager (管理責任者), who reports
-- it to management (経営層) at once; the response is first response (初動対応),
-- evidence (証拠保全), cause, corrective action, and notifications to the
-- entrusting company (委託元), the authorities (監督官庁), the police (警察).
--
-- Anyone with a person record may report (tmac.report_incident is executable
-- by every role, and refuses every role that is not an active person's login:
-- reporting must be easy, and the report names its reporter).  Managers
-- (tmac_approver, tmac_admin) escalate, respond, notify and close.  Every
-- change of an incident, its assets and notifications is written to its
-- timeline (tmac.incident_event) besides the audit log.  Incidents are never
-- deleted.
--
-- Its compliance checks (check_incidents), population and evidence of I-6 are at the end of this file.

INSERT INTO tmac.setting_default VALUES
  ('incident_escalation_limit', '24 hours', tmac.msgid('An incident must be reported to management (経営層) within this time of being reported (a positive interval)')),
  ('incident_close_deadline',   '30 days',  tmac.msgid('An incident reported without a deadline must be closed within this time (a positive interval)'));

CREATE TABLE tmac.leak_sign (
  sign_code   text PRIMARY KEY,
  category    text NOT NULL CHECK (category IN ('employee', 'leaver', 'partner', 'outsider')),
  ordinal     smallint NOT NULL,
  example_ja  text NOT NULL,
  UNIQUE (category, ordinal)
);
COMMENT ON TABLE tmac.leak_sign IS
  '報告を求める事象 (leak signs to report) from the seed: categories 従業員 employee, 退職者 leaver, 取引先 partner, 外部者 outsider, with their examples';
COMMENT ON COLUMN tmac.leak_sign.category IS 'employee (従業員等), leaver (退職者等), partner (取引先), outsider (外部者)';
COMMENT ON COLUMN tmac.leak_sign.example_ja IS 'The seed''s example of the sign';
INSERT INTO tmac.leak_sign VALUES
  ('employee_access_surge',   'employee', 1, '秘密情報を保管しているサーバーや記録媒体へのアクセス回数の大幅な増加'),
  ('employee_needless_access','employee', 2, '業務上必要性のないアクセス行為'),
  ('employee_overtime',       'employee', 3, '業務量に比べて異様に長い残業時間や不必要な休日出勤'),
  ('employee_refuses_leave',  'employee', 4, '業務量としては余裕がある中での休暇取得の拒否'),
  ('employee_suspicious',     'employee', 5, '経済的、社会的に極めて不審な言動'),
  ('leaver_dispute',          'leaver',   1, '退職前の社内トラブルの存在'),
  ('leaver_other_company',    'leaver',   2, '在職時の他社との関係'),
  ('leaver_rumour',           'leaver',   3, '同僚内の会話やＯＢ会等で話題になっている、元従業員の不審な言動'),
  ('leaver_competitor_product','leaver',  4, '退職者の転職先企業の商品の品質や機能が、転職後、自社商品と同水準となった'),
  ('partner_terminates',      'partner',  1, '取引先からの突然の取引の打切り'),
  ('partner_rumour',          'partner',  2, 'インターネット上での取引先に関する噂'),
  ('partner_excess_request',  'partner',  3, '取引内容との関係では必要でないはずの業務資料のリクエストや異様に詳細な情報照会'),
  ('partner_quality_jump',    'partner',  4, '自社の秘密情報と関連する取引先企業の商品の品質の急激な向上'),
  ('partner_share_jump',      'partner',  5, '自社の秘密情報と関連する分野での取引先の顧客・シェアの急拡大'),
  ('outsider_bugging_device', 'outsider', 1, '自社会議室における偵察機器（盗聴器など）の発見'),
  ('outsider_peer_breach',    'outsider', 2, '競合他社等での秘密情報漏えい、不法侵入等の事案発生'),
  ('outsider_security_alert', 'outsider', 3, 'ウィルス対策ソフト、セキュリティ対策機器による警報'),
  ('outsider_related_leak',   'outsider', 4, '自社の秘密情報と不可分一体のはずの情報が漏えいしていること'),
  ('outsider_tip_off',        'outsider', 5, '電話、メール等を受信した関係者からの通報');

CREATE TABLE tmac.incident (
  incident_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  detected_at        timestamptz NOT NULL,
  discovered_by      text REFERENCES tmac.person,
  reported_by        text NOT NULL REFERENCES tmac.person,
  reported_at        timestamptz NOT NULL DEFAULT now(),
  category           text NOT NULL CHECK (category IN ('employee', 'leaver', 'partner', 'outsider')),
  sign_code          text REFERENCES tmac.leak_sign,
  description        text NOT NULL CHECK (btrim(description) <> ''),
  reported_to        text NOT NULL CHECK (reported_to IN ('supervisor', 'manager')),
  reported_to_person text REFERENCES tmac.person,
  escalated_at       timestamptz,
  escalated_by       text REFERENCES tmac.person,
  management_contact text,
  first_response     text,
  impact             text,
  evidence_refs      text[] NOT NULL DEFAULT '{}',
  cause              text,
  corrective_action  text,
  due_by             timestamptz NOT NULL,
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  closed_at          timestamptz,
  closed_by          text REFERENCES tmac.person,
  reported_asset_nos text[] NOT NULL DEFAULT '{}',
  discoverer_claimed text CHECK (discoverer_claimed ~ '^\S(.*\S)?$' AND length(discoverer_claimed) <= 100),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
  CHECK ((closed_at IS NULL) = (closed_by IS NULL)),
  CHECK ((escalated_at IS NULL) = (escalated_by IS NULL)),
  CHECK (detected_at <= reported_at),
  CHECK (sign_code IS NULL OR category IS NOT NULL),
  CONSTRAINT incident_discoverer_known CHECK (discovered_by IS NOT NULL OR discoverer_claimed IS NOT NULL),
  CONSTRAINT incident_discoverer_confirmed CHECK (discovered_by IS NULL OR discoverer_claimed IS NULL OR discovered_by = discoverer_claimed)
);
COMMENT ON TABLE tmac.incident IS
  '情報漏えい等の事故・兆候 (incidents and leak signs, ⑥): who found what when, to whom it was reported, escalation to 経営層, response, cause, corrective action; never deleted';
COMMENT ON COLUMN tmac.incident.detected_at IS '発見日時 (when it was noticed)';
COMMENT ON COLUMN tmac.incident.discovered_by IS '発見者 (the person who noticed it): the reporter, or the person the reporter named once they confirmed it (tmac.confirm_discovery); NULL while that is unconfirmed';
COMMENT ON COLUMN tmac.incident.discoverer_claimed IS 'The person id the reporter named as 発見者 when it was someone else, as written; unconfirmed until that person confirms it (tmac.confirm_discovery)';
COMMENT ON COLUMN tmac.incident.reported_asset_nos IS '対象情報 as reported: the asset numbers the reporter gave, as written; those in the inventory are linked in tmac.incident_asset, the others are for the manager to resolve';
COMMENT ON COLUMN tmac.incident.reported_by IS '報告者 (the person who entered the report)';
COMMENT ON COLUMN tmac.incident.category IS '兆候の区分 (category of sign): employee 従業員等, leaver 退職者等, partner 取引先, outsider 外部者';
COMMENT ON COLUMN tmac.incident.sign_code IS 'Which of the seed''s example signs (tmac.leak_sign), if one';
COMMENT ON COLUMN tmac.incident.description IS '内容 (what was noticed)';
COMMENT ON COLUMN tmac.incident.reported_to IS '報告先 (reported to): supervisor 上長 or manager 管理責任者';
COMMENT ON COLUMN tmac.incident.reported_to_person IS 'The person it was reported to';
COMMENT ON COLUMN tmac.incident.escalated_at IS '経営層への報告 (when it was reported to management)';
COMMENT ON COLUMN tmac.incident.escalated_by IS 'Who reported it to management';
COMMENT ON COLUMN tmac.incident.management_contact IS 'Whom in management it was reported to';
COMMENT ON COLUMN tmac.incident.first_response IS '初動対応 (first response)';
COMMENT ON COLUMN tmac.incident.impact IS '影響 (impact on the company, partners, customers)';
COMMENT ON COLUMN tmac.incident.evidence_refs IS '証拠 (references to preserved evidence)';
COMMENT ON COLUMN tmac.incident.cause IS '原因 (cause)';
COMMENT ON COLUMN tmac.incident.corrective_action IS '是正措置 (corrective action)';
COMMENT ON COLUMN tmac.incident.due_by IS '対応期限 (deadline to close it)';
COMMENT ON COLUMN tmac.incident.closed_by IS '完了確認者 (who closed it)';
CREATE INDEX incident_open_idx ON tmac.incident (reported_at) WHERE status = 'open';
SELECT tmac.add_audit_trigger('tmac.incident', 'incident_id');
SELECT tmac.keep_forever('tmac.incident');

CREATE TABLE tmac.incident_asset (
  incident_id bigint NOT NULL REFERENCES tmac.incident,
  asset_id    bigint NOT NULL REFERENCES tmac.asset (asset_id),
  PRIMARY KEY (incident_id, asset_id)
);
COMMENT ON TABLE tmac.incident_asset IS '事故の対象情報 (the assets an incident concerns)';
CREATE INDEX incident_asset_asset_idx ON tmac.incident_asset (asset_id);
SELECT tmac.add_audit_trigger('tmac.incident_asset', 'incident_id');
SELECT tmac.keep_forever('tmac.incident_asset');

CREATE TABLE tmac.incident_notification (
  notification_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id     bigint NOT NULL REFERENCES tmac.incident,
  recipient_kind  text NOT NULL CHECK (recipient_kind IN ('entrusting_company', 'authority', 'police', 'customer', 'public', 'other')),
  recipient       text NOT NULL CHECK (btrim(recipient) <> ''),
  notified_at     timestamptz NOT NULL,
  notified_by     text NOT NULL REFERENCES tmac.person,
  reference       text
);
COMMENT ON TABLE tmac.incident_notification IS
  '通知・報告 (notifications): to the entrusting company 委託元, authorities 監督官庁, police 警察, customers, the public';
COMMENT ON COLUMN tmac.incident_notification.recipient_kind IS 'entrusting_company (委託元), authority (監督官庁), police (警察), customer (消費者・顧客), public (公表), other';
COMMENT ON COLUMN tmac.incident_notification.recipient IS 'Who was notified (company, office, station)';
COMMENT ON COLUMN tmac.incident_notification.reference IS 'Reference of the notification (letter, case number)';
CREATE INDEX incident_notification_incident_idx ON tmac.incident_notification (incident_id, recipient_kind);
SELECT tmac.add_audit_trigger('tmac.incident_notification', 'notification_id');
SELECT tmac.keep_forever('tmac.incident_notification');

-- The timeline: one row per change of an incident, its assets or notifications.
CREATE TABLE tmac.incident_event (
  event_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES tmac.incident,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor       name NOT NULL DEFAULT tmac.invoker(),
  person_id   text,
  what        text NOT NULL,
  change      jsonb NOT NULL
);
COMMENT ON TABLE tmac.incident_event IS
  '時系列 (incident timeline): every change of an incident, its assets and notifications — when, by whom, what changed';
COMMENT ON COLUMN tmac.incident_event.what IS 'reported, changed, asset added, notified';
COMMENT ON COLUMN tmac.incident_event.change IS 'The changed fields with their new values (old values for a change)';
CREATE INDEX incident_event_incident_idx ON tmac.incident_event (incident_id, event_id);
SELECT tmac.keep_forever('tmac.incident_event');

CREATE FUNCTION tmac.incident_timeline() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  n jsonb := to_jsonb(NEW);
  o jsonb;
  ch jsonb;
BEGIN
  IF tmac.restoring() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    o := to_jsonb(OLD);
    SELECT jsonb_object_agg(k.key, jsonb_build_object('old', o -> k.key, 'new', k.value)) INTO ch
      FROM jsonb_each(n) k WHERE k.value IS DISTINCT FROM o -> k.key;
    IF ch IS NULL THEN
      RETURN NULL;
    END IF;
  ELSE
    ch := n;
  END IF;
  INSERT INTO tmac.incident_event (incident_id, person_id, what, change)
  VALUES ((n ->> 'incident_id')::bigint, tmac.person_of_role(tmac.invoker()),
          CASE TG_TABLE_NAME WHEN 'incident' THEN CASE TG_OP WHEN 'INSERT' THEN 'reported' ELSE 'changed' END
                             WHEN 'incident_asset' THEN 'asset added' ELSE 'notified' END,
          ch);
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.incident_timeline() IS 'Trigger: writes every change of an incident, its assets and notifications to its timeline';
CREATE TRIGGER timeline AFTER INSERT OR UPDATE ON tmac.incident FOR EACH ROW EXECUTE FUNCTION tmac.incident_timeline();
CREATE TRIGGER timeline AFTER INSERT ON tmac.incident_asset FOR EACH ROW EXECUTE FUNCTION tmac.incident_timeline();
CREATE TRIGGER timeline AFTER INSERT ON tmac.incident_notification FOR EACH ROW EXECUTE FUNCTION tmac.incident_timeline();

CREATE FUNCTION tmac.incident_assets_add(incident_id bigint, asset_nos text[]) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(x, ', ') INTO missing FROM unnest(asset_nos) x
   WHERE NOT EXISTS (SELECT 1 FROM tmac.asset a WHERE a.asset_no = x);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('no asset %s in the inventory', missing), ERRCODE = 'undefined_object',
      HINT = tmac.message('Assets are listed in tmac.asset.');
  END IF;
  INSERT INTO tmac.incident_asset (incident_id, asset_id)
    SELECT incident_assets_add.incident_id, a.asset_id FROM tmac.asset a WHERE a.asset_no = ANY (asset_nos)
    ON CONFLICT DO NOTHING;
END
$$;
COMMENT ON FUNCTION tmac.incident_assets_add(bigint, text[]) IS 'Internal: links assets (by number) to an incident; error 42704 naming unknown ones';

-- Reporting is open to every person and is no probe of the registers (see tmac.require_nameable
-- in 65_handling.sql): every argument that needs no lookup is validated first; reported_to_person
-- must be a person the reporter may name (tmac.person_named_by); the asset numbers are recorded as
-- given, and only readers of the inventory are told about unknown ones; and a discoverer other
-- than the reporter is looked up by nobody: it is recorded as claimed (discoverer_claimed) and
-- becomes the 発見者 only when that person confirms it (tmac.confirm_discovery).
CREATE FUNCTION tmac.report_incident(category text, description text, detected_at timestamptz DEFAULT NULL,
                                     sign_code text DEFAULT NULL, asset_nos text[] DEFAULT '{}',
                                     reported_to text DEFAULT 'manager', reported_to_person text DEFAULT NULL,
                                     discovered_by text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('report an incident'));
  id bigint;
  sc text;
  nos text[] := ARRAY(SELECT DISTINCT x FROM unnest(coalesce(asset_nos, '{}')) x WHERE x IS NOT NULL ORDER BY 1);
  claimed text := CASE WHEN discovered_by IS DISTINCT FROM me THEN discovered_by END;
BEGIN
  PERFORM tmac.require_arguments('report_incident', 'category', category, 'description', description,
                                 'reported_to', reported_to);
  category := tmac.enum_code('incident_category', category); reported_to := tmac.enum_code('reported_to', reported_to);
  -- everything that needs no lookup first
  IF category NOT IN ('employee', 'leaver', 'partner', 'outsider') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown sign category "%s"', category), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('Categories: employee (従業員等), leaver (退職者等), partner (取引先), outsider (外部者).');
  END IF;
  IF btrim(description) = '' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('an incident report needs a description of what was noticed'), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF reported_to NOT IN ('supervisor', 'manager') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('reported_to is supervisor (上長) or manager (管理責任者), not "%s"', reported_to),
      ERRCODE = 'invalid_parameter_value';
  END IF;
  IF detected_at > now() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('detected_at %s is in the future', detected_at), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM unnest(nos || reported_to_person || discovered_by) x WHERE x !~ '^\S(.*\S)?$' OR length(x) > 100) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('malformed asset number or person id'), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('Asset numbers and person ids have at most 100 characters and no surrounding spaces.');
  END IF;
  IF cardinality(nos) > 100 THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a report names at most 100 assets'), ERRCODE = 'invalid_parameter_value';
  END IF;
  -- the seed's signs are shipped with tmac and listed in its documentation: no register
  IF sign_code IS NOT NULL THEN
    SELECT s.category INTO sc FROM tmac.leak_sign s WHERE s.sign_code = report_incident.sign_code;
    IF sc IS NULL THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('unknown leak sign "%s"', sign_code), ERRCODE = 'undefined_object',
        HINT = tmac.message('The seed''s signs are listed in tmac.leak_sign.');
    ELSIF sc <> category THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('leak sign "%s" is of category %s, not %s', sign_code, sc, category), ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  IF reported_to_person IS NOT NULL THEN
    PERFORM tmac.person_named_by(reported_to_person, me, 'reported_to_person');
  END IF;
  INSERT INTO tmac.incident (detected_at, discovered_by, discoverer_claimed, reported_by, category, sign_code, description,
                             reported_to, reported_to_person, due_by, reported_asset_nos)
  VALUES (coalesce(detected_at, now()), CASE WHEN claimed IS NULL THEN me END, claimed, me, category, sign_code, description,
          reported_to, reported_to_person, now() + tmac.setting_lookup('incident_close_deadline')::interval, nos)
  RETURNING incident.incident_id INTO id;
  IF pg_catalog.has_table_privilege(tmac.invoker(), 'tmac.asset', 'SELECT') THEN
    PERFORM tmac.incident_assets_add(id, nos);      -- readers of the inventory: 42704 naming unknown ones
  ELSE
    INSERT INTO tmac.incident_asset (incident_id, asset_id)
      SELECT id, a.asset_id FROM tmac.asset a WHERE a.asset_no = ANY (nos)
      ON CONFLICT DO NOTHING;
  END IF;
  IF claimed IS NOT NULL THEN
    RAISE NOTICE USING MESSAGE = tmac.message('incident %s names %s as its discoverer (発見者), unconfirmed until that person confirms it with tmac.confirm_discovery(%s)', id, claimed, id);
  END IF;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.report_incident(text, text, timestamptz, text, text[], text, text, text) IS 'Any person reports a leak sign or incident (兆候・事故の報告): category (employee, leaver, partner, outsider), description, when noticed, the seed''s sign, assets (recorded as given), reported to (上長 supervisor / 管理責任者 manager) and the person (one the reporter may name), the discoverer if someone else (unconfirmed until they confirm it: tmac.confirm_discovery); returns the incident number';

-- The person a report named as its discoverer confirms it.  To anyone else, and for an incident
-- that does not exist, the one error "unknown or not yours" (readers of the register get the
-- precise one).
CREATE FUNCTION tmac.confirm_discovery(incident_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('confirm the discovery of an incident'));
  i tmac.incident;
BEGIN
  PERFORM tmac.require_arguments('confirm_discovery', 'incident_id', incident_id::text);
  SELECT * INTO i FROM tmac.incident x WHERE x.incident_id = confirm_discovery.incident_id;
  PERFORM tmac.require_nameable('tmac.incident', i.incident_id IS NOT NULL, i.discoverer_claimed = me, 'incident',
    incident_id::text, tmac.message('no incident %s', incident_id), 'P0002',
    tmac.message('Confirm an incident whose report names you as its discoverer; the reporter gives you its number.'));
  IF i.discoverer_claimed IS DISTINCT FROM me THEN    -- only a reader of the register gets here
    RAISE EXCEPTION USING MESSAGE = tmac.message('incident %s does not name you as its discoverer', incident_id), ERRCODE = 'insufficient_privilege',
      DETAIL = tmac.message('Only the person a report names as its discoverer (発見者) confirms it.');
  END IF;
  -- locked only once it names the caller (a claim never changes)
  SELECT * INTO i FROM tmac.incident x WHERE x.incident_id = confirm_discovery.incident_id FOR UPDATE;
  IF i.discovered_by IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('you confirmed that you discovered incident %s already', incident_id),
      ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  UPDATE tmac.incident x SET discovered_by = me WHERE x.incident_id = confirm_discovery.incident_id;
END
$$;
COMMENT ON FUNCTION tmac.confirm_discovery(bigint) IS 'The person a report named as its discoverer (発見者) confirms it: they become the incident''s discovered_by (on its timeline); nobody else can';

CREATE FUNCTION tmac.incident_for_update(incident_id bigint) RETURNS tmac.incident
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  i tmac.incident;
BEGIN
  PERFORM tmac.require_arguments('incident', 'incident_id', incident_id::text);
  i := tmac.row_for_update(NULL::tmac.incident, 'incident_id', incident_id, tmac.message('no incident %s', incident_id));
  IF i.status = 'closed' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('incident %s was closed at %s', incident_id, i.closed_at), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  RETURN i;
END
$$;
COMMENT ON FUNCTION tmac.incident_for_update(bigint) IS 'Internal: locks an open incident; P0002 when there is none, 55000 when it is closed';

CREATE FUNCTION tmac.escalate_incident(incident_id bigint, management_contact text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('escalate an incident'));
  i tmac.incident := tmac.incident_for_update(incident_id);
BEGIN
  PERFORM tmac.require_arguments('escalate_incident', 'management_contact', management_contact);
  IF i.escalated_at IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('incident %s was reported to management at %s', incident_id, i.escalated_at),
      ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  UPDATE tmac.incident x SET escalated_at = now(), escalated_by = me,
         management_contact = escalate_incident.management_contact
   WHERE x.incident_id = escalate_incident.incident_id;
END
$$;
COMMENT ON FUNCTION tmac.escalate_incident(bigint, text) IS 'The manager records that an incident was reported to management (経営層への報告): to whom; closes its incident_not_escalated finding';

CREATE FUNCTION tmac.update_incident(incident_id bigint, first_response text DEFAULT NULL, impact text DEFAULT NULL,
                                     cause text DEFAULT NULL, corrective_action text DEFAULT NULL,
                                     evidence_refs text[] DEFAULT NULL, due_by timestamptz DEFAULT NULL,
                                     asset_nos text[] DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('update an incident'));
  i tmac.incident := tmac.incident_for_update(incident_id);
BEGIN
  IF due_by IS NOT NULL AND due_by <= i.reported_at THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the deadline %s is not after the report', due_by), ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE tmac.incident x SET
         first_response = coalesce(update_incident.first_response, x.first_response),
         impact = coalesce(update_incident.impact, x.impact),
         cause = coalesce(update_incident.cause, x.cause),
         corrective_action = coalesce(update_incident.corrective_action, x.corrective_action),
         evidence_refs = CASE WHEN update_incident.evidence_refs IS NULL THEN x.evidence_refs
                              ELSE ARRAY(SELECT DISTINCT e FROM unnest(x.evidence_refs || update_incident.evidence_refs) e ORDER BY 1) END,
         due_by = coalesce(update_incident.due_by, x.due_by)
   WHERE x.incident_id = update_incident.incident_id;
  PERFORM tmac.incident_assets_add(incident_id, coalesce(asset_nos, '{}'));
END
$$;
COMMENT ON FUNCTION tmac.update_incident(bigint, text, text, text, text, text[], timestamptz, text[]) IS 'The manager records the response to an open incident: 初動対応, impact, cause, corrective action, evidence references (added), deadline, further assets; each change goes to its timeline';

CREATE FUNCTION tmac.notify_incident(incident_id bigint, recipient_kind text, recipient text,
                                     notified_at timestamptz DEFAULT NULL, reference text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record a notification'));
  i tmac.incident;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('notify_incident', 'incident_id', incident_id::text,
                                 'recipient_kind', recipient_kind, 'recipient', recipient);
  recipient_kind := tmac.enum_code('recipient_kind', recipient_kind);
  i := tmac.row_by_key(NULL::tmac.incident, 'incident_id', incident_id, tmac.message('no incident %s', incident_id));
  IF recipient_kind NOT IN ('entrusting_company', 'authority', 'police', 'customer', 'public', 'other') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown recipient kind "%s"', recipient_kind), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('entrusting_company (委託元), authority (監督官庁), police (警察), customer, public, other.');
  END IF;
  IF notified_at > now() OR notified_at < i.detected_at THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('notified_at %s is not between the detection and now', notified_at), ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO tmac.incident_notification (incident_id, recipient_kind, recipient, notified_at, notified_by, reference)
  VALUES (incident_id, recipient_kind, recipient, coalesce(notified_at, now()), me, reference)
  RETURNING incident_notification.notification_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.notify_incident(bigint, text, text, timestamptz, text) IS 'Records that an incident was notified to the entrusting company (委託元), an authority (監督官庁), the police (警察), customers or the public, when and with what reference';

CREATE FUNCTION tmac.close_incident(incident_id bigint, cause text, corrective_action text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('close an incident'));
  i tmac.incident := tmac.incident_for_update(incident_id);
BEGIN
  PERFORM tmac.require_arguments('close_incident', 'cause', cause, 'corrective_action', corrective_action);
  IF i.escalated_at IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('incident %s was never reported to management', incident_id),
      ERRCODE = 'object_not_in_prerequisite_state', HINT = tmac.message('Record the report first (tmac.escalate_incident).');
  END IF;
  UPDATE tmac.incident x SET cause = close_incident.cause, corrective_action = close_incident.corrective_action,
         status = 'closed', closed_at = now(), closed_by = me
   WHERE x.incident_id = close_incident.incident_id;
END
$$;
COMMENT ON FUNCTION tmac.close_incident(bigint, text, text) IS 'The manager closes an incident with its cause (原因) and corrective action (是正措置); it must have been reported to management';

COMMENT ON COLUMN tmac.leak_sign.sign_code IS '兆候コード (code of the sign)';
COMMENT ON COLUMN tmac.incident.incident_id IS '事故番号 (incident number)';
COMMENT ON COLUMN tmac.incident.reported_at IS '報告日時 (when it was reported)';
COMMENT ON COLUMN tmac.incident.status IS '状態 (open or closed)';
COMMENT ON COLUMN tmac.incident.closed_at IS '完了日時 (closed at)';
COMMENT ON COLUMN tmac.incident_notification.notified_at IS '通知日時 (when it was notified)';
COMMENT ON COLUMN tmac.incident_notification.notified_by IS '通知者 (who notified)';
COMMENT ON COLUMN tmac.incident_event.at IS '日時 (when)';
COMMENT ON COLUMN tmac.incident_event.actor IS 'The role that made the change';
COMMENT ON COLUMN tmac.incident_event.person_id IS 'The person mapped to that role';


-- The incident register's checks (⑥, I-6) in the compliance registry (45_compliance_registry.sql):
-- one check function for all its codes (the threshold is the setting incident_escalation_limit), the
-- population and the evidence of I-6 (77_access_stats.sql adds the leak signs from real access).

CREATE FUNCTION tmac.check_incidents() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'incident_not_escalated', 'incident:' || i.incident_id,
         tmac.message('Incident %s (reported %s by %s) has not been reported to management (経営層) within %s. Report it and record that (tmac.escalate_incident).',
                i.incident_id, i.reported_at, i.reported_by,
                tmac.setting_value('incident_escalation_limit')),
         i.reported_at + tmac.setting_value('incident_escalation_limit')::interval
    FROM tmac.incident i
   WHERE i.escalated_at IS NULL
     AND i.reported_at + tmac.setting_value('incident_escalation_limit')::interval < now()
  UNION ALL
  SELECT 'incident_overdue', 'incident:' || i.incident_id,
         tmac.message('Incident %s is still open past its deadline %s. Finish the response and close it (tmac.close_incident), or set a new deadline with its reason (tmac.update_incident).',
                i.incident_id, i.due_by),
         i.due_by
    FROM tmac.incident i
   WHERE i.status = 'open' AND i.due_by < now()
  UNION ALL
  SELECT 'incident_entrusted_unnotified', 'incident:' || i.incident_id,
         tmac.message('Incident %s concerns entrusted information (%s, of %s) but the entrusting company (委託元) was not notified. Notify it and record that (tmac.notify_incident with entrusting_company).',
                i.incident_id, pg_catalog.string_agg(a.asset_no, ', ' ORDER BY a.asset_no),
                pg_catalog.string_agg(DISTINCT a.entrusted_by, ', ')),
         i.reported_at
    FROM tmac.incident i
    JOIN tmac.incident_asset ia ON ia.incident_id = i.incident_id
    JOIN tmac.asset a ON a.asset_id = ia.asset_id AND a.origin = 'entrusted'
   WHERE NOT EXISTS (SELECT 1 FROM tmac.incident_notification n
                      WHERE n.incident_id = i.incident_id AND n.recipient_kind = 'entrusting_company')
   GROUP BY i.incident_id, i.reported_at;
END;
COMMENT ON FUNCTION tmac.check_incidents() IS 'Checks incident_not_escalated, incident_overdue and incident_entrusted_unnotified over the incident register (one pass)';

INSERT INTO tmac.compliance_population VALUES
  ('incidents',        '事故・兆候の報告', tmac.msgid('incidents and leak signs reported'), 'SELECT count(*) FROM tmac.incident');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.*, 'tmac.check_incidents', '{}', '{incidents}', true FROM (VALUES
  ('incident_not_escalated', 'I-6', 'high',
   tmac.msgid('Incident not escalated to management in time'),
   tmac.msgid('An incident or leak sign was reported but the manager has not reported it to management (経営層) within incident_escalation_limit (seed ⑥: 管理責任者は、速やかに経営者・経営層に報告).'),
   tmac.msgid('Report it to management and record that with tmac.escalate_incident.')),
  ('incident_overdue', 'I-6', 'medium',
   tmac.msgid('Incident open past its deadline'),
   tmac.msgid('An incident is still open after its deadline (due_by; incident_close_deadline after the report unless set).'),
   tmac.msgid('Finish the response and close it with tmac.close_incident, or set a new deadline with tmac.update_incident.')),
  ('incident_entrusted_unnotified', 'I-6', 'high',
   tmac.msgid('Entrusted information''s incident not notified to the entrusting company'),
   tmac.msgid('An incident concerns information entrusted by another company (預託) and no notification to the entrusting company (委託元) is recorded (seed ⑥ 報告ルート: 情報の委託元).'),
   tmac.msgid('Notify the entrusting company and record it with tmac.notify_incident(…, ''entrusting_company'', …).'))
) AS c(check_code, criterion, severity, title, description, remedy);

UPDATE tmac.criterion
   SET evidence = 'the incident register and its timeline (tmac.incident, tmac.incident_asset, tmac.incident_notification, tmac.incident_event) with the seed''s leak signs (tmac.leak_sign)'
 WHERE criterion = 'I-6';
