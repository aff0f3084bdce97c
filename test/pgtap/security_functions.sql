-- security_functions.sql — pgTAP: tmac's SQL and PL/pgSQL functions run the same code whoever
-- calls them, and nothing state-changing is open to PUBLIC.
--
-- First the attack of the review: an ordinary role with CREATE on a schema in everyone's
-- search_path plants functions and an operator that are better matches than pg_catalog's
-- polymorphic ones (cardinality(text[]) beats cardinality(anyarray)); a superuser or an auditor
-- then reads tmac's ledger, grants, findings and access profiles.  None of the planted code may
-- run.  Then the class, enumerated from pg_proc so that a new function cannot slip through:
-- every SQL/PL/pgSQL function pins search_path = pg_catalog, pg_temp (pg_temp last) except a
-- written allowlist; every SECURITY DEFINER function pins it; what PUBLIC may execute is an
-- explicit list of read-only functions; no relation grants a write privilege to PUBLIC; a
-- SECURITY INVOKER function granted to a tmac role only calls tmac functions that role may
-- execute; IMMUTABLE functions are PARALLEL SAFE and label indexes can
-- deduplicate.
BEGIN;
SELECT plan(36);
\i test/pgtap/people_fixture.psql
SELECT pg_temp.granted($$SELECT tmac.request_access('A1', 'PRJ-A', now() + interval '90 days', 'design')$$) AS ga \gset
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '90 days', 'design')$$) AS gc \gset

-- 1. The attack.  t_mallory may create in public (the default before PostgreSQL 15).
CREATE ROLE t_mallory LOGIN;
CREATE SCHEMA mallory_log;
CREATE TABLE mallory_log.seen (who name, what text);
GRANT USAGE ON SCHEMA mallory_log TO PUBLIC;
GRANT INSERT ON mallory_log.seen TO PUBLIC;
GRANT CREATE ON SCHEMA public TO t_mallory;
SET ROLE t_mallory;
CREATE FUNCTION public.cardinality(text[]) RETURNS integer LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO mallory_log.seen VALUES (current_user, 'cardinality(text[])');
          IF current_setting('is_superuser') = 'on' THEN EXECUTE 'ALTER ROLE t_mallory SUPERUSER'; END IF;
          RETURN pg_catalog.cardinality($1); END$$;
CREATE FUNCTION public.upper(tstzrange) RETURNS timestamptz LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO mallory_log.seen VALUES (current_user, 'upper(tstzrange)'); RETURN pg_catalog.upper($1); END$$;
CREATE FUNCTION public.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO mallory_log.seen VALUES (current_user, 'unnest(text[])'); RETURN QUERY SELECT pg_catalog.unnest($1); END$$;
CREATE FUNCTION public.array_remove(text[], text) RETURNS text[] LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO mallory_log.seen VALUES (current_user, 'array_remove(text[], text)'); RETURN pg_catalog.array_remove($1, $2); END$$;
CREATE FUNCTION public.spy_contains(tstzrange, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO mallory_log.seen VALUES (current_user, '@>(tstzrange, timestamptz)'); RETURN $1 OPERATOR(pg_catalog.@>) $2; END$$;
CREATE OPERATOR public.@> (LEFTARG = tstzrange, RIGHTARG = timestamptz, FUNCTION = public.spy_contains);
RESET ROLE;
SET LOCAL search_path = public, tmac;
SELECT is(pg_temp.as_role('t_alice', $$SELECT cardinality(ARRAY['x'])$$), '1', 'a plain query on this search_path …');
SELECT is((SELECT string_agg(who || ' ran ' || what, '; ') FROM mallory_log.seen), 't_alice ran cardinality(text[])',
          '… calls the planted cardinality(text[]), as the review found');
DELETE FROM mallory_log.seen;

-- the superuser and an auditor read tmac's views and functions with that search_path
SELECT count(*) FROM tmac.access_rights_ledger;
SELECT count(*) FROM tmac.access_rights_ledger_as_of(now() - interval '1 minute');
SELECT count(*) FROM tmac.grants;
SELECT count(*) FROM tmac.access_as_of('A1', now());
SELECT count(*) FROM tmac.access_prerequisites('A1');
SELECT count(*) FROM tmac.access_profile_of('A1', now());
SELECT count(*) FROM tmac.access_profile('t_alice', now());
SELECT count(*) FROM tmac.person_state_at('A1', now());
SELECT count(*) FROM tmac.pledge_window('A1', now(), NULL);
SELECT count(*) FROM tmac.training_window('A1', now());
SELECT count(*) FROM tmac.findings;
SELECT count(*) FROM tmac.sod_violations();
SELECT count(*) FROM tmac.verify_audit_log();
SET ROLE t_aud;
SELECT count(*) FROM tmac.access_rights_ledger;
SELECT count(*) FROM tmac.grants;
SELECT count(*) FROM tmac.findings;
RESET ROLE;
-- the unpinned SQL-standard helpers, called directly
SELECT tmac.grant_lapse(tstzrange(now(), now() + interval '1 day'), NULL);
SELECT count(*) FROM tmac.access_grant g WHERE tmac.grant_self_or_underapproved(g);
SELECT tmac.audit_entry_text(1, now(), 'x', 'c', 'a', 's', '{}');
SELECT is((SELECT string_agg(DISTINCT who || ' ran ' || what, '; ') FROM mallory_log.seen), NULL,
          'no planted function or operator ran when the superuser or an auditor read tmac');
SELECT ok(NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 't_mallory'), 'so the planter did not become superuser');
RESET search_path;

-- 2. The class, from pg_proc.  Names are printed schema-qualified.
SET LOCAL search_path = pg_catalog;
-- The rule: a function either pins search_path, or has a SQL-standard body (RETURN … or
-- BEGIN ATOMIC) and is not SECURITY DEFINER.  A SQL-standard body is parsed once, when tmac is
-- installed, and stored as a parse tree in which every function, operator and type is bound by
-- OID: the caller's search_path plays no part when it runs, and the planner can still inline it
-- on hot paths (day_start in every access-profile fetch, grant_lapse for
-- every row of tmac.grants, the ledger), where SET search_path would forbid inlining and cost a
-- GUC save and restore per call.  Names such bodies take as text at run time (a text cast to
-- regclass, say) would still be looked up on the caller's path: none of tmac's does that.
CREATE TEMP TABLE fn AS
  SELECT p.oid, p.oid::regprocedure::text AS name, l.lanname, p.prosecdef, p.provolatile, p.proparallel,
         p.prokind, p.prosqlbody IS NOT NULL AS sql_standard_body,
         coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false) AS pinned,
         pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec,
         CASE WHEN p.prokind IN ('f', 'p') THEN pg_catalog.pg_get_functiondef(p.oid) END AS def
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
   WHERE p.pronamespace = 'tmac'::pg_catalog.regnamespace;
RESET search_path;

SELECT is(ARRAY(SELECT f.name FROM fn f
                 WHERE f.lanname IN ('sql', 'plpgsql') AND NOT f.pinned
                   AND NOT (f.lanname = 'sql' AND f.sql_standard_body AND NOT f.prosecdef) ORDER BY 1),
          '{}'::text[],
          'every SQL and PL/pgSQL function of schema tmac has SET search_path = pg_catalog, pg_temp (pg_temp last) or a SQL-standard body');
-- Pinned although SQL-standard, because what they compute depends on the path at run time:
-- PostgreSQL deparses expressions and definitions (pg_get_expr, pg_get_functiondef) with names
-- qualified only when their schema is not on the path, and to_regproc looks a name up on it.
CREATE TEMP TABLE pinned_on_purpose (fn regprocedure PRIMARY KEY, reason text NOT NULL);
INSERT INTO pinned_on_purpose VALUES
  ('tmac.protection_in_place(regclass, name)', 'compares pg_get_expr() of the policies with tmac''s qualified expressions'),
  ('tmac.function_fingerprint(regproc)', 'hashes pg_get_functiondef(), whose type names depend on the path'),
  ('tmac.registered_check_problems()', 'resolves registered function names with to_regproc()');
SELECT is(ARRAY(SELECT f.name FROM fn f
                 WHERE f.lanname = 'sql' AND f.sql_standard_body AND NOT f.prosecdef AND f.pinned
                   AND f.oid NOT IN (SELECT p.fn FROM pinned_on_purpose p) ORDER BY 1),
          '{}'::text[],
          'no SQL-standard body is pinned needlessly (a pinned SQL function is never inlined), but those that deparse or look up names');
SELECT is(ARRAY(SELECT f.name FROM fn f WHERE f.prosecdef AND NOT f.pinned ORDER BY 1), '{}'::text[],
          'every SECURITY DEFINER function of schema tmac pins search_path');
-- … and shows its queries to no caller: a session's debug_print_* (and PL/pgSQL's
-- print_strict_params) would print the definer's parse trees, plans and parameters — the rows it
-- looked up — to the client (test/scripts/security_quiet_definers.sh is the attack).
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
                 WHERE p.pronamespace = 'tmac'::pg_catalog.regnamespace AND p.prosecdef
                   AND NOT coalesce(p.proconfig @> ARRAY['debug_print_parse=off', 'debug_print_rewritten=off',
                                                        'debug_print_plan=off', 'plpgsql.print_strict_params=off'], false)
                 ORDER BY 1), '{}'::text[],
          'every SECURITY DEFINER function of schema tmac pins debug_print_parse/_rewritten/_plan and print_strict_params off');

-- What PUBLIC may execute: reading labels and asking about one's own access, nothing else.
CREATE TEMP TABLE public_allowlist (fn regprocedure PRIMARY KEY);
INSERT INTO public_allowlist VALUES
  -- the label type: I/O, ordering, hashing, dominance, the lattice, accessors, marking
  ('tmac.label_in(cstring)'), ('tmac.label_out(tmac.label)'), ('tmac.label_recv(internal)'), ('tmac.label_send(tmac.label)'),
  ('tmac.label_cmp(tmac.label, tmac.label)'), ('tmac.label_eq(tmac.label, tmac.label)'), ('tmac.label_ne(tmac.label, tmac.label)'),
  ('tmac.label_lt(tmac.label, tmac.label)'), ('tmac.label_le(tmac.label, tmac.label)'), ('tmac.label_gt(tmac.label, tmac.label)'),
  ('tmac.label_ge(tmac.label, tmac.label)'), ('tmac.label_hash(tmac.label)'), ('tmac.label_hash_extended(tmac.label, bigint)'),
  ('tmac.dominates(tmac.label, tmac.label)'), ('tmac.dominated_by(tmac.label, tmac.label)'),
  ('tmac.lub(tmac.label, tmac.label)'), ('tmac.glb(tmac.label, tmac.label)'), ('tmac.lub(tmac.label)'),
  ('tmac.label_level(tmac.label)'), ('tmac.label_rank(tmac.label)'), ('tmac.label_compartments(tmac.label)'),
  ('tmac.label_groups(tmac.label)'), ('tmac.marking(tmac.label)'),
  -- the policies' checks and their names for people (every reader of a protected table runs them)
  ('tmac.row_readable(tmac.label)'), ('tmac.row_writable(tmac.label)'), ('tmac.can_read(tmac.label)'), ('tmac.can_write(tmac.label)'),
  -- the policies' index bound (the acting person's own level), evaluated as the reading role
  ('tmac.readable_upper_bound()'),
  -- one's own access decision explained (others' only for the administrative roles, checked inside)
  ('tmac.explain_access(text, tmac.label)'),
  -- pure validators (CHECK constraints of the vocabulary; the null-argument check of every API function)
  ('tmac.valid_code(text)'), ('tmac.valid_name(text)'), ('tmac.require_arguments(text, text[])'), ('tmac.require_found(boolean, text, text, text)'),
  -- the vocabulary lookup and its folding rule (the vocabulary tables are readable by all)
  ('tmac.vocabulary_id(text, text, boolean)'), ('tmac.vocabulary_fold(text)'),
  -- the fixed wording of the active, pledge and training checks
  ('tmac.decision_reason(text, boolean)'),
  -- state of the session, read by column defaults and triggers that run as the writing role
  ('tmac.invoker()'), ('tmac.restoring()'), ('tmac.hr_feed_applying()'),
  -- computed per row of tmac.grants, by everyone who may read it
  ('tmac.grant_lapse(tstzrange, timestamptz)'),
  -- the message catalog: a message in the session's language, a stored text marked for it
  ('tmac.message(text)'), ('tmac.message(text, "any")'), ('tmac.msgid(text)'),
  -- a moment in the company's time zone (the zone is no secret)
  ('tmac.company_time_zone()'), ('tmac.company_time(timestamptz)'),
  -- enumerated values: their folding rule, code and name in the session's language (shipped vocabulary)
  ('tmac.enum_fold(text)'), ('tmac.enum_in_japanese()'), ('tmac.enum_code(text, text)'),
  ('tmac.enum_name(text, text)'), ('tmac.enum_ja(text, text)');
-- Acts of any person (seed ④ record what one handles, ⑥ report a leak sign): executable by
-- tmac_person, which tmac.enrol_login grants to each enrolled login, never by PUBLIC.  Each is
-- SECURITY DEFINER and begins by asking tmac.acting_person(), which refuses (42501) every role
-- that is not the login of an active person.
CREATE TEMP TABLE person_acts (fn regprocedure PRIMARY KEY);
INSERT INTO person_acts VALUES
  ('tmac.record_handling(text, text, text, text, text[], text, text, text, timestamptz, text, timestamptz)'),
  ('tmac.return_handling(bigint, text)'), ('tmac.confirm_return(bigint, text)'),
  ('tmac.report_incident(text, text, timestamptz, text, text[], text, text, text)'), ('tmac.confirm_discovery(bigint)');
SELECT is(ARRAY(SELECT f.name FROM fn f WHERE f.public_exec AND f.oid NOT IN (SELECT a.fn FROM public_allowlist a) ORDER BY 1),
          '{}'::text[], 'PUBLIC may execute no tmac function outside the read-only allowlist (the person acts neither)');
SELECT is(ARRAY(SELECT a.fn::text FROM person_acts a WHERE NOT pg_catalog.has_function_privilege('tmac_person', a.fn, 'EXECUTE') ORDER BY 1),
          '{}'::text[], 'tmac_person executes every person act');
SELECT is(ARRAY(SELECT a.fn::text FROM public_allowlist a JOIN fn f ON f.oid = a.fn WHERE NOT f.public_exec ORDER BY 1),
          '{}'::text[], 'and everything on the allowlist is executable by PUBLIC (it is needed: the allowlist is not stale)');
SELECT is(ARRAY(SELECT f.name FROM fn f WHERE f.public_exec AND f.provolatile = 'v' ORDER BY 1), '{}'::text[],
          'no function PUBLIC may execute is VOLATILE');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM person_acts a JOIN pg_catalog.pg_proc p ON p.oid = a.fn
                 WHERE NOT p.prosecdef OR p.prosrc !~ '^\s*DECLARE\s+me text := tmac\.acting_person\(' ORDER BY 1),
          '{}'::text[], 'every person act is SECURITY DEFINER and first asks tmac.acting_person()');
CREATE FUNCTION pg_temp.person_acts_open_to(r name) RETURNS text[] LANGUAGE plpgsql AS
$$
DECLARE
  a record;
  open text[] := '{}';
BEGIN
  FOR a IN SELECT p.oid::regprocedure::text AS sig, p.oid::regproc::text AS name, p.pronargs
             FROM person_acts x JOIN pg_catalog.pg_proc p ON p.oid = x.fn LOOP
    BEGIN
      EXECUTE format('SET LOCAL ROLE %I', r);
      EXECUTE format('SELECT %s(%s)', a.name, array_to_string(array_fill('NULL'::text, ARRAY[a.pronargs]), ', '));
      open := open || a.sig;
    EXCEPTION WHEN insufficient_privilege THEN
      NULL;
    END;
    RESET ROLE;
  END LOOP;
  RETURN open;
END
$$;
SELECT is(pg_temp.person_acts_open_to('t_mallory'), '{}'::text[],
          'a role that is no person''s login is refused every person act (42501)');
CREATE ROLE t_enrolled LOGIN;
SELECT tmac.enrol_login('t_enrolled');
SELECT ok(pg_catalog.pg_has_role('t_enrolled', 'tmac_person', 'MEMBER'), 'tmac.enrol_login grants tmac_person');
SELECT is(pg_temp.person_acts_open_to('t_enrolled'), '{}'::text[],
          'an enrolled login that no active person has is still refused every person act (tmac.acting_person)');
SELECT tmac.withdraw_login('t_enrolled');
SELECT ok(NOT pg_catalog.pg_has_role('t_enrolled', 'tmac_person', 'MEMBER'), 'tmac.withdraw_login revokes tmac_person');
SELECT is(ARRAY(SELECT c.oid::regclass::text || ': ' || x.priv
                  FROM pg_catalog.pg_class c
                 CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) x(priv)
                 WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                   AND CASE WHEN x.priv IN ('INSERT', 'UPDATE', 'REFERENCES')
                            THEN pg_catalog.has_any_column_privilege('public', c.oid, x.priv)
                            ELSE pg_catalog.has_table_privilege('public', c.oid, x.priv) END
                UNION ALL
                SELECT c.oid::regclass::text || ': ' || x.priv
                  FROM pg_catalog.pg_class c CROSS JOIN (VALUES ('USAGE'), ('UPDATE')) x(priv)
                 WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind = 'S'
                   AND pg_catalog.has_sequence_privilege('public', c.oid, x.priv)
                 ORDER BY 1),
          '{}'::text[], 'no table, view or sequence of schema tmac grants a write privilege to PUBLIC');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c
                 WHERE c.relnamespace = 'tmac'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                   AND pg_catalog.has_any_column_privilege('public', c.oid, 'SELECT') ORDER BY 1),
          ARRAY['compartment', 'enum_kind', 'enum_value', 'level', 'object_label', 'org_group', 'protected_table', 'vocabulary_token'],
          'PUBLIC reads only the vocabulary (enumerated values too), the object labels and the list of protected tables');
SELECT ok(NOT pg_catalog.has_schema_privilege('public', 'tmac', 'CREATE'), 'PUBLIC cannot create objects in schema tmac');

-- A SECURITY INVOKER function granted to a tmac role calls tmac functions as that role: each one
-- it names must be executable by every role that may call it (protect() as a
-- non-superuser tmac_admin failed on require_arguments).
SET LOCAL search_path = pg_catalog;
CREATE TEMP TABLE invoker_call AS
  SELECT DISTINCT r.rolname, f.name AS caller, m[1] AS callee
    FROM fn f
    CROSS JOIN (VALUES ('tmac_admin'), ('tmac_access_admin'), ('tmac_approver'), ('tmac_hr'), ('tmac_auditor'),
                       ('tmac_declassifier')) r(rolname)
    CROSS JOIN LATERAL pg_catalog.regexp_matches(f.def, '(?<!'')tmac\.([a-z_0-9]+)\s*\(', 'g') m   -- not a quoted 'tmac.f()'::regprocedure
   WHERE f.lanname IN ('sql', 'plpgsql') AND NOT f.prosecdef AND f.prokind = 'f'
     AND pg_catalog.pg_get_function_result(f.oid) <> 'trigger'
     AND pg_catalog.has_function_privilege(r.rolname, f.oid, 'EXECUTE')
     AND EXISTS (SELECT 1 FROM pg_catalog.pg_proc q WHERE q.pronamespace = 'tmac'::regnamespace AND q.proname = m[1]);
RESET search_path;
SELECT ok((SELECT count(*) FROM invoker_call WHERE caller LIKE 'tmac.protect(%' AND callee = 'require_arguments') > 0,
          'the scan sees what protect() calls');
SELECT is(ARRAY(SELECT i.rolname || ' calls ' || i.caller || ' → tmac.' || i.callee FROM invoker_call i
                 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc q
                                    WHERE q.pronamespace = 'tmac'::regnamespace AND q.proname = i.callee
                                      AND pg_catalog.has_function_privilege(i.rolname, q.oid, 'EXECUTE'))
                 ORDER BY 1),
          '{}'::text[], 'every tmac function a SECURITY INVOKER function calls is executable by the roles that may call it');

-- 3. The behaviour behind that: a non-superuser tmac_admin protects and unprotects its own table,
-- and one owned by a role it belongs to; an approver grants an SoD exception; an auditor and an
-- access administrator read a person's prerequisites.
CREATE SCHEMA adm_s AUTHORIZATION t_adm;
CREATE ROLE t_app_owner;
GRANT t_app_owner TO t_adm;
GRANT CREATE, USAGE ON SCHEMA adm_s TO t_app_owner;
SET ROLE t_adm;
CREATE TABLE adm_s.doc (id integer PRIMARY KEY, label tmac.label NOT NULL);
CREATE TABLE adm_s.app (id integer PRIMARY KEY, label tmac.label NOT NULL);
ALTER TABLE adm_s.app OWNER TO t_app_owner;
SELECT lives_ok($$SELECT tmac.protect('adm_s.doc')$$, 'a non-superuser tmac_admin protects a table it owns');
SELECT lives_ok($$SELECT tmac.protect('adm_s.app')$$, 'and one owned by a role it is a member of');
RESET ROLE;
SELECT is((SELECT array_agg(polname::text ORDER BY polname) FROM pg_catalog.pg_policy WHERE polrelid = 'adm_s.doc'::regclass),
          ARRAY['tmac_base', 'tmac_delete', 'tmac_insert', 'tmac_read', 'tmac_update'], 'with tmac''s five policies');
SELECT ok(EXISTS (SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = 'adm_s.doc'::regclass AND tgname = 'zz_tmac_declassify'),
          'and the declassification guard');
SET ROLE t_adm;
SELECT lives_ok($$SELECT tmac.unprotect('adm_s.doc'), tmac.unprotect('adm_s.app')$$, 'and unprotects them');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM tmac.protected_table WHERE relid IN ('adm_s.doc'::regclass, 'adm_s.app'::regclass)), 0,
          'they are no longer protected');
SELECT is(pg_temp.as_role('t_carol', $$SELECT tmac.grant_sod_exception(1, 'A1', 'covering a holiday', now() + interval '1 day') > 0$$),
          'true', 'a non-superuser approver grants an SoD exception');
SELECT is(pg_temp.as_role('t_aud', $$SELECT string_agg(prerequisite || '=' || passed, ' ') FROM tmac.access_prerequisites('A1')$$),
          'active=true pledge=true training=true', 'an auditor reads a person''s prerequisites');
SELECT is(pg_temp.as_role('t_bob', $$SELECT count(*) FROM tmac.access_prerequisites('A1')$$), '3',
          'and so does an access administrator');

-- 4. Parallel plans and deduplication.
SELECT is(ARRAY(SELECT f.name FROM fn f WHERE f.provolatile = 'i' AND f.proparallel <> 's' ORDER BY 1), '{}'::text[],
          'every IMMUTABLE function of schema tmac is PARALLEL SAFE');
SELECT is(ARRAY(SELECT f.name FROM fn f
                 WHERE f.name IN ('tmac.vocabulary_id(text,text,boolean)', 'tmac.vocabulary_fold(text)',
                                  'tmac.person_of_role(name)', 'tmac.setting_value(text)', 'tmac.setting_on(text)',
                                  'tmac.setting_lookup(text)', 'tmac.day_start(date)', 'tmac.restoring()',
                                  'tmac.compliance_requirements_met(text[])')
                   AND f.proparallel <> 's' ORDER BY 1), '{}'::text[],
          'the read-only lookup helpers are PARALLEL SAFE');
SELECT is((SELECT p.amproc::text FROM pg_catalog.pg_amproc p
             JOIN pg_catalog.pg_opclass c ON c.opcfamily = p.amprocfamily
            WHERE c.opcname = 'label_btree_ops' AND c.opcnamespace = 'tmac'::regnamespace AND p.amprocnum = 4),
          'btequalimage', 'the btree operator family of tmac.label has an equalimage function (4): btequalimage');
CREATE EXTENSION pageinspect;
CREATE EXTENSION amcheck;
CREATE TABLE dedup_t (label tmac.label NOT NULL);
INSERT INTO dedup_t SELECT CASE WHEN i % 3 = 0 THEN 'SECRET:PRJ-A:DEV' WHEN i % 3 = 1 THEN 'INTERNAL' ELSE 'CONFIDENTIAL:PRJ-A,PRJ-B' END::tmac.label
  FROM generate_series(1, 3000) i;
CREATE INDEX dedup_t_label ON dedup_t (label);
SELECT ok((SELECT allequalimage FROM bt_metap('dedup_t_label')), 'so an index on a label column deduplicates (allequalimage)');
SELECT lives_ok($$SELECT bt_index_check('dedup_t_label', true)$$, 'and the deduplicated index verifies (amcheck, heapallindexed)');

SELECT * FROM finish();
ROLLBACK;
