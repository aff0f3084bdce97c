-- explainleak_rows_removed.sql — pgTAP: EXPLAIN ANALYZE does not count the rows the policy hid
-- (src/explain_withhold.c).  With a leakproof condition of one's own on an indexed label column
-- (WHERE label = 'SECRET:PRJ-B'), "Rows Removed by Filter" and a Bitmap Index Scan's "Actual
-- Rows" used to give a person cleared SECRET without PRJ-B the exact number of SECRET:PRJ-B
-- rows.  Sequential, index, index-only, bitmap and parallel (leader and workers, workers only)
-- plans; a person cleared for the rows keeps the real numbers; a view decided as its owner
-- withholds them from a cleared reader; the answers do not change.  And the rows a lossy bitmap's
-- recheck removes before the policy runs: WHERE label = 'PUBLIC' under a small work_mem counted
-- the SECRET:PRJ-B rows on lossy pages although the plan hid no row.
BEGIN;
SELECT plan(25);
\i test/pgtap/people_fixture.psql

-- 30,000 rows: 600 SECRET:PRJ-B (every 50th), the rest PUBLIC.
SELECT pg_temp.every_50th_hidden('el_doc', 30000);
GRANT SELECT ON el_doc TO t_alice, t_dave;
ANALYZE el_doc;
-- The same rows, wider: 1,700 pages, more than a 64 kB bitmap holds exactly.
CREATE TABLE el_wide (id integer, label tmac.label NOT NULL, body text);
INSERT INTO el_wide SELECT id, label, repeat('x', 400) FROM el_doc;
CREATE INDEX el_wide_label ON el_wide (label);
SELECT tmac.protect('el_wide');
GRANT SELECT ON el_wide TO t_dave;
ANALYZE el_wide;
CREATE VIEW el_owner_view AS SELECT id, label, body FROM el_doc;   -- decides as its owner
ALTER VIEW el_owner_view OWNER TO t_dave;
GRANT SELECT ON el_owner_view TO t_alice;
-- Dave: SECRET, no compartment (the SECRET:PRJ-B rows are hidden from him).
-- Alice: SECRET and PRJ-B (sees every row).
SELECT pg_temp.granted($$SELECT tmac.request_clearance('D1', 'SECRET', now() + interval '30 days', 'design')$$);
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'design')$$);
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'design')$$);

-- EXPLAIN (ANALYZE, FORMAT JSON) of q under a forced plan shape: seq, index, indexonly, bitmap,
-- parallel (leader and 2 workers), workers (2 workers, leader not reading), parallel_bitmap,
-- lossy (bitmap in 64 kB of work_mem).
CREATE FUNCTION pg_temp.analyzed(q text, shape text) RETURNS jsonb LANGUAGE plpgsql AS
$$
DECLARE
  plan json;
BEGIN
  IF shape IN ('seq', 'parallel', 'workers') THEN
    SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = off;
  ELSIF shape = 'index' THEN
    SET LOCAL enable_seqscan = off; SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = off;
  ELSIF shape = 'indexonly' THEN
    SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;
  ELSE
    SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off;
  END IF;
  IF shape = 'lossy' THEN
    SET LOCAL work_mem = '64kB';
  END IF;
  IF shape IN ('parallel', 'workers', 'parallel_bitmap') THEN
    SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;
    SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL min_parallel_index_scan_size = 0;
    SET LOCAL max_parallel_workers_per_gather = 2;
    PERFORM set_config('parallel_leader_participation', CASE WHEN shape = 'workers' THEN 'off' ELSE 'on' END, true);
    IF shape = 'parallel_bitmap' THEN
      SET LOCAL cpu_tuple_cost = 1;     -- 600 rows: a parallel bitmap scan only when rows cost more
    END IF;
  ELSE
    SET LOCAL max_parallel_workers_per_gather = 0;
  END IF;
  EXECUTE 'EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) ' || q INTO plan;
  RESET enable_seqscan; RESET enable_indexscan; RESET enable_indexonlyscan; RESET enable_bitmapscan;
  RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
  RESET min_parallel_index_scan_size; RESET max_parallel_workers_per_gather; RESET parallel_leader_participation;
  RESET cpu_tuple_cost; RESET work_mem;
  RETURN plan::jsonb;
END
$$;
-- What an analysed plan counts that could include hidden rows: the rows removed by filter and
-- index recheck, heap fetches and Bitmap Index Scan rows (EXPLAIN prints them per loop: times
-- the loops), summed over the plan; with its scan nodes' types, the workers launched and the
-- lossy heap blocks.
CREATE FUNCTION pg_temp.counted(plan jsonb) RETURNS TABLE (scan text, removed numeric, index_rows numeric,
                                                           heap_fetches numeric, workers int, lossy numeric)
LANGUAGE sql AS
$$
  SELECT (SELECT string_agg(DISTINCT t #>> '{}', ',')
            FROM jsonb_path_query(plan, 'strict $.**."Node Type" ? (@ like_regex "Scan$")') t),
         (SELECT coalesce(sum((coalesce(n ->> 'Rows Removed by Filter', '0')::numeric
                               + coalesce(n ->> 'Rows Removed by Index Recheck', '0')::numeric)
                              * (n ->> 'Actual Loops')::numeric), 0)
            FROM jsonb_path_query(plan, 'strict $.** ? (exists (@."Actual Loops"))') n),
         (SELECT coalesce(sum((n ->> 'Actual Rows')::numeric * (n ->> 'Actual Loops')::numeric), 0)
            FROM jsonb_path_query(plan, 'strict $.** ? (@."Node Type" == "Bitmap Index Scan")') n),
         (SELECT coalesce(sum((v #>> '{}')::numeric), 0)
            FROM jsonb_path_query(plan, 'strict $.**."Heap Fetches"') v),
         (SELECT coalesce(sum((v #>> '{}')::int), 0)
            FROM jsonb_path_query(plan, 'strict $.**."Workers Launched"') v),
         (SELECT coalesce(sum((v #>> '{}')::numeric), 0)
            FROM jsonb_path_query(plan, 'strict $.**."Lossy Heap Blocks"') v)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.analyzed(text, text), pg_temp.counted(jsonb) TO PUBLIC;
CREATE TEMP TABLE el_seen AS
  SELECT NULL::name AS who, NULL::text AS shape, NULL::text AS q, c.*, NULL::bigint AS answer
    FROM pg_temp.counted('{}') c WHERE false;
GRANT INSERT, SELECT ON el_seen TO PUBLIC;
CREATE FUNCTION pg_temp.observe(q text, shape text) RETURNS void LANGUAGE plpgsql AS
$$
DECLARE
  n bigint;
BEGIN
  EXECUTE q INTO n;
  INSERT INTO el_seen SELECT current_user, shape, q, c.*, n FROM pg_temp.counted(pg_temp.analyzed(q, shape)) c;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.observe(text, text) TO PUBLIC;

\set rows 'SELECT count(body) FROM el_doc WHERE label = ''SECRET:PRJ-B'''
\set keys 'SELECT count(*) FROM el_doc WHERE label = ''SECRET:PRJ-B'''
\set viewrows 'SELECT count(body) FROM el_owner_view WHERE label = ''SECRET:PRJ-B'''
SET ROLE t_dave;
SELECT pg_temp.observe(:'rows', s) FROM unnest('{seq,index,bitmap,parallel,workers,parallel_bitmap}'::text[]) s;
SELECT pg_temp.observe(:'keys', 'indexonly');
SELECT pg_temp.observe('SELECT count(body) FROM el_wide WHERE label = ''PUBLIC''', 'lossy');
RESET ROLE;
SET ROLE t_alice;
SELECT pg_temp.observe(:'rows', s) FROM unnest('{seq,index,bitmap,parallel,workers,parallel_bitmap}'::text[]) s;
SELECT pg_temp.observe(:'keys', 'indexonly');
SELECT pg_temp.observe(:'viewrows', s) FROM unnest('{seq,index,bitmap}'::text[]) s;
RESET ROLE;

-- The plans are the shapes asked for.
SELECT is((SELECT string_agg(DISTINCT scan, ' | ' ORDER BY scan) FROM el_seen WHERE who = 't_dave' AND shape <> 'lossy'),
          'Bitmap Heap Scan,Bitmap Index Scan | Index Only Scan | Index Scan | Seq Scan',
          'sequential, index, index-only and bitmap scans were analysed');
SELECT ok((SELECT bool_and(workers > 0) FROM el_seen WHERE shape IN ('parallel', 'workers', 'parallel_bitmap')),
          'the parallel plans launched workers');

-- 1. Dave (SECRET, not PRJ-B): no count of the 600 hidden rows, in any plan.
SELECT is(removed, 0::numeric, format('%s scan: no "Rows Removed by Filter" counts hidden rows for Dave', shape))
  FROM el_seen WHERE who = 't_dave' AND q NOT LIKE '%count(*)%' AND shape <> 'lossy' ORDER BY shape;
SELECT is(index_rows, 0::numeric, format('%s scan: the Bitmap Index Scan does not count hidden index matches for Dave', shape))
  FROM el_seen WHERE who = 't_dave' AND shape IN ('bitmap', 'parallel_bitmap') ORDER BY shape;
SELECT is(removed + heap_fetches, 0::numeric, 'index-only scan: neither rows removed nor heap fetches count hidden rows for Dave')
  FROM el_seen WHERE who = 't_dave' AND shape = 'indexonly';
SELECT is(answer, 0::bigint, 'and Dave''s answers are unchanged: none of the rows is his')
  FROM (SELECT max(answer) AS answer FROM el_seen WHERE who = 't_dave' AND shape <> 'lossy') a;

-- 2. A plan that hid no row: Dave counts his PUBLIC rows through a lossy bitmap.  The recheck
-- removes the SECRET:PRJ-B rows of the lossy pages before the policy sees them.
SELECT ok(lossy > 0, 'the bitmap of Dave''s PUBLIC rows is lossy in 64 kB')
  FROM el_seen WHERE who = 't_dave' AND shape = 'lossy';
SELECT is(removed, 0::numeric, '"Rows Removed by Index Recheck" does not count the hidden rows of the lossy pages')
  FROM el_seen WHERE who = 't_dave' AND shape = 'lossy';
SELECT is(answer, 29400::bigint, 'and Dave still counts his 29,400 PUBLIC rows')
  FROM el_seen WHERE who = 't_dave' AND shape = 'lossy';

-- 3. Alice (cleared for SECRET:PRJ-B): her query hid no row, and she keeps the real numbers.
SELECT is(removed, 29400::numeric, 'seq scan: Alice sees the 29,400 rows her own condition removed')
  FROM el_seen WHERE who = 't_alice' AND shape = 'seq' AND q LIKE '%FROM el_doc%';
SELECT is(removed, 29400::numeric, format('%s scan: Alice sees the rows removed in leader and workers', shape))
  FROM el_seen WHERE who = 't_alice' AND shape IN ('parallel', 'workers') ORDER BY shape;
SELECT is(index_rows, 600::numeric, 'bitmap scan: Alice sees the Bitmap Index Scan''s 600 matches')
  FROM el_seen WHERE who = 't_alice' AND shape = 'bitmap' AND q LIKE '%FROM el_doc%';
SELECT ok(heap_fetches > 0, 'index-only scan: Alice sees the heap fetches')
  FROM el_seen WHERE who = 't_alice' AND shape = 'indexonly';
SELECT is(array_agg(DISTINCT answer), '{600}'::bigint[], 'and Alice''s answers are unchanged: 600 rows in every plan')
  FROM el_seen WHERE who = 't_alice' AND q LIKE '%FROM el_doc%';

-- 4. Through a view owned by Dave, Alice reads as Dave: the rows hidden from the owner are hidden
-- from her, and so is their count.
SELECT is(removed + index_rows, 0::numeric, format('%s scan through Dave''s view: no count of the rows hidden from its owner', shape))
  FROM el_seen WHERE who = 't_alice' AND q LIKE '%el_owner_view%' ORDER BY shape;
SELECT is(array_agg(DISTINCT answer), '{0}'::bigint[], 'and the view''s answer is unchanged: Dave''s rows only')
  FROM el_seen WHERE who = 't_alice' AND q LIKE '%el_owner_view%';

SELECT * FROM finish();
ROLLBACK;
