-- bench_lib.sql — helpers shared by every benchmark section (test/bench/run_bench.sh).
--
-- bench.compare(title, queries[], names[], reps, agree) runs each query once to warm
-- up, then reps rounds in which every query runs once, in rotating order, so
-- that drift (caches, the fuzzer or a neighbour on the machine) hits them all
-- alike.  Each run is timed with clock_timestamp() around EXECUTE inside one
-- backend, so no client round trip is measured.  Every query must return one
-- value; the function raises if the first `agree` queries (default: all)
-- disagree, because a benchmark of two filters that select different rows
-- would mean nothing.  Queries after those are baselines (e.g. no filter).  It returns one
-- row per query: median, min and max in ms and the ratio of its median to the
-- first query's.
CREATE SCHEMA IF NOT EXISTS bench;

CREATE OR REPLACE FUNCTION bench.compare(title text, queries text[], names text[], reps integer DEFAULT 7,
                                         agree integer DEFAULT NULL)
RETURNS TABLE (section text, query text, result text, median_ms numeric, min_ms numeric,
               max_ms numeric, ratio_to_first numeric)
LANGUAGE plpgsql AS
$$
DECLARE
  n integer := array_length(queries, 1);
  times float8[] := array_fill(NULL::float8, ARRAY[n, reps]);
  results text[] := array_fill(NULL::text, ARRAY[n]);
  r text;
  t0 timestamptz;
  i integer;
  k integer;
  q integer;
  first_median numeric;
  med numeric;
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
      t0 := clock_timestamp();
      EXECUTE queries[q] INTO r;
      times[q][k] := extract(epoch FROM clock_timestamp() - t0) * 1000;
    END LOOP;
  END LOOP;
  FOR q IN 1..n LOOP
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x), min(x), max(x)
      INTO median_ms, min_ms, max_ms
      FROM unnest(times[q:q][1:reps]) AS x;
    IF q = 1 THEN first_median := median_ms; END IF;
    section := title; query := names[q]; result := results[q];
    ratio_to_first := round(median_ms / first_median, 3);
    median_ms := round(median_ms, 1); min_ms := round(min_ms, 1); max_ms := round(max_ms, 1);
    RETURN NEXT;
  END LOOP;
END
$$;
