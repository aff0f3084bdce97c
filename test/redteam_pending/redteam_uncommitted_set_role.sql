-- redteam_uncommitted_set_role.sql — pgTAP (pending: needs the C fix in src/profile_cache.c,
-- committed_state_only()).  Rule 6 tracks governance writers by outer user and applies the
-- committed state only while the outer user is a writer or a role a writer can become.  A
-- tmac_admin login that writes after SET ROLE tmac_admin and reads after RESET ROLE (or after
-- SET ROLE to any other role it is a member of) is neither, so it sees its uncommitted change.
-- Fix: also record the writer's session user (GetSessionUserId(), which only a superuser can
-- change); when it is not a superuser, every decision of that session uses the committed state
-- until the transaction ends, whatever role it has set since.
BEGIN;
SELECT plan(3);
\i test/pgtap/people_fixture.psql
CREATE ROLE t_grp;                       -- some other group role the admin belongs to
GRANT t_grp TO t_adm;
CREATE TABLE rts_doc (id integer, label tmac.label NOT NULL);
INSERT INTO rts_doc VALUES (1, 'PUBLIC'), (2, 'CONFIDENTIAL::DEV'), (3, 'CONFIDENTIAL::SALES');
SELECT tmac.protect('rts_doc');
CREATE VIEW rts_alice_view AS SELECT id, label FROM rts_doc;   -- decides as Alice (DEV)
ALTER VIEW rts_alice_view OWNER TO t_alice;
GRANT SELECT ON rts_doc TO t_alice;
GRANT SELECT ON rts_alice_view TO t_adm, t_grp;
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'CONFIDENTIAL', now() + interval '30 days', 'work')$$);
-- The admin's own session (session user t_adm, not a superuser); results via psql variables.
SET SESSION AUTHORIZATION t_adm;
SET ROLE tmac_admin;
SELECT tmac.move_group('SALES', 'DEV');
RESET ROLE;
SELECT NOT 3 = ANY (coalesce((SELECT array_agg(id) FROM rts_alice_view), '{}')) AS r_login \gset
SET ROLE t_grp;
SELECT NOT 3 = ANY (coalesce((SELECT array_agg(id) FROM rts_alice_view), '{}')) AS r_grp \gset
RESET SESSION AUTHORIZATION;
SELECT ok(:'r_login', 'written as tmac_admin, read after RESET ROLE as the login: SALES stays hidden');
SELECT ok(:'r_grp', 'nor after SET ROLE to another role the login belongs to');
RESET ROLE;
SELECT is(pg_temp.as_role('t_alice', 'SELECT array_agg(id ORDER BY id) FROM rts_doc'), '{1,2,3}',
          '(a role that did not make the change sees the transaction''s own state)');
SELECT * FROM finish();
ROLLBACK;
