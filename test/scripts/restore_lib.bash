# restore_lib.bash — sourced by the scripts that restore test/scripts/restore_fixture.sql
# (dump_restore.sh, modes_dump_restore_all.sh): ok STATUS DESCRIPTION prints a numbered TAP
# line, "ok" when STATUS (an exit status) is 0, and counts the failures in $failed; q runs psql.
# (Not a test: run_tests.sh runs *.sh.)
n=0; failed=0
ok() {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
