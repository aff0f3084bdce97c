-- attack25_holder_uncleared.sql — pgTAP: who may open a cabinet holding SECRET information.
-- Lending its key to a person who may not read what it holds is refused (tmac.lend_key), and a
-- loan recorded otherwise is the finding key_loan_without_access.  But a standing holder — a
-- person given the key for good, or told the combination (tmac.add_holder), or made the
-- cabinet's custodian (tmac.set_custodian) — is checked for nothing but leaving: B1, not cleared
-- for anything, becomes holder and custodian of a combination cabinet holding a SECRET drawing,
-- and of a SECRET area, with no refusal and no finding about access.
BEGIN;
SELECT plan(4);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.secret_drawing('X-H', '試作品図面', 'DEV');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_container('CAB-H', '図面キャビネット', '開発部', 'combination', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.store_asset('CAB-H', 'X-H')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_key('K-H', 'container', 'CAB-H', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_area('AREA-H', '試作室', '本社2F', 'key', 'C1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('AREA-H', 'SECRET')$$);
-- the reference: lending the key to B1 is refused
SELECT throws_ok($$SELECT pg_temp.as_role('t_erin', $q$SELECT tmac.lend_key('K-H', 'B1', now() + interval '1 hour')$q$)$$,
  '42501', NULL, 'lending the key of the SECRET cabinet to B1 is refused');
CREATE TEMP TABLE tries (what text, refused boolean);
CREATE FUNCTION pg_temp.try(what text, q text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_temp.as_role('t_adm', q);
  INSERT INTO tries VALUES (what, false);
EXCEPTION WHEN insufficient_privilege THEN
  INSERT INTO tries VALUES (what, true);
END $$;
SELECT pg_temp.try('holder of CAB-H', $q$SELECT tmac.add_holder('container', 'CAB-H', 'B1')$q$);
SELECT pg_temp.try('custodian of CAB-H', $q$SELECT tmac.set_custodian('container', 'CAB-H', 'B1')$q$);
SELECT pg_temp.try('holder of AREA-H', $q$SELECT tmac.add_holder('area', 'AREA-H', 'B1')$q$);
-- each must be refused, or be found
SELECT ok((SELECT refused FROM tries WHERE what = 'holder of CAB-H')
          OR EXISTS (SELECT 1 FROM tmac.findings WHERE check_code <> 'combination_stale'
                       AND (subject LIKE '%CAB-H%' OR detail LIKE '%CAB-H%') AND detail LIKE '%B1%'),
  'B1 (not cleared) holding the combination of the SECRET cabinet is refused or a finding');
SELECT ok((SELECT refused FROM tries WHERE what = 'custodian of CAB-H')
          OR EXISTS (SELECT 1 FROM tmac.findings WHERE check_code <> 'combination_stale'
                       AND (subject LIKE '%CAB-H%' OR detail LIKE '%CAB-H%') AND detail LIKE '%B1%'),
  'B1 (not cleared) as custodian of the SECRET cabinet is refused or a finding');
SELECT ok((SELECT refused FROM tries WHERE what = 'holder of AREA-H')
          OR EXISTS (SELECT 1 FROM tmac.findings WHERE (subject LIKE '%AREA-H%' OR detail LIKE '%AREA-H%') AND detail LIKE '%B1%'),
  'B1 (not cleared) holding the key of the SECRET area is refused or a finding');
SELECT * FROM finish();
ROLLBACK;
