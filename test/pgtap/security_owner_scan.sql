-- security_owner_scan.sql — pgTAP: what tmac runs with its own rights over a table someone else
-- owns runs none of that owner's code, and reads the label column the policies decide on.
--
-- The review's attack (issue 17): the owner of a protected table — an ordinary role, or a
-- non-superuser tmac_admin — renames the label column away and gives its name to a column of a
-- type of its own with an implicit cast to tmac.label.  tmac.hidden_rows_for() named the column
-- by the name in tmac.protected_table and ran the cast as the extension's owner, a superuser:
-- the cast made its author superuser.  Then the class, for each function that runs with tmac's
-- rights over a table (README, "Code tmac runs with its own rights over your tables"): a planted
-- cast, a domain over tmac.label, planted operators, a renamed column, a column dropped and added
-- again, and the same through a partitioned and an inheritance tree.  Every planted function
-- records who ran it in spy.seen and makes its author superuser when it runs as one.
BEGIN;
SELECT plan(43);
\i test/pgtap/people_fixture.psql
-- t_alice: SECRET clearance, PRJ-A; each table below hides from her one row by clearance
-- (TOP_SECRET) and one by compartment (SECRET:PRJ-B)
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '90 days', 'design')$$) AS gc \gset
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', 'design')$$) AS ga \gset

CREATE SCHEMA spy;
CREATE TABLE spy.seen (who name, what text);
GRANT USAGE ON SCHEMA spy TO PUBLIC;
GRANT INSERT ON spy.seen TO PUBLIC;
-- what every planted function calls: who runs it, and the escalation when that is a superuser
CREATE FUNCTION spy.ran(what text, author name) RETURNS boolean LANGUAGE plpgsql AS
$$
BEGIN
  INSERT INTO spy.seen VALUES (current_user, what);
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
    EXECUTE format('ALTER ROLE %I SUPERUSER', author);
  END IF;
  RETURN true;
END
$$;
-- planted code that ran as anyone but its author (t_own, t_adm)
CREATE FUNCTION pg_temp.ran_as_others() RETURNS text LANGUAGE sql AS
  $$ SELECT string_agg(DISTINCT who || ' ran ' || what, '; ') FROM spy.seen WHERE who NOT IN ('t_own', 't_adm') $$;
CREATE FUNCTION pg_temp.superusers() RETURNS text LANGUAGE sql AS
  $$ SELECT string_agg(rolname, ', ' ORDER BY rolname) FROM pg_catalog.pg_roles
      WHERE rolsuper AND rolname IN ('t_own', 't_adm', 't_aud', 't_alice') $$;

-- t_own: an ordinary role that owns protected tables; t_adm (tmac_admin, not a superuser) too
CREATE ROLE t_own LOGIN;
CREATE SCHEMA own_s AUTHORIZATION t_own;
CREATE SCHEMA adm_s AUTHORIZATION t_adm;
GRANT USAGE ON SCHEMA own_s, adm_s TO PUBLIC;

-- A protected table of seven rows owned by `owner` (created, protected, then given away).
CREATE FUNCTION pg_temp.make_doc(tbl text, owner name) RETURNS void LANGUAGE plpgsql AS
$$
BEGIN
  EXECUTE format('CREATE TABLE %s (id integer PRIMARY KEY, label tmac.label NOT NULL)', tbl);
  EXECUTE format($q$INSERT INTO %s VALUES (1, 'PUBLIC'), (2, 'INTERNAL'), (3, 'CONFIDENTIAL'),
                   (4, 'SECRET'), (5, 'SECRET:PRJ-A'), (6, 'SECRET:PRJ-B'), (7, 'TOP_SECRET')$q$, tbl);
  PERFORM tmac.protect(tbl::regclass);
  EXECUTE format('ALTER TABLE %s OWNER TO %I', tbl, owner);
  EXECUTE format('GRANT SELECT, UPDATE ON %s TO t_alice', tbl);
END
$$;
-- `who` plants in schema `s` a type s.evil with an implicit cast to tmac.label that reports who runs it.
CREATE FUNCTION pg_temp.plant_cast(who name, s text) RETURNS void LANGUAGE plpgsql AS
$plant$
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', who);
  EXECUTE format('CREATE TYPE %I.evil AS (v text)', s);
  EXECUTE format($f$CREATE FUNCTION %1$I.evil_label(%1$I.evil) RETURNS tmac.label LANGUAGE plpgsql AS
                    $b$BEGIN PERFORM spy.ran('the cast %1$s.evil -> tmac.label', %2$L); RETURN ($1).v::tmac.label; END$b$$f$,
                 s, who);
  EXECUTE format('CREATE CAST (%1$I.evil AS tmac.label) WITH FUNCTION %1$I.evil_label(%1$I.evil) AS IMPLICIT', s);
  RESET ROLE;
END
$plant$;
-- The owner `who` renames the label column of `tbl` to real_label and gives its name to a new
-- column `definition`.
CREATE FUNCTION pg_temp.take_label_name(tbl text, who name, definition text) RETURNS void LANGUAGE plpgsql AS
$$
BEGIN
  EXECUTE format('SET LOCAL ROLE %I', who);
  EXECUTE format('ALTER TABLE %s RENAME COLUMN label TO real_label', tbl);
  EXECUTE format('ALTER TABLE %s ADD COLUMN label %s', tbl, definition);
  RESET ROLE;
END
$$;
-- hidden_rows_for(tbl, who) asked by the auditor, as "reason=count …"
CREATE FUNCTION pg_temp.hidden(tbl text, who name DEFAULT 't_alice') RETURNS text LANGUAGE sql AS
$$ SELECT pg_temp.as_role('t_aud', format($q$SELECT coalesce(string_agg(reason || '=' || hidden, ' ' ORDER BY reason), '')
                                              FROM tmac.hidden_rows_for(%L, %L)$q$, tbl, who)) $$;
CREATE FUNCTION pg_temp.finding(tbl text) RETURNS text LANGUAGE sql AS
$$ SELECT string_agg(detail, ' | ') FROM tmac.findings
    WHERE check_code = 'protected_table_unenforced' AND subject = 'table:' || tbl $$;

SELECT pg_temp.make_doc(t, 't_own')
  FROM unnest(ARRAY['own_s.t_cast', 'own_s.t_ren', 'own_s.t_drop']) t;
SELECT pg_temp.make_doc(t, 't_adm') FROM unnest(ARRAY['adm_s.t_adm', 'adm_s.t_dom', 'adm_s.t_evil']) t;
SELECT is(pg_temp.hidden('own_s.t_cast'), 'clearance=1 compartment=1',
          'hidden_rows_for: the auditor sees what t_alice cannot read, by reason');

-- 1. The review's attack: a renamed label column, and a column of the owner's type with an
-- implicit cast to tmac.label under its name.
SELECT pg_temp.plant_cast('t_own', 'own_s');
SELECT pg_temp.take_label_name('own_s.t_cast', 't_own', $$own_s.evil NOT NULL DEFAULT ROW('PUBLIC')::own_s.evil$$);
SELECT is(pg_temp.hidden('own_s.t_cast'), 'clearance=1 compartment=1',
          'after the rename, hidden_rows_for counts the column the read policy decides on, not the one that took its name');
SELECT is(pg_temp.as_role('t_aud', $$SELECT string_agg(reason || '=' || hidden, ' ') FROM tmac.hidden_rows('own_s.t_cast')$$),
          'unmapped=6', 'and hidden_rows (for the acting role) too');
SELECT is(pg_temp.ran_as_others(), NULL, 'the owner''s cast did not run as the extension''s owner (nor as the auditor)');
SELECT is(pg_temp.superusers(), NULL, 'so its author did not become superuser');
SELECT ok(pg_temp.finding('own_s.t_cast') IS NOT NULL, 'the renamed label column is the finding protected_table_unenforced');
SELECT is((SELECT string_agg(subject, ' ') FROM tmac.findings WHERE check_code = 'label_function_untrusted'),
          'cast:own_s.evil AS tmac.label', 'and the cast to tmac.label, owned by a non-administrator, is the finding label_function_untrusted');

-- The same attack by a non-superuser tmac_admin on its own table, asking itself.
SELECT pg_temp.plant_cast('t_adm', 'adm_s');
SELECT pg_temp.take_label_name('adm_s.t_adm', 't_adm', $$adm_s.evil NOT NULL DEFAULT ROW('PUBLIC')::adm_s.evil$$);
SET ROLE t_adm;
SELECT is((SELECT string_agg(reason || '=' || hidden, ' ' ORDER BY reason) FROM tmac.hidden_rows_for('adm_s.t_adm', 't_alice')),
          'clearance=1 compartment=1', 'a tmac_admin who owns the table asks hidden_rows_for itself: the right count');
RESET ROLE;
SELECT is(pg_temp.ran_as_others(), NULL, 'and its cast did not run as the extension''s owner');
SELECT is(pg_temp.superusers(), NULL, 'so the tmac_admin did not become superuser');

-- 2. A renamed column, and a column of type tmac.label that took its name (a decoy).
SELECT pg_temp.take_label_name('own_s.t_ren', 't_own', $$tmac.label NOT NULL DEFAULT 'PUBLIC'$$);
SELECT is(pg_temp.hidden('own_s.t_ren'), 'clearance=1 compartment=1',
          'hidden_rows_for counts the renamed label column, not the decoy');
SELECT ok(pg_temp.finding('own_s.t_ren') IS NOT NULL, 'the rename is the finding protected_table_unenforced');
SET ROLE t_alice;
SELECT throws_ok($$UPDATE own_s.t_ren SET real_label = 'INTERNAL' WHERE id = 3$$, '42501',
                 'permission denied to declassify a row of own_s.t_ren',
                 'the declassification guard checks the column it fires on: lowering the renamed label needs tmac_declassifier');
SELECT lives_ok($$UPDATE own_s.t_ren SET real_label = 'SECRET' WHERE id = 3$$, 'raising it needs nothing more');
RESET ROLE;
SELECT is((SELECT real_label::text FROM own_s.t_ren WHERE id = 3), 'SECRET', 'and the raise is stored');

-- 3. A column dropped (with tmac's policies and guard) and added again under the same name.
SET ROLE t_own;
SET client_min_messages = warning;
ALTER TABLE own_s.t_drop DROP COLUMN label CASCADE;
RESET client_min_messages;
ALTER TABLE own_s.t_drop ADD COLUMN label own_s.evil NOT NULL DEFAULT ROW('PUBLIC')::own_s.evil;
RESET ROLE;
SELECT throws_ok($$SELECT pg_temp.hidden('own_s.t_drop')$$, '55000', NULL,
                 'hidden_rows_for refuses a table whose read policy is gone (55000), reading nothing');
SELECT ok(pg_temp.finding('own_s.t_drop') IS NOT NULL, 'the dropped column is the finding protected_table_unenforced');
SELECT is(pg_temp.ran_as_others(), NULL, 'the re-added column''s cast did not run as the extension''s owner');

-- 4. A domain over tmac.label, and the owner's type with its implicit cast, as the label column.
-- protect() refuses them; a tmac_admin that takes its table's protection off, changes the column's
-- type and puts tmac's policies and guard back gets a finding that names the type, and
-- hidden_rows_for, tmac's event trigger and the declassification guard refuse the column.
SET ROLE t_adm;
CREATE FUNCTION adm_s.spy_check(tmac.label) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RETURN spy.ran('the domain check of adm_s.dlabel', 't_adm'); END$$;
CREATE DOMAIN adm_s.dlabel AS tmac.label CHECK (adm_s.spy_check(VALUE));
CREATE TABLE adm_s.t_dom0 (id integer, label adm_s.dlabel);
SELECT throws_ok($$SELECT tmac.protect('adm_s.t_dom0')$$, '42804', NULL, 'protect() refuses a label column of a domain over tmac.label');
RESET ROLE;
CREATE FUNCTION pg_temp.as_adm(q text) RETURNS void LANGUAGE plpgsql AS
  $$BEGIN SET LOCAL ROLE t_adm; EXECUTE q; RESET ROLE; END$$;
CREATE FUNCTION pg_temp.retyped_label(tbl text, typ text, conversion text) RETURNS SETOF text LANGUAGE plpgsql AS
$$
BEGIN
  PERFORM pg_temp.as_adm(format('SELECT tmac.remove_protection(%L)', tbl));
  PERFORM pg_temp.as_adm(format('ALTER TABLE %s ALTER COLUMN label TYPE %s %s', tbl, typ, conversion));
  PERFORM pg_temp.as_adm(format('SELECT tmac.apply_protection(%L, ''label'')', tbl));
  RETURN NEXT ok(pg_temp.finding(tbl) ~ (replace(typ, '.', '\.') || ', not tmac\.label'),
                 format('a label column changed to %s is the finding protected_table_unenforced, and it says so', typ));
  RETURN NEXT throws_ok(format('SELECT pg_temp.hidden(%L)', tbl), '42804', NULL,
                        format('hidden_rows_for refuses a label column of type %s (42804), reading no row', typ));
  RETURN NEXT throws_ok(format('SELECT pg_temp.as_adm(%L)', format('CREATE TABLE %s_kid () INHERITS (%s)', tbl, tbl)),
                        '55000', NULL, 'tmac''s event trigger (running as the extension''s owner) refuses to register a child on it');
  RETURN NEXT throws_ok(format('SELECT pg_temp.as_adm(%L)', format('UPDATE %s SET label = label WHERE id = 1', tbl)),
                        '42804', NULL, 'the declassification guard decodes no column that is not of type tmac.label itself (42804)');
END
$$;
SELECT * FROM pg_temp.retyped_label('adm_s.t_dom', 'adm_s.dlabel', '');
SELECT * FROM pg_temp.retyped_label('adm_s.t_evil', 'adm_s.evil', 'USING ROW(label::text)::adm_s.evil');
SELECT is(pg_temp.ran_as_others(), NULL, 'no cast or domain check ran as the extension''s owner');

-- 6. Planted operators, on the caller's search_path before pg_catalog: over tmac.label, over the
-- owner's type, and over text and name (what the old hidden-row query compared); and the owner's
-- index expression, constraint and default on the table.
SET ROLE t_own;
CREATE FUNCTION own_s.spy_ll(tmac.label, tmac.label) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RETURN spy.ran('an operator over tmac.label', 't_own'); END$$;
CREATE FUNCTION own_s.spy_ee(own_s.evil, own_s.evil) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RETURN spy.ran('an operator over own_s.evil', 't_own'); END$$;
CREATE FUNCTION own_s.spy_tt(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RETURN spy.ran('an operator over text', 't_own'); END$$;
CREATE FUNCTION own_s.spy_nn(name, name) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN RETURN spy.ran('an operator over name', 't_own'); END$$;
CREATE OPERATOR own_s.= (LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = own_s.spy_ll);
CREATE OPERATOR own_s.@> (LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = own_s.spy_ll);
CREATE OPERATOR own_s.< (LEFTARG = tmac.label, RIGHTARG = tmac.label, FUNCTION = own_s.spy_ll);
CREATE OPERATOR own_s.= (LEFTARG = own_s.evil, RIGHTARG = own_s.evil, FUNCTION = own_s.spy_ee);
CREATE OPERATOR own_s.= (LEFTARG = text, RIGHTARG = text, FUNCTION = own_s.spy_tt);
CREATE OPERATOR own_s.< (LEFTARG = text, RIGHTARG = text, FUNCTION = own_s.spy_tt);
CREATE OPERATOR own_s.= (LEFTARG = name, RIGHTARG = name, FUNCTION = own_s.spy_nn);
-- and an index expression and a CHECK constraint over the label column, and a column default
-- (PostgreSQL runs them as the owner when it builds, validates or rewrites the table)
CREATE FUNCTION own_s.spy_idx(tmac.label) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS
  $$BEGIN PERFORM spy.ran('an index expression or a constraint', 't_own'); RETURN 1; END$$;
CREATE FUNCTION own_s.spy_default() RETURNS integer LANGUAGE plpgsql AS
  $$BEGIN PERFORM spy.ran('a column default', 't_own'); RETURN 1; END$$;
CREATE INDEX ON own_s.t_ren (own_s.spy_idx(real_label));
ALTER TABLE own_s.t_ren ADD CONSTRAINT spy_check CHECK (own_s.spy_idx(real_label) = 1);
ALTER TABLE own_s.t_ren ADD COLUMN spy_default integer DEFAULT own_s.spy_default();
RESET ROLE;
SELECT is(pg_temp.as_role('t_aud', $$SELECT 'x'::text OPERATOR(own_s.=) 'y'::text$$), 'true', 'the planted operators work');
DELETE FROM spy.seen;
-- (the answers are kept and compared once the path is reset: pgTAP's own comparisons would
-- otherwise pick the planted operators)
SET search_path = own_s, public, tmac, pg_catalog;
CREATE TEMP TABLE hostile_path AS
  SELECT pg_temp.hidden('own_s.t_ren') AS ren, pg_temp.hidden('own_s.t_cast') AS cast_col,
         (SELECT count(*) FROM tmac.findings
           WHERE check_code OPERATOR(pg_catalog.=) 'protected_table_unenforced') AS unenforced;
RESET search_path;
SELECT is((SELECT ren || ' / ' || cast_col FROM hostile_path), 'clearance=1 compartment=1 / clearance=1 compartment=1',
          'hidden_rows_for answers with the planted operators first on the caller''s path');
SELECT is((SELECT unenforced FROM hostile_path), 6::bigint,
          'and so do the findings: the six tampered tables (cast, tmac_admin, rename, drop, domain, cast type)');
SELECT is((SELECT string_agg(DISTINCT who || ' ran ' || what, '; ') FROM spy.seen), NULL,
          'no planted operator, index expression, constraint or default ran');

-- 7. Trees: a partitioned table and an inheritance parent with rows of its own.  The label
-- column is found in each partition and child by name, as the planner reads a parent.
CREATE TABLE own_s.p_tree (id integer, label tmac.label NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE own_s.p_tree_1 PARTITION OF own_s.p_tree FOR VALUES FROM (1) TO (4);
CREATE TABLE own_s.p_tree_2 (label tmac.label NOT NULL, id integer);   -- another column order
ALTER TABLE own_s.p_tree ATTACH PARTITION own_s.p_tree_2 FOR VALUES FROM (4) TO (100);
INSERT INTO own_s.p_tree VALUES (1, 'PUBLIC'), (2, 'INTERNAL'), (3, 'CONFIDENTIAL'),
  (4, 'SECRET'), (5, 'SECRET:PRJ-A'), (6, 'SECRET:PRJ-B'), (7, 'TOP_SECRET');
SELECT tmac.protect('own_s.p_tree');
ALTER TABLE own_s.p_tree OWNER TO t_own;
ALTER TABLE own_s.p_tree_1 OWNER TO t_own;
ALTER TABLE own_s.p_tree_2 OWNER TO t_own;
CREATE TABLE own_s.i_par (id integer, label tmac.label NOT NULL);
CREATE TABLE own_s.i_kid (note text) INHERITS (own_s.i_par);
INSERT INTO own_s.i_par VALUES (1, 'PUBLIC'), (2, 'INTERNAL'), (3, 'CONFIDENTIAL'), (4, 'SECRET');
INSERT INTO own_s.i_kid VALUES (5, 'SECRET:PRJ-A'), (6, 'SECRET:PRJ-B'), (7, 'TOP_SECRET');
SELECT tmac.protect('own_s.i_par');
SELECT is(pg_temp.hidden('own_s.p_tree') || ' / ' || pg_temp.hidden('own_s.i_par') || ' / ' || pg_temp.hidden('own_s.i_kid'),
          'clearance=1 compartment=1 / clearance=1 compartment=1 / clearance=1 compartment=1',
          'hidden_rows_for counts every partition and inheritance child, and a child alone');
ALTER TABLE own_s.i_par OWNER TO t_own;
ALTER TABLE own_s.i_kid OWNER TO t_own;
SELECT pg_temp.take_label_name(t, 't_own', $$own_s.evil NOT NULL DEFAULT ROW('PUBLIC')::own_s.evil$$)
  FROM unnest(ARRAY['own_s.p_tree', 'own_s.i_par']) t;
SELECT is(pg_temp.hidden('own_s.p_tree') || ' / ' || pg_temp.hidden('own_s.i_par'),
          'clearance=1 compartment=1 / clearance=1 compartment=1',
          'the rename attack on a partitioned and an inheritance tree: still the policies'' column in every table');
SELECT is(pg_temp.ran_as_others(), NULL, 'and the owner''s cast ran nowhere as the extension''s owner');
-- A foreign table below a protected table (attached while tmac's event trigger was not firing):
-- reading it would run its foreign-data wrapper.
CREATE FOREIGN DATA WRAPPER owner_scan_fdw;
CREATE SERVER owner_scan_srv FOREIGN DATA WRAPPER owner_scan_fdw;
CREATE FOREIGN TABLE own_s.p_tree_far (id integer, real_label tmac.label NOT NULL, label own_s.evil NOT NULL) SERVER owner_scan_srv;
SET session_replication_role = replica;
ALTER TABLE own_s.p_tree ATTACH PARTITION own_s.p_tree_far FOR VALUES FROM (100) TO (200);
RESET session_replication_role;
SELECT throws_ok($$SELECT pg_temp.hidden('own_s.p_tree')$$, '42809', NULL,
                 'hidden_rows_for refuses a tree with a foreign table in it (42809)');

-- 8. A domain over tmac.label (even a domain over such a domain) hides no labelled rows from
-- the finding label_column_unprotected.
CREATE DOMAIN own_s.dd AS adm_s.dlabel;
CREATE TABLE own_s.t_dom_plain (id integer, label own_s.dd);
SELECT is((SELECT string_agg(subject, ' ') FROM tmac.findings
            WHERE check_code = 'label_column_unprotected' AND subject LIKE 'table:own_s.%'),
          'table:own_s.t_dom_plain', 'a table whose label column is a domain over a domain over tmac.label, without row security, is a finding');
ALTER TABLE own_s.t_dom_plain ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'label_column_unprotected' AND subject LIKE 'table:own_s.%'),
          0::bigint, 'and is cleared once row security is enabled and forced');

-- 9. Errors, with their SQLSTATEs.
CREATE TABLE own_s.plain (id integer, label tmac.label);
SELECT throws_ok($$SELECT pg_temp.hidden('own_s.plain')$$, '42704', NULL, 'hidden_rows_for of an unprotected table: 42704');
SELECT throws_ok($$SELECT * FROM tmac.hidden_rows_for('own_s.t_ren', 'no_such_role')$$, '42704', NULL,
                 'of an unknown role: 42704');
SELECT throws_ok($$SELECT * FROM tmac.hidden_rows_for(NULL, 't_alice')$$, '22004', NULL, 'of a null table: 22004');
SELECT is(pg_temp.superusers(), NULL, 'at the end, none of the planters is superuser');
DROP CAST (own_s.evil AS tmac.label);
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'label_function_untrusted' AND subject LIKE 'cast:%'), 0::bigint,
          'the dropped cast is no longer a finding');

SELECT * FROM finish();
ROLLBACK;
