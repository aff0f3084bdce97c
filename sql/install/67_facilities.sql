-- 67_facilities.sql — 保管容器・鍵・立入制限区域 (containers, keys and restricted areas), ⑧, Ⅲ, Ⅳ.
--
-- Ⅲ (information that fits in a container): containers (金庫, キャビネット)
-- with their location, lock type, custodian, the assets stored and who holds
-- a key or the combination; the key ledger (鍵の貸出し管理簿: who borrowed
-- which key, approved by whom, due, returned); combination changes
-- (文字盤鍵の鍵番号の変更: when, why, by whom — at least yearly, and whenever
-- a holder changes); sealed transports (封印, 受領証).
-- Ⅳ (equipment that does not): restricted areas (立入制限区域: lock, hours,
-- equipment inside, custodian) and their entry log (受付簿: person or visitor
-- with company, in/out, escort, badge, devices brought in and who approved them).
--
-- Facility managers (tmac_admin) register containers, areas and keys; the key
-- custodians and reception (tmac_approver, tmac_admin) record loans, entries,
-- combination changes and transports.  Rows are never deleted; every change is
-- audited.
--
-- Their compliance checks (check_facilities), populations and evidence of III and IV are at the
-- end of this file.

INSERT INTO tmac.setting_default VALUES
  ('combination_max_age', '12 months', tmac.msgid('A combination lock''s number must be changed at least this often (文字盤鍵の鍵番号は年1回以上変更) (a positive interval)'));

CREATE TABLE tmac.restricted_area (
  area_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code         text NOT NULL UNIQUE CHECK (tmac.valid_code(code)),
  name         text NOT NULL CHECK (btrim(name) <> ''),
  location     text NOT NULL,
  lock_type    text NOT NULL CHECK (lock_type IN ('key', 'combination', 'keypad', 'card', 'biometric')),
  open_hours   text,
  equipment    text[] NOT NULL DEFAULT '{}',
  custodian    text NOT NULL REFERENCES tmac.person,
  retired_at   timestamptz,
  label        tmac.label,
  opens_at     time,
  closes_at    time,
  open_days    smallint[] CHECK (open_days <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]),
  CHECK ((opens_at IS NULL) = (closes_at IS NULL) AND (opens_at IS NULL OR opens_at < closes_at)),
  CHECK (open_days IS NULL OR opens_at IS NOT NULL)
);
COMMENT ON TABLE tmac.restricted_area IS '立入制限区域 (restricted areas, Ⅳ): lock, opening hours, equipment inside, custodian';
COMMENT ON COLUMN tmac.restricted_area.label IS '区分 (the classification of what is inside: a person entering must be able to read it, unless a visitor escorted; NULL: not set, no access check)';
COMMENT ON COLUMN tmac.restricted_area.opens_at IS '開錠 (opens at, in date_time_zone; with closes_at the hours an entry is expected in: area_entry_outside_hours)';
COMMENT ON COLUMN tmac.restricted_area.closes_at IS '施錠 (closes at, in date_time_zone)';
COMMENT ON COLUMN tmac.restricted_area.open_days IS '開錠日 (ISO weekdays it opens, 1 = Monday … 7 = Sunday; NULL with hours set: every day but the company holidays)';
COMMENT ON COLUMN tmac.restricted_area.lock_type IS '施錠 (lock): key 差込み式, combination 文字盤, keypad キーパッド, card, biometric (認証システム)';
COMMENT ON COLUMN tmac.restricted_area.open_hours IS '開錠時間 (when it is unlocked, e.g. 平日 8:30–17:30)';
COMMENT ON COLUMN tmac.restricted_area.equipment IS '設置設備 (equipment inside: manufacturing equipment, prototypes)';
COMMENT ON COLUMN tmac.restricted_area.custodian IS '管理者 (the person responsible)';
SELECT tmac.add_audit_trigger('tmac.restricted_area', 'area_id', 'code');
SELECT tmac.keep_forever('tmac.restricted_area');

CREATE TABLE tmac.container (
  container_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code         text NOT NULL UNIQUE CHECK (tmac.valid_code(code)),
  name         text NOT NULL CHECK (btrim(name) <> ''),
  location     text NOT NULL,
  area_id      bigint REFERENCES tmac.restricted_area,
  lock_type    text NOT NULL CHECK (lock_type IN ('key', 'combination', 'keypad', 'card', 'biometric')),
  custodian    text NOT NULL REFERENCES tmac.person,
  retired_at   timestamptz
);
COMMENT ON TABLE tmac.container IS '保管容器 (containers, Ⅲ): safes and cabinets with their location, lock type and custodian';
COMMENT ON COLUMN tmac.container.location IS '設置場所 (where it stands)';
COMMENT ON COLUMN tmac.container.area_id IS 'The restricted area it stands in, if any';
COMMENT ON COLUMN tmac.container.lock_type IS '鍵の種類 (lock): key 差込み式, combination 文字盤鍵, keypad, card, biometric';
COMMENT ON COLUMN tmac.container.custodian IS '鍵管理者 (key custodian)';
SELECT tmac.add_audit_trigger('tmac.container', 'container_id', 'code');
SELECT tmac.keep_forever('tmac.container');

CREATE TABLE tmac.container_asset (
  container_id bigint NOT NULL REFERENCES tmac.container,
  asset_id     bigint NOT NULL REFERENCES tmac.asset (asset_id),
  stored_at    timestamptz NOT NULL DEFAULT now(),
  removed_at   timestamptz,
  PRIMARY KEY (container_id, asset_id, stored_at)
);
COMMENT ON TABLE tmac.container_asset IS '保管物 (assets stored in a container, from when until when)';
SELECT tmac.add_audit_trigger('tmac.container_asset', 'container_id');
SELECT tmac.keep_forever('tmac.container_asset', forbid_truncate => false);

CREATE TABLE tmac.container_holder (
  holder_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  container_id bigint REFERENCES tmac.container,
  area_id      bigint REFERENCES tmac.restricted_area,
  person_id    text NOT NULL REFERENCES tmac.person,
  since        timestamptz NOT NULL DEFAULT now(),
  until        timestamptz,
  CHECK ((container_id IS NULL) <> (area_id IS NULL)),
  CHECK (until IS NULL OR until >= since)
);
COMMENT ON TABLE tmac.container_holder IS '鍵番号の共有者・鍵保有者 (who holds a key or knows the combination of a container or area, from when until when)';
SELECT tmac.add_audit_trigger('tmac.container_holder', 'holder_id');
SELECT tmac.keep_forever('tmac.container_holder', forbid_truncate => false);

CREATE TABLE tmac.physical_key (
  key_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code         text NOT NULL UNIQUE CHECK (tmac.valid_code(code)),
  container_id bigint REFERENCES tmac.container,
  area_id      bigint REFERENCES tmac.restricted_area,
  custodian    text NOT NULL REFERENCES tmac.person,
  retired_at   timestamptz,
  CHECK ((container_id IS NULL) <> (area_id IS NULL))
);
COMMENT ON TABLE tmac.physical_key IS '鍵 (keys of containers and restricted areas) with their custodian';
SELECT tmac.add_audit_trigger('tmac.physical_key', 'key_id', 'code');
SELECT tmac.keep_forever('tmac.physical_key', forbid_truncate => false);

CREATE TABLE tmac.key_loan (
  loan_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key_id       bigint NOT NULL REFERENCES tmac.physical_key,
  borrower     text NOT NULL REFERENCES tmac.person,
  approved_by  text NOT NULL REFERENCES tmac.person,
  lent_at      timestamptz NOT NULL DEFAULT now(),
  due_at       timestamptz NOT NULL,
  returned_at  timestamptz,
  received_by  text REFERENCES tmac.person,
  purpose      text,
  CHECK (approved_by <> borrower),
  CHECK (due_at > lent_at),
  CHECK ((returned_at IS NULL) = (received_by IS NULL))
);
COMMENT ON TABLE tmac.key_loan IS '鍵の貸出し管理簿 (key ledger): key, borrower, approver (never the borrower), out, due, returned, received by';
CREATE UNIQUE INDEX key_loan_out_idx ON tmac.key_loan (key_id) WHERE returned_at IS NULL;
SELECT tmac.add_audit_trigger('tmac.key_loan', 'loan_id');
SELECT tmac.keep_forever('tmac.key_loan', forbid_truncate => false);

CREATE TABLE tmac.combination_change (
  change_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  container_id bigint REFERENCES tmac.container,
  area_id      bigint REFERENCES tmac.restricted_area,
  changed_at   timestamptz NOT NULL DEFAULT now(),
  reason       text NOT NULL CHECK (reason IN ('installed', 'annual', 'moved', 'holder_changed', 'leak_suspected', 'other')),
  changed_by   text NOT NULL REFERENCES tmac.person,
  note         text,
  CHECK ((container_id IS NULL) <> (area_id IS NULL))
);
COMMENT ON TABLE tmac.combination_change IS
  '鍵番号の変更記録 (combination changes): when, why (installed 備え付け, annual 定期, moved 使用場所変更, holder_changed 管理者・アクセス権者の交代, leak_suspected 漏えいの恐れ), by whom; never the number itself';
CREATE INDEX combination_change_container_idx ON tmac.combination_change (container_id, changed_at);
CREATE INDEX combination_change_area_idx ON tmac.combination_change (area_id, changed_at);
SELECT tmac.add_audit_trigger('tmac.combination_change', 'change_id');
SELECT tmac.keep_forever('tmac.combination_change', forbid_truncate => false);

CREATE TABLE tmac.area_entry (
  entry_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  area_id         bigint NOT NULL REFERENCES tmac.restricted_area,
  person_id       text REFERENCES tmac.person,
  visitor_name    text,
  visitor_company text,
  entered_at      timestamptz NOT NULL DEFAULT now(),
  left_at         timestamptz,
  escort          text REFERENCES tmac.person,
  badge           text,
  devices         text[] NOT NULL DEFAULT '{}',
  devices_approved_by text REFERENCES tmac.person,
  purpose         text,
  recorded_by     text NOT NULL REFERENCES tmac.person,
  CHECK ((person_id IS NULL) <> (visitor_name IS NULL)),
  CHECK (visitor_name IS NULL OR visitor_company IS NOT NULL),
  CHECK (left_at IS NULL OR left_at >= entered_at),
  CHECK (escort IS NULL OR escort IS DISTINCT FROM person_id),
  CHECK (cardinality(devices) = 0 OR devices_approved_by IS NOT NULL)
);
COMMENT ON TABLE tmac.area_entry IS
  '入退室記録・受付簿 (entry log of restricted areas): person or visitor with company, in/out, escort (立会者), badge (標識), devices brought in (カメラ等) and who approved them';
COMMENT ON COLUMN tmac.area_entry.person_id IS 'The person entering (employees, contractors, registered visitors)';
COMMENT ON COLUMN tmac.area_entry.visitor_name IS 'A visitor without a person record (見学者), with visitor_company';
COMMENT ON COLUMN tmac.area_entry.escort IS '立会者 (the employee escorting a visitor)';
COMMENT ON COLUMN tmac.area_entry.badge IS '標識 (the badge worn)';
COMMENT ON COLUMN tmac.area_entry.devices IS '持込機器 (cameras, phones, media brought in)';
COMMENT ON COLUMN tmac.area_entry.devices_approved_by IS 'The manager who approved the devices (持込みの承認)';
CREATE INDEX area_entry_area_idx ON tmac.area_entry (area_id, entered_at);
SELECT tmac.add_audit_trigger('tmac.area_entry', 'entry_id');
SELECT tmac.keep_forever('tmac.area_entry', forbid_truncate => false);

CREATE TABLE tmac.sealed_transport (
  transport_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  asset_id       bigint NOT NULL REFERENCES tmac.asset (asset_id),
  seal_no        text NOT NULL,
  sent_at        timestamptz NOT NULL DEFAULT now(),
  sent_by        text NOT NULL REFERENCES tmac.person,
  carrier        text NOT NULL,
  carrier_nda    text,
  recipient      text NOT NULL,
  received_at    timestamptz,
  receipt_ref    text,
  receipt_checked_by text REFERENCES tmac.person,
  CHECK ((received_at IS NULL) = (receipt_ref IS NULL)),
  CHECK ((receipt_ref IS NULL) = (receipt_checked_by IS NULL))
);
COMMENT ON TABLE tmac.sealed_transport IS
  '運搬記録 (sealed transports): asset, seal number (封印), sender, carrier with its NDA, recipient, receipt (受領証) and the manager it was handed to';
COMMENT ON COLUMN tmac.sealed_transport.receipt_ref IS '受領証 (reference of the signed receipt)';
COMMENT ON COLUMN tmac.sealed_transport.receipt_checked_by IS 'The manager the receipt was handed to (管理者に提出)';
SELECT tmac.add_audit_trigger('tmac.sealed_transport', 'transport_id');
SELECT tmac.keep_forever('tmac.sealed_transport', forbid_truncate => false);


-- Lookups by code, with a clear error.
CREATE FUNCTION tmac.container_id_of(code text) RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (tmac.row_by_key(NULL::tmac.container, 'code', code, tmac.message('no container "%s"', coalesce(code, '<NULL>')),
                          'undefined_object', tmac.message('Containers are listed in tmac.container.'))).container_id;
COMMENT ON FUNCTION tmac.container_id_of(text) IS 'Id of a container given by its code; error 42704 when unknown';

CREATE FUNCTION tmac.area_id_of(code text) RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (tmac.row_by_key(NULL::tmac.restricted_area, 'code', code, tmac.message('no restricted area "%s"', coalesce(code, '<NULL>')),
                          'undefined_object', tmac.message('Areas are listed in tmac.restricted_area.'))).area_id;
COMMENT ON FUNCTION tmac.area_id_of(text) IS 'Id of a restricted area given by its code; error 42704 when unknown';

CREATE FUNCTION tmac.require_person(person_id text) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = require_person.person_id) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('no person "%s"', person_id), ERRCODE = 'undefined_object';
  END IF;
  RETURN person_id;
END
$$;
COMMENT ON FUNCTION tmac.require_person(text) IS 'Returns a person_id, or error 42704 when there is no such person (NULL passes)';

CREATE FUNCTION tmac.define_area(code text, name text, location text, lock_type text, custodian text,
                                 open_hours text DEFAULT NULL, equipment text[] DEFAULT '{}')
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('define a restricted area'));
  PERFORM tmac.require_arguments('define_area', 'code', code, 'name', name, 'location', location,
                                 'lock_type', lock_type, 'custodian', custodian);
  lock_type := tmac.enum_code('lock_type', lock_type);
  PERFORM tmac.require_person(custodian);
  INSERT INTO tmac.restricted_area (code, name, location, lock_type, custodian, open_hours, equipment)
  VALUES (code, name, location, lock_type, custodian, open_hours, coalesce(equipment, '{}'))
  RETURNING restricted_area.area_id INTO id;
  RETURN id;
EXCEPTION
  WHEN check_violation THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid restricted area "%s"', code), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('A code is letters, digits, _ . -; lock_type is key, combination, keypad, card or biometric.');
  WHEN unique_violation THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('restricted area "%s" exists', code), ERRCODE = 'duplicate_object';
END
$$;
COMMENT ON FUNCTION tmac.define_area(text, text, text, text, text, text, text[]) IS 'Registers a restricted area (立入制限区域): code, name, location, lock type, custodian, opening hours, equipment inside';

CREATE FUNCTION tmac.define_container(code text, name text, location text, lock_type text, custodian text,
                                      area text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('define a container'));
  PERFORM tmac.require_arguments('define_container', 'code', code, 'name', name, 'location', location,
                                 'lock_type', lock_type, 'custodian', custodian);
  lock_type := tmac.enum_code('lock_type', lock_type);
  PERFORM tmac.require_person(custodian);
  INSERT INTO tmac.container (code, name, location, lock_type, custodian, area_id)
  VALUES (code, name, location, lock_type, custodian, CASE WHEN area IS NOT NULL THEN tmac.area_id_of(area) END)
  RETURNING container.container_id INTO id;
  RETURN id;
EXCEPTION
  WHEN check_violation THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid container "%s"', code), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('A code is letters, digits, _ . -; lock_type is key, combination, keypad, card or biometric.');
  WHEN unique_violation THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('container "%s" exists', code), ERRCODE = 'duplicate_object';
END
$$;
COMMENT ON FUNCTION tmac.define_container(text, text, text, text, text, text) IS 'Registers a container (保管容器): code, name, location, lock type, key custodian, the restricted area it stands in';

-- What a container or restricted area holds at an instant, as labels someone who can open it must
-- be able to read: the labelled assets stored in the container then, or the area's label.  A
-- holder of its key or combination and its custodian must read them (tmac.add_holder,
-- tmac.set_custodian; the check facility_holder_without_access), as a borrower of its key must
-- (tmac.lend_key, through tmac.key_opens).
CREATE FUNCTION tmac.facility_opens(container_id bigint, area_id bigint, at timestamptz, OUT what text[], OUT labels tmac.label[])
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT coalesce(pg_catalog.array_agg(x.what ORDER BY x.what), '{}'), coalesce(pg_catalog.array_agg(x.label ORDER BY x.what), '{}')
    FROM (SELECT tmac.message('asset %s', a.asset_no) AS what, a.label
            FROM tmac.container_asset ca
            JOIN tmac.asset a ON a.asset_id = ca.asset_id
           WHERE ca.container_id = $1 AND ca.stored_at <= $3 AND (ca.removed_at IS NULL OR ca.removed_at > $3)
             AND a.label IS NOT NULL
          UNION
          SELECT tmac.message('area %s', r.code), r.label
            FROM tmac.restricted_area r
           WHERE r.area_id = $2 AND r.label IS NOT NULL) x
$$;
COMMENT ON FUNCTION tmac.facility_opens(bigint, bigint, timestamptz) IS 'Internal: what a container (the labelled assets stored in it at the instant) or a restricted area (its label) holds, which whoever can open it must be able to read';

-- Refuses to make a person able to open a container or area (holder, custodian) when they may not
-- read what it holds now (42501), as tmac.lend_key refuses a loan of its key.
CREATE FUNCTION tmac.require_facility_access(kind text, code text, container_id bigint, area_id bigint, person_id text)
  RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  o record;
  why text;
BEGIN
  SELECT * INTO o FROM tmac.facility_opens(container_id, area_id, now());
  why := tmac.access_refused(person_id, o.what, o.labels, now(), false);
  IF why IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('person "%s" may not access what %s "%s" holds', person_id, kind, code),
      DETAIL = tmac.message('%s.', why),
      HINT = tmac.message('Choose a person with access, or grant the access first (tmac.request_clearance or tmac.request_access, then tmac.approve).');
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.require_facility_access(text, text, bigint, bigint, text) IS 'Internal (tmac.add_holder, tmac.set_custodian): refuses (42501) a person who may not read what a container or restricted area holds now';

CREATE FUNCTION tmac.set_custodian(kind text, code text, custodian text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('change a custodian'));
  PERFORM tmac.require_arguments('set_custodian', 'kind', kind, 'code', code, 'custodian', custodian);
  kind := tmac.enum_code('facility_kind', kind);
  PERFORM tmac.require_person(custodian);
  -- the custodian opens it: they must be able to read what it holds (what a key opens)
  CASE kind
    WHEN 'container' THEN
      PERFORM tmac.require_facility_access(kind, code, tmac.container_id_of(code), NULL, custodian);
      UPDATE tmac.container c SET custodian = set_custodian.custodian WHERE c.container_id = tmac.container_id_of(set_custodian.code);
    WHEN 'area' THEN
      PERFORM tmac.require_facility_access(kind, code, NULL, tmac.area_id_of(code), custodian);
      UPDATE tmac.restricted_area a SET custodian = set_custodian.custodian WHERE a.area_id = tmac.area_id_of(set_custodian.code);
    WHEN 'key' THEN
      PERFORM tmac.require_facility_access(set_custodian.kind, set_custodian.code, k.container_id, k.area_id, set_custodian.custodian)
         FROM tmac.physical_key k WHERE k.code = set_custodian.code;
      UPDATE tmac.physical_key k SET custodian = set_custodian.custodian WHERE k.code = set_custodian.code;
      PERFORM tmac.require_found(FOUND, tmac.message('no key "%s"', code), 'undefined_object');
    ELSE
      RAISE EXCEPTION USING MESSAGE = tmac.message('kind is container, area or key, not "%s"', kind), ERRCODE = 'invalid_parameter_value';
  END CASE;
END
$$;
COMMENT ON FUNCTION tmac.set_custodian(text, text, text) IS 'Hands a container, restricted area or key (kind container, area, key) to a new custodian (管理者), refused (42501) when they may not read what it holds; closes a custodian_terminated finding';

CREATE FUNCTION tmac.store_asset(container text, asset_no text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  a bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('store an asset in a container'));
  PERFORM tmac.require_arguments('store_asset', 'container', container, 'asset_no', asset_no);
  a := (tmac.row_by_key(NULL::tmac.asset, 'asset_no', asset_no, tmac.message('no asset "%s" in the inventory', asset_no),
                        'undefined_object')).asset_id;
  INSERT INTO tmac.container_asset (container_id, asset_id) VALUES (tmac.container_id_of(container), a);
END
$$;
COMMENT ON FUNCTION tmac.store_asset(text, text) IS 'Records that an asset is kept in a container (保管物)';

CREATE FUNCTION tmac.add_holder(kind text, code text, person_id text) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('add a key or combination holder'));
  PERFORM tmac.require_arguments('add_holder', 'kind', kind, 'code', code, 'person_id', person_id);
  kind := tmac.enum_code('facility_kind', kind);
  PERFORM tmac.require_person(person_id);
  IF kind NOT IN ('container', 'area') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('kind is container or area, not "%s"', kind), ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM tmac.require_facility_access(kind, code, CASE WHEN kind = 'container' THEN tmac.container_id_of(code) END,
                                       CASE WHEN kind = 'area' THEN tmac.area_id_of(code) END, person_id);
  INSERT INTO tmac.container_holder (container_id, area_id, person_id)
  VALUES (CASE WHEN kind = 'container' THEN tmac.container_id_of(code) END,
          CASE WHEN kind = 'area' THEN tmac.area_id_of(code) END, person_id)
  RETURNING container_holder.holder_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.add_holder(text, text, text) IS 'Records that a person holds a key to, or knows the combination of, a container or area (kind container, area); refused (42501) when they may not read what it holds';

CREATE FUNCTION tmac.end_holder(holder_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('end a key or combination holder'));
  UPDATE tmac.container_holder h SET until = now() WHERE h.holder_id = end_holder.holder_id AND h.until IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('no current holder %s', coalesce(holder_id::text, '<NULL>')));
END
$$;
COMMENT ON FUNCTION tmac.end_holder(bigint) IS 'Ends a holder''s key or combination; the combination must then be changed';

CREATE FUNCTION tmac.record_combination_change(kind text, code text, reason text, note text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record a combination change'));
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('record_combination_change', 'kind', kind, 'code', code, 'reason', reason);
  kind := tmac.enum_code('facility_kind', kind); reason := tmac.enum_code('combination_reason', reason);
  IF kind NOT IN ('container', 'area') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('kind is container or area, not "%s"', kind), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF reason NOT IN ('installed', 'annual', 'moved', 'holder_changed', 'leak_suspected', 'other') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown reason "%s"', reason), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('installed, annual, moved, holder_changed, leak_suspected, other.');
  END IF;
  INSERT INTO tmac.combination_change (container_id, area_id, reason, changed_by, note)
  VALUES (CASE WHEN kind = 'container' THEN tmac.container_id_of(code) END,
          CASE WHEN kind = 'area' THEN tmac.area_id_of(code) END, reason, me, note)
  RETURNING combination_change.change_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_combination_change(text, text, text, text) IS 'Records that the acting person changed the combination of a container or area (kind container, area) and why; the number itself is never stored';

CREATE FUNCTION tmac.define_key(code text, kind text, of_code text, custodian text) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('define a key'));
  PERFORM tmac.require_arguments('define_key', 'code', code, 'kind', kind, 'of_code', of_code, 'custodian', custodian);
  kind := tmac.enum_code('facility_kind', kind);
  PERFORM tmac.require_person(custodian);
  IF kind NOT IN ('container', 'area') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('kind is container or area, not "%s"', kind), ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO tmac.physical_key (code, container_id, area_id, custodian)
  VALUES (code, CASE WHEN kind = 'container' THEN tmac.container_id_of(of_code) END,
          CASE WHEN kind = 'area' THEN tmac.area_id_of(of_code) END, custodian)
  RETURNING physical_key.key_id INTO id;
  RETURN id;
EXCEPTION
  WHEN unique_violation THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('key "%s" exists', code), ERRCODE = 'duplicate_object';
  WHEN check_violation THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid key code "%s"', code), ERRCODE = 'invalid_parameter_value';
END
$$;
COMMENT ON FUNCTION tmac.define_key(text, text, text, text) IS 'Registers a key (鍵) of a container or area (kind container, area) with its custodian';

CREATE FUNCTION tmac.lend_key(key_code text, borrower text, due_at timestamptz, purpose text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('lend a key'));
  k tmac.physical_key;
  id bigint;
  why text;
BEGIN
  PERFORM tmac.require_arguments('lend_key', 'key_code', key_code, 'borrower', borrower, 'due_at', due_at::text);
  PERFORM tmac.require_person(borrower);
  k := tmac.row_for_update(NULL::tmac.physical_key, 'code', key_code, tmac.message('no key "%s"', key_code), 'undefined_object');
  IF me = borrower THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a key is lent by someone other than its borrower'), ERRCODE = 'insufficient_privilege',
      DETAIL = tmac.message('The approver of a key loan is never the borrower.');
  END IF;
  IF due_at <= now() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('the due time %s is not in the future', due_at), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM tmac.key_loan l WHERE l.key_id = k.key_id AND l.returned_at IS NULL) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('key "%s" is lent out', key_code), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF (SELECT p.status FROM tmac.person p WHERE p.person_id = borrower) <> 'active' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" is not active', borrower), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  -- the borrower must be able to read what the key opens (key_loan_without_access, 87_checks_cross.sql)
  why := tmac.key_access_refused(k, borrower, now());
  IF why IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" may not access what key "%s" opens', borrower, key_code),
      ERRCODE = 'insufficient_privilege', DETAIL = tmac.message('%s.', why),
            HINT = tmac.message('Lend the key to a person with access, or grant the access first (tmac.request_clearance or tmac.request_access, then tmac.approve).');
  END IF;
  INSERT INTO tmac.key_loan (key_id, borrower, approved_by, due_at, purpose)
  VALUES (k.key_id, borrower, me, due_at, purpose)
  RETURNING key_loan.loan_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.lend_key(text, text, timestamptz, text) IS 'The acting person (approver, never the borrower) lends a key: borrower, due back, purpose; returns the loan number; refused (42501) when the borrower may not read what the key opens';

CREATE FUNCTION tmac.return_key(key_code text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('take back a key'));
BEGIN
  PERFORM tmac.require_arguments('return_key', 'key_code', key_code);
  UPDATE tmac.key_loan l SET returned_at = now(), received_by = me
    FROM tmac.physical_key k
   WHERE k.code = key_code AND l.key_id = k.key_id AND l.returned_at IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('key "%s" is not lent out', key_code), 'object_not_in_prerequisite_state');
END
$$;
COMMENT ON FUNCTION tmac.return_key(text) IS 'Records that a lent key came back, received by the acting person; closes its key_not_returned finding';

CREATE FUNCTION tmac.record_entry(area text, person_id text DEFAULT NULL, visitor_name text DEFAULT NULL,
                                  visitor_company text DEFAULT NULL, escort text DEFAULT NULL,
                                  badge text DEFAULT NULL, devices text[] DEFAULT '{}',
                                  devices_approved_by text DEFAULT NULL, purpose text DEFAULT NULL,
                                  entered_at timestamptz DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('record an entry to a restricted area'));
  id bigint;
  why text;
  hint text;
BEGIN
  PERFORM tmac.require_arguments('record_entry', 'area', area);
  IF (person_id IS NULL) = (visitor_name IS NULL) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('an entry is of a person or of a visitor'), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('Give person_id, or visitor_name with visitor_company.');
  END IF;
  IF visitor_name IS NOT NULL AND visitor_company IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a visitor''s company is recorded'), ERRCODE = 'null_value_not_allowed';
  END IF;
  IF cardinality(devices) > 0 AND devices_approved_by IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('devices brought in need a manager''s approval'), ERRCODE = 'null_value_not_allowed',
      HINT = tmac.message('Name who approved them (devices_approved_by).');
  END IF;
  IF escort IS NOT NULL AND escort = person_id THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a person does not escort themselves'), ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM tmac.require_person(person_id), tmac.require_person(escort), tmac.require_person(devices_approved_by);
  -- An entry recorded as it happens is refused when the person may not enter (area_entry_without_access,
  -- leaver_activity, visitor_entry_without_pledge); an entry recorded late (entered_at before this
  -- transaction) happened already: it is recorded, and is a finding.
  IF entered_at IS NULL OR entered_at >= now() THEN
    why := tmac.entry_refused(tmac.area_id_of(area), person_id, escort, now());
    IF why IS NOT NULL THEN
      -- the hint from the facts tmac.entry_refused looked at, not from its (translated) words
      hint := CASE WHEN EXISTS (SELECT 1 FROM unnest(ARRAY[escort, person_id]) w(id)
                                CROSS JOIN LATERAL tmac.person_state_at(w.id, now()) st
                                 WHERE w.id IS NOT NULL AND st.status <> 'active')
                   THEN tmac.message('A person who left or is on leave does not enter.')
                   WHEN (SELECT p.kind FROM tmac.person p WHERE p.person_id = record_entry.person_id) = 'visitor'
                        AND NOT tmac.visitor_pledge_on(person_id, (now() AT TIME ZONE tmac.company_time_zone())::date)
                   THEN tmac.message('Record the visitor''s pledge first (tmac.record_pledge(person_id, ''visitor'', signed_on)).')
                   ELSE tmac.message('Escort a visitor, or grant the access first (tmac.request_clearance or tmac.request_access, then tmac.approve).') END;
      RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" may not enter restricted area "%s"', person_id, area),
        ERRCODE = 'insufficient_privilege', DETAIL = tmac.message('%s.', why), HINT = hint;
    END IF;
  END IF;
  INSERT INTO tmac.area_entry (area_id, person_id, visitor_name, visitor_company, entered_at, escort, badge,
                               devices, devices_approved_by, purpose, recorded_by)
  VALUES (tmac.area_id_of(area), person_id, visitor_name, visitor_company, coalesce(entered_at, now()), escort,
          badge, coalesce(devices, '{}'), devices_approved_by, purpose, me)
  RETURNING area_entry.entry_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_entry(text, text, text, text, text, text, text[], text, text, timestamptz) IS 'Records an entry to a restricted area (受付簿): person or visitor with company, escort, badge, devices brought in and who approved them; returns the entry number; an entry recorded as it happens is refused (42501) for a person who may not read the area''s label (unless a visitor escorted), who left or is on leave, or a visitor without a visitor pledge in force';

CREATE FUNCTION tmac.record_exit(entry_id bigint, escort text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_person(tmac.msgid('record an exit from a restricted area'));
  PERFORM tmac.require_person(escort);
  UPDATE tmac.area_entry e SET left_at = now(), escort = coalesce(record_exit.escort, e.escort)
   WHERE e.entry_id = record_exit.entry_id AND e.left_at IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('no open entry %s', coalesce(entry_id::text, '<NULL>')));
END
$$;
COMMENT ON FUNCTION tmac.record_exit(bigint, text) IS 'Records when a person or visitor left a restricted area (and the escort, if it was not recorded at entry)';

CREATE FUNCTION tmac.record_transport(asset_no text, seal_no text, carrier text, recipient text,
                                      carrier_nda text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('send a sealed transport'));
  a bigint;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('record_transport', 'asset_no', asset_no, 'seal_no', seal_no,
                                 'carrier', carrier, 'recipient', recipient);
  a := (tmac.row_by_key(NULL::tmac.asset, 'asset_no', asset_no, tmac.message('no asset "%s" in the inventory', asset_no),
                        'undefined_object')).asset_id;
  INSERT INTO tmac.sealed_transport (asset_id, seal_no, sent_by, carrier, carrier_nda, recipient)
  VALUES (a, seal_no, me, carrier, carrier_nda, recipient)
  RETURNING sealed_transport.transport_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_transport(text, text, text, text, text) IS 'Records that the acting person sent an asset sealed (封印) with a carrier to a recipient; returns the transport number';

CREATE FUNCTION tmac.record_receipt(transport_id bigint, receipt_ref text, received_at timestamptz DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := tmac.acting_person(tmac.msgid('check a transport receipt'));
BEGIN
  PERFORM tmac.require_arguments('record_receipt', 'transport_id', transport_id::text, 'receipt_ref', receipt_ref);
  UPDATE tmac.sealed_transport t SET received_at = coalesce(record_receipt.received_at, now()),
         receipt_ref = record_receipt.receipt_ref, receipt_checked_by = me
   WHERE t.transport_id = record_receipt.transport_id AND t.receipt_ref IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('no transport %s awaiting its receipt', transport_id));
END
$$;
COMMENT ON FUNCTION tmac.record_receipt(bigint, text, timestamptz) IS 'The manager records the receipt (受領証) of a sealed transport, handed to them';

COMMENT ON COLUMN tmac.restricted_area.code IS '区域コード (code of the area)';
COMMENT ON COLUMN tmac.restricted_area.name IS '区域名 (name)';
COMMENT ON COLUMN tmac.restricted_area.location IS '場所 (where it is)';
COMMENT ON COLUMN tmac.restricted_area.retired_at IS '廃止日 (when the area stopped being restricted)';
COMMENT ON COLUMN tmac.container.code IS '容器コード (code of the container)';
COMMENT ON COLUMN tmac.container.name IS '名称 (name)';
COMMENT ON COLUMN tmac.container.retired_at IS '廃止日 (when the container was taken out of use)';
COMMENT ON COLUMN tmac.container_asset.stored_at IS '保管開始 (stored since)';
COMMENT ON COLUMN tmac.container_asset.removed_at IS '取出し (removed at)';
COMMENT ON COLUMN tmac.container_holder.person_id IS '保有者 (the person holding a key or knowing the combination)';
COMMENT ON COLUMN tmac.container_holder.since IS '開始 (holds it since)';
COMMENT ON COLUMN tmac.container_holder.until IS '終了 (held it until; the combination must be changed after)';
COMMENT ON COLUMN tmac.physical_key.code IS '鍵番号 (the key''s code)';
COMMENT ON COLUMN tmac.physical_key.custodian IS '鍵管理者 (the person keeping the key)';
COMMENT ON COLUMN tmac.key_loan.borrower IS '借用者 (borrower)';
COMMENT ON COLUMN tmac.key_loan.approved_by IS '承認者 (the person who lent it; never the borrower)';
COMMENT ON COLUMN tmac.key_loan.lent_at IS '貸出日時 (lent at)';
COMMENT ON COLUMN tmac.key_loan.due_at IS '返却予定 (due back)';
COMMENT ON COLUMN tmac.key_loan.returned_at IS '返却日時 (returned at)';
COMMENT ON COLUMN tmac.key_loan.received_by IS '受領者 (who took it back)';
COMMENT ON COLUMN tmac.key_loan.purpose IS '目的 (purpose)';
COMMENT ON COLUMN tmac.combination_change.changed_at IS '変更日 (when)';
COMMENT ON COLUMN tmac.combination_change.reason IS '理由 (why): installed, annual, moved, holder_changed, leak_suspected, other';
COMMENT ON COLUMN tmac.combination_change.changed_by IS '変更者 (who changed it)';
COMMENT ON COLUMN tmac.area_entry.entered_at IS '入室 (in)';
COMMENT ON COLUMN tmac.area_entry.left_at IS '退室 (out)';
COMMENT ON COLUMN tmac.area_entry.visitor_company IS '所属 (the visitor''s company)';
COMMENT ON COLUMN tmac.area_entry.purpose IS '目的 (purpose of the visit)';
COMMENT ON COLUMN tmac.area_entry.recorded_by IS '受付者 (who recorded the entry)';
COMMENT ON COLUMN tmac.sealed_transport.seal_no IS '封印番号 (seal number)';
COMMENT ON COLUMN tmac.sealed_transport.sent_at IS '発送日時 (sent at)';
COMMENT ON COLUMN tmac.sealed_transport.sent_by IS '発送者 (sender)';
COMMENT ON COLUMN tmac.sealed_transport.carrier IS '運搬者 (carrier)';
COMMENT ON COLUMN tmac.sealed_transport.carrier_nda IS '運搬者との秘密保持契約 (the carrier''s NDA)';
COMMENT ON COLUMN tmac.sealed_transport.recipient IS '受領者 (recipient)';
COMMENT ON COLUMN tmac.sealed_transport.received_at IS '受領日時 (received at)';


-- The checks of the containers, keys and areas (⑧, III and IV) in the compliance registry
-- (45_compliance_registry.sql): one check function for all their codes (the threshold is the setting
-- combination_max_age), the populations and the evidence of III and IV.

CREATE FUNCTION tmac.check_facilities() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH locks AS (
    SELECT 'container' AS kind, c.container_id AS id, c.code, c.name, c.lock_type, c.custodian, c.retired_at
      FROM tmac.container c
    UNION ALL
    SELECT 'area', a.area_id, a.code, a.name, a.lock_type, a.custodian, a.retired_at FROM tmac.restricted_area a
  ), last_change AS (
    SELECT CASE WHEN x.container_id IS NOT NULL THEN 'container' ELSE 'area' END AS kind,
           coalesce(x.container_id, x.area_id) AS id, max(x.changed_at) AS at
      FROM tmac.combination_change x GROUP BY 1, 2
  ), left_holders AS (
    SELECT CASE WHEN h.container_id IS NOT NULL THEN 'container' ELSE 'area' END AS kind,
           coalesce(h.container_id, h.area_id) AS id, h.person_id,
           least(h.until, p.terminated_at) AS left_at
      FROM tmac.container_holder h JOIN tmac.person p ON p.person_id = h.person_id
     WHERE h.until IS NOT NULL OR p.status = 'terminated'
  )
  SELECT 'combination_stale', l.kind || ':' || l.code,
         CASE WHEN c.at IS NULL
              THEN tmac.message('The combination of %s %s (%s) was never recorded as changed. Change it and record that (tmac.record_combination_change).', l.kind, l.code, l.name)
              ELSE tmac.message('The combination of %s %s (%s) was last changed on %s, more than %s ago. Change it and record that (tmac.record_combination_change, reason annual).',
                          l.kind, l.code, l.name, c.at, tmac.setting_value('combination_max_age')) END,
         c.at
    FROM locks l LEFT JOIN last_change c ON c.kind = l.kind AND c.id = l.id
   WHERE l.lock_type = 'combination' AND l.retired_at IS NULL
     AND (c.at IS NULL OR c.at < now() - tmac.setting_value('combination_max_age')::interval)
  UNION ALL
  SELECT 'combination_holder_left', l.kind || ':' || l.code,
         tmac.message('%s left %s %s (%s) on %s but its combination was not changed since. Change it and record that (tmac.record_combination_change, reason holder_changed).',
                h.person_id, l.kind, l.code, l.name, h.left_at),
         h.left_at
    FROM locks l
    JOIN LATERAL (SELECT x.person_id, x.left_at FROM left_holders x
                   WHERE x.kind = l.kind AND x.id = l.id ORDER BY x.left_at DESC LIMIT 1) h ON true
    LEFT JOIN last_change c ON c.kind = l.kind AND c.id = l.id
   WHERE l.lock_type = 'combination' AND l.retired_at IS NULL
     AND (c.at IS NULL OR c.at < h.left_at)
  UNION ALL
  SELECT 'key_not_returned', 'key:' || k.code,
         tmac.message('Key %s lent to %s on %s was due back on %s and has not been returned. Get it back and record that (tmac.return_key).',
                k.code, kl.borrower, kl.lent_at, kl.due_at),
         kl.due_at
    FROM tmac.key_loan kl JOIN tmac.physical_key k ON k.key_id = kl.key_id
   WHERE kl.returned_at IS NULL AND kl.due_at < now()
  UNION ALL
  SELECT 'visitor_without_escort', 'area_entry:' || e.entry_id,
         tmac.message('Visitor %s entered restricted area %s on %s without an escort (立会者). Record who escorted them (tmac.record_exit with escort), or investigate.',
                coalesce(e.visitor_name || ' (' || e.visitor_company || ')', e.person_id), a.code,
                e.entered_at),
         e.entered_at
    FROM tmac.area_entry e
    JOIN tmac.restricted_area a ON a.area_id = e.area_id
    LEFT JOIN tmac.person p ON p.person_id = e.person_id
   WHERE e.escort IS NULL AND (e.visitor_name IS NOT NULL OR p.kind = 'visitor')
  UNION ALL
  SELECT 'custodian_terminated', x.kind || ':' || x.code,
         tmac.message('The custodian of %s %s, %s, was terminated on %s. Hand it to an active person (tmac.set_custodian).',
                x.kind, x.code, p.person_id, p.terminated_at),
         p.terminated_at
    FROM (SELECT l.kind, l.code, l.custodian FROM locks l WHERE l.retired_at IS NULL
          UNION ALL
          SELECT 'key', k.code, k.custodian FROM tmac.physical_key k WHERE k.retired_at IS NULL) x
    JOIN tmac.person p ON p.person_id = x.custodian
   WHERE p.status = 'terminated'
  UNION ALL
  SELECT 'transport_receipt_missing', 'transport:' || t.transport_id,
         tmac.message('The sealed transport %s of asset %s to %s (sent %s) has no receipt (受領証). Get it and record it (tmac.record_receipt).',
                t.transport_id, s.asset_no, t.recipient, t.sent_at),
         t.sent_at
    FROM tmac.sealed_transport t JOIN tmac.asset s ON s.asset_id = t.asset_id
   WHERE t.receipt_ref IS NULL AND t.sent_at < now() - interval '7 days';
END;
COMMENT ON FUNCTION tmac.check_facilities() IS 'Checks combination_stale, combination_holder_left, key_not_returned, visitor_without_escort, custodian_terminated and transport_receipt_missing over containers, keys and areas (one pass)';

INSERT INTO tmac.compliance_population VALUES
  ('containers',       '保管容器',         tmac.msgid('storage containers'),          'SELECT count(*) FROM tmac.container'),
  ('areas',            '立入制限区域',     tmac.msgid('restricted areas'),            'SELECT count(*) FROM tmac.restricted_area');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.check_code, c.criterion, c.severity, c.title, c.description, c.remedy, 'tmac.check_facilities', '{}', c.population::text[], true
  FROM (VALUES
  ('combination_stale', 'III', 'medium',
   tmac.msgid('Combination older than allowed'),
   tmac.msgid('A combination lock of a container or restricted area was not changed within combination_max_age (seed ⑧: 文字盤鍵の鍵番号は、年に1回以上変更する).'),
   tmac.msgid('Change the combination and record it with tmac.record_combination_change.'), '{containers}'),
  ('combination_holder_left', 'III', 'high',
   tmac.msgid('Combination not changed after a holder left'),
   tmac.msgid('A person who knew a combination stopped holding it, or was terminated, and the combination was not changed since (seed ⑧: 管理者やアクセス権者が替わった場合).'),
   tmac.msgid('Change the combination and record it with tmac.record_combination_change (reason holder_changed).'), '{containers}'),
  ('key_not_returned', 'III', 'medium',
   tmac.msgid('Key not returned'),
   tmac.msgid('A key lent from the key ledger (鍵の貸出し管理簿) is past its due time and not returned.'),
   tmac.msgid('Get the key back and record it with tmac.return_key.'), '{containers}'),
  ('visitor_without_escort', 'IV', 'high',
   tmac.msgid('Visitor without escort'),
   tmac.msgid('A visitor entered a restricted area with no escort (立会者) recorded (seed ⑦/⑧: アクセス権を設定された者の立会い).'),
   tmac.msgid('Record the escort (tmac.record_exit with escort), or investigate the entry.'), '{areas}'),
  ('custodian_terminated', 'III', 'high',
   tmac.msgid('Custodian who was terminated'),
   tmac.msgid('The custodian of a container, restricted area or key was terminated; nobody is responsible for it.'),
   tmac.msgid('Hand it to an active person with tmac.set_custodian (and change the combination).'), '{containers}'),
  ('transport_receipt_missing', 'III', 'medium',
   tmac.msgid('Sealed transport without receipt'),
   tmac.msgid('A sealed transport sent more than 7 days ago has no receipt (受領証) recorded (seed ⑧: 運搬後、受領証を受け取り、管理者に提出).'),
   tmac.msgid('Get the receipt and record it with tmac.record_receipt.'), '{containers}')
) AS c(check_code, criterion, severity, title, description, remedy, population);

UPDATE tmac.criterion SET evidence = CASE criterion
  WHEN 'III' THEN 'storage containers, their holders and assets, keys and their loans, combination changes, sealed transports (tmac.container, tmac.container_holder, tmac.container_asset, tmac.physical_key, tmac.key_loan, tmac.combination_change, tmac.sealed_transport)'
  WHEN 'IV'  THEN 'restricted areas and their entry log (tmac.restricted_area, tmac.area_entry)'
  ELSE evidence END
 WHERE criterion IN ('III', 'IV');
