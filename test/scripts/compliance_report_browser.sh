#!/usr/bin/env bash
# compliance_report_browser.sh — the HTML compliance report as a browser renders it.
#
# Renders tmac.compliance_report_html() in headless Chromium (a screenshot and a PDF each, kept
# in the test artefacts: $TMAC_TEST_DIR/report) and checks the rendered text (pdftotext):
#   1. an empty database: every criterion 未評価, never 「適合 OK」 nor 「指摘事項はありません」;
#   2. persons, a grant, a protected table, all but one of II's built-in checks disabled and
#      require_training off: 適合 appears once per ok criterion (V) and nowhere else (不適合
#      aside); II (ok_with_exceptions) and I-5 (attention) are not 適合; the disabled checks and
#      the weakening setting are listed.
# Run by test/run_tests.sh (PGHOST/PGPORT set); the second case is rolled back.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
out=${TMAC_TEST_DIR:-/tmp}/report
mkdir -p "$out"
db=tmac_report_test
dropdb --if-exists "$db"; createdb "$db"
trap 'dropdb --if-exists "$db"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
q -c 'CREATE EXTENSION tmac'

render() {   # render NAME: NAME.html -> NAME.png, NAME.pdf, NAME.txt
  local f=$out/$1 prof
  prof=$(mktemp -d /tmp/tmac-chromium.XXXXXX)
  for a in "--screenshot=$f.png --window-size=1240,1754" "--no-pdf-header-footer --print-to-pdf=$f.pdf"; do
    # shellcheck disable=SC2086
    timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage \
      --user-data-dir="$prof" $a "file://$f.html" >"$f.chromium.log" 2>&1 || { cat "$f.chromium.log"; rm -rf "$prof"; return 1; }
  done
  rm -rf "$prof"
  pdftotext -layout "$f.pdf" "$f.txt"
}

fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

# 1. the empty database (roles are the cluster's: one left behind by another test may be a
#    finding here, so the rendered text is compared with compliance_status, which the pgTAP test
#    compliance_honest.sql pins down for an empty database)
q -At -c 'SELECT tmac.compliance_report_html()' > "$out/empty.html"
q -At -c 'SELECT criterion || '"' '"' || status FROM tmac.compliance_status' > "$out/empty.status"
render empty
nev=$(grep -c ' not_evaluated$' "$out/empty.status" || true)
check "empty: rendered (screenshot and PDF)" "[ -s '$out/empty.png' ] && [ -s '$out/empty.txt' ]"
check "empty: the report's title is rendered" "grep -q '基準別状況報告' '$out/empty.txt'"
check "empty: no criterion is ok" "! grep -Eq ' ok(_with_exceptions)?$' '$out/empty.status'"
check "empty: no 適合 OK" "! grep -q '適合 OK' '$out/empty.txt'"
check "empty: no 適合 at all (不適合 aside)" "! sed 's/不適合//g' '$out/empty.txt' | grep -q '適合'"
check "empty: no 指摘事項はありません" "! grep -q '指摘事項はありません' '$out/empty.txt'"
check "empty: most criteria not evaluated ($nev)" "[ $nev -ge 9 ]"
check "empty: 未評価 once per criterion not evaluated" "[ \$(grep -o '未評価 Not evaluated' '$out/empty.txt' | wc -l) -eq $nev ]"
check "empty: the summary counts them" "grep -Eq 'criteria not evaluated: $nev of 10' '$out/empty.txt'"

# 2. evidence, exceptions and a weakening setting (rolled back)
q -At >/dev/null <<SQL
BEGIN;
SET search_path = public, tmac;
\i test/pgtap/people_fixture.psql
REVOKE tmac_access_admin FROM t_erin;
SELECT pg_temp.granted(\$\$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', 'design')\$\$);
SELECT tmac.set_check_enabled(check_code, false)
  FROM tmac.compliance_check WHERE criterion = 'II' AND builtin AND check_code <> 'grant_unapproved';
SELECT tmac.configure('require_training', 'off');
CREATE TABLE public.rb_docs (id int, label tmac.label);
SELECT tmac.protect('public.rb_docs');
\o $out/evidence.html
SELECT tmac.compliance_report_html();
\o $out/evidence.status
SELECT criterion || ' ' || status FROM tmac.compliance_status;
\o $out/evidence.disabled
SELECT builtin_disabled FROM tmac.compliance_status WHERE criterion = 'II';
\o
ROLLBACK;
SQL
render evidence
oks=$(grep -c ' ok$' "$out/evidence.status" || true)
check "evidence: some criterion is ok" "[ $oks -ge 1 ]"
check "evidence: 適合 OK once per ok criterion ($oks)" "[ \$(grep -o '適合 OK' '$out/evidence.txt' | wc -l) -eq $oks ]"
check "evidence: 適合 nowhere else" "[ \$(sed 's/不適合//g' '$out/evidence.txt' | grep -o '適合' | wc -l) -eq $oks ]"
check "evidence: II is ok_with_exceptions, I-5 attention, V ok" "grep -qx 'II ok_with_exceptions' '$out/evidence.status' && grep -qx 'I-5 attention' '$out/evidence.status' && grep -qx 'V ok' '$out/evidence.status'"
check "evidence: II rendered with exceptions" "grep -q '例外あり' '$out/evidence.txt'"
check "evidence: the disabled checks are listed" "grep -q 'disabled check: sod_conflict' '$out/evidence.txt'"
disabled=$(cat "$out/evidence.disabled")
check "evidence: the $disabled disabled checks of II counted" "[ $disabled -ge 13 ] && grep -q '$disabled.無効 disabled' '$out/evidence.txt'"
check "evidence: the weakening setting is listed" "grep -q 'require_training = off' '$out/evidence.txt'"
check "evidence: the population is shown" "grep -q '在籍者.5' '$out/evidence.txt'"
check "evidence: no 指摘事項はありません" "! grep -q '指摘事項はありません' '$out/evidence.txt'"
echo "artefacts: $out/empty.png $out/evidence.png (and .pdf, .txt)"
exit $fail
