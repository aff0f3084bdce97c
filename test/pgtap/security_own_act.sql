-- security_own_act.sql — pgTAP: an act of a person is that person's own top-level act.
--
-- The attack: otto (approver t_carol, person C1) gives the first approval of a TOP_SECRET
-- clearance and needs a second approver.  He writes a SECURITY DEFINER function and a trigger
-- that call tmac.approve; when april (approver t_dave, person D1) calls or fires them, tmac
-- would have recorded "D1" as the second approver.  Every such act is refused (42501) inside a
-- SECURITY DEFINER function outside tmac, from a trigger and inside a security-restricted
-- operation; april's own direct approval works, also after the refused attempts.
BEGIN;
SELECT plan(30);
\i test/pgtap/people_fixture.psql

CREATE SCHEMA oat;
GRANT USAGE, CREATE ON SCHEMA oat TO PUBLIC;

-- Reports the SQLSTATE, message and detail of an error a query raises as a role.
\i test/pgtap/dedupe_helpers.psql
CREATE FUNCTION pg_temp.error_of(r name, q text) RETURNS text LANGUAGE sql AS
  $$ SELECT pg_temp.error_text(format('SELECT pg_temp.as_role(%L, %L)', r, q), '%1$s: %2$s / %3$s') $$;

SELECT pg_temp.as_role('t_bob', $$SELECT tmac.request_clearance('A1', 'TOP_SECRET', now() + interval '30 days', 'board project')$$)::bigint AS g \gset
SELECT is(pg_temp.as_role('t_carol', format('SELECT tmac.approve(%s)', :g)), 'pending', 'otto gives the first approval');

-- otto's tools, written as otto
SET ROLE t_carol;
CREATE FUNCTION oat.helper(g bigint) RETURNS text LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $f$ BEGIN RETURN tmac.approve(g); END $f$;
CREATE FUNCTION oat.inner_approve(g bigint) RETURNS text LANGUAGE plpgsql
  AS $f$ BEGIN RETURN tmac.approve(g); END $f$;
CREATE FUNCTION oat.outer_definer(g bigint) RETURNS text LANGUAGE plpgsql SECURITY DEFINER
  AS $f$ BEGIN RETURN oat.inner_approve(g); END $f$;
CREATE FUNCTION oat.quiet(g bigint) RETURNS text LANGUAGE plpgsql SECURITY DEFINER AS
$f$
BEGIN
  RETURN tmac.approve(g);
EXCEPTION WHEN insufficient_privilege THEN
  RETURN 'refused';
END
$f$;
CREATE TABLE oat.lunch (g bigint);
CREATE FUNCTION oat.lunch_order() RETURNS trigger LANGUAGE plpgsql AS
  $f$ BEGIN PERFORM tmac.approve(NEW.g); RETURN NEW; END $f$;
CREATE TRIGGER order_lunch AFTER INSERT ON oat.lunch FOR EACH ROW EXECUTE FUNCTION oat.lunch_order();
GRANT INSERT ON oat.lunch TO t_dave;
CREATE TABLE oat.lunch2 (g bigint);
CREATE FUNCTION oat.lunch_order_definer() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS
  $f$ BEGIN PERFORM tmac.approve(NEW.g); RETURN NEW; END $f$;
CREATE TRIGGER order_lunch BEFORE INSERT ON oat.lunch2 FOR EACH ROW EXECUTE FUNCTION oat.lunch_order_definer();
GRANT INSERT ON oat.lunch2 TO t_dave;
-- an SoD exception approved through otto's function
CREATE FUNCTION oat.excuse() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS $f$ INSERT INTO tmac.sod_exception (rule_id, person_id, justification, approved_by, expires_at)
         VALUES (1, 'E1', 'covering a colleague', '?', now() + interval '1 day') RETURNING exception_id $f$;
RESET ROLE;

-- approvals
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', 'SELECT oat.helper(%s)')$$, :g), '42501',
                 'cannot approve a request inside a SECURITY DEFINER function',
                 'april calling otto''s SECURITY DEFINER function gives no approval');
SELECT matches(pg_temp.error_of('t_dave', format('SELECT oat.helper(%s)', :g)),
               'oat\.helper\(bigint\), which runs as role "t_carol"; an act of role "t_dave" must be that role''s own',
               'the error names the function and both roles');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', 'SELECT oat.outer_definer(%s)')$$, :g), '42501',
                 'cannot approve a request inside a SECURITY DEFINER function',
                 '... nor through an ordinary function it calls');
SELECT is(pg_temp.as_role('t_dave', format('SELECT oat.quiet(%s)', :g)), 'refused',
          'a definer that catches the refusal gets nowhere either');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', 'INSERT INTO oat.lunch VALUES (%s)')$$, :g), '42501',
                 'cannot approve a request from a trigger',
                 'april firing otto''s trigger gives no approval');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', 'INSERT INTO oat.lunch2 VALUES (%s)')$$, :g), '42501',
                 'cannot approve a request inside a SECURITY DEFINER function',
                 '... nor through a SECURITY DEFINER trigger');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_dave', 'CREATE MATERIALIZED VIEW oat.mv AS SELECT tmac.approve(%s)')$$, :g),
                 '42501', 'cannot approve a request inside a security-restricted operation',
                 'nor inside a security-restricted operation (a materialized view)');
SELECT is((SELECT status || ' ' || approved_by::text FROM tmac.grants WHERE grant_id = :g), 'pending {C1}',
          'the clearance is still pending with otto''s approval only');
SELECT is((SELECT count(*)::integer FROM tmac.audit_log WHERE category = 'access_grant' AND subject = :'g' AND action = 'UPDATE'),
          1, 'and the audit log holds only otto''s approval');
SELECT is(pg_temp.as_role('t_dave', format('SELECT tmac.approve(%s)', :g)), 'active',
          'april''s own, direct approval works (nothing leaked from the refused attempts)');
SELECT is((SELECT approved_by FROM tmac.grants WHERE grant_id = :g), ARRAY['C1', 'D1'], 'both approvers are recorded');

-- requests
SET ROLE t_bob;
CREATE FUNCTION oat.ask(p text) RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS $f$ SELECT tmac.request_access(p, 'PRJ-B', now() + interval '9 days', 'via a definer') $f$;
RESET ROLE;
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', 'SELECT oat.ask(''A1'')')$$, '42501',
                 'cannot request access inside a SECURITY DEFINER function',
                 'a request through a SECURITY DEFINER function not of tmac is refused');
SELECT throws_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT oat.ask(''A1'')')$$, '42501',
                 'cannot request access inside a SECURITY DEFINER function',
                 '... even when its owner calls it');
SELECT is((SELECT count(*)::integer FROM tmac.grants WHERE compartment = 'PRJ-B' AND person_id = 'A1'), 0, 'no request was made');
SELECT lives_ok($$SELECT pg_temp.as_role('t_bob', 'SELECT tmac.request_access(''A1'', ''PRJ-B'', now() + interval ''9 days'', ''direct'')')$$,
                'the access admin''s direct request works');

-- revocation and extension
SET ROLE t_erin;
CREATE FUNCTION oat.drop_it(g bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
  AS $f$ SELECT tmac.revoke(g, 'via a definer') $f$;
CREATE FUNCTION oat.stretch(g bigint) RETURNS bigint LANGUAGE sql SECURITY DEFINER
  AS $f$ SELECT tmac.extend(g, now() + interval '90 days') $f$;
RESET ROLE;
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', 'SELECT oat.drop_it(%s)')$$, :g), '42501',
                 'cannot revoke a grant inside a SECURITY DEFINER function', 'a revocation through a definer is refused');
SELECT throws_ok(format($$SELECT pg_temp.as_role('t_bob', 'SELECT oat.stretch(%s)')$$, :g), '42501',
                 'cannot request an extension inside a SECURITY DEFINER function', 'an extension through a definer is refused');

-- the HR feed
CREATE TABLE oat.hr_inbox (person_id text);
CREATE FUNCTION oat.hr_forward() RETURNS trigger LANGUAGE plpgsql AS
$f$
BEGIN
  INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('fwd-' || NEW.person_id, NEW.person_id, 'leave');
  RETURN NEW;
END
$f$;
CREATE TRIGGER forward AFTER INSERT ON oat.hr_inbox FOR EACH ROW EXECUTE FUNCTION oat.hr_forward();
GRANT INSERT ON oat.hr_inbox TO t_hr;
SELECT throws_ok($$SELECT pg_temp.as_role('t_hr', 'INSERT INTO oat.hr_inbox VALUES (''A1'')')$$, '42501',
                 'cannot record an HR event from a trigger', 'a user''s trigger cannot feed an HR event');
SET ROLE t_hr;
CREATE FUNCTION oat.hr_leave(p text) RETURNS void LANGUAGE sql SECURITY DEFINER
  AS $f$ INSERT INTO tmac.hr_event (event_id, person_id, kind) VALUES ('def-' || p, p, 'leave') $f$;
RESET ROLE;
SELECT throws_ok($$SELECT pg_temp.as_role('t_alice', 'SELECT oat.hr_leave(''D1'')')$$, '42501',
                 'cannot record an HR event inside a SECURITY DEFINER function', 'nor a SECURITY DEFINER function of the HR role');
SELECT is((SELECT count(*)::integer FROM tmac.hr_event WHERE event_id IN ('fwd-A1', 'def-D1')), 0, 'no HR event was recorded');
SELECT is((SELECT string_agg(status, ',' ORDER BY person_id) FROM tmac.person WHERE person_id IN ('A1', 'D1')), 'active,active',
          'both persons are still active');

-- SoD exceptions, settings
SELECT throws_ok($$SELECT pg_temp.as_role('t_dave', 'SELECT oat.excuse()')$$, '42501',
                 'cannot approve an SoD exception inside a SECURITY DEFINER function',
                 'an SoD exception through otto''s definer is refused');
SET ROLE t_adm;
CREATE FUNCTION oat.relax() RETURNS void LANGUAGE sql SECURITY DEFINER
  AS $f$ SELECT tmac.configure('require_pledge', 'off') $f$;
RESET ROLE;
SELECT throws_ok($$SELECT pg_temp.as_role('t_adm', 'SELECT oat.relax()')$$, '42501',
                 'cannot change a tmac setting inside a SECURITY DEFINER function', 'a setting changed through a definer is refused');

-- declassification
CREATE TABLE oat.doc (id integer PRIMARY KEY, label tmac.label NOT NULL);
INSERT INTO oat.doc VALUES (1, 'SECRET:PRJ-A'), (2, 'SECRET:PRJ-A');
SELECT tmac.protect('oat.doc') IS NULL AS protected \gset
CREATE TABLE oat.cleanup (id integer);
CREATE FUNCTION oat.cleanup_doc() RETURNS trigger LANGUAGE plpgsql AS
  $f$ BEGIN UPDATE oat.doc SET label = 'INTERNAL' WHERE id = NEW.id; RETURN NEW; END $f$;
CREATE TRIGGER cleanup AFTER INSERT ON oat.cleanup FOR EACH ROW EXECUTE FUNCTION oat.cleanup_doc();
SELECT throws_ok($$INSERT INTO oat.cleanup VALUES (1)$$, '42501', 'cannot declassify a row from a trigger',
                 'a declassification from a trigger is refused');
SELECT lives_ok($$UPDATE oat.doc SET label = 'INTERNAL' WHERE id = 2$$, 'a direct declassification works');
SELECT is((SELECT string_agg(tmac.label_level(label), ',' ORDER BY id) FROM oat.doc), 'SECRET,INTERNAL',
          'only the direct one changed the row');

-- the acts every person may do (tmac_person) are the person's own too: alice's SECURITY DEFINER
-- function reporting an incident, called by bob, is refused; bob's direct report is his
SET ROLE t_alice;
CREATE FUNCTION oat.report_for_me() RETURNS void LANGUAGE sql SECURITY DEFINER
  AS $f$ SELECT tmac.report_incident('outsider', 'reported through alice''s function') $f$;
RESET ROLE;
SELECT alike(pg_temp.error_of('t_bob', 'SELECT oat.report_for_me()'), '42501: %',
            'a person act inside another person''s SECURITY DEFINER function is refused (42501)');
SELECT lives_ok($$SELECT pg_temp.as_role('t_bob', $q$SELECT tmac.report_incident('outsider', 'seen by bob')$q$)$$,
                'the same act made directly is the person''s own');

-- the acting role itself
SELECT is(tmac.acting_role('look'), current_user, 'tmac.acting_role returns the session''s role at top level');

SELECT * FROM finish();
ROLLBACK;
