-- 52_persons.sql — persons: employees, contractors, visitors, service accounts.
--
-- Persons are created and changed by the HR feed (tmac.hr_event, 54_hr_feed.sql);
-- nobody is granted INSERT, UPDATE or DELETE on this table, and rows are never
-- deleted: a terminated person stays, with terminated_at.  A person maps to at
-- most one PostgreSQL login role, and a login role to at most one person.
--
-- Its compliance checks (a leaver's login role and sessions, a login role tmac would refuse to
-- map; criterion II) are at the end of this file.

-- The HR feed's "applying an event" flag (src/governance_change.c): backend-local, cleared at
-- every transaction end, settable only by the extension owner (through tmac.hr_event_receive).
CREATE FUNCTION tmac.hr_feed_applying() RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_applying' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION tmac.hr_feed_applying() IS 'True while the HR feed applies an event in this backend (its changes then invalidate caches once, through tmac.hr_event)';
CREATE FUNCTION tmac.hr_feed_set_applying(boolean) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_set_applying' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_feed_set_applying(boolean) IS 'Sets the HR feed''s applying flag and returns the previous value; for tmac.hr_event_receive only';
CREATE FUNCTION tmac.hr_feed_defer() RETURNS void
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_defer' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_feed_defer() IS 'Counts an HR event the row trigger left to its own statement''s trigger a_apply; for tmac.hr_event_receive only';
CREATE FUNCTION tmac.hr_feed_note_strict(boolean) RETURNS void
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_note_strict' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_feed_note_strict(boolean) IS 'Begins the frame of a statement feeding HR events, with the mode (strict or not) all its rows are taken in; for tmac.hr_event_mode_note only';
CREATE FUNCTION tmac.hr_feed_statement_strict() RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_statement_strict' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_feed_statement_strict() IS 'True if the statement feeding HR events now was noted in strict mode by its trigger a_mode; for tmac.hr_event_receive only';
CREATE FUNCTION tmac.hr_feed_take_deferred() RETURNS bigint
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_take_deferred' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_feed_take_deferred() IS 'Ends the frame of the statement feeding HR events: the count of its events deferred to a_apply, or NULL if it was taken in lenient mode; for tmac.hr_event_apply only';
CREATE FUNCTION tmac.hr_feed_rounds(OUT rounds integer[], OUT last_round integer)
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_rounds' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_feed_rounds() IS 'Of the statement feeding HR events now: the round of each deferred event in arrival order (its place among its person''s events) and the last round, as the row intake counted them; last_round 0 when an event failed a check that needs no state, NULL when not counted; for tmac.hr_event_apply only';

CREATE TABLE tmac.person (
  person_id             text PRIMARY KEY CHECK (person_id ~ '^\S(.*\S)?$' AND length(person_id) <= 100),
  full_name             text NOT NULL CHECK (btrim(full_name) <> ''),
  title                 text,
  job_role              text,
  kind                  text NOT NULL DEFAULT 'employee'
                        CHECK (kind IN ('employee', 'contractor', 'visitor', 'service')),
  login_role            name,
  status                text NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'on_leave', 'terminated')),
  hired_on              date,
  terminated_at         timestamptz,
  responsible_person    text REFERENCES tmac.person DEFERRABLE INITIALLY DEFERRED,  -- checked by the HR feed; deferred so restore order never matters
  pledge_required_since timestamptz,
  role_changed_at       timestamptz,
  login_disabled_by_tmac boolean NOT NULL DEFAULT false,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  org_group_id          integer,            -- tmac.org_group.group_id (no FK: restore order, as labels)
  login_role_oid        oid,                -- the role login_role named when mapped (tmac.person_login_role_oid)
  cron_jobs_disabled_by_tmac bigint[] NOT NULL DEFAULT '{}',
  CHECK ((status = 'terminated') = (terminated_at IS NOT NULL)),
  CHECK (kind NOT IN ('service', 'visitor') OR responsible_person IS NOT NULL)
);
COMMENT ON TABLE tmac.person IS
  'Persons from the HR feed (employees, contractors, visitors, service accounts), mapped to PostgreSQL login roles; never deleted';
COMMENT ON COLUMN tmac.person.person_id IS 'Employee number or other HR identifier';
COMMENT ON COLUMN tmac.person.title IS 'Job title (役職)';
COMMENT ON COLUMN tmac.person.org_group_id IS 'The person''s organisation group (tmac.org_group.group_id): an id, like labels, so a renamed group changes nothing here';
COMMENT ON COLUMN tmac.person.job_role IS 'Job role; grants are bound to the job role and group held when approved';
COMMENT ON COLUMN tmac.person.kind IS 'employee, contractor, visitor or service';
COMMENT ON COLUMN tmac.person.login_role IS 'The PostgreSQL role this person logs in as (unique)';
COMMENT ON COLUMN tmac.person.status IS 'active, on_leave or terminated, as last applied from the HR feed';
COMMENT ON COLUMN tmac.person.terminated_at IS 'When the termination took effect';
COMMENT ON COLUMN tmac.person.responsible_person IS 'The employee responsible for a service account or visitor';
COMMENT ON COLUMN tmac.person.pledge_required_since IS 'Pledges signed before this (the last role change) no longer count';
COMMENT ON COLUMN tmac.person.role_changed_at IS 'When the last transfer or promotion took effect';
COMMENT ON COLUMN tmac.person.login_disabled_by_tmac IS 'True when tmac set NOLOGIN on the login role at termination (a rehire restores LOGIN)';
COMMENT ON COLUMN tmac.person.login_role_oid IS 'The OID of the role login_role named when the HR feed mapped it: the login gate keeps that role gated while the person is terminated or on leave, whatever it is called since';
COMMENT ON COLUMN tmac.person.cron_jobs_disabled_by_tmac IS 'The pg_cron jobs (jobid) of the login role that tmac disabled at termination; a rehire with restore_cron_jobs re-enables them';
-- (No index on org_group_id: only an access review scoped to a group reads persons by it, joined
-- with their grants, and every hire and transfer would pay for it.)
-- The compliance checks look at the few persons who left or are on leave, and at the few who are
-- not employees (contractors, visitors, service accounts), without reading every person.
CREATE INDEX person_departed_idx ON tmac.person (status) WHERE status <> 'active';
CREATE INDEX person_non_employee_idx ON tmac.person (kind, status) WHERE kind <> 'employee';
-- A person maps to at most one login role and a role to at most one person.  Both indexes leave
-- out the persons without a login role (NULL is never equal to anything, so it is not looked
-- up by either): a bulk load of hires that IT gives logins later writes neither.
CREATE UNIQUE INDEX person_login_role_unique ON tmac.person (login_role) WHERE login_role IS NOT NULL;
CREATE INDEX person_login_role_oid_idx ON tmac.person (login_role_oid) WHERE login_role_oid IS NOT NULL;
COMMENT ON INDEX tmac.person_login_role_unique IS 'tmac: a login role is mapped to at most one person';
COMMENT ON INDEX tmac.person_login_role_oid_idx IS 'tmac login gate: the person a role was mapped to, whatever it is called since';
COMMENT ON INDEX tmac.person_departed_idx IS 'tmac compliance: persons terminated or on leave';
COMMENT ON INDEX tmac.person_non_employee_idx IS 'tmac compliance: contractors, visitors and service accounts by status';

-- The role a person's login_role names is recorded by OID when it is mapped (hire, a new
-- login_role, rehire) and never follows a rename afterwards: a role renamed after its person
-- was terminated is still that person's role (the login gate, 76_login_gate.sql).  A restored
-- row is mapped again by name: OIDs are a cluster's own, names are what a dump carries.
CREATE FUNCTION tmac.person_login_role_oid() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.login_role IS DISTINCT FROM OLD.login_role OR NEW.login_role_oid IS NULL THEN
    NEW.login_role_oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = NEW.login_role);
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.person_login_role_oid() IS 'Trigger: records the OID of the role a person''s login_role names when it is mapped (and, for a restored row, maps it again by name)';
-- (only when there is something to record: a COPY of hires without login roles pays nothing)
CREATE TRIGGER login_role_oid BEFORE INSERT ON tmac.person
  FOR EACH ROW WHEN (NEW.login_role IS NOT NULL OR NEW.login_role_oid IS NOT NULL)
  EXECUTE FUNCTION tmac.person_login_role_oid();
CREATE TRIGGER login_role_oid_update BEFORE UPDATE ON tmac.person
  FOR EACH ROW WHEN (NEW.login_role IS DISTINCT FROM OLD.login_role
                     OR (NEW.login_role IS NOT NULL AND NEW.login_role_oid IS NULL))
  EXECUTE FUNCTION tmac.person_login_role_oid();

-- The role a person's acts (a termination: NOLOGIN, memberships, sessions, pg_cron jobs; the
-- findings) act on, by its current name: the role recorded by OID when the person was mapped,
-- whatever it is called since (NULL when it was dropped); by login_role only when no OID is
-- recorded.  A role renamed while its person is active is still theirs at the termination.
CREATE FUNCTION tmac.person_role(login_role name, login_role_oid oid) RETURNS name
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT CASE WHEN $2 IS NOT NULL THEN (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid = $2)
              ELSE (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = $1) END
$$;
COMMENT ON FUNCTION tmac.person_role(name, oid) IS 'The current name of a person''s login role: the role recorded by OID when mapped (NULL if dropped), or the role named login_role when no OID is recorded';

-- The other person a role is taken by: mapped to it by name, or by the OID recorded when they
-- were mapped (the role was renamed since), or NULL.
CREATE FUNCTION tmac.login_role_holder(role name, except_person text DEFAULT NULL) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT p.person_id FROM tmac.person p
   WHERE (p.login_role = $1
          OR p.login_role_oid = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = $1))
     AND p.person_id IS DISTINCT FROM $2
   ORDER BY p.person_id LIMIT 1
$$;
COMMENT ON FUNCTION tmac.login_role_holder(name, text) IS 'The person (other than except_person) a login role is mapped to, by name or by the OID recorded when mapped (renamed since), or NULL';

-- The person mapped to a role, or NULL.
CREATE FUNCTION tmac.person_of_role(role name) RETURNS text
  LANGUAGE sql STABLE STRICT PARALLEL SAFE
  RETURN (SELECT p.person_id FROM tmac.person p WHERE p.login_role = role);
COMMENT ON FUNCTION tmac.person_of_role(name) IS 'The person_id mapped to a PostgreSQL role, or NULL';

-- The role making an act, when the act is its own top-level act (src/own_act.c): refused
-- (42501) inside another role's SECURITY DEFINER function, from a trigger deeper than the
-- caller's own allowance, inside a security-restricted operation, or when the current user
-- was changed by code other than tmac's.  Not strict: a NULL argument never skips a check.
CREATE FUNCTION tmac.acting_role(act text, trigger_allowance integer DEFAULT 0) RETURNS name
  AS 'MODULE_PATHNAME', 'tmac_acting_role' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.acting_role(text, integer) IS 'The role making an act (as tmac.invoker()), or error 42501 when the act is not that role''s own top-level act: inside a SECURITY DEFINER function outside tmac, from a trigger (beyond trigger_allowance), inside a security-restricted operation';

-- The acting person (mapped from the role making the act), or error 42501.  duty names the act
-- in English, marked tmac.msgid('change a tmac setting') by the caller, so that the errors print
-- it in the session's language; its translation is a noun phrase (「tmac の設定の変更」): the
-- messages say 「…%sはできません」.
CREATE FUNCTION tmac.acting_person(duty text) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  p record;
  me name := tmac.acting_role(duty);
  act text;
BEGIN
  SELECT * INTO p FROM tmac.person WHERE login_role = me;
  IF NOT FOUND THEN
    -- the duty (callers mark it for the message catalog) in the session's language
    act := tmac.message(replace(coalesce(duty, tmac.msgid('act')), '%', '%%'));
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = tmac.message('role "%s" is not mapped to a person and cannot %s', me, act),
            HINT = tmac.message('Act as a login role that the HR feed maps to a person (attribute login_role of a hire event).');
  END IF;
  -- The status as access decisions see it: a termination or leave that has come due
  -- counts from its instant, whether or not it has been applied yet.
  SELECT s.status INTO p.status FROM tmac.person_state_at(p.person_id, statement_timestamp()) s;
  IF p.status <> 'active' THEN
    act := tmac.message(replace(coalesce(duty, tmac.msgid('act')), '%', '%%'));
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = tmac.message('person "%s" is %s and cannot %s', p.person_id, p.status, act);
  END IF;
  RETURN p.person_id;
END
$$;
COMMENT ON FUNCTION tmac.acting_person(text) IS 'The active person mapped to the role making the act (tmac.acting_role); error 42501 naming the duty when there is none or when the act is not that role''s own';

SELECT tmac.add_audit_trigger('tmac.person', 'person_id');

-- One shape for "update the open row; if none, raise" in every register: after an act's UPDATE
-- (DELETE, SELECT … INTO, INSERT … ON CONFLICT DO NOTHING) the act passes FOUND, and the
-- register's own error `missing` (already in the reader's language, written by the caller with
-- tmac.message) with SQLSTATE `code` and, when given, `hint` is raised when the statement found no
-- row; tmac.row_by_key below ends the same way.  It only raises the error it is given, so everyone
-- may run it (SECURITY INVOKER acts call it as their caller).
CREATE FUNCTION tmac.require_found(was_found boolean, missing text, code text DEFAULT 'no_data_found', hint text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF was_found THEN   -- (not named found: that is PL/pgSQL's own variable, false on entry)
    RETURN;
  ELSIF hint IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = code, MESSAGE = missing;
  END IF;
  RAISE EXCEPTION USING ERRCODE = code, MESSAGE = missing, HINT = hint;
END
$$;
COMMENT ON FUNCTION tmac.require_found(boolean, text, text, text) IS 'Internal: nothing when the act''s statement found its row, else the register''s own error (with its hint) naming what is missing';

-- One shape for "look up by key" in every register: the row of r's table whose column key_col
-- equals key; none is error `missing` (already in the reader's language, written by the caller with
-- tmac.message) with SQLSTATE `code` and, when given, `hint` — or, when missing is NULL, a row of
-- NULLs (for a caller that decides itself what an absent row means).  r only names the table
-- (NULL::tmac.x).
CREATE FUNCTION tmac.row_by_key(r anyelement, key_col text, key anycompatible, missing text,
                                code text DEFAULT 'no_data_found', hint text DEFAULT NULL) RETURNS anyelement
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  n bigint;
BEGIN
  EXECUTE format('SELECT * FROM %s WHERE %I = $1',
                 (SELECT t.typrelid::regclass FROM pg_catalog.pg_type t WHERE t.oid = pg_catalog.pg_typeof(r)), key_col)
     INTO r USING key;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF missing IS NOT NULL THEN
    PERFORM tmac.require_found(n > 0, missing, code, hint);
  END IF;
  RETURN r;
END
$$;
COMMENT ON FUNCTION tmac.row_by_key(anyelement, text, anycompatible, text, text, text) IS 'Internal: the row of a register found by its key, or the register''s own error (with its hint) when there is none (a row of NULLs when no error is given)';

-- ... and "look up by key and lock": the same row, locked FOR UPDATE first (a register's rows are
-- never deleted and their keys never change, so the row read after the lock is the locked one).
CREATE FUNCTION tmac.row_for_update(r anyelement, key_col text, key anycompatible, missing text,
                                    code text DEFAULT 'no_data_found') RETURNS anyelement
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  EXECUTE format('SELECT 1 FROM %s WHERE %I = $1 FOR UPDATE',
                 (SELECT t.typrelid::regclass FROM pg_catalog.pg_type t WHERE t.oid = pg_catalog.pg_typeof(r)), key_col)
    USING key;
  RETURN tmac.row_by_key(r, key_col, key, missing, code);
END
$$;
COMMENT ON FUNCTION tmac.row_for_update(anyelement, text, anycompatible, text, text) IS 'Internal: the row of a register found by its key and locked FOR UPDATE, or the register''s own error when there is none';

-- The one check of the acts that name a person: the person, or error 23503 (persons come only
-- from the HR feed's hire events).
CREATE FUNCTION tmac.known_person(person_id text) RETURNS tmac.person
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  p tmac.person;
BEGIN
  SELECT * INTO p FROM tmac.person x WHERE x.person_id = known_person.person_id;
  IF FOUND THEN
    RETURN p;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = tmac.message('unknown person "%s"', person_id),
    HINT = tmac.message('Persons are created by a hire event in tmac.hr_event.');
END
$$;
COMMENT ON FUNCTION tmac.known_person(text) IS 'Internal: the person of a person_id, or error 23503 naming it (persons are created by hire events)';
SELECT tmac.keep_forever('tmac.person');

-- Login enrolment (set by the HR feed).  The HR feed may map a person only to a login role
-- that a DBA (tmac_admin) enrolled here, because mapping hands the role to the HR feed: a
-- termination makes it NOLOGIN, strips its tmac roles and ends its sessions, a rehire turns
-- LOGIN back on.  Without enrolment HR could do that to any role (a service account, an
-- application owner, its own login).  Enrolments are never deleted: a withdrawal is recorded.
CREATE TABLE tmac.login_enrolment (
  enrolment_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  login_role    name NOT NULL,
  enrolled_by   name NOT NULL,
  enrolled_at   timestamptz NOT NULL DEFAULT now(),
  withdrawn_by  name,
  withdrawn_at  timestamptz,
  CHECK ((withdrawn_by IS NULL) = (withdrawn_at IS NULL))
);
COMMENT ON TABLE tmac.login_enrolment IS
  'Login roles a DBA enrolled as persons'' logins (tmac.enrol_login): the only roles the HR feed may map a person to, or disable at termination; never deleted';
COMMENT ON COLUMN tmac.login_enrolment.enrolment_id IS 'Identifies one enrolment; a role enrolled again after a withdrawal gets a new one';
COMMENT ON COLUMN tmac.login_enrolment.login_role IS 'The enrolled PostgreSQL login role';
COMMENT ON COLUMN tmac.login_enrolment.enrolled_by IS 'The tmac_admin role that enrolled it';
COMMENT ON COLUMN tmac.login_enrolment.enrolled_at IS 'When it was enrolled';
COMMENT ON COLUMN tmac.login_enrolment.withdrawn_by IS 'The tmac_admin role that withdrew the enrolment (tmac.withdraw_login), or NULL while current';
COMMENT ON COLUMN tmac.login_enrolment.withdrawn_at IS 'When the enrolment was withdrawn, or NULL while current';
CREATE UNIQUE INDEX login_enrolment_current_idx ON tmac.login_enrolment (login_role) WHERE withdrawn_at IS NULL;
SELECT tmac.add_audit_trigger('tmac.login_enrolment', 'enrolment_id', 'login_role');
SELECT tmac.keep_forever('tmac.login_enrolment');

-- True when the role is currently enrolled (a SQL-standard body: bound at install, not pinned).
CREATE FUNCTION tmac.login_enrolled(role name) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN EXISTS (SELECT 1 FROM tmac.login_enrolment e WHERE e.login_role = role AND e.withdrawn_at IS NULL);
COMMENT ON FUNCTION tmac.login_enrolled(name) IS 'True when the login role is currently enrolled (tmac.enrol_login)';

-- Why an existing role can never be a person's login (NULL when it can).  feeder is the
-- role that feeds the HR event being checked (NULL at enrolment).
CREATE FUNCTION tmac.login_role_refusal(role name, feeder name DEFAULT NULL) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  r record;
BEGIN
  SELECT a.rolsuper, a.rolbypassrls, a.rolcreaterole INTO r FROM pg_catalog.pg_roles a WHERE a.rolname = role;
  IF NOT FOUND THEN
    RETURN NULL;                                     -- existence is the caller's check (42704)
  END IF;
  IF role LIKE 'tmac\_%' OR role LIKE 'pg\_%' OR role = 'postgres'
     OR role = (SELECT x.extowner::pg_catalog.regrole::text FROM pg_catalog.pg_extension x WHERE x.extname = 'tmac') THEN
    RETURN tmac.message('it is a tmac, predefined or bootstrap role');
  END IF;
  IF r.rolsuper OR r.rolbypassrls OR r.rolcreaterole THEN
    RETURN tmac.message('it is a superuser, BYPASSRLS or CREATEROLE role');
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
              WHERE g.rolname = role) THEN
    RETURN tmac.message('other roles are members of it (they could SET ROLE to it)');
  END IF;
  IF role = feeder THEN
    RETURN tmac.message('it is the role that feeds this HR event');
  END IF;
  IF pg_catalog.pg_has_role(role, 'tmac_hr', 'MEMBER') THEN
    RETURN tmac.message('it feeds HR events (a member of tmac_hr)');
  END IF;
  IF pg_catalog.pg_has_role(role, 'tmac_admin', 'MEMBER') THEN
    RETURN tmac.message('it administers tmac (a member of tmac_admin)');
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.login_role_refusal(name, name) IS 'Why a role can never be mapped to a person (a tmac, predefined or bootstrap role; superuser, BYPASSRLS or CREATEROLE; a role with members; the HR feed''s role or a member of tmac_hr or tmac_admin), or NULL';

CREATE FUNCTION tmac.enrol_login(role regrole) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('enrol a login role'));
  rn name := pg_catalog.pg_get_userbyid(role);     -- the role's name, unquoted
  why text;
  holder record;
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('enrol_login', 'role', role::text);
  IF NOT pg_catalog.pg_has_role(me, 'tmac_admin', 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('role "%s" must hold tmac_admin to enrol a login role', me);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.oid = role) THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = tmac.message('role %s does not exist', role::oid),
      HINT = tmac.message('Create the login role first (CREATE ROLE ... LOGIN); tmac maps persons to it, it does not create it.');
  END IF;
  why := tmac.login_role_refusal(rn);
  IF why IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = tmac.message('role "%s" cannot be enrolled as a person''s login: %s', rn, why),
            HINT = tmac.message('Enrol each person''s own login role: an ordinary LOGIN role that no other role is a member of.');
  END IF;
  -- a role renamed after the HR feed mapped it is still that person's (enrolled under its old name)
  SELECT x.person_id, x.login_role INTO holder FROM tmac.person x
   WHERE x.login_role_oid = role AND x.login_role IS DISTINCT FROM rn
   ORDER BY x.person_id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = tmac.message('role "%s" is the login role of person "%s", mapped as "%s"', rn, holder.person_id, holder.login_role),
            DETAIL = tmac.message('The role was renamed after the HR feed mapped it; tmac follows the role, not its name.'),
            HINT = tmac.message('Rename it back (ALTER ROLE %I RENAME TO %I), or find out who renamed it and why.', rn, holder.login_role);
  END IF;
  -- an enrolled login may do what every person may (tmac_person: record handling, report
  -- incidents, each refused unless the role is an active person's login)
  EXECUTE pg_catalog.format('GRANT tmac_person TO %I', rn);
  SELECT e.enrolment_id INTO id FROM tmac.login_enrolment e WHERE e.login_role = rn AND e.withdrawn_at IS NULL;
  IF FOUND THEN
    RETURN id;                                       -- already enrolled: nothing more to do
  END IF;
  INSERT INTO tmac.login_enrolment (login_role, enrolled_by) VALUES (rn, me)
  RETURNING enrolment_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.enrol_login(regrole) IS 'Enrols a login role as a person''s login (tmac_admin): only enrolled roles can be mapped by the HR feed, and each is granted tmac_person (the acts every person may do); returns the enrolment_id (the current one if already enrolled)';

CREATE FUNCTION tmac.withdraw_login(role name) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('withdraw a login enrolment'));
  p record;
BEGIN
  PERFORM tmac.require_arguments('withdraw_login', 'role', role::text);
  IF NOT pg_catalog.pg_has_role(me, 'tmac_admin', 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('role "%s" must hold tmac_admin to withdraw a login enrolment', me);
  END IF;
  SELECT x.person_id, x.status INTO p FROM tmac.person x WHERE x.login_role = role AND x.status <> 'terminated' FOR SHARE;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = tmac.message('login role "%s" is mapped to person "%s", who is %s', role, p.person_id, p.status),
            DETAIL = tmac.message('A termination disables only enrolled login roles; withdrawing this one would leave it enabled.'),
            HINT = tmac.message('Terminate the person, or map them to another login role with a transfer event, first.');
  END IF;
  UPDATE tmac.login_enrolment e SET withdrawn_by = me, withdrawn_at = now()
   WHERE e.login_role = role AND e.withdrawn_at IS NULL;
  PERFORM tmac.require_found(FOUND, tmac.message('login role "%s" is not enrolled', role), 'undefined_object');
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = role) THEN
    EXECUTE pg_catalog.format('REVOKE tmac_person FROM %I', role);
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.withdraw_login(name) IS 'Withdraws a login role''s enrolment and its tmac_person membership (tmac_admin); refused while a person who is not terminated is mapped to it';


-- Person ids and login roles: two spellings of one person.  A person_id is HR's employee number
-- as HR writes it (E004), the key of everything tmac stores about the person (grants,
-- requested_by, approved_by, pledges); a login role is the PostgreSQL role the person's sessions
-- run as (e004: unquoted identifiers fold to lower case), which current_user, tmac.audit_log.actor
-- and pg_stat_activity show.  Functions that take a person accept either where it is
-- unambiguous: the person of that id; else the one person mapped to that login role or whose id
-- it is up to case; two different candidates are an error (22023); nothing matching returns the
-- text unchanged, so that the caller's own "unknown person" error names what was written.
CREATE FUNCTION tmac.resolve_person(who text) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  found_ids text[];
BEGIN
  IF who IS NULL OR EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = who) THEN
    RETURN who;
  END IF;
  SELECT array_agg(DISTINCT c.person_id ORDER BY c.person_id) INTO found_ids
    FROM (SELECT p.person_id FROM tmac.person p WHERE p.login_role = who
          UNION ALL
          SELECT p.person_id FROM tmac.person p WHERE lower(p.person_id) = lower(who)) c;
  IF cardinality(found_ids) = 1 THEN
    RETURN found_ids[1];
  ELSIF cardinality(found_ids) > 1 THEN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
      MESSAGE = tmac.message('"%s" could name more than one person', who),
      DETAIL = tmac.message('It is the login role of one person and the person id, up to case, of another: %s.',
                            array_to_string(found_ids, ', ')),
      HINT = tmac.message('Write the person id exactly as HR spells it.');
  END IF;
  RETURN who;
END
$$;
COMMENT ON FUNCTION tmac.resolve_person(text) IS 'Internal: the person_id a function''s person argument names: the person of that id, else the one person mapped to that login role or whose id it is up to case (E004 for e004); error 22023 when two persons fit; the text itself when none does';

-- Login provisioning: the login roles of hired persons who have none, created, enrolled and
-- mapped in one call by tmac_admin.  Each role is new (an existing role of the name is never
-- taken over), named after the person id in lower case (E004 → e004, what the person then types
-- at login), and ordinary: LOGIN, INHERIT (the tmac roles granted to it work without SET ROLE,
-- and tmac_person's acts need the role itself), no SUPERUSER, CREATEDB, CREATEROLE, REPLICATION
-- or BYPASSRLS, no member, and no password: it cannot log in until the DBA sets up its
-- authentication (a password with ALTER ROLE … PASSWORD, or pg_hba.conf's cert, ldap, gss …
-- with the same user name).  It is then enrolled as tmac.enrol_login enrols (with the same
-- refusals) and mapped to the person; each creation is audited (category role, action CREATE),
-- the enrolment and the person's new login_role by their tables' own audit triggers.
CREATE FUNCTION tmac.provision_logins(person_ids text[] DEFAULT NULL)
  RETURNS TABLE (person_id text, login_role name, action text, detail text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('provision login roles'));
  wanted text[];
  p record;
  rn text;
  why text;
BEGIN
  IF NOT pg_catalog.pg_has_role(me, 'tmac_admin', 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = tmac.message('role "%s" must hold tmac_admin to provision login roles', me);
  END IF;
  IF person_ids IS NOT NULL THEN
    wanted := ARRAY(SELECT DISTINCT tmac.resolve_person(x) FROM unnest(person_ids) x WHERE x IS NOT NULL);
    FOR p IN SELECT w FROM unnest(wanted) w WHERE NOT EXISTS (SELECT 1 FROM tmac.person x WHERE x.person_id = w)
              ORDER BY w LOOP
      person_id := p.w; login_role := NULL; action := 'skipped';
      detail := tmac.message('not provisioned: no person has this id or login role');
      RETURN NEXT;
    END LOOP;
  END IF;
  -- without a list: every employee and contractor not terminated who has no login role
  FOR p IN SELECT x.person_id, x.status, x.login_role FROM tmac.person x
            WHERE CASE WHEN wanted IS NULL
                       THEN x.login_role IS NULL AND x.status <> 'terminated' AND x.kind IN ('employee', 'contractor')
                       ELSE x.person_id = ANY (wanted) END
            ORDER BY x.person_id FOR UPDATE LOOP
    person_id := p.person_id;
    login_role := NULL;
    action := 'skipped';
    rn := pg_catalog.lower(p.person_id);
    IF p.status = 'terminated' THEN
      detail := tmac.message('not provisioned: the person is terminated');
    ELSIF p.login_role IS NOT NULL THEN
      login_role := p.login_role;
      detail := tmac.message('not provisioned: the person has a login role already');
    ELSIF pg_catalog.octet_length(rn) >= 64 THEN
      detail := tmac.message('not provisioned: the person id is too long for a role name');
    ELSIF rn LIKE 'pg\_%' OR rn LIKE 'tmac\_%' OR rn IN ('public', 'none', 'current_user', 'current_role', 'session_user') THEN
      detail := tmac.message('not provisioned: role name "%s" is reserved', rn);
    ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = rn) THEN
      detail := tmac.message('not provisioned: role "%s" exists already (tmac creates new roles only; enrol an existing one with tmac.enrol_login and let HR map it)', rn);
    ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = rn) THEN
      -- the new role's "$user" schema would be someone else's: what they put there would run in
      -- the person's sessions (attack20_provision_user_schema.sql)
      detail := tmac.message('not provisioned: a schema "%s" exists, which would be first on the new role''s search_path; drop or rename it, or create and enrol the role yourself', rn);
    ELSIF tmac.login_role_holder(rn) IS NOT NULL THEN
      detail := tmac.message('not provisioned: login role "%s" is mapped to person "%s"', rn, tmac.login_role_holder(rn));
    ELSE
      EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD NULL', rn);
      why := tmac.login_role_refusal(rn);
      IF why IS NOT NULL THEN          -- cannot happen for a role just created; never map one that is refused
        RAISE EXCEPTION USING ERRCODE = 'internal_error',
          MESSAGE = tmac.message('new role "%s" is refused as a person''s login: %s', rn, why);
      END IF;
      PERFORM tmac.audit_append('role', 'CREATE', rn,
                                pg_catalog.jsonb_build_object('person_id', p.person_id, 'attributes', 'LOGIN INHERIT',
                                                              'password', false, 'by', 'tmac.provision_logins'));
      PERFORM tmac.enrol_login(pg_catalog.quote_ident(rn)::regrole);
      UPDATE tmac.person x SET login_role = rn, updated_at = now() WHERE x.person_id = p.person_id;
      login_role := rn;
      action := 'created';
      detail := tmac.message('created without a password: the DBA sets up its authentication');
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.provision_logins(text[]) IS 'Creates, enrols and maps the login roles of hired persons who have none (tmac_admin): every employee and contractor not terminated, or the persons listed; each new role is named after the lower-cased person id, ordinary (LOGIN INHERIT, no attributes, no members) and without a password; audited; returns one row per person with what it did';


-- Checks of the persons register (criterion II; the compliance registry: 45_compliance_registry.sql):
-- a leaver whose login role can still log in or still has sessions, and a login role that became one
-- tmac refuses to map.

CREATE FUNCTION tmac.check_terminated_login_enabled() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- the role by name and the role recorded by OID when the person was mapped (renamed since?)
  SELECT 'person:' || p.person_id,
         tmac.message('%s (%s) was terminated on %s but login role %s can still log in. Run %s.',
                p.person_id, p.full_name, p.terminated_at,
                string_agg(r.rolname || CASE WHEN r.rolname <> p.login_role THEN tmac.message(' (renamed from %s)', p.login_role) ELSE '' END,
                           ', ' ORDER BY r.rolname),
                string_agg('ALTER ROLE ' || quote_ident(r.rolname) || ' NOLOGIN', '; ' ORDER BY r.rolname)),
         p.terminated_at
    FROM tmac.person p JOIN pg_catalog.pg_roles r ON r.oid = p.login_role_oid OR r.rolname = p.login_role
   WHERE p.status = 'terminated' AND r.rolcanlogin
   GROUP BY p.person_id, p.full_name, p.terminated_at, p.login_role;
END;
COMMENT ON FUNCTION tmac.check_terminated_login_enabled() IS 'Check terminated_login_enabled: terminated persons whose login role (by name, or by the OID recorded when it was mapped) still has LOGIN';

CREATE FUNCTION tmac.check_terminated_session_open() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'person:' || p.person_id,
         tmac.message('%s (%s) was terminated on %s but %s session(s) of %s are open (pids %s). End them with pg_terminate_backend.',
                p.person_id, p.full_name, p.terminated_at, count(*),
                string_agg(DISTINCT a.usename::text || CASE WHEN a.usename <> p.login_role THEN tmac.message(' (renamed from %s)', p.login_role) ELSE '' END, ', '),
                string_agg(a.pid::text, ', ' ORDER BY a.pid)),
         min(a.backend_start)
    -- the role recorded by OID when the person was mapped (renamed since?) and the role by name
    FROM tmac.person p JOIN pg_catalog.pg_stat_activity a ON a.usesysid = p.login_role_oid OR a.usename = p.login_role
   WHERE p.status = 'terminated' AND a.backend_type = 'client backend'
   GROUP BY p.person_id, p.full_name, p.terminated_at, p.login_role;
END;
COMMENT ON FUNCTION tmac.check_terminated_session_open() IS 'Check terminated_session_open: terminated persons with open database sessions of their login role (by name, or by the OID recorded when it was mapped)';

-- A person's login that became what tmac.enrol_login and the HR feed refuse to map (a member of
-- tmac_admin or tmac_hr, SUPERUSER, BYPASSRLS or CREATEROLE, a role others are members of) after
-- it was mapped: the same rule (tmac.login_role_refusal), applied to the roles as they are now.
CREATE FUNCTION tmac.check_person_login_refused() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'person:' || p.person_id,
         tmac.message('Login role %s of %s (%s) can no longer be a person''s login: %s.',
                r.rolname, p.person_id, p.full_name, w.why),
         now()
    FROM tmac.person p
    JOIN pg_catalog.pg_roles r ON r.oid = p.login_role_oid OR r.rolname = p.login_role
    CROSS JOIN LATERAL (SELECT tmac.login_role_refusal(r.rolname) AS why) w
   WHERE p.status <> 'terminated' AND w.why IS NOT NULL;
END;
COMMENT ON FUNCTION tmac.check_person_login_refused() IS 'Check person_login_refused: persons (not terminated) whose login role has become one tmac refuses to map (tmac.login_role_refusal: a member of tmac_admin or tmac_hr, SUPERUSER, BYPASSRLS or CREATEROLE, a role with members)';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('terminated_login_enabled', 'II', 'critical', tmac.msgid('Terminated person whose login role can log in'),
   tmac.msgid('The login role of a terminated person still has LOGIN.'), tmac.msgid('ALTER ROLE … NOLOGIN.'), 'tmac.check_terminated_login_enabled', '{}', '{persons}', true),
  ('terminated_session_open', 'II', 'critical', tmac.msgid('Terminated person with open sessions'),
   tmac.msgid('A terminated person''s login role has open database sessions.'), tmac.msgid('End them with pg_terminate_backend(pid).'), 'tmac.check_terminated_session_open', '{}', '{persons}', true),
  ('person_login_refused', 'II', 'high', tmac.msgid('Person''s login role that tmac would refuse to map'),
   tmac.msgid('After it was mapped, a person''s login role became a member of tmac_admin or tmac_hr, SUPERUSER, BYPASSRLS or CREATEROLE, or other roles became its members: tmac.enrol_login and the HR feed refuse such roles, because whoever holds them can change what the person may read, feed the person''s own HR events, or act as the person.'),
   tmac.msgid('Give the duty to a role of its own (REVOKE tmac_admin / tmac_hr FROM the login, remove the attribute or the memberships); an administrator''s role is not also a person''s login.'), 'tmac.check_person_login_refused', '{}', '{persons}', true);
