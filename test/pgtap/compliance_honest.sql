-- compliance_honest.sql — pgTAP: compliance_status says `ok` only on evidence.
--
-- An empty database is not_evaluated, with the reason and the population counts; a criterion
-- with built-in checks disabled is at best ok_with_exceptions and says who disabled them when;
-- a company's own do-nothing check never makes a criterion green; turning a requirement off
-- keeps its findings (accepted) and is itself a finding; tmac.criterion.evidence names only
-- objects that exist; the HTML report prints 証跡あり (evidence) only for ok, and never 適合.
BEGIN;
SELECT plan(41);

-- 1. the empty database: nothing is ok
SELECT is((SELECT count(*) FROM tmac.findings), 0::bigint, 'empty database: no findings');
SELECT is((SELECT string_agg(criterion || ' ' || status, ', ') FROM tmac.compliance_status WHERE status <> 'not_evaluated'),
  NULL, 'empty database: every criterion is not_evaluated (none ok)');
SELECT ok((SELECT bool_and(reason LIKE 'not evaluated: %') FROM tmac.compliance_status),
  'each says why it was not evaluated');
SELECT is((SELECT reason FROM tmac.compliance_status WHERE criterion = 'II'),
  'not evaluated: nothing to examine (grants = 0, leavers = 0, persons = 0, reviews = 0)', 'II: its populations are empty');
SELECT is((SELECT reason FROM tmac.compliance_status WHERE criterion = 'III'),
  'not evaluated: nothing to examine (containers = 0, key_loans = 0)', 'III: its register of containers is empty');
SELECT results_eq($$SELECT (population->>'persons')::int, (population->>'grants')::int, builtin_checks, builtin_evaluated
                      FROM tmac.compliance_status WHERE criterion = 'II'$$,
  format($$VALUES (0, 0, %s::bigint, 0::bigint)$$, (SELECT count(*) FROM tmac.compliance_check WHERE criterion = 'II' AND builtin)),
  'II shows its population counts and all its built-in checks, none evaluated');
SELECT is((SELECT population FROM tmac.compliance_status WHERE criterion = 'V'),
  '{"own_checks": 0, "audit_entries": 0, "label_tables": 0, "protected_tables": 0, "persons": 0, "providers": 0, "electronic_information": 0}'::jsonb
    || jsonb_build_object('audit_entries', (SELECT count(*) FROM tmac.audit_log)),
  'V shows the populations of its checks');
SET LOCAL lc_messages = 'ja_JP.UTF-8';   -- the report's words, in Japanese
SELECT unalike(tmac.compliance_report_html(), '%証跡あり</td>%', 'empty database: the report never prints 証跡あり as a status');
SELECT unalike(tmac.compliance_report_html(), '%未解決の指摘はありません%', 'nor that there are no findings');
SELECT alike(tmac.compliance_report_html(), '%<td class="st">未評価<%', 'it prints 未評価 instead');
RESET lc_messages;

-- 2. with persons and a grant, II is evaluated
\i test/pgtap/people_fixture.psql
REVOKE tmac_access_admin FROM t_erin;   -- the fixture's SoD conflict would make II failing
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', 'design')$$) AS g1 \gset
SELECT results_eq($$SELECT status, builtin_evaluated > 0, (population->>'persons')::int, (population->>'grants')::int
                      FROM tmac.compliance_status WHERE criterion = 'II'$$,
  $$VALUES ('ok'::text, true, 5, 1)$$, 'persons and a grant, no finding: II is ok, and shows over what');
SELECT is((SELECT status FROM tmac.compliance_status WHERE criterion = 'I-5'), 'ok', 'I-5 too (training over persons with grants)');
SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT alike(tmac.compliance_report_html(), '%<tr class="ok"><td class="code">II</td>%<td class="st">証跡あり<%', 'the report prints 証跡あり for an ok criterion');
RESET lc_messages;

-- 3. disabled built-in checks: at best ok_with_exceptions (all of II's but grant_unapproved)
SELECT count(*) AS ii_checks, count(*) - 1 AS ii_disabled FROM tmac.compliance_check WHERE criterion = 'II' AND builtin \gset
SELECT tmac.set_check_enabled(check_code, false)
  FROM tmac.compliance_check WHERE criterion = 'II' AND builtin AND check_code <> 'grant_unapproved';
SELECT results_eq($$SELECT status, builtin_checks, builtin_disabled, builtin_run, builtin_evaluated FROM tmac.compliance_status WHERE criterion = 'II'$$,
  format($$VALUES ('ok_with_exceptions'::text, %s::bigint, %s::bigint, 1::bigint, 1::bigint)$$, :ii_checks, :ii_disabled), 'all II checks but one disabled: not ok, ok_with_exceptions');
SELECT matches((SELECT reason FROM tmac.compliance_status WHERE criterion = 'II'), :'ii_disabled' || ' of ' || :'ii_checks' || ' built-in check\(s\) disabled',
  'the reason counts them');
SELECT is((SELECT disabled_checks[1] FROM tmac.compliance_status WHERE criterion = 'II'),
  format('access_without_pledge (by %s, %s)', current_user, tmac.message('%s', now())),   -- the moment as tmac writes times
  'and names each with who disabled it when');
SELECT results_eq($$SELECT disabled_by, disabled_at FROM tmac.compliance_check WHERE check_code = 'sod_conflict'$$,
  $$VALUES (current_user::name, now())$$, 'the registry records who and when');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE subject = 'sod_conflict' AND detail->'new'->>'disabled_by' = current_user),
  1::bigint, 'and the audit log has the change');
SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT is(substring(tmac.compliance_report_html() from '<tr class="[a-z_]+?"><td class="code">II</td>.*?</tr>') ~ '適合|証跡あり', false,
  'the report prints no 適合 nor 証跡あり for II, ok_with_exceptions');
RESET lc_messages;
SELECT alike(tmac.compliance_report_html(), format('%%Disabled check: sod_conflict (II)%%by %s at %s%%', current_user, tmac.company_time(now())),
  'and lists the disabled checks with who disabled them when');
SELECT tmac.set_check_enabled('grant_unapproved', false);
SELECT results_eq($$SELECT status, reason FROM tmac.compliance_status WHERE criterion = 'II'$$,
  $$VALUES ('not_evaluated'::text, 'not evaluated: every built-in check is disabled'::text)$$, 'all disabled: not_evaluated');

-- 4. a company's own do-nothing check is no evidence on its own
CREATE ROLE ch_t_owner;
CREATE FUNCTION public.ch_t_nothing() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql AS $$ SELECT NULL::text, NULL::text, NULL::timestamptz WHERE false $$;
ALTER FUNCTION public.ch_t_nothing() OWNER TO ch_t_owner;
SELECT tmac.register_check('ch_t_nothing_ii', 'II', 'low', 'Nothing', 'Finds nothing.', 'None.', 'public.ch_t_nothing()');
SELECT tmac.register_check('ch_t_nothing_iii', 'III', 'low', 'Nothing', 'Finds nothing.', 'None.', 'public.ch_t_nothing()');
SELECT results_eq($$SELECT criterion, status, own_checks, own_checks_run FROM tmac.compliance_status WHERE criterion IN ('III', 'II')$$,
  $$VALUES ('II'::text, 'not_evaluated'::text, 1::bigint, 1::bigint), ('III', 'not_evaluated', 1, 1)$$,
  'a registered do-nothing check alone never makes a criterion ok');
SELECT is((SELECT reason FROM tmac.compliance_status WHERE criterion = 'III'),
  'not evaluated: nothing to examine (containers = 0, key_loans = 0); the company''s own checks alone are no evidence',
  'and the reason says so');
SELECT tmac.set_check_enabled(check_code, true) FROM tmac.compliance_check WHERE criterion = 'II' AND builtin;
SELECT results_eq($$SELECT status, builtin_disabled, disabled_checks FROM tmac.compliance_status WHERE criterion = 'II'$$,
  $$VALUES ('ok'::text, 0::bigint, '{}'::text[])$$, 'enabled again: ok, with its own check beside the built-in ones');
SELECT is((SELECT count(*) FROM tmac.compliance_check WHERE disabled_by IS NOT NULL OR disabled_at IS NOT NULL), 0::bigint,
  'enabling clears who disabled it');

-- 5. turning a requirement off does not hide its finding
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('ch-1', 'F1', 'hire', now() - interval '1 hour', '{"full_name":"Frank","org_group":"DEV","job_role":"engineer"}');
SELECT tmac.record_training('F1', 'security basics', current_date - 1);
SELECT tmac.configure('require_pledge', 'off');   -- a request needs the prerequisites in force
SELECT pg_temp.granted($$SELECT tmac.request_access('F1', 'PRJ-A', now() + interval '90 days', 'design')$$) AS g2 \gset
SELECT tmac.configure('require_pledge', 'on');
SELECT results_eq($$SELECT criterion, subject, accepted_by FROM tmac.findings WHERE check_code = 'access_without_pledge'$$,
  $$VALUES ('II'::text, 'person:F1'::text, NULL::text)$$, 'a person with access and no pledge is a finding');
SELECT tmac.configure('require_pledge', 'off');
SELECT results_eq($$SELECT subject, accepted_by FROM tmac.findings WHERE check_code = 'access_without_pledge' ORDER BY subject$$,
  $$VALUES ('person:F1'::text, 'setting require_pledge = off'::text), ('setting:require_pledge', NULL)$$,
  'require_pledge off: the finding stays, accepted by the setting, and the setting is a finding of its own');
SELECT matches((SELECT detail FROM tmac.findings WHERE subject = 'person:F1' AND check_code = 'access_without_pledge'),
  'access is NOT denied, because require_pledge is off', 'the finding says access is not denied');
SELECT matches((SELECT detail FROM tmac.findings WHERE subject = 'setting:require_pledge'),
  format('^Setting require_pledge is off \(tmac''s default: on\), changed by %s on ', current_user),
  'the setting finding says who changed it');
SELECT results_eq($$SELECT criterion, severity FROM tmac.findings WHERE subject = 'setting:require_pledge'$$,
  $$VALUES ('II'::text, 'medium'::text)$$, 'under the criterion it weakens');
SELECT results_eq($$SELECT status, open_findings, accepted_findings, cardinality(weakening_settings) FROM tmac.compliance_status WHERE criterion = 'II'$$,
  $$VALUES ('attention'::text, 1::bigint, 1::bigint, 1)$$, 'II: attention, one open (the setting) and one accepted finding');
SELECT matches((SELECT weakening_settings[1] FROM tmac.compliance_status WHERE criterion = 'II'),
  format('^require_pledge = off \(by %s, .*\) weakens access_without_pledge$', current_user), 'and the weakening setting is listed');
SELECT tmac.configure('require_training', 'off');
SELECT tmac.configure('review_period', '2 years');
SELECT results_eq($$SELECT criterion, check_code FROM tmac.findings WHERE subject LIKE 'setting:%' ORDER BY 2$$,
  $$VALUES ('II'::text, 'access_without_pledge'::text), ('I-5', 'access_without_training'), ('II', 'grant_not_reviewed')$$,
  'each weakening setting is a finding under the check and criterion it weakens');
SELECT tmac.configure('require_pledge', 'on');
SELECT tmac.configure('require_training', 'on');
SELECT tmac.configure('review_period', '3 months');
SELECT is((SELECT count(*) FROM tmac.findings WHERE subject LIKE 'setting:%'), 0::bigint,
  'back on (or stricter): no setting finding');
SELECT results_eq($$SELECT subject, accepted_by FROM tmac.findings WHERE check_code = 'access_without_pledge'$$,
  $$VALUES ('person:F1'::text, NULL::text)$$, 'and the finding is open again');
SELECT is((SELECT status FROM tmac.compliance_status WHERE criterion = 'II'), 'failing', 'II is failing');
SELECT tmac.record_pledge('F1', 'hire', current_date);
SELECT is((SELECT status FROM tmac.compliance_status WHERE criterion = 'II'), 'ok', 'fixed: ok');

-- 6. the evidence names only objects that exist (resolved now: objects added later are checked too)
SELECT is((SELECT string_agg(c.criterion || ': ' || m[1], ', ')
             FROM tmac.criterion c
             CROSS JOIN LATERAL regexp_matches(c.evidence, '(tmac\.[a-z_][a-z0-9_]*(\([^)]*\))?)', 'g') m
            WHERE CASE WHEN m[2] IS NOT NULL THEN to_regprocedure(m[1]) IS NULL ELSE to_regclass(m[1]) IS NULL AND to_regtype(m[1]) IS NULL END),
  NULL, 'every tmac.<name> in tmac.criterion.evidence exists (a relation, type or function)');
SELECT cmp_ok((SELECT count(*) FROM tmac.criterion c
                CROSS JOIN LATERAL regexp_matches(c.evidence, 'tmac\.[a-z_]', 'g')), '>=', 10::bigint,
  'and the evidence does name tmac''s objects');

-- 7. the population a check declares exists
SELECT is((SELECT string_agg(k.check_code || ': ' || u, ', ') FROM tmac.compliance_check k CROSS JOIN unnest(k.population) u
            WHERE u NOT IN (SELECT population FROM tmac.compliance_population)), NULL,
  'every population a check declares is defined');
SELECT is((SELECT string_agg(check_code, ', ') FROM tmac.compliance_check WHERE builtin AND population = '{}'), NULL,
  'every built-in check declares its population');

SELECT * FROM finish();
ROLLBACK;
