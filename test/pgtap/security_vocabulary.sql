-- security_vocabulary.sql — pgTAP: the vocabulary and access profiles are read as tmac's own
-- queries, whatever the session planted.  A temporary domain named int4 used to be picked by
-- the vocabulary query (temp schemas come first on the implicit path), and its text value was
-- read as a rank: any role then read TOP_SECRET rows, or stored labels with absurd ranks.
BEGIN;
SELECT plan(7);
CREATE ROLE t_plant LOGIN;
CREATE TABLE voc_doc (id integer, label tmac.label NOT NULL);
INSERT INTO voc_doc VALUES (1, 'PUBLIC'), (2, 'SECRET'), (3, 'TOP_SECRET'), (4, 'CONFIDENTIAL');
SELECT tmac.protect('voc_doc');
GRANT SELECT, INSERT ON voc_doc TO t_plant;

SET ROLE t_plant;
PREPARE pad AS SELECT 1, repeat('y', 37);
CREATE DOMAIN pg_temp.int4 AS text;
CREATE DOMAIN pg_temp.int2 AS text;
CREATE FUNCTION pg_temp.coalesce(integer, integer) RETURNS integer LANGUAGE sql AS 'SELECT 32767';
RESET ROLE;
-- A vocabulary change makes every backend (this one too) read the vocabulary again.
SELECT tmac.define_compartment('VOC-X', 'planted');
SET ROLE t_plant;
SELECT is(tmac.label_rank('PUBLIC'), 0, 'the level rank is read as an integer, not the planted domain');
SELECT is(tmac.label_rank('TOP_SECRET'), 40, 'so is every other level');
SELECT is((SELECT array_agg(id ORDER BY id) FROM voc_doc), ARRAY[1],
          'an unmapped role with planted types still sees only the lowest level');
SELECT throws_ok($$INSERT INTO voc_doc VALUES (9, 'TOP_SECRET')$$, '42501', NULL,
                 'and cannot write a TOP_SECRET row');
SELECT is(tmac.can_read('SECRET'), false, 'can_read agrees');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM voc_doc WHERE tmac.label_rank(label) NOT IN (0, 20, 30, 40)), 0,
          'no stored label carries a rank outside the vocabulary');
SELECT is((SELECT string_agg(label::text, ',' ORDER BY id) FROM voc_doc), 'PUBLIC,SECRET,TOP_SECRET,CONFIDENTIAL',
          'labels still print with their codes');
SELECT * FROM finish();
ROLLBACK;
