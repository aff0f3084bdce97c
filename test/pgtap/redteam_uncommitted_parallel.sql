-- redteam_uncommitted_parallel.sql — pgTAP (fixed in src/profile_cache.c, rule 5 and 6).
-- A parallel worker decides with the profiles its leader handed over (rule 5) — but only for
-- the roles the leader saw in the plan's range table.  A PARALLEL SAFE function run by a
-- worker may read through a view of another owner (or be SECURITY DEFINER): that role's
-- profile is fetched in the worker, with the statement's snapshot (own uncommitted changes
-- included; under REPEATABLE READ, the transaction's old snapshot) and without rule 6, whose
-- writer list lives only in the leader.  So a tmac_admin who moved SALES under DEV reads the
-- SALES row through Alice's view in a worker, while the same read in the leader hides it.
-- Fix: put the leader's committed_state_only() answer (fixed for the worker: the outer user
-- cannot change in parallel mode) in the header of tmac.parallel_profiles and use it in the
-- worker's committed_state_only(); for a role not handed over, fetch with
-- TMAC_SNAPSHOT_COMMITTED when it says so — or refuse (ERROR, "the leader did not hand over the
-- profile of role …; mark the function PARALLEL RESTRICTED") so a worker never decides on a
-- snapshot the leader would not use.
BEGIN;
SELECT plan(2);
\i test/pgtap/people_fixture.psql
\i test/pgtap/alice_view.psql
CREATE TABLE rtp_big AS SELECT g FROM generate_series(1, 20000) g;
ANALYZE rtp_big;
GRANT SELECT ON rtp_big TO t_adm;
CREATE FUNCTION public.rtp_sales_seen() RETURNS integer LANGUAGE plpgsql STABLE PARALLEL SAFE AS
  $$BEGIN RETURN (SELECT count(*) FILTER (WHERE v.id = 3) FROM public.alice_view v); END$$;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;
SET LOCAL max_parallel_workers_per_gather = 2;
SET ROLE t_adm;
SELECT tmac.move_group('SALES', 'DEV');
SELECT is(public.rtp_sales_seen(), 0, 'in the leader the admin''s uncommitted move does not show the SALES row');
SELECT max(public.rtp_sales_seen()) AS in_workers FROM rtp_big WHERE g < 3 \gset
SELECT is(:in_workers, 0, 'nor in parallel workers (is() itself is parallel unsafe: the query runs first)');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
