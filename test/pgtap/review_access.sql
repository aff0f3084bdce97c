-- review_access.sql — pgTAP: periodic access reviews (棚卸し), their evidence, the ledger and access_as_of.
BEGIN;
SELECT plan(39);
\i test/pgtap/people_fixture.psql

SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', 'design')$$) AS ga \gset
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '90 days', 'design')$$) AS gc \gset
SELECT pg_temp.granted($$SELECT tmac.request_access('D1', 'PRJ-A', now() + interval '90 days', 'sales support')$$) AS gd \gset
SELECT pg_temp.granted($$SELECT tmac.request_access('D1', 'PRJ-B', now() + interval '90 days', 'sales support')$$) AS gd2 \gset

-- the ledger (アクセス権者管理簿)
SELECT results_eq(
  $$SELECT person_id, full_name, title, access, approved_by_names, training_status, pledge_status
      FROM tmac.access_rights_ledger WHERE person_id = 'A1' ORDER BY grant_id$$,
  $$VALUES ('A1'::text, 'Alice'::text, '主任'::text, 'PRJ-A (Project A)'::text, 'Carol'::text, 'current'::text, 'valid'::text),
           ('A1', 'Alice', '主任', 'SECRET (秘)', 'Carol', 'current', 'valid')$$,
  'the ledger: name, title, what access, approved by, training and pledge status');
SELECT ok((SELECT bool_and(granted_on IS NOT NULL AND valid_until > now()) FROM tmac.access_rights_ledger), 'granted on and valid until');
SELECT is((SELECT count(*) FROM tmac.access_rights_ledger), 4::bigint, 'one row per grant in force');

-- start: the population, its count and hash
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', 'SELECT tmac.start_review(''x'')')$$, '42501', NULL,
  'a person without an administrative role cannot start a review');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.start_review(''x'', now() - interval ''1 day'')')$$, '22023', NULL,
  'the deadline must be in the future');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('PRJ-A half-yearly', now() + interval '14 days', compartment => 'PRJ-A')$$)::bigint AS r \gset
SELECT results_eq(format('SELECT grant_id FROM tmac.access_review_item WHERE review_id = %s ORDER BY grant_id', :r),
  format('VALUES (%s::bigint), (%s)', :ga, :gd), 'the population is the PRJ-A grants in force');
SELECT results_eq(format('SELECT population_count, started_by, scope FROM tmac.access_review WHERE review_id = %s', :r),
  $$VALUES (2, 'B1'::text, '{"compartment": "PRJ-A"}'::jsonb)$$, 'count, who started it and the scope are recorded');
SELECT is((SELECT population_hash FROM tmac.access_review WHERE review_id = :r),
  encode(sha256(convert_to(concat_ws(E'\n',
    (SELECT tmac.review_item_line(grant_id, person_id, kind, level, compartment, mode, valid_from, valid_until) FROM tmac.grants WHERE grant_id = :ga),
    (SELECT tmac.review_item_line(grant_id, person_id, kind, level, compartment, mode, valid_from, valid_until) FROM tmac.grants WHERE grant_id = :gd)), 'UTF8')), 'hex'),
  'the hash is SHA-256 of the canonical population text, reproducible from tmac.grants');
SELECT is((SELECT detail ->> 'population_hash' FROM tmac.audit_log WHERE category = 'access_review' AND action = 'start' AND subject = :'r'),
  (SELECT population_hash FROM tmac.access_review WHERE review_id = :r), 'the start, with count and hash, is in the audit log');

-- decisions: not the grantee, not the original requester
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.review_decide(%s, %s, ''keep'')')$$, :r, :ga), '42501',
  'person "B1" requested grant ' || :ga || ' and cannot review it', 'the original requester cannot decide');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_access('C1', 'PRJ-A', now() + interval '30 days', 'x')$$)::bigint AS gcc \gset
SELECT pg_temp.as_role('t_dave', format('SELECT tmac.approve(%s)', :gcc));
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('C1 only', person_id => 'C1')$$)::bigint AS rc \gset
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.review_decide(%s, %s, ''keep'')')$$, :rc, :gcc), '42501',
  'person "C1" cannot review their own access', 'the grantee cannot decide');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_alice', 'SELECT tmac.review_decide(%s, %s, ''keep'')')$$, :r, :gd), '42501', NULL,
  'a person without an administrative role cannot decide');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.review_decide(%s, %s, ''revoke'')')$$, :r, :gd), '22004', NULL,
  'a revoke decision needs a comment');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.review_decide(%s, %s, ''maybe'')')$$, :r, :gd), '22023', NULL,
  'keep or revoke only');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.review_decide(%s, %s, ''keep'')')$$, :r, :gd2), 'P0002', NULL,
  'a grant outside the population cannot be decided');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.review_decide(%s, %s, ''keep'', ''still on the project'')')$$, :r, :ga),
  'keep');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', 'SELECT tmac.review_decide(%s, %s, ''revoke'', ''x'')')$$, :r, :ga), '55000', NULL,
  'an item is decided once');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.review_decide(%s, %s, ''revoke'', ''moved to sales'')')$$, :r, :gd),
  'revoke');
SELECT results_eq(format('SELECT status, end_reason FROM tmac.grants WHERE grant_id = %s', :gd),
  $$VALUES ('ended'::text, 'revoked'::text)$$, 'a revoke decision takes effect at once');
SELECT is((SELECT read_compartments FROM tmac.access_profile_of('D1', now())),
  (SELECT ARRAY[compartment_id] FROM tmac.compartment WHERE code = 'PRJ-B'), '... and access follows');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'access_review_item' AND subject IN (:'ga', :'gd')), 3::bigint,
  'each decision (and the revocation mark) is in the audit log');

-- evidence
SELECT results_eq(format('SELECT population_count, population_intact, kept, revoked, undecided, revoked_effective, reviewers, state FROM tmac.review_evidence WHERE review_id = %s', :r),
  $$VALUES (2, true, 1::bigint, 1::bigint, 0::bigint, 1::bigint, ARRAY['C1'], 'open'::text)$$,
  'review_evidence: counts, reviewers, intact population, state');
SELECT results_eq(format('SELECT c ->> ''kept'', c ->> ''revoked'', c ->> ''undecided'' FROM tmac.close_review(%s) c', :r),
  $$VALUES ('1'::text, '1'::text, '0'::text)$$, 'closing records the outcome');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.review_decide(%s, %s, ''keep'')')$$, :r, :ga), '55000', NULL,
  'a closed review takes no decisions');
SELECT is((SELECT state FROM tmac.review_evidence WHERE review_id = :r), 'closed', 'state closed');

-- undecided at the deadline: reported by default ...
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('everything', now() + interval '1 day')$$)::bigint AS r2 \gset
UPDATE tmac.access_review SET started_at = now() - interval '2 days', deadline = now() - interval '1 hour' WHERE review_id = :r2;
SELECT is((SELECT state FROM tmac.review_evidence WHERE review_id = :r2), 'overdue', 'past the deadline: overdue');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'review_undecided' AND subject = 'review:' || :r2), 1::bigint,
  'undecided items are reported');
SELECT is(pg_temp.as_role('t_adm', 'SELECT tmac.close_due_reviews()')::int, 1, 'close_due_reviews closes the overdue review');
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :gc), 'active', 'by default undecided grants are not revoked');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'review_undecided' AND subject = 'review:' || :r2), 1::bigint,
  'and stay reported after closing');
-- ... or revoked when configured
SELECT tmac.configure('review_undecided', 'revoke');
SELECT pg_temp.as_role('t_bob', $$SELECT tmac.start_review('strict', now() + interval '1 day', person_id => 'A1')$$)::bigint AS r3 \gset
SELECT is((SELECT undecided_action FROM tmac.access_review WHERE review_id = :r3), 'revoke', 'the action is fixed at start');
SELECT results_eq(format('SELECT (tmac.close_review(%s)) ->> ''undecided_revoked''', :r3), $$VALUES ('2'::text)$$,
  'closing revokes the undecided grants');
SELECT results_eq(format('SELECT status, end_reason FROM tmac.grants WHERE grant_id IN (%s, %s)', :ga, :gc),
  $$VALUES ('ended'::text, 'revoked'::text), ('ended', 'revoked')$$, 'they are ended');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'review_undecided' AND subject = 'review:' || :r3), 0::bigint,
  'nothing undecided is left in force');

-- access_as_of for a past instant (auditor's question: what could A1 read then?)
-- (one transaction has one now(): move the two grants' start ten days back)
UPDATE tmac.access_grant SET approved_at = now() - interval '10 days',
       validity = tstzrange(now() - interval '10 days', upper(validity)) WHERE grant_id IN (:ga, :gc);
SELECT is((SELECT count(*) FROM tmac.access_rights_ledger WHERE person_id = 'A1'), 0::bigint, 'A1 holds nothing now');
SELECT results_eq(
  format($$SELECT grant_id FROM tmac.access_rights_ledger_as_of(%L) WHERE person_id = 'A1' ORDER BY grant_id$$,
         now() - interval '1 day'),
  format('VALUES (%s::bigint), (%s)', :ga, :gc), 'the ledger as of a past instant');
SELECT results_eq(
  format($$SELECT grant_id FROM tmac.access_as_of('A1', %L) ORDER BY grant_id$$,
         now() - interval '1 day'),
  format('VALUES (%s::bigint), (%s)', :ga, :gc), 'access_as_of agrees');

-- the ledger states facts whatever the settings: with require_pledge and require_training off, a
-- person who has neither is 'missing' and 'none' (access is not denied for it, but it is not valid)
SELECT tmac.configure('require_pledge', 'off');
SELECT tmac.configure('require_training', 'off');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes)
  VALUES ('ra-1', 'F1', 'hire', now() - interval '1 hour', '{"full_name":"Fay","org_group":"DEV","job_role":"engineer"}');
SELECT pg_temp.granted($$SELECT tmac.request_access('F1', 'PRJ-A', now() + interval '90 days', 'design')$$) AS gf \gset
SELECT results_eq($$SELECT training_status, pledge_status FROM tmac.access_rights_ledger WHERE person_id = 'F1'$$,
  $$VALUES ('none'::text, 'missing'::text)$$, 'requirements off: the ledger still says none and missing');
SELECT results_eq($$SELECT training_status, pledge_status FROM tmac.access_rights_ledger WHERE person_id = 'D1' LIMIT 1$$,
  $$VALUES ('current'::text, 'valid'::text)$$, '... and current and valid for a person who has them');

SELECT * FROM finish();
ROLLBACK;
