#!/usr/bin/env bash
# modes_dump_restore_all.sh — every way the PostgreSQL documentation lists to dump and restore a
# database, run against one database that uses tmac (test/scripts/restore_fixture.sql), each
# with no wrapper and no extra step unless the README's table of modes ("Backup and restore")
# names one.  This script holds that table: a mode added there gets a case here.
#
#   format custom / directory (pg_dump -j 2, pg_restore -j 2) / tar / plain (psql), also --inserts;
#   pg_restore --single-transaction; --schema-only then --data-only (also -j 2, with
#   --disable-triggers and --single-transaction, and the plain-format pair); a data pass from
#   another dump, which cannot end the restore; --no-owner; -x (one documented call);
#   --no-security-labels (refused at CREATE EXTENSION, one error naming the option);
#   pg_dump -n app and -t app.doc into a database where tmac has the same vocabulary;
#   pg_dumpall, and pg_restore --create, into a cluster of their own.
#
# Every complete case ends with what test/scripts/restore_snapshot.sql shows (vocabulary,
# rows, DDL and object labels, people, grants, protection, privileges, the audit chain
# verified, no restore window open) equal to the source's, the restore's one audit entry last,
# and the same rows for three roles (a person with grants, a person who left, a role that is no person).
#
# PARTIAL DUMPS (-n, -t): the table's row in tmac.protected_table comes back (derived from the
# superuser's DDL, sql/install/61_protect.sql); partial_registry_pending=1 would skip those
# assertions (kept only to run this script against a build without that).
partial_registry_pending=0
#
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser), the server's bin on
# PATH and TMAC_TEST_DIR a scratch directory.  Prints TAP lines; exits non-zero on a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dir=${TMAC_TEST_DIR:-$(mktemp -d)}/modes_dump_restore_all
src=tmac_md_src
rm -rf "$dir"; mkdir -p "$dir"; chmod 777 "$dir"
scratch=
cleanup() {
  for d in $(psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'tmac\_md\_%'" 2>/dev/null); do
    dropdb --if-exists "$d" >/dev/null 2>&1
  done
  for r in dr_alice dr_bob dr_carol dr_dave md_nobody; do
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1
  done
  [ -z "$scratch" ] || tmac_as_server_user "$scratch_bin/pg_ctl" -D "$scratch/data" -m immediate -w stop >/dev/null 2>&1
}
trap cleanup EXIT
cleanup

. "$here/restore_lib.bash"
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# The source: the fixture, plus a role that is no person of tmac's (it sees the lowest level).
createdb "$src" && q -d "$src" -f "$here/restore_fixture.sql" >/dev/null &&
  q -d "$src" -c "CREATE ROLE md_nobody" -c "GRANT USAGE ON SCHEMA app TO md_nobody" \
    -c "GRANT SELECT ON app.doc TO md_nobody" || { echo "not ok - fixture"; exit 1; }

snapshot() { q -d "$1" -f "$here/restore_snapshot.sql"; }
answers() {   # the rows three roles read
  local r
  for r in dr_alice dr_dave md_nobody; do
    q -d "$1" -c "SET ROLE $r" -c "SELECT '$r ' || coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM app.doc"
  done
}
snapshot "$src" >"$dir/before.txt"
answers "$src" >"$dir/answers.txt"
[ "$(grep -c '^doc|' "$dir/before.txt")" -eq 8 ] && [ "$(grep -c '^audit|' "$dir/before.txt")" -gt 20 ] &&
  [ "$(cut -d' ' -f2 "$dir/answers.txt" | tr '\n' ' ')" = "1,2,3,8 - 1 " ]
ok $? "the source: 8 rows, the audit chain, and three roles that read different rows"
entries=$(grep -c '^audit|' "$dir/before.txt")

# One dump per format, taken once.
{ pg_dump -Fc -f "$dir/db.dump" "$src" &&
  pg_dump -Fd -j 2 -f "$dir/db.dir" "$src" &&
  pg_dump -Ft -f "$dir/db.tar" "$src" &&
  pg_dump -f "$dir/db.sql" "$src" &&
  pg_dump --inserts -f "$dir/inserts.sql" "$src" &&
  pg_dump --schema-only -f "$dir/schema.sql" "$src" &&
  pg_dump --data-only -f "$dir/data.sql" "$src" &&
  pg_dump --no-security-labels -f "$dir/nolabels.sql" "$src" &&
  pg_dump -Fc -n app -f "$dir/app.dump" "$src" &&
  pg_dump -Fc -t app.doc -f "$dir/doc.dump" "$src"; } 2>"$dir/pg_dump.err"   # (warns of tmac's circular keys)
ok $? "pg_dump writes every format (custom, directory with -j 2, tar, plain, --inserts; schema-only, data-only, no labels; -n, -t)" ||
  cat "$dir/pg_dump.err"

# What every complete restore must show, with nothing run after it.
complete() {   # complete DB MODE [SNAPSHOT-FILTER: -x, whose roles are granted nothing]
  local db=$1 mode=$2 filter=${3:-^$}
  snapshot "$db" | grep -v "$filter" >"$dir/$db.txt"
  grep -v "$filter" "$dir/before.txt" | diff -u - "$dir/$db.txt" >"$dir/$db.diff"
  ok $? "$mode: vocabulary, rows, labels, people, grants, protection, privileges and the verified audit chain are the source's, and no restore window is open"
  [ -s "$dir/$db.diff" ] && head -30 "$dir/$db.diff"
  [ "$(q -d "$db" -c "SELECT count(*) || ' ' || bool_and(entry_id = (SELECT max(entry_id) FROM tmac.audit_log))
                          || ' ' || max(detail->>'last_restored_entry') FROM tmac.audit_log WHERE category = 'restore'")" \
    = "1 true $entries" ]
  ok $? "$mode: the restore is the one entry added to the chain"
  [ -n "${3:-}" ] && return
  answers "$db" | diff -u "$dir/answers.txt" - >"$dir/$db.answers.diff"
  ok $? "$mode: three roles read the rows they read in the source"; cat "$dir/$db.answers.diff"
}
restore() {   # restore DB MODE COMMAND...: runs COMMAND -d DB, which must succeed with no error
  local db=$1 mode=$2; shift 2
  createdb "$db"
  "$@" -d "$db" >"$dir/$db.out" 2>&1
  [ $? -eq 0 ] && ! grep -q 'ERROR' "$dir/$db.out"
  ok $? "$mode succeeds with no error"; grep -m 5 'ERROR' "$dir/$db.out"
}
pr() { pg_restore --exit-on-error "$@"; }
ps() { psql -X -q -v ON_ERROR_STOP=1 -f "$@"; }

# Formats, -j, --single-transaction, --no-owner: a full restore closes its own window.
restore tmac_md_custom "custom: pg_restore" pr "$dir/db.dump"
complete tmac_md_custom "custom: pg_restore"
restore tmac_md_dir "directory: pg_restore -j 2" pr -j 2 "$dir/db.dir"
complete tmac_md_dir "directory: pg_restore -j 2"
restore tmac_md_tar "tar: pg_restore" pr "$dir/db.tar"
complete tmac_md_tar "tar: pg_restore"
restore tmac_md_plain "plain: psql" ps "$dir/db.sql"
complete tmac_md_plain "plain: psql"
restore tmac_md_inserts "plain with --inserts: psql" ps "$dir/inserts.sql"
complete tmac_md_inserts "plain with --inserts: psql"
restore tmac_md_single "pg_restore --single-transaction" pr --single-transaction "$dir/db.dump"
complete tmac_md_single "pg_restore --single-transaction"
restore tmac_md_noowner "pg_restore --no-owner" pr --no-owner "$dir/db.dump"
complete tmac_md_noowner "pg_restore --no-owner"

# --schema-only then --data-only: the schema pass hands the window to the data pass, which closes it.
two_pass() {   # two_pass DB MODE SCHEMA-COMMAND... -- DATA-COMMAND...
  local db=$1 mode=$2; shift 2
  local -a first=() second=()
  while [ "$1" != -- ]; do first+=("$1"); shift; done; shift; second=("$@")
  restore "$db" "$mode, schema pass" "${first[@]}"
  [ "$(q -d "$db" -c 'SELECT awaiting_data FROM tmac.restore_window')" = t ]
  ok $? "$mode: after the schema pass, the window waits for the data pass"
  "${second[@]}" -d "$db" >"$dir/$db.data.out" 2>&1
  [ $? -eq 0 ] && ! grep -q 'ERROR' "$dir/$db.data.out"
  ok $? "$mode, data pass succeeds with no error"; grep -m 5 'ERROR' "$dir/$db.data.out"
  complete "$db" "$mode"
}
two_pass tmac_md_twopass "pg_restore --schema-only, then --data-only" \
  pr --schema-only "$dir/db.dump" -- pr --data-only "$dir/db.dump"
two_pass tmac_md_twopass_j "pg_restore --schema-only, then --data-only -j 2" \
  pr --schema-only "$dir/db.dir" -- pr --data-only -j 2 "$dir/db.dir"
two_pass tmac_md_notrig "pg_restore --schema-only, then --data-only --disable-triggers (both --single-transaction)" \
  pr --schema-only --single-transaction "$dir/db.dump" -- pr --data-only --disable-triggers --single-transaction "$dir/db.dump"
two_pass tmac_md_twoplain "plain: pg_dump --schema-only | psql, then pg_dump --data-only | psql" \
  ps "$dir/schema.sql" -- ps "$dir/data.sql"

# -x: no privilege pass, so the documented call ends the restore.
restore tmac_md_noacl "pg_restore -x" pr -x "$dir/db.dump"
[ "$(q -d tmac_md_noacl -c 'SELECT tmac.end_restore()' -c 'SELECT count(*) FROM tmac.restore_window')" = $'t\n0' ]
ok $? "pg_restore -x: SELECT tmac.end_restore() (README) ends it"
complete tmac_md_noacl "pg_restore -x, then SELECT tmac.end_restore()" '^acl|'

# --no-security-labels: refused at CREATE EXTENSION, one error naming the option, nothing restored.
refused() {   # refused DB MODE COMMAND...
  local db=$1 mode=$2; shift 2
  createdb "$db"
  "$@" -d "$db" >"$dir/$db.out" 2>&1
  [ $? -ne 0 ] && [ "$(grep -c 'ERROR' "$dir/$db.out")" -eq 1 ] &&
    grep -q 'ERROR:  tmac cannot be restored from a dump without security labels' "$dir/$db.out" &&
    grep -q 'HINT:  Dump and restore without --no-security-labels' "$dir/$db.out" &&
    grep -q 'CREATE EXTENSION' "$dir/$db.out"
  ok $? "$mode: stops at CREATE EXTENSION tmac with one error naming the option" || grep -m 3 'ERROR' "$dir/$db.out"
  [ "$(q -d "$db" -c "SELECT count(*) FROM pg_extension WHERE extname = 'tmac'" -c "SELECT to_regclass('app.doc') IS NULL")" = $'0\nt' ]
  ok $? "$mode: leaves no tmac and no table behind"
}
refused tmac_md_nolabels "pg_restore --no-security-labels" pr --no-security-labels "$dir/db.dump"
refused tmac_md_nolabels_plain "pg_dump --no-security-labels | psql" ps "$dir/nolabels.sql"
# A fresh install in an ordinary session over the empty schema DROP EXTENSION leaves is no restore.
q -d tmac_md_nolabels -c "CREATE EXTENSION tmac" -c "DROP EXTENSION tmac" -c "CREATE EXTENSION tmac" >/dev/null 2>&1 &&
  [ "$(q -d tmac_md_nolabels -c 'SELECT count(*) FROM tmac.restore_window')" = 0 ]
ok $? "CREATE EXTENSION tmac over that schema, and again after DROP EXTENSION, is a fresh install"

# -n app / -t app.doc into a database where tmac has the same vocabulary (the fixture's first part).
protection() {
  q -d "$1" -c "SELECT relrowsecurity, relforcerowsecurity,
                       (SELECT string_agg(polname, ',' ORDER BY polname) FROM pg_policy WHERE polrelid = c.oid),
                       (SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal)
                  FROM pg_class c WHERE c.oid = 'app.doc'::regclass"
}
partial() {   # partial DB MODE DUMP [SETUP-SQL]
  local db=$1 mode=$2 dump=$3 setup=${4:-}
  createdb "$db"
  sed '/^-- "app" sorts before "tmac"/,$d' "$here/restore_fixture.sql" | q -d "$db" >/dev/null &&
    { [ -z "$setup" ] || q -d "$db" -c "$setup"; }
  pg_restore --exit-on-error -d "$db" "$dump" >"$dir/$db.out" 2>&1
  ok $? "$mode: the restore succeeds"; grep -m 5 'ERROR' "$dir/$db.out"
  [ "$(q -d "$db" -c "SELECT 'doc', id, l, tmac.marking(l), title, draft FROM app.doc ORDER BY id")" = "$(grep '^doc|' "$dir/before.txt")" ]
  ok $? "$mode: the rows and their labels are the source's"
  [ "$(protection "$db")" = "$(protection "$src")" ]
  ok $? "$mode: row security, tmac's policies and trigger come back"
  if [ "$partial_registry_pending" = 1 ]; then
    skip "$mode: the table is protected in tmac.protected_table" "issue 18 item 1 (partial_registry_pending=1)"
    skip "$mode: unprotect() then protect() work on it" "issue 18 item 1 (partial_registry_pending=1)"
  else
    [ "$(q -d "$db" -c "SELECT label_column FROM tmac.protected_table WHERE relid = 'app.doc'::regclass")" = l ]
    ok $? "$mode: the table is protected in tmac.protected_table"
    q -d "$db" -c "BEGIN" -c "SELECT tmac.unprotect('app.doc')" -c "SELECT tmac.protect('app.doc', 'l')" -c "ROLLBACK" >/dev/null
    ok $? "$mode: unprotect() then protect() work on it"
  fi
  [ "$(q -d "$db" -c 'SELECT count(*) FROM tmac.verify_audit_log()' -c 'SELECT count(*) FROM tmac.restore_window')" = $'0\n0' ]
  ok $? "$mode: the audit chain verifies, and no restore window is open"
  [ "$(q -d "$db" -c "SET ROLE md_nobody" -c "SELECT string_agg(id::text, ',' ORDER BY id) FROM app.doc")" = \
    "$(grep '^md_nobody ' "$dir/answers.txt" | cut -d' ' -f2)" ]
  ok $? "$mode: a role that is no person reads what it read in the source"
}
partial tmac_md_schema "pg_dump -n app | pg_restore" "$dir/app.dump"
partial tmac_md_table "pg_dump -t app.doc | pg_restore" "$dir/doc.dump" \
  "CREATE SCHEMA app; CREATE DOMAIN app.below_top AS tmac.label CHECK (VALUE OPERATOR(tmac.<) 'TOP_SECRET'); GRANT USAGE ON SCHEMA app TO md_nobody"

# pg_dumpall into a cluster of its own (the roles come with it); this database only.
. "$top/test/server.sh"
others=$(psql -X -At -d postgres -c "SELECT string_agg('--exclude-database=' || datname, ' ') FROM pg_database
                                       WHERE datname NOT IN ('$src', 'postgres', 'template0', 'template1')")
# shellcheck disable=SC2086
pg_dumpall $others -f "$dir/all.sql" 2>"$dir/pg_dumpall.err"
ok $? "pg_dumpall succeeds" || cat "$dir/pg_dumpall.err"
tmac_scratch_cluster modes_dumpall <<'CONF' || exit 1
shared_preload_libraries = 'tmac'
timezone = 'UTC'
CONF
scratch=$dir scratch_bin=$bin
tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null || { cat "$dir/server.log"; exit 1; }
dir=${TMAC_TEST_DIR:-/tmp}/modes_dump_restore_all   # (tmac_scratch_cluster set dir)
(
  export PGHOST=$scratch PGPORT=5432
  psql -X -q -d postgres -f "$dir/all.sql" >"$dir/dumpall.out" 2>&1
  # the one error pg_dumpall's script always gives: the restoring role exists already
  [ "$(grep -c 'ERROR' "$dir/dumpall.out")" -le 1 ] && ! grep 'ERROR' "$dir/dumpall.out" | grep -vq 'role "postgres" already exists'
  ok $? "pg_dumpall | psql into a new cluster succeeds" || grep -m 5 'ERROR' "$dir/dumpall.out"
  complete "$src" "pg_dumpall | psql"
  # pg_restore --create, in that cluster (whose roles pg_dumpall brought)
  dropdb "$src" && pg_restore --exit-on-error --create -d postgres "$dir/db.dump" >"$dir/create.out" 2>&1
  ok $? "pg_restore --create succeeds" || grep -m 5 'ERROR' "$dir/create.out"
  complete "$src" "pg_restore --create"
  exit "$failed"
)
sub=$?; n=$((n + 8)); failed=$((failed + sub))

# A data pass from another dump (the vocabulary changed in between) loads, but cannot end the
# restore: the window stays open, tmac refuses changes, and end_restore says why.
q -d "$src" -c "SELECT tmac.define_compartment('MD-LATE', 'late')" >/dev/null &&
  pg_dump -Fc --data-only -f "$dir/later.dump" "$src" 2>/dev/null
createdb tmac_md_mixed
pr --schema-only -d tmac_md_mixed "$dir/db.dump" >/dev/null 2>&1
pr --data-only -d tmac_md_mixed "$dir/later.dump" >"$dir/mixed.out" 2>&1
ok $? "a data pass from a later dump runs"; grep -m 5 'ERROR' "$dir/mixed.out"
[ "$(q -d tmac_md_mixed -c 'SELECT awaiting_data FROM tmac.restore_window' -c 'SELECT count(*) FROM app.doc')" = $'t\n8' ]
ok $? "its data stays loaded and the window stays open"
out=$(psql -X -q -At -d tmac_md_mixed -c "SELECT tmac.define_group('MD-G', 'g')" -c 'SELECT tmac.end_restore()' 2>&1)
grep -q 'ERROR:  tmac is being restored and accepts no changes until the restore ends' <<<"$out" &&
  grep -q 'ERROR:  the restored vocabulary differs from the copy the dump carried' <<<"$out" &&
  grep -q 'Only in tmac.s tables: "C 8 MD-LATE late"' <<<"$out"
ok $? "tmac refuses changes, and end_restore names the difference" || echo "$out"

echo "1..$n"
[ "$failed" -eq 0 ]
