-- object_label_audit.sql — pgTAP: every change of an object's tmac label (SECURITY LABEL FOR
-- tmac … IS …, including IS NULL) lands in the audit log, with the acting role, the old and
-- the new label; the chain still verifies.
BEGIN;
SELECT plan(7);
CREATE ROLE t_ola_owner;
CREATE SCHEMA ola AUTHORIZATION t_ola_owner;
CREATE TABLE ola.doc (id int, title text);
ALTER TABLE ola.doc OWNER TO t_ola_owner;
SELECT coalesce(max(entry_id), 0) AS before FROM tmac.audit_log \gset

SET ROLE t_ola_owner;
SECURITY LABEL FOR tmac ON TABLE ola.doc IS 'SECRET';
SECURITY LABEL FOR tmac ON COLUMN ola.doc.title IS 'INTERNAL';
SECURITY LABEL FOR tmac ON TABLE ola.doc IS 'CONFIDENTIAL';
SECURITY LABEL FOR tmac ON SCHEMA ola IS 'INTERNAL';
SECURITY LABEL FOR tmac ON TABLE ola.doc IS NULL;
RESET ROLE;
SELECT results_eq(
  format($$SELECT actor::text COLLATE "default", category, action, subject, detail->>'object_type', detail->>'old', detail->>'new'
             FROM tmac.audit_log WHERE entry_id > %s ORDER BY entry_id$$, :before),
  $$VALUES ('t_ola_owner'::text, 'object_label'::text, 'SECURITY LABEL'::text, 'ola.doc'::text, 'table'::text, NULL::text, 'SECRET'::text),
           ('t_ola_owner', 'object_label', 'SECURITY LABEL', 'ola.doc.title', 'table column', NULL, 'INTERNAL'),
           ('t_ola_owner', 'object_label', 'SECURITY LABEL', 'ola.doc', 'table', 'SECRET', 'CONFIDENTIAL'),
           ('t_ola_owner', 'object_label', 'SECURITY LABEL', 'ola', 'schema', NULL, 'INTERNAL'),
           ('t_ola_owner', 'object_label', 'SECURITY LABEL', 'ola.doc', 'table', 'CONFIDENTIAL', NULL)$$,
  'each label set, changed or removed is an audit entry: who, which object, old and new label');
SELECT is((SELECT label FROM pg_seclabel WHERE provider = 'tmac' AND objoid = 'ola.doc'::regclass AND objsubid = 0), NULL,
          'SECURITY LABEL … IS NULL removes the label');

SELECT coalesce(max(entry_id), 0) AS mid FROM tmac.audit_log \gset
SECURITY LABEL FOR tmac ON COLUMN ola.doc.title IS 'INTERNAL';
SECURITY LABEL FOR tmac ON TABLE ola.doc IS NULL;
SELECT is((SELECT count(*)::int FROM tmac.audit_log WHERE entry_id > :mid), 0,
          'setting the label an object already has (or removing none) changes nothing and logs nothing');
SELECT throws_ok($$SECURITY LABEL FOR tmac ON TABLE ola.doc IS 'NO_SUCH_LEVEL'$$, NULL, NULL, 'an invalid label is refused');
SELECT is((SELECT count(*)::int FROM tmac.audit_log WHERE entry_id > :mid), 0, 'and leaves no entry');

-- the caller's search_path plays no part (the provider pins it)
SET LOCAL search_path = '';
SECURITY LABEL FOR tmac ON TABLE ola.doc IS 'SECRET';
RESET search_path;
SELECT is((SELECT detail->>'new' FROM tmac.audit_log WHERE entry_id > :mid ORDER BY entry_id DESC LIMIT 1), 'SECRET',
          'a label set with an empty search_path is logged');
SELECT is((SELECT count(*)::int FROM tmac.verify_audit_log()), 0, 'the audit log verifies');

SELECT * FROM finish();
ROLLBACK;
