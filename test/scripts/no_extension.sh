#!/usr/bin/env bash
# no_extension.sh — tmac is preloaded for the whole cluster, but a database without
# CREATE EXTENSION tmac must not notice it: SECURITY LABEL FOR tmac answers with a clear
# message (and removing a label always works), and ordinary queries over row security work
# even where the database has a schema of its own named tmac that the user may not use.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).
set -uo pipefail

# Part 2 checks the planner hook: it finds tmac's functions by OID inside the installed
# extension (src/extension.c), so a database's own schema tmac is never looked up.

db=tmac_noext
db2=tmac_noext_dropped
failed=0
fail() { echo "FAIL: $*"; cleanup; exit 1; }
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP DATABASE IF EXISTS $db2 WITH (FORCE)" >/dev/null 2>&1
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS tmac_ne_user" -c "DROP ROLE IF EXISTS tmac_ne_owner" >/dev/null 2>&1
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

cleanup
createdb "$db" || fail "createdb"
q -d "$db" -c "CREATE TABLE t (id int)" || fail "setup"

# Part 1: the label provider.
out=$(psql -X -q -d "$db" -v VERBOSITY=verbose \
        -c "SECURITY LABEL FOR tmac ON TABLE t IS 'SECRET'" 2>&1)
grep -q "ERROR:  55000: tmac is not installed in database \"$db\"" <<<"$out" \
  || fail "labelling in a database without tmac: expected 55000 'tmac is not installed', got: $out"
grep -q "HINT:  Run CREATE EXTENSION tmac in this database first." <<<"$out" || fail "no hint: $out"
echo "$out" | grep -qi "tmac\.level\|QUERY:" && fail "tmac's internal query leaks into the error: $out"
echo "ok 1 - SECURITY LABEL FOR tmac without the extension: 55000, 'tmac is not installed in database', hint CREATE EXTENSION"

q -d "$db" -c "SECURITY LABEL FOR tmac ON TABLE t IS NULL" || fail "removing a label without the extension"
echo "ok 2 - SECURITY LABEL FOR tmac … IS NULL works without the extension"

# A label left behind by DROP EXTENSION can be removed.
createdb "$db2" || fail "createdb $db2"
q -d "$db2" -c "CREATE EXTENSION tmac" -c "CREATE TABLE t (id int)" \
  -c "SECURITY LABEL FOR tmac ON TABLE t IS 'SECRET'" -c "DROP EXTENSION tmac" || fail "setup $db2"
[ "$(q -d "$db2" -c "SELECT count(*) FROM pg_seclabel WHERE provider = 'tmac'")" = 1 ] || fail "no label left behind to test with"
q -d "$db2" -c "SECURITY LABEL FOR tmac ON TABLE t IS NULL" || fail "removing a label left behind by DROP EXTENSION"
[ "$(q -d "$db2" -c "SELECT count(*) FROM pg_seclabel WHERE provider = 'tmac'")" = 0 ] || fail "the label is still there"
echo "ok 3 - a label left behind by DROP EXTENSION tmac can be removed (IS NULL)"

# Part 2: the planner hook in a database that has its own schema "tmac".
q -d "$db" <<'SQL' >/dev/null || fail "setup part 2"
CREATE ROLE tmac_ne_user LOGIN;
CREATE ROLE tmac_ne_owner;
CREATE SCHEMA tmac;                               -- the database's own, not the extension's
REVOKE ALL ON SCHEMA tmac FROM PUBLIC;
CREATE TABLE r (id int PRIMARY KEY, v text);
ALTER TABLE r ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON r USING (true);
INSERT INTO r VALUES (1, 'a'), (2, 'b');
GRANT SELECT, UPDATE ON r TO tmac_ne_user, tmac_ne_owner;
CREATE VIEW rv AS SELECT * FROM r;
ALTER VIEW rv OWNER TO tmac_ne_owner;             -- not a superuser: row security applies
CREATE VIEW rsb WITH (security_barrier) AS SELECT * FROM r WHERE id > 0;
ALTER VIEW rsb OWNER TO tmac_ne_owner;
GRANT SELECT, UPDATE ON rv, rsb TO tmac_ne_user;
SQL
notok() { echo "not ok $1 - $2"; failed=1; }
if out=$(q -d "$db" -c "SET ROLE tmac_ne_user" -c "SELECT string_agg(v, ',' ORDER BY id) FROM rv" 2>&1) && [ "$out" = "a,b" ]; then
  echo "ok 4 - a view over a table with row security can be selected (own schema tmac, no USAGE)"
else
  notok 4 "a view over a table with row security can be selected (own schema tmac, no USAGE): $out"
fi
if out=$(q -d "$db" -c "SET ROLE tmac_ne_user" -c "UPDATE rsb SET v = 'c' WHERE id = 1" -c "SELECT v FROM r WHERE id = 1" 2>&1) \
   && [ "$out" = "c" ]; then
  echo "ok 5 - UPDATE through a security_barrier view works (own schema tmac, no USAGE)"
else
  notok 5 "UPDATE through a security_barrier view works (own schema tmac, no USAGE): $out"
fi

cleanup
exit $failed
