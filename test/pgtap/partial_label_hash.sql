-- partial_label_hash.sql — pgTAP: a label's hash follows the codes it names (so a table
-- hash-partitioned on a label restores into a database whose ids differ, see
-- test/scripts/partial_dump_restore.sh); hash and equality agree; a rename rebuilds the hash
-- indexes on labels and is refused while a table is hash-partitioned on one.
BEGIN;
SELECT plan(8);
SET LOCAL search_path = public, tmac;
SELECT tmac.define_compartment('LH-A', 'hash A');
SELECT tmac.define_compartment('LH-B', 'hash B');

SELECT is(tmac.label_hash('SECRET:LH-A,LH-B'), tmac.label_hash('SECRET:lh-b,lh-a'), 'equal labels hash alike, however written');
SELECT isnt(tmac.label_hash('SECRET:LH-A'), tmac.label_hash('SECRET:LH-B'), 'different compartments hash apart');
SELECT is((tmac.label_hash_extended('INTERNAL:LH-A', 0) & 4294967295)::bigint,
          (tmac.label_hash('INTERNAL:LH-A')::bigint & 4294967295),
          'the extended hash with seed 0 has the plain hash in its low 32 bits');

-- a hash index on labels, used
CREATE TABLE lh_doc (id int, label tmac.label);
INSERT INTO lh_doc SELECT i, (ARRAY['PUBLIC', 'SECRET:LH-A', 'INTERNAL:LH-A,LH-B'])[1 + i % 3]::tmac.label FROM generate_series(1, 300) i;
CREATE INDEX lh_doc_label ON lh_doc USING hash (label);
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT is((SELECT count(*)::int FROM lh_doc WHERE label = 'SECRET:LH-A'), 100, 'the hash index finds the rows');
SELECT tmac.rename_compartment('LH-A', 'LH-A2');
SELECT is((SELECT count(*)::int FROM lh_doc WHERE label = 'SECRET:LH-A2'), 100, 'after a rename, the rebuilt hash index finds them by the new code');
SELECT is((SELECT count(*)::int FROM lh_doc WHERE label = 'INTERNAL:LH-A2,LH-B'), 100, '... all of them');

-- a table hash-partitioned on a label: a rename is refused, naming it
CREATE TABLE lh_part (id int, label tmac.label) PARTITION BY HASH (label);
CREATE TABLE lh_part_0 PARTITION OF lh_part FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE lh_part_1 PARTITION OF lh_part FOR VALUES WITH (MODULUS 2, REMAINDER 1);
SELECT throws_ok($$SELECT tmac.rename_compartment('LH-B', 'LH-B2')$$, '55000',
                 'cannot rename compartment "LH-B" while tables are hash-partitioned on a tmac.label column: public.lh_part',
                 'a rename is refused while a table is hash-partitioned on a label');
DROP TABLE lh_part;
SELECT lives_ok($$SELECT tmac.rename_compartment('LH-B', 'LH-B2')$$, 'without it, the rename goes through');

SELECT * FROM finish();
ROLLBACK;
