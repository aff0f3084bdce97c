-- enforce: protect(), the read and write rules, can_read/can_write, explain_access, hidden_rows.
-- Profiles come from the access-profile stub (tmac.stub_profile) until the people branch lands.
\set VERBOSITY terse
SET search_path = public, tmac;
CREATE ROLE tmac_r_alice;
CREATE ROLE tmac_r_bob;
CREATE ROLE tmac_r_carol;   -- maps to no person
CREATE ROLE tmac_r_dave;    -- a declassifier
CREATE ROLE tmac_r_owner;   -- owns a SECURITY DEFINER function
GRANT tmac_declassifier TO tmac_r_dave;

CREATE TABLE doc (id integer PRIMARY KEY, title text NOT NULL, label tmac.label NOT NULL);
INSERT INTO doc VALUES
  (1, 'canteen menu',        'PUBLIC'),
  (2, 'org chart',           'INTERNAL'),
  (3, 'price list',          'CONFIDENTIAL'),
  (4, 'project A plan',      'CONFIDENTIAL:PRJ-A'),
  (5, 'project B plan',      'CONFIDENTIAL:PRJ-B'),
  (6, 'A and B joint study', 'SECRET:PRJ-A,PRJ-B'),
  (7, 'dev roadmap',         'SECRET::DEV'),
  (8, 'dev-1 design',        'SECRET:PRJ-A:DEV-1'),
  (9, 'sales forecast',      'CONFIDENTIAL::SALES'),
  (10, 'blueprint',          'TOP_SECRET:BLUEPRINT');
GRANT SELECT, INSERT, UPDATE, DELETE ON doc TO PUBLIC;

-- protect() refuses what it cannot protect
SELECT tmac.protect('doc', 'title');
SELECT tmac.protect('doc', 'nope');
CREATE VIEW doc_view AS SELECT * FROM doc;
SELECT tmac.protect('doc_view');
SELECT tmac.protect(NULL);
SELECT tmac.unprotect('doc');
SELECT tmac.protect('doc');
SELECT tmac.protect('doc');
SELECT relid, label_column FROM tmac.protected_table ORDER BY relid::text;
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'doc'::regclass;
SELECT polname, polpermissive, polcmd, pg_get_expr(polqual, polrelid) AS using_expr,
       pg_get_expr(polwithcheck, polrelid) AS check_expr
  FROM pg_policy WHERE polrelid = 'doc'::regclass ORDER BY polname;

-- people (stub profiles)
INSERT INTO tmac.stub_profile (login_role, person_id, clearance_rank, read_compartments, write_compartments, org_group_id)
SELECT 'tmac_r_alice', 'E001', 30,
       ARRAY[(SELECT compartment_id FROM tmac.compartment WHERE code = 'PRJ-A')],
       ARRAY[(SELECT compartment_id FROM tmac.compartment WHERE code = 'PRJ-A')],
       (SELECT group_id FROM tmac.org_group WHERE code = 'DEV')
UNION ALL
SELECT 'tmac_r_bob', 'E002', 20,
       ARRAY[(SELECT compartment_id FROM tmac.compartment WHERE code = 'PRJ-B')],
       '{}', (SELECT group_id FROM tmac.org_group WHERE code = 'SALES')
UNION ALL
SELECT 'tmac_r_dave', 'E004', 40,
       ARRAY(SELECT compartment_id FROM tmac.compartment ORDER BY 1),
       ARRAY(SELECT compartment_id FROM tmac.compartment ORDER BY 1),
       (SELECT group_id FROM tmac.org_group WHERE code = 'DEV');

-- the superuser bypasses row security; each employee sees their own rows
SELECT count(*) FROM doc;
SET ROLE tmac_r_alice;
SELECT id, title, label FROM doc ORDER BY id;
SELECT tmac.can_read('SECRET:PRJ-A'), tmac.can_read('SECRET:PRJ-B'), tmac.can_write('SECRET:PRJ-A'),
       tmac.can_write('TOP_SECRET'), tmac.can_read('INTERNAL::DEV-1'), tmac.can_read('INTERNAL::SALES');
SET ROLE tmac_r_bob;
SELECT id, title, label FROM doc ORDER BY id;
SELECT tmac.can_read('CONFIDENTIAL:PRJ-B'), tmac.can_write('CONFIDENTIAL:PRJ-B'), tmac.can_write('CONFIDENTIAL');
SET ROLE tmac_r_carol;
SELECT id, title, label FROM doc ORDER BY id;
SELECT tmac.can_read('PUBLIC'), tmac.can_read('INTERNAL'), tmac.can_read('PUBLIC:PRJ-A'), tmac.can_read('PUBLIC::DEV');
RESET ROLE;

-- a SECURITY DEFINER function acts as its owner, never with the caller's cached decision
CREATE FUNCTION count_docs() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  SET search_path = public AS 'SELECT count(*) FROM doc';
ALTER FUNCTION count_docs() OWNER TO tmac_r_owner;
GRANT SELECT ON doc TO tmac_r_owner;
SET ROLE tmac_r_alice;
SELECT count(*) AS alice_sees, count_docs() AS owner_sees FROM doc;
SET ROLE tmac_r_bob;
SELECT count(*) AS bob_sees, count_docs() AS owner_sees FROM doc;
RESET ROLE;

-- explain_access: one row per check
SELECT * FROM tmac.explain_access('E001', 'SECRET:PRJ-A,PRJ-B:DEV-1');
SELECT * FROM tmac.explain_access('E002', 'SECRET:PRJ-A:DEV');
SELECT * FROM tmac.explain_access('E001', 'INTERNAL');
SELECT * FROM tmac.explain_access('E999', 'INTERNAL');
SET ROLE tmac_r_bob;
SELECT "check", passed FROM tmac.explain_access('E002', 'CONFIDENTIAL:PRJ-B');
SELECT * FROM tmac.explain_access('E001', 'INTERNAL');
RESET ROLE;

-- decisions follow the profile at once: revocation, inactivity, prerequisites, expiry
UPDATE tmac.stub_profile SET read_compartments = '{}' WHERE person_id = 'E001';
SET ROLE tmac_r_alice;
SELECT id FROM doc ORDER BY id;
RESET ROLE;
UPDATE tmac.stub_profile SET training_ok = false WHERE person_id = 'E001';
SET ROLE tmac_r_alice;
SELECT id FROM doc ORDER BY id;
RESET ROLE;
SELECT "check", passed, reason FROM tmac.explain_access('E001', 'INTERNAL') WHERE NOT passed;
UPDATE tmac.stub_profile SET training_ok = true, pledge_ok = false WHERE person_id = 'E001';
SELECT "check", passed, reason FROM tmac.explain_access('E001', 'INTERNAL') WHERE NOT passed;
UPDATE tmac.stub_profile SET pledge_ok = true, active = false WHERE person_id = 'E001';
SET ROLE tmac_r_alice;
SELECT count(*) FROM doc;
RESET ROLE;
UPDATE tmac.stub_profile SET active = true, read_compartments = write_compartments WHERE person_id = 'E001';
SET ROLE tmac_r_alice;
SELECT count(*) FROM doc;
RESET ROLE;
-- expiry from its exact instant, with no job and no other change
UPDATE tmac.stub_profile SET valid_until = clock_timestamp() + interval '1 second' WHERE person_id = 'E001';
SET ROLE tmac_r_alice;
SELECT count(*) AS before_expiry FROM doc;
SELECT pg_sleep(1.2);
SELECT count(*) AS after_expiry FROM doc;
RESET ROLE;
UPDATE tmac.stub_profile SET valid_until = NULL WHERE person_id = 'E001';

-- hidden_rows: what the acting role cannot see, by reason, for those allowed to ask
SELECT * FROM tmac.hidden_rows_for('doc', 'tmac_r_bob');
SELECT * FROM tmac.hidden_rows_for('doc', 'tmac_r_carol');
SET ROLE tmac_r_bob;
SELECT * FROM tmac.hidden_rows('doc');
RESET ROLE;
GRANT tmac_auditor TO tmac_r_bob;
SET ROLE tmac_r_bob;
SELECT * FROM tmac.hidden_rows('doc');
RESET ROLE;
REVOKE tmac_auditor FROM tmac_r_bob;

-- write rule
SET ROLE tmac_r_alice;
INSERT INTO doc VALUES (20, 'above clearance', 'TOP_SECRET');
INSERT INTO doc VALUES (21, 'ungranted compartment', 'CONFIDENTIAL:PRJ-B');
INSERT INTO doc VALUES (22, 'fine', 'SECRET:PRJ-A');
UPDATE doc SET label = 'TOP_SECRET:PRJ-A' WHERE id = 22;
UPDATE doc SET label = 'SECRET:PRJ-A,PRJ-B' WHERE id = 22;
UPDATE doc SET label = 'SECRET:PRJ-A,BLUEPRINT' WHERE id = 22;
UPDATE doc SET label = 'SECRET::DEV' WHERE id = 22;     -- removes PRJ-A: declassification
UPDATE doc SET label = 'CONFIDENTIAL:PRJ-A' WHERE id = 22;     -- lowers the level
UPDATE doc SET title = 'fine, retitled' WHERE id = 22;  -- no label change
UPDATE doc SET title = 'unseen' WHERE id = 10 RETURNING id;
DELETE FROM doc WHERE id = 10 RETURNING id;
SELECT id, title, label FROM doc WHERE id >= 20 ORDER BY id;
SET ROLE tmac_r_bob;
INSERT INTO doc VALUES (23, 'bob has no write grant', 'CONFIDENTIAL:PRJ-B');
INSERT INTO doc VALUES (24, 'bob writes plain', 'CONFIDENTIAL');
SET ROLE tmac_r_dave;
UPDATE doc SET label = 'CONFIDENTIAL:PRJ-A' WHERE id = 22 RETURNING id, label;
UPDATE doc SET label = 'INTERNAL' WHERE id = 22 RETURNING id, label;
RESET ROLE;
SELECT category, action, subject, detail->>'from' AS from_label, detail->>'to' AS to_label, detail->>'by' AS by_role
  FROM tmac.stub_audit ORDER BY audit_id;

-- unprotect
SELECT tmac.unprotect('doc');
SELECT tmac.unprotect('doc');
SELECT count(*) FROM pg_policy WHERE polrelid = 'doc'::regclass;
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'doc'::regclass;
SELECT tmac.protect('doc');

-- clean up the cluster-wide roles (other suites run in the same cluster)
DROP TABLE doc CASCADE;
DROP FUNCTION count_docs();
DELETE FROM tmac.stub_profile;
DROP ROLE tmac_r_alice, tmac_r_bob, tmac_r_carol, tmac_r_dave, tmac_r_owner;
