-- duties_japanese.sql — pgTAP: an act refused because the role is no active person names the act
-- in the session's language.  Every act passes its duty to tmac.acting_role / tmac.acting_person
-- through tmac.msgid, so the catalog extracts it and po/ja translates it (23 acts of the
-- documents, internal audit, login gate, access statistics, restricted area and electronic
-- measure registers passed a bare literal, and a Japanese session read the duty in English).
BEGIN;
SELECT plan(5);
\i test/pgtap/dedupe_helpers.psql

CREATE ROLE duties_nobody IN ROLE tmac_person;
SET LOCAL lc_messages = 'ja_JP.UTF-8';
SET LOCAL ROLE duties_nobody;
SELECT is(pg_temp.error_text($$SELECT tmac.record_document('D-1', '1', 'rule', 'title', '{}', NULL, NULL)$$, '%1$s | %2$s'),
          '42501 | ロール "duties_nobody" は人員に対応付けられていないため、文書を記録することはできません',
          'ja: recording a document names the act in Japanese');
SELECT is(pg_temp.error_text($$SELECT tmac.close_corrective_action(1, 'done and verified')$$, '%1$s | %2$s'),
          '42501 | ロール "duties_nobody" は人員に対応付けられていないため、是正処置を終結することはできません',
          'ja: closing a corrective action names the act in Japanese');
RESET ROLE;
SET LOCAL lc_messages = 'C';
SET LOCAL ROLE duties_nobody;
SELECT is(pg_temp.error_text($$SELECT tmac.record_document('D-1', '1', 'rule', 'title', '{}', NULL, NULL)$$, '%1$s | %2$s'),
          '42501 | role "duties_nobody" is not mapped to a person and cannot record a document',
          'C: the same refusal in English');
RESET ROLE;

SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text)
             FROM pg_catalog.pg_proc p
            WHERE p.pronamespace = 'tmac'::regnamespace AND p.prosrc ~ 'acting_(role|person)\(\s*''' ),
          NULL, 'no function of tmac names its act to acting_role or acting_person as a bare literal');
SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT is((SELECT string_agg(d, ', ' ORDER BY d)
             FROM (SELECT DISTINCT m[1] AS d
                     FROM pg_catalog.pg_proc p,
                          regexp_matches(p.prosrc, 'acting_(?:role|person)\(tmac\.msgid\(''([^'']*)''\)', 'g') m
                    WHERE p.pronamespace = 'tmac'::regnamespace) x
            WHERE tmac.message(d) = d),
          NULL, 'every act named to acting_role or acting_person has its Japanese');

SELECT * FROM finish();
ROLLBACK;
