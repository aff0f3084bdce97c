#!/usr/bin/env bash
# upgrade.sh — every released version of tmac upgrades to the current one with
# ALTER EXTENSION tmac UPDATE, keeps its data, and ends with the schema of a fresh install.
#
# Run by test/run_tests.sh with the private install's bin first on PATH and
# TMAC_TEST_DIR a scratch directory.  For each release tag vX.Y.Z older than
# tmac.control's default_version, as a DBA would live it:
#  1. that version, built from its tag, runs in a private cluster of its own (roles
#     start from nothing, so the upgrade must create any new role); it is filled
#     (vocabulary with a renamed built-in level, persons from HR events, approved
#     grants, a protected table with labelled rows, object labels, the audit log)
#     and its data snapshotted;
#  2. the cluster restarts on the current library (the package upgrade): it must
#     export every C symbol the old SQL binds to and still serve it — the same data,
#     the same rows for a person, and no label change without its audit;
#  3. ALTER EXTENSION tmac UPDATE: the data unchanged, the audit chain intact, the
#     extension working, and the schema (test/upgrade/describe.sql) equal to a fresh
#     install's in the same cluster.
# TAP output; exits non-zero on any failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/test/upgrade/lib.sh"

dir=${TMAC_TEST_DIR:?run by test/run_tests.sh}/upgrade
rm -rf "$dir"; mkdir -p "$dir"; chmod 755 "$dir"
ext=$(pg_config --sharedir)/extension
lib=$(pg_config --pkglibdir)
to=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$top/tmac.control")
n=0; bad=0
ok()   { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; return 1; fi; }
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
# counts FILE OP N PATTERN [OP N PATTERN ...]: the number of lines of FILE matching each
# PATTERN (grep -E) is OP (test's -eq, -gt, -ge) N
counts() {
  local f=$1
  shift
  while [ $# -ge 3 ]; do
    [ "$(grep -Ec -- "$3" "$f")" "$1" "$2" ] || return 1
    shift 3
  done
}

case "$ext" in
  "$TMAC_TEST_DIR"/*) ;;
  *) echo "upgrade.sh: pg_config is not the private install's ($ext)"; exit 1 ;;
esac
newbin=$(dirname "$(command -v pg_ctl)")
trap 'tmac_cluster_stop' EXIT

# Released versions (test/upgrade/releases) older than the current version.  A source tree
# that is not a git checkout (a release tarball) cannot build them.
if ! git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
  echo "1..0 # SKIP not a git checkout: released versions are built from git"; exit 0
fi
releases=$(awk '!/^#/ && NF { print $1 }' "$top/test/upgrade/releases" | grep -vxF "$to" | sort -V \
           | while read -r v; do [ "$(printf '%s\n' "$v" "$to" | sort -V | head -1)" = "$v" ] && echo "$v"; done)
[ -n "$releases" ] || { echo "upgrade.sh: no released version in test/upgrade/releases"; exit 1; }

export PGPORT=${PGPORT:-55432}   # the socket lives in the private cluster's own directory

for from in $releases; do
  if oldbin=$(tmac_old_install "$from" "$dir/v$from"); then
    ok "$from: built and installed from tag v$from"
  else
    fail "$from: built and installed from tag v$from"; continue
  fi
  oldext=$dir/v$from/usr/share/postgresql/15/extension
  # Every script a database at $from may run binds only to symbols the library exports.
  for f in "$oldext/tmac--$from.sql" "$ext"/tmac--*--*.sql; do
    check "$from: $(basename "$f"): every C symbol it binds to is in the current tmac.so" \
      tmac_check_c_symbols "$f" "$lib/tmac.so"
  done

  tmac_cluster_stop
  tmac_cluster_start "$dir/cluster-$from" "$oldbin" || { fail "$from: cluster on $from started"; continue; }
  src=up_from_${from//./_}; fresh=up_fresh_${from//./_}
  createdb "$src"
  check "$from: CREATE EXTENSION tmac VERSION '$from'" \
    psql_q -d "$src" -c "CREATE EXTENSION tmac VERSION '$from'"

  # The user's side, identical in both databases: a protected table and grants on it.
  user_schema="
    CREATE SCHEMA app;
    CREATE TABLE app.doc (id int PRIMARY KEY, l tmac.label NOT NULL, title text);
    CREATE INDEX ON app.doc (l);
    SELECT tmac.protect('app.doc', 'l');
    GRANT USAGE ON SCHEMA app TO PUBLIC;
    GRANT SELECT ON app.doc TO PUBLIC;"

  psql_q -d "$src" >"$dir/fill.out" 2>&1 <<SQL
CREATE ROLE up_alice LOGIN;
CREATE ROLE up_bob LOGIN IN ROLE tmac_access_admin;
CREATE ROLE up_carol LOGIN IN ROLE tmac_approver;
CREATE ROLE up_dave LOGIN;
SELECT tmac.rename_level('INTERNAL', 'INTERNAL-USE');          -- a renamed built-in level
SELECT tmac.define_level('RESTRICTED', 35, '厳秘', ARRAY['部外秘']);
SELECT tmac.define_compartment('PRJ-A', 'プロジェクトA');
SELECT tmac.define_compartment('PRJ-B', 'プロジェクトB');
SELECT tmac.define_compartment('CUST-X', 'X社受託情報', 'entrusted by X');
SELECT tmac.define_group('DEV', '開発部');
SELECT tmac.define_group('DEV-1', '開発一課', 'DEV');
SELECT tmac.define_group('SALES', '営業部');
$user_schema
INSERT INTO app.doc VALUES
  (1, 'PUBLIC', 'press release'),
  (2, '社内限', 'org chart'),
  (3, '対外秘:プロジェクトA', 'spec A'),
  (4, 'SECRET:PRJ-B,PRJ-A:DEV', 'joint design'),
  (5, '厳秘:CUST-X:DEV-1,SALES', 'customer X contract'),
  (6, 'CONFIDENTIAL:PRJ-B', 'spec B');
SECURITY LABEL FOR tmac ON SCHEMA app IS 'INTERNAL-USE';
SECURITY LABEL FOR tmac ON TABLE app.doc IS '部外秘:CUST-X';
SECURITY LABEL FOR tmac ON COLUMN app.doc.title IS 'CONFIDENTIAL:PRJ-A';
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('up-1', 'UP1', 'hire', now() - interval '2 days', '{"full_name":"Alice","org_group":"DEV","job_role":"engineer","login_role":"up_alice"}'),
  ('up-2', 'UP2', 'hire', now() - interval '2 days', '{"full_name":"Bob","org_group":"DEV","job_role":"access admin","login_role":"up_bob"}'),
  ('up-3', 'UP3', 'hire', now() - interval '2 days', '{"full_name":"Carol","org_group":"SALES","job_role":"manager","login_role":"up_carol"}'),
  ('up-4', 'UP4', 'hire', now() - interval '2 days', '{"full_name":"Dave","org_group":"SALES","job_role":"sales","login_role":"up_dave"}'),
  ('up-5', 'UP1', 'transfer', now() + interval '30 days', '{"org_group":"SALES"}');
SELECT tmac.record_pledge(p, 'hire', current_date - 2), tmac.record_training(p, 'security basics', current_date - 2)
  FROM unnest(ARRAY['UP1', 'UP2', 'UP3', 'UP4']) p;
SET ROLE up_bob;
SELECT tmac.request_clearance('UP1', 'SECRET', now() + interval '90 days', 'design work');
SELECT tmac.request_access('UP1', 'PRJ-A', now() + interval '90 days', 'joint design');
SELECT tmac.request_access('UP4', 'PRJ-B', now() + interval '90 days', 'proposal');
SELECT tmac.request_access('UP4', 'CUST-X', now() + interval '90 days', 'left pending');
RESET ROLE;
SET ROLE up_carol;
SELECT tmac.approve(grant_id) FROM tmac.grants WHERE person_id = 'UP1' ORDER BY grant_id;
SELECT tmac.approve(grant_id) FROM tmac.grants WHERE person_id = 'UP4' AND compartment = 'PRJ-B';
RESET ROLE;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at) VALUES ('up-6', 'UP4', 'terminate', now());
SELECT tmac.configure('training_validity', '6 months');
SELECT tmac.configure('date_time_zone', 'Asia/Seoul');   -- 0.2.0 calls it time_zone: the value must carry over (Tokyo's offset: no date moves)
SELECT tmac.configure_compliance('review_period', '3 months');
SQL
  check "$from: filled through $from's API" test $? -eq 0 || cat "$dir/fill.out"

  # The data, as text: the rows pg_dump keeps of every config-dumped table of tmac (with
  # the columns it has now, so that a column the upgrade adds does not count as a change;
  # the rows tmac ships are compared with a fresh install's below), the user's table as a
  # superuser and as a person, grants, object labels, the audit chain (the entries there
  # are now: the upgrade may append).
  psql_q -d "$src" -At >"$dir/snapshot.sql" <<'SQL' || fail "$from: snapshot query"
SET search_path = pg_catalog;
SELECT format('SELECT %L, t::text FROM (SELECT %s FROM %s %s ORDER BY %s) t;',
              c.rel::regclass,
              string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), c.rel::regclass,
              CASE WHEN c.rel = 'tmac.audit_log'::regclass
                   THEN format('WHERE entry_id <= %s', (SELECT coalesce(max(entry_id), 0) FROM tmac.audit_log))
                   ELSE min(e.extcondition[c.n]) END,
              array_to_string(ARRAY(SELECT generate_series(1, count(*)::integer)), ', '))
  FROM pg_extension e CROSS JOIN LATERAL unnest(e.extconfig) WITH ORDINALITY c(rel, n)
       JOIN pg_class r ON r.oid = c.rel AND r.relkind = 'r'
       JOIN pg_attribute a ON a.attrelid = c.rel AND a.attnum > 0 AND NOT a.attisdropped
        -- groups: codes up to 0.1.0, ids since 0.2.0; compared as codes below
        AND a.attname NOT IN ('org_group', 'bound_org_group', 'org_group_id', 'bound_org_group_id')
 WHERE e.extname = 'tmac' AND c.rel <> 'tmac.audit_head'::regclass
   AND c.rel::regclass::text NOT IN ('tmac.setting', 'tmac.compliance_setting_value')
 GROUP BY c.rel;
SELECT format('SELECT %L, last_value, is_called FROM %s;', c.rel::regclass, c.rel::regclass)
  FROM pg_extension e CROSS JOIN LATERAL unnest(e.extconfig) c(rel)
       JOIN pg_class r ON r.oid = c.rel AND r.relkind = 'S'
 WHERE e.extname = 'tmac';
SQL
  # The settings an organisation changed: 0.1.0 kept the compliance ones in a table of their own,
  # which the upgrade merges into tmac.setting (sql/upgrade/0.1.0--0.2.0.post.sql); its
  # date_time_zone is 0.2.0's time_zone (sql/upgrade/0.1.0--0.2.0.pre.sql).
  cat >>"$dir/snapshot.sql" <<'SQL'
SELECT format('SELECT %L, CASE key WHEN %L THEN %L ELSE key END, value, changed_at, changed_by FROM (SELECT key, value, changed_at, changed_by FROM tmac.setting%s) s ORDER BY key;',
              'settings', 'date_time_zone', 'time_zone', CASE WHEN to_regclass('tmac.compliance_setting_value') IS NOT NULL
                               THEN ' UNION ALL SELECT key, value, changed_at, changed_by FROM tmac.compliance_setting_value' ELSE '' END)
\gexec
-- A person's group and a grant's bound group, as the code they name (0.1.0 stored the code,
-- 0.2.0 stores the id): the upgrade must carry every one over.
SELECT 'person_group', p.person_id, coalesce(to_jsonb(p) ->> 'org_group', g.code)
  FROM tmac.person p LEFT JOIN tmac.org_group g ON g.group_id = (to_jsonb(p) ->> 'org_group_id')::integer ORDER BY 2;
SELECT 'grant_group', a.grant_id, coalesce(to_jsonb(a) ->> 'bound_org_group', g.code)
  FROM tmac.access_grant a LEFT JOIN tmac.org_group g ON g.group_id = (to_jsonb(a) ->> 'bound_org_group_id')::integer ORDER BY 2;
SELECT 'doc', id, l, tmac.marking(l), title FROM app.doc ORDER BY id;
SELECT 'object_label', object_type, object_identity, label, marking FROM tmac.object_label ORDER BY 2, 3;
SELECT 'grants', grant_id, person_id, kind, level, compartment, mode, status, requested_by, approved_by, end_reason
  FROM tmac.grants ORDER BY 2;
SELECT 'audit_verify', count(*) FROM tmac.verify_audit_log();
SET ROLE up_alice;
SELECT 'as up_alice', id, l, title FROM app.doc ORDER BY id;
RESET ROLE;
SET ROLE up_dave;
SELECT 'as up_dave (terminated)', count(*) FROM app.doc;
RESET ROLE;
SQL
  snapshot() { psql_q -d "$src" -At -f "$dir/snapshot.sql" 2>&1; }
  snapshot >"$dir/before.txt" 2>&1 || { cat "$dir/before.txt"; fail "$from: snapshot before the upgrade"; }
  # a snapshot without the rows would make the comparison meaningless
  check "$from: the snapshot holds the filled data" counts "$dir/before.txt" \
    -eq 3 '^as up_alice\|'  -eq 6 '^doc\|'  -eq 3 '^object_label\|'  -eq 2 '^grants\|.*\|active\|' \
    -eq 6 '^tmac\.hr_event\|'  -eq 4 '^person_group\|UP[1-4]\|(DEV|SALES)$' \
    -eq 3 '^grant_group\|[0-9]+\|(DEV|SALES)$'  -eq 3 '^settings\|'  -gt 20 '^tmac\.audit_log\|'
  grep -qx 'audit_verify|0' "$dir/before.txt" && grep -q '^tmac.level|.*INTERNAL-USE' "$dir/before.txt" \
    && grep -qx 'as up_dave (terminated)|0' "$dir/before.txt" \
    || { fail "$from: the filled database is not as expected"; cat "$dir/before.txt"; }

  # The package upgrade: the current library with $from's SQL, until ALTER EXTENSION.
  check "$from: the cluster restarts on the current library" tmac_cluster_restart "$newbin"
  snapshot >"$dir/between.txt"
  if diff -u --label "$from" --label "$from's SQL on the current library" "$dir/before.txt" "$dir/between.txt" >"$dir/between.diff"; then
    ok "$from: the current library serves $from's SQL: the same data, the same rows for a person"
  else
    fail "$from: the current library serves $from's SQL"; cat "$dir/between.diff"
  fi
  # A label change there is audited, or refused with a clear message.
  out=$(psql -X -q -A -t -d "$src" -v ON_ERROR_STOP=1 2>&1 <<'SQL'
\set VERBOSITY verbose
BEGIN;
SELECT max(entry_id) AS last FROM tmac.audit_log \gset
SECURITY LABEL FOR tmac ON COLUMN app.doc.id IS 'INTERNAL-USE';
SELECT 'audited', count(*) > 0 FROM tmac.audit_log WHERE entry_id > :last;
ROLLBACK;
SQL
)
  case "$out" in
    *"audited|t"*|*"0A000"*"ALTER EXTENSION tmac UPDATE"*) ok "$from: a label change on $from's SQL is audited or refused (feature_not_supported, run ALTER EXTENSION tmac UPDATE)" ;;
    *) fail "$from: a label change on $from's SQL is audited or refused"; echo "$out" ;;
  esac
  path=$(psql_q -d "$src" -At -c "SELECT path FROM pg_extension_update_paths('tmac') WHERE source = '$from' AND target = '$to'")
  check "$from: an update path to $to ($path)" test -n "$path"

  check "$from: ALTER EXTENSION tmac UPDATE" psql_q -d "$src" -c "ALTER EXTENSION tmac UPDATE"
  check "$from: the extension is at $to" \
    test "$(psql_q -d "$src" -At -c "SELECT extversion FROM pg_extension WHERE extname = 'tmac'")" = "$to"

  snapshot >"$dir/after.txt" 2>&1
  if diff -u --label "$from before" --label "after the upgrade" "$dir/before.txt" "$dir/after.txt" >"$dir/data.diff"; then
    ok "$from: data unchanged by the upgrade (tables, protected rows as a superuser and as a person, grants, audit log)"
  else
    fail "$from: data unchanged by the upgrade"; cat "$dir/data.diff"
  fi
  new_entries=$(psql_q -d "$src" -At -c "SELECT count(*) FROM tmac.audit_log WHERE entry_id > $(grep -c '^tmac.audit_log|' "$dir/before.txt")")
  echo "# the upgrade added $new_entries audit log entries"

  # The upgraded extension keeps working: its API audits and the chain goes on.
  psql_q -d "$src" -At >"$dir/use.txt" 2>&1 <<'SQL'
SELECT tmac.define_compartment('PRJ-C', 'プロジェクトC');
SET ROLE up_bob;
SELECT tmac.request_access('UP1', 'PRJ-B', now() + interval '30 days', 'after the upgrade');
RESET ROLE;
SET ROLE up_carol;
SELECT tmac.approve(max(grant_id)) FROM tmac.grants;
RESET ROLE;
SET ROLE up_alice;
SELECT 'as up_alice', count(*) FROM app.doc;
RESET ROLE;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at) VALUES ('up-7', 'UP3', 'terminate', now());
SELECT 'up_carol after termination', rolcanlogin, pg_has_role('up_carol', 'tmac_approver', 'MEMBER')
  FROM pg_roles WHERE rolname = 'up_carol';
SELECT 'audit_verify', count(*) FROM tmac.verify_audit_log();
SELECT 'vocabulary copy', coalesce((SELECT s.label FROM pg_seclabel s
                                     WHERE s.provider = 'tmac_vocabulary' AND s.objoid = 'tmac'::regnamespace
                                       AND s.classoid = 'pg_namespace'::regclass), '')
                            = tmac.vocabulary_copy_text() AND strpos(tmac.vocabulary_copy_text(), 'PRJ-C') > 0;
SQL
  grep -qx 'as up_alice|5' "$dir/use.txt" && grep -qx 'audit_verify|0' "$dir/use.txt"
  check "$from: after the upgrade the API works, a new grant takes effect, verify_audit_log() finds nothing" test $? -eq 0 \
    || cat "$dir/use.txt"
  # The upgraded database carries the vocabulary copy a plain restore needs, kept in sync.
  check "$from: after the upgrade schema tmac carries the vocabulary copy, following a new compartment" \
    grep -qx 'vocabulary copy|t' "$dir/use.txt"
  # A person mapped to a login role before the upgrade is still cut off at termination.
  check "$from: terminating a person after the upgrade disables the login and strips tmac roles" \
    grep -qx 'up_carol after termination|f|f' "$dir/use.txt"

  # The schema: the upgraded database against a fresh install.  Roles are described
  # before the fresh install, which would create any the upgrade forgot.
  describe() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -f "$top/test/upgrade/describe.sql" >"$2" 2>&1 || { cat "$2"; return 1; }; }
  check "$from: the upgraded schema described" describe "$src" "$dir/upgraded.txt"
  createdb "$fresh"
  psql_q -d "$fresh" -c "CREATE EXTENSION tmac" -c "$user_schema" >/dev/null
  check "$from: a fresh $to install's schema described" describe "$fresh" "$dir/fresh.txt"
  check "$from: the schema description covers functions, tables, policies, comments, privileges" counts "$dir/fresh.txt" \
    -gt 100 '^function tmac\.'  -gt 50 '^column tmac\.'  -ge 5 '^policy app\.doc '  -gt 100 '^comment function ' \
    -gt 50 '^init_privs '  -ge 6 '^role tmac_'  -gt 10 '^shipped_row '
  if diff -u --label "upgraded from $from" --label "fresh $to" "$dir/upgraded.txt" "$dir/fresh.txt" >"$dir/schema.diff"; then
    ok "$from: the upgraded schema equals a fresh $to install"
  else
    fail "$from: the upgraded schema equals a fresh $to install (regenerate with test/upgrade/make_upgrade.sh)"
    cat "$dir/schema.diff"
  fi
  dropdb "$src"; dropdb "$fresh"
  rm -rf "$dir/v$from/src" "$dir/v$from/usr"
done

echo "1..$n"
[ "$bad" -eq 0 ]
