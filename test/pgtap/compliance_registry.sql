-- compliance_registry.sql — pgTAP: the check registry, findings, compliance_status,
-- and the checks that need only the catalogs and the SoD tables.
BEGIN;
SELECT plan(33);

SELECT results_eq($$SELECT criterion FROM tmac.compliance_status$$,
  $$VALUES ('I-1'::text), ('I-2'), ('I-3'), ('I-4'), ('I-5'), ('I-6'), ('II'), ('III'), ('IV'), ('V')$$,
  'one status row per criterion, in order');
SELECT is((SELECT title_ja FROM tmac.compliance_status WHERE criterion = 'II'), '管理対象情報への人的アクセスの制限',
  'Japanese title from the seed');
SELECT is((SELECT title_en FROM tmac.compliance_status WHERE criterion = 'II'), 'Restricting human access to managed information',
  'English title');
-- (every criterion of the scheme has built-in checks now: a criterion added without any shows what happens)
INSERT INTO tmac.criterion VALUES ('X-1', 99, 'test', 'テスト', 'A criterion without checks', 'none');
SELECT results_eq($$SELECT status, reason FROM tmac.compliance_status WHERE criterion = 'X-1'$$,
  $$VALUES ('not_evaluated'::text, 'not evaluated: no built-in check covers this criterion yet'::text)$$,
  'a criterion without checks is not evaluated, never "ok"');
DELETE FROM tmac.criterion WHERE criterion = 'X-1';
SELECT is((SELECT count(*) FROM tmac.findings), 0::bigint, 'a fresh database has no findings');
-- one run, shown twice: the views are the functions over a run made now (the report uses one run for both)
SELECT results_eq($$SELECT * FROM tmac.compliance_status_of(tmac.compliance_run())$$,
  $$SELECT * FROM tmac.compliance_status$$, 'compliance_status is compliance_status_of(compliance_run())');
SELECT ok((SELECT bool_and(c.description <> '' AND c.remedy <> '' AND obj_description(p.oid, 'pg_proc') IS NOT NULL)
             FROM tmac.compliance_check c JOIN pg_proc p ON p.oid = to_regproc(c.function_name)),
  'every registered check has a description, a remedy and a commented function');

-- privileged_role_unregistered
CREATE ROLE cmp_t_root SUPERUSER;
CREATE ROLE cmp_t_bypass BYPASSRLS;
SELECT results_eq($$SELECT criterion, severity, subject FROM tmac.findings WHERE check_code = 'privileged_role_unregistered' ORDER BY subject$$,
  $$VALUES ('V'::text, 'high'::text, 'role:cmp_t_bypass'::text), ('V', 'high', 'role:cmp_t_root')$$,
  'superuser and BYPASSRLS roles are findings until registered');
SELECT is((SELECT status FROM tmac.compliance_status WHERE criterion = 'V'), 'failing', 'criterion V is failing');
SELECT results_eq($$SELECT * FROM tmac.findings_of(tmac.compliance_run()) ORDER BY check_code, subject$$,
  $$SELECT * FROM tmac.findings ORDER BY check_code, subject$$, 'findings is findings_of(compliance_run()), here two');
SELECT lives_ok($$SELECT tmac.register_privileged_role('cmp_t_root', 'emergency break-glass account, sealed')$$, 'registered');
ALTER ROLE cmp_t_bypass NOBYPASSRLS;
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'privileged_role_unregistered'), 0::bigint,
  'fixed: registered or attribute removed');
SELECT throws_ok($$SELECT tmac.register_privileged_role('cmp_t_root', 'why')$$, '23514', NULL, 'a justification is required');

-- label_column_unprotected
CREATE TABLE public.cmp_t_docs (id int, label tmac.label);
SELECT results_eq($$SELECT subject, severity FROM tmac.findings WHERE check_code = 'label_column_unprotected'$$,
  $$VALUES ('table:public.cmp_t_docs'::text, 'critical'::text)$$, 'labelled rows without row security');
ALTER TABLE public.cmp_t_docs ENABLE ROW LEVEL SECURITY;
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'label_column_unprotected'), 'not forced',
  'enabled but not forced is still a finding, and says so');
ALTER TABLE public.cmp_t_docs FORCE ROW LEVEL SECURITY;
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'label_column_unprotected'), 0::bigint, 'fixed');

-- sod_conflict and sod_exception_expired
CREATE ROLE cmp_t_dan LOGIN;
GRANT tmac_hr, tmac_access_admin TO cmp_t_dan;
SELECT results_eq($$SELECT criterion, subject FROM tmac.findings WHERE check_code LIKE 'sod%'$$,
  $$VALUES ('II'::text, 'role:cmp_t_dan'::text)$$, 'sod_conflict: exactly one finding');
SELECT is((SELECT check_code FROM tmac.findings WHERE subject = 'role:cmp_t_dan'), 'sod_conflict', 'with the right code');
SELECT lives_ok($$SELECT tmac.grant_sod_exception(3, NULL, 'two-person department until April', now() + interval '10 days', 'cmp_t_dan')$$,
  'exception granted');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code LIKE 'sod%'), 0::bigint, 'a current exception closes it');
SELECT lives_ok($$SELECT tmac.revoke_sod_exception((SELECT exception_id FROM tmac.sod_exception WHERE login_role = 'cmp_t_dan'), 'department grew')$$,
  'exception revoked');
SELECT results_eq($$SELECT check_code, subject FROM tmac.findings WHERE check_code LIKE 'sod%'$$,
  $$VALUES ('sod_exception_expired'::text, 'role:cmp_t_dan'::text)$$,
  'sod_exception_expired: exactly one finding once the exception ended');
REVOKE tmac_hr FROM cmp_t_dan;
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code LIKE 'sod%'), 0::bigint, 'fixed: duty removed');

-- the registry: adding a check is one function and one call (a registered check runs as its
-- function's owner, who must not be a superuser)
CREATE ROLE cmp_t_owner;
CREATE FUNCTION public.cmp_t_check() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql AS $$ SELECT 'table:x', 'an example finding; fix x', NULL::timestamptz $$;
ALTER FUNCTION public.cmp_t_check() OWNER TO cmp_t_owner;
SELECT lives_ok($$SELECT tmac.register_check('cmp_t_example', 'I-4', 'low', 'Example', 'An example check.', 'Fix x.', 'public.cmp_t_check()')$$,
  'register a check');
SELECT results_eq($$SELECT criterion, check_code, severity, subject FROM tmac.findings WHERE check_code = 'cmp_t_example'$$,
  $$VALUES ('I-4'::text, 'cmp_t_example'::text, 'low'::text, 'table:x'::text)$$, 'its finding appears');
-- (I-4 also has the handling ledger's built-in checks, which find nothing here: counted apart)
CREATE TEMP TABLE builtin_i4 AS SELECT count(*) AS n FROM tmac.compliance_check WHERE criterion = 'I-4' AND builtin;
SELECT results_eq($$SELECT checks_run - (SELECT n FROM builtin_i4), open_findings, status FROM tmac.compliance_status WHERE criterion = 'I-4'$$,
  $$VALUES (1::bigint, 1::bigint, 'attention'::text)$$, 'and counts in compliance_status');
SELECT lives_ok($$SELECT tmac.set_check_enabled('cmp_t_example', false)$$, 'disable it');
SELECT results_eq($$SELECT checks_registered - (SELECT n FROM builtin_i4), checks_run - (SELECT n FROM builtin_i4), open_findings
                      FROM tmac.compliance_status WHERE criterion = 'I-4'$$,
  $$VALUES (1::bigint, 0::bigint, 0::bigint)$$, 'a disabled check is registered but not run');
CREATE FUNCTION public.cmp_t_bad() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql AS $$ SELECT 'x', (1/0)::text, NULL::timestamptz $$;
ALTER FUNCTION public.cmp_t_bad() OWNER TO cmp_t_owner;
SELECT lives_ok($$SELECT tmac.register_check('cmp_t_bad', 'I-4', 'low', 'Bad', 'Fails.', 'None.', 'public.cmp_t_bad()')$$, 'a failing check');
SELECT results_eq($$SELECT check_code, subject, severity FROM tmac.findings WHERE check_code = 'cmp_t_bad'$$,
  $$VALUES ('cmp_t_bad'::text, 'check:cmp_t_bad'::text, 'high'::text)$$, 'a check that fails is a finding itself');
SELECT throws_ok($$SELECT tmac.register_check('cmp_t_x', 'I-4', 'low', 'X', 'X.', 'X.', 'tmac.setting_value(text)')$$,
  '42P13', NULL, 'a function of the wrong shape is refused');
SELECT throws_ok($$SELECT tmac.register_check('cmp_t_x', 'VI', 'low', 'X', 'X.', 'X.', 'public.cmp_t_check()')$$,
  '23503', NULL, 'an unknown criterion is refused');

-- every built-in check function, wherever it is defined, runs without JIT and sorts in memory
-- (90_compliance_planner.sql; per-person aggregates spilled to disk at 100,000 persons)
SELECT is(ARRAY(SELECT DISTINCT k.function_name FROM tmac.compliance_check k
                  JOIN pg_catalog.pg_proc p ON p.oid = pg_catalog.to_regproc(k.function_name)
                 WHERE k.builtin
                   AND NOT (coalesce(p.proconfig, '{}') @> ARRAY['jit=off']
                            AND EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'work\_mem=%'))
                 ORDER BY 1), '{}'::text[],
          'every built-in check function has jit = off and its own work_mem');
SELECT * FROM finish();
ROLLBACK;
