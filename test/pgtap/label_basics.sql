-- label_basics.sql — pgTAP: the label type's core behaviour.
BEGIN;
SELECT plan(4);
SELECT has_type('tmac', 'label', 'tmac.label exists');
SELECT is('CONFIDENTIAL'::tmac.label::text, 'CONFIDENTIAL', 'canonical output');
SELECT is('対外秘'::tmac.label, 'CONFIDENTIAL'::tmac.label, 'an alias reads as its level');
SELECT throws_ok($$SELECT 'NOPE'::tmac.label$$, '42704', NULL, 'unknown level is 42704');
SELECT * FROM finish();
ROLLBACK;
