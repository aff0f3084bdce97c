#!/usr/bin/env bash
# c_queries.sh — every query tmac's C code runs goes through the one place that pins
# search_path (pg_catalog, pg_temp), switches to a fixed role and checks the result types:
# src/owner_query.c (as tmac's owner; or, for a company's registered check, as the check
# function's owner, read-only and restricted).  Any other file that calls SPI to run a query
# fails this test; the runtime attacks on it are test/pgtap/security_vocabulary.sql,
# security_hijack.sql and compliance_check_runner.sql.
set -uo pipefail
cd "$(dirname "$0")/../.."
allowed='src/owner_query.c'
bad=$(grep -lE '\bSPI_(exec|execute|execute_with_args|execute_plan|execute_snapshot|prepare|cursor_open|cursor_parse_open)' src/*.c |
      grep -vxF -f <(printf '%s\n' $allowed))
if [ -z "$bad" ]; then
  echo "ok 1 - only src/owner_query.c runs queries through SPI"
else
  echo "not ok 1 - SPI queries outside src/owner_query.c: $bad"; exit 1
fi
for f in $allowed; do
  if grep -q '"search_path", "pg_catalog, pg_temp"' "$f" && grep -q 'SetUserIdAndSecContext' "$f"; then
    echo "ok - $f pins search_path to pg_catalog, pg_temp and switches the user"
  else
    echo "not ok - $f does not pin search_path and switch the user"; exit 1
  fi
done
