#!/usr/bin/env bash
# citus_install.sh — tmac on a Citus cluster: a coordinator and two workers on 127.0.0.1 (random
# free ports), each preloading 'citus,tmac' (test/server.sh: tmac_citus_cluster_start; Citus is
# built once from ../shared/vendor when missing, the test SKIPs with the reason only when that
# directory is absent).  The cluster comes up with both libraries loaded, CREATE EXTENSION citus
# works beside tmac (tmac takes one relcache callback slot), and a distributed table of plain
# rows answers through the coordinator.
set -uo pipefail
name=citus_install
. "$(dirname "$0")/citus_cluster.bash"

for i in 0 1 2; do
  out=$(node $i -c "SHOW shared_preload_libraries" -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'")
  [ "$out" = "citus,tmac
13.2-1" ] || fail "node $i: preloads citus and tmac and has Citus 13.2: $out"
done
out=$(coord -c "SELECT count(*) FROM citus_get_active_worker_nodes()")
[ "$out" = 2 ] || fail "two active workers: $out"
ok "three nodes preload 'citus,tmac'; CREATE EXTENSION citus works beside tmac; two workers active"

out=$(coord -c "CREATE TABLE plain (id bigint PRIMARY KEY, v text)" \
            -c "SELECT create_distributed_table('plain', 'id')" \
            -c "INSERT INTO plain SELECT g, 'v' || g FROM generate_series(1, 100) g" \
            -c "SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'plain'::regclass" \
            -c "SELECT count(*) FROM plain")
[ "$(echo "$out" | tail -n 2 | tr '\n' ' ')" = "2 100 " ] || fail "a distributed table of plain rows: $out"
ok "a plain distributed table has shards on both workers and answers through the coordinator"

# CREATE EXTENSION tmac on the coordinator: Citus creates it on the workers in a prepared
# (two-phase) transaction, which tmac used to refuse for its login gate and audit log.
out=$(coord -c "CREATE EXTENSION tmac") || fail "CREATE EXTENSION tmac on the coordinator: $out"
for i in 0 1 2; do
  out=$(node $i -c "SELECT extversion FROM pg_extension WHERE extname = 'tmac'" \
                -c "SELECT count(*) FROM tmac.verify_audit_log()" \
                -c "SELECT count(*) FROM pg_prepared_xacts")
  [ "$out" = "0.2.0
0
0" ] || fail "node $i: tmac 0.2.0, an intact audit log, no prepared transaction left: $out"
done
ok "CREATE EXTENSION tmac on the coordinator installs tmac on every node (two-phase), audit logs intact"

# the exception is CREATE EXTENSION's own transaction only: a later change of the login gate or
# an audited act still cannot be prepared
out=$(node 1 -c "BEGIN" -c "SELECT tmac.login_gate_sync()" -c "PREPARE TRANSACTION 'gate'")
grep -q "cannot prepare a transaction that changes tmac's login gate" <<<"$out" || fail "a gate change prepared: $out"
out=$(node 1 -c "BEGIN" -c "SELECT tmac.configure('require_pledge', 'on')" -c "PREPARE TRANSACTION 'audit'")
grep -q "cannot prepare a transaction that \(appended to tmac's audit log\|changes tmac's login gate\)" <<<"$out" \
  || fail "an audited act prepared: $out"
[ "$(node 1 -c "SELECT count(*) FROM pg_prepared_xacts")" = 0 ] || fail "a transaction was prepared"
ok "a later login-gate change or audited act is still refused at PREPARE"
