-- attack23_index_plan_oracle.sql — pgTAP: a plain EXPLAIN (nothing executed, nothing counted)
-- must not tell a reader anything the hidden planner statistics (hide_statistics) withhold.
-- With the policy index support (tmac.policy_index_support), the planner offers the index on
-- the label column only when the column's pg_statistic row says at most a third of the rows
-- lie at or below the planning role's level: so the plan shape of `SELECT * FROM t` tells an
-- uncleared reader whether the rows hidden from them are above their level or at their level
-- behind a compartment — which the hidden statistics are there to keep from them.
-- Two tables with the same visible rows and the same number of rows: the 900 rows ivan cannot
-- read are TOP_SECRET in one, PUBLIC:PRJ-B in the other.  Their plans must not differ.
BEGIN;
SELECT plan(3);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.enrolled('t_ivan');
SELECT pg_temp.hire('io-1', 'I1', '{"full_name":"Ivan","org_group":"DEV","job_role":"engineer","login_role":"t_ivan"}');

CREATE TABLE oracle_high (id integer PRIMARY KEY, body text, label tmac.label NOT NULL);
CREATE TABLE oracle_comp (id integer PRIMARY KEY, body text, label tmac.label NOT NULL);
INSERT INTO oracle_high SELECT i, 'open ' || i, 'PUBLIC' FROM generate_series(1, 100) i;
INSERT INTO oracle_high SELECT i, 'hidden ' || i, 'TOP_SECRET' FROM generate_series(101, 1000) i;
INSERT INTO oracle_comp SELECT i, 'open ' || i, 'PUBLIC' FROM generate_series(1, 100) i;
INSERT INTO oracle_comp SELECT i, 'hidden ' || i, 'PUBLIC:PRJ-B' FROM generate_series(101, 1000) i;
CREATE INDEX ON oracle_high (label);
CREATE INDEX ON oracle_comp (label);
SELECT tmac.protect('oracle_high'), tmac.protect('oracle_comp');
GRANT SELECT ON oracle_high, oracle_comp TO t_ivan;
ANALYZE oracle_high, oracle_comp;

CREATE FUNCTION pg_temp.plan_of(r name, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', r);
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP plan := plan || line || E'\n'; END LOOP;
  RESET ROLE;
  RETURN plan;
END $$;

SELECT is(pg_temp.as_role('t_ivan', 'SELECT count(*) FROM oracle_high') || '/' ||
          pg_temp.as_role('t_ivan', 'SELECT count(*) FROM oracle_comp'), '100/100',
          'ivan reads the same 100 PUBLIC rows of both tables');
SELECT is(replace(pg_temp.plan_of('t_ivan', 'SELECT * FROM oracle_high'), 'oracle_high', 't'),
          replace(pg_temp.plan_of('t_ivan', 'SELECT * FROM oracle_comp'), 'oracle_comp', 't'),
          'a plain EXPLAIN by ivan does not tell where the rows hidden from him lie (hidden statistics)');
SELECT ok(strpos(pg_temp.plan_of('t_ivan', 'SELECT * FROM oracle_high'), 'readable_upper_bound') = 0
          OR strpos(pg_temp.plan_of('t_ivan', 'SELECT * FROM oracle_comp'), 'readable_upper_bound') > 0,
          'ivan''s plan is not chosen from the hidden distribution of the labels');
SELECT * FROM finish();
ROLLBACK;
