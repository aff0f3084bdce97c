-- check.sql — after the soak: did any statement see a row its person could not
-- read at the statement's start?  (see run_soak.sh)
--
-- For every reader, the instants at which the model (soak_model_ids in
-- setup.sql) can change are collected: approvals, validity bounds (expiry),
-- ends, HR events, and the start (t0) and acknowledgement (ack) of every
-- change the driver made.  Between two consecutive instants the model is
-- constant, so it is evaluated once per interval, leniently (a change in
-- progress may or may not have taken effect) and exactly.  Each recorded
-- statement is then matched to the interval containing its start:
--   violation — it saw a row the lenient model does not allow (must be 0);
--   mismatch  — outside any change in progress, it did not see exactly the
--               rows the model allows (must be 0; this also catches a
--               policy that hides too much).
\set ON_ERROR_STOP 1
\pset footer off

CREATE TEMP TABLE bp AS
SELECT DISTINCT person_id, t FROM (
  SELECT person_id, approved_at AS t FROM tmac.access_grant
  UNION ALL SELECT person_id, lower(validity) FROM tmac.access_grant
  UNION ALL SELECT person_id, upper(validity) FROM tmac.access_grant
  UNION ALL SELECT person_id, ended_at FROM tmac.access_grant
  UNION ALL SELECT person_id, effective_at FROM tmac.hr_event
  UNION ALL SELECT person_id, t0 FROM soak_change
  UNION ALL SELECT person_id, ack FROM soak_change) x
 WHERE t IS NOT NULL AND person_id LIKE 'R%';

CREATE TEMP TABLE iv AS
SELECT person_id, t AS t_from,
       EXISTS (SELECT 1 FROM soak_change c WHERE c.person_id = bp.person_id AND c.t0 <= bp.t AND bp.t < c.ack) AS in_change,
       soak_model_ids(person_id, t, true) AS allowed,
       soak_model_ids(person_id, t, false) AS exact
  FROM bp;
CREATE INDEX ON iv (person_id, t_from);
ANALYZE iv;

CREATE TEMP TABLE verdict AS
SELECT s.at, s.who, s.lo, s.hi, s.ids, iv.person_id, iv.t_from, iv.in_change,
       ARRAY(SELECT x FROM unnest(iv.allowed) x WHERE x BETWEEN s.lo AND s.hi) AS allowed,
       ARRAY(SELECT x FROM unnest(iv.exact) x WHERE x BETWEEN s.lo AND s.hi) AS exact
  FROM soak_seen s
  LEFT JOIN tmac.person p ON p.login_role = s.who
  LEFT JOIN LATERAL (SELECT * FROM iv WHERE iv.person_id = p.person_id AND iv.t_from <= s.at
                      ORDER BY iv.t_from DESC LIMIT 1) iv ON true;

\echo '== statements'
SELECT count(*) AS statements,
       count(*) FILTER (WHERE hi - lo > 1000) AS full_scans,
       count(*) FILTER (WHERE hi - lo <= 1000) AS range_reads,
       count(*) FILTER (WHERE cardinality(ids) > 0) AS saw_rows,
       count(*) FILTER (WHERE in_change) AS during_a_change,
       count(*) FILTER (WHERE NOT in_change) AS checked_exactly,
       count(*) FILTER (WHERE t_from IS NULL) AS unmatched,
       count(*) FILTER (WHERE NOT ids <@ allowed) AS violations,
       count(*) FILTER (WHERE NOT in_change AND ids <> exact) AS mismatches
  FROM verdict;

\echo '== changes made during the run'
SELECT kind, count(*) AS changes,
       round(avg(extract(epoch FROM ack - t0)) * 1000, 1) AS avg_ms_to_ack
  FROM soak_change GROUP BY kind ORDER BY kind;
SELECT count(*) AS expired_during_run
  FROM tmac.access_grant g
 WHERE g.person_id LIKE 'R%' AND g.approved_at IS NOT NULL
   AND upper(g.validity) BETWEEN (SELECT min(t0) FROM soak_change) AND now()
   AND (g.ended_at IS NULL OR g.ended_at >= upper(g.validity));

\echo '== statements of a reader in the second after it lost something (the moments that matter)'
WITH lost AS (
  SELECT c.person_id, c.ack AS at, c.kind FROM soak_change c WHERE c.kind IN ('revoke', 'terminate')
  UNION ALL
  SELECT g.person_id, upper(g.validity), 'expiry' FROM tmac.access_grant g
   WHERE g.approved_at IS NOT NULL AND upper(g.validity) <= now()
     AND (g.ended_at IS NULL OR g.ended_at >= upper(g.validity)))
SELECT l.kind, count(DISTINCT (v.at, v.who)) AS statements_within_1s_after
  FROM lost l JOIN verdict v ON v.person_id = l.person_id AND v.at >= l.at AND v.at < l.at + interval '1 second'
 GROUP BY l.kind ORDER BY l.kind;

\echo '== violations and mismatches (first 10)'
SELECT at, who, lo, hi, in_change,
       ARRAY(SELECT x FROM unnest(ids) x EXCEPT SELECT y FROM unnest(allowed) y) AS seen_not_allowed,
       CASE WHEN NOT in_change THEN ARRAY(SELECT y FROM unnest(exact) y EXCEPT SELECT x FROM unnest(ids) x) END AS allowed_not_seen
  FROM verdict
 WHERE t_from IS NULL OR NOT ids <@ allowed OR (NOT in_change AND ids <> exact)
 ORDER BY at LIMIT 10;

\pset tuples_only on
\pset format unaligned
SELECT format('RESULT statements=%s violations=%s mismatches=%s unmatched=%s',
              count(*), count(*) FILTER (WHERE NOT ids <@ allowed),
              count(*) FILTER (WHERE NOT in_change AND ids <> exact), count(*) FILTER (WHERE t_from IS NULL))
  FROM verdict;
