-- onboard_import.sql — pgTAP: HR's plain-column CSV loads by COPY into tmac.hr_event_import, and
-- gives exactly what the same events give through tmac.hr_event's jsonb column.
--
-- The same 40 events (hires of employees, a contractor and a visitor with logins and notes, a
-- transfer, a leave and return, a termination of a person with grants and a login, a rehire with
-- restore_cron_jobs, a transfer that ends a grant) are COPYed once as jsonb into tmac.hr_event and,
-- after a rollback to a savepoint, once as plain columns into tmac.hr_event_import: the persons,
-- events, grants, login roles and audit entries they leave are compared.  Then: the view's errors
-- are the feed's, its privileges tmac_hr's, and an import from someone else's trigger or through
-- someone else's view is refused as a direct INSERT is.
BEGIN;
SELECT plan(18);
\i test/pgtap/people_fixture.psql
CREATE ROLE x_q1 LOGIN;
CREATE ROLE x_q2 LOGIN;
CREATE ROLE x_z1 LOGIN;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['x_q1', 'x_q2', 'x_z1']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('ob-z1', 'Z1', 'hire', now() - interval '1 day', '{"full_name":"Zed","login_role":"x_z1"}');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('ob-z2', 'Z1', 'terminate');
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design')$$);
SELECT pg_temp.granted($$SELECT tmac.request_access('D1', 'PRJ-B', now() + interval '30 days', 'sales')$$);
SELECT max(entry_id) AS mark FROM tmac.audit_log \gset
-- what the load leaves behind (updated_at and created_at are now(): the same in both loads)
CREATE FUNCTION pg_temp.outcome(mark bigint) RETURNS jsonb LANGUAGE sql AS
$$
  SELECT jsonb_build_object(
    'persons', (SELECT jsonb_agg(to_jsonb(p) ORDER BY p.person_id) FROM tmac.person p),
    'events', (SELECT jsonb_agg(to_jsonb(h) - 'received_at' - 'applied_at' ORDER BY h.event_id) FROM tmac.hr_event h),
    'grants', (SELECT jsonb_agg(to_jsonb(g) ORDER BY g.grant_id) FROM tmac.access_grant g),
    'logins', (SELECT jsonb_agg(jsonb_build_object('role', r.rolname, 'login', r.rolcanlogin, 'member_of',
                                 ARRAY(SELECT m.roleid::regrole::text FROM pg_auth_members m WHERE m.member = r.oid ORDER BY 1))
                                 ORDER BY r.rolname)
                 FROM pg_roles r WHERE r.rolname LIKE 't\_%' OR r.rolname LIKE 'x\_%'),
    'audit', (SELECT jsonb_agg(jsonb_build_object('actor', a.actor, 'category', a.category, 'action', a.action,
                                                  'subject', a.subject, 'detail', a.detail) ORDER BY a.entry_id)
                FROM tmac.audit_log a WHERE a.entry_id > mark))
$$;

SAVEPOINT before_load;
SET ROLE t_hr;
COPY tmac.hr_event (event_id, person_id, kind, effective_at, attributes) FROM STDIN (FORMAT csv);
ob-01,Q01,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 1"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当"", ""login_role"": ""x_q1""}"
ob-02,Q02,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 2"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当"", ""login_role"": ""x_q2""}"
ob-03,Q03,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 3"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任"", ""kind"": ""contractor""}"
ob-04,Q04,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 4"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当"", ""kind"": ""visitor"", ""responsible_person"": ""A1""}"
ob-05,Q05,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 5"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-06,Q06,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 6"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任"", ""note"": ""新卒, 4月入社""}"
ob-07,Q07,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 7"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-08,Q08,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 8"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-09,Q09,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 9"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-10,Q10,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 10"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-11,Q11,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 11"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-12,Q12,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 12"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-13,Q13,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 13"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-14,Q14,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 14"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-15,Q15,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 15"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-16,Q16,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 16"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-17,Q17,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 17"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-18,Q18,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 18"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-19,Q19,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 19"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-20,Q20,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 20"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-21,Q21,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 21"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-22,Q22,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 22"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-23,Q23,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 23"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-24,Q24,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 24"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-25,Q25,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 25"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-26,Q26,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 26"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-27,Q27,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 27"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-28,Q28,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 28"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-29,Q29,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 29"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-30,Q30,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 30"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-31,Q31,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 31"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-32,Q32,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 32"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-33,Q33,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 33"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""主任""}"
ob-34,Q34,hire,2026-04-01 09:00+09,"{""full_name"": ""社員 34"", ""org_group"": ""DEV"", ""job_role"": ""engineer"", ""title"": ""担当""}"
ob-35,Q01,transfer,2026-05-01 09:00+09,"{""org_group"": ""SALES"", ""job_role"": ""sales""}"
ob-36,Q05,leave,2026-05-01 09:00+09,"{""note"": ""育児休業""}"
ob-37,Q05,return,2026-06-01 09:00+09,{}
ob-38,A1,terminate,2026-05-31 18:00+09,"{""note"": ""自己都合退職""}"
ob-39,Z1,rehire,2026-05-01 09:00+09,"{""title"": ""嘱託"", ""restore_cron_jobs"": true}"
ob-40,D1,transfer,2026-05-01 09:00+09,"{""org_group"": ""DEV""}"
\.
RESET ROLE;
SELECT pg_temp.outcome(:mark) AS by_jsonb \gset
ROLLBACK TO SAVEPOINT before_load;

SET ROLE t_hr;
COPY tmac.hr_event_import (event_id, person_id, kind, effective_at, full_name, org_group, job_role, title, login_role,
                           person_kind, responsible_person, note, restore_cron_jobs) FROM STDIN (FORMAT csv);
ob-01,Q01,hire,2026-04-01 09:00+09,社員 1,DEV,engineer,担当,x_q1,,,,
ob-02,Q02,hire,2026-04-01 09:00+09,社員 2,DEV,engineer,担当,x_q2,,,,
ob-03,Q03,hire,2026-04-01 09:00+09,社員 3,DEV,engineer,主任,,contractor,,,
ob-04,Q04,hire,2026-04-01 09:00+09,社員 4,DEV,engineer,担当,,visitor,A1,,
ob-05,Q05,hire,2026-04-01 09:00+09,社員 5,DEV,engineer,担当,,,,,
ob-06,Q06,hire,2026-04-01 09:00+09,社員 6,DEV,engineer,主任,,,,"新卒, 4月入社",
ob-07,Q07,hire,2026-04-01 09:00+09,社員 7,DEV,engineer,担当,,,,,
ob-08,Q08,hire,2026-04-01 09:00+09,社員 8,DEV,engineer,担当,,,,,
ob-09,Q09,hire,2026-04-01 09:00+09,社員 9,DEV,engineer,主任,,,,,
ob-10,Q10,hire,2026-04-01 09:00+09,社員 10,DEV,engineer,担当,,,,,
ob-11,Q11,hire,2026-04-01 09:00+09,社員 11,DEV,engineer,担当,,,,,
ob-12,Q12,hire,2026-04-01 09:00+09,社員 12,DEV,engineer,主任,,,,,
ob-13,Q13,hire,2026-04-01 09:00+09,社員 13,DEV,engineer,担当,,,,,
ob-14,Q14,hire,2026-04-01 09:00+09,社員 14,DEV,engineer,担当,,,,,
ob-15,Q15,hire,2026-04-01 09:00+09,社員 15,DEV,engineer,主任,,,,,
ob-16,Q16,hire,2026-04-01 09:00+09,社員 16,DEV,engineer,担当,,,,,
ob-17,Q17,hire,2026-04-01 09:00+09,社員 17,DEV,engineer,担当,,,,,
ob-18,Q18,hire,2026-04-01 09:00+09,社員 18,DEV,engineer,主任,,,,,
ob-19,Q19,hire,2026-04-01 09:00+09,社員 19,DEV,engineer,担当,,,,,
ob-20,Q20,hire,2026-04-01 09:00+09,社員 20,DEV,engineer,担当,,,,,
ob-21,Q21,hire,2026-04-01 09:00+09,社員 21,DEV,engineer,主任,,,,,
ob-22,Q22,hire,2026-04-01 09:00+09,社員 22,DEV,engineer,担当,,,,,
ob-23,Q23,hire,2026-04-01 09:00+09,社員 23,DEV,engineer,担当,,,,,
ob-24,Q24,hire,2026-04-01 09:00+09,社員 24,DEV,engineer,主任,,,,,
ob-25,Q25,hire,2026-04-01 09:00+09,社員 25,DEV,engineer,担当,,,,,
ob-26,Q26,hire,2026-04-01 09:00+09,社員 26,DEV,engineer,担当,,,,,
ob-27,Q27,hire,2026-04-01 09:00+09,社員 27,DEV,engineer,主任,,,,,
ob-28,Q28,hire,2026-04-01 09:00+09,社員 28,DEV,engineer,担当,,,,,
ob-29,Q29,hire,2026-04-01 09:00+09,社員 29,DEV,engineer,担当,,,,,
ob-30,Q30,hire,2026-04-01 09:00+09,社員 30,DEV,engineer,主任,,,,,
ob-31,Q31,hire,2026-04-01 09:00+09,社員 31,DEV,engineer,担当,,,,,
ob-32,Q32,hire,2026-04-01 09:00+09,社員 32,DEV,engineer,担当,,,,,
ob-33,Q33,hire,2026-04-01 09:00+09,社員 33,DEV,engineer,主任,,,,,
ob-34,Q34,hire,2026-04-01 09:00+09,社員 34,DEV,engineer,担当,,,,,
ob-35,Q01,transfer,2026-05-01 09:00+09,,SALES,sales,,,,,,
ob-36,Q05,leave,2026-05-01 09:00+09,,,,,,,,育児休業,
ob-37,Q05,return,2026-06-01 09:00+09,,,,,,,,,
ob-38,A1,terminate,2026-05-31 18:00+09,,,,,,,,自己都合退職,
ob-39,Z1,rehire,2026-05-01 09:00+09,,,,嘱託,,,,,true
ob-40,D1,transfer,2026-05-01 09:00+09,,DEV,,,,,,,
\.
RESET ROLE;
SELECT is((SELECT count(*) FROM tmac.hr_event WHERE event_id ~ '^ob-[0-9]{2}$' AND outcome = 'applied'), 40::bigint,
          'the plain-column COPY applied its 40 events');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE entry_id > :mark AND category = 'person' AND action = 'INSERT'),
          1::bigint, 'as a set, like a bulk COPY into tmac.hr_event: one audit entry for the persons hired');
SELECT is((SELECT received_by::text FROM tmac.hr_event WHERE event_id = 'ob-01'), 't_hr', 'the feeder is recorded as itself');
SELECT is(pg_temp.outcome(:mark) -> 'persons', (:'by_jsonb')::jsonb -> 'persons', 'the same persons as the jsonb path');
SELECT is(pg_temp.outcome(:mark) -> 'events', (:'by_jsonb')::jsonb -> 'events', 'the same events, attributes included');
SELECT is(pg_temp.outcome(:mark) -> 'grants', (:'by_jsonb')::jsonb -> 'grants', 'the same grants, ended the same way');
SELECT is(pg_temp.outcome(:mark) -> 'logins', (:'by_jsonb')::jsonb -> 'logins', 'the same login roles and memberships');
SELECT is(pg_temp.outcome(:mark) -> 'audit', (:'by_jsonb')::jsonb -> 'audit', 'the same audit entries');
SELECT is((SELECT row(full_name, org_group, title, person_kind, note, restore_cron_jobs)::text FROM tmac.hr_event_import
            WHERE event_id = 'ob-39'), '(,,嘱託,,,t)', 'the view reads the events back in plain columns');

-- a rejected event (lenient mode) may hold anything: the view still reads it
SELECT tmac.configure('hr_event_mode', 'lenient');
SET ROLE t_hr;
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('ob-rj-1', 'C1', 'transfer', '{"restore_cron_jobs":"maybe"}');
RESET ROLE;
SELECT tmac.configure('hr_event_mode', 'strict');
SELECT is((SELECT outcome || ':' || coalesce(restore_cron_jobs::text, 'null') FROM tmac.hr_event_import WHERE event_id = 'ob-rj-1'),
          'rejected:null', 'the view reads a rejected event whose attributes are not what a valid one holds');

-- the feed's own errors, as the feed's own path raises them: nothing of the statement is kept
SET ROLE t_hr;
SELECT throws_ok($$INSERT INTO tmac.hr_event_import (event_id, person_id, kind, full_name, org_group)
                   VALUES ('ob-bad-1', 'Q90', 'hire', 'Good', 'DEV'), ('ob-bad-2', 'Q91', 'hire', 'Bad', 'NOWHERE')$$,
                 '42704', 'HR event "ob-bad-2" (hire): unknown organisation group "NOWHERE"',
                 'a bad event fails the import with the HR feed''s error, and nothing is kept');
RESET ROLE;

-- an import that fails midway leaves nothing, and the next one starts afresh
SET ROLE t_hr;
SELECT throws_ok($$INSERT INTO tmac.hr_event_import (event_id, person_id, kind, full_name)
                   SELECT 'ob-dz-' || i, 'Q9' || i, 'hire', (10 / (2 - i))::text FROM generate_series(1, 3) i$$,
                 '22012', NULL, 'an import that fails midway fails');
SELECT lives_ok($$INSERT INTO tmac.hr_event_import (event_id, person_id, kind, full_name) VALUES ('ob-after', 'Q99', 'hire', 'After')$$,
                'the next import works');
RESET ROLE;
SELECT is((SELECT string_agg(event_id, ',') FROM tmac.hr_event WHERE event_id LIKE 'ob-dz-%' OR event_id = 'ob-after'),
          'ob-after', 'only the later import''s event is kept');

-- privileges: tmac_hr only, and the feeder's own INSERT on tmac.hr_event
SET ROLE t_bob;
SELECT throws_ok($$INSERT INTO tmac.hr_event_import (event_id, person_id, kind, full_name) VALUES ('ob-p-1', 'Q92', 'hire', 'X')$$,
                 '42501', NULL, 'an access administrator cannot import HR events');
RESET ROLE;
GRANT INSERT ON tmac.hr_event_import TO t_alice;
SET ROLE t_alice;
SELECT throws_ok($$INSERT INTO tmac.hr_event_import (event_id, person_id, kind, full_name) VALUES ('ob-p-2', 'Q93', 'hire', 'X')$$,
                 '42501', NULL, 'INSERT on the view alone does not feed: the feeder needs INSERT on tmac.hr_event');
RESET ROLE;

-- someone else's trigger or view cannot make the import in the writer's name
GRANT CREATE ON SCHEMA public TO t_hr;
SET ROLE t_hr;
CREATE TABLE public.ob_inbox (person_id text);
GRANT INSERT ON public.ob_inbox TO PUBLIC;
CREATE FUNCTION public.ob_forward() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN
  INSERT INTO tmac.hr_event_import (event_id, person_id, kind, title) VALUES ('ob-fw-' || NEW.person_id, NEW.person_id, 'promotion', '課長');
  RETURN NEW;
END $$;
CREATE TRIGGER ob_forward AFTER INSERT ON public.ob_inbox FOR EACH ROW EXECUTE FUNCTION public.ob_forward();
RESET ROLE;
SET ROLE t_hr;
SELECT throws_ok($$INSERT INTO public.ob_inbox VALUES ('C1')$$, '42501', 'cannot record an HR event from a trigger',
                 'an import from a trigger is refused, as an INSERT into tmac.hr_event from a trigger is');
RESET ROLE;
SET ROLE t_hr;
CREATE VIEW public.ob_view AS SELECT event_id, person_id, kind, title FROM tmac.hr_event_import;
GRANT INSERT ON public.ob_view TO PUBLIC;
RESET ROLE;
SET ROLE t_carol;
SELECT throws_ok($$INSERT INTO public.ob_view VALUES ('ob-lv-1', 'C1', 'promotion', '部長')$$, '42501', NULL,
                 'an approver''s insert into the HR role''s view over the import feeds nothing in her name');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
