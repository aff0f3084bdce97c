-- redteam_check_owner.sql — pgTAP: a tmac_admin registers only checks it could run itself.
--
-- A registered check runs as its function's owner.  register_check accepted any function of
-- the right shape, whoever owned it, so a tmac_admin could register another role's function
-- (one it may not even execute) and read through tmac.findings what that role can read: the
-- check runner became a way to run any role's code as that role.  Registering now needs
-- membership of the function's owner (tmac's own check functions excepted: they run as the
-- reader of the findings).
BEGIN;
SELECT plan(4);
CREATE ROLE t_rc_adm LOGIN IN ROLE tmac_admin;
CREATE ROLE t_rc_alice LOGIN;
CREATE SCHEMA rc_alice AUTHORIZATION t_rc_alice;
GRANT USAGE ON SCHEMA rc_alice TO PUBLIC;
SET ROLE t_rc_alice;
CREATE TABLE rc_alice.diary (entry text);
INSERT INTO rc_alice.diary VALUES ('the merger is off');
CREATE FUNCTION rc_alice.my_notes() RETURNS TABLE (subject text, detail text, detected_at timestamptz)
  LANGUAGE sql AS $$ SELECT 'diary', entry, NULL::timestamptz FROM rc_alice.diary $$;
REVOKE EXECUTE ON FUNCTION rc_alice.my_notes() FROM PUBLIC;
RESET ROLE;

SET ROLE t_rc_adm;
SELECT throws_ok($$SELECT tmac.register_check('rc_steal', 'I-4', 'low', 'Steal', 'Reads Alice''s diary.', 'None.', 'rc_alice.my_notes()')$$,
                 '42501', NULL, 'a tmac_admin cannot register a check function owned by a role it is not a member of');
SELECT is((SELECT count(*) FROM tmac.findings WHERE detail = 'the merger is off'), 0::bigint,
          'so the findings never show what that role reads');
RESET ROLE;
SELECT lives_ok($$SELECT tmac.register_check('rc_mine', 'I-4', 'low', 'Alice', 'Alice''s own check.', 'None.', 'rc_alice.my_notes()')$$,
                'a role that is a member of the owner (here a superuser) may register it');
SET ROLE t_rc_adm;
SELECT lives_ok($$SELECT tmac.register_check('rc_own', 'I-4', 'low', 'Own', 'Own.', 'None.', 'tmac.check_label_column_unprotected()')$$,
                'tmac''s own check functions may be registered by a tmac_admin');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
