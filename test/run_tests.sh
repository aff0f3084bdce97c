#!/usr/bin/env bash
# run_tests.sh — `make test`: everything from a fresh Debian 12 machine to a verdict.
#
# Installs what is missing, builds warning-free, installs the extension, starts
# a throwaway PostgreSQL 15 (pg_cron and tmac preloaded), then runs the
# pg_regress suite (sql/ + expected/), the isolation specs (test/isolation) and
# the pgTAP files (test/pgtap) with pg_prove.  Prints the diffs of any failure,
# stops the server and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

bash test/setup.sh || exit 1
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
make -s PG_CONFIG=$PG_CONFIG || { echo "build failed"; exit 1; }

. test/server.sh
work=$(mktemp -d /tmp/tmac-test.XXXXXX)
chmod 755 "$work"
trap 'tmac_server_stop; [ -n "${TMAC_KEEP:-}" ] || rm -rf "$work"' EXIT   # TMAC_KEEP=1 keeps outputs
tmac_private_install "$work/install" || { echo "install failed"; exit 1; }
tmac_server_start "$work/server" "${TMAC_TEST_PORT:-55432}" || exit 1

pgxs=$work/install/usr/lib/postgresql/15/lib/pgxs/src/test
passed=0; failed=0

# 1. pg_regress: every sql/*.sql that is not an install script, tmac_setup first
regress="tmac_setup $(ls sql/*.sql | xargs -n1 basename | grep -v -- '--' | sed 's/\.sql$//' | grep -vx tmac_setup | sort)"
# TMAC_REGRESS / TMAC_SPECS / TMAC_PGTAP (globs) / TMAC_SCRIPTS narrow a run while developing
[ -n "${TMAC_REGRESS:-}" ] && regress="tmac_setup $TMAC_REGRESS"
echo "== pg_regress"
createdb tmac_regress
if "$pgxs/regress/pg_regress" --use-existing --host="$PGHOST" --port="$PGPORT" --user=postgres \
     --inputdir=. --outputdir="$work/regress" --dbname=tmac_regress $regress; then
  passed=$((passed + $(echo "$regress" | wc -w)))
else
  f=$(grep -c 'FAILED' "$work/regress/regression.out" 2>/dev/null); f=${f:-1}; [ "$f" -gt 0 ] || f=1
  failed=$((failed + f)); passed=$((passed + $(echo "$regress" | wc -w) - f))
  [ -f "$work/regress/regression.diffs" ] && cat "$work/regress/regression.diffs"
fi

# 2. isolation specs
specs=$(ls test/isolation/specs/*.spec 2>/dev/null | xargs -rn1 basename | sed 's/\.spec$//' | sort)
[ -n "${TMAC_SPECS:-}" ] && specs=$TMAC_SPECS
if [ -n "$specs" ]; then
  echo "== isolation"
  createdb tmac_isolation
  psql -X -q -d tmac_isolation -c "CREATE EXTENSION tmac" -c "ALTER DATABASE tmac_isolation SET search_path = public, tmac" || failed=$((failed + 1))
  if "$pgxs/isolation/pg_isolation_regress" --use-existing --host="$PGHOST" --port="$PGPORT" --user=postgres \
       --inputdir=test/isolation --outputdir="$work/isolation" --dbname=tmac_isolation $specs; then
    passed=$((passed + $(echo "$specs" | wc -w)))
  else
    failed=$((failed + 1))
    [ -f "$work/isolation/regression.diffs" ] && cat "$work/isolation/regression.diffs"
  fi
fi

# 3. pgTAP, in the database where pg_cron runs
pgtap=$(ls test/pgtap/${TMAC_PGTAP:-*}.sql 2>/dev/null)
if [ -n "$pgtap" ]; then
  echo "== pgTAP"
  createdb tmac_test
  psql -X -q -d tmac_test -v ON_ERROR_STOP=1 -f test/pgtap/setup.psql || failed=$((failed + 1))
  if pg_prove --ext .sql -d tmac_test $pgtap; then
    passed=$((passed + $(echo "$pgtap" | wc -w)))
  else
    failed=$((failed + 1))
  fi
fi

# 4. shell-driven tests (dump/restore, sessions ended after commit, ...)
for t in test/scripts/${TMAC_SCRIPTS:-*}.sh; do
  [ -e "$t" ] || continue
  echo "== $t"
  if TMAC_TEST_DIR=$work bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $t"; fi
done

echo
echo "tmac: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
