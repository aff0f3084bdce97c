-- xreg_status.sql — pgTAP: what the compliance status rests on.  I-2 is evaluated on labelled
-- rows, protected tables and inventory entries (not only labelled columns); a rise in a person's
-- reads is a surge (high) only over access_surge_history of statistics, and says so before that.
BEGIN;
SELECT plan(25);

CREATE FUNCTION pg_temp.i2() RETURNS text LANGUAGE sql AS
  $$ SELECT status || ': ' || reason FROM tmac.compliance_status WHERE criterion = 'I-2' $$;
\i test/pgtap/dedupe_helpers.psql

-- I-2 over an empty database: nothing to examine
SELECT alike(pg_temp.i2(), 'not_evaluated: not evaluated: nothing to examine (%', 'I-2 over an empty database is not evaluated');
SELECT alike(pg_temp.i2(), '%assets = 0%label_tables = 0%labelled_columns = 0%', '... and names the empty populations');

-- labelled rows (5,000 of them), no labelled column: evaluated
CREATE TABLE public.xs_doc (id int, lbl tmac.label);
INSERT INTO public.xs_doc SELECT i, 'CONFIDENTIAL' FROM generate_series(1, 5000) i;
SELECT tmac.protect('public.xs_doc', 'lbl');
SELECT is((SELECT count(*) FROM pg_catalog.pg_seclabel WHERE provider = 'tmac' AND objsubid > 0), 0::bigint, 'no column carries a label');
SELECT isnt((SELECT status FROM tmac.compliance_status WHERE criterion = 'I-2'), 'not_evaluated',
  'I-2 with 5,000 labelled rows in a protected table is evaluated');
SELECT is((SELECT (population ->> 'label_tables')::int FROM tmac.compliance_status WHERE criterion = 'I-2'), 1,
  '... over the tables with labelled rows');
SELECT tmac.unprotect('public.xs_doc');
SELECT isnt((SELECT status FROM tmac.compliance_status WHERE criterion = 'I-2'), 'not_evaluated',
  'labelled rows in an unprotected table: evaluated too (and V says the table is unprotected)');
DROP TABLE public.xs_doc;

-- an inventory entry alone: evaluated
SELECT tmac.register_asset('XS-1', '設計図', '技術', 'paper', label => 'SECRET', location => '金庫');
SELECT alike(pg_temp.i2(), 'ok: % built-in check(s) examined a non-empty population', 'an inventory entry alone: I-2 evaluated, ok');
SELECT tmac.update_asset('XS-1', '{"label":null}');
SELECT alike(pg_temp.i2(), 'attention: 1 finding(s) open%', '... and an entry without a label is a finding (asset_unlabelled)');
SELECT tmac.retire_asset('XS-1', 'test');

-- the surge check needs history
SELECT is((SELECT value FROM tmac.settings WHERE key = 'access_surge_history'), '14 days', 'access_surge_history: 14 days by default');
SELECT tmac.configure('access_surge_floor', '200');
-- six persons whose statistics began yesterday, each reading 5,000 rows today
INSERT INTO tmac.access_stats_history (kind, person_id, table_name, login_role, statements, rows_read, last_seen)
  SELECT 'table', 'P' || i, 'xs_doc', 'r' || i, 1, 10, now() - interval '1 day' FROM generate_series(1, 6) i
  UNION ALL
  SELECT 'table', 'P' || i, 'xs_doc', 'r' || i, 3, 5000, now() FROM generate_series(1, 6) i;
SELECT is(pg_temp.n('access_surge'), 0::bigint, 'no high surge finding for persons with one day of statistics');
SELECT is(pg_temp.n('access_surge_no_baseline'), 6::bigint, 'one low finding per person instead');
SELECT is((SELECT severity FROM tmac.compliance_check WHERE check_code = 'access_surge_no_baseline'), 'low', '... low');
SELECT alike((SELECT detail FROM tmac.findings WHERE check_code = 'access_surge_no_baseline' AND subject = 'person:P1'),
  'Person P1 read more than % on 1 day(s), most on % (5000 rows), but their access statistics begin on % a baseline needs access_surge_history 14 days of them, so this is not yet a surge finding%',
  '... saying why');
-- thirty days of history for P1: the rise is a surge
INSERT INTO tmac.access_stats_history (kind, person_id, table_name, login_role, statements, rows_read, last_seen)
  SELECT 'table', 'P1', 'xs_doc', 'r1', 1, 100, now() - i * interval '1 day' FROM generate_series(2, 30) i;
SELECT is((SELECT string_agg(subject, ',') FROM tmac.findings WHERE check_code = 'access_surge'), 'person:P1',
  'with 30 days of statistics P1''s rise is an access_surge finding');
SELECT is(pg_temp.n('access_surge_no_baseline'), 5::bigint, '... and no longer a baseline finding');
-- the setting: shorter fires earlier, longer weakens access_surge
SELECT tmac.configure('access_surge_history', '0');
SELECT is(pg_temp.n('access_surge'), 6::bigint, 'access_surge_history 0: every rise is a surge');
SELECT tmac.configure('access_surge_history', '60 days');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'access_surge' AND subject LIKE 'person:%')
          || '/' || pg_temp.n('access_surge_no_baseline'), '0/6', '60 days: none has enough history');
SELECT is((SELECT string_agg(check_code, ',') FROM tmac.weakened_checks WHERE key = 'access_surge_history')
          || '/' || (SELECT count(*) FROM tmac.findings WHERE check_code = 'access_surge' AND subject = 'setting:access_surge_history'),
  'access_surge/1', 'a longer history requirement weakens access_surge, and is itself a finding');

-- training: the access-rights ledger, the access decision and the I-5 checks agree (one rule)
\i test/pgtap/people_fixture.psql
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'CONFIDENTIAL', now() + interval '30 days', 'design')$$);
-- (hired long ago: a course never completed by a new hire is not yet a training_overdue finding, training_new_hire_grace)
UPDATE tmac.person SET hired_on = current_date - 400 WHERE person_id IN ('A1', 'C1');
CREATE FUNCTION pg_temp.agree() RETURNS text LANGUAGE sql AS $$
  SELECT (SELECT training_status FROM tmac.access_rights_ledger WHERE person_id = 'A1')
         || '/' || (SELECT passed::text FROM tmac.access_prerequisites('A1') WHERE prerequisite = 'training')
         || '/' || (SELECT count(*) FROM tmac.findings WHERE subject = 'person:A1' AND check_code = 'training_overdue')
         || '/' || (SELECT count(*) FROM tmac.findings WHERE subject = 'person:A1' AND check_code = 'access_without_training') $$;
SELECT is(pg_temp.agree(), 'current/true/0/0', 'trained in a course, none required: current everywhere');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('basics')$$);
SELECT is(pg_temp.agree(), 'lapsed/false/1/1',
  'a mandatory course not taken: the ledger, the decision and both I-5 checks say it is not current');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_training(p, 'basics', current_date) FROM unnest(ARRAY['A1', 'C1']) p$$);
SELECT is(pg_temp.agree(), 'current/true/0/0', 'taken: current everywhere');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.define_course('access_holders')$$);
SELECT is(pg_temp.agree(), 'lapsed/false/1/1', 'the access holders'' course applies to A1, who holds a clearance');
SELECT is((SELECT count(*) FROM tmac.findings WHERE subject = 'person:C1' AND check_code = 'training_overdue'), 0::bigint,
  '... not to C1, who holds none');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_training('A1', 'access_holders', current_date)$$);
SELECT tmac.configure('training_courses', 'export control');
SELECT is(pg_temp.agree(), 'lapsed/false/1/1', 'a course the training_courses setting names: not current everywhere');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.record_training('A1', 'export control', current_date)$$);
SELECT is(pg_temp.agree(), 'current/true/0/0', 'taken: current everywhere');

SELECT * FROM finish();
ROLLBACK;
