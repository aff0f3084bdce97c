-- 52_persons.sql — persons (SPEC §4): employees, contractors, visitors, service accounts.
--
-- Persons are created and changed by the HR feed (tmac.hr_event, 55_hr_feed.sql);
-- nobody is granted INSERT, UPDATE or DELETE on this table, and rows are never
-- deleted: a terminated person stays, with terminated_at.  A person maps to at
-- most one PostgreSQL login role, and a login role to at most one person.

-- The HR feed's "applying an event" flag (src/hr_feed_flag.c): backend-local, cleared at
-- every transaction end, settable only by the extension owner (through tmac.hr_event_receive).
CREATE FUNCTION tmac.hr_feed_applying() RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_applying' LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION tmac.hr_feed_applying() IS
  'True while the HR feed applies an event in this backend (its changes then invalidate caches once, through tmac.hr_event)';
CREATE FUNCTION tmac.hr_feed_set_applying(boolean) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_set_applying' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_feed_set_applying(boolean) IS
  'Sets the HR feed''s applying flag and returns the previous value; for tmac.hr_event_receive only';
REVOKE ALL ON FUNCTION tmac.hr_feed_set_applying(boolean) FROM PUBLIC;

CREATE TABLE tmac.person (
  person_id             text PRIMARY KEY CHECK (person_id ~ '^\S(.*\S)?$' AND length(person_id) <= 100),
  full_name             text NOT NULL CHECK (btrim(full_name) <> ''),
  title                 text,
  org_group             text,
  job_role              text,
  kind                  text NOT NULL DEFAULT 'employee'
                        CHECK (kind IN ('employee', 'contractor', 'visitor', 'service')),
  login_role            name UNIQUE,
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
  CHECK ((status = 'terminated') = (terminated_at IS NOT NULL)),
  CHECK (kind NOT IN ('service', 'visitor') OR responsible_person IS NOT NULL)
);
CREATE INDEX person_org_group_idx ON tmac.person (org_group);
COMMENT ON TABLE tmac.person IS
  'Persons from the HR feed (employees, contractors, visitors, service accounts), mapped to PostgreSQL login roles; never deleted';
COMMENT ON COLUMN tmac.person.person_id IS 'Employee number or other HR identifier';
COMMENT ON COLUMN tmac.person.title IS 'Job title (役職)';
COMMENT ON COLUMN tmac.person.org_group IS 'Code of the person''s organisation group (tmac.org_group)';
COMMENT ON COLUMN tmac.person.job_role IS 'Job role; grants are bound to the job role and group held when approved';
COMMENT ON COLUMN tmac.person.kind IS 'employee, contractor, visitor or service';
COMMENT ON COLUMN tmac.person.login_role IS 'The PostgreSQL role this person logs in as (unique)';
COMMENT ON COLUMN tmac.person.status IS 'active, on_leave or terminated, as last applied from the HR feed';
COMMENT ON COLUMN tmac.person.terminated_at IS 'When the termination took effect';
COMMENT ON COLUMN tmac.person.responsible_person IS 'The employee responsible for a service account or visitor';
COMMENT ON COLUMN tmac.person.pledge_required_since IS 'Pledges signed before this (the last role change) no longer count';
COMMENT ON COLUMN tmac.person.role_changed_at IS 'When the last transfer or promotion took effect';
COMMENT ON COLUMN tmac.person.login_disabled_by_tmac IS 'True when tmac set NOLOGIN on the login role at termination (a rehire restores LOGIN)';

-- Resolves a group code, name (any case) to the canonical code; NULL passes through.
CREATE FUNCTION tmac.group_code(spelling text) RETURNS text
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  c text;
BEGIN
  IF spelling IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT t.entry INTO c FROM tmac.vocabulary_token t WHERE t.kind = 'group' AND t.token = upper(btrim(spelling));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown organisation group "%"', spelling
      USING ERRCODE = 'undefined_object', HINT = 'Define it first with tmac.define_group(code, name, parent).';
  END IF;
  RETURN c;
END
$$;
COMMENT ON FUNCTION tmac.group_code(text) IS 'The canonical code of an organisation group given by code or name; error 42704 when unknown';

-- The person mapped to a role, or NULL.
CREATE FUNCTION tmac.person_of_role(role name) RETURNS text
  LANGUAGE sql STABLE STRICT PARALLEL SAFE
  RETURN (SELECT p.person_id FROM tmac.person p WHERE p.login_role = role);
COMMENT ON FUNCTION tmac.person_of_role(name) IS 'The person_id mapped to a PostgreSQL role, or NULL';

-- The acting person (mapped from the invoker), or error 42501.
CREATE FUNCTION tmac.acting_person(duty text) RETURNS text
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  p record;
BEGIN
  SELECT * INTO p FROM tmac.person WHERE login_role = tmac.invoker();
  IF NOT FOUND THEN
    RAISE EXCEPTION 'role "%" is not mapped to a person and cannot %', tmac.invoker(), duty
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Act as a login role that the HR feed maps to a person (attribute login_role of a hire event).';
  END IF;
  -- The status as access decisions see it: a termination or leave that has come due
  -- counts from its instant, whether or not it has been applied yet.
  SELECT s.status INTO p.status FROM tmac.person_state_at(p.person_id, statement_timestamp()) s;
  IF p.status <> 'active' THEN
    RAISE EXCEPTION 'person "%" is % and cannot %', p.person_id, p.status, duty
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN p.person_id;
END
$$;
COMMENT ON FUNCTION tmac.acting_person(text) IS
  'The active person mapped to the invoking role; error 42501 naming the duty when there is none';

SELECT tmac.add_audit_trigger('tmac.person', 'person_id');
-- Changes the HR feed applies from inside its row trigger on tmac.hr_event (tmac.hr_event_receive
-- sets the flag tmac.hr_feed_applying(), see src/hr_feed_flag.c) are covered by the invalidation of tmac.hr_event at the end of that
-- same statement: invalidating here too, once per event, made every cached plan that reads
-- persons be planned again for each event of a COPY.
CREATE TRIGGER invalidate_caches AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tmac.person
  FOR EACH STATEMENT
  WHEN (pg_catalog.pg_trigger_depth() = 0
        OR NOT tmac.hr_feed_applying())
  EXECUTE FUNCTION tmac.cache_invalidate();

-- Governance rows are never deleted (shared by the tables of 52–55).
CREATE FUNCTION tmac.forbid_delete() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RAISE EXCEPTION 'rows of tmac.% are never deleted', TG_TABLE_NAME
    USING ERRCODE = 'feature_not_supported',
          DETAIL = 'tmac keeps every person, event, grant, pledge and training record as evidence.',
          HINT = 'End, revoke or terminate instead; the history stays.';
END
$$;
COMMENT ON FUNCTION tmac.forbid_delete() IS 'Trigger: governance records are never deleted';
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.person
  FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_truncate BEFORE TRUNCATE ON tmac.person
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.forbid_delete();
SELECT pg_catalog.pg_extension_config_dump('tmac.person', '');
