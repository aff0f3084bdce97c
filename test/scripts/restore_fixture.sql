-- restore_fixture.sql — a database using tmac the way a DBA's would, for the restore and
-- pg_upgrade tests (dump_restore.sh, pg_upgrade.sh): a vocabulary with a renamed built-in level
-- and compartment and group ids that differ from a fresh install's; labelled rows, labels in a
-- default, a CHECK, a domain, partition bounds, a view and a partial index; object labels;
-- persons, HR events (one still to come), pledges, training, grants, an SoD exception and a
-- duty assignment; a protected table; privileges; and the audit chain of all of it.
-- Run as a superuser in an empty database; creates the roles dr_alice … dr_dave when missing.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION tmac;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dr_alice') THEN
    CREATE ROLE dr_alice LOGIN;
    CREATE ROLE dr_bob LOGIN IN ROLE tmac_access_admin;
    CREATE ROLE dr_carol LOGIN IN ROLE tmac_approver;
    CREATE ROLE dr_dave LOGIN;
  END IF;
END $$;
SELECT tmac.enrol_login(r) FROM unnest(ARRAY['dr_alice', 'dr_bob', 'dr_carol', 'dr_dave']::regrole[]) r;
-- ids a fresh install would not give: the sequences have moved on
SELECT count(nextval('tmac.compartment_id_seq')) FROM generate_series(1, 3);
SELECT count(nextval('tmac.org_group_id_seq')) FROM generate_series(1, 5);
SELECT tmac.rename_level('INTERNAL', 'INTERNAL-USE');          -- a renamed built-in level
SELECT tmac.define_level('RESTRICTED', 35, '厳秘', ARRAY['部外秘']);
SELECT tmac.define_compartment('PRJ-A', 'プロジェクトA');
SELECT tmac.define_compartment('PRJ-B', 'プロジェクトB');
SELECT tmac.define_compartment('GONE', '廃止予定');
SELECT tmac.rename_compartment('GONE', 'ARCHIVE');
SELECT tmac.define_compartment('CUST-X', 'X社受託情報', 'entrusted by X');
SELECT tmac.define_group('DEV', '開発部');
SELECT tmac.define_group('DEV-1', '開発一課', 'DEV');
SELECT tmac.define_group('SALES', '営業部');

-- "app" sorts before "tmac": its data is restored before tmac's vocabulary tables are filled
CREATE SCHEMA app;
SET search_path = app, tmac, public;
CREATE DOMAIN app.below_top AS tmac.label CHECK (VALUE OPERATOR(tmac.<) 'TOP_SECRET');
CREATE TABLE app.doc (
  id int PRIMARY KEY,
  l tmac.label NOT NULL DEFAULT 'CONFIDENTIAL:PRJ-A:DEV-1',
  title text,
  draft app.below_top,
  CHECK (l OPERATOR(tmac.<>) '極秘:CUST-X')
);
CREATE INDEX ON app.doc (l);
CREATE INDEX ON app.doc USING hash (l);
CREATE INDEX doc_sales ON app.doc (id) WHERE l OPERATOR(tmac.=) 'SECRET::SALES';
INSERT INTO app.doc (id, l, title, draft) VALUES
  (1, 'PUBLIC', 'press release', 'PUBLIC'),
  (2, '社内限', 'org chart', NULL),
  (3, '対外秘:プロジェクトA', 'spec A', 'SECRET:PRJ-A'),
  (4, 'SECRET:PRJ-B,PRJ-A:DEV', 'joint design', NULL),
  (5, '厳秘:CUST-X:DEV-1,SALES', 'customer X contract', NULL),
  (6, 'TOP_SECRET:ARCHIVE', 'old plans', NULL),
  (7, 'SECRET::SALES', 'pipeline', NULL);
INSERT INTO app.doc (id, title) VALUES (8, 'defaulted');
CREATE TABLE app.part (id int, l tmac.label) PARTITION BY HASH (l);
CREATE TABLE app.part_0 PARTITION OF app.part FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE app.part_1 PARTITION OF app.part FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO app.part SELECT id, l FROM app.doc;
CREATE TABLE app.bylabel (id int, l tmac.label) PARTITION BY LIST (l);
CREATE TABLE app.bylabel_x PARTITION OF app.bylabel FOR VALUES IN ('厳秘:CUST-X:DEV-1,SALES', 'SECRET::SALES');
CREATE TABLE app.bylabel_rest PARTITION OF app.bylabel DEFAULT;
INSERT INTO app.bylabel SELECT id, l FROM app.doc;
CREATE VIEW app.sales_docs AS SELECT id, title FROM app.doc WHERE l OPERATOR(tmac.=) 'SECRET::SALES';
SECURITY LABEL FOR tmac ON SCHEMA app IS 'INTERNAL-USE';
SECURITY LABEL FOR tmac ON TABLE app.doc IS '部外秘:CUST-X';
SECURITY LABEL FOR tmac ON COLUMN app.doc.title IS 'CONFIDENTIAL:PRJ-A';
SELECT tmac.protect('app.doc', 'l');
GRANT USAGE ON SCHEMA app TO dr_alice, dr_dave;
GRANT SELECT ON app.doc, app.sales_docs TO dr_alice, dr_dave;
RESET search_path;

-- People, HR events (one still in the future), four-eyes grants, a termination, SoD:
-- restored rows must come back as history, and the audit chain must still verify.
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('dr-1', 'DR1', 'hire', now() - interval '2 days', '{"full_name":"Alice","org_group":"DEV","job_role":"engineer","login_role":"dr_alice"}'),
  ('dr-2', 'DR2', 'hire', now() - interval '2 days', '{"full_name":"Bob","org_group":"DEV","job_role":"access admin","login_role":"dr_bob"}'),
  ('dr-3', 'DR3', 'hire', now() - interval '2 days', '{"full_name":"Carol","org_group":"SALES","job_role":"manager","login_role":"dr_carol"}'),
  ('dr-4', 'DR4', 'hire', now() - interval '2 days', '{"full_name":"Dave","org_group":"SALES","job_role":"sales","login_role":"dr_dave"}'),
  ('dr-5', 'DR1', 'transfer', now() + interval '30 days', '{"org_group":"SALES"}');
SELECT tmac.record_pledge(p, 'hire', current_date - 2), tmac.record_training(p, 'basics', current_date - 2)
  FROM unnest(ARRAY['DR1', 'DR2', 'DR3', 'DR4']) p;
SET ROLE dr_bob;
SELECT tmac.request_access('DR1', 'PRJ-A', now() + interval '90 days', 'joint design');
SELECT tmac.request_access('DR4', 'PRJ-B', now() + interval '90 days', 'proposal');
SELECT tmac.request_clearance('DR1', 'SECRET', now() + interval '90 days', 'design work');
RESET ROLE;
SELECT tmac.define_sod_rule('custodian vs requester', 'key_custodian', 'requester', 'medium');
SET ROLE dr_carol;
SELECT tmac.approve(grant_id) FROM (SELECT min(grant_id) AS grant_id FROM tmac.grants) g;
SELECT tmac.approve(max(grant_id)) FROM tmac.grants;
SELECT tmac.grant_sod_exception((SELECT max(rule_id) FROM tmac.sod_rule), 'DR2', 'two-person office', now() + interval '20 days');
RESET ROLE;
SELECT tmac.assign_duty('DR1', 'key_custodian');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at) VALUES ('dr-6', 'DR4', 'terminate', now());
-- The certification registers: an asset whose label and binding (a protected table, a schema)
-- must come back, an appointment, a provider holding the asset, a course, a documented pledge.
SELECT tmac.register_asset('DR-A1', '設計図', '技術', 'electronic', label => '部外秘:CUST-X', manager => 'DR3',
                           managing_group => 'SALES', origin => 'entrusted', entrusted_by => 'X社',
                           contract_ref => 'NDA-X', contract_measures => '暗号化保管');
SELECT tmac.bind_table('DR-A1', 'app.doc');
SELECT tmac.register_asset('DR-A2', 'app schema', '技術', 'electronic', manager => 'DR3');
SELECT tmac.bind_schema('DR-A2', 'app');
SELECT tmac.appoint('DR3', 'information_officer', 'DR3', scope_group => 'SALES', announced_how => '掲示', announced_on => current_date);
SELECT tmac.register_provider('DR-CLOUD', 'Cloud', 'cloud');
SELECT tmac.record_provider_nda('DR-CLOUD', current_date - 1, current_date + 100, 'NDA-C');
SELECT tmac.entrust_asset('DR-CLOUD', 'DR-A1');
SELECT tmac.define_course('basics');
SELECT tmac.record_pledge('DR4', 'termination', current_date, template_version => 'v3', document_sha256 => sha256('signed'));
