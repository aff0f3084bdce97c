-- grants_view_privileges.sql — pgTAP: the roles that read tmac.grants can read every column,
-- including the computed status, ended_at and end_reason.
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
SELECT lives_ok($$SELECT pg_temp.as_role('t_carol', 'SELECT count(*) FROM tmac.grants WHERE status IN (''pending'', ''active'', ''expired'') AND end_reason IS NULL AND ended_at IS NULL')$$,
                'an approver reads status, ended_at and end_reason of tmac.grants');
SELECT lives_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT count(*) FROM tmac.grants WHERE status = ''pending''')$$,
                'an access administrator filters tmac.grants by status');
SELECT lives_ok($$SELECT pg_temp.as_role('t_aud', 'SELECT count(*) FROM tmac.grants WHERE status = ''expired''')$$,
                'an auditor filters tmac.grants by status');
SELECT ok(NOT has_function_privilege('public', 'tmac.revoke(bigint, text)', 'EXECUTE'),
          'PUBLIC still cannot revoke');
SELECT * FROM finish();
ROLLBACK;
