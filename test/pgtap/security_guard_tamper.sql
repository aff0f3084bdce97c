-- security_guard_tamper.sql — pgTAP: the declassification guard counts as in place only when it
-- fires on every update of the label.  Found by the insider review of issue 17: the owner of a
-- protected table (an ordinary role) set the guard to fire only in replica mode (ENABLE REPLICA
-- TRIGGER), or a tmac_admin owner recreated it WHEN (false); either way the guard never fired,
-- any writer lowered labels with no audit entry, and tmac.protection_in_place() — and so the
-- critical finding protected_table_unenforced — still said "in place".  And what no catalog
-- state shows: the owner switching the guard off for one transaction, or a BEFORE trigger of the
-- owner's rewriting NEW.label, lowers nothing either, because the write-down rule (the
-- transaction read the row at SECRET; information_flow.c) refuses the lower row whatever the
-- guard does; a declassifier's write-down is the declassifier's own act, never done through a
-- SECURITY DEFINER function someone else calls.
BEGIN;
SELECT plan(15);
\i test/pgtap/people_fixture.psql
CREATE ROLE t_own;
CREATE TABLE public.memo (id int PRIMARY KEY, title text, label tmac.label NOT NULL);
INSERT INTO public.memo VALUES (1, 'plan', 'SECRET');
SELECT tmac.protect('public.memo');
ALTER TABLE public.memo OWNER TO t_own;
CREATE FUNCTION pg_temp.unenforced() RETURNS bigint LANGUAGE sql AS
  $$ SELECT count(*) FROM tmac.findings WHERE check_code = 'protected_table_unenforced' AND subject = 'table:public.memo' $$;

SELECT ok(tmac.protection_in_place('public.memo', 'label'), 'as protect() left it, the protection is in place');
SELECT is(pg_temp.unenforced(), 0::bigint, '… and no finding');

-- 1. the owner sets the guard to fire in replica mode only
SET LOCAL ROLE t_own;
ALTER TABLE public.memo ENABLE REPLICA TRIGGER zz_tmac_declassify;
RESET ROLE;
SELECT ok(NOT tmac.protection_in_place('public.memo', 'label'), 'a guard enabled for replica mode only is not in place');
SELECT is(pg_temp.unenforced(), 1::bigint, '… and protected_table_unenforced reports the table');

-- ENABLE ALWAYS fires in every session: still in place
SET LOCAL ROLE t_own;
ALTER TABLE public.memo ENABLE ALWAYS TRIGGER zz_tmac_declassify;
RESET ROLE;
SELECT ok(tmac.protection_in_place('public.memo', 'label'), 'a guard enabled ALWAYS is in place');

-- 2. the guard recreated with a WHEN condition (a tmac_admin owner may execute the guard function)
DROP TRIGGER zz_tmac_declassify ON public.memo;
CREATE TRIGGER zz_tmac_declassify BEFORE UPDATE OF label ON public.memo FOR EACH ROW
  WHEN (false) EXECUTE FUNCTION tmac.declassify_guard('label');
SELECT ok(NOT tmac.protection_in_place('public.memo', 'label'), 'a guard recreated WHEN (false) is not in place');
SELECT is(pg_temp.unenforced(), 1::bigint, '… and protected_table_unenforced reports the table');

-- as protect() creates it again
DROP TRIGGER zz_tmac_declassify ON public.memo;
CREATE TRIGGER zz_tmac_declassify BEFORE UPDATE OF label ON public.memo FOR EACH ROW
  EXECUTE FUNCTION tmac.declassify_guard('label');
SELECT is(pg_temp.unenforced(), 0::bigint, 'recreated as protect() makes it, the finding clears');

-- 3. what the catalog cannot show: the write-down rule holds the label
SELECT pg_temp.granted($$SELECT tmac.request_clearance('A1', 'SECRET', now() + interval '30 days', 'guard')$$);
GRANT SELECT, UPDATE ON public.memo TO t_alice;
SAVEPOINT transient;
SET LOCAL ROLE t_own;
ALTER TABLE public.memo DISABLE TRIGGER zz_tmac_declassify;
SET LOCAL ROLE t_alice;
SELECT throws_ok($$UPDATE public.memo SET label = 'PUBLIC' WHERE id = 1$$, '42501', NULL,
                 'with the guard switched off for one transaction, lowering the label is still refused (write-down)');
ROLLBACK TO transient;
RESET ROLE;
CREATE FUNCTION public.relabel() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.label := 'PUBLIC'; RETURN NEW; END$$;
ALTER FUNCTION public.relabel() OWNER TO t_own;
SET LOCAL ROLE t_own;
CREATE TRIGGER a_relabel BEFORE UPDATE ON public.memo FOR EACH ROW
  WHEN (NEW.title LIKE '%[public]') EXECUTE FUNCTION public.relabel();
SET LOCAL ROLE t_alice;
SELECT throws_ok($$UPDATE public.memo SET title = 'plan [public]' WHERE id = 1$$, '42501', NULL,
                 'an owner''s BEFORE trigger rewriting NEW.label lowers nothing (write-down)');
RESET ROLE;
DROP TRIGGER a_relabel ON public.memo;
SELECT is((SELECT label::text FROM public.memo WHERE id = 1), 'SECRET', 'the row is still SECRET');

-- 4. a declassifier's write-down is their own act
GRANT tmac_declassifier TO t_alice;
CREATE TABLE public.memo_out (id int PRIMARY KEY, title text, label tmac.label NOT NULL);
SELECT tmac.protect('public.memo_out');
GRANT SELECT, INSERT ON public.memo_out TO t_alice, t_bob;
CREATE FUNCTION public.publish() RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
  $$ INSERT INTO public.memo_out VALUES (2, 'published', 'PUBLIC') $$;
-- (this transaction has read the SECRET row above: any PUBLIC row written now is a write-down)
ALTER FUNCTION public.publish() OWNER TO t_alice;
GRANT EXECUTE ON FUNCTION public.publish() TO t_bob;
SET LOCAL ROLE t_bob;
SELECT throws_like($$SELECT public.publish()$$, '%SECURITY DEFINER%',
                   'another person calling a declassifier''s definer function cannot write down with its rights');
SET LOCAL ROLE t_alice;
SELECT throws_like($$SELECT public.publish()$$, '%SECURITY DEFINER%',
                   '… nor can the declassifier through it');
SELECT lives_ok($$INSERT INTO public.memo_out SELECT id, title, 'PUBLIC' FROM public.memo WHERE id = 1$$,
                'made directly, the declassifier''s write-down is allowed …');
RESET ROLE;
SELECT is((SELECT count(*)::integer FROM tmac.audit_log WHERE action = 'write_down' AND detail->>'table' LIKE '%memo_out%'), 1,
          '… and audited');

SELECT * FROM finish();
ROLLBACK;
