-- planner_statistics.sql — pgTAP: planner statistics never reveal hidden rows (statistics_hiding.c).
-- 214 rows hold secret = 'launch-3' at TOP_SECRET:PRJ-B, which alice (SECRET, PRJ-A) may not
-- read; 'launch-9' is in no row.  With hide_statistics on (the default) alice's estimates for
-- the two are the same (PostgreSQL's defaults), for a column, an expression index and extended
-- statistics; the superuser, and frank, cleared for every label the vocabulary can form, get
-- the real ones; hide_statistics off is a weakening setting, and gives alice the real ones.
BEGIN;
SELECT plan(20);
\i test/pgtap/people_fixture.psql

-- one root group, so that a person can reach every group
SELECT tmac.define_group('HQ', '本社');
SELECT tmac.move_group('DEV', 'HQ'), tmac.move_group('SALES', 'HQ');
SELECT pg_temp.enrolled('t_frank');
SELECT pg_temp.hire('ps-1', 'F1', '{"full_name":"Frank","org_group":"HQ","job_role":"director","login_role":"t_frank"}');
-- a TOP_SECRET (極秘) clearance needs a second approver
SELECT pg_temp.as_role('t_dave', format('SELECT tmac.approve(%s)',
         pg_temp.granted($$SELECT tmac.request_clearance('F1', 'TOP_SECRET', now() + interval '30 days', 'all')$$))) AS f1,
       pg_temp.granted($$SELECT tmac.request_access('F1', 'PRJ-A', now() + interval '30 days', 'all')$$) IS NOT NULL AS f2,
       pg_temp.granted($$SELECT tmac.request_access('F1', 'PRJ-B', now() + interval '30 days', 'all')$$) IS NOT NULL AS f3,
       pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'some')$$) IS NOT NULL AS a1,
       pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'some')$$) IS NOT NULL AS a2;

CREATE TABLE planner_doc (id integer PRIMARY KEY, secret text, note text, label tmac.label NOT NULL);
INSERT INTO planner_doc SELECT i, 'launch-3', 'n' || (i % 3), 'TOP_SECRET:PRJ-B' FROM generate_series(1, 214) i;
INSERT INTO planner_doc SELECT i, 'visible-' || i, 'n' || (i % 3), 'INTERNAL' FROM generate_series(215, 2000) i;
CREATE INDEX planner_doc_lower ON planner_doc (lower(secret));
CREATE STATISTICS planner_doc_mcv (mcv) ON secret, note FROM planner_doc;
SELECT tmac.protect('planner_doc');
GRANT SELECT ON planner_doc TO t_alice, t_frank;
ANALYZE planner_doc;
-- the same rows in a protected partitioned table
CREATE TABLE planner_part (id integer, secret text, label tmac.label NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE planner_part_1 PARTITION OF planner_part FOR VALUES FROM (1) TO (1001);
CREATE TABLE planner_part_2 PARTITION OF planner_part FOR VALUES FROM (1001) TO (3001);
INSERT INTO planner_part SELECT id, secret, label FROM planner_doc;
SELECT tmac.protect('planner_part');
GRANT SELECT ON planner_part TO t_alice;
ANALYZE planner_part;
-- views without security_invoker: read as their owner
CREATE VIEW planner_frank_view AS SELECT * FROM planner_doc;
ALTER VIEW planner_frank_view OWNER TO t_frank;
CREATE VIEW planner_alice_view AS SELECT * FROM planner_doc;
ALTER VIEW planner_alice_view OWNER TO t_alice;
GRANT SELECT ON planner_frank_view TO t_alice;

\i test/pgtap/planner_estimates.psql
\set col 'SELECT * FROM planner_doc WHERE secret = %L'
\set expr 'SELECT * FROM planner_doc WHERE lower(secret) = %L'
\set ext 'SELECT * FROM planner_doc WHERE secret = %L AND note = ''n1'''

SELECT ok(pg_temp.hidden('t_alice', :'col'), 'alice: a value only hidden rows hold is estimated as an absent one');
SELECT ok(NOT pg_temp.real('t_alice', :'col'), 'alice: not as the statistics say');
SELECT ok(pg_temp.hidden('t_alice', :'expr'), 'alice: the same through an expression index''s statistics');
SELECT ok(pg_temp.hidden('t_alice', :'ext'), 'alice: the same through extended statistics (MCV over two columns)');
SELECT is(pg_temp.pair(current_user, :'col'), ARRAY[214, 1]::numeric[], 'the superuser gets the real estimates');
SELECT ok(NOT pg_temp.hidden(current_user, :'ext'), 'and the real extended statistics');
SELECT ok(pg_temp.real('t_frank', :'col'), 'frank, cleared for every label, gets the real estimates');
SELECT ok(NOT pg_temp.hidden('t_frank', :'expr'), 'and the expression index''s');
SELECT ok(pg_temp.hidden('t_alice', 'SELECT * FROM planner_part WHERE secret = %L'),
          'alice: the same for a partitioned table (the parent''s and the partitions'' statistics)');
SELECT ok(pg_temp.hidden('t_alice', 'SELECT * FROM planner_frank_view WHERE secret = %L'),
          'through frank''s view alice reads as frank, but she sees the estimates: default ones (cursor2_view_statistics.sql)');
SELECT ok(pg_temp.hidden(current_user, 'SELECT * FROM planner_alice_view WHERE secret = %L'),
          'through alice''s view even the superuser reads as alice: default estimates');
SELECT matches(pg_temp.as_role('t_alice', 'EXPLAIN (COSTS OFF) SELECT * FROM planner_doc WHERE id = 5'),
               '^Index Scan using planner_doc_pkey', 'a point lookup under hidden statistics keeps its index');

-- the setting, and its finding
SELECT throws_ok($$SELECT tmac.configure('hide_statistics', 'sometimes')$$, '22023', NULL,
                 'hide_statistics takes on or off');
SELECT is((SELECT count(*) FROM tmac.findings WHERE subject = 'setting:hide_statistics'), 0::bigint,
          'on (the default): no finding');
SELECT tmac.configure('hide_statistics', 'off');
SELECT ok(pg_temp.real('t_alice', :'col'), 'hide_statistics off: alice gets the real estimates');
SELECT ok(NOT pg_temp.hidden('t_alice', :'ext'), 'and the real extended statistics');
SELECT results_eq($$SELECT criterion, check_code, severity FROM tmac.findings WHERE subject = 'setting:hide_statistics'$$,
  $$VALUES ('V'::text, 'protected_table_unenforced'::text, 'medium'::text)$$,
  'hide_statistics off is a finding under the protected tables'' check');
SELECT matches((SELECT detail FROM tmac.findings WHERE subject = 'setting:hide_statistics'),
  '^Setting hide_statistics is off \(tmac''s default: on\).*estimates \(EXPLAIN\)', 'saying what it weakens');
SELECT tmac.configure('hide_statistics', 'on');
SELECT ok(pg_temp.hidden('t_alice', :'col'), 'on again: alice''s estimates are the defaults again');
SELECT is((SELECT count(*) FROM tmac.findings WHERE subject = 'setting:hide_statistics'), 0::bigint,
          'and the finding is gone');

SELECT * FROM finish();
ROLLBACK;
