-- 79_compliance_audit.sql — audit triggers of the compliance objects, and their JIT setting.
--
-- Every change to these governance tables lands in tmac.audit_log.  Their privileges are
-- granted in 99_privileges.sql.

SELECT tmac.add_audit_trigger('tmac.duty', 'duty');
SELECT tmac.add_audit_trigger('tmac.duty_assignment', 'assignment_id', 'person_id');
SELECT tmac.add_audit_trigger('tmac.sod_rule', 'rule_id');
SELECT tmac.add_audit_trigger('tmac.sod_exception', 'exception_id');
SELECT tmac.add_audit_trigger('tmac.compliance_check', 'check_code');
SELECT tmac.add_audit_trigger('tmac.privileged_role', 'role_name');
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.sod_exception FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.duty_assignment FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();


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
                                    'compliance_report_html'))
              AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SET jit = off', f);
  END LOOP;
END
$jit$;
