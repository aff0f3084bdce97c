-- bulk_audit_digest.sql — pgTAP: the audit entry of a bulk load of HR events records every event
-- by its key and a SHA-256 digest of the events' canonical text instead of embedding each row
-- (sql/install/50_audit_log.sql, tmac.audit_trigger; tmac.hr_event_canonical), and
-- tmac.verify_audit_log() recomputes the digest from tmac.hr_event: the untouched entry verifies,
-- an event changed or removed behind tmac's back (a superuser with the triggers disabled) is
-- reported, naming the entry.  Every event is listed by the entry, and the persons the load hires
-- are recorded by their keys and a digest of their rows as written.  A single event keeps its
-- whole row, as before; the columns the digest covers can no longer be changed by anyone.
BEGIN;
SELECT plan(16);
\i test/pgtap/people_fixture.psql

-- a bulk load: 40 hires, then 10 transfers of persons hired in the same statement
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
SELECT 'bk-' || i, 'BK' || CASE WHEN i > 40 THEN i - 40 ELSE i END, CASE WHEN i > 40 THEN 'transfer' ELSE 'hire' END,
       now() - interval '1 hour' + i * interval '1 second',
       CASE WHEN i > 40 THEN '{"org_group":"SALES"}'::jsonb
            ELSE jsonb_build_object('full_name', 'Bulk ' || i, 'org_group', 'DEV', 'job_role', 'engineer') END
  FROM generate_series(1, 50) i ORDER BY i;
SELECT entry_id AS bulk, detail AS bulk_detail FROM tmac.audit_log
 WHERE category = 'hr_event' AND action = 'INSERT' AND detail @> '{"rows":[{"new":{"event_id":"bk-1"}}]}' \gset

SELECT is((SELECT count(*) FROM tmac.person WHERE person_id LIKE 'BK%' AND org_group_id = tmac.vocabulary_id('group', 'SALES')),
          10::bigint, 'the load was applied (10 of the 40 hired persons transferred)');
SELECT is((:'bulk_detail'::jsonb) ->> 'count', '50', 'the bulk entry counts the 50 events');
SELECT ok((:'bulk_detail'::jsonb) ->> 'digest' ~ '^[0-9a-f]{64}$', 'it holds a SHA-256 digest of the events');
SELECT is((SELECT count(*) FROM jsonb_array_elements((:'bulk_detail'::jsonb) -> 'rows') r
            WHERE r -> 'new' ?| ARRAY['kind', 'attributes', 'person_id']), 0::bigint,
          'and no event''s content: each element names its event_id only');
SELECT is((:'bulk_detail'::jsonb) ->> 'digest',
          (SELECT encode(sha256(convert_to(string_agg(tmac.hr_event_canonical(h.event_id, h.person_id, h.kind, h.effective_at,
                                                                                h.attributes, h.received_at, h.received_by),
                                                      E'\n' ORDER BY h.event_id COLLATE "C"), 'UTF8')), 'hex')
             FROM tmac.hr_event h WHERE h.event_id LIKE 'bk-%'),
          'the digest is sha256 of the events'' canonical text in event_id order, as documented');
-- every event is listable from the entry (the README's query)
SELECT set_eq(
  format($$SELECT h.event_id FROM tmac.audit_log a
             CROSS JOIN jsonb_array_elements(a.detail -> 'rows') r
             JOIN tmac.hr_event h ON h.event_id = r -> 'new' ->> 'event_id'
            WHERE a.entry_id = %s$$, :bulk),
  $$SELECT event_id FROM tmac.hr_event WHERE event_id LIKE 'bk-%'$$,
  'every event of the load is listed by the entry, and nothing else');
-- the persons the load hired: keys and a digest of the rows as written, no row content
SELECT is((SELECT count(*) FROM tmac.audit_log
            WHERE category = 'person' AND action = 'INSERT' AND subject IS NULL
              AND detail ->> 'count' = '40' AND detail ->> 'digest' ~ '^[0-9a-f]{64}$'
              AND detail ->> 'content' = 'hr_event'
              AND NOT detail ? 'rows' AND jsonb_array_length(detail -> 'keys') = 40
              AND detail -> 'keys' ? 'BK7'), 1::bigint,
          'the hired persons are recorded by key and digest, their content being the hire events''');
SELECT is((SELECT count(*) FROM tmac.verify_audit_log()), 0::bigint, 'the log with the bulk entry verifies');

-- a single event keeps its whole row
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('bk-single', 'BK1', 'promotion', '{"title":"lead"}');
SELECT is((SELECT detail -> 'new' ->> 'kind' FROM tmac.audit_log WHERE category = 'hr_event' AND subject = 'bk-single'),
          'promotion', 'a single event is logged with its whole row, as before');

-- what the digest covers cannot be changed by anyone, not even the owner with the triggers on
SELECT throws_ok($$UPDATE tmac.hr_event SET received_by = 'someone_else' WHERE event_id = 'bk-3'$$,
                 '0A000', NULL, 'received_by of an event never changes (tmac.hr_event_guard)');

-- tampering behind tmac's back: a superuser with the guard disabled changes one event
SAVEPOINT tamper;
ALTER TABLE tmac.hr_event DISABLE TRIGGER guard;
UPDATE tmac.hr_event SET attributes = attributes || '{"job_role":"director"}' WHERE event_id = 'bk-17';
SELECT is((SELECT row(entry_id, problem)::text FROM tmac.verify_audit_log()),
          row(:bulk::bigint, 'the HR events this entry records no longer match its digest: an event was changed')::text,
          'an event changed after the load is reported, naming the bulk entry');
ROLLBACK TO SAVEPOINT tamper;
SAVEPOINT tamper;
ALTER TABLE tmac.hr_event DISABLE TRIGGER guard;
UPDATE tmac.hr_event SET effective_at = effective_at + interval '1 microsecond' WHERE event_id = 'bk-50';
SELECT is((SELECT entry_id FROM tmac.verify_audit_log()), :bulk::bigint, 'so is a microsecond moved in effective_at');
ROLLBACK TO SAVEPOINT tamper;
SAVEPOINT tamper;
ALTER TABLE tmac.hr_event DISABLE TRIGGER guard;
UPDATE tmac.hr_event SET received_by = 'mallory' WHERE event_id = 'bk-2';
SELECT is((SELECT entry_id FROM tmac.verify_audit_log()), :bulk::bigint, 'so is a changed received_by');
ROLLBACK TO SAVEPOINT tamper;
SAVEPOINT tamper;
ALTER TABLE tmac.hr_event DISABLE TRIGGER forbid_delete;
DELETE FROM tmac.hr_event WHERE event_id = 'bk-33';
SELECT is((SELECT row(entry_id, problem)::text FROM tmac.verify_audit_log()),
          row(:bulk::bigint, 'the entry records 50 HR events but tmac.hr_event holds 49 of them: events were removed')::text,
          'a removed event is reported');
ROLLBACK TO SAVEPOINT tamper;
-- tmac's own bookkeeping (outcome, applied_at) is not covered: it changes as events are applied
UPDATE tmac.hr_event SET outcome = 'applied', applied_at = now() WHERE event_id = 'bk-5';
SELECT is((SELECT count(*) FROM tmac.verify_audit_log()), 0::bigint,
          'the log verifies again once the tampering is undone (bookkeeping columns aside)');
-- the auditor verifies it too
SELECT is(pg_temp.as_role('t_aud', 'SELECT count(*) FROM tmac.verify_audit_log()'), '0', 'and so does an auditor');
SELECT * FROM finish();
ROLLBACK;
