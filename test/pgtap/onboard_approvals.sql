-- onboard_approvals.sql — pgTAP: tmac.my_pending_approvals shows each approver exactly what they
-- may decide, and tmac.approve_many approves several requests, each checked as its own act.
--
-- Requests (by t_bob, B1, unless said): g1 PRJ-A for A1; g2 PRJ-A for C1 (t_carol herself); g3 a
-- TOP_SECRET clearance for A1 (two approvers); g4 PRJ-B for D1 requested by E1 (t_erin, access
-- administrator and approver); g5 PRJ-B for F1, who has no pledge and no training.
BEGIN;
SELECT plan(20);
\i test/pgtap/people_fixture.psql
CREATE ROLE t_ghost LOGIN IN ROLE tmac_approver;       -- an approver's role that is no person's
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('ap-1', 'F1', 'hire', now() - interval '1 hour', '{"full_name":"Fay","org_group":"DEV"}');
\i test/pgtap/dedupe_helpers.psql
-- what waits for a role, as that role sees it: the grants by their names g1..g5
CREATE FUNCTION pg_temp.queue(r name) RETURNS text LANGUAGE plpgsql AS
$$
DECLARE
  result text;
BEGIN
  EXECUTE format('SET ROLE %I', r);
  SELECT string_agg(n.name, ',' ORDER BY n.name) INTO result
    FROM tmac.my_pending_approvals q JOIN names n ON n.grant_id = q.grant_id;
  RESET ROLE;
  RETURN coalesce(result, '');
END
$$;
CREATE TEMP TABLE names (name text, grant_id bigint);
GRANT SELECT ON names TO PUBLIC;
INSERT INTO names VALUES
  ('g1', pg_temp.as_role('t_bob', $$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design')$$)::bigint),
  ('g2', pg_temp.as_role('t_bob', $$SELECT tmac.request_access('C1', 'PRJ-A', now() + interval '30 days', 'review')$$)::bigint),
  ('g3', pg_temp.as_role('t_bob', $$SELECT tmac.request_clearance('A1', 'TOP_SECRET', now() + interval '30 days', 'next product')$$)::bigint),
  ('g4', pg_temp.as_role('t_erin', $$SELECT tmac.request_access('D1', 'PRJ-B', now() + interval '30 days', 'pricing')$$)::bigint),
  ('g5', pg_temp.as_role('t_bob', $$SELECT tmac.request_access('F1', 'PRJ-B', now() + interval '30 days', 'pricing')$$)::bigint);
SELECT grant_id AS g1 FROM names WHERE name = 'g1' \gset
SELECT grant_id AS g2 FROM names WHERE name = 'g2' \gset
SELECT grant_id AS g3 FROM names WHERE name = 'g3' \gset
SELECT grant_id AS g4 FROM names WHERE name = 'g4' \gset

SELECT is(pg_temp.queue('t_carol'), 'g1,g3,g4,g5', 'the approver C1 sees everything but her own request g2');
SELECT is(pg_temp.queue('t_erin'), 'g1,g2,g3,g5', 'E1 does not see g4, which she requested');
SELECT is(pg_temp.queue('t_dave'), 'g1,g2,g3,g5', 'D1 sees all but g4, which is for himself');
SELECT is(pg_temp.queue('t_ghost'), '', 'a role mapped to no person sees nothing');
SELECT throws_ok($$SELECT pg_temp.queue('t_bob')$$, '42501', NULL, 'an access administrator may not read the queue');
SET ROLE t_dave;
SELECT is((SELECT unmet_prerequisites FROM tmac.my_pending_approvals q JOIN names n USING (grant_id) WHERE n.name = 'g5'),
          'no valid pledge (誓約書) is on file; the required training is missing or has lapsed (completed within 12 months)',
          'the queue shows what the grantee lacks');
SELECT is((SELECT approvals_needed FROM tmac.my_pending_approvals WHERE grant_id = :g3), 2, 'a 極秘 clearance needs two approvals');
RESET ROLE;

SELECT max(entry_id) AS mark FROM tmac.audit_log \gset
SET ROLE t_carol;
SELECT is(pg_temp.rows($$SELECT n.name, a.approved, a.status, a.error_sqlstate
                          FROM tmac.approve_many(ARRAY[$$ || :g1 || ',' || :g2 || ',' || :g3 || $$], 'ok') WITH ORDINALITY a
                          JOIN names n USING (grant_id) ORDER BY a.ordinality$$),
          '(g1,t,active,) (g2,f,pending,42501) (g3,t,pending,)',
          'C1 approves g1 and gives g3 its first approval; g2, her own, is refused and stays pending');
SELECT is((SELECT error_message FROM tmac.approve_many(ARRAY[:g2])), 'person "C1" cannot approve a request for themselves',
          'the refusal is tmac.approve''s own (four eyes)');
RESET ROLE;
SELECT is(pg_temp.rows($$SELECT n.name FROM tmac.audit_log a JOIN names n ON n.grant_id::text = a.subject
                          WHERE a.entry_id > $$ || :mark || $$ AND a.category = 'access_grant' AND a.action = 'UPDATE'
                          ORDER BY a.entry_id$$),
          '(g1) (g3)', 'each approval is its own act with its own audit entry; the refused ones left none');
SELECT is(pg_temp.queue('t_carol'), 'g4,g5', 'C1 no longer sees what she approved');
SELECT is(pg_temp.queue('t_dave'), 'g2,g3,g5', 'D1 still sees g3, which waits for a second approver');
SET ROLE t_carol;
SELECT is(pg_temp.rows($$SELECT approved, status, error_sqlstate FROM tmac.approve_many(ARRAY[$$ || :g3 || $$])$$),
          '(f,pending,42501)', 'the same approver cannot give the second approval in a batch either');
RESET ROLE;
SET ROLE t_erin;
SELECT is(pg_temp.rows($$SELECT n.name, a.approved, a.status, a.error_sqlstate
                          FROM tmac.approve_many(ARRAY[$$ || :g4 || ',' || :g3 || $$]) WITH ORDINALITY a
                          JOIN names n USING (grant_id) ORDER BY a.ordinality$$),
          '(g4,f,pending,42501) (g3,t,active,)', 'E1 cannot approve what she requested; her approval of g3 is the second');
RESET ROLE;
SET ROLE t_dave;
SELECT is(pg_temp.rows($$SELECT a.approved, a.error_sqlstate FROM tmac.approve_many(ARRAY(
                          SELECT grant_id FROM tmac.my_pending_approvals q JOIN names n USING (grant_id) WHERE n.name = 'g5')) a$$),
          '(f,55000)', 'a grantee without a pledge is refused as by tmac.approve');
RESET ROLE;
SELECT throws_ok($$SELECT pg_temp.as_role('t_ghost', 'SELECT count(*) FROM tmac.approve_many(ARRAY[1])')$$, '42501',
                 'role "t_ghost" is not mapped to a person and cannot approve a request',
                 'a role that is no person''s is refused for the whole call');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', 'SELECT count(*) FROM tmac.approve_many(ARRAY[1])')$$, '42501', NULL,
                 'only approvers may call it');
-- not by proxy: an approver's SECURITY DEFINER function run by another approver approves nothing
CREATE FUNCTION public.ap_proxy(ids bigint[]) RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS $$ SELECT count(*) FROM tmac.approve_many(ids) WHERE approved $$;
ALTER FUNCTION public.ap_proxy(bigint[]) OWNER TO t_carol;
GRANT EXECUTE ON FUNCTION public.ap_proxy(bigint[]) TO t_dave;
SELECT throws_ok($$SELECT pg_temp.as_role('t_dave', 'SELECT public.ap_proxy(ARRAY[$$ || :g2 || $$])')$$, '42501', NULL,
                 'a batch through another approver''s SECURITY DEFINER function is refused as a whole');
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :g2), 'pending', 'and g2 was not approved');
SELECT is(pg_temp.rows($$SELECT n.name, g.status FROM tmac.grants g JOIN names n USING (grant_id) ORDER BY n.name$$),
          '(g1,active) (g2,pending) (g3,active) (g4,pending) (g5,pending)', 'what was approved, and what still waits');
