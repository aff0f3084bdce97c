-- escort_access_check.sql — pgTAP: the check escort_without_access (IV, high).  An escort goes into
-- the area too: an entry recorded late (or before tmac.record_entry refused it) whose escort could
-- not read the area's label then is a finding — for a visitor with a person record and one typed
-- in by name; an escort cleared for the area is none; a manager other than the escort reviews it.
BEGIN;
SELECT plan(6);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_area('AREA-S', '試作室', '本社2F', 'card', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('AREA-S', 'SECRET')$$);
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'lab')$$);
UPDATE tmac.access_grant SET requested_at = now() - interval '50 minutes', approved_at = now() - interval '50 minutes',
       validity = tstzrange(now() - interval '50 minutes', upper(validity)) WHERE person_id = 'A1';   -- in force before the entries
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  VALUES ('es-1', 'V1', 'hire', '{"full_name":"見学者 甲","kind":"visitor","responsible_person":"A1"}');
SELECT tmac.record_pledge('V1', 'visitor', tmac.today(), tmac.today());
SELECT results_eq($$SELECT criterion, severity FROM tmac.compliance_check WHERE check_code = 'escort_without_access'$$,
                  $$VALUES ('IV'::text, 'high'::text)$$, 'registered under IV, high');
-- recorded late (an entry that happened already is recorded): B1, not cleared, escorted V1 and a named visitor
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-S', person_id => 'V1', escort => 'B1', entered_at => now() - interval '10 minutes')$$)::bigint AS e1 \gset
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-S', visitor_name => '見学者 乙', visitor_company => 'X社', escort => 'B1', entered_at => now() - interval '9 minutes')$$)::bigint AS e2 \gset
-- A1, cleared SECRET, escorted V1: in order
SELECT pg_temp.as_role('t_erin', $$SELECT tmac.record_entry('AREA-S', person_id => 'V1', escort => 'A1', entered_at => now() - interval '8 minutes')$$)::bigint AS e3 \gset
SELECT set_eq($$SELECT subject FROM tmac.findings WHERE check_code = 'escort_without_access'$$,
              ARRAY['area_entry:' || :e1, 'area_entry:' || :e2], 'the two entries B1 escorted are findings, not A1''s');
SELECT ok((SELECT bool_and(detail LIKE 'B1 escorted % into restricted area AREA-S on %, and could not read its label then: area AREA-S labelled SECRET (failing: %clearance%')
             FROM tmac.findings WHERE check_code = 'escort_without_access'), 'the detail names the escort, whom, the area and why');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.acknowledge_cross_finding('escort_without_access', 'area_entry:%s', 'B1 escorted without clearance')$q$)$$, :e1),
                 '42501', NULL, 'the escort does not review it');
SELECT lives_ok(format($$SELECT pg_temp.as_role('t_carol', $q$SELECT tmac.acknowledge_cross_finding('escort_without_access', 'area_entry:%s', '立会者の権限を確認し、指導した')$q$)$$, :e1),
                'another manager does');
SELECT set_eq($$SELECT subject FROM tmac.findings WHERE check_code = 'escort_without_access'$$,
              ARRAY['area_entry:' || :e2], 'the reviewed finding is closed');
SELECT * FROM finish();
ROLLBACK;
