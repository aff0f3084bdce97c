-- planner_view_function.sql — pgTAP: a view decides as its owner also inside an inlined SQL
-- function (view_owner.c).  t_owner maps to no person, so through its view it sees only the two
-- PUBLIC rows; alice (SECRET, PRJ-A) sees all six directly.  A set-returning SQL function that
-- the planner inlines expands the view while planning, after tmac's planner hook; it must give
-- the view's answer, as the same function not inlined does, also nested in another view.
BEGIN;
SELECT plan(10);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'tap')$$) IS NOT NULL AS c,
       pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'tap')$$) IS NOT NULL AS g;
CREATE ROLE t_owner;
CREATE TABLE pv_doc (id integer PRIMARY KEY, label tmac.label NOT NULL);
INSERT INTO pv_doc VALUES (1, 'PUBLIC'), (2, 'PUBLIC'), (3, 'INTERNAL'), (4, 'SECRET'), (5, 'SECRET:PRJ-A'), (6, 'INTERNAL:PRJ-A');
SELECT tmac.protect('pv_doc');
GRANT SELECT ON pv_doc TO t_owner, t_alice;
CREATE VIEW pv_view AS SELECT id FROM pv_doc;
CREATE VIEW pv_invoker WITH (security_invoker = true) AS SELECT id FROM pv_doc;
ALTER VIEW pv_view OWNER TO t_owner;
-- STABLE and single-statement: inlined; VOLATILE: run on its own (planned through the planner hook)
CREATE FUNCTION pv_inlined() RETURNS SETOF integer LANGUAGE sql STABLE AS 'SELECT id FROM pv_view';
CREATE FUNCTION pv_separate() RETURNS SETOF integer LANGUAGE sql VOLATILE AS 'SELECT id FROM pv_view';
CREATE FUNCTION pv_invoker_inlined() RETURNS SETOF integer LANGUAGE sql STABLE AS 'SELECT id FROM pv_invoker';
-- a view over the function, owned by another role: the function still runs as the reader
CREATE VIEW pv_outer AS SELECT id FROM pv_inlined() id;
ALTER VIEW pv_outer OWNER TO t_owner;
GRANT SELECT ON pv_view, pv_invoker, pv_outer TO t_alice;
CREATE FUNCTION pg_temp.explain_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS
$$ BEGIN RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || q; END $$;

SET LOCAL ROLE t_alice;
SELECT is((SELECT count(*) FROM pv_doc), 6::bigint, 'alice reads six rows directly');
SELECT is((SELECT count(*) FROM pv_view), 2::bigint, 'two through the view (its owner''s decision)');
SELECT unalike((SELECT string_agg(p, ' ') FROM pg_temp.explain_lines('SELECT * FROM pv_inlined()') p),
               '%Function Scan%', 'the STABLE function is inlined');
SELECT is((SELECT count(*) FROM pv_inlined()), 2::bigint, 'two through the view inside an inlined SQL function');
SELECT is((SELECT count(*) FROM pv_separate()), 2::bigint, 'two through the same function not inlined');
SELECT is((SELECT count(*) FROM (SELECT * FROM pv_inlined() WHERE true LIMIT 100) s), 2::bigint,
          'two when the inlined function sits in a subquery');
SELECT is((SELECT count(*) FROM pv_outer), 2::bigint, 'two through a view over the inlined function');
SELECT is((SELECT count(*) FROM pv_invoker_inlined()), 6::bigint,
          'a security_invoker view inside an inlined function decides as the reader: six');
SELECT ok((SELECT string_agg(p, ' ') FROM pg_temp.explain_lines('SELECT * FROM pv_inlined()') p)
          ~ format('row_readable\(label, ''%s''::oid\)', 't_owner'::regrole::oid),
          'the inlined view''s policy decides for its owner');
SELECT is((SELECT array_agg(i ORDER BY i) FROM pv_inlined() i), (SELECT array_agg(id ORDER BY id) FROM pv_view),
          'the same rows both ways');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
