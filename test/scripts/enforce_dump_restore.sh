#!/usr/bin/env bash
# enforce_dump_restore.sh — protection survives pg_dump/pg_restore: the restored
# table still has row security enabled and forced, tmac's five policies and the
# declassification trigger, its row in tmac.protected_table, and an unmapped
# role still sees only the lowest level.  Run by test/run_tests.sh with
# PGHOST/PGPORT/PGUSER set (a superuser) and TMAC_TEST_DIR a scratch directory.
set -uo pipefail
src=tmac_dump_src; dst=tmac_dump_dst
fail() { echo "FAIL: $*"; cleanup; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src" -c "DROP DATABASE IF EXISTS $dst" >/dev/null 2>&1
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS tmac_d_reader" >/dev/null 2>&1
}
cleanup
createdb $src || fail "createdb"
q -d $src >/dev/null <<'SQL' || fail "setup"
CREATE EXTENSION tmac;
SELECT tmac.define_compartment('DUMP-A', 'dump A');
CREATE ROLE tmac_d_reader;
CREATE TABLE ddoc (id integer PRIMARY KEY, cls tmac.label NOT NULL);
INSERT INTO ddoc VALUES (1, 'PUBLIC'), (2, 'SECRET:DUMP-A'), (3, 'INTERNAL');
SELECT tmac.protect('ddoc', 'cls');
GRANT SELECT ON ddoc TO tmac_d_reader;
SQL
dir=${TMAC_TEST_DIR:-/tmp}/enforce_dump
mkdir -p "$dir"
pg_dump -Fc -f "$dir/src.dump" $src || fail "pg_dump"
createdb $dst || fail "createdb dst"
# a plain pg_restore, as a DBA runs it (README: Backup and restore)
pg_restore --exit-on-error -d $dst "$dir/src.dump" || fail "pg_restore"

state() {
  q -d "$1" -c "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'ddoc'::regclass" \
    -c "SELECT string_agg(polname || ':' || pg_get_expr(coalesce(polqual, polwithcheck), polrelid), ' ' ORDER BY polname) FROM pg_policy WHERE polrelid = 'ddoc'::regclass" \
    -c "SELECT string_agg(tgname, ' ' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'ddoc'::regclass AND NOT tgisinternal" \
    -c "SELECT relid::text || ':' || label_column FROM tmac.protected_table" \
    -c "SELECT count(*) FROM ddoc" \
    -c "SET ROLE tmac_d_reader" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM ddoc"
}
a=$(state $src) || fail "state of source"
b=$(state $dst) || fail "state of restored database"
[ "$a" = "$b" ] || fail "restored protection differs:
--- source
$a
--- restored
$b"
grep -q '^t|t$' <<<"$b" || fail "row security not forced after restore: $b"
grep -q 'tmac_read:tmac.row_readable(cls)\|tmac_read:row_readable(cls)' <<<"$b" || fail "read policy missing: $b"
[ "$(echo "$b" | tail -1)" = "1" ] || fail "an unmapped role sees more than the lowest level after restore: $b"
echo "ok 1 - protection, policies, trigger and registry survive pg_dump/pg_restore"
cleanup
exit 0
