-- 79_compliance_privileges.sql — audit triggers and privileges of the compliance objects.
--
-- tmac_auditor reads every compliance table and view and the audit log and
-- changes nothing: it gets SELECT and EXECUTE on read-only (STABLE) functions
-- only.  Reviews are run by tmac_access_admin (start, close) and decided by
-- access admins and approvers; SoD rules and checks are tmac_admin's.
-- Every change to these governance tables lands in tmac.audit_log.

SELECT tmac.add_audit_trigger('tmac.duty', 'duty');
SELECT tmac.add_audit_trigger('tmac.duty_assignment', 'assignment_id', 'person_id');
SELECT tmac.add_audit_trigger('tmac.sod_rule', 'rule_id');
SELECT tmac.add_audit_trigger('tmac.sod_exception', 'exception_id');
SELECT tmac.add_audit_trigger('tmac.compliance_check', 'check_code');
SELECT tmac.add_audit_trigger('tmac.privileged_role', 'role_name');
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.sod_exception FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();
CREATE TRIGGER forbid_delete BEFORE DELETE ON tmac.duty_assignment FOR EACH ROW EXECUTE FUNCTION tmac.forbid_delete();

REVOKE ALL ON tmac.access_review, tmac.access_review_item, tmac.grant_audit, tmac.review_evidence,
  tmac.criterion, tmac.compliance_check, tmac.privileged_role, tmac.findings, tmac.compliance_status,
  tmac.access_rights_ledger, tmac.duty, tmac.duty_assignment, tmac.sod_rule,
  tmac.sod_exception FROM PUBLIC;
REVOKE ALL ON FUNCTION
  tmac.review_item_line(bigint, text, text, text, text, text, timestamptz, timestamptz),
  tmac.review_population_text(bigint), tmac.reviewer(text),
  tmac.start_review(text, timestamptz, text, text, text, text), tmac.review_decide(bigint, bigint, text, text),
  tmac.close_review(bigint), tmac.close_due_reviews(), tmac.audit_grant(bigint, text, text),
  tmac.check_prerequisites_met(text[]), tmac.html_escape(text)
FROM PUBLIC;

-- Reading: the auditor and the administrator read everything here.
GRANT SELECT ON tmac.access_review, tmac.access_review_item, tmac.grant_audit, tmac.review_evidence,
  tmac.criterion, tmac.compliance_check, tmac.privileged_role, tmac.findings, tmac.compliance_status,
  tmac.access_rights_ledger, tmac.duty, tmac.duty_assignment, tmac.sod_rule,
  tmac.sod_exception
TO tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.access_review, tmac.access_review_item, tmac.review_evidence, tmac.grant_audit
  TO tmac_access_admin, tmac_approver;
GRANT EXECUTE ON FUNCTION tmac.review_population_text(bigint), tmac.check_prerequisites_met(text[]),
  tmac.html_escape(text), tmac.review_item_line(bigint, text, text, text, text, text, timestamptz, timestamptz)
TO tmac_auditor, tmac_admin, tmac_access_admin, tmac_approver;

-- Reviews and second-person audits.
GRANT EXECUTE ON FUNCTION tmac.start_review(text, timestamptz, text, text, text, text),
  tmac.close_review(bigint) TO tmac_access_admin, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.review_decide(bigint, bigint, text, text), tmac.audit_grant(bigint, text, text)
  TO tmac_access_admin, tmac_approver, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.close_due_reviews() TO tmac_admin;

-- tmac.grants calls tmac.grant_lapse, which 59_privileges.sql revokes from PUBLIC; every role
-- granted SELECT on tmac.grants needs it (an immutable computation over its arguments).
GRANT EXECUTE ON FUNCTION tmac.grant_lapse(tstzrange, timestamptz)
  TO tmac_auditor, tmac_admin, tmac_access_admin, tmac_approver;

-- The compliance queries are index lookups and small joins: JIT compilation costs more than it
-- saves (the planner's row estimates for partial-index predicates are high).
DO $jit$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
            WHERE p.pronamespace = 'tmac'::regnamespace
              AND (p.oid IN (SELECT pg_catalog.to_regproc(c.function_name) FROM tmac.compliance_check c WHERE c.builtin)
                   OR p.proname IN ('check_results', 'sod_role_conflicts', 'duty_holders',
                                    'compliance_report_html'))
              AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
  LOOP
    EXECUTE pg_catalog.format('ALTER FUNCTION %s SET jit = off', f);
  END LOOP;
END
$jit$;
