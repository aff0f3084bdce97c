#!/usr/bin/env bash
# intfloor_ratio_table.sh — `make bench` ends with ONE table of every ratio (issue 23 item 6).
#
# Needs no server.  Checks that:
#  - test/bench/ratio_table.sh prints each name<TAB>ratio<TAB>goal<TAB>what line with whether
#    its goal was met (<=, <, >=, >, a range, none), in the order the lines came, and survives
#    anything else a benchmark might append (no tab, CRLF, ≤/≥/–, a ratio that is no number,
#    missing fields, extra tabs, comments, empty lines) without dropping a line silently;
#  - bench_ratio (bench_server.sh) appends such a line only when TMAC_BENCH_RATIOS is set;
#  - run_bench.sh sets TMAC_BENCH_RATIOS, runs the standalone *_bench.sh (not itself) and prints
#    the table; the Makefile's bench target is run_bench.sh alone; and the enforcement, label,
#    login gate and connection benchmarks each record their ratios, the integer floor and the
#    hand-written anchors among them.
set -uo pipefail
cd "$(dirname "$0")/../.."
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
no() { echo "not ok - $*"; fail=1; }
ok() { echo "ok - $*"; }

printf '%s\n' \
  $'enforce.int_floor\t1.07\t<= 1.2\ttmac vs integer floor' \
  '' '# a comment' \
  $'label.dominance\t0.99x\t≤ 1.3\tlabel | plain' \
  'a line without any tab' \
  $'enforce.plpgsql\t18297\t>= 30\tPL/pgSQL' \
  $'enforce.grants_1000\t1.15\t0.90–1.10\tgrants\r' \
  $'strict.less\t1.2\t< 1.2\tstrict' \
  $'strict.more\t1.2\t> 1\tstrict more' \
  $'no.goal\t2.5\t-\tnone' \
  $'not.a.number\tfast\t<= 1\tword' \
  $'bad.goal\t1.0\tabout one\tgoal' \
  $'short\t1.0' \
  $'extra\t1.0\t<=2\ta\tb' >"$tmp/r.tsv"
out=$(bash test/bench/ratio_table.sh "$tmp/r.tsv")
echo "$out" | sed 's/^/# /'
expect_row() { # name ratio goal met
  if echo "$out" | grep -Eq "^$1 +$2 +$3 +$4( |\$)"; then ok "row $1: $2 $3 $4"; else no "row $1: expected $2 $3 $4"; fi
}
expect_row 'enforce\.int_floor' '1\.07x' '<= 1\.2' 'met'
expect_row 'label\.dominance' '0\.99x' '<= 1\.3' 'met'
expect_row 'enforce\.plpgsql' '18297x' '>= 30' 'met'
expect_row 'enforce\.grants_1000' '1\.15x' '0\.90-1\.10' 'NOT MET'
expect_row 'strict\.less' '1\.2x' '< 1\.2' 'NOT MET'
expect_row 'strict\.more' '1\.2x' '> 1' 'met'
expect_row 'no\.goal' '2\.5x' '-' '-'
expect_row 'not\.a\.number' 'fast' '<= 1' '\?'
expect_row 'bad\.goal' '1\.0x' 'about one' '\?'
expect_row 'short' '1\.0x' '-' '-'
expect_row 'extra' '1\.0x' '<=2' 'met'
order=$(echo "$out" | awk 'NR > 1 && NF > 3 { print $1 }' | head -11 | paste -sd ' ')
[ "$order" = "enforce.int_floor label.dominance enforce.plpgsql enforce.grants_1000 strict.less strict.more no.goal not.a.number bad.goal short extra" ] \
  && ok "rows in the order they came" || no "rows out of order: $order"
grep -q '^11 ratio(s), 2 goal(s) not met$' <<<"$out" && ok "summary line" || no "summary line"
grep -q '^  a line without any tab$' <<<"$out" && ok "a line without a tab is listed, not dropped" || no "unreadable line dropped"
grep -q 'a comment' <<<"$out" && no "a comment was shown" || ok "comments skipped"
[ "$(echo "$out" | grep -c $'\r')" = 0 ] && ok "no carriage return reaches the table" || no "carriage return in the table"
md=$(bash test/bench/ratio_table.sh "$tmp/r.tsv" --markdown)
echo "$md" | grep -qF '| label.dominance | 0.99x | <= 1.3 | met | label \| plain |' && ok "markdown escapes |" || no "markdown row"
[ "$(echo "$md" | grep -c '^| ')" = 12 ] && ok "markdown: header and 11 rows" || no "markdown row count"
[ "$(bash test/bench/ratio_table.sh "$tmp/none.tsv")" = "(no ratios recorded)" ] && ok "missing file" || no "missing file"
: >"$tmp/empty.tsv"
[ "$(bash test/bench/ratio_table.sh "$tmp/empty.tsv")" = "(no ratios recorded)" ] && ok "empty file" || no "empty file"
bash test/bench/ratio_table.sh "$tmp/r.tsv" >/dev/null && ok "exit status 0 whatever the file holds" || no "non-zero exit"

# bench_ratio
( . test/bench/bench_server.sh
  unset TMAC_BENCH_RATIOS; bench_ratio x 1.0 '<= 1' 'nothing' )
[ ! -e "$tmp/none.tsv" ] && ok "bench_ratio without TMAC_BENCH_RATIOS writes nothing" || no "bench_ratio wrote"
( . test/bench/bench_server.sh
  TMAC_BENCH_RATIOS=$tmp/b.tsv; bench_ratio a.b 1.23 '<= 1.2' $'two\tfields\nand a line'; bench_ratio c 2 )
[ "$(cat "$tmp/b.tsv")" = $'a.b\t1.23\t<= 1.2\ttwo fields and a line\nc\t2\t-\t' ] \
  && ok "bench_ratio appends one line per ratio, tabs and newlines in a field made spaces" || no "bench_ratio line: $(cat -A "$tmp/b.tsv")"

# who records what
grep -q 'export TMAC_BENCH_RATIOS' test/bench/run_bench.sh && ok "run_bench.sh exports TMAC_BENCH_RATIOS" || no "run_bench.sh: TMAC_BENCH_RATIOS"
grep -q 'ratio_table.sh' test/bench/run_bench.sh && ok "run_bench.sh prints the table" || no "run_bench.sh: table"
grep -q "grep -v '/run_bench" test/bench/run_bench.sh && ok "run_bench.sh does not run itself" || no "run_bench.sh runs itself"
[ "$(sed -n '/^bench:/,/^$/p' Makefile | grep -c 'bash ')" = 1 ] && sed -n '/^bench:/,/^$/p' Makefile | grep -q 'bash test/bench/run_bench.sh' \
  && ok "make bench runs run_bench.sh alone" || no "Makefile bench target"
for f in enforce_bench connect_bench login_gate_bench; do
  grep -q 'bench_ratio ' "test/bench/$f.sh" && ok "$f.sh records its ratios" || no "$f.sh records no ratio"
done
grep -q 'bench_ratio "$name"' test/bench/run_bench.sh && grep -q 'INSERT INTO bench.result' test/bench/label_dominance.sql \
  && ok "the label dominance section records its ratios" || no "label dominance records no ratio"
for k in enforce.int_floor enforce.anchor_initplan enforce.anchor_initplan_1000 enforce.anchor_initplan_lookup \
         enforce.anchor_exists enforce.anchor_exists_1000 enforce.constant_floor enforce.plpgsql; do
  grep -q "$k" test/bench/enforce_bench.sh && ok "enforce_bench.sh records $k" || no "enforce_bench.sh: $k"
done
exit $fail
