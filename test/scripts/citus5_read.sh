#!/usr/bin/env bash
# citus5_read.sh — a protected table hash-distributed by Citus is read through the coordinator
# with the same answers as on one node (src/citus_profile.c): the coordinator signs each
# statement's profile and every worker decides from it alone.  On a coordinator and two
# workers (test/server.sh): both orders (protect then tmac.citus_distribute; create_distributed_table
# then tmac.protect), per-person answers equal to a protected local copy for a cleared reader with
# a compartment, a compartment-only reader, a cleared reader without compartments and an
# unmapped role; a revocation and a termination on the coordinator honoured by the next
# distributed query; a direct query on a worker refused; a profile copied from the shard query
# and replayed by another role, after its expiry or with one byte changed, refused; a worker
# with another vocabulary refuses until tmac.citus_vocabulary_push(); writes, EXPLAIN and views
# refused; a shard whose policies were changed refused and reported.
set -uo pipefail
name=citus5_read
. "$(dirname "$0")/citus_cluster.bash"

readers="alice bob carol nobody"
rows() {   # rows ROLE TABLE [WHERE]: the ids ROLE reads, through the coordinator
  coord -c "SET ROLE $1" -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM $2 ${3:-}"
}
same_as_local() {   # same_as_local WHAT TABLE: every reader's answer equals doc_local's
  local r d l
  for r in $readers; do
    d=$(rows "$r" "$2"); l=$(rows "$r" doc_local)
    [ "$d" = "$l" ] || fail "$1: $r reads $d from $2, $l from the local copy"
    d=$(rows "$r" "$2" "WHERE id % 3 = 0"); l=$(rows "$r" doc_local "WHERE id % 3 = 0")
    [ "$d" = "$l" ] || fail "$1: $r reads $d from $2 with a filter, $l from the local copy"
  done
}
blob_of() {   # the profile a role's query through the coordinator carries to the shards
  coord -c "SET citus.log_remote_commands = on" -c "SET ROLE $1" -c "SELECT count(*) FROM $2" \
    | grep -o "tmac.citus_statement('[^']*'" | head -n 1 | sed "s/^tmac.citus_statement('//; s/'\$//"
}
sign() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$citus_key" | awk '{print $NF}'; }

out=$(coord -c "CREATE EXTENSION tmac" \
            -c "SELECT tmac.define_compartment('PRJ', 'Project')" \
            -c "CREATE ROLE alice LOGIN" -c "CREATE ROLE bob LOGIN" -c "CREATE ROLE carol LOGIN" -c "CREATE ROLE nobody LOGIN" \
            -c "CREATE ROLE adm LOGIN" -c "CREATE ROLE appr LOGIN" \
            -c "GRANT tmac_access_admin TO adm" -c "GRANT tmac_approver TO appr" \
            -c "SELECT tmac.enrol_login(r) FROM unnest(ARRAY['alice', 'bob', 'carol', 'adm', 'appr']::regrole[]) r" \
            -c "INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
                  ('h1', 'A1', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'Alice', 'login_role', 'alice')),
                  ('h2', 'B1', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'Bob', 'login_role', 'bob')),
                  ('h3', 'C1', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'Carol', 'login_role', 'carol')),
                  ('h4', 'D1', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'Adm', 'login_role', 'adm')),
                  ('h5', 'E1', 'hire', now() - interval '1 hour', jsonb_build_object('full_name', 'Appr', 'login_role', 'appr'))" \
            -c "SELECT tmac.record_pledge(p, 'hire', current_date - 1), tmac.record_training(p, 'basics', current_date - 1) FROM unnest(ARRAY['A1', 'B1', 'C1']) p" \
            -c "SET ROLE adm" \
            -c "SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'work')" \
            -c "SELECT tmac.request_access('A1', 'PRJ', now() + interval '30 days', 'work')" \
            -c "SELECT tmac.request_access('B1', 'PRJ', now() + interval '30 days', 'work')" \
            -c "SELECT tmac.request_clearance('C1', 'CONFIDENTIAL', now() + interval '30 days', 'work')" \
            -c "SET ROLE appr" -c "SELECT tmac.approve(grant_id) FROM tmac.grants ORDER BY grant_id" -c "RESET ROLE" \
            -c "CREATE TABLE doc_local (id bigint PRIMARY KEY, body text, label tmac.label NOT NULL)" \
            -c "INSERT INTO doc_local SELECT g, 'row ' || g, (CASE g % 6 WHEN 0 THEN 'PUBLIC' WHEN 1 THEN 'INTERNAL' WHEN 2 THEN 'SECRET'
                                      WHEN 3 THEN 'INTERNAL:PRJ' WHEN 4 THEN 'PUBLIC:PRJ' ELSE 'TOP_SECRET' END)::tmac.label
                  FROM generate_series(1, 60) g" \
            -c "CREATE TABLE doc (LIKE doc_local)" -c "ALTER TABLE doc ADD PRIMARY KEY (id)" -c "INSERT INTO doc SELECT * FROM doc_local" \
            -c "CREATE TABLE doc2 (LIKE doc_local)" -c "ALTER TABLE doc2 ADD PRIMARY KEY (id)" -c "INSERT INTO doc2 SELECT * FROM doc_local" \
            -c "GRANT SELECT ON doc_local, doc, doc2 TO alice, bob, carol, nobody" \
            -c "SELECT tmac.protect('doc_local')" -c "SELECT tmac.protect('doc')") || fail "setup: $out"
for r in $readers; do [ "$(rows $r doc_local)" != - ] || [ $r = nobody ] || fail "setup: $r reads something locally"; done
[ "$(rows alice doc_local)" != "$(rows carol doc_local)" ] && [ "$(rows bob doc_local)" != "$(rows carol doc_local)" ] \
  || fail "setup: the readers read differently"

# order 1: protect, then distribute with tmac.citus_distribute (plain create_distributed_table stays refused)
out=$(coord -c "SELECT tmac.citus_vocabulary_push()") && [ "$out" = 2 ] || fail "the vocabulary to both workers: $out"
out=$(coord -c "SET citus.enable_unsafe_triggers = on" -c "SELECT create_distributed_table('doc', 'id')")
grep -q "ERROR:  0A000: cannot distribute protected table \"doc\" with Citus" <<<"$out" || fail "create_distributed_table of a protected table: $out"
grep -q "HINT:  Distribute a protected table by hash with tmac.citus_distribute()" <<<"$out" || fail "the hint names tmac.citus_distribute: $out"
out=$(coord -c "SELECT tmac.citus_distribute('doc', 'id')" -c "SELECT count(*) FROM tmac.check_protected_table_unenforced()" \
            -c "SELECT polname || ' ' || polpermissive || ' ' || pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polrelid = 'doc'::regclass") \
  || fail "tmac.citus_distribute: $out"
[ "$(tail -n 2 <<<"$out" | tr '\n' ' ')" = "0 tmac_shard_read true tmac.shard_row_readable(label) " ] || fail "doc's one policy, no finding: $out"
out=$(node 1 -c "SET citus.override_table_visibility = off" \
             -c "SELECT DISTINCT polname ~ '^tmac_shard_read(_[0-9]+)?\$' AND polpermissive AND tmac.citus_shard_shape(polrelid) FROM pg_policy WHERE polrelid::regclass::text ~ '^doc_[0-9]+\$'")
[ "$out" = t ] || fail "a worker's shards carry exactly tmac_shard_read: $out"
same_as_local "protect, then tmac.citus_distribute" doc
ok "protect then tmac.citus_distribute: one permissive policy on the shards, each reader (cleared + compartment, compartment only, cleared only, unmapped) reads what the local copy shows"

# order 2: distribute, then protect
out=$(coord -c "SELECT create_distributed_table('doc2', 'id')" -c "SELECT tmac.protect('doc2')" \
            -c "SELECT count(*) FROM tmac.check_protected_table_unenforced()") || fail "create_distributed_table, then protect: $out"
[ "$(tail -n 1 <<<"$out")" = 0 ] || fail "doc2: no finding: $out"
same_as_local "create_distributed_table, then tmac.protect" doc2
out=$(coord -c "SET ROLE carol" -c "SELECT count(*), count(*) FILTER (WHERE tmac.label_rank(doc.label) > 20) FROM doc2 JOIN doc USING (id)")
[ "$out" = "$(coord -c "SET ROLE carol" -c "SELECT count(*), 0 FROM doc_local")" ] || fail "a join of two protected distributed tables: $out"
# Citus's recursive planning (a CTE with LIMIT, a join with a local table of the coordinator)
# plans the distributed part on its own: it carries the profile too
coord -c "CREATE TABLE ids AS SELECT generate_series(1, 60, 2)::bigint AS id" -c "GRANT SELECT ON ids TO alice, bob, carol, nobody" >/dev/null
for r in $readers; do
  for t in doc doc2; do
    d=$(coord -c "SET ROLE $r" -c "WITH c AS MATERIALIZED (SELECT id FROM $t ORDER BY id LIMIT 7) SELECT string_agg(id::text, ',') FROM c" \
              -c "SELECT count(*) FROM $t JOIN ids USING (id)" -c "SELECT count(*) FROM ids WHERE id IN (SELECT id FROM $t)")
    l=$(coord -c "SET ROLE $r" -c "WITH c AS MATERIALIZED (SELECT id FROM doc_local ORDER BY id LIMIT 7) SELECT string_agg(id::text, ',') FROM c" \
              -c "SELECT count(*) FROM doc_local JOIN ids USING (id)" -c "SELECT count(*) FROM ids WHERE id IN (SELECT id FROM doc_local)")
    [ "$d" = "$l" ] || fail "recursive planning, $r on $t: $d, the local copy: $l"
  done
done
# (Citus plans those parts again through the planner: each shard query carries one profile, not
# two — two signed a second apart would differ, and a worker refuses a statement with two)
out=$(coord -c "SET citus.log_remote_commands = on" -c "SET ROLE bob" \
            -c "WITH c AS MATERIALIZED (SELECT id FROM doc ORDER BY id LIMIT 7) SELECT count(*) FROM c" \
            -c "SELECT count(*) FROM ids WHERE id IN (SELECT id FROM doc)" | grep "issuing .*tmac.citus_statement")
[ -n "$out" ] && ! grep -q "citus_statement.*citus_statement" <<<"$out" || fail "a shard query with two profiles: $out"
ok "create_distributed_table then tmac.protect: the same answers; a join of two protected distributed tables, a CTE with LIMIT and a join with a local table too"

# revocation and termination on the coordinator, honoured by the next distributed query
# (in one session, through a prepared statement whose generic plan the plan cache keeps: the
# plan carries a profile, and is planned again for the next statement)
ex=(); for i in 1 2 3 4 5 6 7; do ex+=(-c "EXECUTE q"); done
out=$(coord -c "SET ROLE alice" -c "PREPARE q AS SELECT count(*) FROM doc" "${ex[@]}" \
            -c "RESET ROLE" -c "SET ROLE appr" \
            -c "SELECT tmac.revoke((SELECT grant_id FROM tmac.grants WHERE person_id = 'A1' AND compartment = 'PRJ'), 'project ended')" \
            -c "RESET ROLE" -c "SET ROLE alice" -c "EXECUTE q" -c "SELECT count(*) FROM doc_local") || fail "revoke: $out"
mapfile -t c <<<"$out"
[ "${c[0]}" = "${c[6]}" ] && [ "${c[8]}" = "${c[9]}" ] && [ "${c[8]}" -lt "${c[0]}" ] \
  || fail "the revocation is honoured by the prepared statement's next execution: $(tr '\n' ' ' <<<"$out")"
same_as_local "after a revocation" doc
before=$(rows carol doc)
out=$(coord -c "INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('t1', 'C1', 'terminate')") || fail "terminate: $out"
# (the login gate takes LOGIN from a terminated person's role, and Citus's ALTER ROLE reaches the
# workers: the coordinator cannot even connect there as carol)
out=$(rows carol doc)
[ "$out" = "$(rows carol doc_local)" ] || grep -q "FATAL:  role \"carol\" is not permitted to log in" <<<"$out" \
  || fail "carol, terminated, reads $out (the local copy: $(rows carol doc_local), before: $before)"
readers="alice bob nobody"   # (carol is terminated from here on)
same_as_local "after a termination" doc2
ok "a revocation and a termination on the coordinator are honoured by the next distributed query"

# a direct query on a worker: the distributed table (a worker's registry is empty: no profile)
# and a shard of it, as each reader, refused
shard=$(coord -c "SELECT shard_name FROM citus_shards WHERE table_name = 'doc'::regclass AND nodeport = ${TMAC_CITUS_PORTS[1]} ORDER BY 1 LIMIT 1")
for r in alice nobody; do
  out=$(node 1 -c "SET ROLE $r" -c "SELECT count(*) FROM doc")
  grep -q "ERROR:  42501: no access profile from the coordinator for this statement" <<<"$out" || fail "$r on worker 1, the table: $out"
  out=$(node 1 -c "SET ROLE $r" -c "SELECT count(*) FROM $shard")
  grep -q "ERROR:  42501: no access profile from the coordinator for this statement" <<<"$out" || fail "$r on worker 1, shard $shard: $out"
done
ok "a direct query on a worker, of the distributed table or a shard: 42501, no rows"

# a profile copied from the shard query (what the worker's pg_stat_activity and log show)
blob=$(blob_of alice doc)
[ -n "$blob" ] || fail "no profile in alice's shard query: $(coord -c "SET citus.log_remote_commands = on" -c "SET ROLE alice" -c "SELECT count(*) FROM doc" | head -5)"
direct() { node 1 -c "SET ROLE $1" -c "SELECT count(*) FROM $shard WHERE tmac.citus_statement('$2')"; }
out=$(direct alice "$blob")
[[ "$out" =~ ^[0-9]+$ ]] || fail "the role it was made for, within its expiry, on the shard: $out"
out=$(direct nobody "$blob")
grep -q "ERROR:  42501: the access profile attached to this statement is not valid: it was made for another role" <<<"$out" \
  || fail "replayed by another role: $out"
mac=${blob%%.*}; payload=${blob#*.}
changed="$mac.${payload/|;0 1/|;0 0}"; [ "$changed" != "$blob" ] || changed="$mac.${payload}0"
out=$(direct alice "$changed")
grep -q "ERROR:  42501: the access profile attached to this statement is not valid: its signature does not match" <<<"$out" \
  || fail "one byte changed: $out"
IFS='|' read -r v exp rest <<<"$payload"
old="$v|$(( $(date +%s) - 5 ))|$rest"
out=$(direct alice "$(sign "$old").$old")
grep -q "ERROR:  42501: the access profile attached to this statement is not valid: it has expired" <<<"$out" || fail "expired: $out"
other=$(printf '%s' nobody | od -An -tx1 | tr -d ' \n'); IFS='|' read -r v exp dg db role tabs prof <<<"$payload"
forged="$v|$exp|$dg|$db|$other|$tabs|$prof"
out=$(direct nobody "${mac}.$forged")
grep -q "ERROR:  42501: the access profile attached to this statement is not valid: its signature does not match" <<<"$out" \
  || fail "alice's profile relabelled for nobody without the key: $out"
out=$(node 1 -c "SET ROLE alice" -c "SELECT current_setting('tmac.citus_key')")
grep -q "ERROR:  42501: must be superuser or have privileges of pg_read_all_settings to examine \"tmac.citus_key\"" <<<"$out" \
  || fail "a worker session reads the key: $out"
out=$(node 1 -c "SET ROLE alice" -c "SET tmac.citus_key = 'another key of at least thirty-two characters'")
grep -q "ERROR:  55P02: parameter \"tmac.citus_key\" cannot be changed now" <<<"$out" || fail "a worker session sets the key: $out"
[ -z "$(node 1 -c "SET ROLE alice" -c "SHOW ALL" | grep citus_key)" ] || fail "SHOW ALL shows the key"
ok "a profile replayed by another role, after its expiry, with one byte changed or relabelled without the key: 42501; a worker session can neither read nor set the key"

# a worker with another vocabulary refuses until the coordinator pushes its own
out=$(coord -c "SELECT tmac.define_compartment('NEW', 'New project')")
out=$(coord -c "SET ROLE alice" -c "SELECT count(*) FROM doc")
grep -q "ERROR:  55000: this node's vocabulary differs from the coordinator's" <<<"$out" || fail "another vocabulary: $out"
grep -q "HINT:  Run SELECT tmac.citus_vocabulary_push() on the coordinator." <<<"$out" || fail "the hint names the function: $out"
out=$(coord -c "SELECT tmac.citus_vocabulary_push()") && [ "$out" = 2 ] || fail "push: $out"
[ "$(node 1 -c "SELECT tmac.citus_vocabulary_digest()")" = "$(coord -c "SELECT tmac.citus_vocabulary_digest()")" ] || fail "digests"
same_as_local "after tmac.citus_vocabulary_push()" doc
out=$(coord -c "SELECT tmac.citus_vocabulary_load(tmac.vocabulary_copy_text())")
grep -q "ERROR:  0A000: tmac.citus_vocabulary_load() runs on a Citus worker only" <<<"$out" || fail "loading on the coordinator: $out"
ok "a worker with another vocabulary refuses (55000, hint tmac.citus_vocabulary_push()); after the push the answers are the local copy's"

# refused: writes by roles under row security, EXPLAIN, a view (decided for its owner)
out=$(coord -c "GRANT UPDATE, INSERT, DELETE ON doc TO alice" -c "CREATE VIEW doc_v AS SELECT * FROM doc" -c "GRANT SELECT ON doc_v TO alice")
for sql in "UPDATE doc SET body = 'x' WHERE id = 1" "DELETE FROM doc WHERE id = 1" "INSERT INTO doc VALUES (100, 'x', 'PUBLIC')" \
           "SELECT id FROM doc WHERE id = 1 FOR UPDATE" "EXPLAIN SELECT count(*) FROM doc" "SELECT count(*) FROM doc_v"; do
  out=$(coord -c "SET ROLE alice" -c "$sql")
  grep -q "ERROR:  0A000: tmac does not support this statement on protected distributed table \"doc\"" <<<"$out" || fail "$sql: $out"
done
[ "$(coord -c "SELECT count(*) FROM doc WHERE body = 'x'")" = 0 ] || fail "nothing was written"
out=$(coord -c "SET lc_messages = 'ja_JP.UTF-8'" -c "SET ROLE alice" -c "DELETE FROM doc WHERE id = 1")
grep -q "ERROR:  0A000: tmac は分散された保護対象テーブル \"doc\" に対するこの文をサポートしていません" <<<"$out" || fail "in Japanese: $out"
out=$(coord -c "INSERT INTO doc VALUES (100, 'owner', 'SECRET')" -c "INSERT INTO doc_local VALUES (100, 'owner', 'SECRET')" -c "SELECT count(*) FROM doc") && [ "$(tail -n 1 <<<"$out")" = 61 ] \
  || fail "the owner (a superuser here) loads rows past row security: $out"
ok "writes, SELECT … FOR UPDATE, EXPLAIN and a view by a role under row security: 0A000 (in Japanese too); a load past row security works"

# a shard whose policies were changed: refused through the coordinator, and a finding on the worker
out=$(node 1 -c "SET citus.enable_manual_changes_to_shards = on" -c "CREATE POLICY mine ON $shard USING (true)") || fail "$out"
out=$(coord -c "SET ROLE alice" -c "SELECT count(*) FROM doc")
grep -q "ERROR:  0A000: table \"$shard\" carries tmac's policy \"tmac_shard_read\" but not as tmac installed it" <<<"$out" \
  || fail "a shard with a second policy: $out"
out=$(node 1 -c "SELECT subject FROM tmac.check_protected_table_unenforced()")
[ "$out" = "table:public.$shard" ] || fail "the worker's finding: $out"
node 1 -c "SET citus.enable_manual_changes_to_shards = on" -c "DROP POLICY mine ON $shard" >/dev/null
[ "$(rows alice doc)" = "$(rows alice doc_local)" ] || fail "repaired"
[ "$(node 1 -c "SELECT count(*) FROM tmac.check_protected_table_unenforced()")" = 0 ] || fail "the finding clears once repaired"
# a shard stripped of tmac's policy and row security (which a worker alone cannot tell from any
# other table): the profile names the protected tables, and their shards must carry the shape
out=$(node 1 -c "SET citus.enable_manual_changes_to_shards = on" -c "DROP POLICY tmac_shard_read ON $shard" \
             -c "ALTER TABLE $shard DISABLE ROW LEVEL SECURITY") || fail "$out"
out=$(coord -c "SET ROLE alice" -c "SELECT count(*) FROM doc")
grep -q "ERROR:  0A000: shard \"$shard\" of a protected table does not carry tmac's policy as tmac installed it" <<<"$out" \
  || fail "a shard without tmac's policy: $out"
out=$(node 1 -c "SET citus.enable_manual_changes_to_shards = on" -c "ALTER TABLE $shard ENABLE ROW LEVEL SECURITY" \
             -c "CREATE POLICY tmac_shard_read ON $shard FOR SELECT USING (tmac.shard_row_readable(label))") || fail "$out"
[ "$(rows alice doc)" = "$(rows alice doc_local)" ] || fail "repaired again"
ok "a shard whose policies differ from tmac's: 0A000 through the coordinator, a protected_table_unenforced finding on its worker, cleared by the repair; a shard stripped of its policy refused too"

# without the key, nothing is signed: the coordinator refuses (and so would a worker)
out=$(coord -c "ALTER SYSTEM SET tmac.citus_key = ''" -c "SELECT pg_reload_conf()" -c "SELECT pg_sleep(0.2)" \
            -c "SET ROLE alice" -c "SELECT count(*) FROM doc")
coord -c "ALTER SYSTEM RESET tmac.citus_key" -c "SELECT pg_reload_conf()" >/dev/null
grep -q "ERROR:  0A000: tmac.citus_key is not set on this node" <<<"$out" || fail "no key on the coordinator: $out"
[ "$(rows alice doc)" = "$(rows alice doc_local)" ] || fail "the key back"
ok "without tmac.citus_key on the coordinator: 0A000, nothing read"

echo "1..$n"
