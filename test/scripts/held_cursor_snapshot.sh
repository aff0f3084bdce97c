#!/usr/bin/env bash
# held_cursor_snapshot.sh — a query tmac runs outside any statement's snapshot leaves none
# behind: FETCH from a WITH HOLD cursor reads the cursor's stored rows with no active snapshot,
# and printing their labels loads the vocabulary through an internal query (owner_query.c).
# That query used to leave its snapshot on the stack ("WARNING: snapshot ... still active" at
# the FETCH's commit; found by an insider review).
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).
set -uo pipefail
db=tmac_held_cursor
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  psql -X -q -d postgres -c "DROP ROLE IF EXISTS hc_adm" >/dev/null 2>&1
}
cleanup
createdb "$db" || { echo "not ok 1 - createdb"; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || { echo "not ok 1 - setup"; cleanup; exit 1; }
CREATE EXTENSION tmac;
CREATE ROLE hc_adm LOGIN IN ROLE tmac_admin;
CREATE TABLE public.doc (id int, label tmac.label NOT NULL);
INSERT INTO public.doc VALUES (1, 'PUBLIC'), (2, 'INTERNAL');
GRANT SELECT ON public.doc TO hc_adm;
SELECT tmac.protect('public.doc');
SQL
out=$(psql -X -At -v ON_ERROR_STOP=1 -U hc_adm -d "$db" 2>&1 <<'SQL'
BEGIN; DECLARE c CURSOR WITH HOLD FOR SELECT id, label FROM public.doc ORDER BY id; COMMIT;
FETCH ALL FROM c;
SELECT tmac.configure('hr_event_mode', 'strict');
FETCH FIRST FROM c;
SQL
)
rc=$?
cleanup
case "$out" in
  *"still active"*|*WARNING*) echo "not ok 1 - FETCH from a held cursor left a snapshot: $out"; exit 1 ;;
esac
[ "$rc" = 0 ] && [ "$(printf '%s\n' "$out" | grep -c '^1|PUBLIC$')" = 2 ] \
  || { echo "not ok 1 - FETCH from a held cursor: $out"; exit 1; }
echo "ok 1 - FETCH from a held cursor over a protected table prints its labels and leaves no snapshot behind"
echo "1..1"
