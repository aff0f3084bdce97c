#!/usr/bin/env bash
# auditlock_prepare.sh — a transaction that appended to the audit log cannot be prepared
# (src/audit_chain.c): its entries are chained when it commits, and a prepared transaction
# would hold the chain's lock until COMMIT PREPARED, making every other commit that appended
# wait, which is what chaining at commit removes.  The refused PREPARE leaves nothing behind
# and the chain verifies; a transaction whose appends were rolled back to a savepoint has
# nothing to chain and prepares; and re-chaining (tmac.audit_writing = 'rechain') moves
# entries but never changes what they say.  RESET ALL (any role may run it; in PostgreSQL 15 it
# also resets superuser-only settings set in the session) cannot wipe the transaction's pending
# place in the chain: found by the final insider review, an employee's RESET ALL after an
# audited copy made the commit skip the chain (its entry id later appeared twice) and let the
# transaction be prepared.
# Run by test/run_tests.sh (PGHOST/PGPORT, TMAC_TEST_DIR set; max_prepared_transactions > 0).
set -euo pipefail
cd "$(dirname "$0")/../.."
db=tmac_auditlock_prepare
dropdb --if-exists "$db" >/dev/null 2>&1 || true
createdb "$db"
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
q -q -c "CREATE EXTENSION tmac" >/dev/null
before=$(q -c "SELECT last_id FROM tmac.audit_head")

out=$(q -c "BEGIN" -c "SELECT tmac.audit_record('test', 'prepare', 'al', NULL)" \
        -c "PREPARE TRANSACTION 'al_prep'" 2>&1 || true)
psql -X -q -d "$db" -c "ROLLBACK PREPARED 'al_prep'" >/dev/null 2>&1 || true
prepared=$(q -c "SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'al_prep'")
after=$(q -c "SELECT last_id FROM tmac.audit_head")
entries=$(q -c "SELECT count(*) FROM tmac.audit_log WHERE category = 'test'")

sp=$(q -c "BEGIN" -c "SAVEPOINT s" -c "SELECT tmac.audit_record('test', 'prepare', 'al', NULL)" \
       -c "ROLLBACK TO SAVEPOINT s" -c "PREPARE TRANSACTION 'al_prep2'" -c "COMMIT PREPARED 'al_prep2'" 2>&1 || true)

content=$(q -c "BEGIN" -c "SET LOCAL tmac.audit_writing = 'rechain'" \
            -c "UPDATE tmac.audit_log SET detail = '{}' WHERE entry_id = 1" 2>&1 || true)
moved=$(q -c "BEGIN" -c "SET LOCAL tmac.audit_writing = 'rechain'" \
          -c "UPDATE tmac.audit_log SET entry_id = entry_id WHERE entry_id = 1" -c "ROLLBACK" 2>&1 || true)
psql -X -q -d postgres -c "DROP ROLE IF EXISTS al_adm" -c "CREATE ROLE al_adm LOGIN IN ROLE tmac_admin" >/dev/null
reset_state=$(q -q -U al_adm -c "BEGIN" -c "SELECT tmac.audit_record('test', 'reset', 'al', NULL) IS NOT NULL" -c "RESET ALL" \
                -c "SELECT current_setting('tmac.audit_state', true) <> ''" -c "COMMIT" 2>&1 | tail -1)
q -q -U al_adm -c "SELECT tmac.audit_record('test', 'after reset', 'al', NULL)" >/dev/null
reset_prep=$(q -U al_adm -c "BEGIN" -c "SELECT tmac.audit_record('test', 'reset', 'al', NULL)" -c "RESET ALL" \
               -c "PREPARE TRANSACTION 'al_prep3'" 2>&1 || true)
psql -X -q -d "$db" -c "ROLLBACK PREPARED 'al_prep3'" >/dev/null 2>&1 || true
dup=$(q -c "SELECT count(*) FROM (SELECT entry_id FROM tmac.audit_log GROUP BY 1 HAVING count(*) > 1) d")
psql -X -q -d postgres -c "DROP ROLE IF EXISTS al_adm" >/dev/null 2>&1 || true
broken=$(q -c "SELECT count(*) FROM tmac.verify_audit_log()")

fail=0
check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi; }
check "PREPARE TRANSACTION after an audited act is refused" \
  "echo \"\$out\" | grep -q \"cannot prepare a transaction that appended to tmac's audit log\""
check "nothing was prepared, the head did not move, the entry is gone" \
  "[ '$prepared' = 0 ] && [ '$before' = '$after' ] && [ "$entries" = 0 ]"
check "appends rolled back to a savepoint leave nothing to chain: the transaction prepares" \
  "! echo \"\$sp\" | grep -q ERROR"
check "re-chaining may not change an entry's content (even for a superuser with the flag set)" \
  "echo \"\$content\" | grep -q 'tmac.audit_log is append-only'"
check "it may move one" "! echo \"\$moved\" | grep -q ERROR"
check "RESET ALL by a tmac_admin keeps the transaction's pending place in the chain" "[ '$reset_state' = t ]"
check "… so a transaction that appended still cannot be prepared after RESET ALL" \
  "echo \"\$reset_prep\" | grep -q \"cannot prepare a transaction that appended to tmac's audit log\""
check "… and every entry id is unique" "[ '$dup' = 0 ]"
check "the chain verifies" "[ '$broken' = 0 ]"
dropdb "$db"
exit $fail
