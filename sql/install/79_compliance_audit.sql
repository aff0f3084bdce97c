-- 79_compliance_audit.sql — audit triggers of the compliance objects.
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
