-- flow2_fk_cascade.sql — pgTAP: the finding protected_fk_cascade (issue 17 items 2-3, follow-up of
-- the insider review).  A foreign key with ON UPDATE CASCADE from one protected table to another
-- writes the referenced key into lower-labelled referencing rows as the owner, without row
-- security: no write-down refusal, no handling entry.  The check reports such keys; recreated
-- with ON UPDATE RESTRICT, the finding clears.
BEGIN;
SELECT plan(6);
\i test/pgtap/people_fixture.psql

CREATE TABLE f2_parent (code text PRIMARY KEY, label tmac.label NOT NULL);
CREATE TABLE f2_child (id integer PRIMARY KEY, parent_code text, label tmac.label NOT NULL,
  CONSTRAINT f2_child_parent FOREIGN KEY (parent_code) REFERENCES f2_parent ON UPDATE CASCADE);
CREATE TABLE f2_other (id integer PRIMARY KEY, parent_code text REFERENCES f2_parent ON DELETE CASCADE);
SELECT tmac.protect('f2_parent'), tmac.protect('f2_child');
INSERT INTO f2_parent VALUES ('P-1', 'SECRET');
INSERT INTO f2_child VALUES (1, 'P-1', 'PUBLIC');
GRANT SELECT, UPDATE ON f2_parent TO t_alice;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'flow2')$$);
CREATE FUNCTION pg_temp.finding(tbl text) RETURNS text LANGUAGE sql AS
  $$ SELECT criterion || '/' || severity || '/' || detail FROM tmac.findings
      WHERE check_code = 'protected_fk_cascade' AND subject = 'table:' || tbl $$;

-- the channel: a SECRET key cascades into a PUBLIC row, unrefused
SET LOCAL ROLE t_alice;
SELECT lives_ok($$UPDATE f2_parent SET code = 'the secret code' WHERE code = 'P-1'$$,
                'a key update of a SECRET row cascades, unrefused (the channel the finding reports)');
RESET ROLE;
SELECT is((SELECT parent_code FROM f2_child WHERE id = 1 AND label = 'PUBLIC'::tmac.label), 'the secret code',
          '(the PUBLIC row now holds the SECRET key)');

SELECT alike(pg_temp.finding('public.f2_child'), 'V/medium/Table public.f2_child has the foreign key f2_child_parent referencing the protected table public.f2_parent with ON UPDATE CASCADE%',
             'a cascading foreign key from a protected table is the finding protected_fk_cascade (V, medium)');
SELECT is(pg_temp.finding('public.f2_other'), NULL, 'ON DELETE CASCADE with ON UPDATE NO ACTION is not');
ALTER TABLE f2_child DROP CONSTRAINT f2_child_parent,
  ADD CONSTRAINT f2_child_parent FOREIGN KEY (parent_code) REFERENCES f2_parent ON UPDATE RESTRICT;
SELECT is(pg_temp.finding('public.f2_child'), NULL, 'recreated ON UPDATE RESTRICT, the finding clears');
SELECT is((SELECT severity FROM tmac.compliance_check WHERE check_code = 'protected_fk_cascade'), 'medium',
          'the check is registered');

SELECT * FROM finish();
ROLLBACK;
