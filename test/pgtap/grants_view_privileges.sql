-- grants_view_privileges.sql — pgTAP: the roles that read tmac.grants can read every column,
-- including the computed status, ended_at and end_reason; the HR feed's flag is not settable.
BEGIN;
SELECT plan(6);
\i test/pgtap/people_fixture.psql
SELECT lives_ok($$SELECT pg_temp.as_role('t_carol', 'SELECT count(*) FROM tmac.grants WHERE status IN (''pending'', ''active'', ''expired'') AND end_reason IS NULL AND ended_at IS NULL')$$,
                'an approver reads status, ended_at and end_reason of tmac.grants');
SELECT lives_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT count(*) FROM tmac.grants WHERE status = ''pending''')$$,
                'an access administrator filters tmac.grants by status');
SELECT lives_ok($$SELECT pg_temp.as_role('t_aud', 'SELECT count(*) FROM tmac.grants WHERE status = ''expired''')$$,
                'an auditor filters tmac.grants by status');
SELECT ok(NOT has_function_privilege('public', 'tmac.revoke(bigint, text)', 'EXECUTE'),
          'PUBLIC still cannot revoke');
SELECT ok(NOT has_function_privilege('public', 'tmac.hr_feed_set_applying(boolean)', 'EXECUTE'),
          'nobody but the owner can set the HR feed flag that skips cache invalidations');
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', 'SELECT tmac.hr_feed_set_applying(true)::text')$$, '42501',
                 NULL, 'not even the HR feed role');
SELECT * FROM finish();
ROLLBACK;
