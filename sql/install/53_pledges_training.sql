-- 53_pledges_training.sql — pledges (誓約書) and training completions, the
-- prerequisites of access (no access without both), and tmac.access_prerequisites().
--
-- Dates begin and end in the time zone of the date_time_zone setting: a
-- pledge valid_until 2026-03-31 counts until 2026-04-01 00:00 there; training
-- completed on D counts from D 00:00 until D + training_validity 00:00.
--
-- What it adds to the evidence of I-5 is at the end of this file; its checks read the one rule
-- of current training and are registered after it, in 56_access_profile.sql.

CREATE TABLE tmac.pledge (
  pledge_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id    text NOT NULL REFERENCES tmac.person,
  kind         text NOT NULL CHECK (kind IN ('hire', 'promotion', 'project', 'termination', 'visitor', 'periodic')),
  signed_on    date NOT NULL,
  valid_until  date CHECK (valid_until >= signed_on),
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  recorded_by  name NOT NULL DEFAULT tmac.invoker(),
  project      text CHECK (btrim(project) <> ''),
  template_version text CHECK (btrim(template_version) <> ''),
  document_sha256  bytea CHECK (length(document_sha256) = 32),
  CHECK ((kind = 'project') = (project IS NOT NULL))
);
COMMENT ON TABLE tmac.pledge IS '秘密保持誓約書 / signed pledges: at hire, promotion, for a project, at termination, for visitors, periodically';
COMMENT ON COLUMN tmac.pledge.pledge_id IS 'Identifies the pledge';
COMMENT ON COLUMN tmac.pledge.person_id IS 'The person who signed';
COMMENT ON COLUMN tmac.pledge.kind IS '種類 / hire (入社時), promotion (昇進時), project (プロジェクト参加時), termination (退職時), visitor (訪問者), periodic (定期)';
COMMENT ON COLUMN tmac.pledge.signed_on IS '署名日 / the day it was signed';
COMMENT ON COLUMN tmac.pledge.valid_until IS 'Last day the pledge counts (NULL: until the next role change)';
COMMENT ON COLUMN tmac.pledge.recorded_at IS 'When it was recorded';
COMMENT ON COLUMN tmac.pledge.recorded_by IS 'The HR role that recorded it';
COMMENT ON COLUMN tmac.pledge.project IS 'プロジェクト / the project (e.g. a compartment code) a project pledge is for; NULL for other kinds';
COMMENT ON COLUMN tmac.pledge.template_version IS '様式の版 / version of the pledge template that was signed';
COMMENT ON COLUMN tmac.pledge.document_sha256 IS '文書のハッシュ / SHA-256 of the signed document (its scan or PDF), 32 bytes';
CREATE INDEX pledge_person_idx ON tmac.pledge (person_id);

CREATE TABLE tmac.training_completion (
  completion_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id     text NOT NULL REFERENCES tmac.person,
  course        text NOT NULL CHECK (btrim(course) <> ''),
  completed_on  date NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  recorded_by   name NOT NULL DEFAULT tmac.invoker()
);
COMMENT ON TABLE tmac.training_completion IS '受講記録 / training completions (従業員教育); each counts for its course''s validity (training_validity by default)';
COMMENT ON COLUMN tmac.training_completion.completion_id IS 'Identifies the completion';
COMMENT ON COLUMN tmac.training_completion.person_id IS 'The person who completed it';
COMMENT ON COLUMN tmac.training_completion.course IS 'The course (tmac.training_course.course, or any name when no course is defined)';
COMMENT ON COLUMN tmac.training_completion.completed_on IS '受講日 / the day it was completed';
COMMENT ON COLUMN tmac.training_completion.recorded_at IS 'When it was recorded';
COMMENT ON COLUMN tmac.training_completion.recorded_by IS 'The HR role that recorded it';
CREATE INDEX training_completion_person_idx ON tmac.training_completion (person_id);

-- The seed's two courses (⑤: 全ての従業員等への教育内容, アクセス権を有する者への教育内容), shipped as
-- templates: tmac.define_course('basics') or ('access_holders') adopts one.
CREATE TABLE tmac.training_course_template (
  course    text PRIMARY KEY,
  title_ja  text NOT NULL,
  title_en  text NOT NULL,
  audience  text NOT NULL CHECK (audience IN ('everyone', 'access_holders')),
  topics    text[] NOT NULL
);
COMMENT ON TABLE tmac.training_course_template IS
  '教育内容の例 / the seed''s example courses with their topics and audience (shipped with tmac; adopt one with tmac.define_course(course))';
COMMENT ON COLUMN tmac.training_course_template.course IS 'Code of the course';
COMMENT ON COLUMN tmac.training_course_template.title_ja IS 'Japanese title';
COMMENT ON COLUMN tmac.training_course_template.title_en IS 'English title';
COMMENT ON COLUMN tmac.training_course_template.audience IS 'everyone (all employees and contractors) or access_holders (persons with grants in force)';
COMMENT ON COLUMN tmac.training_course_template.topics IS 'The topics the seed lists';
INSERT INTO tmac.training_course_template VALUES
  ('basics', '全ての従業員等への教育', 'Training for all employees', 'everyone', ARRAY[
     '技術等情報（一般的な情報）と重要情報の違い',
     '重要情報を適切に管理することの重要性、意識',
     '重要情報を含む技術等情報の漏えいとその結果の事例',
     '関係法令の内容',
     'マニュアル、技術等情報の適切な管理に係る文書の内容、関係法令等に違反した場合の処分等',
     '重要情報の漏えいの事故等が発生したことを発見した場合の報告手続',
     '標的型メール等の警戒すべき手口、ウィルス・スパイウェア等の感染防止策と感染した場合の対処手順']),
  ('access_holders', 'アクセス権を有する者への教育', 'Training for persons with access', 'access_holders', ARRAY[
     'Need to Knowの原則を守ることの重要性（勤務において留意すべき事項を含む）',
     '重要情報の取扱手続の詳細',
     '情報の漏えい等の兆候及び端緒のケーススタディ（私生活において注意すべき事項を含む）']);

CREATE TABLE tmac.training_course (
  course      text PRIMARY KEY CHECK (btrim(course) <> ''),
  title_ja    text NOT NULL CHECK (btrim(title_ja) <> ''),
  title_en    text NOT NULL CHECK (btrim(title_en) <> ''),
  audience    text NOT NULL CHECK (audience IN ('everyone', 'access_holders')),
  topics      text[] NOT NULL DEFAULT '{}',
  mandatory   boolean NOT NULL DEFAULT true,
  validity    interval CHECK (validity > interval '0'),
  defined_at  timestamptz NOT NULL DEFAULT now(),
  defined_by  name NOT NULL DEFAULT tmac.invoker()
);
COMMENT ON TABLE tmac.training_course IS
  '教育課程 / the organisation''s training courses (seed ⑤) with topics and audience; every active employee and contractor must have completed each mandatory course for their audience within its validity (finding training_overdue)';
COMMENT ON COLUMN tmac.training_course.course IS 'Code of the course; training completions name it';
COMMENT ON COLUMN tmac.training_course.title_ja IS 'Japanese title';
COMMENT ON COLUMN tmac.training_course.title_en IS 'English title';
COMMENT ON COLUMN tmac.training_course.audience IS '対象者 / everyone (all employees and contractors, with or without a login) or access_holders (persons with grants in force)';
COMMENT ON COLUMN tmac.training_course.topics IS '教育内容 / topics covered';
COMMENT ON COLUMN tmac.training_course.mandatory IS 'True when every person of the audience must complete it';
COMMENT ON COLUMN tmac.training_course.validity IS 'How long a completion counts (NULL: the training_validity setting, 12 months by default: at least yearly)';
COMMENT ON COLUMN tmac.training_course.defined_at IS 'When the course was last defined';
COMMENT ON COLUMN tmac.training_course.defined_by IS 'The role that defined it';

CREATE FUNCTION tmac.day_start(d date) RETURNS timestamptz
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN d::timestamp AT TIME ZONE tmac.setting_value('date_time_zone');
COMMENT ON FUNCTION tmac.day_start(date) IS 'The instant a date begins in the date_time_zone setting''s time zone';

-- Today in the date_time_zone setting's time zone.
CREATE FUNCTION tmac.today() RETURNS date
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (pg_catalog.now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date;
COMMENT ON FUNCTION tmac.today() IS 'Today''s date in the time zone of the date_time_zone setting';

CREATE FUNCTION tmac.record_pledge(person_id text, kind text, signed_on date, valid_until date DEFAULT NULL,
                                   template_version text DEFAULT NULL, document_sha256 bytea DEFAULT NULL,
                                   project text DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('record a pledge'));      -- recorded_by: the HR role's own act
  kind := tmac.enum_code('pledge_kind', kind);      -- 入社時 for hire (81_enumerations.sql)
  PERFORM tmac.require_arguments('record_pledge', 'person_id', person_id, 'kind', kind, 'signed_on', signed_on::text);
  PERFORM tmac.known_person(record_pledge.person_id);
  IF kind NOT IN ('hire', 'promotion', 'project', 'termination', 'visitor', 'periodic') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = tmac.message('invalid pledge kind "%s"', kind),
      HINT = tmac.message('Kinds: hire, promotion, project, termination, visitor, periodic.');
  END IF;
  IF (kind = 'project') <> (coalesce(btrim(project), '') <> '') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('a project pledge names its project, and only a project pledge does');
  END IF;
  IF valid_until < signed_on THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('pledge valid_until %s is before signed_on %s', valid_until, signed_on);
  END IF;
  IF signed_on > (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = tmac.message('pledge signed_on %s is in the future', signed_on);
  END IF;
  IF length(document_sha256) <> 32 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('document_sha256 must be a SHA-256 digest (32 bytes), not %s bytes', length(document_sha256)),
      HINT = tmac.message('E.g. sha256(pg_read_binary_file(...)), or decode(''<64 hex digits>'', ''hex'').');
  END IF;
  IF btrim(template_version) = '' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = tmac.message('template_version must not be empty');
  END IF;
  INSERT INTO tmac.pledge (person_id, kind, signed_on, valid_until, template_version, document_sha256, project)
  VALUES (person_id, kind, signed_on, valid_until, template_version, document_sha256, nullif(btrim(project), ''))
  RETURNING pledge_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_pledge(text, text, date, date, text, bytea, text) IS '誓約書の記録 / records a signed pledge (kinds hire, promotion, project, termination, visitor, periodic) with the template version and the SHA-256 of the signed document; a project pledge names its project; returns its pledge_id';

CREATE FUNCTION tmac.record_training(person_id text, course text, completed_on date)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('record a training completion'));
  PERFORM tmac.require_arguments('record_training', 'person_id', person_id, 'course', course,
                                 'completed_on', completed_on::text);
  PERFORM tmac.known_person(record_training.person_id);
  IF btrim(course) = '' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = tmac.message('course must not be empty');
  END IF;
  IF completed_on > (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('training completed_on %s is in the future', completed_on);
  END IF;
  INSERT INTO tmac.training_completion (person_id, course, completed_on)
  VALUES (person_id, btrim(course), completed_on) RETURNING completion_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.record_training(text, text, date) IS 'Records a training completion; it counts for the training_validity setting; returns its completion_id';

CREATE FUNCTION tmac.define_course(course text, title_ja text DEFAULT NULL, title_en text DEFAULT NULL,
                                   audience text DEFAULT NULL, topics text[] DEFAULT NULL,
                                   mandatory boolean DEFAULT true, validity interval DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('define a training course'));
  t tmac.training_course_template;
  c text := btrim(course);
BEGIN
  PERFORM tmac.require_arguments('define_course', 'course', course, 'mandatory', mandatory::text);
  audience := tmac.enum_code('course_audience', audience);
  SELECT * INTO t FROM tmac.training_course_template x WHERE x.course = c;
  title_ja := coalesce(title_ja, t.title_ja);
  title_en := coalesce(title_en, t.title_en);
  audience := lower(coalesce(audience, t.audience, 'everyone'));
  topics := coalesce(topics, t.topics, '{}');
  IF c = '' OR coalesce(btrim(title_ja), '') = '' OR coalesce(btrim(title_en), '') = '' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('course "%s" needs a code and Japanese and English titles', course),
      HINT = tmac.message('The seed''s courses need only their code: tmac.define_course(''basics''), tmac.define_course(''access_holders'').');
  END IF;
  IF audience NOT IN ('everyone', 'access_holders') THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = tmac.message('invalid audience "%s"', audience),
      HINT = tmac.message('Audiences: everyone, access_holders.');
  END IF;
  IF validity <= interval '0' THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = tmac.message('validity must be positive');
  END IF;
  INSERT INTO tmac.training_course AS x (course, title_ja, title_en, audience, topics, mandatory, validity, defined_by)
  VALUES (c, btrim(title_ja), btrim(title_en), audience, topics, mandatory, validity, me)
  ON CONFLICT ON CONSTRAINT training_course_pkey DO UPDATE
     SET title_ja = EXCLUDED.title_ja, title_en = EXCLUDED.title_en, audience = EXCLUDED.audience,
         topics = EXCLUDED.topics, mandatory = EXCLUDED.mandatory, validity = EXCLUDED.validity,
         defined_at = now(), defined_by = EXCLUDED.defined_by;
END
$$;
COMMENT ON FUNCTION tmac.define_course(text, text, text, text, text[], boolean, interval) IS '教育課程の定義 / defines or changes a training course (tmac_hr): titles, audience (everyone, access_holders), topics, mandatory, validity; a seed course (basics, access_holders) needs only its code';

DO $t$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['pledge', 'training_completion'] LOOP
    PERFORM tmac.add_audit_trigger(format('tmac.%I', t)::regclass,
                                   CASE t WHEN 'pledge' THEN 'pledge_id' ELSE 'completion_id' END, 'person_id');
    PERFORM tmac.keep_forever(format('tmac.%I', t)::regclass);
  END LOOP;
END
$t$;
-- The courses are part of the access decision's training prerequisite (tmac.training_courses_required):
-- tmac.training_course carries the invalidate_caches trigger (the one list, 10_vocabulary.sql).
SELECT tmac.add_audit_trigger('tmac.training_course', 'course');
SELECT pg_catalog.pg_extension_config_dump('tmac.training_course', '');
INSERT INTO tmac.setting_default VALUES
  ('training_new_hire_grace', '30 days', tmac.msgid('A person hired less than this long ago is not yet a training_overdue finding for a course never completed (an interval, 0 or more)'));


-- What tmac keeps for I-5 (tmac.criterion.evidence; the compliance registry:
-- 45_compliance_registry.sql).  The checks of training and pledges read the one rule of current
-- training, so they are registered after it (56_access_profile.sql).
UPDATE tmac.criterion
   SET evidence = 'courses, training completions and pledges (tmac.training_course, tmac.training_completion, tmac.pledge)'
 WHERE criterion = 'I-5';
