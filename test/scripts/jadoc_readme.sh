#!/usr/bin/env bash
# jadoc_readme.sh — the README's 日本語ガイド（管理責任者向け） runs as written, in Japanese.
#
# Every SQL block after a "jadoc-example: NAME" marker runs as the guide says, in a database named
# corp as the guide names it, created here and dropped at the end with the roles the guide creates
# (the test server's own; run by test/run_tests.sh with PGHOST/PGPORT set, as a superuser):
# "setup" (CREATE EXTENSION, ALTER DATABASE corp SET lc_messages, the time zone) in one session, then
# every other block in a new session, which must speak Japanese because of that ALTER DATABASE alone:
# the vocabulary, the HR feed's plain-column CSV as the HR role (hr_feed), provision_logins and the
# duties, the inventory and a protected table, grants with four eyes (my_pending_approvals,
# approve_many), the 情報管理規程 approved and acknowledged, a take-out approved and returned (the
# enumerated values by their Japanese names), the guide's example error, a leak-sign report
# escalated, the auditor's queries and the Japanese ledgers with their CSV as an auditor, an internal
# audit with its corrective action, the electronic measures declared; then the report's psql line of
# the "report" block. It checks the effects, that the error the guide prints is the one
# raised (in Japanese), that the finding the guide prints is the one read (in Japanese), and that the
# report is Japanese.
set -euo pipefail
cd "$(dirname "$0")/../.."
readme=$PWD/README.md
# block NAME [N]: the N-th (default 1st) fenced block after the marker, its fence's indentation removed
block() {
  awk -v m="<!-- jadoc-example: $1 -->" -v want="${2:-1}" '
    { t = $0; sub(/^ +/, "", t) }
    !on && t == m { on = 1; next }
    on && !inside && t ~ /^```/ { n++; inside = 1; match($0, /^ */); ind = RLENGTH; next }
    on && inside && t ~ /^```/ { if (n == want) exit; inside = 0; next }
    on && inside && n == want { print substr($0, ind + 1) }' "$readme"
}
for b in setup vocabulary hr logins assets documents grants handling error incident audit ledgers internal-audit measures report; do
  [ -n "$(block $b)" ] || { echo "not ok - the README's 日本語ガイド has no example '$b'"; exit 1; }
done

roles="j1001 j1002 j1003 j1004 hr_feed audit_kimura"
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS corp" >/dev/null 2>&1 || true
  for r in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
}
for r in $roles; do
  [ -z "$(psql -X -A -t -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$r'")" ] \
    || { echo "not ok - role $r exists already on the test server: the guide's example would not be its own"; exit 1; }
done
trap cleanup EXIT
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS corp" -c "CREATE DATABASE corp" 2>/dev/null
work=$(mktemp -d); chmod 755 "$work"; [ -z "${TMAC_KEEP:-}" ] || echo "# outputs kept in $work"
trap 'cleanup; [ -n "${TMAC_KEEP:-}" ] || rm -rf "$work"' EXIT

fail=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1"; fail=1; }

block setup | psql -X -q -v ON_ERROR_STOP=1 -d corp >/dev/null \
  || { echo "not ok - the guide's setup block runs"; exit 1; }

# a new session: lc_messages comes from ALTER DATABASE corp SET lc_messages alone
(cd "$work" && psql -X -v ON_ERROR_STOP=1 -P pager=off -d corp) >"$work/out" 2>&1 <<SQL || { echo "not ok - the guide's examples run (output: $work/out)"; tail -20 "$work/out"; exit 1; }
SELECT 'lc_messages=' || current_setting('lc_messages');
$(block vocabulary)
SET ROLE hr_feed;
$(block hr)
RESET ROLE;
$(block logins)
$(block assets)
$(block documents)
$(block grants)
$(block handling)
\set ON_ERROR_STOP 0
$(block error)
\set ON_ERROR_STOP 1
RESET ROLE;
$(block incident)
CREATE ROLE audit_kimura LOGIN IN ROLE tmac_auditor;
SET ROLE audit_kimura;
$(block audit)
$(block ledgers)
RESET ROLE;
$(block internal-audit)
$(block measures)
SELECT 'time_zone=' || tmac.company_time_zone();
SELECT 'hired=' || string_agg(person_id || ':' || login_role, ',' ORDER BY person_id) FROM tmac.person;
SELECT 'officer=' || person_id FROM tmac.appointment WHERE role = 'information_officer' AND ended_at IS NULL;
SELECT 'grants=' || string_agg(kind || ':' || status, ',' ORDER BY grant_id) FROM tmac.grants WHERE person_id = 'J1004';
SELECT 'handling=' || string_agg(entry_id || ':' || coalesce(approver, '-') || ':' || coalesce(returned_by, '-'), ',' ORDER BY entry_id)
  FROM tmac.handling_entry;
SELECT 'incident=' || (escalated_at IS NOT NULL) FROM tmac.incident;
SELECT 'protected=' || count(*) FROM tmac.protected_table;
SELECT 'missing=' || count(*) FROM tmac.findings WHERE check_code = 'electronic_measure_missing';
SELECT 'document=' || doc_no || ':' || approved_by || ':' || (SELECT count(*) FROM tmac.document_acknowledgement a WHERE a.document_id = d.document_id)
  FROM tmac.document_in_force d;
SELECT 'action=' || owner || ':' || closed_by FROM tmac.corrective_action;
SELECT 'audited=' || count(*) FILTER (WHERE last_internal_audit IS NOT NULL) FROM tmac.compliance_status;
SELECT 'i2=' || string_agg(check_code || ':' || array_to_string(population, '+'), ',' ORDER BY check_code)
  FROM tmac.compliance_check WHERE criterion = 'I-2' AND builtin;
SELECT 'i2_status=' || status || ':labelled_columns=' || (population->>'labelled_columns') FROM tmac.compliance_status WHERE criterion = 'I-2';
SQL

val() { grep -o "^ *$1=.*" "$work/out" | sed 's/^ *//' | head -1; }
check() { if [ "$(val "$1")" = "$1=$2" ]; then ok "$3"; else notok "$3 (got: $(val "$1"))"; fi; }
check lc_messages ja_JP.UTF-8 "ALTER DATABASE corp SET lc_messages makes a new session Japanese"
check time_zone Asia/Tokyo "tmac.configure('time_zone', 'Asia/Tokyo') is the company's zone"
check hired J1001:j1001,J1002:j1002,J1003:j1003,J1004:j1004 "the plain-column CSV hired four persons, provision_logins made their logins"
check officer J1002 "the information officer is appointed"
check protected 1 "the inventory's table is protected"
check grants clearance:active,compartment:active "four eyes: the access administrator requested, the approver approved both with approve_many"
check handling "1:J1002:J1002,2:-:-" "the take-out was approved and its return confirmed by another person; the self-approval was refused"
check incident true "the leak sign was reported and escalated to management"
check missing 0 "every electronic measure is declared: electronic_measure_missing is cleared"
check document REG-001:J1001:1 "the 情報管理規程 is in force, approved by 経営層 (not its author), acknowledged"
check action J1002:J1003 "the internal audit's corrective action was completed by its owner and closed by the auditor"
check audited 10 "every criterion shows its last internal audit"
# what the guide (and the Auditor guide) say Ⅰ-2 rests on: three checks over assets, label tables and
# labelled columns, evaluated without any labelled column
check i2 asset_unlabelled:assets,column_label_exceeds_table:labelled_columns,rows_above_asset_label:label_tables \
  "Ⅰ-2 rests on the three checks and populations the guide names"
check i2_status ok:labelled_columns=0 "Ⅰ-2 is evaluated with no labelled column, as the guide says"
# the ledger shows the enumerated values by their Japanese names; its CSV is Excel's (BOM, header)
if grep -qE '^ +1 \| 持出 +\| 秘 +\| 要承認 +\| 書類 ' "$work/out"; then ok "the handling ledger (取扱管理簿) reads 持出, 秘, 要承認, 書類"
else notok "the handling ledger (取扱管理簿) reads 持出, 秘, 要承認, 書類 ($(grep -m1 '持出' "$work/out"))"; fi
csv=$work/取扱管理簿.csv
if [ -s "$csv" ] && [ "$(head -c 3 "$csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] && head -1 "$csv" | grep -q '"番号"'; then
  ok "tmac.ledger_csv wrote 取扱管理簿.csv with a UTF-8 BOM and its Japanese header"
else notok "tmac.ledger_csv wrote 取扱管理簿.csv with a UTF-8 BOM and its Japanese header"; fi

# what the guide says the audit example shows: 20 findings under Ⅰ-4, 17 under Ⅴ, Ⅲ and Ⅳ not evaluated
status=$(grep -E '^ (I-4|III|IV|V) +\|.*\| (failing|not_evaluated) +\| +[0-9]+$' "$work/out" | sed -E 's/^ ([IV-]+[0-9]?) .*\| ([a-z_]+) +\| +([0-9]+)$/\1:\2:\3/' | tr '\n' ' ')
if [ "$status" = "I-4:failing:20 III:not_evaluated:0 IV:not_evaluated:0 V:failing:17 " ]; then ok "the audit example shows what the guide says it shows"
else notok "the audit example shows what the guide says it shows (got: $status)"; fi
japanese() { perl -CSD -ne 'print if /\p{Hiragana}/'; }
# the error the guide prints is the one raised, and it is Japanese
shown_error=$(block error 2 | grep -E '^(ERROR|DETAIL):')
got_error=$(grep -E '^(psql:[^ ]* )?(ERROR|DETAIL):' "$work/out" | sed -E 's/^psql:[^ ]* //')
if [ -n "$shown_error" ] && [ "$shown_error" = "$got_error" ]; then ok "the guide's error is the one raised"
else notok "the guide's error is the one raised (shown: $shown_error; raised: $got_error)"; fi
if [ -n "$(grep '^ERROR:' <<<"$got_error" | japanese)" ]; then ok "the error is in Japanese"; else notok "the error is in Japanese ($got_error)"; fi
# the finding the guide prints (up to its "…") is the one read, and it is Japanese
shown_finding=$(block audit 2 | tail -1 | sed -E 's/^ //; s/ *…$//')
if [ -n "$shown_finding" ] && grep -qF -- " $shown_finding" "$work/out"; then ok "the guide's finding is the one the auditor reads"
else notok "the guide's finding is the one the auditor reads (shown: $shown_finding)"; fi
if [ -n "$(japanese <<<"$shown_finding")" ]; then ok "the finding is in Japanese"; else notok "the finding is in Japanese ($shown_finding)"; fi

# the report's psql line, as written, in a scratch directory
(cd "$work" && eval "$(block report | grep '^psql ')") || notok "the report's psql line runs"
report=$work/報告書.html
if [ -s "$report" ] && grep -q '要対応' "$report" && grep -q 'Asia/Tokyo' "$report"; then
  ok "the HTML report is in Japanese (要対応), its times in Asia/Tokyo"
else notok "the HTML report is in Japanese (要対応), its times in Asia/Tokyo"; fi
exit $fail
