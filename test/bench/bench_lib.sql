-- bench_lib.sql — helpers shared by every benchmark section (test/bench/run_bench.sh).
--
-- bench.compare(title, queries[], names[], reps, agree) runs each query once
-- to warm up, then reps rounds in which every query runs once, in rotating
-- order, so that drift (caches, other work on the machine) hits them all
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

CREATE OR REPLACE FUNCTION bench.compare(title text, queries text[], names text[], reps integer DEFAULT 7,
                                         agree integer DEFAULT NULL)
RETURNS TABLE (section text, query text, result text, median_ms numeric, min_ms numeric,
               max_ms numeric, ratio_to_first numeric, cpu_median_ms numeric, cpu_ratio_to_first numeric)
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
  first_median numeric;
  first_cpu numeric;
BEGIN
  FOR q IN 1..n LOOP                        -- warm-up, and the agreement check
    EXECUTE queries[q] INTO r;
    results[q] := r;
    IF q <= coalesce(agree, n) AND r IS DISTINCT FROM results[1] THEN
      RAISE EXCEPTION 'benchmark "%": % returned %, but % returned %',
        title, names[q], r, names[1], results[1];
    END IF;
  END LOOP;
  FOR k IN 1..reps LOOP
    FOR i IN 0..n - 1 LOOP
      q := (i + k - 1) % n + 1;             -- rotate which query goes first
      c0 := bench.cpu_ns();
      t0 := clock_timestamp();
      EXECUTE queries[q] INTO r;
      times[q][k] := extract(epoch FROM clock_timestamp() - t0) * 1000;
      cpu[q][k] := (bench.cpu_ns() - c0) / 1e6;
    END LOOP;
  END LOOP;
  FOR q IN 1..n LOOP
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x), min(x), max(x)
      INTO median_ms, min_ms, max_ms
      FROM unnest(times[q:q][1:reps]) AS x;
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x)
      INTO cpu_median_ms
      FROM unnest(cpu[q:q][1:reps]) AS x;
    IF q = 1 THEN first_median := median_ms; first_cpu := cpu_median_ms; END IF;
    section := title; query := names[q]; result := results[q];
    ratio_to_first := round(median_ms / first_median, 3);
    cpu_ratio_to_first := round(cpu_median_ms / nullif(first_cpu, 0), 3);
    median_ms := round(median_ms, 1); min_ms := round(min_ms, 1); max_ms := round(max_ms, 1);
    cpu_median_ms := round(cpu_median_ms, 1);
    RETURN NEXT;
  END LOOP;
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
    EXECUTE setups[q];
    EXECUTE queries[q] INTO r;
    results[q] := r;
    IF r IS DISTINCT FROM results[1] THEN
      RAISE EXCEPTION 'benchmark "%": % returned %, but % returned %', title, names[q], r, names[1], results[1];
    END IF;
  END LOOP;
  FOR k IN 1..reps LOOP
    FOR i IN 0..n - 1 LOOP
      q := (i + k - 1) % n + 1;             -- rotate which query goes first
      EXECUTE setups[q];
      c0 := bench.cpu_ns();
      t0 := clock_timestamp();
      EXECUTE queries[q] INTO r;
      times[q][k] := extract(epoch FROM clock_timestamp() - t0) * 1000;
      cpu[q][k] := (bench.cpu_ns() - c0) / 1e6;
      IF r IS DISTINCT FROM results[1] THEN
        RAISE EXCEPTION 'benchmark "%": % returned %, but % returned %', title, names[q], r, names[1], results[1];
      END IF;
    END LOOP;
  END LOOP;
  EXECUTE 'RESET ROLE';
  FOR q IN 1..n LOOP
    query := names[q]; result := results[q];
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 3) INTO median_ms FROM unnest(times[q:q][1:reps]) AS x;
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 3) INTO cpu_median_ms FROM unnest(cpu[q:q][1:reps]) AS x;
    SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY times[q][j] / nullif(times[1][j], 0))::numeric, 3),
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu[q][j] / nullif(cpu[1][j], 0))::numeric, 3)
      INTO paired_ratio, cpu_paired_ratio
      FROM generate_series(1, reps) AS j;
    RETURN NEXT;
  END LOOP;
END
$$;
