-- 99_privileges.sql — every privilege on schema tmac, as one allowlist, last in the install.
--
-- Nothing is executable or readable by accident: first every function, table, view and
-- sequence of the schema is revoked from PUBLIC, then each role is granted exactly what its
-- job needs.  test/pgtap/privileges_allowlist.sql holds the same list and fails when an
-- object of the schema is added, or a grant changed, without updating both.
--   PUBLIC            the label type, the enforcement functions, the vocabulary and what a
--                     column default or view evaluated as any role needs
--   tmac_hr           feeds HR events (INSERT on tmac.hr_event), records pledges and training
--   tmac_access_admin requests, extends and revokes; runs and decides access reviews; cannot approve
--   tmac_approver     approves, rejects, revokes, marks grants as surviving role changes,
--                     grants SoD exceptions, decides reviews
--   tmac_auditor      reads everything and verifies the audit log; changes nothing (SELECT, and
--                     EXECUTE on read-only functions only)
--   tmac_admin        defines the vocabulary, protects tables, configures and schedules tmac,
--                     defines duties, SoD rules and checks; reads everything
--   tmac_declassifier nothing here: its membership is checked by tmac.declassify_guard()
-- Functions granted to nobody are internal: triggers, helpers of SECURITY DEFINER functions and
-- the access-profile functions the C enforcement code calls as the extension owner.

GRANT USAGE ON SCHEMA tmac TO PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA tmac FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA tmac FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tmac FROM PUBLIC;

-- PUBLIC.  The label type's support functions and operators, its lattice, the row-level
-- checks that protected tables' policies call as the reading role, and the vocabulary.
GRANT EXECUTE ON FUNCTION
  tmac.label_in(cstring), tmac.label_out(tmac.label), tmac.label_recv(internal), tmac.label_send(tmac.label),
  tmac.label_eq(tmac.label, tmac.label), tmac.label_ne(tmac.label, tmac.label),
  tmac.label_lt(tmac.label, tmac.label), tmac.label_le(tmac.label, tmac.label),
  tmac.label_gt(tmac.label, tmac.label), tmac.label_ge(tmac.label, tmac.label),
  tmac.label_cmp(tmac.label, tmac.label), tmac.label_hash(tmac.label), tmac.label_hash_extended(tmac.label, bigint),
  tmac.label_level(tmac.label), tmac.label_rank(tmac.label), tmac.label_compartments(tmac.label),
  tmac.label_groups(tmac.label), tmac.marking(tmac.label),
  tmac.dominates(tmac.label, tmac.label), tmac.dominated_by(tmac.label, tmac.label),
  tmac.lub(tmac.label), tmac.lub(tmac.label, tmac.label), tmac.glb(tmac.label, tmac.label),
  tmac.row_readable(tmac.label), tmac.row_writable(tmac.label), tmac.readable_upper_bound(),
  tmac.can_read(tmac.label), tmac.can_write(tmac.label), tmac.explain_access(text, tmac.label)
TO PUBLIC;
GRANT SELECT ON tmac.level, tmac.compartment, tmac.org_group, tmac.vocabulary_token,
  tmac.object_label, tmac.protected_table TO PUBLIC;
-- The vocabulary lookup reads what everyone may read; the decision's wording is fixed text.
GRANT EXECUTE ON FUNCTION tmac.vocabulary_id(text, text, boolean), tmac.vocabulary_fold(text),
  tmac.decision_reason(text, boolean)
TO PUBLIC;
-- Harmless, and needed where they are evaluated as whoever acts: tmac.invoker() in column
-- defaults; the name and code validators in CHECK constraints; tmac.require_arguments() (it
-- only raises an error naming a null argument) and tmac.require_found() (it only raises the error
-- it is given) in the SECURITY INVOKER functions tmac.protect,
-- tmac.grant_sod_exception, …; tmac.hr_feed_applying() and tmac.restoring() in triggers run as
-- the writing role; tmac.grant_lapse() in the view tmac.grants (a view's functions are checked
-- against its reader; it only computes from its arguments).
-- tmac.message() and tmac.msgid() only translate and format a text (message_catalog.c);
-- tmac.company_time() writes a moment in the company's zone, which is no secret.
GRANT EXECUTE ON FUNCTION tmac.invoker(), tmac.valid_name(text), tmac.valid_code(text),
  tmac.message(text), tmac.message(text, "any"), tmac.msgid(text),
  tmac.company_time_zone(), tmac.company_time(timestamptz),
  tmac.require_arguments(text, text[]), tmac.require_found(boolean, text, text, text),
  tmac.hr_feed_applying(), tmac.restoring(),
  tmac.grant_lapse(tstzrange, timestamptz)
TO PUBLIC;

-- Reading people, grants and compliance evidence.
GRANT SELECT ON tmac.person, tmac.pledge, tmac.training_completion
  TO tmac_hr, tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.hr_event, tmac.login_enrolment TO tmac_hr, tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.grants, tmac.access_review, tmac.access_review_item, tmac.review_evidence, tmac.grant_audit,
  tmac.duty, tmac.duty_assignment, tmac.sod_rule, tmac.sod_exception
  TO tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
-- Settings are not secret: every role whose work they shape reads them (approvers and access
-- administrators the SoD and review ones); setting_lookup is the reader for code that runs as
-- the caller (the SoD exception trigger).
GRANT SELECT ON tmac.settings TO tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.setting_lookup(text) TO tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.exposing_views TO tmac_access_admin, tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.access_grant, tmac.audit_log, tmac.maintenance_state,
  tmac.access_rights_ledger, tmac.criterion, tmac.compliance_check, tmac.privileged_role,
  tmac.findings, tmac.compliance_status, tmac.compliance_population, tmac.weakening_rule,
  tmac.weakened_checks, tmac.compliance_checks
  TO tmac_auditor, tmac_admin;
-- Both never hold much: the governance sentinel is always empty, the restore window open only
-- during a restore.  Auditors read every table.
GRANT SELECT ON tmac.cache_sentinel, tmac.restore_window TO tmac_auditor;
GRANT EXECUTE ON FUNCTION tmac.shared_profile_cache() TO tmac_admin;

-- Read-only functions for everyone who reads the evidence.
GRANT EXECUTE ON FUNCTION tmac.verify_audit_log(), tmac.access_as_of(text, timestamptz),
  tmac.access_prerequisites(text, timestamptz), tmac.compliance_requirements_met(text[]),
  tmac.duty_holders(), tmac.html_escape(text),
  tmac.review_item_line(bigint, text, text, text, text, text, timestamptz, timestamptz),
  tmac.review_population_text(bigint),
  tmac.sod_refuse_conflict(text, name, text[]), tmac.sod_login_role_of(text), tmac.sod_person_exists(text),
  tmac.sod_person_of(name)
TO tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.deny_reason_as(name, tmac.label), tmac.hidden_rows(regclass),
  tmac.hidden_rows_for(regclass, name)
TO tmac_access_admin, tmac_auditor, tmac_admin;
-- The compliance checks, their runner and report, and what they build on.
GRANT EXECUTE ON FUNCTION
  tmac.check_access_without_pledge(), tmac.check_access_without_training(), tmac.check_activity_counters_public(), tmac.check_audit_log_broken(),
  tmac.check_column_label_exceeds_table(), tmac.check_exposing_view(), tmac.check_grants(),
  tmac.check_label_column_unprotected(), tmac.check_label_function_untrusted(),
  tmac.check_privileged_role_unregistered(), tmac.check_protected_table_owner_code(),
  tmac.check_protected_table_unenforced(),
  tmac.check_protected_tree_inconsistent(), tmac.check_protection_registry_mismatch(),
  tmac.check_registered_check_tampered(),
  tmac.check_review_population_altered(), tmac.check_review_undecided(), tmac.check_schema_public_create(),
  tmac.check_sod_conflict(), tmac.check_sod_exception_expired(), tmac.check_terminated_live_grant(),
  tmac.check_terminated_login_enabled(), tmac.check_terminated_session_open(), tmac.check_person_login_refused(),
  tmac.compliance_check_results(), tmac.compliance_run(), tmac.findings_of(tmac.check_result[]),
  tmac.compliance_status_of(tmac.check_result[]), tmac.population_counts(), tmac.registered_check_problems(), tmac.compliance_report_html(integer),
  tmac.function_fingerprint(regproc), tmac.is_own_function(regproc),
  tmac.access_rights_ledger_as_of(timestamptz), tmac.prerequisite_status(timestamptz),
  tmac.protection_in_place(regclass, name), tmac.relation_tree(regclass),
  tmac.protection_objects(regclass), tmac.protection_label_column(regclass), tmac.citus_managed(regclass),
  tmac.sod_role_conflicts(), tmac.sod_violations(),
  tmac.check_login_gate_refused(), tmac.login_gate_refusals(), tmac.check_gated_role_renamed(),
  tmac.check_terminated_cron_job_active(), tmac.check_protected_fk_cascade()
TO tmac_auditor, tmac_admin;

-- HR.
GRANT INSERT (event_id, person_id, kind, effective_at, attributes) ON tmac.hr_event TO tmac_hr;
GRANT EXECUTE ON FUNCTION tmac.record_pledge(text, text, date, date, text, bytea, text), tmac.record_training(text, text, date)
  TO tmac_hr;

-- Access administration and approval.
GRANT EXECUTE ON FUNCTION tmac.request_clearance(text, text, timestamptz, text, timestamptz),
  tmac.request_access(text, text, timestamptz, text, text, timestamptz), tmac.extend(bigint, timestamptz)
  TO tmac_access_admin;
GRANT EXECUTE ON FUNCTION tmac.revoke(bigint, text) TO tmac_access_admin, tmac_approver;
GRANT EXECUTE ON FUNCTION tmac.approve(bigint, text), tmac.reject(bigint, text),
  tmac.keep_on_role_change(bigint, text) TO tmac_approver;

-- Reviews and second-person audits.
GRANT EXECUTE ON FUNCTION tmac.start_review(text, timestamptz, text, text, text, text), tmac.close_review(bigint)
  TO tmac_access_admin, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.review_decide(bigint, bigint, text, text), tmac.audit_grant(bigint, text, text)
  TO tmac_access_admin, tmac_approver, tmac_admin;

-- Segregation of duties.  SoD exceptions are granted and revoked through functions that run as
-- their caller, hence the table privileges; tmac.acting_role() is called by the trigger on
-- tmac.sod_exception, run as whoever may write that table (tmac's SECURITY DEFINER functions
-- call it as the extension owner).
GRANT EXECUTE ON FUNCTION tmac.grant_sod_exception(integer, text, text, timestamptz, name),
  tmac.revoke_sod_exception(bigint, text), tmac.acting_role(text, integer) TO tmac_approver, tmac_admin;
GRANT INSERT, UPDATE ON tmac.sod_exception TO tmac_approver, tmac_admin;
GRANT INSERT, UPDATE ON tmac.duty_assignment TO tmac_admin;

-- Administration.  protect() and unprotect() run as their caller, who needs their helpers too;
-- CREATE TRIGGER in protect() needs EXECUTE on the trigger function tmac.declassify_guard().
GRANT EXECUTE ON FUNCTION
  tmac.define_level(text, integer, text, text[]), tmac.define_compartment(text, text, text),
  tmac.define_group(text, text, text), tmac.rename_level(text, text), tmac.rename_compartment(text, text),
  tmac.rename_group(text, text), tmac.move_group(text, text),
  tmac.protect(regclass, name, text), tmac.unprotect(regclass), tmac.protect_tree(regclass, name, text),
  tmac.apply_protection(regclass, name), tmac.remove_protection(regclass),
  tmac.protection_register(regclass, name), tmac.protection_unregister(regclass), tmac.declassify_guard(),
  tmac.configure(text, text), tmac.configure_compliance(text, text), tmac.audit_record(text, text, text, jsonb),
  tmac.run_maintenance(), tmac.schedule_jobs(text), tmac.unschedule_jobs(), tmac.close_due_reviews(),
  tmac.enrol_login(regrole), tmac.withdraw_login(name), tmac.grant_role(name, name),
  tmac.define_duty(text, text, name, text), tmac.assign_duty(text, text), tmac.end_duty(text, text),
  tmac.define_sod_rule(text, text, text, text), tmac.set_sod_rule_enabled(integer, boolean),
  tmac.register_check(text, text, text, text, text, text, regprocedure, text[]),
  tmac.set_check_enabled(text, boolean),
  tmac.register_privileged_role(name, text), tmac.unregister_privileged_role(name),
  tmac.login_gate_sync(), tmac.login_gate_acknowledge(name, text)
TO tmac_admin;

-- The certification registers (53, 62–64, 85): read by the auditor and the administrator; the
-- inventory, appointments and providers written by tmac_admin, courses and a contractor's agency
-- by HR, all through their functions.
GRANT SELECT ON tmac.asset, tmac.asset_binding, tmac.appointment, tmac.appointment_role, tmac.provider,
  tmac.provider_asset, tmac.contractor_agency
  TO tmac_auditor, tmac_admin;
GRANT SELECT ON tmac.training_course, tmac.training_course_template
  TO tmac_hr, tmac_access_admin, tmac_approver, tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.check_inventory(), tmac.check_appointments(), tmac.check_providers(),
  tmac.check_training_pledges()
TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION
  tmac.register_asset(text, text, text, text, text, text, text, text, text, date, text, date, text, text, text, text, text[], text, date),
  tmac.update_asset(text, jsonb), tmac.review_assets(text[], text), tmac.retire_asset(text, text),
  tmac.bind_table(text, regclass), tmac.bind_schema(text, regnamespace), tmac.unbind_table(regclass),
  tmac.unbind_schema(regnamespace),
  tmac.appoint(text, text, text, text, text, date, date, text, date), tmac.announce_appointment(bigint, text, date),
  tmac.end_appointment(bigint, text),
  tmac.register_provider(text, text, text, text), tmac.record_provider_nda(text, date, date, text),
  tmac.evaluate_provider(text, date, text, text), tmac.end_provider(text, text), tmac.entrust_asset(text, text, text),
  tmac.withdraw_asset(text, text)
TO tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.set_contractor_agency(text, text),
  tmac.define_course(text, text, text, text, text[], boolean, interval)
TO tmac_hr;
-- Access statistics (77_access_stats.sql): auditors and admins read them, never the persons
-- they count; only admins reset them, take a snapshot or keep the holidays.  The view's C
-- function is checked against its reader, hence EXECUTE on it.
GRANT SELECT ON tmac.access_stats, tmac.access_stats_history, tmac.access_stats_mark, tmac.holiday,
  tmac.access_stats_overflow
  TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.access_stats_raw(), tmac.access_stats_info(), tmac.access_history(text),
  tmac.access_chart_html(text, integer), tmac.check_access_signs(), tmac.access_stats_overflow_raw(),
  tmac.check_access_stats_overflow()
TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.reset_access_stats(), tmac.snapshot_access_stats(),
  tmac.acknowledge_access_stats_overflow(text) TO tmac_admin;
GRANT INSERT, UPDATE, DELETE ON tmac.holiday TO tmac_admin;

-- With no initial privileges recorded for tmac.end_restore(), pg_dump always writes its REVOKE,
-- in its last pass: that ends a restore window (80_restore.sql).
DELETE FROM pg_catalog.pg_init_privs
 WHERE classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
   AND objoid = 'tmac.end_restore()'::pg_catalog.regprocedure;

-- The ledgers of ④ handling, ⑥ incidents and ⑧ containers, keys and areas (65–67).
-- Readers: auditors, administrators, and approvers (the managers who approve handling, respond
-- to incidents and lend keys), who also read the information inventory (62) they concern.
GRANT SELECT ON tmac.asset, tmac.handling_action, tmac.handling_rule_default, tmac.handling_rule,
  tmac.handling_standard, tmac.handling_entry, tmac.leak_sign, tmac.incident, tmac.incident_asset,
  tmac.incident_notification, tmac.incident_event, tmac.restricted_area, tmac.container,
  tmac.container_asset, tmac.container_holder, tmac.physical_key, tmac.key_loan,
  tmac.combination_change, tmac.area_entry, tmac.sealed_transport
  TO tmac_approver, tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.handling_rule_for(integer, text) TO tmac_approver, tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.check_handling(), tmac.check_incidents(), tmac.check_facilities()
  TO tmac_auditor, tmac_admin;
-- ⑨ The electronic measures register (89): the officer's side declares and re-checks; the auditor reads.
GRANT SELECT ON tmac.electronic_measure_kind, tmac.electronic_measure, tmac.electronic_measures
  TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.check_electronic_measures() TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.declare_electronic_measure(text, text, text, text, text, text, text, timestamptz),
  tmac.recheck_electronic_measure(text, text, text, text, text, timestamptz)
  TO tmac_admin;
-- Every person: recording what they handle and reporting a leak sign or incident must be open
-- to everyone with a person record (seed ④, ⑥), including employees who hold no other tmac
-- role.  tmac.enrol_login grants tmac_person to each enrolled login (never PUBLIC); each act
-- still asks tmac.acting_person(), which refuses (42501) a role that is not the login of an
-- active person, and records that person as the handler or reporter.  The second person's
-- halves of two acts go with them: confirming a return the handler reported, and confirming
-- that one is the discoverer a report named.
GRANT EXECUTE ON FUNCTION
  tmac.record_handling(text, text, text, text, text[], text, text, text, timestamptz, text, timestamptz),
  tmac.return_handling(bigint, text), tmac.confirm_return(bigint, text),
  tmac.report_incident(text, text, timestamptz, text, text[], text, text, text), tmac.confirm_discovery(bigint)
TO tmac_person;
-- What those acts take: the seed's leak signs a report names (README, Incidents) and the handling
-- actions — reference lists from the seed, no secret.
GRANT SELECT ON tmac.leak_sign, tmac.handling_action TO tmac_person;
-- Managers: approve handling (never their own), review violations, respond to incidents.
GRANT EXECUTE ON FUNCTION tmac.approve_handling(bigint, text) TO tmac_approver;
GRANT EXECUTE ON FUNCTION tmac.acknowledge_handling(bigint, text),
  tmac.escalate_incident(bigint, text),
  tmac.update_incident(bigint, text, text, text, text, text[], timestamptz, text[]),
  tmac.notify_incident(bigint, text, text, timestamptz, text), tmac.close_incident(bigint, text, text),
  tmac.lend_key(text, text, timestamptz, text), tmac.return_key(text),
  tmac.record_entry(text, text, text, text, text, text, text[], text, text, timestamptz),
  tmac.record_exit(bigint, text), tmac.record_transport(text, text, text, text, text),
  tmac.record_receipt(bigint, text, timestamptz), tmac.record_combination_change(text, text, text, text)
TO tmac_approver, tmac_admin;
-- Administration: the handling standard, and the register of areas, containers and keys.
GRANT EXECUTE ON FUNCTION tmac.set_handling_rule(text, text, text, text),
  tmac.define_area(text, text, text, text, text, text, text[]),
  tmac.define_container(text, text, text, text, text, text), tmac.define_key(text, text, text, text),
  tmac.set_custodian(text, text, text), tmac.store_asset(text, text), tmac.add_holder(text, text, text),
  tmac.end_holder(bigint)
TO tmac_admin;
-- The checks across registers (87): readers as the ledgers'; managers review their findings about
-- acts already done; administrators set an area's label and hours.
GRANT SELECT ON tmac.cross_finding_review TO tmac_approver, tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.check_cross_registers(), tmac.check_facility_access() TO tmac_auditor, tmac_admin;
-- The kept verdicts (86): read by the auditor and the administrator; the DBA folds them.
GRANT SELECT ON tmac.act_verdict, tmac.verdict_mark TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.fold_verdicts(interval, boolean) TO tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.acknowledge_cross_finding(text, text, text) TO tmac_approver, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.set_area_label(text, text), tmac.set_area_hours(text, time, time, integer[]) TO tmac_admin;

-- Onboarding (52, 54, 55): HR loads plain-column CSV into tmac.hr_event_import (its INSERT is one
-- INSERT into tmac.hr_event, so the feeder needs that privilege too); tmac_admin provisions the
-- logins of hired persons; an approver reads what waits for them and approves several at once.
GRANT SELECT ON tmac.hr_event_import TO tmac_hr, tmac_auditor, tmac_admin;
GRANT INSERT (event_id, person_id, kind, effective_at, full_name, org_group, job_role, title, login_role,
              person_kind, responsible_person, note, restore_cron_jobs) ON tmac.hr_event_import TO tmac_hr;
GRANT EXECUTE ON FUNCTION tmac.provision_logins(text[]) TO tmac_admin;
GRANT SELECT ON tmac.my_pending_approvals TO tmac_approver;
GRANT EXECUTE ON FUNCTION tmac.approve_many(bigint[], text) TO tmac_approver;
-- The documents register (68) and the internal audits (69): read as the ledgers are; the acts
-- are persons' own (tmac_person; each function checks who may: an appointee drafts, 経営層
-- approves and withdraws, each person acknowledges as themselves, the auditor records results,
-- the owner reports an action done, a second person closes it); tmac_admin records audit plans.
GRANT SELECT ON tmac.document_requirement, tmac.document, tmac.document_in_force, tmac.document_acknowledgement,
  tmac.internal_audit, tmac.audit_finding, tmac.corrective_action
  TO tmac_approver, tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.check_documents(), tmac.check_internal_audits() TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION
  tmac.record_document(text, text, text, text, text[], text, text, text),
  tmac.approve_document(text, text, date, text), tmac.announce_document(text, text, text, date),
  tmac.review_document(text, text), tmac.supersede_document(text, text, text), tmac.acknowledge_document(text),
  tmac.record_audit_result(bigint, date, text, text, text), tmac.record_audit_finding(bigint, text, text, text),
  tmac.assign_corrective_action(bigint, text, text, date), tmac.complete_corrective_action(bigint, text, text),
  tmac.close_corrective_action(bigint, text)
TO tmac_person;
GRANT EXECUTE ON FUNCTION tmac.plan_internal_audit(text, text[], text, date, text, text) TO tmac_admin;
-- Enumerated values and their Japanese names (81_enumerations.sql): shipped vocabulary, no
-- secret — everyone may look up what a value may be and what it is called; tmac.enum_code runs as
-- whoever writes a register (its normalising trigger) and only reads the two tables.
GRANT SELECT ON tmac.enum_kind, tmac.enum_value TO PUBLIC;
GRANT EXECUTE ON FUNCTION tmac.enum_fold(text), tmac.enum_in_japanese(), tmac.enum_code(text, text),
  tmac.enum_name(text, text), tmac.enum_ja(text, text)
TO PUBLIC;
-- The ledgers in Japanese (82_ledgers_ja.sql): read by auditors and administrators, whose CSV
-- export reads them with their own rights.
GRANT SELECT ON tmac.管理対象情報の目録, tmac.取扱管理簿, tmac.鍵の管理台帳, tmac.入退室記録,
  tmac.アクセス権者管理簿, tmac.教育の記録, tmac.誓約書の記録, tmac.委託先一覧, tmac.事故・兆候の記録
  TO tmac_auditor, tmac_admin;
GRANT EXECUTE ON FUNCTION tmac.csv_field(text), tmac.ledger_csv(regclass) TO tmac_auditor, tmac_admin;

-- No SECURITY DEFINER function of tmac shows its queries to the caller.  A caller may set
-- debug_print_parse / _rewritten / _plan (and client_min_messages = log) in their own session:
-- the parse trees and plans of the queries inside a definer function then reach the client,
-- with the function's variables as constants — the rows it looked up for a decision the
-- caller may not see (a handling entry, an asset, whether a person id exists).  PL/pgSQL's
-- print_strict_params would likewise put a STRICT query's parameters into an error's DETAIL.
-- Every definer function pins them off, wherever it is defined (this runs last); tmac's C
-- queries do the same in owner_query.c.  security_functions.sql holds the class, and
-- test/scripts/security_quiet_definers.sh the attack.
DO $quiet$
DECLARE
  f regprocedure;
  setting text;
BEGIN
  FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
            WHERE p.pronamespace = 'tmac'::regnamespace AND p.prosecdef ORDER BY p.oid LOOP
    FOREACH setting IN ARRAY ARRAY['debug_print_parse', 'debug_print_rewritten', 'debug_print_plan',
                                   'plpgsql.print_strict_params'] LOOP
      EXECUTE pg_catalog.format('ALTER FUNCTION %s SET %s = off', f, setting);
    END LOOP;
  END LOOP;
END
$quiet$;
