-- redteam_hr_feed_laundering.sql — pgTAP: the HR feed cannot feed an event in another role's name.
--
-- An INSERT through a view or a rule is checked against the privileges of the view's or rule's
-- owner, but runs as the role that wrote to the view or table.  The HR feed role could thus
-- put a rule on a table of its own that employees write to (or a view over tmac.hr_event) and
-- have its events recorded as fed by whoever wrote there: received_by and the audit log name an
-- employee who may not feed HR events at all.  Feeding an event needs the feeder's own INSERT
-- privilege on tmac.hr_event.
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
GRANT CREATE ON SCHEMA public TO t_hr;
SET ROLE t_hr;
CREATE TABLE public.rt_suggestions (txt text);
GRANT INSERT ON public.rt_suggestions TO PUBLIC;
CREATE RULE rt_feed AS ON INSERT TO public.rt_suggestions DO ALSO
  INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  VALUES ('rt-launder-1', 'A1', 'transfer', '{"org_group":"SALES"}');
CREATE VIEW public.rt_inbox AS SELECT event_id, person_id, kind, effective_at, attributes FROM tmac.hr_event;
GRANT INSERT ON public.rt_inbox TO PUBLIC;
RESET ROLE;

SET ROLE t_alice;
SELECT throws_ok($$INSERT INTO public.rt_suggestions VALUES ('more coffee')$$, '42501', NULL,
                 'an employee''s insert into the HR role''s table does not feed the rule''s HR event in her name');
SELECT throws_ok($$INSERT INTO public.rt_inbox (event_id, person_id, kind, attributes)
                   VALUES ('rt-launder-2', 'A1', 'transfer', '{"org_group":"SALES"}')$$, '42501', NULL,
                 'nor does her insert into the HR role''s view over tmac.hr_event');
RESET ROLE;
SELECT is((SELECT count(*) FROM tmac.hr_event WHERE event_id LIKE 'rt-launder-%'), 0::bigint,
          'no event was received in the employee''s name');
SET ROLE t_hr;
INSERT INTO public.rt_inbox (event_id, person_id, kind, attributes)
  VALUES ('rt-own-1', 'A1', 'transfer', '{"org_group":"SALES"}');
RESET ROLE;
SELECT is((SELECT received_by::text FROM tmac.hr_event WHERE event_id = 'rt-own-1'), 't_hr',
          'the HR role feeding through its own view is recorded as itself');
SELECT * FROM finish();
ROLLBACK;
