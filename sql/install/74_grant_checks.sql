-- 74_grant_checks.sql — the compliance checks over persons, grants, reviews and the audit log.
--
-- Each check is one SQL function returning (subject, detail, detected_at),
-- registered in tmac.compliance_check at the end of this file.  They read the
-- stored state set-based (no per-person function calls), so the findings of
-- 100,000 persons and 1,000,000 grants come in one pass each.

-- Whether each person's pledge and training prerequisites hold at an instant (set-based twin of
-- tmac.access_prerequisites, without counting HR events that are due but not yet applied).
CREATE FUNCTION tmac.prerequisite_status(at timestamptz DEFAULT now())
  RETURNS TABLE (person_id text, pledge_ok boolean, pledge_until timestamptz,
                 training_ok boolean, training_until timestamptz, training_last date)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT tmac.setting_value('date_time_zone') AS tz,
           tmac.setting_value('training_validity')::interval AS validity,
           tmac.setting_on('require_pledge') AS rp, tmac.setting_on('require_training') AS rt,
           ARRAY(SELECT c FROM unnest(string_to_array(tmac.setting_value('training_courses'), ',')) c WHERE c <> '') AS req
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
  ), tc AS (                      -- per person and required course (or '' for "any course"): current until
    SELECT t.person_id, CASE WHEN cardinality(s.req) = 0 THEN '' ELSE t.course END AS course,
           max((t.completed_on::timestamp + s.validity) AT TIME ZONE s.tz) AS until
      FROM tmac.training_completion t CROSS JOIN s
     WHERE (cardinality(s.req) = 0 OR t.course = ANY (s.req))
       AND t.completed_on::timestamp AT TIME ZONE s.tz <= at
     GROUP BY 1, 2
  ), tr AS (
    SELECT tc.person_id, min(tc.until) AS until,
           count(*) FILTER (WHERE tc.until > at) AS current_courses
      FROM tc GROUP BY tc.person_id
  ), tl AS (
    SELECT t.person_id, max(t.completed_on) AS last FROM tmac.training_completion t GROUP BY t.person_id
  )
  SELECT p.person_id,
         NOT s.rp OR pl.person_id IS NOT NULL, pl.until,
         NOT s.rt OR coalesce(tr.current_courses >= greatest(cardinality(s.req), 1), false), tr.until, tl.last
    FROM tmac.person p CROSS JOIN s
    LEFT JOIN pl ON pl.person_id = p.person_id
    LEFT JOIN tr ON tr.person_id = p.person_id
    LEFT JOIN tl ON tl.person_id = p.person_id;
END;
COMMENT ON FUNCTION tmac.prerequisite_status(timestamptz) IS
  'For every person: whether a valid pledge and current training are on record at an instant, and until when (set-based; HR events due but not yet applied are not counted)';

CREATE FUNCTION tmac.check_terminated_live_grant()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'person:' || p.person_id,
         format('%s (%s) was terminated on %s but still has %s live grant(s) or request(s): %s. Revoke them with tmac.revoke.',
                p.person_id, p.full_name, to_char(p.terminated_at, 'YYYY-MM-DD'), count(*),
                string_agg(g.grant_id::text, ', ' ORDER BY g.grant_id)),
         p.terminated_at
    FROM (SELECT p.person_id, p.full_name, p.terminated_at FROM tmac.person p WHERE p.status = 'terminated' OFFSET 0) p
    JOIN tmac.access_grant g ON g.person_id = p.person_id
   WHERE g.status IN ('active', 'pending')
     AND tmac.grant_lapse(g.validity, g.grace_until) > now()
   GROUP BY p.person_id, p.full_name, p.terminated_at;
END;
COMMENT ON FUNCTION tmac.check_terminated_live_grant() IS
  'Check terminated_live_grant: terminated persons with an active grant or a pending request';

CREATE FUNCTION tmac.check_terminated_login_enabled()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'person:' || p.person_id,
         format('%s (%s) was terminated on %s but login role %s can still log in. Run ALTER ROLE %s NOLOGIN.',
                p.person_id, p.full_name, to_char(p.terminated_at, 'YYYY-MM-DD'), r.rolname, quote_ident(r.rolname)),
         p.terminated_at
    FROM tmac.person p JOIN pg_catalog.pg_roles r ON r.rolname = p.login_role
   WHERE p.status = 'terminated' AND r.rolcanlogin;
END;
COMMENT ON FUNCTION tmac.check_terminated_login_enabled() IS
  'Check terminated_login_enabled: terminated persons whose login role still has LOGIN';

CREATE FUNCTION tmac.check_terminated_session_open()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'person:' || p.person_id,
         format('%s (%s) was terminated on %s but %s session(s) of %s are open (pids %s). End them with pg_terminate_backend.',
                p.person_id, p.full_name, to_char(p.terminated_at, 'YYYY-MM-DD'), count(*), p.login_role,
                string_agg(a.pid::text, ', ' ORDER BY a.pid)),
         min(a.backend_start)
    FROM tmac.person p JOIN pg_catalog.pg_stat_activity a ON a.usename = p.login_role
   WHERE p.status = 'terminated' AND a.backend_type = 'client backend'
   GROUP BY p.person_id, p.full_name, p.terminated_at, p.login_role;
END;
COMMENT ON FUNCTION tmac.check_terminated_session_open() IS
  'Check terminated_session_open: terminated persons with open database sessions';

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
      FROM s, tmac.suspect_grants(s.review_cutoff, s.conflicted) g
  ), live AS (
    SELECT g.* FROM g WHERE g.lapse > now()
  )
  SELECT 'grant_unapproved', 'grant:' || g.grant_id,
         format('Grant %s (%s %s for %s) is active with %s approval(s), %s needed. Revoke it (tmac.revoke) and request it properly.',
                g.grant_id, g.kind, coalesce(l.code, c.code), g.person_id, cardinality(g.approved_by), g.needed),
         lower(g.validity)
    FROM live g
    LEFT JOIN tmac.level l ON l.rank = g.level_rank
    LEFT JOIN tmac.compartment c ON c.compartment_id = g.compartment_id
   WHERE g.status = 'active' AND cardinality(g.approved_by) < g.needed
  UNION ALL
  SELECT 'grant_self_approved', 'grant:' || g.grant_id,
         format('Grant %s for %s lists %s among its approvers (%s). Revoke it and have it approved by someone who is neither requester nor grantee.',
                g.grant_id, g.person_id,
                CASE WHEN g.requested_by = ANY (g.approved_by) THEN 'its requester ' || g.requested_by
                     ELSE 'its grantee ' || g.person_id END,
                array_to_string(g.approved_by, ', ')),
         g.approved_at
    FROM live g
   WHERE g.requested_by = ANY (g.approved_by) OR g.person_id = ANY (g.approved_by)
  UNION ALL
  SELECT 'approver_conflicting_duty', 'grant:' || g.grant_id,
         format('Grant %s for %s was approved by %s, who holds a duty an SoD rule separates from approving. Have another approver confirm it (tmac.audit_grant) and remove the conflicting duty.',
                g.grant_id, g.person_id, array_to_string(ARRAY(SELECT unnest(g.approved_by) INTERSECT SELECT unnest(s.conflicted)), ', ')),
         g.approved_at
    FROM live g CROSS JOIN s
   WHERE g.approved_by && s.conflicted
  UNION ALL
  SELECT 'grant_not_audited', 'grant:' || g.grant_id,
         format('Grant %s for %s was set by %s alone and no other person has audited it. Another administrator should audit it (tmac.audit_grant) or keep it in an access review.',
                g.grant_id, g.person_id, g.requested_by),
         g.approved_at
    FROM live g
   WHERE g.status = 'active' AND cardinality(array_remove(g.approved_by, g.requested_by)) = 0
     AND NOT EXISTS (SELECT 1 FROM tmac.grant_audit a WHERE a.grant_id = g.grant_id AND a.audited_by <> g.requested_by)
     AND NOT EXISTS (SELECT 1 FROM tmac.access_review_item i
                      WHERE i.grant_id = g.grant_id AND i.decision = 'keep' AND i.decided_by <> g.requested_by)
  UNION ALL
  SELECT 'grant_expired_active', 'grant:' || g.grant_id,
         format('Grant %s for %s lapsed at %s but is still stored as active (access is already denied). Run tmac.run_maintenance() or schedule it with tmac.schedule_jobs().',
                g.grant_id, g.person_id, to_char(g.lapse, 'YYYY-MM-DD HH24:MI')),
         g.lapse
    FROM g
   WHERE g.status = 'active' AND g.lapse <= now()
  UNION ALL
  SELECT 'grant_not_reviewed', 'grant:' || g.grant_id,
         format('Grant %s for %s was approved on %s and %s; every grant must be confirmed by an access review within %s. Include it in a review (tmac.start_review).',
                g.grant_id, g.person_id, to_char(g.approved_at, 'YYYY-MM-DD'),
                CASE WHEN k.at IS NULL THEN 'never reviewed' ELSE 'last kept in a review on ' || to_char(k.at, 'YYYY-MM-DD') END,
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
     WHERE p.status = 'active' AND s.required
       AND NOT EXISTS (
         SELECT 1 FROM tmac.pledge pl
          WHERE pl.person_id = p.person_id AND pl.kind <> 'termination'
            AND pl.signed_on <= s.today AND (pl.valid_until IS NULL OR pl.valid_until >= s.today)
            AND (p.pledge_required_since IS NULL OR pl.signed_on >= (p.pledge_required_since AT TIME ZONE s.tz)::date))
  )
  SELECT 'person:' || f.person_id,
         format('%s (%s) holds grants in force but has no valid pledge (誓約書)%s; access is denied until one is recorded (tmac.record_pledge).',
                f.person_id, f.full_name,
                CASE WHEN f.pledge_required_since IS NOT NULL
                     THEN ' signed since the role change of ' || to_char(f.pledge_required_since, 'YYYY-MM-DD') ELSE '' END),
         NULL::timestamptz
    FROM failing f
   WHERE (SELECT true FROM tmac.access_grant g
           WHERE g.person_id = f.person_id AND g.status = 'active' AND lower(g.validity) <= now()
             AND least(upper(g.validity), g.grace_until) > now() LIMIT 1);
END;
COMMENT ON FUNCTION tmac.check_access_without_pledge() IS
  'Check access_without_pledge: active persons holding grants in force without a valid pledge (or none since their last role change)';

CREATE FUNCTION tmac.check_access_without_training()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH s AS MATERIALIZED (
    SELECT (now() AT TIME ZONE tmac.setting_value('date_time_zone')) - tmac.setting_value('training_validity')::interval AS since,
           (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date AS today,
           ARRAY(SELECT c FROM unnest(string_to_array(tmac.setting_value('training_courses'), ',')) c WHERE c <> '') AS req,
           tmac.setting_on('require_training') AS required
  ), cur AS (                    -- persons and the required courses they completed recently enough
    SELECT t.person_id, count(DISTINCT CASE WHEN cardinality(s.req) = 0 THEN '' ELSE t.course END) AS n
      FROM tmac.training_completion t CROSS JOIN s
     WHERE (cardinality(s.req) = 0 OR t.course = ANY (s.req))
       AND t.completed_on::timestamp > s.since AND t.completed_on <= s.today
     GROUP BY t.person_id
  ), failing AS MATERIALIZED (
    SELECT p.person_id, p.full_name
      FROM tmac.person p CROSS JOIN s
      LEFT JOIN cur ON cur.person_id = p.person_id
     WHERE p.status = 'active' AND s.required AND coalesce(cur.n, 0) < greatest(cardinality(s.req), 1)
  )
  SELECT 'person:' || f.person_id,
         format('%s (%s) holds grants in force but the required training%s is not current (last completed: %s; valid for %s); access is denied until it is recorded (tmac.record_training).',
                f.person_id, f.full_name,
                CASE WHEN cardinality(s.req) > 0 THEN ' (' || array_to_string(s.req, ', ') || ')' ELSE '' END,
                coalesce((SELECT to_char(max(t.completed_on), 'YYYY-MM-DD') FROM tmac.training_completion t
                           WHERE t.person_id = f.person_id), 'never'),
                tmac.setting_value('training_validity')),
         NULL::timestamptz
    FROM failing f CROSS JOIN s
   WHERE (SELECT true FROM tmac.access_grant g
           WHERE g.person_id = f.person_id AND g.status = 'active' AND lower(g.validity) <= now()
             AND least(upper(g.validity), g.grace_until) > now() LIMIT 1);
END;
COMMENT ON FUNCTION tmac.check_access_without_training() IS
  'Check access_without_training: active persons holding grants in force whose required training is not current';

CREATE FUNCTION tmac.check_review_undecided()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'review:' || r.review_id,
         format('Access review %s (%s) passed its deadline %s with %s of %s item(s) undecided and still in force%s. Decide them (tmac.review_decide) or revoke the grants.',
                r.review_id, r.title, to_char(r.deadline, 'YYYY-MM-DD'), u.n, r.population_count,
                CASE WHEN r.closed_at IS NOT NULL THEN ' (closed ' || to_char(r.closed_at, 'YYYY-MM-DD') || ')' ELSE '' END),
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
         format('The stored population of access review %s no longer matches the count (%s) and hash recorded when it started; the evidence was altered. Compare with the audit log entry of its start.',
                e.review_id, e.population_count),
         e.started_at
    FROM tmac.review_evidence e
   WHERE NOT e.population_intact;
END;
COMMENT ON FUNCTION tmac.check_review_population_altered() IS
  'Check review_population_altered: access reviews whose stored population no longer matches its recorded count and hash';

CREATE FUNCTION tmac.check_audit_log_broken()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'audit_log',
         format('The audit log fails verification at entry %s: %s. Preserve the database and investigate; compare with a backup.',
                v.entry_id, v.problem),
         v.logged_at
    FROM tmac.verify_audit_log() v;
END;
COMMENT ON FUNCTION tmac.check_audit_log_broken() IS
  'Check audit_log_broken: tmac.verify_audit_log() finds a broken link in the hash chain';

CREATE FUNCTION tmac.check_column_label_exceeds_table()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'table:' || col.objoid::regclass::text,
         format('Column %s.%s is labelled %s but its table is %s; the table''s label must dominate its columns'' (SECURITY LABEL FOR tmac ON TABLE %s IS ''…'').',
                col.objoid::regclass, quote_ident(a.attname), col.label::text,
                coalesce(tbl.label::text, 'unlabelled'), col.objoid::regclass),
         NULL::timestamptz
    FROM pg_catalog.pg_seclabel col
    JOIN pg_catalog.pg_attribute a ON a.attrelid = col.objoid AND a.attnum = col.objsubid
    LEFT JOIN pg_catalog.pg_seclabel tbl
           ON tbl.provider = 'tmac' AND tbl.classoid = col.classoid AND tbl.objoid = col.objoid AND tbl.objsubid = 0
   WHERE col.provider = 'tmac' AND col.classoid = 'pg_catalog.pg_class'::regclass AND col.objsubid > 0
     AND (tbl.label IS NULL OR NOT (tbl.label::tmac.label @> col.label::tmac.label));
END;
COMMENT ON FUNCTION tmac.check_column_label_exceeds_table() IS
  'Check column_label_exceeds_table: a column classified above (or outside) its table''s classification, or in an unlabelled table';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, builtin) VALUES
  ('terminated_live_grant', 'II', 'critical', 'Terminated person with live grants',
   'A terminated person still has an active grant or a pending request; access must end immediately on termination (seed ⑦: 退職等により必要のなくなった従業員等のアクセス権は、直ちに失効させます).',
   'Revoke each grant with tmac.revoke(grant_id, reason); check why the termination did not end it.', 'tmac.check_terminated_live_grant', true),
  ('terminated_login_enabled', 'II', 'critical', 'Terminated person whose login role can log in',
   'The login role of a terminated person still has LOGIN.', 'ALTER ROLE … NOLOGIN.', 'tmac.check_terminated_login_enabled', true),
  ('terminated_session_open', 'II', 'critical', 'Terminated person with open sessions',
   'A terminated person''s login role has open database sessions.', 'End them with pg_terminate_backend(pid).', 'tmac.check_terminated_session_open', true),
  ('grant_unapproved', 'II', 'critical', 'Active grant without the required approvals',
   'A grant is active with no approval (or one, where a clearance of rank 40 or more needs two): nobody but its requester authorised it.',
   'Revoke it and request it through tmac.request_access / request_clearance and tmac.approve.', 'tmac.check_grants', true),
  ('grant_self_approved', 'II', 'critical', 'Grant approved by its requester or its grantee',
   'A live grant lists its requester or its grantee among its approvers (four-eyes violated).',
   'Revoke it and have it approved by a different person.', 'tmac.check_grants', true),
  ('approver_conflicting_duty', 'II', 'high', 'Grant approved by a person holding a conflicting duty',
   'A live grant was approved by a person who holds a duty an SoD rule separates from approving (e.g. access administrator), without an exception.',
   'Have another approver confirm the grant with tmac.audit_grant, and remove the conflicting duty or grant an exception.', 'tmac.check_grants', true),
  ('grant_not_audited', 'II', 'high', 'Grant set by one administrator, never audited by another',
   'A grant in force was set by one administrator alone and no other person audited it (seed ⑦: アクセス権設定を一人の管理者が行っている場合には、監査を他の者が行う).',
   'Another administrator audits it with tmac.audit_grant(grant_id), or keeps it in an access review.', 'tmac.check_grants', true),
  ('grant_expired_active', 'II', 'medium', 'Grant past expiry still marked active',
   'A grant lapsed (expiry or end of a role-change grace period) but is still stored as active; access is already denied, but the stored state and reports lag.',
   'Run tmac.run_maintenance(), and schedule it with tmac.schedule_jobs().', 'tmac.check_grants', true),
  ('access_without_pledge', 'II', 'high', 'Access without a current pledge',
   'An active person holds grants in force but has no valid pledge (誓約書), or none signed since their last role change.',
   'Record the pledge with tmac.record_pledge, or revoke the grants.', 'tmac.check_access_without_pledge', true),
  ('access_without_training', 'I-5', 'high', 'Access without current training',
   'An active person holds grants in force but the required training is not current (training_validity, training_courses).',
   'Have the person complete the training and record it with tmac.record_training, or revoke the grants.', 'tmac.check_access_without_training', true),
  ('grant_not_reviewed', 'II', 'medium', 'Grant not reviewed within the review period',
   'A grant in force was approved longer ago than review_period and no access review has kept it since (seed ⑦: アクセス権を設定された者の範囲は、定期的に見直します).',
   'Run an access review (tmac.start_review) covering it.', 'tmac.check_grants', true),
  ('review_undecided', 'II', 'medium', 'Access review past its deadline with undecided items',
   'An access review passed its deadline with items nobody decided, and the grants are still in force (setting review_undecided = report).',
   'Decide the items (tmac.review_decide) or revoke the grants.', 'tmac.check_review_undecided', true),
  ('review_population_altered', 'II', 'critical', 'Access review evidence altered',
   'The stored population of an access review no longer matches the count and SHA-256 hash recorded when it started.',
   'Investigate with the audit log; the review''s start entry records the original count and hash.', 'tmac.check_review_population_altered', true),
  ('audit_log_broken', 'V', 'critical', 'Audit log fails verification',
   'tmac.verify_audit_log() finds an entry changed, removed or out of chain.',
   'Preserve the database, investigate and compare with backups.', 'tmac.check_audit_log_broken', true),
  ('column_label_exceeds_table', 'I-2', 'low', 'Column classified above its table',
   'A column carries a tmac label its table''s label does not dominate (or the table has no label), so the table understates what it holds.',
   'Raise the table''s label (SECURITY LABEL FOR tmac ON TABLE …) or correct the column''s.', 'tmac.check_column_label_exceeds_table', true);

DO $g$
DECLARE
  f text;
BEGIN
  FOR f IN SELECT function_name FROM tmac.compliance_check WHERE builtin LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s() FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s() TO tmac_auditor, tmac_admin', f);
  END LOOP;
END
$g$;

-- Checks over row-level enforcement (tmac.protect's registry).  They are registered now and run
-- once tmac.protected_table exists (the `requires` column); plpgsql defers name resolution.
CREATE FUNCTION tmac.check_protected_table_unenforced()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN QUERY
  SELECT 'table:' || t.relid::text,
         format('Protected table %s has %s; its rows are not filtered by label as tmac.protect set it up. Run tmac.unprotect(%L) and tmac.protect(%L) again (for a partition or child: on its topmost protected parent).',
                t.relid::text,
                CASE WHEN NOT c.relrowsecurity THEN 'row security disabled'
                     WHEN NOT c.relforcerowsecurity THEN 'row security not forced'
                     WHEN pc.n < 5 THEN format('only %s of tmac''s 5 policies', pc.n)
                     ELSE 'tmac''s policies or declassification guard altered' END,
                t.relid::text, t.relid::text),
         t.protected_at
    FROM tmac.protected_table t
    JOIN pg_catalog.pg_class c ON c.oid = t.relid
    CROSS JOIN LATERAL (SELECT count(*) AS n FROM pg_catalog.pg_policy p
                         WHERE p.polrelid = t.relid
                           AND p.polname IN ('tmac_base', 'tmac_read', 'tmac_insert', 'tmac_update', 'tmac_delete')) pc
   WHERE NOT tmac.protection_in_place(t.relid, t.label_column);
END
$$;
COMMENT ON FUNCTION tmac.check_protected_table_unenforced() IS
  'Check protected_table_unenforced: tables registered by tmac.protect whose row security was disabled or not forced, or whose tmac policies or declassification guard were dropped or altered';

-- A parent's policies filter its children's rows when the parent is read, a
-- child's own when the child is read: a link between a protected and an
-- unprotected table (or two tables protected on different label columns)
-- shows rows unfiltered.  tmac.protect and its event trigger refuse or repair
-- every such link they see; this finds those made while they could not see
-- (event triggers disabled, session_replication_role = replica, …).
CREATE FUNCTION tmac.check_protected_tree_inconsistent()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN QUERY
  SELECT 'table:' || i.inhrelid::regclass::text,
         CASE WHEN pc.relid IS NULL THEN
                format('Table %s is a partition or child of the protected table %s but is not protected itself: read directly, its rows are not filtered by label. Run tmac.protect(%L, %L).',
                       i.inhrelid::regclass, i.inhparent::regclass, i.inhrelid::regclass::text, pp.label_column)
              WHEN pp.relid IS NULL THEN
                format('The protected table %s is a partition or child of %s, which is not protected: read through %s, its rows are not filtered by label. Run tmac.protect(%L).',
                       i.inhrelid::regclass, i.inhparent::regclass, i.inhparent::regclass, i.inhparent::regclass::text)
              ELSE
                format('Table %s is protected on column %s but its parent %s on column %s: read through the parent, its rows are filtered by the other column. Detach it, unprotect it and attach it again (it is then protected on the parent''s column).',
                       i.inhrelid::regclass, quote_ident(pc.label_column), i.inhparent::regclass, quote_ident(pp.label_column))
         END,
         coalesce(pc.protected_at, pp.protected_at)
    FROM pg_catalog.pg_inherits i
    JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid AND c.relkind IN ('r', 'p', 'f')
    LEFT JOIN tmac.protected_table pp ON pp.relid = i.inhparent
    LEFT JOIN tmac.protected_table pc ON pc.relid = i.inhrelid
   WHERE (pp.relid IS NULL) <> (pc.relid IS NULL) OR pp.label_column <> pc.label_column;
END
$$;
COMMENT ON FUNCTION tmac.check_protected_tree_inconsistent() IS
  'Check protected_tree_inconsistent: a partition or inheritance child and its parent not protected alike (one unprotected, or on different label columns)';

-- Ways to plant code that runs in other people's sessions (issue: a trojan
-- <@ on the search_path).  A schema where everyone may create objects lets
-- anyone shadow a function or operator for whoever has it on their path; a
-- function or operator outside tmac that takes tmac.label, owned by someone
-- who is neither a superuser nor a tmac administrator, may be such a shadow.
CREATE FUNCTION tmac.check_schema_public_create()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT 'schema:' || quote_ident(n.nspname),
         format('Everyone (PUBLIC) may create objects in schema %s while this database has protected tables: anyone can plant a function or operator there (e.g. a <@ over tmac.label) that runs in the sessions of whoever has %s on their search_path. Run REVOKE CREATE ON SCHEMA %s FROM PUBLIC.',
                quote_ident(n.nspname), quote_ident(n.nspname), quote_ident(n.nspname)),
         NULL::timestamptz
    FROM pg_catalog.pg_namespace n
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
     AND EXISTS (SELECT 1 FROM pg_catalog.aclexplode(n.nspacl) a WHERE a.grantee = 0 AND a.privilege_type = 'CREATE')
     AND EXISTS (SELECT 1 FROM tmac.protected_table);
END;
COMMENT ON FUNCTION tmac.check_schema_public_create() IS
  'Check schema_public_create: schemas where PUBLIC has CREATE in a database with protected tables';

CREATE FUNCTION tmac.check_label_function_untrusted()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH label_types AS (
    SELECT t.oid FROM pg_catalog.pg_type t
     WHERE t.oid = 'tmac.label'::regtype OR t.typbasetype = 'tmac.label'::regtype
  ), admins AS (
    SELECT r.oid FROM pg_catalog.pg_roles r
     WHERE r.rolsuper OR pg_catalog.pg_has_role(r.oid, 'tmac_admin', 'MEMBER')
  )
  SELECT 'function:' || p.oid::regprocedure::text,
         format('Function %s takes tmac.label and is owned by %s, who is neither a superuser nor a tmac_admin: on a search_path before tmac it can shadow tmac''s own and run in other people''s sessions. Drop it, or have an administrator own it (ALTER FUNCTION … OWNER TO).',
                p.oid::regprocedure, pg_catalog.pg_get_userbyid(p.proowner)),
         NULL::timestamptz
    FROM pg_catalog.pg_proc p
   WHERE p.pronamespace <> 'tmac'::regnamespace
     AND EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proargtypes::oid[]) a WHERE a IN (SELECT l.oid FROM label_types l))
     AND p.proowner NOT IN (SELECT a.oid FROM admins a)
  UNION ALL
  SELECT 'operator:' || o.oid::regoperator::text,
         format('Operator %s takes tmac.label and is owned by %s, who is neither a superuser nor a tmac_admin: on a search_path before tmac it shadows tmac''s own and runs in other people''s sessions. Drop it (DROP OPERATOR %s).',
                o.oid::regoperator, pg_catalog.pg_get_userbyid(o.oprowner), o.oid::regoperator),
         NULL::timestamptz
    FROM pg_catalog.pg_operator o
   WHERE o.oprnamespace <> 'tmac'::regnamespace
     AND (o.oprleft IN (SELECT l.oid FROM label_types l) OR o.oprright IN (SELECT l.oid FROM label_types l))
     AND o.oprowner NOT IN (SELECT a.oid FROM admins a);
END;
COMMENT ON FUNCTION tmac.check_label_function_untrusted() IS
  'Check label_function_untrusted: functions and operators outside schema tmac taking tmac.label, owned by a role that is neither superuser nor tmac_admin member';

CREATE FUNCTION tmac.check_exposing_view()
  RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  RETURN QUERY
  SELECT 'view:' || v.view::text,
         format('View %s reads protected table(s) %s with the access of its owner %s%s, not of its reader. Recreate it WITH (security_invoker = true) or confirm it is intended.',
                v.view::text, array_to_string(v.tables, ', '), v.owner,
                CASE WHEN v.acting_person IS NOT NULL THEN ' (person ' || v.acting_person || ')' ELSE '' END),
         NULL::timestamptz
    FROM tmac.exposing_views v;
END
$$;
COMMENT ON FUNCTION tmac.check_exposing_view() IS
  'Check exposing_view: views over protected tables without security_invoker (their readers see what the owner may see)';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, builtin) VALUES
  ('protected_table_unenforced', 'V', 'critical', 'Protected table with row security off or not forced',
   'A table tmac.protect registered has row-level security disabled or not forced, or tmac''s policies were dropped, so its rows are not filtered by label (seed ⑨).',
   'Run tmac.unprotect(table) and tmac.protect(table) again (for a partition or child: on its topmost protected parent); find who changed it in the PostgreSQL log.', 'tmac.check_protected_table_unenforced', '{tmac.protected_table}', true),
  ('exposing_view', 'V', 'medium', 'View exposing protected rows with its owner''s access',
   'A view over a protected table without security_invoker shows its readers what its owner may see.',
   'Recreate the view WITH (security_invoker = true), or confirm the owner''s access is intended for every reader.', 'tmac.check_exposing_view', '{tmac.exposing_views}', true),
  ('protected_tree_inconsistent', 'V', 'critical', 'Partition or inheritance child protected differently from its parent',
   'A partition or inheritance child and its parent are not protected alike: reading the parent applies the parent''s policies to the child''s rows, reading the child its own, so an unprotected one (or one protected on another label column) shows rows unfiltered (seed ⑨).',
   'Protect the unprotected table (tmac.protect on the parent protects the whole tree), or detach the child.', 'tmac.check_protected_tree_inconsistent', '{tmac.protected_table}', true),
  ('schema_public_create', 'V', 'high', 'Schema where everyone may create objects',
   'PUBLIC has CREATE on a schema in a database with protected tables: anyone can plant functions or operators there that run in other people''s sessions (e.g. a trojan <@ over tmac.label).',
   'REVOKE CREATE ON SCHEMA … FROM PUBLIC, and put tmac before public on the search_path.', 'tmac.check_schema_public_create', '{tmac.protected_table}', true),
  ('label_function_untrusted', 'V', 'high', 'Function or operator over tmac.label owned by a non-administrator',
   'A function or operator outside schema tmac takes tmac.label and is owned by a role that is neither a superuser nor a tmac_admin member; on a search_path before tmac it can shadow tmac''s own and run in other people''s sessions.',
   'Drop it, or have an administrator own it; keep tmac before public on the search_path.', 'tmac.check_label_function_untrusted', '{}', true);
