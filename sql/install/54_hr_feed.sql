-- 54_hr_feed.sql — the HR feed: tmac.hr_event and how events apply.
--
-- HR inserts (or COPYs) rows into tmac.hr_event; a BEFORE INSERT row trigger
-- validates each event and, when it is due, applies it in the same
-- statement, so a strict-mode error leaves nothing behind.  Future-dated
-- events are stored as "scheduled" and applied by tmac.apply_due_events()
-- (run by tmac.run_maintenance() and before any later event of the same
-- person); access decisions honour them from effective_at regardless
-- (tmac.person_state_at).  A replay of an event_id with the same content is
-- skipped; with different content it is an error.  In lenient mode
-- (tmac.configure('hr_event_mode', 'lenient')) a bad event is stored with
-- outcome "rejected" and its error instead of failing the load.

CREATE TABLE tmac.hr_event (
  event_id       text PRIMARY KEY,
  person_id      text,
  kind           text,
  effective_at   timestamptz NOT NULL,        -- NULL on input means: when received
  attributes     jsonb NOT NULL DEFAULT '{}',
  received_at    timestamptz NOT NULL DEFAULT now(),
  received_by    name,
  applied_at     timestamptz,
  outcome        text NOT NULL DEFAULT 'received'
                 CHECK (outcome IN ('received', 'scheduled', 'applied', 'rejected')),
  error_sqlstate text,
  error_message  text
);
COMMENT ON TABLE tmac.hr_event IS
  'The HR feed: HR inserts or COPYs events (hire, transfer, promotion, leave, return, terminate, rehire); tmac applies them';
COMMENT ON COLUMN tmac.hr_event.event_id IS 'The HR system''s id of the event; replaying it with the same content is a no-op';
COMMENT ON COLUMN tmac.hr_event.kind IS 'hire, transfer, promotion, leave, return, terminate or rehire';
COMMENT ON COLUMN tmac.hr_event.effective_at IS 'When the event takes effect (default: when received); a future instant schedules it';
COMMENT ON COLUMN tmac.hr_event.attributes IS 'JSON object: full_name, title, org_group, job_role, login_role, kind, responsible_person, note (strings); restore_cron_jobs (a rehire: true or false)';
COMMENT ON COLUMN tmac.hr_event.received_at IS 'Filled by tmac: when the event was received';
COMMENT ON COLUMN tmac.hr_event.received_by IS 'Filled by tmac: the role that inserted it';
COMMENT ON COLUMN tmac.hr_event.applied_at IS 'Filled by tmac: when the event was applied';
COMMENT ON COLUMN tmac.hr_event.outcome IS 'Filled by tmac: scheduled, applied or rejected (lenient mode)';
COMMENT ON COLUMN tmac.hr_event.error_sqlstate IS 'Filled by tmac: SQLSTATE of the error that rejected the event';
COMMENT ON COLUMN tmac.hr_event.error_message IS 'Filled by tmac: the error that rejected the event';
CREATE INDEX hr_event_person_idx ON tmac.hr_event (person_id, effective_at);
CREATE INDEX hr_event_scheduled_idx ON tmac.hr_event (effective_at) WHERE outcome = 'scheduled';

-- The canonical text of an HR event that the audit log's digest of a bulk load covers (see
-- tmac.audit_trigger): the columns that never change once received, fields separated by U+001F,
-- NULL as U+0018, instants in UTC (independent of DateStyle and TimeZone), attributes as jsonb
-- prints them (keys sorted).  A bulk entry's digest is sha256 of these texts joined by a line
-- feed in event_id order (COLLATE "C"), hex.  No SET search_path and STABLE like to_char, so
-- that it is inlined (it runs for every event of a load): every name is qualified.
CREATE FUNCTION tmac.hr_event_canonical(event_id text, person_id text, kind text, effective_at timestamptz,
                                        attributes jsonb, received_at timestamptz, received_by name)
  RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  RETURN pg_catalog.concat_ws(E'\x1f', event_id, coalesce(person_id, E'\x18'), coalesce(kind, E'\x18'),
                   pg_catalog.to_char(effective_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   coalesce(attributes::pg_catalog.text, E'\x18'),
                   pg_catalog.to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   coalesce(received_by::pg_catalog.text, E'\x18'));
COMMENT ON FUNCTION tmac.hr_event_canonical(text, text, text, timestamptz, jsonb, timestamptz, name) IS 'The canonical text of an HR event (the columns that never change, UTC instants, fields separated by U+001F) whose SHA-256 digest the audit entry of a bulk load records';

-- The audit entry of a statement that inserted several HR events, built in one pass over them
-- (src/hr_event_audit.c): {"count", "key": "event_id", "rows": [{"new": {"event_id"}}, …] in
-- event_id order (COLLATE "C"), "digest": the SHA-256 of their tmac.hr_event_canonical texts in
-- that order joined by a line feed, "digest_of"}.  The aggregate sorts the events itself (by
-- their keys, not whole rows), so tmac.audit_trigger calls it on the rows in any order:
-- tmac.hr_event_audit_detail(<the columns>).
CREATE FUNCTION tmac.hr_event_audit_detail_step(internal, text, text, text, timestamptz, jsonb, timestamptz, name)
  RETURNS internal AS 'MODULE_PATHNAME', 'tmac_hr_event_audit_detail_step' LANGUAGE C CALLED ON NULL INPUT;
COMMENT ON FUNCTION tmac.hr_event_audit_detail_step(internal, text, text, text, timestamptz, jsonb, timestamptz, name) IS 'Internal: adds an HR event to the audit entry tmac.hr_event_audit_detail builds';
CREATE FUNCTION tmac.hr_event_audit_detail_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'tmac_hr_event_audit_detail_final' LANGUAGE C;
COMMENT ON FUNCTION tmac.hr_event_audit_detail_final(internal) IS 'Internal: the audit entry tmac.hr_event_audit_detail built (its keys and the digest of its events)';
CREATE AGGREGATE tmac.hr_event_audit_detail(text, text, text, timestamptz, jsonb, timestamptz, name) (
  SFUNC = tmac.hr_event_audit_detail_step, STYPE = internal,
  FINALFUNC = tmac.hr_event_audit_detail_final, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE);
COMMENT ON AGGREGATE tmac.hr_event_audit_detail(text, text, text, timestamptz, jsonb, timestamptz, name) IS
  'The audit entry of a bulk load of HR events (aggregate, rows in any order: it sorts them by event_id COLLATE "C"): their keys and the SHA-256 digest of their canonical text, as tmac.verify_audit_log recomputes it';
-- And of the persons it hires (tmac.audit_trigger, argument hr_feed_keys): {"count", "key": the
-- key column, "keys": [the keys], "digest": the SHA-256 of the rows' text joined by a line feed,
-- "digest_of": "row text", "content": "hr_event"} in key order (COLLATE "C"; it sorts the rows
-- itself), called as tmac.hr_feed_keys_detail(<key column>, <key>, <row>::text).
CREATE FUNCTION tmac.hr_feed_keys_detail_step(internal, text, text, text)
  RETURNS internal AS 'MODULE_PATHNAME', 'tmac_hr_feed_keys_detail_step' LANGUAGE C CALLED ON NULL INPUT;
COMMENT ON FUNCTION tmac.hr_feed_keys_detail_step(internal, text, text, text) IS 'Internal: adds a row to the audit entry tmac.hr_feed_keys_detail builds';
CREATE FUNCTION tmac.hr_feed_keys_detail_final(internal) RETURNS jsonb
  AS 'MODULE_PATHNAME', 'tmac_hr_feed_keys_detail_final' LANGUAGE C;
COMMENT ON FUNCTION tmac.hr_feed_keys_detail_final(internal) IS 'Internal: the audit entry tmac.hr_feed_keys_detail built (the keys and the digest of the rows)';
CREATE AGGREGATE tmac.hr_feed_keys_detail(text, text, text) (
  SFUNC = tmac.hr_feed_keys_detail_step, STYPE = internal,
  FINALFUNC = tmac.hr_feed_keys_detail_final, FINALFUNC_MODIFY = READ_WRITE, PARALLEL = SAFE);
COMMENT ON AGGREGATE tmac.hr_feed_keys_detail(text, text, text) IS
  'The audit entry of the rows a bulk load of HR events derives (aggregate: key column, key, row text, in any order: it sorts them by key COLLATE "C"): their keys and the SHA-256 digest of their text';

CREATE FUNCTION tmac.hr_error(e tmac.hr_event, state text, msg text, hint text DEFAULT NULL) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RAISE EXCEPTION USING ERRCODE = state,
    MESSAGE = tmac.message('HR event "%s" (%s): %s', e.event_id, coalesce(e.kind, tmac.message('no kind')), msg),
    HINT = coalesce(hint, tmac.message('Correct the event and send it with a new event_id.'));
END
$$;
COMMENT ON FUNCTION tmac.hr_error(tmac.hr_event, text, text, text) IS 'Raises an error about an HR event';

-- The login role an event maps its person to, if any, must exist, be free, be a role that
-- can be a person's login at all (tmac.login_role_refusal; never the role feeding the event)
-- and be enrolled by a DBA (tmac.enrol_login).  Checked when the event is received and again
-- when a scheduled one is applied.
CREATE FUNCTION tmac.hr_validate_login_role(e tmac.hr_event) RETURNS void
  LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  lr text := e.attributes ->> 'login_role';
  other text;
  why text;
BEGIN
  IF lr IS NULL THEN
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = lr) THEN
    PERFORM tmac.hr_error(e, '42704', tmac.message('login role "%s" does not exist', lr),
      tmac.message('The DBA or the identity system creates the login role; tmac only maps the person to it.'));
  END IF;
  other := tmac.login_role_holder(lr, e.person_id);     -- by name, or by the OID of a role renamed since
  IF other IS NOT NULL THEN
    PERFORM tmac.hr_error(e, '23505', tmac.message('login role "%s" is already mapped to person "%s"', lr, other));
  END IF;
  why := tmac.login_role_refusal(lr, e.received_by);
  IF why IS NOT NULL THEN
    PERFORM tmac.hr_error(e, '22023', tmac.message('login role "%s" cannot be mapped to a person: %s', lr, why),
      tmac.message('Map a person to their own login role: not a tmac, predefined or bootstrap role, not a superuser, BYPASSRLS or CREATEROLE role, not a role others are members of (they could SET ROLE to it), and not the HR feed''s own role or a member of tmac_hr or tmac_admin.'));
  END IF;
  IF NOT tmac.login_enrolled(lr) THEN
    PERFORM tmac.hr_error(e, '42501', tmac.message('login role "%s" is not enrolled as a person''s login', lr),
      tmac.message('Ask a DBA to run tmac.enrol_login(%L) first; the HR feed maps persons only to enrolled login roles.', lr));
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.hr_validate_login_role(tmac.hr_event) IS 'Raises a clear error (42704, 23505, 22023, 42501) when the login role an HR event names does not exist, is taken, can never be a person''s login or is not enrolled';

-- Checks that do not depend on the person's state at effective_at.
CREATE FUNCTION tmac.hr_validate(e tmac.hr_event) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  bad text;
BEGIN
  IF e.kind IS NULL OR e.kind NOT IN ('hire', 'transfer', 'promotion', 'leave', 'return', 'terminate', 'rehire') THEN
    PERFORM tmac.hr_error(e, '22023', tmac.message('invalid kind %L', e.kind),
      tmac.message('Kinds: hire, transfer, promotion, leave, return, terminate, rehire.'));
  END IF;
  IF e.person_id IS NULL OR btrim(e.person_id) = '' THEN
    PERFORM tmac.hr_error(e, '23502', tmac.message('person_id is missing'));
  END IF;
  IF jsonb_typeof(e.attributes) <> 'object' THEN
    PERFORM tmac.hr_error(e, '22023', tmac.message('attributes must be a JSON object'));
  END IF;
  SELECT k INTO bad FROM jsonb_object_keys(e.attributes) k
   WHERE k NOT IN ('full_name', 'title', 'org_group', 'job_role', 'login_role', 'kind', 'responsible_person', 'note',
                   'restore_cron_jobs')
   LIMIT 1;
  IF bad IS NOT NULL THEN
    PERFORM tmac.hr_error(e, '22023', tmac.message('unknown attribute "%s"', bad),
      tmac.message('Attributes: full_name, title, org_group, job_role, login_role, kind, responsible_person, note; restore_cron_jobs (rehire).'));
  END IF;
  SELECT k INTO bad FROM jsonb_each(e.attributes) a(k, v)
   WHERE jsonb_typeof(v) NOT IN ('string', 'null') AND k <> 'restore_cron_jobs' LIMIT 1;
  IF bad IS NOT NULL THEN
    PERFORM tmac.hr_error(e, '22023', tmac.message('attribute "%s" must be a string', bad));
  END IF;
  IF e.attributes ? 'restore_cron_jobs'
     AND (e.kind IS DISTINCT FROM 'rehire' OR (e.attributes ->> 'restore_cron_jobs') NOT IN ('true', 'false')) THEN
    PERFORM tmac.hr_error(e, '22023', tmac.message('restore_cron_jobs is an attribute of a rehire: true or false'),
      tmac.message('A rehire with "restore_cron_jobs": true re-enables the pg_cron jobs that tmac disabled at the termination.'));
  END IF;
  IF e.kind = 'hire' THEN
    IF coalesce(btrim(e.attributes ->> 'full_name'), '') = '' THEN
      PERFORM tmac.hr_error(e, '22023', tmac.message('a hire needs the attribute full_name'));
    END IF;
    IF EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = e.person_id)
       OR EXISTS (SELECT 1 FROM tmac.hr_event h WHERE h.person_id = e.person_id AND h.kind = 'hire'
                     AND h.outcome = 'scheduled' AND h.event_id <> e.event_id) THEN
      PERFORM tmac.hr_error(e, '23505', tmac.message('person "%s" already exists', e.person_id),
        tmac.message('A former employee comes back with a rehire event.'));
    END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = e.person_id)
        AND NOT EXISTS (SELECT 1 FROM tmac.hr_event h WHERE h.person_id = e.person_id AND h.kind = 'hire'
                           AND h.outcome = 'scheduled' AND h.effective_at <= e.effective_at) THEN
    PERFORM tmac.hr_error(e, '23503', tmac.message('unknown person "%s"', e.person_id),
      tmac.message('Send the person''s hire event first.'));
  END IF;
  IF e.kind IN ('transfer', 'promotion')
     AND NOT (e.attributes ?| ARRAY['title', 'org_group', 'job_role']) THEN
    PERFORM tmac.hr_error(e, '22023', CASE e.kind WHEN 'transfer' THEN tmac.message('a transfer must name at least one of title, org_group, job_role')
                                                  ELSE tmac.message('a promotion must name at least one of title, org_group, job_role') END);
  END IF;
  IF e.kind IN ('leave', 'return', 'terminate')
     AND (e.attributes - 'note') <> '{}'::jsonb THEN
    PERFORM tmac.hr_error(e, '22023', CASE e.kind WHEN 'leave' THEN tmac.message('a leave takes no attributes but note')
                                                  WHEN 'return' THEN tmac.message('a return takes no attributes but note')
                                                  ELSE tmac.message('a terminate takes no attributes but note') END);
  END IF;
  IF e.attributes ? 'org_group' THEN
    IF (e.attributes ->> 'org_group') IS NOT NULL
       AND tmac.vocabulary_id('group', e.attributes ->> 'org_group', true) IS NULL THEN
      PERFORM tmac.hr_error(e, '42704', tmac.message('unknown organisation group "%s"', e.attributes ->> 'org_group'),
        tmac.message('Define it first with tmac.define_group(code, name, parent).'));
    END IF;
  END IF;
  IF e.attributes ? 'kind' AND (e.attributes ->> 'kind') NOT IN ('employee', 'contractor', 'visitor', 'service') THEN
    PERFORM tmac.hr_error(e, '22023', tmac.message('invalid person kind "%s"', e.attributes ->> 'kind'),
      tmac.message('Person kinds: employee, contractor, visitor, service.'));
  END IF;
  IF e.attributes ? 'responsible_person'
     AND NOT EXISTS (SELECT 1 FROM tmac.person p WHERE p.person_id = e.attributes ->> 'responsible_person') THEN
    PERFORM tmac.hr_error(e, '23503', tmac.message('unknown responsible person "%s"', e.attributes ->> 'responsible_person'));
  END IF;
  PERFORM tmac.hr_validate_login_role(e);
END
$$;
COMMENT ON FUNCTION tmac.hr_validate(tmac.hr_event) IS 'Raises a clear error (SQLSTATE 22023, 23502, 23503, 23505, 42704, 42501) when an HR event is malformed or names a login role it may not map';

-- pg_cron runs a job through a background worker that connects without authenticating, so the
-- login gate never sees it: a termination disables the person's jobs itself.  Only where the
-- pg_cron extension is created in this database, and only through its own schema (cron, a
-- member of the extension, where nobody else may create): never a cron.job or
-- cron.alter_job that someone planted in a database without pg_cron.
CREATE FUNCTION tmac.pg_cron_here() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension x
                   JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                                              AND d.refobjid = x.oid AND d.deptype = 'e'
                                              AND d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
                   JOIN pg_catalog.pg_namespace n ON n.oid = d.objid AND n.nspname = 'cron'
                  WHERE x.extname = 'pg_cron')
$$;
COMMENT ON FUNCTION tmac.pg_cron_here() IS 'Internal: true when the pg_cron extension is created in this database (its schema cron belongs to it), so tmac may read cron.job and call cron.alter_job';

-- The jobs tmac switches, each audited (category cron, the job id as subject, its name, owner
-- and database, the person and the event):
--   DISABLE        at termination, every active job that runs as one of the roles: made
--                  inactive (cron.alter_job, as the extension owner).  Where pg_cron keeps its
--                  jobs in another database, audits NOT_CHECKED instead.
--   ENABLE         at a rehire with restore_cron_jobs, the jobs of ids (those tmac disabled)
--                  still there and inactive: made active again.
--   LEFT_DISABLED  at a rehire without it: the same jobs, left as they are.
-- Returns the ids of the jobs it audited.
CREATE FUNCTION tmac.cron_jobs_switch(action text, roles name[], ids bigint[], person text, event text) RETURNS bigint[]
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  j record;
  done bigint[] := '{}';
  cron_db text := pg_catalog.current_setting('cron.database_name', true);
BEGIN
  IF NOT tmac.pg_cron_here() THEN
    IF action = 'DISABLE' AND cron_db IS NOT NULL AND cron_db <> pg_catalog.current_database() THEN
      PERFORM tmac.audit_append('cron', 'NOT_CHECKED', roles[1]::text,
                                pg_catalog.jsonb_build_object('person_id', person, 'event_id', event, 'cron_database', cron_db,
                                  'note', 'pg_cron keeps its jobs in another database: disable the jobs of this role there'));
    END IF;
    RETURN done;
  END IF;
  FOR j IN EXECUTE 'SELECT c.jobid, c.jobname, c.username, c.database FROM cron.job c
                     WHERE CASE WHEN $3 OPERATOR(pg_catalog.=) ''DISABLE''
                                THEN c.active AND c.username OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])
                                ELSE NOT c.active AND c.jobid OPERATOR(pg_catalog.=) ANY ($2) END
                     ORDER BY c.jobid'
           USING roles, ids, action
  LOOP
    IF action <> 'LEFT_DISABLED' THEN
      EXECUTE 'SELECT cron.alter_job(job_id => $1, active => $2)' USING j.jobid, action = 'ENABLE';
    END IF;
    done := done || j.jobid;
    PERFORM tmac.audit_append('cron', action, j.jobid::text,
                              pg_catalog.jsonb_build_object('job_name', j.jobname, 'owner', j.username, 'database', j.database,
                                                            'person_id', person, 'event_id', event));
  END LOOP;
  RETURN done;
END
$$;
COMMENT ON FUNCTION tmac.cron_jobs_switch(text, name[], bigint[], text, text) IS 'Internal (termination, rehire): DISABLE the active pg_cron jobs that run as the roles, ENABLE again or leave (LEFT_DISABLED) the inactive jobs of ids, auditing each and returning their ids; where pg_cron is in another database, a termination audits that the jobs were not checked';

-- What a termination does beyond the person's status and grants (which tmac.hr_apply, or the
-- set-based tmac.hr_event_apply for all the terminations of a round, has changed already): the
-- person's appointments and duties end, and their login role — NOLOGIN, its memberships of tmac
-- roles revoked, its sessions ended at commit, its pg_cron jobs disabled — one person at a time.
-- p is the person's row as read before the termination.
CREATE FUNCTION tmac.hr_terminate_acts(p tmac.person, e tmac.hr_event) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  eff timestamptz := greatest(e.effective_at, e.received_at);
  who text := 'hr_event:' || e.event_id;
  r record;
  cron_jobs bigint[];
  lr name;
  mapped_as jsonb;
BEGIN
  -- Appointments (管理者の選任) and assigned duties such as key custody end with the employment.
  PERFORM tmac.end_person_duties(p.person_id, eff, who, 'terminated');
  -- The role acted on is the one recorded by OID when the person was mapped, by its current
  -- name (tmac.person_role): renamed while the person was active, it is still theirs.  Only an
  -- enrolled login role is touched (enrolled under the name HR mapped, or its current name): a
  -- role the DBA did not enrol (or withdrew) is not HR's.
  lr := tmac.person_role(p.login_role, p.login_role_oid);
  mapped_as := CASE WHEN lr IS DISTINCT FROM p.login_role THEN jsonb_build_object('mapped_as', p.login_role) ELSE '{}' END;
  IF p.login_role IS NOT NULL AND NOT (tmac.login_enrolled(p.login_role) OR coalesce(tmac.login_enrolled(lr), false)) THEN
    PERFORM tmac.audit_append('role', 'NOT_ENROLLED', coalesce(lr, p.login_role),
                              jsonb_build_object('person_id', p.person_id, 'event_id', e.event_id,
                                                 'note', 'login role left as it is: not enrolled') || mapped_as);
  ELSIF p.login_role IS NOT NULL THEN
    IF lr IS NOT NULL THEN
      IF (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = lr) THEN
        EXECUTE format('ALTER ROLE %I NOLOGIN', lr);
        UPDATE tmac.person SET login_disabled_by_tmac = true WHERE person_id = p.person_id;
      END IF;
      FOR r IN
        SELECT g.rolname FROM pg_catalog.pg_auth_members m
          JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
          JOIN pg_catalog.pg_roles u ON u.oid = m.member
         WHERE u.rolname = lr
           -- every membership that leads to a tmac role, directly or through other roles
           AND (g.rolname LIKE 'tmac\_%' OR EXISTS (
                  WITH RECURSIVE up(id) AS (
                    SELECT m.roleid
                    UNION
                    SELECT m2.roleid FROM pg_catalog.pg_auth_members m2 JOIN up ON m2.member = up.id)
                  SELECT 1 FROM up JOIN pg_catalog.pg_roles t ON t.oid = up.id WHERE t.rolname LIKE 'tmac\_%'))
      LOOP
        EXECUTE format('REVOKE %I FROM %I', r.rolname, lr);
        PERFORM tmac.audit_append('role', 'REVOKE', lr,
                                  jsonb_build_object('role', r.rolname, 'person_id', p.person_id, 'event_id', e.event_id) || mapped_as);
      END LOOP;
      PERFORM tmac.audit_append('role', 'NOLOGIN', lr,
                                jsonb_build_object('person_id', p.person_id, 'event_id', e.event_id) || mapped_as);
      PERFORM tmac.queue_session_end(lr);
    END IF;
    -- pg_cron's background workers never pass the login gate: the jobs stop here (the jobs of
    -- the role by its current name, and of the name HR mapped)
    cron_jobs := tmac.cron_jobs_switch('DISABLE',
                   ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[lr, p.login_role]) x WHERE x IS NOT NULL),
                   '{}', p.person_id, e.event_id);
    IF cardinality(cron_jobs) > 0 THEN
      UPDATE tmac.person SET cron_jobs_disabled_by_tmac = cron_jobs WHERE person_id = p.person_id;
    END IF;
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.hr_terminate_acts(tmac.person, tmac.hr_event) IS 'Internal (termination): ends the person''s appointments and duties, disables their login role (NOLOGIN, tmac memberships revoked, sessions ended at commit) and their pg_cron jobs, each audited';

-- Applies one due event.  The state checks happen here, under the person's row lock.
-- work_mem: a termination or role change ending thousands of grants keeps their old and
-- new rows for the audit trigger; with 64MB they stay in memory instead of spilling.
CREATE FUNCTION tmac.hr_apply(e tmac.hr_event) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' AS
$$
DECLARE
  p tmac.person;
  eff timestamptz := greatest(e.effective_at, e.received_at);
  who text := 'hr_event:' || e.event_id;
  a jsonb := e.attributes;
  new_group integer;
  new_role text;
  grace interval;
  was_disabled boolean;
  old_login name;
  old_oid oid;
BEGIN
  PERFORM tmac.hr_validate_login_role(e);              -- again: enrolment may have changed since receipt
  IF e.kind = 'hire' THEN
    INSERT INTO tmac.person (person_id, full_name, title, org_group_id, job_role, kind, login_role,
                             hired_on, responsible_person)
    VALUES (e.person_id, btrim(a ->> 'full_name'), a ->> 'title', tmac.vocabulary_id('group', a ->> 'org_group'),
            a ->> 'job_role', coalesce(a ->> 'kind', 'employee'), a ->> 'login_role',
            (e.effective_at AT TIME ZONE tmac.setting_lookup('date_time_zone'))::date, a ->> 'responsible_person');
    RETURN;
  END IF;

  SELECT * INTO p FROM tmac.person WHERE person_id = e.person_id FOR NO KEY UPDATE;   -- never the key: a person's own FK references (FOR KEY SHARE) must not hold off their termination
  IF NOT FOUND THEN
    PERFORM tmac.hr_error(e, '23503', tmac.message('unknown person "%s"', e.person_id), tmac.message('Send the person''s hire event first.'));
  END IF;

  CASE e.kind
  WHEN 'transfer', 'promotion' THEN
    IF p.status = 'terminated' THEN
      PERFORM tmac.hr_error(e, '55000', tmac.message('person "%s" is terminated', p.person_id), tmac.message('Send a rehire event first.'));
    END IF;
    new_group := CASE WHEN a ? 'org_group' THEN tmac.vocabulary_id('group', a ->> 'org_group') ELSE p.org_group_id END;
    new_role := CASE WHEN a ? 'job_role' THEN a ->> 'job_role' ELSE p.job_role END;
    grace := tmac.setting_lookup('role_change_grace')::interval;
    -- A new login role is a new identity: whoever logs in as it must not inherit the
    -- person's access without a fresh approval, so every grant in force ends at once.
    IF a ? 'login_role' AND (a ->> 'login_role') IS DISTINCT FROM p.login_role THEN
      UPDATE tmac.access_grant g
         SET status = 'ended', ended_at = eff, end_reason = 'role_change', ended_by = who
       WHERE g.person_id = p.person_id AND g.status = 'active';
    END IF;
    UPDATE tmac.person
       SET title = CASE WHEN a ? 'title' THEN a ->> 'title' ELSE title END,
           org_group_id = new_group, job_role = new_role,
           full_name = coalesce(nullif(btrim(a ->> 'full_name'), ''), full_name),
           login_role = CASE WHEN a ? 'login_role' THEN a ->> 'login_role' ELSE login_role END,
           pledge_required_since = eff, role_changed_at = eff, updated_at = now()
     WHERE person_id = p.person_id;
    IF grace <= interval '0' THEN
      UPDATE tmac.access_grant g
         SET status = 'ended', ended_at = eff, end_reason = 'role_change', ended_by = who
       WHERE g.person_id = p.person_id AND g.status = 'active' AND NOT g.survives_role_change
         AND (g.bound_job_role IS DISTINCT FROM new_role OR g.bound_org_group_id IS DISTINCT FROM new_group);
    ELSE
      UPDATE tmac.access_grant g
         SET grace_until = eff + grace
       WHERE g.person_id = p.person_id AND g.status = 'active' AND NOT g.survives_role_change
         AND g.grace_until IS NULL
         AND (g.bound_job_role IS DISTINCT FROM new_role OR g.bound_org_group_id IS DISTINCT FROM new_group);
    END IF;
  WHEN 'leave' THEN
    IF p.status <> 'active' THEN
      PERFORM tmac.hr_error(e, '55000', tmac.message('person "%s" is %s, not active', p.person_id, p.status));
    END IF;
    UPDATE tmac.person SET status = 'on_leave', updated_at = now() WHERE person_id = p.person_id;
  WHEN 'return' THEN
    IF p.status <> 'on_leave' THEN
      PERFORM tmac.hr_error(e, '55000', tmac.message('person "%s" is %s, not on leave', p.person_id, p.status));
    END IF;
    UPDATE tmac.person SET status = 'active', updated_at = now() WHERE person_id = p.person_id;
  WHEN 'terminate' THEN
    IF p.status = 'terminated' THEN
      PERFORM tmac.hr_error(e, '55000', tmac.message('person "%s" is already terminated', p.person_id));
    END IF;
    UPDATE tmac.person SET status = 'terminated', terminated_at = eff, updated_at = now()
     WHERE person_id = p.person_id;
    PERFORM tmac.end_grants_of(ARRAY[p.person_id], ARRAY[eff], ARRAY[who]);     -- 55_grants.sql
    PERFORM tmac.hr_terminate_acts(p, e);
  WHEN 'rehire' THEN
    IF p.status <> 'terminated' THEN
      PERFORM tmac.hr_error(e, '55000', tmac.message('person "%s" is %s, not terminated', p.person_id, p.status));
    END IF;
    was_disabled := p.login_disabled_by_tmac;
    old_login := p.login_role;
    old_oid := p.login_role_oid;
    IF cardinality(p.cron_jobs_disabled_by_tmac) > 0 THEN
      PERFORM tmac.cron_jobs_switch(CASE WHEN (a ->> 'restore_cron_jobs')::boolean THEN 'ENABLE' ELSE 'LEFT_DISABLED' END,
                                    '{}', p.cron_jobs_disabled_by_tmac, p.person_id, e.event_id);
    END IF;
    UPDATE tmac.person
       SET status = 'active', terminated_at = NULL, cron_jobs_disabled_by_tmac = '{}',
           login_role_oid = NULL,                      -- HR reopened the person: mapped again by name
           hired_on = (e.effective_at AT TIME ZONE tmac.setting_lookup('date_time_zone'))::date,
           title = CASE WHEN a ? 'title' THEN a ->> 'title' ELSE title END,
           org_group_id = CASE WHEN a ? 'org_group' THEN tmac.vocabulary_id('group', a ->> 'org_group') ELSE org_group_id END,
           job_role = CASE WHEN a ? 'job_role' THEN a ->> 'job_role' ELSE job_role END,
           kind = coalesce(a ->> 'kind', kind),
           full_name = coalesce(nullif(btrim(a ->> 'full_name'), ''), full_name),
           login_role = CASE WHEN a ? 'login_role' THEN a ->> 'login_role' ELSE login_role END,
           pledge_required_since = eff, login_disabled_by_tmac = false, updated_at = now()
     WHERE person_id = p.person_id
     RETURNING * INTO p;
    -- LOGIN comes back only on the very role tmac disabled (same name, same OID), and only while it is enrolled.
    IF was_disabled AND p.login_role IS NOT NULL AND p.login_role = old_login AND tmac.login_enrolled(p.login_role)
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = p.login_role AND NOT rolcanlogin
                      AND oid = coalesce(old_oid, oid)) THEN
      EXECUTE format('ALTER ROLE %I LOGIN', p.login_role);
      PERFORM tmac.audit_append('role', 'LOGIN', p.login_role,
                                jsonb_build_object('person_id', p.person_id, 'event_id', e.event_id));
    END IF;
  END CASE;
END
$$;
COMMENT ON FUNCTION tmac.hr_apply(tmac.hr_event) IS 'Applies one due HR event to the person, their grants and their login role (terminate, role change, leave, return, rehire)';

-- Applies every scheduled event that is due (of one person, or of everyone), in effective order.
CREATE FUNCTION tmac.apply_due_events(only_person text DEFAULT NULL) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  e tmac.hr_event;
  n integer := 0;
BEGIN
  FOR e IN
    SELECT * FROM tmac.hr_event h
     WHERE h.outcome = 'scheduled' AND h.effective_at <= now()
       AND (only_person IS NULL OR h.person_id = only_person)
     ORDER BY h.effective_at, h.received_at, h.event_id
     FOR UPDATE SKIP LOCKED
  LOOP
    BEGIN
      PERFORM tmac.hr_apply(e);
      UPDATE tmac.hr_event SET outcome = 'applied', applied_at = now() WHERE event_id = e.event_id;
    EXCEPTION WHEN OTHERS THEN
      -- A scheduled event that no longer fits (e.g. leave of a person terminated meanwhile).
      UPDATE tmac.hr_event
         SET outcome = 'rejected', applied_at = NULL, error_sqlstate = SQLSTATE, error_message = SQLERRM
       WHERE event_id = e.event_id;
    END;
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION tmac.apply_due_events(text) IS 'Applies the scheduled HR events that have come due (of one person, or all); a due event that no longer fits is marked rejected';

CREATE FUNCTION tmac.hr_event_receive() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  old tmac.hr_event;
  feeder name;
BEGIN
  IF tmac.restoring() THEN
    RETURN NEW;                 -- a restored event is history: applied (or not) as dumped
  END IF;
  -- Feeding an event is the feeder's own act: this trigger runs at depth 1 for an INSERT or
  -- COPY made directly; a user's trigger or SECURITY DEFINER function cannot feed one.
  feeder := tmac.acting_role(tmac.msgid('record an HR event'), 1);
  -- An INSERT through another role's view or rule is checked against that role's privileges
  -- but runs as the writer: the event would be recorded as fed by someone who may not feed.
  IF NOT pg_catalog.has_any_column_privilege(feeder, 'tmac.hr_event'::pg_catalog.regclass, 'INSERT') THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = tmac.message('role "%s" may not feed HR events', feeder),
            DETAIL = tmac.message('The event reached tmac.hr_event through a view or rule owned by another role.'),
            HINT = tmac.message('The HR feed inserts into tmac.hr_event itself, as a member of tmac_hr.');
  END IF;
  IF NEW.event_id IS NULL OR btrim(NEW.event_id) = '' THEN
    RAISE EXCEPTION USING ERRCODE = 'not_null_violation', MESSAGE = tmac.message('HR event without event_id'),
      HINT = tmac.message('Every event carries the HR system''s own unique id; replays are recognised by it.');
  END IF;
  NEW.attributes := coalesce(NEW.attributes, '{}');
  SELECT * INTO old FROM tmac.hr_event WHERE event_id = NEW.event_id;
  IF FOUND THEN
    IF NEW.effective_at IS NULL AND old.effective_at = old.received_at THEN
      NEW.effective_at := old.effective_at;      -- a replay of an event that had no effective_at
    END IF;
    IF (old.person_id, old.kind, old.effective_at, old.attributes)
       IS NOT DISTINCT FROM (NEW.person_id, NEW.kind, NEW.effective_at, NEW.attributes) THEN
      RETURN NULL;                                 -- idempotent replay: nothing to do
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = tmac.message('HR event "%s" was already received with different content', NEW.event_id),
            DETAIL = tmac.message('Received %s: person %s, %s effective %s, attributes %s.', old.received_at,
                                  old.person_id, old.kind, old.effective_at, old.attributes),
            HINT = tmac.message('An event_id names one event forever; send a correction as a new event with a new event_id.');
  END IF;
  NEW.received_at := now();
  NEW.effective_at := coalesce(NEW.effective_at, now());
  NEW.received_by := feeder;
  NEW.applied_at := NULL;
  NEW.error_sqlstate := NULL;
  NEW.error_message := NULL;
  -- Strict: validated and applied with the statement's other events, as a set, by the
  -- statement trigger a_apply (tmac.hr_event_apply); a due event is recorded as applied (an
  -- error there fails the whole statement), a future one as received until a_apply has
  -- validated it and scheduled it.
  -- The mode is the one the statement's trigger a_mode noted, never the live setting: a
  -- mode changed in the middle of a statement does not change how its rows are taken.
  IF tmac.hr_feed_statement_strict() THEN
    PERFORM tmac.hr_feed_defer();
    IF NEW.effective_at <= now() THEN
      NEW.outcome := 'applied';
      NEW.applied_at := now();
    ELSE
      NEW.outcome := 'received';
    END IF;
    RETURN NEW;
  END IF;
  -- Lenient: each event on its own, now.  While set, the changes to persons and grants applied here do not each invalidate the
  -- access caches: tmac.hr_event's own statement trigger does, at the end of this statement.
  PERFORM tmac.hr_feed_set_applying(true);
  BEGIN
    PERFORM tmac.hr_receive_one(NEW);
  EXCEPTION WHEN OTHERS THEN
    PERFORM tmac.hr_feed_set_applying(false);
    NEW.outcome := 'rejected';
    NEW.error_sqlstate := SQLSTATE;
    NEW.error_message := SQLERRM;
    RETURN NEW;
  END;
  PERFORM tmac.hr_feed_set_applying(false);
  IF NEW.effective_at <= now() THEN
    NEW.outcome := 'applied';
    NEW.applied_at := now();
  ELSE
    NEW.outcome := 'scheduled';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.hr_event_receive() IS 'Trigger: recognises replays, validates a new HR event and applies it when due (strict) or records why it was rejected (lenient)';

CREATE FUNCTION tmac.hr_receive_one(e tmac.hr_event) RETURNS void
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.hr_validate(e);
  IF e.effective_at <= now() THEN
    PERFORM tmac.apply_due_events(e.person_id);
    PERFORM tmac.hr_apply(e);
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.hr_receive_one(tmac.hr_event) IS 'Validates one new HR event and, when due, applies it after the person''s earlier due events';

-- A statement's events as a set (strict mode; the row trigger hr_event_receive only recorded
-- them).  The events of one person are taken in rounds — every person's first event of the
-- statement, then every person's second, … — and each round in one pass per kind: the hires
-- are one INSERT of persons, the transfers and promotions one UPDATE of persons between the
-- UPDATEs of their grants, leaves and returns one UPDATE, terminations one UPDATE of persons and
-- one tmac.end_grants_of for all their grants, then each person's login role, sessions and
-- pg_cron jobs (ALTER ROLE, memberships: tmac.hr_terminate_acts); rehires go through
-- tmac.hr_apply one by one.  Before a round is
-- applied, its events are checked against the state the earlier rounds left, with every check
-- of tmac.hr_validate and the state checks of tmac.hr_apply; the login roles an event maps are
-- checked by tmac.hr_validate_login_role itself.  The row intake (src/hr_feed_flag.c) counted
-- each event's round as the rows came, and made the checks that need no state (the kind, the
-- attributes' names and types, what each kind requires): tmac.hr_feed_rounds; where it could
-- not (a row it left to tmac.hr_event_receive), the rounds are computed and every check is made
-- here.  A check that a pass makes anyway by failing (a hire of a person who exists: the primary
-- key; an unknown group: tmac.vocabulary_id) is left to the pass.  So one audit entry per pass records the
-- changes of all its persons (and the statement's entry for tmac.hr_event every event), and
-- the caches are invalidated once, by tmac.hr_event's own statement trigger after this one.
--
-- A statement of fewer than 32 events is applied one event at a time (below).
-- Whatever the set cannot decide as one event at a time would — any check failing, any error
-- of the passes (a constraint), a future-dated event, a person with due scheduled events, a
-- login role named by two events — undoes the set (its subtransaction) and applies the
-- statement's events one at a time in the order they arrived, exactly as the row trigger did
-- before: the first bad event then fails the statement with its own SQLSTATE and message, and
-- a future-dated event is validated in its place and only then marked scheduled (an UPDATE of
-- its outcome, from received).
CREATE FUNCTION tmac.hr_event_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' AS
$$
DECLARE
  seqs integer[];               -- the round of each event, in arrival order: its place among its person's events
  last_round integer;           -- (0: an event fails a check that needs no state; NULL: not counted by the intake)
  checked boolean;              -- the row intake made every check that needs no state
  deferred bigint;
  inserted bigint;
  rev tmac.hr_event[];          -- this round's events, in arrival order
  kinds text[];                 -- the kinds of this round's events
  mapping boolean;              -- an event of this round names a login role
  e tmac.hr_event;
  tz text;
  grace interval;
  sched_hires boolean;
  bad boolean;
  one_by_one boolean := false;
  term tmac.person[];           -- the persons this round terminates, as read before
  term_events tmac.hr_event[];  -- and their termination events, in the same (arrival) order
  i integer;
BEGIN
  -- the rounds the row intake counted, then the statement's frame (popped here, even when restoring)
  SELECT r.rounds, r.last_round INTO seqs, last_round FROM tmac.hr_feed_rounds() r;
  deferred := tmac.hr_feed_take_deferred();
  IF tmac.restoring() THEN
    RETURN NULL;
  END IF;
  -- (the statement's own frame, pushed by its a_mode: NULL when it was taken in lenient mode,
  -- whatever the mode is now; a statement nested in this one had a frame of its own)
  IF deferred IS NULL THEN
    RETURN NULL;                -- applied one by one by the row trigger
  END IF;
  -- In strict mode the row triggers decide no event: every event of the statement was
  -- deferred to this trigger, and is applied here exactly once.
  inserted := (SELECT count(*) FROM new_events);
  IF inserted <> deferred THEN
    RAISE EXCEPTION USING ERRCODE = 'internal_error',
            MESSAGE = tmac.message('the HR feed deferred %s events of this statement but it inserted %s', deferred, inserted),
            HINT = tmac.message('The tmac extension is damaged; reinstall it.');
  END IF;
  -- (a few events, as an HR system sends through the day, one by one: each person's change
  -- keeps an audit entry of its own, with the person as subject)
  one_by_one := inserted < 32 OR last_round = 0;
  checked := last_round IS NOT NULL;
  IF NOT one_by_one AND NOT checked THEN
    -- each event's round: its place among its person's events of the statement (the transition
    -- table holds them in arrival order), where the row intake did not count them
    SELECT array_agg(x.seq ORDER BY x.ord), max(x.seq) INTO seqs, last_round
      FROM (SELECT y.ord, row_number() OVER (PARTITION BY y.person_id COLLATE "C" ORDER BY y.ord)::integer AS seq
              FROM (SELECT n.person_id, row_number() OVER () AS ord FROM new_events n) y) x;
  END IF;
  IF NOT one_by_one THEN
    one_by_one := EXISTS (SELECT 1 FROM new_events n WHERE n.outcome = 'received')
      OR EXISTS (SELECT 1 FROM tmac.hr_event h
                  WHERE h.outcome = 'scheduled' AND h.effective_at <= now()
                    AND h.person_id IN (SELECT n.person_id FROM new_events n))
      OR EXISTS (SELECT 1 FROM new_events n WHERE n.attributes ->> 'login_role' IS NOT NULL
                  GROUP BY n.attributes ->> 'login_role' HAVING count(*) > 1);
  END IF;
  IF NOT one_by_one THEN
    BEGIN
      PERFORM tmac.hr_feed_set_applying(true);
      tz := tmac.setting_lookup('date_time_zone');
      grace := tmac.setting_lookup('role_change_grace')::interval;
      sched_hires := EXISTS (SELECT 1 FROM tmac.hr_event h WHERE h.outcome = 'scheduled' AND h.kind = 'hire');
      FOR r IN 1 .. last_round LOOP
        -- This round's events, in arrival order, with their place (ord) in it: the first round
        -- (every person's first event of the statement, the largest round) is read from the
        -- transition table in each statement below, the later ones from an array of their events.
        -- Both are the same source, written out in each statement (a union of which only one side
        -- runs: the other's condition on r is false before it reads anything):
        --   (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
        --     WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
        --    UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u
        -- (reading the first round again is cheaper than building an array of its rows and
        -- unnesting it in every statement, as the later rounds do)
        IF r > 1 THEN
          rev := ARRAY(SELECT y.ev FROM (SELECT n::tmac.hr_event AS ev, row_number() OVER () AS ord FROM new_events n) y
                        WHERE seqs[y.ord] = r);
        END IF;
        SELECT array_agg(DISTINCT u.kind), bool_or(u.attributes ? 'login_role') INTO kinds, mapping
          FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u;
        -- the persons this round changes, locked before they are read (as hr_apply does)
        IF kinds <> '{hire}' THEN
          PERFORM 1 FROM tmac.person p
            WHERE p.person_id IN (SELECT u.person_id FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u WHERE u.kind <> 'hire')
            ORDER BY p.person_id FOR NO KEY UPDATE OF p;   -- as hr_apply: FK references do not hold it off
        END IF;
        -- every check of hr_validate and hr_apply's state checks; any failure: one at a time (those
        -- that need no state the row intake made already, when it counted the rounds: checked)
        -- (what an error of the passes below refuses anyway — a hire of a person who exists, by
        -- the primary key; a group nobody defined, by tmac.vocabulary_id — is not looked up
        -- here: the error undoes the set, and the statement goes one event at a time too)
        SELECT bool_or(NOT coalesce(
                 (checked
                  OR u.kind IN ('hire', 'transfer', 'promotion', 'leave', 'return', 'terminate', 'rehire')
                     AND btrim(u.person_id) <> ''
                     AND jsonb_typeof(u.attributes) = 'object'
                     AND (u.attributes - '{full_name,title,org_group,job_role,login_role,kind,responsible_person,note,restore_cron_jobs}'::text[])
                         = '{}'::jsonb
                     AND NOT EXISTS (SELECT 1 FROM jsonb_each(u.attributes) a(k, v)     -- (as hr_validate: an array is no string)
                                      WHERE jsonb_typeof(v) NOT IN ('string', 'null') AND k <> 'restore_cron_jobs')
                     AND (NOT u.attributes ? 'restore_cron_jobs'
                          OR (u.kind = 'rehire' AND (u.attributes ->> 'restore_cron_jobs') IN ('true', 'false'))))
             AND CASE u.kind
                   WHEN 'hire' THEN coalesce(btrim(u.attributes ->> 'full_name'), '') <> ''
                                    AND NOT (sched_hires AND EXISTS (
                                      SELECT 1 FROM tmac.hr_event h WHERE h.person_id = u.person_id AND h.kind = 'hire'
                                         AND h.outcome = 'scheduled' AND h.event_id <> u.event_id))
                   -- (the person's state: NULL, so bad, when there is no such person)
                   ELSE (SELECT CASE u.kind
                                  WHEN 'transfer' THEN p.status <> 'terminated' AND u.attributes ?| ARRAY['title', 'org_group', 'job_role']
                                  WHEN 'promotion' THEN p.status <> 'terminated' AND u.attributes ?| ARRAY['title', 'org_group', 'job_role']
                                  WHEN 'leave' THEN p.status = 'active' AND (u.attributes - 'note') = '{}'::jsonb
                                  WHEN 'return' THEN p.status = 'on_leave' AND (u.attributes - 'note') = '{}'::jsonb
                                  WHEN 'terminate' THEN p.status <> 'terminated' AND (u.attributes - 'note') = '{}'::jsonb
                                  ELSE p.status = 'terminated' END
                           FROM tmac.person p WHERE p.person_id = u.person_id) END
             AND ((u.attributes ->> 'kind') IS NULL
                  OR (u.attributes ->> 'kind') IN ('employee', 'contractor', 'visitor', 'service'))
             AND (NOT u.attributes ? 'responsible_person'
                  OR EXISTS (SELECT 1 FROM tmac.person q WHERE q.person_id = u.attributes ->> 'responsible_person')),
             false))
          INTO bad
          FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u;
        IF bad THEN
          RAISE EXCEPTION raise_exception;   -- an event of the statement does not pass as part of a set: one by one
        END IF;
        IF mapping THEN
          FOR e IN SELECT u.event_id, u.person_id, u.kind, u.effective_at, u.attributes, u.received_at, u.received_by, u.applied_at, u.outcome, u.error_sqlstate, u.error_message
                     FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u WHERE u.attributes ->> 'login_role' IS NOT NULL ORDER BY u.ord LOOP
            PERFORM tmac.hr_validate_login_role(e);
          END LOOP;
        END IF;
        -- hires (in arrival order)
        IF 'hire' = ANY (kinds) THEN
          INSERT INTO tmac.person (person_id, full_name, title, org_group_id, job_role, kind, login_role,
                                   hired_on, responsible_person)
          SELECT u.person_id, btrim(u.attributes ->> 'full_name'), u.attributes ->> 'title',
                 tmac.vocabulary_id('group', u.attributes ->> 'org_group'), u.attributes ->> 'job_role',
                 coalesce(u.attributes ->> 'kind', 'employee'), u.attributes ->> 'login_role',
                 (u.effective_at AT TIME ZONE tz)::date, u.attributes ->> 'responsible_person'
            FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u
           WHERE u.kind = 'hire';
        END IF;
        -- transfers and promotions: a new login role ends every grant in force, then the persons
        -- change, then the grants bound to another role or group end (or get their grace)
        IF kinds && '{transfer,promotion}' THEN
          UPDATE tmac.access_grant g
             SET status = 'ended', ended_at = greatest(u.effective_at, u.received_at), end_reason = 'role_change',
                 ended_by = 'hr_event:' || u.event_id
            FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u JOIN tmac.person p ON p.person_id = u.person_id
           WHERE u.kind IN ('transfer', 'promotion') AND u.attributes ? 'login_role'
             AND (u.attributes ->> 'login_role') IS DISTINCT FROM p.login_role
             AND g.person_id = u.person_id AND g.status = 'active';
          UPDATE tmac.person p
             SET title = CASE WHEN u.attributes ? 'title' THEN u.attributes ->> 'title' ELSE p.title END,
                 org_group_id = CASE WHEN u.attributes ? 'org_group'
                                     THEN tmac.vocabulary_id('group', u.attributes ->> 'org_group') ELSE p.org_group_id END,
                 job_role = CASE WHEN u.attributes ? 'job_role' THEN u.attributes ->> 'job_role' ELSE p.job_role END,
                 full_name = coalesce(nullif(btrim(u.attributes ->> 'full_name'), ''), p.full_name),
                 login_role = CASE WHEN u.attributes ? 'login_role' THEN u.attributes ->> 'login_role' ELSE p.login_role END,
                 pledge_required_since = greatest(u.effective_at, u.received_at),
                 role_changed_at = greatest(u.effective_at, u.received_at), updated_at = now()
            FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u
           WHERE u.kind IN ('transfer', 'promotion') AND p.person_id = u.person_id;
          IF grace <= interval '0' THEN
            UPDATE tmac.access_grant g
               SET status = 'ended', ended_at = greatest(u.effective_at, u.received_at), end_reason = 'role_change',
                   ended_by = 'hr_event:' || u.event_id
              FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u JOIN tmac.person p ON p.person_id = u.person_id
             WHERE u.kind IN ('transfer', 'promotion')
               AND g.person_id = u.person_id AND g.status = 'active' AND NOT g.survives_role_change
               AND (g.bound_job_role IS DISTINCT FROM p.job_role OR g.bound_org_group_id IS DISTINCT FROM p.org_group_id);
          ELSE
            UPDATE tmac.access_grant g
               SET grace_until = greatest(u.effective_at, u.received_at) + grace
              FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u JOIN tmac.person p ON p.person_id = u.person_id
             WHERE u.kind IN ('transfer', 'promotion')
               AND g.person_id = u.person_id AND g.status = 'active' AND NOT g.survives_role_change
               AND g.grace_until IS NULL
               AND (g.bound_job_role IS DISTINCT FROM p.job_role OR g.bound_org_group_id IS DISTINCT FROM p.org_group_id);
          END IF;
        END IF;
        -- leaves and returns
        IF kinds && '{leave,return}' THEN
          UPDATE tmac.person p
             SET status = CASE u.kind WHEN 'leave' THEN 'on_leave' ELSE 'active' END, updated_at = now()
            FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u
           WHERE u.kind IN ('leave', 'return') AND p.person_id = u.person_id;
        END IF;
        -- terminations: the persons' status in one UPDATE, their grants in one tmac.end_grants_of;
        -- then each person's login role, sessions and pg_cron jobs (tmac.hr_terminate_acts), with
        -- the person as read before and the event (read in the same pass, in arrival order)
        IF 'terminate' = ANY (kinds) THEN
          SELECT array_agg(p ORDER BY u.ord),
                 array_agg(ROW(u.event_id, u.person_id, u.kind, u.effective_at, u.attributes, u.received_at, u.received_by, u.applied_at, u.outcome, u.error_sqlstate, u.error_message)::tmac.hr_event ORDER BY u.ord)
            INTO term, term_events
            FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u
            JOIN tmac.person p ON p.person_id = u.person_id
           WHERE u.kind = 'terminate';
          UPDATE tmac.person p
             SET status = 'terminated', terminated_at = greatest(t.effective_at, t.received_at), updated_at = now()
            FROM unnest(term_events) t
           WHERE p.person_id = t.person_id;
          PERFORM tmac.end_grants_of(array_agg(t.person_id ORDER BY t.pos),
                                     array_agg(greatest(t.effective_at, t.received_at) ORDER BY t.pos),
                                     array_agg('hr_event:' || t.event_id ORDER BY t.pos))
             FROM unnest(term_events) WITH ORDINALITY t
                  (event_id, person_id, kind, effective_at, attributes, received_at, received_by,
                   applied_at, outcome, error_sqlstate, error_message, pos);
          FOR i IN 1 .. cardinality(term) LOOP
            PERFORM tmac.hr_terminate_acts(term[i], term_events[i]);
          END LOOP;
        END IF;
        -- rehires, one by one
        IF 'rehire' = ANY (kinds) THEN
          FOR e IN SELECT u.event_id, u.person_id, u.kind, u.effective_at, u.attributes, u.received_at, u.received_by, u.applied_at, u.outcome, u.error_sqlstate, u.error_message
                     FROM (SELECT n.* FROM (SELECT n.*, row_number() OVER () AS ord FROM new_events n) n
                   WHERE r = 1 AND (last_round = 1 OR seqs[n.ord] = 1)
                  UNION ALL SELECT v.* FROM unnest(rev) WITH ORDINALITY v WHERE r > 1) u WHERE u.kind = 'rehire' ORDER BY u.ord LOOP
            PERFORM tmac.hr_apply(e);
          END LOOP;
        END IF;
      END LOOP;
      PERFORM tmac.hr_feed_set_applying(false);
    EXCEPTION WHEN OTHERS THEN
      one_by_one := true;       -- (the set's changes and audit entries are undone)
    END;
  END IF;
  IF one_by_one THEN
    PERFORM tmac.hr_feed_set_applying(true);
    FOR e IN SELECT n.* FROM new_events n LOOP
      PERFORM tmac.hr_receive_one(e);
      IF e.outcome = 'received' THEN
        UPDATE tmac.hr_event h SET outcome = 'scheduled' WHERE h.event_id = e.event_id;
      END IF;
    END LOOP;
    PERFORM tmac.hr_feed_set_applying(false);
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.hr_event_apply() IS 'Statement trigger (strict mode): validates and applies the statement''s HR events as a set, one pass per kind in rounds of each person''s events in arrival order, or one at a time in arrival order where the set cannot decide';

-- The row intake (src/hr_feed_flag.c): in strict mode it records an event that is new, from a
-- feeder who may feed, and leaves its validation and application to a_apply; anything else it
-- hands to tmac.hr_event_receive.
CREATE FUNCTION tmac.hr_event_intake() RETURNS trigger
  AS 'MODULE_PATHNAME', 'tmac_hr_event_intake' LANGUAGE C;
COMMENT ON FUNCTION tmac.hr_event_intake() IS 'Trigger: records a new HR event for the statement trigger a_apply (strict mode), or hands the row to tmac.hr_event_receive';

-- Before a statement's rows: which mode the row intake works in for them.
CREATE FUNCTION tmac.hr_event_mode_note() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.hr_feed_note_strict((SELECT coalesce(s.value, d.value) FROM tmac.setting_default d
                                      LEFT JOIN tmac.setting s ON s.key = d.key
                                     WHERE d.key = 'hr_event_mode') IS DISTINCT FROM 'lenient');
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.hr_event_mode_note() IS 'Statement trigger: begins the statement''s HR feed frame, noting once whether all its HR events are taken in strict mode';

-- Only tmac's own bookkeeping columns (applied_at, outcome, error_*) ever change: what an
-- event says, and who sent it when, is what the audit log's digest of a bulk load covers.
CREATE FUNCTION tmac.hr_event_guard() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF (OLD.event_id, OLD.person_id, OLD.kind, OLD.effective_at, OLD.attributes, OLD.received_at, OLD.received_by)
     IS DISTINCT FROM (NEW.event_id, NEW.person_id, NEW.kind, NEW.effective_at, NEW.attributes, NEW.received_at,
                       NEW.received_by) THEN
    RAISE EXCEPTION USING ERRCODE = 'feature_not_supported', MESSAGE = tmac.message('HR events are never changed'),
            HINT = tmac.message('Send a correcting event with a new event_id.');
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.hr_event_guard() IS 'Trigger: an HR event''s content never changes once received';

CREATE TRIGGER a_mode BEFORE INSERT ON tmac.hr_event
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.hr_event_mode_note();
CREATE TRIGGER a_receive BEFORE INSERT ON tmac.hr_event
  FOR EACH ROW EXECUTE FUNCTION tmac.hr_event_intake();
-- (named to fire before the statement's audit entry and cache invalidation)
CREATE TRIGGER a_apply AFTER INSERT ON tmac.hr_event REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.hr_event_apply();
CREATE TRIGGER guard BEFORE UPDATE ON tmac.hr_event
  FOR EACH ROW EXECUTE FUNCTION tmac.hr_event_guard();
SELECT tmac.add_audit_trigger('tmac.hr_event', 'event_id');
-- A statement of several events is recorded by its events' keys and the SHA-256 digest of their
-- canonical text (tmac.hr_event_canonical), not by embedding every row: what the digest covers
-- never changes (tmac.hr_event_guard; events are never deleted), so tmac.verify_audit_log()
-- recomputes it from the table and reports an event changed or removed since.
DROP TRIGGER audit_insert ON tmac.hr_event;
CREATE TRIGGER audit_insert AFTER INSERT ON tmac.hr_event REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_trigger('event_id', 'event_id', 'hr_event_digest');
-- The persons a bulk load hires (one INSERT per round, tmac.hr_event_apply) are recorded by
-- their keys and a digest of their rows as written: what each row holds is its hire event's
-- content, which the statement's hr_event entry records.  Persons inserted otherwise (not by the
-- HR feed) keep whole rows.
DROP TRIGGER audit_insert ON tmac.person;
CREATE TRIGGER audit_insert AFTER INSERT ON tmac.person REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.audit_trigger('person_id', 'person_id', 'hr_feed_keys');
SELECT tmac.keep_forever('tmac.hr_event');

CREATE FUNCTION tmac.queue_session_end(role name) RETURNS void
  AS 'MODULE_PATHNAME', 'tmac_queue_session_end' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION tmac.queue_session_end(name) IS 'Queues a role whose sessions end when the current transaction commits (nothing happens if it rolls back)';

-- The plain-column import: HR's CSV with one column per attribute (no JSON inside the CSV) loads
-- into tmac.hr_event_import by COPY or INSERT.  The view reads tmac.hr_event with its attributes
-- as columns; an INSERT into it becomes one INSERT into tmac.hr_event of its rows, in arrival
-- order (src/hr_feed_flag.c), so they take the HR feed's own path: the same checks, the same set
-- for a bulk load, the same audit entries, the feeder recorded as received_by, and the same
-- privileges (the feeder needs INSERT on tmac.hr_event itself; tmac_hr has it).  A NULL column
-- (an empty CSV field) is an attribute not given; restore_cron_jobs is a boolean.
CREATE VIEW tmac.hr_event_import WITH (security_invoker = true) AS
  SELECT h.event_id, h.person_id, h.kind, h.effective_at,
         h.attributes ->> 'full_name' AS full_name,
         h.attributes ->> 'org_group' AS org_group,
         h.attributes ->> 'job_role' AS job_role,
         h.attributes ->> 'title' AS title,
         h.attributes ->> 'login_role' AS login_role,
         h.attributes ->> 'kind' AS person_kind,
         h.attributes ->> 'responsible_person' AS responsible_person,
         h.attributes ->> 'note' AS note,
         CASE WHEN (h.attributes ->> 'restore_cron_jobs') IN ('true', 'false')       -- (a rejected event may hold anything)
              THEN (h.attributes ->> 'restore_cron_jobs')::boolean END AS restore_cron_jobs,
         h.received_at, h.received_by, h.applied_at, h.outcome, h.error_sqlstate, h.error_message
    FROM tmac.hr_event h;
COMMENT ON VIEW tmac.hr_event_import IS
  'The HR feed with plain columns: INSERT or COPY events into it (event_id, person_id, kind, effective_at and one column per attribute); each statement becomes one INSERT into tmac.hr_event, checked, applied and audited as such';
COMMENT ON COLUMN tmac.hr_event_import.person_kind IS 'The attribute kind of a hire (employee, contractor, visitor, service)';
COMMENT ON COLUMN tmac.hr_event_import.restore_cron_jobs IS 'A rehire only: re-enable the pg_cron jobs tmac disabled at the termination';

CREATE FUNCTION tmac.hr_import_begin() RETURNS trigger
  AS 'MODULE_PATHNAME', 'tmac_hr_import_begin' LANGUAGE C;
COMMENT ON FUNCTION tmac.hr_import_begin() IS 'Statement trigger of tmac.hr_event_import: begins the statement''s import frame';
CREATE FUNCTION tmac.hr_import_row() RETURNS trigger
  AS 'MODULE_PATHNAME', 'tmac_hr_import_row' LANGUAGE C;
COMMENT ON FUNCTION tmac.hr_import_row() IS 'INSTEAD OF row trigger of tmac.hr_event_import: keeps the row for the statement''s INSERT into tmac.hr_event';
CREATE FUNCTION tmac.hr_import_rows() RETURNS SETOF tmac.hr_event_import
  AS 'MODULE_PATHNAME', 'tmac_hr_import_rows' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_import_rows() IS 'Internal (tmac.hr_import_end): ends the import statement''s frame and returns its rows in arrival order';
CREATE FUNCTION tmac.hr_import_credit(levels integer) RETURNS integer
  AS 'MODULE_PATHNAME', 'tmac_hr_import_credit' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION tmac.hr_import_credit(integer) IS 'Internal (tmac.hr_import_end): the trigger level tmac credits while the import''s one INSERT into tmac.hr_event runs (1), or none (0); returns the previous value';
-- The statement's rows become one INSERT into tmac.hr_event, the feeder's own act: checked here,
-- at the import statement's own trigger level (1); the INSERT's triggers, one level deeper, are
-- credited that level while it runs (only tmac's code runs inside it), and the credit ends with
-- it, also when it fails.  As a tmac definer function, the INSERT runs as tmac's owner; the row
-- intake checks the feeder's own INSERT privilege on tmac.hr_event, as for a direct INSERT.
CREATE FUNCTION tmac.hr_import_end() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  PERFORM tmac.acting_role(tmac.msgid('record an HR event'), 1);
  PERFORM tmac.hr_import_credit(1);
  BEGIN
    INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
    SELECT r.event_id, r.person_id, r.kind, r.effective_at,
           pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
             'full_name', r.full_name, 'title', r.title, 'org_group', r.org_group, 'job_role', r.job_role,
             'login_role', r.login_role, 'kind', r.person_kind, 'responsible_person', r.responsible_person,
             'note', r.note, 'restore_cron_jobs', r.restore_cron_jobs))
      FROM tmac.hr_import_rows() r;
  EXCEPTION WHEN OTHERS THEN
    PERFORM tmac.hr_import_credit(0);
    RAISE;
  END;
  PERFORM tmac.hr_import_credit(0);
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION tmac.hr_import_end() IS 'Statement trigger of tmac.hr_event_import: inserts the statement''s rows into tmac.hr_event in one INSERT, as the feeder''s own act';
CREATE TRIGGER a_begin BEFORE INSERT ON tmac.hr_event_import
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.hr_import_begin();
CREATE TRIGGER a_row INSTEAD OF INSERT ON tmac.hr_event_import
  FOR EACH ROW EXECUTE FUNCTION tmac.hr_import_row();
CREATE TRIGGER a_end AFTER INSERT ON tmac.hr_event_import
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.hr_import_end();
