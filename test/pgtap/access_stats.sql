-- access_stats.sql — pgTAP: access statistics (src/access_stats.c, 77_access_stats.sql).
-- 50 full reads of a SECRET table by a person are counted with the right numbers, per table
-- and per level × compartment; only auditors and admins read them, never the person; reset
-- clears them; parallel workers' rows reach the counters exactly once; writes are counted; the
-- hourly snapshot appends only what is new; and each leak-sign check under I-6 is created, seen
-- (in compliance_status), fixed and cleared, on history rows inserted to simulate 30 days.
-- test.conf turns the statistics off; stats_fixture.psql turns them on.
BEGIN;
SELECT plan(45);
\set doc st_doc
\i test/pgtap/stats_fixture.psql
\i test/pgtap/dedupe_helpers.psql
GRANT INSERT, UPDATE, DELETE ON st_doc TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design', 'write')$$);
-- every hour of every day is working time, unless a test says otherwise
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('working_hours', '00:00-24:00')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('working_days', '7,6,5,4,3,2,1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);

-- 50 full reads: 20 rows each (the 10 PRJ-B rows are refused, and not counted)
SET ROLE t_alice;
DO $$
BEGIN
  FOR i IN 1..50 LOOP
    PERFORM count(*) FROM st_doc;
  END LOOP;
END
$$;
RESET ROLE;

SET ROLE t_aud;
SELECT results_eq($$SELECT person_id, table_name::text, login_role::text, statements, rows_read, rows_written
                      FROM tmac.access_stats WHERE kind = 'table'$$,
                  $$VALUES ('A1', 'st_doc', session_user::text, 50::bigint, 1000::bigint, 0::bigint)$$,
                  'the auditor sees 50 statements and 1000 rows read of st_doc by A1, from the session''s login role');
SELECT results_eq($$SELECT person_id, level, compartment, statements, rows_read
                      FROM tmac.access_stats WHERE kind = 'label'$$,
                  $$VALUES ('A1', 'SECRET', 'PRJ-A', 50::bigint, 1000::bigint)$$,
                  'and the same per level and compartment');
SELECT ok((SELECT first_seen <= last_seen AND last_seen <= clock_timestamp() AND first_seen > now() - interval '1 minute'
             FROM tmac.access_stats WHERE kind = 'table'), 'first and last seen are set');
SELECT ok((SELECT counters >= 2 AND max_counters = 10000 FROM tmac.access_stats_info()), 'access_stats_info counts the counters');
RESET ROLE;

SET ROLE t_alice;
SELECT throws_ok('SELECT * FROM tmac.access_stats', '42501', NULL, 'the person cannot read the statistics');
SELECT throws_ok('SELECT * FROM tmac.access_stats_raw()', '42501', NULL, 'nor their function');
SELECT throws_ok($$SELECT * FROM tmac.access_history('A1')$$, '42501', NULL, 'nor their own history');
SELECT throws_ok('SELECT tmac.reset_access_stats()', '42501', NULL, 'nor reset them');
SELECT throws_ok('SET tmac.access_stats = off', '42501', NULL, 'nor turn the counting off');
RESET ROLE;
SET ROLE t_aud;
SELECT throws_ok('SELECT tmac.reset_access_stats()', '42501', NULL, 'the auditor cannot reset them');
RESET ROLE;
SELECT ok(NOT has_function_privilege('public', 'tmac.access_stats_raw()', 'EXECUTE')
          AND NOT has_table_privilege('public', 'tmac.access_stats', 'SELECT')
          AND NOT has_table_privilege('public', 'tmac.access_stats_history', 'SELECT'), 'PUBLIC has nothing');

-- writes: 2 inserted, 3 updated (new versions checked), 1 deleted
SET ROLE t_alice;
INSERT INTO st_doc VALUES (100, 'SECRET:PRJ-A'), (101, 'SECRET:PRJ-A');
UPDATE st_doc SET id = id + 1000 WHERE id IN (1, 2, 3);
DELETE FROM st_doc WHERE id = 100;
RESET ROLE;
SELECT is((SELECT rows_written FROM tmac.access_stats WHERE kind = 'table'), 6::bigint,
          'rows written: 2 inserted, 3 updated, 1 deleted');
SELECT is((SELECT statements FROM tmac.access_stats WHERE kind = 'table'), 53::bigint,
          'three more statements');
SELECT rows_read AS read_before_can FROM tmac.access_stats WHERE kind = 'table' \gset

-- tmac.can_read(label) shares row_readable's C function but is not a read of the table
SET ROLE t_alice;
SELECT count(*) FROM st_doc WHERE tmac.can_read(label);
RESET ROLE;
SELECT is((SELECT rows_read - :read_before_can FROM tmac.access_stats WHERE kind = 'table'), 21::bigint,
          'a query calling tmac.can_read counts its rows once (the policy), not twice');

-- the hourly snapshot appends what is new, once
SELECT rows_read AS read_before FROM tmac.access_stats WHERE kind = 'table' \gset
SELECT is(pg_temp.as_role('t_adm', 'SELECT tmac.snapshot_access_stats()'), '2', 'a snapshot appends the two counters');
SELECT is((SELECT rows_read FROM tmac.access_stats_history WHERE kind = 'table' AND person_id = 'A1'), :read_before::bigint,
          'with what they counted');
SELECT is(pg_temp.as_role('t_adm', 'SELECT tmac.snapshot_access_stats()'), '0', 'a second snapshot appends nothing');
SET ROLE t_alice;
SELECT count(*) FROM st_doc;
RESET ROLE;
SELECT is(pg_temp.as_role('t_adm', 'SELECT tmac.snapshot_access_stats()'), '2', 'a read later: two more rows');
SELECT is((SELECT sum(rows_read) FROM tmac.access_stats_history WHERE kind = 'table' AND person_id = 'A1'), :read_before + 21::numeric,
          'the history adds up to the counter (21 rows more)');
SELECT is((SELECT sum(rows_read)::bigint FROM tmac.access_history('A1')), :read_before + 21::bigint, 'access_history(A1) charts it');

-- reset
SELECT is(pg_temp.as_role('t_adm', 'SELECT tmac.reset_access_stats()'), '2', 'reset clears the two counters');
SELECT is((SELECT count(*) FROM tmac.access_stats), 0::bigint, 'nothing is left');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'access_stats' AND action = 'reset'), 2::bigint,
          'every reset is audited');

-- parallel workers: their rows reach the counters, the statement counts once
INSERT INTO st_doc SELECT i, 'SECRET:PRJ-A' FROM generate_series(1001, 31000) i;
ANALYZE st_doc;
\i test/pgtap/parallel_count.psql
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);
SET ROLE t_alice;
SELECT ok((SELECT workers > 0 AND n = 30021 FROM pg_temp.parallel_count('SELECT count(*) FROM st_doc', false)),
          'a parallel count (workers only, the leader does not scan) sees 30021 rows');
RESET ROLE;
SELECT results_eq($$SELECT statements, rows_read FROM tmac.access_stats WHERE kind = 'table'$$,
                  $$VALUES (2::bigint, 60042::bigint)$$,
                  'the workers'' rows are all counted, and each statement once (EXPLAIN ANALYZE and the count)');

-- the checks under I-6, on history rows that simulate 30 days
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);
DELETE FROM tmac.access_stats_history;
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('access_surge_floor', '200')$$);
INSERT INTO tmac.access_stats_history (kind, person_id, table_name, login_role, statements, rows_read, last_seen)
  SELECT 'table', p, 'st_doc', 't_' || p, 1, 100, now() - i * interval '1 day'
    FROM generate_series(1, 30) i, unnest(ARRAY['B1', 'D1']) p;
INSERT INTO tmac.access_stats_history (kind, person_id, table_name, login_role, statements, rows_read, last_seen)
  VALUES ('table', 'B1', 'st_doc', 't_b1', 5, 500, now()), ('table', 'D1', 'st_doc', 't_d1', 2, 150, now());

-- access_surge
SELECT alike(pg_temp.detail('access_surge', 'person:B1'),
            'Person B1 read 500 rows of protected tables on % 5 times their 30-day median of 100 rows a day %the threshold is 300 %',
            'access_surge: created, naming the person, the numbers and the window');
SELECT is((SELECT status FROM tmac.compliance_status WHERE criterion = 'I-6'), 'failing', 'seen: I-6 is failing');
SELECT is(pg_temp.n('access_surge', 'person:D1'), 0::bigint,
          'D1''s 150 rows are no surge');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('access_surge_factor', '6')$$);
SELECT is(pg_temp.n('access_surge', 'person:B1'), 0::bigint,
          'fixed: a factor of 6 (threshold 600) closes it');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('access_surge_factor', '3')$$);
UPDATE tmac.access_stats_history SET last_seen = last_seen - interval '8 days' WHERE person_id = 'B1';
SELECT is(pg_temp.n('access_surge', 'person:B1'), 0::bigint,
          'cleared: a surge older than access_lookback is no longer reported');

-- access_before_departure
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at)
  VALUES ('st-term', 'D1', 'terminate', now() + interval '14 days');
SELECT alike(pg_temp.detail('access_before_departure', 'person:D1'),
            'Person D1, whose terminate is scheduled for % (HR event st-term, %), read 150 rows on %, above access_departure_factor 1 × their 30-day median of 100 rows a day%',
            'access_before_departure: created for reads above baseline with a termination scheduled');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('access_departure_factor', '2')$$);
SELECT is(pg_temp.n('access_before_departure'), 0::bigint,
          'fixed: below 2 × the baseline it is not reported');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('access_departure_factor', '1')$$);
UPDATE tmac.access_stats_history SET last_seen = last_seen - interval '8 days' WHERE person_id = 'D1';
SELECT is(pg_temp.n('access_before_departure'), 0::bigint,
          'cleared: reads before the departure was known are not reported');

-- access_off_hours: 03:00 on a working day, and 10:00 on a holiday
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('working_hours', '08:00-20:00')$$);
INSERT INTO tmac.access_stats_history (kind, person_id, table_name, login_role, statements, rows_read, last_seen)
  VALUES ('table', 'C1', 'st_doc', 't_carol', 3, 42,
          ((now() AT TIME ZONE 'Asia/Tokyo')::date - 1 + time '03:00') AT TIME ZONE 'Asia/Tokyo');
SELECT alike(pg_temp.detail('access_off_hours', 'person:C1'),
            'Person C1 read 42 rows and wrote 0 (3 statements) of st_doc outside working hours on % (Asia/Tokyo): accesses between 03:00 and 03:00; working hours are 08:00-20:00 %',
            'access_off_hours: created for 03:00');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('working_hours', '00:00-24:00')$$);
SELECT is(pg_temp.n('access_off_hours'), 0::bigint,
          'fixed: with round-the-clock working hours it is not reported');
UPDATE tmac.access_stats_history SET last_seen = last_seen + interval '7 hours' WHERE person_id = 'C1';
INSERT INTO tmac.holiday VALUES ((now() AT TIME ZONE 'Asia/Tokyo')::date - 1, '創立記念日');
SELECT alike(pg_temp.detail('access_off_hours', 'person:C1'),
            '% on % (Asia/Tokyo): accesses between 10:00 and 10:00; % is a holiday (創立記念日)%',
            'created again for 10:00 on a holiday');
DELETE FROM tmac.holiday;
SELECT is(pg_temp.n('access_off_hours'), 0::bigint,
          'cleared: the holiday removed');

-- access_first_compartment: A1's live reads of PRJ-A (the policy lets all 30021 rows through
-- before the query's own filter id < 10, which is evaluated after it: all are counted)
SET ROLE t_alice;
SELECT count(*) FROM st_doc WHERE id < 10;
RESET ROLE;
SELECT alike(pg_temp.detail('access_first_compartment', 'person:A1'),
            'Person A1 read compartment PRJ-A for the first time at %: 30021 rows in 1 statements since.%',
            'access_first_compartment: created by the first read (not yet snapshotted)');
INSERT INTO tmac.access_stats_history (kind, person_id, level_rank, compartment_id, statements, rows_read, first_seen, last_seen)
  VALUES ('label', 'A1', (SELECT rank FROM tmac.level WHERE code = 'SECRET'),
          (SELECT compartment_id FROM tmac.compartment WHERE code = 'PRJ-A'), 1, 1, now() - interval '40 days', now() - interval '40 days');
SELECT is(pg_temp.n('access_first_compartment'), 0::bigint,
          'fixed: an access 40 days ago means it was not the first');

-- access_shared_account: three persons behind one login role within the hour
INSERT INTO tmac.access_stats_history (kind, person_id, table_name, login_role, statements, rows_read, last_seen)
  SELECT 'table', p, 'st_doc', 'kiosk', 1, 10, date_bin('1 hour', now(), timestamptz '2000-01-03 00:00+00') - interval '30 minutes'
    FROM unnest(ARRAY['A1', 'C1', 'E1']) p;
SELECT alike(pg_temp.detail('access_shared_account', 'role:kiosk'),
            'Login role kiosk was used by 3 persons (A1, C1, E1) to read table st_doc between % and %: 30 rows in 3 statements%',
            'access_shared_account: created');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('shared_account_persons', '4')$$);
SELECT is(pg_temp.n('access_shared_account'), 0::bigint,
          'fixed: four persons needed');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.configure('shared_account_persons', '3')$$);
UPDATE tmac.access_stats_history SET last_seen = last_seen - interval '8 days' WHERE login_role = 'kiosk';
SELECT is(pg_temp.n('access_shared_account'), 0::bigint,
          'cleared: older than access_lookback');

-- settings are validated
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.configure('working_hours', '20:00-08:00')$q$)$$,
                 '22023', NULL, 'working hours must run forwards');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.configure('working_days', '1,8')$q$)$$,
                 '22023', NULL, 'working days are ISO weekdays');

-- the chart, and the report shows it for a person with a finding
SELECT alike(pg_temp.as_role('t_aud', $$SELECT tmac.access_chart_html('D1')$$),
            '<section class="access-chart" id="access-D1">%<svg %<rect %</svg></section>', 'access_chart_html draws an SVG');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);
ROLLBACK;
