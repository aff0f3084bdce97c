-- compliance_enforce.sql — pgTAP: the checks over row-level enforcement, and that tmac_auditor sees
-- no protected row by virtue of that role.  Until row-level enforcement (tmac.protect) is part of
-- the build, the checks are registered but not run, and these tests are skipped.
BEGIN;
SELECT plan(11);

SELECT results_eq($$SELECT ran FROM tmac.compliance_check_results() WHERE check_code = 'protected_table_unenforced' AND subject IS NULL$$,
  $$VALUES (to_regclass('tmac.protected_table') IS NOT NULL)$$,
  'the check runs exactly when its prerequisite tmac.protected_table exists');

CREATE FUNCTION pg_temp.enforce_tests() RETURNS SETOF text LANGUAGE plpgsql AS
$t$
BEGIN
  IF to_regprocedure('tmac.protect(regclass,name,text)') IS NULL THEN
    RETURN NEXT skip('row-level enforcement (tmac.protect) is not in this build', 10);
    RETURN;
  END IF;
  EXECUTE $$CREATE TABLE public.ce_docs (id int, body text, label tmac.label)$$;
  EXECUTE $$INSERT INTO public.ce_docs VALUES (1, 'public', 'PUBLIC'), (2, 'secret', 'CONFIDENTIAL'), (3, 'x', 'SECRET')$$;
  EXECUTE $$GRANT SELECT ON public.ce_docs TO tmac_auditor$$;
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'label_column_unprotected' AND subject = 'table:public.ce_docs'),
                 1::bigint, 'an unprotected labelled table is a finding');
  PERFORM tmac.register_asset('CE-1', 'enforcement test documents', 'test', 'electronic', location => 'db');
  PERFORM tmac.protect('public.ce_docs', 'label', 'CE-1');   -- protected and in the inventory
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE subject = 'table:public.ce_docs'), 0::bigint, 'protected: no finding');
  EXECUTE $$ALTER TABLE public.ce_docs NO FORCE ROW LEVEL SECURITY$$;
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'protected_table_unenforced'), 1::bigint,
                 'protected_table_unenforced: one finding');
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'protected_table_unenforced' AND subject = 'table:public.ce_docs'),
                 1::bigint, '... for the table');
  EXECUTE $$ALTER TABLE public.ce_docs FORCE ROW LEVEL SECURITY$$;
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'protected_table_unenforced'), 0::bigint, 'forced again: gone');
  EXECUTE $$DROP POLICY tmac_read ON public.ce_docs$$;
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'protected_table_unenforced' AND subject = 'table:public.ce_docs'),
                 1::bigint, 'a dropped tmac policy is a finding too');
  PERFORM tmac.unprotect('public.ce_docs');
  PERFORM tmac.protect('public.ce_docs', 'label', 'CE-1');
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'protected_table_unenforced'), 0::bigint, 'protected again: gone');
  EXECUTE $$CREATE VIEW public.ce_view AS SELECT id, body FROM public.ce_docs$$;
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'exposing_view' AND subject = 'view:public.ce_view'), 1::bigint,
                 'exposing_view: a view over a protected table without security_invoker');
  EXECUTE $$ALTER VIEW public.ce_view SET (security_invoker = true)$$;
  RETURN NEXT is((SELECT count(*) FROM tmac.findings WHERE check_code = 'exposing_view'), 0::bigint, 'security_invoker: gone');
  EXECUTE $$SET LOCAL ROLE t_ce_aud$$;
  RETURN NEXT results_eq($$SELECT id FROM public.ce_docs ORDER BY id$$, $$VALUES (1)$$,
                         'tmac_auditor (even with SELECT on the table) sees only unclassified rows, no protected one');
  EXECUTE $$RESET ROLE$$;
END
$t$;
CREATE ROLE t_ce_aud LOGIN IN ROLE tmac_auditor;
SELECT * FROM pg_temp.enforce_tests();

SELECT * FROM finish();
ROLLBACK;
