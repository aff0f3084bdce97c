-- enforce_parallel.sql — pgTAP: protected scans in parallel plans decide exactly as serial ones.
-- Parallel workers start with a cold cache and may not take a new snapshot; the leader hands
-- them its profiles (src/parallel_handoff.c).  A revocation between two statements is honoured
-- by the parallel plan of the next one, and a view without security_invoker decides as its
-- owner in the workers too.
BEGIN;
SELECT plan(10);
\i test/pgtap/people_fixture.psql
CREATE TABLE par_doc (id integer, label tmac.label NOT NULL);
INSERT INTO par_doc
  SELECT i, (ARRAY['PUBLIC', 'INTERNAL', 'CONFIDENTIAL:PRJ-A', 'SECRET:PRJ-A', 'SECRET:PRJ-B', 'CONFIDENTIAL::SALES'])[1 + i % 6]::tmac.label
    FROM generate_series(1, 30000) i;
SELECT tmac.protect('par_doc');
GRANT SELECT ON par_doc TO t_alice, t_dave;
ANALYZE par_doc;
CREATE VIEW par_owner_view AS SELECT id, label FROM par_doc;   -- no security_invoker: decides as its owner
ALTER VIEW par_owner_view OWNER TO t_alice;
GRANT SELECT ON par_owner_view TO t_dave;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'design')$$);
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'design')$$);

-- Counts with forced parallel plans and serially; workers launched per plan.
\i test/pgtap/parallel_count.psql
CREATE FUNCTION pg_temp.serial_count(q text) RETURNS bigint LANGUAGE plpgsql AS
$$
DECLARE
  n bigint;
BEGIN
  SET LOCAL max_parallel_workers_per_gather = 0;
  EXECUTE q INTO n;
  RESET max_parallel_workers_per_gather;
  RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.serial_count(text) TO PUBLIC;

SET ROLE t_alice;
SELECT ok((pg_temp.parallel_count('SELECT count(*) FROM par_doc')).workers > 0,
          'a protected scan runs with parallel workers launched');
SELECT is((pg_temp.parallel_count('SELECT count(*) FROM par_doc')).n, 20000::bigint,
          'the parallel scan sees PUBLIC, INTERNAL, CONFIDENTIAL:PRJ-A and SECRET:PRJ-A rows (4 of 6 kinds)');
SELECT is((pg_temp.parallel_count('SELECT count(*) FROM par_doc')).n,
          pg_temp.serial_count('SELECT count(*) FROM par_doc'), 'parallel and serial agree');
SELECT is((pg_temp.parallel_count($$SELECT count(*) FROM par_doc WHERE label = 'SECRET:PRJ-B'$$)).n, 0::bigint,
          'no worker returns a row the person may not read');
RESET ROLE;

-- Revocation between two statements: the next parallel statement honours it.
SET ROLE t_bob;
SELECT tmac.revoke((SELECT grant_id FROM tmac.grants WHERE person_id = 'A1' AND compartment = 'PRJ-A' AND status = 'active'),
                   'project left');
RESET ROLE;
SET ROLE t_alice;
SELECT is((pg_temp.parallel_count('SELECT count(*) FROM par_doc')).n, 10000::bigint,
          'after the revocation the parallel scan sees PUBLIC and INTERNAL rows only');
SELECT is((pg_temp.parallel_count('SELECT count(*) FROM par_doc')).n,
          pg_temp.serial_count('SELECT count(*) FROM par_doc'), 'and still agrees with the serial scan');
RESET ROLE;

-- A view without security_invoker decides as its owner (t_alice), in the workers too.
SET ROLE t_dave;
SELECT ok((pg_temp.parallel_count('SELECT count(*) FROM par_owner_view')).workers > 0,
          'the view is scanned by parallel workers');
SELECT is((pg_temp.parallel_count('SELECT count(*) FROM par_owner_view')).n,
          pg_temp.serial_count('SELECT count(*) FROM par_owner_view'), 'parallel and serial agree through the view');
SELECT is(pg_temp.serial_count('SELECT count(*) FROM par_owner_view'), 10000::bigint,
          'through the view, Dave sees what its owner Alice may see');
SELECT is((pg_temp.parallel_count('SELECT count(*) FROM par_doc')).n, 5000::bigint,
          'directly, Dave (no clearance) sees PUBLIC rows only, in parallel too');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
