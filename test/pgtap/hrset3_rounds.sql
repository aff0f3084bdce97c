-- hrset3_rounds.sql — pgTAP: the row intake counts each statement's rounds and makes the HR
-- feed's checks that need no state as the rows come (src/hr_feed_flag.c, tmac.hr_feed_rounds),
-- so that the statement trigger a_apply neither sorts the events by person nor checks their
-- attributes again.  A spy statement trigger that fires just before a_apply reports what the
-- intake counted.  Its check must say "fit" exactly when tmac.hr_validate's checks that need no
-- state pass (a table of edge cases, compared with those checks written in SQL); an event it
-- finds unfit sends the statement one event at a time, where the first bad event fails it with
-- its own error.
BEGIN;
SELECT plan(12);
\i test/pgtap/people_fixture.psql

-- the spy: fires before a_apply (triggers of one kind fire in name order) and fails the
-- statement with what tmac.hr_feed_rounds() says (a_apply, which takes the frame, never runs)
CREATE FUNCTION pg_temp.spy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'TS001',
    MESSAGE = (SELECT coalesce(r.rounds::text, 'NULL') || ' ' || coalesce(r.last_round::text, 'NULL') FROM tmac.hr_feed_rounds() r);
END $$;
CREATE TRIGGER a_0spy AFTER INSERT ON tmac.hr_event FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.spy();
CREATE FUNCTION pg_temp.rounds(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'no spy';
EXCEPTION WHEN SQLSTATE 'TS001' THEN
  RETURN SQLERRM;
END $$;

-- 1. rounds: each event's place among its person's events of the statement, in arrival order
SELECT is(pg_temp.rounds($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
    ('r1-1', 'R1', 'hire', '{"full_name":"Ruth"}'), ('r1-2', 'R2', 'hire', '{"full_name":"Rob"}'),
    ('r1-3', 'R1', 'transfer', '{"title":"lead"}'), ('r1-4', 'A1', 'leave', '{}'),
    ('r1-5', 'R1', 'leave', '{"note":"x"}'), ('r1-6', 'A1', 'return', '{}')$$),
  '{1,1,2,1,3,2} 3', 'the intake counts each event''s round as the rows come');
SELECT is(pg_temp.rounds($$COPY tmac.hr_event (event_id, person_id, kind, attributes) FROM PROGRAM 'printf ''c-1\tC1\thire\t{"full_name": "C"}\nc-2\tC1\tterminate\t{}\n'''$$),
  '{1,2} 2', 'and so for a COPY');

-- 2. lenient mode: nothing counted (each event is decided by its row trigger)
SELECT tmac.configure('hr_event_mode', 'lenient');
SELECT is(pg_temp.rounds($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
    ('r2-1', 'R1', 'hire', '{"full_name":"Ruth"}')$$), 'NULL NULL', 'lenient: no rounds');
SELECT tmac.configure('hr_event_mode', 'strict');

-- 3. the intake's check against tmac.hr_validate's checks that need no state, written in SQL
CREATE TEMP TABLE edge (n serial, person_id text, kind text, attributes jsonb);
INSERT INTO edge (person_id, kind, attributes) VALUES
  ('E', 'hire', '{"full_name":"X"}'), ('E', 'hire', '{"full_name":"  "}'), ('E', 'hire', '{"full_name":null}'),
  ('E', 'hire', '{}'), ('E', 'hire', E'{"full_name":"\\t"}'), ('E', 'hire', '{"full_name":" X "}'),
  ('E', 'hire', '{"full_name":1}'), ('E', 'hire', '{"full_name":["X"]}'),
  ('E', 'hire', '{"full_name":"X","kind":"visitor","responsible_person":"A1"}'), ('E', 'hire', '{"full_name":"X","kind":"alien"}'),
  ('E', 'hire', '{"full_name":"X","kind":null}'), ('E', 'hire', '{"full_name":"X","kind":"Employee"}'),
  ('E', 'hire', '{"full_name":"X","title":1}'), ('E', 'hire', '{"full_name":"X","title":{"a":"b"}}'),
  ('E', 'hire', '{"full_name":"X","title":true}'), ('E', 'hire', '{"full_name":"X","color":"red"}'),
  ('E', 'hire', '{"full_name":"X","Title":"x"}'), ('E', 'hire', '[{"full_name":"X"}]'), ('E', 'hire', '"X"'),
  ('E', 'hire', 'null'), ('E', 'hire', '{"full_name":"X","restore_cron_jobs":true}'),
  ('E', 'hire', '{"full_name":"X","note":null,"login_role":null,"org_group":null,"job_role":null,"responsible_person":null}'),
  ('E', 'rehire', '{"restore_cron_jobs":true}'), ('E', 'rehire', '{"restore_cron_jobs":false}'),
  ('E', 'rehire', '{"restore_cron_jobs":"true"}'), ('E', 'rehire', '{"restore_cron_jobs":"false"}'),
  ('E', 'rehire', '{"restore_cron_jobs":"yes"}'), ('E', 'rehire', '{"restore_cron_jobs":1}'),
  ('E', 'rehire', '{"restore_cron_jobs":null}'), ('E', 'rehire', '{"restore_cron_jobs":"TRUE"}'),
  ('E', 'rehire', '{}'), ('E', 'rehire', '{"title":"x","full_name":"  "}'),
  ('E', 'transfer', '{"note":"x"}'), ('E', 'transfer', '{"title":null}'), ('E', 'transfer', '{}'),
  ('E', 'promotion', '{"job_role":"x"}'), ('E', 'promotion', '{"org_group":"DEV","note":"x"}'),
  ('E', 'promotion', '{"full_name":"x"}'),
  ('E', 'leave', '{"note":"x"}'), ('E', 'leave', '{"title":"x"}'), ('E', 'leave', '{"note":1}'),
  ('E', 'return', '{}'), ('E', 'return', '{"note":null}'), ('E', 'terminate', '{"note":"x"}'),
  ('E', 'terminate', '{"kind":"employee"}'), ('E', 'terminate', '{"restore_cron_jobs":true}'),
  ('E', 'fire', '{}'), (NULL, 'hire', '{"full_name":"X"}'), ('E', NULL, '{}'), ('E', 'Hire', '{"full_name":"X"}'),
  ('E', ' hire', '{"full_name":"X"}'), ('   ', 'hire', '{"full_name":"X"}'), ('', 'hire', '{"full_name":"X"}'),
  (E'\t', 'hire', '{"full_name":"X"}'), (' E ', 'hire', '{"full_name":"X"}');
CREATE FUNCTION pg_temp.fit_in_sql(person_id text, kind text, a jsonb) RETURNS boolean LANGUAGE sql AS $$
  SELECT coalesce(CASE WHEN jsonb_typeof(a) = 'object' THEN
           kind IN ('hire', 'transfer', 'promotion', 'leave', 'return', 'terminate', 'rehire')
       AND btrim(person_id) <> ''
       AND (a - '{full_name,title,org_group,job_role,login_role,kind,responsible_person,note,restore_cron_jobs}'::text[]) = '{}'::jsonb
       AND NOT EXISTS (SELECT 1 FROM jsonb_each(a) t(k, v) WHERE jsonb_typeof(v) NOT IN ('string', 'null') AND k <> 'restore_cron_jobs')
       AND (NOT a ? 'restore_cron_jobs' OR (kind = 'rehire' AND (a ->> 'restore_cron_jobs') IN ('true', 'false')))
       AND CASE kind WHEN 'hire' THEN coalesce(btrim(a ->> 'full_name'), '') <> ''
                     WHEN 'transfer' THEN a ?| ARRAY['title', 'org_group', 'job_role']
                     WHEN 'promotion' THEN a ?| ARRAY['title', 'org_group', 'job_role']
                     WHEN 'leave' THEN (a - 'note') = '{}'::jsonb
                     WHEN 'return' THEN (a - 'note') = '{}'::jsonb
                     WHEN 'terminate' THEN (a - 'note') = '{}'::jsonb
                     ELSE true END
       AND ((a ->> 'kind') IS NULL OR (a ->> 'kind') IN ('employee', 'contractor', 'visitor', 'service'))
         END, false) $$;
CREATE TEMP TABLE verdict AS
SELECT e.n, e.person_id, e.kind, e.attributes, pg_temp.fit_in_sql(e.person_id, e.kind, e.attributes) AS in_sql,
       pg_temp.rounds(format('INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES (%L, %L, %L, %L)',
                             'edge-' || e.n, e.person_id, e.kind, e.attributes)) AS intake
  FROM edge e;
SELECT is((SELECT count(*) FROM verdict WHERE in_sql), 21::bigint, 'the edge cases: 21 of them pass the checks that need no state');
SELECT is((SELECT string_agg(format('%s %s %s: %s in SQL, %s by the intake', n, kind, attributes, in_sql, intake), '; ')
             FROM verdict WHERE intake <> CASE WHEN in_sql THEN '{1} 1' ELSE 'NULL 0' END), NULL,
  'the intake finds an event fit exactly when tmac.hr_validate''s checks that need no state pass');
SELECT is(pg_temp.rounds($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
    ('r3-1', 'R1', 'hire', '{"full_name":"Ruth"}'), ('r3-2', 'R1', 'transfer', '{"note":"x"}'), ('r3-3', 'R2', 'hire', '{"full_name":"Rob"}')$$),
  'NULL 0', 'one unfit event in a statement: no rounds, the statement goes one event at a time');
SELECT is(pg_temp.rounds(format($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('r3-4', %L, 'hire', '{"full_name":"Long"}')$$,
                                repeat('L', 128))),
  'NULL 0', 'a person_id too long to be a person''s is not counted: one event at a time');
DROP TRIGGER a_0spy ON tmac.hr_event;

-- 4. 40 events, an unfit one (an unknown attribute) after one that fails on the state (a second
-- hire of a person): the statement fails with the earlier event's own error, as one at a time
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  SELECT 'r4-' || i, 'R4-' || i, 'hire', jsonb_build_object('full_name', 'Person ' || i) FROM generate_series(1, 19) i
  UNION ALL SELECT 'r4-20', 'A1', 'hire', '{"full_name":"Again"}'
  UNION ALL SELECT 'r4-21', 'R4-21', 'hire', '{"full_name":"X","color":"red"}'
  UNION ALL SELECT 'r4-' || i, 'R4-' || i, 'hire', jsonb_build_object('full_name', 'Person ' || i) FROM generate_series(22, 40) i$$,
  '23505', 'HR event "r4-20" (hire): person "A1" already exists',
  'an unfit event after a bad one: the first bad event fails the statement with its own error');
-- what the passes refuse by failing (a hire of a person who exists, an unknown group) undoes the
-- set: one at a time, the first bad event fails the statement with its own error
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  SELECT 'r7-' || i, 'R7-' || i, 'hire',
         jsonb_build_object('full_name', 'Person ' || i, 'org_group', CASE WHEN i = 15 THEN 'NOPE' ELSE 'DEV' END)
    FROM generate_series(1, 40) i$$,
  '42704', 'HR event "r7-15" (hire): unknown organisation group "NOPE"', 'a hire into an unknown group among 40 events');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  SELECT 'r8-' || i, 'R8-' || i, 'hire', jsonb_build_object('full_name', 'Person ' || i) FROM generate_series(1, 40) i
  UNION ALL SELECT 'r8-41', 'R8-7', 'transfer', '{"org_group":"NOPE"}'
  UNION ALL SELECT 'r8-42', 'R8-7', 'hire', '{"full_name":"Again"}'$$,
  '42704', 'HR event "r8-41" (transfer): unknown organisation group "NOPE"', 'a transfer into an unknown group in a later round');
-- an attribute given as an array of one string is no string (as one at a time), also in a set
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  SELECT 'r6-' || i, 'R6-' || i, 'hire',
         jsonb_build_object('full_name', CASE WHEN i = 21 THEN '["X"]'::jsonb ELSE to_jsonb('Person ' || i) END)
    FROM generate_series(1, 40) i$$,
  '22023', 'HR event "r6-21" (hire): attribute "full_name" must be a string',
  'a full_name given as ["X"] in a statement of 40 events fails it, as it fails alone');
-- and the same 40 without the bad ones are applied as a set (one audit entry for the hires)
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  SELECT 'r5-' || i, 'R5-' || i, 'hire', jsonb_build_object('full_name', 'Person ' || i) FROM generate_series(1, 40) i
  UNION ALL SELECT 'r5-41', 'R5-3', 'transfer', '{"title":"lead"}';
SELECT is((SELECT count(*) || ' ' || min(a.detail ->> 'count') FROM tmac.audit_log a WHERE a.category = 'person' AND a.action = 'INSERT'
            AND a.detail ->> 'keys' LIKE '%R5-1"%'), '1 40', 'a fit statement is applied as a set: its 40 hires in one entry');

SELECT * FROM finish();
ROLLBACK;
