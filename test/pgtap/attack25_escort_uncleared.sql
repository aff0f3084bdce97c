-- attack25_escort_uncleared.sql — pgTAP: a person who may not read a restricted area's label
-- does not enter it.  record_entry refuses B1 (not cleared) at the door of a SECRET area, and
-- area_entry_without_access finds such an entry recorded late — but only for the person named
-- as the entrant.  The escort of a visitor is checked for status only (left, on leave), never
-- for access: B1 "escorts" a visitor — a person of kind visitor, or just a name typed in
-- (visitor_name, no person record) — and walks into the SECRET area with them.  Neither entry
-- is refused, and no check reports either.  Nor is the escort required to be of the company:
-- visitor V2 "escorts" visitor V1 in.
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_area('AREA-E', '試作室', '本社2F', 'card', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('AREA-E', 'SECRET')$$);
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes)
  VALUES ('ae-1', 'V1', 'hire', '{"full_name":"見学者 甲","kind":"visitor","responsible_person":"B1"}'),
         ('ae-2', 'V2', 'hire', '{"full_name":"見学者 乙","kind":"visitor","responsible_person":"B1"}');
SELECT tmac.record_pledge(v, 'visitor', tmac.today(), tmac.today()) FROM unnest(ARRAY['V1', 'V2']) v;
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.record_entry('AREA-E', person_id => 'B1')$q$)$$,
  '42501', 'person "B1" may not enter restricted area "AREA-E"', 'B1, not cleared, is refused at the door of the SECRET area');
-- the same B1 as the escort of a visitor
CREATE TEMP TABLE esc (entry_id bigint, refused text);
CREATE FUNCTION pg_temp.try_entry(q text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO esc VALUES (pg_temp.as_role('t_erin', q)::bigint, NULL);
EXCEPTION WHEN insufficient_privilege THEN
  INSERT INTO esc VALUES (NULL, SQLERRM);
END $$;
SELECT pg_temp.try_entry($q$SELECT tmac.record_entry('AREA-E', person_id => 'V1', escort => 'B1')$q$);
SELECT pg_temp.try_entry($q$SELECT tmac.record_entry('AREA-E', visitor_name => '見学者 乙', visitor_company => 'X社', escort => 'B1')$q$);
-- and a visitor "escorted" by another visitor: nobody of the company is there at all
SELECT pg_temp.try_entry($q$SELECT tmac.record_entry('AREA-E', person_id => 'V1', escort => 'V2')$q$);
SELECT is((SELECT count(*) FROM esc), 3::bigint, 'three entries tried: two with B1 as the escort, one with visitor V2');
-- each must be refused, or (recorded) be a finding
SELECT is((SELECT count(*) FROM esc WHERE refused IS NULL
            AND NOT EXISTS (SELECT 1 FROM tmac.findings f WHERE f.subject = 'area_entry:' || esc.entry_id)), 0::bigint,
  'neither B1 (not cleared) nor visitor V2 enters the SECRET area as an escort unnoticed: refused, or a finding');
SELECT is((SELECT count(*) FROM tmac.area_entry a WHERE a.escort IN ('B1', 'V2')
            AND NOT EXISTS (SELECT 1 FROM tmac.findings f WHERE f.subject = 'area_entry:' || a.entry_id)), 0::bigint,
  'no entry escorted by B1 or V2 stands in the entry log without a finding');
SELECT * FROM finish();
ROLLBACK;
