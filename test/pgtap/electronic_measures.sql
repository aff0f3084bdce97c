-- electronic_measures.sql — pgTAP: ⑨ the electronic measures register (V).  While important
-- information is held electronically, each measure the seed lists without a declaration is the
-- finding electronic_measure_missing (naming the highest level held); a declaration (in place, or
-- not applicable with the reason), by a person who checked it, clears it; a declaration not
-- checked again within electronic_measure_review is electronic_measure_review_overdue, which a
-- re-check clears.  Bad input is refused with its SQLSTATE; the auditor reads and cannot declare.
BEGIN;
SELECT plan(21);
SET LOCAL search_path = public, tmac;
\i test/pgtap/people_fixture.psql
CREATE FUNCTION pg_temp.open(code text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT count(*) FROM tmac.check_electronic_measures() f WHERE f.check_code = code $$;

SELECT is(pg_temp.open('electronic_measure_missing'), 0::bigint,
          'no important information held electronically: no measure is demanded');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.register_asset('E-001', '設計データ', '技術', 'electronic', label => 'SECRET', manager => 'C1')$$);
SELECT is(pg_temp.open('electronic_measure_missing'), (SELECT count(*) FROM tmac.electronic_measure_kind),
          'an electronic asset: every measure of the seed without a declaration is a finding');
SELECT ok((SELECT detail FROM tmac.check_electronic_measures() WHERE subject = 'electronic_measure:firewall') LIKE '%up to SECRET%',
          'the finding names the highest level held electronically');
SELECT ok((SELECT count(*) FROM tmac.electronic_measure_kind) >= 17
          AND EXISTS (SELECT 1 FROM tmac.electronic_measure_kind WHERE name_ja = 'ファイアウォールの導入'),
          'the seed''s measures are listed in its own words');

-- declare one in place, one not applicable
SELECT isnt(pg_temp.as_role('t_adm', $$SELECT tmac.declare_electronic_measure('firewall', 'UTM at the office boundary, deny by default',
              'C1', 'Rules reviewed; only 443 and VPN open', evidence_uri => 'https://intra.example/fw-2026.pdf',
              evidence_sha256 => repeat('ab', 32))$$), NULL, 'a firewall declared in place');
SELECT lives_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.declare_electronic_measure(''external_storage_trust'',
              ''No cloud service or data centre holds our information'', ''C1'', ''Asked IT and checked the contract list'',
              status => ''not_applicable'')')$$, 'a measure declared not applicable, with the reason');
SELECT is(pg_temp.open('electronic_measure_missing'), (SELECT count(*) FROM tmac.electronic_measure_kind) - 2,
          'each declaration clears its finding');
SELECT is((SELECT status FROM tmac.electronic_measures WHERE measure = 'external_storage_trust'), 'not_applicable',
          'the register shows what is declared, and how');
SELECT ok((SELECT database_evidence FROM tmac.electronic_measures WHERE measure = 'log_retention') LIKE '%audit log%',
          'tmac''s own database evidence is listed beside the declarations');

-- overdue, then re-checked
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.declare_electronic_measure('backup', 'Nightly backup to the NAS, weekly offsite',
         'C1', 'Restore test of the file server passed', checked_at => now() - interval '13 months')$$);
SELECT is((SELECT subject FROM tmac.check_electronic_measures() WHERE check_code = 'electronic_measure_review_overdue'),
          'electronic_measure:backup', 'a declaration checked 13 months ago is overdue (electronic_measure_review: 1 year)');
SELECT pg_temp.as_role('t_adm', $$SELECT tmac.recheck_electronic_measure('backup', 'E1', 'Restore test of the DB server passed')$$);
SELECT is(pg_temp.open('electronic_measure_review_overdue'), 0::bigint, 'a re-check clears it');
SELECT is((SELECT checked_by || ':' || description FROM tmac.electronic_measures WHERE measure = 'backup'),
          'E1:Nightly backup to the NAS, weekly offsite', 'the re-check keeps what is in place and names the new checker');
SELECT is((SELECT count(*) FROM tmac.electronic_measure WHERE measure = 'backup' AND superseded_by IS NOT NULL), 1::bigint,
          'the earlier declaration is kept, superseded');
SELECT tmac.configure('electronic_measure_review', '1 month');
SELECT is(pg_temp.open('electronic_measure_review_overdue'), 0::bigint, 'the review interval is a setting');

-- bad input
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.declare_electronic_measure(''moat'', ''a moat around the office'', ''C1'', ''it is full of water'')')$$,
                 '22023', 'unknown electronic measure "moat"', 'an unknown measure is refused (the hint lists them)');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.declare_electronic_measure(''firewall'', ''UTM at the boundary'', ''t_adm'', ''seen it myself'')')$$,
                 '23503', NULL, 'who checked is a person, not a role');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.declare_electronic_measure(''firewall'', ''UTM at the boundary'', ''C1'', ''rules reviewed'', evidence_sha256 => ''abc'')')$$,
                 '22023', 'evidence_sha256 must be 64 hexadecimal digits', 'a malformed SHA-256 is refused');
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.declare_electronic_measure(''firewall'', ''UTM at the boundary'', ''C1'', ''rules reviewed'', status => ''maybe'')')$$,
                 '22023', NULL, 'a bad status is refused');

SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT tmac.declare_electronic_measure(''moat'', ''a moat around the office'', ''C1'', ''it is full of water'')')$$,
                 '22023', '電子的対策 "moat" はありません', 'in Japanese with lc_messages = ja_JP.UTF-8, the same SQLSTATE');
SET LOCAL lc_messages = 'C';

-- privileges: the auditor reads, cannot declare
SELECT is(pg_temp.as_role('t_aud', 'SELECT count(*) FROM tmac.electronic_measures'),
          (SELECT count(*)::text FROM tmac.electronic_measure_kind), 'the auditor reads the register');
SELECT throws_ok($$SELECT pg_temp.as_role('t_aud', 'SELECT tmac.declare_electronic_measure(''firewall'', ''UTM at the boundary'', ''C1'', ''rules reviewed'')')$$,
                 '42501', NULL, 'the auditor cannot declare');

SELECT * FROM finish();
ROLLBACK;
