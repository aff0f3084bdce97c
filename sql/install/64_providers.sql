-- 64_providers.sql — 委託先: external providers (seed ⑨ and 委託管理, criterion V).
--
-- Cloud services, data centres, carriers (運搬事業者), staffing agencies (派遣元)
-- and subcontractors that hold or handle important information: tmac.provider
-- with its NDA (秘密保持契約: date, expiry, reference) and its evaluation
-- (委託先評価); tmac.provider_asset says which assets of the inventory each
-- holds; tmac.contractor_agency says which agency a contractor person comes
-- from.  Providers are written by tmac_admin, a contractor's agency by HR
-- (tmac_hr), both through the functions below, audited; findings in
-- tmac.check_providers.
--
-- Its compliance checks, population and evidence of V are registered at the end of this file.

CREATE TABLE tmac.provider (
  provider_id    text PRIMARY KEY CHECK (tmac.valid_code(provider_id)),
  name           text NOT NULL CHECK (btrim(name) <> ''),
  service        text NOT NULL CHECK (service IN ('cloud', 'data_centre', 'carrier', 'staffing_agency', 'subcontractor', 'other')),
  description    text,
  nda_signed_on  date,
  nda_expires_on date CHECK (nda_expires_on >= nda_signed_on),
  nda_ref        text,
  evaluated_on   date,
  evaluation     text CHECK (evaluation IN ('approved', 'conditional', 'rejected')),
  evaluation_note text,
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
  ended_at       timestamptz,
  end_reason     text,
  registered_at  timestamptz NOT NULL DEFAULT now(),
  registered_by  name NOT NULL DEFAULT tmac.invoker(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'ended') = (ended_at IS NOT NULL)),
  CHECK ((evaluated_on IS NULL) = (evaluation IS NULL))
);
COMMENT ON TABLE tmac.provider IS
  '委託先 / external providers (seed ⑨, V): cloud, data centre, carrier, staffing agency, subcontractor, with NDA and evaluation; ended, never deleted';
COMMENT ON COLUMN tmac.provider.provider_id IS 'Code of the provider';
COMMENT ON COLUMN tmac.provider.name IS '事業者名 / company name';
COMMENT ON COLUMN tmac.provider.service IS '委託内容 / service: cloud, data_centre, carrier, staffing_agency, subcontractor, other';
COMMENT ON COLUMN tmac.provider.description IS 'What the provider does for the company';
COMMENT ON COLUMN tmac.provider.nda_signed_on IS '秘密保持契約締結日 / when the NDA was signed (NULL: none)';
COMMENT ON COLUMN tmac.provider.nda_expires_on IS '秘密保持契約期限 / last day of the NDA (NULL: open-ended)';
COMMENT ON COLUMN tmac.provider.nda_ref IS 'Reference of the NDA document';
COMMENT ON COLUMN tmac.provider.evaluated_on IS '評価日 / when the provider was last evaluated (委託先評価)';
COMMENT ON COLUMN tmac.provider.evaluation IS '評価結果 / approved, conditional or rejected';
COMMENT ON COLUMN tmac.provider.evaluation_note IS 'What the evaluation found';
COMMENT ON COLUMN tmac.provider.status IS 'active or ended';
COMMENT ON COLUMN tmac.provider.ended_at IS 'When the relationship ended (tmac.end_provider)';
COMMENT ON COLUMN tmac.provider.end_reason IS 'Why it ended';
COMMENT ON COLUMN tmac.provider.registered_at IS 'When the provider was recorded';
COMMENT ON COLUMN tmac.provider.registered_by IS 'The tmac_admin role that recorded it';
COMMENT ON COLUMN tmac.provider.updated_at IS 'When the row last changed';

CREATE TABLE tmac.provider_asset (
  provider_id  text NOT NULL REFERENCES tmac.provider,
  asset_no     text NOT NULL REFERENCES tmac.asset,
  since        timestamptz NOT NULL DEFAULT now(),
  note         text,
  recorded_by  name NOT NULL DEFAULT tmac.invoker(),
  PRIMARY KEY (provider_id, asset_no)
);
COMMENT ON TABLE tmac.provider_asset IS '委託先が扱う資産 / which assets of the inventory a provider holds or handles now (withdrawn: the row is removed, audited)';
COMMENT ON COLUMN tmac.provider_asset.provider_id IS 'The provider';
COMMENT ON COLUMN tmac.provider_asset.asset_no IS 'The asset (tmac.asset)';
COMMENT ON COLUMN tmac.provider_asset.since IS 'Since when';
COMMENT ON COLUMN tmac.provider_asset.note IS 'What the provider does with it';
COMMENT ON COLUMN tmac.provider_asset.recorded_by IS 'The role that recorded it';
CREATE INDEX provider_asset_asset_idx ON tmac.provider_asset (asset_no);

CREATE TABLE tmac.contractor_agency (
  person_id    text PRIMARY KEY REFERENCES tmac.person,
  provider_id  text NOT NULL REFERENCES tmac.provider,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  recorded_by  name NOT NULL DEFAULT tmac.invoker()
);
COMMENT ON TABLE tmac.contractor_agency IS '派遣元・委託元 / the staffing agency or subcontractor a contractor person comes from (set by HR: tmac.set_contractor_agency)';
COMMENT ON COLUMN tmac.contractor_agency.person_id IS 'The contractor person';
COMMENT ON COLUMN tmac.contractor_agency.provider_id IS 'Their agency (tmac.provider)';
COMMENT ON COLUMN tmac.contractor_agency.recorded_at IS 'When it was recorded';
COMMENT ON COLUMN tmac.contractor_agency.recorded_by IS 'The HR role that recorded it';
CREATE INDEX contractor_agency_provider_idx ON tmac.contractor_agency (provider_id);

CREATE FUNCTION tmac.provider_require(provider_id text, active boolean DEFAULT true) RETURNS void
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  st text;
BEGIN
  st := (tmac.row_by_key(NULL::tmac.provider, 'provider_id', provider_id, tmac.message('unknown provider "%s"', provider_id),
                         'undefined_object', tmac.message('Register it with tmac.register_provider.'))).status;
  IF active AND st <> 'active' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('provider "%s" is %s', provider_id, st), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.provider_require(text, boolean) IS 'Internal: error 42704 for an unknown provider, 55000 for an ended one';

CREATE FUNCTION tmac.register_provider(provider_id text, name text, service text, description text DEFAULT NULL)
  RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('register a provider'));
BEGIN
  PERFORM tmac.require_arguments('register_provider', 'provider_id', provider_id, 'name', name, 'service', service);
  service := tmac.enum_code('provider_service', service);   -- クラウド事業者 … (81_enumerations.sql)
  IF NOT tmac.valid_code(provider_id) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid provider code "%s"', provider_id), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('ASCII letters, digits, _ . -, at most 63 characters, starting with a letter or digit.');
  END IF;
  IF btrim(name) = '' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a provider needs a name'), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF lower(service) NOT IN ('cloud', 'data_centre', 'carrier', 'staffing_agency', 'subcontractor', 'other') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid service "%s"', service), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('Services: cloud, data_centre, carrier, staffing_agency, subcontractor, other.');
  END IF;
  IF EXISTS (SELECT 1 FROM tmac.provider p WHERE p.provider_id = register_provider.provider_id) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('provider "%s" already exists', provider_id), ERRCODE = 'unique_violation';
  END IF;
  INSERT INTO tmac.provider (provider_id, name, service, description, registered_by)
  VALUES (provider_id, btrim(name), lower(service), description, me);
  RETURN provider_id;
END
$$;
COMMENT ON FUNCTION tmac.register_provider(text, text, text, text) IS '委託先の登録 / registers an external provider (tmac_admin): code, name, service (cloud, data_centre, carrier, staffing_agency, subcontractor, other)';

CREATE FUNCTION tmac.record_provider_nda(provider_id text, signed_on date, expires_on date DEFAULT NULL, reference text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('record a provider''s NDA'));
  PERFORM tmac.require_arguments('record_provider_nda', 'provider_id', provider_id, 'signed_on', signed_on::text);
  PERFORM tmac.provider_require(provider_id);
  IF signed_on > tmac.today() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('NDA signed_on %s is in the future', signed_on), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF expires_on < signed_on THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('NDA expires_on %s is before signed_on %s', expires_on, signed_on), ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE tmac.provider p SET nda_signed_on = signed_on, nda_expires_on = expires_on, nda_ref = reference, updated_at = now()
   WHERE p.provider_id = record_provider_nda.provider_id;
END
$$;
COMMENT ON FUNCTION tmac.record_provider_nda(text, date, date, text) IS '秘密保持契約の記録 / records the NDA signed with a provider: signed on, expires on (NULL: open-ended), document reference (tmac_admin)';

CREATE FUNCTION tmac.evaluate_provider(provider_id text, evaluated_on date, evaluation text, note text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('record a provider evaluation'));
  PERFORM tmac.require_arguments('evaluate_provider', 'provider_id', provider_id, 'evaluated_on', evaluated_on::text,
                                 'evaluation', evaluation);
  evaluation := tmac.enum_code('provider_evaluation', evaluation);
  PERFORM tmac.provider_require(provider_id);
  IF lower(evaluation) NOT IN ('approved', 'conditional', 'rejected') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('invalid evaluation "%s"', evaluation), ERRCODE = 'invalid_parameter_value',
      HINT = tmac.message('Evaluations: approved, conditional, rejected.');
  END IF;
  IF evaluated_on > tmac.today() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('evaluated_on %s is in the future', evaluated_on), ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE tmac.provider p SET evaluated_on = evaluate_provider.evaluated_on, evaluation = lower(evaluate_provider.evaluation),
                             evaluation_note = note, updated_at = now()
   WHERE p.provider_id = evaluate_provider.provider_id;
END
$$;
COMMENT ON FUNCTION tmac.evaluate_provider(text, date, text, text) IS '委託先評価 / records the evaluation of a provider: approved, conditional or rejected, with a note (tmac_admin)';

CREATE FUNCTION tmac.end_provider(provider_id text, reason text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('end a provider'));
  PERFORM tmac.require_arguments('end_provider', 'provider_id', provider_id, 'reason', reason);
  PERFORM tmac.provider_require(provider_id);
  IF EXISTS (SELECT 1 FROM tmac.provider_asset pa WHERE pa.provider_id = end_provider.provider_id) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('provider "%s" still holds assets', provider_id), ERRCODE = 'object_not_in_prerequisite_state',
      HINT = tmac.message('Withdraw them first (tmac.withdraw_asset), after they were returned or erased.');
  END IF;
  UPDATE tmac.provider p SET status = 'ended', ended_at = now(), end_reason = reason, updated_at = now()
   WHERE p.provider_id = end_provider.provider_id;
END
$$;
COMMENT ON FUNCTION tmac.end_provider(text, text) IS '委託終了 / ends the relationship with a provider that holds no asset any more (tmac_admin)';

CREATE FUNCTION tmac.entrust_asset(provider_id text, asset_no text, note text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('entrust an asset to a provider'));
  PERFORM tmac.require_arguments('entrust_asset', 'provider_id', provider_id, 'asset_no', asset_no);
  PERFORM tmac.provider_require(provider_id);
  PERFORM tmac.require_active_asset(asset_no);
  INSERT INTO tmac.provider_asset (provider_id, asset_no, note) VALUES (provider_id, asset_no, note)
  ON CONFLICT ON CONSTRAINT provider_asset_pkey DO NOTHING;
END
$$;
COMMENT ON FUNCTION tmac.entrust_asset(text, text, text) IS '委託 / records that a provider holds or handles an asset of the inventory (tmac_admin); while it has no current NDA that is a finding';

CREATE FUNCTION tmac.withdraw_asset(provider_id text, asset_no text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('withdraw an asset from a provider'));
  DELETE FROM tmac.provider_asset pa WHERE pa.provider_id = withdraw_asset.provider_id AND pa.asset_no = withdraw_asset.asset_no;
  PERFORM tmac.require_found(FOUND, tmac.message('provider "%s" does not hold asset "%s"', provider_id, asset_no), 'undefined_object');
END
$$;
COMMENT ON FUNCTION tmac.withdraw_asset(text, text) IS '委託の解除 / records that a provider no longer holds an asset (tmac_admin; audited)';

CREATE FUNCTION tmac.set_contractor_agency(person_id text, provider_id text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('record a contractor''s agency'));
  k text;
BEGIN
  PERFORM tmac.require_arguments('set_contractor_agency', 'person_id', person_id, 'provider_id', provider_id);
  k := (tmac.row_by_key(NULL::tmac.person, 'person_id', person_id, tmac.message('unknown person "%s"', person_id),
                        'foreign_key_violation')).kind;
  IF k <> 'contractor' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" is a %s, not a contractor', person_id, k), ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM tmac.provider_require(provider_id);
  INSERT INTO tmac.contractor_agency AS c (person_id, provider_id, recorded_by) VALUES (person_id, provider_id, me)
  ON CONFLICT ON CONSTRAINT contractor_agency_pkey
  DO UPDATE SET provider_id = EXCLUDED.provider_id, recorded_at = now(), recorded_by = EXCLUDED.recorded_by
     WHERE c.provider_id IS DISTINCT FROM EXCLUDED.provider_id;
END
$$;
COMMENT ON FUNCTION tmac.set_contractor_agency(text, text) IS '派遣元の記録 / records the staffing agency or subcontractor (a provider) a contractor person comes from (tmac_hr)';

SELECT tmac.add_audit_trigger('tmac.provider', 'provider_id');
SELECT tmac.add_audit_trigger('tmac.provider_asset', 'asset_no', 'provider_id');
SELECT tmac.add_audit_trigger('tmac.contractor_agency', 'person_id');
SELECT tmac.keep_forever('tmac.provider');
SELECT pg_catalog.pg_extension_config_dump('tmac.provider_asset', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.contractor_agency', '');

-- The provider findings (check codes at the end of this file):
--   provider_nda_missing       a provider holding active assets has no NDA on record
--   provider_nda_expired       a provider holding active assets has an NDA past its expiry
--   provider_not_evaluated     a provider holding active assets was never evaluated, or rejected
--   contractor_agency_no_nda   an active contractor whose agency is unknown, or has no current NDA
-- (jit off: compiling this plan costs seconds on 100,000 rows, running it a fraction of that)
CREATE FUNCTION tmac.check_providers() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET jit = off SET work_mem = '64MB'
BEGIN ATOMIC
  WITH d AS MATERIALIZED (SELECT tmac.today() AS today),
  h AS MATERIALIZED (          -- providers holding active assets
    SELECT p.provider_id, p.name, p.nda_signed_on, p.nda_expires_on, p.evaluation, p.registered_at,
           x.n, tmac.first_ten(x.assets) AS assets
      FROM tmac.provider p
      CROSS JOIN LATERAL (SELECT count(*) AS n, array_agg(pa.asset_no ORDER BY pa.asset_no) AS assets
                            FROM tmac.provider_asset pa
                           WHERE pa.provider_id = p.provider_id
                             AND (SELECT a.status FROM tmac.asset a WHERE a.asset_no = pa.asset_no) = 'active') x
     WHERE x.n > 0
  )
  SELECT 'provider_nda_missing', 'provider:' || h.provider_id,
         tmac.message('Provider %s (%s) holds %s asset(s) (%s) without a 秘密保持契約 (NDA) on record. Sign one and record it: tmac.record_provider_nda(%L, signed_on, expires_on, reference).',
                h.provider_id, h.name, h.n, h.assets, h.provider_id),
         h.registered_at
    FROM h WHERE h.nda_signed_on IS NULL
  UNION ALL
  SELECT 'provider_nda_expired', 'provider:' || h.provider_id,
         tmac.message('The NDA of provider %s (%s) expired on %s, but it still holds %s asset(s) (%s). Renew it (tmac.record_provider_nda) or withdraw the assets.',
                h.provider_id, h.name, h.nda_expires_on, h.n, h.assets),
         tmac.day_start(h.nda_expires_on + 1)
    FROM h CROSS JOIN d WHERE h.nda_expires_on < d.today
  UNION ALL
  SELECT 'provider_not_evaluated', 'provider:' || h.provider_id,
         CASE WHEN h.evaluation IS NULL
              THEN tmac.message('Provider %s (%s) holds %s asset(s) but was never evaluated. Evaluate it (委託先評価): tmac.evaluate_provider(%L, evaluated_on, result, note).',
                                h.provider_id, h.name, h.n, h.provider_id)
              ELSE tmac.message('Provider %s (%s) holds %s asset(s) but its evaluation was "rejected". Evaluate it (委託先評価): tmac.evaluate_provider(%L, evaluated_on, result, note).',
                                h.provider_id, h.name, h.n, h.provider_id) END,
         h.registered_at
    FROM h WHERE h.evaluation IS NULL OR h.evaluation = 'rejected'
  UNION ALL
  SELECT 'contractor_agency_no_nda', 'person:' || p.person_id,
         CASE WHEN c.provider_id IS NULL
              THEN tmac.message('Contractor %s (%s) has no agency on record, so no NDA with it can be shown. HR records it: tmac.set_contractor_agency(%L, provider_id).',
                                p.person_id, p.full_name, p.person_id)
              WHEN v.nda_signed_on IS NULL
              THEN tmac.message('Contractor %s (%s) comes from %s (%s), which has no NDA on record. Record a current NDA: tmac.record_provider_nda(%L, …).',
                                p.person_id, p.full_name, v.provider_id, v.name, v.provider_id)
              ELSE tmac.message('Contractor %s (%s) comes from %s (%s), which has an NDA that expired on %s. Record a current NDA: tmac.record_provider_nda(%L, …).',
                                p.person_id, p.full_name, v.provider_id, v.name, v.nda_expires_on, v.provider_id) END,
         NULL::timestamptz
    FROM tmac.person p CROSS JOIN d
    LEFT JOIN tmac.contractor_agency c ON c.person_id = p.person_id
    LEFT JOIN tmac.provider v ON v.provider_id = c.provider_id
   WHERE p.kind = 'contractor' AND p.status <> 'terminated'
     AND (v.provider_id IS NULL OR v.nda_signed_on IS NULL OR v.nda_expires_on < d.today);
END;
COMMENT ON FUNCTION tmac.check_providers() IS 'Checks of the external providers (V), one pass: provider_nda_missing, provider_nda_expired, provider_not_evaluated, contractor_agency_no_nda';


-- The providers' checks (⑨ 委託先, V; check_providers above) in the compliance registry
-- (45_compliance_registry.sql): the population they examine, the checks, the evidence of V.

INSERT INTO tmac.compliance_population VALUES
  ('providers',    '委託先',             tmac.msgid('active external providers'),      'SELECT count(*) FROM tmac.provider WHERE status = ''active''');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.check_code, c.criterion, c.severity, c.title, c.description, c.remedy, 'tmac.check_providers', '{}', c.population::text[], true
  FROM (VALUES
  ('provider_nda_missing', 'V', 'high', tmac.msgid('Provider without an NDA'),
   tmac.msgid('An external provider (cloud, data centre, carrier, agency, subcontractor) holds active assets but no 秘密保持契約 is on record (seed ⑨).'),
   tmac.msgid('Sign an NDA and record it: tmac.record_provider_nda(provider_id, signed_on, expires_on, reference); or withdraw the assets.'), '{providers}'),
  ('provider_nda_expired', 'V', 'high', tmac.msgid('Provider whose NDA expired'),
   tmac.msgid('An external provider holds active assets but its NDA is past its expiry.'),
   tmac.msgid('Renew it (tmac.record_provider_nda), or withdraw the assets (tmac.withdraw_asset).'), '{providers}'),
  ('provider_not_evaluated', 'V', 'medium', tmac.msgid('Provider not evaluated'),
   tmac.msgid('An external provider holds active assets but was never evaluated (委託先評価), or its evaluation was rejected.'),
   tmac.msgid('Evaluate it: tmac.evaluate_provider(provider_id, evaluated_on, approved|conditional|rejected, note).'), '{providers}'),
  ('contractor_agency_no_nda', 'V', 'high', tmac.msgid('Contractor whose agency has no NDA'),
   tmac.msgid('An active contractor person has no agency on record, or their agency (staffing agency, subcontractor) has no current NDA.'),
   tmac.msgid('HR records the agency (tmac.set_contractor_agency); tmac_admin records its NDA (tmac.record_provider_nda).'), '{persons}')
) AS c(check_code, criterion, severity, title, description, remedy, population);

UPDATE tmac.criterion
   SET evidence = evidence || ', external providers and their NDAs (tmac.provider, tmac.provider_asset, tmac.contractor_agency)'
 WHERE criterion = 'V';
