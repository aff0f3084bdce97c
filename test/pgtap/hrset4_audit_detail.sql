-- hrset4_audit_detail.sql — pgTAP: the audit entry of a bulk load of HR events, built in one
-- pass by the aggregate tmac.hr_event_audit_detail (src/hr_event_audit.c), is byte for byte
-- the entry the SQL wrote before: the keys as [{"new":{"event_id":…}},…] and the SHA-256 of the
-- tmac.hr_event_canonical texts in event_id order (COLLATE "C") joined by a line feed — also
-- for NULL person_id, kind and received_by, an infinite instant, keys that sort differently by
-- bytes than by locale, and text that JSON escapes; whatever TimeZone and DateStyle say.
BEGIN;
SELECT plan(7);
SET LOCAL TimeZone = 'Asia/Tokyo';
SET LOCAL DateStyle = 'SQL, DMY';

\i test/pgtap/hrset_events.psql
INSERT INTO ev (event_id, person_id, kind, effective_at, attributes, received_at, received_by) VALUES
  ('b', 'P1', 'hire', '2026-01-05 09:00:00.123456+09', '{"full_name":"Ann \"the\" Lee\\n","title":"é 社外秘"}', '2026-01-05 10:00+09', 'hr_feed'),
  ('B', NULL, NULL, '2026-01-05 09:00+09', '{}', '2026-01-05 10:00+09', NULL),
  ('a', 'P2', 'transfer', 'infinity', '{"org_group":"DEV","note":null}', '2026-01-05 10:00+09', 'hr_feed'),
  ('é', 'P3', 'leave', '-infinity', '[1, {"a": [true, null]}]', '1999-12-31 23:59:59.999999+00', 'x'),
  ('10', E'P\x1f4', 'rehire', '0044-03-15 12:00+00 BC', '{"restore_cron_jobs":true}', '2026-01-05 10:00+09', 'hr_feed'),
  ('9', 'P5', 'terminate', '12026-01-05 09:00+09', '{"note":"tab\there"}', '2026-01-05 10:00+09', 'hr_feed');

CREATE FUNCTION pg_temp.in_c() RETURNS jsonb LANGUAGE sql AS $$
  SELECT tmac.hr_event_audit_detail(r.event_id, r.person_id, r.kind, r.effective_at, r.attributes, r.received_at,
                                    r.received_by ORDER BY r.event_id COLLATE "C")
    FROM ev r $$;

SELECT is(pg_temp.in_c()::text, pg_temp.in_sql()::text, 'six odd events: the same entry as the SQL wrote, byte for byte');
SELECT is(pg_temp.in_c() -> 'rows' -> 0 -> 'new' ->> 'event_id', '10', 'the keys in byte order (COLLATE "C")');
INSERT INTO ev (event_id, person_id, kind, effective_at, attributes, received_at, received_by)
SELECT 'ev-' || i, 'P' || i, 'hire', now() + i * interval '1.5 second',
       jsonb_build_object('full_name', 'Person ' || i, 'n', i, 'x', repeat('z', i % 7)), now(), 'hr_feed'
  FROM generate_series(1, 3000) i;
SELECT is(pg_temp.in_c()::text, pg_temp.in_sql()::text, 'and 3,006 events');
SELECT is((SELECT tmac.hr_event_audit_detail(r.event_id, r.person_id, r.kind, r.effective_at, r.attributes, r.received_at,
                                             r.received_by) FROM ev r WHERE false), NULL, 'no events: NULL');

-- a statement of 40 events: its entry is the aggregate's, and the log verifies
\i test/pgtap/people_fixture.psql
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
SELECT 'h4-' || i, 'H4-' || i, 'hire', jsonb_build_object('full_name', 'Person ' || i) FROM generate_series(1, 40) i;
SELECT is((SELECT count(*) FROM tmac.audit_log a WHERE a.category = 'hr_event' AND a.detail ->> 'count' = '40'
              AND a.detail = (SELECT tmac.hr_event_audit_detail(r.event_id, r.person_id, r.kind, r.effective_at, r.attributes,
                                                                 r.received_at, r.received_by ORDER BY r.event_id COLLATE "C")
                                FROM tmac.hr_event r WHERE r.event_id LIKE 'h4-%'))
          || ' ' || (SELECT count(*) FROM tmac.verify_audit_log()), '1 0',
  'a statement of 40 events is recorded by one such entry, and the audit log verifies');

-- the persons it hired: one entry, the aggregate tmac.hr_feed_keys_detail's, the same as the SQL's
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, YMD';
SELECT is((SELECT a.detail FROM tmac.audit_log a WHERE a.category = 'person' AND a.action = 'INSERT' AND a.detail ->> 'count' = '40'),
          (SELECT jsonb_build_object('count', count(*), 'key', 'person_id', 'keys', jsonb_agg(r.person_id ORDER BY r.person_id COLLATE "C"),
                                     'digest', encode(sha256(convert_to(string_agg(r::text, E'\n' ORDER BY r.person_id COLLATE "C"), 'UTF8')), 'hex'),
                                     'digest_of', 'row text', 'content', 'hr_event')
             FROM tmac.person r WHERE r.person_id LIKE 'H4-%'),
  'its 40 hires are recorded by their keys and the digest of their rows, as the SQL wrote it');
CREATE TEMP TABLE odd (k text, line text, n serial);
INSERT INTO odd (k, line) VALUES ('b', 'x'), ('B', NULL), (NULL, 'y'), ('é', E'z\nw'), ('10', ''), ('9', NULL);
SELECT is((SELECT tmac.hr_feed_keys_detail('k', o.k, o.line ORDER BY o.k COLLATE "C", o.n) FROM odd o)::text,
          (SELECT jsonb_build_object('count', count(*), 'key', 'k', 'keys', jsonb_agg(o.k ORDER BY o.k COLLATE "C", o.n),
                                     'digest', encode(sha256(convert_to(coalesce(string_agg(o.line, E'\n' ORDER BY o.k COLLATE "C", o.n), ''), 'UTF8')), 'hex'),
                                     'digest_of', 'row text', 'content', 'hr_event') FROM odd o)::text,
  'NULL keys and texts, as jsonb_agg and string_agg take them');

SELECT * FROM finish();
ROLLBACK;
