-- 59_access_profile_stub.sql — STUB of the people/grants contract, for the enforce branch only.
--
-- STUB: DELETE THIS FILE WHEN THE `people` BRANCH IS MERGED.  It stands in for
-- tmac.access_profile(), tmac.access_profile_of() and tmac.audit_record(),
-- which the people branch provides with the same signatures, so that the C
-- decision engine can be built and tested now.  A profile is one row of
-- tmac.stub_profile; at or after its valid_until the stub answers as if the
-- clearance and grants had expired.

CREATE TABLE tmac.stub_profile (
  login_role         name PRIMARY KEY,
  person_id          text NOT NULL UNIQUE,
  active             boolean NOT NULL DEFAULT true,
  clearance_rank     integer,
  read_compartments  integer[] NOT NULL DEFAULT '{}',
  write_compartments integer[] NOT NULL DEFAULT '{}',
  org_group_id       integer,
  pledge_ok          boolean NOT NULL DEFAULT true,
  training_ok        boolean NOT NULL DEFAULT true,
  valid_until        timestamptz
);
COMMENT ON TABLE tmac.stub_profile IS 'STUB (enforce branch): access profiles until the people branch lands';

CREATE TABLE tmac.stub_audit (
  audit_id  bigserial PRIMARY KEY,
  category  text NOT NULL,
  action    text NOT NULL,
  subject   text,
  detail    jsonb,
  actor     name NOT NULL DEFAULT session_user,
  at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE tmac.stub_audit IS 'STUB (enforce branch): audit records until the people branch lands';

CREATE TRIGGER invalidate_caches AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tmac.stub_profile
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.cache_invalidate();

CREATE FUNCTION tmac.stub_profile_at(s tmac.stub_profile, at timestamptz)
  RETURNS TABLE (person_id text, active boolean, clearance_rank integer,
                 read_compartments integer[], write_compartments integer[],
                 org_group_id integer, pledge_ok boolean, training_ok boolean,
                 valid_until timestamptz)
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT s.person_id, s.active,
         CASE WHEN s.valid_until IS NULL OR at < s.valid_until THEN s.clearance_rank END,
         CASE WHEN s.valid_until IS NULL OR at < s.valid_until
              THEN ARRAY(SELECT DISTINCT x FROM unnest(s.read_compartments) x ORDER BY x) ELSE '{}' END,
         CASE WHEN s.valid_until IS NULL OR at < s.valid_until
              THEN ARRAY(SELECT DISTINCT x FROM unnest(s.write_compartments) x ORDER BY x) ELSE '{}' END,
         s.org_group_id, s.pledge_ok, s.training_ok,
         CASE WHEN s.valid_until > at THEN s.valid_until END
$$;

CREATE FUNCTION tmac.access_profile(login_role name, at timestamptz)
  RETURNS TABLE (person_id text, active boolean, clearance_rank integer,
                 read_compartments integer[], write_compartments integer[],
                 org_group_id integer, pledge_ok boolean, training_ok boolean,
                 valid_until timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
  SELECT p.* FROM tmac.stub_profile s, tmac.stub_profile_at(s, at) p WHERE s.login_role = $1
$$;
COMMENT ON FUNCTION tmac.access_profile(name, timestamptz) IS
  'STUB (enforce branch): what the person mapped to a login role may access at an instant';

CREATE FUNCTION tmac.access_profile_of(person_id text, at timestamptz)
  RETURNS TABLE (person_id text, active boolean, clearance_rank integer,
                 read_compartments integer[], write_compartments integer[],
                 org_group_id integer, pledge_ok boolean, training_ok boolean,
                 valid_until timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
  SELECT p.* FROM tmac.stub_profile s, tmac.stub_profile_at(s, at) p WHERE s.person_id = $1
$$;
COMMENT ON FUNCTION tmac.access_profile_of(text, timestamptz) IS
  'STUB (enforce branch): what a person may access at an instant';

CREATE FUNCTION tmac.audit_record(category text, action text, subject text, detail jsonb)
  RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
  INSERT INTO tmac.stub_audit (category, action, subject, detail)
  VALUES (category, action, subject, detail) RETURNING audit_id
$$;
COMMENT ON FUNCTION tmac.audit_record(text, text, text, jsonb) IS
  'STUB (enforce branch): appends a record to the audit log';

REVOKE ALL ON FUNCTION tmac.access_profile(name, timestamptz), tmac.access_profile_of(text, timestamptz),
  tmac.audit_record(text, text, text, jsonb), tmac.stub_profile_at(tmac.stub_profile, timestamptz) FROM PUBLIC;
