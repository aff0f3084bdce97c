-- security_guard_tamper.sql — pgTAP: the declassification guard counts as in place only when it
-- fires on every update of the label.  Found by the insider review of issue 17: the owner of a
-- protected table (an ordinary role) set the guard to fire only in replica mode (ENABLE REPLICA
-- TRIGGER), or a tmac_admin owner recreated it WHEN (false); either way the guard never fired,
-- any writer lowered labels with no audit entry, and tmac.protection_in_place() — and so the
-- critical finding protected_table_unenforced — still said "in place".
BEGIN;
SELECT plan(8);
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

SELECT * FROM finish();
ROLLBACK;
