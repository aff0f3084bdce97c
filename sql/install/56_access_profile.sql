-- 56_access_profile.sql — what a person may access at an instant.
--
-- tmac.person_state_at() is the person as access decisions see them: the
-- applied state plus every scheduled HR event that is already due, so a
-- future-dated termination or leave counts from its instant whether or not
-- tmac.run_maintenance() has run.  tmac.access_prerequisites() lists the
-- access prerequisites (active, pledge, training) with their reasons, worded
-- by the decision itself (tmac.decision_reason, src/decision.c); it is used at
-- approval and runs as the extension owner (the roles it is granted to cannot
-- read the HR feed and the helpers it uses).
-- tmac.access_profile_of(person, at) is the access profile, the interface of
-- the row-level enforcement code (called as the extension owner, once per
-- person per cache refill); tmac.access_profile(login_role, at) is the same
-- for the person a login role maps to.  tmac.access_as_of() answers an
-- auditor's "what did this person hold at that instant".  Every table read
-- here carries the invalidate_caches statement trigger (tmac.install_invalidation_triggers(), 10_vocabulary.sql;
-- test/pgtap/spine_trigger_coverage.sql checks it).

CREATE FUNCTION tmac.person_state_at(person_id text, at timestamptz)
  RETURNS TABLE (status text, job_role text, org_group_id integer, pledge_since timestamptz,
                 role_change_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT coalesce(
           (SELECT CASE e.kind WHEN 'terminate' THEN 'terminated' WHEN 'leave' THEN 'on_leave' ELSE 'active' END
              FROM tmac.hr_event e
             WHERE e.person_id = p.person_id AND e.outcome = 'scheduled' AND e.effective_at <= $2
               AND e.kind IN ('terminate', 'leave', 'return', 'rehire')
             ORDER BY e.effective_at DESC, e.received_at DESC LIMIT 1),
           p.status),
         coalesce(
           (SELECT e.attributes ->> 'job_role' FROM tmac.hr_event e
             WHERE e.person_id = p.person_id AND e.outcome = 'scheduled' AND e.effective_at <= $2
               AND e.kind IN ('transfer', 'promotion', 'rehire') AND e.attributes ? 'job_role'
             ORDER BY e.effective_at DESC, e.received_at DESC LIMIT 1),
           p.job_role),
         coalesce(
           (SELECT tmac.vocabulary_id('group', e.attributes ->> 'org_group', true)
              FROM tmac.hr_event e
             WHERE e.person_id = p.person_id AND e.outcome = 'scheduled' AND e.effective_at <= $2
               AND e.kind IN ('transfer', 'promotion', 'rehire') AND e.attributes ? 'org_group'
             ORDER BY e.effective_at DESC, e.received_at DESC LIMIT 1),
           p.org_group_id),
         greatest(p.pledge_required_since,
           (SELECT max(e.effective_at) FROM tmac.hr_event e
             WHERE e.person_id = p.person_id AND e.outcome = 'scheduled' AND e.effective_at <= $2
               AND e.kind IN ('transfer', 'promotion', 'rehire'))),
         (SELECT min(e.effective_at) FROM tmac.hr_event e
           WHERE e.person_id = p.person_id AND e.outcome = 'scheduled' AND e.effective_at <= $2
             AND e.kind IN ('transfer', 'promotion'))
    FROM tmac.person p
   WHERE p.person_id = $1;
END;
COMMENT ON FUNCTION tmac.person_state_at(text, timestamptz) IS
  'The person''s status, job role, group id and pledge requirement at an instant, counting scheduled HR events already due; role_change_at is the earliest due, not yet applied transfer or promotion';

-- Until when the pledge prerequisite holds at `at` (NULL end: open-ended); no row when it does not hold.
CREATE FUNCTION tmac.pledge_window(person_id text, at timestamptz, since timestamptz)
  RETURNS TABLE (ok boolean, changes_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  WITH v AS (
    SELECT tmac.day_start(pl.signed_on) AS from_at,
           CASE WHEN pl.valid_until IS NOT NULL THEN tmac.day_start(pl.valid_until + 1) END AS until_at
      FROM tmac.pledge pl
     WHERE pl.person_id = $1 AND pl.kind <> 'termination'
       AND ($3 IS NULL OR pl.signed_on >= ($3 AT TIME ZONE tmac.setting_value('date_time_zone'))::date))
  SELECT bool_or(from_at <= $2 AND (until_at IS NULL OR $2 < until_at)),
         CASE WHEN bool_or(from_at <= $2 AND until_at IS NULL) THEN
                (SELECT min(from_at) FROM v WHERE from_at > $2)
              WHEN bool_or(from_at <= $2 AND $2 < until_at) THEN
                least(max(until_at) FILTER (WHERE from_at <= $2 AND $2 < until_at), min(from_at) FILTER (WHERE from_at > $2))
              ELSE min(from_at) FILTER (WHERE from_at > $2) END
    FROM v
$$;
COMMENT ON FUNCTION tmac.pledge_window(text, timestamptz, timestamptz) IS
  'Internal: whether a valid pledge (signed on or after `since`) exists at an instant, and when that can next change';

-- The one rule of "current training" (the access decision, the access-rights ledger, the checks
-- access_without_training and training_overdue): the courses a person must have completed within
-- their validity at an instant — every course the training_courses setting names, and every
-- mandatory course of tmac.training_course for the person's audience (everyone; access_holders
-- when they hold a clearance or grant in force then), each valid for its own validity or
-- training_validity; when no course is required at all, any course within training_validity
-- (course NULL).  A completion counts from the start of its day until that day + its validity
-- (date_time_zone).  Two entry points share these parts: tmac.training_status_of (one person, for
-- the decision) and tmac.training_status_all (every person, set-based, for the ledger and checks).
CREATE FUNCTION tmac.training_courses_required()
  RETURNS TABLE (course text, validity interval, holders_only boolean)
  LANGUAGE sql STABLE PARALLEL SAFE ROWS 3 SET search_path = pg_catalog, pg_temp AS
$$
  -- (a pinned search_path keeps it from being inlined: its callers read its few rows once; ROWS 3
  -- keeps their estimates, and JIT, away from persons × 1,000 courses)
  WITH named AS (
    SELECT btrim(n.c) AS course,
           coalesce(tc.validity, tmac.setting_value('training_validity')::interval) AS validity, false AS holders_only
      FROM unnest(string_to_array(tmac.setting_value('training_courses'), ',')) n(c)
      LEFT JOIN tmac.training_course tc ON tc.course = btrim(n.c)
     WHERE btrim(n.c) <> ''),
  req AS (
    SELECT named.course, named.validity, named.holders_only FROM named
    UNION ALL
    SELECT tc.course, coalesce(tc.validity, tmac.setting_value('training_validity')::interval), tc.audience = 'access_holders'
      FROM tmac.training_course tc
     WHERE tc.mandatory AND tc.course NOT IN (SELECT named.course FROM named))
  SELECT req.course, req.validity, req.holders_only FROM req
  UNION ALL
  SELECT NULL::text, tmac.setting_value('training_validity')::interval, false WHERE NOT EXISTS (SELECT 1 FROM req)
$$;
COMMENT ON FUNCTION tmac.training_courses_required() IS
  'The one rule of current training: the courses to have completed within their validity — the training_courses setting''s, the mandatory courses of tmac.training_course (holders_only: for access holders only) — or one row with course NULL (any course, training_validity) when none is required';

CREATE FUNCTION tmac.training_holder_at(g tmac.access_grant, at timestamptz) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN g.approved_at <= at AND g.validity @> at AND (g.ended_at IS NULL OR g.ended_at > at)
         AND g.status IN ('active', 'ended', 'expired');
COMMENT ON FUNCTION tmac.training_holder_at(tmac.access_grant, timestamptz) IS
  'Internal (the one rule of current training): whether a clearance or grant makes its person an access holder at an instant';

CREATE FUNCTION tmac.training_span(completed_on date, validity interval) RETURNS tsrange
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN tsrange(completed_on::timestamp, completed_on::timestamp + validity);
COMMENT ON FUNCTION tmac.training_span(date, interval) IS
  'Internal (the one rule of current training): when a completion counts, in local time (date_time_zone) — from the start of its day until that day + the validity';

-- Per required course, until when it is current at an instant (NULL: not current) and until when
-- its latest completion counted (the ledger's "valid until" of a lapsed course).
CREATE FUNCTION tmac.training_status_of(person_id text, at timestamptz)
  RETURNS TABLE (course text, current_until timestamptz, last_until timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT r.course,
         max(upper(tmac.training_span(t.completed_on, r.validity)))
           FILTER (WHERE tmac.training_span(t.completed_on, r.validity) @> ($2 AT TIME ZONE tmac.setting_value('date_time_zone')))
           AT TIME ZONE tmac.setting_value('date_time_zone'),
         max(upper(tmac.training_span(t.completed_on, r.validity)))
           FILTER (WHERE t.completed_on::timestamp <= ($2 AT TIME ZONE tmac.setting_value('date_time_zone')))
           AT TIME ZONE tmac.setting_value('date_time_zone')
    FROM tmac.training_courses_required() r
    LEFT JOIN tmac.training_completion t ON t.person_id = $1 AND (r.course IS NULL OR t.course = r.course)
   WHERE NOT r.holders_only
      OR EXISTS (SELECT 1 FROM tmac.access_grant g WHERE g.person_id = $1 AND tmac.training_holder_at(g, $2))
   GROUP BY r.course;
END;
COMMENT ON FUNCTION tmac.training_status_of(text, timestamptz) IS
  'The one rule of current training for one person (tmac.training_courses_required; course NULL: any course): per required course, until when it is current at an instant (NULL: it is not) and until when its latest completion counted';

CREATE FUNCTION tmac.training_status_all(at timestamptz)
  RETURNS TABLE (person_id text, course text, current_until timestamptz, last_until timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH tz AS MATERIALIZED (SELECT tmac.setting_value('date_time_zone') AS tz,
                                  $1 AT TIME ZONE tmac.setting_value('date_time_zone') AS at_local),
  req AS MATERIALIZED (SELECT r.course, r.validity, r.holders_only, coalesce(r.course, '') AS k
                         FROM tmac.training_courses_required() r),
  holders AS MATERIALIZED (SELECT DISTINCT g.person_id FROM tmac.access_grant g WHERE tmac.training_holder_at(g, $1)),
  done AS MATERIALIZED (     -- per person and required course, set-based (a few required courses × the completions)
    SELECT t.person_id, r.k,
           max(upper(tmac.training_span(t.completed_on, r.validity)))
             FILTER (WHERE tmac.training_span(t.completed_on, r.validity) @> (SELECT tz.at_local FROM tz)) AS current_until,
           max(upper(tmac.training_span(t.completed_on, r.validity)))
             FILTER (WHERE t.completed_on::timestamp <= (SELECT tz.at_local FROM tz)) AS last_until
      FROM tmac.training_completion t JOIN req r ON r.course IS NULL OR r.course = t.course
     GROUP BY t.person_id, r.k)
  SELECT p.person_id, r.course, d.current_until AT TIME ZONE tz.tz, d.last_until AT TIME ZONE tz.tz
    FROM tz, tmac.person p CROSS JOIN req r
    LEFT JOIN done d ON d.person_id = p.person_id AND d.k = r.k
   WHERE NOT r.holders_only OR p.person_id IN (SELECT h.person_id FROM holders h);
END;
COMMENT ON FUNCTION tmac.training_status_all(timestamptz) IS
  'The one rule of current training for every person, set-based (as tmac.training_status_of): per person and required course, until when it is current at an instant (NULL: it is not) and until when its latest completion counted';

CREATE FUNCTION tmac.training_window(person_id text, at timestamptz)
  RETURNS TABLE (ok boolean, changes_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
  SELECT bool_and(s.current_until IS NOT NULL),
         least(min(s.current_until),
               (SELECT min(tmac.day_start(t.completed_on)) FROM tmac.training_completion t
                 WHERE t.person_id = $1 AND tmac.day_start(t.completed_on) > $2))
    FROM tmac.training_status_of($1, $2) s
$$;
COMMENT ON FUNCTION tmac.training_window(text, timestamptz) IS
  'Internal: whether the required training (tmac.training_status_of) is current at an instant, and when that can next change';

-- The wording of the active, pledge and training checks: the access decision's own (src/decision.c).
CREATE FUNCTION tmac.decision_reason(check_name text, passed boolean) RETURNS text
  AS 'MODULE_PATHNAME', 'tmac_decision_reason' LANGUAGE C STABLE STRICT PARALLEL SAFE;   -- STABLE: in the session's language (lc_messages)
COMMENT ON FUNCTION tmac.decision_reason(text, boolean) IS
  'How access decisions word the active, pledge or training check, passed or failed (the one wording explain_access and access_prerequisites share), in the session''s language';

CREATE FUNCTION tmac.access_prerequisites(person_id text, at timestamptz DEFAULT now())
  RETURNS TABLE (prerequisite text, passed boolean, reason text)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  st record;
  ok boolean;
BEGIN
  SELECT * INTO st FROM tmac.person_state_at(access_prerequisites.person_id, at);
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'active'::text, false, tmac.message('no person "%s"', access_prerequisites.person_id);
    RETURN;
  END IF;
  ok := st.status = 'active';
  RETURN QUERY SELECT 'active'::text, ok, tmac.decision_reason('active', ok);
  ok := NOT tmac.setting_on('require_pledge')
        OR coalesce((SELECT w.ok FROM tmac.pledge_window(access_prerequisites.person_id, at, st.pledge_since) w), false);
  RETURN QUERY SELECT 'pledge'::text, ok,
    tmac.decision_reason('pledge', ok)
    || CASE WHEN NOT ok AND st.pledge_since IS NOT NULL
            THEN tmac.message(' (none signed since the role change of %s)', st.pledge_since) ELSE '' END;
  ok := NOT tmac.setting_on('require_training')
        OR coalesce((SELECT w.ok FROM tmac.training_window(access_prerequisites.person_id, at) w), false);
  RETURN QUERY SELECT 'training'::text, ok,
    tmac.decision_reason('training', ok)
    || CASE WHEN NOT ok THEN tmac.message(' (completed within %s)', tmac.setting_value('training_validity')) ELSE '' END;
END
$$;
COMMENT ON FUNCTION tmac.access_prerequisites(text, timestamptz) IS
  'The access prerequisites of a person at an instant, one row per prerequisite (active, pledge, training), worded as access decisions word them; used at approval';

-- A grant in force at `at` for a person in state st (role change due but not yet applied counted).
CREATE FUNCTION tmac.grant_in_force(g tmac.access_grant, at timestamptz, st_job_role text, st_org_group_id integer,
                                    st_role_change_at timestamptz)
  RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT $1.status IN ('active', 'ended', 'expired')
     AND $1.approved_at <= $2
     AND $1.validity @> $2
     AND ($1.ended_at IS NULL OR $1.ended_at > $2)
     AND ($1.grace_until IS NULL OR $1.grace_until > $2)
     AND ($1.survives_role_change OR $5 IS NULL
          OR ($1.bound_job_role IS NOT DISTINCT FROM $3 AND $1.bound_org_group_id IS NOT DISTINCT FROM $4)
          OR $2 < $5 + tmac.setting_value('role_change_grace')::interval);
END;
COMMENT ON FUNCTION tmac.grant_in_force(tmac.access_grant, timestamptz, text, integer, timestamptz) IS
  'Internal: whether a clearance or grant is in force at an instant';

CREATE FUNCTION tmac.access_profile_of(person text, at timestamptz)
  RETURNS TABLE (person_id text, active boolean, clearance_rank integer, read_compartments integer[],
                 write_compartments integer[], org_group_id integer, pledge_ok boolean, training_ok boolean,
                 valid_until timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  pid text := person;
  st record;
  pw record;
  tw record;
  grant_change timestamptz;
  event_change timestamptz;
  pledge_change timestamptz;     -- stays NULL when the requirement is off
  training_change timestamptz;
  grace interval := tmac.setting_value('role_change_grace')::interval;
BEGIN
  SELECT * INTO st FROM tmac.person_state_at(pid, at);
  IF NOT FOUND THEN
    RETURN;
  END IF;
  person_id := pid;
  active := st.status = 'active';
  SELECT max(g.level_rank) FILTER (WHERE g.kind = 'clearance'),
         coalesce(array_agg(DISTINCT g.compartment_id ORDER BY g.compartment_id)
                    FILTER (WHERE g.kind = 'compartment'), '{}'),
         coalesce(array_agg(DISTINCT g.compartment_id ORDER BY g.compartment_id)
                    FILTER (WHERE g.kind = 'compartment' AND g.mode = 'write'), '{}')
    INTO clearance_rank, read_compartments, write_compartments
    FROM tmac.access_grant g
   WHERE g.person_id = pid AND g.approved_at IS NOT NULL
     AND tmac.grant_in_force(g, at, st.job_role, st.org_group_id, st.role_change_at);
  SELECT min(x) INTO grant_change
    FROM tmac.access_grant g,
         LATERAL (VALUES (lower(g.validity)), (upper(g.validity)), (g.grace_until), (g.ended_at),
                         (g.approved_at),   -- (after `at` only for a past instant: the checks across registers)
                         (CASE WHEN st.role_change_at IS NOT NULL AND NOT g.survives_role_change
                               THEN st.role_change_at + grace END)) v(x)
   WHERE g.person_id = pid AND g.approved_at IS NOT NULL AND g.status IN ('active', 'ended', 'expired')
     AND upper(g.validity) > at AND (g.ended_at IS NULL OR g.ended_at > at)
     AND x > at;
  SELECT min(e.effective_at) INTO event_change FROM tmac.hr_event e
   WHERE e.person_id = pid AND e.outcome = 'scheduled' AND e.effective_at > at;
  org_group_id := st.org_group_id;
  IF tmac.setting_on('require_pledge') THEN
    SELECT * INTO pw FROM tmac.pledge_window(pid, at, st.pledge_since);
    pledge_ok := coalesce(pw.ok, false);
    pledge_change := pw.changes_at;
  ELSE
    pledge_ok := true;
  END IF;
  IF tmac.setting_on('require_training') THEN
    SELECT * INTO tw FROM tmac.training_window(pid, at);
    training_ok := coalesce(tw.ok, false);
    training_change := tw.changes_at;
  ELSE
    training_ok := true;
  END IF;
  valid_until := least(grant_change, event_change, pledge_change, training_change);
  RETURN NEXT;
END
$$;
COMMENT ON FUNCTION tmac.access_profile_of(text, timestamptz) IS
  'What a person may access at an instant (status with due HR events, highest clearance rank, read and write compartment ids, group id, prerequisites) and until when that answer holds; no row for an unknown person';

CREATE FUNCTION tmac.access_profile(login_role name, at timestamptz)
  RETURNS TABLE (person_id text, active boolean, clearance_rank integer, read_compartments integer[],
                 write_compartments integer[], org_group_id integer, pledge_ok boolean, training_ok boolean,
                 valid_until timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
 SELECT a.* FROM tmac.person p, tmac.access_profile_of(p.person_id, $2) a WHERE p.login_role = $1;
END;
COMMENT ON FUNCTION tmac.access_profile(name, timestamptz) IS
  'tmac.access_profile_of for the person mapped to a login role; no row when the role is not mapped';

-- The one query on the decision path (src/profile_fetch.c runs it as the
-- extension owner when a backend needs a profile no cache holds): the profile
-- of a login role, or (login_role NULL) of a person, as exactly one row — the
-- lowest level's rank, the profile's columns (NULL when unmapped), then every
-- group the person reaches (their own and every group below it; UNION stops
-- at a cycle).  The profile is a materialized CTE that seeds the recursive
-- one: a recursive subquery correlated with the profile instead costs a new
-- backend ~50 ms more.  A STABLE set-returning SQL function, so the planner
-- inlines it and the branch not asked for costs nothing.
CREATE FUNCTION tmac.access_profile_fetch(login_role name, person text, at timestamptz)
  RETURNS TABLE (lowest_rank integer, person_id text, active boolean, clearance_rank integer,
                 read_compartments integer[], write_compartments integer[], org_group_id integer,
                 pledge_ok boolean, training_ok boolean, valid_until timestamptz, reach integer[])
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH RECURSIVE a AS MATERIALIZED (
         SELECT * FROM tmac.access_profile($1, $3) WHERE $1 IS NOT NULL
         UNION ALL
         SELECT * FROM tmac.access_profile_of($2, $3) WHERE $1 IS NULL),
       d(id) AS (SELECT a.org_group_id FROM a
                 UNION
                 SELECT g.group_id FROM tmac.org_group g, d WHERE g.parent_id = d.id)
  SELECT (SELECT min(l.rank) FROM tmac.level l)::integer,
         a.person_id, a.active, a.clearance_rank, a.read_compartments, a.write_compartments,
         a.org_group_id, a.pledge_ok, a.training_ok, a.valid_until,
         (SELECT array_agg(d.id) FROM d WHERE d.id IS NOT NULL)::integer[]
    FROM (SELECT) AS one LEFT JOIN a ON true;
END;
COMMENT ON FUNCTION tmac.access_profile_fetch(name, text, timestamptz) IS
  'Internal: the access profile of a login role (or, login_role NULL, of a person) as the row-level enforcement code reads it: always one row, with the lowest level''s rank and the groups the person reaches';

CREATE FUNCTION tmac.access_as_of(person_id text, at timestamptz)
  RETURNS SETOF tmac.grants
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
  SELECT v.grant_id, v.person_id, v.kind, v.level, v.compartment, v.mode, v.valid_from, v.valid_until,
         'active'::text AS status, v.requested_by, v.approved_by, v.ended_at, v.end_reason
    FROM tmac.access_grant g
    JOIN tmac.grants v ON v.grant_id = g.grant_id
   WHERE g.person_id = $1 AND g.approved_at IS NOT NULL
     AND tmac.grant_in_force(g, $2, NULL, NULL, NULL)
   ORDER BY v.grant_id
$$;
COMMENT ON FUNCTION tmac.access_as_of(text, timestamptz) IS
  'The clearances and grants a person held at an instant (same columns as tmac.grants; status is active as of that instant, ended_at and end_reason show how each later ended)';

-- The profiles tmac shares between backends (src/shared_profiles.c); read-only.
CREATE FUNCTION tmac.shared_profile_cache(OUT enabled boolean, OUT slots integer, OUT used integer,
                                          OUT hits bigint, OUT misses bigint, OUT stored bigint,
                                          OUT evicted bigint)
  AS 'MODULE_PATHNAME', 'tmac_shared_profile_cache' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION tmac.shared_profile_cache() IS
  'The shared access-profile cache: whether it is on (tmac.shared_profiles above 0), its size (tmac.shared_profiles), entries in use, and counts of profiles taken from it (hits), computed by a backend itself (misses), published (stored) and replaced when full (evicted) since the server started';
