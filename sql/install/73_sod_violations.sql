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

CREATE FUNCTION tmac.sod_violations()
  RETURNS TABLE (violation text, rule_id integer, rule_name text, severity text,
                 person_id text, login_role name, grant_id bigint, detail text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  WITH conflicts AS MATERIALIZED (SELECT * FROM tmac.sod_role_conflicts()),
  ap AS MATERIALIZED (           -- approvers holding a duty separated from approving: one row each
    SELECT DISTINCT ON (c.person_id) c.* FROM conflicts c
     WHERE 'approver' IN (c.duty_a, c.duty_b) AND c.person_id IS NOT NULL
     ORDER BY c.person_id, c.rule_id
  ), apa AS MATERIALIZED (SELECT coalesce(array_agg(ap.person_id), '{}') AS ids FROM ap),
  g AS MATERIALIZED (            -- one pass over the grants, keeping only the suspicious ones
    SELECT g.grant_id, g.person_id, g.status, g.requested_by, g.approved_by, g.validity
      FROM tmac.access_grant g CROSS JOIN apa
     WHERE g.requested_by = ANY (g.approved_by) OR g.person_id = ANY (g.approved_by)
        OR (g.status IN ('pending', 'active') AND upper(g.validity) > now() AND g.approved_by && apa.ids)
        OR (g.status = 'active' AND upper(g.validity) > now() AND cardinality(array_remove(g.approved_by, g.requested_by)) = 0)
  )
  SELECT 'duty_conflict', c.rule_id, c.rule_name, c.severity, c.person_id, c.login_role, NULL::bigint,
         format('holds "%s" (%s) and "%s" (%s)', c.duty_a, c.via_a, c.duty_b, c.via_b)
    FROM conflicts c
  UNION ALL
  SELECT 'self_approved', NULL, NULL, 'critical', g.requested_by, p.login_role, g.grant_id,
         format('%s requested and approved grant %s for %s', g.requested_by, g.grant_id, g.person_id)
    FROM g LEFT JOIN tmac.person p ON p.person_id = g.requested_by
   WHERE g.requested_by = ANY (g.approved_by)
  UNION ALL
  SELECT 'approver_is_grantee', NULL, NULL, 'critical', g.person_id, p.login_role, g.grant_id,
         format('%s approved grant %s for themselves', g.person_id, g.grant_id)
    FROM g LEFT JOIN tmac.person p ON p.person_id = g.person_id
   WHERE g.person_id = ANY (g.approved_by)
  UNION ALL
  SELECT 'approver_conflicting_duty', c.rule_id, c.rule_name, c.severity, c.person_id, c.login_role, g.grant_id,
         format('%s approved grant %s for %s and holds "%s" and "%s" (SoD rule %s)', c.person_id, g.grant_id,
                g.person_id, c.duty_a, c.duty_b, c.rule_id)
    FROM g JOIN ap c ON c.person_id = ANY (g.approved_by)
   WHERE g.status IN ('pending', 'active') AND upper(g.validity) > now()
  UNION ALL
  SELECT 'grant_not_audited', NULL, NULL, 'high', g.requested_by, p.login_role, g.grant_id,
         format('grant %s for %s was set by %s alone and no other person has audited it', g.grant_id, g.person_id,
                g.requested_by)
    FROM g LEFT JOIN tmac.person p ON p.person_id = g.requested_by
   WHERE g.status = 'active' AND upper(g.validity) > now()
     AND cardinality(array_remove(g.approved_by, g.requested_by)) = 0
     AND NOT EXISTS (SELECT 1 FROM tmac.grant_audit a
                      WHERE a.grant_id = g.grant_id AND a.audited_by <> g.requested_by)
     AND NOT EXISTS (SELECT 1 FROM tmac.access_review_item i
                      WHERE i.grant_id = g.grant_id AND i.decision = 'keep' AND i.decided_by <> g.requested_by);
END;
COMMENT ON FUNCTION tmac.sod_violations() IS
  'Segregation-of-duties violations: duty_conflict (conflicting duties without a current exception), self_approved, approver_is_grantee, approver_conflicting_duty, grant_not_audited (set by one administrator, never audited by another)';
REVOKE ALL ON FUNCTION tmac.sod_violations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tmac.sod_violations() TO tmac_auditor, tmac_admin;
