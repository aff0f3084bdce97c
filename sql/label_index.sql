-- label_index: btree and hash indexes, GROUP BY, DISTINCT, joins and hash
-- partitioning on a tmac.label column.
\set VERBOSITY terse
\set SHOW_CONTEXT never

CREATE TABLE label_index_doc (id int PRIMARY KEY, l tmac.label NOT NULL);
INSERT INTO label_index_doc
SELECT i, (ARRAY['PUBLIC', 'INTERNAL', 'CONFIDENTIAL:PRJ-A', 'SECRET:PRJ-A,PRJ-B:DEV',
                 'TOP_SECRET:BLUEPRINT', 'SECRET::SALES', 'CONFIDENTIAL'])[1 + i % 7]::tmac.label
  FROM generate_series(1, 7000) i;
CREATE INDEX label_index_doc_l ON label_index_doc (l);
ANALYZE label_index_doc;

-- btree: equality and range conditions use the index.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM label_index_doc WHERE l = 'SECRET::SALES';
SELECT count(*) FROM label_index_doc WHERE l = 'SECRET::SALES';
SELECT count(*) FROM label_index_doc WHERE l = '秘::営業部';
EXPLAIN (COSTS OFF) SELECT id FROM label_index_doc WHERE l >= 'SECRET' AND l < 'TOP_SECRET' ORDER BY l, id;
SELECT l, count(*) FROM label_index_doc WHERE l >= 'SECRET' AND l < 'TOP_SECRET' GROUP BY l ORDER BY l;
-- the index returns rows in label order
EXPLAIN (COSTS OFF) SELECT DISTINCT l FROM label_index_doc ORDER BY l;
SELECT DISTINCT l FROM label_index_doc ORDER BY l;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- GROUP BY and DISTINCT, sorted and hashed.
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT l, count(*) FROM label_index_doc GROUP BY l;
SELECT l, count(*) FROM label_index_doc GROUP BY l ORDER BY l;
RESET enable_hashagg;
SET enable_sort = off;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
EXPLAIN (COSTS OFF) SELECT l, count(*) FROM label_index_doc GROUP BY l;
SELECT l, count(*) FROM label_index_doc GROUP BY l ORDER BY 2, 1;
EXPLAIN (COSTS OFF) SELECT DISTINCT l FROM label_index_doc;
SELECT count(*) FROM (SELECT DISTINCT l FROM label_index_doc) d;
RESET enable_sort;
RESET enable_indexscan;
RESET enable_indexonlyscan;

-- Joins on a label column: hash join and merge join give the same answer.
CREATE TABLE label_index_handling (l tmac.label PRIMARY KEY, rule text);
INSERT INTO label_index_handling VALUES
  ('PUBLIC', 'anyone'), ('社内限', 'staff'), ('CONFIDENTIAL:PRJ-A', 'project A members'),
  ('SECRET:PRJ-B,PRJ-A:開発部', 'project A and B, development'), ('TOP_SECRET', 'officer only');
ANALYZE label_index_handling;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT h.rule, count(*) FROM label_index_doc d JOIN label_index_handling h ON d.l = h.l GROUP BY h.rule;
SELECT h.l, h.rule, count(*) FROM label_index_doc d JOIN label_index_handling h ON d.l = h.l GROUP BY h.l, h.rule ORDER BY h.l;
RESET enable_mergejoin;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF) SELECT h.rule, count(*) FROM label_index_doc d JOIN label_index_handling h ON d.l = h.l GROUP BY h.rule;
SELECT h.l, h.rule, count(*) FROM label_index_doc d JOIN label_index_handling h ON d.l = h.l GROUP BY h.l, h.rule ORDER BY h.l;
RESET enable_hashjoin;
RESET enable_nestloop;

-- Hash index.
CREATE INDEX label_index_doc_l_hash ON label_index_doc USING hash (l);
DROP INDEX label_index_doc_l;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM label_index_doc WHERE l = 'CONFIDENTIAL:PRJ-A';
SELECT count(*) FROM label_index_doc WHERE l = 'CONFIDENTIAL:PRJ-A';
SELECT count(*) FROM label_index_doc WHERE l = '対外秘:プロジェクトA';
SELECT count(*) FROM label_index_doc WHERE l = 'CONFIDENTIAL:PRJ-B';
RESET enable_seqscan;
RESET enable_bitmapscan;
-- hashing depends only on the label, not on how it was spelled
SELECT tmac.label_hash('秘:プロジェクトB,PRJ-A:DEV') = tmac.label_hash('secret:prj-a,prj-b:dev') AS same_hash,
       tmac.label_hash_extended('SECRET', 7) = tmac.label_hash_extended('秘', 7) AS same_extended,
       tmac.label_hash_extended('SECRET', 0) <> tmac.label_hash_extended('SECRET', 1) AS seed_matters;

-- A unique index: two spellings of one label collide.
INSERT INTO label_index_handling VALUES ('対外秘:PRJ-A', 'duplicate');
\echo :LAST_ERROR_SQLSTATE

-- Hash partitioning by a label column: every row lands in exactly one
-- partition, equal labels in the same one, and pruning finds it.
CREATE TABLE label_index_part (id int, l tmac.label) PARTITION BY HASH (l);
CREATE TABLE label_index_part_0 PARTITION OF label_index_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE label_index_part_1 PARTITION OF label_index_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE label_index_part_2 PARTITION OF label_index_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO label_index_part SELECT id, l FROM label_index_doc;
SELECT count(*) AS rows, count(DISTINCT tableoid) AS partitions_used FROM label_index_part;
SELECT l, count(DISTINCT tableoid) AS partitions, count(*) FROM label_index_part GROUP BY l ORDER BY l;
SELECT (SELECT count(*) FROM label_index_part_0) + (SELECT count(*) FROM label_index_part_1)
     + (SELECT count(*) FROM label_index_part_2) AS total_in_partitions;
-- the partition a label goes to is the one satisfies_hash_partition names
SELECT count(*) AS misplaced
  FROM (SELECT p.l, c.relname FROM label_index_part p JOIN pg_class c ON c.oid = p.tableoid) x
 WHERE NOT satisfies_hash_partition('label_index_part'::regclass, 3,
                                    right(x.relname, 1)::int, x.l);
EXPLAIN (COSTS OFF) SELECT count(*) FROM label_index_part WHERE l = 'SECRET::SALES';
SELECT count(*) FROM label_index_part WHERE l = 'SECRET::SALES';

DROP TABLE label_index_doc, label_index_handling, label_index_part;
