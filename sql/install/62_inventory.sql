-- 62_inventory.sql — 重要情報目録: the inventory of important information (seed ①, criterion I-1).
--
-- One row of tmac.asset is one line of the seed's 目録: asset number, 業務分類, 名称,
-- 備考, 利用者範囲, 管理部署, 媒体・保存先, 個人情報の種類, 保存期限, 登録日, plus what an
-- auditor asks next: the classification label, the 管理責任者 (a person), who of
-- 経営層 designated it as important and when, whether it is the company's own or
-- entrusted (預託) with the entrusting company, contract reference and the measures
-- the contract requires, when the entry was last reviewed, and its status.
--
-- 保存先 is a free-text location (a container, an area, a system) and/or database
-- objects: tmac.asset_binding binds a table or a whole schema to the asset, so a
-- protected table *is* an inventory entry (tmac.protect(tbl, col, asset) binds it
-- in the same call).  A protected or labelled table bound to no active asset is a
-- finding (asset_table_unbound).
--
-- Written only through the functions below (tmac_admin, each its caller's own act,
-- tmac.acting_role); every change is audited; rows are retired, never deleted.
-- The findings come from one set-based function (tmac.check_inventory) that reads
-- the inventory once, registered at the end of this file.
--
-- Its compliance checks, population and evidence of I-1 are registered at the end of this file.

-- How findings name many things (assets a provider holds, grants an approver approved; used by
-- later files' checks too): the first ten, then how many more.
CREATE FUNCTION tmac.first_ten(items text[]) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN pg_catalog.array_to_string(items[1:10], ', ')
         || CASE WHEN pg_catalog.cardinality(items) > 10
                 THEN tmac.message(' and %s more', pg_catalog.cardinality(items) - 10) ELSE '' END;
COMMENT ON FUNCTION tmac.first_ten(text[]) IS 'Internal (findings'' details): the first ten items, comma-separated, then "and N more"';

CREATE TABLE tmac.asset (
  asset_no          text PRIMARY KEY CHECK (asset_no ~ '^\S(.*\S)?$' AND length(asset_no) <= 100),
  asset_id          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,   -- what the ledgers (④⑥⑧) reference
  business_category text NOT NULL CHECK (btrim(business_category) <> ''),
  name              text NOT NULL CHECK (btrim(name) <> ''),
  notes             text,
  label             tmac.label,
  managing_group_id integer,         -- (no foreign key: groups are never deleted, and a truncation of the vocabulary is refused by its own trigger)
  manager           text REFERENCES tmac.person,
  user_scope        text,
  medium            text NOT NULL CHECK (medium IN ('paper', 'electronic', 'prototype', 'equipment', 'other')),
  location          text CHECK (btrim(location) <> ''),
  personal_info     text[] NOT NULL DEFAULT '{}'
                    CHECK (personal_info <@ ARRAY['personal', 'sensitive', 'my_number']::text[]),
  retain_until      date,
  registered_on     date NOT NULL,
  designated_by     text REFERENCES tmac.person,
  designated_on     date,
  origin            text NOT NULL DEFAULT 'own' CHECK (origin IN ('own', 'entrusted')),
  entrusted_by      text,
  contract_ref      text,
  contract_measures text,
  reviewed_at       timestamptz NOT NULL DEFAULT now(),
  reviewed_by       name NOT NULL DEFAULT tmac.invoker(),
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  retired_at        timestamptz,
  retire_reason     text,
  registered_at     timestamptz NOT NULL DEFAULT now(),
  registered_by     name NOT NULL DEFAULT tmac.invoker(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'retired') = (retired_at IS NOT NULL)),
  CHECK (origin = 'own' OR btrim(entrusted_by) <> '')
);
COMMENT ON TABLE tmac.asset IS
  '重要情報目録 / inventory of important information (seed ①, I-1): one row per asset, retired not deleted; written through tmac.register_asset, update_asset, review_assets, retire_asset';
COMMENT ON COLUMN tmac.asset.asset_no IS '管理番号 / asset number';
COMMENT ON COLUMN tmac.asset.business_category IS '業務分類 / business category (営業, 技術, …)';
COMMENT ON COLUMN tmac.asset.name IS '情報資産名称 / name of the information asset';
COMMENT ON COLUMN tmac.asset.notes IS '備考 / notes';
COMMENT ON COLUMN tmac.asset.label IS '分類 / classification label (the marking it must carry: tmac.marking(label))';
COMMENT ON COLUMN tmac.asset.managing_group_id IS '管理部署 / managing department (tmac.org_group.group_id)';
COMMENT ON COLUMN tmac.asset.manager IS '管理責任者 / the person responsible for the asset (tmac.person)';
COMMENT ON COLUMN tmac.asset.user_scope IS '利用者範囲 / who may use it (e.g. 開発部, 関係者限り)';
COMMENT ON COLUMN tmac.asset.medium IS '媒体 / medium: paper, electronic, prototype, equipment or other';
COMMENT ON COLUMN tmac.asset.location IS '保存先 / where it is kept outside the database: a container, an area, a system (database objects: tmac.asset_binding)';
COMMENT ON COLUMN tmac.asset.personal_info IS '個人情報の種類 / kinds of personal information it holds: personal (個人情報), sensitive (要配慮個人情報), my_number (特定個人情報)';
COMMENT ON COLUMN tmac.asset.retain_until IS '保存期限 / keep until';
COMMENT ON COLUMN tmac.asset.registered_on IS '登録日 / date entered in the inventory';
COMMENT ON COLUMN tmac.asset.designated_by IS '指定者 / the person of 経営層 who designated it as important information';
COMMENT ON COLUMN tmac.asset.designated_on IS '指定日 / when it was designated';
COMMENT ON COLUMN tmac.asset.origin IS '由来 / own (自社) or entrusted (預託: another company''s information held under contract)';
COMMENT ON COLUMN tmac.asset.entrusted_by IS '委託元 / the entrusting company (origin entrusted)';
COMMENT ON COLUMN tmac.asset.contract_ref IS '契約 / reference of the contract or NDA under which it is held';
COMMENT ON COLUMN tmac.asset.contract_measures IS '契約上の措置 / the measures the contract requires (seed ②: 他社が求める対策)';
COMMENT ON COLUMN tmac.asset.reviewed_at IS '見直し / when the entry was last reviewed (tmac.review_assets); due again after the inventory_review_interval setting';
COMMENT ON COLUMN tmac.asset.reviewed_by IS 'The role that recorded the last review';
COMMENT ON COLUMN tmac.asset.asset_id IS '内部番号 / surrogate key the handling ledger, incidents, containers and transports reference (the asset number may be corrected, this never changes)';
COMMENT ON COLUMN tmac.asset.status IS 'active or retired (no longer important information; the row stays as evidence)';
COMMENT ON COLUMN tmac.asset.retired_at IS 'When it was retired (tmac.retire_asset)';
COMMENT ON COLUMN tmac.asset.retire_reason IS 'Why it was retired';
COMMENT ON COLUMN tmac.asset.registered_at IS 'When the row was recorded';
COMMENT ON COLUMN tmac.asset.registered_by IS 'The tmac_admin role that recorded it';
COMMENT ON COLUMN tmac.asset.updated_at IS 'When the row last changed';
CREATE INDEX asset_manager_idx ON tmac.asset (manager);

-- Database objects that hold an asset: a table (with its partitions and children) or a schema.
CREATE TABLE tmac.asset_binding (
  binding_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  asset_no    text NOT NULL REFERENCES tmac.asset,
  relid       regclass UNIQUE,
  schema_name name UNIQUE,
  bound_at    timestamptz NOT NULL DEFAULT now(),
  bound_by    name NOT NULL DEFAULT tmac.invoker(),
  CHECK (num_nonnulls(relid, schema_name) = 1)
);
COMMENT ON TABLE tmac.asset_binding IS
  '保存先（データベース） / database objects holding an asset: a table (with its partitions and inheritance children) or a whole schema; each object belongs to at most one asset';
COMMENT ON COLUMN tmac.asset_binding.binding_id IS 'Identifies the binding';
COMMENT ON COLUMN tmac.asset_binding.asset_no IS 'The asset (tmac.asset) the object holds';
COMMENT ON COLUMN tmac.asset_binding.relid IS 'A table bound to the asset (NULL for a schema binding)';
COMMENT ON COLUMN tmac.asset_binding.schema_name IS 'A schema bound to the asset, by name (pg_upgrade keeps no regnamespace column): every table in it is bound (NULL for a table binding); renaming the schema unbinds it, which shows as asset_table_unbound';
COMMENT ON COLUMN tmac.asset_binding.bound_at IS 'When it was bound';
COMMENT ON COLUMN tmac.asset_binding.bound_by IS 'The role that bound it';
CREATE INDEX asset_binding_asset_idx ON tmac.asset_binding (asset_no);

INSERT INTO tmac.setting_default VALUES
  ('inventory_review_interval', '12 months', tmac.msgid('Every active asset of the inventory must have been reviewed (tmac.review_assets) within this interval (a positive interval)'));

-- Raises a clear error when an asset row is not acceptable (shared by register and update).
CREATE FUNCTION tmac.asset_validate(a tmac.asset) RETURNS void
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF a.asset_no IS NULL OR a.asset_no !~ '^\S(.*\S)?$' OR length(a.asset_no) > 100 THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid asset number %L', a.asset_no),
      ERRCODE = 'invalid_parameter_value', HINT = tmac.message('An asset number is 1 to 100 characters without leading or trailing spaces.');
  END IF;
  IF coalesce(btrim(a.name), '') = '' OR coalesce(btrim(a.business_category), '') = '' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('asset "%s" needs a name and a business category', a.asset_no), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF a.medium IS NULL OR a.medium NOT IN ('paper', 'electronic', 'prototype', 'equipment', 'other') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid medium %L', a.medium),
      ERRCODE = 'invalid_parameter_value', HINT = tmac.message('Media: paper, electronic, prototype, equipment, other.');
  END IF;
  IF NOT a.personal_info <@ ARRAY['personal', 'sensitive', 'my_number']::text[] THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid personal_info %s', a.personal_info),
      ERRCODE = 'invalid_parameter_value', HINT = tmac.message('Kinds: personal, sensitive, my_number.');
  END IF;
  IF a.origin IS NULL OR a.origin NOT IN ('own', 'entrusted') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid origin %L', a.origin),
      ERRCODE = 'invalid_parameter_value', HINT = tmac.message('Origins: own (自社), entrusted (預託).');
  END IF;
  IF a.origin = 'entrusted' AND coalesce(btrim(a.entrusted_by), '') = '' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('entrusted asset "%s" must name the entrusting company (entrusted_by)', a.asset_no),
      ERRCODE = 'invalid_parameter_value';
  END IF;
  IF a.location IS NOT NULL AND btrim(a.location) = '' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('location must not be empty'), ERRCODE = 'invalid_parameter_value', HINT = tmac.message('Use NULL for no location.');
  END IF;
  IF a.manager IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = a.manager) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown person "%s" (manager)', a.manager), ERRCODE = 'foreign_key_violation',
      HINT = tmac.message('Persons are created by a hire event in tmac.hr_event.');
  END IF;
  IF a.designated_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = a.designated_by) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown person "%s" (designated_by)', a.designated_by), ERRCODE = 'foreign_key_violation',
      HINT = tmac.message('Persons are created by a hire event in tmac.hr_event.');
  END IF;
  IF a.designated_on > tmac.today() OR a.registered_on > tmac.today() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('asset "%s": designated_on and registered_on must not be in the future', a.asset_no),
      ERRCODE = 'invalid_parameter_value';
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.asset_validate(tmac.asset) IS 'Internal: raises 22023 or 23503 with a clear message when an inventory row is not acceptable';


CREATE FUNCTION tmac.register_asset(
    asset_no text, name text, business_category text, medium text,
    label text DEFAULT NULL, manager text DEFAULT NULL, managing_group text DEFAULT NULL,
    user_scope text DEFAULT NULL, location text DEFAULT NULL, retain_until date DEFAULT NULL,
    designated_by text DEFAULT NULL, designated_on date DEFAULT NULL,
    origin text DEFAULT 'own', entrusted_by text DEFAULT NULL, contract_ref text DEFAULT NULL,
    contract_measures text DEFAULT NULL, personal_info text[] DEFAULT '{}', notes text DEFAULT NULL,
    registered_on date DEFAULT NULL)
  RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('register an asset in the inventory'));
  a tmac.asset;
BEGIN
  PERFORM tmac.require_arguments('register_asset', 'asset_no', asset_no, 'name', name,
                                 'business_category', business_category, 'medium', medium);
  medium := tmac.enum_code('asset_medium', medium); origin := tmac.enum_code('asset_origin', origin);
  personal_info := ARRAY(SELECT tmac.enum_code('personal_info', x) FROM unnest(personal_info) x);
  IF EXISTS (SELECT 1 FROM tmac.asset x WHERE x.asset_no = register_asset.asset_no) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('asset "%s" is already in the inventory', asset_no), ERRCODE = 'unique_violation',
      HINT = tmac.message('Change it with tmac.update_asset(asset_no, changes).');
  END IF;
  a.asset_no := asset_no; a.name := btrim(name); a.business_category := btrim(business_category);
  a.medium := lower(btrim(medium)); a.label := label::tmac.label; a.manager := manager;
  a.managing_group_id := tmac.vocabulary_id('group', managing_group); a.user_scope := user_scope;
  a.location := location; a.retain_until := retain_until; a.designated_by := designated_by;
  a.designated_on := designated_on; a.origin := lower(btrim(origin)); a.entrusted_by := entrusted_by;
  a.contract_ref := contract_ref; a.contract_measures := contract_measures;
  a.personal_info := coalesce(personal_info, '{}'); a.notes := notes;
  a.registered_on := coalesce(registered_on, tmac.today());
  PERFORM tmac.asset_validate(a);
  INSERT INTO tmac.asset (asset_no, business_category, name, notes, label, managing_group_id, manager, user_scope,
                          medium, location, personal_info, retain_until, registered_on, designated_by, designated_on,
                          origin, entrusted_by, contract_ref, contract_measures, reviewed_by, registered_by)
  VALUES (a.asset_no, a.business_category, a.name, a.notes, a.label, a.managing_group_id, a.manager, a.user_scope,
          a.medium, a.location, a.personal_info, a.retain_until, a.registered_on, a.designated_by, a.designated_on,
          a.origin, a.entrusted_by, a.contract_ref, a.contract_measures, me, me);
  RETURN a.asset_no;
END
$$;
COMMENT ON FUNCTION tmac.register_asset(text, text, text, text, text, text, text, text, text, date, text, date, text, text, text, text, text[], text, date) IS '目録への登録 / registers an asset in the inventory (tmac_admin): asset number, name, business category, medium (paper, electronic, prototype, equipment, other) and the other 目録 fields; returns the asset number';

-- The columns update_asset may change, as the keys of its changes object.
CREATE FUNCTION tmac.update_asset(asset_no text, changes jsonb) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('change an asset of the inventory'));
  allowed constant text[] := ARRAY['business_category', 'name', 'notes', 'label', 'managing_group', 'manager',
    'user_scope', 'medium', 'location', 'personal_info', 'retain_until', 'registered_on', 'designated_by',
    'designated_on', 'origin', 'entrusted_by', 'contract_ref', 'contract_measures'];
  bad text;
  a tmac.asset;
BEGIN
  PERFORM tmac.require_arguments('update_asset', 'asset_no', asset_no, 'changes', changes::text);
  IF jsonb_typeof(changes) <> 'object' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('changes must be a JSON object'), ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT k INTO bad FROM jsonb_object_keys(changes) k WHERE NOT k = ANY (allowed) LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('asset field "%s" cannot be changed with update_asset', bad), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('Fields: %s. Reviews: tmac.review_assets; retirement: tmac.retire_asset.', array_to_string(allowed, ', '));
  END IF;
  a := tmac.row_for_update(NULL::tmac.asset, 'asset_no', asset_no, tmac.message('unknown asset "%s"', asset_no), 'undefined_object');
  IF a.status = 'retired' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('asset "%s" is retired', asset_no), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  a := jsonb_populate_record(a, changes - 'managing_group');
  a.medium := tmac.enum_code('asset_medium', a.medium); a.origin := tmac.enum_code('asset_origin', a.origin);
  a.personal_info := ARRAY(SELECT tmac.enum_code('personal_info', x) FROM unnest(a.personal_info) x);
  IF changes ? 'managing_group' THEN
    a.managing_group_id := tmac.vocabulary_id('group', changes ->> 'managing_group');
  END IF;
  PERFORM tmac.asset_validate(a);
  UPDATE tmac.asset x
     SET business_category = a.business_category, name = a.name, notes = a.notes, label = a.label,
         managing_group_id = a.managing_group_id, manager = a.manager, user_scope = a.user_scope, medium = a.medium,
         location = a.location, personal_info = a.personal_info, retain_until = a.retain_until,
         registered_on = a.registered_on, designated_by = a.designated_by, designated_on = a.designated_on,
         origin = a.origin, entrusted_by = a.entrusted_by, contract_ref = a.contract_ref,
         contract_measures = a.contract_measures, updated_at = now()
   WHERE x.asset_no = a.asset_no;
END
$$;
COMMENT ON FUNCTION tmac.update_asset(text, jsonb) IS '目録の変更 / changes fields of an active asset (tmac_admin), given as a JSON object, e.g. {"manager":"E1","location":"金庫A"}; managing_group by code or name';

CREATE FUNCTION tmac.review_assets(asset_nos text[] DEFAULT NULL, note text DEFAULT NULL) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('review the inventory'));
  n integer;
  missing text;
BEGIN
  SELECT x INTO missing FROM unnest(asset_nos) x
   WHERE NOT EXISTS (SELECT 1 FROM tmac.asset a WHERE a.asset_no = x AND a.status = 'active') LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('no active asset "%s"', missing), ERRCODE = 'undefined_object';
  END IF;
  UPDATE tmac.asset a SET reviewed_at = now(), reviewed_by = me, updated_at = now()
   WHERE a.status = 'active' AND (asset_nos IS NULL OR a.asset_no = ANY (asset_nos));
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM tmac.audit_append('asset', 'REVIEW', NULL,
            jsonb_build_object('assets', coalesce(to_jsonb(asset_nos), '"all active"'::jsonb), 'count', n, 'note', note));
  RETURN n;
END
$$;
COMMENT ON FUNCTION tmac.review_assets(text[], text) IS '目録の見直し / records that the inventory (all active assets, or those named) was reviewed now, with a note (tmac_admin); returns how many';

CREATE FUNCTION tmac.retire_asset(asset_no text, reason text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('retire an asset of the inventory'));
  PERFORM tmac.require_arguments('retire_asset', 'asset_no', asset_no, 'reason', reason);
  IF btrim(reason) = '' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a retirement needs a reason'), ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE tmac.asset a SET status = 'retired', retired_at = now(), retire_reason = reason, updated_at = now()
   WHERE a.asset_no = retire_asset.asset_no AND a.status = 'active';
  PERFORM tmac.require_found(FOUND, tmac.message('no active asset "%s"', asset_no), 'undefined_object');
END
$$;
COMMENT ON FUNCTION tmac.retire_asset(text, text) IS '目録からの除外 / retires an asset (tmac_admin): it stays as evidence; tables still bound to it count as unbound';

-- The one check of the acts that name an asset of the inventory: error 42704 unless it is active
-- (with the act's hint, when it has one).
CREATE FUNCTION tmac.require_active_asset(asset_no text, hint text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF EXISTS (SELECT 1 FROM tmac.asset a WHERE a.asset_no = require_active_asset.asset_no AND a.status = 'active') THEN
    RETURN;
  ELSIF hint IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('no active asset "%s"', asset_no), ERRCODE = 'undefined_object';
  END IF;
  RAISE EXCEPTION USING MESSAGE = tmac.message('no active asset "%s"', asset_no), ERRCODE = 'undefined_object', HINT = hint;
END
$$;
COMMENT ON FUNCTION tmac.require_active_asset(text, text) IS 'Internal (bind_table, bind_schema, entrust_asset): error 42704 unless the asset is an active one of the inventory';

CREATE FUNCTION tmac.bind_table(asset_no text, tbl regclass) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  other text;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('bind a table to an asset'));
  PERFORM tmac.require_arguments('bind_table', 'asset_no', asset_no, 'tbl', tbl::text);
  PERFORM tmac.require_active_asset(asset_no, tmac.message('Register it first with tmac.register_asset.'));
  IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = tbl) NOT IN ('r', 'p', 'f') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('"%s" is not a table', tbl), ERRCODE = 'wrong_object_type';
  END IF;
  SELECT b.asset_no INTO other FROM tmac.asset_binding b WHERE b.relid = tbl;
  IF other = asset_no THEN
    RETURN;
  ELSIF other IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('table "%s" is already bound to asset "%s"', tbl, other), ERRCODE = 'unique_violation',
      HINT = tmac.message('Unbind it first with tmac.unbind_table.');
  END IF;
  INSERT INTO tmac.asset_binding (asset_no, relid) VALUES (asset_no, tbl);
END
$$;
COMMENT ON FUNCTION tmac.bind_table(text, regclass) IS '保存先の登録 / binds a table (with its partitions and children) to an active asset of the inventory (tmac_admin)';

CREATE FUNCTION tmac.bind_schema(asset_no text, schema regnamespace) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  other text;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('bind a schema to an asset'));
  PERFORM tmac.require_arguments('bind_schema', 'asset_no', asset_no, 'schema', schema::text);
  PERFORM tmac.require_active_asset(asset_no, tmac.message('Register it first with tmac.register_asset.'));
  IF schema IN ('tmac'::regnamespace, 'pg_catalog'::regnamespace, 'information_schema'::regnamespace) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('schema %s cannot hold an asset', schema), ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT b.asset_no INTO other FROM tmac.asset_binding b
   WHERE b.schema_name = (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = schema);
  IF other = asset_no THEN
    RETURN;
  ELSIF other IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('schema %s is already bound to asset "%s"', schema, other), ERRCODE = 'unique_violation',
      HINT = tmac.message('Unbind it first with tmac.unbind_schema.');
  END IF;
  INSERT INTO tmac.asset_binding (asset_no, schema_name)
  SELECT bind_schema.asset_no, n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = schema;
END
$$;
COMMENT ON FUNCTION tmac.bind_schema(text, regnamespace) IS '保存先の登録 / binds a schema (every table in it) to an active asset of the inventory (tmac_admin)';

CREATE FUNCTION tmac.unbind_table(tbl regclass) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('unbind a table from its asset'));
  DELETE FROM tmac.asset_binding b WHERE b.relid = tbl;
  PERFORM tmac.require_found(FOUND, tmac.message('table "%s" is not bound to an asset', tbl), 'undefined_object');
END
$$;
COMMENT ON FUNCTION tmac.unbind_table(regclass) IS 'Removes a table''s binding to its asset (tmac_admin; audited)';

CREATE FUNCTION tmac.unbind_schema(schema regnamespace) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('unbind a schema from its asset'));
  DELETE FROM tmac.asset_binding b
   WHERE b.schema_name = (SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.oid = schema);
  PERFORM tmac.require_found(FOUND, tmac.message('schema %s is not bound to an asset', schema), 'undefined_object');
END
$$;
COMMENT ON FUNCTION tmac.unbind_schema(regnamespace) IS 'Removes a schema''s binding to its asset (tmac_admin; audited)';

-- A dropped table or schema leaves the bindings with it (audited by the binding's trigger).
CREATE FUNCTION tmac.forget_dropped_bindings() RETURNS event_trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF tmac.restoring() THEN
    RETURN;
  END IF;
  DELETE FROM tmac.asset_binding b
   USING pg_catalog.pg_event_trigger_dropped_objects() d
   WHERE d.objsubid = 0
     AND ((d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = b.relid::oid)
          OR (d.classid = 'pg_catalog.pg_namespace'::regclass AND d.object_name = b.schema_name));
END
$$;
COMMENT ON FUNCTION tmac.forget_dropped_bindings() IS 'Event trigger (DROP TABLE, DROP SCHEMA): removes the asset bindings of dropped tables and schemas';
CREATE EVENT TRIGGER tmac_forget_dropped_bindings ON sql_drop
  WHEN TAG IN ('DROP TABLE', 'DROP SCHEMA', 'DROP OWNED', 'DROP FOREIGN TABLE')
  EXECUTE FUNCTION tmac.forget_dropped_bindings();
COMMENT ON EVENT TRIGGER tmac_forget_dropped_bindings IS
  'Removes the asset bindings of dropped tables and schemas (audited)';

SELECT tmac.add_audit_trigger('tmac.asset', 'asset_no');
SELECT tmac.add_audit_trigger('tmac.asset_binding', 'binding_id', 'asset_no');
SELECT tmac.keep_forever('tmac.asset');
SELECT pg_catalog.pg_extension_config_dump('tmac.asset_binding', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.asset_binding_binding_id_seq', '');

-- The inventory's findings, one pass over the active assets (check codes at the end of this file).
--   asset_table_unbound          a protected or labelled table bound to no active asset
--   asset_no_manager             an active asset without a 管理責任者
--   asset_manager_left           an active asset whose 管理責任者 is terminated
--   asset_no_location            an active asset with neither a location nor a bound database object
--   asset_review_overdue         an active asset not reviewed within inventory_review_interval
--   asset_contract_measures_missing  an entrusted asset without contract reference or required measures
-- (jit off: compiling this plan costs seconds on 100,000 rows, running it a fraction of that)
CREATE FUNCTION tmac.check_inventory() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET jit = off SET work_mem = '64MB'
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT tmac.setting_value('inventory_review_interval')::interval AS iv
  ), a AS MATERIALIZED (      -- only the active assets some check below may report (one pass, few rows kept)
    SELECT a.asset_no, a.name, a.manager, a.location, a.origin, a.entrusted_by, a.contract_ref, a.contract_measures,
           a.reviewed_at, a.registered_at, t.full_name AS manager_name, t.person_id IS NOT NULL AS manager_left,
           t.terminated_at AS manager_left_at, bd.asset_no IS NOT NULL AS bound
      FROM tmac.asset a CROSS JOIN s
      LEFT JOIN (SELECT p.person_id, p.full_name, p.terminated_at FROM tmac.person p WHERE p.status = 'terminated') t
             ON t.person_id = a.manager
      LEFT JOIN (SELECT DISTINCT b.asset_no FROM tmac.asset_binding b) bd ON bd.asset_no = a.asset_no
     WHERE a.status = 'active'
       AND (a.manager IS NULL OR t.person_id IS NOT NULL OR a.location IS NULL
            OR a.reviewed_at + s.iv < now() OR a.origin = 'entrusted')
  ), candidate AS (            -- protected tables and tables carrying a tmac label (on the table or a column)
    SELECT pt.relid::oid AS relid FROM tmac.protected_table pt
    UNION
    SELECT sl.objoid FROM pg_catalog.pg_seclabel sl
      JOIN pg_catalog.pg_class c ON c.oid = sl.objoid
     WHERE sl.provider = 'tmac' AND sl.classoid = 'pg_catalog.pg_class'::regclass AND c.relkind IN ('r', 'p', 'f')
       AND c.relnamespace <> 'tmac'::regnamespace
  ), up(relid, anc) AS (       -- each candidate with itself and all its ancestors
    WITH RECURSIVE u(relid, anc) AS (
      SELECT c.relid, c.relid FROM candidate c
      UNION
      SELECT u.relid, i.inhparent FROM u JOIN pg_catalog.pg_inherits i ON i.inhrelid = u.anc
    ) SELECT u.relid, u.anc FROM u
  ), bound AS (
    SELECT DISTINCT up.relid
      FROM up JOIN pg_catalog.pg_class c ON c.oid = up.anc
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN tmac.asset_binding b ON b.relid::oid = up.anc OR b.schema_name = n.nspname
      JOIN tmac.asset x ON x.asset_no = b.asset_no AND x.status = 'active'
  )
  SELECT 'asset_table_unbound', 'table:' || c.relid::regclass::text,
         CASE WHEN EXISTS (SELECT 1 FROM tmac.protected_table pt WHERE pt.relid::oid = c.relid)
              THEN tmac.message('Table %s is protected but bound to no active asset of the inventory (重要情報目録). Register the asset and bind the table: tmac.bind_table(asset_no, %L), or tmac.protect(table, label_column, asset_no).',
                                c.relid::regclass, c.relid::regclass::text)
              ELSE tmac.message('Table %s is labelled but bound to no active asset of the inventory (重要情報目録). Register the asset and bind the table: tmac.bind_table(asset_no, %L), or tmac.protect(table, label_column, asset_no).',
                                c.relid::regclass, c.relid::regclass::text) END,
         NULL::timestamptz
    FROM candidate c
   WHERE NOT EXISTS (SELECT 1 FROM bound b WHERE b.relid = c.relid)
  UNION ALL
  SELECT 'asset_no_manager', 'asset:' || a.asset_no,
         tmac.message('Asset %s (%s) has no 管理責任者 (manager). Name one: tmac.update_asset(%L, ''{"manager":"<person_id>"}'').',
                a.asset_no, a.name, a.asset_no),
         a.registered_at
    FROM a WHERE a.manager IS NULL
  UNION ALL
  SELECT 'asset_manager_left', 'asset:' || a.asset_no,
         tmac.message('The 管理責任者 of asset %s (%s), %s (%s), left on %s. Name a new manager with tmac.update_asset.',
                a.asset_no, a.name, a.manager, a.manager_name, a.manager_left_at),
         a.manager_left_at
    FROM a WHERE a.manager_left
  UNION ALL
  SELECT 'asset_no_location', 'asset:' || a.asset_no,
         tmac.message('Asset %s (%s) has no 保存先 (location): neither a location nor a bound table or schema. Record where it is kept (tmac.update_asset with "location", or tmac.bind_table).',
                a.asset_no, a.name),
         a.registered_at
    FROM a WHERE a.location IS NULL AND NOT a.bound
  UNION ALL
  SELECT 'asset_review_overdue', 'asset:' || a.asset_no,
         tmac.message('Asset %s (%s) was last reviewed on %s, more than %s ago (inventory_review_interval). Review the inventory: tmac.review_assets().',
                a.asset_no, a.name, a.reviewed_at, s.iv),
         a.reviewed_at + s.iv
    FROM a CROSS JOIN s WHERE a.reviewed_at + s.iv < now()
  UNION ALL
  SELECT 'asset_contract_measures_missing', 'asset:' || a.asset_no,
         CASE WHEN coalesce(btrim(a.contract_ref), '') = '' AND coalesce(btrim(a.contract_measures), '') = ''
              THEN tmac.message('Asset %s (%s) is entrusted by %s but the contract and the measures it requires are not recorded. Record them: tmac.update_asset(%L, ''{"contract_ref":"…","contract_measures":"…"}'').',
                                a.asset_no, a.name, a.entrusted_by, a.asset_no)
              WHEN coalesce(btrim(a.contract_ref), '') = ''
              THEN tmac.message('Asset %s (%s) is entrusted by %s but the contract reference is not recorded. Record them: tmac.update_asset(%L, ''{"contract_ref":"…","contract_measures":"…"}'').',
                                a.asset_no, a.name, a.entrusted_by, a.asset_no)
              ELSE tmac.message('Asset %s (%s) is entrusted by %s but the measures the contract requires are not recorded. Record them: tmac.update_asset(%L, ''{"contract_ref":"…","contract_measures":"…"}'').',
                                a.asset_no, a.name, a.entrusted_by, a.asset_no) END,
         a.registered_at
    FROM a WHERE a.origin = 'entrusted'
            AND (coalesce(btrim(a.contract_ref), '') = '' OR coalesce(btrim(a.contract_measures), '') = '');
END;
COMMENT ON FUNCTION tmac.check_inventory() IS 'Checks of the inventory (I-1), one pass: asset_table_unbound, asset_no_manager, asset_manager_left, asset_no_location, asset_review_overdue, asset_contract_measures_missing';


-- The inventory's checks (① 重要情報目録, I-1; check_inventory above) in the compliance registry
-- (45_compliance_registry.sql): the population they examine, the checks, the evidence of I-1.

INSERT INTO tmac.compliance_population VALUES
  ('assets',       '目録の有効な管理対象情報', tmac.msgid('active assets of the inventory'), 'SELECT count(*) FROM tmac.asset WHERE status = ''active''');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.check_code, c.criterion, c.severity, c.title, c.description, c.remedy, 'tmac.check_inventory', '{}', c.population::text[], true
  FROM (VALUES
  ('asset_table_unbound', 'I-1', 'high', tmac.msgid('Protected or labelled table not in the inventory'),
   tmac.msgid('A table protected by tmac.protect or classified with SECURITY LABEL FOR tmac is bound to no active asset of the inventory (重要情報目録), directly, through a parent table or through its schema: important information is held that the inventory does not name (seed ①).'),
   tmac.msgid('Register the asset (tmac.register_asset) and bind the table or its schema (tmac.bind_table, tmac.bind_schema, or tmac.protect(table, label_column, asset_no)).'), '{protected_tables}'),
  ('asset_no_manager', 'I-1', 'medium', tmac.msgid('Asset without a manager'),
   tmac.msgid('An active asset of the inventory names no 管理責任者 (the person responsible for it).'),
   tmac.msgid('Name one: tmac.update_asset(asset_no, ''{"manager":"<person_id>"}'').'), '{assets}'),
  ('asset_manager_left', 'I-1', 'high', tmac.msgid('Asset whose manager left'),
   tmac.msgid('The 管理責任者 of an active asset is terminated: nobody is responsible for it any more.'),
   tmac.msgid('Name a new manager with tmac.update_asset.'), '{assets}'),
  ('asset_no_location', 'I-1', 'medium', tmac.msgid('Asset without a location'),
   tmac.msgid('An active asset records neither a 保存先 (a container, area or system) nor a bound table or schema.'),
   tmac.msgid('Record where it is kept: tmac.update_asset with "location", or tmac.bind_table / tmac.bind_schema.'), '{assets}'),
  ('asset_review_overdue', 'I-1', 'medium', tmac.msgid('Inventory not reviewed'),
   tmac.msgid('An active asset was not reviewed within the inventory_review_interval setting (12 months by default): the inventory may no longer describe what is held.'),
   tmac.msgid('Review the inventory and record it: tmac.review_assets() (all active assets) or tmac.review_assets(ARRAY[...]).'), '{assets}'),
  ('asset_contract_measures_missing', 'I-1', 'high', tmac.msgid('Entrusted information without its contract measures'),
   tmac.msgid('An asset entrusted by another company (預託) records no contract reference or no measures the contract requires (seed ②: 他社が求める対策).'),
   tmac.msgid('Record them: tmac.update_asset(asset_no, ''{"contract_ref":"…","contract_measures":"…"}'').'), '{assets}')
) AS c(check_code, criterion, severity, title, description, remedy, population);

UPDATE tmac.criterion
   SET evidence = '重要情報目録: the inventory (tmac.asset) and the tables and schemas bound to it (tmac.asset_binding); classification labels on tables and columns (SECURITY LABEL FOR tmac) and the protected tables (tmac.protected_table)'
 WHERE criterion = 'I-1';
