-- cert_electronic.sql — pgTAP: the electronic measures outside the database (84_electronic_measures.sql):
-- declarations with who checked, what was seen, the evidence and a review date; the findings
-- electronic_measure_missing (for the company's highest level) and electronic_measure_review_overdue
-- created, seen, fixed and cleared; tmac's own evidence listed beside the measures.
BEGIN;
SELECT plan(17);
\i test/pgtap/people_fixture.psql

CREATE FUNCTION pg_temp.n(code text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT count(*) FROM tmac.findings WHERE check_code = code $$;
CREATE FUNCTION pg_temp.pop(code text) RETURNS text LANGUAGE sql AS
  $$ SELECT criterion || ' ' || severity || ' ' || population::text FROM tmac.compliance_check WHERE check_code = code AND builtin $$;
CREATE FUNCTION pg_temp.declare(m text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT pg_temp.as_role('t_adm', format($q$SELECT tmac.declare_electronic_measure(%L, '全端末に導入済み', 'C1', '管理画面で全台の状態を確認', 'TICKET-42')$q$, m))::bigint $$;

SELECT is(pg_temp.pop('electronic_measure_missing'), 'V high {electronic_measures}', 'electronic_measure_missing: V, high, over the measures required');
SELECT is(pg_temp.pop('electronic_measure_review_overdue'), 'V medium {electronic_measures}', 'electronic_measure_review_overdue: V, medium');
SELECT is(pg_temp.n('electronic_measure_missing'), 0::bigint, 'no labelled asset: no level, no measure required');

-- the company's highest level: 社外秘 asks for seven measures, 秘 for nine
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('E-001', '顧客提案書', '営業', 'electronic', label => 'CONFIDENTIAL', manager => 'C1', location => 'ファイルサーバ')$$);
SELECT is(pg_temp.n('electronic_measure_missing'), 7::bigint, 'a 社外秘 asset: the seven measures of every level are missing');
SELECT alike((SELECT detail FROM tmac.findings WHERE subject = 'electronic_measure:network_boundary'), '%ファイアウォールの導入%rank 20%',
  '... each naming the measure, the level and the seed''s words');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('E-002', '試作品図面', '技術', 'electronic', label => 'SECRET', manager => 'C1', location => 'ファイルサーバ')$$);
SELECT is(pg_temp.n('electronic_measure_missing'), 9::bigint, 'a 秘 asset: vulnerability and software management too');
SELECT is((SELECT string_agg(measure || ' ' || state, ', ' ORDER BY ordinal) FROM tmac.electronic_measures WHERE state = 'tmac'),
  'database_row_security tmac, database_audit_log tmac', 'tmac''s own evidence is listed beside the measures, not instead of them');

-- declarations
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.declare_electronic_measure('backup', '毎日取得', 'C1', '復元テスト済み', 'TICKET-1')$q$)$$,
  '42501', NULL, 'an employee declares nothing');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.declare_electronic_measure('firewall', '導入済み', 'C1', '設定を確認した', 'TICKET-1')$q$)$$,
  '22023', 'unknown electronic measure ''firewall''', 'an unknown measure is refused, with the list');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.declare_electronic_measure('backup', '毎日取得し保管', 'Z9', '復元テスト済み', 'TICKET-1')$q$)$$,
  '55000', NULL, 'the person who checked is an active person');
SELECT pg_temp.declare(m.measure) FROM tmac.electronic_measure m WHERE m.measure <> 'backup';
SELECT is((SELECT string_agg(subject, ',') FROM tmac.findings WHERE check_code = 'electronic_measure_missing'), 'electronic_measure:backup',
  'declared: only backup is missing');
SELECT pg_temp.declare('backup');
SELECT is(pg_temp.n('electronic_measure_missing'), 0::bigint, 'every measure declared: cleared');
SELECT is((SELECT review_due - checked_on FROM tmac.electronic_measure_declaration WHERE measure = 'backup') BETWEEN 365 AND 366, true,
  'the next review is a year later (electronic_measure_review_interval)');

-- review overdue: checked 400 days ago
UPDATE tmac.electronic_measure_declaration SET checked_on = current_date - 400, review_due = current_date - 35 WHERE measure = 'backup';
SELECT is(pg_temp.n('electronic_measure_review_overdue'), 1::bigint, 'backup was to be checked again 35 days ago: a finding');
SELECT alike((SELECT detail FROM tmac.findings WHERE check_code = 'electronic_measure_review_overdue'), '%backup%by C1%', '... naming who checked it');
SELECT pg_temp.declare('backup');
SELECT is(pg_temp.n('electronic_measure_review_overdue'), 0::bigint, 'checked and declared again: cleared');
SELECT is((SELECT count(*) FROM tmac.electronic_measure_declaration WHERE measure = 'backup'), 2::bigint, 'the earlier declaration stays');

SELECT * FROM finish();
ROLLBACK;
