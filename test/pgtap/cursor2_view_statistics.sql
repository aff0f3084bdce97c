-- cursor2_view_statistics.sql — pgTAP: statistics through a view are real only when both the
-- view's owner (the role the rows are read as) and the current user (who sees EXPLAIN) may
-- read every row (statistics_hiding.c; issue 17's second review, S-1).
-- frank, cleared for every label, owns a security_barrier view of the INTERNAL rows of a
-- protected table and grants it to ivan, who holds no clearance.  214 hidden rows hold
-- secret = 'launch-3' at TOP_SECRET:PRJ-B; 'launch-9' is in no row.  Before, ivan's
-- EXPLAIN through frank's view was planned with frank's (real) statistics: 'launch-3'
-- estimated far above an absent value.
BEGIN;
SELECT plan(7);
\i test/pgtap/people_fixture.psql

SELECT tmac.define_group('HQ', '本社');
SELECT tmac.move_group('DEV', 'HQ'), tmac.move_group('SALES', 'HQ');
SELECT pg_temp.enrolled('t_frank', 't_ivan');
SELECT pg_temp.hire('vs-1', 'F1', '{"full_name":"Frank","org_group":"HQ","job_role":"director","login_role":"t_frank"}');
SELECT pg_temp.hire('vs-2', 'I1', '{"full_name":"Ivan","org_group":"DEV","job_role":"engineer","login_role":"t_ivan"}');
SELECT pg_temp.as_role('t_dave', format('SELECT tmac.approve(%s)',
         pg_temp.granted($$SELECT tmac.request_clearance('F1', 'TOP_SECRET', now() + interval '30 days', 'all')$$))) AS f1,
       pg_temp.granted($$SELECT tmac.request_access('F1', 'PRJ-A', now() + interval '30 days', 'all')$$) IS NOT NULL AS f2,
       pg_temp.granted($$SELECT tmac.request_access('F1', 'PRJ-B', now() + interval '30 days', 'all')$$) IS NOT NULL AS f3;

CREATE TABLE view_doc (id integer PRIMARY KEY, secret text, note text, label tmac.label NOT NULL);
INSERT INTO view_doc SELECT i, 'launch-3', 'n' || (i % 3), 'TOP_SECRET:PRJ-B' FROM generate_series(1, 214) i;
INSERT INTO view_doc SELECT i, 'visible-' || i, 'n' || (i % 3), 'INTERNAL' FROM generate_series(215, 2000) i;
CREATE STATISTICS view_doc_mcv (mcv) ON secret, note FROM view_doc;
SELECT tmac.protect('view_doc');
GRANT SELECT ON view_doc TO t_frank;
ANALYZE view_doc;
CREATE VIEW frank_internal WITH (security_barrier) AS SELECT * FROM view_doc WHERE label = 'INTERNAL';
ALTER VIEW frank_internal OWNER TO t_frank;
GRANT SELECT ON frank_internal TO t_ivan;

\i test/pgtap/planner_estimates.psql
\set col 'SELECT * FROM frank_internal WHERE secret = %L'
\set ext 'SELECT * FROM frank_internal WHERE secret = %L AND note = ''n1'''

SELECT is(pg_temp.as_role('t_ivan', 'SELECT count(*) FROM frank_internal'), '1786',
          'ivan reads the INTERNAL rows through frank''s view');
SELECT ok(pg_temp.hidden('t_ivan', :'col'),
          'ivan through frank''s view: a value only hidden rows hold is estimated as an absent one');
SELECT ok(NOT pg_temp.real('t_ivan', :'col'), 'not as frank''s statistics say');
SELECT ok(pg_temp.hidden('t_ivan', :'ext'), 'the same through extended statistics');
SELECT ok(pg_temp.real('t_frank', :'col'), 'frank through his own view gets the real estimates');
SELECT ok(pg_temp.real(current_user, :'col'), 'so does the superuser through frank''s view (both read every row)');
-- ivan's own SECURITY DEFINER function cannot borrow frank's statistics either
CREATE FUNCTION ivan_explain(v text) RETURNS json LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ DECLARE j json; BEGIN EXECUTE format('EXPLAIN (FORMAT JSON) SELECT * FROM public.frank_internal WHERE secret = %L', v) INTO j; RETURN j; END $$;
ALTER FUNCTION ivan_explain(text) OWNER TO t_ivan;
GRANT EXECUTE ON FUNCTION ivan_explain(text) TO t_frank;
SELECT is(pg_temp.as_role('t_frank', $$SELECT (ivan_explain('launch-3') -> 0 -> 'Plan' ->> 'Plan Rows') = (ivan_explain('launch-9') -> 0 -> 'Plan' ->> 'Plan Rows')$$),
          'true', 'frank calling ivan''s definer function: the current user is ivan, so default estimates');

SELECT * FROM finish();
ROLLBACK;
