-- acts_probes.sql — pgTAP: the acts every person may do are no probes of the registers (issue 17,
-- item 6).  record_handling and report_incident validate every argument that needs no lookup
-- first, and give a person who cannot read the inventory or the persons register one error for
-- "unknown or not yours": an asset number or person id that does not exist and one that exists
-- but is not theirs get the same SQLSTATE, message, detail and hint.  A report naming someone
-- else as discoverer is a claim until that person confirms it (tmac.confirm_discovery).
BEGIN;
SELECT plan(37);
\i test/pgtap/people_fixture.psql
\i test/pgtap/acts_fixture.psql
SELECT pg_temp.granted($$SELECT tmac.request_clearance('F1', 'CONFIDENTIAL', now() + interval '30 days', 'acts')$$);
INSERT INTO tmac.asset (asset_no, name, label, business_category, medium, registered_on, manager, managing_group_id) VALUES
  ('P-HIDDEN', '開発図面', 'SECRET', '技術', 'paper', current_date, 'C1', tmac.vocabulary_id('group', 'DEV')),   -- not frank's
  ('P-DEPT', '営業資料', 'SECRET', '営業', 'paper', current_date, 'D1', tmac.vocabulary_id('group', 'SALES')), -- his department's
  ('P-MINE', '顧客台帳', 'TOP_SECRET', '営業', 'paper', current_date, 'F1', NULL),                         -- he manages it
  ('P-CLEARED', '社外秘資料', 'CONFIDENTIAL', '技術', 'paper', current_date, 'C1', NULL);                  -- he is cleared for it

-- The probe: the same call with an existing id that is not the caller's and with one that does not
-- exist; the answers, with the id written as <id>, must be the same.
CREATE FUNCTION pg_temp.probe(r name, q text, hidden text, missing text) RETURNS text[] LANGUAGE sql AS
$$ SELECT ARRAY[replace(pg_temp.error_of(r, replace(q, '<id>', hidden)), '"' || hidden || '"', '"<id>"'),
                replace(pg_temp.error_of(r, replace(q, '<id>', missing)), '"' || missing || '"', '"<id>"')] $$;
CREATE FUNCTION pg_temp.same(a text[]) RETURNS text LANGUAGE sql AS
$$ SELECT CASE WHEN a[1] = a[2] THEN a[1] ELSE 'different: ' || a[1] || ' <> ' || a[2] END $$;

-- record_handling: asset numbers
SELECT is(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.record_handling('<id>', 'take_out', 'x')$$, 'P-HIDDEN', 'P-NONE')),
  '42501: asset "<id>" is unknown or not yours | To those who cannot read the register, tmac does not say whether it exists. | Name an asset you manage, that your department manages, or that you are cleared for; its 管理責任者 knows its number.',
  'record_handling: an asset that is not his and one that does not exist give one error, 42501 unknown or not yours');
SELECT is(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.record_handling('<id>', 'no-such-action', 'x')$$, 'P-HIDDEN', 'P-NONE')),
  '22023: unknown handling action "no-such-action" |  | Actions: create (作成), copy (複製), take_out (持出), provide (提供), dispose (廃棄), return (返却).',
  'record_handling: an unknown action is refused before the asset is looked up');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.record_handling('<id>', 'take_out', 'x', media => 'floppy')$$, 'P-HIDDEN', 'P-NONE')),
  '22023: unknown media "floppy"%', 'an unknown medium too');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.record_handling('<id>', 'dispose', 'x', disposal_method => 'burn')$$, 'P-HIDDEN', 'P-NONE')),
  '22023: unknown disposal method "burn"%', 'an unknown disposal method too');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.record_handling('<id>', 'dispose', 'x')$$, 'P-HIDDEN', 'P-NONE')),
  '22004: a disposal needs its method%', 'a disposal without its method too');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.record_handling('<id>', 'copy', 'x')$$, 'P-HIDDEN', 'P-NONE')),
  '22004: a copy needs the serial numbers%', 'a copy without serials too');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.record_handling('<id>', 'take_out', 'x', due_at => now() - interval '1 day')$$, 'P-HIDDEN', 'P-NONE')),
  '22023: the due date % is not after the handling%', 'a due date before the handling too');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.record_handling('<id>', 'take_out', 'x', handled_at => now() + interval '1 day')$$, 'P-HIDDEN', 'P-NONE')),
  '22023: handling is recorded when it happened%', 'a handling in the future too');
SELECT is(pg_temp.error_of('t_frank', $$SELECT tmac.record_handling(' P-HIDDEN', 'take_out', 'x')$$),
  '22023: malformed asset number " P-HIDDEN" |  | An asset number has at most 100 characters and no surrounding spaces.',
  'a malformed asset number (which no asset has) is refused as such');
SELECT is(pg_temp.error_of('t_frank', $$SELECT tmac.record_handling('P-DEPT', 'take_out', '商談')$$), 'no error',
  'an asset his department manages is his');
SELECT is(pg_temp.error_of('t_frank', $$SELECT tmac.record_handling('P-MINE', 'take_out', '商談')$$), 'no error',
  'an asset he manages is his');
SELECT is(pg_temp.error_of('t_frank', $$SELECT tmac.record_handling('P-CLEARED', 'take_out', '商談')$$), 'no error',
  'an asset he is cleared for is his');
SELECT is((SELECT count(*) FROM tmac.handling_entry WHERE handler = 'F1'), 3::bigint, 'three entries, none for P-HIDDEN');
SELECT alike(pg_temp.error_of('t_carol', $$SELECT tmac.record_handling('P-NONE', 'take_out', 'x')$$), '42704: no asset "P-NONE" in the inventory%',
  'a reader of the inventory is told that an asset does not exist');

-- report_incident: reported_to_person
SELECT is(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.report_incident('employee', 'x', reported_to_person => '<id>')$$, 'A1', 'NO-SUCH')),
  '42501: person "<id>" is unknown or not yours | To those who cannot read the register, tmac does not say whether it exists. | reported_to_person names yourself, a person of your department or one above it, or an appointed manager (tmac.appoint).',
  'report_incident: a person of another department and a person who does not exist give one error, 42501 unknown or not yours');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.report_incident('alien', 'x', reported_to_person => '<id>')$$, 'A1', 'NO-SUCH')),
  '22023: unknown sign category "alien"%', 'an unknown category is refused before the person is looked up');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.report_incident('employee', ' ', reported_to_person => '<id>')$$, 'A1', 'NO-SUCH')),
  '22023: an incident report needs a description%', 'a blank description too');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.report_incident('employee', 'x', now() + interval '1 day', reported_to_person => '<id>')$$, 'A1', 'NO-SUCH')),
  '22023: detected_at % is in the future%', 'a detection in the future too');
SELECT alike(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.report_incident('employee', 'x', sign_code => 'nope', reported_to_person => '<id>')$$, 'A1', 'NO-SUCH')),
  '42704: unknown leak sign "nope"%', 'an unknown leak sign (the seed''s list, shipped with tmac) too');
SELECT is(pg_temp.error_of('t_frank', $$SELECT tmac.report_incident('employee', 'x', reported_to_person => 'D1')$$), 'no error',
  'a person of his own department is his to name');
SELECT tmac.appoint('E1', 'information_officer', 'D1', announced_how => '社内掲示', announced_on => current_date);
SELECT is(pg_temp.error_of('t_frank', $$SELECT tmac.report_incident('employee', 'x', reported_to => 'manager', reported_to_person => 'E1')$$), 'no error',
  'an appointed manager (made known to everyone) is his to name');
SELECT alike(pg_temp.error_of('t_carol', $$SELECT tmac.report_incident('employee', 'x', reported_to_person => 'NO-SUCH')$$), '42704: no person "NO-SUCH"%',
  'a reader of the persons register is told that a person does not exist');

-- report_incident: asset numbers are recorded as given; nothing tells the reporter which exist
SELECT is(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.report_incident('employee', 'asset <id>', asset_nos => ARRAY['<id>'])$$, 'P-HIDDEN', 'P-NONE')),
  'no error', 'report_incident: an asset that is not his and one that does not exist are both accepted');
SELECT is((SELECT array_agg(i.reported_asset_nos[1] || ':' || coalesce(a.asset_no, '-') ORDER BY i.incident_id)
             FROM tmac.incident i LEFT JOIN tmac.incident_asset ia USING (incident_id) LEFT JOIN tmac.asset a USING (asset_id)
            WHERE i.description LIKE 'asset %'),
  ARRAY['P-HIDDEN:P-HIDDEN', 'P-NONE:-'], 'the manager sees both numbers as reported, and the one in the inventory linked');

-- report_incident: discovered_by is a claim until that person confirms it; nobody looks it up
SELECT is(pg_temp.same(pg_temp.probe('t_frank', $$SELECT tmac.report_incident('outsider', 'found by <id>', discovered_by => '<id>')$$, 'A1', 'NO-SUCH')),
  'no error', 'report_incident: naming an existing person or an unknown one as discoverer is the same (a claim)');
SELECT id AS i_a1 FROM (SELECT incident_id AS id FROM tmac.incident WHERE description = 'found by A1') x \gset
SELECT id AS i_none FROM (SELECT incident_id AS id FROM tmac.incident WHERE description = 'found by NO-SUCH') x \gset
SELECT is((SELECT coalesce(discovered_by, 'unconfirmed') || '/' || discoverer_claimed || '/' || reported_by FROM tmac.incident WHERE incident_id = :i_a1),
  'unconfirmed/A1/F1', 'the register shows the discoverer as claimed, unconfirmed');
SELECT is(pg_temp.same(pg_temp.probe('t_frank', 'SELECT tmac.confirm_discovery(<id>)', :i_a1::text, (:i_a1 + 1000)::text)),
  '42501: incident "<id>" is unknown or not yours | To those who cannot read the register, tmac does not say whether it exists. | Confirm an incident whose report names you as its discoverer; the reporter gives you its number.',
  'confirm_discovery: an incident that names someone else and one that does not exist give one error');
SELECT is(pg_temp.same(pg_temp.probe('t_alice', 'SELECT tmac.confirm_discovery(<id>)', :i_none::text, (:i_none + 1000)::text)),
          '42501: incident "<id>" is unknown or not yours | To those who cannot read the register, tmac does not say whether it exists. | Confirm an incident whose report names you as its discoverer; the reporter gives you its number.',
  'so does one that names an unknown person, to alice');
SELECT is(pg_temp.error_of('t_alice', format('SELECT tmac.confirm_discovery(%s)', :i_a1)), 'no error', 'alice confirms that she found it');
SELECT is((SELECT discovered_by || '/' || discoverer_claimed FROM tmac.incident WHERE incident_id = :i_a1), 'A1/A1', 'she is the discoverer now');
SELECT is((SELECT person_id || ':' || what FROM tmac.incident_event WHERE incident_id = :i_a1 ORDER BY event_id DESC LIMIT 1),
  'A1:changed', 'her confirmation is on the incident''s timeline');
SELECT alike(pg_temp.error_of('t_alice', format('SELECT tmac.confirm_discovery(%s)', :i_a1)), '55000: you confirmed that you discovered incident % already%',
  'once');
SELECT is((SELECT coalesce(discovered_by, 'unconfirmed') || '/' || discoverer_claimed FROM tmac.incident WHERE incident_id = :i_none),
  'unconfirmed/NO-SUCH', 'a claim nobody confirms stays unconfirmed');
SELECT is(pg_temp.error_of('t_frank', $$SELECT tmac.report_incident('outsider', 'found by me', discovered_by => 'F1')$$), 'no error',
  'naming oneself as discoverer ...');
SELECT is((SELECT discovered_by || '/' || coalesce(discoverer_claimed, '-') FROM tmac.incident WHERE description = 'found by me'), 'F1/-',
  '... needs no confirmation');
SELECT alike(pg_temp.error_of('t_carol', format('SELECT tmac.confirm_discovery(%s)', :i_none)), '42501: incident % does not name you as its discoverer%',
  'a reader of the register is told the incident names someone else');
SELECT throws_ok(format($$UPDATE tmac.incident SET discovered_by = 'C1' WHERE incident_id = %s$$, :i_none), '23514', NULL,
  'even a direct write cannot make someone else the discoverer of a claim');

SELECT * FROM finish();
ROLLBACK;
