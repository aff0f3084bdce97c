-- 58_approvals.sql — the approver's queue and approving several requests in one call.
--
-- tmac.my_pending_approvals lists what waits for the calling approver (after the access profile
-- functions of 56, whose tmac.access_prerequisites it shows); tmac.approve_many approves several
-- requests, each as tmac.approve's own act (55_grants.sql).

-- What waits for the calling approver: the pending requests they may decide — not for
-- themselves, not requested by them, not approved by them already (a 極秘 clearance's second
-- approval is someone else's) and not lapsed — each with the approvals it still needs and the
-- prerequisites its grantee does not meet now (tmac.approve would refuse those: 55000).  The
-- approver is current_user's person, who must hold tmac_approver and be active; anyone else
-- sees no rows.  A security barrier: the caller's own (cheap) functions in WHERE see only the rows
-- the view lets through, never the pending requests of tmac.access_grant it filters out
-- (attack20_pending_leak.sql).
CREATE VIEW tmac.my_pending_approvals WITH (security_barrier) AS
  SELECT g.grant_id, g.person_id, p.full_name, g.kind, l.code AS level, c.code AS compartment, g.mode,
         lower(g.validity) AS valid_from, upper(g.validity) AS valid_until, g.reason,
         g.requested_by, g.requested_at, g.approved_by,
         CASE WHEN g.kind = 'clearance' AND g.level_rank >= 40 THEN 2 ELSE 1 END
           - cardinality(g.approved_by) AS approvals_needed,
         (SELECT string_agg(x.reason, '; ' ORDER BY x.ord)
            FROM tmac.access_prerequisites(g.person_id, now()) WITH ORDINALITY x(prerequisite, passed, reason, ord)
           WHERE NOT x.passed) AS unmet_prerequisites
    FROM tmac.person me
    JOIN tmac.access_grant g ON g.status = 'pending'
    JOIN tmac.person p ON p.person_id = g.person_id
    LEFT JOIN tmac.level l ON l.rank = g.level_rank
    LEFT JOIN tmac.compartment c ON c.compartment_id = g.compartment_id
   WHERE me.login_role = current_user AND me.status = 'active'
     AND pg_catalog.pg_has_role(current_user, 'tmac_approver', 'MEMBER')
     AND g.person_id <> me.person_id AND g.requested_by <> me.person_id
     AND NOT me.person_id = ANY (g.approved_by)
     AND upper(g.validity) > now();
COMMENT ON VIEW tmac.my_pending_approvals IS
  'The pending requests the calling approver (current_user''s person, holding tmac_approver) may decide: not their own, not requested by them, not already approved by them, not lapsed; with the approvals still needed and the grantee''s unmet prerequisites';

-- Approving several requests in one call: each is tmac.approve's own act, with every check of
-- tmac.approve (four eyes, the second approver of a 極秘 clearance, prerequisites, overlaps) and
-- its own audit entry.  A request that fails is reported, not approved, and the others go on:
-- an approval is a decision about one request, a failed one leaves its request pending as it was
-- (it stays in tmac.my_pending_approvals), and the rows returned say which is which.  What is
-- wrong with the call itself (a role that is not an active person's, an act not the caller's
-- own) fails the whole call before any approval.
CREATE FUNCTION tmac.approve_many(grant_ids bigint[], comment text DEFAULT NULL)
  RETURNS TABLE (grant_id bigint, approved boolean, status text, error_sqlstate text, error_message text)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  id bigint;
BEGIN
  PERFORM tmac.require_arguments('approve_many', 'grant_ids', grant_ids::text);
  PERFORM tmac.acting_person(tmac.msgid('approve a request'));
  FOREACH id IN ARRAY grant_ids LOOP
    grant_id := id;
    error_sqlstate := NULL;
    error_message := NULL;
    BEGIN
      status := tmac.approve(id, comment);
      approved := true;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS error_sqlstate = RETURNED_SQLSTATE, error_message = MESSAGE_TEXT;
      approved := false;
      status := (SELECT a.status FROM tmac.access_grant a WHERE a.grant_id = id);
    END;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.approve_many(bigint[], text) IS 'Approves each of several requests as tmac.approve does, each its own act with all its checks and audit entry; returns one row per request in order: approved or not, its status now, and the error that refused it (the others are approved regardless)';
