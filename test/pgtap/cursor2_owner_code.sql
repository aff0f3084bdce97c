-- cursor2_owner_code.sql — pgTAP: the finding protected_table_owner_code (criterion V, high).
-- A protected table whose index expression or predicate, trigger, column default, rule,
-- constraint or policy calls a function owned by a role that is neither a superuser nor a
-- tmac_admin: such code runs on hidden rows too (issue 17's second review, X-1: an uncleared
-- owner reads every hidden row through CREATE INDEX … (leak(secret, label::text))).
-- tmac's own triggers and policies, and superusers' functions, are never named.
BEGIN;
SELECT plan(10);
\i test/pgtap/people_fixture.psql

CREATE TABLE oc_doc (id integer PRIMARY KEY, secret text, label tmac.label NOT NULL);
INSERT INTO oc_doc VALUES (1, 'launch-3', 'SECRET:PRJ-A'), (2, 'visible', 'INTERNAL');
SELECT tmac.protect('oc_doc');
CREATE TABLE oc_loot (secret text, label text);
CREATE FUNCTION oc_leak(s text, l text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT s $$;
CREATE FUNCTION oc_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION oc_default() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT 'x' $$;
CREATE FUNCTION oc_admin_trigger() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
ALTER FUNCTION oc_leak(text, text) OWNER TO t_alice;
ALTER FUNCTION oc_trigger() OWNER TO t_alice;
ALTER FUNCTION oc_default() OWNER TO t_alice;

CREATE FUNCTION pg_temp.finding() RETURNS text LANGUAGE sql AS
$$ SELECT detail FROM tmac.check_protected_table_owner_code() WHERE subject = 'table:public.oc_doc' $$;

SELECT is(pg_temp.finding(), NULL, 'a freshly protected table: tmac''s own triggers and policies are not named');
CREATE INDEX oc_doc_leak ON oc_doc (oc_leak(secret, label::text));
SELECT matches(pg_temp.finding(), 'index public.oc_doc_leak calls public.oc_leak\(text,text\) \(owned by t_alice\)',
               'an index expression calling a non-administrator''s function is named');
SELECT results_eq($$SELECT criterion, severity FROM tmac.findings WHERE check_code = 'protected_table_owner_code' AND subject = 'table:public.oc_doc'$$,
                  $$VALUES ('V'::text, 'high'::text)$$, 'as a high finding under criterion V');
DROP INDEX oc_doc_leak;
SELECT is(pg_temp.finding(), NULL, 'the index dropped: the finding is gone');
CREATE INDEX oc_doc_partial ON oc_doc (id) WHERE oc_leak(secret, label::text) IS NOT NULL;
SELECT matches(pg_temp.finding(), 'index public.oc_doc_partial calls public.oc_leak', 'an index predicate likewise');
DROP INDEX oc_doc_partial;
CREATE TRIGGER oc_doc_copy BEFORE INSERT OR UPDATE ON oc_doc FOR EACH ROW EXECUTE FUNCTION oc_trigger();
SELECT matches(pg_temp.finding(), 'trigger oc_doc_copy on table public.oc_doc calls public.oc_trigger\(\)', 'a trigger likewise');
DROP TRIGGER oc_doc_copy ON oc_doc;
ALTER TABLE oc_doc ADD COLUMN note text DEFAULT oc_default();
SELECT matches(pg_temp.finding(), 'default value for column note of table public.oc_doc calls public.oc_default\(\)', 'a column default likewise');
ALTER TABLE oc_doc ALTER COLUMN note DROP DEFAULT;
CREATE RULE oc_doc_rule AS ON UPDATE TO oc_doc DO ALSO INSERT INTO oc_loot VALUES (oc_leak(NEW.secret, NEW.label::text), 'x');
SELECT matches(pg_temp.finding(), 'rule oc_doc_rule on table public.oc_doc calls public.oc_leak', 'a rule likewise');
DROP RULE oc_doc_rule ON oc_doc;
CREATE TRIGGER oc_doc_admin BEFORE INSERT ON oc_doc FOR EACH ROW EXECUTE FUNCTION oc_admin_trigger();
SELECT is(pg_temp.finding(), NULL, 'a trigger calling a superuser''s function is not named');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'protected_table_owner_code'), 0::bigint,
          'everything removed: no finding');

SELECT * FROM finish();
ROLLBACK;
