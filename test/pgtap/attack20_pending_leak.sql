-- attack20_pending_leak.sql — pgTAP: tmac.my_pending_approvals is the only window an approver has
-- on tmac.access_grant (they have no SELECT on the table), and it promises that a role mapped to no
-- active person sees nothing, and an approver never sees their own requests.  The view is not a
-- security_barrier view: a caller's cheap function in WHERE is pushed below the view's own
-- conditions, onto the scan of tmac.access_grant, and sees every pending request — its grantee,
-- its reason, who requested it — whatever the view would filter out.
BEGIN;
SELECT plan(3);
\i test/pgtap/people_fixture.psql
CREATE ROLE t_a20_ghost LOGIN IN ROLE tmac_approver;     -- an approver's role that is no person's
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'a20 secret purpose: merger with X')$$);

CREATE TEMP TABLE seen (reason text, person_id text);
GRANT INSERT, SELECT ON seen TO PUBLIC;
CREATE FUNCTION pg_temp.peek(reason text, person_id text) RETURNS boolean
  LANGUAGE plpgsql COST 0.0000001 AS
$$
BEGIN
  INSERT INTO pg_temp.seen VALUES (reason, person_id);
  RETURN true;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.peek(text, text) TO PUBLIC;

SET ROLE t_a20_ghost;
SELECT is((SELECT count(*) FROM tmac.my_pending_approvals), 0::bigint, 'a role mapped to no person sees no pending request');
SELECT is((SELECT count(*) FROM tmac.my_pending_approvals WHERE pg_temp.peek(reason, person_id)), 0::bigint,
          'nor with a function of its own in WHERE');
RESET ROLE;
SELECT is((SELECT count(*) FROM pg_temp.seen WHERE reason LIKE 'a20 secret purpose%'), 0::bigint,
          'the caller''s function never sees a pending request the view filters out (security_barrier)');

SELECT * FROM finish();
ROLLBACK;
