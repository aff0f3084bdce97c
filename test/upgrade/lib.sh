#!/usr/bin/env bash
# lib.sh — shared by test/scripts/upgrade.sh and test/upgrade/make_upgrade.sh.
#
# tmac_old_install_script VERSION DEST: builds the install script of a released
#   version from its git tag (vVERSION) and copies it to DEST (a share/extension
#   directory).  Only the SQL: the C library is the current one.
# tmac_old_install VERSION DIR: builds a released version (SQL and library) from
#   its tag and installs it into a private copy of PostgreSQL 15 under DIR, as the
#   package of that version would be; prints the copy's bin directory.
# tmac_check_c_symbols SQLFILE SOFILE: every C function an install or upgrade
#   script binds to (AS 'MODULE_PATHNAME', 'symbol') must still be exported by the
#   library, or databases still at that version break when the library is upgraded.
# tmac_cluster_start DIR [BIN]: a private throwaway cluster (socket in DIR, port
#   $PGPORT, tmac preloaded, nothing else), so roles and databases start from
#   nothing; run by the PostgreSQL binaries in BIN (default: pg_ctl's on PATH).
# tmac_cluster_restart BIN: stops it and starts it again with the binaries (and so
#   the tmac library) in BIN, as after a package upgrade.

tmac_upgrade_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$tmac_upgrade_top/test/server.sh"   # tmac_as_server_user, tmac_initdb, tmac_pg_start, tmac_pg_stop

# tmac_release_ref VERSION: the git object a released version is built from: its tag
# vVERSION, or the commit test/upgrade/releases records (a clone without tags).
tmac_release_ref() {
  local version=$1 sha
  if git -C "$tmac_upgrade_top" rev-parse -q --verify "refs/tags/v$version" >/dev/null; then
    echo "v$version"; return 0
  fi
  sha=$(awk -v v="$version" '$1 == v { print $2 }' "$tmac_upgrade_top/test/upgrade/releases")
  if [ -n "$sha" ] && git -C "$tmac_upgrade_top" cat-file -e "$sha^{commit}" 2>/dev/null; then
    echo "$sha"; return 0
  fi
  echo "release $version: neither tag v$version nor commit ${sha:-?} is in this clone" >&2
  return 1
}

tmac_old_install_script() {
  local version=$1 dest=$2 src ref
  ref=$(tmac_release_ref "$version") || return 1
  src=$(mktemp -d /tmp/tmac-v$version.XXXXXX)
  git -C "$tmac_upgrade_top" archive "$ref" | tar -x -C "$src" || { rm -rf "$src"; return 1; }
  make -s -C "$src" PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" \
       "sql/tmac--$version.sql" >/dev/null || { rm -rf "$src"; return 1; }
  install -m 644 "$src/sql/tmac--$version.sql" "$dest/tmac--$version.sql" || { rm -rf "$src"; return 1; }
  rm -rf "$src"
}

tmac_old_install() {
  local version=$1 dir=$2 src ref
  ref=$(tmac_release_ref "$version") || return 1
  src=$dir/src
  mkdir -p "$src" "$dir/usr/lib/postgresql" "$dir/usr/share/postgresql"
  git -C "$tmac_upgrade_top" archive "$ref" | tar -x -C "$src" || return 1
  cp -a /usr/lib/postgresql/15 "$dir/usr/lib/postgresql/" && cp -a /usr/share/postgresql/15 "$dir/usr/share/postgresql/" || return 1
  make -s -C "$src" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >"$dir/build.log" 2>&1 \
    && make -s -C "$src" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config DESTDIR="$dir" install >>"$dir/build.log" 2>&1 \
    || { cat "$dir/build.log" >&2; return 1; }
  echo "$dir/usr/lib/postgresql/15/bin"
}

tmac_check_c_symbols() {
  local sql=$1 so=$2 exported sym missing=0 bare
  exported=$(nm -D --defined-only "$so" | awk '{print $3}') || return 1
  # AS 'MODULE_PATHNAME' without a symbol would bind to the SQL name: not used by tmac
  bare=$(tr '\n' ' ' < "$sql" | grep -oE "'MODULE_PATHNAME'[[:space:]]*[^,[:space:]]" | head -1)
  [ -z "$bare" ] || { echo "$sql: AS 'MODULE_PATHNAME' without a symbol name" >&2; return 1; }
  for sym in $(tr '\n' ' ' < "$sql" | grep -oE "'MODULE_PATHNAME'[[:space:]]*,[[:space:]]*'[A-Za-z_0-9]+'" \
               | grep -oE "'[A-Za-z_0-9]+'$" | tr -d "'" | sort -u); do
    for s in "$sym" "pg_finfo_$sym"; do
      grep -qxF "$s" <<<"$exported" || { echo "$(basename "$sql") binds to C symbol $s, which $(basename "$so") no longer exports" >&2; missing=1; }
    done
  done
  return $missing
}

tmac_cluster_start() {
  TMAC_CLUSTER_DIR=$1
  TMAC_CLUSTER_BIN=${2:-$(dirname "$(command -v pg_ctl)")}
  tmac_cluster_up "$TMAC_CLUSTER_BIN" "$TMAC_CLUSTER_DIR" "$PGPORT" <<CONF
shared_preload_libraries = 'tmac'
fsync = off
synchronous_commit = off
full_page_writes = off
listen_addresses = ''
lc_messages = 'C'
timezone = 'UTC'
CONF
}

tmac_cluster_stop() {
  [ -n "${TMAC_CLUSTER_DIR:-}" ] || return 0
  tmac_pg_stop "$TMAC_CLUSTER_BIN" "$TMAC_CLUSTER_DIR"
}

tmac_cluster_restart() {
  tmac_as_server_user "$TMAC_CLUSTER_BIN/pg_ctl" -D "$TMAC_CLUSTER_DIR/data" -m fast -w stop >/dev/null || return 1
  TMAC_CLUSTER_BIN=$1
  tmac_pg_start "$TMAC_CLUSTER_BIN" "$TMAC_CLUSTER_DIR"
}
