-- ledger_providers.sql — pgTAP: external providers (委託先, ⑨, V) and contractors' agencies: the
-- API and its errors, and every finding: created, seen, fixed, gone.
BEGIN;
SELECT plan(24);
\i test/pgtap/people_fixture.psql
\i test/pgtap/dedupe_helpers.psql

SELECT tmac.register_asset('E-001', '製品設計図（CAD）', '技術', 'electronic', manager => 'C1', location => 'クラウドストレージ');
SELECT is(tmac.register_provider('CLOUD-1', 'Example Cloud 株式会社', 'cloud'), 'CLOUD-1', 'register_provider');
SELECT throws_ok($$SELECT tmac.register_provider('CLOUD-1', 'x', 'cloud')$$, '23505', NULL, 'a duplicate provider is refused');
SELECT throws_ok($$SELECT tmac.register_provider('bad code!', 'x', 'cloud')$$, '22023', NULL, 'a malformed code is refused');
SELECT throws_ok($$SELECT tmac.register_provider('P2', 'x', 'psychic')$$, '22023', NULL, 'an unknown service is refused');
SELECT throws_ok($$SELECT tmac.record_provider_nda('NOPE', current_date)$$, '42704', NULL, 'an NDA of an unknown provider');
SELECT throws_ok($$SELECT tmac.record_provider_nda('CLOUD-1', current_date, current_date - 1)$$, '22023', NULL, 'an NDA expiring before it was signed');
SELECT throws_ok($$SELECT tmac.entrust_asset('CLOUD-1', 'E-404')$$, '42704', NULL, 'entrusting an unknown asset');
SELECT throws_ok($$SELECT pg_temp.as_role('t_aud', 'SELECT tmac.register_provider(''P3'', ''x'', ''cloud'')')$$, '42501', NULL,
  'the auditor cannot register providers');
SELECT is(pg_temp.n('provider_nda_missing'), 0::bigint, 'a provider holding nothing is not a finding');

-- provider_nda_missing, provider_not_evaluated
SELECT tmac.entrust_asset('CLOUD-1', 'E-001', 'backup storage');
SELECT is(pg_temp.n('provider_nda_missing', 'provider:CLOUD-1'), 1::bigint, 'provider_nda_missing: holds an asset without an NDA');
SELECT is((SELECT criterion FROM tmac.findings WHERE check_code = 'provider_nda_missing'), 'V', '... under criterion V');
SELECT is(pg_temp.n('provider_not_evaluated', 'provider:CLOUD-1'), 1::bigint, 'provider_not_evaluated: never evaluated');
SELECT tmac.record_provider_nda('CLOUD-1', current_date - 400, current_date + 365, 'NDA-2025-07');
SELECT is(pg_temp.n('provider_nda_missing'), 0::bigint, 'NDA recorded: gone');
SELECT tmac.evaluate_provider('CLOUD-1', current_date - 30, 'approved', 'ISMS certified; data centre in Japan');
SELECT is(pg_temp.n('provider_not_evaluated'), 0::bigint, 'evaluated: gone');

-- provider_nda_expired
SELECT tmac.record_provider_nda('CLOUD-1', current_date - 400, current_date - 1, 'NDA-2025-07');
SELECT is(pg_temp.n('provider_nda_expired', 'provider:CLOUD-1'), 1::bigint, 'provider_nda_expired: the NDA lapsed while it holds an asset');
SELECT tmac.record_provider_nda('CLOUD-1', current_date, current_date + 730, 'NDA-2026-11');
SELECT is(pg_temp.n('provider_nda_expired'), 0::bigint, 'renewed: gone');
SELECT tmac.record_provider_nda('CLOUD-1', current_date - 400, current_date - 1, 'NDA-2025-07');
SELECT tmac.withdraw_asset('CLOUD-1', 'E-001');
SELECT is(pg_temp.n('provider_nda_expired'), 0::bigint, 'or the asset withdrawn: gone');
SELECT is((SELECT count(*) FROM tmac.audit_log WHERE category = 'provider_asset' AND action = 'DELETE'), 1::bigint, 'a withdrawal is audited');
-- a provider holding many assets: counted, the first ten named, retired assets left out
SELECT tmac.register_asset('E-1' || lpad(i::text, 2, '0'), 'Drawing ' || i, '技術', 'electronic', manager => 'C1', location => 'クラウドストレージ')
  FROM generate_series(1, 12) i;
SELECT tmac.entrust_asset('CLOUD-1', 'E-1' || lpad(i::text, 2, '0')) FROM generate_series(1, 12) i;
SELECT tmac.retire_asset('E-112', 'superseded');
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'provider_nda_expired'),
  'still holds 11 asset\(s\) \(E-101, E-102, E-103, E-104, E-105, E-106, E-107, E-108, E-109, E-110 and 1 more\)',
  'provider_nda_expired with eleven active assets: counted, the first ten named');
SELECT tmac.withdraw_asset('CLOUD-1', 'E-1' || lpad(i::text, 2, '0')) FROM generate_series(1, 12) i;

-- contractor_agency_no_nda
CREATE ROLE t_ctr LOGIN;
SELECT tmac.enrol_login('t_ctr');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  VALUES ('pv-1', 'K1', 'hire', '{"full_name":"Ken","kind":"contractor","org_group":"DEV"}');
SELECT is(pg_temp.n('contractor_agency_no_nda', 'person:K1'), 1::bigint, 'contractor_agency_no_nda: a contractor with no agency on record');
SELECT tmac.register_provider('AGENCY-1', 'Example Staffing 株式会社', 'staffing_agency');
SELECT throws_ok($$SELECT tmac.set_contractor_agency('A1', 'AGENCY-1')$$, '22023', NULL, 'only a contractor has an agency');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.set_contractor_agency(''K1'', ''AGENCY-1'')')$$, '42501', NULL,
  'HR records a contractor''s agency, not tmac_admin');
SELECT pg_temp.as_role('t_hr', $$SELECT tmac.set_contractor_agency('K1', 'AGENCY-1')$$);
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'contractor_agency_no_nda'), 'AGENCY-1.*no NDA',
  '... then: the agency has no NDA');
SELECT tmac.record_provider_nda('AGENCY-1', current_date - 10);
SELECT is(pg_temp.n('contractor_agency_no_nda'), 0::bigint, 'the agency''s NDA recorded: gone');

SELECT * FROM finish();
ROLLBACK;
