-- 63_appointments.sql — 管理者の選任: who is appointed to manage information (seed ③, criterion I-3).
--
-- 経営層 appoints a 情報管理責任者 (exactly one at a time), 部門管理者, per-asset
-- managers, key custodians and members of the 情報管理委員会, and makes it known
-- (情報管理規程, 社内研修, 掲示, 朝礼: the seed's 周知の方法).  tmac.appointment keeps
-- each appointment: role, person, scope, who appointed them (a person), the
-- period, and how and when it was announced.  Appointments end — by
-- tmac.end_appointment, or by the person's HR termination, which also ends their
-- assigned duties such as key custody (tmac.end_person_duties, called by the HR
-- feed) — and are never deleted.  Written through the functions below
-- (tmac_admin), audited; findings in tmac.check_appointments.
--
-- Its compliance checks, population and evidence of I-3 are registered at the end of this file.

CREATE TABLE tmac.appointment_role (
  role      text PRIMARY KEY CHECK (tmac.valid_code(role)),
  name_ja   text NOT NULL,
  name_en   text NOT NULL,
  single    boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE tmac.appointment_role IS
  '選任される役割 / the roles persons are appointed to (shipped with tmac; single: at most one active appointment at a time)';
COMMENT ON COLUMN tmac.appointment_role.role IS 'Code of the role';
COMMENT ON COLUMN tmac.appointment_role.name_ja IS 'Japanese name';
COMMENT ON COLUMN tmac.appointment_role.name_en IS 'English name';
COMMENT ON COLUMN tmac.appointment_role.single IS 'True when the organisation has exactly one holder at a time (情報管理責任者)';
INSERT INTO tmac.appointment_role VALUES
  ('information_officer', '情報管理責任者', 'information-management officer', true),
  ('department_manager',  '部門管理者',     'department information manager', false),
  ('asset_manager',       '管理責任者（情報資産）', 'manager of an information asset', false),
  ('key_custodian',       '鍵管理者',       'key custodian', false),
  ('committee_member',    '情報管理委員',   'member of the information-management committee', false),
  ('other',               'その他',         'other appointment', false);

CREATE TABLE tmac.appointment (
  appointment_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  role           text NOT NULL REFERENCES tmac.appointment_role,
  person_id      text NOT NULL REFERENCES tmac.person,
  scope          text,
  scope_group_id integer,            -- (no foreign key: groups are never deleted)
  appointed_by   text NOT NULL REFERENCES tmac.person,
  valid_from     date NOT NULL,
  valid_until    date CHECK (valid_until >= valid_from),
  announced_how  text,
  announced_on   date,
  started_at     timestamptz NOT NULL DEFAULT now(),
  ended_at       timestamptz,
  ended_by       text,
  end_reason     text,
  recorded_by    name NOT NULL DEFAULT tmac.invoker(),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
  CHECK ((announced_how IS NULL) = (announced_on IS NULL))
);
COMMENT ON TABLE tmac.appointment IS
  '管理者の選任 / appointments (seed ③, I-3): role, person, scope, appointed by, period, how and when announced; ended, never deleted';
COMMENT ON COLUMN tmac.appointment.appointment_id IS 'Identifies the appointment';
COMMENT ON COLUMN tmac.appointment.role IS '役割 / the role (tmac.appointment_role)';
COMMENT ON COLUMN tmac.appointment.person_id IS '選任された者 / the appointed person';
COMMENT ON COLUMN tmac.appointment.scope IS '範囲 / what the appointment covers (全社, an asset, a container, …)';
COMMENT ON COLUMN tmac.appointment.scope_group_id IS '対象部署 / the department it covers (tmac.org_group.group_id), if any';
COMMENT ON COLUMN tmac.appointment.appointed_by IS '選任者 / the person (経営層) who appointed them';
COMMENT ON COLUMN tmac.appointment.valid_from IS '任期開始 / first day of the appointment';
COMMENT ON COLUMN tmac.appointment.valid_until IS '任期終了 / last day (NULL: until ended)';
COMMENT ON COLUMN tmac.appointment.announced_how IS '周知の方法 / how it was made known (情報管理規程, 社内研修, 掲示, 朝礼, …)';
COMMENT ON COLUMN tmac.appointment.announced_on IS '周知日 / when it was made known';
COMMENT ON COLUMN tmac.appointment.started_at IS 'When the appointment was recorded';
COMMENT ON COLUMN tmac.appointment.ended_at IS '終了 / when it ended (tmac.end_appointment, or the person''s termination)';
COMMENT ON COLUMN tmac.appointment.ended_by IS 'Who ended it: a role, or hr_event:<event_id>';
COMMENT ON COLUMN tmac.appointment.end_reason IS 'Why it ended (terminated for an HR termination)';
COMMENT ON COLUMN tmac.appointment.recorded_by IS 'The tmac_admin role that recorded it';
CREATE INDEX appointment_person_idx ON tmac.appointment (person_id);
CREATE INDEX appointment_open_idx ON tmac.appointment (role) WHERE ended_at IS NULL;

CREATE FUNCTION tmac.appoint(person_id text, role text, appointed_by text, scope text DEFAULT NULL,
                             scope_group text DEFAULT NULL, valid_from date DEFAULT NULL, valid_until date DEFAULT NULL,
                             announced_how text DEFAULT NULL, announced_on date DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('record an appointment'));
  st text;
  r tmac.appointment_role;
  holder text;
  id bigint;
  vf date := coalesce(valid_from, tmac.today());
BEGIN
  PERFORM tmac.require_arguments('appoint', 'person_id', person_id, 'role', role, 'appointed_by', appointed_by);
  role := tmac.enum_code('appointment_role', role);   -- 情報管理責任者 … (81_enumerations.sql)
  r := tmac.row_by_key(NULL::tmac.appointment_role, 'role', lower(btrim(role)), tmac.message('unknown appointment role "%s"', role),
                       'invalid_parameter_value',
                       tmac.message('Roles: %s.', (SELECT string_agg(x.role, ', ' ORDER BY x.role) FROM tmac.appointment_role x)));
  st := (tmac.known_person(appoint.person_id)).status;
  IF st <> 'active' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" is %s and cannot be appointed', person_id, st), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  st := (tmac.row_by_key(NULL::tmac.person, 'person_id', appointed_by, tmac.message('unknown person "%s" (appointed_by)', appointed_by),
                         'foreign_key_violation')).status;
  IF st <> 'active' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('person "%s" (appointed_by) is %s', appointed_by, st), ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF valid_until < vf THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('valid_until %s is before valid_from %s', valid_until, vf), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF (announced_how IS NULL) <> (announced_on IS NULL) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('announced_how and announced_on go together'), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF announced_on > tmac.today() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('announced_on %s is in the future', announced_on), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF r.single THEN
    PERFORM 1 FROM tmac.appointment_role x WHERE x.role = r.role FOR NO KEY UPDATE;   -- a row lock only tmac can take (never an advisory key anyone can hold)
    SELECT a.person_id INTO holder FROM tmac.appointment a WHERE a.role = r.role AND a.ended_at IS NULL
       AND (a.valid_until IS NULL OR a.valid_until >= vf) LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('there is already a %s (%s): %s', r.name_ja, r.name_en, holder), ERRCODE = 'unique_violation',
        HINT = tmac.message('End the current appointment first (tmac.end_appointment), or give it a valid_until before the new one starts.');
    END IF;
  END IF;
  INSERT INTO tmac.appointment (role, person_id, scope, scope_group_id, appointed_by, valid_from, valid_until,
                                announced_how, announced_on, recorded_by)
  VALUES (r.role, person_id, scope, tmac.vocabulary_id('group', scope_group), appointed_by, vf, valid_until,
          announced_how, announced_on, me)
  RETURNING appointment_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.appoint(text, text, text, text, text, date, date, text, date) IS '選任 / records an appointment (tmac_admin): person, role (information_officer, department_manager, asset_manager, key_custodian, committee_member, other), the 経営層 person who appointed them, scope, period, announcement; one information_officer at a time; returns the appointment_id';

CREATE FUNCTION tmac.announce_appointment(appointment_id bigint, announced_how text, announced_on date)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('record how an appointment was announced'));
  PERFORM tmac.require_arguments('announce_appointment', 'appointment_id', appointment_id::text,
                                 'announced_how', announced_how, 'announced_on', announced_on::text);
  IF btrim(announced_how) = '' OR announced_on > tmac.today() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('an announcement needs a method and a date not in the future'), ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE tmac.appointment a SET announced_how = announce_appointment.announced_how,
                                announced_on = announce_appointment.announced_on
   WHERE a.appointment_id = announce_appointment.appointment_id AND a.ended_at IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('no open appointment %s', appointment_id), 'undefined_object');
END
$$;
COMMENT ON FUNCTION tmac.announce_appointment(bigint, text, date) IS '周知 / records how and when an open appointment was made known (tmac_admin)';

CREATE FUNCTION tmac.end_appointment(appointment_id bigint, reason text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('end an appointment'));
BEGIN
  PERFORM tmac.require_arguments('end_appointment', 'appointment_id', appointment_id::text, 'reason', reason);
  IF btrim(reason) = '' THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('ending an appointment needs a reason'), ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE tmac.appointment a SET ended_at = now(), ended_by = me, end_reason = reason
   WHERE a.appointment_id = end_appointment.appointment_id AND a.ended_at IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('no open appointment %s', appointment_id), 'undefined_object');
END
$$;
COMMENT ON FUNCTION tmac.end_appointment(bigint, text) IS '解任 / ends an open appointment with a reason (tmac_admin)';

-- Called by the HR feed when a termination is applied (tmac.hr_apply): the person's open
-- appointments and assigned duties (key custody, …) end at the same instant.
CREATE FUNCTION tmac.end_person_duties(person text, at timestamptz, who text, reason text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  UPDATE tmac.appointment a SET ended_at = greatest(at, a.started_at), ended_by = who, end_reason = reason
   WHERE a.person_id = person AND a.ended_at IS NULL;
  UPDATE tmac.duty_assignment d SET ended_at = greatest(at, d.assigned_at), ended_by = left(who, 63)
   WHERE d.person_id = person AND d.ended_at IS NULL;
END
$$;
COMMENT ON FUNCTION tmac.end_person_duties(text, timestamptz, text, text) IS 'Internal (HR feed, termination): ends the person''s open appointments and assigned duties';

SELECT tmac.add_audit_trigger('tmac.appointment', 'appointment_id', 'person_id');
SELECT tmac.keep_forever('tmac.appointment');

-- The appointment findings (check codes at the end of this file):
--   officer_missing          active persons exist but no 情報管理責任者 is appointed today
--   officer_multiple         more than one 情報管理責任者 in force today
--   appointee_unavailable    an appointment in force whose person is terminated, on leave, or moved
--                            (a transfer or promotion took effect after the appointment started)
--   appointment_not_announced an appointment in force that was never announced (周知)
-- (jit off: compiling this plan costs seconds on 100,000 rows, running it a fraction of that)
CREATE FUNCTION tmac.check_appointments() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET jit = off SET work_mem = '64MB'
BEGIN ATOMIC
  WITH d AS MATERIALIZED (SELECT tmac.today() AS today),
  a AS MATERIALIZED (
    SELECT a.appointment_id, a.role, a.person_id, a.started_at, a.valid_from, a.announced_on,
           r.name_ja, r.name_en, p.full_name, p.status, p.terminated_at, p.role_changed_at
      FROM tmac.appointment a CROSS JOIN d
      JOIN tmac.appointment_role r ON r.role = a.role
      JOIN tmac.person p ON p.person_id = a.person_id
     WHERE a.ended_at IS NULL AND a.valid_from <= d.today AND (a.valid_until IS NULL OR d.today <= a.valid_until)
  ), o AS (
    SELECT count(*) AS n, string_agg(a.person_id || ' (' || a.full_name || ')', ', ' ORDER BY a.person_id) AS who
      FROM a WHERE a.role = 'information_officer'
  )
  SELECT 'officer_missing', 'appointment:information_officer',
         tmac.message('No 情報管理責任者 (information-management officer) is appointed. 経営層 appoints one: tmac.appoint(person_id, ''information_officer'', appointed_by).'),
         NULL::timestamptz
    FROM o WHERE o.n = 0 AND EXISTS (SELECT 1 FROM tmac.person p WHERE p.status = 'active')
  UNION ALL
  SELECT 'officer_multiple', 'appointment:information_officer',
         tmac.message('%s persons are 情報管理責任者 (information-management officer) at once: %s. End all but one with tmac.end_appointment.', o.n, o.who),
         NULL::timestamptz
    FROM o WHERE o.n > 1
  UNION ALL
  SELECT 'appointee_unavailable', 'appointment:' || a.appointment_id,
         CASE a.status
           WHEN 'terminated'
           THEN tmac.message('%s (%s), appointed %s (%s) in appointment %s, left on %s. End the appointment and appoint someone else, or appoint them again (tmac.end_appointment, tmac.appoint).',
                             a.person_id, a.full_name, a.name_ja, a.name_en, a.appointment_id, a.terminated_at)
           WHEN 'on_leave'
           THEN tmac.message('%s (%s), appointed %s (%s) in appointment %s, is on leave. End the appointment and appoint someone else, or appoint them again (tmac.end_appointment, tmac.appoint).',
                             a.person_id, a.full_name, a.name_ja, a.name_en, a.appointment_id)
           ELSE tmac.message('%s (%s), appointed %s (%s) in appointment %s, was transferred or promoted on %s, after the appointment. End the appointment and appoint someone else, or appoint them again (tmac.end_appointment, tmac.appoint).',
                             a.person_id, a.full_name, a.name_ja, a.name_en, a.appointment_id, a.role_changed_at) END,
         CASE a.status WHEN 'terminated' THEN a.terminated_at WHEN 'active' THEN a.role_changed_at END
    FROM a WHERE a.status <> 'active' OR a.role_changed_at > a.started_at
  UNION ALL
  SELECT 'appointment_not_announced', 'appointment:' || a.appointment_id,
         tmac.message('The appointment of %s (%s) as %s (%s) was never made known (周知). Announce it (情報管理規程, 社内研修, 掲示, 朝礼) and record it: tmac.announce_appointment(%s, how, on).',
                a.person_id, a.full_name, a.name_ja, a.name_en, a.appointment_id),
         a.started_at
    FROM a WHERE a.announced_on IS NULL;
END;
COMMENT ON FUNCTION tmac.check_appointments() IS 'Checks of the appointments (I-3), one pass: officer_missing, officer_multiple, appointee_unavailable, appointment_not_announced';


-- The appointments' checks (③ 管理者の選任, I-3; check_appointments above) in the compliance registry
-- (45_compliance_registry.sql): the population they examine, the checks, the evidence of I-3.

INSERT INTO tmac.compliance_population VALUES
  ('appointments', '管理者の選任',       tmac.msgid('appointments in force'),          'SELECT count(*) FROM tmac.appointment WHERE ended_at IS NULL');

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.check_code, c.criterion, c.severity, c.title, c.description, c.remedy, 'tmac.check_appointments', '{}', c.population::text[], true
  FROM (VALUES
  ('officer_missing', 'I-3', 'high', tmac.msgid('No information-management officer'),
   tmac.msgid('Persons are registered but no 情報管理責任者 is appointed and in force today (seed ③).'),
   tmac.msgid('経営層 appoints one: tmac.appoint(person_id, ''information_officer'', appointed_by, announced_how => …, announced_on => …).'), '{persons}'),
  ('officer_multiple', 'I-3', 'high', tmac.msgid('More than one information-management officer'),
   tmac.msgid('More than one 情報管理責任者 is in force at once: responsibility is not clear.'),
   tmac.msgid('End all but one appointment: tmac.end_appointment(appointment_id, reason).'), '{persons}'),
  ('appointee_unavailable', 'I-3', 'high', tmac.msgid('Appointee terminated, on leave or moved'),
   tmac.msgid('An appointment in force names a person who is terminated, on leave, or was transferred or promoted after the appointment.'),
   tmac.msgid('End it and appoint someone else, or appoint the person again for the new position (tmac.end_appointment, tmac.appoint).'), '{appointments}'),
  ('appointment_not_announced', 'I-3', 'low', tmac.msgid('Appointment not announced'),
   tmac.msgid('An appointment in force was never made known (周知: 情報管理規程, 社内研修, 掲示, 朝礼), so employees may not know whom to report to.'),
   tmac.msgid('Announce it and record how and when: tmac.announce_appointment(appointment_id, how, on).'), '{appointments}')
) AS c(check_code, criterion, severity, title, description, remedy, population);

UPDATE tmac.criterion
   SET evidence = '管理者の選任: appointments (tmac.appointment, tmac.appointment_role); duties and who holds them (tmac.duty, tmac.duty_assignment)'
 WHERE criterion = 'I-3';
