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
--
-- At its end: the compliance checks of training and pledges (I-5, II), which read the one rule of
-- current training (tmac.training_status_all), and tmac.prerequisite_status.

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
COMMENT ON FUNCTION tmac.person_state_at(text, timestamptz) IS 'The person''s status, job role, group id and pledge requirement at an instant, counting scheduled HR events already due; role_change_at is the earliest due, not yet applied transfer or promotion';

-- Until when the pledge prerequisite holds at `at` (NULL end: open-ended); no row when it does not hold.
CREATE FUNCTION tmac.pledge_window(person_id text, at timestamptz, since timestamptz)
  RETURNS TABLE (ok boolean, changes_at timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  -- PL/pgSQL, not SQL: the pinned search_path keeps a SQL function from being inlined, and a SQL
  -- function that is not inlined is parsed and planned again at every call (each access profile)
  RETURN QUERY
  WITH v AS (
    SELECT tmac.day_start(pl.signed_on) AS from_at,
           CASE WHEN pl.valid_until IS NOT NULL THEN tmac.day_start(pl.valid_until + 1) END AS until_at
      FROM tmac.pledge pl
     WHERE pl.person_id = $1 AND pl.kind <> 'termination'
       AND ($3 IS NULL OR pl.signed_on >= ($3 AT TIME ZONE tmac.setting_value('date_time_zone'))::date))
  SELECT bool_or(v.from_at <= $2 AND (v.until_at IS NULL OR $2 < v.until_at)),
         CASE WHEN bool_or(v.from_at <= $2 AND v.until_at IS NULL) THEN
                (SELECT min(w.from_at) FROM v w WHERE w.from_at > $2)
              WHEN bool_or(v.from_at <= $2 AND $2 < v.until_at) THEN
                least(max(v.until_at) FILTER (WHERE v.from_at <= $2 AND $2 < v.until_at),
                      min(v.from_at) FILTER (WHERE v.from_at > $2))
              ELSE min(v.from_at) FILTER (WHERE v.from_at > $2) END
    FROM v;
END
$$;
COMMENT ON FUNCTION tmac.pledge_window(text, timestamptz, timestamptz) IS 'Internal: whether a valid pledge (signed on or after `since`) exists at an instant, and when that can next change';

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
  LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 3 SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  -- (never inlined: its callers read its few rows once; ROWS 3 keeps their estimates, and JIT,
  -- away from persons × 1,000 courses.  PL/pgSQL, not SQL with a pinned search_path: that one
  -- was parsed and planned again at every call, i.e. at every access profile)
  RETURN QUERY
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
  SELECT NULL::text, tmac.setting_value('training_validity')::interval, false WHERE NOT EXISTS (SELECT 1 FROM req);
END
$$;
COMMENT ON FUNCTION tmac.training_courses_required() IS 'The one rule of current training: the courses to have completed within their validity — the training_courses setting''s, the mandatory courses of tmac.training_course (holders_only: for access holders only) — or one row with course NULL (any course, training_validity) when none is required';

CREATE FUNCTION tmac.training_holder_at(g tmac.access_grant, at timestamptz) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN g.approved_at <= at AND g.validity @> at AND (g.ended_at IS NULL OR g.ended_at > at)
         AND g.status IN ('active', 'ended', 'expired');
COMMENT ON FUNCTION tmac.training_holder_at(tmac.access_grant, timestamptz) IS 'Internal (the one rule of current training): whether a clearance or grant makes its person an access holder at an instant';

CREATE FUNCTION tmac.training_span(completed_on date, validity interval) RETURNS tsrange
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN tsrange(completed_on::timestamp, completed_on::timestamp + validity);
COMMENT ON FUNCTION tmac.training_span(date, interval) IS 'Internal (the one rule of current training): when a completion counts, in local time (date_time_zone) — from the start of its day until that day + the validity';

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
COMMENT ON FUNCTION tmac.training_status_of(text, timestamptz) IS 'The one rule of current training for one person (tmac.training_courses_required; course NULL: any course): per required course, until when it is current at an instant (NULL: it is not) and until when its latest completion counted';

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
  -- holders by a join, not "IN (SELECT …)" under the OR: that is a subplan, hashed only while
  -- every holder fits in work_mem, and else rescanned per person (quadratic at 1,000,000 persons)
  SELECT p.person_id, r.course, d.current_until AT TIME ZONE tz.tz, d.last_until AT TIME ZONE tz.tz
    FROM tz, tmac.person p CROSS JOIN req r
    LEFT JOIN holders h ON h.person_id = p.person_id
    LEFT JOIN done d ON d.person_id = p.person_id AND d.k = r.k
   WHERE NOT r.holders_only OR h.person_id IS NOT NULL;
END;
COMMENT ON FUNCTION tmac.training_status_all(timestamptz) IS 'The one rule of current training for every person, set-based (as tmac.training_status_of): per person and required course, until when it is current at an instant (NULL: it is not) and until when its latest completion counted';

CREATE FUNCTION tmac.training_window(person_id text, at timestamptz)
  RETURNS TABLE (ok boolean, changes_at timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN QUERY   -- (PL/pgSQL keeps this plan; see tmac.pledge_window)
  SELECT bool_and(s.current_until IS NOT NULL),
         least(min(s.current_until),
               (SELECT min(tmac.day_start(t.completed_on)) FROM tmac.training_completion t
                 WHERE t.person_id = $1 AND tmac.day_start(t.completed_on) > $2))
    FROM tmac.training_status_of($1, $2) s;
END
$$;
COMMENT ON FUNCTION tmac.training_window(text, timestamptz) IS 'Internal: whether the required training (tmac.training_status_of) is current at an instant, and when that can next change';

-- The wording of the active, pledge and training checks: the access decision's own (src/decision.c).
CREATE FUNCTION tmac.decision_reason(check_name text, passed boolean) RETURNS text
  AS 'MODULE_PATHNAME', 'tmac_decision_reason' LANGUAGE C STABLE STRICT PARALLEL SAFE;   -- STABLE: in the session's language (lc_messages)
COMMENT ON FUNCTION tmac.decision_reason(text, boolean) IS 'How access decisions word the active, pledge or training check, passed or failed (the one wording explain_access and access_prerequisites share), in the session''s language';

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
COMMENT ON FUNCTION tmac.access_prerequisites(text, timestamptz) IS 'The access prerequisites of a person at an instant, one row per prerequisite (active, pledge, training), worded as access decisions word them; used at approval';

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
COMMENT ON FUNCTION tmac.grant_in_force(tmac.access_grant, timestamptz, text, integer, timestamptz) IS 'Internal: whether a clearance or grant is in force at an instant';

CREATE FUNCTION tmac.access_profile_of(person text, at timestamptz)
  RETURNS TABLE (person_id text, active boolean, clearance_rank integer, read_compartments integer[],
                 write_compartments integer[], org_group_id integer, pledge_ok boolean, training_ok boolean,
                 valid_until timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  SET plan_cache_mode = force_generic_plan   -- its statements' plans (and its helpers') are kept, not redone per person
AS
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
COMMENT ON FUNCTION tmac.access_profile_of(text, timestamptz) IS 'What a person may access at an instant (status with due HR events, highest clearance rank, read and write compartment ids, group id, prerequisites) and until when that answer holds; no row for an unknown person';

CREATE FUNCTION tmac.access_profile(login_role name, at timestamptz)
  RETURNS TABLE (person_id text, active boolean, clearance_rank integer, read_compartments integer[],
                 write_compartments integer[], org_group_id integer, pledge_ok boolean, training_ok boolean,
                 valid_until timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
 SELECT a.* FROM tmac.person p, tmac.access_profile_of(p.person_id, $2) a WHERE p.login_role = $1;
END;
COMMENT ON FUNCTION tmac.access_profile(name, timestamptz) IS 'tmac.access_profile_of for the person mapped to a login role; no row when the role is not mapped';

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
COMMENT ON FUNCTION tmac.access_profile_fetch(name, text, timestamptz) IS 'Internal: the access profile of a login role (or, login_role NULL, of a person) as the row-level enforcement code reads it: always one row, with the lowest level''s rank and the groups the person reaches';

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
COMMENT ON FUNCTION tmac.access_as_of(text, timestamptz) IS 'The clearances and grants a person held at an instant (same columns as tmac.grants; status is active as of that instant, ended_at and end_reason show how each later ended)';

-- The profiles tmac shares between backends (src/shared_profiles.c); read-only.
CREATE FUNCTION tmac.shared_profile_cache(OUT enabled boolean, OUT slots integer, OUT used integer,
                                          OUT hits bigint, OUT misses bigint, OUT stored bigint,
                                          OUT evicted bigint)
  AS 'MODULE_PATHNAME', 'tmac_shared_profile_cache' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION tmac.shared_profile_cache() IS 'The shared access-profile cache: whether it is on (tmac.shared_profiles above 0), its size (tmac.shared_profiles), entries in use, and counts of profiles taken from it (hits), computed by a backend itself (misses), published (stored) and replaced when full (evicted) since the server started';


-- Checks of training and pledges over every person (criteria I-5 and II; the compliance registry:
-- 45_compliance_registry.sql).  They are here, after the pledges and training register
-- (53_pledges_training.sql), because they read the one rule of current training
-- (tmac.training_status_all, above).

-- Whether each person has a valid pledge and current training at an instant (set-based twin of
-- tmac.access_prerequisites, without counting HR events that are due but not yet applied).  Facts,
-- not decisions: with require_pledge off a missing pledge is still missing (the access-rights
-- ledger shows it so; the decision path alone lets it pass).
CREATE FUNCTION tmac.prerequisite_status(at timestamptz DEFAULT now())
  RETURNS TABLE (person_id text, pledge_ok boolean, pledge_until timestamptz,
                 training_ok boolean, training_until timestamptz, training_last date)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT tmac.setting_value('date_time_zone') AS tz,
           tmac.setting_value('training_validity')::interval AS validity
  ), pl AS (
    SELECT pl.person_id,
           max(CASE WHEN pl.valid_until IS NULL THEN 'infinity'::timestamptz
                    ELSE (pl.valid_until + 1)::timestamp AT TIME ZONE s.tz END) AS until
      FROM tmac.pledge pl JOIN tmac.person p ON p.person_id = pl.person_id CROSS JOIN s
     WHERE pl.kind <> 'termination'
       AND (p.pledge_required_since IS NULL OR pl.signed_on >= (p.pledge_required_since AT TIME ZONE s.tz)::date)
       AND pl.signed_on::timestamp AT TIME ZONE s.tz <= at
       AND (pl.valid_until IS NULL OR at < (pl.valid_until + 1)::timestamp AT TIME ZONE s.tz)
     GROUP BY pl.person_id
  ), tr AS (                      -- the one rule of current training (tmac.training_status_all)
    SELECT x.person_id, bool_and(x.current_until IS NOT NULL) AS ok, min(x.last_until) AS until
      FROM tmac.training_status_all(at) x
     GROUP BY x.person_id
  ), tl AS (
    SELECT t.person_id, max(t.completed_on) AS last FROM tmac.training_completion t GROUP BY t.person_id
  )
  SELECT p.person_id,
         pl.person_id IS NOT NULL, pl.until,
         coalesce(tr.ok, false), tr.until, tl.last
    FROM tmac.person p CROSS JOIN s
    LEFT JOIN pl ON pl.person_id = p.person_id
    LEFT JOIN tr ON tr.person_id = p.person_id
    LEFT JOIN tl ON tl.person_id = p.person_id;
END;
COMMENT ON FUNCTION tmac.prerequisite_status(timestamptz) IS 'For every person: whether a valid pledge and current training (the one rule: tmac.training_status_all) are on record at an instant, and until when — facts, whether or not require_pledge and require_training are on (HR events due but not yet applied are not counted)';

-- (jit off and work_mem 64MB as check_training_pledges: at 1,000,000 persons the default 4MB
-- split the one rule's hash joins into thousands of temporary files, over 400 s; 33 s with these)
CREATE FUNCTION tmac.check_access_without_training() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET jit = off SET work_mem = '64MB'
BEGIN ATOMIC
  WITH holders AS MATERIALIZED (   -- active persons holding grants in force (few), then the one rule for each
    SELECT p.person_id, p.full_name FROM tmac.person p
     WHERE p.status = 'active'
       AND (SELECT true FROM tmac.access_grant g
             WHERE g.person_id = p.person_id AND g.status = 'active' AND lower(g.validity) <= now()
               AND least(upper(g.validity), g.grace_until) > now() LIMIT 1)
  ), failing AS (
    SELECT h.person_id, h.full_name,
           string_agg(coalesce(tmac.message('course %s', x.course), tmac.message('any training course')), ', ' ORDER BY x.course) AS missing
      FROM holders h JOIN tmac.training_status_all(now()) x ON x.person_id = h.person_id
     WHERE x.current_until IS NULL
     GROUP BY h.person_id, h.full_name
  )
  SELECT 'person:' || f.person_id,
         tmac.message('%s (%s) holds grants in force but the required training (%s) is not current (last completed: %s); %s (tmac.record_training).',
                f.person_id, f.full_name, f.missing,
                coalesce((SELECT to_char(max(t.completed_on), 'YYYY-MM-DD') FROM tmac.training_completion t
                           WHERE t.person_id = f.person_id), tmac.message('never')),
                CASE WHEN tmac.setting_on('require_training') THEN tmac.message('access is denied until it is recorded')
                     ELSE tmac.message('access is NOT denied, because require_training is off; record it') END),
         NULL::timestamptz
    FROM failing f;
END;
COMMENT ON FUNCTION tmac.check_access_without_training() IS 'Check access_without_training: active persons holding grants in force whose required training is not current, whether or not require_training is on (when off, the findings are accepted, not hidden)';

-- The findings of ⑤ and ⑦ over every person, trained or pledged or not (check codes at the end of this file):
--   training_overdue                  (I-5) an active employee or contractor, with or without a login, who has not
--                                     completed each course they must have current within its validity: the one
--                                     rule the access decision and the access-rights ledger use
--                                     (tmac.training_courses_required: the training_courses setting's courses and the
--                                     mandatory courses of their audience; none: any course within training_validity)
--   leaver_without_termination_pledge (II)  a terminated employee or contractor without a termination pledge
--   visitor_responsible_left          (II)  an active visitor whose responsible person is terminated
--   visitor_without_pledge            (II)  an active visitor without a current visitor pledge
-- (jit off: compiling this plan costs seconds on 100,000 rows, running it a fraction of that)
CREATE FUNCTION tmac.check_training_pledges() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  SET jit = off SET work_mem = '64MB' SET enable_mergejoin = off
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT tmac.setting_value('training_new_hire_grace')::interval AS grace, tmac.today() AS today
  ), miss AS MATERIALIZED (   -- persons × required course not current, by the one rule (tmac.training_status_all)
    SELECT p.person_id, p.full_name, p.hired_on, coalesce(r.course, '') AS course
      FROM tmac.training_status_all(now()) r JOIN tmac.person p ON p.person_id = r.person_id
     WHERE p.status = 'active' AND p.kind IN ('employee', 'contractor') AND r.current_until IS NULL
  ), x AS (                 -- last completion, new-hire grace
    SELECT x.person_id, x.full_name, x.course, l.last
      FROM miss x CROSS JOIN s
      CROSS JOIN LATERAL (SELECT max(t.completed_on) AS last FROM tmac.training_completion t
                           WHERE t.person_id = x.person_id AND (x.course = '' OR t.course = x.course)) l
     WHERE (l.last IS NOT NULL OR x.hired_on IS NULL OR x.hired_on + s.grace <= s.today)
  )
  SELECT 'training_overdue', 'person:' || x.person_id,
         tmac.message('%s (%s) has not completed %s within its validity (last: %s). Train them and record it: tmac.record_training(%L, course, completed_on).',
                x.person_id, x.full_name,
                string_agg(CASE WHEN x.course = '' THEN tmac.message('any training course') ELSE tmac.message('course %s', x.course) END, ', ' ORDER BY x.course),
                coalesce(to_char(max(x.last), 'YYYY-MM-DD'), tmac.message('never')), x.person_id),
         NULL::timestamptz
    FROM x
   GROUP BY x.person_id, x.full_name
  UNION ALL
  SELECT 'leaver_without_termination_pledge', 'person:' || l.person_id,
         tmac.message('%s (%s) left on %s without a termination pledge (退職時の秘密保持誓約書). Obtain one and record it: tmac.record_pledge(%L, ''termination'', signed_on).',
                l.person_id, l.full_name, l.terminated_at, l.person_id),
         l.terminated_at
    FROM tmac.person l
   WHERE l.status = 'terminated' AND l.kind IN ('employee', 'contractor')
     AND NOT EXISTS (SELECT 1 FROM tmac.pledge pl WHERE pl.person_id = l.person_id AND pl.kind = 'termination'
                       AND (l.hired_on IS NULL OR pl.signed_on >= l.hired_on))
  UNION ALL
  SELECT 'visitor_responsible_left', 'person:' || v.person_id,
         tmac.message('Visitor %s (%s) is still active but the person responsible for them, %s (%s), left on %s. Name another responsible person or end the visit (HR feed).',
                v.person_id, v.full_name, r.person_id, r.full_name, r.terminated_at),
         r.terminated_at
    FROM tmac.person v JOIN tmac.person r ON r.person_id = v.responsible_person
   WHERE v.kind = 'visitor' AND v.status = 'active' AND r.status = 'terminated'
  UNION ALL
  SELECT 'visitor_without_pledge', 'person:' || v.person_id,
         tmac.message('Visitor %s (%s) has no current visitor pledge (訪問者の秘密保持誓約書). Obtain one and record it: tmac.record_pledge(%L, ''visitor'', signed_on).',
                v.person_id, v.full_name, v.person_id),
         NULL::timestamptz
    FROM tmac.person v CROSS JOIN s
   WHERE v.kind = 'visitor' AND v.status = 'active'
     AND NOT EXISTS (SELECT 1 FROM tmac.pledge pl WHERE pl.person_id = v.person_id AND pl.kind = 'visitor'
                       AND (pl.valid_until IS NULL OR pl.valid_until >= s.today));
END;
COMMENT ON FUNCTION tmac.check_training_pledges() IS 'Checks of training (I-5) and pledges (II) over every person, one pass: training_overdue, leaver_without_termination_pledge, visitor_responsible_left, visitor_without_pledge';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin) VALUES
  ('access_without_training', 'I-5', 'high', tmac.msgid('Access without current training'),
   tmac.msgid('An active person holds grants in force but the required training is not current: the courses training_courses names and the mandatory courses of tmac.training_course for access holders, each within its validity (the one rule the access decision and the access-rights ledger use: tmac.training_courses_required).'),
   tmac.msgid('Have the person complete the training and record it with tmac.record_training, or revoke the grants.'), 'tmac.check_access_without_training', '{}', '{persons,grants}', true),
  ('training_overdue', 'I-5', 'medium', tmac.msgid('Training not current'),
   tmac.msgid('An active employee or contractor — with or without a database login, with or without access — has not completed each course they must have current within its validity (training_validity, 12 months by default: at least yearly): the courses the training_courses setting names and the mandatory courses of their audience (tmac.training_course); with none, any course counts. It is the one rule the access decision and the access-rights ledger use (tmac.training_courses_required). Persons hired within training_new_hire_grace are not yet a finding for a course never completed.'),
   tmac.msgid('Train them and record it: tmac.record_training(person_id, course, completed_on).'),
   'tmac.check_training_pledges', '{}', '{persons}', true),
  ('leaver_without_termination_pledge', 'II', 'medium', tmac.msgid('Leaver without a termination pledge'),
   tmac.msgid('A terminated employee or contractor signed no termination pledge (退職時の秘密保持誓約書) since they were hired.'),
   tmac.msgid('Obtain one and record it: tmac.record_pledge(person_id, ''termination'', signed_on, template_version => …, document_sha256 => …).'),
   'tmac.check_training_pledges', '{}', '{persons}', true),
  ('visitor_responsible_left', 'II', 'high', tmac.msgid('Visitor whose responsible person left'),
   tmac.msgid('An active visitor''s responsible person (立会い・責任者) is terminated: nobody accompanies or answers for the visitor.'),
   tmac.msgid('Name another responsible person or end the visit through the HR feed.'),
   'tmac.check_training_pledges', '{}', '{persons}', true),
  ('visitor_without_pledge', 'II', 'medium', tmac.msgid('Visitor without a pledge'),
   tmac.msgid('An active visitor has no current visitor pledge (訪問者の秘密保持誓約書).'),
   tmac.msgid('Obtain one and record it: tmac.record_pledge(person_id, ''visitor'', signed_on).'),
   'tmac.check_training_pledges', '{}', '{persons}', true);

INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('require_training', 'access_without_training', 'off', NULL, true,
   tmac.msgid('access no longer requires current training, so a person without it keeps their access')),
  ('training_validity', 'access_without_training', 'longer_than', '12 months', false,
   tmac.msgid('a training completion counts for longer than a year; training is expected at least yearly'));
