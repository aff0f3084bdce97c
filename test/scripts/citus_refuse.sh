#!/usr/bin/env bash
# citus_refuse.sh — on a Citus cluster (coordinator + two workers, test/server.sh), tmac never
# lets a protected table's rows reach shards without its enforcement.  Citus copies policies to
# shards without AS RESTRICTIVE, so tmac's restrictive checks would become permissive beside
# tmac_base (USING true): every role would read every row.  Refused with 0A000, in English and
# Japanese, even with citus.enable_unsafe_triggers on (which lets Citus take tmac's trigger):
# every Citus function that makes a table Citus-managed (hash, reference, Citus local, concurrent,
# schema-based), the DDL that does it implicitly (a foreign key to a reference table, a move into
# a distributed schema), and tmac.protect of a table Citus manages; nothing is left on the
# workers.  A shard carrying tmac's policies as permissive ones (a protected table distributed
# by force, simulated by a superuser on a worker) is refused to a direct query on the worker and
# through the coordinator, and is a protected_table_unenforced finding; so is a registered table
# Citus manages on the coordinator.
set -uo pipefail
name=citus_refuse
. "$(dirname "$0")/citus_cluster.bash"
refused() {   # refused WHAT OUTPUT: 0A000 and tmac's reason
  grep -q "ERROR:  0A000: cannot distribute protected table \"doc\" with Citus" <<<"$2" \
    || fail "$1: expected 0A000 'cannot distribute protected table \"doc\" with Citus', got: $2"
}
local_still() {   # nothing of doc reached Citus's metadata or the workers
  local out i
  out=$(coord -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text IN ('doc', 'public.doc', 'dist_s.doc')" \
              -c "SELECT count(*) FROM tmac.check_protected_table_unenforced()" \
              -c "SET ROLE reader" -c "SELECT string_agg(body, ',' ORDER BY id) FROM doc")
  [ "$out" = "0
0
pub" ] || fail "$1: doc stays a local protected table, read by label: $out"
  for i in 1 2; do
    out=$(node $i -c "SELECT count(*) FROM pg_class WHERE relname ~ '^doc(_[0-9]+)?$'" -c "SELECT count(*) FROM pg_prepared_xacts")
    [ "$out" = "0
0" ] || fail "$1: worker $i has no table or shard of doc, no prepared transaction: $out"
  done
}

out=$(coord -c "CREATE EXTENSION tmac" \
            -c "CREATE ROLE reader LOGIN" \
            -c "CREATE TABLE doc (id bigint PRIMARY KEY, body text, label tmac.label NOT NULL)" \
            -c "INSERT INTO doc VALUES (1, 'pub', 'PUBLIC'), (2, 'secret', 'SECRET')" \
            -c "GRANT SELECT ON doc TO reader" \
            -c "SELECT tmac.protect('doc')") || fail "setup: $out"
local_still "before"

unsafe="SET citus.enable_unsafe_triggers = on"
out=$(coord -c "$unsafe" -c "SELECT create_distributed_table('doc', 'id')")
refused "create_distributed_table" "$out"
grep -q "DETAIL:  Citus copies a table's row-level security policies to its shards without AS RESTRICTIVE" <<<"$out" \
  || fail "the detail says why: $out"
local_still "create_distributed_table"
ok "create_distributed_table of a protected table (unsafe triggers on): 0A000, nothing distributed, no shard on a worker"

out=$(coord -c "$unsafe" -c "SELECT create_reference_table('doc')"); refused "create_reference_table" "$out"
out=$(coord -c "$unsafe" -c "SELECT citus_add_local_table_to_metadata('doc')"); refused "citus_add_local_table_to_metadata" "$out"
out=$(coord -c "$unsafe" -c "SELECT create_distributed_table_concurrently('doc', 'id')"); refused "create_distributed_table_concurrently" "$out"
local_still "reference, Citus local, concurrent"
ok "create_reference_table, citus_add_local_table_to_metadata, create_distributed_table_concurrently: refused the same way"

out=$(coord -c "CREATE TABLE ref (id bigint PRIMARY KEY)" -c "SELECT create_reference_table('ref')" \
            -c "INSERT INTO ref VALUES (1), (2)") || fail "a reference table: $out"
out=$(coord -c "$unsafe" -c "ALTER TABLE doc ADD FOREIGN KEY (id) REFERENCES ref (id)"); refused "a foreign key to a reference table" "$out"
out=$(coord -c "CREATE SCHEMA dist_s" -c "SELECT citus_schema_distribute('dist_s')") || fail "a distributed schema: $out"
out=$(coord -c "$unsafe" -c "ALTER TABLE doc SET SCHEMA dist_s"); refused "ALTER TABLE … SET SCHEMA into a distributed schema" "$out"
out=$(coord -c "CREATE SCHEMA own_s" -c "ALTER TABLE doc SET SCHEMA own_s" -c "$unsafe" -c "SELECT citus_schema_distribute('own_s')")
refused "citus_schema_distribute" "$out"
coord -c "ALTER TABLE own_s.doc SET SCHEMA public" >/dev/null
local_still "DDL"
ok "a foreign key to a reference table, a move into a distributed schema, citus_schema_distribute: refused"

out=$(coord -c "CREATE TABLE part (id bigint, label tmac.label NOT NULL) PARTITION BY RANGE (id)" \
            -c "CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (100)" \
            -c "SELECT tmac.protect('part')" -c "$unsafe" -c "SELECT create_distributed_table('part', 'id')")
grep -q "ERROR:  0A000: cannot distribute protected table \"part\(_1\)\?\" with Citus" <<<"$out" \
  || fail "a protected partitioned table: $out"
ok "a protected partitioned table: refused"

# in Japanese: the refusal may come from a worker (Citus syncs its metadata there first), so the
# language is set on every node, as a Japanese site sets lc_messages in each postgresql.conf
japanese() {
  local i
  for i in 0 1 2; do
    node $i -c "SET citus.enable_ddl_propagation = off" -c "ALTER DATABASE citus_test SET lc_messages = '$1'" >/dev/null
  done
}
japanese ja_JP.UTF-8
out=$(coord -c "$unsafe" -c "SELECT create_reference_table('doc')")
japanese C
grep -q "ERROR:  0A000: 保護対象テーブル \"doc\" は Citus で分散できません" <<<"$out" || fail "in Japanese: $out"
grep -q "DETAIL:  Citus はテーブルの行単位セキュリティのポリシーを AS RESTRICTIVE を付けずに" <<<"$out" || fail "the detail in Japanese: $out"
ok "the refusal in Japanese (lc_messages = 'ja_JP.UTF-8' on every node)"

# tmac.protect of a table Citus manages
out=$(coord -c "CREATE TABLE dist (id bigint PRIMARY KEY, body text, label tmac.label NOT NULL)" \
            -c "SELECT create_distributed_table('dist', 'id')" \
            -c "INSERT INTO dist SELECT g, 'row ' || g, CASE WHEN g % 2 = 0 THEN 'SECRET' ELSE 'PUBLIC' END::tmac.label FROM generate_series(1, 40) g" \
            -c "GRANT SELECT ON dist TO reader" \
            -c "CREATE TABLE refl (id bigint PRIMARY KEY, label tmac.label NOT NULL)" \
            -c "SELECT create_reference_table('refl')") || fail "distributed tables: $out"
for t in dist refl; do
  out=$(coord -c "SELECT tmac.protect('$t')")
  grep -q "ERROR:  0A000: \"public.$t\" (in the tree of \"public.$t\") is distributed by Citus and cannot be protected" <<<"$out" \
    || fail "tmac.protect('$t'): $out"
  grep -q "HINT:  Protect a local table on the coordinator: undistribute it first (SELECT undistribute_table('public.$t'))." <<<"$out" \
    || fail "tmac.protect('$t') says what to do: $out"
done
out=$(coord -c "SET lc_messages = 'ja_JP.UTF-8'" -c "SELECT tmac.protect('dist')")
grep -q "ERROR:  0A000: \"public.dist\"（.*）は Citus で分散されているため保護できません" <<<"$out" || fail "in Japanese: $out"
[ "$(coord -c "SELECT count(*) FROM tmac.protected_table")" = 3 ] || fail "the registry holds doc, part and part_1 only"
ok "tmac.protect of a distributed or reference table: 0A000 with the undistribute_table hint, in Japanese too"

# A shard with tmac's policies permissive, as Citus leaves a protected table distributed by
# force: a superuser gives one shard of dist on worker 1 that shape.
shard=$(node 1 -c "SELECT shard_name FROM citus_shards WHERE table_name = 'dist'::regclass AND nodeport = ${TMAC_CITUS_PORTS[1]} ORDER BY 1 LIMIT 1")
sid=${shard##*_}
out=$(node 1 -c "SET citus.enable_manual_changes_to_shards = on" \
             -c "ALTER TABLE $shard ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY" \
             -c "CREATE POLICY tmac_base ON $shard USING (true) WITH CHECK (true)" \
             -c "CREATE POLICY tmac_read_$sid ON $shard FOR SELECT USING (tmac.row_readable(label))" \
             -c "CREATE POLICY tmac_insert_$sid ON $shard FOR INSERT WITH CHECK (tmac.row_writable(label))") \
  || fail "forcing the shape on $shard: $out"
out=$(node 1 -c "SET ROLE reader" -c "SELECT count(*) FROM $shard")
grep -q "ERROR:  0A000: table \"$shard\" carries tmac's policy \"tmac_read_$sid\" as a permissive policy" <<<"$out" \
  || fail "a direct query on the worker's shard: $out"
out=$(coord -c "SET ROLE reader" -c "SELECT count(*) FROM dist")
grep -q "ERROR:  0A000: table \"$shard\" carries tmac's policy \"tmac_read_$sid\" as a permissive policy" <<<"$out" \
  || fail "a query through the coordinator reaching that shard: $out"
out=$(node 1 -c "SELECT count(*) > 0 FROM $shard")
[ "$out" = t ] || fail "a superuser reads past row security, there as everywhere: $out"
out=$(node 1 -c "SELECT subject FROM tmac.check_protected_table_unenforced()")
[ "$out" = "table:public.$shard" ] || fail "the worker's finding: $out"
ok "a shard with tmac's policies permissive: refused on the worker and through the coordinator, a finding on the worker"

# the coordinator's finding: a registered table Citus manages (the registry forged by a superuser)
out=$(coord -c "SET session_replication_role = replica" \
            -c "INSERT INTO tmac.protected_table (relid, label_column, protected_by) VALUES ('dist', 'label', 'postgres')" \
            -c "RESET session_replication_role" \
            -c "SELECT subject FROM tmac.check_protected_table_unenforced() WHERE detail LIKE '%distributed by Citus%'")
[ "$(echo "$out" | tail -n 1)" = "table:public.dist" ] || fail "the coordinator's finding: $out"
ok "a protected table Citus manages is a protected_table_unenforced finding on the coordinator"

# what was there before does not block later statements (only a statement's own distribution is
# refused), nor the repair: undistribute_table, then the shard's forced policies are gone
out=$(coord -c "CREATE TABLE later (id bigint PRIMARY KEY)" -c "SELECT create_distributed_table('later', 'id')" \
            -c "SELECT undistribute_table('dist')" \
            -c "SELECT count(*) FROM tmac.check_protected_table_unenforced()" \
            -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text = 'dist'") || fail "later statements, the repair: $out"
# (undistribute_table replaces the table: the registry forgets the dropped one, audited)
[ "$(echo "$out" | tail -n 2 | tr '\n' ' ')" = "0 0 " ] || fail "after undistribute_table, no finding and dist is local: $out"
ok "a forced state blocks neither later statements nor undistribute_table"
