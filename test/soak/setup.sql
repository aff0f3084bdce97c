-- setup.sql — the soak database: vocabulary, people, a protected table and the
-- tables the readers and the driver record into (see run_soak.sh).
--
-- Readers R01..R16 (login roles soak_r01..soak_r16) in groups DEV, DEV-1 and
-- SALES; SOAK-ADM requests (tmac_access_admin), SOAK-APR approves
-- (tmac_approver), soak_hr feeds HR events (tmac_hr).  Pledges and training
-- are recorded once and stay valid for the whole run.
\set ON_ERROR_STOP 1
CREATE EXTENSION tmac;
SELECT tmac.define_group('DEV', 'development'), tmac.define_group('DEV-1', 'development 1', 'DEV'),
       tmac.define_group('SALES', 'sales');
SELECT tmac.define_compartment('C' || i, 'compartment ' || i) FROM generate_series(1, 6) i;

SELECT format('CREATE ROLE soak_r%s LOGIN', lpad(i::text, 2, '0')) FROM generate_series(1, 16) i \gexec
CREATE ROLE soak_adm LOGIN IN ROLE tmac_access_admin;
CREATE ROLE soak_apr LOGIN IN ROLE tmac_approver;
CREATE ROLE soak_hr LOGIN IN ROLE tmac_hr;
-- a DBA enrols the login roles persons may be mapped to
SELECT tmac.enrol_login(r::regrole)
  FROM (SELECT 'soak_r' || lpad(i::text, 2, '0') FROM generate_series(1, 16) i
        UNION ALL VALUES ('soak_adm'), ('soak_apr')) v(r);

INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
SELECT 'soak-hire-' || p, p, 'hire', now() - interval '1 hour',
       jsonb_build_object('full_name', 'reader ' || i, 'job_role', 'engineer', 'login_role', r,
                          'org_group', (ARRAY['DEV', 'DEV-1', 'SALES'])[i % 3 + 1])
  FROM generate_series(1, 16) i,
       LATERAL (SELECT 'R' || lpad(i::text, 2, '0') AS p, 'soak_r' || lpad(i::text, 2, '0') AS r) n;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('soak-hire-adm', 'SOAK-ADM', 'hire', now() - interval '1 hour',
   '{"full_name": "access admin", "org_group": "DEV", "job_role": "access admin", "login_role": "soak_adm"}'),
  ('soak-hire-apr', 'SOAK-APR', 'hire', now() - interval '1 hour',
   '{"full_name": "approver", "org_group": "DEV", "job_role": "manager", "login_role": "soak_apr"}');
SELECT tmac.record_pledge(person_id, 'hire', current_date - 1), tmac.record_training(person_id, 'security basics', current_date - 1)
  FROM tmac.person;

-- 120 rows over every level, no to two compartments (C1..C5; C6 is never needed),
-- and no group, DEV, DEV-1 or SALES.
CREATE TABLE doc (id int PRIMARY KEY, label tmac.label NOT NULL);
INSERT INTO doc
SELECT i, format('%s:%s:%s',
                 (ARRAY['PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'SECRET', 'TOP_SECRET'])[(i - 1) % 5 + 1],
                 (ARRAY['', '', 'C1', 'C2', 'C3', 'C4', 'C5', 'C1,C2', 'C2,C3', 'C4,C5'])[(i - 1) / 5 % 10 + 1],
                 CASE i % 7 WHEN 0 THEN 'DEV' WHEN 3 THEN 'DEV-1' WHEN 5 THEN 'SALES' ELSE '' END)::tmac.label
  FROM generate_series(1, 120) i;
SELECT tmac.protect('doc');

-- What each reading statement saw: its start (the instant tmac decides at),
-- the role, the id range it asked for and the ids it got.
CREATE UNLOGGED TABLE soak_seen (at timestamptz NOT NULL, who name NOT NULL, lo int NOT NULL, hi int NOT NULL,
                                 ids int[] NOT NULL);
-- Every change the driver made: t0 is taken before its first statement, ack
-- after its commit returned, so the change took effect within [t0, ack].
CREATE TABLE soak_change (change_id serial PRIMARY KEY, kind text NOT NULL, person_id text NOT NULL,
                          grant_id bigint, t0 timestamptz NOT NULL, ack timestamptz NOT NULL);
SELECT format('GRANT SELECT ON doc TO soak_r%1$s; GRANT INSERT ON soak_seen TO soak_r%1$s', lpad(i::text, 2, '0'))
  FROM generate_series(1, 16) i \gexec

-- Everyone starts with a clearance and two compartment grants, valid for a day.
CREATE TEMP TABLE start_grants (g bigint);
GRANT SELECT, INSERT ON start_grants TO soak_adm, soak_apr;
SET ROLE soak_adm;
INSERT INTO start_grants
SELECT tmac.request_clearance(p, (ARRAY['CONFIDENTIAL', 'SECRET'])[i % 2 + 1], now() + interval '1 day', 'soak') AS g
  FROM generate_series(1, 16) i, LATERAL (SELECT 'R' || lpad(i::text, 2, '0') AS p) n
UNION ALL
SELECT tmac.request_access(p, 'C' || ((i + k) % 5 + 1), now() + interval '1 day', 'soak')
  FROM generate_series(1, 16) i, generate_series(0, 1) k, LATERAL (SELECT 'R' || lpad(i::text, 2, '0') AS p) n;
SET ROLE soak_apr;
SELECT count(tmac.approve(g)) AS approved FROM start_grants;
RESET ROLE;

-- The checker's model (check.sql), written from the README's rules independently of
-- tmac's C code: which ids of doc may person `pid` read at instant `t`,
-- according to the recorded history — the clearances and grants in force
-- at t (tmac.access_as_of, the auditor's interface) and the person's HR
-- events.  Pledges and training are valid throughout the run, so they are
-- left out.  With `lenient`, a revocation, termination or rehire the driver
-- had begun but whose commit had not yet returned at t (t0 <= t < ack) may
-- or may not have taken effect: what it took away still counts, and a
-- rehire may already count.
CREATE TABLE soak_doc_need AS
SELECT id, tmac.label_rank(label) AS rank, tmac.label_compartments(label) AS comps,
       tmac.label_groups(label) AS groups
  FROM doc;
CREATE FUNCTION soak_model_ids(pid text, t timestamptz, lenient boolean) RETURNS int[]
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$
WITH win AS (
  SELECT c.kind, c.grant_id, c.t0, c.ack FROM public.soak_change c
   WHERE lenient AND c.person_id = pid AND c.t0 <= t AND t < c.ack),
held AS (
  SELECT a.kind, a.level, a.compartment FROM tmac.access_as_of(pid, t) a
  UNION ALL
  SELECT v.kind, v.level, v.compartment
    FROM tmac.access_grant g JOIN tmac.grants v USING (grant_id) CROSS JOIN win
   WHERE g.person_id = pid AND g.approved_at <= t AND g.validity @> t
     AND ((win.kind = 'revoke' AND g.grant_id = win.grant_id)
          OR (win.kind = 'terminate' AND g.end_reason = 'terminated' AND g.ended_at BETWEEN win.t0 AND win.ack))),
state AS (
  SELECT coalesce((SELECT e.kind <> 'terminate' FROM tmac.hr_event e
                    WHERE e.person_id = pid AND e.kind IN ('hire', 'terminate', 'rehire') AND e.outcome = 'applied'
                      AND e.effective_at <= t
                    ORDER BY e.effective_at DESC, e.received_at DESC LIMIT 1), false)
         OR EXISTS (SELECT 1 FROM win WHERE win.kind IN ('terminate', 'rehire')) AS active,
         coalesce((SELECT max(l.rank) FROM held h JOIN tmac.level l ON l.code = h.level WHERE h.kind = 'clearance'),
                  (SELECT min(l.rank) FROM tmac.level l)) AS clearance,
         ARRAY(SELECT h.compartment FROM held h WHERE h.kind = 'compartment') AS comps,
         -- rows limited to groups: the person's group must be one of them or an ancestor of one
         ARRAY(WITH RECURSIVE down(id, code) AS (
                 SELECT g.group_id, g.code FROM tmac.org_group g JOIN tmac.person p ON p.org_group_id = g.group_id
                  WHERE p.person_id = pid
                 UNION
                 SELECT g.group_id, g.code FROM tmac.org_group g JOIN down ON g.parent_id = down.id)
               SELECT down.code FROM down) AS covered)
SELECT coalesce(array_agg(d.id ORDER BY d.id), '{}')
  FROM public.soak_doc_need d, state s
 WHERE s.active AND d.rank <= s.clearance AND d.comps <@ s.comps
   AND (cardinality(d.groups) = 0 OR d.groups && s.covered)
$$;
REVOKE ALL ON FUNCTION soak_model_ids(text, timestamptz, boolean) FROM PUBLIC;

-- SOAK_BREAK=stale (run_soak.sh): a deliberately broken policy, to see the
-- checker fail.  Readers also get every row the model allowed them two
-- seconds before the statement: a revocation, expiry or termination is
-- honoured two seconds late, as a stale access cache would.
CREATE FUNCTION soak_stale_ids() RETURNS int[]
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT public.soak_model_ids(p.person_id, statement_timestamp() - interval '2 seconds', false)
     FROM tmac.person p WHERE p.login_role = tmac.invoker() $$;
