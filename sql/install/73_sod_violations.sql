-- 73_sod_violations.sql — every segregation-of-duties violation, of duties and of transactions.
--
-- Duty conflicts come from tmac.sod_role_conflicts() (70_sod.sql).  The
-- transaction-level kinds look at the grants themselves:
--   self_approved              the requester is among the approvers
--   approver_is_grantee        the grantee is among the approvers
--   approver_conflicting_duty  a grant still open was approved by a person who now holds a duty an
--                              SoD rule separates from "approver", without a current exception
--   grant_not_audited          a grant in force that one administrator set alone (nobody but the
--                              requester approved it) and that no other person has audited
--                              (tmac.audit_grant) or kept in an access review (seed ⑦)
-- tmac.approve refuses the first two; they appear when grants were written around it.
-- The transaction-level kinds are reported for live (active or pending) grants.
--
-- At its end: the six checks of the grants (check_grants: one pass over the grants), which read
-- the access reviews and these violations.

-- The grant-level checks look only at suspicious grants, found through partial and expression
-- indexes (a few per thousand rows), so neither they nor tmac.sod_violations() scan 1,000,000 grants: the predicate of
-- access_grant_suspect_idx is repeated verbatim below so that the planner can use it.
CREATE INDEX access_grant_suspect_idx ON tmac.access_grant (grant_id)
  WHERE status IN ('active', 'pending')
    AND (requested_by = ANY (approved_by) OR person_id = ANY (approved_by)
         OR cardinality(array_remove(approved_by, requested_by)) = 0
         OR cardinality(approved_by) < CASE WHEN kind = 'clearance' AND level_rank >= 40 THEN 2 ELSE 1 END);
CREATE INDEX access_grant_lapse_idx ON tmac.access_grant (least(upper(validity), grace_until)) WHERE status = 'active';
CREATE INDEX access_grant_approved_at_idx ON tmac.access_grant (approved_at) WHERE status = 'active';
CREATE INDEX access_grant_approvers_idx ON tmac.access_grant USING gin (approved_by) WHERE status IN ('active', 'pending');
COMMENT ON INDEX tmac.access_grant_suspect_idx IS 'tmac compliance: grants approved by their requester or grantee, or by fewer people than needed';
COMMENT ON INDEX tmac.access_grant_lapse_idx IS 'tmac compliance: active grants by the instant they lapse';
COMMENT ON INDEX tmac.access_grant_approved_at_idx IS 'tmac compliance: active grants by approval time (review period)';
COMMENT ON INDEX tmac.access_grant_approvers_idx IS 'tmac compliance: live grants by approver (approvers holding a conflicting duty)';

-- No SET search_path, so that it stays inlinable (tmac.suspect_grants filters every candidate
-- row with it); every function and operator is qualified instead.
CREATE FUNCTION tmac.grant_self_or_underapproved(g tmac.access_grant) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN coalesce($1.requested_by OPERATOR(pg_catalog.=) ANY ($1.approved_by)
                  OR $1.person_id OPERATOR(pg_catalog.=) ANY ($1.approved_by)
                  OR pg_catalog.cardinality(pg_catalog.array_remove($1.approved_by, $1.requested_by)) OPERATOR(pg_catalog.=) 0
                  OR pg_catalog.cardinality($1.approved_by) OPERATOR(pg_catalog.<)
                       CASE WHEN $1.kind OPERATOR(pg_catalog.=) 'clearance' AND $1.level_rank OPERATOR(pg_catalog.>=) 40
                            THEN 2 ELSE 1 END, false);
COMMENT ON FUNCTION tmac.grant_self_or_underapproved(tmac.access_grant) IS 'Internal: the grant lists its requester or grantee among its approvers, or has fewer approvers than it needs (the predicate of access_grant_suspect_idx)';

-- The suspicious grants: the union of what those indexes find (shared with tmac.sod_violations).
CREATE FUNCTION tmac.suspect_grants(review_cutoff timestamptz, conflicted text[])
  RETURNS SETOF tmac.access_grant
  LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  -- four index-backed branches, made disjoint so that no sort or hash of wide rows is needed
  RETURN QUERY
  SELECT g.* FROM tmac.access_grant g
   WHERE g.status IN ('active', 'pending')
     AND (g.requested_by = ANY (g.approved_by) OR g.person_id = ANY (g.approved_by)
          OR cardinality(array_remove(g.approved_by, g.requested_by)) = 0
          OR cardinality(g.approved_by) < CASE WHEN g.kind = 'clearance' AND g.level_rank >= 40 THEN 2 ELSE 1 END)
  UNION ALL
  SELECT g.* FROM tmac.access_grant g
   WHERE g.status = 'active' AND least(upper(g.validity), g.grace_until) <= now()
     AND NOT tmac.grant_self_or_underapproved(g)
  UNION ALL
  SELECT g.* FROM tmac.access_grant g
   WHERE g.status = 'active' AND g.approved_at < review_cutoff
     AND NOT tmac.grant_self_or_underapproved(g)
     AND NOT coalesce(least(upper(g.validity), g.grace_until) <= now(), false)
  UNION ALL
  SELECT g.* FROM tmac.access_grant g
   WHERE g.status IN ('active', 'pending') AND g.approved_by && conflicted AND cardinality(conflicted) > 0
     AND NOT tmac.grant_self_or_underapproved(g)
     AND NOT (g.status = 'active' AND coalesce(least(upper(g.validity), g.grace_until) <= now(), false))
     AND NOT (g.status = 'active' AND coalesce(g.approved_at < review_cutoff, false));
END
$$;
COMMENT ON FUNCTION tmac.suspect_grants(timestamptz, text[]) IS 'Internal: live grants that may break a grant-level rule (self- or grantee-approved, too few approvers, lapsed but active, approved before review_cutoff, or approved by one of conflicted), found by index';

CREATE FUNCTION tmac.conflicted_approvers() RETURNS text[]
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  RETURN (SELECT coalesce(array_agg(DISTINCT c.person_id), '{}') FROM tmac.sod_role_conflicts() c
           WHERE 'approver' IN (c.duty_a, c.duty_b) AND c.person_id IS NOT NULL);
COMMENT ON FUNCTION tmac.conflicted_approvers() IS 'Internal: persons holding the approver duty together with a duty an SoD rule separates from it, without a current exception';

CREATE FUNCTION tmac.sod_violations()
  RETURNS TABLE (violation text, rule_id integer, rule_name text, severity text,
                 person_id text, login_role name, grant_id bigint, detail text)
  LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH conflicts AS MATERIALIZED (SELECT * FROM tmac.sod_role_conflicts()),
  ap AS MATERIALIZED (           -- approvers holding a duty separated from approving: one row each
    SELECT DISTINCT ON (c.person_id) c.* FROM conflicts c
     WHERE 'approver' IN (c.duty_a, c.duty_b) AND c.person_id IS NOT NULL
     ORDER BY c.person_id, c.rule_id
  ), apa AS MATERIALIZED (SELECT coalesce(array_agg(ap.person_id), '{}') AS ids FROM ap),
  g AS MATERIALIZED (            -- the suspicious live grants, found by index (check_grants, below)
    SELECT g.grant_id, g.person_id, g.status, g.requested_by, g.approved_by, g.validity
      FROM apa, tmac.suspect_grants('-infinity', apa.ids) g
  )
  SELECT 'duty_conflict', c.rule_id, c.rule_name, c.severity, c.person_id, c.login_role, NULL::bigint,
         tmac.message('holds "%s" (%s) and "%s" (%s)', c.duty_a, c.via_a, c.duty_b, c.via_b)
    FROM conflicts c
  UNION ALL
  SELECT 'self_approved', NULL, NULL, 'critical', g.requested_by, p.login_role, g.grant_id,
         tmac.message('%s requested and approved grant %s for %s', g.requested_by, g.grant_id, g.person_id)
    FROM g LEFT JOIN tmac.person p ON p.person_id = g.requested_by
   WHERE g.requested_by = ANY (g.approved_by)
  UNION ALL
  SELECT 'approver_is_grantee', NULL, NULL, 'critical', g.person_id, p.login_role, g.grant_id,
         tmac.message('%s approved grant %s for themselves', g.person_id, g.grant_id)
    FROM g LEFT JOIN tmac.person p ON p.person_id = g.person_id
   WHERE g.person_id = ANY (g.approved_by)
  UNION ALL
  SELECT 'approver_conflicting_duty', c.rule_id, c.rule_name, c.severity, c.person_id, c.login_role, g.grant_id,
         tmac.message('%s approved grant %s for %s and holds "%s" and "%s" (SoD rule %s)', c.person_id, g.grant_id,
                g.person_id, c.duty_a, c.duty_b, c.rule_id)
    FROM g JOIN ap c ON c.person_id = ANY (g.approved_by)
   WHERE g.status IN ('pending', 'active') AND upper(g.validity) > now()
  UNION ALL
  SELECT 'grant_not_audited', NULL, NULL, 'high', g.requested_by, p.login_role, g.grant_id,
         tmac.message('grant %s for %s was set by %s alone and no other person has audited it', g.grant_id, g.person_id,
                g.requested_by)
    FROM g LEFT JOIN tmac.person p ON p.person_id = g.requested_by
   WHERE g.status = 'active' AND upper(g.validity) > now()
     AND cardinality(array_remove(g.approved_by, g.requested_by)) = 0
     AND NOT EXISTS (SELECT 1 FROM tmac.grant_audit a
                      WHERE a.grant_id = g.grant_id AND a.audited_by <> g.requested_by)
     AND NOT EXISTS (SELECT 1 FROM tmac.access_review_item i
                      WHERE i.grant_id = g.grant_id AND i.decision = 'keep' AND i.decided_by <> g.requested_by);
END;
COMMENT ON FUNCTION tmac.sod_violations() IS 'Segregation-of-duties violations: duty_conflict (conflicting duties without a current exception), self_approved, approver_is_grantee, approver_conflicting_duty, grant_not_audited (set by one administrator, never audited by another)';
-- Their plans are cheap index scans that JIT compilation would only slow down (by ~0.5 s).
ALTER FUNCTION tmac.sod_violations() SET jit = off;
ALTER FUNCTION tmac.suspect_grants(timestamptz, text[]) SET jit = off;
-- Each of its branches reads an index; the planner cannot estimate "lapsed by now()" over the
-- lapse index (it takes a third of the grants) and at 10,000,000 grants would rather scan them all
-- (8 s instead of 50 ms): it is never allowed to.
ALTER FUNCTION tmac.suspect_grants(timestamptz, text[]) SET enable_seqscan = off;


-- Checks of the grants that read the reviews and the SoD rules (criterion II; the compliance
-- registry: 45_compliance_registry.sql): one function for six checks (check_code first), one pass
-- over 1,000,000 grants.

CREATE FUNCTION tmac.check_grants() RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
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
COMMENT ON FUNCTION tmac.check_grants() IS 'Checks grant_unapproved, grant_self_approved, approver_conflicting_duty, grant_not_audited, grant_expired_active and grant_not_reviewed in one pass over the grants';

INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires, population, builtin)
SELECT c.check_code, c.criterion, c.severity, c.title, c.description, c.remedy, 'tmac.check_grants', '{}', c.population::text[], true
  FROM (VALUES
  ('grant_unapproved', 'II', 'critical',
   tmac.msgid('Active grant without the required approvals'),
   tmac.msgid('A grant is active with no approval (or one, where a clearance of rank 40 or more needs two): nobody but its requester authorised it.'),
   tmac.msgid('Revoke it and request it through tmac.request_access / request_clearance and tmac.approve.'), '{grants}'),
  ('grant_self_approved', 'II', 'critical',
   tmac.msgid('Grant approved by its requester or its grantee'),
   tmac.msgid('A live grant lists its requester or its grantee among its approvers (four-eyes violated).'),
   tmac.msgid('Revoke it and have it approved by a different person.'), '{grants}'),
  ('approver_conflicting_duty', 'II', 'high',
   tmac.msgid('Approver of live grants holding a conflicting duty'),
   tmac.msgid('A person who approved live grants holds a duty an SoD rule separates from approving (e.g. access administrator), without an exception; one finding per approver, naming the grants.'),
   tmac.msgid('Remove the conflicting duty or grant an exception, and have another approver confirm the grants with tmac.audit_grant.'), '{grants,sod_rules}'),
  ('grant_not_audited', 'II', 'high',
   tmac.msgid('Grant set by one administrator, never audited by another'),
   tmac.msgid('A grant in force was set by one administrator alone and no other person audited it (seed ⑦: アクセス権設定を一人の管理者が行っている場合には、監査を他の者が行う).'),
   tmac.msgid('Another administrator audits it with tmac.audit_grant(grant_id), or keeps it in an access review.'), '{grants}'),
  ('grant_expired_active', 'II', 'medium',
   tmac.msgid('Grant past expiry still marked active'),
   tmac.msgid('A grant lapsed (expiry or end of a role-change grace period) but is still stored as active; access is already denied, but the stored state and reports lag.'),
   tmac.msgid('Run tmac.run_maintenance(), and schedule it with tmac.schedule_jobs().'), '{grants}'),
  ('grant_not_reviewed', 'II', 'medium',
   tmac.msgid('Grant not reviewed within the review period'),
   tmac.msgid('A grant in force was approved longer ago than review_period and no access review has kept it since (seed ⑦: アクセス権を設定された者の範囲は、定期的に見直します).'),
   tmac.msgid('Run an access review (tmac.start_review) covering it.'), '{grants}')
) AS c(check_code, criterion, severity, title, description, remedy, population);

INSERT INTO tmac.weakening_rule (key, check_code, weak_when, threshold, accepts, why) VALUES
  ('review_period', 'grant_not_reviewed', 'longer_than', '6 months', false,
   tmac.msgid('grants may go unreviewed for longer than tmac''s default review period'));
