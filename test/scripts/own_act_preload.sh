#!/usr/bin/env bash
# own_act_preload.sh — acts need tmac preloaded.  tmac counts the SECURITY DEFINER functions
# in progress with a function-manager hook; a library loaded on first use (inside a query,
# perhaps inside a definer) could have missed one, so every act is refused (55000) in such a
# session.  Preloading per session (session_preload_libraries) is enough, and there a definer
# is refused as on the main test server.  Runs its own throwaway server without tmac in
# shared_preload_libraries (a socket in its own directory, no TCP).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/server.sh"
bin=$(dirname "$(command -v pg_ctl)")
dir=$(mktemp -d "${TMAC_TEST_DIR:-/tmp}/own_act_preload.XXXXXX")
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
stop() { tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; }
fail() { echo "FAIL: $*"; stop; exit 1; }

tmac_as_server_user "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log"; exit 1; }
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
lc_messages = 'C'
CONF
tmac_as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null \
  || { cat "$dir/server.log"; exit 1; }
export PGHOST=$dir PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@" 2>&1; }

out=$(q -c "CREATE EXTENSION tmac") || fail "CREATE EXTENSION: $out"

out=$(q -c "SELECT tmac.configure('require_pledge', 'on')")
echo "$out" | grep -q 'cannot change a tmac setting: tmac was not preloaded in this session' \
  || fail "an act in a session that loaded tmac on first use: $out"
echo "ok 1 - an act is refused (55000) where tmac was loaded on first use"

out=$(PGOPTIONS='-c session_preload_libraries=tmac' q -c "SELECT tmac.configure('require_pledge', 'on')")
[ -z "$out" ] || fail "an act where tmac is preloaded per session: $out"
echo "ok 2 - with session_preload_libraries the same act works"

out=$(PGOPTIONS='-c session_preload_libraries=tmac' q \
  -c "CREATE FUNCTION public.relax() RETURNS void LANGUAGE sql SECURITY DEFINER AS \$\$ SELECT tmac.configure('require_pledge', 'off') \$\$" \
  -c "SELECT public.relax()")
echo "$out" | grep -q 'cannot change a tmac setting inside a SECURITY DEFINER function' \
  || fail "an act inside a definer where tmac is preloaded per session: $out"
echo "ok 3 - and inside a SECURITY DEFINER function it is refused there as well"

stop
rm -rf "$dir"
