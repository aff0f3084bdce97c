-- ledger_training_pledges.sql — pgTAP: training for everyone (⑤, I-5) and pledges (⑦, II): the
-- seed's courses, pledges with template version and document hash, and every finding: created,
-- seen, fixed, gone — for employees, contractors and persons without a login alike.
BEGIN;
SELECT plan(31);
-- "taken N days ago" is counted in the company's calendar (tmac's date_time_zone, Asia/Tokyo), as
-- tmac counts it: with the server's UTC current_date the test failed from 15:00 to 24:00 UTC.
SET LOCAL TimeZone = 'Asia/Tokyo';
\i test/pgtap/people_fixture.psql
\i test/pgtap/dedupe_helpers.psql

-- a floor worker without a login, hired long ago, never trained
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  VALUES ('tp-1', 'W1', 'hire', now() - interval '2 years', '{"full_name":"Floor Worker","org_group":"DEV"}');
SELECT is(pg_temp.n('training_overdue', 'person:W1'), 1::bigint, 'training_overdue: a person without a login who was never trained');
SELECT is((SELECT criterion FROM tmac.findings WHERE subject = 'person:W1' AND check_code = 'training_overdue'), 'I-5', '... under criterion I-5');
SELECT is(pg_temp.n('training_overdue'), 1::bigint, '... and nobody else (the fixture''s persons trained yesterday)');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_training('W1', 'security basics', current_date - 400)$$);
SELECT is(pg_temp.n('training_overdue', 'person:W1'), 1::bigint, 'trained more than 12 months ago: still overdue (at least yearly)');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_training('W1', 'security basics', current_date)$$);
SELECT is(pg_temp.n('training_overdue'), 0::bigint, 'trained this year: gone');
-- a new hire gets training_new_hire_grace
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('tp-2', 'N1', 'hire', '{"full_name":"New Hire","kind":"contractor"}');
SELECT is(pg_temp.n('training_overdue', 'person:N1'), 0::bigint, 'a contractor hired today is within training_new_hire_grace');
SELECT tmac.configure('training_new_hire_grace', '0');
SELECT is(pg_temp.n('training_overdue', 'person:N1'), 1::bigint, 'with no grace the contractor is overdue too');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_training('N1', 'security basics', current_date)$$);
SELECT is(pg_temp.n('training_overdue', 'person:N1'), 0::bigint, 'trained: gone');

-- mandatory courses with the seed's topics and audience (grace 0: the fixture's persons count at once)
SELECT throws_ok($$SELECT tmac.define_course('custom')$$, '22023', NULL, 'a course that is not the seed''s needs titles');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', 'SELECT tmac.define_course(''basics'', audience => ''martians'')')$$, '22023', NULL, 'an unknown audience is refused');
SELECT throws_ok($$SELECT pg_temp.as_role('t_aud', 'SELECT tmac.define_course(''basics'')')$$, '42501', NULL, 'the auditor cannot define courses');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('basics')$$);
SELECT results_eq($$SELECT title_ja, audience, cardinality(topics), mandatory FROM tmac.training_course WHERE course = 'basics'$$,
  $$VALUES ('全ての従業員等への教育'::text, 'everyone'::text, 7, true)$$, 'the seed''s course for everyone, with its seven topics');
SELECT is(pg_temp.n('training_overdue'), 7::bigint, 'now everyone who has not completed basics is overdue (the fixture''s five, W1, N1)');
SELECT pg_temp.as_role('t_hr', $$SELECT count(tmac.record_training(p, 'basics', current_date))::text FROM unnest(ARRAY['A1','B1','C1','D1','E1','W1','N1']) p$$);
SELECT is(pg_temp.n('training_overdue'), 0::bigint, 'everyone trained in basics: gone');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('access_holders')$$);
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'x')$$);
SELECT results_eq($$SELECT subject FROM tmac.findings WHERE check_code = 'training_overdue'$$, $$VALUES ('person:A1'::text)$$,
  'the access holders'' course is required of A1, who holds a grant, only');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_training('A1', 'access_holders', current_date)$$);
SELECT is(pg_temp.n('training_overdue'), 0::bigint, 'trained: gone');
-- validities in calendar years and in days together: basics valid two years, a refresher 721 days
-- (721 days compare above 2 years as intervals, yet end sooner): W2's basics of 729 days ago is current
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('basics', validity => '2 years')$$);
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('refresher', 'リフレッシャー', 'Refresher', validity => '721 days')$$);
SELECT pg_temp.as_role('t_hr', $$SELECT count(tmac.record_training(p, 'refresher', current_date))::text FROM unnest(ARRAY['A1','B1','C1','D1','E1','W1','N1']) p$$);
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('tp-v1', 'W2', 'hire', now() - interval '3 years', '{"full_name":"Second Worker","org_group":"DEV"}'),
  ('tp-v2', 'W3', 'hire', now() - interval '3 years', '{"full_name":"Third Worker","org_group":"DEV"}');
SELECT pg_temp.as_role('t_hr', $$SELECT count(tmac.record_training(p, c, d))::text
  FROM (VALUES ('W2', 'basics', current_date - 729), ('W2', 'refresher', current_date),
               ('W3', 'basics', current_date - 740), ('W3', 'refresher', current_date)) v(p, c, d)$$);
SELECT results_eq($$SELECT subject FROM tmac.findings WHERE check_code = 'training_overdue'$$, $$VALUES ('person:W3'::text)$$,
  'a two-year course taken 729 days ago is current beside a 721-day course; 740 days ago it is not');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('basics', validity => '10000 years')$$);
SELECT is((SELECT count(*) FROM tmac.findings WHERE subject LIKE 'check:%'), 0::bigint,
  'a validity of 10,000 years does not stop the check');
SELECT is(pg_temp.n('training_overdue'), 0::bigint, '... and W3''s basics is current under it');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('basics', validity => '2 years')$$);
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_training('W3', 'basics', current_date)$$);

-- pledges: kinds, template version, document hash
SELECT throws_ok($$SELECT tmac.record_pledge('A1', 'hire', current_date, document_sha256 => '\x00ff')$$, '22023', NULL,
  'a document hash must be 32 bytes');
SELECT throws_ok($$SELECT tmac.record_pledge('A1', 'project', current_date)$$, '22023', NULL, 'a project pledge names its project');
SELECT throws_ok($$SELECT tmac.record_pledge('A1', 'hire', current_date, project => 'PRJ-A')$$, '22023', NULL, '... and only a project pledge does');
SELECT ok(pg_temp.as_role('t_hr', $$SELECT tmac.record_pledge('A1', 'project', current_date, template_version => '誓約書 2026年版',
            document_sha256 => sha256('scanned pledge'), project => 'PRJ-A')$$) IS NOT NULL, 'HR records a project pledge with template version and hash');
SELECT is((SELECT template_version || ' ' || encode(document_sha256, 'hex') FROM tmac.pledge WHERE kind = 'project'),
  '誓約書 2026年版 ' || encode(sha256('scanned pledge'), 'hex'), '... stored');

-- leaver_without_termination_pledge
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('tp-3', 'B1', 'terminate');
SELECT is(pg_temp.n('leaver_without_termination_pledge', 'person:B1'), 1::bigint, 'leaver_without_termination_pledge: a leaver without one');
SELECT is((SELECT criterion FROM tmac.findings WHERE check_code = 'leaver_without_termination_pledge'), 'II', '... under criterion II');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_pledge('B1', 'termination', current_date, template_version => '退職時誓約書 v3')$$);
SELECT is(pg_temp.n('leaver_without_termination_pledge'), 0::bigint, 'recorded: gone');

-- visitor_without_pledge, visitor_responsible_left
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  VALUES ('tp-4', 'V1', 'hire', '{"full_name":"工場見学者","kind":"visitor","responsible_person":"D1"}');
SELECT is(pg_temp.n('visitor_without_pledge', 'person:V1'), 1::bigint, 'visitor_without_pledge: a visitor without a pledge');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_pledge('V1', 'visitor', current_date, current_date)$$);
SELECT is(pg_temp.n('visitor_without_pledge'), 0::bigint, 'pledged: gone');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('tp-5', 'D1', 'terminate');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_pledge('D1', 'termination', current_date)$$);
SELECT is(pg_temp.n('visitor_responsible_left', 'person:V1'), 1::bigint, 'visitor_responsible_left: the visitor''s responsible person left');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('tp-6', 'V1', 'terminate');
SELECT is(pg_temp.n('visitor_responsible_left'), 0::bigint, 'the visit ended: gone');

SELECT * FROM finish();
ROLLBACK;
