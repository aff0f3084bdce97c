-- 53_pledges_training.sql — pledges (誓約書) and training completions, the
-- prerequisites of access (no access without both), and tmac.access_prerequisites().
--
-- Dates begin and end in the time zone of the date_time_zone setting: a
-- pledge valid_until 2026-03-31 counts until 2026-04-01 00:00 there; training
-- completed on D counts from D 00:00 until D + training_validity 00:00.

CREATE TABLE tmac.pledge (
  pledge_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id    text NOT NULL REFERENCES tmac.person,
  kind         text NOT NULL CHECK (kind IN ('hire', 'promotion', 'termination', 'visitor', 'periodic')),
  signed_on    date NOT NULL,
  valid_until  date CHECK (valid_until >= signed_on),
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  recorded_by  name NOT NULL DEFAULT tmac.invoker()
);
CREATE INDEX pledge_person_idx ON tmac.pledge (person_id);
COMMENT ON TABLE tmac.pledge IS 'Signed pledges (誓約書): at hire, promotion, termination, for visitors, periodically';
COMMENT ON COLUMN tmac.pledge.valid_until IS 'Last day the pledge counts (NULL: until the next role change)';

CREATE TABLE tmac.training_completion (
  completion_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id     text NOT NULL REFERENCES tmac.person,
  course        text NOT NULL CHECK (btrim(course) <> ''),
  completed_on  date NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  recorded_by   name NOT NULL DEFAULT tmac.invoker()
);
CREATE INDEX training_completion_person_idx ON tmac.training_completion (person_id);
COMMENT ON TABLE tmac.training_completion IS 'Training completions (従業員教育); each counts for the training_validity setting';

CREATE FUNCTION tmac.day_start(d date) RETURNS timestamptz
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN d::timestamp AT TIME ZONE tmac.setting_value('date_time_zone');
COMMENT ON FUNCTION tmac.day_start(date) IS 'The instant a date begins in the date_time_zone setting''s time zone';

CREATE FUNCTION tmac.record_pledge(person_id text, kind text, signed_on date, valid_until date DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role('record a pledge');      -- recorded_by: the HR role's own act
  PERFORM tmac.require_arguments('record_pledge', 'person_id', person_id, 'kind', kind, 'signed_on', signed_on::text);
  IF NOT EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = record_pledge.person_id) THEN
    RAISE EXCEPTION 'unknown person "%"', person_id USING ERRCODE = 'foreign_key_violation',
      HINT = 'Persons are created by a hire event in tmac.hr_event.';
  END IF;
  IF kind NOT IN ('hire', 'promotion', 'termination', 'visitor', 'periodic') THEN
    RAISE EXCEPTION 'invalid pledge kind "%"', kind USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Kinds: hire, promotion, termination, visitor, periodic.';
  END IF;
  IF valid_until < signed_on THEN
    RAISE EXCEPTION 'pledge valid_until % is before signed_on %', valid_until, signed_on
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF signed_on > (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date THEN
    RAISE EXCEPTION 'pledge signed_on % is in the future', signed_on USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO tmac.pledge (person_id, kind, signed_on, valid_until)
  VALUES (person_id, kind, signed_on, valid_until) RETURNING pledge_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_pledge(text, text, date, date) IS
  'Records a signed pledge (kinds hire, promotion, termination, visitor, periodic); returns its pledge_id';

CREATE FUNCTION tmac.record_training(person_id text, course text, completed_on date)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role('record a training completion');
  PERFORM tmac.require_arguments('record_training', 'person_id', person_id, 'course', course,
                                 'completed_on', completed_on::text);
  IF NOT EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = record_training.person_id) THEN
    RAISE EXCEPTION 'unknown person "%"', person_id USING ERRCODE = 'foreign_key_violation',
      HINT = 'Persons are created by a hire event in tmac.hr_event.';
  END IF;
  IF btrim(course) = '' THEN
    RAISE EXCEPTION 'course must not be empty' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF completed_on > (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date THEN
    RAISE EXCEPTION 'training completed_on % is in the future', completed_on USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO tmac.training_completion (person_id, course, completed_on)
  VALUES (person_id, btrim(course), completed_on) RETURNING completion_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_training(text, text, date) IS
  'Records a training completion; it counts for the training_validity setting; returns its completion_id';

DO $t$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['pledge', 'training_completion'] LOOP
    PERFORM tmac.add_audit_trigger(format('tmac.%I', t)::regclass,
                                   CASE t WHEN 'pledge' THEN 'pledge_id' ELSE 'completion_id' END, 'person_id');
    EXECUTE format('CREATE TRIGGER invalidate_caches AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tmac.%I
                      FOR EACH STATEMENT EXECUTE FUNCTION tmac.cache_invalidate()', t);
    EXECUTE format('CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.%I
                      FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete()', t);
    EXECUTE format('CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.%I
                      FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete()', t);
  END LOOP;
END
$t$;
SELECT pg_catalog.pg_extension_config_dump('tmac.pledge', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.training_completion', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.pledge_pledge_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.training_completion_completion_id_seq', '');
