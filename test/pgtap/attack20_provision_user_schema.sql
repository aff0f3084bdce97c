-- attack20_provision_user_schema.sql — pgTAP: tmac.provision_logins() must not create a login role
-- whose "$user" schema someone else planted.  The new role's name is predictable (the lower-cased
-- person id HR sent), and PostgreSQL's default search_path is "$user", public: a schema of that
-- name, created beforehand by any role with CREATE on the database and opened to PUBLIC, comes
-- first in every session of the new login.  Its owner's functions (e9101.lower(varchar) beats
-- pg_catalog.lower(text) for a varchar), tables and operators then run and are read in the
-- person's sessions, as the person: the person's tmac acts are someone else's to make.
-- provision_logins refuses an existing role of the name, but not an existing schema of the name.
BEGIN;
SELECT plan(2);
\i test/pgtap/people_fixture.psql
CREATE ROLE t_a20_owner LOGIN;                 -- a table owner with CREATE on the database
SELECT format('GRANT CREATE ON DATABASE %I TO t_a20_owner', current_database()) \gexec
SET ROLE t_a20_owner;
CREATE SCHEMA e9101;                            -- the schema a future login e9101 will search first
GRANT USAGE ON SCHEMA e9101 TO PUBLIC;
CREATE FUNCTION e9101.lower(varchar) RETURNS text LANGUAGE sql AS $$ SELECT 'hijacked' $$;
RESET ROLE;
INSERT INTO tmac.hr_event (event_id, person_id, kind, effective_at, attributes) VALUES
  ('a20-pv-1', 'E9101', 'hire', now() - interval '1 hour', '{"full_name":"Nine"}');

SET ROLE t_adm;
SELECT lives_ok($$SELECT * FROM tmac.provision_logins(ARRAY['E9101'])$$, 'provision_logins runs');
RESET ROLE;
-- (fixed either way: no such login is created, or the schema is the role's own, or the role's
-- own search_path setting leaves "$user" out)
SELECT is((SELECT count(*) FROM pg_catalog.pg_roles r JOIN pg_catalog.pg_namespace n ON n.nspname = r.rolname
            WHERE r.rolname = 'e9101' AND r.rolcanlogin AND n.nspowner <> r.oid
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s, unnest(s.setconfig) c
                               WHERE s.setrole = r.oid AND c LIKE 'search\_path=%' AND c NOT LIKE '%$user%')),
          0::bigint,
          'no login role is provisioned whose "$user" schema another role owns (e9101, planted by t_a20_owner)');

SELECT * FROM finish();
ROLLBACK;
