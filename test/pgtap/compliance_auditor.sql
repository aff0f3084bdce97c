-- compliance_auditor.sql — pgTAP: tmac_auditor reads every compliance view and the audit log,
-- and can change nothing.  The example queries of test/README-auditor.md run here as the auditor.
BEGIN;
SELECT plan(37);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', 'design')$$) AS g1 \gset
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('auditor fixture')$$)::bigint AS r1 \gset

-- reading, as t_aud (a login role holding tmac_auditor)
SET ROLE t_aud;
SELECT lives_ok($$SELECT * FROM tmac.compliance_status ORDER BY criterion$$, 'compliance_status');
SELECT lives_ok($$SELECT criterion, check_code, severity, subject, detail FROM tmac.findings ORDER BY criterion, check_code, subject$$, 'findings');
SELECT lives_ok($$SELECT * FROM tmac.sod_violations()$$, 'sod_violations()');
SELECT lives_ok($$SELECT full_name, title, access, granted_on, approved_by_names, valid_until, training_status, pledge_status FROM tmac.access_rights_ledger ORDER BY person_id$$, 'access_rights_ledger');
SELECT lives_ok($$SELECT * FROM tmac.access_rights_ledger_as_of(now() - interval '1 day')$$, 'access_rights_ledger_as_of');
SELECT lives_ok($$SELECT * FROM tmac.access_as_of('A1', now())$$, 'access_as_of');
SELECT lives_ok($$SELECT * FROM tmac.review_evidence ORDER BY review_id$$, 'review_evidence');
SELECT lives_ok($$SELECT * FROM tmac.access_review_item WHERE review_id = (SELECT max(review_id) FROM tmac.access_review)$$, 'review items');
SELECT lives_ok($$SELECT * FROM tmac.grant_audit$$, 'grant_audit');
SELECT lives_ok($$SELECT * FROM tmac.sod_rule, tmac.duty$$, 'sod rules and duties');
SELECT lives_ok($$SELECT * FROM tmac.sod_exception, tmac.duty_assignment$$, 'exceptions and assignments');
SELECT lives_ok($$SELECT * FROM tmac.compliance_check ORDER BY criterion, check_code$$, 'the check registry');
SELECT lives_ok($$SELECT criterion, check_code, severity, title, subject, detail, remedy FROM tmac.findings ORDER BY criterion, check_code, subject$$, 'findings with their titles and remedies');
SELECT lives_ok($$SELECT criterion, title, status, reason FROM tmac.compliance_status ORDER BY criterion$$, 'compliance_status with the criterion''s title');
SELECT lives_ok($$SELECT * FROM tmac.compliance_checks ORDER BY criterion, check_code$$, 'the check registry in the reader''s language');
SELECT lives_ok($$SELECT * FROM tmac.privileged_role, tmac.settings, tmac.criterion$$, 'privileged roles, settings, criteria');
SELECT lives_ok($$SELECT * FROM tmac.grants, tmac.person$$, 'grants and persons');
SELECT lives_ok($$SELECT entry_id, logged_at, actor, category, action, subject FROM tmac.audit_log ORDER BY entry_id$$, 'the audit log');
SELECT is((SELECT count(*) FROM tmac.verify_audit_log()), 0::bigint, 'verify_audit_log(): no broken link');
SELECT matches(tmac.compliance_report_html(), '^<!DOCTYPE html>', 'the HTML report');
SELECT ok((SELECT population_intact FROM tmac.review_evidence WHERE review_id = :r1), 'a review''s population verifies');
SELECT is((SELECT count(*) FROM tmac.access_rights_ledger WHERE person_id = 'A1'), 1::bigint, 'the ledger shows the grant');

-- changing nothing
SELECT throws_ok($$SELECT tmac.configure_compliance('review_period', '1 year')$$, '42501', NULL, 'no configure_compliance');
SELECT throws_ok($$SELECT tmac.grant_sod_exception(1, 'E1', 'auditor tries to excuse', now() + interval '1 day')$$, '42501', NULL, 'no exceptions');
SELECT throws_ok($$SELECT tmac.define_sod_rule('x', 'approver', 'key_custodian')$$, '42501', NULL, 'no rules');
SELECT throws_ok($$SELECT tmac.set_check_enabled('sod_conflict', false)$$, '42501', NULL, 'cannot disable a check');
SELECT throws_ok($$SELECT tmac.register_privileged_role('t_aud', 'auditor wants to be privileged')$$, '42501', NULL, 'cannot register privileged roles');
SELECT throws_ok($$SELECT tmac.start_review('x')$$, '42501', NULL, 'cannot start a review');
SELECT throws_ok(format('SELECT tmac.review_decide(%s, %s, ''revoke'', ''x'')', :r1, :g1), '42501', NULL, 'cannot decide in a review');
SELECT throws_ok(format('SELECT tmac.audit_grant(%s)', :g1), '42501', NULL, 'cannot record a grant audit');
SELECT throws_ok($$SELECT tmac.grant_role('tmac_approver', 't_aud')$$, '42501', NULL, 'cannot grant roles');
SELECT throws_ok($$UPDATE tmac.sod_rule SET enabled = false$$, '42501', NULL, 'cannot update a rule');
SELECT throws_ok($$INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name) VALUES ('x', 'V', 'low', 'x', 'x', 'x', 'x')$$, '42501', NULL, 'cannot insert a check');
SELECT throws_ok($$DELETE FROM tmac.sod_exception$$, '42501', NULL, 'cannot delete an exception');
RESET ROLE;
SELECT is((SELECT array_agg(c.oid::regclass::text ORDER BY 1) FROM pg_class c
            WHERE c.relnamespace = 'tmac'::regnamespace
              AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('tmac_auditor', c.oid, 'USAGE, UPDATE')
                       WHEN c.relkind IN ('r', 'v', 'm', 'p') THEN has_table_privilege('tmac_auditor', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
                       ELSE false END), NULL,
  'tmac_auditor may write no table or sequence of tmac');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
            WHERE p.pronamespace = 'tmac'::regnamespace AND p.provolatile = 'v' AND p.prokind = 'f'
              AND has_function_privilege('tmac_auditor', p.oid, 'EXECUTE')), NULL,
  'tmac_auditor may execute no volatile tmac function');
SELECT is((SELECT array_agg('tmac.' || c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind IN ('r', 'v')
              AND NOT has_table_privilege('tmac_auditor', c.oid, 'SELECT')),
  ARRAY['tmac.audit_head', 'tmac.my_pending_approvals', 'tmac.setting', 'tmac.setting_default'],
  'tmac_auditor reads every tmac table and view but the audit chain''s head, the raw settings (it reads tmac.settings) and an approver''s own queue (the grants it lists are in tmac.grants)');

SELECT * FROM finish();
ROLLBACK;
