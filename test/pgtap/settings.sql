-- settings.sql — pgTAP: one settings system.  Every tmac setting (access and compliance) is a
-- row of tmac.setting_default, changed only with tmac.configure (audited, stamped with who and
-- when), listed by the one view tmac.settings, and read from there by every caller.
BEGIN;
SELECT plan(33);
\i test/pgtap/people_fixture.psql

-- one view, every setting with its default
SELECT results_eq(
  $$SELECT key, value, default_value, changed_by FROM tmac.settings ORDER BY key$$,
  $$VALUES ('access_departure_factor'::text, '1'::text, '1'::text, NULL::name),
           ('access_lookback', '7 days', '7 days', NULL),
           ('access_surge_factor', '3', '3', NULL),
           ('access_surge_floor', '1000', '1000', NULL),
           ('access_surge_history', '14 days', '14 days', NULL),
           ('combination_max_age', '12 months', '12 months', NULL),
           ('document_acknowledgement_grace', '30 days', '30 days', NULL),
           ('document_review_interval', '1 year', '1 year', NULL),
           ('electronic_measure_review', '1 year', '1 year', NULL),
           ('gate_prerequisites', 'off', 'off', NULL),
           ('handling_delete_threshold', '1', '1', NULL),
           ('hide_statistics', 'on', 'on', NULL),
           ('hr_event_mode', 'strict', 'strict', NULL),
           ('incident_close_deadline', '30 days', '30 days', NULL),
           ('incident_escalation_limit', '24 hours', '24 hours', NULL),
           ('internal_audit_interval', '12 months', '12 months', NULL),
           ('inventory_review_interval', '12 months', '12 months', NULL),
           ('require_pledge', 'on', 'on', NULL),
           ('require_training', 'on', 'on', NULL),
           ('review_deadline_default', '30 days', '30 days', NULL),
           ('review_period', '6 months', '6 months', NULL),
           ('review_undecided', 'report', 'report', NULL),
           ('role_change_grace', '0', '0', NULL),
           ('shared_account_persons', '3', '3', NULL),
           ('shared_account_window', '1 hour', '1 hour', NULL),
           ('sod_exception_max', '180 days', '180 days', NULL),
           ('time_zone', 'Asia/Tokyo', 'Asia/Tokyo', NULL),
           ('training_courses', '', '', NULL),
           ('training_new_hire_grace', '30 days', '30 days', NULL),
           ('training_validity', '12 months', '12 months', NULL),
           ('working_days', '1,2,3,4,5', '1,2,3,4,5', NULL),
           ('working_hours', '08:00-20:00', '08:00-20:00', NULL),
           ('write_down', 'refuse', 'refuse', NULL)$$,
  'tmac.settings lists every setting, access and compliance ones, with its default');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c
                 WHERE c.relnamespace = 'tmac'::regnamespace AND c.relname ~ 'setting' ORDER BY 1),
          ARRAY['setting', 'setting_default', 'setting_default_pkey', 'setting_pkey', 'settings']::text[],
          'one table of values, one of defaults, one view: no second settings table');
SELECT ok(to_regprocedure('tmac.compliance_setting(text)') IS NULL, 'no second reader function');

-- one function: tmac.configure changes a compliance setting, stamped and audited
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.configure('review_period', '1 month')$q$)$$,
  'tmac_admin changes a compliance setting with tmac.configure');
SELECT results_eq($$SELECT value, default_value, changed_by, changed_at FROM tmac.settings WHERE key = 'review_period'$$,
  $$VALUES ('1 month'::text, '6 months'::text, 't_adm'::name, now())$$,
  'the view shows the value in force, the default, who changed it and when');
SELECT is((SELECT concat_ws(' ', actor, action, detail -> 'new' ->> 'value') FROM tmac.audit_log
             WHERE category = 'setting' AND subject = 'review_period' ORDER BY entry_id DESC LIMIT 1),
  't_adm INSERT 1 month', 'the change is in the audit log');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.configure('review_period', '2 months')$q$)$$,
  'changed again');
SELECT is((SELECT concat_ws(' ', action, detail -> 'old' ->> 'value', detail -> 'new' ->> 'value')
             FROM tmac.audit_log WHERE category = 'setting' AND subject = 'review_period' ORDER BY entry_id DESC LIMIT 1),
  'UPDATE 1 month 2 months', 'the audit log keeps the value before and after');

-- compliance values are validated by tmac.configure
SELECT throws_ok($$SELECT tmac.configure('review_period', '0')$$, '22023', NULL, 'review_period must be positive');
SELECT throws_ok($$SELECT tmac.configure('review_deadline_default', '-1 day')$$, '22023', NULL,
  'review_deadline_default must be positive');
SELECT throws_ok($$SELECT tmac.configure('sod_exception_max', 'soon')$$, '22023',
  'invalid value "soon" for tmac setting "sod_exception_max"', 'sod_exception_max must be an interval');
SELECT throws_ok($$SELECT tmac.configure('review_undecided', 'maybe')$$, '22023', NULL,
  'review_undecided is report or revoke');
SELECT throws_ok($$SELECT tmac.configure('no_such', '1')$$, '42704', NULL, 'unknown settings are refused');
SELECT lives_ok($$SELECT tmac.configure('review_undecided', ' REVOKE ')$$, 'review_undecided, any case');
SELECT is(tmac.setting_value('review_undecided'), 'revoke', 'stored normalised');
SELECT tmac.configure('review_undecided', 'report');

-- configure_compliance is a deprecated wrapper writing the same table
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.configure_compliance('review_deadline_default', '10 days')$q$)$$,
  'the 0.1.0 name still works');
SELECT results_eq($$SELECT value, changed_by FROM tmac.settings WHERE key = 'review_deadline_default'$$,
  $$VALUES ('10 days'::text, 't_adm'::name)$$, 'and writes the one settings table');
SELECT throws_ok($$SELECT tmac.configure_compliance('review_period', '0')$$, '22023', NULL, 'validated by configure');
SELECT matches(obj_description('tmac.configure_compliance(text, text)'::regprocedure, 'pg_proc'),
  '^Deprecated: calls tmac.configure', 'its comment says it is deprecated');

-- who may change and read settings
SELECT throws_ok($$SELECT pg_temp.as_role('t_aud', $q$SELECT tmac.configure('review_period', '1 year')$q$)$$, '42501', NULL,
  'tmac_auditor cannot configure');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.configure('sod_exception_max', '10 years')$q$)$$, '42501', NULL,
  'tmac_approver cannot configure');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.configure_compliance('review_period', '10 years')$q$)$$, '42501', NULL,
  'tmac_access_admin cannot configure through the old name either');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$UPDATE tmac.setting SET value = '10 years'$q$)$$, '42501', NULL,
  'nobody writes the table but configure');
SELECT is(pg_temp.as_role('t_aud', $q$SELECT value FROM tmac.settings WHERE key = 'review_period'$q$), '2 months',
  'tmac_auditor reads the settings');
SELECT is(pg_temp.as_role('t_carol', $q$SELECT value FROM tmac.settings WHERE key = 'sod_exception_max'$q$), '180 days',
  'an approver reads them');
SELECT is(pg_temp.as_role('t_bob', $q$SELECT value FROM tmac.settings WHERE key = 'review_deadline_default'$q$), '10 days',
  'an access administrator reads them');

-- every caller reads the unified settings
-- start_review: review_deadline_default (10 days above) and review_undecided
SELECT tmac.configure('review_undecided', 'revoke');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('settings test', person_id => 'A1')$$)::bigint AS r \gset
SELECT results_eq(format('SELECT deadline, undecided_action FROM tmac.access_review WHERE review_id = %s', :r),
  $$VALUES (now() + interval '10 days', 'revoke'::text)$$, 'start_review takes its default deadline and undecided action from tmac.setting');
-- the SoD exception trigger (run as the approver): sod_exception_max
SELECT tmac.configure('sod_exception_max', '10 days');
CREATE ROLE st_x LOGIN;
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.grant_sod_exception(1, NULL, 'covering for a colleague on leave', now() + interval '20 days', 'st_x')$q$)$$,
  '22023', NULL, 'an approver''s exception longer than sod_exception_max is refused');
SELECT lives_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.grant_sod_exception(1, NULL, 'covering for a colleague on leave', now() + interval '5 days', 'st_x')$q$)$$,
  'a shorter one is granted');
-- check_grants: review_period (2 months above)
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '30 days', 'x')$$) AS g \gset
UPDATE tmac.access_grant SET approved_at = now() - interval '6 weeks' WHERE grant_id = :g;
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'grant_not_reviewed' AND subject = 'grant:' || :g), 0::bigint,
  'approved 6 weeks ago: within a review_period of 2 months');
SELECT tmac.configure('review_period', '1 month');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'grant_not_reviewed' AND subject = 'grant:' || :g), 1::bigint,
  'review_period 1 month: the grant is overdue');
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'grant_not_reviewed' AND subject = 'grant:' || :g),
  'within 1 month', 'the finding names the period in force');
-- the access settings are read from the same table (require_pledge, as before)
SELECT tmac.configure('require_pledge', 'off');
SELECT is(tmac.setting_on('require_pledge'), false, 'an access setting is read from the same table');

SELECT * FROM finish();
ROLLBACK;
