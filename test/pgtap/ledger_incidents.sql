-- ledger_incidents.sql — pgTAP: the incident register (⑥): any person reports, managers
-- escalate, respond, notify and close; every change is timelined; and every finding of ⑥:
-- create the condition, see the finding, fix it, see it clear.
BEGIN;
SELECT plan(34);
\i test/pgtap/people_fixture.psql

\i test/pgtap/dedupe_helpers.psql
CREATE ROLE t_nobody LOGIN;
INSERT INTO tmac.asset (asset_no, name, label, origin, entrusted_by, business_category, medium, registered_on) VALUES
  ('I-001', '製品設計図', 'SECRET', 'own', NULL, '技術', 'electronic', current_date),
  ('I-002', '顧客図面', 'CONFIDENTIAL', 'entrusted', '顧客A社', '技術', 'paper', current_date);

SELECT is((SELECT count(*) FROM tmac.leak_sign), 19::bigint, 'the seed''s 19 example signs');
SELECT is((SELECT count(DISTINCT category) FROM tmac.leak_sign), 4::bigint, 'in four categories');

-- anyone with a person record reports; t_alice holds no tmac role at all
SELECT ok(NOT pg_has_role('t_alice', 'tmac_admin', 'MEMBER') AND NOT pg_has_role('t_alice', 'tmac_approver', 'MEMBER'),
  't_alice holds no tmac role');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.report_incident('leaver', '退職者の転職先が同等製品を発売', now() - interval '2 hours',
  'leaver_competitor_product', ARRAY['I-001'], 'supervisor', 'C1')$$)::bigint AS i1 \gset
SELECT is((SELECT reported_by || '/' || discovered_by || '/' || category || '/' || reported_to || '/' || status
             FROM tmac.incident WHERE incident_id = :i1), 'A1/A1/leaver/supervisor/open', 'a person reports an incident');
SELECT throws_ok($$SELECT pg_temp.as_role('t_nobody', $q$SELECT tmac.report_incident('employee', 'x')$q$)$$, '42501', NULL,
  'a role that is no person''s login cannot report');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.report_incident('alien', 'x')$q$)$$, '22023', NULL,
  'unknown category');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.report_incident('employee', 'x', sign_code => 'partner_rumour')$q$)$$,
  '22023', NULL, 'a sign of another category');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.report_incident('employee', 'x', sign_code => 'nope')$q$)$$,
  '42704', NULL, 'unknown sign');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.report_incident('employee', 'x', asset_nos => ARRAY['I-404'])$q$)$$,
  '42704', NULL, 'unknown asset (told to a reader of the inventory)');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.report_incident('employee', NULL)$q$)$$,
  '22004', NULL, 'a description is required');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.report_incident('employee', 'x', reported_to => 'ceo')$q$)$$,
  '22023', NULL, 'reported to a supervisor or the manager');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_alice', 'SELECT tmac.escalate_incident(%s, ''社長'')')$$, :i1), '42501', NULL,
  'a reporter without a manager role cannot escalate');

-- incident_not_escalated: reported 2 days ago, never escalated
UPDATE tmac.incident SET reported_at = now() - interval '2 days', detected_at = now() - interval '2 days' WHERE incident_id = :i1;
SELECT is(pg_temp.n('incident_not_escalated', 'incident:' || :i1), 1::bigint, 'incident_not_escalated after 24 hours');
SELECT tmac.configure('incident_escalation_limit', '3 days');
SELECT is(pg_temp.n('incident_not_escalated'), 0::bigint, 'the limit is a setting');
SELECT tmac.configure('incident_escalation_limit', '24 hours');
SELECT throws_ok($$SELECT tmac.configure('incident_escalation_limit', '0')$$, '22023', NULL, 'the limit is a positive interval');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.close_incident(%s, ''c'', ''a'')')$$, :i1), '55000', NULL,
  'an incident never reported to management cannot be closed');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.escalate_incident(%s, ''代表取締役'')')$$, :i1),
  'the manager reports it to management');
SELECT is(pg_temp.n('incident_not_escalated'), 0::bigint, 'escalated: incident_not_escalated gone');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.escalate_incident(%s, ''代表取締役'')')$$, :i1), '55000', NULL,
  'escalated twice');

-- incident_overdue: past its deadline
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.update_incident(%s, first_response => ''アクセス停止'', evidence_refs => ARRAY[''EV-1''])')$$, :i1),
  'the first response is recorded');
UPDATE tmac.incident SET due_by = now() - interval '1 hour' WHERE incident_id = :i1;
SELECT is(pg_temp.n('incident_overdue', 'incident:' || :i1), 1::bigint, 'incident_overdue');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.update_incident(%s, due_by => now() - interval ''10 days'')')$$, :i1),
  '22023', NULL, 'a deadline before the report is refused');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.close_incident(%s, ''退職者による持出'', ''退職時の誓約書と持出点検'')')$$, :i1),
  'closed with cause and corrective action');
SELECT is(pg_temp.n('incident_overdue'), 0::bigint, 'closed: incident_overdue gone');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.update_incident(%s, impact => ''x'')')$$, :i1), '55000', NULL,
  'a closed incident is not changed');
SELECT is((SELECT array_agg(what ORDER BY event_id) FROM tmac.incident_event WHERE incident_id = :i1),
  ARRAY['reported', 'asset added', 'changed', 'changed', 'changed', 'changed', 'changed'],
  'every change is on the timeline');
SELECT ok((SELECT change ? 'closed_by' FROM tmac.incident_event WHERE incident_id = :i1 ORDER BY event_id DESC LIMIT 1),
  '... with what changed');
SELECT ok(EXISTS (SELECT 1 FROM tmac.audit_log WHERE category = 'incident'), 'and in the audit log');

-- incident_entrusted_unnotified: an incident on entrusted information
SELECT pg_temp.as_role('t_dave', $$SELECT tmac.report_incident('partner', '取引先から異様に詳細な照会', sign_code => 'partner_excess_request',
  asset_nos => ARRAY['I-002'])$$)::bigint AS i2 \gset
SELECT is(pg_temp.n('incident_entrusted_unnotified', 'incident:' || :i2), 1::bigint, 'incident_entrusted_unnotified');
SELECT matches((SELECT detail FROM tmac.findings WHERE check_code = 'incident_entrusted_unnotified'), '顧客A社', '... naming the 委託元');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.notify_incident(%s, ''police'', ''所轄署'')')$$, :i2),
  'the police are notified');
SELECT is(pg_temp.n('incident_entrusted_unnotified'), 1::bigint, '... which is not the 委託元');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', 'SELECT tmac.notify_incident(%s, ''entrusting_company'', ''顧客A社'', reference => ''書面 2026-11'')')$$, :i2),
  'the entrusting company is notified');
SELECT is(pg_temp.n('incident_entrusted_unnotified'), 0::bigint, 'notified: incident_entrusted_unnotified gone');

SELECT * FROM finish();
ROLLBACK;
