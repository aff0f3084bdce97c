-- people_hr_feed.sql — pgTAP: every HR event kind, idempotency, strict and lenient bad events, future-dated events.
BEGIN;
SELECT plan(47);
\i test/pgtap/people_fixture.psql

-- hire
SELECT is((SELECT array_agg(r::text) FROM (SELECT full_name, g.code AS org_group, job_role, title, kind, login_role::text, status FROM tmac.person p LEFT JOIN tmac.org_group g ON g.group_id = p.org_group_id WHERE person_id = 'A1') r), ARRAY(SELECT v::text FROM (VALUES ('Alice'::text, 'DEV'::text, 'engineer'::text, '主任'::text, 'employee'::text, 't_alice'::text, 'active'::text)) v), 'hire creates the person from attributes');
SELECT is((SELECT outcome FROM tmac.hr_event WHERE event_id = 'fx-1'), 'applied', 'a due event is applied at once');
SELECT isnt((SELECT applied_at FROM tmac.hr_event WHERE event_id = 'fx-1'), NULL, 'applied_at is filled');
SELECT is((SELECT received_by::text FROM tmac.hr_event WHERE event_id = 'fx-1'), current_user::text, 'received_by is filled');

-- idempotency and conflicting replay
SELECT lives_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  SELECT event_id, person_id, kind, effective_at, attributes FROM tmac.hr_event WHERE event_id = 'fx-1'$$, 'replaying an event is accepted');
SELECT is((SELECT count(*) FROM tmac.hr_event WHERE event_id = 'fx-1'), 1::bigint, '... and stores nothing new');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('h-noeff', 'A1', 'promotion')$$,
  '22023', NULL, 'a promotion naming nothing to change is 22023');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  SELECT event_id, person_id, kind, effective_at, '{"full_name":"Alicia","org_group":"DEV","job_role":"engineer","title":"主任","login_role":"t_alice"}' FROM tmac.hr_event WHERE event_id = 'fx-1'$$,
  '23505', 'HR event "fx-1" was already received with different content', 'a conflicting replay is 23505');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('h-t0', 'A1', 'transfer', '{"title":"係長"}');
SELECT lives_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('h-t0', 'A1', 'transfer', '{"title":"係長"}')$$,
  'replaying an event that had no effective_at is a no-op');
SELECT lives_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('h-dup', 'A1', 'transfer', '{"title":"課長"}'), ('h-dup', 'A1', 'transfer', '{"title":"課長"}')$$,
  'a duplicate within one statement is a replay');

-- transfer, promotion
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('h-tr', 'A1', 'transfer', '{"org_group":"営業部","job_role":"sales"}');
SELECT is((SELECT array_agg(r::text) FROM (SELECT g.code AS org_group, job_role FROM tmac.person p LEFT JOIN tmac.org_group g ON g.group_id = p.org_group_id WHERE person_id = 'A1') r), ARRAY(SELECT v::text FROM (VALUES ('SALES'::text, 'sales'::text)) v), 'transfer moves the person (group given by name, stored as its id)');
SELECT isnt((SELECT pledge_required_since FROM tmac.person WHERE person_id = 'A1'), NULL, 'transfer requires a new pledge');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('h-pr', 'A1', 'promotion', '{"title":"部長","job_role":"head"}');
SELECT is((SELECT array_agg(r::text) FROM (SELECT title, job_role FROM tmac.person WHERE person_id = 'A1') r), ARRAY(SELECT v::text FROM (VALUES ('部長'::text, 'head'::text)) v), 'promotion changes title and job role');

-- leave, return
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('h-lv', 'A1', 'leave');
SELECT is((SELECT status FROM tmac.person WHERE person_id = 'A1'), 'on_leave', 'leave suspends');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('h-lv2', 'A1', 'leave')$$,
  '55000', NULL, 'leave of a person on leave is 55000');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('h-rt', 'A1', 'return');
SELECT is((SELECT status FROM tmac.person WHERE person_id = 'A1'), 'active', 'return restores');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('h-rt2', 'A1', 'return')$$,
  '55000', NULL, 'return of an active person is 55000');

-- terminate, rehire
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('h-tm', 'D1', 'terminate');
SELECT is((SELECT array_agg(r::text) FROM (SELECT status, terminated_at IS NOT NULL FROM tmac.person WHERE person_id = 'D1') r), ARRAY(SELECT v::text FROM (VALUES ('terminated'::text, true)) v), 'terminate ends employment');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_dave'), false, 'terminate makes the login role NOLOGIN');
SELECT is(pg_has_role('t_dave', 'tmac_approver', 'MEMBER'), false, 'terminate revokes tmac role memberships');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('h-tm2', 'D1', 'terminate')$$,
  '55000', NULL, 'terminating a terminated person is 55000');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('h-tr2', 'D1', 'transfer', '{"title":"x"}')$$,
  '55000', NULL, 'transferring a terminated person is 55000');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('h-rh0', 'A1', 'rehire')$$,
  '55000', NULL, 'rehiring an active person is 55000');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('h-rh', 'D1', 'rehire', '{"org_group":"DEV"}');
SELECT is((SELECT array_agg(r::text) FROM (SELECT status, terminated_at, g.code AS org_group FROM tmac.person p LEFT JOIN tmac.org_group g ON g.group_id = p.org_group_id WHERE person_id = 'D1') r), ARRAY(SELECT v::text FROM (VALUES ('active'::text, NULL::timestamptz, 'DEV'::text)) v), 'rehire reactivates');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_dave'), true, 'rehire restores LOGIN that tmac removed');
SELECT is(pg_has_role('t_dave', 'tmac_approver', 'MEMBER'), false, '... but not the tmac roles');

-- strict mode: bad events are errors and leave nothing
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('b-1', 'ZZ', 'leave')$$, '23503', NULL, 'unknown person is 23503');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('b-2', 'A1', 'fired')$$, '22023', NULL, 'invalid kind is 22023');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('b-3', 'N1', 'hire', '{"name":"x"}')$$, '22023', NULL, 'unknown attribute is 22023');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('b-4', 'N1', 'hire', '{"title":"x"}')$$, '22023', NULL, 'hire without full_name is 22023');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('b-5', 'A1', 'hire', '{"full_name":"x"}')$$, '23505', NULL, 'hiring an existing person is 23505');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('b-6', 'N1', 'hire', '{"full_name":"x","org_group":"NOPE"}')$$, '42704', NULL, 'unknown group is 42704');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('b-7', 'N1', 'hire', '{"full_name":"x","login_role":"no_such_role"}')$$, '42704', NULL, 'unknown login role is 42704');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('b-8', 'N1', 'hire', '{"full_name":"x","login_role":"t_alice"}')$$, '23505', NULL, 'a login role mapped twice is 23505');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('b-9', 'N1', 'hire', '["x"]')$$, '22023', NULL, 'attributes that are not an object are 22023');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('b-10', 'N2', 'hire', '{"full_name":"ok"}'), ('b-11', 'N3', 'hire', '{"full_name":"x","kind":"robot"}')$$, '22023', NULL,
  'a bad row in a batch fails the batch (strict)');
SELECT is((SELECT count(*) FROM tmac.hr_event WHERE event_id LIKE 'b-%'), 0::bigint, 'strict mode leaves no bad event behind');
SELECT is((SELECT count(*) FROM tmac.person WHERE person_id IN ('N1', 'N2', 'N3')), 0::bigint, '... and nothing partial');

-- lenient mode: bad events are recorded with their error
SELECT tmac.configure('hr_event_mode', 'lenient');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('l-1', 'N2', 'hire', '{"full_name":"Nina"}'), ('l-2', 'ZZ', 'leave', '{}'), ('l-3', 'N3', 'hire', '{"full_name":"x","kind":"robot"}');
SELECT is((SELECT array_agg(r::text) FROM (SELECT event_id, outcome, error_sqlstate FROM tmac.hr_event WHERE event_id LIKE 'l-%' ORDER BY 1) r), ARRAY(SELECT v::text FROM (VALUES ('l-1'::text, 'applied'::text, NULL::text), ('l-2', 'rejected', '23503'), ('l-3', 'rejected', '22023')) v), 'lenient mode stores rejected events with their error');
SELECT is((SELECT count(*) FROM tmac.person WHERE person_id IN ('N2', 'N3')), 1::bigint, '... applies the good ones');
SELECT alike((SELECT error_message FROM tmac.hr_event WHERE event_id = 'l-2'), '%unknown person "ZZ"%', '... with a clear message');
SELECT tmac.configure('hr_event_mode', 'strict');

-- future-dated events
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at) VALUES ('f-1', 'C1', 'terminate', now() + interval '1 day');
SELECT is((SELECT outcome FROM tmac.hr_event WHERE event_id = 'f-1'), 'scheduled', 'a future event is scheduled');
SELECT is((SELECT status FROM tmac.person WHERE person_id = 'C1'), 'active', '... and not applied yet');
SELECT is((SELECT active FROM tmac.access_profile_of('C1', now() + interval '1 day' - interval '1 microsecond')), true, 'access before its instant');
SELECT is((SELECT active FROM tmac.access_profile_of('C1', now() + interval '1 day')), false, 'no access from its instant, before any job runs');

SELECT throws_ok($$UPDATE tmac.hr_event SET kind = 'leave' WHERE event_id = 'f-1'$$, '0A000', NULL, 'an event''s content never changes');
SELECT throws_ok($$DELETE FROM tmac.hr_event WHERE event_id = 'f-1'$$, '0A000', NULL, 'events are never deleted');

SELECT * FROM finish();
ROLLBACK;
