-- acts_return_handling.sql — pgTAP: who closes a take-out (issue 17, item 6).  Only the handler's
-- manager (部門管理者 of their department or one above it, or the 情報管理責任者), an approver of
-- the asset (its 管理責任者, or the entry's approver), or the handler with a second person's
-- confirmation closes an entry; everyone else is refused with 42501, and whoever cannot read the
-- ledger gets the same error whether or not the entry exists.
BEGIN;
SELECT plan(35);
\i test/pgtap/people_fixture.psql
\i test/pgtap/acts_fixture.psql
-- t_gina (G1, SALES): no tmac role either, but cleared SECRET like alice
CREATE ROLE t_gina LOGIN;
SELECT tmac.enrol_login('t_gina');
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('acts-2', 'G1', 'hire', now() - interval '1 hour', '{"full_name":"Gina","org_group":"SALES","job_role":"sales","login_role":"t_gina"}');
SELECT tmac.record_pledge('G1', 'hire', current_date - 1), tmac.record_training('G1', 'security basics', current_date - 1);
SELECT pg_temp.granted(format($$SELECT tmac.request_clearance(%L, 'SECRET', now() + interval '30 days', 'acts')$$, p))
  FROM unnest(ARRAY['A1', 'G1']) p;
-- R-001: SECRET, managed by C1 (carol), no managing department; E1 (erin) manages DEV, D1 (dave) SALES
INSERT INTO tmac.asset (asset_no, name, label, business_category, medium, registered_on, manager)
VALUES ('R-001', '試作図面', 'SECRET', '技術', 'paper', current_date, 'C1');
SELECT tmac.appoint('E1', 'department_manager', 'D1', scope_group => 'DEV');
SELECT tmac.appoint('D1', 'department_manager', 'E1', scope_group => 'SALES');

-- alice's overdue take-outs of R-001
CREATE FUNCTION pg_temp.take_out() RETURNS bigint LANGUAGE sql AS
$$ SELECT pg_temp.as_role('t_alice', $q$SELECT tmac.record_handling('R-001', 'take_out', '客先打合せ', media => 'paper',
     handled_at => now() - interval '3 days', due_at => now() - interval '1 day')$q$)::bigint $$;
SELECT pg_temp.take_out() AS e1 \gset
SELECT pg_temp.take_out() AS e2 \gset
SELECT pg_temp.take_out() AS e3 \gset
SELECT pg_temp.take_out() AS e4 \gset
SELECT pg_temp.take_out() AS e5 \gset
SELECT max(entry_id) + 1000 AS nx FROM tmac.handling_entry \gset
CREATE FUNCTION pg_temp.nr(e bigint) RETURNS bigint LANGUAGE sql AS
  $$ SELECT count(*) FROM tmac.findings WHERE check_code = 'handling_not_returned' AND subject = 'handling:' || e $$;

-- Probes: a person who cannot read the ledger learns nothing from an entry number.
SELECT alike(pg_temp.error_of('t_frank', format('SELECT tmac.return_handling(%s)', :e1)), '42501: handling entry "%" is unknown or not yours |%',
  'a person unrelated to the entry cannot close it (42501)');
SELECT is(pg_temp.error_of('t_frank', format('SELECT tmac.return_handling(%s)', :e1)),
          replace(pg_temp.error_of('t_frank', format('SELECT tmac.return_handling(%s)', :nx)), '"' || :nx || '"', '"' || :e1 || '"'),
  'return_handling: an existing entry that is not theirs and one that does not exist give the same error');
SELECT is(pg_temp.error_of('t_frank', format('SELECT tmac.confirm_return(%s)', :e1)),
          replace(pg_temp.error_of('t_frank', format('SELECT tmac.confirm_return(%s)', :nx)), '"' || :nx || '"', '"' || :e1 || '"'),
  'confirm_return: the same');
SELECT is(pg_temp.error_of('t_bob', format('SELECT tmac.return_handling(%s)', :e1)),
          replace(pg_temp.error_of('t_bob', format('SELECT tmac.return_handling(%s)', :nx)), '"' || :nx || '"', '"' || :e1 || '"'),
  'a colleague of the handler''s department to whom the asset is not theirs: the same');
SELECT is((SELECT count(*) FROM tmac.handling_entry WHERE returned_at IS NULL AND return_reported_at IS NULL), 5::bigint,
  'nothing was closed or reported by those attempts');
-- A reader of the ledger may know that the entry exists, and still may not close it.
SELECT alike(pg_temp.error_of('t_dave', format('SELECT tmac.return_handling(%s)', :nx)), 'P0002: no handling entry %',
  'a reader of the ledger is told that an entry does not exist');
SELECT alike(pg_temp.error_of('t_dave', format('SELECT tmac.return_handling(%s)', :e1)), '42501: you may not close handling entry %',
  'an approver who is neither the handler''s manager (his department is SALES) nor an approver of the asset may not close it');

-- The handler reports the return; the entry stays open until a second person confirms it.
SELECT is(pg_temp.error_of('t_alice', format('SELECT tmac.return_handling(%s, ''返却した'')', :e1)), 'no error',
  'the handler reports the return');
SELECT is((SELECT (returned_at IS NULL) || '/' || return_reported_by || '/' || return_report_note FROM tmac.handling_entry WHERE entry_id = :e1),
  'true/A1/返却した', '... which leaves the entry open, reported by the handler');
SELECT is(pg_temp.nr(:e1), 1::bigint, '... and overdue: handling_not_returned stays');
SELECT matches((SELECT detail FROM tmac.findings WHERE subject = 'handling:' || :e1 AND check_code = 'handling_not_returned'),
  'reported the return .* not confirmed', '... saying the return awaits confirmation');
SELECT alike(pg_temp.error_of('t_alice', format('SELECT tmac.return_handling(%s)', :e1)), '55000: the return of entry % awaits a second person''s confirmation%',
  'the handler reports a return once');
SELECT alike(pg_temp.error_of('t_alice', format('SELECT tmac.confirm_return(%s)', :e1)), '42501: the handler of entry % cannot confirm its return%',
  'the handler cannot confirm their own return');
SELECT alike(pg_temp.error_of('t_frank', format('SELECT tmac.confirm_return(%s)', :e1)), '42501: handling entry "%" is unknown or not yours%',
  'a person to whom the asset is not theirs cannot confirm it');
SELECT alike(pg_temp.error_of('t_dave', format('SELECT tmac.confirm_return(%s)', :e1)), '42501: you may not confirm the return of handling entry %',
  'nor can an unrelated approver');
SELECT alike(pg_temp.error_of('t_gina', format('SELECT tmac.return_handling(%s)', :e1)), '42501: you may not close handling entry %',
  'a person cleared for the asset may not close an entry herself ...');
SELECT is(pg_temp.error_of('t_gina', format('SELECT tmac.confirm_return(%s, ''現物を確認'')', :e1)), 'no error',
  '... but confirms the return the handler reported');
SELECT is((SELECT returned_by || '/' || return_note || '/' || return_reported_by FROM tmac.handling_entry WHERE entry_id = :e1),
  'G1/現物を確認/A1', 'the entry is closed by the second person; the handler''s report stays');
SELECT is(pg_temp.nr(:e1), 0::bigint, 'confirmed: handling_not_returned gone');
SELECT ok(EXISTS (SELECT 1 FROM tmac.audit_log WHERE category = 'handling_entry' AND subject = :e1::text
                     AND detail::text LIKE '%G1%'), 'the confirmation is in the audit log');
SELECT alike(pg_temp.error_of('t_gina', format('SELECT tmac.confirm_return(%s)', :e1)), '55000: entry % was returned at %',
  'a closed entry is not confirmed again');
SELECT alike(pg_temp.error_of('t_gina', format('SELECT tmac.confirm_return(%s)', :e5)), '55000: the handler has not reported the return of entry %',
  'there is nothing to confirm before the handler reports the return');

-- The handler's manager and the approvers of the asset close an entry in one step.
SELECT is(pg_temp.error_of('t_carol', format('SELECT tmac.return_handling(%s, ''管理責任者が回収'')', :e2)), 'no error',
  'the asset''s 管理責任者 closes it');
SELECT is(pg_temp.error_of('t_erin', format('SELECT tmac.return_handling(%s)', :e3)), 'no error',
  'the 部門管理者 of the handler''s department closes it');
SELECT is(pg_temp.error_of('t_dave', format('SELECT tmac.approve_handling(%s)', :e4)), 'no error', 'dave approves entry 4 ...');
SELECT is(pg_temp.error_of('t_dave', format('SELECT tmac.return_handling(%s)', :e4)), 'no error',
  '... and, as its approver, closes it');
SELECT is((SELECT string_agg(returned_by, ',' ORDER BY entry_id) FROM tmac.handling_entry WHERE entry_id IN (:e2, :e3, :e4)),
  'C1,E1,D1', 'each is recorded as who closed it');
SELECT alike(pg_temp.error_of('t_dave', format('SELECT tmac.return_handling(%s)', :e5)), '42501: you may not close handling entry %',
  'dave approved entry 4, not entry 5');
SELECT tmac.appoint('D1', 'information_officer', 'E1');
SELECT is(pg_temp.error_of('t_dave', format('SELECT tmac.return_handling(%s)', :e5)), 'no error',
  'the 情報管理責任者 closes any entry');
SELECT is(pg_temp.nr(:e2) + pg_temp.nr(:e3) + pg_temp.nr(:e4) + pg_temp.nr(:e5), 0::bigint, 'closed: their findings are gone');

-- The asset's manager who takes it out herself is its handler: she only reports the return.
SELECT pg_temp.as_role('t_carol', $$SELECT tmac.record_handling('R-001', 'take_out', '展示会', media => 'paper',
  due_at => now() + interval '1 day')$$)::bigint AS e6 \gset
SELECT is(pg_temp.error_of('t_carol', format('SELECT tmac.return_handling(%s)', :e6)), 'no error', 'carol reports the return of her own take-out');
SELECT is((SELECT (returned_at IS NULL)::text || '/' || return_reported_by FROM tmac.handling_entry WHERE entry_id = :e6),
  'true/C1', '... and the entry stays open: the asset''s manager is no second person to herself');

-- Neither a direct write nor a non-returnable entry gets around it.
SELECT throws_ok(format('UPDATE tmac.handling_entry SET returned_at = now(), returned_by = handler WHERE entry_id = %s', :e6),
  '23514', NULL, 'even a direct write cannot make the handler the one who closed the entry');
SELECT throws_ok(format('UPDATE tmac.handling_entry SET return_reported_at = now(), return_reported_by = ''B1'' WHERE entry_id = %s', :e6),
  '23514', NULL, 'only the handler reports a return');
SELECT pg_temp.as_role('t_alice', $$SELECT tmac.record_handling('R-001', 'create', '作成')$$)::bigint AS e7 \gset
SELECT alike(pg_temp.error_of('t_carol', format('SELECT tmac.return_handling(%s)', :e7)), '55000: entry % is a create, which is not returned%',
  'a creation is not returned');

SELECT * FROM finish();
ROLLBACK;
