#!/usr/bin/env bash
# security_quiet_definers.sh — a caller cannot watch tmac's SECURITY DEFINER functions think.
# The insider's attack (review of issue 17): an ordinary enrolled person switches on
# debug_print_parse / _rewritten / _plan with client_min_messages = log in their own session
# and calls a person act; PL/pgSQL's custom plans carry the function's variables as constants,
# so the plans printed to the client held the handling entry, the asset or the "exists" flag
# the act looked up before it answered "unknown or not yours".  Only the caller's own
# statement may be printed: one parse tree, one rewritten tree, one plan.
# Run by test/run_tests.sh with PGHOST/PGPORT/PGUSER set (a superuser).
set -uo pipefail
db=tmac_quiet_definers roles="qd_frank"
. "$(dirname "$0")/own_db.bash"

own_db
q -c "SELECT tmac.enrol_login('qd_frank')" \
  -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('qd-1', 'F1', 'hire', '{\"full_name\":\"Frank\",\"login_role\":\"qd_frank\"}')" \
  >/dev/null || fail "setup"

n=0
# as the person, with everything the session may switch on; each call is refused, and only
# the caller's own statement is printed
for act in "SELECT tmac.record_handling('NOPE-1', 'take_out', 'visit')" \
           "SELECT tmac.return_handling(1)" \
           "SELECT tmac.confirm_discovery(1)" \
           "SELECT tmac.report_incident('employee', 'lost a badge', reported_to_person => 'NOPE')"; do
  n=$((n + 1))
  out=$(PGOPTIONS="-c client_min_messages=log -c debug_pretty_print=off -c debug_print_parse=on
                   -c debug_print_rewritten=on -c debug_print_plan=on -c plan_cache_mode=force_custom_plan
                   -c plpgsql.print_strict_params=on" psql -X -q -At -U qd_frank -d "$db" -c "$act" 2>&1)
  for what in "parse tree" "rewritten parse tree" "plan"; do
    c=$(echo "$out" | grep -c "LOG:  $what:")
    [ "$c" = 1 ] || fail "$act printed $c ${what}s to its caller (only the caller's own statement may be printed)"
  done
  grep -q "ERROR:" <<<"$out" || fail "$act: expected a refusal, got: $(echo "$out" | grep -v LOG | head -3)"
  echo "ok $n - $act prints only the caller's own statement"
done

# tmac's C queries (the access profile, read as the extension owner) are quiet too
n=$((n + 1))
out=$(PGOPTIONS="-c client_min_messages=log -c debug_print_plan=on" \
      psql -X -q -At -U qd_frank -d "$db" -c "SELECT tmac.can_read('INTERNAL')" 2>&1)
c=$(echo "$out" | grep -c "LOG:  plan:")
[ "$c" = 1 ] || fail "tmac.can_read printed $c plans to its caller"
echo "ok $n - the access profile's query, run by C as tmac's owner, prints no plan"

cleanup
