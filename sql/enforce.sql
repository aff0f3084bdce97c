-- enforce: protect(), the read and write rules, can_read/can_write, explain_access, hidden_rows.
-- People come from HR events; clearances and grants are requested by an access
-- administrator and approved by approvers who are neither requester nor grantee.
\set VERBOSITY terse
SET search_path = public, tmac;
CREATE ROLE enf_alice;
CREATE ROLE enf_bob;
CREATE ROLE enf_carol;   -- maps to no person
CREATE ROLE enf_dave;    -- a declassifier
CREATE ROLE enf_owner;   -- owns a SECURITY DEFINER function, maps to no person
CREATE ROLE enf_admin;   -- requests clearances and grants
CREATE ROLE enf_appr1;   -- approves them
CREATE ROLE enf_appr2;   -- second approver (clearances of rank >= 40)
GRANT tmac_declassifier TO enf_dave;
GRANT tmac_access_admin TO enf_admin;
GRANT tmac_approver TO enf_appr1, enf_appr2;

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

-- people: hired through the HR feed, with pledges and training on file
SELECT count(tmac.enrol_login(r)) AS enrolled
  FROM unnest(ARRAY['enf_alice', 'enf_bob', 'enf_dave', 'enf_admin', 'enf_appr1', 'enf_appr2']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('enf-h1', 'E001', 'hire', now() - interval '1 day', '{"full_name": "Alice", "login_role": "enf_alice", "org_group": "DEV", "job_role": "engineer"}'),
  ('enf-h2', 'E002', 'hire', now() - interval '1 day', '{"full_name": "Bob", "login_role": "enf_bob", "org_group": "SALES", "job_role": "sales"}'),
  ('enf-h4', 'E004', 'hire', now() - interval '1 day', '{"full_name": "Dave", "login_role": "enf_dave", "org_group": "DEV", "job_role": "manager"}'),
  ('enf-h10', 'E010', 'hire', now() - interval '1 day', '{"full_name": "Access Admin", "login_role": "enf_admin"}'),
  ('enf-h11', 'E011', 'hire', now() - interval '1 day', '{"full_name": "Approver One", "login_role": "enf_appr1"}'),
  ('enf-h12', 'E012', 'hire', now() - interval '1 day', '{"full_name": "Approver Two", "login_role": "enf_appr2"}');
SELECT person_id, login_role, g.code AS org_group, status
  FROM tmac.person p LEFT JOIN tmac.org_group g ON g.group_id = p.org_group_id
 WHERE person_id IN ('E001', 'E002', 'E004', 'E010', 'E011', 'E012') ORDER BY person_id;
SELECT p, tmac.record_pledge(p, 'hire', current_date - 3) IS NOT NULL AS pledged,
       tmac.record_training(p, 'basics', current_date - 3) IS NOT NULL AS trained
  FROM unnest(ARRAY['E001', 'E002', 'E004']) p ORDER BY p;
-- clearances and grants: alice SECRET + write PRJ-A; bob CONFIDENTIAL + read PRJ-B;
-- dave TOP_SECRET (two approvers) + write on every compartment
SET ROLE enf_admin;
SELECT count(*) AS requested FROM (VALUES
  (tmac.request_clearance('E001', 'SECRET', now() + interval '30 days', 'design')),
  (tmac.request_access('E001', 'PRJ-A', now() + interval '30 days', 'design', 'write')),
  (tmac.request_clearance('E002', 'CONFIDENTIAL', now() + interval '30 days', 'sales')),
  (tmac.request_access('E002', 'PRJ-B', now() + interval '30 days', 'sales')),
  (tmac.request_clearance('E004', 'TOP_SECRET', now() + interval '30 days', 'review')),
  (tmac.request_access('E004', 'PRJ-A', now() + interval '30 days', 'review', 'write')),
  (tmac.request_access('E004', 'PRJ-B', now() + interval '30 days', 'review', 'write')),
  (tmac.request_access('E004', 'BLUEPRINT', now() + interval '30 days', 'review', 'write'))) r(grant_id);
SET ROLE enf_appr1;
SELECT person_id, kind, coalesce(level, compartment) AS what, mode, tmac.approve(grant_id) AS status
  FROM tmac.grants WHERE person_id IN ('E001', 'E002', 'E004') AND approved_by = '{}' ORDER BY grant_id;
SET ROLE enf_appr2;
SELECT person_id, level, tmac.approve(grant_id) AS status
  FROM tmac.grants WHERE person_id = 'E004' AND kind = 'clearance' ORDER BY grant_id;
RESET ROLE;

-- the superuser bypasses row security; each employee sees their own rows
SELECT count(*) FROM doc;
SET ROLE enf_alice;
SELECT id, title, label FROM doc ORDER BY id;
SELECT tmac.can_read('SECRET:PRJ-A'), tmac.can_read('SECRET:PRJ-B'), tmac.can_write('SECRET:PRJ-A'),
       tmac.can_write('TOP_SECRET'), tmac.can_read('INTERNAL::DEV-1'), tmac.can_read('INTERNAL::SALES');
SET ROLE enf_bob;
SELECT id, title, label FROM doc ORDER BY id;
SELECT tmac.can_read('CONFIDENTIAL:PRJ-B'), tmac.can_write('CONFIDENTIAL:PRJ-B'), tmac.can_write('CONFIDENTIAL');
SET ROLE enf_carol;
SELECT id, title, label FROM doc ORDER BY id;
SELECT tmac.can_read('PUBLIC'), tmac.can_read('INTERNAL'), tmac.can_read('PUBLIC:PRJ-A'), tmac.can_read('PUBLIC::DEV');
RESET ROLE;

-- a SECURITY DEFINER function acts as its owner, never with the caller's cached decision
CREATE FUNCTION count_docs() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  SET search_path = public AS 'SELECT count(*) FROM doc';
ALTER FUNCTION count_docs() OWNER TO enf_owner;
GRANT SELECT ON doc TO enf_owner;
SET ROLE enf_alice;
SELECT count(*) AS alice_sees, count_docs() AS owner_sees FROM doc;
SET ROLE enf_bob;
SELECT count(*) AS bob_sees, count_docs() AS owner_sees FROM doc;
RESET ROLE;

-- explain_access: one row per check
SELECT * FROM tmac.explain_access('E001', 'SECRET:PRJ-A,PRJ-B:DEV-1');
SELECT * FROM tmac.explain_access('E002', 'SECRET:PRJ-A:DEV');
SELECT * FROM tmac.explain_access('E001', 'INTERNAL');
SELECT * FROM tmac.explain_access('E999', 'INTERNAL');
SET ROLE enf_bob;
SELECT "check", passed FROM tmac.explain_access('E002', 'CONFIDENTIAL:PRJ-B');
SELECT * FROM tmac.explain_access('E001', 'INTERNAL');
RESET ROLE;

-- decisions follow the people and grant tables at once: revocation, prerequisites,
-- inactivity, expiry
SET ROLE enf_appr1;
SELECT tmac.revoke(grant_id, 'project ended') FROM tmac.grants
 WHERE person_id = 'E001' AND compartment = 'PRJ-A';
SET ROLE enf_alice;
SELECT id FROM doc ORDER BY id;
RESET ROLE;
-- training lapses: it now counts for one day only, and was completed three days ago
SELECT tmac.configure('training_validity', '1 day');
SET ROLE enf_alice;
SELECT id FROM doc ORDER BY id;
RESET ROLE;
SELECT "check", passed, reason FROM tmac.explain_access('E001', 'INTERNAL') WHERE NOT passed;
SELECT tmac.configure('training_validity', '12 months');
-- a promotion (same job role and group: no grant ends) requires a new pledge
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES
  ('enf-p1', 'E001', 'promotion', '{"title": "senior engineer"}');
SELECT "check", passed, reason FROM tmac.explain_access('E001', 'INTERNAL') WHERE NOT passed;
SET ROLE enf_alice;
SELECT count(*) FROM doc;
RESET ROLE;
-- signed today, in the time zone tmac dates are kept in
SELECT tmac.record_pledge('E001', 'promotion', (now() AT TIME ZONE tmac.setting_value('date_time_zone'))::date)
       IS NOT NULL AS pledged;
-- on leave: no row at all
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('enf-l1', 'E001', 'leave');
SELECT "check", passed, reason FROM tmac.explain_access('E001', 'INTERNAL') WHERE NOT passed;
SET ROLE enf_alice;
SELECT count(*) FROM doc;
RESET ROLE;
-- back from leave, with a new PRJ-A write grant; the clearance and the grant now end
-- together a few seconds from now
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('enf-r1', 'E001', 'return');
SELECT clock_timestamp() + interval '3 seconds' AS expiry \gset
SET ROLE enf_appr1;
SELECT tmac.revoke(grant_id, 'replaced by a short clearance') FROM tmac.grants
 WHERE person_id = 'E001' AND kind = 'clearance';
SET ROLE enf_admin;
SELECT count(*) AS requested FROM (VALUES
  (tmac.request_clearance('E001', 'SECRET', :'expiry', 'short review')),
  (tmac.request_access('E001', 'PRJ-A', :'expiry', 'short review', 'write'))) r(grant_id);
SET ROLE enf_appr1;
SELECT coalesce(level, compartment) AS what, tmac.approve(grant_id) AS status
  FROM tmac.grants WHERE person_id = 'E001' AND approved_by = '{}' ORDER BY grant_id;
SET ROLE enf_alice;
SELECT count(*) FROM doc;
-- expiry from its exact instant, with no job and no other change
SELECT count(*) AS before_expiry FROM doc;
SELECT pg_sleep(greatest(extract(epoch FROM :'expiry'::timestamptz - clock_timestamp()), 0));
SELECT count(*) AS after_expiry FROM doc;
RESET ROLE;
SELECT coalesce(level, compartment) AS what, status, end_reason FROM tmac.grants
 WHERE person_id = 'E001' AND valid_until = :'expiry' ORDER BY grant_id;
-- alice's access again, for the rest of the file
SET ROLE enf_admin;
SELECT count(*) AS requested FROM (VALUES
  (tmac.request_clearance('E001', 'SECRET', now() + interval '30 days', 'design')),
  (tmac.request_access('E001', 'PRJ-A', now() + interval '30 days', 'design', 'write'))) r(grant_id);
SET ROLE enf_appr1;
SELECT coalesce(level, compartment) AS what, tmac.approve(grant_id) AS status
  FROM tmac.grants WHERE person_id = 'E001' AND approved_by = '{}' ORDER BY grant_id;
SET ROLE enf_alice;
SELECT count(*) FROM doc;
RESET ROLE;

-- hidden_rows: what the acting role cannot see, by reason, for those allowed to ask
SELECT * FROM tmac.hidden_rows_for('doc', 'enf_bob');
SELECT * FROM tmac.hidden_rows_for('doc', 'enf_carol');
SET ROLE enf_bob;
SELECT * FROM tmac.hidden_rows('doc');
RESET ROLE;
GRANT tmac_auditor TO enf_bob;
SET ROLE enf_bob;
SELECT * FROM tmac.hidden_rows('doc');
RESET ROLE;
REVOKE tmac_auditor FROM enf_bob;

-- write rule
SET ROLE enf_alice;
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
SET ROLE enf_bob;
INSERT INTO doc VALUES (23, 'bob has no write grant', 'CONFIDENTIAL:PRJ-B');
INSERT INTO doc VALUES (24, 'bob writes plain', 'CONFIDENTIAL');
RESET ROLE;
-- declassification by a declassifier is recorded in the audit log in the same
-- transaction (rolled back here, so that the audit log of the shared test
-- database keeps no entry from this file); the second update writes INTERNAL
-- after the transaction read the row at SECRET:PRJ-A, a write-down recorded too
-- (write_down, src/information_flow.c)
BEGIN;
SET LOCAL ROLE enf_dave;
UPDATE doc SET label = 'CONFIDENTIAL:PRJ-A' WHERE id = 22 RETURNING id, label;
UPDATE doc SET label = 'INTERNAL' WHERE id = 22 RETURNING id, label;
RESET ROLE;
SELECT category, action, subject, detail->>'from' AS from_label, detail->>'to' AS to_label, detail->>'by' AS by_role
  FROM tmac.audit_log WHERE category = 'declassification' AND subject = 'public.doc' ORDER BY entry_id;
ROLLBACK;

-- unprotect
SELECT tmac.unprotect('doc');
SELECT tmac.unprotect('doc');
SELECT count(*) FROM pg_policy WHERE polrelid = 'doc'::regclass;
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'doc'::regclass;
SELECT tmac.protect('doc');

-- clean up the cluster-wide roles (other suites run in the same cluster); the
-- persons stay, as tmac never deletes them
DROP TABLE doc CASCADE;
DROP FUNCTION count_docs();
DROP ROLE enf_alice, enf_bob, enf_carol, enf_dave, enf_owner, enf_admin, enf_appr1, enf_appr2;
