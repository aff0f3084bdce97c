-- vocabulary_copy.sql — pgTAP: the vocabulary copy on schema tmac (security label provider
-- tmac_vocabulary) and the restore window (src/vocabulary_copy.c, src/restore.c).
-- The copy follows every vocabulary change and only tmac may write it; while a restore window
-- is open, labels are read with the copy, the restore's own loads are history, and every other
-- change is refused; tmac.end_restore() checks the restored vocabulary and closes the window;
-- DROP EXTENSION takes the copy along, so a later CREATE EXTENSION is a fresh install.
-- The dump/restore paths themselves are test/scripts/dump_restore.sh and pg_upgrade.sh.
BEGIN;
SELECT plan(30);
CREATE ROLE t_rc_admin LOGIN IN ROLE tmac_admin;
CREATE SCHEMA rc_other;
CREATE TABLE rc_doc (id integer, label tmac.label);
CREATE TEMP VIEW rc_copy AS
  SELECT s.label FROM pg_catalog.pg_seclabel s
   WHERE s.classoid = 'pg_namespace'::regclass AND s.objoid = 'tmac'::regnamespace
     AND s.objsubid = 0 AND s.provider = 'tmac_vocabulary';
GRANT SELECT ON rc_copy TO PUBLIC;

-- 1. The copy follows the vocabulary.
SELECT is((SELECT label FROM rc_copy), tmac.vocabulary_copy_text(), 'schema tmac carries the copy of the vocabulary');
SELECT tmac.define_compartment('RC-A', 'コピーA');
SELECT tmac.define_group('RC-G', 'コピー部');
SELECT tmac.define_group('RC-G1', 'コピー一課', 'RC-G');
SELECT tmac.define_level('RC-LEVEL', 25, 'コピー級', ARRAY['写し']);
SELECT ok((SELECT label FROM rc_copy) ~ (E'\nC\t' || (SELECT compartment_id FROM tmac.compartment WHERE code = 'RC-A') || E'\tRC-A\tコピーA(\n|$)'),
          'a new compartment is in the copy with its id, code and name');
SELECT ok((SELECT label FROM rc_copy) ~ (E'\nG\t' || (SELECT group_id FROM tmac.org_group WHERE code = 'RC-G1') || E'\t'
                                         || (SELECT group_id FROM tmac.org_group WHERE code = 'RC-G') || E'\tRC-G1\t'),
          'a new group with its parent');
SELECT ok((SELECT label FROM rc_copy) ~ E'\nL\t25\tRC-LEVEL\tコピー級\t写し\n', 'a new level with its rank, name and aliases');
SELECT tmac.rename_compartment('RC-A', 'RC-A2');
SELECT ok((SELECT label FROM rc_copy) ~ E'\tRC-A2\t' AND (SELECT label FROM rc_copy) !~ E'\tRC-A\t', 'a rename replaces the code');
SELECT is((SELECT label FROM rc_copy), tmac.vocabulary_copy_text(), 'and the copy is what tmac generates');

-- 2. Only tmac writes it.
SELECT lives_ok(format('SECURITY LABEL FOR tmac_vocabulary ON SCHEMA tmac IS %L', tmac.vocabulary_copy_text()),
                'a superuser may set it to exactly what tmac would write');
SELECT throws_ok(format('SECURITY LABEL FOR tmac_vocabulary ON SCHEMA tmac IS %L', tmac.vocabulary_copy_text() || E'\nC\t999999\tFORGED\tforged'),
                 '22023', 'the tmac_vocabulary label must be the copy of tmac''s vocabulary', 'a forged copy is refused');
SELECT throws_ok($$SECURITY LABEL FOR tmac_vocabulary ON SCHEMA tmac IS 'tmac vocabulary 1
L	x	BAD	bad'$$, '22023', 'invalid tmac_vocabulary label', 'a malformed copy is refused');
SELECT throws_ok($$SECURITY LABEL FOR tmac_vocabulary ON SCHEMA tmac IS NULL$$, '55000', NULL,
                 'the copy cannot be removed while tmac is installed');
SELECT throws_ok($$SECURITY LABEL FOR tmac_vocabulary ON SCHEMA rc_other IS 'tmac vocabulary 1'$$, '0A000',
                 'the tmac_vocabulary label belongs on schema tmac only', 'another schema cannot carry it');
SELECT throws_ok($$SECURITY LABEL FOR tmac_vocabulary ON TABLE rc_doc IS 'tmac vocabulary 1'$$, '0A000',
                 'the tmac_vocabulary label belongs on schema tmac only', 'nor a table');
SELECT tmac.vocabulary_copy_text() AS copy_text \gset
SET ROLE t_rc_admin;
SELECT throws_ok(format('SECURITY LABEL FOR tmac_vocabulary ON SCHEMA tmac IS %L', :'copy_text'),
                 '42501', NULL, 'a tmac_admin that is not a superuser cannot set it');
RESET ROLE;

-- 3. A restore window (CREATE EXTENSION opens one over a dump's copy; opened by hand here).
SELECT is(tmac.restoring(), false, 'outside a window, nothing is being restored');
INSERT INTO tmac.restore_window DEFAULT VALUES;
SELECT throws_ok($$SELECT tmac.define_compartment('RC-W', 'window')$$, '55000',
                 'tmac is being restored and accepts no changes until the restore ends',
                 'during the window a superuser''s API call is refused');
SELECT throws_ok($$SELECT tmac.audit_record('rc', 'test', NULL, NULL)$$, '55000', NULL,
                 'so is a direct audit entry');
SET ROLE t_rc_admin;
SELECT throws_ok($$SELECT tmac.define_group('RC-W', 'window')$$, '55000', NULL, 'and a tmac_admin''s');
RESET ROLE;
-- the restore's DDL: a superuser's SECURITY LABEL as the statement is restored, not logged anew
SECURITY LABEL FOR tmac ON TABLE rc_doc IS 'SECRET';
SELECT is((SELECT label FROM pg_seclabel WHERE objoid = 'rc_doc'::regclass AND provider = 'tmac'), 'SECRET',
          'during the window the restore''s object labels are set');
SELECT is((SELECT count(*)::int FROM tmac.audit_log WHERE category = 'object_label' AND subject LIKE '%rc_doc%'), 0,
          'and are history: no audit entry of their own');
SAVEPOINT loaded;
-- the restore's own load: a superuser's top-level INSERT into a table of schema tmac
INSERT INTO tmac.compartment (compartment_id, code, name) VALUES (900001, 'RC-LOADED', 'loaded');
SELECT is((SELECT count(*)::int FROM tmac.audit_log WHERE detail::text LIKE '%RC-LOADED%'), 0,
          'a restored row is history: no audit entry of its own');
SELECT throws_ok($$SELECT 'SECRET:RC-LOADED'::tmac.label$$, '42704', NULL,
                 'labels are read with the copy during the window (the loaded row is not in it)');
SELECT is('RC-LEVEL:RC-A2:RC-G1'::tmac.label::text, 'RC-LEVEL:RC-A2:RC-G1', 'entries of the copy are');
SELECT throws_ok(format('SECURITY LABEL FOR tmac_vocabulary ON SCHEMA tmac IS %L', tmac.vocabulary_copy_text()),
                 '55000', NULL, 'the copy cannot change during the window');
SELECT throws_ok($$SELECT tmac.end_restore()$$, '55000', 'the restored vocabulary differs from the copy the dump carried',
                 'the window does not close while the tables and the copy differ');
ROLLBACK TO SAVEPOINT loaded;
SELECT is(tmac.end_restore(), true, 'it closes when they agree and the audit chain verifies');
SELECT is((SELECT category || ' ' || action FROM tmac.audit_log ORDER BY entry_id DESC LIMIT 1), 'restore END',
          'the restore is recorded in the audit log');
SELECT is(tmac.end_restore(), false, 'with no window open, end_restore does nothing');
SELECT lives_ok($$SELECT tmac.define_compartment('RC-AFTER', 'after')$$, 'after the window, the API works again');

-- 4. DROP EXTENSION takes the copy along; CREATE EXTENSION then is a fresh install.
DROP TABLE rc_doc;
SET CONSTRAINTS ALL IMMEDIATE;          -- the audit head advances now, not at commit: DROP cannot wait for it
DROP EXTENSION tmac CASCADE;
SELECT is((SELECT count(*)::int FROM rc_copy), 0, 'DROP EXTENSION tmac removes the copy');
CREATE EXTENSION tmac;
SELECT is((SELECT count(*)::int FROM tmac.restore_window), 0, 'so CREATE EXTENSION opens no restore window');

SELECT * FROM finish();
ROLLBACK;
