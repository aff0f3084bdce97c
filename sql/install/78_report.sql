-- 78_report.sql — the one-page printable compliance report (HTML).
--
-- tmac.compliance_report_html() renders tmac.compliance_status and the open
-- findings, both from one run of the checks, as a self-contained HTML page (inline CSS, A4, no scripts, no
-- external resources) that a browser prints on one page: the status per
-- criterion with Japanese and English titles, why, over what population, the
-- built-in checks evaluated, disabled and the company's own; then the
-- exceptions (disabled checks, settings weakening a check); then the findings
-- grouped by criterion, at most max_findings_per_criterion each (the rest
-- counted).  It prints 適合 only as the status of a criterion that is ok, and says
-- there are no findings only when every criterion was evaluated.
-- Export it with:  psql -XAtc 'SELECT tmac.compliance_report_html()' > report.html

CREATE FUNCTION tmac.html_escape(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN replace(replace(replace(replace(replace(coalesce(t, ''), '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');
COMMENT ON FUNCTION tmac.html_escape(text) IS 'Escapes text for HTML element content and attribute values';

CREATE FUNCTION tmac.compliance_report_html(max_findings_per_criterion integer DEFAULT 3)
  RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  status_rows text;
  finding_rows text;
  totals record;
  rs tmac.check_result[] := tmac.compliance_run();   -- one run of every check, shown twice below
  fs tmac.findings[];
  exception_rows text;
  not_evaluated integer;
  not_evaluated_list text;
BEGIN
  SELECT coalesce(array_agg(ROW(f.*)::tmac.findings), '{}') INTO fs FROM tmac.findings_of(rs) f;

  SELECT count(*) AS findings,
         count(*) FILTER (WHERE f.severity IN ('critical', 'high')) AS serious
    INTO totals FROM unnest(fs) f;

  SELECT string_agg(format(
           '<tr class="%s"><td class="code">%s</td><td>%s <span class="en">/ %s</span></td><td class="pop">%s</td><td class="num">%s / %s%s%s</td><td class="num">%s%s</td><td class="num sev">%s</td><td class="st">%s<div class="why">%s</div></td></tr>',
           s.status, tmac.html_escape(s.criterion),
           tmac.html_escape(s.title_ja), tmac.html_escape(s.title_en),
           coalesce((SELECT string_agg(tmac.html_escape(coalesce(p.title_ja, e.key)) || '&nbsp;' || coalesce(e.value, '?'), ', ' ORDER BY e.key)
                       FROM jsonb_each_text(s.population) e LEFT JOIN tmac.compliance_population p ON p.population = e.key), '–'),
           s.builtin_evaluated, s.builtin_checks,
           CASE WHEN s.builtin_disabled > 0 THEN '<br><span class="warn">' || s.builtin_disabled || '&nbsp;無効 disabled</span>' ELSE '' END,
           CASE WHEN s.own_checks > 0 THEN '<br><span class="en">自社 own ' || s.own_checks || '</span>' ELSE '' END,
           s.open_findings,
           CASE WHEN s.accepted_findings > 0 THEN '<br><span class="en">+' || s.accepted_findings || '&nbsp;accepted</span>' ELSE '' END,
           CASE WHEN s.open_findings = 0 THEN '–'
                ELSE concat_ws(' ', CASE WHEN s.critical > 0 THEN s.critical || '&nbsp;critical' END,
                                    CASE WHEN s.high > 0 THEN s.high || '&nbsp;high' END,
                                    CASE WHEN s.medium > 0 THEN s.medium || '&nbsp;medium' END,
                                    CASE WHEN s.low > 0 THEN s.low || '&nbsp;low' END) END,
           CASE s.status WHEN 'ok' THEN '適合 OK' WHEN 'ok_with_exceptions' THEN '例外あり With exceptions'
                         WHEN 'attention' THEN '要注意 Attention'
                         WHEN 'failing' THEN '不適合 Failing' ELSE '未評価 Not evaluated' END,
           tmac.html_escape(s.reason)),
           E'\n' ORDER BY s.ordinal),
         count(*) FILTER (WHERE s.status = 'not_evaluated'),
         string_agg(s.criterion, ', ' ORDER BY s.ordinal) FILTER (WHERE s.status = 'not_evaluated')
    INTO status_rows, not_evaluated, not_evaluated_list
    FROM (SELECT cs.*, c.ordinal FROM tmac.compliance_status_of(rs) cs JOIN tmac.criterion c USING (criterion)) s;

  SELECT string_agg(x.line, E'\n' ORDER BY x.ord, x.line) INTO exception_rows
    FROM (SELECT 1 AS ord, format('<li>無効なチェック / disabled check: <b>%s</b> (%s) — %s, by %s on %s</li>',
                                  tmac.html_escape(k.check_code), tmac.html_escape(k.criterion), tmac.html_escape(k.title),
                                  tmac.html_escape(coalesce(k.disabled_by::text, '?')),
                                  coalesce(to_char(k.disabled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), '?')) AS line
            FROM tmac.compliance_check k WHERE k.builtin AND NOT k.enabled
          UNION ALL
          SELECT 2, format('<li>チェックを弱める設定 / setting weakening a check: <b>%s = %s</b> (default %s; by %s on %s) weakens <b>%s</b> (%s)%s</li>',
                           tmac.html_escape(w.key), tmac.html_escape(w.value), tmac.html_escape(w.default_value),
                           tmac.html_escape(coalesce(w.changed_by::text, '?')),
                           coalesce(to_char(w.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), '?'),
                           tmac.html_escape(w.check_code), tmac.html_escape(w.criterion),
                           CASE WHEN w.accepts THEN ': its findings are accepted, not enforced' ELSE '' END)
            FROM tmac.weakened_checks w) x;

  SELECT string_agg(x.html, E'\n' ORDER BY x.ordinal)
    INTO finding_rows
    FROM (
      SELECT c.ordinal,
             format('<tr class="grp"><td colspan="4">%s — %s (%s)</td></tr>', tmac.html_escape(c.criterion),
                    tmac.html_escape(c.title_ja), count(*))
             || string_agg(format('<tr><td class="sev-%s">%s</td><td class="code">%s</td><td class="subj">%s</td><td>%s%s</td></tr>',
                                  f.severity, f.severity, tmac.html_escape(f.check_code), tmac.html_escape(f.subject),
                                  tmac.html_escape(f.detail),
                                  CASE WHEN f.accepted_by IS NOT NULL
                                       THEN ' <span class="warn">[accepted: ' || tmac.html_escape(f.accepted_by) || ']</span>' ELSE '' END), '' ORDER BY f.rk)
               FILTER (WHERE f.rk <= max_findings_per_criterion)
             || CASE WHEN count(*) > max_findings_per_criterion
                     THEN format('<tr><td colspan="4" class="more">… and %s more (SELECT * FROM tmac.findings WHERE criterion = %L)</td></tr>',
                                 count(*) - max_findings_per_criterion, c.criterion)
                     ELSE '' END AS html
        FROM (SELECT f.*, row_number() OVER (PARTITION BY f.criterion
                ORDER BY array_position(ARRAY['critical','high','medium','low'], f.severity), f.check_code, f.subject) AS rk
                FROM unnest(fs) f) f
        JOIN tmac.criterion c USING (criterion)
       GROUP BY c.ordinal, c.criterion, c.title_ja) x;

  RETURN format($html$<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>技術情報管理認証 基準別状況報告 / Compliance report — %1$s</title>
<style>
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; font-size: 9pt; color: #1a1a1a; margin: 0 auto; max-width: 190mm; padding: 6mm 0; }
h1 { font-size: 15pt; margin: 0 0 1mm; } h2 { font-size: 11pt; margin: 5mm 0 2mm; border-bottom: 1.5px solid #333; padding-bottom: 1mm; }
.meta { color: #555; margin-bottom: 3mm; } .summary { font-size: 11pt; margin: 2mm 0 3mm; }
table { border-collapse: collapse; width: 100%%; } th, td { border: 1px solid #bbb; padding: 0.7mm 1.6mm; vertical-align: top; text-align: left; }
th { background: #eee; font-weight: 600; white-space: nowrap; } .num { text-align: right; white-space: nowrap; } .code { white-space: nowrap; font-weight: 600; }
.en { color: #555; font-size: 8pt; } .st { white-space: nowrap; font-weight: 600; } .sev { font-size: 8.5pt; }
tr.ok .st { color: #1b6e20; } tr.attention .st { color: #8a5a00; } tr.failing .st { color: #b00020; } tr.not_evaluated .st { color: #777; }
tr.failing td.code { border-left: 4px solid #b00020; } tr.attention td.code { border-left: 4px solid #e0a000; } tr.ok td.code { border-left: 4px solid #2e7d32; } tr.not_evaluated td.code { border-left: 4px solid #bbb; }
tr.grp td { background: #f4f4f4; font-weight: 600; } td.subj { white-space: nowrap; font-family: monospace; font-size: 8.5pt; }
.sev-critical, .sev-high { color: #b00020; font-weight: 600; } .sev-medium { color: #8a5a00; } .sev-low { color: #555; }
td.more { color: #555; font-style: italic; } .none { color: #1b6e20; } .warn { color: #8a5a00; font-weight: 600; }
.why { font-weight: normal; color: #555; font-size: 7.5pt; white-space: normal; max-width: 55mm; } td.pop { font-size: 8pt; } footer { margin-top: 3mm; color: #777; font-size: 7.5pt; }
body { line-height: 1.3; }
@media print { body { font-size: 7.6pt; padding: 0; max-width: none; } h1 { font-size: 12.5pt; } h2 { font-size: 9.5pt; margin: 3mm 0 1.5mm; } .en, .sev, td.subj { font-size: 7pt; } th, td { padding: 0.5mm 1.2mm; } }
</style></head><body>
<h1>技術情報管理認証 基準別状況報告 <span class="en">Technical Information Management Certification — compliance report</span></h1>
<div class="meta">データベース / database: <b>%1$s</b> &nbsp;·&nbsp; 作成 / generated: <b>%2$s</b> &nbsp;·&nbsp; tmac %3$s</div>
<div class="summary">未解決の指摘 / open findings: <b>%4$s</b> (critical/high: <b>%5$s</b>) &nbsp;·&nbsp; 未評価の基準 / criteria not evaluated: <b>%8$s</b> of 10</div>
<h2>基準別の状況 / Status per criterion</h2>
<table><thead><tr><th>基準</th><th>基準の内容 / criterion</th><th>評価対象 / population</th><th class="num">built-in checks<br>evaluated</th><th class="num">findings</th><th>severity</th><th>status</th></tr></thead>
<tbody>
%6$s
</tbody></table>
<p class="en">OK の表示は、組込みチェックが空でない対象を評価し、無効化・設定による緩和・受容された指摘のない基準だけです。自社チェックは表示しますが、それだけでは根拠になりません。 OK only when a built-in check examined a non-empty population and nothing is disabled, weakened or accepted; the company's own checks are shown but are no evidence on their own.</p>
%9$s
<h2>指摘事項 / Open findings</h2>
%7$s
%10$s
<footer>Source: tmac.compliance_status and tmac.findings at the time above. Each finding names its check (tmac.compliance_check explains it and the remedy). 状況は作成時点のものです。</footer>
</body></html>
$html$,
    tmac.html_escape(current_database()),
    to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
    tmac.html_escape((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'tmac')),
    totals.findings, totals.serious,
    status_rows,
    CASE WHEN finding_rows IS NOT NULL
         THEN '<table><thead><tr><th>severity</th><th>check</th><th>subject</th><th>detail</th></tr></thead><tbody>'
              || finding_rows || '</tbody></table>'
         WHEN not_evaluated > 0
         THEN format('<p class="warn">指摘 0 件。ただし %s 基準 (%s) は未評価です。指摘がないことは根拠になりません。 0 findings — but %s criteria (%s) were not evaluated: no finding there is no evidence.</p>',
                     not_evaluated, tmac.html_escape(not_evaluated_list), not_evaluated, tmac.html_escape(not_evaluated_list))
         ELSE '<p class="none">指摘事項はありません。 No open findings.</p>' END,
    not_evaluated,
    CASE WHEN exception_rows IS NULL THEN ''
         ELSE '<h2>例外 / Exceptions</h2><ul>' || exception_rows || '</ul>' END,
    -- access over time of (at most 3) persons with a leak-sign finding (77_access_stats.sql)
    (SELECT '<h2>アクセスの推移 / Access over time</h2>' || string_agg(tmac.access_chart_html(x.p), E'\n' ORDER BY x.p)
       FROM (SELECT DISTINCT substr(f.subject, 8) AS p FROM unnest(fs) f
              WHERE f.criterion = 'I-6' AND f.check_code LIKE 'access\_%' AND f.subject LIKE 'person:%'
              ORDER BY 1 LIMIT 3) x));
END
$$;
COMMENT ON FUNCTION tmac.compliance_report_html(integer) IS
  'A one-page printable HTML compliance report: status per criterion (I-1 … V) with its reason, population and checks (built-in evaluated, disabled, own), the exceptions (disabled checks, weakening settings) and the open findings, at most max_findings_per_criterion per criterion; 適合 only for ok';

