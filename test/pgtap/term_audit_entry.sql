-- term_audit_entry.sql — pgTAP: the audit entry of a termination that ends thousands of grants
-- is built without copying their keys from one jsonb to the next (tmac.end_grants_of writes it as
-- JSON text, parsed once) and stored compressed with lz4, not pglz (issue 23 item 2: pglz was a
-- quarter of what ending 10,000 grants cost above a bare UPDATE of them).  The entry still names
-- every grant ended, grouped by change, with the old and new values of each group, one group
-- per person when tmac.end_grants_of ends the grants of several persons in one call.
BEGIN;
SELECT plan(8);
\i test/pgtap/people_fixture.psql

INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('tl1-hire', 'TL1', 'hire', now() - interval '1 hour', '{"full_name":"Leaver","org_group":"DEV","job_role":"engineer"}'),
  ('tl2-hire', 'TL2', 'hire', now() - interval '1 hour', '{"full_name":"Leaver Two","org_group":"DEV","job_role":"engineer"}'),
  ('tl3-hire', 'TL3', 'hire', now() - interval '1 hour', '{"full_name":"Leaver Three","org_group":"DEV","job_role":"engineer"}');
-- n grants: the first 2 pending, the 3rd active but lapsed an hour ago, the rest active.
CREATE FUNCTION pg_temp.give(pid text, n integer) RETURNS void LANGUAGE sql AS
$$
  INSERT INTO tmac.access_grant (person_id, kind, compartment_id, mode, validity, status, reason,
                                 requested_by, approved_by, approved_at, bound_job_role)
  SELECT pid, 'compartment', tmac.vocabulary_id('compartment', CASE WHEN i % 2 = 0 THEN 'PRJ-A' ELSE 'PRJ-B' END), 'read',
         CASE WHEN i = 3 THEN tstzrange(now() - interval '10 days', now() - interval '1 hour')
              ELSE tstzrange(now() - interval '2 days', now() + interval '1 year') END,
         CASE WHEN i <= 2 THEN 'pending' ELSE 'active' END, 'g' || i, 'B1',
         CASE WHEN i <= 2 THEN '{}'::text[] ELSE '{C1}' END,
         CASE WHEN i <= 2 THEN NULL ELSE now() - interval '2 days' END, 'engineer'
    FROM generate_series(1, n) i
$$;
SELECT pg_temp.give('TL1', 3000), pg_temp.give('TL2', 3), pg_temp.give('TL3', 3);

SELECT is((SELECT attcompression FROM pg_attribute WHERE attrelid = 'tmac.audit_log'::regclass AND attname = 'detail'),
          'l'::"char", 'the audit log''s detail is compressed with lz4');

INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('tl1-term', 'TL1', 'terminate');
CREATE TEMP TABLE entry AS
  SELECT a.entry_id, a.detail, pg_column_compression(a.detail) AS compression
    FROM tmac.audit_log a
   WHERE a.category = 'access_grant' AND a.action = 'UPDATE' AND a.detail::text LIKE '%hr_event:tl1-term%';
SELECT is((SELECT count(*) FROM entry), 1::bigint, 'one audit entry for the grants the termination ended');
SELECT is((SELECT compression FROM entry), 'lz4', 'the entry listing 3,000 grants is stored compressed with lz4');
SELECT is((SELECT (detail ->> 'count') || ' ' || (detail ->> 'key') || ' ' || jsonb_array_length(detail -> 'changes') FROM entry),
          '3000 grant_id 3', 'it counts the 3,000 grants ended, keyed by grant_id, in three groups');
SELECT is((SELECT array_agg(k::bigint ORDER BY k::bigint) FROM entry, jsonb_array_elements(detail -> 'changes') c,
                  jsonb_array_elements_text(c.value -> 'keys') k),
          (SELECT array_agg(grant_id ORDER BY grant_id) FROM tmac.access_grant WHERE person_id = 'TL1' AND ended_by = 'hr_event:tl1-term'),
          'its keys name every grant the termination ended, each once');
-- each group: its old and new values, and how many grants it names
SELECT is((SELECT string_agg(concat_ws(' ', c.value -> 'old' ->> 'status', c.value -> 'new' ->> 'status',
                                       c.value -> 'new' ->> 'end_reason', c.value -> 'new' ->> 'ended_by',
                                       (c.value -> 'new' ->> 'ended_at')::timestamptz = g.ended_at,
                                       jsonb_strip_nulls(c.value -> 'old') = jsonb_build_object('status', c.value -> 'old' ->> 'status')
                                         AND (c.value -> 'old') ?& ARRAY['ended_at', 'end_reason', 'ended_by'],
                                       jsonb_array_length(c.value -> 'keys')),
                             '; ' ORDER BY c.value -> 'new' ->> 'status', c.value -> 'new' ->> 'end_reason')
             FROM entry, jsonb_array_elements(detail -> 'changes') c
             JOIN tmac.access_grant g ON g.grant_id = (c.value -> 'keys' ->> 0)::bigint),
          'pending cancelled terminated hr_event:tl1-term t t 2; '
          || 'active ended expired hr_event:tl1-term t t 1; '
          || 'active ended terminated hr_event:tl1-term t t 2997',
          'the groups: 2 requests cancelled, 1 grant expired at its end, 2,997 ended, each with its old and new values');

-- Two persons ended in one call at the same instant: a group for each person's event.
SELECT is(tmac.end_grants_of(ARRAY['TL2', 'TL3'], ARRAY[now(), now()], ARRAY['hr_event:tl2', 'hr_event:tl3']), 6::bigint,
          'tmac.end_grants_of ends the 6 live grants of two persons in one call');
SELECT is((SELECT string_agg(concat_ws(' ', c.value -> 'new' ->> 'ended_by', c.value -> 'new' ->> 'status',
                                       c.value -> 'new' ->> 'end_reason', jsonb_array_length(c.value -> 'keys'),
                                       (SELECT string_agg(g.person_id || ':' || g.reason, ',' ORDER BY g.reason)
                                          FROM jsonb_array_elements_text(c.value -> 'keys') k
                                          JOIN tmac.access_grant g ON g.grant_id = k::bigint)),
                             '; ' ORDER BY c.value -> 'new' ->> 'ended_by', c.value -> 'new' ->> 'status', c.value -> 'new' ->> 'end_reason')
             FROM tmac.audit_log a, jsonb_array_elements(a.detail -> 'changes') c
            WHERE a.entry_id = (SELECT max(entry_id) FROM tmac.audit_log WHERE category = 'access_grant')),
          'hr_event:tl2 cancelled terminated 2 TL2:g1,TL2:g2; hr_event:tl2 ended expired 1 TL2:g3; '
          || 'hr_event:tl3 cancelled terminated 2 TL3:g1,TL3:g2; hr_event:tl3 ended expired 1 TL3:g3',
          'one entry: each person''s grants in groups of their own, named by grant');

SELECT * FROM finish();
ROLLBACK;
