-- protect_partitions.sql — pgTAP: partitioned and inheritance trees are protected whole
-- (protect, the event trigger on CREATE/ALTER TABLE, unprotect, the protected_tree_inconsistent
-- finding), protected_table_unenforced on altered protection, and the registry
-- tmac.protected_table changes only through tmac, audited.
-- The reader is A1 (t_alice) of the shared people fixture, cleared INTERNAL.
BEGIN;
SELECT plan(35);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'INTERNAL', now() + interval '30 days', 'tap')$$) IS NOT NULL AS cleared \gset

CREATE FUNCTION pg_temp.protected(t regclass) RETURNS boolean LANGUAGE sql AS
  $$ SELECT coalesce((SELECT tmac.protection_in_place(p.relid, p.label_column) FROM tmac.protected_table p WHERE p.relid = t), false) $$;

-- A partitioned table, two levels deep.
CREATE TABLE pt_doc (id int, body text, label tmac.label NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE pt_doc_1 PARTITION OF pt_doc FOR VALUES FROM (0) TO (100);
CREATE TABLE pt_doc_2 PARTITION OF pt_doc FOR VALUES FROM (100) TO (200) PARTITION BY RANGE (id);
CREATE TABLE pt_doc_2a PARTITION OF pt_doc_2 FOR VALUES FROM (100) TO (150);
INSERT INTO pt_doc VALUES (1, 'a', 'PUBLIC'), (2, 'b', 'INTERNAL'), (3, 'c', 'SECRET'),
                          (101, 'd', 'PUBLIC'), (102, 'e', 'SECRET'), (103, 'f', 'INTERNAL');
GRANT SELECT, INSERT ON pt_doc, pt_doc_1, pt_doc_2, pt_doc_2a TO t_alice;

SELECT throws_ok($$SELECT tmac.protect('pt_doc_1')$$, '55000', NULL,
                 'protecting a partition of an unprotected parent is refused (the parent would show its rows)');
SELECT lives_ok($$SELECT tmac.protect('pt_doc')$$, 'a partitioned table can be protected');
SELECT results_eq($$SELECT relid::text || ':' || (label_column::text COLLATE "default") FROM tmac.protected_table WHERE relid::text LIKE 'pt_doc%' ORDER BY 1$$,
                  ARRAY['pt_doc:label', 'pt_doc_1:label', 'pt_doc_2:label', 'pt_doc_2a:label'],
                  'protect() of a parent protects all its partitions, at any depth');
SELECT ok(pg_temp.protected('pt_doc') AND pg_temp.protected('pt_doc_1') AND pg_temp.protected('pt_doc_2')
          AND pg_temp.protected('pt_doc_2a'), 'each carries row security and tmac''s policies');
SET LOCAL ROLE t_alice;
SELECT results_eq('SELECT id FROM pt_doc ORDER BY id', ARRAY[1, 2, 101, 103],
                  'a person cleared INTERNAL reading the partitioned parent sees only the rows she may read');
SELECT results_eq('SELECT id FROM pt_doc_2a ORDER BY id', ARRAY[101, 103], 'and reading a partition directly, too');
SELECT throws_ok($$INSERT INTO pt_doc VALUES (104, 'g', 'SECRET')$$, '42501', NULL,
                 'writing above her clearance through the parent is refused');
RESET ROLE;

-- New partitions come protected.
CREATE TABLE pt_doc_3 PARTITION OF pt_doc FOR VALUES FROM (200) TO (300);
SELECT ok(pg_temp.protected('pt_doc_3'), 'CREATE TABLE … PARTITION OF a protected table protects the new partition');
INSERT INTO pt_doc_3 VALUES (201, 'h', 'SECRET'), (202, 'i', 'PUBLIC');
GRANT SELECT ON pt_doc_3 TO t_alice;
SET LOCAL ROLE t_alice;
SELECT results_eq('SELECT id FROM pt_doc_3 ORDER BY id', ARRAY[202], 'the new partition filters its rows');
RESET ROLE;
CREATE TABLE pt_doc_4 (id int, body text, label tmac.label NOT NULL);
INSERT INTO pt_doc_4 VALUES (301, 'j', 'SECRET'), (302, 'k', 'INTERNAL');
GRANT SELECT ON pt_doc_4 TO t_alice;
ALTER TABLE pt_doc ATTACH PARTITION pt_doc_4 FOR VALUES FROM (300) TO (400);
SET LOCAL ROLE t_alice;
SELECT results_eq('SELECT id FROM pt_doc_4 ORDER BY id', ARRAY[302],
                  'ALTER TABLE … ATTACH PARTITION protects the attached table');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM tmac.audit_log WHERE category = 'protected_table' AND action = 'INSERT'
            AND subject = 'public.pt_doc_4'), 1, 'the automatic protection is audited');

-- What would expose rows is refused.
CREATE TABLE pt_other (id int, body text, label tmac.label NOT NULL) PARTITION BY RANGE (id);
ALTER TABLE pt_doc DETACH PARTITION pt_doc_4;
SELECT ok(pg_temp.protected('pt_doc_4'), 'a detached partition stays protected');
SELECT throws_ok($$ALTER TABLE pt_other ATTACH PARTITION pt_doc_4 FOR VALUES FROM (300) TO (400)$$, '55000', NULL,
                 'a protected table cannot become a partition of an unprotected table');
SELECT throws_ok($$SELECT tmac.unprotect('pt_doc_1')$$, '55000', NULL,
                 'unprotecting a partition of a protected parent is refused');
CREATE FOREIGN DATA WRAPPER pt_fdw;
CREATE SERVER pt_srv FOREIGN DATA WRAPPER pt_fdw;
SELECT throws_ok($$CREATE FOREIGN TABLE pt_doc_f PARTITION OF pt_doc FOR VALUES FROM (400) TO (500) SERVER pt_srv$$,
                 '42809', NULL, 'a foreign table (no row security) cannot become a partition of a protected table');
SELECT lives_ok($$SELECT tmac.protect('pt_other')$$, 'once the parent is protected');
SELECT lives_ok($$ALTER TABLE pt_other ATTACH PARTITION pt_doc_4 FOR VALUES FROM (300) TO (400)$$,
                'the protected table can be attached');

-- Inheritance.
CREATE TABLE pt_base (id int, label tmac.label NOT NULL);
INSERT INTO pt_base VALUES (1, 'PUBLIC'), (2, 'SECRET');
SELECT tmac.protect('pt_base');
CREATE TABLE pt_kid (note text) INHERITS (pt_base);
INSERT INTO pt_kid VALUES (3, 'SECRET'), (4, 'INTERNAL');
CREATE TABLE pt_kid2 (id int, label tmac.label NOT NULL);
INSERT INTO pt_kid2 VALUES (5, 'SECRET'), (6, 'PUBLIC');
ALTER TABLE pt_kid2 INHERIT pt_base;
GRANT SELECT ON pt_base, pt_kid, pt_kid2 TO t_alice;
SET LOCAL ROLE t_alice;
SELECT results_eq('SELECT id FROM pt_base ORDER BY id', ARRAY[1, 4, 6],
                  'reading an inheritance parent shows only permitted rows of every child');
SELECT results_eq('SELECT id FROM pt_kid UNION ALL SELECT id FROM pt_kid2 ORDER BY 1', ARRAY[4, 6],
                  'children made with INHERITS and ALTER TABLE … INHERIT are protected');
RESET ROLE;
CREATE TABLE pt_plain (id int, label tmac.label NOT NULL);
SELECT throws_ok($$ALTER TABLE pt_kid INHERIT pt_plain$$, '55000', NULL,
                 'a protected table cannot become a child of an unprotected one');
CREATE TABLE pt_two (id int, label tmac.label NOT NULL, label2 tmac.label NOT NULL);
SELECT tmac.protect('pt_two', 'label2');
SELECT throws_ok($$ALTER TABLE pt_two INHERIT pt_base$$, '55000', NULL,
                 'nor of a table protected on another label column');
SELECT throws_ok($$CREATE TEMP TABLE pt_tmp () INHERITS (pt_base)$$, '42809', NULL,
                 'a temporary table cannot become a child of a protected table (it would leave the registry untidy)');

-- What tmac could not see (event triggers do not fire in replica mode) is a finding.
SET LOCAL session_replication_role = replica;
CREATE TABLE pt_doc_5 PARTITION OF pt_doc FOR VALUES FROM (500) TO (600);
ALTER TABLE pt_kid INHERIT pt_plain;
RESET session_replication_role;
SELECT results_eq($$SELECT severity, subject FROM tmac.findings WHERE check_code = 'protected_tree_inconsistent' ORDER BY subject$$,
                  $$VALUES ('critical'::text, 'table:public.pt_doc_5'::text), ('critical', 'table:public.pt_kid')$$,
                  'protected_tree_inconsistent: an unprotected partition, a protected child of an unprotected parent');
SELECT lives_ok($$SELECT tmac.protect('pt_doc_5'), tmac.protect('pt_plain')$$, 'protect the unprotected ones');
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'protected_tree_inconsistent'), 0, 'fixed');

-- unprotect() of a parent unprotects the tree.
SELECT lives_ok($$SELECT tmac.unprotect('pt_doc')$$, 'unprotect a partitioned parent');
SELECT ok(NOT EXISTS (SELECT 1 FROM tmac.protected_table WHERE relid::text ~ '^pt_doc($|_[1235])')
          AND NOT EXISTS (SELECT 1 FROM pg_class WHERE relname ~ '^pt_doc($|_[1235])' AND relkind IN ('r', 'p')
                                                   AND (relrowsecurity OR relforcerowsecurity)),
          'its partitions are unprotected with it');

-- protected_table_unenforced sees altered protection, not only dropped protection.
CREATE TABLE pt_alter (id int, label tmac.label);
SELECT tmac.protect('pt_alter');
ALTER POLICY tmac_read ON pt_alter USING (true);
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'protected_table_unenforced' AND subject = 'table:public.pt_alter'),
          1, 'a tmac policy altered to let every row through is a finding');
SELECT tmac.unprotect('pt_alter');
SELECT tmac.protect('pt_alter');
ALTER TABLE pt_alter DISABLE TRIGGER zz_tmac_declassify;
SELECT is((SELECT count(*)::int FROM tmac.findings WHERE check_code = 'protected_table_unenforced' AND subject = 'table:public.pt_alter'),
          1, 'so is a disabled declassification guard');

-- The registry: written only by tmac, every change audited.
SET LOCAL ROLE t_adm;
SELECT throws_ok($$INSERT INTO tmac.protected_table (relid, label_column) VALUES ('pt_doc', 'label')$$, '42501', NULL,
                 'tmac_admin cannot write the registry directly');
SELECT throws_ok($$DELETE FROM tmac.protected_table WHERE relid = 'pt_base'::regclass$$, '42501', NULL,
                 'nor delete from it');
SELECT throws_ok($$SELECT tmac.protection_register('pt_doc', 'label')$$, '55000', NULL,
                 'the registry records only tables that carry tmac''s protection');
RESET ROLE;
CREATE TABLE pt_solo (id int, label tmac.label);
SELECT tmac.protect('pt_solo');
DELETE FROM tmac.protected_table WHERE relid = 'pt_solo'::regclass;
SELECT is((SELECT count(*)::int FROM tmac.audit_log WHERE category = 'protected_table' AND action = 'DELETE'
            AND subject = 'public.pt_solo'), 1, 'a direct change by the owner is audited');
DROP TABLE pt_kid2;
SELECT ok(NOT EXISTS (SELECT 1 FROM tmac.protected_table WHERE relid::text = 'pt_kid2')
          AND EXISTS (SELECT 1 FROM tmac.audit_log WHERE category = 'protected_table' AND action = 'DROP TABLE'
                       AND subject = 'public.pt_kid2'),
          'a dropped table leaves the registry, audited with its name');
SELECT is((SELECT count(*)::int FROM tmac.verify_audit_log()), 0, 'the audit log verifies');

SELECT * FROM finish();
ROLLBACK;
