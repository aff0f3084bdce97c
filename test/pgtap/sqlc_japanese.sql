-- sqlc_japanese.sql — pgTAP: the compliance views speak the reader's language (lc_messages):
-- a finding's title, detail and remedy, a criterion's title and its status reason, the check
-- registry, and the errors of the compliance functions are Japanese under ja_JP.UTF-8 and English
-- under C, with the same SQLSTATE; the catalog's Japanese criterion titles are the seed's
-- (tmac.criterion.title_ja); no finding, title or remedy of a built-in check is left in English.
BEGIN;
SELECT plan(22);

-- a superuser-like role that is not registered as privileged: finding privileged_role_unregistered
CREATE ROLE sqlc_bypass BYPASSRLS;
-- an error's SQLSTATE, message and hint, as the session sees them
\i test/pgtap/dedupe_helpers.psql
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE sql AS $$ SELECT pg_temp.error_text(q, '%1$s | %2$s | %4$s') $$;

SET LOCAL lc_messages = 'ja_JP.UTF-8';
SELECT is((SELECT title FROM tmac.findings WHERE check_code = 'privileged_role_unregistered' AND subject = 'role:sqlc_bypass'),
          'スーパーユーザーまたは BYPASSRLS を持つロールが特権ロールとして登録されていない',
          'ja: the finding''s title in Japanese');
SELECT is((SELECT detail FROM tmac.findings WHERE check_code = 'privileged_role_unregistered' AND subject = 'role:sqlc_bypass'),
          'ロール sqlc_bypass は BYPASSRLS を持ちますが、特権ロールとして登録されていないため、保護対象のすべての行を参照できます。属性を外す（ALTER ROLE sqlc_bypass NOBYPASSRLS）か、tmac.register_privileged_role で理由を記録してください。',
          'ja: its detail in Japanese, with its values');
SELECT is((SELECT remedy FROM tmac.findings WHERE check_code = 'privileged_role_unregistered' AND subject = 'role:sqlc_bypass'),
          (SELECT remedy FROM tmac.compliance_checks WHERE check_code = 'privileged_role_unregistered'),
          'ja: its remedy is the registry''s');
SELECT ok((SELECT remedy FROM tmac.findings WHERE check_code = 'privileged_role_unregistered' AND subject = 'role:sqlc_bypass') ~ '[ぁ-ん]',
          'ja: and in Japanese');
SELECT is((SELECT title FROM tmac.compliance_status WHERE criterion = 'V'),
          '管理対象情報が電子情報である場合のアクセスの制限等', 'ja: compliance_status names the criterion in Japanese');
SELECT is((SELECT count(*) FROM tmac.compliance_status WHERE title IS DISTINCT FROM title_ja), 0::bigint,
          'ja: every criterion''s title is the seed''s Japanese (tmac.criterion.title_ja)');
SELECT is((SELECT measure FROM tmac.compliance_status WHERE criterion = 'II'), '⑦ 人的アクセス制限',
          'ja: the seed''s measure in its Japanese words');
SELECT is((SELECT count(*) FROM tmac.population_counts() WHERE title IS DISTINCT FROM title_ja), 0::bigint,
          'ja: every population''s title is its Japanese (tmac.compliance_population.title_ja)');
SELECT ok((SELECT reason FROM tmac.compliance_status WHERE criterion = 'V') ~ '[ぁ-ん]',
          'ja: the status reason in Japanese');
SELECT is((SELECT count(*) FROM tmac.compliance_checks WHERE builtin AND NOT (title || description || remedy) ~ '[ぁ-んァ-ヶ一-龯]'),
          0::bigint, 'ja: every built-in check''s title, description and remedy in Japanese');
SELECT is((SELECT count(*) FROM tmac.findings f JOIN tmac.compliance_check k USING (check_code)
            WHERE k.builtin AND NOT f.detail ~ '[ぁ-んァ-ヶ一-龯]'), 0::bigint,
          'ja: no finding''s detail left in English');
SELECT throws_ok($$SELECT tmac.set_check_enabled('sqlc_no_such_check', false)$$, '42704',
                 'コンプライアンスチェック "sqlc_no_such_check" はありません', 'ja: an error of the compliance functions in Japanese');
SELECT is(pg_temp.err($$SELECT tmac.login_gate_acknowledge('sqlc_nobody', 'looked into it')$$),
          '42704 | このデータベースにはロール "sqlc_nobody" の拒否されたログインはありません | 一覧は tmac.login_gate_refusals() で確認できます。',
          'ja: an error with its hint in Japanese');

SET LOCAL lc_messages = 'C';
SELECT is((SELECT title FROM tmac.findings WHERE check_code = 'privileged_role_unregistered' AND subject = 'role:sqlc_bypass'),
          'Superuser or BYPASSRLS role not registered as privileged', 'C: the title in English');
SELECT is((SELECT detail FROM tmac.findings WHERE check_code = 'privileged_role_unregistered' AND subject = 'role:sqlc_bypass'),
          'Role sqlc_bypass is BYPASSRLS but not registered as privileged; it sees every protected row. Remove the attribute (ALTER ROLE sqlc_bypass NOBYPASSRLS) or record why with tmac.register_privileged_role.',
          'C: the detail in English');
SELECT is((SELECT remedy FROM tmac.findings WHERE check_code = 'privileged_role_unregistered' AND subject = 'role:sqlc_bypass'),
          (SELECT remedy FROM tmac.compliance_check WHERE check_code = 'privileged_role_unregistered'), 'C: the remedy as registered');
SELECT is((SELECT title FROM tmac.compliance_status WHERE criterion = 'V'),
          'Access restriction for electronic information', 'C: the criterion in English');
SELECT is((SELECT measure FROM tmac.compliance_status WHERE criterion = 'II'), '⑦ Restricting human access',
          'C: the measure in English');
SELECT is((SELECT count(*) FROM tmac.population_counts() WHERE title IS DISTINCT FROM title_en), 0::bigint,
          'C: every population''s title is its English');
SELECT is((SELECT count(*) FROM tmac.compliance_status WHERE title IS DISTINCT FROM title_en), 0::bigint,
          'C: every criterion''s title is its English (tmac.criterion.title_en)');
SELECT throws_ok($$SELECT tmac.set_check_enabled('sqlc_no_such_check', false)$$, '42704',
                 'no compliance check "sqlc_no_such_check"', 'C: the same error in English, the same SQLSTATE');
SELECT is(pg_temp.err($$SELECT tmac.login_gate_acknowledge('sqlc_nobody', 'looked into it')$$),
          '42704 | no refused logins of role "sqlc_nobody" in this database | tmac.login_gate_refusals() lists them.',
          'C: the same error and hint in English');
SELECT * FROM finish();
ROLLBACK;
