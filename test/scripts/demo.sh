#!/usr/bin/env bash
# demo.sh — `make demo` is part of the contract (README, first screen): it must run
# from start to end, and say what the README says it shows.
#
# Run by test/run_tests.sh with PGPORT set.  Plays test/demo/run_demo.sh on its own
# throwaway server (port PGPORT + 6: the demo creates cluster-wide roles such as
# yamada, which must not meet the test server's), then checks the transcript: the
# run succeeded, every chapter ran, the only errors are the ones the demo shows on
# purpose (an auditor who tries to change something), in Japanese, the ledgers' chapter claims
# nothing it does not show, and the auditor's chapter shows every criterion evaluated and
# findings in Japanese.
set -uo pipefail
cd "$(dirname "$0")/../.."
n=0
out=${TMAC_TEST_DIR:-$(mktemp -d)}/demo.out
fail() { echo "not ok $((n + 1)) - $*"; echo "--- demo transcript (tail):"; tail -40 "$out"; exit 1; }
ok() { n=$((n + 1)); echo "ok $n - $*"; }

TMAC_DEMO_PORT=$((${PGPORT:-55432} + 6)) bash test/demo/run_demo.sh >"$out" 2>&1 \
  || fail "make demo exits 0"
ok "make demo exits 0"

for f in test/demo/[0-9]*; do
  banner=$(grep -m 1 -v '^#!' "$f" | sed 's/^\(--\|#\) *//')
  grep -qF -- "## $banner" "$out" || fail "chapter ran: $f"
done
ok "every chapter of test/demo ran"

# Errors the demo shows on purpose are marked in the demo files with "-- expect-error";
# any other ERROR line in the transcript is a broken demo.
expected=$(cat test/demo/* | grep -c -- '-- expect-error')
got=$(grep -c '^\(psql:[^ ]* \)\?ERROR:' "$out")
[ "$got" -eq "$expected" ] || fail "errors in the transcript: $got, demo files mark $expected"
ok "only the errors the demo shows on purpose ($expected)"

# The demo runs in Japanese (run_demo.sh: ALTER DATABASE … SET lc_messages = 'ja_JP.UTF-8'), and
# shows it: the first chapter prints the setting, every error it shows on purpose is in Japanese
# (hiragana in the message: an English message may quote a Japanese name, never a particle), and
# so are findings in the auditor's chapter.
grep -qx ' ja_JP.UTF-8' "$out" || fail "the demo shows lc_messages = ja_JP.UTF-8"
ok "the demo's database speaks Japanese (lc_messages = ja_JP.UTF-8)"
japanese() { perl -CSD -ne 'BEGIN { $n = 0 } $n++ if /\p{Hiragana}/; END { print $n }'; }
english=$(grep '^\(psql:[^ ]* \)\?ERROR:' "$out" | perl -CSD -ne 'print unless /\p{Hiragana}/')
[ -z "$english" ] || fail "every error the demo shows is in Japanese (not: $english)"
ok "every error the demo shows is in Japanese ($(grep '^\(psql:[^ ]* \)\?ERROR:' "$out" | japanese))"
findings=$(awk '/^== 2\. The open findings/ { on = 1; next } on && /^\(/ { exit } on' "$out" \
           | grep -E '^ [IV]+(-[0-9])? +\| [a-z_]+ +\|' | japanese)
[ "$findings" -gt 0 ] || fail "the auditor's chapter shows findings in Japanese"
ok "the auditor's chapter shows findings in Japanese ($findings)"

# Chapter 8 of 47_ledgers.sql claims nothing open in the ledgers' checks under the criteria its first
# table lists, and that what else is open there comes from no ledger check: the rows it prints say so.
chapter8=$(awk '/^== 8\. What the ledgers show the auditor/ { on = 1; next } on && /^== 9\./ { exit } on' "$out")
criteria=$(grep -E '^ (I-[0-9]|II|III|IV|V) +\| [^ |]+ +\| +[0-9]+$' <<<"$chapter8" || true)
[ "$(grep -c . <<<"$criteria")" -ge 3 ] && ! grep -qvE '\| +0$' <<<"$criteria" \
  || fail "chapter 8's 'nothing open' is true of every criterion it lists (got: $(tr -s ' ' <<<"$criteria" | tr '\n' ';'))"
! grep -qE '^ [IV-]+[0-9]? +\| [a-z_]+ +\| \{[a-z_,]*\} +\| t +\|' <<<"$chapter8" \
  || fail "chapter 8: what else is open comes from no ledger check (got: $(grep -E '\| t +\|' <<<"$chapter8"))"
ok "chapter 8 is true: nothing open in the ledgers' checks, and what else is open is not theirs"

# The auditor's chapter (50_compliance.sql) counts the criteria whose built-in checks examined
# a non-empty population; the demo's data (chapters 45 and 47: the seed's registers and
# ledgers) must leave none of the ten criteria I-1 … V not evaluated.
grep -qx ' criteria evaluated: 10 of 10' "$out" \
  || fail "the auditor's view shows every criterion evaluated (got:$(grep -o '^ criteria evaluated: [0-9]* of [0-9]*' "$out"))"
ok "the auditor's view shows all ten criteria I-1 … V evaluated"
# The demo counts access (run_demo.sh turns tmac.access_stats on for its database): every I-6
# check, the five leak signs included, examined a non-empty population.
grep -Eq '^ I-6 .*\| ([0-9]+)/\1 +\|' "$out" \
  || fail "I-6 shows every built-in check evaluated (got: $(grep -E '^ I-6 .*\| [0-9]+/[0-9]+ ' "$out"))"
ok "I-6 shows every built-in check evaluated, the leak signs over the demo's own access"

echo "1..$n"
