-- stats_sites.sql — pgTAP: only the policy sites of protected tables count (src/access_stats.c).
-- tmac.row_readable must be executable by PUBLIC; a person calling it in their own expression,
-- over their own temporary tables (a thousand of them in a loop) or in a policy of their own
-- creates no counter and bumps none; tmac's own policy on a protected table counts each row
-- once, also when the person's query calls row_readable itself; reads through a partitioned
-- parent count under the parent, reads of a partition under the partition, reads through a
-- view under the table below it.
-- test.conf turns the statistics off for the other files; stats_fixture.psql turns them on.
BEGIN;
SELECT plan(12);
\set doc ss_doc
\i test/pgtap/stats_fixture.psql
\i test/pgtap/own_temp_reads.psql
CREATE TABLE ss_part (id integer, label tmac.label NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE ss_part_1 PARTITION OF ss_part FOR VALUES FROM (1) TO (100);
CREATE TABLE ss_part_2 PARTITION OF ss_part FOR VALUES FROM (100) TO (200);
INSERT INTO ss_part SELECT i, 'SECRET:PRJ-A' FROM generate_series(1, 150) i;
SELECT tmac.protect('ss_part');
GRANT SELECT ON ss_part, ss_part_1, ss_part_2 TO t_alice;
CREATE VIEW ss_view WITH (security_invoker = true) AS SELECT id, label FROM ss_doc;
GRANT SELECT ON ss_view TO t_alice;
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);

CREATE FUNCTION pg_temp.explain(q text) RETURNS SETOF text LANGUAGE plpgsql AS
$$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END $$;
CREATE FUNCTION pg_temp.counters() RETURNS TABLE (kind text, tbl text, statements bigint, rows_read bigint)
  LANGUAGE sql AS
$$ SELECT s.kind, s.relid::regclass::text, s.statements, s.rows_read FROM tmac.access_stats_raw() s ORDER BY 1, 2 $$;

-- the person's own calls of row_readable: over their own temporary tables, in their own policy
SET ROLE t_alice;
CREATE TEMP TABLE ss_mine (l tmac.label);
INSERT INTO ss_mine VALUES ('SECRET:PRJ-A'), ('SECRET:PRJ-A'), ('PUBLIC');
SELECT is((SELECT count(*) FROM ss_mine WHERE tmac.row_readable(l)), 3::bigint,
          'a person may call tmac.row_readable over their own temporary table');
SELECT is((SELECT array_agg(tmac.row_readable(l)) FROM ss_mine), '{t,t,t}'::boolean[], '... or in the select list');
SELECT pg_temp.own_temp_reads(1000, 'SECRET:PRJ-A');
CREATE TEMP TABLE ss_own_policy (l tmac.label);
INSERT INTO ss_own_policy VALUES ('SECRET:PRJ-A'), ('SECRET:PRJ-A');
ALTER TABLE ss_own_policy ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tmac_base ON ss_own_policy AS PERMISSIVE FOR ALL USING (true) WITH CHECK (true);
CREATE POLICY tmac_read ON ss_own_policy AS RESTRICTIVE FOR SELECT USING (tmac.row_readable(l));
SELECT is((SELECT count(*) FROM ss_own_policy), 2::bigint, 'a person''s own policy calling tmac.row_readable works');
RESET ROLE;
SELECT is((SELECT count(*) FROM tmac.access_stats_raw()), 0::bigint,
          'none of it creates a counter: not a thousand throw-away temporary tables, not a policy of their own');

-- tmac's policy on a protected table counts, once per row, also when the query calls row_readable itself
SET ROLE t_alice;
SELECT count(*) FROM ss_doc;
SELECT count(*) FROM ss_doc WHERE tmac.row_readable(label);
SELECT count(*) FROM (SELECT tmac.row_readable(d.label) FROM ss_doc d) x;
RESET ROLE;
SELECT results_eq('SELECT * FROM pg_temp.counters()',
                  $$VALUES ('label', '-', 3::bigint, 60::bigint), ('table', 'ss_doc', 3::bigint, 60::bigint)$$,
                  'three reads of ss_doc: 20 rows each, counted by the policy only');

SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);

-- attribution: partitioned parent, partition, view
SET ROLE t_alice;
SELECT count(*) FROM ss_part;
SELECT count(*) FROM ss_part_2;
SELECT count(*) FROM ss_view;
RESET ROLE;
SELECT results_eq($$SELECT tbl, statements, rows_read FROM pg_temp.counters() WHERE kind = 'table'$$,
                  $$VALUES ('ss_doc', 1::bigint, 20::bigint), ('ss_part', 1::bigint, 150::bigint),
                           ('ss_part_2', 1::bigint, 51::bigint)$$,
                  'a read of the partitioned parent counts under the parent, a read of a partition under it, a view under its table');

-- a SQL function the planner inlines (its query is rewritten, row security added, while planning)
CREATE FUNCTION ss_docs() RETURNS SETOF ss_doc LANGUAGE sql STABLE AS 'SELECT * FROM ss_doc';
CREATE FUNCTION ss_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM ss_doc';
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);
SET ROLE t_alice;
SELECT ok((SELECT string_agg(p, E'\n') FROM pg_temp.explain('SELECT count(*) FROM ss_docs()') e(p)) NOT LIKE '%Function Scan%',
          'ss_docs() is inlined');
SELECT count(*) FROM ss_docs();
SELECT ss_count();
RESET ROLE;
SELECT results_eq($$SELECT tbl, statements, rows_read FROM pg_temp.counters() WHERE kind = 'table'$$,
                  $$VALUES ('ss_doc', 2::bigint, 40::bigint)$$,
                  'reads through an inlined SQL function and a SQL function count too');

-- writes: only the protected table's WITH CHECK; a person's own table with their own policy counts nothing
GRANT INSERT ON ss_doc TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design', 'write')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);
SET ROLE t_alice;
INSERT INTO ss_doc VALUES (100, 'SECRET:PRJ-A');
CREATE POLICY tmac_insert ON ss_own_policy AS RESTRICTIVE FOR INSERT WITH CHECK (tmac.row_writable(l));
INSERT INTO ss_own_policy VALUES ('SECRET:PRJ-A');
RESET ROLE;
SELECT results_eq($$SELECT s.relid::regclass::text, s.rows_written FROM tmac.access_stats_raw() s WHERE s.kind = 'table'$$,
                  $$VALUES ('ss_doc', 1::bigint)$$,
                  'an insert into the protected table is counted, one into the person''s own table with their own policy is not');

-- the mark lives where SQL cannot reach it: EXPLAIN shows tmac's call unchanged
SET ROLE t_alice;
SELECT ok((SELECT string_agg(p, E'\n') FROM (SELECT * FROM pg_temp.explain('SELECT * FROM ss_doc')) e(p)) LIKE '%Filter: row_readable(label)%',
          'EXPLAIN shows the policy call as before');
RESET ROLE;

-- a cached plan follows protection: unprotect, and the same prepared statement stops counting
PREPARE ss_read AS SELECT count(*) FROM ss_doc;   -- 21 rows of PRJ-A now
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);
SET ROLE t_alice;
EXECUTE ss_read;
RESET ROLE;
SELECT tmac.unprotect('ss_doc');
ALTER TABLE ss_doc ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY ss_imitation ON ss_doc USING (tmac.row_readable(label));
SET ROLE t_alice;
EXECUTE ss_read;
RESET ROLE;
SELECT results_eq($$SELECT statements, rows_read FROM tmac.access_stats_raw() WHERE kind = 'table'$$,
                  $$VALUES (1::bigint, 21::bigint)$$,
                  'once unprotected (even with a look-alike policy on it), the table''s reads count no more');
SELECT is((SELECT count(*) FROM tmac.access_stats_raw() WHERE kind = 'table' AND relid = 'ss_doc'::regclass), 1::bigint,
          'and the counter it had stays');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.reset_access_stats()$$);
ROLLBACK;
