-- people_audit.sql — pgTAP: the hash-chained, append-only audit log and tampering detection.
BEGIN;
SELECT plan(12);
\i test/pgtap/people_fixture.psql

SELECT is((SELECT count(*) FROM tmac.verify_audit_log()), 0::bigint, 'an untouched log verifies');
SELECT ok((SELECT count(*) FROM tmac.audit_log WHERE category = 'person' AND subject = 'A1') > 0, 'person changes are logged');
SELECT ok((SELECT count(*) FROM tmac.audit_log WHERE category = 'hr_event' AND detail @> '{"rows":[{"new":{"event_id":"fx-1"}}]}') > 0, 'HR events are logged (one entry per statement)');
SELECT ok((SELECT count(*) FROM tmac.audit_log WHERE category IN ('pledge', 'training_completion')) >= 10, 'pledges and training are logged');
SELECT ok((SELECT count(*) FROM tmac.audit_log WHERE category = 'org_group' AND subject = 'DEV') > 0, 'vocabulary changes are logged');
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '9 days', 'x')$$) AS g1 \gset
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'access_grant' AND subject = :'g1'), 2::bigint, 'a request and its approval are logged');
SELECT ok(tmac.audit_record('declassification', 'lower', 'public.docs/42', '{"from":"SECRET","to":"INTERNAL"}') > 0, 'audit_record appends an entry');
SELECT throws_ok($$UPDATE tmac.audit_log SET detail = '{}' WHERE entry_id = 1$$, '42501', NULL, 'even the owner cannot update an entry');
SELECT throws_ok($$DELETE FROM tmac.audit_log WHERE entry_id = 1$$, '42501', NULL, 'even the owner cannot delete an entry');
SET CONSTRAINTS ALL IMMEDIATE;  -- fire the deferred head update, so TRUNCATE and ALTER can run
SELECT throws_ok($$TRUNCATE tmac.audit_log$$, '42501', NULL, 'even the owner cannot truncate the log');

-- tampering as superuser, with the protecting trigger disabled
SELECT entry_id AS victim FROM tmac.audit_log WHERE category = 'access_grant' AND subject = :'g1' ORDER BY entry_id DESC LIMIT 1 \gset
ALTER TABLE tmac.audit_log DISABLE TRIGGER protect;
UPDATE tmac.audit_log SET detail = jsonb_set(detail, '{new,approved_by}', '["B1"]') WHERE entry_id = :victim;
SELECT is((SELECT row(entry_id, problem)::text FROM tmac.verify_audit_log()),
          row(:victim::bigint, 'hash does not match the entry''s content: the entry was changed')::text, 'a changed entry is reported');
UPDATE tmac.audit_log SET detail = NULL WHERE false;
DELETE FROM tmac.audit_log WHERE entry_id = :victim;
SELECT is((SELECT entry_id FROM tmac.verify_audit_log()), :victim::bigint, 'a removed entry is reported');
ALTER TABLE tmac.audit_log ENABLE TRIGGER protect;

SELECT * FROM finish();
ROLLBACK;
