-- partial_registry.sql — pgTAP: a table that carries tmac's policies but has no row in
-- tmac.protected_table (what a partial dump, pg_dump -t or -n, restored): a superuser's DDL
-- that completes exactly tmac's protection registers it; an owner's own DDL does not (an
-- owner must not be able to make a table "protected"), which the finding
-- protection_registry_mismatch reports; tmac.protect() adopts a protection that is exactly
-- tmac's, and refuses look-alike policies with one error naming the remedy.
BEGIN;
SELECT plan(20);

CREATE ROLE pr_owner;
GRANT tmac_admin TO pr_owner;
CREATE FUNCTION pg_temp.dress(t regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN   -- tmac's protection, as a partial dump restores it
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
  EXECUTE format('CREATE POLICY tmac_base ON %s AS PERMISSIVE FOR ALL USING (true) WITH CHECK (true)', t);
  EXECUTE format('CREATE POLICY tmac_read ON %s AS RESTRICTIVE FOR SELECT USING (tmac.row_readable(label))', t);
  EXECUTE format('CREATE POLICY tmac_insert ON %s AS RESTRICTIVE FOR INSERT WITH CHECK (tmac.row_writable(label))', t);
  EXECUTE format('CREATE POLICY tmac_update ON %s AS RESTRICTIVE FOR UPDATE USING (tmac.row_writable(label)) WITH CHECK (tmac.row_writable(label))', t);
  EXECUTE format('CREATE POLICY tmac_delete ON %s AS RESTRICTIVE FOR DELETE USING (tmac.row_writable(label))', t);
  EXECUTE format('CREATE TRIGGER zz_tmac_declassify BEFORE UPDATE OF label ON %s FOR EACH ROW EXECUTE FUNCTION tmac.declassify_guard(%L)', t, 'label');
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.dress(regclass) TO pr_owner;
CREATE FUNCTION pg_temp.registered(t regclass) RETURNS boolean LANGUAGE sql AS
  $$ SELECT EXISTS (SELECT FROM tmac.protected_table p WHERE p.relid = t) $$;
CREATE FUNCTION pg_temp.mismatch(t text) RETURNS text LANGUAGE sql AS
  $$ SELECT string_agg(detail, ' | ') FROM tmac.findings WHERE check_code = 'protection_registry_mismatch' AND subject = 'table:' || t $$;

-- 1. The owner's own DDL: not registered, a finding, protect() adopts.
CREATE TABLE pr_doc (id int, label tmac.label NOT NULL, other tmac.label);
INSERT INTO pr_doc VALUES (1, 'PUBLIC'), (2, 'SECRET');
ALTER TABLE pr_doc OWNER TO pr_owner;
SET LOCAL ROLE pr_owner;
SELECT pg_temp.dress('pr_doc');
RESET ROLE;
SELECT ok(tmac.protection_in_place('pr_doc', 'label'), 'the owner gave the table exactly tmac''s protection');
SELECT ok(NOT pg_temp.registered('pr_doc'), '... which the owner''s own DDL does not register');
SELECT matches(pg_temp.mismatch('public.pr_doc'), 'carries tmac''s protection on column label .*tmac\.protect\(''public\.pr_doc'', ''label''\): it adopts',
               'protection_registry_mismatch reports it, with the remedy');
SELECT throws_ok($$SELECT tmac.unprotect('pr_doc')$$, '42704', NULL, 'unprotect() does not know it');
SET LOCAL ROLE pr_owner;
SELECT throws_ok($$SELECT tmac.protect('pr_doc', 'other')$$, '42710',
                 '"public.pr_doc" (in the tree of "public.pr_doc") carries tmac''s protection on column "label", not "other"',
                 'protect() on another column names the column it carries');
SELECT lives_ok($$SELECT tmac.protect('pr_doc')$$, 'protect() by its owner adopts it (no "policy tmac_base already exists")');
RESET ROLE;
SELECT ok(pg_temp.registered('pr_doc') AND tmac.protection_in_place('pr_doc', 'label'), '... registered, its protection in place');
SELECT is((SELECT count(*)::int FROM pg_policy WHERE polrelid = 'pr_doc'::regclass), 5, '... with its five policies, none added');
SELECT is(pg_temp.mismatch('public.pr_doc'), NULL, 'the finding is cleared');
SELECT lives_ok($$SELECT tmac.unprotect('pr_doc')$$, 'unprotect() removes it');

-- 2. Adoption checks ownership as protect() does.
CREATE TABLE pr_other (id int, label tmac.label NOT NULL);
SELECT pg_temp.dress('pr_other');
DELETE FROM tmac.protected_table WHERE relid = 'pr_other'::regclass;   -- as a partial restore left it
SET LOCAL ROLE pr_owner;
SELECT throws_ok($$SELECT tmac.protect('pr_other')$$, '42501', NULL, 'protect() of a table someone else owns is refused, adoption too');
RESET ROLE;

-- 3. Look-alike policies: the finding names them; protect() gives one error with the remedy.
CREATE TABLE pr_fake (id int, label tmac.label NOT NULL);
CREATE POLICY tmac_read ON pr_fake USING (true);
SELECT matches(pg_temp.mismatch('public.pr_fake'), 'carries policies or triggers named like tmac''s \(tmac_read\), but not tmac''s protection',
               'a look-alike policy is a finding');
SELECT throws_ok($$SELECT tmac.protect('pr_fake')$$, '42710',
                 '"public.pr_fake" (in the tree of "public.pr_fake") already carries policies or triggers named like tmac''s (tmac_read), not as tmac.protect() creates them on column "label"',
                 'protect() names the look-alike');
DROP POLICY tmac_read ON pr_fake;
SELECT lives_ok($$SELECT tmac.protect('pr_fake')$$, 'dropped: protect() works');
SELECT is(pg_temp.mismatch('public.pr_fake'), NULL, '... and the finding is cleared');

-- 4. A superuser's DDL (a restore) registers the table once tmac's protection is complete,
--    whatever the order of the statements.
CREATE TABLE pr_restored (id int, label tmac.label NOT NULL);
SELECT pg_temp.dress('pr_restored');
SELECT ok(pg_temp.registered('pr_restored'), 'a superuser''s DDL that completes tmac''s protection registers the table');
SELECT is((SELECT actor || ' ' || action FROM tmac.audit_log WHERE category = 'protected_table' ORDER BY entry_id DESC LIMIT 1),
          current_user || ' INSERT', '... audited, with the superuser as actor');

-- 5. The codes of the vocabulary travel with each protected table (checked by a restore).
CREATE FUNCTION pg_temp.needed(t regclass) RETURNS text LANGUAGE sql AS
  $$ SELECT label FROM pg_seclabel WHERE objoid = t AND classoid = 'pg_class'::regclass AND objsubid = 0
       AND provider = 'tmac_vocabulary_needed' $$;
SELECT matches(pg_temp.needed('pr_restored'), E'^tmac vocabulary needed 1\nL\tPUBLIC\n', 'a protected table carries the codes of the vocabulary');
SELECT tmac.define_compartment('PR-NEW', 'new after protect');
SELECT matches(pg_temp.needed('pr_restored'), E'\nC\tPR-NEW(\n|$)', '... rewritten when the vocabulary changes');
SELECT tmac.unprotect('pr_restored');
SELECT is(pg_temp.needed('pr_restored'), NULL, '... and removed by unprotect()');

SELECT * FROM finish();
ROLLBACK;
