-- 10_labels.sql — demo: a label vocabulary, labelled rows, sorting, comparing, markings.
\echo '== 1. Install tmac; the default levels are there already (公開 … 極秘)'
CREATE EXTENSION tmac;
\echo '   The hardening step of the install: PostgreSQL tuple counters count rows the policies hide, so PUBLIC loses them'
SELECT count(*) AS counters_restricted FROM tmac.restrict_activity_counters();
SET search_path = public, tmac;
SELECT rank, code, name, aliases FROM tmac.level ORDER BY rank;
\echo '   The demo database speaks Japanese (ALTER DATABASE tmac_test SET lc_messages): every error, hint and finding of tmac below'
SHOW lc_messages;

\echo '== 2. Define the need-to-know vocabulary: compartments and the organisation tree'
SELECT tmac.define_compartment('BLUEPRINT', '製品設計図', 'Current product blueprints');
SELECT tmac.define_compartment('PRJ-A', 'プロジェクトA');
SELECT tmac.define_group('DEV', '開発部');
SELECT tmac.define_group('DEV-1', '開発一課', 'DEV');
SELECT tmac.define_group('SALES', '営業部');

\echo '== 3. Label rows: codes, Japanese names and aliases are all accepted; output is canonical'
CREATE TABLE document (id int PRIMARY KEY, title text, label tmac.label);
INSERT INTO document VALUES
  (1, '製品カタログ',     '公開'),
  (2, '営業日報',         '社内限::営業部'),
  (3, '見積書',           '対外秘'),
  (4, '製品設計図 v3',    '極秘:製品設計図:開発部'),
  (5, '試作品イメージ',   'SECRET:PRJ-A,BLUEPRINT:DEV-1');
SELECT id, title, label, tmac.marking(label) AS marking FROM document ORDER BY label, id;

\echo '== 4. Dominance: which documents may a holder of SECRET:BLUEPRINT,PRJ-A:DEV read?'
SELECT id, title, label FROM document
 WHERE 'SECRET:BLUEPRINT,PRJ-A:DEV'::tmac.label @> label ORDER BY id;

\echo '== 5. The least clearance that reads every document (least upper bound)'
SELECT tmac.lub(label) AS combined, tmac.marking(tmac.lub(label)) FROM document;

\echo '== 6. Renaming a compartment keeps every stored label valid'
SELECT tmac.rename_compartment('PRJ-A', 'PROTO-2026');
SELECT id, label FROM document WHERE id = 5;

\echo '== 7. Classify the table itself (SECURITY LABEL FOR tmac) and read it back'
SECURITY LABEL FOR tmac ON TABLE document IS '社外秘';
SELECT object_type, object_identity, label, marking FROM tmac.object_label;

\echo '== 8. Bad input is a clear error naming the bad token'
\set ON_ERROR_STOP 0
SELECT 'SECRET:PRJ-Z'::tmac.label;   -- expect-error
\set ON_ERROR_STOP 1
