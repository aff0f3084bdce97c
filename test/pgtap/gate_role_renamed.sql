-- gate_role_renamed.sql — pgTAP: the login gate follows the role, not its name.
--
-- A role with CREATEROLE renames a terminated person's login role and turns LOGIN back on.
-- tmac recorded the role's OID when the HR feed mapped it (tmac.person.login_role_oid), so
-- the gate's recomputation (tmac.login_gate_wanted, as tmac.login_gate_sync runs it) still
-- refuses the role under its new name, terminated_login_enabled names it, and the finding
-- gated_role_renamed appears; renaming it back clears that finding; a rehire maps the person
-- again by name.  (test/scripts/gate_login_gate.sh makes the real connections.)
BEGIN;
SELECT plan(15);
\i test/pgtap/people_fixture.psql
CREATE FUNCTION pg_temp.n(code text, subj text DEFAULT NULL) RETURNS bigint LANGUAGE sql AS
  $$SELECT count(*) FROM tmac.findings f WHERE f.check_code = code AND (subj IS NULL OR f.subject = subj)$$;
CREATE FUNCTION pg_temp.gate(r name) RETURNS text LANGUAGE sql AS
  $$SELECT string_agg(DISTINCT w.reason, ',') FROM tmac.login_gate_wanted('{}', '{}', true, '{}') w
     WHERE w.role_oid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = r)$$;

SELECT is((SELECT login_role_oid FROM tmac.person WHERE person_id = 'A1'), 't_alice'::regrole::oid,
          'the HR feed records the OID of the login role it maps');
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('gr-1', 'A1', 'terminate');
SELECT is(pg_temp.gate('t_alice'), 'terminated', 'the terminated person''s role is gated');
SELECT is(pg_temp.n('gated_role_renamed'), 0::bigint, 'no gated_role_renamed finding while the name is unchanged');

-- the attack: rename, LOGIN back on
ALTER ROLE t_alice RENAME TO t_alias;
ALTER ROLE t_alias LOGIN;
SELECT is(pg_temp.gate('t_alias'), 'terminated', 'the renamed role is still gated (by the recorded OID)');
SELECT is(tmac.login_gate_sync(), 1, 'login_gate_sync counts it among the roles it refuses');
SELECT is(pg_temp.n('terminated_login_enabled', 'person:A1'), 1::bigint, 'terminated_login_enabled still sees the renamed role');
SELECT ok((SELECT detail FROM tmac.findings WHERE check_code = 'terminated_login_enabled' AND subject = 'person:A1')
            LIKE '%t_alias (renamed from t_alice)%ALTER ROLE t_alias NOLOGIN%',
          'and names it by its new name, with the command that closes it');
SELECT is(pg_temp.n('gated_role_renamed', 'person:A1'), 1::bigint, 'finding gated_role_renamed for the person');
SELECT ok((SELECT criterion = 'II' AND severity = 'high'
                  AND detail LIKE '%t_alice (OID %) has been renamed to t_alias%ALTER ROLE t_alias RENAME TO t_alice%'
             FROM tmac.findings WHERE check_code = 'gated_role_renamed'),
          'it is II, high, and says how to undo the rename');
SELECT is(pg_temp.as_role('t_aud', $$SELECT count(*) FROM tmac.check_gated_role_renamed()$$), '1',
          'an auditor runs the check');

-- a role squatting the old name is gated too
CREATE ROLE t_alice LOGIN;
SELECT is(pg_temp.gate('t_alice'), 'terminated', 'a new role under the old name is gated as well');
DROP ROLE t_alice;

-- fixed: renamed back
ALTER ROLE t_alias RENAME TO t_alice;
SELECT is(pg_temp.n('gated_role_renamed'), 0::bigint, 'renamed back: the finding is cleared');

-- HR reopens the person: mapped again by name, the role renamed meanwhile is no longer theirs
ALTER ROLE t_alice RENAME TO t_alias;
INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('gr-2', 'A1', 'rehire');
SELECT is((SELECT login_role_oid FROM tmac.person WHERE person_id = 'A1'), NULL::oid,
          'a rehire maps the person again by name (no role is called t_alice now)');
SELECT is(pg_temp.gate('t_alias'), NULL, 'and the renamed role is no longer gated: HR reopened the person');

-- a row loaded with another cluster's OID (a restored dump) is mapped by name
CREATE ROLE t_restored;
INSERT INTO tmac.person (person_id, full_name, login_role, login_role_oid) VALUES ('R1', 'Restored', 't_restored', 4000000000);
SELECT is((SELECT login_role_oid FROM tmac.person WHERE person_id = 'R1'), 't_restored'::regrole::oid,
          'a person loaded with a foreign OID (a restore) is mapped again by name');

SELECT * FROM finish();
ROLLBACK;
