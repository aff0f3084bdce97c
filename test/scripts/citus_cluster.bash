# citus_cluster.bash — sourced by test/scripts/citus_*.sh (not a test: run_tests.sh runs *.sh),
# with $name set to the script's name: makes sure Citus is there (built once from
# ../shared/vendor when missing; exits 0 after a "SKIP: … why" line only when that directory is
# absent), starts a coordinator (node 0) and two workers on 127.0.0.1 in a directory of the
# test's (stopped on exit) with database citus_test, and defines node I (psql on node I, verbose
# errors), coord (node 0), and ok and fail (numbered TAP lines; fail prints the nodes' log
# tails and exits).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/server.sh"
tmac_citus_ensure "$name"; rc=$?
[ $rc = 2 ] && exit 0
[ $rc = 0 ] || exit 1
dir=$(mktemp -d "${TMAC_TEST_DIR:-/tmp}/$name.XXXXXX")
trap 'tmac_citus_cluster_stop "$dir"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() {
  local i
  echo "not ok $((n + 1)) - $*"
  for i in 0 1 2; do [ -f "$dir/node$i/server.log" ] && tail -n 20 "$dir/node$i/server.log"; done
  exit 1
}
tmac_citus_cluster_start "$dir" citus_test </dev/null || fail "the cluster did not start"
node() { local i=$1; shift; psql -X -q -At -h 127.0.0.1 -p "${TMAC_CITUS_PORTS[$i]}" -U postgres -d citus_test -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$@" 2>&1; }
coord() { node 0 "$@"; }
