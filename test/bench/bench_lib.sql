-- bench_lib.sql — helpers shared by every benchmark section (test/bench/run_bench.sh).
--
-- bench.compare(title, queries[], names[], reps, agree) runs each query once
-- to warm up, then reps rounds in which every query runs once, in rotating
-- order (bench.rounds, the timing loop it shares with bench.alternate), so that drift (caches, other work on the machine) hits them all
-- alike.  Each run is timed inside one backend, so no client round trip is
-- measured, in two ways: wall-clock time (clock_timestamp()) and the CPU time
-- the backend itself used (Linux /proc/self/schedstat), which other processes
-- on a busy machine barely disturb (the kernel updates it at scheduler ticks,
-- so it is good to a few ms: meant for runs of 100 ms or more); with parallel query the workers' CPU is
-- not counted, so only the wall-clock figures compare there.  Every query
-- must return one value; the function raises if the first `agree` queries
-- (default: all) disagree, because a benchmark of two filters that select
-- different rows would mean nothing.  Queries after those are baselines (e.g.
-- no filter).  It returns one row per query: median, min and max wall-clock
-- ms, median CPU ms, and the ratios of its medians to the first query's.
CREATE SCHEMA IF NOT EXISTS bench;

-- What bench.compare returned, kept by the sections that record their ratios (run_bench.sh
-- reads them back for the table of ratios, test/bench/ratio_table.sh).
CREATE TABLE IF NOT EXISTS bench.result (
  section text, query text, result text, median_ms numeric, min_ms numeric, max_ms numeric,
  ratio_to_first numeric, cpu_median_ms numeric, cpu_ratio_to_first numeric);

-- CPU time used so far by this backend, in nanoseconds; NULL where unknown.
CREATE OR REPLACE FUNCTION bench.cpu_ns() RETURNS bigint
LANGUAGE plpgsql AS
$$
BEGIN
  RETURN split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint;
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END
$$;

-- bench.rounds(title, setups[], queries[], names[], reps, agree, every_run): the one timing loop of
-- bench.compare and bench.alternate.  Each query runs once to warm up, right after its setup
-- (setups NULL: none), and the first `agree` must return the same value (it raises otherwise); then
-- reps rounds in which every query runs once, in rotating order, right after its setup (untimed),
-- timed in wall-clock and CPU ms; with every_run, each timed run must return that value too.
-- Returns one row per query and round: its warm-up result and the two times.
CREATE OR REPLACE FUNCTION bench.rounds(title text, setups text[], queries text[], names text[], reps integer,
                                        agree integer, every_run boolean)
RETURNS TABLE (query_no integer, rep integer, result text, ms float8, cpu_ms float8)
LANGUAGE plpgsql AS
$$
DECLARE
  n integer := array_length(queries, 1);
  times float8[] := array_fill(NULL::float8, ARRAY[n, reps]);
  cpu float8[] := array_fill(NULL::float8, ARRAY[n, reps]);
  results text[] := array_fill(NULL::text, ARRAY[n]);
  r text;
  t0 timestamptz;
  c0 bigint;
  i integer;
  k integer;
  q integer;
BEGIN
  FOR q IN 1..n LOOP                        -- warm-up, and the agreement check
    IF setups IS NOT NULL THEN
      EXECUTE setups[q];
    END IF;
    EXECUTE queries[q] INTO r;
    results[q] := r;
    IF q <= agree AND r IS DISTINCT FROM results[1] THEN
      RAISE EXCEPTION 'benchmark "%": % returned %, but % returned %', title, names[q], r, names[1], results[1];
    END IF;
  END LOOP;
  FOR k IN 1..reps LOOP
    FOR i IN 0..n - 1 LOOP
      q := (i + k - 1) % n + 1;             -- rotate which query goes first
      IF setups IS NOT NULL THEN
        EXECUTE setups[q];
      END IF;
      c0 := bench.cpu_ns();
      t0 := clock_timestamp();
      EXECUTE queries[q] INTO r;
      times[q][k] := extract(epoch FROM clock_timestamp() - t0) * 1000;
      cpu[q][k] := (bench.cpu_ns() - c0) / 1e6;
      IF every_run AND r IS DISTINCT FROM results[1] THEN
        RAISE EXCEPTION 'benchmark "%": % returned %, but % returned %', title, names[q], r, names[1], results[1];
      END IF;
    END LOOP;
  END LOOP;
  FOR q IN 1..n LOOP
    FOR k IN 1..reps LOOP
      query_no := q; rep := k; result := results[q]; ms := times[q][k]; cpu_ms := cpu[q][k];
      RETURN NEXT;
    END LOOP;
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION bench.compare(title text, queries text[], names text[], reps integer DEFAULT 7,
                                         agree integer DEFAULT NULL)
RETURNS TABLE (section text, query text, result text, median_ms numeric, min_ms numeric,
               max_ms numeric, ratio_to_first numeric, cpu_median_ms numeric, cpu_ratio_to_first numeric)
LANGUAGE plpgsql AS
$$
BEGIN
  RETURN QUERY
    WITH t AS MATERIALIZED (
           SELECT * FROM bench.rounds(title, NULL, queries, names, reps, coalesce(agree, array_length(queries, 1)), false)),
         m AS (
           SELECT t.query_no, min(t.result) AS res,
                  (percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms))::numeric AS med,
                  min(t.ms)::numeric AS lo, max(t.ms)::numeric AS hi,
                  (percentile_cont(0.5) WITHIN GROUP (ORDER BY t.cpu_ms))::numeric AS cpu
             FROM t GROUP BY t.query_no)
    SELECT title, names[m.query_no], m.res, round(m.med, 1), round(m.lo, 1), round(m.hi, 1),
           round(m.med / f.med, 3), round(m.cpu, 1), round(m.cpu / nullif(f.cpu, 0), 3)
      FROM m JOIN m f ON f.query_no = 1
     ORDER BY m.query_no;
END
$$;

-- bench.alternate(title, setups[], queries[], names[], reps) times statements that need a
-- different session state each (another role, a superuser-only setting): in each of reps rounds,
-- every query runs once, in rotating order, right after its setup (run untimed, as the session's
-- user: it may RESET ROLE, SET what it needs and SET ROLE again), all in this one backend, so
-- that the machine's load falls on every query alike.  Every query must return the same value
-- (it raises otherwise).  Returns per query the median wall-clock and CPU ms, and the medians of
-- the paired ratios (query / the first one, round by round: wall-clock and CPU time).
CREATE OR REPLACE FUNCTION bench.alternate(title text, setups text[], queries text[], names text[],
                                           reps integer DEFAULT 20)
RETURNS TABLE (query text, result text, median_ms numeric, cpu_median_ms numeric,
               paired_ratio numeric, cpu_paired_ratio numeric)
LANGUAGE plpgsql AS
$$
BEGIN
  RETURN QUERY
    WITH t AS MATERIALIZED (
           SELECT * FROM bench.rounds(title, setups, queries, names, reps, array_length(queries, 1), true))
    SELECT names[t.query_no], min(t.result),
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 3),
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.cpu_ms)::numeric, 3),
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms / nullif(f.ms, 0))::numeric, 3),
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.cpu_ms / nullif(f.cpu_ms, 0))::numeric, 3)
      FROM t JOIN t f ON f.query_no = 1 AND f.rep = t.rep
     GROUP BY t.query_no
     ORDER BY t.query_no;
  EXECUTE 'RESET ROLE';
END
$$;
