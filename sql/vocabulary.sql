-- vocabulary: defining, renaming and protecting the label vocabulary; labels
-- on tables, columns and schemas; who may change the vocabulary.
\set VERBOSITY terse
\set SHOW_CONTEXT never

-- error_of(sql): the SQLSTATE and message a statement raises, or 'ok'
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || regexp_replace(SQLERRM, '[[:cntrl:]]', '?', 'g');
END
$$;

-- Happy paths.
SELECT tmac.define_level('RESTRICTED', 35, '厳秘', ARRAY['部外秘', 'Restricted-Use']);
SELECT tmac.define_compartment('CUST-X', 'X社受託情報', 'Information entrusted by customer X under NDA');
SELECT tmac.define_group('HQ', '本社');
SELECT tmac.define_group('DEV-2', '開発二課', 'dev');
SELECT tmac.define_group('QA', '品質保証課', '開発部');
SELECT code, rank, name, aliases, builtin FROM tmac.level ORDER BY rank;
SELECT code, name, description FROM tmac.compartment ORDER BY code;
SELECT g.code, g.name, p.code AS parent FROM tmac.org_group g LEFT JOIN tmac.org_group p ON p.group_id = g.parent_id ORDER BY g.code;

-- A change made in this session is visible to label input at once.
SELECT 'RESTRICTED:CUST-X:DEV-2'::tmac.label, '部外秘:X社受託情報:品質保証課'::tmac.label,
       'restricted-use'::tmac.label;
SELECT tmac.marking('厳秘:CUST-X:DEV-2');
SELECT 'TOP_SECRET'::tmac.label > 'RESTRICTED' AND 'RESTRICTED'::tmac.label > 'SECRET:PRJ-A' AS ordered_by_rank,
       'SECRET::DEV'::tmac.label @> 'SECRET::DEV-2' AS dev_reaches_dev_2;
-- ... also inside one transaction, and a rolled-back definition is gone again.
BEGIN;
SELECT tmac.define_compartment('TEMP-C', '一時区画');
SELECT 'SECRET:TEMP-C'::tmac.label;
ROLLBACK;
SELECT pg_temp.error_of($$SELECT 'SECRET:TEMP-C'::tmac.label$$) AS after_rollback;
SELECT count(*) AS temp_c_rows FROM tmac.compartment WHERE code = 'TEMP-C';

-- Errors of the define functions.
SELECT n, pg_temp.error_of(stmt) AS result
  FROM (VALUES
    (1, $$SELECT tmac.define_level('RESTRICTED', 36, '別名')$$),            -- duplicate code
    (2, $$SELECT tmac.define_level('restricted', 36, '別名')$$),            -- ... ignoring case
    (3, $$SELECT tmac.define_level('NEW-L', 35, '新区分')$$),               -- duplicate rank
    (4, $$SELECT tmac.define_level('NEW-L', 36, '秘')$$),                   -- name is another's name
    (5, $$SELECT tmac.define_level('NEW-L', 36, 'secret')$$),               -- name is another's code
    (6, $$SELECT tmac.define_level('NEW-L', 36, '新区分', '{対外秘}')$$),   -- alias is another's alias
    (7, $$SELECT tmac.define_level('厳秘X', 36, '新区分')$$),               -- code not ASCII
    (8, $$SELECT tmac.define_level('NEW L', 36, '新区分')$$),               -- space in code
    (9, $$SELECT tmac.define_level('NEW:L', 36, '新区分')$$),               -- colon in code
    (10, $$SELECT tmac.define_level('-NEW', 36, '新区分')$$),               -- must start with a letter or digit
    (11, $$SELECT tmac.define_level(repeat('L', 64), 36, '新区分')$$),      -- too long
    (12, $$SELECT tmac.define_level('NEW-L', 36, '新:区分')$$),             -- colon in name
    (13, $$SELECT tmac.define_level('NEW-L', 36, ' 新区分')$$),             -- space around name
    (14, $$SELECT tmac.define_level('NEW-L', 36, '新区分', '{"a,b"}')$$),   -- comma in alias
    (15, $$SELECT tmac.define_level('NEW-L', 36, '新区分', '{""}')$$),      -- empty alias
    (16, $$SELECT tmac.define_level('NEW-L', -1, '新区分')$$),              -- negative rank
    (17, $$SELECT tmac.define_level('NEW-L', 40000, '新区分')$$),           -- rank too large
    (18, $$SELECT tmac.define_level(NULL, 36, '新区分')$$),
    (19, $$SELECT tmac.define_level('NEW-L', NULL, '新区分')$$),
    (20, $$SELECT tmac.define_level('NEW-L', 36, NULL)$$),
    (21, $$SELECT tmac.define_compartment('PRJ-A', '別プロジェクト')$$),     -- duplicate code
    (22, $$SELECT tmac.define_compartment('PRJ-C', 'PRJ-A')$$),             -- name is another's code
    (23, $$SELECT tmac.define_compartment('PRJ-C', 'プロジェクトA')$$),     -- name is another's name
    (24, $$SELECT tmac.define_compartment('プロジェクトC', 'プロジェクトC')$$), -- code not ASCII
    (25, $$SELECT tmac.define_compartment('PRJ,C', 'プロジェクトC')$$),     -- comma in code
    (26, $$SELECT tmac.define_compartment(NULL, 'プロジェクトC')$$),
    (27, $$SELECT tmac.define_compartment('PRJ-C', NULL)$$),
    (28, $$SELECT tmac.define_group('DEV', '開発本部')$$),                  -- duplicate code
    (29, $$SELECT tmac.define_group('DEV-3', '開発三課', 'NOPE')$$),        -- unknown parent
    (30, $$SELECT tmac.define_group('DEV-3', '営業部')$$),                  -- name is another's name
    (31, $$SELECT tmac.define_group('DEV-3', E'開発\t三課')$$),             -- control character in name
    (32, $$SELECT tmac.define_group(NULL, '開発三課')$$),
    (33, $$SELECT tmac.define_group('DEV-3', NULL)$$)
  ) AS v(n, stmt)
 ORDER BY n;
-- The failed definitions left nothing behind (6 levels, 4 compartments, 6 groups).
SELECT (SELECT count(*) FROM tmac.level) AS levels, (SELECT count(*) FROM tmac.compartment) AS compartments,
       (SELECT count(*) FROM tmac.org_group) AS groups;
-- A code may equal the spelling of an entry of another kind: kinds never mix in a label.
SELECT tmac.define_compartment('SALES', '営業案件');
SELECT 'SECRET:SALES:SALES'::tmac.label, tmac.label_compartments('SECRET:SALES:SALES'),
       tmac.label_groups('SECRET:SALES:SALES');

-- The group tree stays a tree.
SELECT n, pg_temp.error_of(stmt) AS result
  FROM (VALUES
    (1, $$SELECT tmac.move_group('DEV', 'DEV-1')$$),        -- under its own child
    (2, $$SELECT tmac.move_group('DEV', 'DEV')$$),          -- under itself
    (3, $$SELECT tmac.move_group('本社', '品質保証課')$$), -- fine: HQ under DEV/QA, by names
    (4, $$SELECT tmac.move_group('DEV', 'HQ')$$),           -- now a cycle DEV > QA > HQ > DEV
    (5, $$SELECT tmac.move_group('HQ', NULL)$$),            -- back to a root
    (6, $$SELECT tmac.move_group('DEV', 'HQ')$$),           -- fine now: HQ > DEV > ...
    (7, $$SELECT tmac.move_group('NOPE', 'HQ')$$),          -- unknown group
    (8, $$SELECT tmac.move_group('DEV', 'NOPE')$$),         -- unknown parent
    (9, $$SELECT tmac.move_group(NULL, 'HQ')$$),
    (10, $$UPDATE tmac.org_group SET parent_id = (SELECT group_id FROM tmac.org_group WHERE code = 'QA') WHERE code = 'HQ'$$)
  ) AS v(n, stmt)
 ORDER BY n;
SELECT g.code, p.code AS parent FROM tmac.org_group g LEFT JOIN tmac.org_group p ON p.group_id = g.parent_id ORDER BY g.code;
-- HQ now reaches every group below it
SELECT 'SECRET::HQ'::tmac.label @> 'SECRET::DEV-1' AS hq_reaches_dev_1,
       'SECRET::HQ'::tmac.label @> 'SECRET::SALES' AS hq_reaches_sales;

-- Entries are never deleted.
SELECT n, pg_temp.error_of(stmt) AS result
  FROM (VALUES
    (1, $$DELETE FROM tmac.level WHERE code = 'RESTRICTED'$$),
    (2, $$DELETE FROM tmac.compartment WHERE code = 'CUST-X'$$),
    (3, $$DELETE FROM tmac.org_group WHERE code = 'QA'$$),
    (4, $$TRUNCATE tmac.level$$),
    (5, $$TRUNCATE tmac.compartment$$),
    (6, $$TRUNCATE tmac.org_group$$),
    (7, $$UPDATE tmac.compartment SET name = 'PRJ-B' WHERE code = 'PRJ-A'$$)  -- direct writes are checked too
  ) AS v(n, stmt)
 ORDER BY n;

-- Renames keep stored labels valid: labels store identifiers, print codes.
CREATE TABLE vocabulary_doc (id int PRIMARY KEY, l tmac.label);
INSERT INTO vocabulary_doc VALUES
  (1, 'RESTRICTED:CUST-X:QA'), (2, 'SECRET:CUST-X,PRJ-A'), (3, 'INTERNAL::DEV-2'), (4, 'PUBLIC');
CREATE INDEX vocabulary_doc_l ON vocabulary_doc (l);
SELECT tmac.rename_level('RESTRICTED', 'STRICTLY-CONFIDENTIAL');
SELECT tmac.rename_compartment('cust-x', 'CUSTOMER-X');
SELECT tmac.rename_group('品質保証課', 'QUALITY');   -- named by its name
SELECT tmac.rename_level('INTERNAL', 'INTERNAL-ONLY');   -- a built-in level
SELECT id, l, tmac.label_level(l), tmac.marking(l) FROM vocabulary_doc ORDER BY id;
SELECT code, rank, name, builtin FROM tmac.level ORDER BY rank;
-- the new codes read, the old ones no longer do, names and aliases still do
SELECT count(*) AS found FROM vocabulary_doc WHERE l = 'STRICTLY-CONFIDENTIAL:CUSTOMER-X:QUALITY';
SELECT count(*) AS found_by_name FROM vocabulary_doc WHERE l = '部外秘:X社受託情報:品質保証課';
SET enable_seqscan = off;
SELECT id FROM vocabulary_doc WHERE l = 'INTERNAL-ONLY::DEV-2';
RESET enable_seqscan;
SELECT pg_temp.error_of($$SELECT 'RESTRICTED'::tmac.label$$) AS old_level,
       pg_temp.error_of($$SELECT 'SECRET:CUST-X'::tmac.label$$) AS old_compartment;
SELECT pg_temp.error_of($$SELECT 'SECRET::QA'::tmac.label$$) AS old_group;
-- rename errors
SELECT n, pg_temp.error_of(stmt) AS result
  FROM (VALUES
    (1, $$SELECT tmac.rename_level('NOPE', 'NOPE2')$$),                -- unknown
    (2, $$SELECT tmac.rename_level('SECRET', 'TOP_SECRET')$$),         -- taken
    (3, $$SELECT tmac.rename_level('SECRET', '極秘')$$),               -- not a code
    (4, $$SELECT tmac.rename_level('SECRET', 'top_secret')$$),         -- taken, ignoring case
    (5, $$SELECT tmac.rename_compartment('PRJ-A', 'PRJ-B')$$),         -- taken
    (6, $$SELECT tmac.rename_compartment('PRJ-A', 'プロジェクトB')$$),  -- not a code
    (7, $$SELECT tmac.rename_compartment('NOPE', 'NOPE2')$$),          -- unknown
    (8, $$SELECT tmac.rename_group('DEV', 'SALES')$$),                 -- taken
    (9, $$SELECT tmac.rename_group('DEV', NULL)$$),
    (10, $$SELECT tmac.rename_group(NULL, 'X')$$)
  ) AS v(n, stmt)
 ORDER BY n;
-- a rename that only changes case is allowed
SELECT tmac.rename_group('QUALITY', 'Quality');
SELECT l FROM vocabulary_doc WHERE id = 1;
SELECT tmac.rename_group('Quality', 'QUALITY');

-- Labels on tables, columns and schemas.
CREATE SCHEMA vocabulary_s;
CREATE TABLE vocabulary_s.contract (id int, terms text, price numeric);
SECURITY LABEL FOR tmac ON SCHEMA vocabulary_s IS 'INTERNAL-ONLY';
SECURITY LABEL FOR tmac ON TABLE vocabulary_s.contract IS ' 対外秘 : X社受託情報 ';
SECURITY LABEL FOR tmac ON COLUMN vocabulary_s.contract.price IS '厳秘:CUSTOMER-X:SALES';
SECURITY LABEL FOR tmac ON TABLE vocabulary_doc IS 'SECRET:PRJ-A,CUSTOMER-X:QUALITY,DEV';
SELECT object_type, object_identity, label, marking FROM tmac.object_label ORDER BY object_type, object_identity;
-- malformed or unknown labels, and objects tmac does not label, are rejected
SECURITY LABEL FOR tmac ON TABLE vocabulary_s.contract IS 'SECRET:PRJ-A,';
\echo :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR tmac ON TABLE vocabulary_s.contract IS 'SECRET:NOPE';
\echo :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR tmac ON COLUMN vocabulary_s.contract.terms IS '';
\echo :LAST_ERROR_SQLSTATE
SECURITY LABEL FOR tmac ON FUNCTION pg_temp.error_of(text) IS 'SECRET';
\echo :LAST_ERROR_SQLSTATE
CREATE SEQUENCE vocabulary_s.seq;
SECURITY LABEL FOR tmac ON SEQUENCE vocabulary_s.seq IS 'SECRET';
\echo :LAST_ERROR_SQLSTATE
-- the rejected labels left the stored ones alone
SELECT object_identity, label FROM tmac.object_label ORDER BY object_identity;
-- renames rewrite the object labels in canonical form
SELECT tmac.rename_compartment('CUSTOMER-X', 'CUST-X');
SELECT tmac.rename_level('INTERNAL-ONLY', 'INTERNAL');
SELECT tmac.rename_group('QUALITY', 'QA');
SELECT object_type, object_identity, label, marking FROM tmac.object_label ORDER BY object_type, object_identity;
SELECT s.label AS stored_text
  FROM pg_seclabel s JOIN pg_class c ON c.oid = s.objoid AND s.classoid = 'pg_class'::regclass
 WHERE s.provider = 'tmac'
 ORDER BY c.relname, s.objsubid;
SELECT id, l FROM vocabulary_doc ORDER BY id;
-- removing a label
SECURITY LABEL FOR tmac ON COLUMN vocabulary_s.contract.price IS NULL;
SELECT object_identity, label FROM tmac.object_label ORDER BY object_identity;

-- Privileges: a plain role reads labels and the vocabulary but cannot change
-- it.  A new session, so its vocabulary cache is built with its own privileges.
CREATE ROLE tmac_regress_user LOGIN;
GRANT USAGE ON SCHEMA vocabulary_s TO tmac_regress_user;
GRANT SELECT ON vocabulary_doc TO tmac_regress_user;
\c - tmac_regress_user
SELECT current_user;
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;
SELECT id, l, tmac.marking(l), l @> 'PUBLIC' AS dominates_public FROM vocabulary_doc ORDER BY id;
SELECT 'SECRET:PRJ-A:DEV'::tmac.label, tmac.label_groups('極秘::開発部');
SELECT count(*) > 0 AS can_read_vocabulary FROM tmac.level;
SELECT tmac.define_level('USER-L', 50, '利用者区分');
\echo :LAST_ERROR_SQLSTATE
SELECT n, pg_temp.error_of(stmt) AS result
  FROM (VALUES
    (1, $$SELECT tmac.define_compartment('USER-C', '利用者区画')$$),
    (2, $$SELECT tmac.define_group('USER-G', '利用者組織')$$),
    (3, $$SELECT tmac.move_group('DEV', NULL)$$),
    (4, $$SELECT tmac.rename_level('SECRET', 'SECRET2')$$),
    (5, $$SELECT tmac.rename_compartment('PRJ-A', 'PRJ-A2')$$),
    (6, $$SELECT tmac.rename_group('DEV', 'DEV0')$$),
    (7, $$SELECT tmac.rename_entry('group', 'DEV', 'DEV0')$$),
    (8, $$INSERT INTO tmac.compartment (code, name) VALUES ('USER-C', '利用者区画')$$),
    (9, $$UPDATE tmac.level SET code = 'S' WHERE code = 'SECRET'$$),
    (10, $$DELETE FROM tmac.org_group$$)
  ) AS v(n, stmt)
 ORDER BY n;
\c - postgres
-- a member of tmac_admin may define
GRANT tmac_admin TO tmac_regress_user;
SET ROLE tmac_regress_user;
SELECT tmac.define_compartment('USER-C', '利用者区画');
SELECT 'SECRET:USER-C'::tmac.label;
RESET ROLE;
SELECT code, name FROM tmac.compartment WHERE code = 'USER-C';

DROP TABLE vocabulary_doc;
DROP SCHEMA vocabulary_s CASCADE;
REVOKE tmac_admin FROM tmac_regress_user;
DROP ROLE tmac_regress_user;
