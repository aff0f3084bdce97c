#!/usr/bin/env bash
# citus5_bench.sh — what tmac costs on a protected table distributed by Citus (issue 22): a
# count(*) through the coordinator of a protected hash-distributed table (the signed profile, then
# tmac.shard_row_readable on every row of every shard) vs the same table unprotected (goal <=
# 1.1x), and vs the same protected table local on one node (tmac without Citus, for scale).
#
# Starts a coordinator and two workers (test/server.sh, tmac_citus_cluster_start; Citus built
# once from ../shared/vendor when missing), loads TMAC_BENCH_ROWS rows (default 200,000) with
# labels over every level and a compartment into three tables, and times count(*) as a cleared
# reader with the compartment: TMAC_BENCH_REPS rounds (default 7), the three queries interleaved
# in each round, medians compared.  Ratios to $TMAC_BENCH_RATIOS; nothing passes or fails on
# times.  TMAC_CITUS_PORT_MIN / TMAC_CITUS_PORT_MAX choose the ports.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${TMAC_BENCH_ROWS:-200000}
reps=${TMAC_BENCH_REPS:-7}

bash test/setup.sh >/dev/null || exit 1
make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config || { echo "build failed"; exit 1; }
. test/server.sh
. test/bench/bench_server.sh
work=$(mktemp -d /tmp/tmac-bench.XXXXXX)
chmod 755 "$work"
trap 'tmac_citus_cluster_stop "$work/cluster"; rm -rf "$work"' EXIT
tmac_private_install "$work/install" || { echo "install failed"; exit 1; }
rc=0; tmac_citus_ensure citus5_bench || rc=$?
[ $rc = 2 ] && exit 0
[ $rc = 0 ] || exit 1
key=bench-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
tmac_citus_cluster_start "$work/cluster" bench <<<"tmac.citus_key = '$key'
shared_buffers = '256MB'" || { echo "the cluster did not start"; exit 1; }
coord() { psql -X -q -At -h 127.0.0.1 -p "${TMAC_CITUS_PORTS[0]}" -U postgres -d bench -v ON_ERROR_STOP=1 "$@"; }

coord >/dev/null <<SQL
CREATE EXTENSION tmac;
SELECT tmac.define_compartment('PRJ', 'Project');
CREATE ROLE alice LOGIN; CREATE ROLE adm LOGIN; CREATE ROLE appr LOGIN;
GRANT tmac_access_admin TO adm; GRANT tmac_approver TO appr;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['alice', 'adm', 'appr']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('h1', 'A1', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'Alice', 'login_role', 'alice')),
  ('h4', 'D1', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'Adm', 'login_role', 'adm')),
  ('h5', 'E1', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'Appr', 'login_role', 'appr'));
SELECT tmac.record_pledge('A1', 'hire', current_date - 1), tmac.record_training('A1', 'basics', current_date - 1);
SET ROLE adm;
SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'work');
SELECT tmac.request_access('A1', 'PRJ', now() + interval '30 days', 'work');
SET ROLE appr;
SELECT tmac.approve(grant_id) FROM tmac.grants ORDER BY grant_id;
RESET ROLE;
CREATE TABLE local_doc (id bigint PRIMARY KEY, body text, label tmac.label NOT NULL);
INSERT INTO local_doc SELECT g, md5(g::text), (CASE g % 5 WHEN 0 THEN 'PUBLIC' WHEN 1 THEN 'INTERNAL' WHEN 2 THEN 'SECRET'
                                              WHEN 3 THEN 'INTERNAL:PRJ' ELSE 'TOP_SECRET' END)::tmac.label
  FROM generate_series(1, $rows) g;
CREATE TABLE plain_doc (LIKE local_doc); ALTER TABLE plain_doc ADD PRIMARY KEY (id);
INSERT INTO plain_doc SELECT * FROM local_doc;
CREATE TABLE prot_doc (LIKE local_doc); ALTER TABLE prot_doc ADD PRIMARY KEY (id);
INSERT INTO prot_doc SELECT * FROM local_doc;
GRANT SELECT ON local_doc, plain_doc, prot_doc TO alice;
SELECT tmac.protect('local_doc');
SELECT tmac.protect('prot_doc');
SELECT tmac.citus_distribute('prot_doc', 'id');
SELECT create_distributed_table('plain_doc', 'id');
SELECT truncate_local_data_after_distributing_table('public.prot_doc'), truncate_local_data_after_distributing_table('public.plain_doc');
VACUUM ANALYZE local_doc;
CREATE FUNCTION public.bench_ms(q text) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE t timestamptz := clock_timestamp(); n bigint;
BEGIN EXECUTE q INTO n; RETURN extract(epoch FROM clock_timestamp() - t) * 1000; END \$\$;
SQL

out=$(coord -c "SET ROLE alice" -c "SELECT (SELECT count(*) FROM prot_doc) = (SELECT count(*) FROM local_doc), (SELECT count(*) FROM plain_doc)")
[ "$out" = "t|$rows" ] || { echo "the protected tables disagree: $out"; exit 1; }
# interleaved rounds, the first a warm-up
times=$(coord -c "SET ROLE alice" -c "
  CREATE TEMP TABLE ms AS
    SELECT k, public.bench_ms('SELECT count(*) FROM ' || t) AS ms, r
      FROM generate_series(0, $reps) r, unnest(ARRAY['plain_doc', 'prot_doc', 'local_doc']) WITH ORDINALITY AS x(t, k)
     ORDER BY r, k" -c "
  SELECT string_agg(m::text, ' ' ORDER BY k)
    FROM (SELECT k, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS m FROM ms WHERE r > 0 GROUP BY k) s")
read -r plain prot local <<<"$times"
r1=$(awk -v a="$prot" -v b="$plain" 'BEGIN { printf "%.2f", a / b }')
r2=$(awk -v a="$prot" -v b="$local" 'BEGIN { printf "%.2f", a / b }')
echo "count(*) of $rows rows as a cleared reader, median of $reps interleaved rounds (ms):"
echo "  distributed unprotected $plain   distributed protected $prot   protected on one node $local"
echo "  protected / unprotected (distributed): $r1 (goal <= 1.1)   distributed / one node (protected): $r2"
echo "  load: $(uptime)"
bench_ratio citus5_protected_vs_plain "$r1" "<= 1.1" "Citus: count(*) of a protected hash-distributed table vs the same unprotected, through the coordinator ($rows rows)"
bench_ratio citus5_distributed_vs_local "$r2" "-" "Citus: count(*) of a protected hash-distributed table vs the same protected table local on one node ($rows rows)"
