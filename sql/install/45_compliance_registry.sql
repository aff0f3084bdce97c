-- 45_compliance_registry.sql — the compliance registry: the criteria, the check registry and the
-- populations checks examine.  It comes before the first register (52_persons.sql) so that each
-- register declares its own checks at the end of its own file, next to its tables: the check
-- functions, their rows in tmac.compliance_check, the populations they examine, the settings that
-- weaken them (tmac.weakening_rule, with the settings: 51_settings.sql) and what the register adds
-- to its criterion's evidence.  It needs nothing of the audit log or the settings, so it sits before
-- them (50 and 51 leave no number between the settings and the first register).  What runs the
-- checks and reads their results (tmac.compliance_check_results, tmac.findings,
-- tmac.compliance_status, tmac.register_check) is in 71_compliance_runner.sql: it calls the
-- check functions dynamically, so it needs none of them.  Checks that read several registers
-- are in 87_checks_cross.sql; checks over the catalogs and the protected tables in
-- 74_checks_protection.sql.
--
-- Each compliance check is one SQL function returning
-- TABLE (subject text, detail text, detected_at timestamptz), registered in
-- tmac.compliance_check with a stable check_code, a criterion (I-1 … V), a
-- severity and what it means.  Checks that would each scan the same large table
-- (the grants) share one function that returns (check_code, subject, detail,
-- detected_at) and runs once for all of them: one pass over 1,000,000 grants
-- instead of six.  tmac's own check functions are SECURITY DEFINER (they read
-- governance tables and the catalogs on the auditor's behalf) and return only
-- metadata — ids, names, dates — never a protected row.
--
-- Subjects are typed: person:<person_id>, role:<role name>,
-- grant:<grant_id>, table:<schema.table>, review:<review_id>, audit_log.
--
-- What a status may claim.  A criterion is `ok` only when at least one of
-- tmac's built-in checks for it ran and examined a non-empty population: every
-- check declares the populations it looks at (tmac.compliance_check.population,
-- names of tmac.compliance_population, each counted by one query), and a check
-- counts as evidence only when all of them are non-empty.  An empty database is
-- therefore `not_evaluated`, with the reason.
--
-- How a register plugs in its checks (at the end of its own file, e.g. 62_inventory.sql):
--   0. the check function, one head for all of them:  CREATE FUNCTION tmac.check_x() RETURNS
--        TABLE (subject text, detail text, detected_at timestamptz) on one line (check_code text
--        first when it serves several checks), then LANGUAGE sql STABLE … SECURITY DEFINER SET
--        search_path = pg_catalog, pg_temp, then BEGIN ATOMIC; its COMMENT ON FUNCTION on one
--        line, like every function's;
--   1. a population, if a new one:  INSERT INTO tmac.compliance_population
--        (population, title_ja, title_en, count_sql) VALUES ('assets', '重要情報',
--        <'information assets' marked with tmac.msgid>, 'SELECT count(*) FROM tmac.asset');
--      (title_en is a message id, its Japanese in po/ja is title_ja; a check's title,
--      description and remedy are message ids too, marked the same way and shown through
--      tmac.message)
--   2. the check:  INSERT INTO tmac.compliance_check (check_code, criterion, severity,
--        title, description, remedy, function_name, requires, population, builtin)
--        VALUES (..., '{assets}', true);
--      checks sharing one function say it (and what else they share) once:
--        INSERT INTO tmac.compliance_check (…) SELECT c.*, 'tmac.check_inventory', '{}',
--        '{assets}', true FROM (VALUES (check_code, criterion, severity, title, description,
--        remedy), …) AS c(…)   (a population that differs by check stays in the rows)
--   3. a setting that weakens it, if any:  INSERT INTO tmac.weakening_rule
--        (key, check_code, weak_when, threshold, accepts, why) VALUES (...);
--   4. evidence: name the new tables in tmac.criterion.evidence (UPDATE); the test
--      compliance_honest.sql resolves every tmac.<name> written there.
-- A check whose function reads objects defined after its register (a SQL function's body is
-- resolved when it is created) goes with the latest register it reads (check_grants, which reads
-- the access reviews and the SoD rules, is in 73_sod_violations.sql).

CREATE TABLE tmac.criterion (
  criterion text PRIMARY KEY,
  ordinal   smallint NOT NULL UNIQUE,
  measure   text NOT NULL,
  title_ja  text NOT NULL,
  title_en  text NOT NULL,
  evidence  text NOT NULL
);
COMMENT ON TABLE tmac.criterion IS
  'The certification criteria (認証基準) I-1 … V with the seed''s measures ①–⑨ and what tmac keeps as evidence';
COMMENT ON COLUMN tmac.criterion.measure IS
  'The seed''s measure ①–⑨ the criterion belongs to, as the English message id: tmac.compliance_status.measure is it in the reader''s language (① 重要情報の特定 …)';
COMMENT ON COLUMN tmac.criterion.title_ja IS
  'The criterion''s title in the seed''s Japanese; the message catalog''s Japanese for title_en is the same text (test sqlc_japanese.sql)';
COMMENT ON COLUMN tmac.criterion.title_en IS
  'The criterion''s title in English, and its message id: tmac.compliance_status.title is it in the reader''s language (tmac.message)';
COMMENT ON COLUMN tmac.criterion.evidence IS
  'What tmac keeps as evidence for the criterion; every tmac.<name> written here exists (test compliance_honest.sql)';
INSERT INTO tmac.criterion VALUES
  ('I-1', 1, tmac.msgid('① Identifying important information'), '適切な管理をする必要がある技術等情報の特定', tmac.msgid('Identifying the technical information that needs management'), 'classification labels on tables and columns (SECURITY LABEL FOR tmac) and the protected tables (tmac.protected_table); tmac keeps no inventory of important information yet'),
  ('I-2', 2, tmac.msgid('② Identification and measures'), '管理対象情報の識別と必要な措置の整理', tmac.msgid('Identifying managed information and arranging the measures it needs'), 'classification labels on rows (tmac.label columns), tables and columns, from the vocabulary (tmac.level, tmac.compartment)'),
  ('I-3', 3, tmac.msgid('③ Appointing managers'), '管理者の選任', tmac.msgid('Appointing managers'), 'duties and who holds them (tmac.duty, tmac.duty_assignment); tmac keeps no appointment records yet'),
  ('I-4', 4, tmac.msgid('④ Information management process'), '管理対象情報の管理等', tmac.msgid('Handling of managed information'), 'none yet: tmac keeps no handling standard or handling ledger'),
  ('I-5', 5, tmac.msgid('⑤ Employee training'), '管理対象情報の適切な管理をするためのトレーニング', tmac.msgid('Training for the proper management of managed information'), 'training completions and pledges (tmac.training_completion, tmac.pledge)'),
  ('I-6', 6, tmac.msgid('⑥ Incident reporting rules'), '管理対象情報の漏えいの事故等の発生時等の報告', tmac.msgid('Reporting leaks and other incidents'), 'none yet: tmac keeps no incident register'),
  ('II',  7, tmac.msgid('⑦ Restricting human access'), '管理対象情報への人的アクセスの制限', tmac.msgid('Restricting human access to managed information'), 'persons, grants and their approvals, pledges, access reviews, segregation of duties (tmac.person, tmac.access_grant, tmac.pledge, tmac.access_review, tmac.sod_rule, tmac.sod_exception, tmac.access_rights_ledger)'),
  ('III', 8, tmac.msgid('⑧ Physical storage'), '保管容器に保管できる管理対象情報の物理的アクセスの制限等', tmac.msgid('Physical access restriction for information kept in storage containers'), 'none yet: tmac keeps no register of containers or keys'),
  ('IV',  9, tmac.msgid('⑧ Physical storage'), '保管容器に保管することが困難な管理対象情報の物理的アクセスの制限等', tmac.msgid('Physical access restriction for information that cannot be kept in containers'), 'none yet: tmac keeps no register of restricted areas or entries'),
  ('V',  10, tmac.msgid('⑨ Electronic storage'), '管理対象情報が電子情報である場合のアクセスの制限等', tmac.msgid('Access restriction for electronic information'), 'row-level enforcement (tmac.protected_table), privileged roles (tmac.privileged_role), the audit log (tmac.audit_log, tmac.verify_audit_log())');

CREATE TABLE tmac.compliance_check (
  check_code  text PRIMARY KEY CHECK (check_code ~ '^[a-z][a-z0-9_]{0,62}$'),
  criterion   text NOT NULL REFERENCES tmac.criterion,
  severity    text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  title       text NOT NULL,
  description text NOT NULL,
  remedy      text NOT NULL,
  function_name text NOT NULL,
  requires    text[] NOT NULL DEFAULT '{}',
  enabled     boolean NOT NULL DEFAULT true,
  builtin     boolean NOT NULL DEFAULT false,
  registered_at timestamptz NOT NULL DEFAULT now(),
  registered_by name NOT NULL DEFAULT session_user,
  function_sha256 bytea,
  disabled_at timestamptz,
  disabled_by name,
  population  text[] NOT NULL DEFAULT '{}',
  CHECK (NOT enabled OR (disabled_at IS NULL AND disabled_by IS NULL))
);
COMMENT ON TABLE tmac.compliance_check IS
  'Registry of compliance checks: each is a function returning (subject, detail, detected_at) for every open finding';
COMMENT ON COLUMN tmac.compliance_check.check_code IS 'Stable code of the check; every finding carries it';
COMMENT ON COLUMN tmac.compliance_check.function_name IS 'Schema-qualified name of the check function (no arguments); several checks may share one function returning (check_code, subject, detail, detected_at), which then runs once for all of them';
COMMENT ON COLUMN tmac.compliance_check.requires IS 'Relations (schema.name) or functions (schema.name(args)) that must exist for the check to run; otherwise it is reported as not run';
COMMENT ON COLUMN tmac.compliance_check.title IS 'What a finding of this check is, in a few words; for tmac''s built-in checks the English message id (tmac.compliance_checks and tmac.findings show it in the reader''s language)';
COMMENT ON COLUMN tmac.compliance_check.description IS 'What the check looks for and why; for built-in checks the English message id, shown translated by tmac.compliance_checks';
COMMENT ON COLUMN tmac.compliance_check.remedy IS 'What a person does to close a finding of this check; for built-in checks the English message id, shown translated by tmac.compliance_checks and tmac.findings';
COMMENT ON COLUMN tmac.compliance_check.function_sha256 IS 'Registered checks: SHA-256 of the function''s definition (pg_get_functiondef) when it was registered; a check whose function changed since is not run (NULL for tmac''s built-in checks)';
COMMENT ON COLUMN tmac.compliance_check.population IS 'The populations (tmac.compliance_population) the check examines; it is evidence for its criterion only when it ran and every one of them is non-empty';
COMMENT ON COLUMN tmac.compliance_check.disabled_at IS 'When the check was disabled (tmac.set_check_enabled); NULL while enabled (or when disabled before tmac 0.2.0 recorded it)';
COMMENT ON COLUMN tmac.compliance_check.disabled_by IS 'Who disabled the check; NULL while enabled';
-- A dump keeps the company's own checks, and the built-in checks the company disabled (who, when):
-- CREATE EXTENSION installs the built-in rows again, and compliance_check_restore applies the
-- dump's disabled state to them instead of inserting a second row.
SELECT pg_catalog.pg_extension_config_dump('tmac.compliance_check', 'WHERE NOT builtin OR NOT enabled');

CREATE FUNCTION tmac.compliance_check_restore() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  -- (CREATE EXTENSION's own rows, inserted while a restore window may already be open, pass)
  IF NEW.builtin AND tmac.restoring()
     AND EXISTS (SELECT 1 FROM tmac.compliance_check k WHERE k.check_code = NEW.check_code AND k.builtin) THEN
    UPDATE tmac.compliance_check k
       SET enabled = NEW.enabled, disabled_at = NEW.disabled_at, disabled_by = NEW.disabled_by
     WHERE k.check_code = NEW.check_code AND k.builtin;
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION tmac.compliance_check_restore() IS 'Trigger: while a restore loads tmac.compliance_check, a built-in check''s row from the dump sets the enabled state (and who disabled it, when) of the row CREATE EXTENSION installed';
CREATE TRIGGER compliance_check_restore BEFORE INSERT ON tmac.compliance_check
  FOR EACH ROW EXECUTE FUNCTION tmac.compliance_check_restore();

-- What the checks examine, each counted by one query.  Only tmac's install writes this table.
CREATE TABLE tmac.compliance_population (
  population text PRIMARY KEY CHECK (population ~ '^[a-z][a-z0-9_]{0,62}$'),
  title_ja   text NOT NULL,
  title_en   text NOT NULL,
  count_sql  text NOT NULL
);
COMMENT ON TABLE tmac.compliance_population IS
  'What compliance checks examine (persons, grants, protected tables, ...), each with the query that counts it; a check examining an empty population is no evidence';
COMMENT ON COLUMN tmac.compliance_population.title_en IS 'What is counted, in English, and its message id (tmac.population_counts().title is it in the reader''s language; the catalog''s Japanese is title_ja)';
COMMENT ON COLUMN tmac.compliance_population.count_sql IS 'A query returning one bigint, run as the owner of tmac (only tmac''s install writes this table)';
INSERT INTO tmac.compliance_population VALUES
  ('persons',          '在籍者',             tmac.msgid('persons not terminated'), 'SELECT count(*) FROM tmac.person WHERE status <> ''terminated'''),
  ('grants',           'アクセス権',         tmac.msgid('grants stored as active'), 'SELECT count(*) FROM tmac.access_grant WHERE status = ''active'''),
  ('reviews',          'アクセス権の棚卸し', tmac.msgid('access reviews'), 'SELECT count(*) FROM tmac.access_review'),
  ('sod_rules',        '職務分掌ルール',     tmac.msgid('enabled SoD rules'), 'SELECT count(*) FROM tmac.sod_rule WHERE enabled'),
  ('protected_tables', '保護対象テーブル',   tmac.msgid('protected tables'), 'SELECT count(*) FROM tmac.protected_table'),
  ('label_tables',     'ラベル列のあるテーブル', tmac.msgid('user tables with a tmac.label column'),
   'SELECT count(DISTINCT a.attrelid) FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE a.atttypid = ''tmac.label''::pg_catalog.regtype AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN (''r'', ''p'') AND c.relnamespace <> ''tmac''::pg_catalog.regnamespace'),
  ('labelled_columns', 'ラベル付きの列',     tmac.msgid('columns with a tmac security label'),
   'SELECT count(*) FROM pg_catalog.pg_seclabel l WHERE l.provider = ''tmac'' AND l.classoid = ''pg_catalog.pg_class''::pg_catalog.regclass AND l.objsubid > 0'),
  ('audit_entries',    '監査ログ',           tmac.msgid('audit log entries'), 'SELECT coalesce(max(entry_id), 0) FROM tmac.audit_log'),   -- entry_ids have no gaps
  ('own_checks',       '自社チェック',       tmac.msgid('the company''s own enabled checks'), 'SELECT count(*) FROM tmac.compliance_check WHERE NOT builtin AND enabled');
