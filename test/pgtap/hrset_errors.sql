-- hrset_errors.sql — pgTAP: a statement of many HR events is applied as a set
-- (tmac.hr_event_apply), and a bad event among them rejects the whole statement with the
-- SQLSTATE and message it has one event at a time: the first bad event in arrival order,
-- also when the state it fails on was made by an earlier event of the same statement.
BEGIN;
SELECT plan(12);
\i test/pgtap/people_fixture.psql

-- 100 hires and transfers of persons hired earlier in the same statement
CREATE TEMP TABLE feed AS
SELECT 'hs-' || i AS event_id, 'HS' || CASE WHEN i % 10 = 0 THEN i - 5 ELSE i END AS person_id,
       CASE WHEN i % 10 = 0 THEN 'transfer' ELSE 'hire' END AS kind,
       now() - interval '1 day' + i * interval '1 second' AS effective_at,
       CASE WHEN i % 10 = 0 THEN '{"org_group":"SALES","job_role":"sales"}'::jsonb
            ELSE jsonb_build_object('full_name', 'Person ' || i, 'org_group', 'DEV', 'job_role', 'engineer') END AS attributes,
       i AS ord
  FROM generate_series(1, 100) i;
CREATE FUNCTION pg_temp.feed_with(bad text) RETURNS text LANGUAGE sql AS $$
  SELECT format('INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
                 SELECT event_id, person_id, kind, effective_at, attributes FROM (
                   SELECT event_id, person_id, kind, effective_at, attributes, ord FROM feed
                   UNION ALL SELECT * FROM (VALUES %s) b(event_id, person_id, kind, effective_at, attributes, ord)) f
                  ORDER BY ord', bad) $$;

SELECT throws_ok(pg_temp.feed_with($$('hs-bad', 'NOBODY', 'transfer', now(), '{"title":"x"}'::jsonb, 57)$$),
  '23503', 'HR event "hs-bad" (transfer): unknown person "NOBODY"', 'an unknown person in a COPY-sized statement: 23503, as one at a time');
SELECT throws_ok(pg_temp.feed_with($$('hs-bad', 'HS3', 'hire', now(), '{"full_name":"Again"}'::jsonb, 57)$$),
  '23505', 'HR event "hs-bad" (hire): person "HS3" already exists', 'a second hire of a person hired earlier in the statement: 23505');
SELECT throws_ok(pg_temp.feed_with($$('hs-bad', 'HS95', 'transfer', now(), '{"title":"x"}'::jsonb, 57)$$),
  '23503', 'HR event "hs-bad" (transfer): unknown person "HS95"', 'a transfer before the hire later in the statement: 23503');
SELECT throws_ok(pg_temp.feed_with($$('hs-l1', 'HS3', 'leave', now(), '{}'::jsonb, 50), ('hs-l2', 'HS3', 'leave', now(), '{}'::jsonb, 60)$$),
  '55000', 'HR event "hs-l2" (leave): person "HS3" is on_leave, not active', 'a second leave of a person in the statement: 55000');
SELECT throws_ok(pg_temp.feed_with($$('hs-b1', 'HS3', 'promotion', now(), '{}'::jsonb, 70), ('hs-b2', 'NOBODY', 'leave', now(), '{}'::jsonb, 40)$$),
  '23503', 'HR event "hs-b2" (leave): unknown person "NOBODY"', 'of two bad events, the first to arrive fails the statement');
SELECT throws_ok(pg_temp.feed_with($$('hs-bad', 'HS4', 'transfer', now(), '{"org_group":"NOWHERE"}'::jsonb, 57)$$),
  '42704', 'HR event "hs-bad" (transfer): unknown organisation group "NOWHERE"', 'an unknown group: 42704');
SELECT throws_ok(pg_temp.feed_with($$('hs-bad', 'HS4', 'fire', now(), '{}'::jsonb, 57)$$),
  '22023', 'HR event "hs-bad" (fire): invalid kind ''fire''', 'an invalid kind: 22023');
SELECT throws_ok(pg_temp.feed_with($$('hs-bad', 'HSV', 'hire', now(), '{"full_name":"Vis","kind":"visitor"}'::jsonb, 57)$$),
  '23514', NULL, 'a visitor without a responsible person: the check constraint, 23514');
SELECT is((SELECT count(*) FROM tmac.person WHERE person_id LIKE 'HS%'), 0::bigint, 'a rejected statement leaves no person behind');

-- the good statement: applied as a set (one audit entry for its 90 hires), with its transfers
SELECT lives_ok(pg_temp.feed_with($$('hs-ok', 'HS3', 'leave', now(), '{"note":"x"}'::jsonb, 57)$$), 'the statement without a bad event is applied');
SELECT is((SELECT count(*) || '/' || count(*) FILTER (WHERE status = 'on_leave') || '/' || count(*) FILTER (WHERE job_role = 'sales')
             FROM tmac.person WHERE person_id LIKE 'HS%'), '90/1/10', 'every hire, the leave and the transfers of persons hired in the statement');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'person' AND action = 'INSERT' AND subject IS NULL
              AND (detail ->> 'count')::int = 90), 1::bigint, 'the 90 hires are one audit entry');

SELECT * FROM finish();
ROLLBACK;
