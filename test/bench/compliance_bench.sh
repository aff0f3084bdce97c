#!/usr/bin/env bash
# compliance_bench.sh — how the compliance views scale (README, Performance: 100,000 persons and
# 1,000,000 grants answer in under 2 s).
#
# Starts its own throwaway PostgreSQL 15 the way test/run_tests.sh does, builds a
# synthetic organisation at two scales — 10,000 then 100,000 persons, 10 grants each
# (1 clearance + 9 compartment grants over 200 compartments), a pledge and a training
# record each, 50 SoD rules over 60 role-backed duties, 2,000 login roles with duty
# memberships through chains of group roles, one access review of one compartment —
# with a realistic sprinkling of violations (≈0.1 % of each kind), the seed's two training courses
# (basics for everyone, access_holders for persons with grants) taken yearly, then times each
# compliance query (best of 3) and prints the growth from the small to the large scale.
# The registers scale with it: one inventory asset per person (100,000 at the large scale),
# an information officer, 20 providers holding every tenth asset.
# The data is loaded straight into the tables with triggers off (the audit log is not
# what is measured), the plain indexes of the loaded tables built after the load.
# Usage: bash test/bench/compliance_bench.sh [small] [large]; TMAC_BENCH_SCALE=1000000 sets the
# large scale (default 100,000; small is a tenth of it).  Each view and each built-in check
# function is timed (test/bench/compliance_time.sql, best of TMAC_BENCH_REPS, default 3; one over
# TMAC_BENCH_TIMEOUT, default 120s, prints "timeout"); the growth of each goes to
# $TMAC_BENCH_RATIOS.  TMAC_BENCH_KEEP=1 keeps the server and its databases,
# TMAC_BENCH_BUILD_ONLY=1 only builds them.
set -euo pipefail
cd "$(dirname "$0")/../.."
large=${2:-${TMAC_BENCH_SCALE:-100000}}
small=${1:-$((large / 10))}

bash test/setup.sh >/dev/null || exit 1
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config || { echo "build failed"; exit 1; }
. test/server.sh
work=$(mktemp -d /tmp/tmac-bench.XXXXXX)
chmod 755 "$work"
# TMAC_BENCH_KEEP=1 keeps the server and its databases (bench_<small>, bench_<large>) for profiling
[ -n "${TMAC_BENCH_KEEP:-}" ] || trap 'tmac_server_stop; rm -rf "$work"' EXIT
tmac_private_install "$work/install" || { echo "install failed"; exit 1; }
# shared_buffers as a DBA would size it on this 24 GiB machine (PostgreSQL's 128 MB default cannot hold
# 1,000,000 grants and 1,000,000 handling entries, ≈0.5 GB): the compliance queries then read memory.
# TMAC_BENCH_SHARED_BUFFERS=128MB measures with the default.
TMAC_SERVER_EXTRA_CONF="shared_buffers = '${TMAC_BENCH_SHARED_BUFFERS:-2GB}'" tmac_server_start "$work/server" "${TMAC_BENCH_PORT:-55453}" || exit 1

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

setup_db() {   # $1 = database, $2 = persons
  local db=$1 n=$2
  createdb "$db"
  psql -d "$db" <<SQL
CREATE EXTENSION tmac;
SELECT tmac.define_group('DEV', '開発部');
SELECT tmac.define_compartment('C' || i, 'Compartment ' || i) FROM generate_series(1, 200) i;
-- 60 role-backed duties, 50 rules between them
DO \$\$
BEGIN
  FOR i IN 1..60 LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_duty_' || i) THEN
      EXECUTE format('CREATE ROLE bench_duty_%s NOLOGIN', i);
    END IF;
    PERFORM tmac.define_duty('d' || i, 'duty ' || i, ('bench_duty_' || i)::name);
  END LOOP;
  FOR i IN 1..47 LOOP
    PERFORM tmac.define_sod_rule('rule ' || i, 'd' || i, 'd' || (i + 13), 'high');
  END LOOP;
END
\$\$;
SELECT count(*) AS sod_rules FROM tmac.sod_rule;
-- group roles: team_k is a member of duty (k % 60)+1; login roles join one or two teams,
-- some directly hold tmac roles too
DO \$\$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_u1') THEN RETURN; END IF;   -- roles are cluster-wide
  FOR k IN 1..120 LOOP
    EXECUTE format('CREATE ROLE bench_team_%s NOLOGIN IN ROLE bench_duty_%s', k, (k % 60) + 1);
  END LOOP;
  FOR i IN 1..2000 LOOP
    EXECUTE format('CREATE ROLE bench_u%s LOGIN IN ROLE bench_team_%s', i, (i % 120) + 1);
    IF i % 500 = 0 THEN   -- a handful of people in two teams whose duties conflict (rule: d_k vs d_k+13)
      EXECUTE format('GRANT bench_team_%s TO bench_u%s', ((i % 120) + 13) % 120 + 1, i);
    END IF;
    IF i % 40 = 0 THEN EXECUTE format('GRANT tmac_approver TO bench_u%s', i); END IF;
    IF i % 40 = 1 OR i = 2000 THEN EXECUTE format('GRANT tmac_access_admin TO bench_u%s', i); END IF;   -- bench_u2000 approves and administers
  END LOOP;
END
\$\$;
SET session_replication_role = replica;
-- indexes after load: the plain (non-constraint) indexes of the tables loaded below are dropped
-- here and rebuilt after the load, each in one sort
CREATE TEMP TABLE bench_index AS
  SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
   WHERE c.relnamespace = 'tmac'::regnamespace
     AND c.relname IN ('person', 'pledge', 'training_completion', 'access_grant', 'asset', 'handling_entry',
                       'provider_asset', 'incident', 'incident_asset')
     AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid);
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT name FROM bench_index LOOP EXECUTE 'DROP INDEX ' || r.name; END LOOP;
END \$\$;
CREATE TEMP TABLE bench_compartment AS
  SELECT substr(code, 2)::int AS n, compartment_id FROM tmac.compartment WHERE code ~ '^C[0-9]+\$';
INSERT INTO tmac.person (person_id, full_name, title, org_group_id, job_role, kind, login_role, status, hired_on, terminated_at)
SELECT format('P%s', lpad(i::text, 7, '0')), 'Person ' || i, CASE WHEN i % 10 = 0 THEN '課長' ELSE '主任' END,
       tmac.vocabulary_id('group', 'DEV'), 'engineer', 'employee', CASE WHEN i <= 2000 THEN format('bench_u%s', i) END,
       CASE WHEN i % 1000 = 999 THEN 'terminated' ELSE 'active' END, date '2020-04-01',
       CASE WHEN i % 1000 = 999 THEN now() - interval '3 days' END
  FROM generate_series(1, $n) i;
INSERT INTO tmac.pledge (person_id, kind, signed_on)
SELECT format('P%s', lpad(i::text, 7, '0')), 'hire', current_date - 300
  FROM generate_series(1, $n) i WHERE i % 1000 <> 3;
-- the seed's two courses, mandatory, taken yearly for two years (4 completions a person); ≈0.1 %
-- overdue on the basics, ≈0.1 % never took the access holders' course
SELECT tmac.define_course('basics'); SELECT tmac.define_course('access_holders');
INSERT INTO tmac.training_completion (person_id, course, completed_on)
SELECT format('P%s', lpad(i::text, 7, '0')), c, current_date - y * 365 - CASE WHEN i % 1000 = 5 AND c = 'basics' THEN 400 ELSE 100 END
  FROM generate_series(1, $n) i, unnest(ARRAY['basics', 'access_holders']) c, generate_series(0, 1) y
 WHERE NOT (i % 1000 = 6 AND c = 'access_holders');
-- 10 grants per person; requesters are P0000041.., approvers P0000040.. (the tmac_approver holders)
INSERT INTO tmac.access_grant (person_id, kind, level_rank, compartment_id, mode, validity, status, reason,
                               requested_by, requested_at, approved_by, approved_at, bound_job_role, bound_org_group_id,
                               ended_at, end_reason)
SELECT p, CASE WHEN j = 0 THEN 'clearance' ELSE 'compartment' END,
       CASE WHEN j = 0 THEN 20 END,
       bc.compartment_id,
       CASE WHEN j > 0 THEN CASE WHEN j % 3 = 0 THEN 'write' ELSE 'read' END END,
       tstzrange(t0, CASE WHEN (i + j) % 1000 = 11 THEN now() - interval '1 day' ELSE now() + interval '1 day' * (30 + (i + j) % 300) END),
       CASE WHEN i % 1000 = 999 AND i % 3000 <> 999 THEN 'ended' ELSE 'active' END,
       'bench', format('P%s', lpad((((i + j) % 50) * 40 + 1)::text, 7, '0')), t0,
       CASE WHEN (i + j) % 1000 = 17 THEN ARRAY[format('P%s', lpad((((i + j) % 50) * 40 + 1)::text, 7, '0'))]
            ELSE ARRAY[format('P%s', lpad((((i + j) % 50 + 1) * 40)::text, 7, '0'))] END,
       t0, 'engineer', tmac.vocabulary_id('group', 'DEV'),
       CASE WHEN i % 1000 = 999 AND i % 3000 <> 999 THEN now() - interval '3 days' END,
       CASE WHEN i % 1000 = 999 AND i % 3000 <> 999 THEN 'terminated' END
  FROM generate_series(1, $n) i, generate_series(0, 9) j,
       LATERAL (SELECT format('P%s', lpad(i::text, 7, '0')) AS p,
                       now() - interval '1 day' * (1 + (i * 31 + j * 7) % CASE WHEN (i + j) % 1000 = 23 THEN 400 ELSE 170 END) AS t0,
                       CASE WHEN j > 0 THEN (i * 7 + j * 13) % 200 + 1 END AS cn) x
  LEFT JOIN bench_compartment bc ON bc.n = x.cn;
-- the registers: one asset per person (bound nowhere, kept in a location), ≈0.1 % without a
-- manager, without a location, overdue for review, entrusted without contract measures; an
-- information officer; 20 providers (one with a lapsed NDA) holding every tenth asset
INSERT INTO tmac.asset (asset_no, business_category, name, medium, label, manager, location, registered_on,
                        origin, entrusted_by, contract_ref, contract_measures, reviewed_at)
SELECT format('A%s', lpad(i::text, 7, '0')), '技術', 'Asset ' || i, 'electronic', 'CONFIDENTIAL',
       CASE WHEN i % 1000 <> 31 THEN format('P%s', lpad(i::text, 7, '0')) END,
       CASE WHEN i % 1000 <> 37 THEN 'file server' END, date '2024-04-01',
       CASE WHEN i % 100 = 0 THEN 'entrusted' ELSE 'own' END, CASE WHEN i % 100 = 0 THEN 'X社' END,
       CASE WHEN i % 100 = 0 AND i % 1000 <> 500 THEN 'NDA-X' END, CASE WHEN i % 100 = 0 THEN '暗号化保管' END,
       now() - CASE WHEN i % 1000 = 41 THEN interval '13 months' ELSE interval '1 month' END
  FROM generate_series(1, $n) i;
INSERT INTO tmac.appointment (role, person_id, appointed_by, valid_from, announced_how, announced_on)
  VALUES ('information_officer', 'P0000001', 'P0000002', current_date - 100, '情報管理規程', current_date - 100);
INSERT INTO tmac.provider (provider_id, name, service, nda_signed_on, nda_expires_on, evaluated_on, evaluation)
SELECT 'PRV' || k, 'Provider ' || k, 'cloud', current_date - 100,
       CASE WHEN k = 7 THEN current_date - 1 ELSE current_date + 300 END, current_date - 50, 'approved'
  FROM generate_series(1, 20) k;
INSERT INTO tmac.provider_asset (provider_id, asset_no)
SELECT 'PRV' || (i % 20 + 1), format('A%s', lpad(i::text, 7, '0')) FROM generate_series(1, $n, 10) i;
-- the ledgers over the first tenth of those assets: 10 handling entries per person (1,000,000 at 100,000
-- persons): mostly allowed or approved, every 100th a copy (serial numbered), every 1000th a
-- disposal, every 997th an overdue take-out; one incident per 100 persons; a container and key
-- per 1000 persons with a combination change and a key loan
INSERT INTO tmac.handling_entry (asset_id, action, level_rank, rule_applied, copy_serials, purpose, handler, handler_role,
                                 handled_at, due_at, approver, approved_at, disposal_method)
SELECT (i % greatest($n / 10, 1)) + 1,
       CASE WHEN k % 1000 = 0 THEN 'dispose' WHEN k % 100 = 0 THEN 'copy' WHEN k % 997 = 0 THEN 'take_out' ELSE 'create' END,
       30, CASE WHEN k % 100 = 0 OR k % 997 = 0 THEN 'approval' ELSE 'allowed' END,
       CASE WHEN k % 100 = 0 THEN ARRAY['S' || k] ELSE '{}' END, 'bench',
       format('P%s', lpad(i::text, 7, '0')), 'bench', now() - interval '10 days',
       CASE WHEN k % 997 = 0 THEN now() - interval '1 day' END,
       CASE WHEN k % 100 = 0 OR k % 997 = 0 THEN format('P%s', lpad((i % $n + 1)::text, 7, '0')) END,
       CASE WHEN k % 100 = 0 OR k % 997 = 0 THEN now() - interval '9 days' END,
       CASE WHEN k % 1000 = 0 THEN 'shred' END
  FROM generate_series(1, $n) i, generate_series(0, 9) j, LATERAL (SELECT i * 10 + j AS k) x;
INSERT INTO tmac.incident (detected_at, discovered_by, reported_by, reported_at, category, description, reported_to,
                           escalated_at, escalated_by, due_by)
SELECT now() - interval '5 days', p, p, now() - interval '5 days', 'employee', 'bench', 'manager',
       CASE WHEN i % 7 <> 0 THEN now() - interval '4 days' END, CASE WHEN i % 7 <> 0 THEN p END, now() + interval '25 days'
  FROM generate_series(1, $n, 100) i, LATERAL (SELECT format('P%s', lpad(i::text, 7, '0')) AS p) x;
INSERT INTO tmac.incident_asset SELECT incident_id, (incident_id % greatest($n / 10, 1)) + 1 FROM tmac.incident;
INSERT INTO tmac.container (code, name, location, lock_type, custodian)
SELECT 'C' || i, 'safe ' || i, 'bench', CASE WHEN i % 2 = 0 THEN 'combination' ELSE 'key' END, format('P%s', lpad(i::text, 7, '0'))
  FROM generate_series(1, $n, 1000) i;
INSERT INTO tmac.combination_change (container_id, changed_at, reason, changed_by)
SELECT container_id, now() - interval '1 day' * (container_id % 500), 'annual', custodian FROM tmac.container;
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT def FROM bench_index LOOP EXECUTE r.def; END LOOP;
END \$\$;
SET session_replication_role = origin;
ANALYZE;
SQL
  # one access review of one compartment, kept for every other item, as an approver
  psql -d "$db" <<SQL
SET ROLE bench_u41;
SELECT tmac.start_review('bench review', compartment => 'C7') AS review_id \gset
RESET ROLE;
SET session_replication_role = replica;
UPDATE tmac.access_review_item SET decision = 'keep', decided_by = 'P0000080', decided_at = now()
 WHERE review_id = :review_id AND grant_id % 2 = 0;
SET session_replication_role = origin;
VACUUM ANALYZE;   -- as autovacuum leaves a database: visibility map set, statistics current
SQL
  # the load ran with triggers off: the kept verdicts of its acts are decided once, as a DBA does
  # after such a load (86_verdicts.sql), and timed
  local f0; f0=$(date +%s%N)
  psql -d "$db" -c "SELECT tmac.fold_verdicts(everything => true)" >/dev/null
  echo "   kept verdicts of every act folded in $(( ($(date +%s%N) - f0) / 1000000 )) ms" >&2
  psql -d "$db" -c "VACUUM ANALYZE tmac.act_verdict"
}

time_queries() {   # $1 = database; prints "label ms rows" lines
  psql -At -F ' ' -v reps="${TMAC_BENCH_REPS:-3}" -v timeout="${TMAC_BENCH_TIMEOUT:-120s}" -d "$1" -f test/bench/compliance_time.sql
}

declare -A ms rows
labels=()
for scale in "$small" "$large"; do
  db=bench_$scale
  echo "== building $scale persons, $((scale * 10)) grants, $((scale * 10)) handling entries"
  t0=$(date +%s)
  setup_db "$db" "$scale" >/dev/null
  echo "   built in $(( $(date +%s) - t0 )) s"
  [ -z "${TMAC_BENCH_BUILD_ONLY:-}" ] || { echo "kept: PGHOST=$PGHOST PGPORT=$PGPORT database $db"; continue; }
  while read -r label m n; do
    [ "$scale" = "$small" ] && labels+=("$label")
    ms[$scale,$label]=$m; rows[$scale,$label]=$n
  done < <(time_queries "$db")
  psql -d "$db" -c "SELECT check_code, count(*) AS findings FROM tmac.findings GROUP BY 1 ORDER BY 1"
done

echo
uptime
printf '%-44s %12s %12s %8s   %s\n' "query" "$small p ms" "$large p ms" "growth" "rows at $large"
for label in "${labels[@]}"; do
  a=${ms[$small,$label]}; b=${ms[$large,$label]:-}
  if [ "$a" = -1 ] || [ "$b" = -1 ] || [ -z "$b" ]; then   # over TMAC_BENCH_TIMEOUT: no ratio
    printf '%-44s %12s %12s %8s   %s\n' "$label" "${a/#-1/timeout}" "${b/#-1/timeout}" - "${rows[$large,$label]:-}"
    continue
  fi
  g=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
  printf '%-44s %12s %12s %7sx   %s\n' "$label" "$a" "$b" "$g" "${rows[$large,$label]:-}"
  if [ -n "${TMAC_BENCH_RATIOS:-}" ]; then
    case $label in
      compliance_status|findings|'sod_violations()'|access_rights_ledger|'compliance_report_html()') goal='<= 10' ;;
      *) goal=- ;;
    esac
    printf 'compliance growth %s\t%s\t%s\t%s\n' "$label" "$g" "$goal" \
      "$label at $large persons vs $small persons ($b ms vs $a ms; linear is 10)" >>"$TMAC_BENCH_RATIOS"
  fi
done
if [ -n "${TMAC_BENCH_RATIOS:-}" ] && [ -n "${ms[$large,compliance_status]:-}" ] && [ "${ms[$large,compliance_status]}" != -1 ]; then
  # the absolute goal beside the growth: < 1 s at 100,000 persons, < 10 s at 1,000,000
  printf 'compliance_status seconds at %s persons\t%s\t%s\t%s\n' "$large" \
    "$(awk -v m="${ms[$large,compliance_status]}" 'BEGIN { printf "%.2f", m / 1000 }')" \
    "$([ "$large" -ge 1000000 ] && echo '< 10' || echo '< 1')" \
    "seconds (not a ratio) of SELECT * FROM tmac.compliance_status, best of ${TMAC_BENCH_REPS:-3}" >>"$TMAC_BENCH_RATIOS"
fi
echo "(goals: growth <= 10x for compliance_status, findings, sod_violations(), access_rights_ledger and the report;"
echo " compliance_status < 1 s at 100,000 persons and < 10 s at 1,000,000)"
if [ -n "${TMAC_BENCH_KEEP:-}" ]; then
  echo "kept: PGHOST=$PGHOST PGPORT=$PGPORT databases bench_$small bench_$large (stop: pg_ctl -D $work/server/data stop)"
fi
