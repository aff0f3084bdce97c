-- 59_privileges.sql — who may do what with people, grants and the audit log.
--
-- Nothing that changes state is granted to PUBLIC.  Each tmac role gets what
-- its job needs and nothing more:
--   tmac_hr           feeds HR events (INSERT on tmac.hr_event), records pledges and training
--   tmac_access_admin requests, extends and revokes; cannot approve
--   tmac_approver     approves, rejects, revokes, marks grants as surviving role changes
--   tmac_auditor      reads everything here and verifies the audit log; changes nothing
--   tmac_admin        configures tmac, runs and schedules maintenance, reads everything
-- The access-profile functions are for the extension owner (the C enforcement code).

REVOKE ALL ON tmac.audit_log, tmac.audit_head, tmac.setting, tmac.setting_default, tmac.settings,
  tmac.person, tmac.pledge, tmac.training_completion, tmac.hr_event, tmac.access_grant, tmac.grants,
  tmac.maintenance_state FROM PUBLIC;

DO $p$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                                 AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
     WHERE p.pronamespace = 'tmac'::regnamespace
       AND p.proname IN ('audit_append', 'audit_record', 'audit_trigger', 'audit_log_protect', 'audit_head_merge', 'audit_head_advance', 'add_audit_trigger',
                         'verify_audit_log', 'configure', 'setting_value', 'setting_lookup', 'setting_on', 'group_code',
                         'person_of_role', 'acting_person', 'forbid_delete', 'day_start', 'record_pledge',
                         'record_training', 'hr_error', 'hr_validate', 'hr_apply', 'apply_due_events',
                         'hr_event_receive', 'hr_receive_one', 'hr_event_guard', 'queue_session_end',
                         'grant_lapse', 'level_rank_of', 'compartment_id_of', 'check_no_overlap', 'new_request',
                         'request_clearance', 'request_access', 'lock_for_decision', 'approve', 'reject', 'revoke',
                         'extend', 'keep_on_role_change', 'person_state_at', 'pledge_window', 'training_window',
                         'check_prerequisites', 'grant_in_force', 'access_profile_internal', 'access_profile_of',
                         'access_profile', 'access_as_of', 'run_maintenance', 'schedule_jobs', 'unschedule_jobs',
                         'audit_entry_text', 'audit_update_query', 'audit_jsonb_object', 'audit_pick')
  LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$p$;
-- Harmless, and needed by column defaults evaluated as the inserting role.
GRANT EXECUTE ON FUNCTION tmac.invoker() TO PUBLIC;

-- Reading.
GRANT SELECT ON tmac.person TO tmac_hr, tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.grants TO tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.hr_event TO tmac_hr, tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.pledge, tmac.training_completion TO tmac_hr, tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.settings, tmac.maintenance_state TO tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.audit_log TO tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.access_grant TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.verify_audit_log(), tmac.access_as_of(text, timestamptz),
  tmac.check_prerequisites(text, timestamptz) TO tmac_auditor, tmac_admin, tmac_access_admin, tmac_approver;

-- HR.
GRANT INSERT (event_id, person_id, kind, effective_at, attributes) ON tmac.hr_event TO tmac_hr;
GRANT EXECUTE ON FUNCTION tmac.record_pledge(text, text, date, date),
  tmac.record_training(text, text, date) TO tmac_hr;

-- Access administration.
GRANT EXECUTE ON FUNCTION tmac.request_clearance(text, text, timestamptz, text, timestamptz),
  tmac.request_access(text, text, timestamptz, text, text, timestamptz),
  tmac.extend(bigint, timestamptz) TO tmac_access_admin;
GRANT EXECUTE ON FUNCTION tmac.revoke(bigint, text) TO tmac_access_admin, tmac_approver;

-- Approval.
GRANT EXECUTE ON FUNCTION tmac.approve(bigint, text), tmac.reject(bigint, text),
  tmac.keep_on_role_change(bigint, text) TO tmac_approver;

-- Administration.
GRANT EXECUTE ON FUNCTION tmac.configure(text, text), tmac.run_maintenance(),
  tmac.schedule_jobs(text), tmac.unschedule_jobs() TO tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.audit_record(text, text, text, jsonb) TO tmac_admin;

-- tmac.grants computes each grant's status with grant_lapse, and a view's
-- functions are checked against the reader: everyone who may read the view
-- needs it (it only computes from its arguments).
GRANT EXECUTE ON FUNCTION tmac.grant_lapse(tstzrange, timestamptz) TO PUBLIC;
