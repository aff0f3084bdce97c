#!/usr/bin/env bash
# make_upgrade.sh — regenerate sql/tmac--FROM--TO.sql (a developer tool; make test does not run it).
#
# Usage: bash test/upgrade/make_upgrade.sh [FROM]      (FROM defaults to 0.1.0, TO is tmac.control's)
#
# Builds the current tree into a private PostgreSQL 15 install, adds the install
# script of FROM built from its git tag, starts a throwaway cluster (port
# $TMAC_UPGRADE_PORT, default 55490, socket in a temporary directory), installs FROM
# in one database and TO in another (tmac's roles are noted after each), and has
# gen_upgrade.py write the upgrade script from their catalogs plus the hand-written parts
# sql/upgrade/FROM--TO.pre.sql, .post.sql and .final.sql.  Then it upgrades a third database
# with the new script and prints how its schema (describe.sql) still differs from
# the fresh install: nothing, when the script is complete.  What the generator
# cannot write is listed at the top of the script; add it to the hand-written parts
# and run this again.  TMAC_KEEP=1 keeps the cluster's directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
top=$(pwd)
from=${1:-0.1.0}
to=$(sed -n "s/^default_version = '\(.*\)'/\1/p" tmac.control)
script=sql/tmac--$from--$to.sql
export PGPORT=${TMAC_UPGRADE_PORT:-55490}

bash test/setup.sh >/dev/null
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
. test/server.sh
. test/upgrade/lib.sh
work=$(mktemp -d /tmp/tmac-make-upgrade.XXXXXX)
chmod 755 "$work"
trap 'tmac_cluster_stop; [ -n "${TMAC_KEEP:-}" ] || rm -rf "$work"' EXIT
tmac_private_install "$work/install"
ext=$("$PGBIN/pg_config" --sharedir)/extension
tmac_old_install_script "$from" "$ext"
tmac_check_c_symbols "$ext/tmac--$from.sql" "$("$PGBIN/pg_config" --pkglibdir)/tmac.so" \
  || echo "WARNING: keep those symbols in the library (as stubs raising feature_not_supported)" >&2
tmac_cluster_start "$work/cluster"

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
roles() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$1" -f test/upgrade/roles.sql > "$2"; }
createdb up_old; psql_q -d up_old -c "CREATE EXTENSION tmac VERSION '$from'"; roles up_old "$work/roles_old.json"
createdb up_new; psql_q -d up_new -c "CREATE EXTENSION tmac"; roles up_new "$work/roles_new.json"

python3 test/upgrade/gen_upgrade.py up_old up_new "$from" "$to" "$work/roles_old.json" "$work/roles_new.json" > "$work/upgrade.sql"
cp "$work/upgrade.sql" "$script"
install -m 644 "$script" "$ext/"
echo "wrote $script ($(wc -l < "$script") lines)"

createdb up_upg; psql_q -d up_upg -c "CREATE EXTENSION tmac VERSION '$from'"
psql_q -d up_upg -c "ALTER EXTENSION tmac UPDATE TO '$to'"
psql -X -A -t -q -v ON_ERROR_STOP=1 -d up_upg -f test/upgrade/describe.sql > "$work/upgraded.txt"
psql -X -A -t -q -v ON_ERROR_STOP=1 -d up_new -f test/upgrade/describe.sql > "$work/fresh.txt"
if diff -u --label "upgraded from $from" --label "fresh $to" "$work/upgraded.txt" "$work/fresh.txt"; then
  echo "the upgraded schema equals a fresh $to install; now run TMAC_SCRIPTS=upgrade make test, which"
  echo "also checks the data and tmac's roles (this cluster shares roles between its databases)"
else
  echo "the upgraded schema still differs (lines above); add what is missing to sql/upgrade/$from--$to.{pre,post,final}.sql" >&2
  exit 1
fi
