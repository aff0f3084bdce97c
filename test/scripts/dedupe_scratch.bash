# dedupe_scratch.bash — sourced, after test/server.sh, by the scripts that run a throwaway server
# of their own (tmac_scratch_cluster sets $bin and $dir): ctl runs pg_ctl on it, start starts it
# (printing its log and exiting when it does not come up), stop stops it at once; ok and fail
# print numbered TAP lines, fail stops the server and exits.  (Not a test: run_tests.sh runs *.sh.)
ctl() { tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "$@" >/dev/null; }
start() { ctl start || { cat "$dir/server.log"; exit 1; }; }
stop() { ctl -m immediate stop 2>/dev/null || true; }
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { echo "not ok $((n + 1)) - $*"; stop; exit 1; }
