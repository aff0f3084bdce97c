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
SQL
}
snapshot "$src" >"$dir/before.txt"

pg_dump -Fc -f "$dir/tmac.dump" "$src"

# Pass 1: the tmac schema and extension, and tmac's configuration tables and
# sequences (the vocabulary).  Pass 2: everything else.
pg_restore -l "$dir/tmac.dump" >"$dir/all.toc"
grep -E '^[0-9]+; [0-9]+ [0-9]+ (SCHEMA - tmac|COMMENT - SCHEMA tmac|EXTENSION - tmac|COMMENT - EXTENSION tmac|TABLE DATA tmac|SEQUENCE SET tmac) ' \
  "$dir/all.toc" >"$dir/first.toc"
grep -vxF -f "$dir/first.toc" "$dir/all.toc" >"$dir/rest.toc"

# The first pass must hold exactly the extension and its three tables and two sequences.
for want in 'EXTENSION - tmac' 'TABLE DATA tmac level' 'TABLE DATA tmac compartment' \
            'TABLE DATA tmac org_group' 'SEQUENCE SET tmac compartment_id_seq' \
            'SEQUENCE SET tmac org_group_id_seq'; do
  grep -q " $want " "$dir/first.toc" || { echo "first.toc lacks: $want"; cat "$dir/all.toc"; exit 1; }
done
if grep -qE ' (TABLE DATA|SECURITY LABEL) (app|public) ' "$dir/first.toc"; then
  echo "first.toc holds user objects:"; cat "$dir/first.toc"; exit 1
fi

createdb "$dst"
pg_restore --exit-on-error -d "$dst" -L "$dir/first.toc" "$dir/tmac.dump"
pg_restore --exit-on-error -d "$dst" -L "$dir/rest.toc" "$dir/tmac.dump"

snapshot "$dst" >"$dir/after.txt"
if ! diff -u "$dir/before.txt" "$dir/after.txt"; then
  echo "dump_restore: the restored database differs"; exit 1
fi
# A snapshot that is empty or lacks the rows would make the diff meaningless.
[ "$(grep -c '^doc|' "$dir/after.txt")" -eq 7 ] || { echo "dump_restore: app.doc rows missing"; exit 1; }
[ "$(grep -c '^object_label|' "$dir/after.txt")" -eq 3 ] || { echo "dump_restore: object labels missing"; exit 1; }
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
