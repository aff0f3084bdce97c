-- 75_ledger.sql — the access-rights ledger (アクセス権者管理簿).
--
-- The seed asks for a ledger recording, for every person with access rights,
-- their name, title, the access set, the date it was set and their training
-- status (アクセス権を設定された者の氏名、役職、アクセス権の設定年月日、
-- トレーニングの受講の状況等).  tmac.access_rights_ledger is that ledger for
-- now; tmac.access_rights_ledger_as_of(at) is the same ledger as it stood at
-- a past instant (per person: tmac.access_as_of(person_id, at)).  The function runs as its
-- reader (SECURITY INVOKER: readers need SELECT on the grants and persons).  Its body is
-- SQL-standard (BEGIN ATOMIC): parsed once, when tmac is installed, and stored with every
-- function, operator and type bound by OID, so the reader's search_path plays no part (a
-- function planted in a schema on it, a better match for cardinality(text[]) say, is never
-- chosen), while the planner can still inline it into a filtered query (a pinned
-- search_path would forbid that and make a one-person lookup ≈ 40× slower).

CREATE FUNCTION tmac.access_rights_ledger_as_of(at timestamptz)
  RETURNS TABLE (person_id text, full_name text, title text, org_group text, job_role text, person_status text,
                 grant_id bigint, access_kind text, access text, mode text, granted_on timestamptz,
                 requested_by text, approved_by text[], approved_by_names text, valid_until timestamptz,
                 grant_status text, training_status text, training_valid_until timestamptz,
                 pledge_status text, pledge_valid_until timestamptz, last_reviewed timestamptz)
  LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT p.person_id, p.full_name, p.title, og.code, p.job_role, p.status,
         g.grant_id, g.kind,
         CASE g.kind WHEN 'clearance' THEN l.code || ' (' || l.name || ')' ELSE c.code || ' (' || c.name || ')' END,
         g.mode, g.approved_at, g.requested_by, g.approved_by,
         CASE WHEN cardinality(g.approved_by) <= 2
              THEN concat_ws(', ', coalesce(a1.full_name, g.approved_by[1]), coalesce(a2.full_name, g.approved_by[2]))
              ELSE (SELECT string_agg(coalesce(ap.full_name, a.id), ', ' ORDER BY a.ord)
                      FROM unnest(g.approved_by) WITH ORDINALITY a(id, ord) LEFT JOIN tmac.person ap ON ap.person_id = a.id) END,
         upper(g.validity),
         CASE WHEN g.ended_at IS NOT NULL AND g.ended_at <= at THEN g.status
              WHEN upper(g.validity) <= at THEN 'expired' ELSE 'active' END,
         CASE WHEN s.training_ok THEN 'current' WHEN s.training_last IS NULL THEN 'none' ELSE 'lapsed' END,
         s.training_until,
         CASE WHEN s.pledge_ok THEN 'valid' ELSE 'missing' END,
         s.pledge_until,
         k.last_kept
    FROM tmac.access_grant g
    JOIN tmac.person p ON p.person_id = g.person_id
    LEFT JOIN tmac.org_group og ON og.group_id = p.org_group_id
    LEFT JOIN tmac.person a1 ON a1.person_id = g.approved_by[1]
    LEFT JOIN tmac.person a2 ON a2.person_id = g.approved_by[2]
    LEFT JOIN (SELECT i.grant_id, max(i.decided_at) AS last_kept FROM tmac.access_review_item i
                WHERE i.decision = 'keep' AND i.decided_at <= at GROUP BY i.grant_id) k ON k.grant_id = g.grant_id
    LEFT JOIN tmac.level l ON l.rank = g.level_rank
    LEFT JOIN tmac.compartment c ON c.compartment_id = g.compartment_id
    LEFT JOIN tmac.prerequisite_status(at) s ON s.person_id = g.person_id
   WHERE g.approved_at IS NOT NULL AND g.approved_at <= at
     AND g.validity @> at
     AND (g.ended_at IS NULL OR g.ended_at > at)
     AND (g.grace_until IS NULL OR g.grace_until > at);
END;
COMMENT ON FUNCTION tmac.access_rights_ledger_as_of(timestamptz) IS 'The access-rights ledger (アクセス権者管理簿) as it stood at an instant: every grant then in force with the person''s name, title, the access, granted on, approved by, valid until, training and pledge status at that instant';

CREATE VIEW tmac.access_rights_ledger AS
  SELECT * FROM tmac.access_rights_ledger_as_of(now());
COMMENT ON VIEW tmac.access_rights_ledger IS
  'The access-rights ledger (アクセス権者管理簿): one row per clearance or grant in force — name, title, what access, granted on, approved by, valid until, training status, pledge status, last reviewed';

