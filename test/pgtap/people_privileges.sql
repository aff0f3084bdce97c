-- people_privileges.sql — pgTAP: each tmac role can do its job and nothing more.
BEGIN;
SELECT plan(30);
\i test/pgtap/people_fixture.psql

-- tmac_hr: feeds events, records pledges and training; cannot grant or change settings
SELECT lives_ok($$SELECT pg_temp.as_role('t_hr', $q$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('p-1', 'H1', 'hire', '{"full_name":"Hana"}') RETURNING event_id$q$)$$, 'tmac_hr inserts HR events');
SELECT lives_ok($$SELECT pg_temp.as_role('t_hr', $q$SELECT tmac.record_pledge('H1', 'hire', current_date - 1)$q$)$$, 'tmac_hr records pledges');
SELECT lives_ok($$SELECT pg_temp.as_role('t_hr', $q$SELECT tmac.record_training('H1', 'basics', current_date - 1)$q$)$$, 'tmac_hr records training');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', $q$INSERT INTO tmac.hr_event (event_id, person_id, kind, applied_at) VALUES ('p-2', 'H1', 'leave', now())$q$)$$, '42501', NULL, 'tmac_hr cannot set tmac''s bookkeeping columns');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', $q$UPDATE tmac.hr_event SET attributes = '{}' WHERE event_id = 'p-1'$q$)$$, '42501', NULL, 'tmac_hr cannot change events');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', $q$UPDATE tmac.person SET status = 'active'$q$)$$, '42501', NULL, 'tmac_hr cannot change persons directly');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', $q$SELECT tmac.approve(1)$q$)$$, '42501', NULL, 'tmac_hr cannot approve');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', $q$SELECT tmac.configure('require_pledge', 'off')$q$)$$, '42501', NULL, 'tmac_hr cannot configure');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', $q$SELECT count(*) FROM tmac.audit_log$q$)$$, '42501', NULL, 'tmac_hr cannot read the audit log');

-- tmac_access_admin: requests, extends, revokes; cannot approve or feed HR
SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '9 days', 'x')$q$)::bigint AS g1 \gset
SELECT ok(:g1 > 0, 'tmac_access_admin requests');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.approve(%s)')$$, :g1), '42501', NULL, 'tmac_access_admin cannot approve');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', $q$INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('p-3', 'A1', 'leave') RETURNING 1$q$)$$, '42501', NULL, 'tmac_access_admin cannot feed HR events');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', $q$INSERT INTO tmac.access_grant (person_id, kind, level_rank, validity, status, reason, requested_by, approved_at) VALUES ('A1', 'clearance', 40, tstzrange(now(), now() + interval '1 day'), 'active', 'x', 'B1', now()) RETURNING 1$q$)$$, '42501', NULL, 'tmac_access_admin cannot write grants directly');
SELECT lives_ok($$SELECT pg_temp.as_role('t_bob', $q$SELECT count(*) FROM tmac.grants$q$)$$, 'tmac_access_admin reads tmac.grants');

-- tmac_approver: approves, rejects; cannot request
SELECT is(pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)', :g1)), 'active', 'tmac_approver approves');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.request_access('A1', 'PRJ-B', now() + interval '9 days', 'x')$q$)$$, '42501', NULL, 'tmac_approver cannot request');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$UPDATE tmac.access_grant SET status = 'active'$q$)$$, '42501', NULL, 'tmac_approver cannot write grants directly');

-- tmac_auditor: reads, verifies; changes nothing
SELECT lives_ok($$SELECT pg_temp.as_role('t_aud', $q$SELECT count(*) FROM tmac.audit_log$q$)$$, 'tmac_auditor reads the audit log');
SELECT lives_ok($$SELECT pg_temp.as_role('t_aud', $q$SELECT count(*) FROM tmac.verify_audit_log()$q$)$$, 'tmac_auditor verifies it');
SELECT lives_ok($$SELECT pg_temp.as_role('t_aud', $q$SELECT count(*) FROM tmac.access_as_of('A1', now())$q$)$$, 'tmac_auditor asks access_as_of');
SELECT lives_ok($$SELECT pg_temp.as_role('t_aud', $q$SELECT count(*) FROM tmac.hr_event$q$)$$, 'tmac_auditor reads HR events');
SELECT throws_ok($$SELECT pg_temp.as_role('t_aud', $q$DELETE FROM tmac.audit_log RETURNING 1$q$)$$, '42501', NULL, 'tmac_auditor cannot delete audit entries');
SELECT throws_ok($$SELECT pg_temp.as_role('t_aud', $q$SELECT tmac.revoke(1, 'x')$q$)$$, '42501', NULL, 'tmac_auditor cannot revoke');
SELECT throws_ok($$SELECT pg_temp.as_role('t_aud', $q$SELECT tmac.audit_record('x', 'y', NULL, NULL)$q$)$$, '42501', NULL, 'tmac_auditor cannot append to the audit log');

-- tmac_admin: configures, runs maintenance; cannot change the audit log
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.configure('training_validity', '6 months')$q$)$$, 'tmac_admin configures');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.run_maintenance()$q$)$$, 'tmac_admin runs maintenance');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$UPDATE tmac.audit_log SET detail = NULL RETURNING 1$q$)$$, '42501', NULL, 'tmac_admin cannot change audit entries');

-- PUBLIC
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT count(*) FROM tmac.access_profile_of('A1', now())$q$)$$, '42501', NULL, 'an employee cannot call access_profile_of');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT count(*) FROM tmac.grants$q$)$$, '42501', NULL, 'an employee cannot read tmac.grants');
SELECT is((SELECT count(*) FROM information_schema.role_routine_grants g
            WHERE g.routine_schema = 'tmac' AND g.grantee = 'PUBLIC'
              AND g.routine_name IN ('approve', 'reject', 'revoke', 'extend', 'request_access', 'request_clearance',
                                     'configure', 'record_pledge', 'record_training', 'audit_record', 'run_maintenance',
                                     'schedule_jobs', 'access_profile', 'access_profile_of', 'queue_session_end')),
          0::bigint, 'nothing that changes state is granted to PUBLIC');

SELECT * FROM finish();
ROLLBACK;
