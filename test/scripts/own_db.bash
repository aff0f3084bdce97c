# own_db.bash — sourced by the test scripts that work in a database of their own on the test
# server (run_tests.sh sets PGHOST/PGPORT/PGUSER: a superuser).  Set $db and $roles (the roles
# it may create, space-separated) before sourcing.  q runs psql on $db; drop_own_db drops the
# database and the roles; cleanup stops $bg (a background session, when one is set) and drops
# them; fail prints FAIL, cleans up and exits; own_db [ROLE ...] cleans up what an earlier run
# left, then creates the database with tmac in it and the roles given (default: all of $roles;
# LOGIN, nothing else).  A script may define its own cleanup and fail after sourcing.
# (Not a test: run_tests.sh runs *.sh.)
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
fail() { echo "FAIL: $*"; cleanup; exit 1; }
drop_own_db() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  local r; for r in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
cleanup() {
  [ -n "${bg:-}" ] && kill "$bg" 2>/dev/null
  drop_own_db
}
own_db() {
  local r create=${*:-$roles}
  cleanup
  createdb "$db" || fail "createdb"
  for r in $create; do psql -X -q -d postgres -c "CREATE ROLE $r LOGIN" || fail "create role $r"; done
  q -c "CREATE EXTENSION tmac" || fail "CREATE EXTENSION tmac"
}
