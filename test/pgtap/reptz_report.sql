-- reptz_report.sql — pgTAP: the compliance report says what an auditor may say (issue 20 item 3).
--
-- Evidence words (証跡あり / 例外あり / 要対応 / 未評価; English under lc_messages C), never the
-- certification body's verdict (適合 / 不適合); every critical and high finding, however many
-- under one criterion, and medium or low ones up to the limit; incidents first; the report's
-- language follows lc_messages; every time in the company's zone, the zone named once, the
-- page the same whatever the session's TimeZone.
BEGIN;
SELECT plan(27);
\i test/pgtap/people_fixture.psql
\i test/pgtap/reptz_fixture.psql

SET LOCAL lc_messages = 'ja_JP.UTF-8';
SET LOCAL TimeZone = 'UTC';
CREATE TEMP TABLE reptz_page AS SELECT tmac.compliance_report_html() AS html, tmac.compliance_report_html(10) AS all_findings;

-- 1. every critical and high finding; medium and low up to the limit
SELECT is((SELECT count(*) FROM tmac.findings WHERE criterion = 'V' AND severity = 'high' AND subject LIKE 'role:reptz_r%'), 5::bigint,
  'five high findings under V');
SELECT is((SELECT count(*) FROM tmac.findings f, reptz_page p
            WHERE f.severity IN ('critical', 'high') AND strpos(p.html, '<td class="subj">' || tmac.html_escape(f.subject) || '</td>') > 0),
  (SELECT count(*) FROM tmac.findings WHERE severity IN ('critical', 'high')),
  'the report prints every critical and high finding');
SELECT is((SELECT count(*) FROM reptz_page p, generate_series(1, 5) i
            WHERE strpos(p.html, '<td class="subj">role:reptz_r' || i || '</td>') > 0), 5::bigint,
  'all five high findings of V, not the first three');
SELECT is((SELECT count(*) FROM reptz_page p, generate_series(1, 5) i
            WHERE strpos(p.html, '<td class="subj">view:public.reptz_v' || i || '</td>') > 0), 3::bigint,
  'medium findings: three of five (the limit)');
SELECT alike((SELECT html FROM reptz_page), '%ほかに中・低の指摘 2 件（SELECT * FROM tmac.findings WHERE criterion = &#39;V&#39;）%',
  'and the rest counted, with the query that lists them');
SELECT is((SELECT count(*) FROM reptz_page p, generate_series(1, 5) i
            WHERE strpos(p.all_findings, '<td class="subj">view:public.reptz_v' || i || '</td>') > 0), 5::bigint,
  'a higher limit prints them all');

-- 2. evidence words, never the verdict
SELECT is((SELECT html ~ '適合' FROM reptz_page), false, 'no 適合 nor 不適合 anywhere');
SELECT is((SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) FROM reptz_page, regexp_matches(html, '<td class="st">([^<]*)<', 'g') m),
  ARRAY['例外あり', '未評価', '要対応', '証跡あり'], 'the status column says 証跡あり, 例外あり, 要対応 or 未評価');
SELECT alike((SELECT html FROM reptz_page), '%<tr class="ok"><td class="code">I-5</td>%<td class="st">証跡あり<%',
  'an ok criterion: 証跡あり');
SELECT alike((SELECT html FROM reptz_page), '%<tr class="failing"><td class="code">V</td>%<td class="st">要対応<%',
  'a criterion with high findings: 要対応');
SELECT alike((SELECT html FROM reptz_page), '%認証機関が判断します%', 'and the page says the verdict is the certification body''s');
SELECT alike((SELECT html FROM reptz_page), '%<tr class="ok_with_exceptions"><td class="code">II</td>%<td class="st">例外あり<%',
  'a criterion with a disabled check: 例外あり, not 証跡あり');

-- 3. incidents first
SELECT ok((SELECT strpos(html, 'USB memory lost on the train') > 0
                  AND strpos(html, 'USB memory lost on the train') < strpos(html, '<h2>基準別の状況</h2>') FROM reptz_page),
  'the open incident of the register comes before the status per criterion');
SELECT ok((SELECT strpos(html, '<td class="code">reptz_sign</td>') > 0
                  AND strpos(html, '<td class="code">reptz_sign</td>') < strpos(html, '<h2>基準別の状況</h2>') FROM reptz_page),
  'so does the finding of I-6');
SELECT ok((SELECT strpos(html, '<h2>基準別の状況</h2>') < strpos(html, '<td class="subj">role:reptz_r1</td>') FROM reptz_page),
  'the other criteria''s findings come after');
SELECT is((SELECT count(*) FROM reptz_page, regexp_matches(html, '<td class="code">reptz_sign</td>', 'g')), 1::bigint,
  'the I-6 finding is printed once');

-- 4. times: the company's zone, named once; the same page in any session's zone
SELECT is((SELECT count(*) FROM reptz_page, regexp_matches(html, 'Asia/Tokyo', 'g')), 1::bigint,
  'the zone is named once');
SELECT alike((SELECT html FROM reptz_page), '%この報告書の時刻はすべて会社の時間帯 Asia/Tokyo で表示しています。%', 'in a sentence that says so');
SELECT is((SELECT count(*) FROM reptz_page, regexp_matches(html, '\d{4}-\d\d-\d\d[ T]\d\d:\d\d', 'g')),
          (SELECT count(*) FROM reptz_page, regexp_matches(html, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d JST', 'g')),
  'every time printed is in JST, with its zone');
SELECT alike((SELECT html FROM reptz_page), '%作成: ' || tmac.company_time(now()) || '%', 'when it was generated');
SELECT alike((SELECT html FROM reptz_page),
  '%<td class="t">' || (SELECT tmac.company_time(detected_at) FROM tmac.incident WHERE description = 'USB memory lost on the train') || '</td>%',
  'when the incident was detected');
SELECT alike((SELECT html FROM reptz_page), format('%%sod_conflict（II）%%— %s が %s に無効化%%', current_user, tmac.company_time(now())),
  'when a check was disabled, and by whom');
SELECT alike((SELECT html FROM reptz_page), '%Bulk export seen at 2026-12-07 09:52:00 JST.%', 'a finding''s detail in the same zone');
SET LOCAL TimeZone = 'America/New_York';
SELECT is(tmac.compliance_report_html(), (SELECT html FROM reptz_page), 'the same page in a session in another zone');

-- 5. the language follows lc_messages
SET LOCAL lc_messages = 'C';
SELECT ok((SELECT html FROM reptz_page) ~ '^<!DOCTYPE html>\s*<html lang="ja">' AND tmac.compliance_report_html() ~ '^<!DOCTYPE html>\s*<html lang="en">',
  'the page''s language is lc_messages''s');
SELECT alike(tmac.compliance_report_html(), '%<h1>Technical Information Management Certification: evidence per criterion</h1>%<td class="st">Evidence<%<td class="st">Action needed<%',
  'English under C: the title and the evidence words');
SELECT is(tmac.compliance_report_html() ~ '(OK|Failing|[Cc]ompliant)\M', false, 'no verdict in English either');

SELECT * FROM finish();
ROLLBACK;
