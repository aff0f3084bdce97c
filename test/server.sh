#!/usr/bin/env bash
# server.sh — start and stop a throwaway PostgreSQL 15 for tests, the demo and benchmarks.
#
# Usage: source test/server.sh; tmac_server_start DIR [PORT]; ...; tmac_server_stop
# (TMAC_SERVER_EXTRA_CONF adds settings to the cluster's postgresql.conf)
# The cluster lives in DIR (socket there too).  initdb refuses root, so as root
# the server runs as the "postgres" system user.  Exports PGHOST, PGPORT, PGUSER.

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# Install tmac into a private copy of the PostgreSQL 15 installation under DIR
# (PostgreSQL finds its share and lib directories relative to its binaries),
# so that test runs never depend on, or disturb, what is installed system-wide.
tmac_private_install() {
  local dir=$1 top; top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  mkdir -p "$dir/usr/lib/postgresql" "$dir/usr/share/postgresql"
  cp -a /usr/lib/postgresql/15 "$dir/usr/lib/postgresql/"
  cp -a /usr/share/postgresql/15 "$dir/usr/share/postgresql/"
  # PostgreSQL's own catalogs beside tmac's (the server finds them relative to its binary)
  local mo; for mo in /usr/share/locale/*/LC_MESSAGES/postgres-15.mo; do
    [ -e "$mo" ] || continue
    mkdir -p "$dir${mo%/*}" && cp "$mo" "$dir$mo"
  done
  make -s -C "$top" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config DESTDIR="$dir" install >/dev/null || return 1
  PGBIN=$dir/usr/lib/postgresql/15/bin
  export PATH=$PGBIN:$PATH
}

tmac_as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# tmac_initdb BIN DIR [INITDB-ARGS]: a new cluster in DIR/data (superuser postgres, trust), made
# by the server user with the initdb of BIN; prints initdb's log when it fails.
tmac_initdb() {
  local bin=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  tmac_as_server_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust "$@" >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log"; return 1; }
}

# tmac_pg_start BIN DIR: starts the cluster in DIR/data with the pg_ctl of BIN (log in
# DIR/server.log), printing the log when it does not come up; tmac_pg_stop BIN DIR [MODE]
# stops it (immediate unless MODE says otherwise) and says nothing.
tmac_pg_start() {
  tmac_as_server_user "$1/pg_ctl" -D "$2/data" -l "$2/server.log" -w start >/dev/null || { cat "$2/server.log"; return 1; }
}
tmac_pg_stop() {
  tmac_as_server_user "$1/pg_ctl" -D "$2/data" -m "${3:-immediate}" -w stop >/dev/null 2>&1 || true
}

# tmac_cluster_up BIN DIR PORT [INITDB-ARGS]: a new cluster in DIR (UTF8, C.UTF-8, its socket in
# DIR, port PORT) with the postgresql.conf lines on stdin, started with the binaries of BIN;
# exports PGHOST, PGPORT and PGUSER (postgres) for it.
tmac_cluster_up() {
  local bin=$1 dir=$2 port=$3
  shift 3
  tmac_initdb "$bin" "$dir" --encoding=UTF8 --locale=C.UTF-8 "$@" || return 1
  { cat; echo "unix_socket_directories = '$dir'"; echo "port = $port"; } >>"$dir/data/postgresql.conf"
  tmac_pg_start "$bin" "$dir" || return 1
  export PGHOST=$dir PGPORT=$port PGUSER=postgres
}

# the settings of test/test.conf, then TMAC_SERVER_EXTRA_CONF: more, one per line (a benchmark's
# shared_buffers)
tmac_server_start() {
  TMAC_SERVER_DIR=$1
  export PGPORT=${2:-55432}
  local here; here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  tmac_cluster_up "$PGBIN" "$TMAC_SERVER_DIR" "$PGPORT" \
    < <(cat "$here/test.conf"; [ -z "${TMAC_SERVER_EXTRA_CONF:-}" ] || printf '%s\n' "$TMAC_SERVER_EXTRA_CONF")
}

tmac_server_stop() {
  [ -n "${TMAC_SERVER_DIR:-}" ] || return 0
  tmac_pg_stop "$PGBIN" "$TMAC_SERVER_DIR"
}

# Start a streaming hot standby of the running server (PGHOST/PGPORT) in DIR,
# listening on PORT (socket in DIR): pg_basebackup -R copies the cluster and
# writes primary_conninfo; the copied configuration (test.conf included) is
# kept, only the socket directory and port change.  The primary needs
# wal_level replica, max_wal_senders > 0 and a "local replication" pg_hba
# line: the defaults of initdb --auth=trust.  Stop it with
# tmac_standby_stop DIR.
tmac_standby_start() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  tmac_as_server_user "$PGBIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U postgres -D "$dir/data" \
      -R -X stream -c fast >"$dir/basebackup.log" 2>&1 \
    || { cat "$dir/basebackup.log"; return 1; }
  { echo "unix_socket_directories = '$dir'"; echo "port = $port"; } \
    | tmac_as_server_user tee -a "$dir/data/postgresql.conf" >/dev/null
  tmac_pg_start "$PGBIN" "$dir"
}

tmac_standby_stop() {
  [ -d "$1/data" ] || return 0
  tmac_pg_stop "$PGBIN" "$1"
}

# A scratch cluster of a test script's own, for what the shared server cannot show (restarts,
# other shared_preload_libraries, sizes of shared memory): initdb in a new directory under
# $TMAC_TEST_DIR, a socket there and no TCP (port 5432), fsync off, C messages, plus the
# postgresql.conf lines given on stdin.  Sets $dir (the directory) and $bin (the server's bin);
# the caller starts it (pg_ctl -D "$dir/data" as tmac_as_server_user).
tmac_scratch_cluster() {
  bin=$(dirname "$(command -v pg_ctl)")
  dir=$(mktemp -d "${TMAC_TEST_DIR:-/tmp}/$1.XXXXXX")
  chmod 755 "$dir"
  tmac_initdb "$bin" "$dir" || return 1
  { printf "listen_addresses = ''\nunix_socket_directories = '%s'\nport = 5432\nfsync = off\nlc_messages = 'C'\n" "$dir"
    cat; } >>"$dir/data/postgresql.conf"
}

# ---- Citus: a coordinator and two workers on 127.0.0.1 (test/scripts/citus_*.sh) ----
#
# Citus is not in Debian's packages; its source and build script are kept outside the project,
# in ../shared/vendor/ beside the project root (in a CI clone, /work/ciN/../shared; in a git
# worktree, beside the main checkout the worktree belongs to; TMAC_VENDOR_DIR overrides).

# The directory holding build-citus.sh, or nothing.
tmac_citus_vendor() {
  local top common d; top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  common=$(git -C "$top" rev-parse --path-format=absolute --git-common-dir 2>/dev/null)
  for d in ${TMAC_VENDOR_DIR:-} "$top/../shared/vendor" ${common:+"$common/../../shared/vendor"}; do
    [ -f "$d/build-citus.sh" ] && { (cd "$d" && pwd); return 0; }
  done
  return 1
}

# Citus installed for PostgreSQL 15 (built from the vendor directory when missing) and copied
# into the private installation whose pg_ctl is first on PATH.  Returns 2 after printing a
# "SKIP: NAME: why" line when Citus is missing and the vendor directory is absent, 1 when the
# build fails.
tmac_citus_ensure() {
  local name=$1 sys=/usr/lib/postgresql/15/bin/pg_config vendor bin lib share
  if [ ! -f "$($sys --pkglibdir)/citus.so" ] || [ ! -f "$($sys --sharedir)/extension/citus.control" ]; then
    if ! vendor=$(tmac_citus_vendor); then
      echo "SKIP: $name: Citus is not installed and ../shared/vendor/build-citus.sh is absent (looked beside $(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) and its main checkout): the Citus tests need it"
      return 2
    fi
    echo "# building Citus once for this machine ($vendor/build-citus.sh, about 9 minutes)"
    bash "$vendor/build-citus.sh" || { echo "building Citus failed"; return 1; }
  fi
  bin=$(dirname "$(command -v pg_ctl)")
  lib=$("$bin/pg_config" --pkglibdir); share=$("$bin/pg_config" --sharedir)
  if [ ! -f "$lib/citus.so" ]; then
    cp -a "$($sys --pkglibdir)"/citus*.so "$lib/" && cp -a "$($sys --sharedir)"/extension/citus* "$share/extension/" \
      || { echo "copying Citus into the private installation failed"; return 1; }
  fi
}

# A port nobody listens on (and no other node of this run took), at random in
# TMAC_CITUS_PORT_MIN..TMAC_CITUS_PORT_MAX (default 20000..32000).
tmac_free_port() {
  # Below the kernel's ephemeral range (32768-60999 on Debian): a port in that range can be taken
  # by any outgoing connection (Citus opens many) between this check and the server's bind.
  local lo=${TMAC_CITUS_PORT_MIN:-20000} hi=${TMAC_CITUS_PORT_MAX:-32000} p i
  for i in $(seq 200); do
    p=$((lo + RANDOM % (hi - lo + 1)))
    case " ${TMAC_CITUS_PORTS[*]:-} " in *" $p "*) continue ;; esac
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    [ -e "/tmp/.s.PGSQL.$p" ] && continue
    echo "$p"; return 0
  done
  return 1
}

# tmac_citus_cluster_start DIR DB: initdb three nodes under DIR (node0 the coordinator), each
# listening on 127.0.0.1 at a free port (TMAC_CITUS_PORTS, coordinator first; socket in its
# directory), shared_preload_libraries = 'citus,tmac' (Citus must come first), then creates
# database DB and the extension citus on each and adds the workers to the coordinator.
# Extra postgresql.conf lines on stdin.  Stop with tmac_citus_cluster_stop DIR.
tmac_citus_cluster_start() {
  local dir=$1 db=$2 bin i p conf
  bin=$(dirname "$(command -v pg_ctl)")
  conf=$(cat)
  TMAC_CITUS_PORTS=()
  mkdir -p "$dir"; chmod 755 "$dir"
  for i in 0 1 2; do
    mkdir -p "$dir/node$i"; chmod 755 "$dir/node$i"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/node$i"
    tmac_as_server_user "$bin/initdb" -D "$dir/node$i/data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/node$i/initdb.log" 2>&1 \
      || { cat "$dir/node$i/initdb.log"; return 1; }
    { printf "listen_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$dir/node$i"
      printf "shared_preload_libraries = 'citus,tmac'\nfsync = off\nsynchronous_commit = off\n"
      printf "full_page_writes = off\nlc_messages = 'C'\ntimezone = 'UTC'\nmax_connections = 60\n"
      printf "max_prepared_transactions = 30\nmax_worker_processes = 16\nlog_min_messages = warning\n"
      printf "tmac.access_stats = off\ncitus.log_remote_commands = off\n%s\n" "$conf"
    } >>"$dir/node$i/data/postgresql.conf"
    # A port found free can still be taken before the bind: try another one a few times.
    local try started=
    for try in 1 2 3 4 5; do
      p=$(tmac_free_port) || { echo "no free port"; return 1; }
      echo "port = $p" >>"$dir/node$i/data/postgresql.conf"   # the last line of a setting wins
      if tmac_as_server_user "$bin/pg_ctl" -D "$dir/node$i/data" -l "$dir/node$i/server.log" \
           -w start >/dev/null; then started=1; break; fi
      grep -q 'Address already in use' "$dir/node$i/server.log" || break
    done
    [ -n "$started" ] || { cat "$dir/node$i/server.log"; return 1; }
    TMAC_CITUS_PORTS+=("$p")
  done
  for i in 0 1 2; do
    psql -X -q -h 127.0.0.1 -p "${TMAC_CITUS_PORTS[$i]}" -U postgres -d postgres -v ON_ERROR_STOP=1 \
      -c "CREATE DATABASE $db" >/dev/null || return 1
    psql -X -q -h 127.0.0.1 -p "${TMAC_CITUS_PORTS[$i]}" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
      -c "CREATE EXTENSION citus" >/dev/null || return 1
  done
  psql -X -q -At -h 127.0.0.1 -p "${TMAC_CITUS_PORTS[0]}" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
    -c "SELECT citus_set_coordinator_host('127.0.0.1', ${TMAC_CITUS_PORTS[0]})" \
    -c "SELECT citus_add_node('127.0.0.1', ${TMAC_CITUS_PORTS[1]})" \
    -c "SELECT citus_add_node('127.0.0.1', ${TMAC_CITUS_PORTS[2]})" >/dev/null || return 1
}

tmac_citus_cluster_stop() {
  local bin i; bin=$(dirname "$(command -v pg_ctl)")
  for i in 0 1 2; do
    [ -d "$1/node$i/data" ] && tmac_as_server_user "$bin/pg_ctl" -D "$1/node$i/data" -m immediate -w stop >/dev/null 2>&1
  done
  return 0
}
