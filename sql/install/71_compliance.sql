-- 71_compliance.sql — the compliance machinery: criteria, the check registry, populations,
-- settings that weaken checks, the runner, findings and the per-criterion compliance status.
--
-- Each compliance check is one SQL function returning
-- TABLE (subject text, detail text, detected_at timestamptz), registered in
-- tmac.compliance_check with a stable check_code, a criterion (I-1 … V), a
-- severity and what it means.  tmac.compliance_check_results() runs every enabled check
-- whose prerequisites exist and yields its findings plus one marker row per
-- check; tmac.findings and tmac.compliance_status are views over it.  Adding
-- a check is: write the function, call tmac.register_check.  Checks that
-- would each scan the same large table (the grants) share one function that
-- returns (check_code, subject, detail, detected_at) and runs once for all
-- of them: one pass over 1,000,000 grants instead of six.
--
-- tmac's own check functions are SECURITY DEFINER (they read governance
-- tables and the catalogs on the auditor's behalf) and return only metadata —
-- ids, names, dates — never a protected row.  A check that fails is reported
-- as a finding of its own instead of hiding every other finding.
--
-- A company's own checks (tmac.register_check) never run as the reader of
-- the findings, who may be a superuser: tmac.run_check_as_owner
-- (src/check_runner.c) runs each as its function's owner, in a
-- security-restricted, read-only context; a function owned by a superuser is
-- refused (unless it is tmac's own).  The SHA-256 of the function's
-- definition is recorded at registration; a check whose function was changed
-- since (CREATE OR REPLACE), or now belongs to a superuser, is not run and is
-- reported by registered_check_tampered until it is registered again.
--
-- Subjects are typed: person:<person_id>, role:<role name>,
-- grant:<grant_id>, table:<schema.table>, review:<review_id>, audit_log.

CREATE TABLE tmac.criterion (
  criterion text PRIMARY KEY,
  ordinal   smallint NOT NULL UNIQUE,
  measure   text NOT NULL,
  title_ja  text NOT NULL,
  title_en  text NOT NULL,
  evidence  text NOT NULL
);
COMMENT ON TABLE tmac.criterion IS
  'The certification criteria (認証基準) I-1 … V with the seed''s measures ①–⑨ and what tmac keeps as evidence';
INSERT INTO tmac.criterion VALUES
  ('I-1', 1, '① 重要情報の特定', '適切な管理をする必要がある技術等情報の特定', 'Identifying the technical information that needs management', 'inventory of important information (tmac.asset)'),
  ('I-2', 2, '② 識別・対策整理', '管理対象情報の識別と必要な措置の整理', 'Identifying managed information and arranging the measures it needs', 'classification labels on rows, tables and columns'),
  ('I-3', 3, '③ 管理者の選任', '管理者の選任', 'Appointing managers', 'information-management officer and per-asset managers'),
  ('I-4', 4, '④ 情報管理プロセス', '管理対象情報の管理等', 'Handling of managed information', 'handling standard and handling ledger'),
  ('I-5', 5, '⑤ 従業員教育', '管理対象情報の適切な管理をするためのトレーニング', 'Training for the proper management of managed information', 'training courses and completions'),
  ('I-6', 6, '⑥ 事故報告ルール', '管理対象情報の漏えいの事故等の発生時等の報告', 'Reporting leaks and other incidents', 'incident register'),
  ('II',  7, '⑦ 人的アクセス制限', '管理対象情報への人的アクセスの制限', 'Restricting human access to managed information', 'persons, grants, approvals, pledges, reviews, segregation of duties'),
  ('III', 8, '⑧ 物理的保管', '保管容器に保管できる管理対象情報の物理的アクセスの制限等', 'Physical access restriction for information kept in storage containers', 'containers, keys, combination changes'),
  ('IV',  9, '⑧ 物理的保管', '保管容器に保管することが困難な管理対象情報の物理的アクセスの制限等', 'Physical access restriction for information that cannot be kept in containers', 'restricted areas and entry logs'),
  ('V',  10, '⑨ 電子的保管', '管理対象情報が電子情報である場合のアクセスの制限等', 'Access restriction for electronic information', 'row-level enforcement, privileged roles, the audit log');

CREATE TABLE tmac.compliance_check (
  check_code  text PRIMARY KEY CHECK (check_code ~ '^[a-z][a-z0-9_]{0,62}$'),
  criterion   text NOT NULL REFERENCES tmac.criterion,
  severity    text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  title       text NOT NULL,
  description text NOT NULL,
  remedy      text NOT NULL,
  function_name text NOT NULL,
  requires    text[] NOT NULL DEFAULT '{}',
  enabled     boolean NOT NULL DEFAULT true,
  builtin     boolean NOT NULL DEFAULT false,
  registered_at timestamptz NOT NULL DEFAULT now(),
  registered_by name NOT NULL DEFAULT session_user,
  function_sha256 bytea
);
COMMENT ON TABLE tmac.compliance_check IS
  'Registry of compliance checks: each is a function returning (subject, detail, detected_at) for every open finding';
COMMENT ON COLUMN tmac.compliance_check.check_code IS 'Stable code of the check; every finding carries it';
COMMENT ON COLUMN tmac.compliance_check.function_name IS 'Schema-qualified name of the check function (no arguments); several checks may share one function returning (check_code, subject, detail, detected_at), which then runs once for all of them';
COMMENT ON COLUMN tmac.compliance_check.requires IS 'Relations (schema.name) or functions (schema.name(args)) that must exist for the check to run; otherwise it is reported as not run';
COMMENT ON COLUMN tmac.compliance_check.remedy IS 'What a person does to close a finding of this check';
COMMENT ON COLUMN tmac.compliance_check.function_sha256 IS 'Registered checks: SHA-256 of the function''s definition (pg_get_functiondef) when it was registered; a check whose function changed since is not run (NULL for tmac''s built-in checks)';
SELECT pg_catalog.pg_extension_config_dump('tmac.compliance_check', 'WHERE NOT builtin');

-- True when every prerequisite of a check exists in this database.
CREATE FUNCTION tmac.compliance_requirements_met(requires text[]) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce((SELECT bool_and(CASE WHEN r LIKE '%(%' THEN pg_catalog.to_regprocedure(r) IS NOT NULL
                                        ELSE pg_catalog.to_regclass(r) IS NOT NULL END)
                     FROM pg_catalog.unnest(requires) r), true);
COMMENT ON FUNCTION tmac.compliance_requirements_met(text[]) IS
  'True when every relation or function a check requires exists';

-- True for a function of the tmac extension itself.
CREATE FUNCTION tmac.is_own_function(fn regproc) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = fn
                    AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
                    AND e.extname = 'tmac');
COMMENT ON FUNCTION tmac.is_own_function(regproc) IS 'True when a function belongs to the tmac extension';

-- The fingerprint of a check function: its whole definition (body, language,
-- security, settings) as PostgreSQL prints it under this fixed search_path.
CREATE FUNCTION tmac.function_fingerprint(fn regproc) RETURNS bytea
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  RETURN pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.pg_get_functiondef(fn), 'UTF8'));
COMMENT ON FUNCTION tmac.function_fingerprint(regproc) IS
  'SHA-256 of a function''s definition (pg_get_functiondef), recorded when a check is registered';

CREATE FUNCTION tmac.run_check_as_owner(fn regproc, grouped boolean)
  RETURNS TABLE (check_code text, subject text, detail text, detected_at timestamptz)
  AS 'MODULE_PATHNAME', 'tmac_run_check_as_owner' LANGUAGE C STRICT;
COMMENT ON FUNCTION tmac.run_check_as_owner(regproc, boolean) IS
  'Internal (compliance_check_results): runs a registered check function as its owner (never a superuser), read-only and security-restricted';

-- Registered checks that must not run: their function changed since
-- registration (or was registered before tmac recorded definitions), or now
-- belongs to a superuser.  A missing function is left to compliance_check_results, which
-- reports that it could not run.
CREATE FUNCTION tmac.registered_check_problems()
  RETURNS TABLE (check_code text, function_name text, problem text)
  LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
  SELECT k.check_code, k.function_name,
         CASE WHEN k.function_sha256 IS NULL THEN 'unverified'
              WHEN k.function_sha256 <> tmac.function_fingerprint(f.fn) THEN 'changed'
              ELSE 'superuser' END
    FROM tmac.compliance_check k
    CROSS JOIN LATERAL (SELECT pg_catalog.to_regproc(k.function_name) AS fn) f
    JOIN pg_catalog.pg_proc p ON p.oid = f.fn
   WHERE NOT k.builtin
     AND (k.function_sha256 IS NULL OR k.function_sha256 <> tmac.function_fingerprint(f.fn)
          OR (NOT tmac.is_own_function(f.fn)
              AND (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid = p.proowner)))
   ORDER BY k.check_code;
END;
COMMENT ON FUNCTION tmac.registered_check_problems() IS
  'Registered checks that are not run: function changed since registration (or never fingerprinted), or now owned by a superuser';

CREATE FUNCTION tmac.compliance_check_results()
  RETURNS TABLE (criterion text, check_code text, severity text, ran boolean,
                 subject text, detail text, detected_at timestamptz)
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  c record;
  err text;
  one record;
  held text[] := ARRAY(SELECT x.check_code FROM tmac.registered_check_problems() x);
BEGIN
  -- the marker rows: every registered check, and whether it runs
  RETURN QUERY
    SELECT k.criterion, k.check_code, k.severity,
           k.enabled AND tmac.compliance_requirements_met(k.requires) AND NOT k.check_code = ANY (held),
           NULL::text, NULL::text, NULL::timestamptz
      FROM tmac.compliance_check k ORDER BY k.criterion, k.check_code;
  -- each check function once; a grouped function (first column check_code) serves several checks
  FOR c IN
    SELECT k.function_name, array_agg(k.check_code ORDER BY k.check_code) AS codes,
           pg_catalog.to_regproc(k.function_name) AS fn,
           (SELECT 'check_code' = ANY (p.proargnames) FROM pg_catalog.pg_proc p
             WHERE p.oid = pg_catalog.to_regproc(k.function_name)) AS grouped,
           coalesce(tmac.is_own_function(pg_catalog.to_regproc(k.function_name)), false) AS own
      FROM tmac.compliance_check k
     WHERE k.enabled AND tmac.compliance_requirements_met(k.requires) AND NOT k.check_code = ANY (held)
     GROUP BY k.function_name ORDER BY min(k.criterion), min(k.check_code)
  LOOP
    BEGIN
      IF c.fn IS NULL THEN
        RAISE EXCEPTION 'function % does not exist', c.function_name USING ERRCODE = 'undefined_function';
      ELSIF c.own AND c.grouped THEN
        RETURN QUERY EXECUTE pg_catalog.format(
          'SELECT k.criterion, k.check_code, k.severity, true, f.subject::text, f.detail::text, coalesce(f.detected_at, now())
             FROM %s() f JOIN tmac.compliance_check k ON k.check_code = f.check_code
            WHERE f.subject IS NOT NULL AND k.check_code = ANY ($1)', c.fn) USING c.codes;
      ELSIF c.own THEN
        SELECT * INTO one FROM tmac.compliance_check x WHERE x.check_code = c.codes[1];
        RETURN QUERY EXECUTE pg_catalog.format(
          'SELECT %L::text, %L::text, %L::text, true, f.subject::text, f.detail::text, coalesce(f.detected_at, now())
             FROM %s() f WHERE f.subject IS NOT NULL', one.criterion, one.check_code, one.severity, c.fn);
      ELSIF c.grouped THEN          -- a company's own check: run as its owner
        RETURN QUERY
          SELECT k.criterion, k.check_code, k.severity, true, f.subject, f.detail, coalesce(f.detected_at, now())
            FROM tmac.run_check_as_owner(c.fn, true) f JOIN tmac.compliance_check k ON k.check_code = f.check_code
           WHERE f.subject IS NOT NULL AND k.check_code = ANY (c.codes);
      ELSE
        SELECT * INTO one FROM tmac.compliance_check x WHERE x.check_code = c.codes[1];
        RETURN QUERY
          SELECT one.criterion, one.check_code, one.severity, true, f.subject, f.detail, coalesce(f.detected_at, now())
            FROM tmac.run_check_as_owner(c.fn, false) f WHERE f.subject IS NOT NULL;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
      RETURN QUERY
        SELECT x.criterion, x.check_code, 'high'::text, true, 'check:' || x.check_code,
               pg_catalog.format('The check %s could not run (%s); its findings are unknown. Fix the check or its prerequisites.', x.check_code, err),
               now()
          FROM tmac.compliance_check x WHERE x.check_code = ANY (c.codes);
    END;
  END LOOP;
END
$$;
COMMENT ON FUNCTION tmac.compliance_check_results() IS
  'Runs every registered check (a company''s own as its function''s owner): one marker row per check (subject NULL, ran = whether it ran), then one row per finding';

CREATE VIEW tmac.findings AS
  SELECT r.criterion, r.check_code, r.severity, r.subject, r.detail, r.detected_at
    FROM tmac.compliance_check_results() r
   WHERE r.subject IS NOT NULL;
COMMENT ON VIEW tmac.findings IS
  'Every open finding of every enabled compliance check: criterion, check_code, severity, subject, detail, detected_at';

CREATE VIEW tmac.compliance_status AS
  WITH r AS MATERIALIZED (SELECT * FROM tmac.compliance_check_results()),
  per AS (
    SELECT r.criterion,
           count(*) FILTER (WHERE r.subject IS NULL)                AS checks_registered,
           count(*) FILTER (WHERE r.subject IS NULL AND r.ran)      AS checks_run,
           count(*) FILTER (WHERE r.subject IS NOT NULL)            AS open_findings,
           count(*) FILTER (WHERE r.subject IS NOT NULL AND r.severity = 'critical') AS critical,
           count(*) FILTER (WHERE r.subject IS NOT NULL AND r.severity = 'high')     AS high,
           count(*) FILTER (WHERE r.subject IS NOT NULL AND r.severity = 'medium')   AS medium,
           count(*) FILTER (WHERE r.subject IS NOT NULL AND r.severity = 'low')      AS low
      FROM r GROUP BY r.criterion
  )
  SELECT c.criterion, c.measure, c.title_ja, c.title_en,
         coalesce(p.checks_registered, 0) AS checks_registered,
         coalesce(p.checks_run, 0)        AS checks_run,
         coalesce(p.open_findings, 0)     AS open_findings,
         coalesce(p.critical, 0) AS critical, coalesce(p.high, 0) AS high,
         coalesce(p.medium, 0) AS medium, coalesce(p.low, 0) AS low,
         CASE WHEN coalesce(p.checks_run, 0) = 0 THEN 'not_evaluated'
              WHEN p.critical + p.high > 0 THEN 'failing'
              WHEN p.open_findings > 0 THEN 'attention'
              ELSE 'ok' END AS status,
         now() AS evaluated_at
    FROM tmac.criterion c LEFT JOIN per p USING (criterion)
   ORDER BY c.ordinal;
COMMENT ON VIEW tmac.compliance_status IS
  'One row per criterion I-1 … V: Japanese and English titles, checks registered and run, open findings by severity, and a status (ok, attention, failing, not_evaluated)';

CREATE FUNCTION tmac.register_check(check_code text, criterion text, severity text, title text,
                                    description text, remedy text, function_name regprocedure,
                                    requires text[] DEFAULT '{}')
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
  outs text;
  owner_name name;
  owner_super boolean;
BEGIN
  PERFORM tmac.require_arguments('register_check', 'check_code', check_code, 'criterion', criterion,
            'severity', severity, 'title', title, 'description', description, 'remedy', remedy,
            'function_name', function_name::text);
  SELECT pg_catalog.string_agg(t::regtype::text, ',' ORDER BY o)
    INTO outs
    FROM pg_catalog.pg_proc p,
         LATERAL ROWS FROM (pg_catalog.unnest(p.proallargtypes), pg_catalog.unnest(p.proargmodes::text[])) WITH ORDINALITY u(t, m, o)
   WHERE p.oid = function_name AND u.m = 't' AND p.proretset AND p.pronargs = 0;
  IF outs IS DISTINCT FROM 'text,text,timestamp with time zone'
     AND (outs IS DISTINCT FROM 'text,text,text,timestamp with time zone'
          OR (SELECT p.proargnames[1] FROM pg_catalog.pg_proc p WHERE p.oid = function_name) IS DISTINCT FROM 'check_code') THEN
    RAISE EXCEPTION 'check function % must take no arguments and return TABLE (subject text, detail text, detected_at timestamptz)', function_name
      USING ERRCODE = 'invalid_function_definition',
            HINT = 'A function serving several checks returns TABLE (check_code text, subject text, detail text, detected_at timestamptz).';
  END IF;
  -- A check runs as its function's owner: never as a superuser, unless it is tmac's own.
  SELECT r.rolname, r.rolsuper INTO owner_name, owner_super
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_roles r ON r.oid = p.proowner WHERE p.oid = function_name;
  IF owner_super AND NOT tmac.is_own_function(function_name::oid::regproc) THEN
    RAISE EXCEPTION 'check function % is owned by the superuser %', function_name, owner_name
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Registered checks run as their function''s owner, and never as a superuser.',
            HINT = 'Have an ordinary role own it (ALTER FUNCTION … OWNER TO …), then register it.';
  END IF;
  -- ... and so only by a role that could run it as that owner itself: otherwise the findings
  -- would show a tmac_admin what any other role reads.
  IF NOT tmac.is_own_function(function_name::oid::regproc)
     AND NOT pg_catalog.pg_has_role(tmac.invoker(),
                                    (SELECT p.proowner FROM pg_catalog.pg_proc p WHERE p.oid = function_name), 'MEMBER') THEN
    RAISE EXCEPTION 'check function % is owned by role %, which % is not a member of', function_name, owner_name, tmac.invoker()
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Registered checks run as their function''s owner; registering one would run that role''s code as that role.',
            HINT = 'Register a function you own, or have its owner register it.';
  END IF;
  INSERT INTO tmac.compliance_check (check_code, criterion, severity, title, description, remedy, function_name, requires,
                                     function_sha256)
  VALUES (check_code, criterion, severity, title, description, remedy, function_name::oid::regproc::text, requires,
          tmac.function_fingerprint(function_name::oid::regproc))
  ON CONFLICT ON CONSTRAINT compliance_check_pkey DO UPDATE
     SET criterion = EXCLUDED.criterion, severity = EXCLUDED.severity, title = EXCLUDED.title,
         description = EXCLUDED.description, remedy = EXCLUDED.remedy,
         function_name = EXCLUDED.function_name, requires = EXCLUDED.requires,
         function_sha256 = EXCLUDED.function_sha256, registered_at = now(), registered_by = session_user
   WHERE NOT tmac.compliance_check.builtin;
END
$$;
COMMENT ON FUNCTION tmac.register_check(text, text, text, text, text, text, regprocedure, text[]) IS
  'Registers (or replaces) a compliance check: a function returning TABLE (subject text, detail text, detected_at timestamptz), one row per open finding; it runs as its owner (not a superuser), and its definition''s SHA-256 is recorded (register again after changing it)';

CREATE FUNCTION tmac.set_check_enabled(check_code text, enabled boolean) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
  UPDATE tmac.compliance_check k SET enabled = set_check_enabled.enabled WHERE k.check_code = set_check_enabled.check_code;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no compliance check "%"', check_code USING ERRCODE = 'undefined_object';
  END IF;
END
$$;
COMMENT ON FUNCTION tmac.set_check_enabled(text, boolean) IS
  'Enables or disables a compliance check; a disabled check shows in compliance_status as registered but not run';
