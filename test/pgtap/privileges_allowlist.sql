-- privileges_allowlist.sql — pgTAP: every privilege on schema tmac is on an explicit allowlist.
--
-- sql/install/99_privileges.sql revokes every function, table, view and sequence of schema tmac
-- from PUBLIC and grants each role its list.  This test enumerates every function, relation and
-- column grant of the schema from the catalogs and compares them with the allowlist below, so a
-- new function or table, or a new grant, fails here until it is written down (with its grantees,
-- or '' for nobody but the owner).  Then it checks the effective privileges of PUBLIC and of each
-- tmac role (EXECUTE; SELECT, INSERT, UPDATE, DELETE, TRUNCATE; a sequence's USAGE, SELECT,
-- UPDATE), memberships included, against the same list.
BEGIN;
SELECT plan(4);
SET LOCAL search_path = pg_catalog, public;

-- kind: f function (privs: the roles that may execute it), r table, v view, s sequence
-- (privs: role:PRIVILEGE,… per grantee), c a column's own grants.
CREATE TEMP TABLE allowlist (kind "char", obj text PRIMARY KEY, privs text NOT NULL);
INSERT INTO allowlist VALUES
  ('c', 'tmac.hr_event.attributes', 'tmac_hr:INSERT'),
  ('c', 'tmac.hr_event.effective_at', 'tmac_hr:INSERT'),
  ('c', 'tmac.hr_event.event_id', 'tmac_hr:INSERT'),
  ('c', 'tmac.hr_event.kind', 'tmac_hr:INSERT'),
  ('c', 'tmac.hr_event.person_id', 'tmac_hr:INSERT'),
  ('f', 'tmac.access_as_of(text,timestamp with time zone)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.access_profile(name,timestamp with time zone)', ''),
  ('f', 'tmac.access_profile_internal(text,timestamp with time zone)', ''),
  ('f', 'tmac.access_profile_of(text,timestamp with time zone)', ''),
  ('f', 'tmac.access_rights_ledger_as_of(timestamp with time zone)', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.acting_person(text)', ''),
  ('f', 'tmac.acting_role(text,integer)', 'tmac_admin tmac_approver'),
  ('f', 'tmac.add_audit_trigger(regclass,text,text)', ''),
  ('f', 'tmac.apply_due_events(text)', ''),
  ('f', 'tmac.apply_protection(regclass,name)', 'tmac_admin'),
  ('f', 'tmac.approve(bigint,text)', 'tmac_approver'),
  ('f', 'tmac.assign_duty(text,text)', 'tmac_admin'),
  ('f', 'tmac.audit_append(text,text,text,jsonb)', ''),
  ('f', 'tmac.audit_entry_text(bigint,timestamp with time zone,name,text,text,text,jsonb)', ''),
  ('f', 'tmac.audit_grant(bigint,text,text)', 'tmac_access_admin tmac_admin tmac_approver'),
  ('f', 'tmac.audit_head_advance()', ''),
  ('f', 'tmac.audit_head_merge()', ''),
  ('f', 'tmac.audit_jsonb_object(text[])', ''),
  ('f', 'tmac.audit_log_protect()', ''),
  ('f', 'tmac.audit_pick(jsonb,text[])', ''),
  ('f', 'tmac.audit_record(text,text,text,jsonb)', 'tmac_admin'),
  ('f', 'tmac.audit_trigger()', ''),
  ('f', 'tmac.audit_update_query(regclass,text,text[])', ''),
  ('f', 'tmac.cache_invalidate()', ''),
  ('f', 'tmac.can_read(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.can_write(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.check_access_without_pledge()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_access_without_training()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_audit_log_broken()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_code(text,text)', ''),
  ('f', 'tmac.check_column_label_exceeds_table()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_exposing_view()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_function_sha256(regproc)', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_grants()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_label_column_unprotected()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_label_function_untrusted()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_name(text,text)', ''),
  ('f', 'tmac.check_no_overlap(tmac.access_grant)', ''),
  ('f', 'tmac.check_object_labels()', ''),
  ('f', 'tmac.check_prerequisites(text,timestamp with time zone)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.check_prerequisites_met(text[])', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.check_privileged_role_unregistered()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_protected_table_unenforced()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_protected_tree_inconsistent()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_registered_check_tampered()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_results()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_review_population_altered()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_review_undecided()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_schema_public_create()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_sod_conflict()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_sod_exception_expired()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_terminated_live_grant()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_terminated_login_enabled()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.check_terminated_session_open()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.close_due_reviews()', 'tmac_admin'),
  ('f', 'tmac.close_review(bigint)', 'tmac_access_admin tmac_admin'),
  ('f', 'tmac.compartment_id_of(text)', ''),
  ('f', 'tmac.compliance_report_html(integer)', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.configure(text,text)', 'tmac_admin'),
  ('f', 'tmac.configure_compliance(text,text)', 'tmac_admin'),
  ('f', 'tmac.conflicted_approvers()', ''),
  ('f', 'tmac.day_start(date)', ''),
  ('f', 'tmac.ddl_inheritance_links(pg_ddl_command)', ''),
  ('f', 'tmac.declassify_guard()', 'tmac_admin'),
  ('f', 'tmac.define_compartment(text,text,text)', 'tmac_admin'),
  ('f', 'tmac.define_duty(text,text,name,text)', 'tmac_admin'),
  ('f', 'tmac.define_group(text,text,text)', 'tmac_admin'),
  ('f', 'tmac.define_level(text,integer,text,text[])', 'tmac_admin'),
  ('f', 'tmac.define_sod_rule(text,text,text,text)', 'tmac_admin'),
  ('f', 'tmac.deny_reason_as(name,tmac.label)', 'tmac_access_admin tmac_admin tmac_auditor'),
  ('f', 'tmac.dominated_by(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.dominates(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.duty_assignment_guard()', ''),
  ('f', 'tmac.duty_holders()', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.end_duty(text,text)', 'tmac_admin'),
  ('f', 'tmac.end_restore()', ''),
  ('f', 'tmac.enrol_login(regrole)', 'tmac_admin'),
  ('f', 'tmac.explain_access(text,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.extend(bigint,timestamp with time zone)', 'tmac_access_admin'),
  ('f', 'tmac.forbid_delete()', ''),
  ('f', 'tmac.forget_dropped_tables()', ''),
  ('f', 'tmac.glb(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.grant_in_force(tmac.access_grant,timestamp with time zone,text,text,timestamp with time zone)', ''),
  ('f', 'tmac.grant_lapse(tstzrange,timestamp with time zone)', 'PUBLIC'),
  ('f', 'tmac.grant_role(name,name)', 'tmac_admin'),
  ('f', 'tmac.grant_self_or_underapproved(tmac.access_grant)', ''),
  ('f', 'tmac.grant_sod_exception(integer,text,text,timestamp with time zone,name)', 'tmac_admin tmac_approver'),
  ('f', 'tmac.group_code(text)', ''),
  ('f', 'tmac.hidden_rows(regclass)', 'tmac_access_admin tmac_admin tmac_auditor'),
  ('f', 'tmac.hidden_rows_for(regclass,name)', 'tmac_access_admin tmac_admin tmac_auditor'),
  ('f', 'tmac.hr_apply(tmac.hr_event)', ''),
  ('f', 'tmac.hr_check_login_role(tmac.hr_event)', ''),
  ('f', 'tmac.hr_error(tmac.hr_event,text,text,text)', ''),
  ('f', 'tmac.hr_event_guard()', ''),
  ('f', 'tmac.hr_event_receive()', ''),
  ('f', 'tmac.hr_feed_applying()', 'PUBLIC'),
  ('f', 'tmac.hr_feed_set_applying(boolean)', ''),
  ('f', 'tmac.hr_receive_one(tmac.hr_event)', ''),
  ('f', 'tmac.hr_validate(tmac.hr_event)', ''),
  ('f', 'tmac.html_escape(text)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.invoker()', 'PUBLIC'),
  ('f', 'tmac.is_own_function(regproc)', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.keep_on_role_change(bigint,text)', 'tmac_approver'),
  ('f', 'tmac.label_cmp(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_compartments(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_eq(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_ge(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_groups(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_gt(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_hash(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_hash_extended(tmac.label,bigint)', 'PUBLIC'),
  ('f', 'tmac.label_in(cstring)', 'PUBLIC'),
  ('f', 'tmac.label_le(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_level(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_lt(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_ne(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_out(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_rank(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.label_recv(internal)', 'PUBLIC'),
  ('f', 'tmac.label_send(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.level_merge_builtin()', ''),
  ('f', 'tmac.level_rank_of(text)', ''),
  ('f', 'tmac.lock_for_decision(bigint,text,text)', ''),
  ('f', 'tmac.login_enrolled(name)', ''),
  ('f', 'tmac.login_role_refusal(name,name)', ''),
  ('f', 'tmac.lub(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.lub(tmac.label,tmac.label)', 'PUBLIC'),
  ('f', 'tmac.marking(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.move_group(text,text)', 'tmac_admin'),
  ('f', 'tmac.new_request(tmac.access_grant)', ''),
  ('f', 'tmac.object_label_audit(oid,oid,integer,text,text)', ''),
  ('f', 'tmac.org_group_check_cycle()', ''),
  ('f', 'tmac.org_group_follow_rename()', ''),
  ('f', 'tmac.person_of_role(name)', ''),
  ('f', 'tmac.person_state_at(text,timestamp with time zone)', ''),
  ('f', 'tmac.pledge_window(text,timestamp with time zone,timestamp with time zone)', ''),
  ('f', 'tmac.prerequisite_status(timestamp with time zone)', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.protect(regclass,name)', 'tmac_admin'),
  ('f', 'tmac.protect_new_children()', ''),
  ('f', 'tmac.protect_tree(regclass,name,text)', 'tmac_admin'),
  ('f', 'tmac.protection_in_place(regclass,name)', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.protection_register(regclass,name)', 'tmac_admin'),
  ('f', 'tmac.protection_unregister(regclass)', 'tmac_admin'),
  ('f', 'tmac.queue_session_end(name)', ''),
  ('f', 'tmac.record_pledge(text,text,date,date)', 'tmac_hr'),
  ('f', 'tmac.record_training(text,text,date)', 'tmac_hr'),
  ('f', 'tmac.register_check(text,text,text,text,text,text,regprocedure,text[])', 'tmac_admin'),
  ('f', 'tmac.register_privileged_role(name,text)', 'tmac_admin'),
  ('f', 'tmac.registered_check_problems()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.reject(bigint,text)', 'tmac_approver'),
  ('f', 'tmac.relation_tree(regclass)', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.remove_protection(regclass)', 'tmac_admin'),
  ('f', 'tmac.rename_compartment(text,text)', 'tmac_admin'),
  ('f', 'tmac.rename_entry(text,text,text)', ''),
  ('f', 'tmac.rename_group(text,text)', 'tmac_admin'),
  ('f', 'tmac.rename_level(text,text)', 'tmac_admin'),
  ('f', 'tmac.request_access(text,text,timestamp with time zone,text,text,timestamp with time zone)', 'tmac_access_admin'),
  ('f', 'tmac.request_clearance(text,text,timestamp with time zone,text,timestamp with time zone)', 'tmac_access_admin'),
  ('f', 'tmac.require_arguments(text,text[])', 'PUBLIC'),
  ('f', 'tmac.restore_closing_command(pg_ddl_command)', ''),
  ('f', 'tmac.restore_privilege_pass()', ''),
  ('f', 'tmac.restoring()', 'PUBLIC'),
  ('f', 'tmac.review_decide(bigint,bigint,text,text)', 'tmac_access_admin tmac_admin tmac_approver'),
  ('f', 'tmac.review_item_line(bigint,text,text,text,text,text,timestamp with time zone,timestamp with time zone)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.review_population_text(bigint)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.reviewer(text)', ''),
  ('f', 'tmac.revoke(bigint,text)', 'tmac_access_admin tmac_approver'),
  ('f', 'tmac.revoke_sod_exception(bigint,text)', 'tmac_admin tmac_approver'),
  ('f', 'tmac.row_readable(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.row_writable(tmac.label)', 'PUBLIC'),
  ('f', 'tmac.run_check_as_owner(regproc,boolean)', ''),
  ('f', 'tmac.run_maintenance()', 'tmac_admin'),
  ('f', 'tmac.schedule_jobs(text)', 'tmac_admin'),
  ('f', 'tmac.set_check_enabled(text,boolean)', 'tmac_admin'),
  ('f', 'tmac.set_sod_rule_enabled(integer,boolean)', 'tmac_admin'),
  ('f', 'tmac.setting_lookup(text)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.setting_on(text)', ''),
  ('f', 'tmac.setting_value(text)', ''),
  ('f', 'tmac.shared_profile_cache()', 'tmac_admin'),
  ('f', 'tmac.sod_check(text,name,text[])', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.sod_exception_guard()', ''),
  ('f', 'tmac.sod_login_role_of(text)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.sod_person_exists(text)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.sod_person_of(name)', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.sod_role_conflicts()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.sod_violations()', 'tmac_admin tmac_auditor'),
  ('f', 'tmac.start_review(text,timestamp with time zone,text,text,text,text)', 'tmac_access_admin tmac_admin'),
  ('f', 'tmac.suspect_grants(timestamp with time zone,text[])', ''),
  ('f', 'tmac.training_window(text,timestamp with time zone)', ''),
  ('f', 'tmac.unprotect(regclass)', 'tmac_admin'),
  ('f', 'tmac.unregister_privileged_role(name)', 'tmac_admin'),
  ('f', 'tmac.unschedule_jobs()', 'tmac_admin'),
  ('f', 'tmac.valid_code(text)', 'PUBLIC'),
  ('f', 'tmac.valid_name(text)', 'PUBLIC'),
  ('f', 'tmac.verify_audit_log()', 'tmac_access_admin tmac_admin tmac_approver tmac_auditor'),
  ('f', 'tmac.vocabulary_check_tokens()', ''),
  ('f', 'tmac.vocabulary_copy_sync()', ''),
  ('f', 'tmac.vocabulary_copy_text()', ''),
  ('f', 'tmac.vocabulary_forbid_delete()', ''),
  ('f', 'tmac.withdraw_login(name)', 'tmac_admin'),
  ('r', 'tmac.access_grant', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.access_review', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.access_review_item', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.audit_head', ''),
  ('r', 'tmac.audit_log', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.cache_sentinel', 'tmac_auditor:SELECT'),
  ('r', 'tmac.compartment', 'PUBLIC:SELECT'),
  ('r', 'tmac.compliance_check', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.criterion', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.duty', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.duty_assignment', 'tmac_access_admin:SELECT tmac_admin:INSERT,SELECT,UPDATE tmac_approver:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.grant_audit', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.hr_event', 'tmac_admin:SELECT tmac_auditor:SELECT tmac_hr:SELECT'),
  ('r', 'tmac.level', 'PUBLIC:SELECT'),
  ('r', 'tmac.login_enrolment', 'tmac_admin:SELECT tmac_auditor:SELECT tmac_hr:SELECT'),
  ('r', 'tmac.maintenance_state', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.org_group', 'PUBLIC:SELECT'),
  ('r', 'tmac.person', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT tmac_hr:SELECT'),
  ('r', 'tmac.pledge', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT tmac_hr:SELECT'),
  ('r', 'tmac.privileged_role', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.protected_table', 'PUBLIC:SELECT'),
  ('r', 'tmac.restore_window', 'tmac_auditor:SELECT'),
  ('r', 'tmac.setting', ''),
  ('r', 'tmac.setting_default', ''),
  ('r', 'tmac.sod_exception', 'tmac_access_admin:SELECT tmac_admin:INSERT,SELECT,UPDATE tmac_approver:INSERT,SELECT,UPDATE tmac_auditor:SELECT'),
  ('r', 'tmac.sod_rule', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT'),
  ('r', 'tmac.training_completion', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT tmac_hr:SELECT'),
  ('s', 'tmac.access_grant_grant_id_seq', ''),
  ('s', 'tmac.access_review_review_id_seq', ''),
  ('s', 'tmac.compartment_id_seq', ''),
  ('s', 'tmac.duty_assignment_assignment_id_seq', ''),
  ('s', 'tmac.grant_audit_audit_id_seq', ''),
  ('s', 'tmac.login_enrolment_enrolment_id_seq', ''),
  ('s', 'tmac.org_group_id_seq', ''),
  ('s', 'tmac.pledge_pledge_id_seq', ''),
  ('s', 'tmac.sod_exception_exception_id_seq', ''),
  ('s', 'tmac.sod_rule_rule_id_seq', ''),
  ('s', 'tmac.training_completion_completion_id_seq', ''),
  ('v', 'tmac.access_rights_ledger', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('v', 'tmac.compliance_status', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('v', 'tmac.exposing_views', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_auditor:SELECT'),
  ('v', 'tmac.findings', 'tmac_admin:SELECT tmac_auditor:SELECT'),
  ('v', 'tmac.grants', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT'),
  ('v', 'tmac.object_label', 'PUBLIC:SELECT'),
  ('v', 'tmac.review_evidence', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT'),
  ('v', 'tmac.settings', 'tmac_access_admin:SELECT tmac_admin:SELECT tmac_approver:SELECT tmac_auditor:SELECT'),
  ('v', 'tmac.vocabulary_token', 'PUBLIC:SELECT');

-- The catalogs, in the allowlist's spelling: grants to the owner are left out.
CREATE TEMP VIEW granted AS
  SELECT 'f'::"char" AS kind, p.oid::regprocedure::text AS obj,
         coalesce((SELECT string_agg(g, ' ' ORDER BY g) FROM (
                     SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END g
                       FROM aclexplode(p.proacl) a WHERE a.grantee <> p.proowner) x), '') AS privs
    FROM pg_proc p WHERE p.pronamespace = 'tmac'::regnamespace
  UNION ALL
  SELECT (CASE c.relkind WHEN 'S' THEN 's' WHEN 'v' THEN 'v' ELSE 'r' END)::"char", c.oid::regclass::text,
         coalesce((SELECT string_agg(g || ':' || ps, ' ' ORDER BY g) FROM (
                     SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END g,
                            string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) ps
                       FROM aclexplode(c.relacl) a WHERE a.grantee <> c.relowner GROUP BY 1) x), '')
    FROM pg_class c WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  UNION ALL
  SELECT 'c', c.oid::regclass::text || '.' || att.attname,
         coalesce((SELECT string_agg(g || ':' || ps, ' ' ORDER BY g) FROM (
                     SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END g,
                            string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) ps
                       FROM aclexplode(att.attacl) a WHERE a.grantee <> c.relowner GROUP BY 1) x), '')
    FROM pg_class c JOIN pg_attribute att ON att.attrelid = c.oid AND att.attacl IS NOT NULL
   WHERE c.relnamespace = 'tmac'::regnamespace;

SELECT is((SELECT string_agg(g.obj, ', ' ORDER BY g.obj) FROM granted g
            WHERE NOT EXISTS (SELECT FROM allowlist a WHERE a.obj = g.obj)),
          NULL::text, 'every function, table, view and sequence of schema tmac is on the allowlist');
SELECT is((SELECT string_agg(a.obj, ', ' ORDER BY a.obj) FROM allowlist a
            WHERE NOT EXISTS (SELECT FROM granted g WHERE g.obj = a.obj)),
          NULL::text, 'everything on the allowlist exists');
SELECT is((SELECT string_agg(format('%s: granted to %L, allowed %L', a.obj, g.privs, a.privs), '; ' ORDER BY a.obj)
             FROM allowlist a JOIN granted g USING (obj)
            WHERE g.privs IS DISTINCT FROM a.privs OR g.kind IS DISTINCT FROM a.kind),
          NULL::text, 'the grants on every object of schema tmac are exactly the allowlist''s');

-- Effective privileges: what each role may do, through PUBLIC or a membership too.
CREATE TEMP TABLE role_to_check (rolname text);
INSERT INTO role_to_check VALUES ('public'), ('tmac_admin'), ('tmac_access_admin'), ('tmac_approver'),
  ('tmac_hr'), ('tmac_auditor'), ('tmac_declassifier');
SELECT is((
  WITH want AS (     -- (object, role, privilege) from the allowlist; PUBLIC's hold for every role
    SELECT a.obj, r.rolname, p AS priv
      FROM allowlist a CROSS JOIN role_to_check r
     CROSS JOIN LATERAL unnest(string_to_array(nullif(a.privs, ''), ' ')) e
     CROSS JOIN LATERAL unnest(CASE WHEN a.kind = 'f' THEN ARRAY['EXECUTE']
                                    ELSE string_to_array(split_part(e, ':', 2), ',') END) p
     WHERE a.kind <> 'c' AND split_part(e, ':', 1) IN ('PUBLIC', r.rolname)),
  have AS (
    SELECT a.kind, a.obj, r.rolname, priv,
           CASE a.kind WHEN 'f' THEN has_function_privilege(r.rolname, a.obj::regprocedure, priv)
                       WHEN 's' THEN has_sequence_privilege(r.rolname, a.obj::regclass, priv)
                       ELSE has_table_privilege(r.rolname, a.obj::regclass, priv) END AS may
      FROM allowlist a CROSS JOIN role_to_check r
      CROSS JOIN LATERAL unnest(CASE WHEN a.kind = 'f' THEN ARRAY['EXECUTE']
                                     WHEN a.kind = 's' THEN ARRAY['USAGE', 'SELECT', 'UPDATE']
                                     ELSE ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] END) priv
     WHERE a.kind <> 'c' AND (a.kind = 'f' AND to_regprocedure(a.obj) IS NOT NULL
                              OR a.kind <> 'f' AND to_regclass(a.obj) IS NOT NULL))
  SELECT string_agg(format('%s %s %s on %s', h.rolname, CASE WHEN h.may THEN 'may' ELSE 'may not' END, h.priv, h.obj),
                    '; ' ORDER BY h.obj, h.rolname, h.priv)
    FROM have h
   WHERE h.may IS DISTINCT FROM EXISTS (SELECT FROM want w WHERE (w.obj, w.rolname, w.priv) = (h.obj, h.rolname, h.priv))),
  NULL::text, 'PUBLIC and every tmac role have exactly the effective privileges the allowlist gives them');

SELECT * FROM finish();
ROLLBACK;
