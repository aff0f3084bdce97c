-- 90_compliance_planner.sql — planner settings of the compliance queries: no JIT, sorts in memory.
--
-- Runs after every file that registers a built-in check (71–86), so each check function,
-- wherever it is defined, gets the setting.
-- The compliance queries are index lookups and small joins: JIT compilation costs more than it
-- saves (the planner's row estimates for partial-index predicates are high).  Their per-person
-- aggregates (training, pledges, grants) sort a row per person: 64 MB keeps 100,000 persons'
-- sorts in memory instead of on disk (a check that sets its own work_mem keeps it).
DO $jit$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
            WHERE p.pronamespace = 'tmac'::regnamespace
              AND (p.oid IN (SELECT pg_catalog.to_regproc(c.function_name) FROM tmac.compliance_check c WHERE c.builtin)
                   OR p.proname IN ('compliance_check_results', 'sod_role_conflicts', 'duty_holders',
                                    'compliance_report_html', 'population_counts', 'compliance_run',
                                    'findings_of', 'compliance_status_of'))
              AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SET jit = off', f);
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc x, unnest(x.proconfig) c
                    WHERE x.oid = f AND c LIKE 'work\_mem=%') THEN
      EXECUTE pg_catalog.format('ALTER FUNCTION %s SET work_mem = %L', f, '64MB');
    END IF;
  END LOOP;
END
$jit$;
