#!/usr/bin/env bash
# restore.sh — restore a pg_dump -Fc archive of a database that uses tmac (README: Backup and restore).
#
# Usage: bash test/restore.sh DUMPFILE DBNAME   (DBNAME must exist and be empty; connection
# settings from the usual PG* variables; run as a superuser).  Also sourced by the
# dump/restore tests, which call tmac_restore.
#
# Pass 1 restores the extension and tmac's own data, in dependency order, with
# tmac.restore = on so that restored rows are loaded as history (no HR event is
# applied again, no audit entry is added).  Pass 2 restores everything else —
# your schemas, tables, labels and policies — and tmac.protected_table, whose
# rows name your tables, also in restore mode (restored labels and protections
# are not new changes to audit).  One pass cannot work: pg_dump orders table data by
# schema name, so your labelled rows would arrive before tmac's vocabulary.

tmac_restore() {
  local dump=$1 db=$2 dir
  dir=$(mktemp -d)
  pg_restore -l "$dump" >"$dir/all.toc" || return 1
  local entry='^[0-9]+; [0-9]+ [0-9]+ '
  {
    grep -E "$entry(SCHEMA - tmac|COMMENT - SCHEMA tmac|EXTENSION - tmac|COMMENT - EXTENSION tmac) " "$dir/all.toc"
    grep -E "${entry}SEQUENCE SET tmac " "$dir/all.toc"
    for t in level compartment org_group setting person pledge training_completion hr_event access_grant; do
      grep -E "${entry}TABLE DATA tmac $t " "$dir/all.toc"
    done
    grep -E "${entry}TABLE DATA tmac " "$dir/all.toc" |
      grep -vE " TABLE DATA tmac (level|compartment|org_group|setting|person|pledge|training_completion|hr_event|access_grant|protected_table|audit_head|audit_log) "
    grep -E "${entry}TABLE DATA tmac (audit_head|audit_log) " "$dir/all.toc"
  } >"$dir/first.toc"
  grep -vxF -f "$dir/first.toc" "$dir/all.toc" >"$dir/rest.toc"
  PGOPTIONS="${PGOPTIONS:-} -c tmac.restore=on" \
    pg_restore --exit-on-error -d "$db" -L "$dir/first.toc" "$dump" || return 1
  # restore mode here too: restored object labels and protected tables are history, not new changes
  PGOPTIONS="${PGOPTIONS:-} -c tmac.restore=on" \
    pg_restore --exit-on-error -d "$db" -L "$dir/rest.toc" "$dump" || return 1
  rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  [ $# -eq 2 ] || { echo "usage: $0 DUMPFILE DBNAME" >&2; exit 2; }
  tmac_restore "$1" "$2"
fi
