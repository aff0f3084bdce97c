-- 74_checks_access.sql — the compliance checks of criteria II and I-5: persons, grants,
-- pledges, training, access reviews and segregation of duties.
--
-- Each check is one SQL function returning (subject, detail, detected_at) (check_grants: one
-- function for six checks, with check_code first), registered in tmac.compliance_check at the
-- end of this file with the population it looks at (71_compliance.sql explains the registry).
-- They read the stored state set-based (no per-person function calls), so the findings of
-- 100,000 persons and 1,000,000 grants come in one pass each.

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
COMMENT ON FUNCTION tmac.prerequisite_status(timestamptz) IS
  'For every person: whether a valid pledge and current training (the one rule: tmac.training_status_all) are on record at an instant, and until when — facts, whether or not require_pledge and require_training are on (HR events due but not yet applied are not counted)';

CREATE FUNCTION tmac.check_terminated_live_grant()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  -- each leaver's grants by index (never a scan of every grant, whatever the statistics say)
  SELECT 'person:' || p.person_id,
         tmac.message('%s (%s) was terminated on %s but still has %s live grant(s) or request(s): %s. Revoke them with tmac.revoke.',
                      p.person_id, p.full_name, p.terminated_at, g.n, g.ids),
         p.terminated_at
    FROM tmac.person p
    CROSS JOIN LATERAL (SELECT count(*) AS n, string_agg(g.grant_id::text, ', ' ORDER BY g.grant_id) AS ids
                          FROM tmac.access_grant g
                         WHERE g.person_id = p.person_id AND g.status IN ('active', 'pending')
                           AND tmac.grant_lapse(g.validity, g.grace_until) > now()) g
   WHERE p.status = 'terminated' AND g.n > 0;
END;
COMMENT ON FUNCTION tmac.check_terminated_live_grant() IS
  'Check terminated_live_grant: terminated persons with an active grant or a pending request';

CREATE FUNCTION tmac.check_terminated_login_enabled()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
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
COMMENT ON FUNCTION tmac.check_terminated_login_enabled() IS
  'Check terminated_login_enabled: terminated persons whose login role (by name, or by the OID recorded when it was mapped) still has LOGIN';

CREATE FUNCTION tmac.check_terminated_session_open()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
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
COMMENT ON FUNCTION tmac.check_terminated_session_open() IS
  'Check terminated_session_open: terminated persons with open database sessions of their login role (by name, or by the OID recorded when it was mapped)';

-- A person's login that became what tmac.enrol_login and the HR feed refuse to map (a member of
-- tmac_admin or tmac_hr, SUPERUSER, BYPASSRLS or CREATEROLE, a role others are members of) after
-- it was mapped: the same rule (tmac.login_role_refusal), applied to the roles as they are now.
CREATE FUNCTION tmac.check_person_login_refused()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
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
COMMENT ON FUNCTION tmac.check_person_login_refused() IS
  'Check person_login_refused: persons (not terminated) whose login role has become one tmac refuses to map (tmac.login_role_refusal: a member of tmac_admin or tmac_hr, SUPERUSER, BYPASSRLS or CREATEROLE, a role with members)';

CREATE FUNCTION tmac.check_grants()
  RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT now() - tmac.setting_value('review_period')::interval AS review_cutoff,
           tmac.setting_value('review_period') AS period,
           tmac.conflicted_approvers() AS conflicted
  ), g AS MATERIALIZED (
    SELECT g.grant_id, g.person_id, g.kind, g.level_rank, g.compartment_id, g.status, g.requested_by, g.approved_by,
           g.approved_at, g.validity, tmac.grant_lapse(g.validity, g.grace_until) AS lapse,
           CASE WHEN g.kind = 'clearance' AND g.level_rank >= 40 THEN 2 ELSE 1 END AS needed
      FROM s, tmac.suspect_grants(s.review_cutoff, '{}') g
  ), live AS (
    SELECT g.* FROM g WHERE g.lapse > now()
  )
  SELECT 'grant_unapproved', 'grant:' || g.grant_id,
         tmac.message('Grant %s (%s %s for %s) is active with %s approval(s), %s needed. Revoke it (tmac.revoke) and request it properly.',
                g.grant_id, g.kind, coalesce(l.code, c.code), g.person_id, cardinality(g.approved_by), g.needed),
         lower(g.validity)
    FROM live g
    LEFT JOIN tmac.level l ON l.rank = g.level_rank
    LEFT JOIN tmac.compartment c ON c.compartment_id = g.compartment_id
   WHERE g.status = 'active' AND cardinality(g.approved_by) < g.needed
  UNION ALL
  SELECT 'grant_self_approved', 'grant:' || g.grant_id,
         tmac.message('Grant %s for %s lists %s among its approvers (%s). Revoke it and have it approved by someone who is neither requester nor grantee.',
                g.grant_id, g.person_id,
                CASE WHEN g.requested_by = ANY (g.approved_by) THEN tmac.message('its requester %s', g.requested_by)
                     ELSE tmac.message('its grantee %s', g.person_id) END,
                array_to_string(g.approved_by, ', ')),
         g.approved_at
    FROM live g
   WHERE g.requested_by = ANY (g.approved_by) OR g.person_id = ANY (g.approved_by)
  UNION ALL
  -- one finding per approver (not per grant: the condition and its remedy are the approver's)
  SELECT 'approver_conflicting_duty', 'person:' || a.approver,
         tmac.message('%s approved %s live grant(s) (%s) and holds a duty an SoD rule separates from approving. Remove the conflicting duty or record an SoD exception, and have another approver confirm those grants (tmac.audit_grant).',
                a.approver, x.n, tmac.first_ten(x.ids)),
         x.since
    FROM s CROSS JOIN unnest(s.conflicted) a(approver)
    CROSS JOIN LATERAL (SELECT count(*) AS n, array_agg(g.grant_id::text ORDER BY g.grant_id) AS ids,
                               min(g.approved_at) AS since
                          FROM tmac.access_grant g
                         WHERE g.status IN ('active', 'pending') AND g.approved_by && ARRAY[a.approver]
                           AND tmac.grant_lapse(g.validity, g.grace_until) > now()) x
   WHERE x.n > 0
  UNION ALL
  SELECT 'grant_not_audited', 'grant:' || g.grant_id,
         tmac.message('Grant %s for %s was set by %s alone and no other person has audited it. Another administrator should audit it (tmac.audit_grant) or keep it in an access review.',
                g.grant_id, g.person_id, g.requested_by),
         g.approved_at
    FROM live g
   WHERE g.status = 'active' AND cardinality(array_remove(g.approved_by, g.requested_by)) = 0
     AND NOT EXISTS (SELECT 1 FROM tmac.grant_audit a WHERE a.grant_id = g.grant_id AND a.audited_by <> g.requested_by)
     AND NOT EXISTS (SELECT 1 FROM tmac.access_review_item i
                      WHERE i.grant_id = g.grant_id AND i.decision = 'keep' AND i.decided_by <> g.requested_by)
  UNION ALL
  SELECT 'grant_expired_active', 'grant:' || g.grant_id,
         tmac.message('Grant %s for %s lapsed at %s but is still stored as active (access is already denied). Run tmac.run_maintenance() or schedule it with tmac.schedule_jobs().',
                g.grant_id, g.person_id, g.lapse),
         g.lapse
    FROM g
   WHERE g.status = 'active' AND g.lapse <= now()
  UNION ALL
  SELECT 'grant_not_reviewed', 'grant:' || g.grant_id,
         tmac.message('Grant %s for %s was approved on %s and %s; every grant must be confirmed by an access review within %s. Include it in a review (tmac.start_review).',
                g.grant_id, g.person_id, g.approved_at,
                CASE WHEN k.at IS NULL THEN tmac.message('never reviewed') ELSE tmac.message('last kept in a review on %s', k.at) END,
                s.period),
         greatest(g.approved_at, k.at) + s.period::interval
    FROM live g CROSS JOIN s
    LEFT JOIN LATERAL (SELECT max(i.decided_at) AS at FROM tmac.access_review_item i
                        WHERE i.grant_id = g.grant_id AND i.decision = 'keep') k ON true
   WHERE g.status = 'active' AND g.approved_at < s.review_cutoff
     AND (k.at IS NULL OR k.at < s.review_cutoff);
END;
COMMENT ON FUNCTION tmac.check_grants() IS
  'Checks grant_unapproved, grant_self_approved, approver_conflicting_duty, grant_not_audited, grant_expired_active and grant_not_reviewed in one pass over the grants';

-- Persons failing a prerequisite are found by anti-joins over the pledge and training tables
-- (settings read once); only those are then looked up in the grants, by index.
CREATE FUNCTION tmac.check_access_without_pledge()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT tmac.setting_value('date_time_zone') AS tz,
           (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date AS today,
           tmac.setting_on('require_pledge') AS required
  ), failing AS MATERIALIZED (
    SELECT p.person_id, p.full_name, p.pledge_required_since
      FROM tmac.person p CROSS JOIN s
     WHERE p.status = 'active'
       AND NOT EXISTS (
         SELECT 1 FROM tmac.pledge pl
          WHERE pl.person_id = p.person_id AND pl.kind <> 'termination'
            AND pl.signed_on <= s.today AND (pl.valid_until IS NULL OR pl.valid_until >= s.today)
            AND (p.pledge_required_since IS NULL OR pl.signed_on >= (p.pledge_required_since AT TIME ZONE s.tz)::date))
  )
  SELECT 'person:' || f.person_id,
         tmac.message('%s (%s) holds grants in force but has no valid pledge (誓約書)%s; %s (tmac.record_pledge).',
                f.person_id, f.full_name,
                CASE WHEN f.pledge_required_since IS NOT NULL
                     THEN tmac.message(' signed since the role change of %s', f.pledge_required_since) ELSE '' END,
                CASE WHEN s.required THEN tmac.message('access is denied until one is recorded')
                     ELSE tmac.message('access is NOT denied, because require_pledge is off; record one') END),
         NULL::timestamptz
    FROM failing f CROSS JOIN s
   WHERE (SELECT true FROM tmac.access_grant g
           WHERE g.person_id = f.person_id AND g.status = 'active' AND lower(g.validity) <= now()
             AND least(upper(g.validity), g.grace_until) > now() LIMIT 1);
END;
COMMENT ON FUNCTION tmac.check_access_without_pledge() IS
  'Check access_without_pledge: active persons holding grants in force without a valid pledge (or none since their last role change), whether or not require_pledge is on (when off, the findings are accepted, not hidden)';

CREATE FUNCTION tmac.check_access_without_training()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
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
COMMENT ON FUNCTION tmac.check_access_without_training() IS
  'Check access_without_training: active persons holding grants in force whose required training is not current, whether or not require_training is on (when off, the findings are accepted, not hidden)';

CREATE FUNCTION tmac.check_review_undecided()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'review:' || r.review_id,
         tmac.message('Access review %s (%s) passed its deadline %s with %s of %s item(s) undecided and still in force%s. Decide them (tmac.review_decide) or revoke the grants.',
                r.review_id, r.title, r.deadline, u.n, r.population_count,
                CASE WHEN r.closed_at IS NOT NULL THEN tmac.message(' (closed %s)', r.closed_at) ELSE '' END),
         r.deadline
    FROM tmac.access_review r
    CROSS JOIN LATERAL (
      SELECT count(*) AS n FROM tmac.access_review_item i JOIN tmac.access_grant g ON g.grant_id = i.grant_id
       WHERE i.review_id = r.review_id AND i.decision IS NULL
         AND g.status = 'active' AND tmac.grant_lapse(g.validity, g.grace_until) > now()) u
   WHERE r.deadline <= now() AND r.undecided_action = 'report' AND u.n > 0;
END;
COMMENT ON FUNCTION tmac.check_review_undecided() IS
  'Check review_undecided: access reviews past their deadline with undecided items (when review_undecided is report) whose grants are still in force';

CREATE FUNCTION tmac.check_review_population_altered()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'review:' || e.review_id,
         tmac.message('The stored population of access review %s no longer matches the count (%s) and hash recorded when it started; the evidence was altered. Compare with the audit log entry of its start.',
                e.review_id, e.population_count),
         e.started_at
    FROM tmac.review_evidence e
   WHERE NOT e.population_intact;
END;
COMMENT ON FUNCTION tmac.check_review_population_altered() IS
  'Check review_population_altered: access reviews whose stored population no longer matches its recorded count and hash';

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
  ('terminated_live_grant', 'II', 'critical', tmac.msgid('Terminated person with live grants'),
   tmac.msgid('A terminated person still has an active grant or a pending request; access must end immediately on termination (seed ⑦: 退職等により必要のなくなった従業員等のアクセス権は、直ちに失効させます).'),
   tmac.msgid('Revoke each grant with tmac.revoke(grant_id, reason); check why the termination did not end it.'), 'tmac.check_terminated_live_grant', '{}', '{persons}', true),
  ('terminated_login_enabled', 'II', 'critical', tmac.msgid('Terminated person whose login role can log in'),
   tmac.msgid('The login role of a terminated person still has LOGIN.'), tmac.msgid('ALTER ROLE … NOLOGIN.'), 'tmac.check_terminated_login_enabled', '{}', '{persons}', true),
  ('terminated_session_open', 'II', 'critical', tmac.msgid('Terminated person with open sessions'),
   tmac.msgid('A terminated person''s login role has open database sessions.'), tmac.msgid('End them with pg_terminate_backend(pid).'), 'tmac.check_terminated_session_open', '{}', '{persons}', true),
  ('person_login_refused', 'II', 'high', tmac.msgid('Person''s login role that tmac would refuse to map'),
   tmac.msgid('After it was mapped, a person''s login role became a member of tmac_admin or tmac_hr, SUPERUSER, BYPASSRLS or CREATEROLE, or other roles became its members: tmac.enrol_login and the HR feed refuse such roles, because whoever holds them can change what the person may read, feed the person''s own HR events, or act as the person.'),
   tmac.msgid('Give the duty to a role of its own (REVOKE tmac_admin / tmac_hr FROM the login, remove the attribute or the memberships); an administrator''s role is not also a person''s login.'), 'tmac.check_person_login_refused', '{}', '{persons}', true),
  ('grant_unapproved', 'II', 'critical', tmac.msgid('Active grant without the required approvals'),
   tmac.msgid('A grant is active with no approval (or one, where a clearance of rank 40 or more needs two): nobody but its requester authorised it.'),
   tmac.msgid('Revoke it and request it through tmac.request_access / request_clearance and tmac.approve.'), 'tmac.check_grants', '{}', '{grants}', true),
  ('grant_self_approved', 'II', 'critical', tmac.msgid('Grant approved by its requester or its grantee'),
   tmac.msgid('A live grant lists its requester or its grantee among its approvers (four-eyes violated).'),
   tmac.msgid('Revoke it and have it approved by a different person.'), 'tmac.check_grants', '{}', '{grants}', true),
  ('approver_conflicting_duty', 'II', 'high', tmac.msgid('Approver of live grants holding a conflicting duty'),
   tmac.msgid('A person who approved live grants holds a duty an SoD rule separates from approving (e.g. access administrator), without an exception; one finding per approver, naming the grants.'),
   tmac.msgid('Remove the conflicting duty or grant an exception, and have another approver confirm the grants with tmac.audit_grant.'), 'tmac.check_grants', '{}', '{grants,sod_rules}', true),
  ('grant_not_audited', 'II', 'high', tmac.msgid('Grant set by one administrator, never audited by another'),
   tmac.msgid('A grant in force was set by one administrator alone and no other person audited it (seed ⑦: アクセス権設定を一人の管理者が行っている場合には、監査を他の者が行う).'),
   tmac.msgid('Another administrator audits it with tmac.audit_grant(grant_id), or keeps it in an access review.'), 'tmac.check_grants', '{}', '{grants}', true),
  ('grant_expired_active', 'II', 'medium', tmac.msgid('Grant past expiry still marked active'),
   tmac.msgid('A grant lapsed (expiry or end of a role-change grace period) but is still stored as active; access is already denied, but the stored state and reports lag.'),
   tmac.msgid('Run tmac.run_maintenance(), and schedule it with tmac.schedule_jobs().'), 'tmac.check_grants', '{}', '{grants}', true),
  ('grant_not_reviewed', 'II', 'medium', tmac.msgid('Grant not reviewed within the review period'),
   tmac.msgid('A grant in force was approved longer ago than review_period and no access review has kept it since (seed ⑦: アクセス権を設定された者の範囲は、定期的に見直します).'),
   tmac.msgid('Run an access review (tmac.start_review) covering it.'), 'tmac.check_grants', '{}', '{grants}', true),
  ('access_without_pledge', 'II', 'high', tmac.msgid('Access without a current pledge'),
   tmac.msgid('An active person holds grants in force but has no valid pledge (誓約書), or none signed since their last role change.'),
   tmac.msgid('Record the pledge with tmac.record_pledge, or revoke the grants.'), 'tmac.check_access_without_pledge', '{}', '{persons,grants}', true),
  ('access_without_training', 'I-5', 'high', tmac.msgid('Access without current training'),
   tmac.msgid('An active person holds grants in force but the required training is not current: the courses training_courses names and the mandatory courses of tmac.training_course for access holders, each within its validity (the one rule the access decision and the access-rights ledger use: tmac.training_courses_required).'),
   tmac.msgid('Have the person complete the training and record it with tmac.record_training, or revoke the grants.'), 'tmac.check_access_without_training', '{}', '{persons,grants}', true),
  ('review_undecided', 'II', 'medium', tmac.msgid('Access review past its deadline with undecided items'),
   tmac.msgid('An access review passed its deadline with items nobody decided, and the grants are still in force (setting review_undecided = report).'),
   tmac.msgid('Decide the items (tmac.review_decide) or revoke the grants.'), 'tmac.check_review_undecided', '{}', '{reviews}', true),
  ('review_population_altered', 'II', 'critical', tmac.msgid('Access review evidence altered'),
   tmac.msgid('The stored population of an access review no longer matches the count and SHA-256 hash recorded when it started.'),
   tmac.msgid('Investigate with the audit log; the review''s start entry records the original count and hash.'), 'tmac.check_review_population_altered', '{}', '{reviews}', true),
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

-- Settings that weaken these checks (71_compliance.sql): while weaker than tmac's default, each is
-- a finding of the check it weakens; turning a requirement off accepts that check's findings.
INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('require_pledge', 'access_without_pledge', 'off', NULL, true,
   tmac.msgid('access no longer requires a pledge (誓約書), so a person without one keeps their access')),
  ('require_training', 'access_without_training', 'off', NULL, true,
   tmac.msgid('access no longer requires current training, so a person without it keeps their access')),
  ('training_validity', 'access_without_training', 'longer_than', '12 months', false,
   tmac.msgid('a training completion counts for longer than a year; training is expected at least yearly')),
  ('review_period', 'grant_not_reviewed', 'longer_than', '6 months', false,
   tmac.msgid('grants may go unreviewed for longer than tmac''s default review period')),
  ('sod_exception_max', 'sod_conflict', 'longer_than', '180 days', false,
   tmac.msgid('exceptions to segregation of duties may last longer than tmac''s default'));
