-- 51_settings.sql — every tmac setting: one table, one function, one view.
--
-- Defaults live in tmac.setting_default (shipped with the extension); what an
-- organisation changes lives in tmac.setting, a user-data table that pg_dump
-- keeps, stamped with changed_by/changed_at and audited.  tmac.configure(key,
-- value) is the only way to change one; tmac.settings shows every key with its
-- default, the value in force and who changed it when.  The access settings
-- (pledge, training, grace, HR feed, time zone) and the compliance settings
-- (SoD exceptions, access reviews) are all here.

CREATE TABLE tmac.setting_default (
  key          text PRIMARY KEY,
  value        text NOT NULL,
  description  text NOT NULL
);
COMMENT ON TABLE tmac.setting_default IS 'The settings tmac knows, with their shipped defaults (not user data)';
COMMENT ON COLUMN tmac.setting_default.description IS
  'What the setting does and the values it takes, in English: marked for the message catalog where written, shown through tmac.message() (tmac.settings, the hint of tmac.configure) in the session''s language';
INSERT INTO tmac.setting_default VALUES
  ('require_pledge',    'on',         tmac.msgid('Access requires a valid pledge (誓約書): on or off')),
  ('require_training',  'on',         tmac.msgid('Access requires training completed within training_validity: on or off')),
  ('training_validity', '12 months',  tmac.msgid('How long a training completion counts (an interval)')),
  ('training_courses',  '',           tmac.msgid('Comma-separated courses that must all be current, besides the mandatory courses of tmac.training_course (basics for everyone, out of the box); with neither, any recorded course counts')),
  ('role_change_grace', '0',          tmac.msgid('After a transfer or promotion, grants bound to the old role or group last this much longer (an interval; 0 ends them at once)')),
  ('hr_event_mode',     'strict',     tmac.msgid('strict: a bad HR event is an error; lenient: it is stored as rejected with its error')),
  ('time_zone',         'Asia/Tokyo', tmac.msgid('The company''s time zone (a name such as Asia/Tokyo; date_time_zone is its old name): every time tmac writes into a finding, a report or a ledger is in it, and the dates of pledges and training begin and end in it')),
  ('sod_exception_max',      '180 days', tmac.msgid('Longest time an SoD exception may be granted for (a positive interval)')),
  ('review_period',          '6 months', tmac.msgid('Every active grant must have been kept by an access review within this interval (a positive interval)')),
  ('review_undecided',       'report',   tmac.msgid('What happens to review items still undecided at the deadline: report (a finding) or revoke')),
  ('review_deadline_default','30 days',  tmac.msgid('Deadline of an access review when start_review is not given one (a positive interval)')),
  ('gate_prerequisites',     'off',      tmac.msgid('The login gate also refuses a person whose pledge or training (as require_pledge and require_training ask) lapsed: on or off')),
  ('hide_statistics',        'on',       tmac.msgid('Planner statistics of a protected table (which count hidden rows) are withheld from a query whose role cannot read every row: it gets default estimates; on or off')),
  ('write_down',             'refuse',   tmac.msgid('A transaction that read protected rows writing a protected row whose label does not dominate what it read: refuse, audit (allowed and audited) or allow; a member of tmac_declassifier is always allowed and audited'));

CREATE TABLE tmac.setting (
  key         text PRIMARY KEY REFERENCES tmac.setting_default,
  value       text NOT NULL,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  changed_by  name NOT NULL DEFAULT tmac.invoker()
);
COMMENT ON TABLE tmac.setting IS 'Settings changed with tmac.configure (kept by pg_dump); keys not here have their default';

CREATE VIEW tmac.settings AS
  SELECT d.key, coalesce(s.value, d.value) AS value, d.value AS default_value, tmac.message(d.description) AS description,
         s.changed_at, s.changed_by
    FROM tmac.setting_default d LEFT JOIN tmac.setting s USING (key);
COMMENT ON VIEW tmac.settings IS 'Every tmac setting with the value in force, its default and who changed it when (changed_by, changed_at; NULL while the default is in force)';

-- PL/pgSQL, which keeps its plan for the session: its body has a subquery, so as a SQL function it
-- was never inlined and each statement that called it planned that query again (0.1–0.2 ms; nine
-- of them in every access profile, more than half of tmac.access_profile_of's time).  The price:
-- called once per row of a large scan it costs about 12 µs a row against 8 µs as SQL (the pinned
-- search_path's save and restore), while a statement saves the 0.1–0.2 ms plan.
CREATE FUNCTION tmac.setting_value(key text) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN (SELECT coalesce(s.value, d.value) FROM tmac.setting_default d
            LEFT JOIN tmac.setting s ON s.key = d.key
           WHERE d.key = CASE setting_value.key WHEN 'date_time_zone' THEN 'time_zone' ELSE setting_value.key END);
END
$$;
COMMENT ON FUNCTION tmac.setting_value(text) IS 'The value in force of a tmac setting (by its name, or by its old name: date_time_zone for time_zone)';

-- The same as the extension owner: SECURITY DEFINER so that code running as the caller (the SoD
-- exception trigger, run as the approver) reads a setting without being granted the tables;
-- settings are not secret, so any tmac role may call it.
CREATE FUNCTION tmac.setting_lookup(key text) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN tmac.setting_value(setting_lookup.key);
END
$$;
COMMENT ON FUNCTION tmac.setting_lookup(text) IS 'The value in force of a tmac setting (as setting_value; for per-row PL/pgSQL callers)';

CREATE FUNCTION tmac.setting_on(key text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN tmac.setting_value(key)::boolean;
COMMENT ON FUNCTION tmac.setting_on(text) IS 'A boolean tmac setting';

CREATE FUNCTION tmac.configure(key text, value text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  v text := btrim(value);
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('change a tmac setting'));  -- changed_by: the admin's own act
  PERFORM tmac.require_arguments('configure', 'key', key, 'value', value);
  IF key = 'date_time_zone' THEN key := 'time_zone'; END IF;   -- its old name (one company zone)
  IF NOT EXISTS (SELECT 1 FROM tmac.setting_default d WHERE d.key = configure.key) THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object',
            MESSAGE = tmac.message('unknown tmac setting "%s"', key),
            HINT = tmac.message('Settings: %s.', (SELECT string_agg(d.key, ', ' ORDER BY d.key) FROM tmac.setting_default d));
  END IF;
  BEGIN
    CASE key
      WHEN 'require_pledge', 'require_training', 'gate_prerequisites', 'hide_statistics' THEN
        v := CASE WHEN v::boolean THEN 'on' ELSE 'off' END;
      WHEN 'training_validity', 'role_change_grace', 'training_new_hire_grace', 'access_surge_history',
           'document_acknowledgement_grace' THEN
        IF v::interval < interval '0' THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
      WHEN 'sod_exception_max', 'review_period', 'review_deadline_default', 'inventory_review_interval',
           'incident_escalation_limit', 'incident_close_deadline', 'combination_max_age',
           'access_lookback', 'shared_account_window', 'electronic_measure_review', 'document_review_interval',
           'internal_audit_interval' THEN
        IF v::interval <= interval '0' THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
      WHEN 'access_surge_factor', 'access_departure_factor' THEN
        IF v::numeric <= 0 THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
      WHEN 'access_surge_floor' THEN
        v := v::bigint::text;
        IF v::bigint < 0 THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
      WHEN 'shared_account_persons' THEN
        v := v::integer::text;
        IF v::integer < 2 THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
      WHEN 'working_hours' THEN
        v := replace(v, ' ', '');
        IF v !~ '^\d\d:\d\d-\d\d:\d\d$' OR split_part(v, '-', 1)::time >= split_part(v, '-', 2)::time THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
      WHEN 'working_days' THEN
        v := array_to_string(ARRAY(SELECT DISTINCT btrim(d)::integer FROM unnest(string_to_array(v, ',')) d
                                    WHERE btrim(d) <> '' ORDER BY 1), ',');
        IF v = '' OR EXISTS (SELECT 1 FROM unnest(string_to_array(v, ',')::integer[]) d WHERE d NOT BETWEEN 1 AND 7) THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
      WHEN 'review_undecided', 'write_down', 'hr_event_mode' THEN   -- one of a few words
        v := lower(v);
        IF v <> ALL (CASE key WHEN 'review_undecided' THEN ARRAY['report', 'revoke']
                              WHEN 'write_down' THEN ARRAY['refuse', 'audit', 'allow']
                              ELSE ARRAY['strict', 'lenient'] END) THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
      WHEN 'handling_delete_threshold' THEN
        IF v::bigint < 1 THEN
          RAISE EXCEPTION invalid_parameter_value;   -- caught below
        END IF;
        v := v::bigint::text;
      WHEN 'time_zone' THEN   -- a zone's name (never an abbreviation or a POSIX offset), as spelt there
        v := coalesce((SELECT n.name FROM pg_catalog.pg_timezone_names n WHERE lower(n.name) = lower(v)
                        ORDER BY n.name LIMIT 1), '');
        PERFORM now() AT TIME ZONE v;   -- '' (no such name): 22023
      WHEN 'training_courses' THEN
        v := array_to_string(ARRAY(SELECT DISTINCT btrim(c) FROM unnest(string_to_array(v, ',')) c
                                    WHERE btrim(c) <> '' ORDER BY 1), ',');
    END CASE;
  EXCEPTION WHEN data_exception OR invalid_parameter_value OR invalid_text_representation
                 OR invalid_datetime_format THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = tmac.message('invalid value "%s" for tmac setting "%s"', value, key),
            HINT = tmac.message('%s.', (SELECT tmac.message(d.description) FROM tmac.setting_default d WHERE d.key = configure.key));
  END;
  INSERT INTO tmac.setting AS s (key, value) VALUES (key, v)
    ON CONFLICT ON CONSTRAINT setting_pkey
    DO UPDATE SET value = EXCLUDED.value, changed_at = now(), changed_by = tmac.invoker();
END
$$;
COMMENT ON FUNCTION tmac.configure(text, text) IS 'Changes a tmac setting (tmac.settings lists them): require_pledge, require_training, training_validity, training_courses, role_change_grace, hr_event_mode, time_zone (old name date_time_zone), sod_exception_max, review_period, review_undecided, review_deadline_default, inventory_review_interval, training_new_hire_grace, handling_delete_threshold, incident_escalation_limit, incident_close_deadline, combination_max_age, and the access checks'' access_surge_factor, access_surge_floor, access_surge_history, access_lookback, working_hours, working_days, access_departure_factor, shared_account_persons, shared_account_window, gate_prerequisites, hide_statistics, write_down, electronic_measure_review, and the certification registers'' document_review_interval, document_acknowledgement_grace, internal_audit_interval';

SELECT tmac.add_audit_trigger('tmac.setting', 'key');
SELECT pg_catalog.pg_extension_config_dump('tmac.setting', '');

-- The compliance settings (sod_exception_max, review_period, ...) are tmac settings like any
-- other; configure_compliance is 0.1.0's name for tmac.configure.
CREATE FUNCTION tmac.configure_compliance(setting text, value text) RETURNS void
  LANGUAGE sql
BEGIN ATOMIC
  SELECT tmac.configure(setting, value);
END;
COMMENT ON FUNCTION tmac.configure_compliance(text, text) IS 'Deprecated: calls tmac.configure(setting, value), which changes every tmac setting (compliance ones included); kept for callers of 0.1.0';

-- The company's time zone, and a moment written in it.  Every time tmac writes into a
-- finding detail, a report or a ledger export goes through tmac.company_time or
-- tmac.message (whose timestamptz arguments are written by the same C routine,
-- src/message_catalog.c), so the same moment never appears in two zones in one document,
-- and each says which zone it is in.  One zone: time_zone is also the zone dates begin and
-- end in (its old name, date_time_zone, is still accepted by configure and setting_value).
CREATE FUNCTION tmac.company_time_zone() RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT tmac.setting_value('time_zone') $$;
COMMENT ON FUNCTION tmac.company_time_zone() IS 'The company''s time zone (the time_zone setting), in which tmac writes times and counts dates';

CREATE FUNCTION tmac.company_time(at timestamptz) RETURNS text
  AS 'MODULE_PATHNAME', 'tmac_company_time' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION tmac.company_time(timestamptz) IS 'A moment written in the company''s time zone, with the abbreviation in force then (or the offset, UTC+05:30): 2026-12-07 09:52:00 JST, as tmac.message writes a timestamptz (NULL for NULL)';

-- Settings that weaken a check while weaker than a threshold (the shipped default).
CREATE TABLE tmac.weakening_rule (
  key        text NOT NULL REFERENCES tmac.setting_default,
  check_code text NOT NULL REFERENCES tmac.compliance_check,
  weak_when  text NOT NULL CHECK (weak_when IN ('off', 'longer_than', 'other_than')),
  threshold  text,
  accepts    boolean NOT NULL DEFAULT false,
  why        text NOT NULL,
  PRIMARY KEY (key, check_code),
  CHECK ((weak_when IN ('longer_than', 'other_than')) = (threshold IS NOT NULL))
);
COMMENT ON TABLE tmac.weakening_rule IS
  'Which setting weakens which compliance check, and when: off (a requirement turned off), longer_than an interval, or other_than a value (write_down other than refuse); only tmac''s install writes it';
COMMENT ON COLUMN tmac.weakening_rule.why IS 'What the weaker setting allows, as the English message id (tmac.weakened_checks and the setting''s finding show it in the reader''s language)';
COMMENT ON COLUMN tmac.weakening_rule.accepts IS 'True when, while weak, the check''s findings stay but are accepted (tmac.findings.accepted_by) rather than enforced';

CREATE VIEW tmac.weakened_checks AS
  SELECT w.key, s.value, s.default_value, s.changed_by, s.changed_at, w.check_code, k.criterion, w.accepts,
         tmac.message(w.why) AS why
    FROM tmac.weakening_rule w
    JOIN tmac.settings s ON s.key = w.key
    JOIN tmac.compliance_check k ON k.check_code = w.check_code
   WHERE CASE w.weak_when WHEN 'off' THEN NOT s.value::boolean
                          WHEN 'other_than' THEN s.value <> w.threshold
                          ELSE s.value::interval > w.threshold::interval END;
COMMENT ON VIEW tmac.weakened_checks IS
  'Settings now weaker than a compliance check expects: the setting, its value and default, who changed it when, the check and criterion it weakens, and whether it accepts the check''s findings';
