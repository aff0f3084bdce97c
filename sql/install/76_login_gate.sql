-- 76_login_gate.sql — the login gate (src/login_gate.c) and its findings.
--
-- A connection to this database is refused (SQLSTATE 28000) when its login role maps to a
-- person who is terminated or on leave, or, with the setting gate_prerequisites on, whose
-- pledge or training lapsed; whatever the role's LOGIN attribute, password or memberships
-- say.  The decision is made before the database is connected, from a table in shared
-- memory that tmac keeps true: the triggers below note what a transaction changed, and at
-- its COMMIT (never on rollback) the gate of those roles is recomputed from
-- tmac.login_gate_wanted().  tmac.login_gate_sync() recomputes the whole database: at
-- CREATE EXTENSION, in tmac.run_maintenance() (so lapses that merely came due, and a lost
-- gate file, converge within the maintenance interval) and whenever tmac_admin calls it.
-- The gate concerns this database only: a role that is a person here may still connect to
-- a database where it is not (or where tmac is not installed).  The bootstrap superuser is
-- never gated; any other role is, superusers included.

CREATE FUNCTION tmac.login_gate_note() RETURNS trigger
  AS 'MODULE_PATHNAME', 'tmac_login_gate_note' LANGUAGE C;
COMMENT ON FUNCTION tmac.login_gate_note() IS 'Trigger: notes the login role (arguments login_role, login_role_oid) or person (argument person_id) of each changed row, old and new, or everything (a statement trigger), for the login gate to be recomputed when the transaction commits';

CREATE FUNCTION tmac.login_gate_note_all() RETURNS void
  AS 'MODULE_PATHNAME', 'tmac_login_gate_note_all' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION tmac.login_gate_note_all() IS 'Internal (login_gate_sync): the whole login gate of this database is recomputed when the transaction commits';

-- What the gate should say for the given login roles (by name, or by OID) and persons (or,
-- whole, for every person's role): one row per role examined, reason NULL when it may connect,
-- and role_name, the name HR mapped the person to (login_role), which the gate refuses too.
-- A person's role is the role named login_role and the role recorded by OID when it was mapped
-- (tmac.person.login_role_oid): renaming a terminated person's role does not open the gate,
-- which keeps it until HR reopens the person.  A recorded role that was dropped is examined
-- still (by its OID, which no role has now): its entry keeps the mapped name gated, so a role
-- created or renamed under that name is refused at once, before any recomputation.  Called by
-- src/login_gate.c as the extension owner, just before the transaction commits.
-- (Planned generically, its estimate can pass jit_above_cost while the work is small: no JIT.)
CREATE FUNCTION tmac.login_gate_wanted(roles text[], persons text[], whole boolean, role_oids oid[])
  RETURNS TABLE (role_oid oid, reason text, since timestamptz, role_name name)
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp SET jit = off AS
$$
  WITH ps AS (             -- the persons in scope (each branch by index, or all of them)
    SELECT p.login_role, p.login_role_oid FROM tmac.person p WHERE $3
    UNION ALL
    SELECT p.login_role, p.login_role_oid FROM tmac.person p
     WHERE NOT $3 AND p.person_id IN (SELECT pg_catalog.unnest($2))
    UNION ALL
    SELECT p.login_role, p.login_role_oid FROM tmac.person p
     WHERE NOT $3 AND p.login_role IN (SELECT pg_catalog.unnest($1)::name)
  ),
  oids AS (
    SELECT o.oid FROM (SELECT pg_catalog.unnest($4) UNION SELECT ps.login_role_oid FROM ps) o(oid) WHERE o.oid IS NOT NULL
  ),
  scope AS (               -- semi-joins: a COPY of 100,000 HR events notes as many names
    SELECT r.oid AS role_oid, r.rolname
      FROM pg_catalog.pg_roles r
     WHERE r.rolname IN (SELECT pg_catalog.unnest($1)::name UNION ALL SELECT ps.login_role FROM ps)
    UNION
    SELECT r.oid, r.rolname
      FROM pg_catalog.pg_roles r
     WHERE r.oid IN (SELECT oids.oid FROM oids)
    UNION                  -- a recorded role dropped since
    SELECT oids.oid, NULL FROM oids WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.oid = oids.oid)
  ),
  mapped AS (              -- by name, and by the OID recorded when the person was mapped (two index probes a role)
    SELECT s.role_oid, p.person_id, p.terminated_at, p.login_role
      FROM scope s
     CROSS JOIN LATERAL (SELECT x.person_id, x.terminated_at, x.login_role FROM tmac.person x WHERE x.login_role = s.rolname
                         UNION
                         SELECT x.person_id, x.terminated_at, x.login_role FROM tmac.person x WHERE x.login_role_oid = s.role_oid) p
  ),
  st AS (
    SELECT m.role_oid, m.person_id, m.login_role, x.status,
           CASE x.status
             WHEN 'terminated' THEN coalesce(m.terminated_at,
               (SELECT max(e.effective_at) FROM tmac.hr_event e
                 WHERE e.person_id = m.person_id AND e.kind = 'terminate' AND e.outcome = 'scheduled'
                   AND e.effective_at <= now()))
             WHEN 'on_leave' THEN
               (SELECT max(e.effective_at) FROM tmac.hr_event e
                 WHERE e.person_id = m.person_id AND e.kind = 'leave' AND e.outcome IN ('applied', 'scheduled')
                   AND e.effective_at <= now())
             ELSE now() END AS since
      FROM mapped m
      CROSS JOIN LATERAL tmac.person_state_at(m.person_id, now()) x
  )
  SELECT s.role_oid,
         CASE WHEN st.status = 'terminated' THEN 'terminated'
              WHEN st.status = 'on_leave' THEN 'on_leave'
              WHEN st.status = 'active' AND tmac.setting_on('gate_prerequisites') THEN
                (SELECT CASE c.prerequisite WHEN 'pledge' THEN 'pledge_lapsed' ELSE 'training_lapsed' END
                   FROM tmac.access_prerequisites(st.person_id, now()) c
                  WHERE NOT c.passed AND c.prerequisite IN ('pledge', 'training')
                  ORDER BY c.prerequisite LIMIT 1)
         END,
         st.since,
         st.login_role
    FROM scope s LEFT JOIN st ON st.role_oid = s.role_oid
$$;
COMMENT ON FUNCTION tmac.login_gate_wanted(text[], text[], boolean, oid[]) IS 'Internal: what the login gate should say for login roles (by name or OID) and persons (whole: every person''s role, by its name and by the OID recorded when it was mapped, dropped or not): terminated, on_leave, pledge_lapsed, training_lapsed, or NULL (may connect), and the name HR mapped, refused as well; a role of several persons has a row for each';

CREATE FUNCTION tmac.login_gate_sync() RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  -- no HR change commits between this reading and the gate's update at commit
  LOCK TABLE tmac.person IN SHARE MODE;
  PERFORM tmac.login_gate_note_all();
  RETURN (SELECT count(DISTINCT w.role_oid) FROM tmac.login_gate_wanted('{}', '{}', true, '{}') w WHERE w.reason IS NOT NULL);
END
$$;
COMMENT ON FUNCTION tmac.login_gate_sync() IS 'Rebuilds this database''s login gate from the persons (applied when the transaction commits); returns how many login roles it refuses. Run by tmac.run_maintenance()';

CREATE FUNCTION tmac.login_gate_refusals()
  RETURNS TABLE (role_oid oid, role_name name, reason text, since timestamptz,
                 refused_count bigint, last_refused timestamptz)
  AS 'MODULE_PATHNAME', 'tmac_login_gate_refusals' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION tmac.login_gate_refusals() IS 'The login gate of this database: each login role it refuses (reason terminated, on_leave, pledge_lapsed or training_lapsed, since when) or refused (reason NULL once it opened), with the attempts it refused and the last one';

CREATE FUNCTION tmac.login_gate_clear_refusals_internal(role oid) RETURNS boolean
  AS 'MODULE_PATHNAME', 'tmac_login_gate_clear_refusals' LANGUAGE C STRICT VOLATILE;
COMMENT ON FUNCTION tmac.login_gate_clear_refusals_internal(oid) IS 'Internal (login_gate_acknowledge): clears a role''s refused attempts when the transaction commits';

CREATE FUNCTION tmac.login_gate_acknowledge(role name, note text) RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  me name := tmac.acting_role(tmac.msgid('acknowledge refused logins'));
  r record;
BEGIN
  PERFORM tmac.require_arguments('login_gate_acknowledge', 'role', role::text, 'note', note);
  SELECT * INTO r FROM tmac.login_gate_refusals() g WHERE g.role_name = role;
  IF NOT FOUND OR r.refused_count = 0 THEN
    RAISE EXCEPTION USING ERRCODE = 'undefined_object',
      MESSAGE = tmac.message('no refused logins of role "%s" in this database', role),
      HINT = tmac.message('tmac.login_gate_refusals() lists them.');
  END IF;
  PERFORM tmac.login_gate_clear_refusals_internal(r.role_oid);
  PERFORM tmac.audit_append('login_gate', 'ACKNOWLEDGE', role,
                            jsonb_build_object('refused_count', r.refused_count, 'last_refused', r.last_refused,
                                               'reason', r.reason, 'note', note, 'by', me));
  RETURN true;
END
$$;
COMMENT ON FUNCTION tmac.login_gate_acknowledge(name, text) IS 'Records (audited, with a note) that a login role''s refused attempts were looked into, which closes its login_gate_refused finding; the gate itself stays as the persons say';

-- What a transaction changed, for the gate's recomputation at commit.
-- (a person's role by name and by the OID recorded when it was mapped, before and after: a
-- rehire maps the person again by name; a person without a login role, before and after, has
-- nothing to note: a bulk load of such hires queues no row event)
CREATE TRIGGER login_gate AFTER INSERT ON tmac.person
  FOR EACH ROW WHEN (NEW.login_role IS NOT NULL OR NEW.login_role_oid IS NOT NULL)
  EXECUTE FUNCTION tmac.login_gate_note('login_role', 'login_role_oid');
CREATE TRIGGER login_gate_update AFTER UPDATE ON tmac.person
  FOR EACH ROW
  WHEN ((OLD.login_role IS DISTINCT FROM NEW.login_role OR OLD.login_role_oid IS DISTINCT FROM NEW.login_role_oid
         OR OLD.status IS DISTINCT FROM NEW.status
         OR OLD.pledge_required_since IS DISTINCT FROM NEW.pledge_required_since)
        AND (OLD.login_role IS NOT NULL OR OLD.login_role_oid IS NOT NULL
             OR NEW.login_role IS NOT NULL OR NEW.login_role_oid IS NOT NULL))
  EXECUTE FUNCTION tmac.login_gate_note('login_role', 'login_role_oid');
CREATE TRIGGER login_gate AFTER INSERT OR UPDATE ON tmac.pledge
  FOR EACH ROW EXECUTE FUNCTION tmac.login_gate_note('person_id');
CREATE TRIGGER login_gate AFTER INSERT OR UPDATE ON tmac.training_completion
  FOR EACH ROW EXECUTE FUNCTION tmac.login_gate_note('person_id');
CREATE TRIGGER login_gate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tmac.setting
  FOR EACH STATEMENT EXECUTE FUNCTION tmac.login_gate_note();

-- Finding under I-6: a refused attempt is a sign of a leak (seed ⑥: a leaver trying to get in).
-- (A terminated person's role with LOGIN again is the II finding terminated_login_enabled.)
CREATE FUNCTION tmac.check_login_gate_refused() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT coalesce('person:' || p.person_id, 'role:' || coalesce(g.role_name::text, g.role_oid::text)),
         tmac.message('%s tried to connect as %s %s time(s), last at %s, and the login gate refused it (%s). An attempt by a leaver or an absent person is a sign of a leak: find out who tried and why, then record it with tmac.login_gate_acknowledge(role, note).',
                coalesce(p.person_id || ' (' || p.full_name || ')', tmac.message('someone')),
                coalesce(g.role_name::text, tmac.message('a dropped role %s', g.role_oid)),
                g.refused_count, g.last_refused,
                coalesce(pg_catalog.replace(g.reason, '_', ' '), tmac.message('the gate has opened since'))),
         g.last_refused
    FROM tmac.login_gate_refusals() g
    LEFT JOIN LATERAL (SELECT x.person_id, x.full_name FROM tmac.person x      -- by OID first: a renamed role
                        WHERE x.login_role_oid = g.role_oid OR x.login_role = g.role_name
                        ORDER BY x.login_role_oid = g.role_oid DESC LIMIT 1) p ON true
   WHERE g.refused_count > 0;
END;
COMMENT ON FUNCTION tmac.check_login_gate_refused() IS 'Check login_gate_refused: login roles whose connections the login gate refused (a leaver or absent person trying to get in), until acknowledged';

-- Finding under II: the role of a terminated person or of a person on leave was renamed.  The
-- gate follows the role, not its name (login_gate_wanted), so the rename let no one in; but
-- someone with CREATEROLE did it, most likely to get the person back in under another name.
CREATE FUNCTION tmac.check_gated_role_renamed() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'person:' || p.person_id,
         tmac.message('%s (%s) is %s, and their login role %s (OID %s) has been renamed to %s. The login gate still refuses the role under its new name, until HR records a %s. Find out who renamed it and why, then rename it back (ALTER ROLE %s RENAME TO %s) or drop it.',
                p.person_id, p.full_name, pg_catalog.replace(p.status, '_', ' '), p.login_role, p.login_role_oid, r.rolname,
                CASE p.status WHEN 'terminated' THEN 'rehire' ELSE 'return' END,
                pg_catalog.quote_ident(r.rolname), pg_catalog.quote_ident(p.login_role)),
         coalesce(p.terminated_at, p.updated_at)
    FROM tmac.person p JOIN pg_catalog.pg_roles r ON r.oid = p.login_role_oid
   WHERE p.status <> 'active' AND r.rolname <> p.login_role;
END;
COMMENT ON FUNCTION tmac.check_gated_role_renamed() IS 'Check gated_role_renamed: the login role of a terminated person or a person on leave was renamed (the login gate still refuses it)';

-- pg_cron runs a job as its role through a background worker that never passes the login gate.
-- The termination disables the person's jobs (tmac.cron_jobs_switch), but a role with CREATEROLE
-- can become a terminated person's role afterwards (GRANT it to itself, SET ROLE) and schedule a
-- new job.  The active jobs that run as a terminated person's role (by the OID recorded when
-- mapped, under its current name, or by the name HR mapped), where pg_cron keeps its jobs in this
-- database; nothing elsewhere.
CREATE FUNCTION tmac.terminated_cron_jobs()
  RETURNS TABLE (jobid bigint, jobname text, username text, person_id text)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  IF NOT tmac.pg_cron_here() THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'SELECT c.jobid, c.jobname::pg_catalog.text, c.username::pg_catalog.text, p.person_id
       FROM tmac.person p
       JOIN cron.job c ON c.username OPERATOR(pg_catalog.=) p.login_role::pg_catalog.text
                       OR c.username OPERATOR(pg_catalog.=) tmac.person_role(p.login_role, p.login_role_oid)::pg_catalog.text
      WHERE p.status OPERATOR(pg_catalog.=) ''terminated'' AND c.active
      ORDER BY p.person_id, c.jobid';
END
$$;
COMMENT ON FUNCTION tmac.terminated_cron_jobs() IS 'Internal: the active pg_cron jobs that run as the login role of a terminated person (by the recorded OID or the mapped name), where pg_cron keeps its jobs in this database';

-- Run by tmac.run_maintenance(): such a job is disabled again, audited as at a termination
-- (cron DISABLE, without an event).  It is not added to the person's cron_jobs_disabled_by_tmac:
-- a rehire never re-enables a job the person did not have when they left.
CREATE FUNCTION tmac.terminated_cron_jobs_disable() RETURNS integer
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  j record;
  n integer := 0;
BEGIN
  FOR j IN SELECT t.person_id, t.username FROM tmac.terminated_cron_jobs() t GROUP BY t.person_id, t.username LOOP
    n := n + pg_catalog.cardinality(tmac.cron_jobs_switch('DISABLE', ARRAY[j.username::name], '{}', j.person_id, NULL));
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION tmac.terminated_cron_jobs_disable() IS 'Internal (run_maintenance): disables, audited, the active pg_cron jobs that run as a terminated person''s login role; returns how many';

-- Finding under II: a pg_cron job runs as a terminated person's role (until run_maintenance disables it).
CREATE FUNCTION tmac.check_terminated_cron_job_active() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'person:' || p.person_id,
         tmac.message('%s (%s) was terminated on %s but %s pg_cron job(s) run as their login role: %s. pg_cron''s workers never pass the login gate. Find out who scheduled them and why; tmac.run_maintenance() disables them, or run SELECT cron.alter_job(jobid, active => false).',
                p.person_id, p.full_name, p.terminated_at, j.n, j.jobs),
         p.terminated_at
    FROM (SELECT t.person_id, pg_catalog.count(*) AS n,
                 pg_catalog.string_agg(tmac.message('%s (%s, as %s)', t.jobid, coalesce(t.jobname, tmac.message('unnamed')), t.username), ', ' ORDER BY t.jobid) AS jobs
            FROM tmac.terminated_cron_jobs() t GROUP BY t.person_id) j
    JOIN tmac.person p ON p.person_id = j.person_id;
END;
COMMENT ON FUNCTION tmac.check_terminated_cron_job_active() IS 'Check terminated_cron_job_active: active pg_cron jobs that run as a terminated person''s login role (by the recorded OID or the mapped name)';

-- The login gate's checks (the compliance registry: 45_compliance_registry.sql), whose functions are above.
INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, population, builtin) VALUES
  ('login_gate_refused', 'I-6', 'high',
   tmac.msgid('Refused login of a terminated or absent person'),
   tmac.msgid('The login gate refused a connection as the login role of a person who is terminated, on leave or (gate_prerequisites) without a current pledge or training: someone tried to get in who may not (a leak sign, seed ⑥).'),
   tmac.msgid('Find out who tried and why (the server log has the client address); record it with tmac.login_gate_acknowledge(role, note).'),
   'tmac.check_login_gate_refused', '{persons}', true),
  ('gated_role_renamed', 'II', 'high',
   tmac.msgid('Login role of a terminated or absent person renamed'),
   tmac.msgid('The login role of a terminated person or a person on leave has another name than the HR feed mapped: someone with CREATEROLE renamed it, most likely to let the person in under another name. The login gate follows the role, not its name, and still refuses it.'),
   tmac.msgid('Find out who renamed it and why; rename it back (ALTER ROLE … RENAME TO …) or drop it. HR reopening the person (rehire, return) maps them again by name.'),
   'tmac.check_gated_role_renamed', '{persons}', true),
  ('terminated_cron_job_active', 'II', 'high',
   tmac.msgid('pg_cron job running as a terminated person'),
   tmac.msgid('An active pg_cron job runs as the login role of a terminated person: pg_cron''s background workers never pass the login gate, so the job acts as the person after they left. Someone with CREATEROLE scheduled it (or turned it back on) after the termination disabled the person''s jobs. Checked where pg_cron keeps its jobs in this database.'),
   tmac.msgid('Find out who scheduled it and why. tmac.run_maintenance() disables it (audited); a rehire never re-enables it.'),
   'tmac.check_terminated_cron_job_active', '{persons}', true);

-- The gate of a new (or restored) database starts from its persons.
SELECT tmac.login_gate_sync();
