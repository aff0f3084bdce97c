-- vocabulary_lookup.sql — pgTAP: the one vocabulary lookup (tmac.vocabulary_id), its one folding
-- rule (ASCII letters only, whatever the collation), group ids on persons and grants, and the one
-- wording of the prerequisite checks.
BEGIN;
SELECT plan(27);
\i test/pgtap/people_fixture.psql
SELECT group_id AS dev FROM tmac.org_group WHERE code = 'DEV' \gset

-- 1. One lookup for every kind, by code, name or alias, ASCII case and surrounding spaces ignored.
SELECT is(tmac.vocabulary_id('level', 'secret'), 30, 'a level by its code, any ASCII case');
SELECT is(tmac.vocabulary_id('level', ' 対外秘 '), 20, 'a level by its alias, surrounding spaces ignored');
SELECT is(tmac.vocabulary_id('compartment', 'prj-a'), (SELECT compartment_id FROM tmac.compartment WHERE code = 'PRJ-A'),
          'a compartment by its code');
SELECT is(tmac.vocabulary_id('group', '開発部'), :dev, 'a group by its name');
SELECT throws_ok($$SELECT tmac.vocabulary_id('level', 'NOPE')$$, '42704', 'unknown level "NOPE"', 'an unknown level is 42704');
SELECT throws_ok($$SELECT tmac.vocabulary_id('compartment', 'NOPE')$$, '42704', 'unknown compartment "NOPE"',
                 'an unknown compartment is 42704');
SELECT throws_ok($$SELECT tmac.vocabulary_id('group', 'NOPE')$$, '42704', 'unknown organisation group "NOPE"',
                 'an unknown group is 42704');
SELECT is(tmac.vocabulary_id('group', 'NOPE', true), NULL, 'missing_ok: NULL for an unknown spelling');
SELECT is(tmac.vocabulary_id('group', NULL), NULL, 'a NULL spelling is NULL');
SELECT throws_ok($$SELECT tmac.vocabulary_id('colour', 'RED')$$, '22023', 'unknown vocabulary kind "colour"',
                 'an unknown kind is 22023');

-- 2. The folding rule: ASCII a-z only; Japanese, full-width, İ/ı and ß exactly as written.
SELECT is(tmac.vocabulary_fold('Straße ｄｅｖ İiı'), 'STRAßE ｄｅｖ İIı', 'only ASCII letters are folded');
SELECT lives_ok($$SELECT tmac.define_group('FW-UPPER', 'ＤＥＶ部'), tmac.define_group('FW-LOWER', 'ｄｅｖ部')$$,
                'full-width ＤＥＶ部 and ｄｅｖ部 are two spellings (upper() would call them one)');
SELECT is(tmac.vocabulary_id('group', 'ｄｅｖ部'), (SELECT group_id FROM tmac.org_group WHERE code = 'FW-LOWER'),
          'ｄｅｖ部 names its own group');
SELECT is(tmac.label_groups('SECRET::ＤＥＶ部'::tmac.label), ARRAY['FW-UPPER'],
          'label input resolves ＤＥＶ部 to the same group as the SQL lookup');
SELECT lives_ok($$SELECT tmac.define_compartment('SS-1', 'Straße'), tmac.define_compartment('SS-2', 'STRASSE')$$,
                'Straße and STRASSE are two spellings');
SELECT is(tmac.vocabulary_id('compartment', 'STRAßE'), (SELECT compartment_id FROM tmac.compartment WHERE code = 'SS-1'),
          'STRAßE folds to Straße''s spelling (ASCII letters only)');
SELECT throws_ok($$SELECT tmac.define_group('dev', 'dev lower')$$, '42710', NULL,
                 'a code that differs from another only in ASCII case is refused');
SELECT throws_ok($$SELECT tmac.define_group('DEV-X', 'sales')$$, '42710', NULL,
                 'a name that folds to another entry''s spelling is refused');

-- 3. Persons and grants store group ids: a rename changes no person or grant row.
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '30 days', 'x')$$) AS gid \gset
SELECT is((SELECT org_group_id FROM tmac.person WHERE person_id = 'A1'), :dev, 'the person stores the group id');
SELECT is((SELECT bound_org_group_id FROM tmac.access_grant WHERE grant_id = :gid), :dev, 'the grant binds the group id');
SELECT max(entry_id) AS before_rename FROM tmac.audit_log \gset
SELECT tmac.rename_group('DEV', 'R-AND-D');
SELECT is((SELECT count(*)::int FROM tmac.audit_log WHERE entry_id > :before_rename AND category IN ('person', 'access_grant')),
          0, 'renaming a group rewrites no person and no grant');
SELECT hasnt_function('tmac', 'org_group_follow_rename', 'no rename rewrite is left');
SELECT is((SELECT status FROM tmac.grants WHERE grant_id = :gid), 'active', 'the grant stays active after the rename');
INSERT INTO tmac.hr_event (event_id, person_id, kind, attributes) VALUES ('vl-tr', 'D1', 'transfer', '{"org_group":"r-and-d"}');
SELECT is((SELECT org_group_id FROM tmac.person WHERE person_id = 'D1'), :dev, 'the HR feed resolves the new code to the id');

-- 4. One wording of the prerequisite checks: the decision's (src/decision.c).
SELECT is((SELECT string_agg(reason, '; ' ORDER BY prerequisite) FROM tmac.access_prerequisites('A1')),
          (SELECT string_agg(reason, '; ' ORDER BY "check") FROM tmac.explain_access('A1', 'PUBLIC')
            WHERE "check" IN ('active', 'pledge', 'training')),
          'access_prerequisites words active, pledge and training as explain_access does');
SELECT is(tmac.decision_reason('pledge', false), 'no valid pledge (誓約書) is on file', 'the failing pledge wording');
SELECT throws_ok($$SELECT tmac.decision_reason('clearance', true)$$, '22023', NULL,
                 'only active, pledge and training have a fixed wording');
SELECT * FROM finish();
ROLLBACK;
