#!/usr/bin/env bash
# ratio_table.sh — the one table of benchmark ratios that `make bench` prints at the end.
#
# Usage: bash test/bench/ratio_table.sh FILE [--markdown]
#
# FILE holds the lines every benchmark appended while it ran (run_bench.sh sets
# TMAC_BENCH_RATIOS to it), one ratio a line:
#     name<TAB>ratio<TAB>goal<TAB>what it compares
# ratio a decimal (1.07; a trailing x or × is accepted), goal one of `<= 1.2`, `< 1.2`,
# `>= 30`, `> 1`, `0.90-1.10` (a range, - or –), or `-` / empty for none (≤ and ≥ are
# read as <= and >=).  Prints, in the order the lines came, each ratio with its goal and
# whether this run met it (met, NOT MET, - when there is no goal, ? when the ratio or
# the goal cannot be read).  Any other line is not dropped silently: empty lines and
# lines starting with # are skipped, a line without a tab is listed under "unreadable
# lines" as it is.  --markdown prints the table as the README shows it.  Never fails on
# what the file holds; a missing or empty file prints "(no ratios recorded)".
set -uo pipefail
file=${1:-}
mode=${2:-text}
if [ -z "$file" ] || [ ! -s "$file" ]; then
  echo "(no ratios recorded)"
  exit 0
fi
# ≤ ≥ – × → ASCII first, so that mawk (which counts bytes) aligns the columns
sed -e 's/\r$//' -e 's/≤/<=/g' -e 's/≥/>=/g' -e 's/–/-/g' -e 's/×/x/g' "$file" |
awk -F '\t' -v mode="$mode" '
function trim(s) { sub(/^[ ]+/, "", s); sub(/[ ]+$/, "", s); return s }
function num(s) { s = trim(s); sub(/[xX]$/, "", s); s = trim(s)
                  return (s ~ /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/) ? s : "" }
# met / NOT MET / - / ?
function verdict(r, g,   n, a, b, parts) {
  g = trim(g)
  if (g == "" || g == "-") return "-"
  n = num(r); if (n == "") return "?"; n += 0
  if (g ~ /^<=/) { a = num(substr(g, 3)); if (a == "") return "?"; return (n <= a + 0) ? "met" : "NOT MET" }
  if (g ~ /^>=/) { a = num(substr(g, 3)); if (a == "") return "?"; return (n >= a + 0) ? "met" : "NOT MET" }
  if (g ~ /^</)  { a = num(substr(g, 2)); if (a == "") return "?"; return (n <  a + 0) ? "met" : "NOT MET" }
  if (g ~ /^>/)  { a = num(substr(g, 2)); if (a == "") return "?"; return (n >  a + 0) ? "met" : "NOT MET" }
  if (split(g, parts, /[ ]*-[ ]*/) == 2) {
    a = num(parts[1]); b = num(parts[2]); if (a == "" || b == "") return "?"
    return (n >= a + 0 && n <= b + 0) ? "met" : "NOT MET" }
  return "?"
}
function md(s) { gsub(/\|/, "\\|", s); return s }
/^[ ]*$/ || /^#/ { next }
index($0, "\t") == 0 { bad[++nbad] = $0; next }
{
  k = ++n; name[k] = trim($1); ratio[k] = trim($2); goal[k] = trim($3)
  what[k] = trim($4); for (i = 5; i <= NF; i++) what[k] = what[k] " " trim($i)
  if (ratio[k] == "") ratio[k] = "?"
  if (goal[k] == "") goal[k] = "-"
  ok[k] = verdict(ratio[k], goal[k])
  if (num(ratio[k]) != "" && ratio[k] !~ /x$/) ratio[k] = ratio[k] "x"
  if (length(name[k]) > wn) wn = length(name[k])
  if (length(ratio[k]) > wr) wr = length(ratio[k])
  if (length(goal[k]) > wg) wg = length(goal[k])
  if (ok[k] == "NOT MET") notmet++
}
END {
  if (n == 0 && nbad == 0) { print "(no ratios recorded)"; exit 0 }
  if (mode == "--markdown") {
    print "| benchmark | ratio | goal | met | what it compares |"
    print "|---|---:|---|---|---|"
    for (k = 1; k <= n; k++)
      printf "| %s | %s | %s | %s | %s |\n", md(name[k]), md(ratio[k]), md(goal[k]), ok[k], md(what[k])
  } else {
    if (wn < 9) wn = 9; if (wr < 5) wr = 5; if (wg < 4) wg = 4
    printf "%-" wn "s  %" wr "s  %-" wg "s  %-7s  %s\n", "benchmark", "ratio", "goal", "met", "what it compares"
    for (k = 1; k <= n; k++)
      printf "%-" wn "s  %" wr "s  %-" wg "s  %-7s  %s\n", name[k], ratio[k], goal[k], ok[k], what[k]
    printf "%d ratio(s), %d goal(s) not met\n", n, notmet
  }
  if (nbad > 0) {
    print "unreadable lines (expected name<TAB>ratio<TAB>goal<TAB>what):"
    for (k = 1; k <= nbad; k++) print "  " bad[k]
  }
}'
exit 0
