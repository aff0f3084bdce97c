-- partial2_hash_dependents.sql — pgTAP: whatever stores or routes by a label's hash (which
-- follows codes, src/label_compare.c) is found by tmac.label_hash_dependents(), not only keys
-- with tmac.label_hash_ops: a hash key of an array, domain, composite or range holding a label,
-- and an expression calling tmac.label_hash (directly or through an operator).  A rename refuses
-- while such a table is partitioned on one, and rebuilds such indexes (a partitioned index's
-- partitions one by one: REINDEX of a partitioned index cannot run in a function).
BEGIN;
SELECT plan(15);
SET LOCAL search_path = public, tmac;
SET LOCAL client_min_messages = warning;
SELECT tmac.define_compartment('HD-A', 'hash dependents A');
SELECT tmac.define_compartment('HD-B', 'hash dependents B');
CREATE DOMAIN hd_dom AS tmac.label;
CREATE TYPE hd_pair AS (id int, l tmac.label);
CREATE TYPE hd_range AS RANGE (subtype = tmac.label);
CREATE FUNCTION hd_hash(tmac.label) RETURNS integer LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT tmac.label_hash($1); END;
CREATE OPERATOR ### (RIGHTARG = tmac.label, FUNCTION = tmac.label_hash);

-- each kind of partitioned table is refused, named
CREATE FUNCTION hd_refused(ddl text) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
  EXECUTE ddl;
  BEGIN
    PERFORM tmac.rename_compartment('HD-A', 'HD-A2');
    RETURN 'renamed';
  EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN CASE WHEN SQLERRM LIKE '%public.hd_p%' THEN 'refused' ELSE SQLERRM END;
  END;
END
$f$;
CREATE FUNCTION hd_case(key text, strategy text DEFAULT 'HASH') RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  r text;
BEGIN
  DROP TABLE IF EXISTS hd_p;
  r := hd_refused(format('CREATE TABLE hd_p (id int, l tmac.label, d hd_dom, c hd_pair, g hd_range) PARTITION BY %s (%s)', strategy, key));
  DROP TABLE hd_p;
  RETURN r;
END
$f$;
SELECT is(hd_case('(ARRAY[l])'), 'refused', 'hash-partitioned on ARRAY[label] (array_ops hashes each label): refused');
SELECT is(hd_case('d'), 'refused', '... on a domain over tmac.label: refused');
SELECT is(hd_case('c'), 'refused', '... on a composite holding a label: refused');
SELECT is(hd_case('g'), 'refused', '... on a range of labels: refused');
SELECT is(hd_case('(ROW(id, l)::hd_pair)'), 'refused', '... on an expression of a composite type over the label column: refused');
SELECT is(hd_case('(tmac.label_hash(l))'), 'refused', '... on tmac.label_hash(label): refused');
SELECT is(hd_case('(hd_hash(l))', 'LIST'), 'refused', 'list-partitioned on a function whose body calls tmac.label_hash: refused');
SELECT is(hd_case('((### l))', 'RANGE'), 'refused', 'range-partitioned on an operator over tmac.label_hash: refused');
SELECT is(hd_case('id'), 'renamed', 'hash-partitioned on another column: the rename goes through');
SELECT tmac.rename_compartment('HD-A2', 'HD-A');

-- indexes that store a label's hash are rebuilt: found by the new code afterwards
CREATE TABLE hd_doc (id int, l tmac.label) PARTITION BY LIST (id);
CREATE TABLE hd_doc_0 PARTITION OF hd_doc FOR VALUES IN (0);
CREATE TABLE hd_doc_1 PARTITION OF hd_doc FOR VALUES IN (1);
INSERT INTO hd_doc SELECT i % 2, (ARRAY['PUBLIC', 'SECRET:HD-A', 'INTERNAL:HD-A,HD-B'])[1 + i % 3]::tmac.label FROM generate_series(1, 300) i;
CREATE INDEX hd_doc_array ON hd_doc USING hash ((ARRAY[l]));
CREATE INDEX hd_doc_hash ON hd_doc ((tmac.label_hash(l)));
CREATE INDEX hd_doc_label ON hd_doc USING hash (l);
SELECT ok((SELECT count(*) FROM tmac.label_hash_dependents() d WHERE d.relid::text LIKE 'hd_doc%') = 9,
          'the partitioned indexes and their partitions'' indexes are listed');
SELECT lives_ok($$SELECT tmac.rename_compartment('HD-A', 'HD-A3')$$, 'a rename goes through with a partitioned hash index on labels');
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT is((SELECT count(*)::int FROM hd_doc WHERE ARRAY[l] = ARRAY['SECRET:HD-A3'::tmac.label]), 100,
          'after the rename the rebuilt hash index on ARRAY[label] finds the rows by the new code');
SELECT is((SELECT count(*)::int FROM hd_doc WHERE tmac.label_hash(l) = tmac.label_hash('INTERNAL:HD-A3,HD-B')), 100,
          '... and the rebuilt index on tmac.label_hash(label)');
SELECT is((SELECT count(*)::int FROM hd_doc WHERE l = 'SECRET:HD-A3'), 100, '... and the partitions'' hash indexes on the label');
SELECT ok(NOT EXISTS (SELECT FROM tmac.label_hash_dependents() d WHERE d.other_session), 'this session''s relations are its own');

SELECT * FROM finish();
ROLLBACK;
