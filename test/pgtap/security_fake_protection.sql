-- security_fake_protection.sql — pgTAP: "protected" means registered by tmac.protect(), never
-- "has a policy named tmac_read".  tmac decided which tables were protected by a policy's name
-- (handling events, the write-down ledger, statistics hiding, the cursor check): a person gave
-- their own table row security and a policy called tmac_read, and copies of protected rows into
-- it were taken for moves between protected tables — no handling entry, no evidence.
BEGIN;
SELECT plan(3);
\i test/pgtap/people_fixture.psql

SELECT pg_temp.labelled_doc('fake_doc', 'SECRET', 5);
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'fake')$$);
-- alice's own table, dressed up as protected: she owns it and, as herself, gives it row security
-- and policies named like tmac's; the session stays alice's (SET LOCAL ROLE) for what follows
CREATE FUNCTION pg_temp.fake_protected(tbl text) RETURNS void LANGUAGE plpgsql AS
$f$
BEGIN
  EXECUTE format('CREATE TABLE %I (id integer, body text)', tbl);
  EXECUTE format('ALTER TABLE %I OWNER TO t_alice', tbl);
  SET LOCAL ROLE t_alice;
  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY tmac_read ON %I USING (true)', tbl);
  EXECUTE format('CREATE POLICY tmac_base ON %I USING (true) WITH CHECK (true)', tbl);
END
$f$;
SELECT pg_temp.fake_protected('fake_mine');
INSERT INTO fake_mine SELECT id, body FROM fake_doc WHERE id <= 2;
RESET ROLE;
SELECT pg_temp.fake_protected('fake_mine2');
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
