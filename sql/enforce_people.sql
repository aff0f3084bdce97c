-- enforce_people: enforcement through the real people/grants API (PENDING until the
-- people branch is merged: move to sql/ and expected/ then).  Two employees see different
-- rows; write grants; explain_access; declassification lands in tmac.audit_log.
\set VERBOSITY terse
SET search_path = public, tmac;
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['ep_alice', 'ep_bob', 'ep_admin', 'ep_appr'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', r);
    END IF;
  END LOOP;
END $$;
GRANT tmac_access_admin TO ep_admin;
GRANT tmac_approver TO ep_appr;
SELECT count(tmac.enrol_login(r)) AS enrolled FROM unnest(ARRAY['ep_alice', 'ep_bob', 'ep_admin', 'ep_appr']::regrole[]) r;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('ep1', 'P001', 'hire', now() - interval '1 day', '{"full_name": "Alice", "login_role": "ep_alice", "org_group": "DEV", "job_role": "engineer"}'),
  ('ep2', 'P002', 'hire', now() - interval '1 day', '{"full_name": "Bob", "login_role": "ep_bob", "org_group": "SALES", "job_role": "sales"}'),
  ('ep3', 'P003', 'hire', now() - interval '1 day', '{"full_name": "Admin", "login_role": "ep_admin"}'),
  ('ep4', 'P004', 'hire', now() - interval '1 day', '{"full_name": "Approver", "login_role": "ep_appr"}');
SELECT tmac.record_pledge(p, 'hire', current_date - 1) IS NOT NULL AS pledged,
       tmac.record_training(p, 'basics', current_date - 1) IS NOT NULL AS trained
  FROM unnest(ARRAY['P001', 'P002']) p ORDER BY p;

CREATE TABLE pdoc (id integer PRIMARY KEY, title text NOT NULL, label tmac.label NOT NULL);
INSERT INTO pdoc VALUES (1, 'menu', 'PUBLIC'), (2, 'org chart', 'INTERNAL'),
  (3, 'project A plan', 'CONFIDENTIAL:PRJ-A'), (4, 'project B plan', 'CONFIDENTIAL:PRJ-B'),
  (5, 'dev-1 design', 'SECRET:PRJ-A:DEV-1'), (6, 'sales forecast', 'CONFIDENTIAL::SALES');
SELECT tmac.protect('pdoc');
GRANT SELECT, INSERT, UPDATE ON pdoc TO ep_alice, ep_bob;

SET ROLE ep_admin;
SELECT tmac.request_clearance('P001', 'SECRET', now() + interval '30 days', 'design') > 0 AS requested;
SELECT tmac.request_access('P001', 'PRJ-A', now() + interval '30 days', 'design', 'write') > 0 AS requested;
SELECT tmac.request_clearance('P002', 'CONFIDENTIAL', now() + interval '30 days', 'sales') > 0 AS requested;
SELECT tmac.request_access('P002', 'PRJ-B', now() + interval '30 days', 'sales') > 0 AS requested;
SET ROLE ep_appr;
SELECT tmac.approve(grant_id) FROM tmac.grants WHERE person_id IN ('P001', 'P002') ORDER BY grant_id;
RESET ROLE;

SET ROLE ep_alice;
SELECT id, title, label FROM pdoc ORDER BY id;
INSERT INTO pdoc VALUES (10, 'new A note', 'SECRET:PRJ-A');
INSERT INTO pdoc VALUES (11, 'into B', 'CONFIDENTIAL:PRJ-B');
UPDATE pdoc SET label = 'CONFIDENTIAL' WHERE id = 10;
SET ROLE ep_bob;
SELECT id, title, label FROM pdoc ORDER BY id;
INSERT INTO pdoc VALUES (12, 'bob read-only on B', 'CONFIDENTIAL:PRJ-B');
RESET ROLE;
SELECT * FROM tmac.explain_access('P002', 'SECRET:PRJ-A:DEV-1');

-- revocation, then declassification by a declassifier, recorded in the audit log
SET ROLE ep_appr;
SELECT tmac.revoke((SELECT grant_id FROM tmac.grants WHERE person_id = 'P002' AND compartment = 'PRJ-B'), 'project ended');
SET ROLE ep_bob;
SELECT id FROM pdoc ORDER BY id;
RESET ROLE;
GRANT tmac_declassifier TO ep_alice;
SET ROLE ep_alice;
UPDATE pdoc SET label = 'CONFIDENTIAL' WHERE id = 10 RETURNING id, label;
RESET ROLE;
SELECT category, action, subject, detail->>'from' AS from_label, detail->>'to' AS to_label
  FROM tmac.audit_log WHERE category = 'declassification' ORDER BY 1;

SELECT tmac.unprotect('pdoc');
DROP TABLE pdoc;
