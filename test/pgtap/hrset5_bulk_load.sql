-- hrset5_bulk_load.sql — pgTAP: what a bulk load of HR events no longer pays for (issue 23 item 1),
-- with the same outcome.  The two aggregates that build a bulk load's audit entries sort their
-- rows by key themselves (tmac.audit_trigger no longer sorts whole rows for them), so the entry of
-- rows in any order is the one the SQL writes in key order; an instant of the years 1 to 9999 is
-- written without to_char, byte for byte as to_char writes it, and any other through to_char.
-- The persons without a login role write no entry into the login-role indexes and queue no
-- login-gate row event (partial indexes, a WHEN clause), and tmac.person has no index on
-- org_group_id (which only a review scoped to a group read, with a join it does anyway).
BEGIN;
SELECT plan(10);
SET LOCAL TimeZone = 'Asia/Tokyo';
SET LOCAL DateStyle = 'SQL, DMY';

\i test/pgtap/hrset_events.psql
INSERT INTO ev (event_id, person_id, kind, effective_at, attributes, received_at, received_by)
SELECT 'k' || lpad((i * 7919 % 500)::text, 3, '0'), 'P' || i, 'hire',
       timestamptz '2026-03-08 01:02:03.000001+00' + i * interval '1.000001 second',
       jsonb_build_object('full_name', 'Person ' || i), '2026-03-08 10:00+09', 'hr_feed'
  FROM generate_series(1, 500) i;
-- the years at and beyond the ends of the ones written without to_char
INSERT INTO ev (event_id, person_id, kind, effective_at, attributes, received_at, received_by) VALUES
  ('y1', 'Y1', 'hire', '0001-01-01 00:00:00+00', '{}', '0001-12-31 23:59:59.999999+00', 'x'),
  ('y9', 'Y9', 'hire', '9999-12-31 23:59:59.999999+00', '{}', '10000-01-01 00:00+00', 'x'),
  ('y0', 'Y0', 'hire', '0001-12-31 23:59:59+00 BC', '{}', '-infinity', 'x'),
  ('yz', 'YZ', 'hire', '2026-01-01 00:00+14', '{}', '2026-01-01 00:00-12', NULL);

-- rows in an order that is not the key's, with no ORDER BY: the aggregate sorts them
SELECT is((SELECT tmac.hr_event_audit_detail(r.event_id, r.person_id, r.kind, r.effective_at, r.attributes, r.received_at,
                                             r.received_by)
             FROM (SELECT * FROM ev ORDER BY md5(event_id)) r)::text,
          pg_temp.in_sql()::text,
  '504 events in no particular order: the entry the SQL writes in key order, byte for byte');
SELECT is((SELECT tmac.hr_event_audit_detail(r.event_id, r.person_id, r.kind, r.effective_at, r.attributes, r.received_at,
                                             r.received_by)
             FROM (SELECT * FROM ev WHERE event_id LIKE 'y%' ORDER BY event_id DESC) r) ->> 'digest',
          (SELECT encode(sha256(convert_to(string_agg(tmac.hr_event_canonical(r.event_id, r.person_id, r.kind, r.effective_at,
                                                                               r.attributes, r.received_at, r.received_by),
                                                       E'\n' ORDER BY r.event_id COLLATE "C"), 'UTF8')), 'hex')
             FROM ev r WHERE r.event_id LIKE 'y%'),
  'instants in the years 1 and 9999, after 9999, BC and infinite: the same canonical text as to_char writes');

CREATE TEMP TABLE odd (k text, line text, n serial);
INSERT INTO odd (k, line) VALUES ('b', 'x'), (NULL, 'y'), ('B', NULL), ('é', E'z\nw'), ('10', ''), ('9', NULL), ('b', 'second b'),
                                 ('abcdefgh', '8'), ('abcdefg', '7'), ('abcdefghi', '9'), (NULL, 'y2');
SELECT is((SELECT tmac.hr_feed_keys_detail('k', o.k, o.line) FROM (SELECT * FROM odd ORDER BY n DESC) o)::text,
          (SELECT jsonb_build_object('count', count(*), 'key', 'k', 'keys', jsonb_agg(o.k ORDER BY o.k COLLATE "C", o.n DESC),
                                     'digest', encode(sha256(convert_to(coalesce(string_agg(o.line, E'\n' ORDER BY o.k COLLATE "C", o.n DESC), ''), 'UTF8')), 'hex'),
                                     'digest_of', 'row text', 'content', 'hr_event') FROM odd o)::text,
  'the persons'' aggregate sorts by key too (bytes, then length; NULL last; equal keys in arrival order)');

-- a bulk load's entries through tmac.audit_trigger: as before, and the log verifies
\i test/pgtap/people_fixture.psql
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
SELECT 'h5-' || i, 'H5-' || i, 'hire', jsonb_build_object('full_name', 'Person ' || i)
  FROM generate_series(40, 1, -1) i;
SELECT is((SELECT a.detail FROM tmac.audit_log a WHERE a.category = 'hr_event' AND a.detail ->> 'count' = '40'),
          (SELECT jsonb_build_object('count', count(*), 'key', 'event_id',
                    'rows', jsonb_agg(jsonb_build_object('new', jsonb_build_object('event_id', r.event_id)) ORDER BY r.event_id COLLATE "C"),
                    'digest', encode(sha256(convert_to(string_agg(tmac.hr_event_canonical(r.event_id, r.person_id, r.kind, r.effective_at,
                                                                                          r.attributes, r.received_at, r.received_by),
                                                                  E'\n' ORDER BY r.event_id COLLATE "C"), 'UTF8')), 'hex'),
                    'digest_of', 'tmac.hr_event_canonical')
             FROM tmac.hr_event r WHERE r.event_id LIKE 'h5-%'),
  'a statement of 40 events inserted in descending order: its entry lists and digests them in key order');
SELECT is((SELECT count(*) FROM tmac.verify_audit_log()), 0::bigint, 'and the audit log verifies');

-- the indexes and the row event a person without a login role does not pay for
SELECT ok((SELECT i.indisunique AND pg_get_expr(i.indpred, i.indrelid) = '(login_role IS NOT NULL)'
             FROM pg_index i WHERE i.indexrelid = 'tmac.person_login_role_unique'::regclass),
  'a login role is mapped to at most one person: a unique index of the persons who have one');
SELECT ok((SELECT pg_get_expr(i.indpred, i.indrelid) = '(login_role_oid IS NOT NULL)'
             FROM pg_index i WHERE i.indexrelid = 'tmac.person_login_role_oid_idx'::regclass),
  'the login gate''s index by role OID holds the persons who have one');
SELECT throws_ok($$INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
                   VALUES ('h5-dup', 'H5-DUP', 'hire', '{"full_name": "Dup", "login_role": "t_alice"}')$$,
  '23505', NULL, 'a second person mapped to a login role already mapped is still refused');
SELECT ok((SELECT pg_get_triggerdef(t.oid) LIKE '%WHEN (((new.login_role IS NOT NULL) OR (new.login_role_oid IS NOT NULL)))%'
             FROM pg_trigger t WHERE t.tgrelid = 'tmac.person'::regclass AND t.tgname = 'login_gate'),
  'a hire without a login role queues no login-gate row event');
SELECT hasnt_index('tmac', 'person', 'person_org_group_idx', 'tmac.person has no index on org_group_id');

SELECT * FROM finish();
ROLLBACK;
