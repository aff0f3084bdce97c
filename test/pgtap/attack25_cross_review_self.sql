-- attack25_cross_review_self.sql — pgTAP: a finding across registers about an act is closed by
-- "a manager other than the person concerned" (tmac.acknowledge_cross_finding).  The handler is
-- kept from reviewing their own finding, but the manager who approved the act is not: D1, not
-- cleared, takes a SECRET drawing out; C1 approves the take-out (approve_handling) and then
-- closes the finding handling_without_access about the act C1 approved — no second person ever
-- looks at it.  Likewise the lender of a key closes key_loan_without_access about their own loan.
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.secret_drawing('X-025', '試作品図面', 'SALES');
SELECT pg_temp.as_role('t_dave', $$SELECT tmac.record_handling('X-025', 'take_out', '客先打合せ', due_at => now() + interval '1 day')$$)::bigint AS h1 \gset
SELECT pg_temp.as_role('t_carol', format('SELECT tmac.approve_handling(%s)', :h1));
SELECT is((SELECT approver FROM tmac.handling_entry WHERE entry_id = :h1), 'C1', 'C1 approved D1''s take-out of SECRET');
SELECT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'handling_without_access' AND subject = 'handling:' || :h1), 1::bigint,
  'handling_without_access: D1 could not read it');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.acknowledge_cross_finding('handling_without_access', 'handling:%s', 'approved by me, all fine')$q$)$$, :h1),
  '42501', NULL, 'the approver of the act does not review the finding about it');
-- the key: C1 lent the key of a SECRET cabinet to D1 (a loan recorded before the refusal)
SELECT pg_temp.key_cabinet('CAB-25', 'X-025', 'K-25', 'C1');
UPDATE tmac.container_asset SET stored_at = now() - interval '10 days';
SELECT pg_temp.returned_loan('K-25', 'D1', 'C1', now() - interval '3 days') AS l1 \gset
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.acknowledge_cross_finding('key_loan_without_access', 'key_loan:%s', 'I lent it, fine')$q$)$$, :l1),
  '42501', NULL, 'the lender does not review the finding about their own loan');
SELECT * FROM finish();
ROLLBACK;
