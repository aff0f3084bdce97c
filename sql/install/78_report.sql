-- 78_report.sql — the one-page printable compliance report (HTML).
--
-- tmac.compliance_report_html() renders tmac.compliance_status and the open
-- findings as a self-contained HTML page (inline CSS, A4, no scripts, no
-- external resources) that a browser prints on one page: the status per
-- criterion with Japanese and English titles, then the findings grouped by
-- criterion, at most max_findings_per_criterion each (the rest counted).
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
  fs tmac.findings[];
BEGIN
  SELECT coalesce(array_agg(f), '{}') INTO fs FROM tmac.findings f;

  SELECT count(*) AS findings,
         count(*) FILTER (WHERE f.severity IN ('critical', 'high')) AS serious
    INTO totals FROM unnest(fs) f;

  SELECT string_agg(format(
           '<tr class="%s"><td class="code">%s</td><td>%s <span class="en">/ %s</span></td><td class="num">%s / %s</td><td class="num">%s</td><td class="num sev">%s</td><td class="st">%s</td></tr>',
           s.status, tmac.html_escape(s.criterion),
           tmac.html_escape(s.title_ja), tmac.html_escape(s.title_en),
           s.checks_run, s.checks_registered, s.open_findings,
           CASE WHEN s.open_findings = 0 THEN '–'
                ELSE concat_ws(' ', CASE WHEN s.critical > 0 THEN s.critical || '&nbsp;critical' END,
                                    CASE WHEN s.high > 0 THEN s.high || '&nbsp;high' END,
                                    CASE WHEN s.medium > 0 THEN s.medium || '&nbsp;medium' END,
                                    CASE WHEN s.low > 0 THEN s.low || '&nbsp;low' END) END,
           CASE s.status WHEN 'ok' THEN '適合 OK' WHEN 'attention' THEN '要注意 Attention'
                         WHEN 'failing' THEN '不適合 Failing' ELSE '未評価 Not evaluated' END),
           E'\n' ORDER BY s.ordinal)
    INTO status_rows
    FROM (SELECT cs.*, c.ordinal FROM tmac.compliance_status cs JOIN tmac.criterion c USING (criterion)) s;

  SELECT string_agg(x.html, E'\n' ORDER BY x.ordinal)
    INTO finding_rows
    FROM (
      SELECT c.ordinal,
             format('<tr class="grp"><td colspan="4">%s — %s (%s)</td></tr>', tmac.html_escape(c.criterion),
                    tmac.html_escape(c.title_ja), count(*))
             || string_agg(format('<tr><td class="sev-%s">%s</td><td class="code">%s</td><td class="subj">%s</td><td>%s</td></tr>',
                                  f.severity, f.severity, tmac.html_escape(f.check_code), tmac.html_escape(f.subject),
                                  tmac.html_escape(f.detail)), '' ORDER BY f.rk)
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
<title>技術情報管理 適合状況報告 / Compliance report — %1$s</title>
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
td.more { color: #555; font-style: italic; } .none { color: #1b6e20; } footer { margin-top: 3mm; color: #777; font-size: 7.5pt; }
body { line-height: 1.3; }
@media print { body { font-size: 7.6pt; padding: 0; max-width: none; } h1 { font-size: 12.5pt; } h2 { font-size: 9.5pt; margin: 3mm 0 1.5mm; } .en, .sev, td.subj { font-size: 7pt; } th, td { padding: 0.5mm 1.2mm; } }
</style></head><body>
<h1>技術情報管理認証 適合状況報告 <span class="en">Technical Information Management Certification — compliance report</span></h1>
<div class="meta">データベース / database: <b>%1$s</b> &nbsp;·&nbsp; 作成 / generated: <b>%2$s</b> &nbsp;·&nbsp; tmac %3$s</div>
<div class="summary">未解決の指摘 / open findings: <b>%4$s</b> (critical/high: <b>%5$s</b>)</div>
<h2>基準別の状況 / Status per criterion</h2>
<table><thead><tr><th>基準</th><th>基準の内容 / criterion</th><th class="num">checks run</th><th class="num">findings</th><th>severity</th><th>status</th></tr></thead>
<tbody>
%6$s
</tbody></table>
<h2>指摘事項 / Open findings</h2>
%7$s
%8$s
<footer>Source: tmac.compliance_status and tmac.findings at the time above. Each finding names its check (tmac.compliance_check explains it and the remedy). 状況は作成時点のものです。</footer>
</body></html>
$html$,
    tmac.html_escape(current_database()),
    to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'),
    tmac.html_escape((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'tmac')),
    totals.findings, totals.serious,
    status_rows,
    CASE WHEN finding_rows IS NULL THEN '<p class="none">指摘事項はありません。 No open findings.</p>'
         ELSE '<table><thead><tr><th>severity</th><th>check</th><th>subject</th><th>detail</th></tr></thead><tbody>'
              || finding_rows || '</tbody></table>' END,
    -- access over time of (at most 3) persons with a leak-sign finding (76_access_stats.sql)
    (SELECT '<h2>アクセスの推移 / Access over time</h2>' || string_agg(tmac.access_chart_html(x.p), E'\n' ORDER BY x.p)
       FROM (SELECT DISTINCT substr(f.subject, 8) AS p FROM unnest(fs) f
              WHERE f.criterion = 'I-6' AND f.check_code LIKE 'access\_%' AND f.subject LIKE 'person:%'
              ORDER BY 1 LIMIT 3) x));
END
$$;
COMMENT ON FUNCTION tmac.compliance_report_html(integer) IS
  'A one-page printable HTML compliance report: status per criterion (I-1 … V) and the open findings, at most max_findings_per_criterion per criterion';

