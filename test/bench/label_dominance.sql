-- label_dominance.sql — time a dominance filter on tmac.label against plain columns.
--
-- Counts the rows of bench.doc a SECRET:PRJ-A,PRJ-B reader may see, written
-- three ways: with tmac's @> operator, on the plain columns (rank, compartment
-- bitmap, and "no group", since a label naming groups is only visible to a
-- reader holding one of them), and with no filter at all (the cost of the scan
-- itself).  The psql variable :parallel sets max_parallel_workers_per_gather.  The
-- timings are kept in bench.result, from which run_bench.sh records the ratios.
\set ON_ERROR_STOP 1
SET max_parallel_workers_per_gather = :parallel;
SET jit = off;
\echo
\echo max_parallel_workers_per_gather = :parallel (ratio = median / median of plain columns; cpu = CPU time of this backend)
WITH r AS (
INSERT INTO bench.result
SELECT * FROM bench.compare(
    'label dominance, max_parallel_workers_per_gather=' || current_setting('max_parallel_workers_per_gather'),
    ARRAY[
      $q$SELECT count(*) FROM bench.doc WHERE level_rank <= 30 AND (comp_bits & ~6::bigint) = 0 AND grp_bits = 0$q$,
      $q$SELECT count(*) FROM bench.doc WHERE 'SECRET:PRJ-A,PRJ-B'::tmac.label @> label$q$,
      $q$SELECT count(*) FROM bench.doc$q$],
    ARRAY['plain columns', 'tmac @>', 'no filter'],
    :reps, 2)
RETURNING *)
SELECT query, result AS rows_seen, median_ms, min_ms, max_ms, ratio_to_first AS ratio_to_plain,
       cpu_median_ms AS cpu_median, cpu_ratio_to_first AS cpu_ratio
  FROM r;
