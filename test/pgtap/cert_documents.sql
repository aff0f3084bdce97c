-- cert_documents.sql — pgTAP: the documents register (68_documents.sql): 規程・基準・手順・様式
-- drafted by an appointee, approved by 経営層 (never the author: four eyes), announced, reviewed,
-- acknowledged by each person as themselves, superseded; and its findings document_missing,
-- document_review_overdue and document_not_acknowledged, each created, seen, fixed and cleared.
BEGIN;
SELECT plan(45);
\i test/pgtap/people_fixture.psql
\i test/pgtap/dedupe_helpers.psql

\set sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

-- 経営層 is who the appointments say: D1 and E1 appointed executive; C1 the 情報管理責任者.
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('D1', 'executive', 'D1', scope => '代表取締役', announced_how => '社内掲示', announced_on => current_date)$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('E1', 'executive', 'D1', scope => '取締役', announced_how => '社内掲示', announced_on => current_date)$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.appoint('C1', 'information_officer', 'D1', scope => '全社', announced_how => '情報管理規程', announced_on => current_date)$$);

-- document_missing: every requirement of the seed, once persons exist
SELECT is(pg_temp.pop('document_missing'), 'I-4 high {persons}', 'document_missing: I-4, high, over the persons');
SELECT is(pg_temp.n('document_missing'), (SELECT count(*) FROM tmac.document_requirement),
  'a company with persons and no documents misses every document the seed requires');
SELECT is((SELECT string_agg(criterion, ',' ORDER BY criterion) FROM (SELECT DISTINCT criterion FROM tmac.document_requirement) x),
  'I-3,I-4,I-5,I-6,II,III,IV,V', 'the requirements cover the criteria the seed asks documents for');
SELECT alike((SELECT detail FROM tmac.findings WHERE subject = 'document_requirement:incident_reporting_rule'),
  '%報告ルール%I-6%報告ルールを策定し%', '... each naming the document, its criterion and the seed''s words');

-- who drafts: an appointee, as themselves
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.record_document('REG-001', '第1版', 'regulation', '情報管理規程', '{information_rules}', 'https://intra.example/reg-001.pdf', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')$q$)$$,
  '42501', 'person A1 may not record a document', 'a person with no appointment does not draft a document');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.record_document('REG-001', '第1版', 'rule', '情報管理規程', '{information_rules}', 'https://x', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')$q$)$$,
  '22023', 'unknown document kind ''rule''', 'an unknown kind is refused with the allowed ones');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.record_document('REG-001', '第1版', 'regulation', '情報管理規程', '{information_rules}', 'https://x', 'abc')$q$)$$,
  '22023', NULL, 'a malformed SHA-256 is refused');
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.record_document('REG-001', '第1版', 'regulation', '情報管理規程', '{rules}', 'https://x', '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')$q$)$$,
  '22023', NULL, 'a requirement that does not exist is refused');
SELECT ok(pg_temp.as_role('t_carol', format($$SELECT tmac.record_document('REG-001', '第1版', 'regulation', '情報管理規程', '{information_rules,I-4}', 'https://intra.example/reg-001.pdf', %L)$$, :'sha'))::bigint > 0,
  'the 情報管理責任者 records the 情報管理規程 as its author');
SELECT is((SELECT author || ' ' || criteria::text || ' ' || encode(sha256, 'hex') FROM tmac.document WHERE doc_no = 'REG-001'),
  'C1 {I-3,I-4} 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'the author is the acting person; the criteria include its requirement''s; the text is referenced by its SHA-256');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.record_document('REG-001', '第1版', 'regulation', '情報管理規程', '{information_rules}', 'https://x', %L)$q$)$$, :'sha'),
  '23505', NULL, 'a version is recorded once');
SELECT is(pg_temp.n('document_missing', 'document_requirement:information_rules'), 1::bigint, 'a draft is not in force: still missing');

-- approval: by 経営層, never the author
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.approve_document('REG-001', '第1版')$q$)$$,
  '42501', 'person C1 is not 経営層 and may not approve a document', 'the 情報管理責任者 is not 経営層');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.approve_document('REG-001', '第1版')$q$)$$,
  '42501', NULL, 'nor is an employee');
SELECT pg_temp.as_role('t_erin', format($$SELECT tmac.record_document('STD-001', '2026', 'standard', '情報管理基準', '{handling_standard}', 'https://intra.example/std-001.pdf', %L, acknowledgement => 'all')$$, :'sha'));
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.approve_document('STD-001', '2026')$q$)$$,
  '42501', 'the author of document STD-001 version 2026 may not approve it', 'four eyes: 経営層 does not approve what they wrote');
SELECT throws_ok($$UPDATE tmac.document SET approved_by = author, approved_at = now(), effective_from = current_date WHERE doc_no = 'STD-001'$$,
  '23514', NULL, 'the table itself refuses approved_by = author');
SELECT throws_ok($$SELECT pg_temp.as_role('t_dave', $q$SELECT tmac.approve_document('REG-001', '第1版', current_date - 2)$q$)$$,
  '22023', NULL, 'a document does not take effect before its approval');
SELECT lives_ok($$SELECT pg_temp.as_role('t_dave', $q$SELECT tmac.approve_document('REG-001', '第1版', note => '取締役会で承認')$q$)$$,
  'D1 of 経営層, not the author, approves the 情報管理規程');
SELECT lives_ok($$SELECT pg_temp.as_role('t_dave', $q$SELECT tmac.approve_document('STD-001', '2026')$q$)$$,
  '... and the 情報管理基準 E1 wrote');
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.approve_document('REG-001', '第1版')$q$)$$,
  '55000', NULL, 'a version is approved once');
SELECT is((SELECT approved_by || ' ' || (effective_from = tmac.today()) FROM tmac.document_in_force WHERE doc_no = 'REG-001'), 'D1 true',
  'approved by D1, in force from today');
SELECT is(pg_temp.n('document_missing', 'document_requirement:information_rules') + pg_temp.n('document_missing', 'document_requirement:handling_standard'),
  0::bigint, 'document_missing: cleared for the two requirements now served');

-- announcement (周知): the author, the 情報管理責任者 or 経営層
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.announce_document('REG-001', '第1版', '社内研修')$q$)$$,
  '42501', NULL, 'an employee does not record an announcement');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.announce_document('REG-001', '第1版', '社内研修・イントラネット掲載')$$);
SELECT is((SELECT announced_how FROM tmac.document WHERE doc_no = 'REG-001'), '社内研修・イントラネット掲載', 'the author records how it was made known');

-- document_review_overdue: approved 400 days ago and never reviewed since
SELECT is(pg_temp.pop('document_review_overdue'), 'I-4 medium {documents}', 'document_review_overdue: I-4, over the documents in force');
SELECT is(pg_temp.n('document_review_overdue'), 0::bigint, 'a document approved today is not overdue');
UPDATE tmac.document SET approved_at = now() - interval '400 days', effective_from = current_date - 400, reviewed_on = current_date - 400
 WHERE doc_no = 'REG-001';
SELECT is(pg_temp.n('document_review_overdue', 'document:REG-001'), 1::bigint, 'reviewed 400 days ago: overdue (document_review_interval 1 year)');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.review_document('REG-001', '内容を確認し、変更不要と判断')$q$)$$,
  '42501', NULL, 'an employee does not record a review');
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.review_document('REG-001', '内容を確認し、変更不要と判断')$$);
SELECT is(pg_temp.n('document_review_overdue'), 0::bigint, 'the 情報管理責任者 reviews it: cleared');

-- document_not_acknowledged: STD-001 asks everyone; in force for 40 days, persons hired long before
SELECT is(pg_temp.pop('document_not_acknowledged'), 'I-4 medium {acknowledged_documents}', 'document_not_acknowledged: I-4, over the documents asking for it');
SELECT is(pg_temp.n('document_not_acknowledged'), 0::bigint, 'within document_acknowledgement_grace (30 days) of its effective date: no finding');
UPDATE tmac.document SET effective_from = current_date - 40, approved_at = now() - interval '40 days' WHERE doc_no = 'STD-001';
UPDATE tmac.person SET hired_on = current_date - 100;
SELECT is(pg_temp.n('document_not_acknowledged', 'document:STD-001'), 1::bigint, 'in force for 40 days and nobody acknowledged it: a finding');
SELECT alike((SELECT detail FROM tmac.findings WHERE check_code = 'document_not_acknowledged'),
  '5 person(s)%STD-001%A1, B1, C1, D1, E1%', '... naming the persons');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.acknowledge_document('STD-001')$$);
SELECT alike((SELECT detail FROM tmac.findings WHERE check_code = 'document_not_acknowledged'),
  '4 person(s)%B1, C1, D1, E1%', 'A1 acknowledged it as themselves');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.acknowledge_document('STD-001')$q$)$$,
  '23505', NULL, 'once');
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.acknowledge_document('NONE-1')$q$)$$,
  '42704', 'no document NONE-1 in force', 'a document not in force cannot be acknowledged');
-- only as oneself: not inside another person's SECURITY DEFINER function, not as a role without a person
CREATE FUNCTION public.ack_for_bob() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS $$ SELECT tmac.acknowledge_document('STD-001') $$;
ALTER FUNCTION public.ack_for_bob() OWNER TO t_bob;
GRANT EXECUTE ON FUNCTION public.ack_for_bob() TO t_carol;
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', 'SELECT public.ack_for_bob()')$$,
  '42501', NULL, 'C1 calling B1''s SECURITY DEFINER function does not acknowledge for B1');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.acknowledge_document('STD-001')$q$)$$,
  '42501', NULL, 'a role that is no person acknowledges nothing');
SELECT is((SELECT string_agg(person_id, ',' ORDER BY person_id) FROM tmac.document_acknowledgement), 'A1', 'only A1''s own acknowledgement is recorded');
SELECT pg_temp.as_role(r, $$SELECT tmac.acknowledge_document('STD-001')$$) FROM unnest(ARRAY['t_bob', 't_carol', 't_dave', 't_erin']) r;
SELECT is(pg_temp.n('document_not_acknowledged'), 0::bigint, 'everyone acknowledged it: cleared');

-- access_holders: only the persons holding an active clearance or grant are in scope
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', 'design')$$);
SELECT pg_temp.as_role('t_erin', format($$SELECT tmac.record_document('PRC-001', '1', 'procedure', '電子情報の取扱手順', '{electronic_procedure}', 'https://intra.example/prc-001.pdf', %L, acknowledgement => 'access_holders')$$, :'sha'));
SELECT pg_temp.as_role('t_dave', $$SELECT tmac.approve_document('PRC-001', '1')$$);
UPDATE tmac.document SET effective_from = current_date - 40, approved_at = now() - interval '40 days' WHERE doc_no = 'PRC-001';
SELECT alike((SELECT detail FROM tmac.findings WHERE subject = 'document:PRC-001'), '1 person(s)%: A1.%',
  'access_holders: only A1, who holds a grant, is asked to acknowledge it');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.acknowledge_document('PRC-001')$$);
SELECT is(pg_temp.n('document_not_acknowledged', 'document:PRC-001'), 0::bigint, 'A1 acknowledged it: cleared');

-- a new version replaces the old on its effective date; acknowledgements are per version
SELECT pg_temp.as_role('t_erin', format($$SELECT tmac.record_document('STD-001', '2027', 'standard', '情報管理基準', '{handling_standard}', 'https://intra.example/std-001-2027.pdf', %L, acknowledgement => 'all')$$, :'sha'));
SELECT pg_temp.as_role('t_dave', $$SELECT tmac.approve_document('STD-001', '2027')$$);
SELECT is((SELECT version FROM tmac.document_in_force WHERE doc_no = 'STD-001'), '2027', 'the approved new version is in force');

-- supersede: 経営層 withdraws the 情報管理規程; the requirement is missing again
SELECT throws_ok($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.supersede_document('REG-001', '規程を全面改定するため')$q$)$$,
  '42501', NULL, 'only 経営層 withdraws a document');
SELECT pg_temp.as_role('t_dave', $$SELECT tmac.supersede_document('REG-001', '規程を全面改定するため')$$);
SELECT is(pg_temp.n('document_missing', 'document_requirement:information_rules'), 1::bigint, 'withdrawn: document_missing is back');

SELECT * FROM finish();
ROLLBACK;
