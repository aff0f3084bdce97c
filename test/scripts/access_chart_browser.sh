#!/usr/bin/env bash
# access_chart_browser.sh — the access chart (tmac.access_chart_html) in headless Chromium.
# Thirty days of a person's history (inserted directly) and a surge today give an access_surge
# finding; the compliance report then shows the person's chart.  Chromium lays the report out
# (a screenshot, report_access_chart.png, is left in the test artefacts: $TMAC_TEST_DIR, kept
# with TMAC_KEEP=1) and, in a page that only adds a script around the chart, measures it: 30
# bars, today's the tallest, each with a tooltip.  Run with PGHOST/PGPORT/PGUSER set.
set -uo pipefail
fail() { echo "FAIL: $*"; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
command -v chromium >/dev/null || fail "chromium is not installed (apt-get install chromium)"
art=${TMAC_TEST_DIR:-/tmp}/access_chart
mkdir -p "$art"
chmod 777 "$art"
db=tmac_chart
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
createdb $db || fail "createdb"
q -d $db >/dev/null <<'SQL' || fail "fixture"
CREATE EXTENSION tmac;
INSERT INTO tmac.access_stats_history (kind, person_id, table_name, login_role, statements, rows_read, last_seen)
  SELECT 'table', 'P-7', 'public.design_doc', 'p7', 2, 80 + (i * 37) % 50, now() - i * interval '1 day'
    FROM generate_series(1, 29) i
  UNION ALL SELECT 'table', 'P-7', 'public.design_doc', 'p7', 40, 4000, now();
SQL
[ "$(q -d $db -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'access_surge' AND subject = 'person:P-7'")" = 1 ] \
  || fail "no access_surge finding"
q -d $db -c "SELECT tmac.compliance_report_html()" >"$art/report.html" || fail "report"
grep -q '<section class="access-chart" id="access-P-7">' "$art/report.html" || fail "the report has no chart for P-7"
echo "ok 1 - the compliance report shows the chart of the person with an I-6 finding"

browser() { timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
              --user-data-dir="$art/profile" "$@" 2>>"$art/chromium.log"; }
browser --window-size=900,1400 --screenshot="$art/report_access_chart.png" "file://$art/report.html" >/dev/null
[ -s "$art/report_access_chart.png" ] || fail "no screenshot (see $art/chromium.log)"
echo "ok 2 - Chromium renders the report: $art/report_access_chart.png"

# the chart alone, measured by the browser
{
  echo '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
  q -d $db -c "SELECT tmac.access_chart_html('P-7')"
  cat <<'JS'
<script>
const rects = [...document.querySelectorAll('section.access-chart svg rect')];
const h = rects.map(r => r.getBBox().height);
const svg = document.querySelector('section.access-chart svg').getBoundingClientRect();
document.body.setAttribute('data-result', [rects.length, h.indexOf(Math.max(...h)),
  h.filter(x => x > 0).length, rects.every(r => r.querySelector('title')), Math.round(svg.width), Math.round(svg.height)].join(','));
</script></body></html>
JS
} >"$art/chart.html"
dom=$(browser --dump-dom "file://$art/chart.html")
result=$(echo "$dom" | sed -n 's/.*data-result="\([^"]*\)".*/\1/p')
[ "$result" = "30,29,30,true,600,134" ] || fail "the browser measured '$result' (bars, tallest, non-empty, tooltips, width, height)"
echo "ok 3 - Chromium draws 30 bars, today's the tallest, each with a tooltip, in a 600×134 SVG"
psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
