#!/usr/bin/env bash
# verdicts_bench.sh — what the kept verdicts (sql/install/86_verdicts.sql) cost and save.
#
# Starts its own throwaway PostgreSQL 15, loads TMAC_BENCH_VERDICT_PERSONS persons (default
# 20,000) with a clearance, a pledge and training each and 10 handling entries each (≈0.5 % of
# them made before the handler's clearance began: failures), with triggers off, then decides
# every act once (tmac.fold_verdicts(everything => true), timed) and measures, in one run, both
# sides interleaved, median of TMAC_BENCH_REPS (default 5):
#   verdicts_read_kept    the failing acts read from the kept verdicts vs decided again
#                         (tmac.act_failures() vs tmac.act_failures(true))
#   verdicts_read_dirty   the same with 1 % of the persons marked dirty (their acts decided again)
#   verdicts_record_act   200 handling entries recorded one statement each, with their verdicts
#                         decided by the act's trigger vs with that trigger disabled
# Each ratio goes to $TMAC_BENCH_RATIOS when set (name, ratio, goal "-", what it compares).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${TMAC_BENCH_VERDICT_PERSONS:-20000}
reps=${TMAC_BENCH_REPS:-5}

bash test/setup.sh >/dev/null || exit 1
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config || { echo "build failed"; exit 1; }
. test/server.sh
work=$(mktemp -d /tmp/tmac-vbench.XXXXXX)
chmod 755 "$work"
[ -n "${TMAC_BENCH_KEEP:-}" ] || trap 'tmac_server_stop; rm -rf "$work"' EXIT
tmac_private_install "$work/install" || { echo "install failed"; exit 1; }
tmac_server_start "$work/server" "${TMAC_BENCH_PORT:-56193}" >/dev/null || exit 1
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
createdb vbench
psql -d vbench <<SQL
CREATE EXTENSION tmac;
SELECT tmac.define_group('DEV', '開発部');
SELECT tmac.define_course('basics');
SET session_replication_role = replica;
INSERT INTO tmac.person (person_id, full_name, org_group_id, job_role, kind, status, hired_on)
SELECT format('P%s', lpad(i::text, 7, '0')), 'Person ' || i, tmac.vocabulary_id('group', 'DEV'), 'engineer', 'employee', 'active', date '2020-04-01'
  FROM generate_series(1, $n) i;
INSERT INTO tmac.pledge (person_id, kind, signed_on)
SELECT format('P%s', lpad(i::text, 7, '0')), 'hire', current_date - 300 FROM generate_series(1, $n) i;
INSERT INTO tmac.training_completion (person_id, course, completed_on)
SELECT format('P%s', lpad(i::text, 7, '0')), 'basics', current_date - 100 FROM generate_series(1, $n) i;
INSERT INTO tmac.access_grant (person_id, kind, level_rank, validity, status, reason, requested_by, requested_at,
                               approved_by, approved_at, bound_job_role, bound_org_group_id)
SELECT format('P%s', lpad(i::text, 7, '0')), 'clearance', 20, tstzrange(t0, now() + interval '100 days'), 'active', 'bench',
       'P0000001', t0, ARRAY['P0000002'], t0, 'engineer', tmac.vocabulary_id('group', 'DEV')
  FROM generate_series(1, $n) i, LATERAL (SELECT now() - CASE WHEN i % 200 = 7 THEN interval '5 days' ELSE interval '200 days' END AS t0) x;
INSERT INTO tmac.asset (asset_no, business_category, name, medium, label, manager, location, registered_on)
SELECT format('A%s', lpad(i::text, 7, '0')), '技術', 'Asset ' || i, 'electronic', 'CONFIDENTIAL', 'P0000001', 'file server', date '2024-04-01'
  FROM generate_series(1, greatest($n / 10, 1)) i;
INSERT INTO tmac.handling_entry (asset_id, action, rule_applied, handler, handler_role, handled_at)
SELECT (i % greatest($n / 10, 1)) + 1, 'create', 'allowed', format('P%s', lpad(i::text, 7, '0')), 'bench', now() - interval '10 days' - interval '1 hour' * j
  FROM generate_series(1, $n) i, generate_series(0, 9) j;
SET session_replication_role = origin;
VACUUM ANALYZE;
SQL
f0=$(date +%s%N)
psql -d vbench -c "SELECT tmac.fold_verdicts(everything => true)" >/dev/null
echo "$n persons, $((n * 10)) handling entries: every act decided and kept in $(( ($(date +%s%N) - f0) / 1000000 )) ms"
psql -d vbench -c "VACUUM ANALYZE tmac.act_verdict"

# median of $reps interleaved runs of two statements (ms each); prints "a b"
pair() {   # $1 $2: SQL of each side; $3: SQL run before each rep (in the same transaction)
  psql -At -d vbench <<SQL
CREATE FUNCTION pg_temp.ms(q text) RETURNS numeric LANGUAGE plpgsql AS \$\$
DECLARE t0 timestamptz := clock_timestamp(); BEGIN EXECUTE q; RETURN extract(epoch FROM clock_timestamp() - t0) * 1000; END \$\$;
CREATE TEMP TABLE r (side int, ms numeric);
DO \$\$
BEGIN
  FOR i IN 1..$reps LOOP
    INSERT INTO r SELECT 1, pg_temp.ms(\$q\$$1 \$q\$);
    INSERT INTO r SELECT 2, pg_temp.ms(\$q\$$2 \$q\$);
  END LOOP;
END \$\$;
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE side = 1)::numeric, 1) || ' ' ||
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE side = 2)::numeric, 1) FROM r;
SQL
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
report() {   # name a b what
  local r; r=$(ratio "$2" "$3")
  printf '%-22s %8s ms vs %8s ms  %5sx  %s\n' "$1" "$2" "$3" "$r" "$4"
  [ -z "${TMAC_BENCH_RATIOS:-}" ] || printf '%s\t%s\t-\t%s\n' "$1" "$r" "$4 ($2 ms vs $3 ms)" >>"$TMAC_BENCH_RATIOS"
}
echo "load: $(uptime)"
read -r a b < <(pair 'SELECT count(*) FROM tmac.act_failures()' 'SELECT count(*) FROM tmac.act_failures(true)')
report verdicts_read_kept "$a" "$b" "failing acts read from the kept verdicts vs every act decided again, $((n * 10)) acts"
psql -d vbench -c "INSERT INTO tmac.verdict_mark (person_ids, why) SELECT array_agg(person_id), 'bench' FROM tmac.person WHERE person_id ~ '00\$'"
read -r a b < <(pair 'SELECT count(*) FROM tmac.act_failures()' 'SELECT count(*) FROM tmac.act_failures(true)')
report verdicts_read_dirty "$a" "$b" "the same with 1 % of the persons marked dirty (their acts decided again)"
loop="FOR i IN 1..200 LOOP INSERT INTO tmac.handling_entry (asset_id, action, rule_applied, handler, handler_role, handled_at) VALUES (1 + i % 10, 'create', 'allowed', format('P%s', lpad((1 + i * 37 % $n)::text, 7, '0')), 'bench', now() - interval '1 hour'); END LOOP;"
read -r a b < <(pair "DO \$d\$ BEGIN $loop END \$d\$" "DO \$d\$ BEGIN ALTER TABLE tmac.handling_entry DISABLE TRIGGER act_verdict_insert; $loop ALTER TABLE tmac.handling_entry ENABLE TRIGGER act_verdict_insert; END \$d\$")
report verdicts_record_act "$a" "$b" "200 handling entries, one statement each, with their verdicts decided vs without"
echo "load: $(uptime)"
