# checks.bash — sourced by the scripts that end in a list of checks and `exit $fail`.  The checks
# come on stdin, two lines each: what is checked, then the check itself (indentation is ignored).
#   expect_lines: the check is a pattern (grep -x) that must match a whole line of $out;
#   hold: the check is a shell command (eval'd: write \$ for what it must expand itself).
# Each prints "ok - WHAT" or "not ok - WHAT"; a failure sets fail=1.  (Not a test: run_tests.sh
# runs *.sh.)
fail=0
expect_lines() {
  local what want
  while read -r what && read -r want; do
    if grep -qx -- "$want" <<<"$out"; then echo "ok - $what"
    else echo "not ok - $what (got: $(tr '\n' ' ' <<<"$out"))"; fail=1; fi
  done
}
hold() {
  local what cmd
  while read -r what && read -r cmd; do
    if eval "$cmd"; then echo "ok - $what"; else echo "not ok - $what"; fail=1; fi
  done
}
