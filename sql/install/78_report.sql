-- 78_report.sql — the printable compliance report (HTML).
--
-- tmac.compliance_report_html() renders tmac.compliance_status and the open findings, both
-- from one run of the checks, as a self-contained HTML page (inline CSS, A4, no scripts, no
-- external resources).  It reports evidence, never a verdict: the certification body decides
-- whether the company conforms, so a criterion is 証跡あり (evidence: a built-in check examined
-- a non-empty population and nothing is open, disabled, weakened or accepted), 例外あり (the
-- same with an exception), 要対応 (action needed: findings are open) or 未評価 (not
-- evaluated) — never 適合 or 不適合.  In order: incidents first (the open incidents of the
-- register and every finding of I-6, 事故・兆候), then the status per criterion with why, over
-- what population and which checks, the exceptions (disabled checks, settings weakening a
-- check), and the findings of the other criteria: every critical and high one, and at most
-- max_findings_per_criterion medium or low ones per criterion (the rest counted).  It is as
-- long as the findings make it: one A4 page only while they are few.
--
-- Its fixed texts are tmac.message()s, so lc_messages chooses its language (Japanese with
-- 'ja_JP.UTF-8', English with 'C'); its times are tmac.message's timestamptz arguments, all
-- in the company's time zone (the time_zone setting), which the report names once at the top.
-- Export it with:  psql -XAtc 'SELECT tmac.compliance_report_html()' > report.html

CREATE FUNCTION tmac.html_escape(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN replace(replace(replace(replace(replace(coalesce(t, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION tmac.html_escape(text) IS 'Escapes text for HTML element content and attribute values';

CREATE FUNCTION tmac.compliance_report_html(max_findings_per_criterion integer DEFAULT 3)
  RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  -- the catalog's language, as its own translation of 'en' says (po/ja/report.po: ja), so that
  -- the page's lang and the titles shown from tmac's tables follow the fixed texts
  lang text := CASE WHEN tmac.message('en') = 'ja' THEN 'ja' ELSE 'en' END;
  status_rows text;
  finding_rows text;
  incident_rows text;
  incident_findings text;
  totals record;
  rs tmac.check_result[] := tmac.compliance_run();   -- one run of every check, shown twice below
  fs tmac.findings[];
  exception_rows text;
  criteria integer;
  not_evaluated integer;
  not_evaluated_list text;
  incidents_evaluated boolean;
  -- lists of words are one message each, |-separated (a word alone, 'High', would be every
  -- area's message and translated twice)
  severity_word jsonb := (SELECT jsonb_object_agg(k, w) FROM unnest(ARRAY['critical', 'high', 'medium', 'low'],
                            string_to_array(tmac.message('Critical|High|Medium|Low'), '|')) u(k, w));
  status_word jsonb := (SELECT jsonb_object_agg(k, w) FROM unnest(ARRAY['ok', 'ok_with_exceptions', 'attention', 'not_evaluated'],
                          string_to_array(tmac.message('Evidence|With exceptions|Action needed|Not evaluated'), '|')) u(k, w));
  finding_header text := (SELECT string_agg('<th>' || tmac.html_escape(h) || '</th>', '' ORDER BY o)
                            FROM unnest(string_to_array(tmac.message('Severity|Check|Subject|Detail'), '|')) WITH ORDINALITY u(h, o));
BEGIN
  SELECT coalesce(array_agg(ROW(f.*)::tmac.findings), '{}') INTO fs FROM tmac.findings_of(rs) f;

  SELECT count(*) AS findings,
         count(*) FILTER (WHERE f.severity IN ('critical', 'high')) AS serious
    INTO totals FROM unnest(fs) f;

  -- the status per criterion: evidence words, never the certification body's verdict
  SELECT string_agg(format(
           '<tr class="%s"><td class="code">%s</td><td>%s</td><td class="pop">%s</td><td class="num">%s / %s%s%s</td><td class="num">%s%s</td><td class="num sev">%s</td><td class="st">%s<div class="why">%s</div></td></tr>',
           s.status, tmac.html_escape(s.criterion),
           CASE WHEN lang = 'ja' THEN tmac.html_escape(s.title_ja)
                ELSE tmac.html_escape(s.title_en) || ' <span class="en">' || tmac.html_escape(s.title_ja) || '</span>' END,
           coalesce((SELECT string_agg(tmac.html_escape(coalesce(CASE WHEN lang = 'ja' THEN p.title_ja ELSE p.title_en END, e.key))
                                       || '&nbsp;' || coalesce(e.value, '?'), ', ' ORDER BY e.key)
                       FROM jsonb_each_text(s.population) e LEFT JOIN tmac.compliance_population p ON p.population = e.key), '–'),
           s.builtin_evaluated, s.builtin_checks,
           CASE WHEN s.builtin_disabled > 0
                THEN '<br><span class="warn">' || tmac.html_escape(tmac.message('%s disabled', s.builtin_disabled)) || '</span>' ELSE '' END,
           CASE WHEN s.own_checks > 0
                THEN '<br><span class="en">' || tmac.html_escape(tmac.message('%s of the company''s own', s.own_checks)) || '</span>' ELSE '' END,
           s.open_findings,
           CASE WHEN s.accepted_findings > 0
                THEN '<br><span class="en">' || tmac.html_escape(tmac.message('+%s accepted', s.accepted_findings)) || '</span>' ELSE '' END,
           CASE WHEN s.open_findings = 0 THEN '–'
                ELSE tmac.html_escape(concat_ws(' ',
                       CASE WHEN s.critical > 0 THEN tmac.message('%s critical', s.critical) END,
                       CASE WHEN s.high > 0 THEN tmac.message('%s high', s.high) END,
                       CASE WHEN s.medium > 0 THEN tmac.message('%s medium', s.medium) END,
                       CASE WHEN s.low > 0 THEN tmac.message('%s low', s.low) END)) END,
           tmac.html_escape(status_word ->> CASE s.status WHEN 'failing' THEN 'attention' ELSE s.status END),
           tmac.html_escape(s.reason)),
           E'\n' ORDER BY s.ordinal),
         count(*),
         count(*) FILTER (WHERE s.status = 'not_evaluated'),
         string_agg(s.criterion, ', ' ORDER BY s.ordinal) FILTER (WHERE s.status = 'not_evaluated'),
         coalesce(bool_or(s.status <> 'not_evaluated') FILTER (WHERE s.criterion = 'I-6'), false)
    INTO status_rows, criteria, not_evaluated, not_evaluated_list, incidents_evaluated
    FROM (SELECT cs.*, c.ordinal FROM tmac.compliance_status_of(rs) cs JOIN tmac.criterion c USING (criterion)) s;

  SELECT string_agg('<li>' || tmac.html_escape(x.line) || '</li>', E'\n' ORDER BY x.ord, x.line) INTO exception_rows
    FROM (SELECT 1 AS ord, tmac.message('Disabled check: %s (%s), %s — by %s at %s',
                                        k.check_code, k.criterion, tmac.message(k.title),
                                        coalesce(k.disabled_by::text, '?'),
                                        coalesce(tmac.company_time(k.disabled_at), '?')) AS line
            FROM tmac.compliance_check k WHERE k.builtin AND NOT k.enabled
          UNION ALL
          SELECT 2, CASE WHEN w.accepts
                         THEN tmac.message('Setting weakening a check: %s = %s (default %s; by %s at %s) weakens %s (%s): its findings are accepted, not enforced',
                                           w.key, w.value, w.default_value, coalesce(w.changed_by::text, '?'),
                                           coalesce(tmac.company_time(w.changed_at), '?'), w.check_code, w.criterion)
                         ELSE tmac.message('Setting weakening a check: %s = %s (default %s; by %s at %s) weakens %s (%s)',
                                           w.key, w.value, w.default_value, coalesce(w.changed_by::text, '?'),
                                           coalesce(tmac.company_time(w.changed_at), '?'), w.check_code, w.criterion) END
            FROM tmac.weakened_checks w) x;

  -- incidents first: the register's open incidents (when this role may read it) ...
  IF has_table_privilege('tmac.incident', 'SELECT') THEN
    SELECT string_agg(format('<tr><td class="num">%s</td><td class="t">%s</td><td class="t">%s</td><td>%s</td><td class="t">%s</td><td class="t">%s</td><td>%s</td></tr>',
                             i.incident_id,
                             tmac.html_escape(tmac.company_time(i.detected_at)),
                             tmac.html_escape(tmac.company_time(i.reported_at)),
                             tmac.html_escape(i.category),
                             tmac.html_escape(coalesce(tmac.company_time(i.escalated_at), tmac.message('not yet reported'))),
                             tmac.html_escape(tmac.company_time(i.due_by)),
                             tmac.html_escape(left(i.description, 160))),
                      E'\n' ORDER BY i.detected_at, i.incident_id)
      INTO incident_rows
      FROM tmac.incident i WHERE i.status = 'open';
  END IF;
  -- ... and every finding of I-6 (incidents, leak signs, refused logins), whatever its severity
  SELECT string_agg(format('<tr><td class="sev-%s">%s</td><td class="code">%s</td><td class="subj">%s</td><td>%s%s</td></tr>',
                           f.severity, tmac.html_escape(severity_word ->> f.severity),
                           tmac.html_escape(f.check_code), tmac.html_escape(f.subject), tmac.html_escape(f.detail),
                           CASE WHEN f.accepted_by IS NOT NULL
                                THEN ' <span class="warn">' || tmac.html_escape(tmac.message('[accepted: %s]', f.accepted_by)) || '</span>' ELSE '' END),
                    E'\n' ORDER BY array_position(ARRAY['critical','high','medium','low'], f.severity), f.check_code, f.subject)
    INTO incident_findings
    FROM unnest(fs) f WHERE f.criterion = 'I-6';

  -- the findings of the other criteria: every critical and high one, medium and low ones up to the limit
  SELECT string_agg(x.html, E'\n' ORDER BY x.ordinal)
    INTO finding_rows
    FROM (
      SELECT c.ordinal,
             format('<tr class="grp"><td colspan="4">%s — %s (%s)</td></tr>', tmac.html_escape(c.criterion),
                    tmac.html_escape(CASE WHEN lang = 'ja' THEN c.title_ja ELSE c.title_en END), count(*))
             || string_agg(format('<tr><td class="sev-%s">%s</td><td class="code">%s</td><td class="subj">%s</td><td>%s%s</td></tr>',
                                  f.severity, tmac.html_escape(severity_word ->> f.severity),
                                  tmac.html_escape(f.check_code), tmac.html_escape(f.subject),
                                  tmac.html_escape(f.detail),
                                  CASE WHEN f.accepted_by IS NOT NULL
                                       THEN ' <span class="warn">' || tmac.html_escape(tmac.message('[accepted: %s]', f.accepted_by)) || '</span>' ELSE '' END), '' ORDER BY f.rk)
               FILTER (WHERE f.severity IN ('critical', 'high') OR f.minor_rk <= max_findings_per_criterion)
             || CASE WHEN count(*) FILTER (WHERE f.minor_rk > max_findings_per_criterion) > 0
                     THEN format('<tr><td colspan="4" class="more">%s</td></tr>', tmac.html_escape(
                            tmac.message('… and %s more medium or low (SELECT * FROM tmac.findings WHERE criterion = %L)',
                                         count(*) FILTER (WHERE f.minor_rk > max_findings_per_criterion), c.criterion)))
                     ELSE '' END AS html
        FROM (SELECT f.*,
                     row_number() OVER (PARTITION BY f.criterion
                       ORDER BY array_position(ARRAY['critical','high','medium','low'], f.severity), f.check_code, f.subject) AS rk,
                     CASE WHEN f.severity NOT IN ('critical', 'high')
                          THEN row_number() OVER (PARTITION BY f.criterion, f.severity IN ('critical', 'high')
                                 ORDER BY array_position(ARRAY['critical','high','medium','low'], f.severity), f.check_code, f.subject) END AS minor_rk
                FROM unnest(fs) f WHERE f.criterion <> 'I-6') f
        JOIN tmac.criterion c USING (criterion)
       GROUP BY c.ordinal, c.criterion, c.title_ja, c.title_en) x;

  RETURN format($html$<!DOCTYPE html>
<html lang="%1$s"><head><meta charset="utf-8">
<title>%2$s — %3$s</title>
<style>
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; font-size: 9pt; color: #1a1a1a; margin: 0 auto; max-width: 190mm; padding: 6mm 0; line-height: 1.3; }
h1 { font-size: 15pt; margin: 0 0 1mm; } h2 { font-size: 11pt; margin: 5mm 0 2mm; border-bottom: 1.5px solid #333; padding-bottom: 1mm; }
h3 { font-size: 9.5pt; margin: 3mm 0 1mm; }
.meta { color: #555; margin-bottom: 1mm; } .zone { margin-bottom: 3mm; font-weight: 600; } .summary { font-size: 11pt; margin: 2mm 0 3mm; }
table { border-collapse: collapse; width: 100%%; } th, td { border: 1px solid #bbb; padding: 0.7mm 1.6mm; vertical-align: top; text-align: left; }
th { background: #eee; font-weight: 600; } .num { text-align: right; white-space: nowrap; } .code { white-space: nowrap; font-weight: 600; }
.en { color: #555; font-size: 8pt; } .st { white-space: nowrap; font-weight: 600; } .sev { font-size: 8.5pt; } td.t { white-space: nowrap; font-size: 8pt; }
tr.ok .st, tr.ok_with_exceptions .st { color: #1b6e20; } tr.attention .st { color: #8a5a00; } tr.failing .st { color: #b00020; } tr.not_evaluated .st { color: #777; }
tr.failing td.code { border-left: 4px solid #b00020; } tr.attention td.code { border-left: 4px solid #e0a000; } tr.ok td.code, tr.ok_with_exceptions td.code { border-left: 4px solid #2e7d32; } tr.not_evaluated td.code { border-left: 4px solid #bbb; }
tr.grp td { background: #f4f4f4; font-weight: 600; } td.subj { white-space: nowrap; font-family: monospace; font-size: 8.5pt; }
.sev-critical, .sev-high { color: #b00020; font-weight: 600; white-space: nowrap; } .sev-medium { color: #8a5a00; white-space: nowrap; } .sev-low { color: #555; white-space: nowrap; }
td.more { color: #555; font-style: italic; } .none { color: #1b6e20; } .warn { color: #8a5a00; font-weight: 600; }
.why { font-weight: normal; color: #555; font-size: 7.5pt; white-space: normal; max-width: 55mm; } td.pop { font-size: 8pt; } footer { margin-top: 3mm; color: #777; font-size: 7.5pt; }
tr { break-inside: avoid; } h2, h3 { break-after: avoid; } th:first-child { white-space: nowrap; }
@media print { body { font-size: 7.6pt; padding: 0; max-width: none; } h1 { font-size: 12.5pt; } h2 { font-size: 9.5pt; margin: 3mm 0 1.5mm; } .en, .sev, td.subj, td.t { font-size: 7pt; } th, td { padding: 0.5mm 1.2mm; } }
</style></head><body>
<h1>%2$s</h1>
<div class="meta">%4$s</div>
<div class="zone">%5$s</div>
<div class="summary">%6$s</div>
<h2>%7$s</h2>
%8$s
<h2>%9$s</h2>
<table><thead><tr>%10$s</tr></thead>
<tbody>
%11$s
</tbody></table>
<p class="en">%12$s</p>
%13$s
<h2>%14$s</h2>
%15$s
%16$s
<footer>%17$s</footer>
</body></html>
$html$,
    lang,                                                                                             -- 1
    tmac.html_escape(tmac.message('Technical Information Management Certification: evidence per criterion')),   -- 2
    tmac.html_escape(current_database()),                                                             -- 3
    tmac.html_escape(tmac.message('Database: %s · generated: %s · tmac %s', current_database(), now(),
                                  (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'tmac'))),   -- 4
    tmac.html_escape(tmac.message('All times in this report are in the company''s time zone, %s.', tmac.company_time_zone())),   -- 5
    tmac.html_escape(tmac.message('Open findings: %s (critical or high: %s) · criteria not evaluated: %s of %s',
                                  totals.findings, totals.serious, not_evaluated, criteria)),        -- 6
    tmac.html_escape(tmac.message('Incidents and leak signs (I-6)')),                                 -- 7
    -- 8: the open incidents of the register, then every finding of I-6
    '<h3>' || tmac.html_escape(tmac.message('Open incidents in the register')) || '</h3>'
    || CASE WHEN NOT has_table_privilege('tmac.incident', 'SELECT')
            THEN '<p class="warn">' || tmac.html_escape(tmac.message('This role may not read the incident register (tmac.incident).')) || '</p>'
            WHEN incident_rows IS NULL
            THEN '<p>' || tmac.html_escape(tmac.message('No open incident is recorded.')) || '</p>'
            ELSE '<table><thead><tr>' || (SELECT string_agg('<th>' || tmac.html_escape(h) || '</th>', '' ORDER BY o)
                                            FROM unnest(string_to_array(tmac.message('No.|Detected|Reported|Category|Reported to management|Due|Description'), '|'))
                                                 WITH ORDINALITY u(h, o))
                 || '</tr></thead><tbody>' || incident_rows || '</tbody></table>' END
    || '<h3>' || tmac.html_escape(tmac.message('Findings of I-6')) || '</h3>'
    || CASE WHEN incident_findings IS NULL AND NOT incidents_evaluated
            THEN '<p class="warn">' || tmac.html_escape(tmac.message('0 findings under I-6 — but I-6 was not evaluated: no finding there is no evidence.')) || '</p>'
            WHEN incident_findings IS NULL
            THEN '<p class="none">' || tmac.html_escape(tmac.message('No open finding under I-6.')) || '</p>'
            ELSE '<table><thead><tr>' || finding_header || '</tr></thead><tbody>' || incident_findings || '</tbody></table>' END,
    tmac.html_escape(tmac.message('Status per criterion')),                                          -- 9
    (SELECT string_agg('<th' || CASE WHEN o IN (4, 5) THEN ' class="num"' ELSE '' END || '>' || tmac.html_escape(h) || '</th>', '' ORDER BY o)
       FROM unnest(string_to_array(tmac.message('Criterion|Title|Population|Built-in checks evaluated|Findings|Severity|Status'), '|'))
            WITH ORDINALITY u(h, o)),   -- 10
    status_rows,                                                                                      -- 11
    tmac.html_escape(tmac.message('Evidence: a built-in check examined a non-empty population and nothing is open, disabled, weakened or accepted. With exceptions: the same, but a check is disabled or weakened, or findings are accepted. Action needed: findings are open. Not evaluated: no built-in check examined anything; no finding there is no evidence. The company''s own checks are shown but are no evidence on their own. These words describe the evidence tmac holds; whether the company conforms is for the certification body to decide.')),   -- 12
    CASE WHEN exception_rows IS NULL THEN ''
         ELSE '<h2>' || tmac.html_escape(tmac.message('Exceptions: disabled checks and settings weakening a check')) || '</h2><ul>' || exception_rows || '</ul>' END,   -- 13
    tmac.html_escape(tmac.message('Findings of the other criteria')),                                                 -- 14
    CASE WHEN finding_rows IS NOT NULL
         THEN '<table><thead><tr>' || finding_header || '</tr></thead><tbody>' || finding_rows || '</tbody></table>'
         WHEN not_evaluated > 0
         THEN '<p class="warn">' || tmac.html_escape(tmac.message('0 findings outside I-6 — but %s criteria (%s) were not evaluated: no finding there is no evidence.',
                                                                  not_evaluated, not_evaluated_list)) || '</p>'
         ELSE '<p class="none">' || tmac.html_escape(tmac.message('No open findings outside I-6.')) || '</p>' END,   -- 15
    -- 16: access over time of (at most 3) persons with a leak-sign finding (77_access_stats.sql)
    coalesce((SELECT '<h2>' || tmac.html_escape(tmac.message('Access over time of persons with a leak sign')) || '</h2>' || string_agg(tmac.access_chart_html(x.p), E'\n' ORDER BY x.p)
                FROM (SELECT DISTINCT substr(f.subject, 8) AS p FROM unnest(fs) f
                       WHERE f.criterion = 'I-6' AND f.check_code LIKE 'access\_%' AND f.subject LIKE 'person:%'
                       ORDER BY 1 LIMIT 3) x), ''),
    tmac.html_escape(tmac.message('Source: tmac.compliance_status and tmac.findings at the time above. Each finding names its check (tmac.compliance_check explains it and the remedy). Critical and high findings are all listed; medium and low ones up to %s per criterion.',
                                  max_findings_per_criterion)));                                     -- 17
END
$$;
COMMENT ON FUNCTION tmac.compliance_report_html(integer) IS 'A printable HTML compliance report in the session''s language (lc_messages), its times in the company''s time zone (named once): incidents first (open incidents, every I-6 finding), the status per criterion in evidence words (証跡あり evidence, 例外あり with exceptions, 要対応 action needed, 未評価 not evaluated; never a verdict) with reason, population and checks, the exceptions, then every critical and high finding and at most max_findings_per_criterion medium or low ones per criterion';
