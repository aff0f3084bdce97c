-- redteam_act_by_default.sql — pgTAP (pending: a design change in src/own_act.c).  Code of
-- another role that runs with the caller's identity — a column DEFAULT, a view expression, a
-- rule, an operator or cast in a view, a SECURITY INVOKER function — makes acts in the caller's
-- name: approver Dave puts tmac.approve() in a DEFAULT of his table; approver Carol inserts a
-- note there and gives the approval.  The README's security notes name this residual channel.
-- Possible fix: an ExecutorStart hook marks each top-level statement (nesting level 0) as
-- "foreign" when its range table holds a relation or view that is not tmac's and not owned by
-- the current user, or its plan calls a function/operator owned by a role other than the
-- bootstrap superuser and tmac's owner; tmac_own_act_role() refuses acts in a foreign
-- statement (an act is `SELECT tmac.approve(…)`, `CALL`, or the user's own DO/function).
BEGIN;
SELECT plan(1);
\i test/pgtap/people_fixture.psql
GRANT CREATE ON SCHEMA public TO t_dave;
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_clearance('A1', 'CONFIDENTIAL', now() + interval '30 days', 'work')$$) AS gid \gset
SET ROLE t_dave;
CREATE TABLE public.rta_notes (id int, stamp text DEFAULT (tmac.approve(:gid))::text);
GRANT INSERT ON public.rta_notes TO PUBLIC;
RESET ROLE;
SET ROLE t_carol;
SELECT throws_ok($$INSERT INTO public.rta_notes (id) VALUES (1)$$, '42501', NULL,
                 'inserting into another approver''s table does not approve through its DEFAULT');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
