#!/usr/bin/env bash
# onboard_explain_login.sh — a person may name themself to tmac.explain_access by their login role
# (ob_e004) as well as by their person id (OB-E004); another person's login role is still another
# person's.  Access decisions read committed state, so this runs in a database of its own, with
# committed persons, dropped afterwards (run by test/run_tests.sh; PGHOST/PGPORT/PGUSER a superuser).
set -uo pipefail
db=tmac_onboard_explain
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS ob_e004" -c "DROP ROLE IF EXISTS ob_e005" >/dev/null 2>&1
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup
trap cleanup EXIT
createdb "$db" || { echo "not ok - createdb"; exit 1; }
q -d "$db" >/dev/null <<'SQL' || { echo "not ok - setup"; exit 1; }
CREATE EXTENSION tmac;
CREATE ROLE ob_e004 LOGIN;
CREATE ROLE ob_e005 LOGIN;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['ob_e004', 'ob_e005']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('ob-x-1', 'OB-E004', 'hire', now() - interval '1 hour', '{"full_name":"山田 太郎","login_role":"ob_e004"}'),
  ('ob-x-2', 'OB-E005', 'hire', now() - interval '1 hour', '{"full_name":"佐藤 花子","login_role":"ob_e005"}');
SQL
fail=0
own_id=$(q -d "$db" -c "SET ROLE ob_e004" -c "SELECT string_agg(\"check\" || ':' || passed, ',' ORDER BY \"check\") FROM tmac.explain_access('OB-E004', 'INTERNAL')" 2>&1)
own_login=$(q -d "$db" -c "SET ROLE ob_e004" -c "SELECT string_agg(\"check\" || ':' || passed, ',' ORDER BY \"check\") FROM tmac.explain_access('ob_e004', 'INTERNAL')" 2>&1)
other=$(q -d "$db" -c "SET ROLE ob_e005" -c "SELECT count(*) FROM tmac.explain_access('ob_e004', 'INTERNAL')" 2>&1)
if [ -n "$own_id" ] && [ "$own_login" = "$own_id" ]; then
  echo "ok - a person explains their own access by login role as by person id"
else
  echo "not ok - by login role: '$own_login', by person id: '$own_id'"; fail=1
fi
if grep -q 'permission denied to explain the access of person "ob_e004"' <<<"$other"; then
  echo "ok - another person's login role names another person"
else
  echo "not ok - another person asking about ob_e004: $other"; fail=1
fi
exit $fail
