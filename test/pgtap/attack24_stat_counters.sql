-- attack24_stat_counters.sql — insider review: the statistics collector's per-transaction counters
-- count the rows the policy hid, exactly what EXPLAIN ANALYZE now withholds (explain_withhold.c).
-- A person cleared SECRET without PRJ-B reads the size of the PRJ-B compartment from
-- pg_stat_get_xact_tuples_returned(<label index>) (index entries returned, hidden ones included)
-- and from pg_stat_xact_user_tables.idx_tup_fetch (heap tuples a bitmap scan fetched, hidden ones
-- included), right after a count(*) that answers 0.  No EXPLAIN, no privilege: these functions
-- and views are granted to PUBLIC (and pg_stat_user_indexes gives the same after the flush).
-- tmac cannot rewrite the counters; after tmac.restrict_activity_counters() (a superuser's
-- hardening step) Dave gets permission denied from each of them, while the counters still count
-- the hidden rows for pg_read_all_stats (read here by the superuser in the same backend).
BEGIN;
SELECT plan(18);
\i test/pgtap/people_fixture.psql

-- 30,000 rows: 600 SECRET:PRJ-B (every 50th), the rest PUBLIC.
SELECT pg_temp.every_50th_hidden('a24_doc', 30000);
CREATE INDEX a24_doc_id ON a24_doc (id);
GRANT SELECT ON a24_doc TO t_dave;
ANALYZE a24_doc;
-- A column's contents: 3,000 PUBLIC rows and 27,000 TOP_SECRET ones; 'launch-3' in 216 TOP_SECRET rows.
CREATE TABLE a24_ts (id integer, label tmac.label NOT NULL, secret text);
INSERT INTO a24_ts SELECT i, (CASE WHEN i % 10 = 0 THEN 'PUBLIC' ELSE 'TOP_SECRET' END)::tmac.label,
                          CASE WHEN i % 10 <> 0 AND i <= 240 THEN 'launch-3' ELSE 'other-' || (i % 500) END
  FROM generate_series(1, 30000) i;
CREATE INDEX a24_ts_secret ON a24_ts (secret);
SELECT tmac.protect('a24_ts');
GRANT SELECT ON a24_ts TO t_dave;
ANALYZE a24_ts;
-- Dave: SECRET, no compartment (the SECRET:PRJ-B rows are hidden from him).
SELECT pg_temp.granted($$SELECT tmac.request_clearance('D1', 'SECRET', now() + interval '30 days', 'design')$$);

-- 0. Only a superuser hardens; the run is audited and idempotent.
SET ROLE t_adm;
SELECT throws_ok('SELECT tmac.restrict_activity_counters()', '42501', NULL, 'the function is granted to nobody');
RESET ROLE;
GRANT EXECUTE ON FUNCTION tmac.restrict_activity_counters() TO t_adm;
SET ROLE t_adm;
SELECT throws_ok('SELECT tmac.restrict_activity_counters()', '42501',
                 'only a superuser may restrict the activity counters', 'even granted, a tmac_admin may not change pg_catalog''s privileges');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION tmac.restrict_activity_counters() FROM t_adm;
SELECT is((SELECT count(*) FROM tmac.restrict_activity_counters()), 27::bigint,
          'restrict_activity_counters() revokes the tuple and block counters from PUBLIC');
SELECT is((SELECT count(*) FROM tmac.restrict_activity_counters()), 0::bigint, 'and is idempotent: a second run changes nothing');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'hardening' AND action = 'restrict_activity_counters'
                                                 AND detail->'functions' ? 'pg_stat_get_xact_tuples_returned(oid)'), 1::bigint,
          'the change is audited once, naming the functions');
SELECT ok(has_function_privilege('pg_read_all_stats', 'pg_stat_get_tuples_returned(oid)', 'EXECUTE')
          AND has_function_privilege('pg_monitor', 'pg_stat_get_xact_tuples_fetched(oid)', 'EXECUTE'),
          'pg_read_all_stats and pg_monitor keep the counters');

SET ROLE t_dave;
SET max_parallel_workers_per_gather = 0;

-- 1. Index (only) scan on the label index: index entries returned.
SET enable_seqscan = off; SET enable_bitmapscan = off;
RESET ROLE;
SELECT pg_stat_get_xact_tuples_returned('a24_doc_label'::regclass) AS r0 \gset
SET ROLE t_dave;
SELECT count(*) AS seen FROM a24_doc WHERE label = 'SECRET:PRJ-B' \gset
SELECT is(:seen::bigint, 0::bigint, 'Dave sees no SECRET:PRJ-B row');
SELECT throws_ok($$SELECT pg_stat_get_xact_tuples_returned('a24_doc_label'::regclass)$$, '42501', NULL,
                 'Dave may not read the label index''s returned-tuples counter (it counts the compartment''s 600 rows)');
RESET ROLE;
SELECT is(pg_stat_get_xact_tuples_returned('a24_doc_label'::regclass) - :r0, 600::bigint,
          'the counter does count the hidden rows: it is for pg_read_all_stats only');
SET ROLE t_dave;

-- 2. Bitmap heap scan on another index: heap tuples fetched (20 hidden among ids 1..1000).
SET enable_seqscan = off; SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = on;
SELECT count(*) AS seen FROM a24_doc WHERE id BETWEEN 1 AND 1000 \gset
SELECT is(:seen::bigint, 980::bigint, 'Dave sees 980 of ids 1..1000');
SELECT throws_ok($$SELECT idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relid = 'a24_doc'::regclass$$, '42501', NULL,
                 'Dave may not read pg_stat_xact_user_tables.idx_tup_fetch (1000 for 980 seen: 20 hidden)');
SELECT throws_ok($$SELECT pg_stat_get_xact_tuples_fetched('a24_doc'::regclass)$$, '42501', NULL,
                 'nor pg_stat_get_xact_tuples_fetched');

-- 3. A content oracle: how many TOP_SECRET rows hold secret = 'launch-3' (and, likewise, whether
-- any holds a guessed value), from the data column's index counter.
SET enable_seqscan = off; SET enable_indexscan = on; SET enable_bitmapscan = off;
SELECT count(*) AS seen FROM a24_ts WHERE secret = 'launch-3' \gset
SELECT is(:seen::bigint, 0::bigint, 'Dave sees no row with secret = launch-3');
SELECT throws_ok($$SELECT pg_stat_get_xact_tuples_returned('a24_ts_secret'::regclass)$$, '42501', NULL,
                 'Dave may not read the secret column''s index counter (216 hidden rows hold launch-3)');

-- 4. The cumulative counters and views, after the flush.
SELECT throws_ok($$SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelid = 'a24_ts_secret'::regclass$$, '42501', NULL,
                 'Dave may not read pg_stat_user_indexes');
SELECT throws_ok($$SELECT n_live_tup FROM pg_stat_user_tables WHERE relid = 'a24_ts'::regclass$$, '42501', NULL,
                 'nor pg_stat_user_tables (n_live_tup counts the hidden rows too)');
SELECT throws_ok($$SELECT heap_blks_read FROM pg_statio_user_tables WHERE relid = 'a24_ts'::regclass$$, '42501', NULL,
                 'nor pg_statio_user_tables');
-- The database's totals add every relation's counts: in a quiet database tup_fetched moves by
-- the hidden rows a scan went through.
SELECT throws_ok($$SELECT tup_fetched FROM pg_stat_database WHERE datname = current_database()$$, '42501', NULL,
                 'nor the database''s totals in pg_stat_database');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
