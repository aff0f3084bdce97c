-- security_fake_protection.sql — pgTAP: "protected" means registered by tmac.protect(), never
-- "has a policy named tmac_read".  tmac decided which tables were protected by a policy's name
-- (handling events, the write-down ledger, statistics hiding, the cursor check): a person gave
-- their own table row security and a policy called tmac_read, and copies of protected rows into
-- it were taken for moves between protected tables — no handling entry, no evidence.
BEGIN;
SELECT plan(3);
\i test/pgtap/people_fixture.psql

CREATE TABLE fake_doc (id integer PRIMARY KEY, body text, label tmac.label NOT NULL);
SELECT tmac.protect('fake_doc');
INSERT INTO fake_doc SELECT i, 'secret ' || i, 'SECRET' FROM generate_series(1, 5) i;
GRANT SELECT ON fake_doc TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'fake')$$);
-- alice's own table, dressed up as protected
CREATE TABLE fake_mine (id integer, body text);
ALTER TABLE fake_mine OWNER TO t_alice;
SET LOCAL ROLE t_alice;
ALTER TABLE fake_mine ENABLE ROW LEVEL SECURITY;
CREATE POLICY tmac_read ON fake_mine USING (true);
CREATE POLICY tmac_base ON fake_mine USING (true) WITH CHECK (true);
INSERT INTO fake_mine SELECT id, body FROM fake_doc WHERE id <= 2;
RESET ROLE;
CREATE TABLE fake_mine2 (id integer, body text);
ALTER TABLE fake_mine2 OWNER TO t_alice;
SET LOCAL ROLE t_alice;
ALTER TABLE fake_mine2 ENABLE ROW LEVEL SECURITY;
CREATE POLICY tmac_read ON fake_mine2 USING (true);
CREATE POLICY tmac_base ON fake_mine2 USING (true) WITH CHECK (true);
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT id, body FROM fake_doc WHERE id > 3 LOOP INSERT INTO fake_mine2 VALUES (r.id, r.body); END LOOP;
END $$;
RESET ROLE;

SELECT is((SELECT count(*)::integer FROM fake_mine), 2, 'alice copied two SECRET rows into her own table');
SELECT is((SELECT string_agg(action || '/' || level_rank, ',') FROM tmac.handling_entry
            WHERE automatic AND target_table = 'public.fake_mine'), 'copy/30',
          'INSERT … SELECT into a table with a policy named tmac_read is a copy in the handling ledger');
SELECT is((SELECT string_agg(action || '/' || level_rank, ',') FROM tmac.handling_entry
            WHERE automatic AND target_table = 'public.fake_mine2'), 'copy/30',
          '… and so is a loop inserting row by row (the transaction''s copies)');

SELECT * FROM finish();
ROLLBACK;
