-- facility_access_check.sql — pgTAP: who can open a container or restricted area must be able to
-- read what it holds (attack25): tmac.add_holder and tmac.set_custodian refuse a person who may
-- not, and the check facility_holder_without_access (III, high) finds holders and custodians made
-- before, or left above their access when an asset is stored or an area's label raised; ending
-- the holding, handing the custody over or granting the access clears it.
BEGIN;
SELECT plan(12);
\i test/pgtap/people_fixture.psql
-- E1 cleared SECRET: the custodian of everything here.  B1: no clearance.
SELECT pg_temp.granted($$SELECT tmac.request_clearance('E1', 'SECRET', now() + interval '30 days', 'custody')$$);
SELECT pg_temp.secret_drawing('X-F', '試作品図面', 'DEV');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_container('CAB-F', '図面キャビネット', '開発部', 'combination', 'E1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_area('AREA-F', '試作室', '本社2F', 'key', 'E1')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.define_key('K-F', 'area', 'AREA-F', 'E1')$$);
CREATE TEMP VIEW found AS
  SELECT subject, detail FROM tmac.findings WHERE check_code = 'facility_holder_without_access';
GRANT SELECT ON found TO PUBLIC;

SELECT results_eq($$SELECT criterion, severity FROM tmac.compliance_check WHERE check_code = 'facility_holder_without_access'$$,
                  $$VALUES ('III'::text, 'high'::text)$$, 'the check is registered under III, high');
-- 1. Empty cabinet, unlabelled area: B1 may hold them.
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.add_holder('container', 'CAB-F', 'B1')$$)::bigint AS h_cab \gset
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.add_holder('area', 'AREA-F', 'B1')$$)::bigint AS h_area \gset
SELECT is((SELECT count(*) FROM found), 0::bigint, 'nothing held yet: no finding');
-- 2. A SECRET drawing goes into the cabinet, the area is labelled SECRET: B1 now opens both.
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.store_asset('CAB-F', 'X-F')$$);
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('AREA-F', 'SECRET')$$);
SELECT set_eq($$SELECT subject FROM found$$, ARRAY['holder:' || :h_cab, 'holder:' || :h_area],
              'B1 holding the cabinet and the area above their access: one finding each');
SELECT ok((SELECT bool_and(detail LIKE 'B1 holds the key or combination of % and may not read what it holds: %tmac.end_holder%') FROM found),
          'the detail names the holder, what they cannot read and the remedy');
SELECT is((SELECT count(*) FROM found WHERE subject LIKE '%custodian'), 0::bigint, 'E1, cleared SECRET, is a custodian in order');
-- 3. Live refusals: a new holder, a new custodian of the cabinet, the area or the area's key.
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.add_holder('container', 'CAB-F', 'D1')$q$)$$, '42501',
                 'person "D1" may not access what container "CAB-F" holds', 'add_holder refuses D1 (not cleared)');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.set_custodian('area', 'AREA-F', 'D1')$q$)$$, '42501',
                 'person "D1" may not access what area "AREA-F" holds', 'set_custodian refuses D1 for the area');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', $q$SELECT tmac.set_custodian('key', 'K-F', 'D1')$q$)$$, '42501',
                 'person "D1" may not access what key "K-F" holds', 'and for the key of the area');
-- 4. Fixes: the cabinet's holding ends; B1 is cleared for the area.
SELECT pg_temp.as_role('t_adm', format('SELECT tmac.end_holder(%s)', :h_cab));
SELECT set_eq($$SELECT subject FROM found$$, ARRAY['holder:' || :h_area], 'the ended holding is no longer a finding');
SELECT pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)',
  pg_temp.as_role('t_erin', $$SELECT tmac.request_clearance('B1', 'SECRET', now() + interval '30 days', 'lab work')$$)));
SELECT is((SELECT count(*) FROM found), 0::bigint, 'B1 cleared SECRET: the area''s holding is in order');
-- 5. A custodian left above their access: the area becomes TOP_SECRET.
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.set_area_label('AREA-F', 'TOP_SECRET')$$);
SELECT set_eq($$SELECT subject FROM found$$, ARRAY['holder:' || :h_area, 'area:AREA-F:custodian', 'key:K-F:custodian'],
              'raising the area to TOP_SECRET leaves its holder, its custodian and its key''s custodian above their access');
SELECT is((SELECT count(*) FROM found WHERE subject LIKE '%:custodian' AND detail LIKE 'E1, the custodian of %tmac.set_custodian%'), 2::bigint,
          'the custodians'' findings name E1 and the remedy');
SELECT * FROM finish();
ROLLBACK;
