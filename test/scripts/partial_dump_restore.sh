#!/usr/bin/env bash
# partial_dump_restore.sh — a partial dump (pg_dump -t, pg_dump -n) restored into a
# database where tmac was created with the same vocabulary (defined in another order, so
# its compartment ids differ): the protected table comes back protected in tmac's
# registry (unprotect and protect work, each role sees what it saw in the source), and a
# table hash-partitioned on a tmac.label column restores without
# --load-via-partition-root.  Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a
# superuser) and TMAC_TEST_DIR a scratch directory.
set -uo pipefail
src=tmac_part_src; dbs="tmac_part_t tmac_part_n tmac_part_h tmac_part_v"
fail() { echo "FAIL: $*"; cleanup; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
  for d in $src $dbs; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1; done
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS tmac_p_reader" -c "DROP ROLE IF EXISTS tmac_p_owner" >/dev/null 2>&1
}
cleanup
dir=${TMAC_TEST_DIR:-/tmp}/partial_dump
mkdir -p "$dir"
createdb $src || fail "createdb"
q -d $src >/dev/null <<'SQL' || fail "setup"
CREATE EXTENSION tmac;
SELECT tmac.define_compartment('PART-A', 'partial A');
SELECT tmac.define_compartment('PART-B', 'partial B');
SELECT tmac.define_group('PART-G', 'partial group');
CREATE ROLE tmac_p_reader;
CREATE ROLE tmac_p_owner;
CREATE SCHEMA app;
CREATE TABLE app.doc (id integer PRIMARY KEY, cls tmac.label NOT NULL);
INSERT INTO app.doc SELECT i, (ARRAY['PUBLIC', 'SECRET:PART-A', 'INTERNAL', 'CONFIDENTIAL:PART-A,PART-B', 'INTERNAL::PART-G'])[1 + i % 5]::tmac.label
  FROM generate_series(1, 20) i;
SELECT tmac.protect('app.doc', 'cls');
GRANT USAGE ON SCHEMA app TO tmac_p_reader;
GRANT SELECT ON app.doc TO tmac_p_reader;
-- hash-partitioned on its label
CREATE SCHEMA hp;
CREATE TABLE hp.h (id integer, cls tmac.label NOT NULL) PARTITION BY HASH (cls);
CREATE TABLE hp.h0 PARTITION OF hp.h FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE hp.h1 PARTITION OF hp.h FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE hp.h2 PARTITION OF hp.h FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE hp.h3 PARTITION OF hp.h FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO hp.h SELECT i, (ARRAY['PUBLIC:PART-A', 'SECRET:PART-B', 'INTERNAL:PART-A,PART-B', 'CONFIDENTIAL:PART-B', 'SECRET:PART-A'])[1 + i % 5]::tmac.label
  FROM generate_series(1, 50) i;
SQL

# a target with tmac and the same vocabulary, defined in the other order (other ids)
target() {
  createdb "$1" || fail "createdb $1"
  q -d "$1" >/dev/null <<'SQL' || fail "setup of $1"
CREATE EXTENSION tmac;
SELECT tmac.define_group('PART-G', 'partial group');
SELECT tmac.define_compartment('PART-B', 'partial B');
SELECT tmac.define_compartment('PART-A', 'partial A');
SQL
}

state() {
  q -d "$1" -c "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'app.doc'::regclass" \
    -c "SELECT string_agg(polname, ' ' ORDER BY polname) FROM pg_policy WHERE polrelid = 'app.doc'::regclass" \
    -c "SELECT relid::text || ':' || label_column FROM tmac.protected_table" \
    -c "SELECT count(*) FROM app.doc" \
    -c "SET ROLE tmac_p_reader" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM app.doc" -c "RESET ROLE" \
    -c "SELECT count(*) FROM tmac.findings WHERE check_code = 'protection_registry_mismatch'" 2>&1
}
a=$(state $src) || fail "state of source: $a"

n=0
check_restored() { # db, how
  local b
  b=$(state "$1") || fail "$2: state of the restored database: $b"
  [ "$a" = "$b" ] || fail "$2: the restored table differs from the source:
--- source
$a
--- restored
$b"
  n=$((n + 1)); echo "ok $n - $2: registry row, policies and each role's answers as in the source"
  q -d "$1" -c "SELECT tmac.unprotect('app.doc')" >/dev/null 2>"$dir/err" || fail "$2: unprotect: $(cat "$dir/err")"
  q -d "$1" -c "SELECT tmac.protect('app.doc', 'cls')" >/dev/null 2>"$dir/err" || fail "$2: protect again: $(cat "$dir/err")"
  b=$(state "$1") || fail "$2: state after unprotect/protect: $b"
  [ "$a" = "$b" ] || fail "$2: after unprotect and protect: $b"
  n=$((n + 1)); echo "ok $n - $2: unprotect and protect work on the restored table"
}

# pg_dump -t into an existing schema, with pg_restore
target tmac_part_t
q -d tmac_part_t -c "CREATE SCHEMA app; GRANT USAGE ON SCHEMA app TO tmac_p_reader" >/dev/null || fail "schema"
pg_dump -Fc -t app.doc -f "$dir/t.dump" $src || fail "pg_dump -t"
pg_restore --exit-on-error -d tmac_part_t "$dir/t.dump" 2>"$dir/err" || fail "pg_restore -t: $(cat "$dir/err")"
check_restored tmac_part_t "pg_dump -t | pg_restore"

# pg_dump -n, plain, through psql
target tmac_part_n
pg_dump -n app -f "$dir/n.sql" $src || fail "pg_dump -n"
q -d tmac_part_n -f "$dir/n.sql" >/dev/null 2>"$dir/err" || fail "psql < pg_dump -n: $(cat "$dir/err")"
check_restored tmac_part_n "pg_dump -n | psql"

# a target whose vocabulary lacks what the table's labels name: one error, before the rows,
# naming all of it (it used to be the first row's, naming one code)
createdb tmac_part_v || fail "createdb tmac_part_v"
q -d tmac_part_v -c "CREATE EXTENSION tmac" -c "SELECT tmac.define_compartment('PART-B', 'partial B')" \
  -c "CREATE SCHEMA app" >/dev/null || fail "setup of tmac_part_v"
pg_restore --exit-on-error -d tmac_part_v "$dir/t.dump" 2>"$dir/err" && fail "a restore into a database lacking vocabulary succeeded"
[ "$(grep -c 'ERROR' "$dir/err")" = 1 ] || fail "not exactly one error: $(cat "$dir/err")"
grep -q 'the labels of table app.doc name vocabulary this database does not define' "$dir/err" \
  && grep -q 'Missing compartments: PART-A; groups: PART-G\.' "$dir/err" \
  && grep -q 'tmac.define_compartment' "$dir/err" || fail "the error does not name what is missing: $(cat "$dir/err")"
[ "$(q -d tmac_part_v -c "SELECT count(*) FROM app.doc")" = 0 ] || fail "rows were loaded"
n=$((n + 1)); echo "ok $n - a target lacking vocabulary: one error before the rows, naming every missing entry"
psql -X -q -v ON_ERROR_STOP=1 -d tmac_part_v -c "DROP SCHEMA app CASCADE" -f "$dir/n.sql" >/dev/null 2>"$dir/err" \
  && fail "psql < pg_dump -n into a database lacking vocabulary succeeded"
[ "$(grep -c 'ERROR' "$dir/err")" = 1 ] && grep -q 'Missing compartments: PART-A; groups: PART-G\.' "$dir/err" \
  || fail "pg_dump -n | psql: not one error naming what is missing: $(cat "$dir/err")"
n=$((n + 1)); echo "ok $n - ... and through psql, with pg_dump -n"

# hash partitions on a label: rows are routed by what the label means, not by ids
target tmac_part_h
pg_dump -Fc -n hp -f "$dir/h.dump" $src || fail "pg_dump -n hp"
pg_restore --exit-on-error -d tmac_part_h "$dir/h.dump" 2>"$dir/err" \
  || fail "pg_restore of a table hash-partitioned on a label: $(cat "$dir/err")"
hq="SELECT string_agg(tableoid::regclass::text || '=' || n, ' ' ORDER BY tableoid::regclass::text)
      FROM (SELECT tableoid, count(*) AS n FROM hp.h GROUP BY 1) x"
hs=$(q -d $src -c "$hq"); hd=$(q -d tmac_part_h -c "$hq")
[ "$hs" = "$hd" ] || fail "hash partitions differ: source $hs, restored $hd"
c=$(q -d tmac_part_h -c "SELECT count(*) FROM hp.h WHERE cls OPERATOR(tmac.=) 'SECRET:PART-B'") || fail "lookup"
[ "$c" = 10 ] || fail "partition pruning finds $c rows of SECRET:PART-B, not 10"
n=$((n + 1)); echo "ok $n - a table hash-partitioned on a label restores without --load-via-partition-root ($hd)"

cleanup
exit 0
