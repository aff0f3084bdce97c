# own_db.bash — sourced by the test scripts that work in a database of their own on the test
# server (run_tests.sh sets PGHOST/PGPORT/PGUSER: a superuser).  Set $db and $roles (login
# roles, space-separated) before sourcing.  q runs psql on $db; cleanup stops $bg (a background
# session, when one is set) and drops the database and the roles; fail prints FAIL, cleans up
# and exits; own_db cleans up what an earlier run left, then creates the database with tmac in
# it and the roles (LOGIN, nothing else).  (Not a test: run_tests.sh runs *.sh.)
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
fail() { echo "FAIL: $*"; cleanup; exit 1; }
cleanup() {
  [ -n "${bg:-}" ] && kill "$bg" 2>/dev/null
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  local r; for r in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
own_db() {
  cleanup
  createdb "$db" || fail "createdb"
  local r; for r in $roles; do psql -X -q -d postgres -c "CREATE ROLE $r LOGIN" || fail "create role $r"; done
  q -c "CREATE EXTENSION tmac" || fail "CREATE EXTENSION tmac"
}
