-- term_grants_end.sql — pgTAP: a termination ends a person's grants through tmac.end_grants_of
-- (one UPDATE, one audit entry built from its RETURNING rows), and every reader of grants answers
-- as before.
--
-- Two twins, TX1 and TY1, hold the same 500 grants (a clearance, 2 pending requests, one active
-- grant whose validity ran out before the termination, one revoked earlier, 495 active grants;
-- each named by its reason).  TY1's grants are ended by the very UPDATE the termination ran
-- before (the generic audit trigger summarises it), then TY1 is terminated; TX1 is terminated by
-- the HR feed as it is now.  Every reader — tmac.grants, the stored rows, tmac.access_as_of,
-- tmac.access_profile_of, tmac.explain_access, the access-rights ledger (now and as of before),
-- the checks that read grants, tmac.sod_violations(), an access review's population, the
-- compliance count of grants — then gives the same answer for both (person, event and role names
-- aside), and so does the audit log: the termination's entry lists every grant it ended, by
-- grant_id, with each one's old and new values, grouped by change.  A rehire of both changes
-- nothing about the ended grants (they stay ended) and lets new requests in.  Then what is new:
-- the termination's entry was not built by comparing old and new rows (tmac.audit_update_query
-- never ran), and tmac.end_grants_of ends the grants of several persons in one call, as a
-- set-based HR feed calls it.
BEGIN;
SELECT plan(36);
\i test/pgtap/people_fixture.psql
SET LOCAL track_functions = 'pl';

SELECT pg_temp.enrolled('t_term_x', 't_term_y');
SELECT pg_temp.hire(e, p, a::jsonb) FROM (VALUES
  ('tx-hire', 'TX1', '{"full_name":"Twin","org_group":"DEV","job_role":"engineer","login_role":"t_term_x"}'),
  ('ty-hire', 'TY1', '{"full_name":"Twin","org_group":"DEV","job_role":"engineer","login_role":"t_term_y"}'),
  ('tz1-hire', 'TZ1', '{"full_name":"Zed One","org_group":"DEV","job_role":"engineer"}'),
  ('tz2-hire', 'TZ2', '{"full_name":"Zed Two","org_group":"SALES","job_role":"sales"}')) v(e, p, a);

-- The same n grants for a person, each named by its reason ('g<i>').
CREATE FUNCTION pg_temp.give(pid text, n integer) RETURNS void LANGUAGE sql AS
$$
  INSERT INTO tmac.access_grant (person_id, kind, level_rank, compartment_id, mode, validity, status, reason,
                                 requested_by, approved_by, approved_at, bound_job_role, bound_org_group_id,
                                 ended_at, end_reason, ended_by)
  SELECT pid,
         CASE WHEN i = 1 THEN 'clearance' ELSE 'compartment' END,
         CASE WHEN i = 1 THEN 30 END,
         CASE WHEN i = 1 THEN NULL WHEN i % 2 = 0 THEN tmac.vocabulary_id('compartment', 'PRJ-A')
              ELSE tmac.vocabulary_id('compartment', 'PRJ-B') END,
         CASE WHEN i = 1 THEN NULL WHEN i % 3 = 0 THEN 'write' ELSE 'read' END,
         CASE WHEN i = 4 THEN tstzrange(now() - interval '10 days', now() - interval '1 day')
              ELSE tstzrange(now() - interval '2 days', now() + interval '1 year') END,
         CASE WHEN i IN (2, 3) THEN 'pending' WHEN i = 5 THEN 'ended' ELSE 'active' END,
         'g' || i, 'B1',
         CASE WHEN i IN (2, 3) THEN '{}'::text[] ELSE '{C1}' END,
         CASE WHEN i IN (2, 3) THEN NULL ELSE now() - interval '2 days' END,
         'engineer', tmac.vocabulary_id('group', 'DEV'),
         CASE WHEN i = 5 THEN now() - interval '1 day' END,
         CASE WHEN i = 5 THEN 'revoked' END,
         CASE WHEN i = 5 THEN 'C1' END
    FROM generate_series(1, n) i
$$;
SELECT pg_temp.give('TX1', 500), pg_temp.give('TY1', 500), pg_temp.give('TZ1', 3), pg_temp.give('TZ2', 3);

-- Person, event and role names aside.
CREATE FUNCTION pg_temp.norm(s text) RETURNS text LANGUAGE sql IMMUTABLE
  RETURN regexp_replace(regexp_replace(regexp_replace(s, 'T[XY]1', 'P', 'g'), 't[xy]-', 'e-', 'g'), 't_term_[xy]', 't_term', 'g');
-- A reader's answer for a person, as one sorted text array (grant ids replaced by reasons).
CREATE FUNCTION pg_temp.answer(q text, pid text) RETURNS text[] LANGUAGE plpgsql AS
$$
DECLARE
  result text[];
BEGIN
  EXECUTE format('SELECT coalesce(array_agg(pg_temp.norm(x) ORDER BY pg_temp.norm(x)), ''{}'') FROM (%s) a(x)', q)
    INTO result USING pid;
  RETURN result;
END
$$;
CREATE FUNCTION pg_temp.same(q text, what text) RETURNS text LANGUAGE sql AS
$$
  SELECT is(pg_temp.answer(q, 'TX1'), pg_temp.answer(q, 'TY1'), what)
$$;

-- Before: both hold 497 live grants (2 requests); the readers agree already.
SELECT is((SELECT count(*) FROM tmac.access_grant WHERE person_id = 'TX1' AND status IN ('active', 'pending')), 499::bigint,
          'TX1 holds a clearance, 495 active grants, one lapsed but stored active, and 2 pending requests');
SELECT is(pg_temp.answer($$SELECT g.reason || ' ' || v.status FROM tmac.grants v JOIN tmac.access_grant g USING (grant_id) WHERE v.person_id = $1$$, 'TX1'),
          pg_temp.answer($$SELECT g.reason || ' ' || v.status FROM tmac.grants v JOIN tmac.access_grant g USING (grant_id) WHERE v.person_id = $1$$, 'TY1'),
          'before: the twins'' grants are the same');

-- TY1 as before this change: the termination's UPDATE of the grants, audited by tmac.audit_trigger,
-- then the HR event (which finds nothing left to end).
UPDATE tmac.access_grant g
   SET status = CASE g.status WHEN 'pending' THEN 'cancelled' ELSE 'ended' END,
       ended_at = CASE WHEN g.status = 'active' AND upper(g.validity) <= now() THEN upper(g.validity) ELSE now() END,
       end_reason = CASE WHEN g.status = 'active' AND upper(g.validity) <= now() THEN 'expired' ELSE 'terminated' END,
       ended_by = 'hr_event:ty-term'
 WHERE g.person_id = 'TY1' AND g.status IN ('pending', 'active');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('ty-term', 'TY1', 'terminate');
-- TX1 through the HR feed as it is now.
SELECT coalesce(sum(calls), 0) AS summaries FROM pg_stat_xact_user_functions WHERE funcname = 'audit_update_query' \gset
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('tx-term', 'TX1', 'terminate');
SELECT is((SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions WHERE funcname = 'audit_update_query'), :summaries::numeric,
          'the termination''s audit entry is built from its own UPDATE, without comparing 500 old and new rows');

-- Every reader answers alike.
SELECT is((SELECT count(*) FROM tmac.access_grant WHERE person_id = 'TX1' AND status IN ('active', 'pending')), 0::bigint,
          'after: TX1 has no grant stored as active or pending');
SELECT pg_temp.same($$SELECT concat_ws(' ', g.reason, g.status, g.ended_at = now(), g.ended_at = upper(g.validity), g.end_reason, g.ended_by)
                        FROM tmac.access_grant g WHERE g.person_id = $1$$, 'the stored grants are ended alike (status, ended_at, end_reason, ended_by)');
SELECT pg_temp.same($$SELECT concat_ws(' ', g.reason, v.kind, v.level, v.compartment, v.mode, v.valid_from, v.valid_until, v.status,
                                       v.requested_by, v.approved_by, v.ended_at, v.end_reason)
                        FROM tmac.grants v JOIN tmac.access_grant g USING (grant_id) WHERE v.person_id = $1$$, 'tmac.grants answers alike');
SELECT is((SELECT count(*) FILTER (WHERE v.status = 'ended' AND v.end_reason = 'terminated') || ' ended, '
               || count(*) FILTER (WHERE v.status = 'cancelled' AND v.end_reason = 'terminated') || ' cancelled, '
               || count(*) FILTER (WHERE v.status = 'ended' AND v.end_reason = 'expired') || ' expired, '
               || count(*) FILTER (WHERE v.end_reason = 'revoked') || ' revoked'
             FROM tmac.grants v WHERE v.person_id = 'TX1'),
          '496 ended, 2 cancelled, 1 expired, 1 revoked', 'tmac.grants: 496 ended and 2 cancelled by the termination, the lapsed one expired at its end, the revoked one untouched');
SELECT pg_temp.same($$SELECT g.reason FROM tmac.access_as_of($1, now()) a JOIN tmac.access_grant g USING (grant_id)$$,
                    'tmac.access_as_of at the termination: nothing, for both');
SELECT pg_temp.same($$SELECT g.reason || ' ' || a.status || ' ' || a.end_reason FROM tmac.access_as_of($1, now() - interval '1 hour') a JOIN tmac.access_grant g USING (grant_id)$$,
                    'tmac.access_as_of an hour before: the same grants, with how they ended');
SELECT is((SELECT count(*) FROM tmac.access_as_of('TX1', now() - interval '1 hour')), 496::bigint,
          'an hour before, TX1 held the clearance and 495 grants');
SELECT pg_temp.same($$SELECT concat_ws(' ', a.active, a.clearance_rank, a.read_compartments, a.write_compartments, a.org_group_id,
                                       a.pledge_ok, a.training_ok, a.valid_until) FROM tmac.access_profile_of($1, now()) a$$,
                    'tmac.access_profile_of answers alike');
SELECT pg_temp.same($$SELECT concat_ws(' ', a.active, a.clearance_rank, a.read_compartments, a.write_compartments)
                        FROM tmac.access_profile_of($1, now() - interval '1 hour') a$$,
                    'tmac.access_profile_of an hour before answers alike');
SELECT is((SELECT clearance_rank IS NULL AND read_compartments = '{}' FROM tmac.access_profile_of('TX1', now())), true,
          'TX1''s access profile holds no clearance and no compartment');
SELECT pg_temp.same($$SELECT concat_ws(' ', e."check", e.passed, e.reason) FROM tmac.explain_access($1, 'SECRET:PRJ-A') e$$,
                    'tmac.explain_access answers alike');
SELECT pg_temp.same($$SELECT l.grant_id::text FROM tmac.access_rights_ledger l WHERE l.person_id = $1$$,
                    'the access-rights ledger lists neither');
SELECT pg_temp.same($$SELECT concat_ws(' ', g.reason, l.person_status, l.access_kind, l.access, l.mode, l.granted_on, l.valid_until,
                                       l.grant_status, l.training_status, l.pledge_status)
                        FROM tmac.access_rights_ledger_as_of(now() - interval '1 hour') l JOIN tmac.access_grant g USING (grant_id)
                       WHERE l.person_id = $1$$,
                    'the access-rights ledger as of an hour before answers alike');
SELECT pg_temp.same($$SELECT c.subject || ': ' || c.detail FROM tmac.check_terminated_live_grant() c WHERE c.subject LIKE '%' || $1$$,
                    'check terminated_live_grant: no finding for either');
SELECT pg_temp.same($$SELECT c.check_code || ' ' || c.detail FROM tmac.check_grants() c
                       WHERE c.detail LIKE '%' || $1 || '%' OR c.subject LIKE '%' || $1 || '%'$$,
                    'check_grants answers alike');
SELECT pg_temp.same($$SELECT c.subject FROM tmac.check_access_without_pledge() c WHERE c.subject LIKE '%' || $1 || '%'
                      UNION ALL SELECT c.subject FROM tmac.check_access_without_training() c WHERE c.subject LIKE '%' || $1 || '%'$$,
                    'the pledge and training checks answer alike');
SELECT pg_temp.same($$SELECT s.violation FROM tmac.sod_violations() s WHERE s.person_id = $1$$,
                    'tmac.sod_violations() answers alike');
SELECT is(pg_temp.as_role('t_bob', $$SELECT r.population_count::text FROM tmac.access_review r
                                      WHERE r.review_id = tmac.start_review('twin X', person_id => 'TX1')$$),
          pg_temp.as_role('t_bob', $$SELECT r.population_count::text FROM tmac.access_review r
                                      WHERE r.review_id = tmac.start_review('twin Y', person_id => 'TY1')$$),
          'an access review of each finds the same population (none)');

-- The audit log: one entry each, listing every grant ended with its old and new values.
CREATE TEMP TABLE entry AS
  SELECT a.entry_id, a.actor, a.subject, a.detail,
         CASE WHEN a.detail::text LIKE '%hr_event:tx-term%' THEN 'TX1' ELSE 'TY1' END AS person_id
    FROM tmac.audit_log a
   WHERE a.category = 'access_grant' AND a.action = 'UPDATE'
     AND (a.detail::text LIKE '%hr_event:tx-term%' OR a.detail::text LIKE '%hr_event:ty-term%');
SELECT is((SELECT string_agg(person_id || ' ' || (detail ->> 'count') || ' ' || (detail ->> 'key') || ' ' || coalesce(subject, '-'), ', ' ORDER BY person_id) FROM entry),
          'TX1 499 grant_id -, TY1 499 grant_id -', 'one audit entry for each termination, counting the 499 grants it ended');
SELECT is((SELECT jsonb_array_length(detail -> 'changes') FROM entry WHERE person_id = 'TX1'), 3,
          'the grants ended, cancelled and expired by the termination are three groups of the entry');
SELECT pg_temp.same($$SELECT (c.value -> 'old')::text || (c.value -> 'new')::text || ' '
                             || (SELECT string_agg(g.reason, ',' ORDER BY g.reason) FROM jsonb_array_elements_text(c.value -> 'keys') k
                                   JOIN tmac.access_grant g ON g.grant_id = k::bigint)
                        FROM entry e, jsonb_array_elements(e.detail -> 'changes') c WHERE e.person_id = $1$$,
                    'the entries agree: the same groups of grants with the same old and new values');
SELECT is((SELECT array_agg(k::bigint ORDER BY k::bigint) FROM entry e, jsonb_array_elements(e.detail -> 'changes') c,
                   jsonb_array_elements_text(c.value -> 'keys') k WHERE e.person_id = 'TX1'),
          (SELECT array_agg(grant_id ORDER BY grant_id) FROM tmac.access_grant WHERE person_id = 'TX1' AND ended_by = 'hr_event:tx-term'),
          'an auditor lists every grant the termination ended from its entry, by grant_id');
SELECT is((SELECT count(*) FROM tmac.verify_audit_log()), 0::bigint, 'the audit log verifies');

-- Rehire: the grants ended by the termination stay ended; new requests are possible again.
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('tx-rehire', 'TX1', 'rehire'), ('ty-rehire', 'TY1', 'rehire');
SELECT pg_temp.same($$SELECT concat_ws(' ', g.reason, v.status, v.ended_at, v.end_reason) FROM tmac.grants v JOIN tmac.access_grant g USING (grant_id) WHERE v.person_id = $1$$,
                    'after a rehire, tmac.grants answers alike');
SELECT is((SELECT count(*) FROM tmac.grants WHERE person_id = 'TX1' AND status IN ('active', 'pending')), 0::bigint,
          'a rehire does not bring the ended grants back');
SELECT pg_temp.same($$SELECT concat_ws(' ', a.active, a.clearance_rank, a.read_compartments) FROM tmac.access_profile_of($1, now()) a$$,
                    'after a rehire, tmac.access_profile_of answers alike');
SELECT lives_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''TX1'', ''PRJ-A'', now() + interval ''30 days'', ''back again'')')$$,
                'a rehired person can be granted access again');

-- tmac.end_grants_of for several persons at once (a set-based HR feed).
SELECT is(tmac.end_grants_of(ARRAY['TZ1', 'TZ2'], ARRAY[now(), now()], ARRAY['hr_event:z1', 'hr_event:z2']), 6::bigint,
          'tmac.end_grants_of ends the live grants of two persons in one call');
SELECT is((SELECT string_agg(person_id || ':' || reason || ':' || status || ':' || end_reason || ':' || ended_by, ' ' ORDER BY person_id, reason)
             FROM tmac.access_grant WHERE person_id IN ('TZ1', 'TZ2') AND ended_by LIKE 'hr_event:%'),
          'TZ1:g1:ended:terminated:hr_event:z1 TZ1:g2:cancelled:terminated:hr_event:z1 TZ1:g3:cancelled:terminated:hr_event:z1 '
          || 'TZ2:g1:ended:terminated:hr_event:z2 TZ2:g2:cancelled:terminated:hr_event:z2 TZ2:g3:cancelled:terminated:hr_event:z2',
          'each person''s grants are ended by that person''s event');
SELECT throws_ok($$SELECT tmac.end_grants_of(ARRAY['TZ1'], ARRAY[now(), now()], ARRAY['x'])$$, '22023', NULL,
                 'arrays of different lengths are refused');

-- The mark that tells the audit trigger an UPDATE is recorded by its caller never outlives its
-- statement: a rolled-back subtransaction clears it, a mark for another table is cleared by the
-- next audited UPDATE, and either way that UPDATE is audited as usual.
SAVEPOINT before_mark;
SELECT tmac.audit_cover_next_update('tmac.access_grant');
ROLLBACK TO SAVEPOINT before_mark;
UPDATE tmac.access_grant SET end_comment = 'noted' WHERE person_id = 'TX1' AND reason = 'g1';
SELECT is((SELECT count(*) FROM tmac.audit_log a WHERE a.category = 'access_grant' AND a.action = 'UPDATE'
              AND a.subject = (SELECT grant_id::text FROM tmac.access_grant WHERE person_id = 'TX1' AND reason = 'g1')
              AND a.detail -> 'new' ->> 'end_comment' = 'noted'), 1::bigint,
          'an UPDATE after a rolled-back mark is audited');
SELECT tmac.audit_cover_next_update('tmac.person');
UPDATE tmac.access_grant SET end_comment = 'noted again' WHERE person_id = 'TX1' AND reason = 'g1';
SELECT is((SELECT count(*) FROM tmac.audit_log a WHERE a.category = 'access_grant' AND a.action = 'UPDATE'
              AND a.detail -> 'new' ->> 'end_comment' = 'noted again'), 1::bigint,
          'a mark for another table does not hide an UPDATE of the grants');
SELECT is(tmac.audit_covered('tmac.person'), false, 'and that UPDATE cleared the mark');

SELECT * FROM finish();
ROLLBACK;
