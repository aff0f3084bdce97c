#!/usr/bin/env bash
# enumled_readme.sh — the README's ledgers in Japanese (Auditor guide, "The ledgers in Japanese")
# are true: the example between its markers runs after the people fixture, in one transaction
# that is rolled back, and prints, one line per ledger, exactly what the README says the auditor
# sees; its CSV file starts with the UTF-8 byte-order mark and the header row; the bad value of
# the README gets the error and hint it shows under lc_messages ja_JP.UTF-8; and the README's
# table of enumerated values is tmac.enum_value.  Run by test/run_tests.sh (PGHOST/PGPORT set).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=${TMAC_TEST_DIR:-/tmp}/enumled_readme
mkdir -p "$out"; rm -f "$out/取扱管理簿.csv"
sed -n '/^<!-- example: japanese-ledgers/,/^<!-- \/example -->/p' README.md | grep -v '^<!--' | grep -v '^```' > "$out/example.sql"
[ -s "$out/example.sql" ] || { echo "not ok - the README's japanese-ledgers example was not found"; exit 1; }
# the README's expected output: the code block after "What the auditor sees"
sed -n '/What the auditor sees, one line per ledger/,$p' README.md | awk 'f==0&&/^```/{f=1;next} f==1&&/^```/{exit} f==1{print}' > "$out/expected.txt" || true
[ -s "$out/expected.txt" ] || { echo "not ok - the README's expected ledger lines were not found"; exit 1; }
cd "$out"
psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -d tmac_test > "$out/result.txt" 2> "$out/stderr.txt" <<SQL || { echo "not ok - the example runs:"; grep -v NOTICE "$out/stderr.txt" | head -5; exit 1; }
BEGIN;
SET search_path = public, tmac;
SET lc_messages = 'C';
\o /dev/null
\i $root/test/pgtap/people_fixture.psql
\o
\i $out/example.sql
ROLLBACK;
SQL
fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
n=$(wc -l < "$out/expected.txt")
check "the example prints, one line per ledger, what the README says the auditor sees" \
  "tail -n $n '$out/result.txt' | diff '$out/expected.txt' - >&2"
check "its CSV starts with the UTF-8 byte-order mark and the header row" \
  "[ \"\$(head -c 3 '$out/取扱管理簿.csv' | od -An -tx1 | tr -d ' ')\" = efbbbf ] && head -n 1 '$out/取扱管理簿.csv' | grep -q '^.\"番号\",\"日時\",\"管理番号\",\"情報資産名称\",\"取扱区分\"'"
check "and one CRLF-ended row of the take-out" "[ \$(grep -c \$'\\r\$' '$out/取扱管理簿.csv') -eq 2 ] && grep -q '\"持出\"' '$out/取扱管理簿.csv'"
# the bad value, in Japanese
sed -n '/^A bad value is refused in the session/,$p' "$root/README.md" | awk 'f==0&&/^```/{f=1;next} f==1&&/^```/{exit} f==1{print}' > "$out/bad.txt" || true
grep -v '^ERROR\|^HINT' "$out/bad.txt" > "$out/bad.sql"
grep '^ERROR\|^HINT' "$out/bad.txt" > "$out/bad_expected.txt"
psql -X -q -d tmac_test < "$out/bad.sql" 2>&1 | grep '^ERROR\|^HINT' > "$out/bad_result.txt" || true
check "a bad value gets the Japanese error and hint the README shows" "[ -s '$out/bad_expected.txt' ] && diff '$out/bad_expected.txt' '$out/bad_result.txt' >&2"
# the table of enumerated values
grep '^| `[a-z_]*` | [^|]* | `' "$root/README.md" | sed 's/ *$//' > "$out/kinds_readme.txt"
psql -X -A -t -d tmac_test -c "SELECT '| \`' || k.kind || '\` | ' || k.name_ja || ' | ' || (SELECT string_agg('\`' || v.code || '\` ' || v.name_ja, ', ' ORDER BY v.ordinal) FROM tmac.enum_value v WHERE v.kind = k.kind) || ' |' FROM tmac.enum_kind k ORDER BY k.ctid" > "$out/kinds_db.txt"
check "the README's table of enumerated values is tmac.enum_value" "diff '$out/kinds_db.txt' '$out/kinds_readme.txt' >&2"
exit $fail
