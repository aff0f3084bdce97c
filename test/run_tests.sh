#!/usr/bin/env bash
# run_tests.sh — `make test`: everything from a fresh Debian 12 machine to a verdict.
#
# Installs what is missing, builds a developer build (TMAC_DEV=1: -Werror and
# assertions), installs it into a private copy of PostgreSQL 15, starts a
# throwaway server (test/server.sh: pg_cron and tmac preloaded), then runs
# `make installcheck` (pg_regress: sql/ + expected/; isolation:
# test/isolation), the pgTAP files (test/pgtap) with pg_prove and the scripts
# in test/scripts.  Prints the diffs of any failure, stops the server and exits
# non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

bash test/setup.sh || exit 1
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
export TMAC_DEV=1   # every make below (build, private install, installcheck) builds the same
make -s PG_CONFIG=$PG_CONFIG || { echo "build failed"; exit 1; }

. test/server.sh
work=$(mktemp -d /tmp/tmac-test.XXXXXX)
chmod 755 "$work"
trap 'tmac_server_stop; [ -n "${TMAC_KEEP:-}" ] || rm -rf "$work"' EXIT   # TMAC_KEEP=1 keeps outputs
tmac_private_install "$work/install" || { echo "install failed"; exit 1; }
tmac_server_start "$work/server" "${TMAC_TEST_PORT:-55432}" || exit 1

passed=0; failed=0

# 1-2. pg_regress (sql/, expected/) and the isolation specs (test/isolation)
# through PGXS, as any PostgreSQL developer runs them: `make installcheck`
# against the running server.  One call each, so a regression failure does not
# hide the isolation verdict.  TMAC_REGRESS / TMAC_SPECS (names, or "none"),
# TMAC_PGTAP / TMAC_SCRIPTS (globs) narrow a run while developing.
rm -rf results regression.diffs regression.out output_iso
for suite in regress isolation; do
  if [ $suite = regress ]; then
    only="TMAC_SPECS=none"; out=.
  else
    only="TMAC_REGRESS=none"; out=output_iso
  fi
  n=$(make -s --no-print-directory PG_CONFIG=$PG_CONFIG $only tmac-test-names)
  [ -n "$n" ] || continue
  echo "== $suite"
  if make -s --no-print-directory PG_CONFIG=$PG_CONFIG $only installcheck; then
    passed=$((passed + $(echo "$n" | wc -w)))
  else
    f=$(grep -Ec '^(not ok|test .* FAILED|.* \.\.\. FAILED)' "$out/regression.out" 2>/dev/null); f=${f:-0}; [ "$f" -gt 0 ] || f=1
    failed=$((failed + f)); passed=$((passed + $(echo "$n" | wc -w) - f))
    [ -f "$out/regression.diffs" ] && cat "$out/regression.diffs"
  fi
  [ -z "${TMAC_KEEP:-}" ] || cp -a "$out" "$work/$suite"
done

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
