# dedupe_scratch.bash — sourced by the scripts that run a throwaway server of their own
# (test/server.sh's tmac_scratch_cluster; this file sources test/server.sh).  scratch NAME [DB]
# makes the cluster NAME preloading tmac (more postgresql.conf lines on stdin; the line
# shared_preload_libraries = 'tmac' is the first), starts it and points PGHOST, PGPORT, PGUSER
# and PGDATABASE (DB, default postgres) at it; q runs psql there (errors on stdout); ctl runs
# pg_ctl on it, start starts it (printing its log and exiting when it does not come up), stop
# stops it at once; ok and fail print numbered TAP lines, fail stops the server and exits.
# alice_sql prints the SQL of a database with tmac and one person, A1, on login role r_alice
# (pledge and training not required); ev_tables N ROLE the SQL of tables ev1..evN, each with one
# PUBLIC row, protected and readable by ROLE.  (Not a test: run_tests.sh runs *.sh.)
. "$(dirname "${BASH_SOURCE[0]}")/../server.sh"
ctl() { tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w "$@" >/dev/null; }
start() { ctl start || { cat "$dir/server.log"; exit 1; }; }
stop() { ctl -m immediate stop 2>/dev/null || true; }
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { echo "not ok $((n + 1)) - $*"; stop; exit 1; }
scratch() {
  tmac_scratch_cluster "$1" < <(echo "shared_preload_libraries = 'tmac'"; cat) || exit 1
  start
  export PGHOST=$dir PGPORT=5432 PGUSER=postgres PGDATABASE=${2:-postgres}
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@" 2>&1; }
alice_sql() {
  cat <<'SQL'
CREATE EXTENSION tmac;
SELECT tmac.configure('require_pledge', 'off');
SELECT tmac.configure('require_training', 'off');
CREATE ROLE r_alice LOGIN;
SELECT tmac.enrol_login('r_alice');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  VALUES ('h1', 'A1', 'hire', now() - interval '1 hour',
          '{"full_name":"Alice","org_group":null,"job_role":"engineer","login_role":"r_alice"}');
SQL
}
ev_tables() {
  cat <<SQL
DO \$\$
BEGIN
  FOR i IN 1..$1 LOOP
    EXECUTE format('CREATE TABLE ev%s (label tmac.label NOT NULL)', i);
    EXECUTE format('INSERT INTO ev%s VALUES (''PUBLIC'')', i);
    PERFORM tmac.protect(format('ev%s', i)::regclass);
    EXECUTE format('GRANT SELECT ON ev%s TO $2', i);
  END LOOP;
END
\$\$;
SQL
}
