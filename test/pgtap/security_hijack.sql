-- security_hijack.sql — pgTAP: tmac's owner-context queries cannot be hijacked through the
-- caller's search_path, and tmac's internal settings cannot be set by ordinary roles.
BEGIN;
SELECT plan(6);
CREATE ROLE t_mallory LOGIN;
CREATE SCHEMA mallory AUTHORIZATION t_mallory;
CREATE TABLE mallory.seen (who name);
ALTER TABLE mallory.seen OWNER TO t_mallory;
GRANT USAGE ON SCHEMA mallory TO PUBLIC;
GRANT INSERT ON mallory.seen TO PUBLIC;
SET ROLE t_mallory;
-- An operator matching "oid = regnamespace" exactly, and one for name = name, that record who runs them.
CREATE FUNCTION mallory.spy_oid(oid, regnamespace) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO mallory.seen VALUES (current_user); RETURN $1 = $2::oid; END$$;
CREATE FUNCTION mallory.spy_name(name, name) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO mallory.seen VALUES (current_user); RETURN $1::text = $2::text; END$$;
CREATE OPERATOR mallory.= (LEFTARG = oid, RIGHTARG = regnamespace, FUNCTION = mallory.spy_oid);
CREATE OPERATOR mallory.= (LEFTARG = name, RIGHTARG = name, FUNCTION = mallory.spy_name);
SET search_path = mallory, pg_catalog, public, tmac;
SELECT ok('x'::name = 'x'::name, 'the hostile operator is reachable on this search_path');
SELECT lives_ok($$SELECT tmac.can_read('PUBLIC')$$, 'an access decision runs with a hostile search_path');
RESET search_path;
RESET ROLE;
SELECT is((SELECT count(*)::int FROM mallory.seen WHERE who <> 't_mallory'), 0,
          'no operator from the caller''s search_path ran as another role (the extension owner)');
SELECT ok((SELECT count(*) FROM mallory.seen WHERE who = 't_mallory') > 0, 'and it did run, as its owner''s caller');
SET ROLE t_mallory;
SELECT throws_ok($$SET tmac.audit_state = '1:999999:00'$$, '42501', NULL,
                 'an ordinary role cannot set the audit chain''s running end');
SELECT throws_ok($$SET tmac.restore = on$$, '42501', NULL,
                 'an ordinary role cannot turn on restore mode');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
