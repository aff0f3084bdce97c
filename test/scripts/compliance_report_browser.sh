#!/usr/bin/env bash
# compliance_report_browser.sh — the HTML compliance report as a browser renders it.
#
# Renders tmac.compliance_report_html() in headless Chromium (a screenshot and a PDF each, kept
# in the test artefacts: $TMAC_TEST_DIR/report; Japanese fonts: setup installs fonts-noto-cjk)
# and checks the rendered text (pdftotext), in Japanese (lc_messages ja_JP.UTF-8) unless said
# otherwise:
#   1. an empty database: every criterion 未評価, never 証跡あり nor a claim that nothing is open;
#   2. persons, a grant, a protected table, all but one of II's built-in checks disabled and
#      require_training off: 証跡あり once per ok criterion (V) and nowhere else; II
#      (ok_with_exceptions) is 例外あり, I-5 (attention) 要対応; the disabled checks and the
#      weakening setting are listed;
#   3. test/pgtap/reptz_fixture.psql: five high findings under V, medium ones beyond the limit,
#      an open incident and a finding of I-6: every high finding is printed, incidents come
#      first, no verdict word (適合, 不適合) anywhere, the zone is named once and every time is
#      in it, the page is the same in a session in another zone; in English under lc_messages C.
# Run by test/run_tests.sh (PGHOST/PGPORT set); the second and third cases are rolled back.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
out=${TMAC_TEST_DIR:-/tmp}/report
mkdir -p "$out"
db=tmac_report_test
dropdb --if-exists "$db"; createdb "$db"
trap 'dropdb --if-exists "$db"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
qja() { PGOPTIONS='-c lc_messages=ja_JP.UTF-8' q "$@"; }
q -c 'CREATE EXTENSION tmac' -c 'SELECT tmac.restrict_activity_counters()' >/dev/null   # the install's hardening step (README)

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
count() { grep -o -- "$1" "$2" | wc -l; }   # count PATTERN FILE: occurrences

fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }

# 1. the empty database (roles are the cluster's: one left behind by another test may be a
#    finding here, so the rendered text is compared with compliance_status, which the pgTAP test
#    compliance_honest.sql pins down for an empty database)
qja -At -c 'SELECT tmac.compliance_report_html()' > "$out/empty.html"
q -At -c 'SELECT criterion || '"' '"' || status FROM tmac.compliance_status' > "$out/empty.status"
render empty
nev=$(grep -c ' not_evaluated$' "$out/empty.status" || true)
check "empty: rendered (screenshot and PDF)" "[ -s '$out/empty.png' ] && [ -s '$out/empty.txt' ]"
check "empty: the report's title is rendered" "grep -q '基準別の証跡報告' '$out/empty.txt'"
check "empty: no criterion is ok" "! grep -Eq ' ok(_with_exceptions)?$' '$out/empty.status'"
check "empty: no 証跡あり status" "[ \$(count 'class=\"st\">証跡あり<' '$out/empty.html') -eq 0 ]"
check "empty: no 適合 at all (nor 不適合)" "! grep -q '適合' '$out/empty.txt'"
check "empty: no claim that nothing is open" "! grep -q '指摘はありません' '$out/empty.txt'"
check "empty: most criteria not evaluated ($nev)" "[ $nev -ge 9 ]"
check "empty: 未評価 once per criterion not evaluated" "[ \$(count 'class=\"st\">未評価<' '$out/empty.html') -eq $nev ]"
check "empty: the summary counts them" "grep -Eq '未評価の基準: 10 基準中 $nev' '$out/empty.txt'"

# 2. evidence, exceptions and a weakening setting (rolled back)
qja -At >/dev/null <<SQL
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
-- the electronic measures around the protected table, declared (V stays ok)
SELECT count(tmac.declare_electronic_measure(measure, 'In place as the IT checklist says', 'C1', 'Checked item by item with IT'))
  FROM tmac.electronic_measure_kind;
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
check "evidence: 証跡あり once per ok criterion ($oks)" "[ \$(count 'class=\"st\">証跡あり<' '$out/evidence.html') -eq $oks ]"
check "evidence: rendered as many times, besides the legend's 「証跡あり」" "[ \$(count '証跡あり' '$out/evidence.txt') -eq \$(( oks + \$(count '「証跡あり」' '$out/evidence.txt') )) ]"
check "evidence: 適合 nowhere" "! grep -q '適合' '$out/evidence.txt'"
check "evidence: II is ok_with_exceptions, I-5 attention, V ok" "grep -qx 'II ok_with_exceptions' '$out/evidence.status' && grep -qx 'I-5 attention' '$out/evidence.status' && grep -qx 'V ok' '$out/evidence.status'"
check "evidence: II rendered with exceptions" "grep -q 'class=\"code\">II</td>.*class=\"st\">例外あり<' '$out/evidence.html' && grep -q '例外あり' '$out/evidence.txt'"
check "evidence: I-5 rendered as action needed" "grep -q 'class=\"code\">I-5</td>.*class=\"st\">要対応<' '$out/evidence.html' && grep -q '要対応' '$out/evidence.txt'"
check "evidence: the disabled checks are listed" "grep -q '無効なチェック: sod_conflict' '$out/evidence.txt'"
disabled=$(cat "$out/evidence.disabled")
check "evidence: the $disabled disabled checks of II counted" "[ $disabled -ge 13 ] && grep -q '$disabled 件無効' '$out/evidence.txt'"
check "evidence: the weakening setting is listed" "grep -q 'require_training = off' '$out/evidence.txt'"
check "evidence: the population is shown" "grep -q '在籍者.5' '$out/evidence.txt'"
check "evidence: no claim that nothing is open (criteria are not evaluated)" "! grep -q 'I-6 以外に未解決の指摘はありません' '$out/evidence.txt'"
check "evidence: I-6, evaluated, says that nothing is open there" "grep -qx 'I-6 ok' '$out/evidence.status' && grep -q 'I-6 に未解決の指摘はありません' '$out/evidence.txt'"

# 3. many high findings under one criterion, an incident, times (rolled back)
fixture() { cat <<SQL
BEGIN;
SET search_path = public, tmac;
\i test/pgtap/people_fixture.psql
\i test/pgtap/reptz_fixture.psql
SET TimeZone = 'UTC';
\o $out/many.html
SELECT tmac.compliance_report_html();
SET TimeZone = 'America/New_York';
\o $out/many_ny.html
SELECT tmac.compliance_report_html();
SET lc_messages = 'C';
\o $out/many_en.html
SELECT tmac.compliance_report_html();
\o $out/many.high
SELECT subject FROM tmac.findings WHERE severity IN ('critical', 'high') ORDER BY 1;
\o
ROLLBACK;
SQL
}
fixture | qja -At >/dev/null
render many
render many_en
high=$(grep -c . "$out/many.high")
check "many: five high findings under V" "[ \$(grep -c '^role:reptz_r' '$out/many.high') -eq 5 ]"
check "many: every critical and high finding rendered ($high)" "[ \$(while read -r s; do grep -qF -- \"\$s\" '$out/many.txt' && echo y; done < '$out/many.high' | wc -l) -eq $high ]"
check "many: medium ones up to the limit, the rest counted" "[ \$(grep -c 'view:public.reptz_v' '$out/many.txt') -eq 3 ] && grep -q 'ほかに中・低の指摘 2 件' '$out/many.txt'"
check "many: no verdict word (適合, 不適合)" "! grep -q '適合' '$out/many.txt'"
check "many: the evidence words" "grep -q '証跡あり' '$out/many.txt' && grep -q '要対応' '$out/many.txt' && grep -q '未評価' '$out/many.txt'"
line() { grep -n -m1 -- "$1" "$2" | cut -d: -f1; }
check "many: the incident comes first" "[ \$(line 'USB memory lost on the train' '$out/many.txt') -lt \$(line '基準別の状況' '$out/many.txt') ] && [ \$(line '基準別の状況' '$out/many.txt') -lt \$(line 'role:reptz_r1' '$out/many.txt') ]"
check "many: so does the finding of I-6" "[ \$(line 'reptz_sign' '$out/many.txt') -lt \$(line '基準別の状況' '$out/many.txt') ]"
check "many: the zone is named once" "[ \$(count 'Asia/Tokyo' '$out/many.txt') -eq 1 ] && grep -q '会社の時間帯 Asia/Tokyo' '$out/many.txt'"
times=$(grep -Eo '[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?( [A-Z][A-Za-z0-9:+-]*)?' "$out/many.txt" | sort -u)
check "many: times are printed (generated, the incident's, the disabled check's)" "[ \$(echo '$times' | grep -c .) -ge 3 ]"
check "many: every one in the company's zone, with it (JST)" "[ -z \"\$(echo '$times' | grep -v ':[0-9][0-9] JST\$')\" ]"
check "many: no other zone on the page" "! grep -Eq '\\bUTC\\b|[0-9] [+-][0-9]{2}\\b' '$out/many.txt'"
check "many: the same page in a session in another zone" "cmp -s '$out/many.html' '$out/many_ny.html'"
check "many (English): rendered in English with the evidence words" "grep -q 'evidence per criterion' '$out/many_en.txt' && grep -q 'Action needed' '$out/many_en.txt' && grep -q 'Not evaluated' '$out/many_en.txt'"
check "many (English): no verdict word" "! grep -Eqw 'OK|Failing|Compliant|Non-compliant' '$out/many_en.txt'"
check "many (English): every critical and high finding" "[ \$(while read -r s; do grep -qF -- \"\$s\" '$out/many_en.txt' && echo y; done < '$out/many.high' | wc -l) -eq $high ]"
check "many (English): the zone named once" "[ \$(count 'Asia/Tokyo' '$out/many_en.txt') -eq 1 ]"
echo "artefacts: $out/empty.png $out/evidence.png $out/many.png $out/many_en.png (and .pdf, .txt)"
exit $fail
