-- attack25_cross_review_self.sql — pgTAP: a finding across registers about an act is closed by
-- "a manager other than the person concerned" (tmac.acknowledge_cross_finding).  The handler is
-- kept from reviewing their own finding, but the manager who approved the act is not: D1, not
-- cleared, takes a SECRET drawing out; C1 approves the take-out (approve_handling) and then
-- closes the finding handling_without_access about the act C1 approved — no second person ever
-- looks at it.  Likewise the lender of a key closes key_loan_without_access about their own loan.
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('X-025', '試作品図面', '技術', 'paper', label => 'SECRET',
  managing_group => 'SALES', manager => 'C1', location => '金庫')$$);
SELECT pg_temp.as_role('t_dave', $$SELECT tmac.record_handling('X-025', 'take_out', '客先打合せ', due_at => now() + interval '1 day')$$)::bigint AS h1 \gset
SELECT pg_temp.as_role('t_carol', format('SELECT tmac.approve_handling(%s)', :h1));
SELECT is((SELECT approver FROM tmac.handling_entry WHERE entry_id = :h1), 'C1', 'C1 approved D1''s take-out of SECRET');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'handling_without_access' AND subject = 'handling:' || :h1), 1::bigint,
  'handling_without_access: D1 could not read it');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.acknowledge_cross_finding('handling_without_access', 'handling:%s', 'approved by me, all fine')$q$)$$, :h1),
  '42501', NULL, 'the approver of the act does not review the finding about it');
-- the key: C1 lent the key of a SECRET cabinet to D1 (a loan recorded before the refusal)
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_container('CAB-25', '図面キャビネット', '開発部', 'key', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.store_asset('CAB-25', 'X-025')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_key('K-25', 'container', 'CAB-25', 'C1')$$);
UPDATE tmac.container_asset SET stored_at = now() - interval '10 days';
INSERT INTO tmac.key_loan (key_id, borrower, approved_by, lent_at, due_at, returned_at, received_by)
  SELECT key_id, 'D1', 'C1', now() - interval '3 days', now() - interval '3 days' + interval '2 hours',
         now() - interval '3 days' + interval '1 hour', 'C1'
    FROM tmac.physical_key WHERE code = 'K-25'
  RETURNING loan_id AS l1 \gset
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.acknowledge_cross_finding('key_loan_without_access', 'key_loan:%s', 'I lent it, fine')$q$)$$, :l1),
  '42501', NULL, 'the lender does not review the finding about their own loan');
SELECT * FROM finish();
ROLLBACK;
