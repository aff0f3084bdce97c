-- compliance_check_runner.sql — pgTAP: a company's own checks (tmac.register_check) run as
-- their function's owner, read-only, never as the reader of tmac.findings (a superuser here);
-- a check whose function changed since registration is reported and not run.
BEGIN;
SELECT plan(17);
CREATE ROLE t_cr_adm LOGIN IN ROLE tmac_admin;
CREATE SCHEMA cr_checks AUTHORIZATION t_cr_adm;

SET ROLE t_cr_adm;
-- Tries to make its author a superuser whenever it runs; carries on if that fails.
CREATE FUNCTION cr_checks.escalate() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE 'ALTER ROLE t_cr_adm SUPERUSER';
  EXCEPTION WHEN OTHERS THEN
    NULL;
  END;
  subject := 'ran-as:' || current_user;
  detail := 'read-only:' || current_setting('transaction_read_only');
  RETURN NEXT;
END
$$;
-- The same without catching the failure.
CREATE FUNCTION cr_checks.escalate_loudly() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'ALTER ROLE t_cr_adm SUPERUSER';
END
$$;
SELECT lives_ok($$SELECT tmac.register_check('cr_escalate', 'I-4', 'low', 'Escalate', 'Tries ALTER ROLE.', 'None.', 'cr_checks.escalate()')$$,
                'a tmac_admin registers a check of its own');
SELECT lives_ok($$SELECT tmac.register_check('cr_escalate_loudly', 'I-4', 'low', 'Escalate', 'Tries ALTER ROLE.', 'None.', 'cr_checks.escalate_loudly()')$$,
                'and another');
SELECT throws_ok($$SELECT * FROM tmac.run_check_as_owner('cr_checks.escalate', false)$$, '42501', NULL,
                 'only tmac itself runs a check as its owner');
RESET ROLE;

-- A superuser reads the findings.
SELECT results_eq($$SELECT subject, detail FROM tmac.findings WHERE check_code = 'cr_escalate'$$,
                  $$VALUES ('ran-as:t_cr_adm'::text, 'read-only:on'::text)$$,
                  'the check ran as its owner, read-only, although a superuser read the findings');
SELECT results_eq($$SELECT severity, subject FROM tmac.findings WHERE check_code = 'cr_escalate_loudly'$$,
                  $$VALUES ('high'::text, 'check:cr_escalate_loudly'::text)$$,
                  'a check that fails to escalate is reported as a check that could not run');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 't_cr_adm'), false, 'its author did not become a superuser');
SELECT is(current_setting('transaction_read_only'), 'off', 'the reader''s transaction is writable again');

-- Registration refuses a function owned by a superuser, unless it is tmac's own.
CREATE FUNCTION public.cr_su() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql AS $$ SELECT 'x', 'y', NULL::timestamptz $$;
SELECT throws_ok($$SELECT tmac.register_check('cr_su', 'I-4', 'low', 'Su', 'Su.', 'None.', 'public.cr_su()')$$, '42501', NULL,
                 'a check function owned by a superuser is refused');
SELECT lives_ok($$SELECT tmac.register_check('cr_own', 'I-4', 'low', 'Own', 'Own.', 'None.', 'tmac.check_label_column_unprotected()')$$,
                'one of tmac''s own check functions may be registered');

-- CREATE OR REPLACE on a registered check.
SET ROLE t_cr_adm;
CREATE OR REPLACE FUNCTION cr_checks.escalate() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql AS $$ SELECT 'changed', 'all is well', NULL::timestamptz $$;
RESET ROLE;
SELECT results_eq($$SELECT check_code, severity, subject FROM tmac.findings WHERE subject = 'check:cr_escalate'$$,
                  $$VALUES ('registered_check_tampered'::text, 'critical'::text, 'check:cr_escalate'::text)$$,
                  'a changed check function is a critical finding');
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'cr_escalate'), 0, 'and the changed check is not run');
SELECT is((SELECT ran FROM tmac.compliance_check_results() WHERE check_code = 'cr_escalate' AND subject IS NULL), false,
          'compliance_status counts it as not run');
SET ROLE t_cr_adm;
SELECT lives_ok($$SELECT tmac.register_check('cr_escalate', 'I-4', 'low', 'Escalate', 'Reviewed.', 'None.', 'cr_checks.escalate()')$$,
                'registering it again accepts the new definition');
RESET ROLE;
SELECT results_eq($$SELECT check_code, subject FROM tmac.findings WHERE subject IN ('changed', 'check:cr_escalate')$$,
                  $$VALUES ('cr_escalate'::text, 'changed'::text)$$, 'it runs again and the finding is gone');

-- Given to a superuser afterwards: not run either.
ALTER FUNCTION cr_checks.escalate() OWNER TO CURRENT_USER;
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'registered_check_tampered' AND subject = 'check:cr_escalate'),
               'belongs to a superuser', 'a check function given to a superuser is reported and not run');

SELECT ok((SELECT count(*) FROM tmac.audit_log WHERE category = 'compliance_check' AND subject = 'cr_escalate') >= 2,
          'registrations are audited');
SELECT is((SELECT count(*)::int FROM tmac.verify_audit_log()), 0, 'the audit log verifies');

SELECT * FROM finish();
ROLLBACK;
