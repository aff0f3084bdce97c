-- catalog_stored_texts.sql — pgTAP: the texts tmac stores and shows later (setting descriptions,
-- check titles, descriptions and remedies) are in the message catalog: with lc_messages =
-- 'ja_JP.UTF-8' each reads in Japanese (message_catalog.sh cannot see a stored text that was never
-- marked tmac.msgid; this test sees every row), with 'C' in English.
BEGIN;
SELECT plan(4);
SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT is(ARRAY(SELECT d.key FROM tmac.setting_default d
                 WHERE tmac.message(d.description) = d.description ORDER BY 1), '{}'::text[],
          'every setting''s description has its Japanese');
SELECT is(ARRAY(SELECT s.key FROM tmac.settings s JOIN tmac.setting_default d USING (key)
                 WHERE s.description = d.description ORDER BY 1), '{}'::text[],
          'tmac.settings shows them in Japanese');
SELECT is(ARRAY(SELECT c.check_code FROM tmac.compliance_check c
                 WHERE c.builtin AND (tmac.message(c.title) = c.title OR tmac.message(c.description) = c.description
                                      OR tmac.message(c.remedy) = c.remedy) ORDER BY 1), '{}'::text[],
          'every built-in check''s title, description and remedy has its Japanese');
SET LOCAL lc_messages = 'C';
SELECT is(ARRAY(SELECT s.key FROM tmac.settings s JOIN tmac.setting_default d USING (key)
                 WHERE s.description <> d.description ORDER BY 1), '{}'::text[],
          'with lc_messages = C, tmac.settings shows them in English');
SELECT * FROM finish();
ROLLBACK;
