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

# 3. pgTAP, TMAC_PGTAP_JOBS files at a time (default 2, one a core).  Each worker has a server of
# its own, in whose database tmac_test (cron.database_name) pg_cron runs and setup.psql has run:
# roles are cluster-wide and most files create the same ones (people_fixture.psql's t_alice ...),
# so two files in one cluster would wait on each other's roles or collide.  Worker 1 uses the
# test server; worker k>1 a second one on port PGPORT+5+k (pg_upgrade.sh takes +1..+3, demo.sh
# +6), stopped when the suite ends.  Each file's output is kept; a failing file's is printed.
pgtap=$(set -f; for g in ${TMAC_PGTAP:-*}; do set +f; ls test/pgtap/$g.sql 2>/dev/null; set -f; done | sort -u)
if [ -n "$pgtap" ]; then
  echo "== pgTAP"
  jobs=${TMAC_PGTAP_JOBS:-2}
  n=$(echo "$pgtap" | wc -w); [ "$jobs" -le "$n" ] || jobs=$n
  mkdir -p "$work/pgtap"; echo "$pgtap" >"$work/pgtap/queue"
  pgtap_servers=("$PGHOST $PGPORT")
  for k in $(seq 2 "$jobs"); do
    (tmac_server_start "$work/server$k" $((PGPORT + 5 + k))) && pgtap_servers+=("$work/server$k $((PGPORT + 5 + k))")
  done
  pgtap_stop() {
    for k in $(seq 2 "$jobs"); do
      [ -d "$work/server$k/data" ] && tmac_as_server_user "$PGBIN/pg_ctl" -D "$work/server$k/data" -m immediate -w stop >/dev/null 2>&1
    done
  }
  trap 'pgtap_stop; tmac_server_stop; [ -n "${TMAC_KEEP:-}" ] || rm -rf "$work"' EXIT
  pgtap_next() {   # the next file of the queue, taken under a lock
    flock "$work/pgtap/lock" sh -c 'f=$(head -n 1 "$1") && [ -n "$f" ] && sed -i 1d "$1" && echo "$f"' - "$work/pgtap/queue"
  }
  pgtap_worker() {   # $1 socket directory, $2 port: set the database up, then take files until none is left
    local f out t0
    PGHOST=$1 PGPORT=$2 createdb tmac_test &&
      PGHOST=$1 PGPORT=$2 psql -X -q -d tmac_test -v ON_ERROR_STOP=1 -f test/pgtap/setup.psql \
      || { echo "setup failed: pgTAP database on port $2"; return; }
    while f=$(pgtap_next); do
      out=$work/pgtap/$(basename "$f" .sql).out; t0=$SECONDS
      if PGHOST=$1 PGPORT=$2 pg_prove --ext .sql -d tmac_test "$f" >"$out" 2>&1; then
        echo "ok - $f ($((SECONDS - t0)) s)"
      else
        echo "not ok - $f ($((SECONDS - t0)) s)"
      fi
    done
  }
  for s in "${pgtap_servers[@]}"; do pgtap_worker $s & done | tee "$work/pgtap/verdicts"
  wait
  pgtap_stop
  p=$(grep -c '^ok - ' "$work/pgtap/verdicts"); f=$(grep -c '^not ok - ' "$work/pgtap/verdicts")
  left=$((n - p - f))   # files no worker took (every worker's setup failed)
  [ "$left" -eq 0 ] || echo "not ok - $left pgTAP files not run"
  f=$((f + left + $(grep -c '^setup failed' "$work/pgtap/verdicts")))
  passed=$((passed + p)); failed=$((failed + f))
  for t in $(sed -n 's/^not ok - \(test\/[^ ]*\).*/\1/p' "$work/pgtap/verdicts"); do
    echo "---- $t"; cat "$work/pgtap/$(basename "$t" .sql).out"
  done
fi

# 4. shell-driven tests (dump/restore, sessions ended after commit, ...)
# Some (readme_ledgers, registers_readme) use the pgTAP database of the test server: made here when
# TMAC_PGTAP left it out.
scripts=$(set -f; for g in ${TMAC_SCRIPTS:-*}; do set +f; ls test/scripts/$g.sh 2>/dev/null; set -f; done | sort -u)
if [ -n "$scripts" ] && ! psql -X -d tmac_test -c '' >/dev/null 2>&1; then
  createdb tmac_test && psql -X -q -d tmac_test -v ON_ERROR_STOP=1 -f test/pgtap/setup.psql || failed=$((failed + 1))
fi
for t in $scripts; do
  [ -e "$t" ] || continue
  echo "== $t"
  if TMAC_TEST_DIR=$work bash "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $t"; fi
done

echo
echo "tmac: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
