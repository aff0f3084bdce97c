-- enforce_bypass: attempts to see a protected row another way; each must fail.
-- mallory is cleared INTERNAL with no compartment; rows 2 and 3 are beyond her.
\set VERBOSITY terse
SET search_path = public, tmac;
CREATE ROLE tmac_b_mallory;
CREATE ROLE tmac_b_viewowner;   -- unmapped, unprivileged
CREATE TABLE secret_doc (id integer PRIMARY KEY, title text NOT NULL, label tmac.label NOT NULL);
INSERT INTO secret_doc VALUES (1, 'lunch menu', 'INTERNAL'),
  (2, 'the-secret-formula', 'SECRET:PRJ-A'), (3, 'the-confidential-plan', 'CONFIDENTIAL');
SELECT tmac.protect('secret_doc');
GRANT SELECT, INSERT, UPDATE, DELETE ON secret_doc TO tmac_b_mallory, tmac_b_viewowner;
GRANT REFERENCES ON secret_doc TO tmac_b_mallory;   -- needed to declare a foreign key
INSERT INTO tmac.stub_profile (login_role, person_id, clearance_rank, read_compartments, write_compartments)
  VALUES ('tmac_b_mallory', 'E666', 10, '{}', '{}');
ANALYZE secret_doc;
GRANT CREATE ON SCHEMA public TO tmac_b_mallory, tmac_b_viewowner;

-- views: without security_invoker a view reads as its owner; with it, as the reader
SET ROLE tmac_b_viewowner;
CREATE VIEW owner_view AS SELECT * FROM secret_doc;
GRANT SELECT ON owner_view TO tmac_b_mallory;
SET ROLE tmac_b_mallory;
CREATE VIEW invoker_view WITH (security_invoker = true) AS SELECT * FROM secret_doc;
CREATE VIEW definer_view AS SELECT * FROM secret_doc;
SELECT id, title FROM owner_view ORDER BY id;
SELECT id, title FROM invoker_view ORDER BY id;
SELECT id, title FROM definer_view ORDER BY id;
RESET ROLE;
SELECT view, owner, acting_person, tables FROM tmac.exposing_views ORDER BY view::text;

-- a SECURITY DEFINER function owned by an unprivileged role acts as that role
SET ROLE tmac_b_viewowner;
CREATE FUNCTION definer_titles() RETURNS SETOF text LANGUAGE sql SECURITY DEFINER
  SET search_path = public AS 'SELECT title FROM secret_doc ORDER BY id';
SET ROLE tmac_b_mallory;
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
-- counts, not contents.  EXPLAIN ANALYZE counts the rows the policy removed;
SET ROLE tmac_b_mallory;
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
DELETE FROM tmac.stub_profile;
REVOKE CREATE ON SCHEMA public FROM tmac_b_mallory, tmac_b_viewowner;
DROP ROLE tmac_b_mallory, tmac_b_viewowner;
