-- security_uncommitted.sql — pgTAP: a change to governance data never widens the changer's
-- reads before it is committed and audited.  A tmac_admin who moves a group or switches a
-- prerequisite off, reads, and rolls back must see nothing more than before: once a role that
-- is not a superuser has changed governance data, decisions in statements it runs use the
-- committed state (src/profile_cache.c, rule 6) — also for the view owners it reads through.
BEGIN;
SELECT plan(7);
\i test/pgtap/people_fixture.psql
\i test/pgtap/alice_view.psql

SELECT is(pg_temp.as_role('t_adm', 'SELECT array_agg(id ORDER BY id) FROM alice_view'), '{1,2}',
          'through Alice''s view the admin sees what Alice may: PUBLIC and DEV rows');

-- A settings change marks the admin's transaction the same way: from then on the admin's
-- statements decide with the committed state only (here: without Alice's clearance, which
-- this test transaction granted and has not committed).
SET ROLE t_adm;
SELECT tmac.configure('require_pledge', 'off');
SELECT is((SELECT array_agg(id ORDER BY id) FROM alice_view), '{1}',
          'after configure() the admin''s reads use the committed state only');
SELECT is(tmac.can_read('PUBLIC'), true, 'the admin''s own decisions still work');
RESET ROLE;
SELECT is(pg_temp.as_role('t_alice', 'SELECT array_agg(id ORDER BY id) FROM alice_doc'), '{1,2}',
          'Alice, who changed nothing, sees the transaction''s own state');
-- The attack: widen, read, roll back.
SET ROLE t_adm;
SELECT tmac.move_group('SALES', 'DEV');
SELECT ok(NOT 3 = ANY (SELECT id FROM alice_view),
          'after moving SALES under DEV in the same transaction, the admin does not see the SALES row');
SELECT is(tmac.label_groups('CONFIDENTIAL::SALES'), ARRAY['SALES'], '(the label itself is unchanged)');
RESET ROLE;
SELECT is(pg_temp.as_role('t_alice', 'SELECT array_agg(id ORDER BY id) FROM alice_doc'), '{1,2,3}',
          'a role that did not make the change sees the transaction''s own state (Alice, now reaching SALES)');
SELECT * FROM finish();
ROLLBACK;
