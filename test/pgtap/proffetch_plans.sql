-- proffetch_plans.sql — pgTAP: fetching an access profile does not parse and plan its helpers
-- again at every call.  A SQL function that cannot be inlined (it has a SET clause, such as a
-- pinned search_path, or is SECURITY DEFINER) is parsed and planned anew each time it is
-- called from a PL/pgSQL statement, and so is a scalar one with a subquery by every statement
-- that calls it; tmac.access_profile_of called three of the first kind (pledge_window,
-- training_window, training_courses_required) and nine times tmac.setting_value, and spent most of
-- its 3–25 ms planning them.  What makes the fetch slow is that shape, not a timing, so this
-- asserts the shape: no such SQL function among the functions the fetch reaches, and access_profile_of keeps its statements'
-- plans (plan_cache_mode force_generic_plan).  The answers stay those of the other profile tests;
-- one is checked here against the same person with the helpers called directly.
BEGIN;
SELECT plan(6);
\i test/pgtap/people_fixture.psql

-- The tmac functions reached from tmac.access_profile_fetch: a function reaches those whose name,
-- followed by "(", appears in its definition (over-approximate: more functions, never fewer).
CREATE TEMP TABLE reached AS
WITH RECURSIVE f AS (
  SELECT p.oid, p.proname, l.lanname, p.proconfig, p.prosecdef, p.proretset, pg_catalog.pg_get_functiondef(p.oid) AS def
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
   WHERE p.pronamespace = 'tmac'::regnamespace AND p.prokind = 'f'),
r(oid) AS (
  SELECT 'tmac.access_profile_fetch(name, text, timestamptz)'::regprocedure::oid
  UNION
  SELECT g.oid FROM r JOIN f ON f.oid = r.oid JOIN f g ON f.def ~ ('\m' || g.proname || '\(') AND g.oid <> f.oid)
SELECT f.* FROM f JOIN r USING (oid);

SELECT ok((SELECT pg_catalog.array_agg(proname ORDER BY proname) FROM reached)
          @> '{access_profile_of,person_state_at,pledge_window,training_window,training_status_of,training_courses_required}',
  'the fetch reaches the profile and its helpers');
SELECT is((SELECT pg_catalog.array_agg(proname::text ORDER BY proname) FROM reached
            WHERE lanname = 'sql' AND (proconfig IS NOT NULL OR prosecdef)),
          NULL::text[],
  'no SQL function that cannot be inlined (SET clause or SECURITY DEFINER) on the fetch''s path: it would be planned again at every call');
SELECT is((SELECT pg_catalog.array_agg(proname::text ORDER BY proname) FROM reached
            WHERE lanname = 'sql' AND NOT proretset AND def ~ '\(\s*SELECT\M'),
          NULL::text[],
  'no scalar SQL function with a subquery on the fetch''s path (never inlined: every statement calling it plans it again; setting_value was nine of them a profile)');
SELECT ok((SELECT proconfig FROM pg_catalog.pg_proc WHERE oid = 'tmac.access_profile_of(text, timestamptz)'::regprocedure)
          @> '{plan_cache_mode=force_generic_plan}',
  'access_profile_of keeps its statements'' plans (no custom plan per person)');
SELECT is((SELECT lanname FROM reached WHERE proname = 'training_courses_required'), 'plpgsql',
  'training_courses_required is never inlined (its callers read its few rows once) and keeps its plan');

-- the same answer as the helpers give (a person with pledge and training on record)
SELECT is((SELECT ROW(a.pledge_ok, a.training_ok)::text FROM tmac.access_profile_of('A1', now()) a),
          (SELECT ROW(coalesce((SELECT w.ok FROM tmac.pledge_window('A1', now(), (SELECT s.pledge_since FROM tmac.person_state_at('A1', now()) s)) w), false),
                      coalesce((SELECT w.ok FROM tmac.training_window('A1', now()) w), false))::text),
  'the profile''s prerequisites are the helpers'' answers');

SELECT * FROM finish();
ROLLBACK;
