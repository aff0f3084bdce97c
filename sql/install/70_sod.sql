-- 70_sod.sql — segregation of duties: duties, rules, exceptions, prevention of conflicts.
--
-- A duty is either a PostgreSQL role (holding it = being a member of the role
-- through any chain of pg_auth_members, whatever the INHERIT flags, because a
-- member can always SET ROLE) or a tmac duty held by assignment
-- (tmac.duty_assignment: requester, key custodian, ...).  A rule names two
-- duties one person must not hold together; rules are symmetric.  An
-- exception lets one person (or one login role not mapped to a person) hold
-- both for a bounded time, approved by someone else.
--
-- Prevention happens where tmac sees the change: tmac.assign_duty and
-- tmac.grant_role refuse a conflict without a current exception (and the
-- duty_assignment trigger refuses it for a direct INSERT).  A plain GRANT is
-- invisible to tmac at that moment; tmac.sod_violations() and the findings
-- detect it afterwards.
--
-- The API functions run as the caller (SECURITY INVOKER): who approves an
-- exception is current_user, mapped to a person when tmac.person exists, and
-- granting a PostgreSQL role needs PostgreSQL's own ADMIN OPTION on it.
--
-- Its compliance checks (sod_conflict, sod_exception_expired) are at the end of this file.

-- Who is acting: the person mapped to a role.
CREATE FUNCTION tmac.sod_person_of(role name) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  RETURN (SELECT p.person_id FROM tmac.person p WHERE p.login_role = role);
COMMENT ON FUNCTION tmac.sod_person_of(name) IS
  'The person_id of the person who logs in as the role, or NULL when none is registered';

CREATE FUNCTION tmac.sod_login_role_of(person text) RETURNS name
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  RETURN (SELECT p.login_role FROM tmac.person p WHERE p.person_id = person);
COMMENT ON FUNCTION tmac.sod_login_role_of(text) IS
  'The login role of a registered person, or NULL';

CREATE FUNCTION tmac.sod_person_exists(person text) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  RETURN EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = person);
COMMENT ON FUNCTION tmac.sod_person_exists(text) IS 'True when the person is registered';

-- Duties.
CREATE TABLE tmac.duty (
  duty        text PRIMARY KEY CHECK (duty ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
  name        text NOT NULL,
  pg_role     name UNIQUE,
  description text,
  builtin     boolean NOT NULL DEFAULT false,
  defined_at  timestamptz NOT NULL DEFAULT now(),
  defined_by  name NOT NULL DEFAULT session_user
);
COMMENT ON TABLE tmac.duty IS
  'Duties segregation-of-duties rules talk about: a PostgreSQL role (pg_role set; held through any chain of membership) or a tmac duty held by assignment';
COMMENT ON COLUMN tmac.duty.pg_role IS 'The PostgreSQL role whose membership is this duty, or NULL for a duty held by tmac.duty_assignment';
INSERT INTO tmac.duty (duty, name, pg_role, description, builtin) VALUES
  ('access_admin', 'アクセス権管理者 / access administrator', 'tmac_access_admin', 'Requests grants and runs access reviews', true),
  ('approver',     '承認者 / approver',                      'tmac_approver',     'Approves or rejects access requests', true),
  ('hr_feed',      '人事連携 / HR feed',                     'tmac_hr',           'Feeds HR events', true),
  ('auditor',      '監査人 / auditor',                       'tmac_auditor',      'Reads compliance evidence and verifies the audit log', true),
  ('tmac_admin',   '情報管理責任者 / information-management officer', 'tmac_admin', 'Defines the vocabulary, protects tables, configures tmac', true),
  ('requester',    '申請者 / requester',                     NULL, 'Requests access on behalf of others (assigned duty)', true),
  ('key_custodian','鍵管理者 / key custodian',               NULL, 'Keeps keys and combinations of storage containers (assigned duty)', true);
SELECT pg_catalog.pg_extension_config_dump('tmac.duty', 'WHERE NOT builtin');

CREATE TABLE tmac.duty_assignment (
  assignment_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id   text NOT NULL REFERENCES tmac.person,
  duty        text NOT NULL REFERENCES tmac.duty,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  assigned_by name NOT NULL DEFAULT current_user,
  ended_at    timestamptz,
  ended_by    name,
  CHECK (ended_at IS NULL OR ended_at >= assigned_at)
);
CREATE UNIQUE INDEX duty_assignment_current ON tmac.duty_assignment (person_id, duty) WHERE ended_at IS NULL;
COMMENT ON TABLE tmac.duty_assignment IS
  'Who holds which tmac duty (one not backed by a PostgreSQL role); rows are ended, never deleted';
COMMENT ON COLUMN tmac.duty_assignment.person_id IS 'The person (tmac.person.person_id) holding the duty';
SELECT pg_catalog.pg_extension_config_dump('tmac.duty_assignment', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.duty_assignment_assignment_id_seq', '');

-- Rules.
CREATE TABLE tmac.sod_rule (
  rule_id     integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  duty_a      text NOT NULL REFERENCES tmac.duty,
  duty_b      text NOT NULL REFERENCES tmac.duty,
  severity    text NOT NULL DEFAULT 'high' CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  builtin     boolean NOT NULL DEFAULT false,
  enabled     boolean NOT NULL DEFAULT true,
  defined_at  timestamptz NOT NULL DEFAULT now(),
  defined_by  name NOT NULL DEFAULT session_user,
  CHECK (duty_a <> duty_b)
);
CREATE UNIQUE INDEX sod_rule_pair ON tmac.sod_rule (least(duty_a, duty_b), greatest(duty_a, duty_b));
COMMENT ON TABLE tmac.sod_rule IS
  'Segregation-of-duties rules: two duties one person must not hold together (symmetric)';
COMMENT ON COLUMN tmac.sod_rule.severity IS 'critical, high, medium or low: the severity of a finding for a violation';
INSERT INTO tmac.sod_rule (rule_id, name, duty_a, duty_b, severity, builtin) VALUES
  (1, 'access admin vs approver', 'access_admin', 'approver', 'critical', true),
  (2, 'access admin vs auditor',  'access_admin', 'auditor',  'high',     true),
  (3, 'HR feed vs access admin',  'hr_feed',      'access_admin', 'high', true);
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('tmac.sod_rule', 'rule_id'), 100);
SELECT pg_catalog.pg_extension_config_dump('tmac.sod_rule', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('tmac.sod_rule_rule_id_seq', '');

-- Exceptions.
CREATE TABLE tmac.sod_exception (
  exception_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule_id       integer NOT NULL REFERENCES tmac.sod_rule,
  person_id     text,
  login_role    name,
  justification text NOT NULL CHECK (length(btrim(justification)) >= 10),
  approved_by   text NOT NULL,
  approved_at   timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  revoked_by    text,
  revoke_reason text,
  CHECK (num_nonnulls(person_id, login_role) = 1),
  CHECK (approved_by IS DISTINCT FROM person_id AND approved_by IS DISTINCT FROM login_role::text),
  CHECK (expires_at > approved_at)
);
CREATE INDEX sod_exception_rule ON tmac.sod_exception (rule_id);
COMMENT ON TABLE tmac.sod_exception IS
  'Approved exceptions to an SoD rule for one person (or one unmapped login role), with a justification, an approver who is not that person and a mandatory, bounded expiry';
COMMENT ON COLUMN tmac.sod_exception.person_id IS 'The person the exception is for (NULL when it is for an unmapped login role)';
COMMENT ON COLUMN tmac.sod_exception.login_role IS 'The login role the exception is for, when no person is registered for it';
COMMENT ON COLUMN tmac.sod_exception.approved_by IS 'person_id (or role name, when unmapped) of the approver; never the holder';
COMMENT ON COLUMN tmac.sod_exception.expires_at IS 'Mandatory; at most sod_exception_max after approval';
SELECT pg_catalog.pg_extension_config_dump('tmac.sod_exception', '');
SELECT pg_catalog.pg_extension_config_dump('tmac.sod_exception_exception_id_seq', '');

CREATE FUNCTION tmac.sod_exception_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me text := coalesce(tmac.sod_person_of(current_user), current_user::text);
  maxi interval := tmac.setting_lookup('sod_exception_max')::interval;
BEGIN
  IF tmac.restoring() THEN
    RETURN NEW;                 -- a restored exception is history: kept as dumped
  END IF;
  -- approving or revoking an exception is the approver's own act (this trigger: depth 1)
  PERFORM tmac.acting_role(CASE TG_OP WHEN 'UPDATE' THEN tmac.msgid('revoke an SoD exception') ELSE tmac.msgid('approve an SoD exception') END, 1);
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.rule_id, NEW.person_id, NEW.login_role, NEW.justification, NEW.approved_by, NEW.approved_at, NEW.expires_at)
       IS DISTINCT FROM
       (OLD.rule_id, OLD.person_id, OLD.login_role, OLD.justification, OLD.approved_by, OLD.approved_at, OLD.expires_at) THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('an SoD exception cannot be changed, only revoked'),
        ERRCODE = 'insufficient_privilege',
              HINT = tmac.message('Revoke it with tmac.revoke_sod_exception and grant a new one.');
    END IF;
    IF OLD.revoked_at IS NOT NULL THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('SoD exception %s is already revoked', OLD.exception_id), ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.revoked_at IS NOT NULL THEN
      NEW.revoked_at := now();
      NEW.revoked_by := me;
    END IF;
    RETURN NEW;
  END IF;
  NEW.approved_by := me;
  NEW.approved_at := now();
  NEW.revoked_at := NULL; NEW.revoked_by := NULL; NEW.revoke_reason := NULL;
  IF NEW.person_id IS NULL AND NEW.login_role IS NOT NULL THEN
    NEW.person_id := tmac.sod_person_of(NEW.login_role);
    IF NEW.person_id IS NOT NULL THEN NEW.login_role := NULL; END IF;
  END IF;
  IF NEW.person_id IS NOT NULL AND NOT tmac.sod_person_exists(NEW.person_id) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown person "%s"', NEW.person_id),
      ERRCODE = 'foreign_key_violation',
            HINT = tmac.message('Give a person_id of tmac.person, or person_id NULL and the login role for a role not mapped to a person.');
  END IF;
  IF me = NEW.person_id OR me = NEW.login_role::text
     OR (NEW.person_id IS NOT NULL AND tmac.sod_login_role_of(NEW.person_id) = current_user) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('an SoD exception cannot be approved by the person it is for'),
      ERRCODE = 'insufficient_privilege',
            HINT = tmac.message('Another information manager must approve it.');
  END IF;
  IF NOT pg_catalog.pg_has_role(current_user, 'tmac_admin', 'MEMBER')
     AND NOT pg_catalog.pg_has_role(current_user, 'tmac_approver', 'MEMBER') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('approving an SoD exception needs tmac_admin or tmac_approver'),
      ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.expires_at IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('an SoD exception needs an expiry'), ERRCODE = 'not_null_violation';
  END IF;
  IF NEW.expires_at <= now() THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('an SoD exception must expire in the future'), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NEW.expires_at > now() + maxi THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('an SoD exception may last at most %s', maxi),
      ERRCODE = 'invalid_parameter_value',
            DETAIL = tmac.message('The requested expiry %s is later than %s.', NEW.expires_at, now() + maxi),
            HINT = tmac.message('Grant a shorter exception and renew it, or change the setting sod_exception_max.');
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.sod_exception_guard() IS
  'Trigger: stamps the approver of an SoD exception, refuses self-approval, a missing or too distant expiry, and changes other than revocation';
CREATE TRIGGER sod_exception_guard BEFORE INSERT OR UPDATE ON tmac.sod_exception
  FOR EACH ROW EXECUTE FUNCTION tmac.sod_exception_guard();

-- Every (holder, duty): role duties through recursive membership, assigned duties.
-- person_id is the registered person of the login role (NULL when unmapped).
CREATE FUNCTION tmac.duty_holders()
  RETURNS TABLE (person_id text, login_role name, duty text, via text)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN QUERY
    WITH RECURSIVE m(duty, roleid, path) AS (
      SELECT d.duty, r.oid, d.pg_role::text
        FROM tmac.duty d JOIN pg_catalog.pg_roles r ON r.rolname = d.pg_role
      UNION
      SELECT m.duty, am.member, m.path || ' > ' || mr.rolname
        FROM m JOIN pg_catalog.pg_auth_members am ON am.roleid = m.roleid
               JOIN pg_catalog.pg_roles mr ON mr.oid = am.member
       WHERE pg_catalog.length(m.path) < 2000
    ), byrole AS (
      SELECT DISTINCT ON (r.rolname, m.duty) r.rolname, m.duty, 'role ' || m.path AS via
        FROM m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
       WHERE r.rolcanlogin
    )
    SELECT p.person_id::text, b.rolname, b.duty, b.via
      FROM byrole b LEFT JOIN tmac.person p ON p.login_role = b.rolname
    UNION ALL
    SELECT a.person_id, p.login_role, a.duty, 'assigned by ' || a.assigned_by
      FROM tmac.duty_assignment a LEFT JOIN tmac.person p ON p.person_id::text = a.person_id
     WHERE a.ended_at IS NULL;
END
$$;
COMMENT ON FUNCTION tmac.duty_holders() IS
  'Every login role or person holding a duty: role duties through any chain of role membership, assigned duties from tmac.duty_assignment';

-- Holders of both duties of a rule, without a current exception.
CREATE FUNCTION tmac.sod_role_conflicts()
  RETURNS TABLE (rule_id integer, rule_name text, severity text, person_id text, login_role name,
                 duty_a text, duty_b text, via_a text, via_b text)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
  WITH hp AS MATERIALIZED (
    -- a person's duties through their login role and by assignment are one holder
    SELECT coalesce(h.person_id, 'role:' || h.login_role) AS holder,
           max(h.person_id) AS person_id, max(h.login_role) AS login_role, h.duty, min(h.via) AS via
      FROM tmac.duty_holders() h
     GROUP BY 1, h.duty
  )
  SELECT r.rule_id, r.name, r.severity, a.person_id, coalesce(a.login_role, b.login_role),
         r.duty_a, r.duty_b, a.via, b.via
    FROM tmac.sod_rule r
    JOIN hp a ON a.duty = r.duty_a
    JOIN hp b ON b.duty = r.duty_b AND b.holder = a.holder
   WHERE r.enabled
     AND NOT EXISTS (
       SELECT 1 FROM tmac.sod_exception e
        WHERE e.rule_id = r.rule_id AND e.revoked_at IS NULL AND e.expires_at > now()
          AND (e.person_id = a.person_id OR e.login_role = coalesce(a.login_role, b.login_role)))
$$;
COMMENT ON FUNCTION tmac.sod_role_conflicts() IS
  'Persons (or unmapped login roles) holding both duties of an enabled SoD rule without a current exception';

-- Preventive check: would the holder conflict after gaining these duties?
CREATE FUNCTION tmac.sod_refuse_conflict(holder_person text, holder_role name, new_duties text[]) RETURNS void
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  held text[];
  r record;
BEGIN
  SELECT coalesce(array_agg(DISTINCT h.duty), '{}') INTO held
    FROM tmac.duty_holders() h
   WHERE (holder_person IS NOT NULL AND h.person_id = holder_person)
      OR (holder_role IS NOT NULL AND h.login_role = holder_role);
  IF holder_role IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = holder_role AND rolcanlogin) THEN
    -- a group role: what it holds is inherited by all its members; checked per member by the caller
    NULL;
  END IF;
  held := held || new_duties;
  SELECT s.rule_id, s.name, s.duty_a, s.duty_b INTO r
    FROM tmac.sod_rule s
   WHERE s.enabled
     AND ((s.duty_a = ANY (new_duties) AND s.duty_b = ANY (held))
       OR (s.duty_b = ANY (new_duties) AND s.duty_a = ANY (held)))
     AND NOT EXISTS (
       SELECT 1 FROM tmac.sod_exception e
        WHERE e.rule_id = s.rule_id AND e.revoked_at IS NULL AND e.expires_at > now()
          AND ((holder_person IS NOT NULL AND e.person_id = holder_person)
            OR (holder_role IS NOT NULL AND e.login_role = holder_role)))
   ORDER BY s.rule_id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('segregation of duties: %s would hold both "%s" and "%s"', coalesce(holder_person, holder_role::text), r.duty_a, r.duty_b),
      ERRCODE = 'insufficient_privilege',
            DETAIL = tmac.message('SoD rule %s (%s) forbids one person holding both duties.', r.rule_id, r.name),
            HINT = tmac.message('Give the duty to someone else, or have another manager grant an exception with tmac.grant_sod_exception first.');
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.sod_refuse_conflict(text, name, text[]) IS
  'Raises insufficient_privilege when the holder gaining these duties would violate an SoD rule without a current exception';

CREATE FUNCTION tmac.duty_assignment_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF tmac.restoring() THEN
    RETURN NEW;                 -- a restored assignment is history: kept as dumped
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF (SELECT d.pg_role FROM tmac.duty d WHERE d.duty = NEW.duty) IS NOT NULL THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('duty "%s" is held through membership of a PostgreSQL role', NEW.duty),
        ERRCODE = 'wrong_object_type',
              HINT = tmac.message('Use tmac.assign_duty, which grants the role, or tmac.grant_role.');
    END IF;
    NEW.assigned_at := now(); NEW.assigned_by := current_user; NEW.ended_at := NULL; NEW.ended_by := NULL;
    PERFORM tmac.sod_refuse_conflict(NEW.person_id, tmac.sod_login_role_of(NEW.person_id), ARRAY[NEW.duty]);
  ELSIF (NEW.person_id, NEW.duty, NEW.assigned_at, NEW.assigned_by) IS DISTINCT FROM
        (OLD.person_id, OLD.duty, OLD.assigned_at, OLD.assigned_by)
     OR OLD.ended_at IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('a duty assignment can only be ended'), ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.duty_assignment_guard() IS
  'Trigger: refuses a duty assignment that violates an SoD rule without a current exception, and changes other than ending';
CREATE TRIGGER duty_assignment_guard BEFORE INSERT OR UPDATE ON tmac.duty_assignment
  FOR EACH ROW EXECUTE FUNCTION tmac.duty_assignment_guard();

-- The API.
CREATE FUNCTION tmac.define_duty(duty text, name text, pg_role name DEFAULT NULL, description text DEFAULT NULL)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('define_duty', 'duty', duty, 'name', name);
  PERFORM tmac.validate_entry('duty', duty);
  IF pg_role IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = define_duty.pg_role) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('role "%s" does not exist', pg_role), ERRCODE = 'undefined_object';
  END IF;
  INSERT INTO tmac.duty (duty, name, pg_role, description) VALUES (duty, name, pg_role, description);
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION USING MESSAGE = tmac.message('duty "%s" (or a duty for role "%s") already exists', duty, pg_role), ERRCODE = 'duplicate_object';
END
$$;
COMMENT ON FUNCTION tmac.define_duty(text, text, name, text) IS
  'Defines a duty: a PostgreSQL role (membership through any chain counts) or, without pg_role, a tmac duty held by assignment';

CREATE FUNCTION tmac.define_sod_rule(name text, duty_a text, duty_b text, severity text DEFAULT 'high')
  RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id integer;
  d text;
BEGIN
  PERFORM tmac.require_arguments('define_sod_rule', 'name', name, 'duty_a', duty_a, 'duty_b', duty_b, 'severity', severity);
  FOREACH d IN ARRAY ARRAY[duty_a, duty_b] LOOP
    IF NOT EXISTS (SELECT 1 FROM tmac.duty x WHERE x.duty = d) THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('unknown duty "%s"', d),
        ERRCODE = 'undefined_object',
              HINT = tmac.message('Define it with tmac.define_duty(duty, name, pg_role); SELECT duty FROM tmac.duty lists them.');
    END IF;
  END LOOP;
  IF duty_a = duty_b THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('an SoD rule needs two different duties'), ERRCODE = 'invalid_parameter_value';
  END IF;
  IF severity NOT IN ('critical', 'high', 'medium', 'low') THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('severity must be critical, high, medium or low, not "%s"', severity), ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO tmac.sod_rule (name, duty_a, duty_b, severity) VALUES (name, duty_a, duty_b, severity)
    RETURNING rule_id INTO id;
  RETURN id;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION USING MESSAGE = tmac.message('an SoD rule named "%s" or for duties "%s" and "%s" already exists', name, duty_a, duty_b),
    ERRCODE = 'duplicate_object';
END
$$;
COMMENT ON FUNCTION tmac.define_sod_rule(text, text, text, text) IS
  'Defines a symmetric SoD rule: one person must not hold both duties; returns its rule_id';

CREATE FUNCTION tmac.set_sod_rule_enabled(rule_id integer, enabled boolean) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('set_sod_rule_enabled', 'rule_id', rule_id::text, 'enabled', enabled::text);
  UPDATE tmac.sod_rule r SET enabled = set_sod_rule_enabled.enabled WHERE r.rule_id = set_sod_rule_enabled.rule_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('no SoD rule %s', rule_id), ERRCODE = 'undefined_object';
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.set_sod_rule_enabled(integer, boolean) IS 'Enables or disables an SoD rule (rules are never deleted)';

CREATE FUNCTION tmac.grant_sod_exception(rule_id integer, person_id text, justification text,
                                         expires_at timestamptz, login_role name DEFAULT NULL)
  RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('grant_sod_exception', 'rule_id', rule_id::text,
                                 'justification', justification, 'expires_at', expires_at::text);
  IF NOT EXISTS (SELECT 1 FROM tmac.sod_rule r WHERE r.rule_id = grant_sod_exception.rule_id) THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('no SoD rule %s', rule_id), ERRCODE = 'undefined_object';
  END IF;
  INSERT INTO tmac.sod_exception (rule_id, person_id, login_role, justification, approved_by, expires_at)
  VALUES (rule_id, person_id, CASE WHEN person_id IS NULL THEN login_role END, justification, '?', expires_at)
  RETURNING exception_id INTO id;
  RETURN id;
END
$$;
COMMENT ON FUNCTION tmac.grant_sod_exception(integer, text, text, timestamptz, name) IS
  'Grants an exception to an SoD rule for a person (or, with person_id NULL, an unmapped login role); the caller approves it, must not be that person, and the expiry is mandatory and at most sod_exception_max away';

CREATE FUNCTION tmac.revoke_sod_exception(exception_id bigint, reason text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.require_arguments('revoke_sod_exception', 'reason', reason);
  UPDATE tmac.sod_exception e
     SET revoked_at = now(), revoked_by = coalesce(tmac.sod_person_of(current_user), current_user::text),
         revoke_reason = reason
   WHERE e.exception_id = revoke_sod_exception.exception_id AND e.revoked_at IS NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('no current SoD exception %s', exception_id), ERRCODE = 'undefined_object';
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.revoke_sod_exception(bigint, text) IS 'Ends an SoD exception before its expiry';

CREATE FUNCTION tmac.grant_role(role name, member name) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  new_duties text[];
  m record;
  missing name;
BEGIN
  PERFORM tmac.require_arguments('grant_role', 'role', role::text, 'member', member::text);
  SELECT x.n INTO missing FROM unnest(ARRAY[role, member]) WITH ORDINALITY x(n, i)
   WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = x.n) ORDER BY x.i LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object', MESSAGE = tmac.message('role "%s" does not exist', missing);
  END IF;
  -- duties the member gains: the role's own and those of every role it belongs to
  WITH RECURSIVE up(roleid) AS (
    SELECT oid FROM pg_catalog.pg_roles WHERE rolname = role
    UNION
    SELECT am.roleid FROM up JOIN pg_catalog.pg_auth_members am ON am.member = up.roleid
  )
  SELECT coalesce(array_agg(d.duty), '{}') INTO new_duties
    FROM up JOIN pg_catalog.pg_roles r ON r.oid = up.roleid JOIN tmac.duty d ON d.pg_role = r.rolname;
  IF new_duties <> '{}' THEN
    -- the member and, when it is a group, every login role beneath it
    FOR m IN
      WITH RECURSIVE down(roleid) AS (
        SELECT oid FROM pg_catalog.pg_roles WHERE rolname = member
        UNION
        SELECT am.member FROM down JOIN pg_catalog.pg_auth_members am ON am.roleid = down.roleid
      )
      SELECT r.rolname FROM down JOIN pg_catalog.pg_roles r ON r.oid = down.roleid
       WHERE r.rolcanlogin OR r.rolname = member
    LOOP
      PERFORM tmac.sod_refuse_conflict(tmac.sod_person_of(m.rolname), m.rolname, new_duties);
    END LOOP;
  END IF;
  EXECUTE pg_catalog.format('GRANT %I TO %I', role, member);
END
$$;
COMMENT ON FUNCTION tmac.grant_role(name, name) IS
  'GRANT role TO member, refused (insufficient_privilege) when it would give a person two duties an SoD rule separates without a current exception; needs PostgreSQL''s own ADMIN OPTION on the role';

CREATE FUNCTION tmac.assign_duty(person_id text, duty text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  r name;
  lr name;
BEGIN
  PERFORM tmac.require_arguments('assign_duty', 'person_id', person_id, 'duty', duty);
  SELECT d.pg_role INTO r FROM tmac.duty d WHERE d.duty = assign_duty.duty;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING MESSAGE = tmac.message('unknown duty "%s"', duty), ERRCODE = 'undefined_object';
  END IF;
  IF r IS NOT NULL THEN
    lr := coalesce(tmac.sod_login_role_of(person_id), person_id::name);
    PERFORM tmac.grant_role(r, lr);
  ELSE
    IF NOT EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = assign_duty.person_id) THEN
      RAISE EXCEPTION USING MESSAGE = tmac.message('no person "%s"', person_id), ERRCODE = 'undefined_object';
    END IF;
    INSERT INTO tmac.duty_assignment (person_id, duty) VALUES (person_id, duty);
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.assign_duty(text, text) IS
  'Gives a person a duty (granting its PostgreSQL role to their login role, or recording the assignment), refused when it violates an SoD rule without a current exception';

CREATE FUNCTION tmac.end_duty(person_id text, duty text) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  r name;
BEGIN
  SELECT d.pg_role INTO r FROM tmac.duty d WHERE d.duty = end_duty.duty;
  IF r IS NOT NULL THEN
    EXECUTE pg_catalog.format('REVOKE %I FROM %I', r, coalesce(tmac.sod_login_role_of(person_id), person_id::name));
  ELSE
    UPDATE tmac.duty_assignment a SET ended_at = now(), ended_by = current_user
     WHERE a.person_id = end_duty.person_id AND a.duty = end_duty.duty AND a.ended_at IS NULL;
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.end_duty(text, text) IS 'Takes a duty away from a person (revokes the role, or ends the assignment)';


-- Checks of segregation of duties (criterion II; the compliance registry: 45_compliance_registry.sql):
-- conflicting duties held without an exception, or after it ended.

CREATE FUNCTION tmac.check_sod_conflict()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT CASE WHEN v.person_id IS NOT NULL THEN 'person:' || v.person_id ELSE 'role:' || v.login_role END,
         tmac.message('%s holds both "%s" (%s) and "%s" (%s), which SoD rule %s (%s) separates, without an exception. Remove one duty, or have a manager grant an exception with tmac.grant_sod_exception.',
                coalesce(v.person_id, v.login_role::text), v.duty_a, v.via_a, v.duty_b, v.via_b, v.rule_id, v.rule_name),
         NULL::timestamptz
    FROM tmac.sod_role_conflicts() v
   WHERE NOT EXISTS (SELECT 1 FROM tmac.sod_exception e
                      WHERE e.rule_id = v.rule_id
                        AND (e.person_id = v.person_id OR e.login_role = v.login_role));
END;
COMMENT ON FUNCTION tmac.check_sod_conflict() IS
  'Check sod_conflict: persons or login roles holding two duties an SoD rule separates, with no exception ever granted';

CREATE FUNCTION tmac.check_sod_exception_expired()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT CASE WHEN v.person_id IS NOT NULL THEN 'person:' || v.person_id ELSE 'role:' || v.login_role END,
         tmac.message('%s still holds both "%s" and "%s" (SoD rule %s, %s) but the exception for it ended on %s. Remove one duty, or grant a new exception.',
                coalesce(v.person_id, v.login_role::text), v.duty_a, v.duty_b, v.rule_id, v.rule_name, x.ended),
         x.ended
    FROM tmac.sod_role_conflicts() v
    CROSS JOIN LATERAL (
      SELECT max(least(e.expires_at, coalesce(e.revoked_at, e.expires_at))) AS ended
        FROM tmac.sod_exception e
       WHERE e.rule_id = v.rule_id AND (e.person_id = v.person_id OR e.login_role = v.login_role)) x
   WHERE x.ended IS NOT NULL;
END;
COMMENT ON FUNCTION tmac.check_sod_exception_expired() IS
  'Check sod_exception_expired: conflicting duties still held after their SoD exception expired or was revoked';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('sod_conflict', 'II', 'high',
   tmac.msgid('Conflicting duties held without an exception'),
   tmac.msgid('One person (or login role) holds two duties a segregation-of-duties rule separates, through any chain of role membership or by assignment, and no exception was ever granted (seed ⑦).'),
   tmac.msgid('Take one duty away (REVOKE / tmac.end_duty), or have another manager grant a time-limited exception with tmac.grant_sod_exception.'),
   'tmac.check_sod_conflict', '{}', '{persons,sod_rules}', true),
  ('sod_exception_expired', 'II', 'high',
   tmac.msgid('Conflicting duties held after their exception ended'),
   tmac.msgid('An SoD exception expired or was revoked but the person still holds both duties.'),
   tmac.msgid('Take one duty away, or grant a new exception with a fresh justification.'),
   'tmac.check_sod_exception_expired', '{}', '{persons,sod_rules}', true);

INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('sod_exception_max', 'sod_conflict', 'longer_than', '180 days', false,
   tmac.msgid('exceptions to segregation of duties may last longer than tmac''s default'));
