-- people_role_change.sql — pgTAP: termination and role-change endings, grace period, survival, leave/return, the access profile.
BEGIN;
SELECT plan(32);
\i test/pgtap/people_fixture.psql
SELECT compartment_id AS prj_a FROM tmac.compartment WHERE code = 'PRJ-A' \gset
SELECT compartment_id AS prj_b FROM tmac.compartment WHERE code = 'PRJ-B' \gset

SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'x', 'write')$$) AS ga \gset
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'x')$$) AS gb \gset
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'x')$$) AS gc \gset

-- the profile (the interface of the enforcement code)
SELECT is((SELECT row(person_id, active, clearance_rank, read_compartments, write_compartments, pledge_ok, training_ok)::text
             FROM tmac.access_profile_of('A1', now())),
          row('A1', true, 30, ARRAY[:prj_a, :prj_b], ARRAY[:prj_a], true, true)::text, 'access_profile_of');
SELECT is((SELECT org_group_id FROM tmac.access_profile('t_alice', now())), (SELECT group_id FROM tmac.org_group WHERE code = 'DEV'), 'access_profile by login role resolves the group id');
SELECT is((SELECT valid_until FROM tmac.access_profile_of('A1', now())), (SELECT min(valid_until) FROM tmac.grants WHERE person_id = 'A1'), 'valid_until is the next grant end');
SELECT is((SELECT count(*) FROM tmac.access_profile('t_hr', now())), 0::bigint, 'no row for an unmapped role');
SELECT is((SELECT count(*) FROM tmac.access_profile_of('nobody', now())), 0::bigint, 'no row for an unknown person');
SELECT is((SELECT row(read_compartments, write_compartments, clearance_rank)::text FROM tmac.access_profile_of('B1', now())),
          row('{}'::integer[], '{}'::integer[], NULL::integer)::text, 'empty arrays, not NULL, and NULL clearance when none');
SELECT is((SELECT row(prerequisite, passed)::text FROM tmac.access_prerequisites('A1', now()) WHERE prerequisite = 'pledge'), '(pledge,t)', 'access_prerequisites');

-- leave and return suspend and restore, grants untouched
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('rc-lv', 'A1', 'leave');
SELECT is((SELECT active FROM tmac.access_profile_of('A1', now())), false, 'leave suspends access');
SELECT is((SELECT count(*) FROM tmac.grants WHERE person_id = 'A1' AND status = 'active'), 3::bigint, '... without ending grants');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('rc-rt', 'A1', 'return');
SELECT is((SELECT active FROM tmac.access_profile_of('A1', now())), true, 'return restores access');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at) VALUES ('rc-lv2', 'A1', 'leave', now() + interval '2 hours');
SELECT is((SELECT valid_until FROM tmac.access_profile_of('A1', now())), now() + interval '2 hours', 'a scheduled event bounds valid_until');
SELECT is((SELECT active FROM tmac.access_profile_of('A1', now() + interval '2 hours')), false, 'a due leave counts before it is applied');

-- a grant that survives role changes
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_dave', 'SELECT tmac.keep_on_role_change(%s, ''needed in every role'')')$$, :gb), 'an approver marks a grant as surviving role changes');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.keep_on_role_change(%s, ''x'')')$$, :gb), '42501', NULL, '... an access admin cannot');

-- a role change ends bound grants (no grace)
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('rc-tr', 'A1', 'transfer', '{"org_group":"SALES"}');
SELECT is((SELECT row(status, end_reason)::text FROM tmac.grants WHERE grant_id = :ga), '(ended,role_change)', 'transfer ends a bound grant');
SELECT is((SELECT row(status, end_reason)::text FROM tmac.grants WHERE grant_id = :gc), '(ended,role_change)', '... and a bound clearance');
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :gb), 'active', '... but not a grant marked to survive');
SELECT is((SELECT ended_by FROM tmac.access_grant WHERE grant_id = :ga), 'hr_event:rc-tr', 'the ending records the event');
SELECT is((SELECT pledge_ok FROM tmac.access_profile_of('A1', now())), false, 'a new pledge is required after the role change');
SELECT tmac.record_pledge('A1', 'promotion', (now() AT TIME ZONE 'Asia/Tokyo')::date);  -- dates are in date_time_zone
SELECT is((SELECT pledge_ok FROM tmac.access_profile_of('A1', now())), true, '... and a pledge signed since satisfies it');
SELECT is((SELECT count(*) FROM tmac.access_as_of('A1', now() - interval '1 microsecond')), 0::bigint, 'access_as_of before the grants began');
SELECT is((SELECT array_agg(grant_id ORDER BY grant_id) FROM tmac.access_as_of('A1', now())), ARRAY[:gb]::bigint[], 'access_as_of now: only the surviving grant');

-- a role change with a grace period
SELECT tmac.configure('role_change_grace', '7 days');
SELECT pg_temp.granted($$SELECT tmac.request_access('D1', 'PRJ-A', now() + interval '30 days', 'x')$$) AS gd \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('rc-pr', 'D1', 'promotion', '{"job_role":"director"}');
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :gd), 'active', 'with a grace period the grant stays active');
SELECT is((SELECT grace_until FROM tmac.access_grant WHERE grant_id = :gd), now() + interval '7 days', '... until the grace period ends');
SELECT is((SELECT read_compartments FROM tmac.access_profile_of('D1', now() + interval '7 days')), '{}'::integer[], '... and not after');
UPDATE tmac.access_grant SET grace_until = now() WHERE grant_id = :gd;  -- let the grace period pass
SELECT is((SELECT row(status, end_reason)::text FROM tmac.grants WHERE grant_id = :gd), '(ended,role_change)', 'after the grace period it shows ended (role_change)');

-- a scheduled transfer counts from its instant
SELECT tmac.configure('role_change_grace', '0');
SELECT pg_temp.granted($$SELECT tmac.request_access('B1', 'PRJ-B', now() + interval '30 days', 'x')$$) AS ge \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES ('rc-tr2', 'B1', 'transfer', now() + interval '1 day', '{"job_role":"sales"}');
SELECT is((SELECT read_compartments FROM tmac.access_profile_of('B1', now() + interval '1 day' - interval '1 microsecond')), ARRAY[:prj_b], 'before a scheduled transfer: the grant');
SELECT is((SELECT read_compartments FROM tmac.access_profile_of('B1', now() + interval '1 day')), '{}'::integer[], 'from its instant: not, before any job runs');

-- termination ends everything, in the same transaction
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('E1', 'PRJ-A', now() + interval '30 days', 'x')$$)::bigint AS gp \gset
SELECT pg_temp.granted($$SELECT tmac.request_access('E1', 'PRJ-B', now() + interval '30 days', 'x')$$) AS gq \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('rc-tm', 'E1', 'terminate');
SELECT is((SELECT row(status, end_reason)::text FROM tmac.grants WHERE grant_id = :gq), '(ended,terminated)', 'termination ends grants (reason terminated)');
SELECT is((SELECT row(status, end_reason)::text FROM tmac.grants WHERE grant_id = :gp), '(cancelled,terminated)', 'termination cancels pending requests');
SELECT is((SELECT active FROM tmac.access_profile_of('E1', now())), false, 'a terminated person is not active');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''E1'', ''PRJ-A'', now() + interval ''3 days'', ''x'')')$$, '55000', NULL, 'no requests for a terminated person');

SELECT * FROM finish();
ROLLBACK;
