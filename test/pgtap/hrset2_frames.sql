-- hrset2_frames.sql — pgTAP: each statement feeding HR events is taken in the one mode its
-- trigger a_mode noted, and its deferred events belong to it alone (a frame per statement):
-- a statement nested in another cannot take the outer one's count, a count left by a
-- statement rolled back to a savepoint does not outlive it, and a mode switched in the middle
-- of a statement changes nothing about how its rows are taken.
BEGIN;
SELECT plan(10);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.enrolled('t_zed', 't_yan');

-- 1. strict: row 1 (a termination) is deferred; row 2's SELECT list switches to lenient and
-- runs a nested zero-row INSERT, whose own a_apply must not take row 1's count
SELECT tmac.configure('hr_event_mode', 'strict');
CREATE FUNCTION pg_temp.steal() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM tmac.configure('hr_event_mode', 'lenient');
  INSERT INTO tmac.hr_event (event_id, person_id, kind) SELECT 'x', 'x', 'x' WHERE false;
  RETURN '';
END $$;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
SELECT * FROM (VALUES ('f1-term', 'D1', 'terminate', now(), '{}'::jsonb)) v
UNION ALL
SELECT 'fx-4' || pg_temp.steal(), h.person_id, h.kind, h.effective_at, h.attributes FROM tmac.hr_event h WHERE h.event_id = 'fx-4';
SELECT is((SELECT outcome FROM tmac.hr_event WHERE event_id = 'f1-term'), 'applied', 'the termination is recorded as applied');
SELECT is((SELECT status FROM tmac.person WHERE person_id = 'D1'), 'terminated',
  'a nested INSERT cannot take the outer statement''s deferred termination: it is applied');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 't_dave'), false, 'the terminated person''s login role can no longer log in');

-- 2. strict: row 1 deferred, row 2 fails before a_apply, rolled back to a savepoint; then
-- lenient: the next statement's rejected event must stay rejected (not applied by a_apply)
SELECT tmac.configure('hr_event_mode', 'strict');
SAVEPOINT s;
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  SELECT * FROM (VALUES ('f2-junk-1', 'A1', 'transfer', '{"title":"x"}'::jsonb),
                        ('f2-junk-2', 'A1', 'transfer', ('{"title":"' || 1/(random()*0)::int || '"}')::jsonb)) v$$,
  '22012', NULL, 'a strict statement failing after its first row was deferred');
ROLLBACK TO s;
SELECT tmac.configure('hr_event_mode', 'lenient');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('f2-1', 'Z1', 'hire', '{"full_name":"Zed","login_role":"t_alice"}'),
  ('f2-2', 'A1', 'transfer', '{"title":"moved","login_role":"t_zed"}');
SELECT is((SELECT outcome || ' ' || (error_message IS NOT NULL) FROM tmac.hr_event WHERE event_id = 'f2-1'), 'rejected true',
  'lenient: the event mapping another person''s login role is rejected');
SELECT is((SELECT count(*) FROM tmac.person WHERE person_id = 'Z1'), 0::bigint,
  'a count left by a statement rolled back to a savepoint does not re-apply a rejected event');

-- 3. lenient: rows 1 and 2 taken row by row (one rejected); row 3's SELECT list switches to
-- strict: row 3 is still taken in lenient mode, and a_apply applies nothing again
CREATE FUNCTION pg_temp.to_strict() RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM tmac.configure('hr_event_mode', 'strict'); RETURN 'moved'; END $$;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
SELECT * FROM (VALUES ('f3-1', 'Y1', 'hire', '{"full_name":"Yan","login_role":"t_bob"}'::jsonb),
                      ('f3-2', 'B1', 'transfer', '{"title":"x","login_role":"t_yan"}'::jsonb)) v
UNION ALL
SELECT 'f3-3', 'B1', 'transfer', jsonb_build_object('title', pg_temp.to_strict());
SELECT is((SELECT string_agg(event_id || ' ' || outcome, ', ' ORDER BY event_id) FROM tmac.hr_event WHERE event_id LIKE 'f3-%'),
  'f3-1 rejected, f3-2 applied, f3-3 applied', 'every row of the statement is taken in the mode noted at its start');
SELECT is((SELECT count(*) FROM tmac.person WHERE person_id = 'Y1'), 0::bigint,
  'a switch to strict in the middle of a statement does not re-apply its rejected event');
SELECT is((SELECT title FROM tmac.person WHERE person_id = 'B1'), 'moved', 'the row after the switch is applied once, as lenient');
SELECT is(tmac.setting_lookup('hr_event_mode'), 'strict', 'the switch itself took effect, for the next statement');

SELECT * FROM finish();
ROLLBACK;
