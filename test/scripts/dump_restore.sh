#!/usr/bin/env bash
# dump_restore.sh — a database using tmac survives every ordinary PostgreSQL restore with no
# wrapper and nothing special: pg_dump -Fc + pg_restore, pg_restore -j 4 and
# pg_dump | psql.  The source is test/scripts/restore_fixture.sql; what must survive is
# test/scripts/restore_snapshot.sql, compared as text.  Then the restore window itself: a dump
# restored without privileges (-x) leaves it open, tmac refuses every change but the restore's
# own, and one call ends it; a restore that lost tmac's vocabulary does not end.
#
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser), the server's bin on
# PATH and TMAC_TEST_DIR a scratch directory.  Prints TAP lines; exits non-zero on a failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${TMAC_TEST_DIR:-$(mktemp -d)}/dump_restore
src=tmac_dump_src
dbs="$src tmac_dr_restore tmac_dr_parallel tmac_dr_psql tmac_dr_noacl tmac_dr_partial"
rm -rf "$dir"; mkdir -p "$dir"; chmod 777 "$dir"
cleanup() {
  for d in $dbs; do dropdb --if-exists "$d" >/dev/null 2>&1; done
  for r in dr_alice dr_bob dr_carol dr_dave; do
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1
  done
}
trap cleanup EXIT
cleanup

. "$here/restore_lib.bash"

createdb "$src" && q -d "$src" -f "$here/restore_fixture.sql" >/dev/null || { echo "not ok - fixture"; exit 1; }
q -d "$src" -f "$here/restore_snapshot.sql" >"$dir/before.txt"
[ "$(grep -c '^doc|' "$dir/before.txt")" -eq 8 ] && [ "$(grep -c '^audit|' "$dir/before.txt")" -gt 20 ] \
  || { echo "not ok - the fixture is incomplete"; exit 1; }
pg_dump -Fc -f "$dir/db.dump" "$src" 2>"$dir/pg_dump.err" || { cat "$dir/pg_dump.err"; exit 1; }
pg_dump -f "$dir/db.sql" "$src" 2>>"$dir/pg_dump.err" || { cat "$dir/pg_dump.err"; exit 1; }

# The copy rides on schema tmac, before CREATE EXTENSION; the privilege that ends the window is in every dump.
pg_restore -l "$dir/db.dump" | grep -E '^[0-9]+; [0-9]+ [0-9]+ ' |
  grep -nE 'SCHEMA - tmac |SECURITY LABEL - SCHEMA tmac |EXTENSION - tmac |ACL tmac FUNCTION end_restore' >"$dir/order.txt"
order=$(cut -d'|' -f1 "$dir/order.txt" | sed 's/^[0-9]*://; s/^[0-9]*; [0-9]* [0-9]* //' | tr '\n' '|')
[ "$order" = "SCHEMA - tmac postgres|SECURITY LABEL - SCHEMA tmac postgres|EXTENSION - tmac |ACL tmac FUNCTION end_restore() postgres|" ]
ok $? "the dump holds the vocabulary copy after CREATE SCHEMA tmac and before CREATE EXTENSION, and the REVOKE on tmac.end_restore()"

# Working on after a restore: new entries, labels, an index lookup, the chain, the copy, a decision.
use() {
  q -d "$1" <<'SQL'
SET search_path = public, tmac;
SELECT tmac.define_compartment('PRJ-C', 'プロジェクトC');
SELECT tmac.define_group('DEV-2', '開発二課', '開発部');
SELECT compartment_id FROM tmac.compartment WHERE code = 'PRJ-C';
SELECT group_id FROM tmac.org_group WHERE code = 'DEV-2';
SELECT 'INTERNAL-USE:PRJ-C:DEV-2'::tmac.label;
SET enable_seqscan = off;
SELECT id FROM app.doc WHERE l = '秘:PRJ-A,PRJ-B:開発部';
SELECT count(*) FROM tmac.verify_audit_log();
SELECT label = tmac.vocabulary_copy_text() FROM pg_seclabel WHERE objoid = 'tmac'::regnamespace AND provider = 'tmac_vocabulary';
SET ROLE dr_alice;
SELECT string_agg(id::text, ',' ORDER BY id) FROM app.doc;
SQL
}

# What every complete restore must show.
check_restored() {   # check_restored DB MODE
  local db=$1 mode=$2
  q -d "$db" -f "$here/restore_snapshot.sql" >"$dir/$db.txt"
  diff -u "$dir/before.txt" "$dir/$db.txt" >"$dir/$db.diff"
  ok $? "$mode: vocabulary, rows, DDL labels, object labels, people, grants, protection, privileges and the audit chain come back as they were"
  [ -s "$dir/$db.diff" ] && head -40 "$dir/$db.diff"
  [ "$(q -d "$db" -c "SELECT category || ' ' || action || ' ' || (entry_id = (SELECT max(entry_id) FROM tmac.audit_log))
                          || ' ' || (detail->>'last_restored_entry') FROM tmac.audit_log WHERE category = 'restore'")" \
    = "restore END true $(grep -c '^audit|' "$dir/before.txt")" ]
  ok $? "$mode: the restore window closed by itself, and the restore is the one entry added to the verified chain"
  use "$db" >"$dir/$db.use" 2>&1
  diff -u "$dir/use.expected" "$dir/$db.use"
  ok $? "$mode: the restored database works on: ids continue, labels and indexes work, the copy follows, the grants decide"
}

# What working on looks like, from the source (its dumps are taken).
use "$src" >"$dir/use.expected" 2>&1
[ "$(sed -n '3,4p;6p;8p' "$dir/use.expected" | tr '\n' ' ')" = "8 9 4 t " ]
ok $? "the source database works on as expected (new ids 8 and 9, row 4 by index, the copy in sync)"

# 1. pg_dump -Fc, then a plain pg_restore
createdb tmac_dr_restore
pg_restore --exit-on-error -d tmac_dr_restore "$dir/db.dump" 2>"$dir/restore.err"
ok $? "pg_restore of a custom-format dump succeeds with no wrapper and no option"; cat "$dir/restore.err"
check_restored tmac_dr_restore "pg_restore"

# 2. pg_restore -j 4: data of tmac's and your tables loads in parallel, in any order
createdb tmac_dr_parallel
pg_restore --exit-on-error -j 4 -d tmac_dr_parallel "$dir/db.dump" 2>"$dir/parallel.err"
ok $? "pg_restore -j 4 succeeds"; cat "$dir/parallel.err"
check_restored tmac_dr_parallel "pg_restore -j 4"

# 3. a plain SQL dump into psql
createdb tmac_dr_psql
psql -X -q -v ON_ERROR_STOP=1 -d tmac_dr_psql -f "$dir/db.sql" >/dev/null 2>"$dir/psql.err"
ok $? "pg_dump | psql succeeds"; cat "$dir/psql.err"
check_restored tmac_dr_psql "pg_dump | psql"

# 4. Without privileges (-x), the window stays open: tmac refuses changes until one call ends it.
createdb tmac_dr_noacl
pg_restore --exit-on-error -x -d tmac_dr_noacl "$dir/db.dump" 2>"$dir/noacl.err"
ok $? "pg_restore -x succeeds"; cat "$dir/noacl.err"
[ "$(q -d tmac_dr_noacl -c 'SELECT count(*) FROM tmac.restore_window')" = 1 ]
ok $? "-x: the restore window is still open (no privilege pass)"
[ "$(q -d tmac_dr_noacl -c "SELECT string_agg(l::text, ' ' ORDER BY id) FROM app.doc WHERE id IN (5, 7)")" = "RESTRICTED:CUST-X:DEV-1,SALES SECRET::SALES" ]
ok $? "-x: labels read meanwhile"
refused() {   # refused DB SQL: fails with SQLSTATE 55000 and tmac's restore message
  local out
  out=$(psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d "$1" -c "$2" 2>&1)
  [ $? -ne 0 ] && grep -q 'ERROR:  55000: tmac is being restored and accepts no changes until the restore ends' <<<"$out"
}
refused tmac_dr_noacl "SELECT tmac.define_compartment('LATE', 'late')"
ok $? "-x: a superuser's vocabulary change is refused while the window is open"
refused tmac_dr_noacl "SET ROLE dr_bob; SELECT tmac.request_access('DR3', 'PRJ-A', now() + interval '9 days', 'late')"
ok $? "-x: so is an access administrator's request"
psql -X -q -d tmac_dr_noacl -c "GRANT tmac_hr TO dr_dave" 2>/dev/null
refused tmac_dr_noacl "SET ROLE dr_dave; INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('late-1', 'DR1', 'leave')"
ok $? "-x: and an HR event from the HR role"
refused tmac_dr_noacl "UPDATE tmac.person SET title = 'late' WHERE person_id = 'DR1'"
ok $? "-x: and a superuser's direct UPDATE of a governance table (only COPY or INSERT into tmac's tables is a restore's load)"
psql -X -q -d tmac_dr_noacl -c "REVOKE tmac_hr FROM dr_dave" 2>/dev/null
[ "$(q -d tmac_dr_noacl -c 'SELECT tmac.end_restore()' -c 'SELECT count(*) FROM tmac.restore_window')" = $'t\n0' ]
ok $? "-x: SELECT tmac.end_restore() ends the restore"
q -d tmac_dr_noacl -f "$here/restore_snapshot.sql" | grep -v '^acl|' >"$dir/noacl.txt"
grep -v '^acl|' "$dir/before.txt" | diff -u - "$dir/noacl.txt" >"$dir/noacl.diff"
ok $? "-x: and everything but the privileges came back"; head -20 "$dir/noacl.diff"
[ "$(q -d tmac_dr_noacl -c "SELECT tmac.define_compartment('LATE', 'late')" -c "SELECT count(*) FROM tmac.verify_audit_log()" -c "SELECT action FROM tmac.audit_log ORDER BY entry_id DESC LIMIT 1")" = $'\n0\nINSERT' ]
ok $? "-x: after it, changes are accepted and audited again"

# 5. A restore that lost tmac's compartments: labels were read with the copy, so it must not end.
createdb tmac_dr_partial
pg_restore -l "$dir/db.dump" | grep -v ' TABLE DATA tmac compartment ' >"$dir/partial.toc"
pg_restore --exit-on-error -x -L "$dir/partial.toc" -d tmac_dr_partial "$dir/db.dump" 2>"$dir/partial.err"
ok $? "a restore without tmac.compartment's data runs"; cat "$dir/partial.err"
out=$(psql -X -q -At -d tmac_dr_partial -c 'SELECT tmac.end_restore()' 2>&1)
grep -q 'ERROR:  the restored vocabulary differs from the copy the dump carried' <<<"$out" &&
  grep -q 'DETAIL:  Only in the copy: "C 4 PRJ-A プロジェクトA".  Only in tmac.s tables: nothing.' <<<"$out" &&
  [ "$(q -d tmac_dr_partial -c 'SELECT count(*) FROM tmac.restore_window')" = 1 ]
ok $? "but its window does not end: the restored vocabulary differs from the copy, and it says where" || echo "$out"

echo "1..$n"
[ "$failed" -eq 0 ]
