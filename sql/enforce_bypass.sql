-- enforce_bypass: attempts to see a protected row another way; each must fail.
-- mallory (a person from the HR feed) is cleared INTERNAL with no compartment;
-- rows 2 and 3 are beyond her.
\set VERBOSITY terse
SET search_path = public, tmac;
CREATE ROLE byp_mallory;
CREATE ROLE byp_viewowner;   -- unmapped, unprivileged
CREATE TABLE secret_doc (id integer PRIMARY KEY, title text NOT NULL, label tmac.label NOT NULL);
INSERT INTO secret_doc VALUES (1, 'lunch menu', 'INTERNAL'),
  (2, 'the-secret-formula', 'SECRET:PRJ-A'), (3, 'the-confidential-plan', 'CONFIDENTIAL');
SELECT tmac.protect('secret_doc');
GRANT SELECT, INSERT, UPDATE, DELETE ON secret_doc TO byp_mallory, byp_viewowner;
GRANT REFERENCES ON secret_doc TO byp_mallory;   -- needed to declare a foreign key
-- mallory is hired through the HR feed and cleared INTERNAL by an access
-- administrator and an approver (neither of them mallory)
CREATE ROLE byp_admin;
CREATE ROLE byp_appr;
GRANT tmac_access_admin TO byp_admin;
GRANT tmac_approver TO byp_appr;
SELECT count(tmac.enrol_login(r)) AS enrolled FROM unnest(ARRAY['byp_mallory', 'byp_admin', 'byp_appr']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('byp-h1', 'B666', 'hire', now() - interval '1 day', '{"full_name": "Mallory", "login_role": "byp_mallory", "org_group": "SALES", "job_role": "sales"}'),
  ('byp-h2', 'B667', 'hire', now() - interval '1 day', '{"full_name": "Bypass Admin", "login_role": "byp_admin"}'),
  ('byp-h3', 'B668', 'hire', now() - interval '1 day', '{"full_name": "Bypass Approver", "login_role": "byp_appr"}');
SELECT tmac.record_pledge('B666', 'hire', current_date - 3) IS NOT NULL AS pledged,
       tmac.record_training('B666', 'basics', current_date - 3) IS NOT NULL AS trained;
SET ROLE byp_admin;
SELECT tmac.request_clearance('B666', 'INTERNAL', now() + interval '30 days', 'office work') IS NOT NULL AS requested;
SET ROLE byp_appr;
SELECT level, tmac.approve(grant_id) AS status FROM tmac.grants WHERE person_id = 'B666';
RESET ROLE;
ANALYZE secret_doc;
GRANT CREATE ON SCHEMA public TO byp_mallory, byp_viewowner;

-- views: without security_invoker a view reads as its owner; with it, as the reader
SET ROLE byp_viewowner;
CREATE VIEW owner_view AS SELECT * FROM secret_doc;
GRANT SELECT, INSERT, UPDATE ON owner_view TO byp_mallory;
SET ROLE byp_mallory;
CREATE VIEW invoker_view WITH (security_invoker = true) AS SELECT * FROM secret_doc;
CREATE VIEW definer_view AS SELECT * FROM secret_doc;
SELECT id, title FROM owner_view ORDER BY id;
SELECT id, title FROM invoker_view ORDER BY id;
SELECT id, title FROM definer_view ORDER BY id;
-- writes through the owner's view are decided for the owner too (it maps to no
-- person: the lowest level only), although mallory herself may write INTERNAL rows
UPDATE owner_view SET title = title RETURNING id;
INSERT INTO owner_view VALUES (4, 'via the view', 'INTERNAL');
RESET ROLE;
SELECT view, owner, acting_person, tables FROM tmac.exposing_views ORDER BY view::text;

-- a SECURITY DEFINER function owned by an unprivileged role acts as that role
SET ROLE byp_viewowner;
CREATE FUNCTION definer_titles() RETURNS SETOF text LANGUAGE sql SECURITY DEFINER
  SET search_path = public AS 'SELECT title FROM secret_doc ORDER BY id';
SET ROLE byp_mallory;
SELECT definer_titles();

-- a leaky function in WHERE only ever sees rows the policy let through
CREATE FUNCTION leak(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
$$ BEGIN RAISE NOTICE 'leak: %', t; RETURN true; END $$;
SELECT id FROM secret_doc WHERE leak(title) ORDER BY id;
SELECT id FROM secret_doc WHERE leak(title) AND id = 2;

-- COPY
COPY (SELECT id, title FROM secret_doc ORDER BY id) TO STDOUT;
COPY secret_doc TO STDOUT;

-- UPDATE/DELETE ... RETURNING on hidden rows touch nothing
UPDATE secret_doc SET title = title WHERE id = 2 RETURNING title;
DELETE FROM secret_doc WHERE id IN (2, 3) RETURNING title;
UPDATE secret_doc SET label = 'INTERNAL' RETURNING id;

-- INSERT ... ON CONFLICT DO UPDATE on a hidden row's key: refused, nothing read or changed
INSERT INTO secret_doc VALUES (2, 'guess', 'INTERNAL')
  ON CONFLICT (id) DO UPDATE SET title = excluded.title RETURNING id, title;
INSERT INTO secret_doc VALUES (2, 'guess', 'INTERNAL')
  ON CONFLICT (id) DO UPDATE SET label = secret_doc.label RETURNING secret_doc.title;

-- an error raised only for a hidden row never fires: policy quals run first
SELECT id FROM secret_doc WHERE CASE WHEN id = 2 THEN title::integer ELSE 0 END = 0 ORDER BY id;
SELECT id FROM secret_doc WHERE 1 / (id - 2) IS NOT NULL ORDER BY id;

-- pg_stats hides the statistics (most common values, histograms) of tables with row security
SELECT count(*) AS stats_rows FROM pg_stats WHERE tablename = 'secret_doc';
SELECT count(*) AS ext_stats_rows FROM pg_stats_ext WHERE tablename = 'secret_doc';
RESET ROLE;
SELECT count(*) > 0 AS superuser_sees_stats FROM pg_stats WHERE tablename = 'secret_doc';

-- residual channels PostgreSQL leaves open (documented in README-enforce.md):
-- counts, not contents.  EXPLAIN ANALYZE no longer counts the rows the policy removed
-- (src/explain_withhold.c: "Rows Removed by Filter" is withheld once a row was hidden);
SET ROLE byp_mallory;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT title FROM secret_doc;
-- a foreign key check runs without row security, so it confirms that a key exists;
CREATE TABLE probe (doc_id integer REFERENCES secret_doc (id));
INSERT INTO probe VALUES (2);
INSERT INTO probe VALUES (99);
-- and a unique index refuses a duplicate of a hidden key.
INSERT INTO secret_doc VALUES (3, 'dup', 'INTERNAL');
RESET ROLE;
SELECT id, title, label FROM secret_doc ORDER BY id;

DROP TABLE probe;
DROP FUNCTION leak(text);
DROP VIEW invoker_view, definer_view, owner_view;
DROP FUNCTION definer_titles();
SELECT tmac.unprotect('secret_doc');
DROP TABLE secret_doc;
REVOKE CREATE ON SCHEMA public FROM byp_mallory, byp_viewowner;
-- the persons stay, as tmac never deletes them
DROP ROLE byp_mallory, byp_viewowner, byp_admin, byp_appr;
