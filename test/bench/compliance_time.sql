-- compliance_time.sql — times each compliance view and each built-in check function of the
-- database it runs in (test/bench/compliance_bench.sh; also by hand against a database the
-- bench kept: psql -At -F ' ' -v reps=3 -f test/bench/compliance_time.sql).  Prints
-- "label ms rows" lines: the best of :reps runs of each.
\if :{?reps}
\else
\set reps 3
\endif
\if :{?timeout}
\else
\set timeout 600s
\endif
SET bench.reps = :reps;
SET statement_timeout = :'timeout';
CREATE FUNCTION pg_temp.best_ms(q text, OUT ms numeric, OUT n bigint) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz; d numeric;
BEGIN
  FOR i IN 1..current_setting('bench.reps')::int LOOP
    t0 := clock_timestamp();
    BEGIN
      EXECUTE 'SELECT count(*) FROM (' || q || ') x WHERE x::text IS NOT NULL' INTO n;
    EXCEPTION WHEN query_canceled THEN   -- statement_timeout (bench.timeout): printed as ms -1
      ms := -1; n := NULL; RETURN;
    END;
    d := extract(epoch FROM clock_timestamp() - t0) * 1000;
    ms := least(coalesce(ms, d), d);
  END LOOP;
  ms := round(ms, 1);
END $$;
SELECT 'compliance_status', * FROM pg_temp.best_ms('SELECT * FROM tmac.compliance_status');
SELECT 'findings', * FROM pg_temp.best_ms('SELECT * FROM tmac.findings');
SELECT 'sod_violations()', * FROM pg_temp.best_ms('SELECT * FROM tmac.sod_violations()');
SELECT 'access_rights_ledger', * FROM pg_temp.best_ms('SELECT * FROM tmac.access_rights_ledger');
SELECT 'compliance_report_html()', * FROM pg_temp.best_ms('SELECT tmac.compliance_report_html()');
SELECT 'review_evidence', * FROM pg_temp.best_ms('SELECT * FROM tmac.review_evidence');
SELECT 'population_counts()', * FROM pg_temp.best_ms('SELECT * FROM tmac.population_counts()');
-- every built-in check function, once each (a grouped function serves several checks)
-- (one statement each, so that statement_timeout bounds each)
SELECT format('SELECT %L, * FROM pg_temp.best_ms(%L)', f || '()', 'SELECT * FROM ' || f || '()')
  FROM (SELECT DISTINCT function_name AS f FROM tmac.compliance_check WHERE builtin) k ORDER BY 1
\gexec
