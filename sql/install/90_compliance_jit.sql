-- 90_compliance_jit.sql — no JIT for the compliance queries.
--
-- Runs after every file that registers a built-in check (71–86), so each check function,
-- wherever it is defined, gets the setting.
-- The compliance queries are index lookups and small joins: JIT compilation costs more than it
-- saves (the planner's row estimates for partial-index predicates are high).
DO $jit$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
            WHERE p.pronamespace = 'tmac'::regnamespace
              AND (p.oid IN (SELECT pg_catalog.to_regproc(c.function_name) FROM tmac.compliance_check c WHERE c.builtin)
                   OR p.proname IN ('compliance_check_results', 'sod_role_conflicts', 'duty_holders',
                                    'compliance_report_html', 'population_counts'))
              AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SET jit = off', f);
  END LOOP;
END
$jit$;
