-- people_grants.sql — pgTAP: requests, four-eyes approval, prerequisites, overlap, expiry, revoke, extend.
BEGIN;
SELECT plan(42);
\i test/pgtap/people_fixture.psql

-- request
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design review', 'write')$$)::bigint AS g1 \gset
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :g1), 'pending', 'a request is pending');
SELECT is((SELECT requested_by FROM tmac.grants WHERE grant_id = :g1), 'B1', 'the requester is the person mapped to current_user');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''A1'', ''NOPE'', now() + interval ''1 day'', ''x'')')$$, '42704', NULL, 'unknown compartment is 42704');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''A1'', ''PRJ-A'', now() + interval ''1 day'', ''x'', ''delete'')')$$, '22023', NULL, 'invalid mode is 22023');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_clearance(''A1'', ''SECRET'', now() - interval ''1 day'', ''x'')')$$, '22023', NULL, 'valid_until in the past is 22023');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_clearance(''ZZ'', ''SECRET'', now() + interval ''1 day'', ''x'')')$$, '23503', NULL, 'unknown person is 23503');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_clearance(''A1'', ''SECRET'', NULL, ''x'')')$$, '22004', NULL, 'null valid_until is 22004');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''A1'', ''PRJ-A'', now() + interval ''10 days'', ''again'', ''write'')')$$, '23P01', NULL, 'an overlapping duplicate request is 23P01');
SELECT lives_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''A1'', ''PRJ-A'', now() + interval ''10 days'', ''read only'', ''read'')')$$, 'the same compartment in another mode is no duplicate');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', 'SELECT tmac.request_access(''A1'', ''PRJ-B'', now() + interval ''1 day'', ''x'')')$$, '42501', NULL, 'tmac_hr cannot request');

-- four-eyes
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.approve(%s)')$$, :g1), '42501', NULL, 'an access admin cannot approve (no EXECUTE)');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_alice', 'SELECT tmac.approve(%s)')$$, :g1), '42501', NULL, 'the grantee cannot approve');
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'erin asks')$$)::bigint AS g2 \gset
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_erin', 'SELECT tmac.approve(%s)')$$, :g2), '42501', 'person "E1" cannot approve their own request', 'the requester cannot approve, even holding tmac_approver');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('E1', 'PRJ-B', now() + interval '30 days', 'for erin')$$)::bigint AS g3 \gset
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_erin', 'SELECT tmac.approve(%s)')$$, :g3), '42501', 'person "E1" cannot approve a request for themselves', 'the grantee cannot approve, even holding tmac_approver');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_erin', 'SELECT tmac.reject(%s, ''no'')')$$, :g3), '42501', NULL, 'the grantee cannot reject either');
SELECT is(pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s, %L)', :g1, 'ok')), 'active', 'another approver approves');
SELECT is((SELECT approved_by FROM tmac.grants WHERE grant_id = :g1), ARRAY['C1'], 'approved_by records the approver');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', 'SELECT tmac.approve(%s)')$$, :g1), '55000', NULL, 'an active grant cannot be approved again');

-- two approvers for rank >= 40
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_clearance('A1', '極秘', now() + interval '30 days', 'board project')$$)::bigint AS g4 \gset
SELECT is(pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)', :g4)), 'pending', 'a TOP_SECRET clearance stays pending after one approval');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.approve(%s)')$$, :g4), '42501', NULL, 'the same approver cannot approve twice');
SELECT is((SELECT clearance_rank FROM tmac.access_profile_of('A1', now())), NULL, '... and grants nothing yet');
SELECT is(pg_temp.as_role('t_dave', format('SELECT tmac.approve(%s)', :g4)), 'active', 'a second, distinct approver activates it');
SELECT is((SELECT approved_by FROM tmac.grants WHERE grant_id = :g4), ARRAY['C1', 'D1'], 'both approvers are recorded');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'one approver')$$)::bigint AS g5 \gset
SELECT is(pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)', :g5)), 'active', 'a SECRET clearance needs one approver');

-- reject
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.reject(%s, ''not needed'')')$$, :g2), 'reject');
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :g2), 'rejected', 'a rejected request shows rejected');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.reject(%s, NULL)')$$, :g3), '22004', NULL, 'reject needs a comment');

-- prerequisites
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('g-h', 'N1', 'hire', '{"full_name":"Noor","org_group":"DEV"}');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('N1', 'PRJ-A', now() + interval '30 days', 'x')$$)::bigint AS g6 \gset
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.approve(%s)')$$, :g6), '55000', 'person "N1" does not meet the prerequisites for access', 'approval needs a pledge and training');
SELECT tmac.record_pledge('N1', 'hire', current_date);
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.approve(%s)')$$, :g6), '55000', NULL, '... a pledge alone is not enough');
SELECT tmac.record_training('N1', 'security basics', current_date - 400);
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.approve(%s)')$$, :g6), '55000', NULL, '... training older than training_validity does not count');
SELECT tmac.record_training('N1', 'security basics', current_date);
SELECT is(pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)', :g6)), 'active', '... current training does');

-- expiry at its exact instant (the profile at chosen instants; the view by moving validity back)
SELECT pg_temp.granted($$SELECT tmac.request_access('B1', 'PRJ-B', '2099-01-01 00:00:00+00', 'x', 'read', now())$$) AS g7 \gset
SELECT pg_temp.granted($$SELECT tmac.request_access('N1', 'PRJ-B', now() + interval '1 day', 'x')$$) AS g8 \gset
SELECT is((SELECT read_compartments FROM tmac.access_profile_of('N1', now() + interval '1 day' - interval '1 microsecond')),
  (SELECT array_agg(compartment_id ORDER BY compartment_id) FROM tmac.compartment WHERE code IN ('PRJ-A', 'PRJ-B')), 'a grant is in force until the microsecond before valid_until');
SELECT is((SELECT read_compartments FROM tmac.access_profile_of('N1', now() + interval '1 day')), ARRAY[(SELECT compartment_id FROM tmac.compartment WHERE code = 'PRJ-A')], 'and not at valid_until');
UPDATE tmac.access_grant SET validity = tstzrange(now() - interval '2 days', now()) WHERE grant_id = :g8;
SELECT is((SELECT row(status, end_reason)::text FROM tmac.grants WHERE grant_id = :g8), '(expired,expired)', 'tmac.grants shows expired at once, before any job');
SELECT is((SELECT status FROM tmac.access_grant WHERE grant_id = :g8), 'active', '... while the stored row is not marked yet');
SELECT is((tmac.run_maintenance() ->> 'grants_lapsed')::integer, 1, 'run_maintenance marks the lapsed grant');
SELECT is((SELECT row(status, ended_at = now(), end_reason)::text FROM tmac.access_grant WHERE grant_id = :g8), '(expired,t,expired)', '... as expired at its exact instant');

-- revoke and extend
SELECT pg_temp.as_role('t_bob', format('SELECT tmac.extend(%s, %L)', :g1, now() + interval '60 days'))::bigint AS g9 \gset
SELECT is((SELECT valid_from FROM tmac.grants WHERE grant_id = :g9), (SELECT valid_until FROM tmac.grants WHERE grant_id = :g1), 'an extension starts where the grant ends');
SELECT is(pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)', :g9)), 'active', 'an extension is approved like a request');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.revoke(%s, ''project cancelled'')')$$, :g7), 'revoke');
SELECT is((SELECT row(status, end_reason)::text FROM tmac.grants WHERE grant_id = :g7), '(ended,revoked)', 'a revoked grant keeps why');
SELECT is((SELECT row(ended_by, end_comment)::text FROM tmac.access_grant WHERE grant_id = :g7), '(B1,"project cancelled")', '... and who');

SELECT * FROM finish();
ROLLBACK;
