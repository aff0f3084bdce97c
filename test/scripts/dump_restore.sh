#!/usr/bin/env bash
# dump_restore.sh — a database with tmac labels survives pg_dump -Fc and the
# two-pass pg_restore documented in test/scripts/RESTORE.md.
#
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set, the server's bin on
# PATH and TMAC_TEST_DIR a scratch directory.  Builds a source database with
# vocabulary (including a renamed built-in level), labelled tables and
# SECURITY LABELs; dumps it; restores it in two passes (tmac's extension and
# vocabulary first, then everything else) into a new database; and compares
# labels, object labels and the vocabulary as text.  Exits non-zero on any
# difference.  Cleans up its databases.
set -euo pipefail

dir=${TMAC_TEST_DIR:-$(mktemp -d)}/dump_restore
src=tmac_dump_src
dst=tmac_dump_dst
rm -rf "$dir"; mkdir -p "$dir"
chmod 777 "$dir"     # the dump file is written by this user, read back by it too
cleanup() {
  dropdb --if-exists "$src" >/dev/null 2>&1 || true
  dropdb --if-exists "$dst" >/dev/null 2>&1 || true
  for r in dr_alice dr_bob dr_carol dr_dave; do
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT
cleanup

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

createdb "$src"
psql_q -d "$src" >/dev/null <<'SQL'
CREATE EXTENSION tmac;
SELECT tmac.rename_level('INTERNAL', 'INTERNAL-USE');          -- a renamed built-in level
SELECT tmac.define_level('RESTRICTED', 35, '厳秘', ARRAY['部外秘']);
SELECT tmac.define_compartment('PRJ-A', 'プロジェクトA');
SELECT tmac.define_compartment('PRJ-B', 'プロジェクトB');
SELECT tmac.define_compartment('GONE', '廃止予定');
SELECT tmac.rename_compartment('GONE', 'ARCHIVE');
SELECT tmac.define_compartment('CUST-X', 'X社受託情報', 'entrusted by X');
SELECT tmac.define_group('DEV', '開発部');
SELECT tmac.define_group('DEV-1', '開発一課', 'DEV');
SELECT tmac.define_group('SALES', '営業部');

-- "app" sorts before "tmac": plain pg_restore would load this data before the vocabulary
CREATE SCHEMA app;
CREATE TABLE app.doc (id int PRIMARY KEY, l tmac.label NOT NULL, title text);
CREATE INDEX ON app.doc (l);
CREATE INDEX ON app.doc USING hash (l);
INSERT INTO app.doc VALUES
  (1, 'PUBLIC', 'press release'),
  (2, '社内限', 'org chart'),
  (3, '対外秘:プロジェクトA', 'spec A'),
  (4, 'SECRET:PRJ-B,PRJ-A:DEV', 'joint design'),
  (5, '厳秘:CUST-X:DEV-1,SALES', 'customer X contract'),
  (6, 'TOP_SECRET:ARCHIVE', 'old plans'),
  (7, 'SECRET::SALES', 'pipeline');
CREATE TABLE app.part (id int, l tmac.label) PARTITION BY HASH (l);
CREATE TABLE app.part_0 PARTITION OF app.part FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE app.part_1 PARTITION OF app.part FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO app.part SELECT id, l FROM app.doc;
SECURITY LABEL FOR tmac ON SCHEMA app IS 'INTERNAL-USE';
SECURITY LABEL FOR tmac ON TABLE app.doc IS '部外秘:CUST-X';
SECURITY LABEL FOR tmac ON COLUMN app.doc.title IS 'CONFIDENTIAL:PRJ-A';

-- People, HR events (one still in the future), a four-eyes grant, a termination:
-- restored rows must come back as history, and the audit chain must still verify.
CREATE ROLE dr_alice LOGIN;
CREATE ROLE dr_bob LOGIN IN ROLE tmac_access_admin;
CREATE ROLE dr_carol LOGIN IN ROLE tmac_approver;
CREATE ROLE dr_dave LOGIN;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['dr_alice', 'dr_bob', 'dr_carol', 'dr_dave']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('dr-1', 'DR1', 'hire', now() - interval '2 days', '{"full_name":"Alice","org_group":"DEV","job_role":"engineer","login_role":"dr_alice"}'),
  ('dr-2', 'DR2', 'hire', now() - interval '2 days', '{"full_name":"Bob","org_group":"DEV","job_role":"access admin","login_role":"dr_bob"}'),
  ('dr-3', 'DR3', 'hire', now() - interval '2 days', '{"full_name":"Carol","org_group":"SALES","job_role":"manager","login_role":"dr_carol"}'),
  ('dr-4', 'DR4', 'hire', now() - interval '2 days', '{"full_name":"Dave","org_group":"SALES","job_role":"sales","login_role":"dr_dave"}'),
  ('dr-5', 'DR1', 'transfer', now() + interval '30 days', '{"org_group":"SALES"}');
SELECT tmac.record_pledge(p, 'hire', current_date - 2), tmac.record_training(p, 'security basics', current_date - 2)
  FROM unnest(ARRAY['DR1', 'DR2', 'DR3', 'DR4']) p;
SET ROLE dr_bob;
SELECT tmac.request_access('DR1', 'PRJ-A', now() + interval '90 days', 'joint design');
SELECT tmac.request_access('DR4', 'PRJ-B', now() + interval '90 days', 'proposal');
RESET ROLE;
SET ROLE dr_carol;
SELECT tmac.approve(grant_id) FROM (SELECT min(grant_id) AS grant_id FROM tmac.grants) g;
RESET ROLE;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at) VALUES ('dr-6', 'DR4', 'terminate', now());
SQL

# What must survive, as text.
snapshot() {
  psql_q -d "$1" -At <<'SQL'
SET search_path = public, tmac;
SELECT 'level', rank, code, name, aliases::text, builtin FROM tmac.level ORDER BY rank;
SELECT 'compartment', compartment_id, code, name, description FROM tmac.compartment ORDER BY compartment_id;
SELECT 'group', g.group_id, g.code, g.name, p.code FROM tmac.org_group g
  LEFT JOIN tmac.org_group p ON p.group_id = g.parent_id ORDER BY g.group_id;
SELECT 'doc', id, l, tmac.marking(l), title FROM app.doc ORDER BY id;
SELECT 'part', tableoid::regclass, id, l FROM app.part ORDER BY id;
SELECT 'object_label', object_type, object_identity, label, marking FROM tmac.object_label
 ORDER BY object_type, object_identity;
SELECT 'dominance', a.id, b.id FROM app.doc a, app.doc b WHERE a.l @> b.l ORDER BY 2, 3;
SELECT 'person', person_id, full_name, org_group, job_role, login_role, status FROM tmac.person ORDER BY 2;
SELECT 'hr_event', event_id, person_id, kind, outcome, applied_at IS NOT NULL FROM tmac.hr_event ORDER BY 2;
SELECT 'grant', grant_id, person_id, kind, compartment, mode, status, requested_by, approved_by::text, end_reason
  FROM tmac.grants ORDER BY 2;
SELECT 'audit', count(*), max(entry_id) FROM tmac.audit_log;
SELECT 'audit_verify', count(*) FROM tmac.verify_audit_log();
SQL
}
snapshot "$src" >"$dir/before.txt"

pg_dump -Fc -f "$dir/tmac.dump" "$src"

# The two-pass restore of the README (test/restore.sh); the first pass must hold
# the extension and the vocabulary and no user object.
. "$(dirname "$0")/../restore.sh"
createdb "$dst"
tmac_restore "$dir/tmac.dump" "$dst" || { echo "dump_restore: restore failed"; exit 1; }

snapshot "$dst" >"$dir/after.txt"
if ! diff -u "$dir/before.txt" "$dir/after.txt"; then
  echo "dump_restore: the restored database differs"; exit 1
fi
# A snapshot that is empty or lacks the rows would make the diff meaningless.
[ "$(grep -c '^doc|' "$dir/after.txt")" -eq 7 ] || { echo "dump_restore: app.doc rows missing"; exit 1; }
[ "$(grep -c '^object_label|' "$dir/after.txt")" -eq 3 ] || { echo "dump_restore: object labels missing"; exit 1; }
[ "$(grep -c '^hr_event|' "$dir/after.txt")" -eq 6 ] || { echo "dump_restore: HR events missing"; exit 1; }
grep -q '^grant|.*|active|' "$dir/after.txt" || { echo "dump_restore: the approved grant is not active"; exit 1; }
grep -q '^grant|.*|terminated$' "$dir/after.txt" || { echo "dump_restore: the terminated person's grant did not stay ended"; exit 1; }
grep -qx 'audit_verify|0' "$dir/after.txt" || { echo "dump_restore: the restored audit log does not verify"; exit 1; }
# The restored chain goes on: a new change appends an entry that verifies.
psql_q -d "$dst" -At -c "SELECT tmac.define_compartment('AFTER-RESTORE', 'after restore')" \
  -c "SELECT count(*) FROM tmac.verify_audit_log()" | tail -1 | grep -qx 0 \
  || { echo "dump_restore: the audit chain breaks after restore"; exit 1; }
grep -qx 'level|10|INTERNAL-USE|社内限|{}|t' "$dir/after.txt" || { echo "dump_restore: renamed built-in level lost"; exit 1; }
[ "$(psql_q -d "$dst" -At -c 'SELECT count(*) FROM tmac.level')" -eq 6 ] || { echo "dump_restore: duplicated levels"; exit 1; }

# The restored database keeps working: the sequences continue after the
# restored ids, labels read and index lookups find the rows.
psql_q -d "$dst" -At >"$dir/after_use.txt" <<'SQL'
SET search_path = public, tmac;
SELECT tmac.define_compartment('PRJ-C', 'プロジェクトC');
SELECT tmac.define_group('DEV-2', '開発二課', '開発部');
SELECT code FROM tmac.compartment WHERE compartment_id = (SELECT max(compartment_id) FROM tmac.compartment);
SELECT 'INTERNAL-USE:PRJ-C:DEV-2'::tmac.label;
SET enable_seqscan = off;
SELECT id FROM app.doc WHERE l = '秘:PRJ-A,PRJ-B:開発部';
SQL
expected=$'\n\nPRJ-C\nINTERNAL-USE:PRJ-C:DEV-2\n4'
if [ "$(cat "$dir/after_use.txt")" != "$expected" ]; then
  echo "dump_restore: the restored database does not work as expected:"; cat "$dir/after_use.txt"; exit 1
fi

echo "dump_restore: ok ($(grep -c . "$dir/after.txt") lines compared)"
